//! `schoolsite init DIR`: a new site that builds as it is, with the
//! default theme copied in so the school can change it.

use anyhow::{Context, bail};
use schoolsite::config::Profile;
use schoolsite::statutory::{self, Checklist};
use std::path::Path;

/// The whole default theme, copied in so the school can change it (every
/// file its templates refer to, or the gate would refuse the pages).
const THEME: &[(&str, &[u8])] = &[
    (
        "static/favicon.png",
        include_bytes!("../../themes/schoolsite/static/favicon.png"),
    ),
    (
        "static/search.js",
        include_bytes!("../../themes/schoolsite/static/search.js"),
    ),
    (
        "static/style.css",
        include_bytes!("../../themes/schoolsite/static/style.css"),
    ),
    (
        "templates/404.html",
        include_bytes!("../../themes/schoolsite/templates/404.html"),
    ),
    (
        "templates/atom.xml",
        include_bytes!("../../themes/schoolsite/templates/atom.xml"),
    ),
    (
        "templates/base.html",
        include_bytes!("../../themes/schoolsite/templates/base.html"),
    ),
    (
        "templates/class.html",
        include_bytes!("../../themes/schoolsite/templates/class.html"),
    ),
    (
        "templates/club.html",
        include_bytes!("../../themes/schoolsite/templates/club.html"),
    ),
    (
        "templates/contact.html",
        include_bytes!("../../themes/schoolsite/templates/contact.html"),
    ),
    (
        "templates/dates.html",
        include_bytes!("../../themes/schoolsite/templates/dates.html"),
    ),
    (
        "templates/events-table.html",
        include_bytes!("../../themes/schoolsite/templates/events-table.html"),
    ),
    (
        "templates/index.html",
        include_bytes!("../../themes/schoolsite/templates/index.html"),
    ),
    (
        "templates/page.html",
        include_bytes!("../../themes/schoolsite/templates/page.html"),
    ),
    (
        "templates/robots.txt",
        include_bytes!("../../themes/schoolsite/templates/robots.txt"),
    ),
    (
        "templates/search.html",
        include_bytes!("../../themes/schoolsite/templates/search.html"),
    ),
    (
        "templates/section.html",
        include_bytes!("../../themes/schoolsite/templates/section.html"),
    ),
    (
        "templates/sitemap.xml",
        include_bytes!("../../themes/schoolsite/templates/sitemap.xml"),
    ),
    (
        "templates/statutory.html",
        include_bytes!("../../themes/schoolsite/templates/statutory.html"),
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

# The information every school in England must publish online. Each
# item needs a page with statutory = "item" in its front matter; the
# starter pages in content/policies/ say what each must contain.
# `schoolsite statutory` shows where each item stands.
[statutory]
profile = "{profile}"

# Items that do not apply to this school, each with the reason, e.g.
# [statutory.not_applicable]
# careers-programme = "We are a primary school."

[[menu]]
name = "Home"
url = "@/_index.md"

[[menu]]
name = "News"
url = "@/news/_index.md"

[[menu]]
name = "About us"
url = "@/about.md"

[[menu]]
name = "Policies"
url = "@/policies/_index.md"
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
    (
        "content/policies/_index.md",
        "+++\ntitle = \"Policies and school information\"\ndescription = \"Our policies and the information every school must publish.\"\nsort_by = \"title\"\n+++\n",
    ),
    ("consent/README.md", include_str!("../../docs/consent.md")),
    (
        "consent/never-publish.toml",
        "# The children who must never appear on the website, whatever their\n# consents say: court orders, adoption, children at risk. No MIS exports\n# this, so the designated safeguarding lead keeps it here, and it is\n# never published. Until it is filled in, no photo of a person can be\n# published once the register is in place (see README.md).\nchecked_by = \"\"\n# checked_on = 2026-09-07\nids = []\n# none = true   # only once the lead has checked there is nobody\n",
    ),
    (".gitignore", "/public/\n/.public.*\n/.schoolsite/\n"),
];

pub fn run(dir: &Path, profile: Profile) -> anyhow::Result<u8> {
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
    let write = |rel: &str, text: &[u8]| -> anyhow::Result<()> {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("could not create {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("could not write {}", path.display()))
    };
    write(
        "config.toml",
        CONFIG.replace("{profile}", profile.as_str()).as_bytes(),
    )?;
    for (rel, text) in FILES {
        write(rel, text.as_bytes())?;
    }
    // A starter page for each statutory item the school must write
    // itself (the accessibility statement and privacy notice have
    // generated ones until it does).
    let today = chrono::Local::now().date_naive();
    let list = Checklist::builtin();
    for item in list.required(profile).filter(|i| !i.generated) {
        write(
            &format!("content/policies/{}.md", item.key),
            statutory::starter_page(item, today).as_bytes(),
        )?;
    }
    for (rel, bytes) in THEME {
        write(&format!("themes/schoolsite/{rel}"), bytes)?;
    }
    println!(
        "Made a new site in {0}. Next: edit {0}/config.toml, then run `schoolsite build --root {0}`.\n`schoolsite statutory --root {0}` lists the statutory pages still to write.",
        dir.display()
    );
    Ok(0)
}
