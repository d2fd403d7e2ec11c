//! Who was in earlier exports: some exports (Wonde's) drop a pupil who
//! leaves instead of giving a leaving date. `consent/register-history.csv`
//! remembers each id the export has held, with the masked name reports
//! use, and the day it was first missing. A pupil missing from the new
//! export is treated as having left on the export's date, and said so,
//! rather than becoming an unknown id.

use chrono::NaiveDate;
use std::collections::BTreeMap;

/// The file, in `consent/`.
pub const HISTORY_FILE: &str = "register-history.csv";

/// One remembered person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub id: String,
    /// "Amelia H.": never a full name.
    pub masked: String,
    /// The first export they were missing from, if they are.
    pub left_on: Option<NaiveDate>,
}

/// The history, by id key.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct History {
    pub seen: BTreeMap<String, Seen>,
}

impl History {
    /// Reads the file's text; rows it cannot read are dropped (they are
    /// written again from the export).
    pub fn parse(text: &str, id_key: impl Fn(&str) -> String) -> History {
        let mut seen = BTreeMap::new();
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        for record in reader.records().flatten() {
            let id = record.get(0).unwrap_or("").trim();
            if id.is_empty() {
                continue;
            }
            let left_on = record
                .get(2)
                .and_then(|d| super::values::date(d).ok().flatten());
            seen.insert(
                id_key(id),
                Seen {
                    id: id.to_string(),
                    masked: record.get(1).unwrap_or("").trim().to_string(),
                    left_on,
                },
            );
        }
        History { seen }
    }

    /// Brings the history up to date with the ids in this export
    /// (id key → (id, masked name)); returns those who are newly missing.
    pub fn update(
        &mut self,
        present: &BTreeMap<String, (String, String)>,
        export_date: NaiveDate,
    ) -> Vec<Seen> {
        let mut newly = Vec::new();
        for (key, seen) in self.seen.iter_mut() {
            if present.contains_key(key) {
                continue;
            }
            if seen.left_on.is_none() {
                seen.left_on = Some(export_date);
                newly.push(seen.clone());
            }
        }
        for (key, (id, masked)) in present {
            self.seen.insert(
                key.clone(),
                Seen {
                    id: id.clone(),
                    masked: masked.clone(),
                    left_on: None,
                },
            );
        }
        newly
    }

    /// Those no longer in the export.
    pub fn gone(&self) -> impl Iterator<Item = &Seen> {
        self.seen.values().filter(|s| s.left_on.is_some())
    }

    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(["id", "name", "missing_since"]);
        for s in self.seen.values() {
            let on = s.left_on.map(|d| d.to_string()).unwrap_or_default();
            let _ = w.write_record([s.id.as_str(), s.masked.as_str(), on.as_str()]);
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> String {
        s.trim().to_lowercase()
    }

    #[test]
    fn a_pupil_missing_from_the_new_export_has_left_on_its_date() {
        let mut h = History::default();
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let both: BTreeMap<_, _> = [("1", "Amelia H."), ("2", "Ben J.")]
            .iter()
            .map(|(i, m)| (key(i), (i.to_string(), m.to_string())))
            .collect();
        assert!(h.update(&both, day(1)).is_empty());
        let one: BTreeMap<_, _> = both
            .iter()
            .take(1)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let gone = h.update(&one, day(2));
        assert_eq!(gone.len(), 1);
        assert_eq!((gone[0].id.as_str(), gone[0].left_on), ("2", Some(day(2))));
        // A later export does not move the date on.
        assert!(h.update(&one, day(3)).is_empty());
        let again = History::parse(&h.to_csv(), key);
        assert_eq!(again, h);
        assert_eq!(again.gone().next().unwrap().left_on, Some(day(2)));
        // Back in the export: back at school.
        h.update(&both, day(4));
        assert_eq!(h.gone().count(), 0);
    }
}
