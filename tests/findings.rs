//! Invalid sites: each problem blocks the build with exit code 1, a
//! finding that names the file, line, rule and fix, and no public/.
//! Bad configuration is exit code 2.

mod common;
use common::*;

#[test]
fn malformed_front_matter_names_file_and_line() {
    let site = Site::new();
    site.write(
        "content/a.md",
        "+++\ntitle = \"A\"\ndate = 2026-13-45\n+++\nx\n",
    );
    site.write(
        "content/b.md",
        "+++\ntitle = \"B\"\ncolour = \"red\"\n+++\n",
    );
    site.write("content/c.md", "---\ntitle: C\n---\n");
    site.write("content/d.md", "+++\ntitle = \"D\"\n");
    let out = blocked(&site);
    assert!(
        out.contains("content/a.md\n  error[front-matter] line 3:"),
        "{out}"
    );
    assert!(
        out.contains("content/b.md\n  error[front-matter] line 3: unknown field `colour`"),
        "{out}"
    );
    assert!(
        out.contains("values of your own go under an [extra] table"),
        "{out}"
    );
    assert!(out.contains("content/c.md\n  error[front-matter] line 1: the file does not start with +++ front matter"), "{out}");
    assert!(out.contains("replace the --- lines with +++"), "{out}");
    assert!(
        out.contains(
            "content/d.md\n  error[front-matter] line 1: the front matter is never closed"
        ),
        "{out}"
    );
}

#[test]
fn non_utf8_markdown_is_a_finding() {
    let site = Site::new();
    // "Café" in Windows-1252.
    site.write("content/menu.md", b"+++\ntitle = \"Menu\"\n+++\nCaf\xe9\n");
    let out = blocked(&site);
    assert!(
        out.contains("content/menu.md\n  error[content-encoding] line 4: this file is not UTF-8"),
        "{out}"
    );
    assert!(out.contains("save it with the encoding UTF-8"));
}

#[test]
fn broken_internal_links_and_anchors() {
    let site = Site::new();
    site.write(
        "content/about.md",
        page("title = \"About\"", "## Our values\n"),
    );
    site.write("content/draft.md", page("title = \"D\"\ndraft = true", ""));
    site.write(
        "content/a.md",
        page(
            "title = \"A\"",
            "[ok](@/about.md#our-values)\n\n[gone](@/nope.md)\n\n[anchor](@/about.md#missing)\n\n[draft](@/draft.md)\n\n[rel](about.md)\n",
        ),
    );
    let out = blocked(&site);
    assert!(out.contains("error[internal-link] line 6: the link @/nope.md leads to content/nope.md, which does not exist"), "{out}");
    assert!(
        out.contains(
            "error[internal-link] line 8: the link @/about.md#missing leads to a heading #missing"
        ),
        "{out}"
    );
    assert!(out.contains("error[internal-link] line 10: the link @/draft.md leads to content/draft.md, which is a draft"), "{out}");
    assert!(out.contains("error[internal-link] line 12:"), "{out}");
    assert!(out.contains("write it as @/about.md"), "{out}");
    assert!(
        !out.contains("line 4:"),
        "the good link was reported: {out}"
    );
    // With --drafts the draft link resolves.
    let run = site.run(&["check", "--drafts"]);
    assert!(!run.stdout.contains("which is a draft"), "{}", run.stdout);
}

#[test]
fn images_missing_without_alt_external_raw_html_and_escaping() {
    let site = Site::new();
    site.write("secret.jpg", plain_jpeg(8, 8));
    site.write("content/trip/photo.jpg", plain_jpeg(8, 8));
    site.write(
        "content/trip/index.md",
        page(
            "title = \"Trip\"",
            "![](photo.jpg)\n\n![Gone](nothere.jpg)\n\n![Remote](https://cdn.example.com/kids.jpg)\n\n<img src=\"photo.jpg\" alt=\"x\">\n\n![Out](../../secret.jpg)\n\n![Abs](/etc/passwd)\n",
        ),
    );
    let out = blocked(&site);
    let at = |line: usize, rule: &str| format!("error[{rule}] line {line}:");
    assert!(
        out.contains(&(at(4, "image-alt") + " the image \"photo.jpg\" has no alt text")),
        "{out}"
    );
    assert!(
        out.contains(&(at(6, "image-missing") + " the image \"nothere.jpg\" is not there")),
        "{out}"
    );
    assert!(
        out.contains(
            &(at(8, "image-external")
                + " the image \"https://cdn.example.com/kids.jpg\" is on another website")
        ),
        "{out}"
    );
    assert!(
        out.contains(&(at(10, "raw-html-media") + " raw HTML <img>")),
        "{out}"
    );
    assert!(
        out.contains(
            &(at(12, "path-escape") + " the image \"../../secret.jpg\" is outside content/")
        ),
        "{out}"
    );
    assert!(out.contains(&at(14, "image-missing")), "{out}");
    assert!(out.contains("fix: describe the photo"), "{out}");
}

#[cfg(unix)]
#[test]
fn symlink_out_of_content_is_refused() {
    let site = Site::new();
    site.write("consent/register.csv", "id,name\n1,Amelia Testperson\n");
    std::os::unix::fs::symlink(
        site.path("consent/register.csv"),
        site.path("content/data.csv"),
    )
    .unwrap();
    site.write("content/a.md", page("title = \"A\"", "[data](data.csv)\n"));
    let out = blocked(&site);
    assert!(
        out.contains(
            "content/data.csv\n  error[path-escape]: this is a link that leads outside content/"
        ),
        "{out}"
    );
    assert!(!out.contains("Amelia"), "{out}");
}

#[test]
fn unknown_template_and_tera_errors() {
    let site = Site::new();
    site.write(
        "content/a.md",
        page("title = \"A\"\ntemplate = \"fancy.html\"", ""),
    );
    let out = blocked(&site);
    assert!(
        out.contains(
            "content/a.md\n  error[template] line 3: the template \"fancy.html\" does not exist"
        ),
        "{out}"
    );

    let site = Site::new();
    site.write("templates/page.html", "{% extends \"base.html\" %}\n{% block content %}{{ page.nonexistent.deeper }}{% endblock content %}\n");
    site.write("content/a.md", page("title = \"A\"", ""));
    let out = blocked(&site);
    assert!(
        out.contains(
            "templates/page.html\n  error[template]: the template failed (rendering content/a.md)"
        ),
        "{out}"
    );

    let site = Site::new();
    site.write("templates/broken.html", "line one\n{% if %}\n");
    let out = blocked(&site);
    assert!(
        out.contains(
            "templates/broken.html\n  error[template] line 2: this template has a syntax error"
        ),
        "{out}"
    );
}

#[test]
fn site_template_overrides_theme_template() {
    let site = Site::new();
    site.write(
        "templates/index.html",
        "<!DOCTYPE html><title>x</title><p>OVERRIDDEN {{ section.title }}</p>",
    );
    let run = site.build();
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(site.read("public/index.html").contains("OVERRIDDEN Home"));
}

#[test]
fn template_that_loads_an_external_image_is_blocked() {
    let site = Site::new();
    site.write(
        "templates/index.html",
        "<!DOCTYPE html><title>x</title><img src=\"https://tracker.example.com/pixel.gif\" alt=\"\">",
    );
    let out = blocked(&site);
    assert!(out.contains("templates/index.html\n  error[address-outside]: the page loads \"https://tracker.example.com/pixel.gif\" from another website"), "{out}");
}

#[test]
fn corrupt_truncated_and_disguised_images() {
    let site = Site::new();
    let jpeg = plain_jpeg(32, 32);
    site.write("content/p/truncated.jpg", &jpeg[..jpeg.len() / 2]);
    site.write("content/p/empty.jpg", b"");
    site.write(
        "content/p/page.jpg",
        b"<!DOCTYPE html><html><body>not a photo</body></html>",
    );
    site.write("content/p/really-png.jpg", plain_png(8, 8));
    site.write(
        "content/p/photo.heic",
        b"\0\0\0\x18ftypheic\0\0\0\0mif1heic",
    );
    site.write(
        "content/p/index.md",
        page(
            "title = \"P\"",
            "![A](truncated.jpg) ![B](empty.jpg) ![C](page.jpg) ![D](really-png.jpg) ![E](photo.heic)\n",
        ),
    );
    let out = blocked(&site);
    assert!(out.contains("content/p/truncated.jpg\n  error[media-refused]: this file cannot be published: it looks like a JPEG but is damaged"), "{out}");
    assert!(out.contains("(truncated)"), "{out}");
    assert!(out.contains("(used at content/p/index.md:4)"), "{out}");
    assert!(out.contains("content/p/empty.jpg\n  error[media-refused]: this file cannot be published: it is an empty file"), "{out}");
    assert!(out.contains("content/p/page.jpg\n  error[media-refused]: this file cannot be published: it is an HTML page"), "{out}");
    assert!(out.contains("content/p/photo.heic\n  error[media-refused]: this file cannot be published: it is a HEIC/HEIF image"), "{out}");
    assert!(out.contains("Most Compatible"), "{out}");
    assert!(out.contains("content/p/really-png.jpg\n  warning[media-mismatch]: the name ends in .jpg but the file is really a PNG image"), "{out}");
}

#[test]
fn damaged_documents_are_refused_with_what_to_do() {
    let site = Site::new();
    site.write(
        "content/letters/trip.pdf",
        b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n",
    );
    site.write(
        "content/letters/index.md",
        page("title = \"Letters\"", "[Trip letter](trip.pdf)\n"),
    );
    let out = blocked(&site);
    assert!(out.contains("content/letters/trip.pdf\n  error[media-refused]: this file cannot be published: it looks like a PDF but is damaged: it cannot be read as a PDF"), "{out}");
    assert!(
        out.contains(
            "fix: open it in the program that made it and save or export it as a PDF again"
        ),
        "{out}"
    );
}

#[test]
fn duplicate_output_paths() {
    let site = Site::new();
    site.write("content/a.md", page("title = \"A\"\nslug = \"same\"", ""));
    site.write("content/b.md", page("title = \"B\"\nslug = \"same\"", ""));
    let out = blocked(&site);
    assert!(
        out.contains(
            "error[duplicate-path]: this page and content/a.md would both be published at /same/"
        ),
        "{out}"
    );
}

#[test]
fn warnings_do_not_block() {
    let site = Site::new();
    site.write(
        "content/news/_index.md",
        page("title = \"News\"\nsort_by = \"date\"", ""),
    );
    site.write("content/news/undated.md", page("description = \"x\"", ""));
    site.write("content/stray.jpg", plain_jpeg(8, 8));
    let run = site.build();
    assert_eq!(run.code, 0, "{}", run.all());
    let out = run.stdout;
    assert!(
        out.contains("content/news/undated.md\n  warning[missing-date] line 2:"),
        "{out}"
    );
    assert!(
        out.contains("warning[missing-title] line 2: this page has no title"),
        "{out}"
    );
    assert!(out.contains("content/stray.jpg\n  warning[unused-file]: no page refers to this file, so it is not published"), "{out}");
    assert!(
        !site.public_files().iter().any(|f| f.starts_with("media/")),
        "an unused photo was published"
    );
}

#[test]
fn bad_configuration_is_exit_code_2() {
    let site = Site::empty();
    let run = site.build();
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("no config.toml in"), "{}", run.stderr);

    let site = Site::new();
    site.write("config.toml", format!("thme = \"x\"{CONFIG}"));
    let run = site.build();
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("config.toml line 1: unknown field `thme`"),
        "{}",
        run.stderr
    );

    let site = Site::new();
    site.write(
        "config.toml",
        CONFIG.replace(
            "title = \"Test School\"",
            "title = \"T\"\ntheme = \"missing\"",
        ),
    );
    let run = site.build();
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("there is no folder themes/missing"),
        "{}",
        run.stderr
    );

    let site = Site::new();
    std::fs::remove_dir_all(site.path("content")).unwrap();
    let run = site.build();
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("there is no content/ folder"),
        "{}",
        run.stderr
    );

    let run = run_bin(&["build", "--no-such-flag"]);
    assert_eq!(run.code, 2);
}

#[test]
fn menu_link_to_missing_page_is_a_finding_in_config() {
    let site = Site::new();
    site.write(
        "config.toml",
        format!("{CONFIG}\n[[menu]]\nname = \"News\"\nurl = \"@/news/_index.md\"\n"),
    );
    let out = blocked(&site);
    assert!(out.contains("config.toml\n  error[internal-link]: the menu item \"News\" links to @/news/_index.md, which does not exist"), "{out}");
}

#[test]
fn json_format_is_stable() {
    let site = Site::new();
    site.write("content/a.md", page("title = \"A\"", "![](gone.jpg)\n"));
    let run = site.run(&["check", "--format", "json"]);
    assert_eq!(run.code, 1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect(&run.stdout);
    assert_eq!(v["schema"], 1);
    assert_eq!(v["tool"], "schoolsite");
    assert_eq!(v["blocked"], true);
    assert_eq!(v["summary"]["errors"], 2);
    assert_eq!(v["summary"]["warnings"], 0);
    let f = &v["findings"][0];
    assert_eq!(f["rule"], "image-alt");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["file"], "content/a.md");
    assert_eq!(f["line"], 4);
    assert!(f["message"].as_str().unwrap().contains("no alt text"));
    assert!(f["fix"].as_str().unwrap().contains("describe the photo"));
    assert!(f.get("row").is_none(), "absent fields are left out: {f}");
    assert_eq!(v["findings"][1]["rule"], "image-missing");
}

#[test]
fn github_format_annotates_each_finding() {
    let site = Site::new();
    site.write("content/a.md", page("title = \"A\"", "![](gone.jpg)\n"));
    site.write("content/stray.png", plain_png(4, 4));
    let run = site.run(&["check", "--format", "github"]);
    assert_eq!(run.code, 1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert!(lines[0].starts_with("::error file=content/a.md,line=4,title=image-alt::the image \"gone.jpg\" has no alt text%0AFix: describe the photo"), "{}", lines[0]);
    assert!(
        lines[1].starts_with("::error file=content/a.md,line=4,title=image-missing::"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("::warning file=content/stray.png,title=unused-file::"),
        "{}",
        lines[2]
    );
}
