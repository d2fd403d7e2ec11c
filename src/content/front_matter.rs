//! `+++` TOML front matter, as in Zola.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Front matter of a page (`x.md` or `x/index.md`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PageMeta {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// `2026-09-01`, or a full TOML date-time; a file name starting with
    /// a date gives one too.
    #[serde(default)]
    pub date: Option<toml::Value>,
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    pub weight: Option<i64>,
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub template: Option<String>,
    /// The statutory item (or items) this page publishes:
    /// `statutory = "behaviour-policy"`.
    #[serde(default)]
    pub statutory: Option<OneOrMany>,
    /// When the page was last reviewed (a date).
    #[serde(default)]
    pub last_reviewed: Option<toml::Value>,
    /// When it must next be reviewed (a date).
    #[serde(default)]
    pub next_review: Option<toml::Value>,
    /// Instead of `next_review`: how often it is reviewed ("1 year",
    /// "6 months").
    #[serde(default)]
    pub review_every: Option<String>,
    /// Who approved this version ("Full governing board").
    #[serde(default)]
    pub approved_by: Option<String>,
    /// Dates parents should know about, published on the page, in the
    /// home page's "coming up" list and in the site's calendar feed:
    /// `[[events]]` tables.
    #[serde(default)]
    pub events: Vec<EventMeta>,
    #[serde(default)]
    pub extra: toml::Table,
}

/// One `[[events]]` table in a page's front matter.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EventMeta {
    pub title: String,
    /// A date (`2026-10-26`: all day) or a local date-time
    /// (`2026-12-10T14:00:00`, UK time).
    pub start: toml::Value,
    /// The last day (inclusive) or the end time; the start when absent.
    #[serde(default)]
    pub end: Option<toml::Value>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// A front matter value written as one string or a list of strings.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn as_slice(&self) -> &[String] {
        match self {
            OneOrMany::One(s) => std::slice::from_ref(s),
            OneOrMany::Many(v) => v,
        }
    }
}

/// How a section orders its pages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    /// Newest first.
    Date,
    /// Lightest first.
    Weight,
    /// Alphabetical.
    Title,
    /// By file name.
    #[default]
    None,
}

/// Front matter of a section (`_index.md`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SectionMeta {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub sort_by: SortBy,
    #[serde(default)]
    pub paginate_by: Option<usize>,
    #[serde(default)]
    pub weight: Option<i64>,
    #[serde(default)]
    pub template: Option<String>,
    #[serde(default)]
    pub page_template: Option<String>,
    /// Publish an Atom feed of the section's pages at `atom.xml` in the
    /// section's folder (Zola's name for it).
    #[serde(default)]
    pub generate_feeds: bool,
    #[serde(default)]
    pub extra: toml::Table,
}

/// A front matter problem, with the 1-based line it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatterError {
    pub line: usize,
    pub message: String,
    pub fix: String,
}

/// A Markdown file split into its front matter and body.
#[derive(Debug)]
pub struct Split<'a> {
    pub front: &'a str,
    /// Line (1-based) of the first front matter line.
    pub front_line: usize,
    pub body: &'a str,
    /// Line (1-based) of the first body line.
    pub body_line: usize,
}

/// Splits `+++` front matter from the body.
pub fn split(text: &str) -> Result<Split<'_>, FrontMatterError> {
    let text_start = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = text_start
        .strip_prefix("+++\r\n")
        .or_else(|| text_start.strip_prefix("+++\n"))
    else {
        let fix = if text_start.starts_with("---") {
            "schoolsite reads TOML front matter between +++ lines, as Zola does; replace the --- lines with +++ and write the values as TOML (title = \"…\")"
        } else {
            "start the file with a +++ line, then at least title = \"…\", then another +++ line"
        };
        return Err(FrontMatterError {
            line: 1,
            message: "the file does not start with +++ front matter".to_string(),
            fix: fix.to_string(),
        });
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "+++" {
            let front = &rest[..offset];
            let body = &rest[offset + line.len()..];
            let front_lines = front.matches('\n').count();
            return Ok(Split {
                front,
                front_line: 2,
                body,
                body_line: 2 + front_lines + 1,
            });
        }
        offset += line.len();
    }
    Err(FrontMatterError {
        line: 1,
        message: "the front matter is never closed".to_string(),
        fix: "add a line with just +++ after the front matter".to_string(),
    })
}

/// Parses front matter TOML into `T`, turning errors into line-numbered
/// problems.
pub fn parse<T: serde::de::DeserializeOwned>(split: &Split) -> Result<T, FrontMatterError> {
    toml::from_str(split.front).map_err(|e| {
        let line = e
            .span()
            .map(|s| crate::config::line_of(split.front, s.start) + split.front_line - 1)
            .unwrap_or(split.front_line);
        let message = e.message().trim().to_string();
        let fix = if message.contains("unknown field") {
            "check the spelling; values of your own go under an [extra] table".to_string()
        } else {
            "write the front matter as TOML: key = \"text\", dates as 2026-09-01, numbers without quotes".to_string()
        };
        FrontMatterError { line, message, fix }
    })
}

/// Reads a front matter date: a TOML date or date-time, or a string
/// `YYYY-MM-DD`.
pub fn parse_date(value: &toml::Value) -> Result<NaiveDate, String> {
    let text = match value {
        toml::Value::Datetime(dt) => match dt.date {
            Some(d) => {
                return NaiveDate::from_ymd_opt(
                    i32::from(d.year),
                    u32::from(d.month),
                    u32::from(d.day),
                )
                .ok_or_else(|| format!("{dt} is not a real date"));
            }
            None => return Err(format!("{dt} has no date part")),
        },
        toml::Value::String(s) => s.as_str(),
        other => return Err(format!("{other} is not a date")),
    };
    let head = text.get(..10).unwrap_or(text);
    NaiveDate::parse_from_str(head, "%Y-%m-%d")
        .map_err(|_| format!("{text:?} is not a date in the form 2026-09-01"))
}

/// A date at the start of a file name (`2026-09-01-harvest`), and the rest.
pub fn date_prefix(stem: &str) -> Option<(NaiveDate, &str)> {
    let head = stem.get(..10)?;
    let date = NaiveDate::parse_from_str(head, "%Y-%m-%d").ok()?;
    let rest = stem[10..].strip_prefix(['-', '_'])?;
    (!rest.is_empty()).then_some((date, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_counts_lines() {
        let s = split("+++\ntitle = \"A\"\n+++\nBody\n").unwrap();
        assert_eq!(s.front, "title = \"A\"\n");
        assert_eq!(s.body, "Body\n");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn unknown_field_names_its_line() {
        let s = split("+++\ntitle = \"A\"\ndtae = 2026-01-01\n+++\n").unwrap();
        let e = parse::<PageMeta>(&s).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("dtae"), "{}", e.message);
    }

    #[test]
    fn yaml_front_matter_gets_a_hint() {
        let e = split("---\ntitle: A\n---\n").unwrap_err();
        assert!(e.fix.contains("+++"));
    }

    #[test]
    fn dates() {
        let v: toml::Table =
            toml::from_str("a = 2026-09-01\nb = \"2026-09-02\"\nc = 2026-09-03T10:00:00Z").unwrap();
        assert_eq!(parse_date(&v["a"]).unwrap().to_string(), "2026-09-01");
        assert_eq!(parse_date(&v["b"]).unwrap().to_string(), "2026-09-02");
        assert_eq!(parse_date(&v["c"]).unwrap().to_string(), "2026-09-03");
        assert!(parse_date(&toml::Value::String("01/09/2026".into())).is_err());
        assert_eq!(date_prefix("2026-09-01-harvest").unwrap().1, "harvest");
        assert!(date_prefix("harvest").is_none());
    }
}
