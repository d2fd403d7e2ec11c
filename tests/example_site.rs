//! The bundled example school builds cleanly, and what it publishes is
//! clean: pages from the renderer, photos stripped and renamed, nothing
//! from consent/.

mod common;
use common::*;

#[test]
fn example_site_builds_with_clean_images() {
    let site = Site::example();
    let run = site.run(&["build", "--today", "2026-11-23"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("built"), "{}", run.stdout);

    let files = site.public_files();
    assert!(files.contains(&"index.html".to_string()));
    assert!(files.contains(&"news/index.html".to_string()));
    assert!(files.contains(&"policies/online-safety/index.html".to_string()));

    let images: Vec<&String> = files
        .iter()
        .filter(|f| f.starts_with("media/") && (f.ends_with(".jpg") || f.ends_with(".png")))
        .collect();
    assert!(images.len() >= 4, "{files:?}");
    for rel in &images {
        let path = site.path("public").join(rel);
        let bytes = std::fs::read(&path).unwrap();
        assert_clean(rel, &bytes);
        assert_clean_exiftool(&path);
        // Named by hash: 20 hex digits and the real format's extension.
        let name = rel.trim_start_matches("media/");
        let (stem, ext) = name.split_once('.').unwrap();
        assert_eq!(stem.len(), 20, "{name}");
        assert!(stem.chars().all(|c| c.is_ascii_hexdigit()), "{name}");
        assert!(["jpg", "png"].contains(&ext), "{name}");
        decode(&bytes);
    }
    // The newsletter (printed to PDF by Chromium, with a photo carrying
    // GPS) is published cleaned, its text still text, and linked.
    let newsletters: Vec<&String> = files.iter().filter(|f| f.ends_with(".pdf")).collect();
    assert_eq!(newsletters.len(), 1, "{files:?}");
    let newsletter = newsletters[0];
    assert!(
        newsletter.starts_with("media/autumn-newsletter-2026-"),
        "{newsletter}"
    );
    let path = site.path("public").join(newsletter);
    let bytes = std::fs::read(&path).unwrap();
    for planted in [
        &b"Exif\0\0"[..],
        b"HeadlessChrome",
        b"Skia/PDF",
        b"CreationDate",
    ] {
        assert!(
            !bytes.windows(planted.len()).any(|w| w == planted),
            "{} left in the newsletter",
            String::from_utf8_lossy(planted)
        );
    }
    if let Some(tags) = exiftool(&path, &[]) {
        for key in tags.keys() {
            assert!(
                !["Creator", "Producer", "Title", "CreateDate", "GPSLatitude"]
                    .iter()
                    .any(|k| key.ends_with(&format!(":{k}"))),
                "{key} left in the newsletter"
            );
        }
    }
    let post = site.read("public/news/autumn-newsletter/index.html");
    assert!(post.contains(&format!("href=\"/{newsletter}\"")), "{post}");
    // The garden film is published cleaned, as a video with captions.
    let garden = site.read("public/news/autumn-garden/index.html");
    assert!(
        garden.contains("<video controls preload=\"metadata\""),
        "{garden}"
    );
    assert!(garden.contains("<track kind=\"captions\""), "{garden}");
    let film: Vec<&String> = files.iter().filter(|f| f.ends_with(".mp4")).collect();
    assert_eq!(film.len(), 1, "{files:?}");
    let bytes = std::fs::read(site.path("public").join(film[0])).unwrap();
    assert!(
        !bytes.windows(4).any(|w| w == b"Lavf"),
        "the encoder's name survived"
    );
    assert!(
        !bytes.windows(4).any(|w| w == b"udta"),
        "user data survived"
    );
    // No source name survives in any published path.
    for f in &files {
        for source_name in [
            "garden.jpg",
            "artwork.jpg",
            "school-building.jpg",
            "library-books.png",
        ] {
            assert!(!f.contains(source_name), "{f} reveals a source name");
        }
        assert!(!f.starts_with("consent"), "{f}");
        assert!(!f.split('/').any(|c| c.starts_with('.')), "{f}");
    }
    // Pages point at the hashed names, with sizes for layout.
    let home = site.read("public/index.html");
    assert!(home.contains("<img src=\"/media/"), "{home}");
    assert!(home.contains("width=\"1600\" height=\"1067\""));
    assert!(home.contains("lang=\"en-GB\""));
    assert!(
        !home.contains("school-building.jpg"),
        "the source name leaks into the page"
    );
    // A photo stored sideways (EXIF orientation 6) is described as shown:
    // portrait, so the browser reserves the right space.
    let relay = site.read("public/news/house-relay/index.html");
    assert!(relay.contains("width=\"1067\" height=\"1600\""), "{relay}");
    assert!(relay.contains(" 1067w\""), "{relay}");
    // The draft news post is not published.
    assert!(
        !files.iter().any(|f| f.contains("christmas-fair")),
        "{files:?}"
    );
}

#[test]
fn example_site_checks_clean_in_every_format() {
    let site = Site::example();
    let human = site.run(&["check", "--today", "2026-11-23"]);
    assert_eq!(human.code, 0, "{}", human.all());
    assert!(
        human.stdout.contains("pages would be built"),
        "{}",
        human.stdout
    );
    assert!(
        !site.path("public").exists(),
        "check must not write public/"
    );

    let json = site.run(&["check", "--format", "json", "--today", "2026-11-23"]);
    assert_eq!(json.code, 0);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["summary"]["errors"], 0);
    assert_eq!(v["blocked"], false);

    let gh = site.run(&["check", "--format", "github", "--today", "2026-11-23"]);
    assert_eq!(gh.code, 0);
    assert!(!gh.stdout.contains("::error"), "{}", gh.stdout);
}
