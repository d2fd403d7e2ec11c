//! `consent/never-publish.toml`: the children who must never appear on
//! the website (court orders, adoption, children at risk), kept by the
//! designated safeguarding lead. No MIS export has such a column, so it
//! is its own small file, which must exist once the export has no
//! never-publish column, and which may be empty only when it says so and
//! says who checked and when. It is never guessed from a missing column.

use super::values;
use crate::report::{Finding, Location};
use chrono::NaiveDate;

/// The file, in `consent/`.
pub const NEVER_FILE: &str = "never-publish.toml";

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    checked_by: String,
    checked_on: Option<toml::Value>,
    #[serde(default)]
    ids: Vec<String>,
    #[serde(default)]
    none: bool,
}

/// The list, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeverPublish {
    pub ids: Vec<String>,
    pub checked_by: String,
    pub checked_on: NaiveDate,
}

const FIX: &str = "the designated safeguarding lead writes consent/never-publish.toml: checked_by, checked_on and ids = [\"…\"] (the register ids of children who must never appear), or ids = [] with none = true once they have checked there are none (see consent/README.md)";

/// Reads the file's bytes; a problem makes the whole register unusable,
/// since nobody can be cleared without it.
pub fn read(bytes: &[u8], today: NaiveDate) -> Result<NeverPublish, Box<Finding>> {
    let name = format!("{}/{NEVER_FILE}", super::CONSENT_DIR);
    let fail = |line: Option<usize>, message: String| {
        let at = line.map_or_else(|| Location::file(&name), |l| Location::line(&name, l));
        Box::new(Finding::error("consent-never-publish", at, message, FIX))
    };
    let text = std::str::from_utf8(bytes)
        .map_err(|_| fail(None, "the never-publish list is not UTF-8 text".into()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let raw: Raw = toml::from_str(text).map_err(|e| {
        fail(
            e.span().map(|s| crate::config::line_of(text, s.start)),
            format!("the never-publish list could not be read: {}", e.message()),
        )
    })?;
    if raw.checked_by.trim().is_empty() {
        return Err(fail(
            None,
            "the never-publish list does not say who checked it (checked_by)".into(),
        ));
    }
    let checked_on = match &raw.checked_on {
        Some(toml::Value::Datetime(d)) => values::date(&d.to_string()).ok().flatten(),
        Some(toml::Value::String(s)) => values::date(s).ok().flatten(),
        _ => None,
    }
    .ok_or_else(|| {
        fail(
            None,
            "the never-publish list does not say when it was checked (checked_on = 2026-09-07)"
                .into(),
        )
    })?;
    if checked_on > today {
        return Err(fail(
            None,
            format!(
                "the never-publish list says it was checked on {checked_on}, which has not come yet"
            ),
        ));
    }
    let ids: Vec<String> = raw
        .ids
        .iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    match (ids.is_empty(), raw.none) {
        (true, false) => Err(fail(
            None,
            "the never-publish list names nobody but does not say there is nobody".into(),
        )),
        (false, true) => Err(fail(
            None,
            "the never-publish list names children and also says none = true".into(),
        )),
        _ => Ok(NeverPublish {
            ids,
            checked_by: raw.checked_by.trim().to_string(),
            checked_on,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_(bytes: &[u8]) -> Result<NeverPublish, Box<Finding>> {
        read(bytes, NaiveDate::from_ymd_opt(2026, 12, 4).unwrap())
    }

    #[test]
    fn a_list_with_children_or_an_explicit_none() {
        let n =
            read_(b"checked_by = \"A. Patel, DSL\"\nchecked_on = 2026-09-07\nids = [\"1008\"]\n")
                .unwrap();
        assert_eq!(n.ids, vec!["1008"]);
        let n = read_(
            b"checked_by = \"A. Patel\"\nchecked_on = \"07/09/2026\"\nids = []\nnone = true\n",
        )
        .unwrap();
        assert!(n.ids.is_empty());
        assert_eq!(n.checked_on, NaiveDate::from_ymd_opt(2026, 9, 7).unwrap());
    }

    #[test]
    fn an_empty_or_unsigned_list_is_refused() {
        for (bytes, says) in [
            (&b""[..], "who checked"),
            (
                b"checked_by = \"A\"\nids = [\"1\"]\n",
                "when it was checked",
            ),
            (
                b"checked_by = \"A\"\nchecked_on = 2026-09-07\n",
                "does not say there is nobody",
            ),
            (
                b"checked_by = \"A\"\nchecked_on = 2026-09-07\nids = [\" \"]\n",
                "does not say there is nobody",
            ),
            (
                b"checked_by = \"A\"\nchecked_on = 2026-09-07\nids = [\"1\"]\nnone = true\n",
                "also says none",
            ),
            (
                b"checked_by = \"A\"\nchecked_on = 2026-09-07\nid = [\"1\"]\n",
                "could not be read",
            ),
        ] {
            let e = read_(bytes).unwrap_err();
            assert!(
                e.message.contains(says),
                "{}: {}",
                String::from_utf8_lossy(bytes),
                e.message
            );
            assert_eq!(e.rule, "consent-never-publish");
        }
    }
}
