//! A finding: which rule, how serious, where (a file and line, a CSV
//! row, or a document's page), what is wrong and how to fix it. A leaf
//! module: every stage makes findings, and it depends on none of them.
//! Findings never carry a pupil's full name: rules mask names before
//! they build the message.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    /// Not a problem: something the report lists so it can be seen (a name
    /// the allow-list let through).
    Notice,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Notice => "notice",
        }
    }
}

/// Where a finding points: a file relative to the site root, written with
/// forward slashes, and optionally a line (1-based), a CSV row (1-based,
/// counting the header as row 1) or a page of a document (1-based).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<usize>,
}

impl Location {
    pub fn file(file: impl Into<String>) -> Self {
        Location {
            file: file.into(),
            line: None,
            row: None,
            page: None,
        }
    }

    pub fn line(file: impl Into<String>, line: usize) -> Self {
        Location {
            file: file.into(),
            line: Some(line),
            row: None,
            page: None,
        }
    }

    pub fn row(file: impl Into<String>, row: usize) -> Self {
        Location {
            file: file.into(),
            line: None,
            row: Some(row),
            page: None,
        }
    }

    /// A page of a PDF document.
    pub fn page(file: impl Into<String>, page: usize) -> Self {
        Location {
            file: file.into(),
            line: None,
            row: None,
            page: Some(page),
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(row) = self.row {
            write!(f, " row {row}")?;
        }
        if let Some(page) = self.page {
            write!(f, " page {page}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    #[serde(flatten)]
    pub location: Location,
    pub message: String,
    pub fix: String,
}

impl Finding {
    pub fn error(
        rule: &'static str,
        location: Location,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Finding {
            rule,
            severity: Severity::Error,
            location,
            message: message.into(),
            fix: fix.into(),
        }
    }

    pub fn notice(rule: &'static str, location: Location, message: impl Into<String>) -> Self {
        Finding {
            severity: Severity::Notice,
            ..Finding::error(rule, location, message, "")
        }
    }

    pub fn warning(
        rule: &'static str,
        location: Location,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Finding {
            severity: Severity::Warning,
            ..Finding::error(rule, location, message, fix)
        }
    }
}

impl Finding {
    /// What the finding asks of the people who keep the site: see
    /// [`Rule::category`]. `None` only for an id that is not one of the
    /// build's rules.
    pub fn category(&self) -> Option<Category> {
        Rule::from_id(self.rule).map(Rule::category)
    }
}

/// What a finding asks of the people who keep the site, whatever rule
/// found it: what the studio's pages list and `serve`'s findings page
/// group findings by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Someone in a photo, clip or document may not be in it (now, or
    /// soon), or it was taken down: it must come down.
    PhotoMustComeDown,
    /// Who is in a photo, clip or document is not said, or what is said
    /// does not fit it (an unknown id, the faces found, the focus).
    WhoIsInIt,
    /// A photo, clip or document itself, or how a page shows it.
    MediaFile,
    /// A pupil's name near a photo of them.
    NameNearPhoto,
    /// A pupil's name elsewhere, and names let through.
    Names,
    /// The consent register or the never-publish list cannot be read as
    /// it must: it blocks photos of people.
    Register,
    /// Contact details that are not the school's.
    Contact,
    /// A statutory page's review is due or overdue.
    StatutoryReview,
    /// Statutory information otherwise.
    Statutory,
    /// A page, its links, its template or the theme.
    Page,
}

impl Category {
    /// Whether it stops a photo, clip or document being published (or
    /// kept published): what `serve` lists first.
    pub fn is_about_photos(self) -> bool {
        match self {
            Category::PhotoMustComeDown
            | Category::WhoIsInIt
            | Category::MediaFile
            | Category::NameNearPhoto
            | Category::Register => true,
            Category::Names
            | Category::Contact
            | Category::StatutoryReview
            | Category::Statutory
            | Category::Page => false,
        }
    }
}

/// Every rule id the build reports, each with its category: the one
/// place a rule's kind is decided. A rule cannot be added without one.
macro_rules! rules {
    ($($variant:ident = $id:literal => $category:ident,)*) => {
        /// A rule the build reports findings under (its stable id is
        /// [`Rule::id`], listed in docs/findings.md).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Rule {
            $($variant,)*
        }

        impl Rule {
            /// Every rule.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant,)*];

            /// Its stable id, as findings carry it.
            pub fn id(self) -> &'static str {
                match self {
                    $(Rule::$variant => $id,)*
                }
            }

            /// What its findings ask of the people who keep the site.
            pub fn category(self) -> Category {
                match self {
                    $(Rule::$variant => Category::$category,)*
                }
            }

            /// The rule with stable id `id`.
            pub fn from_id(id: &str) -> Option<Rule> {
                match id {
                    $($id => Some(Rule::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

rules! {
    FrontMatter = "front-matter" => Page,
    ContentEncoding = "content-encoding" => Page,
    ContentRead = "content-read" => Page,
    Template = "template" => Page,
    InternalLink = "internal-link" => Page,
    MissingFile = "missing-file" => Page,
    ImageMissing = "image-missing" => MediaFile,
    ImageAlt = "image-alt" => MediaFile,
    ImageExternal = "image-external" => MediaFile,
    RawHtmlMedia = "raw-html-media" => MediaFile,
    HtmlNotAllowed = "html-not-allowed" => Page,
    AddressOutside = "address-outside" => Page,
    AddressScheme = "address-scheme" => Page,
    AddressMissing = "address-missing" => Page,
    AddressUnreadable = "address-unreadable" => Page,
    CssReordersText = "css-reorders-text" => Page,
    CssUnreadable = "css-unreadable" => Page,
    XmlNotAllowed = "xml-not-allowed" => Page,
    MarkdownNesting = "markdown-nesting" => Page,
    Unsupported = "unsupported" => Page,
    NameInTemplate = "name-in-template" => Names,
    PathEscape = "path-escape" => Page,
    MediaRefused = "media-refused" => MediaFile,
    VideoCaptions = "video-captions" => MediaFile,
    DocumentUnchecked = "document-unchecked" => MediaFile,
    MediaMismatch = "media-mismatch" => MediaFile,
    ImageRebuilt = "image-rebuilt" => MediaFile,
    DuplicatePath = "duplicate-path" => Page,
    MissingTitle = "missing-title" => Page,
    MissingDate = "missing-date" => Page,
    EventDates = "event-dates" => Page,
    UnusedFile = "unused-file" => MediaFile,
    PhotoUndeclared = "photo-undeclared" => WhoIsInIt,
    PhotoDeclaration = "photo-declaration" => WhoIsInIt,
    PhotoCopies = "photo-copies" => WhoIsInIt,
    PhotoFocus = "photo-focus" => WhoIsInIt,
    ConsentRegister = "consent-register" => Register,
    ConsentUnknownPerson = "consent-unknown-person" => WhoIsInIt,
    ConsentNeverPublish = "consent-never-publish" => PhotoMustComeDown,
    ConsentNotGiven = "consent-not-given" => PhotoMustComeDown,
    ConsentExpired = "consent-expired" => PhotoMustComeDown,
    ConsentWithdrawn = "consent-withdrawn" => PhotoMustComeDown,
    ConsentLeft = "consent-left" => PhotoMustComeDown,
    ConsentLeavingSoon = "consent-leaving-soon" => PhotoMustComeDown,
    ConsentExpiringSoon = "consent-expiring-soon" => PhotoMustComeDown,
    NameNearPhoto = "name-near-photo" => NameNearPhoto,
    NameOnPage = "name-on-page" => Names,
    NameInAddress = "name-in-address" => Names,
    ContactEmail = "contact-email" => Contact,
    ContactMobile = "contact-mobile" => Contact,
    ContactPhone = "contact-phone" => Contact,
    NameAllowed = "name-allowed" => Names,
    StatutoryProfile = "statutory-profile" => Statutory,
    StatutoryMissing = "statutory-missing" => Statutory,
    StatutoryShould = "statutory-should" => Statutory,
    StatutoryOverdue = "statutory-overdue" => StatutoryReview,
    StatutoryDueSoon = "statutory-due-soon" => StatutoryReview,
    StatutoryLink = "statutory-link" => Statutory,
    StatutoryDeclaration = "statutory-declaration" => Statutory,
    StatutoryApproval = "statutory-approval" => Statutory,
    StatutoryGenerated = "statutory-generated" => Statutory,
    StatutoryStarter = "statutory-starter" => Statutory,
    FacesUndeclared = "faces-undeclared" => WhoIsInIt,
    FacesInNobodyPhoto = "faces-in-nobody-photo" => WhoIsInIt,
    FacesUnchecked = "faces-unchecked" => WhoIsInIt,
    IdentifiablePhoto = "identifiable-photo" => WhoIsInIt,
    TakenDown = "taken-down" => PhotoMustComeDown,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rule ids as docs/findings.md's table of rules lists them.
    fn documented() -> std::collections::BTreeSet<String> {
        let doc = include_str!("../docs/findings.md");
        let table = doc
            .split("## Rules")
            .nth(1)
            .and_then(|rest| rest.split("\n\n").nth(1))
            .expect("the table of rules in docs/findings.md");
        table
            .lines()
            .filter_map(|l| l.strip_prefix("| `"))
            .filter_map(|l| l.split('`').next())
            .map(str::to_string)
            .collect()
    }

    /// Rule ids written where the build makes a finding: the first
    /// argument of `Finding::error`/`warning`/`notice`, `rule: "…"`, and
    /// `RULE` constants.
    fn emitted() -> std::collections::BTreeSet<String> {
        let mut ids = std::collections::BTreeSet::new();
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        for entry in walkdir::WalkDir::new(src) {
            let entry = entry.expect("src/ can be read");
            if entry.path().extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(entry.path()).expect("a source file");
            // Test modules make findings of made-up rules.
            let text = text.split("#[cfg(test)]").next().unwrap_or_default();
            for marker in [
                "Finding::error(",
                "Finding::warning(",
                "Finding::notice(",
                "rule: \"",
                "const RULE: &str = \"",
            ] {
                for (at, _) in text.match_indices(marker) {
                    let after = &text[at + marker.len()..];
                    let literal = if marker.ends_with('"') {
                        Some(after)
                    } else {
                        after.trim_start().strip_prefix('"')
                    };
                    if let Some(id) = literal.and_then(|l| l.split('"').next()) {
                        ids.insert(id.to_string());
                    }
                }
            }
        }
        ids
    }

    #[test]
    fn every_rule_the_build_reports_has_a_category_and_is_documented() {
        let ids: std::collections::BTreeSet<String> =
            Rule::ALL.iter().map(|r| r.id().to_string()).collect();
        assert_eq!(ids.len(), Rule::ALL.len(), "an id is given twice");
        assert_eq!(ids, documented(), "docs/findings.md and Rule differ");
        let emitted = emitted();
        assert!(emitted.len() > 40, "{emitted:?}");
        let unknown: Vec<&String> = emitted.difference(&ids).collect();
        assert!(unknown.is_empty(), "rules with no category: {unknown:?}");
        for rule in Rule::ALL {
            assert_eq!(Rule::from_id(rule.id()), Some(*rule));
        }
        // Near miss: an id that is no rule has no category.
        assert_eq!(Rule::from_id("consent"), None);
    }
}
