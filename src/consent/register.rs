//! The register: people and their consents, read from the MIS export in
//! `consent/` through the layout in `consent/register.toml`.
//!
//! Reading never decides policy and never fails the whole load for one bad
//! row: each problem becomes a finding with the row, and the row's
//! unreadable values are kept as such, so a photo of that person is
//! blocked (fail closed) while the rest of the register still works.

use super::columns::{Field, Layout};
use super::text::{self, Encoding};
use super::values::{self, Role};
use crate::report::{Finding, Location};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::path::Path;

/// The folder the register lives in, under the site root. Nothing in it is
/// ever published.
pub const CONSENT_DIR: &str = "consent";
/// The layout file in `consent/`.
pub const LAYOUT_FILE: &str = "register.toml";

/// A value read from a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell<T> {
    Blank,
    Is(T),
    /// The cell held something that could not be read (reported on its row).
    Unreadable,
}

impl<T: Copy> Cell<T> {
    fn from(result: Result<Option<T>, String>, problems: &mut Vec<String>, column: &str) -> Self {
        match result {
            Ok(Some(v)) => Cell::Is(v),
            Ok(None) => Cell::Blank,
            Err(e) => {
                problems.push(format!("{column}: {e}"));
                Cell::Unreadable
            }
        }
    }

    pub fn value(self) -> Option<T> {
        match self {
            Cell::Is(v) => Some(v),
            _ => None,
        }
    }
}

/// Whether and when consent was withdrawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Withdrawal {
    No,
    On(Option<NaiveDate>),
    Unreadable,
}

/// One row of the register.
///
/// Full names are private: they are for matching (the names rule), never
/// for printing. [`Person::label`] is what reports show.
#[derive(Clone)]
pub struct Person {
    pub id: String,
    /// The row in the export (the header is row 1).
    pub row: usize,
    legal_forename: String,
    legal_surname: String,
    preferred_forename: String,
    preferred_surname: String,
    pub group: String,
    pub role: Role,
    pub leaving: Cell<NaiveDate>,
    pub consent_date: Cell<NaiveDate>,
    pub withdrawn: Withdrawal,
    pub never_publish: Cell<bool>,
    consents: Vec<(String, Cell<bool>)>,
    /// Why the row could not be read as a whole, if it could not.
    pub damaged: Option<String>,
}

impl std::fmt::Debug for Person {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the full name, even in a debug print.
        f.debug_struct("Person")
            .field("id", &self.id)
            .field("row", &self.row)
            .field("name", &self.masked())
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

impl Person {
    /// The first name the school uses and the surname's initial:
    /// "Amelia S.". The most any report shows of a name.
    pub fn masked(&self) -> String {
        let first = self.forename();
        let surname = if self.preferred_surname.is_empty() {
            &self.legal_surname
        } else {
            &self.preferred_surname
        };
        match surname.chars().next() {
            Some(initial) if first.is_empty() => format!("{initial}."),
            Some(initial) => format!("{first} {initial}."),
            None => first.to_string(),
        }
    }

    /// The first name the school uses (preferred, else legal).
    pub fn forename(&self) -> &str {
        if self.preferred_forename.is_empty() {
            &self.legal_forename
        } else {
            &self.preferred_forename
        }
    }

    /// "1042 (Amelia S.)": how reports name a person.
    pub fn label(&self) -> String {
        format!("{} ({})", self.id, self.masked())
    }

    /// Every forename and surname the register records, legal and
    /// preferred, for finding names in text. Never print these.
    pub fn names_for_matching(&self) -> (Vec<&str>, Vec<&str>) {
        let mut forenames = vec![self.legal_forename.as_str()];
        if !self.preferred_forename.is_empty() && self.preferred_forename != self.legal_forename {
            forenames.push(&self.preferred_forename);
        }
        let mut surnames = vec![self.legal_surname.as_str()];
        if !self.preferred_surname.is_empty() && self.preferred_surname != self.legal_surname {
            surnames.push(&self.preferred_surname);
        }
        (forenames, surnames)
    }

    /// The consent recorded for a use (`website_group`, `newsletter`…);
    /// `None` when the register has no column for it.
    pub fn consent(&self, use_: &str) -> Option<Cell<bool>> {
        self.consents
            .iter()
            .find(|(u, _)| u == use_)
            .map(|(_, c)| *c)
    }

    /// Every use and what is recorded for it.
    pub fn consents(&self) -> &[(String, Cell<bool>)] {
        &self.consents
    }
}

/// What looking up an id finds.
#[derive(Debug, Clone)]
pub enum Lookup<'a> {
    Found(&'a Person),
    /// The id is on more than one row.
    Duplicate(Vec<usize>),
    Unknown,
    /// There is no usable register: none in `consent/`, or it could not
    /// be read.
    NoRegister,
}

/// The whole register.
#[derive(Debug, Default)]
pub struct Register {
    /// The export's path, relative to the site root.
    pub source: String,
    people: Vec<Person>,
    index: HashMap<String, Vec<usize>>,
    usable: bool,
    /// Problems reading the register, each with its file and row.
    pub problems: Vec<Finding>,
}

/// Ids are compared ignoring case and surrounding spaces. Borrowed when
/// already in that form (numeric MIS ids always are).
fn id_key(id: &str) -> std::borrow::Cow<'_, str> {
    let id = id.trim();
    if id.bytes().any(|b| b.is_ascii_uppercase() || !b.is_ascii()) {
        std::borrow::Cow::Owned(id.to_lowercase())
    } else {
        std::borrow::Cow::Borrowed(id)
    }
}

impl Register {
    /// Whether a register was found and could be read.
    pub fn is_usable(&self) -> bool {
        self.usable
    }

    pub fn people(&self) -> &[Person] {
        &self.people
    }

    pub fn lookup(&self, id: &str) -> Lookup<'_> {
        if !self.usable {
            return Lookup::NoRegister;
        }
        match self.index.get(id_key(id).as_ref()).map(Vec::as_slice) {
            None | Some([]) => Lookup::Unknown,
            Some([one]) => Lookup::Found(&self.people[*one]),
            Some(many) => Lookup::Duplicate(many.iter().map(|&i| self.people[i].row).collect()),
        }
    }

    /// Loads `root/consent/` (an absent register is not an error here: it
    /// only matters once a photo declares someone).
    pub fn load(root: &Path) -> Register {
        let dir = root.join(CONSENT_DIR);
        let layout_path = dir.join(LAYOUT_FILE);
        let layout_name = format!("{CONSENT_DIR}/{LAYOUT_FILE}");
        let mut register = Register::default();
        let layout = match std::fs::read(&layout_path) {
            Ok(bytes) => match parse_layout(&bytes) {
                Ok(layout) => layout,
                Err((line, message, fix)) => {
                    let location = match line {
                        Some(l) => Location::line(&layout_name, l),
                        None => Location::file(&layout_name),
                    };
                    register.problems.push(Finding::error(
                        "consent-register",
                        location,
                        message,
                        fix,
                    ));
                    return register;
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Layout::default(),
            Err(e) => {
                register.problems.push(Finding::error(
                    "consent-register",
                    Location::file(&layout_name),
                    format!("could not read the register's layout: {e}"),
                    "check the file's permissions",
                ));
                return register;
            }
        };
        let file = layout.file.trim_start_matches("./");
        register.source = format!("{CONSENT_DIR}/{file}");
        if file.is_empty() || file.contains("..") || Path::new(file).is_absolute() {
            register.problems.push(Finding::error(
                "consent-register",
                Location::file(&layout_name),
                format!("file = {:?} must be a file inside consent/", layout.file),
                "put the export in consent/ and write its name, e.g. file = \"register.csv\"",
            ));
            return register;
        }
        let bytes = match std::fs::read(dir.join(file)) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if layout_path.exists() {
                    register.problems.push(Finding::error(
                        "consent-register",
                        Location::file(&layout_name),
                        format!("the register {} does not exist", register.source),
                        "export the consent list from the MIS as CSV and save it there",
                    ));
                }
                return register;
            }
            Err(e) => {
                register.problems.push(Finding::error(
                    "consent-register",
                    Location::file(&register.source),
                    format!("could not read the register: {e}"),
                    "check the file's permissions",
                ));
                return register;
            }
        };
        register.read(&bytes, &layout);
        register
    }

    /// Reads the export's bytes with `layout`.
    pub fn parse(source: &str, bytes: &[u8], layout: &Layout) -> Register {
        let mut register = Register {
            source: source.to_string(),
            ..Register::default()
        };
        register.read(bytes, layout);
        register
    }

    fn read(&mut self, bytes: &[u8], layout: &Layout) {
        let source = self.source.clone();
        let error = |row: Option<usize>, message: String, fix: &str| {
            let location = match row {
                Some(r) => Location::row(&source, r),
                None => Location::file(&source),
            };
            Finding::error("consent-register", location, message, fix)
        };
        let (mut text, encoding) = text::decode(bytes);
        if encoding == Encoding::Windows1252 {
            self.problems.push(Finding::warning(
                "consent-register",
                Location::file(&source),
                "the register is not UTF-8; it was read as Windows-1252 (Excel's plain \"CSV\" format)",
                "in Excel, save it as \"CSV UTF-8 (Comma delimited)\" so accented names are always read right",
            ));
        }
        // Excel's "sep=;" hint line names the separator.
        let mut delimiter = text::delimiter(&text);
        let mut skipped = 0;
        if let Some(first) = text.lines().next()
            && let Some(sep) = first.trim().strip_prefix("sep=")
            && sep.len() == 1
        {
            delimiter = sep.as_bytes()[0];
            text = text.lines().skip(1).collect::<Vec<_>>().join("\n");
            skipped = 1;
        }
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(true)
            .from_reader(text.as_bytes());
        let headers: Vec<String> = match reader.headers() {
            Ok(h) => h.iter().map(|s| s.trim().to_string()).collect(),
            Err(e) => {
                self.problems.push(error(
                    Some(1 + skipped),
                    format!("the header row could not be read: {e}"),
                    "export the register again as CSV",
                ));
                return;
            }
        };
        if let Err(problem) = layout.validate() {
            self.problems.push(Finding::error(
                "consent-register",
                Location::file(format!("{CONSENT_DIR}/{LAYOUT_FILE}")),
                problem.message,
                problem.fix,
            ));
            return;
        }
        let columns = match layout.resolve(&headers) {
            Ok(c) => c,
            Err(problem) => {
                self.problems
                    .push(error(Some(1 + skipped), problem.message, &problem.fix));
                return;
            }
        };
        for (n, record) in reader.records().enumerate() {
            let row = n + 2 + skipped;
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    self.problems.push(error(
                        Some(row),
                        format!("this row could not be read ({e}); nobody on it can be published"),
                        "open the file in a spreadsheet, fix the row and export again",
                    ));
                    continue;
                }
            };
            if record.iter().all(|c| c.trim().is_empty()) {
                continue; // Excel's trailing empty rows.
            }
            let cell = |f: Field| {
                columns
                    .fields
                    .get(&f)
                    .and_then(|&i| record.get(i))
                    .map_or("", str::trim)
            };
            let id = cell(Field::Id).to_string();
            if id.is_empty() {
                self.problems.push(Finding::warning(
                    "consent-register",
                    Location::row(&source, row),
                    "this row has no id, so no photo can name this person",
                    "fill in the id (the MIS id or admission number)",
                ));
                continue;
            }
            let mut unreadable = Vec::new();
            let damaged = (record.len() != headers.len()).then(|| {
                format!(
                    "row {row} has {} values but the header has {}",
                    record.len(),
                    headers.len()
                )
            });
            let date = |f: Field, problems: &mut Vec<String>| {
                Cell::from(values::date(cell(f)), problems, f.key())
            };
            let leaving = date(Field::LeavingDate, &mut unreadable);
            let consent_date = date(Field::ConsentDate, &mut unreadable);
            let never_publish = Cell::from(
                values::yes_no(cell(Field::NeverPublish)),
                &mut unreadable,
                Field::NeverPublish.key(),
            );
            let withdrawn = read_withdrawal(
                cell(Field::Withdrawn),
                cell(Field::WithdrawnDate),
                &mut unreadable,
            );
            let role = values::role(cell(Field::Role)).unwrap_or_else(|e| {
                unreadable.push(format!("role: {e}; treated as a pupil"));
                Role::Pupil
            });
            let consents = columns
                .uses
                .iter()
                .map(|(name, i)| {
                    let value = record.get(*i).unwrap_or("");
                    (
                        name.clone(),
                        Cell::from(values::yes_no(value), &mut unreadable, name),
                    )
                })
                .collect();
            if looks_like_upn(&id) {
                self.problems.push(Finding::warning(
                    "consent-register",
                    Location::row(&source, row),
                    "this id looks like a UPN, which must never be shown outside the school's systems",
                    "use the MIS id or admission number as the id column",
                ));
            }
            if !unreadable.is_empty() {
                self.problems.push(Finding::warning(
                    "consent-register",
                    Location::row(&source, row),
                    format!(
                        "id {id}: {}; a photo of this person is blocked until it is fixed",
                        unreadable.join("; ")
                    ),
                    "correct the value in the MIS and export the register again",
                ));
            }
            if let Some(d) = &damaged {
                self.problems.push(Finding::warning(
                    "consent-register",
                    Location::row(&source, row),
                    format!("id {id}: {d}, so its columns cannot be trusted; a photo of this person is blocked"),
                    "a name or value with a comma must be in quotes: export the register again from the MIS rather than editing it by hand",
                ));
            }
            let person = Person {
                id,
                row,
                legal_forename: cell(Field::LegalForename).to_string(),
                legal_surname: cell(Field::LegalSurname).to_string(),
                preferred_forename: cell(Field::PreferredForename).to_string(),
                preferred_surname: cell(Field::PreferredSurname).to_string(),
                group: cell(Field::Group).to_string(),
                role,
                leaving,
                consent_date,
                withdrawn,
                never_publish,
                consents,
                damaged,
            };
            self.index
                .entry(id_key(&person.id).into_owned())
                .or_default()
                .push(self.people.len());
            self.people.push(person);
        }
        let mut duplicates: Vec<&Vec<usize>> =
            self.index.values().filter(|v| v.len() > 1).collect();
        duplicates.sort();
        for rows in duplicates {
            let first = &self.people[rows[0]];
            let others: Vec<String> = rows[1..]
                .iter()
                .map(|&i| self.people[i].row.to_string())
                .collect();
            self.problems.push(Finding::warning(
                "consent-register",
                Location::row(&source, first.row),
                format!(
                    "id {} is also on row {}; a photo declaring it is blocked until each id is unique",
                    first.id,
                    others.join(", ")
                ),
                "give each person their own id (the MIS id or admission number)",
            ));
        }
        if self.people.is_empty() {
            self.problems.push(error(
                None,
                "the register has no one in it".to_string(),
                "export the consent list from the MIS again; an empty export usually means a filter was left on",
            ));
            return;
        }
        self.usable = true;
    }
}

fn parse_layout(bytes: &[u8]) -> Result<Layout, (Option<usize>, String, String)> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        (
            None,
            "the register's layout is not UTF-8 text".to_string(),
            "save consent/register.toml as UTF-8".to_string(),
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let layout: Layout = toml::from_str(text).map_err(|e| {
        (
            e.span().map(|s| crate::config::line_of(text, s.start)),
            format!("the register's layout could not be read: {}", e.message()),
            "see consent/README.md for the layout's keys".to_string(),
        )
    })?;
    layout.validate().map_err(|p| (None, p.message, p.fix))?;
    Ok(layout)
}

/// The withdrawn column may hold yes/no or the date of withdrawal; a
/// separate withdrawn_date column may give the date.
fn read_withdrawal(flag: &str, date: &str, problems: &mut Vec<String>) -> Withdrawal {
    let on = match values::date(date) {
        Ok(d) => d,
        Err(e) => {
            problems.push(format!("withdrawn_date: {e}"));
            return Withdrawal::Unreadable;
        }
    };
    match values::yes_no(flag) {
        Ok(Some(true)) => Withdrawal::On(on),
        Ok(Some(false)) | Ok(None) => on.map_or(Withdrawal::No, |d| Withdrawal::On(Some(d))),
        Err(e) => match values::date(flag) {
            Ok(Some(d)) => Withdrawal::On(Some(d)),
            _ => {
                problems.push(format!("withdrawn: {e}, nor a date"));
                Withdrawal::Unreadable
            }
        },
    }
}

/// A UPN is a letter and twelve more characters, digits but for the last.
fn looks_like_upn(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 13
        && b[0].is_ascii_alphabetic()
        && b[1..12].iter().all(u8::is_ascii_digit)
        && b[12].is_ascii_alphanumeric()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "id,legal_forename,legal_surname,preferred_forename,role,leaving_date,consent_date,withdrawn,never_publish,website_group,website_individual,website_named_first_name\n";

    fn parse(rows: &str) -> Register {
        Register::parse(
            "consent/register.csv",
            format!("{HEADER}{rows}").as_bytes(),
            &Layout::default(),
        )
    }

    #[test]
    fn reads_a_row() {
        let r = parse("1001,Amelia,Smith,Millie,pupil,22/07/2027,2026-09-01,no,no,yes,Y,1\n");
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        let Lookup::Found(p) = r.lookup("1001") else {
            panic!()
        };
        assert_eq!(p.row, 2);
        assert_eq!(p.label(), "1001 (Millie S.)");
        assert_eq!(p.leaving.value(), NaiveDate::from_ymd_opt(2027, 7, 22));
        assert_eq!(p.consent("website_individual"), Some(Cell::Is(true)));
        assert!(!format!("{p:?}").contains("Smith"));
    }

    #[test]
    fn bad_rows_are_findings_with_rows_and_no_full_names() {
        let r = parse(concat!(
            "1001,Amelia,Smith,,pupil,soon,2026-09-01,no,no,yes,maybe,1\n",
            "1002,Ben,Jones,,pupil,,2026-09-01,no,no,yes,yes\n",
            "1001,Carl,Brown,,pupil,,2026-09-01,no,no,yes,yes,yes\n",
            ",,,,,,,,,,,\n",
            ",Dan,Evans,,,,,,,,,\n",
        ));
        let text: Vec<String> = r
            .problems
            .iter()
            .map(|f| format!("{} {}", f.location, f.message))
            .collect();
        assert_eq!(text.len(), 4, "{text:#?}");
        assert!(
            text[0].contains("row 2")
                && text[0].contains("leaving_date: \"s…\" (a word of 4 letters) is not a date")
        );
        assert!(text[0].contains("website_individual: \"m…\""));
        assert!(text[1].contains("row 3") && text[1].contains("11 values but the header has 12"));
        assert!(text[2].contains("row 6") && text[2].contains("no id"));
        assert!(text[3].contains("row 2") && text[3].contains("also on row 4"));
        for t in &text {
            assert!(!t.contains("Smith") && !t.contains("Jones"), "{t}");
        }
        assert!(matches!(r.lookup("1001"), Lookup::Duplicate(rows) if rows == vec![2, 4]));
        assert!(matches!(r.lookup("1002"), Lookup::Found(p) if p.damaged.is_some()));
        assert!(matches!(r.lookup("9999"), Lookup::Unknown));
    }

    #[test]
    fn excel_exports_bom_windows_1252_and_semicolons() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(HEADER.replace(',', ";").as_bytes());
        bytes.extend_from_slice("1001;Zoë;Ashby;;;;01/09/2026;;no;yes;yes;no\n".as_bytes());
        let r = Register::parse("c.csv", &bytes, &Layout::default());
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert!(matches!(r.lookup("1001"), Lookup::Found(p) if p.masked() == "Zoë A."));

        let mut bytes = HEADER.as_bytes().to_vec();
        bytes.extend_from_slice(b"1001,Zo\xEB,Ashby,,,,01/09/2026,,no,yes,yes,no\n");
        let r = Register::parse("c.csv", &bytes, &Layout::default());
        assert_eq!(r.problems.len(), 1);
        assert!(r.problems[0].message.contains("Windows-1252"));
        assert!(matches!(r.lookup("1001"), Lookup::Found(p) if p.masked() == "Zoë A."));
    }

    #[test]
    fn empty_register_and_missing_column_are_errors() {
        let r = parse("");
        assert!(!r.is_usable());
        assert!(r.problems[0].message.contains("no one in it"));
        let r = Register::parse("c.csv", b"id,legal_forename\n1,A\n", &Layout::default());
        assert!(!r.is_usable());
        assert_eq!(r.problems[0].location.row, Some(1));
        assert!(r.problems[0].message.contains("no column for"));
        assert!(matches!(r.lookup("1"), Lookup::NoRegister));
    }

    #[test]
    fn withdrawal_as_flag_or_date() {
        let mut p = Vec::new();
        assert_eq!(read_withdrawal("yes", "", &mut p), Withdrawal::On(None));
        assert_eq!(
            read_withdrawal("03/03/2026", "", &mut p),
            Withdrawal::On(NaiveDate::from_ymd_opt(2026, 3, 3))
        );
        assert_eq!(read_withdrawal("no", "", &mut p), Withdrawal::No);
        assert!(p.is_empty());
        assert_eq!(
            read_withdrawal("perhaps", "", &mut p),
            Withdrawal::Unreadable
        );
        assert!(looks_like_upn("A123456789012"));
        assert!(!looks_like_upn("1042"));
    }
}
