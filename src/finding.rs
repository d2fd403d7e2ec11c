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
