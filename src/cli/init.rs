//! `schoolsite init DIR`: a new site that builds as it is, with the
//! default theme copied in so the school can change it.

use anyhow::{Context, bail};
use std::path::Path;

const THEME: &[(&str, &str)] = &[
    (
        "templates/base.html",
        include_str!("../../themes/schoolsite/templates/base.html"),
    ),
    (
        "templates/index.html",
        include_str!("../../themes/schoolsite/templates/index.html"),
    ),
    (
        "templates/section.html",
        include_str!("../../themes/schoolsite/templates/section.html"),
    ),
    (
        "templates/page.html",
        include_str!("../../themes/schoolsite/templates/page.html"),
    ),
    (
        "templates/404.html",
        include_str!("../../themes/schoolsite/templates/404.html"),
    ),
    (
        "templates/statutory.html",
        include_str!("../../themes/schoolsite/templates/statutory.html"),
    ),
    (
        "static/style.css",
        include_str!("../../themes/schoolsite/static/style.css"),
    ),
];

const CONFIG: &str = r#"# The school's website settings. See the schoolsite README.
title = "Our School"
base_url = "https://www.our-school.example.sch.uk"
description = "The website of Our School."
language = "en-GB"
theme = "schoolsite"

# Only the school's general contact details: never a person's own.
[school]
name = "Our School"
address = "1 School Lane, Town, AB1 2CD"
phone = "01632 960 000"
email = "office@our-school.example.sch.uk"

[[menu]]
name = "Home"
url = "@/_index.md"

[[menu]]
name = "News"
url = "@/news/_index.md"

[[menu]]
name = "About us"
url = "@/about.md"
"#;

const FILES: &[(&str, &str)] = &[
    (
        "content/_index.md",
        "+++\ntitle = \"Welcome to Our School\"\nsort_by = \"none\"\n+++\n\nWrite a short welcome for parents here. Read the [latest news](@/news/_index.md).\n",
    ),
    (
        "content/about.md",
        "+++\ntitle = \"About us\"\ndescription = \"Who we are.\"\n+++\n\nTell parents about the school.\n",
    ),
    (
        "content/news/_index.md",
        "+++\ntitle = \"News\"\ndescription = \"News from the school.\"\nsort_by = \"date\"\npaginate_by = 10\n+++\n",
    ),
    (
        "content/news/first-post.md",
        "+++\ntitle = \"Our new website\"\ndescription = \"Welcome to our new website.\"\ndate = 2026-09-01\n+++\n\nPhotos go in a folder with the post: `news/trip/index.md` and `news/trip/photo.jpg`, written as `![A description of the photo](photo.jpg)`. Say who is in each photo in `news/trip/photos.toml` (see consent/README.md): their ids in the consent register, or `nobody = true`. A photo nobody declared is not published.\n",
    ),
    ("consent/README.md", include_str!("../../docs/consent.md")),
    (".gitignore", "/public/\n/.public.*\n/.schoolsite/\n"),
];

pub fn run(dir: &Path) -> anyhow::Result<u8> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .with_context(|| format!("could not read {}", dir.display()))?
            .next()
            .is_none();
        if !empty {
            bail!(
                "{} already exists and is not empty; choose a new folder",
                dir.display()
            );
        }
    }
    let write = |rel: &str, text: &str| -> anyhow::Result<()> {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("could not create {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("could not write {}", path.display()))
    };
    write("config.toml", CONFIG)?;
    for (rel, text) in FILES {
        write(rel, text)?;
    }
    for (rel, text) in THEME {
        write(&format!("themes/schoolsite/{rel}"), text)?;
    }
    println!(
        "Made a new site in {0}. Next: edit {0}/config.toml, then run `schoolsite build --root {0}`.",
        dir.display()
    );
    Ok(0)
}
