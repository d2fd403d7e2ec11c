//! A long-form consents export: one row per pupil and consent type, as
//! Arbor and Bromcom keep consents (and as a SIMS "Parental Consent"
//! report lists them). Joined to the pupil export by id.
//!
//! A row's answer comes from a status column (Arbor's "Granted",
//! "Rejected", "Requested"…; Bromcom's `latestConsentStatus`), or from
//! the API's own dates (`consentedDatetime`, `rejectedDatetime`,
//! `requestedDatetime`), or, in a list that holds only the consents given
//! (a SIMS report of ticked consents), from the row being there at all.

use super::register::Cell;
use super::text;
use super::values::{self, Status};
use crate::report::{Finding, Location};
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};

/// A field of a long-form row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LongField {
    Id,
    Type,
    Status,
    Date,
    Consented,
    Rejected,
    Requested,
}

impl LongField {
    const ALL: [LongField; 7] = [
        LongField::Id,
        LongField::Type,
        LongField::Status,
        LongField::Date,
        LongField::Consented,
        LongField::Rejected,
        LongField::Requested,
    ];

    pub fn key(self) -> &'static str {
        match self {
            LongField::Id => "id",
            LongField::Type => "type",
            LongField::Status => "status",
            LongField::Date => "date",
            LongField::Consented => "consented",
            LongField::Rejected => "rejected",
            LongField::Requested => "requested",
        }
    }

    /// The headers the MIS exports use for it (compared ignoring case,
    /// spaces and punctuation).
    fn headers(self) -> &'static [&'static str] {
        match self {
            LongField::Id => &[
                "id",
                "student id",
                "arbor student id",
                "adno",
                "admission number",
                "admission no",
                "mis id",
                "pupil id",
            ],
            LongField::Type => &[
                "type",
                "consent type",
                "consent type name",
                "parental consent type name",
                "parental consent",
                "consent",
                "permission",
            ],
            LongField::Status => &[
                "status",
                "consent status",
                "latest consent status",
                "response",
                "answer",
            ],
            LongField::Date => &[
                "date",
                "consent date",
                "response date",
                "date of response",
                "date given",
                "responded",
            ],
            LongField::Consented => &["consented datetime", "consented date", "date consented"],
            LongField::Rejected => &["rejected datetime", "rejected date", "date rejected"],
            LongField::Requested => &["requested datetime", "requested date", "date requested"],
        }
    }
}

/// One pupil's answer for one consent type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    pub status: Cell<Status>,
    pub date: Option<NaiveDate>,
}

/// The consents file, read: answers by (id key, type key).
#[derive(Debug, Default)]
pub struct Consents {
    answers: HashMap<(String, String), Answer>,
    /// Every consent type named in the file (by key), and how it is written.
    pub types: BTreeMap<String, String>,
    /// Whether rows carry a date (their own, or the API's).
    pub dated: bool,
    /// Which header each field was read from.
    pub columns: Vec<(String, String)>,
    pub problems: Vec<Finding>,
}

/// Consent type names are compared ignoring case, spaces and punctuation.
pub fn type_key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

impl Consents {
    /// The answer recorded for `id` (already an id key) and consent type.
    pub fn answer(&self, id_key: &str, consent_type: &str) -> Option<Answer> {
        self.answers
            .get(&(id_key.to_string(), type_key(consent_type)))
            .copied()
    }

    /// Reads `bytes` (the file at `source`). `overrides` are
    /// `[consents] columns`; `id_key` makes ids comparable with the
    /// pupil export's.
    pub fn read(
        source: &str,
        bytes: &[u8],
        overrides: &BTreeMap<String, String>,
        id_key: impl Fn(&str) -> String,
    ) -> Consents {
        let mut out = Consents::default();
        let error = |row: Option<usize>, message: String, fix: &str| {
            let at = row.map_or_else(|| Location::file(source), |r| Location::row(source, r));
            Finding::error("consent-register", at, message, fix)
        };
        if let Some(key) = overrides
            .keys()
            .find(|k| !LongField::ALL.iter().any(|f| f.key() == k.as_str()))
        {
            out.problems.push(error(
                None,
                format!(
                    "[consents] columns has {key:?}, which is not a field of a consents export"
                ),
                "use id, type, status, date, consented, rejected or requested",
            ));
            return out;
        }
        let (text, _) = text::decode(bytes);
        if text::garbled(&text) {
            out.problems.push(error(
                None,
                "the consents export cannot be read as text: many of its characters are control characters".into(),
                "export it again from the MIS as CSV (in Excel, save as \"CSV UTF-8 (Comma delimited)\")",
            ));
            return out;
        }
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(text::delimiter(&text))
            .flexible(true)
            .from_reader(text.as_bytes());
        let headers: Vec<String> = match reader.headers() {
            Ok(h) => h.iter().map(|s| s.trim().to_string()).collect(),
            Err(e) => {
                out.problems.push(error(
                    Some(1),
                    format!("the header row could not be read: {e}"),
                    "export the consents again as CSV",
                ));
                return out;
            }
        };
        let normal = |h: &str| type_key(h);
        let find = |field: LongField| -> Option<usize> {
            let wanted: Vec<String> = match overrides.get(field.key()) {
                Some(h) => vec![normal(h)],
                None => field.headers().iter().map(|h| normal(h)).collect(),
            };
            wanted
                .iter()
                .find_map(|w| headers.iter().position(|h| normal(h) == *w))
        };
        let at: BTreeMap<LongField, usize> = LongField::ALL
            .into_iter()
            .filter_map(|f| find(f).map(|i| (f, i)))
            .collect();
        let missing: Vec<&str> = [LongField::Id, LongField::Type]
            .into_iter()
            .filter(|f| !at.contains_key(f))
            .map(LongField::key)
            .collect();
        if !missing.is_empty() {
            let shown: Vec<String> = headers.iter().take(20).map(|h| format!("{h:?}")).collect();
            out.problems.push(error(
                Some(1),
                format!(
                    "the consents export has no column for: {} (its headers are {})",
                    missing.join(", "),
                    shown.join(", ")
                ),
                "name them in consent/register.toml under [consents] columns, e.g. type = \"Consent Type\"",
            ));
            return out;
        }
        out.columns = at
            .iter()
            .map(|(f, &i)| (f.key().to_string(), headers[i].clone()))
            .collect();
        out.dated = [LongField::Date, LongField::Consented, LongField::Rejected]
            .iter()
            .any(|f| at.contains_key(f));
        for (n, record) in reader.records().enumerate() {
            let row = n + 2;
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    out.problems.push(error(
                        Some(row),
                        format!("this row could not be read ({e})"),
                        "export the consents again from the MIS rather than editing it by hand",
                    ));
                    continue;
                }
            };
            let cell = |f: LongField| {
                at.get(&f)
                    .and_then(|&i| record.get(i))
                    .map_or("", str::trim)
            };
            if record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let (id, kind) = (cell(LongField::Id), cell(LongField::Type));
            if id.is_empty() || kind.is_empty() {
                out.problems.push(Finding::warning(
                    "consent-register",
                    Location::row(source, row),
                    "this consent row has no id or no consent type, so it cannot be matched to anyone",
                    "export the consents again with the pupil's id and the consent type on every row",
                ));
                continue;
            }
            let mut unreadable = Vec::new();
            let answer = answer(&at, &cell, &mut unreadable);
            if !unreadable.is_empty() {
                out.problems.push(Finding::warning(
                    "consent-register",
                    Location::row(source, row),
                    format!(
                        "id {id}: {}; photos of this person for this consent are blocked until it is fixed",
                        unreadable.join("; ")
                    ),
                    "correct the consent in the MIS and export the consents again",
                ));
            }
            out.types
                .entry(type_key(kind))
                .or_insert_with(|| kind.to_string());
            let key = (id_key(id), type_key(kind));
            let merged = match out.answers.get(&key) {
                Some(earlier) => later_or_stricter(*earlier, answer),
                None => answer,
            };
            out.answers.insert(key, merged);
        }
        out
    }
}

/// A row's answer and its date.
fn answer<'r>(
    at: &BTreeMap<LongField, usize>,
    cell: &dyn Fn(LongField) -> &'r str,
    unreadable: &mut Vec<String>,
) -> Answer {
    let mut date = |f: LongField| match values::date(cell(f)) {
        Ok(d) => d,
        Err(e) => {
            unreadable.push(format!("{}: {e}", f.key()));
            None
        }
    };
    if at.contains_key(&LongField::Status) {
        let on = date(LongField::Date)
            .or_else(|| date(LongField::Consented))
            .or_else(|| date(LongField::Rejected));
        let status = match values::status(cell(LongField::Status)) {
            Ok(Some(s)) => Cell::Is(s),
            Ok(None) => Cell::Blank,
            Err(e) => {
                unreadable.push(format!("status: {e}"));
                Cell::Unreadable
            }
        };
        return Answer { status, date: on };
    }
    let api = [
        LongField::Consented,
        LongField::Rejected,
        LongField::Requested,
    ];
    if api.iter().any(|f| at.contains_key(f)) {
        let consented = date(LongField::Consented);
        let rejected = date(LongField::Rejected);
        let requested = date(LongField::Requested);
        let (status, on) = match (consented, rejected) {
            (Some(c), Some(r)) if r >= c => (Status::Refused, Some(r)),
            (Some(c), _) => (Status::Given, Some(c)),
            (None, Some(r)) => (Status::Refused, Some(r)),
            (None, None) if requested.is_some() => (Status::NotYet, requested),
            (None, None) => (Status::NotYet, None),
        };
        return Answer {
            status: Cell::Is(status),
            date: on,
        };
    }
    // A list of the consents given: the row is the answer.
    Answer {
        status: Cell::Is(Status::Given),
        date: date(LongField::Date),
    }
}

/// Two rows for the same pupil and consent: the later answer stands (a
/// renewal, a withdrawal); with no dates to tell, the stricter one.
fn later_or_stricter(a: Answer, b: Answer) -> Answer {
    match (a.date, b.date) {
        (Some(x), Some(y)) if x != y => {
            if y > x {
                b
            } else {
                a
            }
        }
        _ => {
            if strictness(b.status) > strictness(a.status) {
                b
            } else {
                a
            }
        }
    }
}

fn strictness(s: Cell<Status>) -> u8 {
    match s {
        Cell::Is(Status::Given) => 0,
        Cell::Blank | Cell::Is(Status::NotYet) => 1,
        Cell::Is(Status::Refused) => 2,
        Cell::Is(Status::Withdrawn) => 3,
        Cell::Unreadable => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(csv: &str) -> Consents {
        Consents::read(
            "consent/consents.csv",
            csv.as_bytes(),
            &BTreeMap::new(),
            |s| s.trim().to_lowercase(),
        )
    }

    fn status(c: &Consents, id: &str, kind: &str) -> Option<Cell<Status>> {
        c.answer(id, kind).map(|a| a.status)
    }

    #[test]
    fn arbor_style_statuses_and_dates() {
        let c = read(concat!(
            "Student ID,Student,Consent Type,Status,Response Date\n",
            "1001,A H,Photographs on website,Granted,07/09/2026\n",
            "1002,O O,Photographs on website,Rejected,08/09/2026\n",
            "1003,Z F,Photographs on website,Requested,\n",
            "1004,H N,Photographs on website,Pending,\n",
            "1005,S L,Photographs on website,Granted,01/09/2025\n",
            "1005,S L,Photographs on website,Withdrawn,01/10/2026\n",
        ));
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        assert!(c.dated);
        let kind = "photographs on WEBSITE";
        assert_eq!(status(&c, "1001", kind), Some(Cell::Is(Status::Given)));
        assert_eq!(status(&c, "1002", kind), Some(Cell::Is(Status::Refused)));
        assert_eq!(status(&c, "1003", kind), Some(Cell::Is(Status::NotYet)));
        assert_eq!(status(&c, "1004", kind), Some(Cell::Is(Status::NotYet)));
        assert_eq!(status(&c, "1005", kind), Some(Cell::Is(Status::Withdrawn)));
        assert_eq!(
            c.answer("1001", kind).and_then(|a| a.date),
            NaiveDate::from_ymd_opt(2026, 9, 7)
        );
        assert_eq!(status(&c, "1006", kind), None);
    }

    #[test]
    fn api_dates_give_the_answer() {
        let c = read(concat!(
            "student,consentType,requestedDatetime,consentedDatetime,rejectedDatetime\n",
            "1,Web,2026-09-01 08:00:00,2026-09-03 10:00:00,\n",
            "2,Web,2026-09-01 08:00:00,2026-09-03 10:00:00,2026-10-01 09:00:00\n",
            "3,Web,2026-09-01 08:00:00,,\n",
        ));
        // "student" is not an id header (in Arbor's screens it is a name).
        assert!(
            c.problems[0].message.contains("no column for: id"),
            "{:?}",
            c.problems
        );
        let c = read(concat!(
            "studentId,consentType,requestedDatetime,consentedDatetime,rejectedDatetime\n",
            "1,Web,2026-09-01 08:00:00,2026-09-03 10:00:00,\n",
            "2,Web,2026-09-01 08:00:00,2026-09-03 10:00:00,2026-10-01 09:00:00\n",
            "3,Web,2026-09-01 08:00:00,,\n",
        ));
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        assert_eq!(status(&c, "1", "web"), Some(Cell::Is(Status::Given)));
        assert_eq!(status(&c, "2", "web"), Some(Cell::Is(Status::Refused)));
        assert_eq!(status(&c, "3", "web"), Some(Cell::Is(Status::NotYet)));
    }

    #[test]
    fn a_list_of_consents_given_and_an_unreadable_status() {
        let c = read("Adno,Parental Consent\n1001,Photograph Student\n");
        assert_eq!(
            status(&c, "1001", "Photograph Student"),
            Some(Cell::Is(Status::Given))
        );
        assert!(!c.dated);
        let c = read("Adno,Consent Type,Status\n1001,Web,Perhaps\n");
        assert_eq!(status(&c, "1001", "web"), Some(Cell::Unreadable));
        assert!(c.problems[0].message.contains("status:"));
    }
}
