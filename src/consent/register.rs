//! The register: people and their consents, read from the MIS export in
//! `consent/` through the layout in `consent/register.toml`.
//!
//! Reading never decides policy and never fails the whole load for one bad
//! row: each problem becomes a finding with the row, and the row's
//! unreadable values are kept as such, so a photo of that person is
//! blocked (fail closed) while the rest of the register still works.

use super::columns::{Columns, Field, Layout};
use super::history::{HISTORY_FILE, History, Seen};
use super::longform::{Consents, strictness};
use super::never::{self, NEVER_FILE, NeverPublish};
use super::text::{self, Encoding};
use super::values::{self, Role, Status};
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

/// What is recorded for one consent: its answer and, when the export
/// gives one, the date of that answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Consent {
    pub status: Cell<Status>,
    pub date: Option<NaiveDate>,
}

/// One row of the register.
///
/// Full names are private: they are for matching (the names rule), never
/// for printing. [`Person::label`] is what reports show.
#[derive(Clone)]
pub struct Person {
    pub id: String,
    /// The export the row is in (`consent/pupils.csv`).
    pub file: String,
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
    consents: Vec<(String, Consent)>,
    /// Why the row could not be read as a whole, if it could not.
    pub damaged: Option<String>,
    /// For someone no longer in the export: the masked name the history
    /// remembers (their full name is no longer known).
    gone: Option<String>,
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
        if let Some(masked) = &self.gone {
            return masked.clone();
        }
        // One word of the first name, whatever the cell holds (a middle
        // name, or a whole name shifted into it by a stray comma).
        let first = self
            .forename()
            .split(|c: char| c.is_whitespace() || c == ',')
            .find(|w| !w.is_empty())
            .unwrap_or("")
            .trim_matches(|c: char| !c.is_alphanumeric());
        let surname = if self.preferred_surname.is_empty() {
            &self.legal_surname
        } else {
            &self.preferred_surname
        };
        match surname.trim().chars().next() {
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
        if self.gone.is_some() {
            return (Vec::new(), Vec::new());
        }
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

    /// Whether they are no longer in the export (the history remembers
    /// them), so all that is known is that they have left.
    pub fn is_gone(&self) -> bool {
        self.gone.is_some()
    }

    /// The consent recorded for a use (`website_group`, `newsletter`…);
    /// `None` when the register has no column for it.
    pub fn consent(&self, use_: &str) -> Option<Consent> {
        self.consents
            .iter()
            .find(|(u, _)| u == use_)
            .map(|(_, c)| *c)
    }

    /// Every use and what is recorded for it.
    pub fn consents(&self) -> &[(String, Consent)] {
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
    /// What was read, for `register check`.
    pub summary: Summary,
    /// An export could not be read at all.
    failed: bool,
}

/// What the register understood of the files it read.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub preset: String,
    /// (file, field or use, where it was read from).
    pub mapped: Vec<(String, String, String)>,
    pub never: Option<NeverPublish>,
    /// People no longer in the export, and since when.
    pub gone: Vec<Seen>,
    /// The preset that would find more, and why, when the layout failed.
    pub closest: Option<(String, String)>,
}

/// What one export's rows are read with, beyond the layout.
struct Extra<'a> {
    consents: Option<&'a Consents>,
    /// The register-level date consent was collected.
    collected: Option<NaiveDate>,
    never: Option<&'a NeverPublish>,
    /// The adults file: its people are staff unless it says otherwise,
    /// and it needs no never-publish list.
    adults: bool,
    /// The day the export was saved: a date after it is a mistake.
    saved: Option<NaiveDate>,
    /// The export read on its own (`parse`), with no folder around it.
    alone: bool,
}

/// How one export's rows are read: its columns, its headers, and the
/// date columns whose other dates are month first.
struct Sheet<'a> {
    columns: &'a Columns,
    headers: &'a [String],
    month_first: &'a [Field],
}

/// Ids are compared as Excel and keyboards leave them: ignoring case,
/// surrounding spaces, a number's leading zeros and Excel's `.0`
/// (`001042` and `1042.0` are saved from `1042`), and width (a
/// full-width `１０４２` is `1042`, by Unicode's NFKC). Borrowed when
/// already in that form.
pub fn id_key(id: &str) -> std::borrow::Cow<'_, str> {
    use unicode_normalization::UnicodeNormalization;
    let id = id.trim();
    if !id.is_ascii() {
        // Folded once; what is still not ASCII is compared as folded.
        let folded: String = id.nfkc().flat_map(char::to_lowercase).collect();
        if folded.is_ascii() {
            return std::borrow::Cow::Owned(id_key(&folded).into_owned());
        }
        return std::borrow::Cow::Owned(folded.trim().to_string());
    }
    let number = id
        .split_once('.')
        .filter(|(_, frac)| !frac.is_empty() && frac.bytes().all(|b| b == b'0'))
        .map_or(id, |(whole, _)| whole);
    if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) {
        let kept = number.trim_start_matches('0');
        return std::borrow::Cow::Borrowed(if kept.is_empty() { "0" } else { kept });
    }
    if id.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(id.to_ascii_lowercase())
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

    /// Whether `ids` name adults only: at least one id, and each found
    /// in the register, on one row, as staff or another adult. An id
    /// that is unknown, on two rows or a pupil's makes it not adults
    /// only: a photo is called "adults only" because the register says
    /// so of everyone declared in it, never because someone typed it.
    /// It changes no rule: adults are declared by id and need their own
    /// consent like pupils.
    pub fn adults_only<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> bool {
        let mut any = false;
        for id in ids {
            match self.lookup(id) {
                Lookup::Found(p) if p.role != Role::Pupil => any = true,
                _ => return false,
            }
        }
        any
    }

    /// Loads `root/consent/` (an absent register is not an error here: it
    /// only matters once a photo declares someone).
    pub fn load(root: &Path) -> Register {
        let dir = root.join(CONSENT_DIR);
        let layout_path = dir.join(LAYOUT_FILE);
        let layout_name = format!("{CONSENT_DIR}/{LAYOUT_FILE}");
        let mut register = Register::default();
        let layout = match read_inside(&dir, &layout_path) {
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
                    read_fix(&e),
                ));
                return register;
            }
        };
        register.source = format!("{CONSENT_DIR}/{}", layout.file.trim_start_matches("./"));
        if let Some(d) = collected_in_future(&layout) {
            register.problems.push(Finding::error(
                "consent-register",
                Location::file(&layout_name),
                format!("consents_collected = {d} has not come yet, and would make consent last past a year from when it was given"),
                "set it to the day this round of consent forms was collected",
            ));
            return register;
        }
        register.misnamed_never_list(&dir);
        let Some(bytes) = register.read_file(&dir, &layout.file, "file", layout_path.exists())
        else {
            return register;
        };
        let consents = match &layout.consents {
            Some(long) => match register.read_file(&dir, &long.file, "[consents] file", true) {
                Some(b) => {
                    let source = format!("{CONSENT_DIR}/{}", long.file.trim_start_matches("./"));
                    let c = Consents::read(
                        &source,
                        &b,
                        long,
                        Some(modified_date(&dir.join(long.file.trim_start_matches("./")))),
                        |id| id_key(id).into_owned(),
                    );
                    if c.problems
                        .iter()
                        .any(|f| f.severity == crate::report::Severity::Error)
                    {
                        register.problems.extend(c.problems);
                        return register;
                    }
                    register.summary.mapped.extend(
                        c.columns
                            .iter()
                            .map(|(f, h)| (source.clone(), f.clone(), h.clone())),
                    );
                    Some(c)
                }
                None => return register,
            },
            None => None,
        };
        let never = match read_inside(&dir, &dir.join(NEVER_FILE)) {
            Ok(b) => match never::read(&b, chrono::Local::now().date_naive()) {
                Ok(n) => Some(n),
                Err(f) => {
                    register.problems.push(*f);
                    return register;
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                register.problems.push(Finding::error(
                    "consent-never-publish",
                    Location::file(format!("{CONSENT_DIR}/{NEVER_FILE}")),
                    format!("the never-publish list could not be read: {e}"),
                    "make it an ordinary file in consent/, written by the designated safeguarding lead",
                ));
                return register;
            }
        };
        let mut extra = Extra {
            consents: consents.as_ref(),
            collected: collected(&layout),
            never: never.as_ref(),
            adults: false,
            saved: Some(modified_date(
                &dir.join(layout.file.trim_start_matches("./")),
            )),
            alone: false,
        };
        let source = register.source.clone();
        register.read(&source, &bytes, &layout, &extra);
        if let Some(c) = &consents {
            register.problems.extend(c.problems.iter().cloned());
            register.unmapped_types(c, &layout);
        }
        if let Some(adults) = layout.adults.as_deref().filter(|_| !register.failed)
            && let Some(b) = register.read_file(&dir, adults, "adults", true)
        {
            extra.adults = true;
            let source = format!("{CONSENT_DIR}/{}", adults.trim_start_matches("./"));
            // The school's own file, or a staff export from the same MIS.
            let staff = Layout {
                preset: layout.preset.clone(),
                ..Layout::default()
            };
            register.read(&source, &b, &staff, &extra);
        }
        register.summary.preset = layout.preset.clone();
        register.summary.never = never;
        // An export with nobody in it is a filter left on, not a school
        // whose pupils have all left.
        if !register.failed && !register.people.is_empty() {
            let export_date = modified_date(&dir.join(layout.file.trim_start_matches("./")));
            register.remember(&dir, export_date);
        }
        register.finish();
        register
    }

    /// Reads a file named in `register.toml`, which must be inside
    /// `consent/`; `None` (and a finding) if it cannot be.
    fn read_file(&mut self, dir: &Path, file: &str, key: &str, required: bool) -> Option<Vec<u8>> {
        let layout_name = format!("{CONSENT_DIR}/{LAYOUT_FILE}");
        let rel = file.trim_start_matches("./");
        let shown = format!("{CONSENT_DIR}/{rel}");
        if rel.is_empty() || rel.contains("..") || Path::new(rel).is_absolute() {
            self.problems.push(Finding::error(
                "consent-register",
                Location::file(&layout_name),
                format!("{key} = {file:?} must be a file inside consent/"),
                "put the export in consent/ and write its name, e.g. file = \"register.csv\"",
            ));
            return None;
        }
        match read_inside(dir, &dir.join(rel)) {
            Ok(b) => Some(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if required {
                    self.problems.push(Finding::error(
                        "consent-register",
                        Location::file(&layout_name),
                        format!("{shown} ({key} in {layout_name}) does not exist"),
                        "export it from the MIS as CSV and save it there",
                    ));
                }
                None
            }
            Err(e) => {
                self.problems.push(Finding::error(
                    "consent-register",
                    Location::file(&shown),
                    format!("could not read {shown}: {e}"),
                    read_fix(&e),
                ));
                None
            }
        }
    }

    /// Reads the export's bytes with `layout` (the export alone: no
    /// consents file, never-publish list or history).
    pub fn parse(source: &str, bytes: &[u8], layout: &Layout) -> Register {
        let mut register = Register {
            source: source.to_string(),
            ..Register::default()
        };
        let extra = Extra {
            consents: None,
            collected: collected(layout),
            never: None,
            adults: false,
            saved: None,
            alone: true,
        };
        register.read(source, bytes, layout, &extra);
        register.finish();
        register
    }

    /// Compares this export's ids with the history in `dir`: anyone
    /// missing from it has left, from the export's date.
    fn remember(&mut self, dir: &Path, export_date: NaiveDate) {
        let path = dir.join(HISTORY_FILE);
        let name = format!("{CONSENT_DIR}/{HISTORY_FILE}");
        let key = |id: &str| id_key(id).into_owned();
        let mut history = read_inside(dir, &path)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .map(|t| History::parse(&t, key))
            .unwrap_or_default();
        let before = history.clone();
        let present = self
            .people
            .iter()
            .filter(|p| p.role == Role::Pupil)
            .map(|p| (key(&p.id), (p.id.clone(), p.masked())))
            .collect();
        for seen in history.update(&present, export_date) {
            self.problems.push(Finding::warning(
                "consent-left",
                Location::file(&self.source),
                format!(
                    "{} ({}) was in the last export but is not in this one: treated as having left on {}",
                    seen.id,
                    seen.masked,
                    seen.left_on.unwrap_or(export_date)
                ),
                "nothing to do if they have left: their photos are blocked; if they have not, export the register again with them in it",
            ));
        }
        let read: std::collections::HashSet<String> =
            self.people.iter().map(|p| key(&p.id)).collect();
        for seen in history.gone() {
            if !read.contains(key(&seen.id).as_str()) {
                self.people.push(Person::gone(seen, &name));
                self.summary.gone.push(seen.clone());
            }
        }
        if history != before
            && let Err(e) = write_atomically(&path, &history.to_csv())
        {
            self.problems.push(Finding::warning(
                "consent-register",
                Location::file(&name),
                format!("could not save which pupils were in this export ({e}), so a pupil missing from the next one will not be noticed"),
                "check that consent/ can be written to",
            ));
        }
    }

    /// A file in `consent/` that looks meant to be the never-publish list
    /// but is not named so (`Never-Publish.toml`, `never-publish.toml.txt`
    /// as Notepad saves it) would be silently unread.
    fn misnamed_never_list(&mut self, dir: &Path) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let want = super::longform::type_key("never-publish");
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name == NEVER_FILE {
                continue;
            }
            let stem = name.split('.').next().unwrap_or("");
            if super::longform::type_key(stem) == want {
                self.problems.push(Finding::error(
                    "consent-never-publish",
                    Location::file(format!("{CONSENT_DIR}/{name}")),
                    format!("consent/{name} looks like the never-publish list, but only consent/{NEVER_FILE} is read"),
                    "rename it to never-publish.toml exactly (in Notepad, save with \"All files\" so .txt is not added)",
                ));
            }
        }
    }

    /// Consent types in the consents export that no use is mapped to: a
    /// renamed type would otherwise drop its withdrawals unread.
    fn unmapped_types(&mut self, consents: &Consents, layout: &Layout) {
        let mapped: Vec<String> = layout
            .uses
            .values()
            .map(|h| super::longform::type_key(h))
            .chain(
                super::REQUIRED_USES
                    .iter()
                    .map(|u| super::longform::type_key(u)),
            )
            .collect();
        for (key, shown) in &consents.types {
            if mapped.contains(key) || consents.other_types.contains(key) {
                continue;
            }
            let at = Location::file(format!("{CONSENT_DIR}/{LAYOUT_FILE}"));
            // Refusals and withdrawals under a type nobody reads could be
            // a photo consent renamed in the MIS: that is not a warning.
            if consents.refused_types.contains(key) {
                self.problems.push(Finding::error(
                    "consent-register",
                    at,
                    format!("the consents export has refusals or withdrawals of the consent type {shown:?}, which no use in [uses] is mapped to"),
                    "if it is a photo or website consent (perhaps renamed in the MIS), map it in [uses]; if it is not (a trip, a medicine), list it under [consents] other_types",
                ));
            } else {
                self.problems.push(Finding::warning(
                    "consent-register",
                    at,
                    format!("the consents export has the consent type {shown:?}, which no use in [uses] is mapped to, so its answers are not read"),
                    "if it is a photo or website consent (perhaps renamed in the MIS), map it in [uses]; otherwise list it under [consents] other_types",
                ));
            }
        }
    }

    /// An adult whose name is a pupil's: a pupil entered again as staff
    /// would escape their consents and the never-publish list.
    fn pupils_as_adults(&mut self) {
        let names = |p: &Person| -> Vec<String> {
            let (f, s) = p.names_for_matching();
            let mut out: Vec<String> = f
                .iter()
                .flat_map(|f| {
                    s.iter()
                        .flat_map(move |s| [format!("{f} {s}"), format!("{s} {f}")])
                })
                .map(|n| name_key(&n))
                .collect();
            // A whole name in one cell, the other left blank.
            out.extend(
                f.iter()
                    .chain(&s)
                    .map(|n| name_key(n))
                    .filter(|n| n.contains(' ')),
            );
            out
        };
        let pupils: Vec<(Vec<String>, String)> = self
            .people
            .iter()
            .filter(|p| p.role == Role::Pupil && !p.is_gone())
            .map(|p| (names(p), p.label()))
            .collect();
        let mut found = Vec::new();
        for (i, p) in self.people.iter().enumerate() {
            if p.role == Role::Pupil || p.is_gone() {
                continue;
            }
            let own = names(p);
            if let Some((_, label)) = pupils
                .iter()
                .find(|(n, _)| n.iter().any(|x| own.contains(x)))
            {
                found.push((i, label.clone()));
            }
        }
        for (i, label) in found {
            let p = &mut self.people[i];
            p.damaged = Some(format!("has the name of pupil {label}"));
            self.problems.push(Finding::error(
                "consent-register",
                Location::row(&p.file, p.row),
                format!("id {} has the same name as pupil {label}; a photo of them is blocked", p.id),
                "a pupil's photos are declared with their pupil id; if this is a different person who shares the name, tell them apart in the MIS",
            ));
        }
    }

    /// Indexes the people read, warns of duplicate ids, and decides
    /// whether the register can be used.
    fn finish(&mut self) {
        self.pupils_as_adults();
        for (i, p) in self.people.iter().enumerate() {
            self.index
                .entry(id_key(&p.id).into_owned())
                .or_default()
                .push(i);
        }
        let mut duplicates: Vec<&Vec<usize>> =
            self.index.values().filter(|v| v.len() > 1).collect();
        duplicates.sort();
        for rows in duplicates {
            let first = &self.people[rows[0]];
            let others: Vec<String> = rows[1..]
                .iter()
                .map(|&i| {
                    let other = &self.people[i];
                    if other.file == first.file {
                        other.row.to_string()
                    } else {
                        format!("{} of {}", other.row, other.file)
                    }
                })
                .collect();
            self.problems.push(Finding::warning(
                "consent-register",
                Location::row(&first.file, first.row),
                format!(
                    "id {} is also on row {}; a photo declaring it is blocked until each id is unique",
                    first.id,
                    others.join(", ")
                ),
                "give each person their own id (the MIS id or admission number)",
            ));
        }
        if self.failed {
            return;
        }
        let source = &self.source;
        if !self
            .people
            .iter()
            .any(|p| p.gone.is_none() && &p.file == source)
        {
            self.problems.push(Finding::error(
                "consent-register",
                Location::file(&self.source),
                "the register has no one in it".to_string(),
                "export the consent list from the MIS again; an empty export usually means a filter was left on",
            ));
            return;
        }
        if let Some(never) = &self.summary.never {
            for id in &never.ids {
                if !self.index.contains_key(id_key(id).as_ref()) {
                    self.problems.push(Finding::error(
                        "consent-never-publish",
                        Location::file(format!("{CONSENT_DIR}/{NEVER_FILE}")),
                        format!("id {id} is not in the register, so this child cannot be matched to any photo, and a photo of them under their register id would not be stopped"),
                        "write the child's id exactly as the register has it (the MIS id or admission number, not a UPN)",
                    ));
                }
            }
        }
        self.usable = true;
    }

    /// Reads one export's rows into the register.
    fn read(&mut self, source: &str, bytes: &[u8], layout: &Layout, extra: &Extra) {
        let fail = |row: Option<usize>, message: String, fix: &str| {
            let location = match row {
                Some(r) => Location::row(source, r),
                None => Location::file(source),
            };
            Finding::error("consent-register", location, message, fix)
        };
        let (mut text, encoding) = text::decode(bytes);
        if text::garbled(&text) {
            self.failed = true;
            self.problems.push(fail(
                None,
                "the file cannot be read as text: many of its characters are control characters, so no name or consent in it can be checked".into(),
                "export it again from the MIS as CSV (in Excel, save as \"CSV UTF-8 (Comma delimited)\")",
            ));
            return;
        }
        if encoding == Encoding::Windows1252 {
            self.problems.push(Finding::warning(
                "consent-register",
                Location::file(source),
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
                self.failed = true;
                self.problems.push(fail(
                    Some(1 + skipped),
                    format!("the header row could not be read: {e}"),
                    "export the register again as CSV",
                ));
                return;
            }
        };
        if let Err(problem) = layout.validate() {
            self.failed = true;
            self.problems.push(Finding::error(
                "consent-register",
                Location::file(format!("{CONSENT_DIR}/{LAYOUT_FILE}")),
                problem.message,
                problem.fix,
            ));
            return;
        }
        if !extra.adults {
            self.summary.closest = layout
                .better_preset(&headers)
                .map(|(p, why)| (p.to_string(), why));
        }
        let columns = match self.columns(layout, &headers, extra) {
            Ok(c) => c,
            Err(problem) => {
                self.failed = true;
                self.problems
                    .push(fail(Some(1 + skipped), problem.message, &problem.fix));
                return;
            }
        };
        self.summary.mapped.extend(
            layout
                .describe(&headers, &columns)
                .into_iter()
                .map(|(f, h)| (source.to_string(), f, h)),
        );
        let records: Vec<_> = reader.records().collect();
        let month_first = month_first(&records, &columns);
        let sheet = Sheet {
            columns: &columns,
            headers: &headers,
            month_first: &month_first,
        };
        for (n, record) in records.into_iter().enumerate() {
            let row = n + 2 + skipped;
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    self.problems.push(fail(
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
            let at = Location::row(source, row);
            if let Some(person) = self.row(source, row, &record, &sheet, extra) {
                if looks_like_upn(&person.id) {
                    self.problems.push(Finding::warning(
                        "consent-register",
                        at,
                        "this id looks like a UPN, which must never be shown outside the school's systems",
                        "use the MIS id or admission number as the id column",
                    ));
                }
                self.people.push(person);
            }
        }
    }

    /// Finds the columns, and checks that what no column holds comes
    /// from somewhere the school said: the consents export, the date this
    /// consent round was collected, the never-publish list.
    fn columns(
        &self,
        layout: &Layout,
        headers: &[String],
        extra: &Extra,
    ) -> Result<Columns, super::columns::LayoutProblem> {
        let columns = layout.resolve(headers)?;
        let mut missing = Vec::new();
        for (name, header) in &columns.elsewhere {
            let in_long_form = extra
                .consents
                .is_some_and(|c| c.types.contains_key(&super::longform::type_key(header)));
            if in_long_form {
                continue;
            }
            missing.push(match (extra.consents.is_some(), header == name) {
                (true, _) => format!("{name} (no column {header:?}, and no consent of that type in the consents export)"),
                (false, true) => format!("{name} (consent)"),
                (false, false) => format!("{name} (set to {header:?} in [uses])"),
            });
        }
        let dated = columns.fields.contains_key(&Field::ConsentDate)
            || extra.collected.is_some()
            || extra.consents.is_some_and(|c| c.dated);
        if !dated {
            missing.push("consent_date (or consents_collected = 2026-09-07 in register.toml: when this round of consent forms was collected)".into());
        }
        // The designated safeguarding lead's list is required whatever
        // the export holds: a column of "no" is not someone checking.
        // (An export read alone, by `parse`, may carry the column.)
        let protected = extra.adults
            || extra.never.is_some()
            || (extra.alone && columns.fields.contains_key(&Field::NeverPublish));
        if !protected {
            missing.push(format!(
                "never_publish (the designated safeguarding lead keeps consent/{NEVER_FILE}, which does not exist: no MIS export is enough on its own)"
            ));
        }
        if missing.is_empty() {
            Ok(columns)
        } else {
            Err(layout.no_column(headers, &missing))
        }
    }

    /// Reads one row; `None` (and a warning) for a row with no id.
    fn row(
        &mut self,
        source: &str,
        row: usize,
        record: &csv::StringRecord,
        sheet: &Sheet,
        extra: &Extra,
    ) -> Option<Person> {
        let (columns, width) = (sheet.columns, sheet.headers.len());
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
                Location::row(source, row),
                "this row has no id, so no photo can name this person",
                "fill in the id (the MIS id or admission number)",
            ));
            return None;
        }
        let mut unreadable = Vec::new();
        let damaged = (record.len() != width).then(|| {
            format!(
                "row {row} has {} values but the header has {width}",
                record.len()
            )
        });
        let date = |f: Field, problems: &mut Vec<String>| {
            let read = values::date(cell(f)).and_then(|d| match d {
                Some(_) if !sheet.month_first.is_empty() && values::day_month_ambiguous(cell(f)) => {
                    Err(format!("{:?} could be either day or month first, and other dates in this export are month first (US); write it as {}", cell(f), "2026-07-22"))
                }
                Some(d) if f != Field::LeavingDate && extra.saved.is_some_and(|s| d > s) => {
                    Err(format!("{d} is after the export was saved"))
                }
                other => Ok(other),
            });
            Cell::from(read, problems, f.key())
        };
        let leaving = date(Field::LeavingDate, &mut unreadable);
        let consent_date = match date(Field::ConsentDate, &mut unreadable) {
            Cell::Blank => extra.collected.map_or(Cell::Blank, Cell::Is),
            other => other,
        };
        let listed = extra
            .never
            .is_some_and(|n| n.ids.iter().any(|i| id_key(i) == id_key(&id)));
        let never_publish = match Cell::from(
            values::yes_no(cell(Field::NeverPublish)),
            &mut unreadable,
            Field::NeverPublish.key(),
        ) {
            _ if listed => Cell::Is(true),
            other => other,
        };
        let mut withdrawn = read_withdrawal(
            cell(Field::Withdrawn),
            cell(Field::WithdrawnDate),
            &mut unreadable,
        );
        // A withdrawal's date is read like every other date: not one that
        // reads either way in a US export, not one after the export.
        if let Withdrawal::On(Some(on)) = withdrawn {
            let ambiguous = !sheet.month_first.is_empty()
                && [Field::Withdrawn, Field::WithdrawnDate]
                    .iter()
                    .any(|&f| values::day_month_ambiguous(cell(f)));
            if ambiguous || extra.saved.is_some_and(|s| on > s) {
                unreadable.push(format!(
                    "withdrawn_date: {on} {}",
                    if ambiguous {
                        "could be either day or month first, and other dates in this export are month first (US)"
                    } else {
                        "is after the export was saved"
                    }
                ));
                withdrawn = Withdrawal::Unreadable;
            }
        }
        let role = match cell(Field::Role) {
            "" if extra.adults => Ok(Role::Staff),
            text => values::role(text),
        }
        .unwrap_or_else(|e| {
            unreadable.push(format!("role: {e}; treated as a pupil"));
            Role::Pupil
        });
        let mut consents: Vec<(String, Consent)> = columns
            .uses
            .iter()
            .map(|(name, i)| {
                let status = Cell::from(
                    values::status(record.get(*i).unwrap_or("")),
                    &mut unreadable,
                    name,
                );
                let own = Consent { status, date: None };
                // The same consent in the consents export too: the
                // stricter answer stands (a column not updated since a
                // withdrawal is not the last word).
                let long = extra
                    .consents
                    .and_then(|c| c.answer(&id_key(&id), &sheet.headers[*i]));
                let consent = match long {
                    Some(a) if strictness(a.status) >= strictness(own.status) => Consent {
                        status: a.status,
                        date: a.date,
                    },
                    _ => own,
                };
                (name.clone(), consent)
            })
            .collect();
        if let Some(long) = extra.consents {
            for (name, kind) in &columns.elsewhere {
                let consent = long.answer(&id_key(&id), kind).map_or(
                    Consent {
                        status: Cell::Blank,
                        date: None,
                    },
                    |a| Consent {
                        status: a.status,
                        date: a.date,
                    },
                );
                consents.push((name.clone(), consent));
            }
        }
        if !unreadable.is_empty() {
            self.problems.push(Finding::warning(
                "consent-register",
                Location::row(source, row),
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
                Location::row(source, row),
                format!("id {id}: {d}, so its columns cannot be trusted; a photo of this person is blocked"),
                "a name or value with a comma must be in quotes: export the register again from the MIS rather than editing it by hand",
            ));
        }
        Some(Person {
            id,
            file: source.to_string(),
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
            gone: None,
        })
    }
}

impl Person {
    /// Someone the history remembers who is no longer in the export.
    fn gone(seen: &Seen, history: &str) -> Person {
        Person {
            id: seen.id.clone(),
            file: history.to_string(),
            row: 0,
            legal_forename: String::new(),
            legal_surname: String::new(),
            preferred_forename: String::new(),
            preferred_surname: String::new(),
            group: String::new(),
            role: Role::Pupil,
            leaving: seen.left_on.map_or(Cell::Unreadable, Cell::Is),
            consent_date: Cell::Blank,
            withdrawn: Withdrawal::No,
            never_publish: Cell::Blank,
            consents: Vec::new(),
            damaged: None,
            gone: Some(seen.masked.clone()),
        }
    }
}

/// The most a file in `consent/` may hold: far more than any school's
/// export (2,000 pupils take about 200 KB; 200,000 rows of a long-form
/// consents export about 16 MB), and a bound on memory: a register takes
/// about 20 times its size once read (a 60 MB one took 1.3 GB).
const MAX_FILE: u64 = 16 * 1024 * 1024;

/// How to fix a file of `consent/` that [`read_inside`] could not read.
fn read_fix(e: &std::io::Error) -> &'static str {
    if e.kind() == std::io::ErrorKind::InvalidInput && e.to_string().contains("larger than") {
        "export only what the site reads (the pupils on roll and the consent columns it uses) from the MIS again: a school's register is well under 1 MB"
    } else {
        "check the file's permissions"
    }
}

/// Reads a file of `consent/`: an ordinary file, not a pipe or device
/// (which could hang the build or never end), no bigger than
/// [`MAX_FILE`], and, if it is a link, one to a file inside `consent/`.
fn read_inside(dir: &Path, path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::{Error, ErrorKind, Read};
    let link = std::fs::symlink_metadata(path)?;
    if link.file_type().is_symlink() {
        let inside = std::fs::canonicalize(path)?.starts_with(std::fs::canonicalize(dir)?);
        if !inside {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                "it is a link to a file outside consent/",
            ));
        }
    }
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "it is not an ordinary file",
        ));
    }
    if meta.len() > MAX_FILE {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!("it is larger than {} MB", MAX_FILE / 1024 / 1024),
        ));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)?
        .take(MAX_FILE + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "it grew while it was read",
        ));
    }
    Ok(bytes)
}

/// The register-level date this round of consents was collected, and
/// whether it is still to come (a mistake that would stretch validity).
fn collected_in_future(layout: &Layout) -> Option<NaiveDate> {
    collected(layout).filter(|d| *d > chrono::Local::now().date_naive())
}

/// The register-level date this round of consents was collected.
fn collected(layout: &Layout) -> Option<NaiveDate> {
    layout
        .consents_collected
        .as_ref()
        .and_then(|d| values::date(&d.to_string()).ok().flatten())
}

/// The day a file was last saved: an export's date.
fn modified_date(path: &Path) -> NaiveDate {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .map(|t| chrono::DateTime::<chrono::Local>::from(t).date_naive())
        .unwrap_or_else(|_| chrono::Local::now().date_naive())
}

/// Writes `text` to `path` through a file beside it, so a reader never
/// sees half of it.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let tmp = path.with_extension("csv.new");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

/// A name as compared across files: letters only, without accents,
/// in lower case, hyphens and dashes as spaces, one space between words.
fn name_key(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let plain: String = name
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .flat_map(char::to_lowercase)
        .collect();
    plain.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The date columns in which some date can only be month first (US): in
/// them, a date that reads either way cannot be trusted.
fn month_first(records: &[csv::Result<csv::StringRecord>], columns: &Columns) -> Vec<Field> {
    [
        Field::LeavingDate,
        Field::ConsentDate,
        Field::WithdrawnDate,
        Field::Withdrawn,
    ]
    .into_iter()
    .filter(|f| {
        columns.fields.get(f).is_some_and(|&i| {
            records
                .iter()
                .flatten()
                .any(|r| values::date(r.get(i).unwrap_or("")).is_err_and(|e| e.contains("US date")))
        })
    })
    .collect()
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
    fn adults_only_is_what_the_register_says_of_everyone_declared() {
        let r = parse(
            "1001,Amelia,Smith,,pupil,,2026-09-01,no,no,yes,yes,no\n\
             S01,Rebecca,Ashworth,,staff,,2026-09-01,no,no,yes,yes,no\n\
             P01,Sam,Parent,,parent,,2026-09-01,no,no,yes,yes,no\n\
             D1,Dee,One,,staff,,2026-09-01,no,no,yes,yes,no\n\
             D1,Dee,Two,,staff,,2026-09-01,no,no,yes,yes,no\n",
        );
        assert!(r.adults_only(["S01"]));
        assert!(r.adults_only(["S01", "P01"]));
        // Near misses: a pupil among them, no one, an unknown id, an id
        // on two rows.
        assert!(!r.adults_only(["S01", "1001"]));
        assert!(!r.adults_only([]));
        assert!(!r.adults_only(["S99"]));
        assert!(!r.adults_only(["D1"]));
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
        assert_eq!(
            p.consent("website_individual").map(|c| c.status),
            Some(Cell::Is(Status::Given))
        );
        assert!(!format!("{p:?}").contains("Smith"));
    }

    #[test]
    fn a_pupil_entered_again_as_staff_is_blocked() {
        let r = parse(concat!(
            "1008,Noah,Whitfield,,pupil,,2026-09-01,no,yes,yes,yes,yes\n",
            "1003,Zoë,Hartley-Brook,,pupil,,2026-09-01,no,no,yes,yes,yes\n",
            "9001,Noah,Whitfield,,staff,,2026-09-01,no,no,yes,yes,yes\n",
            "9002,Zoe,Hartley Brook,,staff,,2026-09-01,no,no,yes,yes,yes\n",
            "9003,\"Whitfield Noah\",,,staff,,2026-09-01,no,no,yes,yes,yes\n",
            "9004,Ann,Whitfield,,staff,,2026-09-01,no,no,yes,yes,yes\n",
        ));
        for id in ["9001", "9002", "9003"] {
            assert!(
                matches!(r.lookup(id), Lookup::Found(p) if p.damaged.is_some()),
                "{id}"
            );
        }
        // Sharing a surname is not being the pupil.
        assert!(matches!(r.lookup("9004"), Lookup::Found(p) if p.damaged.is_none()));
        assert!(r.problems.iter().all(|f| !f.message.contains("Whitfield")));
    }

    #[test]
    fn a_withdrawal_date_that_reads_either_way_in_a_us_export_is_unreadable() {
        let r = Register::parse(
            "c.csv",
            concat!(
                "id,forename,surname,leaving_date,consent_date,withdrawn,withdrawn_date,never_publish,website_group,website_individual,website_named_first_name\n",
                "1,A,A,10/13/2027,2026-09-01,yes,11/12/2026,no,yes,yes,yes\n",
                "2,B,B,,2026-09-01,yes,2026-11-12,no,yes,yes,yes\n",
            )
            .as_bytes(),
            &Layout::default(),
        );
        assert!(matches!(r.lookup("1"), Lookup::Found(p) if p.withdrawn == Withdrawal::Unreadable));
        assert!(matches!(r.lookup("2"), Lookup::Found(p) if p.withdrawn != Withdrawal::Unreadable));
    }

    #[test]
    fn a_masked_name_is_one_word_and_an_initial_whatever_the_cells_hold() {
        let r = parse(concat!(
            "1,Poppy Anne Carter,,,pupil,,2026-09-01,no,no,yes,yes,yes\n",
            "2,\"Okafor, Oliver\",Okafor,,pupil,,2026-09-01,no,no,yes,yes,yes\n",
        ));
        let masked = |id: &str| match r.lookup(id) {
            Lookup::Found(p) => p.masked(),
            _ => String::new(),
        };
        assert_eq!(masked("1"), "Poppy");
        assert_eq!(masked("2"), "Okafor O.");
        assert_eq!(id_key("001042"), "1042");
        assert_eq!(id_key("1042.0"), "1042");
        assert_eq!(id_key("１０４２"), "1042");
        assert_eq!(id_key(" S01 "), "s01");
        assert_ne!(id_key("1042.5"), "1042");
        // Ids that stay beyond ASCII are folded once, never forever.
        assert_eq!(id_key("SÉ1"), "sé1");
        assert_eq!(id_key("1008’"), "1008’");
        assert_ne!(id_key("1008’"), id_key("1008"));
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
