//! Findings and the formats they are printed in.
//!
//! A [`Finding`] is what every rule returns: which rule, how serious, where
//! (a file and line, or a file and CSV row), what is wrong and how to fix it.
//! Findings never carry a pupil's full name: rules mask names before they
//! build the message.
//!
//! Three formats: a human one grouped by file, JSON with a stable schema
//! (documented in `docs/findings.md`), and GitHub workflow annotations.

pub use crate::finding::{Finding, Location, Severity};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// JSON schema version; bump only on an incompatible change.
pub const JSON_SCHEMA_VERSION: u32 = 1;

/// A date relative to today, in words: "today", "tomorrow", "in 12
/// days", "1 day ago", "22 days ago". The manifest leaves these out of
/// warnings (see `publish::manifest`), so keep to these forms.
pub fn countdown(days: i64) -> String {
    match days {
        0 => "today".to_string(),
        1 => "tomorrow".to_string(),
        -1 => "1 day ago".to_string(),
        d if d < 0 => format!("{} days ago", -d),
        d => format!("in {d} days"),
    }
}

/// Counts of findings by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub notices: usize,
}

impl Summary {
    pub fn of(findings: &[Finding]) -> Self {
        let mut s = Summary::default();
        for f in findings {
            match f.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Notice => s.notices += 1,
            }
        }
        s
    }

    pub fn blocked(&self) -> bool {
        self.errors > 0
    }
}

/// Sorts findings so output is stable: by file, line, row, rule, message.
pub fn sort(findings: &mut [Finding]) {
    findings
        .sort_by(|a, b| (&a.location, a.rule, &a.message).cmp(&(&b.location, b.rule, &b.message)));
}

/// Human format: findings grouped under their file, then a summary line.
pub fn human(findings: &[Finding]) -> String {
    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        by_file.entry(f.location.file.as_str()).or_default().push(f);
    }
    let mut out = String::new();
    for (file, list) in by_file {
        let _ = writeln!(out, "{file}");
        for f in list {
            let place = match (f.location.line, f.location.row, f.location.page) {
                (Some(l), _, _) => format!(" line {l}"),
                (None, Some(r), _) => format!(" row {r}"),
                (None, None, Some(p)) => format!(" page {p}"),
                (None, None, None) => String::new(),
            };
            let _ = writeln!(
                out,
                "  {}[{}]{}: {}",
                f.severity.as_str(),
                f.rule,
                place,
                f.message
            );
            if !f.fix.is_empty() {
                let _ = writeln!(out, "    fix: {}", f.fix);
            }
        }
        out.push('\n');
    }
    out
}

/// The closing line of a human report.
pub fn human_summary(summary: Summary, blocked_action: &str) -> String {
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    if summary.blocked() {
        format!(
            "{}, {}: {blocked_action}",
            plural(summary.errors, "error"),
            plural(summary.warnings, "warning")
        )
    } else if summary.warnings > 0 {
        format!("no errors, {}", plural(summary.warnings, "warning"))
    } else if summary.notices > 0 {
        format!(
            "no errors or warnings, {}",
            plural(summary.notices, "notice")
        )
    } else {
        "no findings".to_string()
    }
}

/// What the sanitiser removed from one published file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MediaEntry {
    /// The source file, relative to the site root.
    pub source: String,
    /// Where it is published, relative to `public/`: the largest version.
    pub published: String,
    /// Every published version, smallest first.
    pub sizes: Vec<PublishedSize>,
    pub removed: Vec<crate::media::Removed>,
    /// Faces the detector counted in the published image, when it ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub faces: Option<u32>,
    /// Regions pixelated before publishing, as declared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blurred: Option<usize>,
}

/// One published version of an image.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PublishedSize {
    pub path: String,
    pub width: u32,
    pub height: u32,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    schema: u32,
    tool: &'static str,
    version: &'static str,
    summary: Summary,
    blocked: bool,
    findings: &'a [Finding],
    /// What was removed from each published media file (added within
    /// schema 1: readers must ignore fields they do not know).
    media: &'a [MediaEntry],
}

/// JSON format: one object with the schema version, counts, findings and
/// what the sanitiser removed from each published media file.
pub fn json(findings: &[Finding], media: &[MediaEntry]) -> String {
    let summary = Summary::of(findings);
    let report = JsonReport {
        schema: JSON_SCHEMA_VERSION,
        tool: "schoolsite",
        version: env!("CARGO_PKG_VERSION"),
        summary,
        blocked: summary.blocked(),
        findings,
        media,
    };
    // Serialising plain strings and numbers cannot fail.
    serde_json::to_string_pretty(&report).unwrap_or_default() + "\n"
}

/// GitHub Actions workflow commands, one line per finding.
pub fn github(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let mut props = format!("file={}", escape_property(&f.location.file));
        if let Some(line) = f.location.line.or(f.location.row) {
            let _ = write!(props, ",line={line}");
        }
        let _ = write!(props, ",title={}", escape_property(f.rule));
        let message = if f.fix.is_empty() {
            f.message.clone()
        } else {
            format!("{}\nFix: {}", f.message, f.fix)
        };
        let _ = writeln!(
            out,
            "::{} {props}::{}",
            f.severity.as_str(),
            escape_data(&message)
        );
    }
    out
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod countdown_tests {
    use super::countdown;

    #[test]
    fn countdowns_read_naturally() {
        assert_eq!(countdown(0), "today");
        assert_eq!(countdown(1), "tomorrow");
        assert_eq!(countdown(20), "in 20 days");
        assert_eq!(countdown(-1), "1 day ago");
        assert_eq!(countdown(-22), "22 days ago");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_escapes_separators_and_newlines() {
        let f = Finding::error(
            "image-alt",
            Location::line("content/a,b:c.md", 3),
            "50% done\nnext",
            "add alt",
        );
        let out = github(&[f]);
        assert_eq!(
            out,
            "::error file=content/a%2Cb%3Ac.md,line=3,title=image-alt::50%25 done%0Anext%0AFix: add alt\n"
        );
    }

    #[test]
    fn human_groups_by_file_and_counts() {
        let mut fs = vec![
            Finding::warning("x", Location::line("b.md", 2), "w", ""),
            Finding::error("y", Location::line("a.md", 9), "e", "do it"),
            Finding::error("z", Location::row("consent/r.csv", 4), "r", ""),
        ];
        sort(&mut fs);
        let text = human(&fs);
        let a = text.find("a.md").unwrap();
        let b = text.find("b.md").unwrap();
        assert!(a < b, "{text}");
        assert!(text.contains("  error[y] line 9: e\n    fix: do it\n"));
        assert!(text.contains("error[z] row 4: r"));
        assert_eq!(
            human_summary(Summary::of(&fs), "nothing was built"),
            "2 errors, 1 warning: nothing was built"
        );
    }
}
