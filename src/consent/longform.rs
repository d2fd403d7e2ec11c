//! A long-form consents export: one row per pupil and consent type, as
//! Arbor and Bromcom keep consents (and as a SIMS "Parental Consent"
//! report lists them). Joined to the pupil export by id.
//!
//! A row's answer comes from a status column (Arbor's "Granted",
//! "Rejected", "Requested"…; Bromcom's `latestConsentStatus`), or from
//! the API's own dates (`consentedDatetime`, `rejectedDatetime`,
//! `requestedDatetime`), or, in a list that holds only the consents given
//! (a SIMS report of ticked consents), from the row being there at all.

use super::columns::LongForm;
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
    Withdrawn,
}

impl LongField {
    const ALL: [LongField; 8] = [
        LongField::Id,
        LongField::Type,
        LongField::Status,
        LongField::Date,
        LongField::Consented,
        LongField::Rejected,
        LongField::Requested,
        LongField::Withdrawn,
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
            LongField::Withdrawn => "withdrawn",
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
            LongField::Withdrawn => &["withdrawn datetime", "withdrawn date", "date withdrawn"],
        }
    }
}

/// Columns a consents export may have that carry no answer: who the row
/// is about, by name or group, and who asked or answered. Any other
/// column must be one the reader understands or be listed in `[consents]
/// ignore`, so an answer is never in a column nobody reads.
const NO_ANSWER: &[&str] = &[
    "student",
    "student name",
    "pupil",
    "pupil name",
    "name",
    "forename",
    "surname",
    "first name",
    "last name",
    "legal first name",
    "legal last name",
    "preferred first name",
    "preferred last name",
    "legal forename",
    "legal surname",
    "preferred forename",
    "preferred surname",
    "year",
    "year group",
    "registration form",
    "reg group",
    "form",
    "class",
    "tutor group",
    "upn",
    "date of birth",
    "requestor",
    "respondee",
    "responded by",
    "parent",
    "contact",
];

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
    /// The types (by key) with a refusal or withdrawal on some row.
    pub refused_types: std::collections::BTreeSet<String>,
    /// `[consents] other_types`, by key.
    pub other_types: Vec<String>,
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

    /// Reads `bytes` (the file at `source`) as `[consents]` describes it;
    /// dates after `not_after` (the day the file was saved) are
    /// unreadable. `id_key` makes ids comparable with the pupil export's.
    pub fn read(
        source: &str,
        bytes: &[u8],
        long: &LongForm,
        not_after: Option<NaiveDate>,
        id_key: impl Fn(&str) -> String,
    ) -> Consents {
        let mut out = Consents::default();
        let error = |row: Option<usize>, message: String, fix: &str| {
            let at = row.map_or_else(|| Location::file(source), |r| Location::row(source, r));
            Finding::error("consent-register", at, message, fix)
        };
        let overrides = &long.columns;
        if let Some(key) = overrides
            .keys()
            .find(|k| !LongField::ALL.iter().any(|f| f.key() == k.as_str()))
        {
            out.problems.push(error(
                None,
                format!(
                    "[consents] columns has {key:?}, which is not a field of a consents export"
                ),
                "use id, type, status, date, consented, rejected, requested or withdrawn",
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
        let at = match columns(&headers, long) {
            Ok(at) => at,
            Err((message, fix)) => {
                out.problems.push(error(Some(1), message, &fix));
                return out;
            }
        };
        out.columns = at
            .iter()
            .map(|(f, &i)| (f.key().to_string(), headers[i].clone()))
            .collect();
        out.other_types = long.other_types.iter().map(|t| type_key(t)).collect();
        out.dated = [LongField::Date, LongField::Consented, LongField::Rejected]
            .iter()
            .any(|f| at.contains_key(f));
        let records: Vec<_> = reader.records().collect();
        let dates = [
            LongField::Date,
            LongField::Consented,
            LongField::Rejected,
            LongField::Requested,
            LongField::Withdrawn,
        ];
        let month_first = records.iter().flatten().any(|r| {
            dates.iter().filter_map(|f| at.get(f)).any(|&i| {
                values::date(r.get(i).unwrap_or("")).is_err_and(|e| e.contains("US date"))
            })
        });
        for (n, record) in records.into_iter().enumerate() {
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
            let reading = Reading {
                given_only: long.given_only,
                not_after,
                month_first,
            };
            let answer = answer(&at, &cell, &reading, &mut unreadable);
            if matches!(answer.status, Cell::Is(Status::Refused | Status::Withdrawn)) {
                out.refused_types.insert(type_key(kind));
            }
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

/// How the rows of one file are read.
struct Reading {
    given_only: bool,
    /// The day the file was saved: a date after it is a mistake.
    not_after: Option<NaiveDate>,
    /// Some date in the file can only be month first (US), so a date
    /// that reads either way cannot be trusted.
    month_first: bool,
}

/// A row's answer and its date. A date that cannot be read, that is
/// after the file was saved, or that reads either way in a US file,
/// makes the answer unreadable: the answer's age decides whether it
/// still stands. A refusal or withdrawal dated after the answer wins.
fn answer<'r>(
    at: &BTreeMap<LongField, usize>,
    cell: &dyn Fn(LongField) -> &'r str,
    how: &Reading,
    unreadable: &mut Vec<String>,
) -> Answer {
    let mut bad_date = false;
    let mut date = |f: LongField| match values::date(cell(f)) {
        Ok(Some(d)) if how.not_after.is_some_and(|n| d > n) => {
            unreadable.push(format!("{}: {d} is after the export was saved", f.key()));
            bad_date = true;
            None
        }
        Ok(Some(_)) if how.month_first && values::day_month_ambiguous(cell(f)) => {
            unreadable.push(format!(
                "{}: {:?} could be either day or month first, and other dates in this file are month first (US)",
                f.key(),
                cell(f)
            ));
            bad_date = true;
            None
        }
        Ok(d) => d,
        Err(e) => {
            unreadable.push(format!("{}: {e}", f.key()));
            bad_date = true;
            None
        }
    };
    let consented = date(LongField::Consented);
    let rejected = date(LongField::Rejected);
    let withdrawn = date(LongField::Withdrawn);
    let requested = date(LongField::Requested);
    let own = date(LongField::Date);
    let mut result = if at.contains_key(&LongField::Status) {
        let status = match values::status(cell(LongField::Status)) {
            Ok(Some(s)) => Cell::Is(s),
            Ok(None) => Cell::Blank,
            Err(e) => {
                unreadable.push(format!("status: {e}"));
                Cell::Unreadable
            }
        };
        Answer {
            status,
            date: own.or(consented).or(rejected),
        }
    } else if how.given_only {
        // A list of the consents given: the row is the answer.
        Answer {
            status: Cell::Is(Status::Given),
            date: own.or(consented),
        }
    } else {
        let status = if consented.is_some() {
            Status::Given
        } else if rejected.is_some() {
            Status::Refused
        } else {
            Status::NotYet
        };
        Answer {
            status: Cell::Is(status),
            date: consented.or(rejected).or(requested),
        }
    };
    // A refusal or withdrawal on or after the answer's date stands.
    for (on, status) in [(rejected, Status::Refused), (withdrawn, Status::Withdrawn)] {
        if let Some(on) = on
            && result.date.is_none_or(|d| on >= d)
            && !(status == Status::Refused && result.status == Cell::Is(Status::Refused))
        {
            result = Answer {
                status: Cell::Is(status),
                date: Some(on),
            };
        }
    }
    if bad_date {
        result.status = Cell::Unreadable;
    }
    result
}

/// Where each field is: every column known, named in `[consents]
/// columns`, or listed as carrying no answer; one column for each field.
fn columns(
    headers: &[String],
    long: &LongForm,
) -> Result<BTreeMap<LongField, usize>, (String, String)> {
    let normal = |h: &str| type_key(h);
    let mut at = BTreeMap::new();
    for field in LongField::ALL {
        let wanted: Vec<String> = match long.columns.get(field.key()) {
            Some(h) => vec![normal(h)],
            None => field.headers().iter().map(|h| normal(h)).collect(),
        };
        let found: Vec<usize> = (0..headers.len())
            .filter(|&i| wanted.contains(&normal(&headers[i])))
            .collect();
        match found.as_slice() {
            [] => {}
            [one] => {
                at.insert(field, *one);
            }
            many => {
                let names: Vec<String> =
                    many.iter().map(|&i| format!("{:?}", headers[i])).collect();
                return Err((
                    format!(
                        "the consents export has more than one column that could be the {}: {}",
                        field.key(),
                        names.join(", ")
                    ),
                    format!(
                        "say which under [consents] columns in consent/register.toml, e.g. {} = {}",
                        field.key(),
                        names[0]
                    ),
                ));
            }
        }
    }
    let missing: Vec<&str> = [LongField::Id, LongField::Type]
        .into_iter()
        .filter(|f| !at.contains_key(f))
        .map(LongField::key)
        .collect();
    if !missing.is_empty() {
        // A first row with none of the columns is data, not a header row:
        // it is not shown (it may hold a name).
        let shown = if at.is_empty() {
            "its first row is not a header row schoolsite can read".to_string()
        } else {
            let h: Vec<String> = headers.iter().take(20).map(|h| format!("{h:?}")).collect();
            format!("its headers are {}", h.join(", "))
        };
        return Err((
            format!("the consents export has no column for: {} ({shown})", missing.join(", ")),
            "name them in consent/register.toml under [consents] columns, e.g. type = \"Consent Type\"".into(),
        ));
    }
    let answers = [
        LongField::Status,
        LongField::Consented,
        LongField::Rejected,
        LongField::Withdrawn,
        LongField::Requested,
    ];
    if !long.given_only && !answers.iter().any(|f| at.contains_key(f)) {
        return Err((
            "the consents export has no column that says what each answer was (status, or the dates consent was given and refused)".into(),
            "name the answer's column under [consents] columns (status = \"…\"); if the file lists only the consents that were given, say so with given_only = true".into(),
        ));
    }
    let known: Vec<String> = NO_ANSWER
        .iter()
        .map(|h| normal(h))
        .chain(long.ignore.iter().map(|h| normal(h)))
        .collect();
    let unknown: Vec<String> = headers
        .iter()
        .enumerate()
        .filter(|(i, h)| {
            !h.is_empty() && !at.values().any(|j| j == i) && !known.contains(&normal(h))
        })
        .map(|(_, h)| format!("{h:?}"))
        .collect();
    if !unknown.is_empty() {
        return Err((
            format!("the consents export has columns schoolsite does not read: {} (one could hold an answer)", unknown.join(", ")),
            "map a column that holds the answer under [consents] columns; list columns that hold no answer under [consents] ignore = [\"…\"]".into(),
        ));
    }
    Ok(at)
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

/// How far an answer is from "given": the stricter of two wins.
pub(super) fn strictness(s: Cell<Status>) -> u8 {
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

    fn long(given_only: bool) -> LongForm {
        LongForm {
            file: "consents.csv".into(),
            columns: BTreeMap::new(),
            given_only,
            ignore: Vec::new(),
            other_types: Vec::new(),
        }
    }

    fn read_as(csv: &str, long: &LongForm) -> Consents {
        let saved = NaiveDate::from_ymd_opt(2026, 12, 1);
        Consents::read("consent/consents.csv", csv.as_bytes(), long, saved, |s| {
            s.trim().to_lowercase()
        })
    }

    fn read(csv: &str) -> Consents {
        read_as(csv, &long(false))
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
        // Only when the school says the file lists consents given.
        let c = read("Adno,Parental Consent\n1001,Photograph Student\n");
        assert!(
            c.problems[0]
                .message
                .contains("no column that says what each answer was")
        );
        let c = read_as(
            "Adno,Parental Consent\n1001,Photograph Student\n",
            &long(true),
        );
        assert_eq!(
            status(&c, "1001", "Photograph Student"),
            Some(Cell::Is(Status::Given))
        );
        assert!(!c.dated);
        let c = read("Adno,Consent Type,Status\n1001,Web,Perhaps\n");
        assert_eq!(status(&c, "1001", "web"), Some(Cell::Unreadable));
        assert!(c.problems[0].message.contains("status:"));
    }

    #[test]
    fn an_answer_in_a_column_nobody_reads_is_refused() {
        for csv in [
            "Arbor Student ID,Student,Consent Type,Consent Status Name,Response Date\n1,A,Web,Rejected,01/09/2026\n",
            "Adno,Name,Parental Consent,Given,Date\n1,A,Web,No,01/09/2026\n",
        ] {
            let c = read(csv);
            let m = &c.problems[0].message;
            assert!(
                m.contains("does not read")
                    || m.contains("no column that says what each answer was"),
                "{csv}: {m}"
            );
        }
        // Named as holding no answer, it is ignored.
        let mut l = long(false);
        l.ignore.push("Reference".into());
        let c = read_as(
            "Adno,Consent Type,Status,Reference\n1,Web,Granted,R-77\n",
            &l,
        );
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        // Two columns that could be the id.
        let c = read("ID,Student ID,Consent Type,Status\n9,1,Web,Granted\n");
        assert!(
            c.problems[0]
                .message
                .contains("more than one column that could be the id")
        );
        // A first row of data is not echoed back: it may hold a name.
        let c = read("1001,Amelia,Hartley,Granted\n");
        assert!(
            !c.problems[0].message.contains("Amelia"),
            "{}",
            c.problems[0].message
        );
    }

    #[test]
    fn a_date_that_cannot_be_read_or_is_still_to_come_makes_the_answer_unreadable() {
        let c = read(concat!(
            "Adno,Consent Type,Status,Date\n",
            "1,Web,Granted,31/02/2026\n",
            "2,Web,Granted,46000\n",
            "3,Web,Granted,07/09/2062\n",
            "4,Web,Granted,07/09/2026\n",
        ));
        for id in ["1", "2", "3"] {
            assert_eq!(status(&c, id, "web"), Some(Cell::Unreadable), "{id}");
        }
        assert_eq!(status(&c, "4", "web"), Some(Cell::Is(Status::Given)));
        let c = read(concat!(
            "studentId,consentType,consentedDatetime,withdrawnDatetime\n",
            "1,Web,2026-09-03 10:00:00,2026-10-01 09:00:00\n",
            "2,Web,2026-09-03 10:00:00,\n",
        ));
        assert_eq!(status(&c, "1", "web"), Some(Cell::Is(Status::Withdrawn)));
        assert_eq!(status(&c, "2", "web"), Some(Cell::Is(Status::Given)));
    }

    #[test]
    fn a_refusal_or_withdrawal_dated_after_the_answer_stands() {
        let c = read(concat!(
            "Adno,Consent Type,Status,Date,Withdrawn Date\n",
            "1,Web,Granted,07/09/2026,01/11/2026\n",
            "2,Web,Granted,07/09/2026,\n",
        ));
        assert_eq!(status(&c, "1", "web"), Some(Cell::Is(Status::Withdrawn)));
        assert_eq!(status(&c, "2", "web"), Some(Cell::Is(Status::Given)));
        let c = read_as(
            "Adno,Parental Consent,rejectedDatetime\n1,Web,2026-10-01\n2,Web,\n",
            &long(true),
        );
        assert_eq!(status(&c, "1", "web"), Some(Cell::Is(Status::Refused)));
        assert_eq!(status(&c, "2", "web"), Some(Cell::Is(Status::Given)));
        // Consent given again after a withdrawal is given.
        let c = read(concat!(
            "studentId,consentType,consentedDatetime,withdrawnDatetime\n",
            "1,Web,2026-11-01,2026-10-01\n",
        ));
        assert_eq!(status(&c, "1", "web"), Some(Cell::Is(Status::Given)));
    }

    #[test]
    fn in_a_file_with_us_dates_a_date_that_reads_either_way_is_unreadable() {
        let c = read(concat!(
            "Adno,Consent Type,Status,Date\n",
            "1,Web,Granted,09/07/2026\n",
            "2,Web,Granted,09/15/2026\n",
            "3,Web,Granted,22/09/2026\n",
        ));
        assert_eq!(status(&c, "1", "web"), Some(Cell::Unreadable));
        assert_eq!(status(&c, "2", "web"), Some(Cell::Unreadable));
        // A UK-only file keeps its ambiguous-looking dates.
        let c = read("Adno,Consent Type,Status,Date\n1,Web,Granted,09/07/2026\n");
        assert_eq!(status(&c, "1", "web"), Some(Cell::Is(Status::Given)));
    }
}
