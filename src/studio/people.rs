//! Finding people in the consent register as a member of staff types
//! ("oli" offers "Oliver O., Year 5"), each with what their consent
//! allows today for a photo on the website, in words.
//!
//! What is shown of a name is what reports show ([`Person::masked`]):
//! the studio never puts a full name in a page, an address or a log.

use crate::consent::{Block, Due, Lookup, Person, Policy, Register, assess_lookup};
use chrono::NaiveDate;
use unicode_normalization::UnicodeNormalization;

/// The most suggestions offered at once.
pub const MAX_SUGGESTIONS: usize = 12;

/// What a person's consent allows for a website photo today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// In group and individual photos (until `due`, when known).
    Any { due: Option<Due> },
    /// In group photos only (until `due`, when known).
    GroupOnly { due: Option<Due> },
    /// In no photo: why.
    None(Block),
}

impl Standing {
    /// In words, for the suggestion list.
    pub fn describe(&self) -> String {
        let until = |due: &Option<Due>| {
            due.map(|d| format!(" until {} ({})", d.on, d.reason.describe()))
                .unwrap_or_default()
        };
        match self {
            Standing::Any { due } => format!("may be in group and individual photos{}", until(due)),
            Standing::GroupOnly { due } => format!("group photos only{}", until(due)),
            Standing::None(block) => format!("may not be in photos: {block}"),
        }
    }

    /// A word for the colour it is shown in: `ok`, `limited` or `blocked`.
    pub fn tone(&self) -> &'static str {
        match self {
            Standing::Any { due: None } => "ok",
            Standing::Any { .. } | Standing::GroupOnly { .. } => "limited",
            Standing::None(_) => "blocked",
        }
    }
}

/// One person offered for a photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub id: String,
    /// "Oliver O., Year 5".
    pub shown: String,
    pub standing: Standing,
}

/// The people whose first name, surname (legal or preferred) or class
/// starts with what was typed, first names first, each with their
/// standing on `today`.
pub fn search(
    register: &Register,
    typed: &str,
    today: NaiveDate,
    policy: &Policy,
) -> Vec<Suggestion> {
    let query = fold(typed.trim());
    if query.is_empty() {
        return Vec::new();
    }
    let mut ranked: Vec<(u8, &Person)> = register
        .people()
        .iter()
        .filter(|p| !p.is_gone())
        .filter_map(|p| rank(p, &query).map(|r| (r, p)))
        .collect();
    ranked.sort_by(|(ra, a), (rb, b)| ra.cmp(rb).then_with(|| a.masked().cmp(&b.masked())));
    ranked
        .into_iter()
        .take(MAX_SUGGESTIONS)
        .map(|(_, p)| Suggestion {
            id: p.id.clone(),
            shown: shown(register, p),
            standing: standing(p, today, policy),
        })
        .collect()
}

/// The person with register id `id` as a suggestion (what the studio
/// shows of someone already chosen); `None` when no one has that id.
pub fn of(register: &Register, id: &str, today: NaiveDate, policy: &Policy) -> Option<Suggestion> {
    register
        .people()
        .iter()
        .find(|p| p.id == id && !p.is_gone())
        .map(|p| Suggestion {
            id: p.id.clone(),
            shown: shown(register, p),
            standing: standing(p, today, policy),
        })
}

/// "Oliver O., Year 5", or "Mr T., staff"; with the register id when
/// someone else in the register would be shown the same ("Oliver O.,
/// Year 5, id 1001"), so two pupils with the same first name and initial
/// in one class, whose consents may differ, are never mistaken.
fn shown(register: &Register, p: &Person) -> String {
    let plain = |p: &Person| {
        let group = p.group.trim();
        if group.is_empty() {
            format!("{}, {}", p.masked(), p.role.as_str())
        } else {
            format!("{}, {group}", p.masked())
        }
    };
    let mine = plain(p);
    let twin = register
        .people()
        .iter()
        .any(|o| o.id != p.id && !o.is_gone() && plain(o) == mine);
    if twin {
        format!("{mine}, id {}", p.id)
    } else {
        mine
    }
}

/// How well a person matches: 0 a first name, 1 a surname, 2 the class;
/// `None` when nothing starts with the query. Every word of the query
/// must start a word of the person's names or class ("oli ok").
fn rank(p: &Person, query: &str) -> Option<u8> {
    let (forenames, surnames) = p.names_for_matching();
    let words = |names: &[&str]| -> Vec<String> {
        names
            .iter()
            .flat_map(|n| n.split(|c: char| c.is_whitespace() || c == '-'))
            .map(fold)
            .filter(|w| !w.is_empty())
            .collect()
    };
    let (first, last, group) = (
        words(&forenames),
        words(&surnames),
        words(&[p.group.as_str()]),
    );
    let mut best = None;
    for q in query.split_whitespace() {
        let r = [&first, &last, &group]
            .iter()
            .position(|ws| ws.iter().any(|w| w.starts_with(q)))?;
        best = Some(best.map_or(r, |b: usize| b.min(r)));
    }
    best.and_then(|b| u8::try_from(b).ok())
}

/// Lower case, accents off: "Zoë" and "zoe" match.
fn fold(s: &str) -> String {
    s.nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// What the person's consent allows today.
fn standing(p: &Person, today: NaiveDate, policy: &Policy) -> Standing {
    let individual = assess_lookup(Lookup::Found(p), "website_individual", today, policy);
    if individual.blocks.is_empty() {
        return Standing::Any {
            due: individual.due,
        };
    }
    let group = assess_lookup(Lookup::Found(p), "website_group", today, policy);
    match group.blocks.into_iter().next() {
        None => Standing::GroupOnly { due: group.due },
        Some(block) => Standing::None(block),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::Layout;

    fn register() -> Register {
        let header = "id,legal_forename,legal_surname,preferred_forename,group,leaving_date,consent_date,withdrawn,never_publish,website_group,website_individual,website_named_first_name\n";
        let rows = concat!(
            "1001,Oliver,Okafor,,Year 5,,2026-09-01,no,no,yes,yes,no\n",
            "1002,Olivia,Smith,Liv,Year 6,2026-12-20,2026-09-01,no,no,yes,no,no\n",
            "1003,Zoë,Oliphant,,Year 2,,2026-09-01,2026-10-01,no,yes,yes,no\n",
            "1004,Amelia,Jones,,Year 5,,2026-09-01,no,yes,yes,yes,no\n",
        );
        Register::parse(
            "consent/register.csv",
            format!("{header}{rows}").as_bytes(),
            &Layout::default(),
        )
    }

    const POLICY: Policy = Policy {
        validity_months: 12,
        warn_days: 30,
    };

    fn today() -> NaiveDate {
        "2026-11-23".parse().unwrap()
    }

    #[test]
    fn someone_chosen_is_shown_by_id_with_their_standing() {
        let zoe = of(&register(), "1003", today(), &POLICY).unwrap();
        assert_eq!(zoe.shown, "Zoë O., Year 2");
        assert_eq!(zoe.standing.tone(), "blocked");
        assert!(of(&register(), "9999", today(), &POLICY).is_none());
    }

    #[test]
    fn typing_part_of_a_first_name_offers_people_with_their_consent() {
        let found = search(&register(), "oli", today(), &POLICY);
        let shown: Vec<&str> = found.iter().map(|s| s.shown.as_str()).collect();
        // First names first, then the surname that starts "Oli".
        assert_eq!(
            shown,
            ["Liv S., Year 6", "Oliver O., Year 5", "Zoë O., Year 2"]
        );
        assert_eq!(
            found[1].standing,
            Standing::Any {
                due: Some(Due {
                    on: "2027-09-01".parse().unwrap(),
                    reason: crate::consent::DueReason::ConsentExpires
                })
            }
        );
        assert_eq!(found[0].standing.tone(), "limited");
        assert!(
            found[0]
                .standing
                .describe()
                .starts_with("group photos only until 2026-12-20 (leaves the school)"),
            "{}",
            found[0].standing.describe()
        );
        assert_eq!(found[2].standing.tone(), "blocked");
        assert!(
            found[2].standing.describe().contains("withdrawn"),
            "{}",
            found[2].standing.describe()
        );
    }

    #[test]
    fn two_pupils_who_would_look_the_same_are_told_apart_by_id() {
        let header = "id,legal_forename,legal_surname,group,leaving_date,consent_date,withdrawn,never_publish,website_group,website_individual,website_named_first_name\n";
        let rows = "1001,Oliver,Okafor,Year 5,,2026-09-01,no,no,yes,yes,no\n2001,Oliver,Owusu,Year 5,,2026-09-01,2026-10-01,no,yes,yes,no\n3001,Oliver,Owen,Year 6,,2026-09-01,no,no,yes,yes,no\n";
        let r = Register::parse(
            "consent/register.csv",
            format!("{header}{rows}").as_bytes(),
            &Layout::default(),
        );
        let shown: Vec<String> = search(&r, "oli", today(), &POLICY)
            .into_iter()
            .map(|s| s.shown)
            .collect();
        assert_eq!(
            shown,
            [
                "Oliver O., Year 5, id 1001",
                "Oliver O., Year 5, id 2001",
                "Oliver O., Year 6"
            ]
        );
        assert_eq!(
            of(&r, "2001", today(), &POLICY).unwrap().shown,
            "Oliver O., Year 5, id 2001"
        );
    }

    #[test]
    fn never_publish_a_class_and_accents_are_found_and_full_names_never_shown() {
        let r = register();
        let amelia = search(&r, "ame", today(), &POLICY);
        assert!(
            amelia[0].standing.describe().contains("never"),
            "{:?}",
            amelia[0]
        );
        let year5: Vec<String> = search(&r, "year 5", today(), &POLICY)
            .into_iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(year5, ["1004", "1001"]);
        assert_eq!(search(&r, "zoe", today(), &POLICY).len(), 1);
        assert_eq!(search(&r, "oli oka", today(), &POLICY).len(), 1);
        assert!(search(&r, "  ", today(), &POLICY).is_empty());
        assert!(search(&r, "x", today(), &POLICY).is_empty());
        for s in search(&r, "o", today(), &POLICY) {
            for surname in ["Okafor", "Smith", "Oliphant", "Jones"] {
                assert!(!s.shown.contains(surname) && !s.standing.describe().contains(surname));
            }
        }
    }
}
