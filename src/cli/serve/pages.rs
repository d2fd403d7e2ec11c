//! The pages `serve` shows instead of the site: the findings of a blocked
//! build, and the problem that stopped a build from starting.
//!
//! They are Tera templates built into the binary, rendered with
//! autoescape on, so a message quoting a file's text cannot become markup.
//! Findings already mask pupils' names.

use schoolsite::report::{Finding, Severity, Summary};
use serde::Serialize;
use std::fmt::Write as _;
use std::sync::LazyLock;
use tera::{Context, Tera};

/// The built-in templates, parsed once. Names end in `.html`, so Tera
/// escapes every value written into them.
static TEMPLATES: LazyLock<Result<Tera, tera::Error>> = LazyLock::new(|| {
    let mut tera = Tera::default();
    tera.add_raw_templates([
        ("base.html", include_str!("templates/base.html")),
        ("findings.html", include_str!("templates/findings.html")),
        ("problem.html", include_str!("templates/problem.html")),
    ])?;
    // The project's own escaping (& < > " '), as in the site's pages;
    // Tera's would also write `/` as `&#x2F;` in every file path.
    tera.set_escape_fn(schoolsite::content::markdown::escape);
    Ok(tera)
});

/// What the browser shows when the build cannot even start.
pub fn problem_page(message: &str) -> String {
    let mut context = Context::new();
    context.insert("message", message);
    render("problem.html", &context).unwrap_or_else(|e| fallback(message, &e))
}

/// One finding as the page shows it.
#[derive(Serialize)]
struct Shown<'a> {
    place: String,
    message: &'a str,
    fix: &'a str,
    rule: &'a str,
}

#[derive(Serialize)]
struct Section<'a> {
    title: &'static str,
    findings: Vec<Shown<'a>>,
}

/// What the browser shows instead of the site while the build is
/// blocked: every finding, with the photos that cannot be published
/// named first.
pub fn findings_page(findings: &[Finding]) -> String {
    let summary = Summary::of(findings);
    // By the category the build gives each rule; a finding of no known
    // rule is not hidden, only listed with the other problems.
    let photo_rule = |f: &&Finding| f.category().is_some_and(|c| c.is_about_photos());
    let errors: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    let (photos, other): (Vec<&Finding>, Vec<&Finding>) = errors.into_iter().partition(photo_rule);
    let warnings: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .collect();
    let sections: Vec<Section> = [
        ("Photos and files that cannot be published", photos),
        ("Other problems", other),
        ("Warnings (these do not block the build)", warnings),
    ]
    .into_iter()
    .filter(|(_, list)| !list.is_empty())
    .map(|(title, list)| Section {
        title,
        findings: list.into_iter().map(shown).collect(),
    })
    .collect();
    let mut context = Context::new();
    context.insert("problems", &plural(summary.errors, "problem"));
    context.insert("sections", &sections);
    render("findings.html", &context).unwrap_or_else(|e| {
        fallback(
            &format!(
                "{}: run `schoolsite check` to list them",
                plural(summary.errors, "problem")
            ),
            &e,
        )
    })
}

fn shown(f: &Finding) -> Shown<'_> {
    let mut place = f.location.file.clone();
    if let Some(l) = f.location.line {
        let _ = write!(place, ", line {l}");
    } else if let Some(r) = f.location.row {
        let _ = write!(place, ", row {r}");
    } else if let Some(p) = f.location.page {
        let _ = write!(place, ", page {p}");
    }
    Shown {
        place,
        message: &f.message,
        fix: &f.fix,
        rule: f.rule,
    }
}

fn render(name: &str, context: &Context) -> Result<String, tera::Error> {
    match &*TEMPLATES {
        Ok(tera) => tera.render(name, context),
        Err(e) => Err(tera::Error::msg(format!("the built-in pages: {e}"))),
    }
}

/// A page that needs no template, should one ever fail to render: what
/// was to be said, and why the proper page is missing.
fn fallback(message: &str, error: &tera::Error) -> String {
    let escape = schoolsite::content::markdown::escape;
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>The site is not shown</title></head><body><h1>The site is not shown</h1><p>{}</p><p>(This page could not be drawn: {}.)</p></body></html>",
        escape(message),
        escape(&error.to_string())
    )
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_problem_page_escapes_what_it_quotes() {
        let page = problem_page("content/<script>alert(1)</script> & \"x\"");
        assert!(
            page.contains(
                "<p>content/&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;</p>"
            )
        );
        assert!(page.starts_with("<!DOCTYPE html>") && page.contains("cannot be built"));
    }

    #[test]
    fn the_findings_page_lists_photos_first_and_escapes() {
        use schoolsite::report::Location;
        let findings = [
            Finding::error(
                "front-matter",
                Location::line("content/about.md", 3),
                "the front matter <b>never</b> ends",
                "",
            ),
            Finding::error(
                "photo-undeclared",
                Location::file("content/news/extra.jpg"),
                "no one is declared in this photo",
                "say who is in it & save",
            ),
        ];
        let page = findings_page(&findings);
        assert!(
            page.contains("<title>Blocked: 2 problems to fix</title>"),
            "{page}"
        );
        let photos = page.find("Photos and files that cannot be published");
        let other = page.find("Other problems");
        assert!(photos.is_some() && photos < other, "{page}");
        assert!(page.contains("<div class=\"where\">content/news/extra.jpg</div>"));
        assert!(page.contains("content/about.md, line 3"));
        assert!(page.contains("the front matter &lt;b&gt;never&lt;/b&gt; ends"));
        assert!(page.contains("How to fix it: say who is in it &amp; save"));
        assert!(!page.contains("Warnings"));
        // A finding without a fix gets no empty "How to fix it".
        assert_eq!(page.matches("How to fix it").count(), 1);
    }

    #[test]
    fn the_findings_page_groups_by_the_category_the_build_gives_each_rule() {
        use schoolsite::report::Location;
        // taken-down and identifiable-photo stop a photo, though their ids
        // start with no word the page once looked for.
        let findings = [
            Finding::error(
                "taken-down",
                Location::line("content/news/a.md", 4),
                "a photo taken down is back",
                "",
            ),
            Finding::error(
                "identifiable-photo",
                Location::line("content/news/photos.toml", 2),
                "a face-on close-up",
                "",
            ),
            // Near miss: a statutory page is another problem.
            Finding::error(
                "statutory-missing",
                Location::file("config.toml"),
                "no admissions page",
                "",
            ),
        ];
        let page = findings_page(&findings);
        let (photos, other) = (
            page.find("Photos and files that cannot be published"),
            page.find("Other problems"),
        );
        let at = |text: &str| page.find(text);
        assert!(photos.is_some() && other.is_some(), "{page}");
        assert!(photos < at("a photo taken down") && at("a photo taken down") < other);
        assert!(photos < at("a face-on close-up") && at("a face-on close-up") < other);
        assert!(other < at("no admissions page"), "{page}");
    }

    #[test]
    fn the_templates_parse() {
        assert!(TEMPLATES.is_ok(), "{:?}", TEMPLATES.as_ref().err());
    }

    #[test]
    fn plurals() {
        assert_eq!(plural(1, "problem"), "1 problem");
        assert_eq!(plural(3, "problem"), "3 problems");
    }
}
