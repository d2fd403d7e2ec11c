//! Valid sites build the way a Zola user expects, and `public/` only ever
//! changes as a whole.

mod common;
use common::*;

#[test]
fn sections_pages_sorting_and_pagination() {
    let site = Site::new();
    site.write(
        "content/news/_index.md",
        page(
            "title = \"News\"\nsort_by = \"date\"\npaginate_by = 2",
            "Latest news.\n",
        ),
    );
    site.write(
        "content/news/2026-09-01-first.md",
        page("title = \"First\"", ""),
    );
    site.write(
        "content/news/2026-10-01-second.md",
        page("title = \"Second\"", ""),
    );
    site.write(
        "content/news/third.md",
        page("title = \"Third\"\ndate = 2026-11-01", ""),
    );
    site.write(
        "content/news/old/index.md",
        page("title = \"Old\"\ndate = \"2025-01-01\"", ""),
    );
    site.write(
        "content/clubs/_index.md",
        page("title = \"Clubs\"\nsort_by = \"weight\"", ""),
    );
    site.write(
        "content/clubs/choir.md",
        page("title = \"Choir\"\nweight = 2", ""),
    );
    site.write(
        "content/clubs/garden.md",
        page(
            "title = \"Garden\"\nweight = 1\nslug = \"Gardening Club\"",
            "",
        ),
    );
    let run = site.build();
    assert_eq!(run.code, 0, "{}", run.all());

    let files = site.public_files();
    for f in [
        "index.html",
        "news/index.html",
        "news/page/2/index.html",
        "news/first/index.html",
        "news/second/index.html",
        "news/third/index.html",
        "news/old/index.html",
        "clubs/index.html",
        "clubs/choir/index.html",
        "clubs/gardening-club/index.html",
        "404.html",
        "style.css",
    ] {
        assert!(files.contains(&f.to_string()), "{f} missing from {files:?}");
    }
    let news = site.read("public/news/index.html");
    let third = news.find("Third").expect("newest first");
    let second = news.find("Second").expect("second newest");
    assert!(third < second);
    assert!(!news.contains(">First<"), "page 1 holds two pages only");
    assert!(
        news.contains("href=\"/news/page/2/\""),
        "a link to the next page"
    );
    assert!(news.contains("Page 1 of 2"));
    let page2 = site.read("public/news/page/2/index.html");
    assert!(page2.contains("First") && page2.contains("Old"));
    assert!(
        page2.contains("1 September 2026"),
        "dates from file names: {page2}"
    );

    let clubs = site.read("public/clubs/index.html");
    assert!(
        clubs.find("Garden").unwrap() < clubs.find("Choir").unwrap(),
        "lightest first"
    );
    let home = site.read("public/index.html");
    assert!(
        home.contains("href=\"/news/\"") && home.contains("href=\"/clubs/\""),
        "subsections listed: {home}"
    );
}

#[test]
fn markdown_features_and_internal_links() {
    let site = Site::new();
    site.write(
        "content/about.md",
        page("title = \"About\"", "## Our values\n\nKind.\n"),
    );
    site.write(
        "content/guide.md",
        page(
            "title = \"Guide\"",
            "## Term dates {#dates}\n\n| Term | Starts |\n|---|---|\n| Autumn | ~~3~~ 4 September |\n\nSee [values](@/about.md#our-values) and [home](@/_index.md).[^1]\n\n[^1]: A footnote.\n\n## Term dates\n",
        ),
    );
    let run = site.build();
    assert_eq!(run.code, 0, "{}", run.all());
    let html = site.read("public/guide/index.html");
    assert!(html.contains("<h2 id=\"dates\">Term dates</h2>"), "{html}");
    assert!(
        html.contains("<h2 id=\"term-dates\">Term dates</h2>"),
        "{html}"
    );
    assert!(html.contains("<table>"));
    assert!(html.contains("<del>3</del>"));
    assert!(html.contains("href=\"/about/#our-values\""));
    assert!(html.contains("href=\"/\""));
    assert!(html.contains("footnote-definition"));
    assert!(html.contains("<title>Guide | Test School</title>"));
}

#[test]
fn drafts_only_with_the_flag() {
    let site = Site::new();
    site.write("content/wip.md", page("title = \"WIP\"\ndraft = true", ""));
    assert_eq!(site.build().code, 0);
    assert!(!site.path("public/wip").exists());
    let run = site.run(&["build", "--drafts"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(site.path("public/wip/index.html").exists());
}

#[test]
fn base_url_with_a_path_prefixes_every_link() {
    let site = Site::new();
    site.write(
        "config.toml",
        CONFIG.replace(
            "https://www.test.example.sch.uk",
            "https://example.org/ourschool/",
        ),
    );
    site.write(
        "content/trip/index.md",
        page(
            "title = \"Trip\"",
            "![A view of the hills](view.jpg)\n\n[home](@/_index.md)\n",
        ),
    );
    site.write("content/trip/view.jpg", plain_jpeg(8, 8));
    declare_nobody(&site, "content/trip", &["view.jpg"]);
    let run = site.build();
    assert_eq!(run.code, 0, "{}", run.all());
    let html = site.read("public/trip/index.html");
    assert!(html.contains("src=\"/ourschool/media/"), "{html}");
    assert!(html.contains("href=\"/ourschool/\""), "{html}");
    assert!(html.contains("href=\"/ourschool/style.css\""), "{html}");
}

#[test]
fn nothing_but_pages_media_and_theme_static_is_published() {
    let site = Site::new();
    site.write(
        "consent/register.csv",
        "id,forename,surname,leaving_date,consent_date,never_publish,website_group,website_individual,website_named_first_name\n1,Amelia,Testperson,,2026-09-01,no,yes,yes,yes\n",
    );
    site.write("content/.secret.jpg", plain_jpeg(4, 4));
    site.write("content/.git/config", "x");
    site.write("content/notes.txt", "private notes");
    site.write(
        "content/trip/index.md",
        page("title = \"Trip\"", "![Hills](hills.jpg)\n"),
    );
    site.write("content/trip/hills.jpg", plain_jpeg(8, 8));
    declare_nobody(&site, "content/trip", &["hills.jpg"]);
    site.write("themes/schoolsite/static/.hidden.css", "x");
    let run = site.build();
    assert_eq!(run.code, 0, "{}", run.all());
    let files = site.public_files();
    for f in &files {
        // Pages, media, the theme's files, and what the renderer makes
        // for machines.
        let ok = f.ends_with(".html")
            || f.starts_with("media/")
            || ["style.css", "search.js", "favicon.png"].contains(&f.as_str())
            || ["robots.txt", "sitemap.xml", "search-index.json"].contains(&f.as_str());
        assert!(ok, "unexpected file in public/: {f}");
    }
    assert_eq!(
        files.iter().filter(|f| f.starts_with("media/")).count(),
        1,
        "{files:?}"
    );
    let everything: Vec<u8> = site
        .public_snapshot()
        .into_iter()
        .flat_map(|(_, b)| b)
        .collect();
    let text = String::from_utf8_lossy(&everything);
    assert!(!text.contains("Testperson") && !text.contains("private notes"));
}

#[test]
fn theme_static_file_of_unknown_type_is_refused() {
    let site = Site::new();
    site.write("themes/schoolsite/static/tracker.exe", b"MZ\x90\0");
    site.write(
        "themes/schoolsite/static/logo.png",
        png_with_everything(8, 8),
    );
    let run = site.build();
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stdout.contains("themes/schoolsite/static/tracker.exe\n  error[media-refused]: this file cannot be published: it is not a file type schoolsite knows how to make safe"), "{}", run.stdout);

    std::fs::remove_file(site.path("themes/schoolsite/static/tracker.exe")).unwrap();
    let run = site.build();
    assert_eq!(run.code, 0, "{}", run.all());
    // A theme's own images keep their path but are still sanitised.
    let logo = std::fs::read(site.path("public/logo.png")).unwrap();
    assert_clean("logo.png", &logo);
}

#[test]
fn a_failed_build_leaves_public_byte_for_byte_untouched() {
    let site = Site::new();
    site.write(
        "content/trip/index.md",
        page("title = \"Trip\"", "![Hills](hills.jpg)\n"),
    );
    site.write("content/trip/hills.jpg", plain_jpeg(8, 8));
    declare_nobody(&site, "content/trip", &["hills.jpg"]);
    assert_eq!(site.build().code, 0);
    let before = site.public_snapshot();
    assert!(!before.is_empty());

    // Blocked by a finding.
    site.write(
        "content/trip/index.md",
        page("title = \"Changed\"", "![](hills.jpg)\n"),
    );
    assert_eq!(site.build().code, 1);
    assert_eq!(site.public_snapshot(), before);

    // Blocked by bad input (exit 2).
    site.write("config.toml", "title = ");
    assert_eq!(site.build().code, 2);
    assert_eq!(site.public_snapshot(), before);

    // No staging or old folders are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(site.root())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".public"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // A good build replaces it entirely: stale files disappear.
    site.write("config.toml", CONFIG);
    site.write(
        "content/trip/index.md",
        page("title = \"Changed\"", "No photo now.\n"),
    );
    assert_eq!(site.build().code, 0);
    let after = site.public_files();
    assert!(!after.iter().any(|f| f.starts_with("media/")), "{after:?}");
    assert!(site.read("public/trip/index.html").contains("Changed"));
}

#[test]
fn init_makes_a_site_that_builds() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("new-school");
    let run = run_bin(&["init", target.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.all());
    let run = run_bin(&["build", "--root", target.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(target.join("public/index.html").exists());
    assert!(target.join("public/news/first-post/index.html").exists());
    // With a starter page for every statutory item, each flagged until
    // the school writes its own; the two schoolsite can write from
    // config.toml are generated.
    assert!(
        target
            .join("public/policies/behaviour-policy/index.html")
            .exists()
    );
    assert!(
        target
            .join("public/statutory-information/index.html")
            .exists()
    );
    assert!(
        target
            .join("public/statutory-information/privacy-notice/index.html")
            .exists()
    );
    assert_eq!(
        run.stdout.matches("warning[statutory-starter]").count(),
        25,
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stdout.matches("warning[statutory-generated]").count(),
        2
    );
    assert!(!target.join("content/policies/trust-documents.md").exists());

    // The never-publish list is there to be filled in: once a register
    // is added, the build asks for it, never reading it as "nobody".
    std::fs::write(
        target.join("consent/register.csv"),
        "id,forename,surname,consent_date,website_group,website_individual,website_named_first_name\n1,Amelia,Testperson,2026-09-01,yes,yes,yes\n",
    )
    .unwrap();
    let run = run_bin(&["check", "--root", target.to_str().unwrap()]);
    assert!(
        run.stdout.contains("consent/never-publish.toml\n  error[consent-never-publish]: the never-publish list does not say who checked it"),
        "{}",
        run.all()
    );

    // An academy gets the academy list.
    let academy = dir.path().join("academy");
    let run = run_bin(&["init", "--profile", "academy", academy.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(academy.join("content/policies/trust-documents.md").exists());
    assert!(
        !academy
            .join("content/policies/financial-information.md")
            .exists()
    );
    assert_eq!(
        run_bin(&["build", "--root", academy.to_str().unwrap()]).code,
        0
    );

    // It refuses to overwrite a folder with something in it.
    let run = run_bin(&["init", target.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("already exists and is not empty"),
        "{}",
        run.stderr
    );
}

#[test]
fn help_is_useful_on_every_command() {
    for cmd in ["build", "check", "init", "statutory"] {
        let run = run_bin(&[cmd, "--help"]);
        assert_eq!(run.code, 0);
        assert!(run.stdout.contains("Usage: schoolsite"), "{}", run.stdout);
    }
    let run = run_bin(&["--help"]);
    assert!(
        run.stdout.contains("online-safety policy"),
        "{}",
        run.stdout
    );
}
