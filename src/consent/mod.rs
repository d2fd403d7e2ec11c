//! The consent register and the declarations of who is in each photo.
//!
//! `register` reads the MIS export in `consent/` (through `columns` and
//! `values`, from any encoding Excel writes via `text`); `declarations`
//! reads the `photos.toml` files beside the photos. [`assess`] answers the
//! one question every consumer asks (the consent rule, `leavers`, `where`):
//! may this person appear in a photo used this way, on this date, and until
//! when?
//!
//! Loading never decides policy, and no full name leaves this module
//! except through [`Person::names_for_matching`].

pub mod audit;
mod columns;
pub mod declarations;
mod history;
mod longform;
mod never;
mod register;
mod text;
mod values;

pub use columns::{Layout, REQUIRED_USES, preset_names};
pub use declarations::{Declaration, Declarations, Declared, Focus, SIDECAR};
pub use history::HISTORY_FILE;
pub use never::{NEVER_FILE, NeverPublish};
pub use register::{
    CONSENT_DIR, Cell, Consent, LAYOUT_FILE, Lookup, Person, Register, Summary, Withdrawal,
};
pub use values::{Role, Status, date as parse_date};

use chrono::{Months, NaiveDate};

/// An id as the register compares it (case, width and a numeric id's
/// leading zeros ignored).
pub fn id_key(id: &str) -> String {
    register::id_key(id).into_owned()
}

/// Whether two ids are the same, ignoring case (as the register does).
pub fn same_id(a: &str, b: &str) -> bool {
    register::id_key(a) == register::id_key(b)
}

/// Whether the register counts `id` as a pupil: pupils, and anyone it
/// cannot vouch for (unknown ids), are treated as pupils.
pub fn counts_as_pupil(lookup: &Lookup<'_>) -> bool {
    match lookup {
        Lookup::Found(person) => person.role == Role::Pupil,
        _ => true,
    }
}

/// The focus of a declared photo: as written, or by default individual
/// when exactly one pupil is declared (see [`Declaration::focus`]).
pub fn focus_of(register: &Register, declaration: &Declaration) -> Focus {
    let pupils = declaration
        .people
        .iter()
        .filter(|p| counts_as_pupil(&register.lookup(&p.id)))
        .count();
    declaration.focus(pupils)
}

/// Who is in the photo at `path`, by every declaration of it: the people
/// declared in any copy of it (the same bytes elsewhere; see
/// [`Declarations::copies`]), and the strictest focus any copy gives it
/// (individual over group). `None` when every copy is declared as showing
/// nobody, or it is not declared.
pub fn everyone_in<'a>(
    register: &Register,
    declarations: &'a Declarations,
    path: &'a str,
) -> Option<(Vec<&'a Declared>, Focus)> {
    let mut people: Vec<&Declared> = Vec::new();
    let mut focus = None;
    for (_, declaration) in declarations.copies(path) {
        if declaration.nobody() {
            continue;
        }
        for p in &declaration.people {
            if !people.iter().any(|q| same_id(&q.id, &p.id)) {
                people.push(p);
            }
        }
        focus = match (focus, focus_of(register, declaration)) {
            (Some(Focus::Individual), _) | (_, Focus::Individual) => Some(Focus::Individual),
            _ => Some(Focus::Group),
        };
    }
    focus.map(|f| (people, f))
}

/// The school's consent policy: the `[consent]` table of `config.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// How long consent lasts after it is given or renewed.
    pub validity_months: u32,
    /// How many days ahead a photo that must come down is flagged.
    pub warn_days: u32,
}

impl From<&crate::config::Consent> for Policy {
    fn from(c: &crate::config::Consent) -> Self {
        Policy {
            validity_months: c.validity_months,
            warn_days: c.warn_days,
        }
    }
}

/// Why a person may not appear in a photo today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// No register could be read.
    NoRegister,
    Unknown,
    /// The id is on several rows.
    Duplicate(Vec<usize>),
    /// The person's row could not be read as a whole.
    Damaged(usize),
    NeverPublish,
    /// The consent for the use is refused, not yet given or not recorded.
    NoConsent {
        use_: String,
        recorded: Cell<Status>,
    },
    /// No date consent was given or renewed.
    NoConsentDate,
    Expired(NaiveDate),
    Withdrawn(Option<NaiveDate>),
    Left(NaiveDate),
    /// A value the decision depends on could not be read.
    Unreadable(&'static str),
}

impl std::fmt::Display for Block {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Block::NoRegister => {
                f.write_str("cannot be checked: there is no readable consent register")
            }
            Block::Unknown => f.write_str("is not in the consent register"),
            Block::Duplicate(rows) => {
                let rows: Vec<String> = rows.iter().map(usize::to_string).collect();
                write!(
                    f,
                    "is on more than one row of the register ({})",
                    rows.join(", ")
                )
            }
            Block::Damaged(row) => write!(f, "has a register row ({row}) that could not be read"),
            Block::NeverPublish => {
                f.write_str("must never be published (on the never-publish list)")
            }
            Block::NoConsent { use_, recorded } => match recorded {
                Cell::Is(Status::NotYet) => {
                    write!(f, "has no consent for {use_} (asked for, not yet given)")
                }
                Cell::Is(s) => write!(f, "has no consent for {use_} ({})", s.describe()),
                Cell::Unreadable => write!(f, "has an unreadable {use_} consent"),
                _ => write!(f, "has no consent recorded for {use_}"),
            },
            Block::NoConsentDate => f.write_str("has no date for when consent was given"),
            Block::Expired(on) => write!(f, "has consent that expired on {on}"),
            Block::Withdrawn(Some(on)) => write!(f, "had consent withdrawn on {on}"),
            Block::Withdrawn(None) => f.write_str("had consent withdrawn"),
            Block::Left(on) => write!(f, "left the school on {on}"),
            Block::Unreadable(what) => write!(f, "has an unreadable {what}"),
        }
    }
}

/// What will stop a person appearing, on a date still to come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DueReason {
    Leaves,
    ConsentExpires,
    ConsentWithdrawn,
}

impl DueReason {
    pub fn describe(self) -> &'static str {
        match self {
            DueReason::Leaves => "leaves the school",
            DueReason::ConsentExpires => "consent expires",
            DueReason::ConsentWithdrawn => "consent is withdrawn",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Due {
    /// The first day the photo may no longer be published.
    pub on: NaiveDate,
    pub reason: DueReason,
}

/// The answer for one person in one photo.
#[derive(Debug)]
pub struct Assessment<'a> {
    pub person: Option<&'a Person>,
    /// Empty when the person may appear today.
    pub blocks: Vec<Block>,
    /// The first date the person may no longer appear, when that is known
    /// and still to come.
    pub due: Option<Due>,
}

/// Whether the person with `id` may appear in a photo used for `use_`
/// (`website_group`, `website_individual`…) on `today`.
pub fn assess<'a>(
    register: &'a Register,
    id: &str,
    use_: &str,
    today: NaiveDate,
    policy: &Policy,
) -> Assessment<'a> {
    assess_lookup(register.lookup(id), use_, today, policy)
}

/// [`assess`] for a person already looked up in the register.
pub fn assess_lookup<'a>(
    lookup: Lookup<'a>,
    use_: &str,
    today: NaiveDate,
    policy: &Policy,
) -> Assessment<'a> {
    let person = match lookup {
        Lookup::Found(p) => p,
        other => {
            let block = match other {
                Lookup::Duplicate(rows) => Block::Duplicate(rows),
                Lookup::NoRegister => Block::NoRegister,
                _ => Block::Unknown,
            };
            return Assessment {
                person: None,
                blocks: vec![block],
                due: None,
            };
        }
    };
    if let (true, Cell::Is(on)) = (person.is_gone(), person.leaving) {
        return Assessment {
            person: Some(person),
            blocks: vec![Block::Left(on)],
            due: None,
        };
    }
    let mut blocks = Vec::new();
    // The earliest date still to come (no allocation: this runs for every
    // person in every photo).
    let mut due: Option<Due> = None;
    let mut add_due = |d: Due| {
        if due.is_none_or(|e| d < e) {
            due = Some(d);
        }
    };
    if let Some(row) = person.damaged.as_ref().map(|_| person.row) {
        blocks.push(Block::Damaged(row));
    }
    match person.never_publish {
        Cell::Is(true) => blocks.push(Block::NeverPublish),
        Cell::Unreadable => blocks.push(Block::Unreadable("never_publish flag")),
        _ => {}
    }
    let consent = person.consent(use_);
    match consent.map(|c| c.status) {
        Some(Cell::Is(Status::Given)) => {}
        Some(Cell::Is(Status::Withdrawn)) => {
            blocks.push(Block::Withdrawn(consent.and_then(|c| c.date)));
        }
        recorded => blocks.push(Block::NoConsent {
            use_: use_.to_string(),
            recorded: recorded.unwrap_or(Cell::Blank),
        }),
    }
    // A consent's own date (a long-form export's) before the person's.
    let given = consent
        .and_then(|c| c.date)
        .map_or(person.consent_date, Cell::Is);
    match given {
        Cell::Is(given) => {
            let expires = given
                .checked_add_months(Months::new(policy.validity_months))
                .unwrap_or(NaiveDate::MAX);
            if expires <= today {
                blocks.push(Block::Expired(expires));
            } else {
                add_due(Due {
                    on: expires,
                    reason: DueReason::ConsentExpires,
                });
            }
        }
        Cell::Blank => blocks.push(Block::NoConsentDate),
        Cell::Unreadable => blocks.push(Block::Unreadable("consent date")),
    }
    match person.withdrawn {
        Withdrawal::No => {}
        Withdrawal::On(Some(on)) if on > today => add_due(Due {
            on,
            reason: DueReason::ConsentWithdrawn,
        }),
        Withdrawal::On(on) => blocks.push(Block::Withdrawn(on)),
        Withdrawal::Unreadable => blocks.push(Block::Unreadable("withdrawal")),
    }
    match person.leaving {
        Cell::Is(on) if on <= today => blocks.push(Block::Left(on)),
        Cell::Is(on) => add_due(Due {
            on,
            reason: DueReason::Leaves,
        }),
        Cell::Blank => {}
        Cell::Unreadable => blocks.push(Block::Unreadable("leaving date")),
    }
    Assessment {
        person: Some(person),
        blocks,
        due,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn register(rows: &str) -> Register {
        let header = "id,legal_forename,legal_surname,leaving_date,consent_date,withdrawn,never_publish,website_group,website_individual,website_named_first_name\n";
        Register::parse(
            "consent/register.csv",
            format!("{header}{rows}").as_bytes(),
            &Layout::default(),
        )
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    const POLICY: Policy = Policy {
        validity_months: 12,
        warn_days: 30,
    };

    #[test]
    fn each_way_a_person_is_blocked() {
        let r = register(concat!(
            "1,A,A,2027-07-22,2026-09-01,no,no,yes,yes,yes\n",
            "2,B,B,2026-07-22,2026-09-01,no,no,yes,yes,yes\n",
            "3,C,C,,2025-09-01,no,no,yes,yes,yes\n",
            "4,D,D,,2026-09-01,2026-10-01,no,yes,yes,yes\n",
            "5,E,E,,2026-09-01,no,yes,yes,yes,yes\n",
            "6,F,F,,2026-09-01,no,no,yes,no,yes\n",
            "7,G,G,,,no,no,yes,yes,yes\n",
            "8,H,H,,2026-09-01,2026-12-01,no,yes,yes,yes\n",
        ));
        let today = date("2026-11-23");
        let blocks = |id: &str, use_: &str| assess(&r, id, use_, today, &POLICY).blocks;
        assert_eq!(blocks("1", "website_individual"), vec![]);
        assert_eq!(
            blocks("2", "website_group"),
            vec![Block::Left(date("2026-07-22"))]
        );
        assert_eq!(
            blocks("3", "website_group"),
            vec![Block::Expired(date("2026-09-01"))]
        );
        assert_eq!(
            blocks("4", "website_group"),
            vec![Block::Withdrawn(Some(date("2026-10-01")))]
        );
        assert_eq!(blocks("5", "website_group"), vec![Block::NeverPublish]);
        assert_eq!(blocks("6", "website_group"), vec![]);
        assert_eq!(
            blocks("6", "website_individual"),
            vec![Block::NoConsent {
                use_: "website_individual".into(),
                recorded: Cell::Is(Status::Refused)
            }]
        );
        assert_eq!(blocks("7", "website_group"), vec![Block::NoConsentDate]);
        assert_eq!(blocks("9", "website_group"), vec![Block::Unknown]);
        let a = assess(&r, "8", "website_group", today, &POLICY);
        assert!(a.blocks.is_empty());
        assert_eq!(
            a.due,
            Some(Due {
                on: date("2026-12-01"),
                reason: DueReason::ConsentWithdrawn
            })
        );
        let a = assess(&r, "1", "website_group", today, &POLICY);
        assert_eq!(
            a.due,
            Some(Due {
                on: date("2027-07-22"),
                reason: DueReason::Leaves
            })
        );
        // On the leaving date itself the photo must already be down.
        let a = assess(&r, "1", "website_group", date("2027-07-22"), &POLICY);
        assert_eq!(a.blocks, vec![Block::Left(date("2027-07-22"))]);
    }
}
