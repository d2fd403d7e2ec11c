//! The gate: every published page is parsed and rebuilt from what is
//! allowed, every address resolved by one resolver, every published text
//! read by the rules, and templates run with limits. Each attempt to get
//! round it sits beside a near miss that must still build.

mod common;
use common::*;

fn builds(site: &Site) -> String {
    let run = site.build();
    assert_eq!(run.code, 0, "expected a clean build:\n{}", run.all());
    run.stdout
}

/// A page whose Markdown is `body`.
fn site_with_page(body: &str) -> Site {
    let site = Site::new();
    site.write("content/trip/index.md", page("title = \"Trip\"", body));
    site
}

/// A small base64 JPEG carrying a GPS position, as a data: address.
fn data_jpeg() -> String {
    use base64::Engine as _;
    let jpeg = jpeg_with_everything(8, 8);
    format!(
        "data:image/jpeg;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(jpeg)
    )
}

#[test]
fn a_photo_inlined_as_a_data_address_is_refused_wherever_it_is_written() {
    let data = data_jpeg();
    // In a style attribute of raw HTML: styles are not raw HTML's.
    let site = site_with_page(&format!(
        "Sports day.\n\n<div style=\"background:url({data})\">x</div>\n"
    ));
    let out = blocked(&site);
    assert!(
        out.contains("error[html-not-allowed] line 6: the attribute style on <div>"),
        "{out}"
    );
    // Allowed by the site, the address is still read and refused.
    site.write(
        "config.toml",
        format!(
            "{}\n[markdown]\nallow_html = [\"style\"]\n",
            site.read("config.toml")
        ),
    );
    let out = blocked(&site);
    assert!(
        out.contains("error[address-scheme] line 6: the address \"data:image/jpeg;base64"),
        "{out}"
    );
    assert!(out.contains("never sees it"), "{out}");
    // As an <img> in raw HTML, entity-encoded.
    let encoded = data.replacen("data:", "d&#x61;ta&colon;", 1);
    let site = site_with_page(&format!("<img src=\"{encoded}\" alt=\"x\">\n"));
    let out = blocked(&site);
    assert!(out.contains("error[raw-html-media] line 4"), "{out}");
    // In the theme's stylesheet.
    let site = Site::new();
    let css = site.read("themes/schoolsite/static/style.css");
    site.write(
        "themes/schoolsite/static/style.css",
        format!("{css}\n.hero {{ background: URL( '{data}' ) }}\n"),
    );
    let out = blocked(&site);
    assert!(
        out.contains("themes/schoolsite/static/style.css\n  error[address-scheme] line"),
        "{out}"
    );
}

#[test]
fn near_miss_raw_html_that_is_only_structure_and_links_builds() {
    let site = site_with_page(
        "<div class=\"note\"><p>Bring a <abbr title=\"packed lunch\">PL</abbr>.</p></div>\n\n<details><summary>Kit list</summary>\n\n- hat\n\n</details>\n\n[The museum](https://museum.example.org/visit) and <a href=\"mailto:office@test.example.sch.uk\">the office</a>\n",
    );
    builds(&site);
    let html = site.read("public/trip/index.html");
    assert!(
        html.contains(
            "<div class=\"note\"><p>Bring a <abbr title=\"packed lunch\">PL</abbr>.</p></div>"
        ),
        "{html}"
    );
    assert!(
        html.contains("href=\"https://museum.example.org/visit\""),
        "{html}"
    );
    assert!(
        html.contains("<details><summary>Kit list</summary>"),
        "{html}"
    );
}

#[test]
fn outside_resources_in_raw_html_are_refused() {
    for (markup, expect) in [
        (
            "<link rel=\"stylesheet\" href=\"https://evil.example/x.css\">",
            "error[html-not-allowed] line 4: <link>",
        ),
        (
            "<base href=\"https://evil.example/\">",
            "error[html-not-allowed] line 4: <base>",
        ),
        (
            "<script src=\"https://evil.example/x.js\"></script>",
            "error[html-not-allowed] line 4: <script>",
        ),
        (
            "<table background=\"https://evil.example/kids.jpg\"><tr><td>x</td></tr></table>",
            "error[html-not-allowed] line 4: the attribute background on <table>",
        ),
        (
            "<iframe src=\"https://www.youtube.com/embed/x\"></iframe>",
            "error[html-not-allowed] line 4: <iframe>",
        ),
        (
            "<a href=\"java&#x09;script:alert(1)\">x</a>",
            "error[address-scheme] line 4",
        ),
        (
            "<a href=\"#\" onclick=\"location='https://evil.example'\">x</a>",
            "error[html-not-allowed] line 4: the attribute onclick on <a>",
        ),
        (
            "<svg><image href=\"https://evil.example/x.jpg\"/></svg>",
            "error[html-not-allowed] line 4: <svg>",
        ),
        (
            "<form action=\"https://evil.example/collect\"><input name=\"q\"></form>",
            "error[html-not-allowed] line 4: <form>",
        ),
        (
            "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">",
            "error[html-not-allowed] line 4: <meta>",
        ),
        (
            "<IMG SRC=\"//evil.example/x.jpg\" alt=\"x\">",
            "error[raw-html-media] line 4",
        ),
    ] {
        let site = site_with_page(&format!("{markup}\n"));
        let out = blocked(&site);
        assert!(out.contains(expect), "{markup}: {out}");
    }
}

#[test]
fn outside_resources_written_by_templates_are_refused() {
    for (markup, expect) in [
        (
            "<link rel=\"stylesheet\" href=\"https://fonts.example/css\">",
            "error[address-outside]: the page loads \"https://fonts.example/css\"",
        ),
        (
            "<script src=\"//cdn.example/x.js\"></script>",
            "error[address-outside]",
        ),
        (
            "<base href=\"https://evil.example/\">",
            "error[html-not-allowed]: <base>",
        ),
        (
            "<div style=\"background:url(https://evil.example/x.jpg)\"></div>",
            "error[address-outside]",
        ),
        (
            "<style>@import 'https://evil.example/x.css';</style>",
            "error[address-outside]",
        ),
        (
            "<style>.a{background:\\75 rl(https://evil.example/x.png)}</style>",
            "error[address-outside]",
        ),
        (
            "<img src=\"https://tracker.example.com/pixel.gif\" alt=\"\">",
            "error[address-outside]: the page loads \"https://tracker.example.com/pixel.gif\"",
        ),
        (
            "<img src=\"/media/not-published.jpg\" alt=\"\">",
            "error[address-missing]",
        ),
        (
            "<a href=\"/static/newsletter.pdf\">x</a>",
            "error[address-missing]: the page links to /static/newsletter.pdf",
        ),
        (
            "<script>fetch('https://evil.example')</script>",
            "error[html-not-allowed]: a script must be a file",
        ),
    ] {
        let site = Site::new();
        site.write(
            "templates/index.html",
            format!(
                "<!DOCTYPE html><html><head><title>x</title></head><body>{markup}</body></html>"
            ),
        );
        let out = blocked(&site);
        assert!(out.contains("templates/index.html\n"), "{markup}: {out}");
        assert!(out.contains(expect), "{markup}: {out}");
    }
}

/// A WOFF2 font as its specification lays it out: a 48-byte header, a
/// one-table directory and the (here made-up) compressed data.
fn woff2(extra: &[u8]) -> Vec<u8> {
    let mut f = vec![0u8; 48];
    f[0..4].copy_from_slice(b"wOF2");
    f[4..8].copy_from_slice(&0x0001_0000u32.to_be_bytes());
    f[12..14].copy_from_slice(&1u16.to_be_bytes());
    f.extend_from_slice(&[0x00, 0x05]);
    let data = b"compressed font data";
    f[20..24].copy_from_slice(&(data.len() as u32).to_be_bytes());
    f.extend_from_slice(data);
    f.extend_from_slice(extra);
    let len = f.len() as u32;
    f[8..12].copy_from_slice(&len.to_be_bytes());
    f
}

#[test]
fn a_font_with_a_photo_joined_to_it_is_refused() {
    let site = Site::new();
    site.write(
        "themes/schoolsite/static/school.woff2",
        woff2(&jpeg_with_everything(8, 8)),
    );
    let out = blocked(&site);
    assert!(
        out.contains("themes/schoolsite/static/school.woff2\n  error[media-refused]"),
        "{out}"
    );
    assert!(out.contains("belong to no part of the font"), "{out}");
}

#[test]
fn near_miss_a_theme_with_its_own_font_and_background_builds() {
    let site = Site::new();
    site.write("themes/schoolsite/static/fonts/school.woff2", woff2(b""));
    site.write("themes/schoolsite/static/paper.png", plain_png(4, 4));
    let css = site.read("themes/schoolsite/static/style.css");
    site.write(
        "themes/schoolsite/static/style.css",
        format!("@font-face {{ font-family: School; src: url(fonts/school.woff2) format(\"woff2\"); }}\n{css}\nbody {{ background-image: image-set(\"paper.png\" 1x); }}\n.q::before {{ content: \"Well done\"; }}\n"),
    );
    builds(&site);
    let html = site.read("public/index.html");
    assert!(
        html.contains("<meta http-equiv=\"Content-Security-Policy\""),
        "{html}"
    );
    assert!(site.path("public/fonts/school.woff2").exists());
}

#[test]
fn the_register_cannot_be_published_through_a_template() {
    let site = Site::new();
    register_one_pupil(&site);
    let register = site.read("consent/register.csv");
    site.write("templates/people.html", &register);
    site.write(
        "templates/index.html",
        "<!DOCTYPE html><html><head><title>x</title></head><body>{% filter upper %}{% include \"people.html\" %}{% endfilter %}</body></html>",
    );
    let out = blocked(&site);
    assert!(
        out.contains("templates/people.html\n  error[template]: this template is a file from consent/ (a copy or a link)"),
        "{out}"
    );
    // Under another ending it is not a template at all.
    let site = Site::new();
    register_one_pupil(&site);
    site.write("templates/register.csv", site.read("consent/register.csv"));
    site.write(
        "templates/index.html",
        "<!DOCTYPE html><html><head><title>x</title></head><body>{% include \"register.csv\" %}</body></html>",
    );
    let out = blocked(&site);
    assert!(
        out.contains("warning[template]: only .html, .htm, .xml and .txt files are templates"),
        "{out}"
    );
    assert!(out.contains("error[template]"), "{out}");
    assert!(!out.contains("Testperson"), "{out}");
}

#[cfg(unix)]
#[test]
fn a_template_linked_to_the_register_is_refused() {
    let site = Site::new();
    register_one_pupil(&site);
    std::fs::create_dir_all(site.path("templates")).unwrap();
    std::fs::hard_link(
        site.path("consent/register.csv"),
        site.path("templates/r.html"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        site.path("consent/register.csv"),
        site.path("templates/s.html"),
    )
    .unwrap();
    let out = blocked(&site);
    assert!(
        out.contains("templates/r.html\n  error[path-escape]: this file is a hard link"),
        "{out}"
    );
    assert!(
        out.contains("templates/s.html\n  error[path-escape]"),
        "{out}"
    );
}

#[test]
fn names_in_theme_text_files_are_read() {
    for (file, text) in [
        (
            "themes/schoolsite/static/notes.txt",
            "Well done Amelia Testperson!\n",
        ),
        (
            "themes/schoolsite/static/extra.css",
            ".star::after { content: \"Amelia Testperson\"; }\n",
        ),
        (
            "themes/schoolsite/static/extra.js",
            "var winner = 'Amelia Testperson';\n",
        ),
    ] {
        let site = Site::new();
        register_one_pupil(&site);
        site.write(file, text);
        let run = site.run(&["check", "--format", "json"]);
        let findings: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
        let hit = findings["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["rule"] == "name-on-page" && f["file"] == file);
        assert!(hit, "{file}: {}", run.stdout);
        assert!(
            !run.stdout.contains("Testperson"),
            "a finding printed the name: {}",
            run.stdout
        );
    }
    // Near miss: a first name alone.
    let site = Site::new();
    register_one_pupil(&site);
    site.write("themes/schoolsite/static/notes.txt", "Well done Amelia!\n");
    builds(&site);
}

#[test]
fn a_theme_file_named_for_another_type_is_refused() {
    let site = Site::new();
    site.write("themes/schoolsite/static/x.jpg.php", plain_jpeg(4, 4));
    let out = blocked(&site);
    assert!(
        out.contains("themes/schoolsite/static/x.jpg.php\n  error[media-mismatch]: this theme file is published under its own name, which ends in .php, but it is really a JPEG"),
        "{out}"
    );
    // Near miss: the same photo named for what it is.
    let site = Site::new();
    site.write("themes/schoolsite/static/x.jpg", plain_jpeg(4, 4));
    builds(&site);
}

#[test]
fn templates_that_never_end_are_findings_not_crashes() {
    for (template, expect) in [
        (
            "{% include \"index.html\" %}",
            "in a circle, so rendering them would never end: index.html → index.html",
        ),
        (
            "{% for a in range(end=100000) %}{% for b in range(end=100000) %}{% endfor %}{% endfor %}",
            "loop turns and macro calls",
        ),
        (
            "{% for a in range(end=100000) %}<p>{{ config.title }} {{ config.title }} {{ config.title }} {{ config.title }} {{ config.title }} {{ config.title }} {{ config.title }} {{ config.title }} {{ config.title }} {{ config.title }} {{ config.title }} {{ config.title }}</p>{% endfor %}",
            "the page grew past 32 MB",
        ),
        (
            "{% macro down(n) %}{{ self::down(n=n+1) }}{% endmacro down %}{{ self::down(n=0) }}",
            "macros called each other more than",
        ),
        (
            "{% for i in range(end=1000000000) %}{% endfor %}",
            "a page may make at most 100000",
        ),
        ("{{ get_env(name=\"HOME\") }}", "get_env() is not available"),
    ] {
        let site = Site::new();
        site.write(
            "config.toml",
            site.read("config.toml").replace(
                "title = \"",
                "title = \"A long school name to make pages large ",
            ),
        );
        site.write(
            "templates/index.html",
            format!(
                "<!DOCTYPE html><html><head><title>x</title></head><body>{template}</body></html>"
            ),
        );
        let out = blocked(&site);
        assert!(out.contains("error[template]"), "{template}: {out}");
        // On a loaded machine (a debug build sharing its cores) the time
        // limit can stop a long loop before its turns run out: either
        // limit is the finding this asks for.
        assert!(
            out.contains(expect) || out.contains("took more than 10 seconds to render"),
            "{template}: {out}"
        );
    }
}

#[test]
fn include_circles_through_other_templates_are_found() {
    let site = Site::new();
    site.write("templates/a.html", "{% include \"b.html\" %}");
    site.write("templates/b.html", "{% import \"c.html\" as c %}");
    site.write(
        "templates/c.html",
        "{% macro m() %}{% include \"a.html\" %}{% endmacro m %}",
    );
    site.write(
        "templates/index.html",
        "<!DOCTYPE html><html><head><title>x</title></head><body>{% include \"a.html\" %}</body></html>",
    );
    let out = blocked(&site);
    assert!(out.contains("a.html → b.html → c.html → a.html"), "{out}");
}

#[test]
fn now_follows_today() {
    let site = Site::new();
    site.write(
        "templates/index.html",
        "<!DOCTYPE html><html><head><title>x</title></head><body><p>Built {{ now() | date(format=\"%Y-%m-%d\") }}</p></body></html>",
    );
    let run = site.run(&["build", "--today", "2026-01-02"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(site.read("public/index.html").contains("Built 2026-01-02"));
}

#[test]
fn what_the_build_does_not_understand_is_said() {
    let site = site_with_page("Our film:\n\n{{ youtube(id=\"dQw4w9WgXcQ\") }}\n");
    let out = blocked(&site);
    assert!(
        out.contains(
            "content/trip/index.md\n  error[unsupported] line 6: this looks like a shortcode call"
        ),
        "{out}"
    );
    let site = Site::new();
    site.write("content/about.md", page("title = \"About\"", "Hello.\n"));
    site.write(
        "content/about.cy.md",
        page("title = \"Amdanom\"", "Helo.\n"),
    );
    let out = blocked(&site);
    assert!(
        out.contains(
            "content/about.cy.md\n  error[unsupported]: this looks like a translation (.cy.md)"
        ),
        "{out}"
    );
    for folder in ["sass", "static"] {
        let site = Site::new();
        site.write(&format!("{folder}/site.css"), "body{}");
        let out = blocked(&site);
        assert!(
            out.contains(&format!("{folder}/\n  error[unsupported]")),
            "{out}"
        );
    }
    // A front matter image the template shows, but nobody published.
    let site = Site::new();
    site.write("content/trip/photo.jpg", plain_jpeg(8, 8));
    site.write(
        "content/trip/index.md",
        "+++\ntitle = \"Trip\"\n[extra]\nimage = \"photo.jpg\"\n+++\nx\n",
    );
    site.write(
        "templates/page.html",
        "<!DOCTYPE html><html><head><title>x</title></head><body><img src=\"{{ page.extra.image }}\" alt=\"\"></body></html>",
    );
    let out = blocked(&site);
    assert!(out.contains("error[address-missing]"), "{out}");
    assert!(
        out.contains("/trip/photo.jpg, which is not a file this build publishes"),
        "{out}"
    );
}

#[test]
fn near_miss_the_example_site_with_a_table_and_a_clip_builds_under_the_gate() {
    let site = Site::example();
    builds(&site);
    let garden = site.read("public/news/autumn-garden/index.html");
    assert!(
        garden.contains("<video controls preload=\"metadata\""),
        "{garden}"
    );
    assert!(garden.contains("<track kind=\"captions\""), "{garden}");
    // No comment a template wrote survives the rebuild.
    let home = site.read("public/index.html");
    assert!(!home.contains("<!--"), "{home}");
}

#[test]
fn nesting_that_would_take_minutes_to_read_is_refused_at_once() {
    // Raw HTML nested far past what any page needs.
    let deep = format!("{}x{}", "<div>".repeat(100_000), "</div>".repeat(100_000));
    let site = site_with_page(&deep);
    let started = std::time::Instant::now();
    let out = blocked(&site);
    assert!(out.contains("tags are opened more than 2048 deep"), "{out}");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    // Quotes nested in Markdown, found before the Markdown is parsed.
    let site = site_with_page(&format!("{}deep\n", "> ".repeat(100_000)));
    let out = blocked(&site);
    assert!(
        out.contains(
            "error[markdown-nesting] line 4: quotes and lists are nested more than 64 deep"
        ),
        "{out}"
    );
    // Near miss: a list of 3,000 items, and quotes three deep.
    let items: String = (0..3000).map(|i| format!("<li>item {i}</li>")).collect();
    let site = site_with_page(&format!("<ul>{items}</ul>\n\n> > > quoted\n"));
    builds(&site);
}

#[test]
fn a_feed_that_is_really_a_page_is_refused() {
    let site = Site::new();
    site.write(
        "content/news/_index.md",
        "+++\ntitle = \"News\"\ngenerate_feeds = true\n+++\n",
    );
    site.write(
        "templates/atom.xml",
        "<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\"><body><img src=\"https://evil.example/x.png\"/></body></html>",
    );
    let out = blocked(&site);
    assert!(
        out.contains("templates/atom.xml\n  error[xml-not-allowed]: ")
            && out.contains("error[xml-not-allowed]: <html> is not an element of an Atom feed or a sitemap (in /news/atom.xml)"),
        "{out}"
    );
    site.write(
        "templates/atom.xml",
        "<?xml version=\"1.0\"?><?xml-stylesheet href=\"https://evil.example/x.xsl\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>x</title></feed>",
    );
    let out = blocked(&site);
    assert!(out.contains("processing instruction"), "{out}");
    // Near miss: the default theme's feed.
    std::fs::remove_file(site.path("templates/atom.xml")).unwrap();
    builds(&site);
    assert!(
        site.read("public/news/atom.xml")
            .contains("<feed xmlns=\"http://www.w3.org/2005/Atom\"")
    );
}

#[test]
fn an_address_taken_from_a_custom_property_is_refused() {
    let site = Site::new();
    let css = site.read("themes/schoolsite/static/style.css");
    site.write(
        "themes/schoolsite/static/style.css",
        format!("{css}\n:root {{ --u: \"https://evil.example/x.png\"; }}\n.hero {{ background-image: image-set(var(--u) 1x); }}\n"),
    );
    let out = blocked(&site);
    assert!(out.contains("error[css-unreadable]"), "{out}");
    assert!(out.contains("var() inside an address"), "{out}");
}

#[test]
fn a_template_that_names_a_pupil_is_refused_however_it_disguises_the_output() {
    let site = Site::new();
    register_one_pupil(&site);
    // A copy of the register that is not byte for byte the same, and a
    // filter that cuts the surname to an initial in what is published.
    let register = format!("\u{feff}{}", site.read("consent/register.csv"));
    site.write("templates/reg.txt", register);
    site.write(
        "templates/robots.txt",
        "User-agent: *\n{% filter replace(from=\"Testperson\", to=\"T.\") %}{% include \"reg.txt\" %}{% endfilter %}\n",
    );
    let out = blocked(&site);
    assert!(
        out.contains("templates/reg.txt\n  error[name-in-template]: the full name of pupil 1001 (Amelia T.) is in this template"),
        "{out}"
    );
    assert!(!out.contains("Testperson"), "{out}");
    // Near miss: a template that says a first name.
    let site = Site::new();
    register_one_pupil(&site);
    site.write(
        "templates/index.html",
        "<!DOCTYPE html><html><head><title>x</title></head><body><p>Well done Amelia and everyone.</p></body></html>",
    );
    builds(&site);
}
