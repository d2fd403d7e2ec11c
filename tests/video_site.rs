//! Video on a site: a clip written with image syntax is published cleaned
//! as `<video controls>` (never autoplaying) with its captions, declared
//! and consented like a photo; its captions are checked for pupils' full
//! names with the line; a clip without captions is flagged; one over the
//! size limit is refused.

mod common;
use common::*;

const REGISTER: &str = "id,legal_forename,legal_surname,preferred_forename,role,leaving_date,consent_date,never_publish,website_group,website_individual,website_named_first_name
1001,Amelia,Smith,Millie,pupil,,2026-09-01,no,yes,yes,yes
1002,Oliver,Brown,,pupil,,2026-09-01,no,no,no,no
1003,Summer,Hughes,,pupil,2026-12-18,2026-09-01,no,yes,yes,yes
";

const CAPTIONS: &str = "WEBVTT\n\nNOTE filmed by Mrs Jones on her phone\n\n00:00:00.000 --> 00:00:01.000\nOn your marks!\n\n00:00:01.000 --> 00:00:02.000\nWell run, Millie S.!\n";

/// A two-second clip with a location and a title, or None without ffmpeg.
fn clip(dir: &std::path::Path) -> Option<Vec<u8>> {
    let path = dir.join("clip.mp4");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=160x120:rate=10:duration=2",
        "-f",
        "lavfi",
        "-i",
        "sine=duration=2",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-metadata",
        "title=Amelia Smith wins",
        "-metadata",
        "location=+51.5074-000.1278/",
        path.to_str()?,
    ])?;
    Some(std::fs::read(path).unwrap())
}

/// A site whose sports-day page shows `relay.mp4`, declared as showing
/// `people`, with `captions` beside it when given.
fn sports_day(clip: &[u8], people: Option<&str>, captions: Option<(&str, &str)>) -> Site {
    let site = Site::new();
    site.write("consent/register.csv", REGISTER);
    site.write(
        "content/news/sports-day/index.md",
        "+++\ntitle = \"Sports day\"\n+++\n\nThe Year 5 relay.\n\n![The Year 5 relay race on sports day](relay.mp4)\n",
    );
    site.write("content/news/sports-day/relay.mp4", clip);
    if let Some(people) = people {
        site.write(
            "content/news/sports-day/photos.toml",
            // A clip of one pupil is an individual one; of more, a group.
            if people.contains(',') {
                format!("[[photo]]\nfile = \"relay.mp4\"\n{people}\nfocus = \"group\"\n")
            } else {
                format!("[[photo]]\nfile = \"relay.mp4\"\n{people}\n")
            },
        );
    }
    if let Some((name, text)) = captions {
        site.write(&format!("content/news/sports-day/{name}"), text);
    }
    site
}

/// The clips spooled under the site's `.schoolsite/spool`.
fn spooled(site: &Site) -> Vec<std::path::PathBuf> {
    walk(&site.path(".schoolsite/spool"))
}

#[test]
fn each_build_owns_its_clips_so_a_second_build_leaves_the_first_alone() {
    let Some(site) = declared_and_captioned() else {
        return;
    };
    let options = schoolsite::pipeline::Options {
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 23),
        ..Default::default()
    };
    // As `serve` holds one build while it makes the next (or a `build`
    // runs in another terminal).
    let first = schoolsite::pipeline::prepare(site.root(), options).expect("first build");
    let mine = spooled(&site);
    assert_eq!(mine.len(), 1, "{mine:?}");
    let second = schoolsite::pipeline::prepare(site.root(), options).expect("second build");
    assert!(
        mine[0].exists(),
        "the second build deleted the first one's clip"
    );
    assert_eq!(spooled(&site).len(), 2);
    drop(first);
    assert!(!mine[0].exists(), "the first build's clip outlived it");
    assert_eq!(spooled(&site).len(), 1);
    drop(second);
    assert!(spooled(&site).is_empty());
}

/// The sports-day clip, declared as showing pupil 1001 and captioned;
/// `None` where ffmpeg cannot make the clip.
fn declared_and_captioned() -> Option<Site> {
    let dir = tempfile::tempdir().unwrap();
    let clip = clip(dir.path())?;
    Some(sports_day(
        &clip,
        Some("people = [\"1001\"]"),
        Some(("relay.vtt", CAPTIONS)),
    ))
}

fn check(site: &Site) -> (Run, Vec<serde_json::Value>) {
    json_findings(site, "2026-11-23", &["Smith"])
}

#[test]
fn a_declared_captioned_clip_is_published_clean_as_a_video_with_captions() {
    let Some(site) = declared_and_captioned() else {
        return;
    };
    let run = site.run(&["build", "--today", "2026-11-23"]);
    assert_eq!(run.code, 0, "{}", run.all());
    // The clean clip was spooled outside public/ and copied in by the
    // writer; the spool is empty once the build is done.
    assert!(spooled(&site).is_empty(), "{:?}", spooled(&site));
    let page = site.read("public/news/sports-day/index.html");
    assert!(page.contains("<video controls preload=\"metadata\" aria-label=\"The Year 5 relay race on sports day\">"), "{page}");
    assert!(!page.contains("autoplay"), "{page}");
    let track = page
        .split("<track kind=\"captions\" src=\"")
        .nth(1)
        .expect("a captions track");
    let captions_path = track.split('"').next().unwrap().trim_start_matches('/');
    let captions = site.read(&format!("public/{captions_path}"));
    assert!(captions.starts_with("WEBVTT\n"), "{captions}");
    assert!(captions.contains("Well run, Millie S.!"), "{captions}");
    assert!(
        !captions.contains("Mrs Jones"),
        "the NOTE survived: {captions}"
    );
    let video = page
        .split("<source src=\"/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let bytes = std::fs::read(site.path("public").join(video)).unwrap();
    assert!(!bytes.windows(6).any(|w| w == b"Amelia"));
    assert!(!bytes.windows(8).any(|w| w == b"+51.5074"));
    if let Some(tags) = exiftool(&site.path("public").join(video), &["-ee"]) {
        assert!(
            !tags
                .keys()
                .any(|k| k.contains("GPS") || k.ends_with(":Title")),
            "{tags:?}"
        );
    }
}

#[test]
fn a_clip_follows_consent_like_a_photo() {
    let dir = tempfile::tempdir().unwrap();
    let Some(clip) = clip(dir.path()) else { return };
    // Undeclared.
    let site = sports_day(&clip, None, Some(("relay.vtt", CAPTIONS)));
    let (run, findings) = check(&site);
    assert_eq!(run.code, 1, "{}", run.all());
    let f = with_rule(&findings, "photo-undeclared");
    assert!(
        f[0]["message"]
            .as_str()
            .unwrap()
            .contains("the video relay.mp4 is not declared"),
        "{f:#?}"
    );
    // A pupil whose parents said no.
    let site = sports_day(
        &clip,
        Some("people = [\"1002\"]"),
        Some(("relay.vtt", CAPTIONS)),
    );
    let (run, findings) = check(&site);
    assert_eq!(run.code, 1);
    assert_eq!(
        with_rule(&findings, "consent-not-given").len(),
        1,
        "{findings:#?}"
    );
    // A leaver: flagged, and listed by leavers and where.
    let site = sports_day(
        &clip,
        Some("people = [\"1003\"]"),
        Some(("relay.vtt", CAPTIONS)),
    );
    let (run, findings) = check(&site);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(
        with_rule(&findings, "consent-leaving-soon").len(),
        1,
        "{findings:#?}"
    );
    assert!(
        site.run(&["leavers", "--on", "2026-12-18"])
            .stdout
            .contains("relay.mp4")
    );
    assert!(site.run(&["where", "1003"]).stdout.contains("relay.mp4"));
}

#[test]
fn captions_that_name_a_pupil_fail_with_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let Some(clip) = clip(dir.path()) else { return };
    let captions = CAPTIONS.replace("Well run, Millie S.!", "Well run, Millie Smith!");
    let site = sports_day(
        &clip,
        Some("people = [\"1001\"]"),
        Some(("relay.vtt", &captions)),
    );
    let (run, findings) = check(&site);
    assert_eq!(run.code, 1, "{}", run.all());
    let f = with_rule(&findings, "name-near-photo");
    assert_eq!(f.len(), 1, "{findings:#?}");
    assert_eq!(f[0]["file"], "content/news/sports-day/relay.vtt");
    assert_eq!(f[0]["line"], 9);
    assert!(
        f[0]["message"]
            .as_str()
            .unwrap()
            .contains("Well run, M***** S****!"),
        "{f:#?}"
    );
}

#[test]
fn subrip_captions_are_published_as_webvtt() {
    let dir = tempfile::tempdir().unwrap();
    let Some(clip) = clip(dir.path()) else { return };
    let srt = "1\r\n00:00:00,000 --> 00:00:01,500\r\nOn your marks!\r\n\r\n2\r\n00:00:01,500 --> 00:00:02,000\r\nGo!\r\n";
    let site = sports_day(&clip, Some("people = [\"1001\"]"), Some(("relay.srt", srt)));
    let run = site.run(&["build", "--today", "2026-11-23"]);
    assert_eq!(run.code, 0, "{}", run.all());
    // Converting it is what schoolsite does, not a mistake in its name.
    assert!(!run.all().contains("media-mismatch"), "{}", run.all());
    let vtt: Vec<(String, Vec<u8>)> = published_media(&site)
        .into_iter()
        .filter(|(p, _)| p.ends_with(".vtt"))
        .collect();
    assert_eq!(vtt.len(), 1);
    let text = String::from_utf8(vtt[0].1.clone()).unwrap();
    assert_eq!(
        text,
        "WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nOn your marks!\n\n00:00:01.500 --> 00:00:02.000\nGo!\n"
    );
}

#[test]
fn a_clip_without_captions_is_flagged_and_one_too_big_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let Some(clip) = clip(dir.path()) else { return };
    let site = sports_day(&clip, Some("people = [\"1001\"]"), None);
    let (run, findings) = check(&site);
    assert_eq!(run.code, 0, "{}", run.all());
    let f = with_rule(&findings, "video-captions");
    assert_eq!(f.len(), 1, "{findings:#?}");
    assert_eq!(f[0]["severity"], "warning");
    assert!(f[0]["fix"].as_str().unwrap().contains("relay.vtt"));

    let config = site.read("config.toml");
    site.write(
        "config.toml",
        format!("{config}\n[video]\nmax_size_mb = 0\n"),
    );
    let (run, findings) = check(&site);
    assert_eq!(run.code, 1, "{}", run.all());
    let f = with_rule(&findings, "media-refused");
    assert!(
        f[0]["message"]
            .as_str()
            .unwrap()
            .contains("more than the 0 MB the site publishes"),
        "{f:#?}"
    );
    assert!(f[0]["fix"].as_str().unwrap().contains("720p"), "{f:#?}");
}

#[test]
fn captions_are_read_as_a_viewer_sees_them_and_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let Some(clip) = clip(dir.path()) else { return };
    // The name split by WebVTT markup, a timestamp, a reference and a
    // ruby annotation: a viewer sees "Millie Smith".
    for line in [
        "Well run, Mil<b>lie</b> S<c.yellow>mi</c>th!",
        "Well run, Millie <00:00:01.500>Sm&#105;th!",
        "Well run, <ruby>Mil<rt>x</rt>lie</ruby> Smith!",
        "Well run, Millie Sm&ZeroWidthSpace;ith!",
        "<v Millie Smith>Well run!",
    ] {
        let captions = CAPTIONS.replace("Well run, Millie S.!", line);
        let site = sports_day(
            &clip,
            Some("people = [\"1001\"]"),
            Some(("relay.vtt", &captions)),
        );
        let (run, findings) = check(&site);
        assert_eq!(run.code, 1, "{line}: {}", run.all());
        let f = with_rule(&findings, "name-near-photo");
        assert_eq!(f.len(), 1, "{line}: {findings:#?}");
        assert_eq!(f[0]["line"], 9, "{line}");
    }
    // Near miss: the same markup around a first name and an initial.
    let captions = CAPTIONS.replace(
        "Well run, Millie S.!",
        "Well run, Mil<b>lie</b> <font>S.</font> &amp; <v.loud Mrs Jones>co!",
    );
    let site = sports_day(
        &clip,
        Some("people = [\"1001\"]"),
        Some(("relay.vtt", &captions)),
    );
    let run = site.run(&["build", "--today", "2026-11-23"]);
    assert_eq!(run.code, 0, "{}", run.all());
    // What is published is rebuilt: WebVTT's own tags kept, others gone.
    let vtt: Vec<(String, Vec<u8>)> = published_media(&site)
        .into_iter()
        .filter(|(p, _)| p.ends_with(".vtt"))
        .collect();
    let text = String::from_utf8(vtt[0].1.clone()).unwrap();
    assert!(
        text.contains("Well run, Mil<b>lie</b> S. &amp; <v.loud Mrs Jones>co!"),
        "{text}"
    );
    assert!(!text.contains("font"), "{text}");
}

#[test]
fn a_first_name_in_captions_needs_its_consent_too() {
    let dir = tempfile::tempdir().unwrap();
    let Some(clip) = clip(dir.path()) else { return };
    let with = |people: &str, line: &str| {
        let captions = CAPTIONS.replace("Well run, Millie S.!", line);
        let site = sports_day(&clip, Some(people), Some(("relay.vtt", &captions)));
        // 1004's parents said no to her first name with photos and clips.
        site.write(
            "consent/register.csv",
            format!("{REGISTER}1004,Grace,Hope,,pupil,,2026-09-01,no,yes,yes,no\n"),
        );
        let (_, findings) = check(&site);
        with_rule(&findings, "name-near-photo")
            .into_iter()
            .cloned()
            .collect::<Vec<_>>()
    };
    let f = with("people = [\"1004\"]", "Well run, <b>Grace</b>!");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0]["file"], "content/news/sports-day/relay.vtt");
    assert_eq!(f[0]["line"], 9);
    assert!(
        f[0]["message"].as_str().unwrap().contains(
            "these captions of the video relay.mp4 of pupil 1004 (Grace H.) give their first name"
        ),
        "{f:#?}"
    );
    // Near misses: no name, and Millie, whose parents agreed.
    assert!(with("people = [\"1004\"]", "Well run!").is_empty());
    assert!(with("people = [\"1001\"]", "Well run, Millie!").is_empty());
}
