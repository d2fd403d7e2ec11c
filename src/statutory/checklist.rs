//! The built-in checklist: what the DfE lists, kept as data in
//! `checklist.toml` beside this file, with the source each profile comes
//! from and the date it was last compared with it.

use crate::config::Profile;
use serde::{Deserialize, Serialize};
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

/// One thing a school must publish.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// What front matter names it by: `statutory = "behaviour-policy"`.
    pub key: String,
    pub title: String,
    /// The profiles that require it.
    pub profiles: Vec<Profile>,
    /// What the page must contain, for the people writing it.
    pub contains: String,
    /// How often it must be reviewed, when a page gives no date of its own.
    pub review_months: u32,
    /// A deadline or frequency in words ("by 31 December each year").
    #[serde(default)]
    pub when: Option<String>,
    /// The schools it applies to, when not all of them.
    #[serde(default)]
    pub applies: Option<String>,
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
        let mut chars = self.title.chars();
        match (chars.next(), chars.next()) {
            (Some(first), Some(second)) if !second.is_uppercase() => first
                .to_lowercase()
                .chain(self.title.chars().skip(1))
                .collect(),
            _ => self.title.clone(),
        }
    }

    pub fn required_by(&self, profile: Profile) -> bool {
        self.profiles.contains(&profile)
    }
}

/// The whole list.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Checklist {
    #[serde(rename = "source")]
    pub sources: Vec<Source>,
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
            assert!(!item.profiles.is_empty(), "{}", item.key);
            assert!(!item.profiles.contains(&Profile::None), "{}", item.key);
            assert!((1..=60).contains(&item.review_months), "{}", item.key);
            assert!(item.must_link.iter().all(|l| l.starts_with("https://")));
            assert!(
                item.key
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{}",
                item.key
            );
        }
        for key in [
            "contact-details",
            "behaviour-policy",
            "online-safety-policy",
            "privacy-notice",
            "accessibility-statement",
        ] {
            let item = list.item(key).unwrap();
            assert!(item.required_by(Profile::Maintained) && item.required_by(Profile::Academy));
        }
        assert!(
            !list
                .item("trust-documents")
                .unwrap()
                .required_by(Profile::Maintained)
        );
        let generated: Vec<&str> = list
            .items
            .iter()
            .filter(|i| i.generated)
            .map(|i| i.key.as_str())
            .collect();
        assert_eq!(generated, ["privacy-notice", "accessibility-statement"]);
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
