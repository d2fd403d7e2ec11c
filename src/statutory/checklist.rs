//! The built-in checklist: what the DfE lists, kept as data in
//! `checklist.toml` beside this file, with the source each profile comes
//! from and the date it was last compared with it.

use crate::config::Profile;
use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// Where a profile's list comes from.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub profile: Profile,
    pub title: String,
    pub url: String,
    /// When the list was last compared with the source (a TOML date,
    /// printed as an ISO date).
    #[serde(serialize_with = "iso_date")]
    pub checked: toml::value::Datetime,
}

/// A TOML date as JSON shows dates: `"2024-10-01"`, not the TOML
/// library's own object.
fn iso_date<S: serde::Serializer>(d: &toml::value::Datetime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&d.to_string())
}

/// Whether the guidance says an item must be published, or should be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Force {
    /// Required: missing or overdue stops the site being published.
    Must,
    /// Expected: missing or overdue is a warning, with the reason.
    Should,
}

impl Force {
    pub fn as_str(self) -> &'static str {
        match self {
            Force::Must => "must",
            Force::Should => "should",
        }
    }
}

/// How often an item is brought up to date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cadence {
    Yearly,
    #[serde(rename = "every-3-years")]
    EveryThreeYears,
    #[serde(rename = "every-4-years")]
    EveryFourYears,
    /// Ready for each school year: due by the 31 August before it.
    BeforeAcademicYear,
    /// Whenever it changes; schoolsite asks for a check once a year.
    OnChange,
    /// After each Ofsted inspection, not on a calendar.
    OnInspection,
}

impl Cadence {
    pub fn as_str(self) -> &'static str {
        match self {
            Cadence::Yearly => "yearly",
            Cadence::EveryThreeYears => "every-3-years",
            Cadence::EveryFourYears => "every-4-years",
            Cadence::BeforeAcademicYear => "before-academic-year",
            Cadence::OnChange => "on-change",
            Cadence::OnInspection => "on-inspection",
        }
    }

    /// In words, for people: "every year", "before each school year".
    pub fn in_words(self) -> &'static str {
        match self {
            Cadence::Yearly => "every year",
            Cadence::EveryThreeYears => "at least every 3 years",
            Cadence::EveryFourYears => "at least every 4 years",
            Cadence::BeforeAcademicYear => "before each school year (by 31 August)",
            Cadence::OnChange => "whenever it changes (checked at least once a year)",
            Cadence::OnInspection => "after each Ofsted inspection",
        }
    }

    /// The months between reviews, for the cadences that are a length
    /// of time.
    pub fn months(self) -> Option<u32> {
        match self {
            Cadence::Yearly | Cadence::OnChange => Some(12),
            Cadence::EveryThreeYears => Some(36),
            Cadence::EveryFourYears => Some(48),
            Cadence::BeforeAcademicYear | Cadence::OnInspection => None,
        }
    }

    /// When a page last reviewed on `last` is next due, by this cadence
    /// alone. `None` for an inspection item (see [`due_after_inspection`]).
    pub fn due(self, last: NaiveDate) -> Option<NaiveDate> {
        if let Some(months) = self.months() {
            return last.checked_add_months(Months::new(months));
        }
        match self {
            // A summary written from June onwards is for the coming
            // school year; one written earlier is for the current one.
            Cadence::BeforeAcademicYear => {
                let year = last.year() + i32::from(last.month() >= 6);
                NaiveDate::from_ymd_opt(year, 8, 31)
            }
            _ => None,
        }
    }
}

/// The days schoolsite allows, after an inspection, for the report to be
/// published and the page updated.
pub const AFTER_INSPECTION_DAYS: u64 = 60;

/// When an inspection item last updated on `last` is due, given the date
/// of the school's most recent inspection: never, if the page was updated
/// after it.
pub fn due_after_inspection(last: NaiveDate, inspected: NaiveDate) -> Option<NaiveDate> {
    (last < inspected).then(|| inspected + Days::new(AFTER_INSPECTION_DAYS))
}

/// Another source of requirements than the DfE's lists: statutory
/// guidance, regulations, the regulator's guidance.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    pub key: String,
    pub title: String,
    pub url: String,
    #[serde(serialize_with = "iso_date")]
    pub checked: toml::value::Datetime,
}

/// One thing a school publishes.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// What front matter names it by: `statutory = "behaviour-policy"`.
    pub key: String,
    pub title: String,
    /// The title as it reads inside a sentence, when that is not the
    /// title with a small first letter ("Ofsted report").
    #[serde(default)]
    pub sentence: Option<String>,
    /// For each profile that lists it, whether it must or should be
    /// published. Empty for an optional item.
    pub force: BTreeMap<Profile, Force>,
    /// Why the guidance asks for a "should" item, for the warning.
    #[serde(default)]
    pub should: Option<String>,
    pub cadence: Cadence,
    /// Where the requirement comes from: "dfe" (the profile's source) or
    /// a [`Reference`] key.
    pub sources: Vec<String>,
    /// What the page must contain, for the people writing it.
    pub contains: String,
    /// A deadline or frequency in words ("by 31 December each year").
    #[serde(default)]
    pub when: Option<String>,
    /// The schools it applies to, when not all of them.
    #[serde(default)]
    pub applies: Option<String>,
    /// It applies only to employers with at least this many employees.
    #[serde(default)]
    pub min_employees: Option<u32>,
    /// The page must link to an address starting with one of these.
    #[serde(default)]
    pub must_link: Vec<String>,
    /// schoolsite can write a starter page from config.toml.
    #[serde(default)]
    pub generated: bool,
}

impl Item {
    /// The title as it reads inside a sentence: "behaviour policy", but
    /// "PE and sport premium".
    pub fn in_sentence(&self) -> String {
        if let Some(sentence) = &self.sentence {
            return sentence.clone();
        }
        let mut chars = self.title.chars();
        match (chars.next(), chars.next()) {
            (Some(first), Some(second)) if !second.is_uppercase() => first
                .to_lowercase()
                .chain(self.title.chars().skip(1))
                .collect(),
            _ => self.title.clone(),
        }
    }

    /// Whether `profile` lists it, and how strongly.
    pub fn force(&self, profile: Profile) -> Option<Force> {
        self.force.get(&profile).copied()
    }

    /// Whether `profile` lists it at all (must or should).
    pub fn required_by(&self, profile: Profile) -> bool {
        self.force.contains_key(&profile)
    }

    /// The profiles that list it.
    pub fn profiles(&self) -> impl Iterator<Item = Profile> + '_ {
        self.force.keys().copied()
    }
}

/// The whole list.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Checklist {
    #[serde(rename = "source")]
    pub sources: Vec<Source>,
    #[serde(rename = "reference")]
    pub references: Vec<Reference>,
    #[serde(rename = "item")]
    pub items: Vec<Item>,
}

const DATA: &str = include_str!("checklist.toml");

static BUILTIN: LazyLock<Checklist> = LazyLock::new(|| {
    // The file is part of the program and a unit test parses it, so a
    // failure here is a bug in this build, not bad input.
    toml::from_str(DATA).expect("the built-in statutory checklist is valid TOML")
});

impl Checklist {
    /// The list built into this version of schoolsite.
    pub fn builtin() -> &'static Checklist {
        &BUILTIN
    }

    pub fn item(&self, key: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.key == key)
    }

    /// The items `profile` requires, in the list's order.
    pub fn required(&self, profile: Profile) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(move |i| i.required_by(profile))
    }

    pub fn source(&self, profile: Profile) -> Option<&Source> {
        self.sources.iter().find(|s| s.profile == profile)
    }

    /// Where an item's requirement comes from, for a school of
    /// `profile` (or every profile's DfE page, for `None`): title and
    /// address.
    pub fn sources_of<'a>(
        &'a self,
        item: &'a Item,
        profile: Option<Profile>,
    ) -> Vec<(&'a str, &'a str)> {
        let mut out = Vec::new();
        for key in &item.sources {
            if key == "dfe" {
                out.extend(
                    self.sources
                        .iter()
                        .filter(|s| profile.is_none_or(|p| p == s.profile))
                        .filter(|s| item.required_by(s.profile))
                        .map(|s| (s.title.as_str(), s.url.as_str())),
                );
            } else if let Some(r) = self.references.iter().find(|r| &r.key == key) {
                out.push((r.title.as_str(), r.url.as_str()));
            }
        }
        out
    }

    /// The closest known key to a misspelt one, if any is close.
    pub fn suggest(&self, key: &str) -> Option<&str> {
        let key = key.trim().to_lowercase().replace([' ', '_'], "-");
        self.items
            .iter()
            .map(|i| (strsim::normalized_damerau_levenshtein(&key, &i.key), &i.key))
            .chain(self.items.iter().filter_map(|i| {
                (key.len() >= 5 && (i.key.contains(&key) || key.contains(i.key.as_str())))
                    .then_some((0.75, &i.key))
            }))
            .filter(|(score, _)| *score >= 0.6)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, k)| k.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_list_parses_and_is_consistent() {
        let list: Checklist = toml::from_str(DATA).unwrap();
        assert!(list.source(Profile::Maintained).is_some());
        assert!(list.source(Profile::Academy).is_some());
        let mut keys: Vec<&str> = list.items.iter().map(|i| i.key.as_str()).collect();
        let count = keys.len();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), count, "duplicate keys");
        for item in &list.items {
            assert!(!item.force.contains_key(&Profile::None), "{}", item.key);
            assert!(item.must_link.iter().all(|l| l.starts_with("https://")));
            assert!(
                item.key
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{}",
                item.key
            );
            // Every source resolves, and a "should" says why.
            assert!(!item.sources.is_empty(), "{}", item.key);
            for key in &item.sources {
                assert!(
                    key == "dfe" || list.references.iter().any(|r| &r.key == key),
                    "{}: unknown source {key}",
                    item.key
                );
            }
            let shoulds = item.force.values().any(|f| *f == Force::Should);
            assert_eq!(shoulds, item.should.is_some(), "{}", item.key);
            assert!(!list.sources_of(item, None).is_empty(), "{}", item.key);
        }
        for key in [
            "contact-details",
            "behaviour-policy",
            "child-protection-policy",
            "privacy-notice",
            "accessibility-statement",
            "gender-pay-gap",
        ] {
            let item = list.item(key).unwrap();
            for profile in [Profile::Maintained, Profile::Academy] {
                assert_eq!(item.force(profile), Some(Force::Must), "{key}");
            }
        }
        for key in ["music-development-plan", "governor-details"] {
            let item = list.item(key).unwrap();
            for profile in [Profile::Maintained, Profile::Academy] {
                assert_eq!(item.force(profile), Some(Force::Should), "{key}");
            }
        }
        let complaints = list.item("complaints-policy").unwrap();
        assert_eq!(complaints.force(Profile::Maintained), Some(Force::Must));
        assert_eq!(complaints.force(Profile::Academy), Some(Force::Should));
        assert!(list.item("online-safety-policy").unwrap().force.is_empty());
        assert!(
            !list
                .item("trust-documents")
                .unwrap()
                .required_by(Profile::Maintained)
        );
        assert_eq!(
            list.item("ofsted-report").unwrap().cadence,
            Cadence::OnInspection
        );
        assert_eq!(
            list.item("equality-objectives").unwrap().cadence,
            Cadence::EveryFourYears
        );
        let generated: Vec<&str> = list
            .items
            .iter()
            .filter(|i| i.generated)
            .map(|i| i.key.as_str())
            .collect();
        assert_eq!(generated, ["privacy-notice", "accessibility-statement"]);
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn cadences_give_due_dates() {
        let d = |c: Cadence, last: &str| c.due(day(last)).map(|d| d.to_string());
        assert_eq!(
            d(Cadence::Yearly, "2026-02-28").as_deref(),
            Some("2027-02-28")
        );
        assert_eq!(
            d(Cadence::OnChange, "2026-02-28").as_deref(),
            Some("2027-02-28")
        );
        assert_eq!(
            d(Cadence::EveryFourYears, "2024-02-29").as_deref(),
            Some("2028-02-29")
        );
        // A music summary written in the summer is for the year ahead;
        // one written in the spring, for the year it is in.
        let music = Cadence::BeforeAcademicYear;
        assert_eq!(d(music, "2026-07-10").as_deref(), Some("2027-08-31"));
        assert_eq!(d(music, "2026-09-15").as_deref(), Some("2027-08-31"));
        assert_eq!(d(music, "2026-03-01").as_deref(), Some("2026-08-31"));
        assert_eq!(d(music, "2026-08-31").as_deref(), Some("2027-08-31"));
        assert_eq!(d(Cadence::OnInspection, "2026-03-01"), None);
        assert_eq!(
            due_after_inspection(day("2026-01-10"), day("2026-03-02")),
            Some(day("2026-05-01"))
        );
        assert_eq!(
            due_after_inspection(day("2026-04-10"), day("2026-03-02")),
            None
        );
    }

    #[test]
    fn titles_in_sentences_keep_acronyms() {
        let list = Checklist::builtin();
        assert_eq!(
            list.item("behaviour-policy").unwrap().in_sentence(),
            "behaviour policy"
        );
        assert_eq!(
            list.item("pe-and-sport-premium").unwrap().in_sentence(),
            "PE and sport premium"
        );
        assert_eq!(
            list.item("ofsted-report").unwrap().in_sentence(),
            "Ofsted report"
        );
    }

    #[test]
    fn suggests_close_keys() {
        let list = Checklist::builtin();
        assert_eq!(list.suggest("behavior-policy"), Some("behaviour-policy"));
        assert_eq!(list.suggest("behaviour"), Some("behaviour-policy"));
        assert_eq!(list.suggest("complaints"), Some("complaints-policy"));
        assert_eq!(list.suggest("lunch-menu"), None);
    }
}
