//! Which column of the export holds what: the documented default layout,
//! presets for the headers common MIS exports use, and the school's own
//! overrides from `consent/register.toml`.
//!
//! Headers are compared ignoring case, spaces and punctuation, so
//! "Legal Forename", "legal_forename" and "LegalForename" are the same.

use std::collections::BTreeMap;

/// A field of the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Id,
    LegalForename,
    LegalSurname,
    PreferredForename,
    PreferredSurname,
    Group,
    Role,
    LeavingDate,
    ConsentDate,
    Withdrawn,
    WithdrawnDate,
    NeverPublish,
}

impl Field {
    pub const ALL: [Field; 12] = [
        Field::Id,
        Field::LegalForename,
        Field::LegalSurname,
        Field::PreferredForename,
        Field::PreferredSurname,
        Field::Group,
        Field::Role,
        Field::LeavingDate,
        Field::ConsentDate,
        Field::Withdrawn,
        Field::WithdrawnDate,
        Field::NeverPublish,
    ];

    /// The field's name in the default layout and in `[columns]`.
    pub fn key(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::LegalForename => "legal_forename",
            Field::LegalSurname => "legal_surname",
            Field::PreferredForename => "preferred_forename",
            Field::PreferredSurname => "preferred_surname",
            Field::Group => "group",
            Field::Role => "role",
            Field::LeavingDate => "leaving_date",
            Field::ConsentDate => "consent_date",
            Field::Withdrawn => "withdrawn",
            Field::WithdrawnDate => "withdrawn_date",
            Field::NeverPublish => "never_publish",
        }
    }

    /// Whether a register without this column is refused. Leaving dates
    /// and the never-publish flag are required so that a missing column
    /// can never read as "nobody leaves" or "nobody is protected".
    pub fn required(self) -> bool {
        matches!(
            self,
            Field::Id
                | Field::LegalForename
                | Field::LegalSurname
                | Field::LeavingDate
                | Field::ConsentDate
                | Field::NeverPublish
        )
    }

    fn from_key(key: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.key() == key)
    }
}

/// The consent uses every register must have a column for.
pub const REQUIRED_USES: [&str; 3] = [
    "website_group",
    "website_individual",
    "website_named_first_name",
];

/// Header names a preset recognises for each field, before the default
/// layout's own names (which every preset also accepts).
struct Preset {
    name: &'static str,
    headers: &'static [(Field, &'static [&'static str])],
}

const DEFAULT: Preset = Preset {
    name: "default",
    headers: &[
        (Field::Id, &["id"]),
        (Field::LegalForename, &["legal_forename", "forename"]),
        (Field::LegalSurname, &["legal_surname", "surname"]),
        (Field::PreferredForename, &["preferred_forename"]),
        (Field::PreferredSurname, &["preferred_surname"]),
        (Field::Group, &["group", "year_group", "class"]),
        (Field::Role, &["role"]),
        (Field::LeavingDate, &["leaving_date"]),
        (Field::ConsentDate, &["consent_date"]),
        (Field::Withdrawn, &["withdrawn"]),
        (Field::WithdrawnDate, &["withdrawn_date"]),
        (Field::NeverPublish, &["never_publish"]),
    ],
};

/// Presets for the student-list exports of the common MIS and of Wonde,
/// which many schools export through. Consent columns are named by each
/// school in its MIS, so they are mapped in `[uses]`.
const PRESETS: &[Preset] = &[
    Preset {
        name: "sims",
        headers: &[
            (Field::Id, &["adno", "admission number"]),
            (Field::LegalForename, &["legal forename"]),
            (Field::LegalSurname, &["legal surname"]),
            (
                Field::PreferredForename,
                &["forename", "preferred forename"],
            ),
            (Field::PreferredSurname, &["surname", "preferred surname"]),
            (Field::Group, &["reg group", "year"]),
            (Field::LeavingDate, &["date of leaving", "leaving date"]),
        ],
    },
    Preset {
        name: "arbor",
        headers: &[
            (Field::Id, &["student id", "arbor id", "admission number"]),
            (Field::LegalForename, &["legal first name"]),
            (Field::LegalSurname, &["legal last name"]),
            (
                Field::PreferredForename,
                &["preferred first name", "first name"],
            ),
            (
                Field::PreferredSurname,
                &["preferred last name", "last name"],
            ),
            (Field::Group, &["registration form", "year group"]),
            (Field::LeavingDate, &["leaving date", "end date"]),
        ],
    },
    Preset {
        name: "bromcom",
        headers: &[
            (Field::Id, &["admission number", "student id"]),
            (Field::LegalForename, &["legal forename"]),
            (Field::LegalSurname, &["legal surname"]),
            (Field::PreferredForename, &["preferred forename"]),
            (Field::PreferredSurname, &["preferred surname"]),
            (Field::Group, &["tutor group", "year"]),
            (Field::LeavingDate, &["leaving date", "date of leaving"]),
        ],
    },
    Preset {
        name: "scholarpack",
        headers: &[
            (Field::Id, &["admission number", "adno"]),
            (Field::LegalForename, &["legal forename"]),
            (Field::LegalSurname, &["legal surname"]),
            (Field::PreferredForename, &["forename", "known as"]),
            (Field::PreferredSurname, &["surname"]),
            (Field::Group, &["class", "year"]),
            (Field::LeavingDate, &["date of leaving", "leaving date"]),
        ],
    },
    Preset {
        name: "wonde",
        headers: &[
            (Field::Id, &["mis id"]),
            (Field::LegalForename, &["legal forename"]),
            (Field::LegalSurname, &["legal surname"]),
            (Field::PreferredForename, &["forename"]),
            (Field::PreferredSurname, &["surname"]),
            (Field::Group, &["registration group", "year group"]),
            (Field::LeavingDate, &["leaving date"]),
        ],
    },
];

/// The names of every preset, for messages and docs.
pub fn preset_names() -> Vec<&'static str> {
    std::iter::once(DEFAULT.name)
        .chain(PRESETS.iter().map(|p| p.name))
        .collect()
}

/// `consent/register.toml`: where the export is and how to read it.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    /// The export, relative to `consent/`.
    #[serde(default = "default_file")]
    pub file: String,
    /// Which export's headers to expect.
    #[serde(default = "default_preset")]
    pub preset: String,
    /// Field name → header, for headers no preset knows.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// Consent use → header. The three website uses default to columns
    /// named after them; add any other use the school records.
    #[serde(default)]
    pub uses: BTreeMap<String, String>,
}

fn default_file() -> String {
    "register.csv".to_string()
}

fn default_preset() -> String {
    DEFAULT.name.to_string()
}

impl Default for Layout {
    fn default() -> Self {
        Layout {
            file: default_file(),
            preset: default_preset(),
            columns: BTreeMap::new(),
            uses: BTreeMap::new(),
        }
    }
}

/// Where each field and use is in the export's header row.
#[derive(Debug, Default)]
pub struct Columns {
    pub fields: BTreeMap<Field, usize>,
    /// Use name → column, in the order of `[uses]` then the required ones.
    pub uses: Vec<(String, usize)>,
}

/// Why the header row cannot be read with the layout.
#[derive(Debug, PartialEq, Eq)]
pub struct LayoutProblem {
    pub message: String,
    pub fix: String,
}

fn normalise(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

impl Layout {
    /// Checks the layout's own keys.
    pub fn validate(&self) -> Result<(), LayoutProblem> {
        if !preset_names().contains(&self.preset.as_str()) {
            return Err(LayoutProblem {
                message: format!("preset {:?} is not one schoolsite knows", self.preset),
                fix: format!("use one of: {}", preset_names().join(", ")),
            });
        }
        if let Some(key) = self.columns.keys().find(|k| Field::from_key(k).is_none()) {
            let names: Vec<_> = Field::ALL.iter().map(|f| f.key()).collect();
            return Err(LayoutProblem {
                message: format!("[columns] has {key:?}, which is not a register field"),
                fix: format!(
                    "use one of: {} (consent columns go in [uses])",
                    names.join(", ")
                ),
            });
        }
        Ok(())
    }

    /// Finds every field and use in `headers`.
    pub fn resolve(&self, headers: &[String]) -> Result<Columns, LayoutProblem> {
        let found = |name: &str| {
            let want = normalise(name);
            headers.iter().position(|h| normalise(h) == want)
        };
        let preset = PRESETS.iter().find(|p| p.name == self.preset);
        let mut columns = Columns::default();
        let mut missing = Vec::new();
        for field in Field::ALL {
            let column = match self.columns.get(field.key()) {
                Some(header) => found(header),
                None => candidates(preset, field).find_map(found),
            };
            match column {
                Some(c) => {
                    columns.fields.insert(field, c);
                }
                None if field.required() => missing.push(match self.columns.get(field.key()) {
                    Some(header) => format!("{} (set to {header:?} in [columns])", field.key()),
                    None => field.key().to_string(),
                }),
                None => {}
            }
        }
        let mut uses: Vec<(String, String)> = self
            .uses
            .iter()
            .map(|(u, h)| (u.clone(), h.clone()))
            .collect();
        for required in REQUIRED_USES {
            if !self.uses.contains_key(required) {
                uses.push((required.to_string(), required.to_string()));
            }
        }
        for (name, header) in uses {
            match found(&header) {
                Some(c) => columns.uses.push((name, c)),
                None if REQUIRED_USES.contains(&name.as_str()) || self.uses.contains_key(&name) => {
                    missing.push(if header == name {
                        format!("{name} (consent)")
                    } else {
                        format!("{name} (set to {header:?} in [uses])")
                    });
                }
                None => {}
            }
        }
        if missing.is_empty() {
            return Ok(columns);
        }
        let shown: Vec<String> = headers.iter().take(30).map(|h| format!("{h:?}")).collect();
        let hint = self.better_preset(headers).map_or(String::new(), |p| {
            format!("; the headers look like a {p} export: set preset = \"{p}\"")
        });
        Err(LayoutProblem {
            message: format!(
                "the register has no column for: {} (its headers are {})",
                missing.join(", "),
                shown.join(", ")
            ),
            fix: format!(
                "name the columns in consent/register.toml under [columns] and [uses] (see consent/README.md){hint}"
            ),
        })
    }

    /// Another preset that finds more of the required fields, if any.
    fn better_preset(&self, headers: &[String]) -> Option<&'static str> {
        let normalised: Vec<String> = headers.iter().map(|h| normalise(h)).collect();
        let score = |preset: Option<&'static Preset>| {
            Field::ALL
                .into_iter()
                .filter(|f| f.required())
                .filter(|&f| candidates(preset, f).any(|c| normalised.contains(&normalise(c))))
                .count()
        };
        let current = score(PRESETS.iter().find(|p| p.name == self.preset));
        let mut best: Option<(usize, &'static str)> = None;
        for p in PRESETS {
            let s = score(Some(p));
            if s > current && best.is_none_or(|(b, _)| s > b) {
                best = Some((s, p.name));
            }
        }
        best.map(|(_, name)| name)
    }
}

/// The header names tried for `field`: the preset's, then the default's.
fn candidates(preset: Option<&'static Preset>, field: Field) -> impl Iterator<Item = &'static str> {
    let of = move |p: &'static Preset| {
        p.headers
            .iter()
            .filter(move |(f, _)| *f == field)
            .flat_map(|(_, names)| names.iter().copied())
    };
    preset.into_iter().flat_map(of).chain(of(&DEFAULT))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    const DEFAULT_HEADERS: &[&str] = &[
        "id",
        "legal_forename",
        "legal_surname",
        "leaving_date",
        "consent_date",
        "never_publish",
        "website_group",
        "website_individual",
        "website_named_first_name",
    ];

    #[test]
    fn default_layout_ignores_case_and_punctuation() {
        let mut h = headers(DEFAULT_HEADERS);
        h[1] = "Legal Forename".into();
        h.push("Newsletter".into());
        let mut layout = Layout::default();
        layout.uses.insert("newsletter".into(), "newsletter".into());
        let c = layout.resolve(&h).unwrap();
        assert_eq!(c.fields[&Field::LegalForename], 1);
        assert!(c.uses.iter().any(|(u, i)| u == "newsletter" && *i == 9));
    }

    #[test]
    fn missing_columns_are_named_with_the_headers_found() {
        let h = headers(&["Adno", "Legal Forename", "Legal Surname"]);
        let err = Layout::default().resolve(&h).unwrap_err();
        assert!(err.message.contains("id,"), "{}", err.message);
        assert!(err.message.contains("website_group (consent)"));
        assert!(err.message.contains("\"Adno\""));
        assert!(err.fix.contains("preset = \"sims\""), "{}", err.fix);
    }

    #[test]
    fn presets_and_overrides() {
        let mut h = headers(&[
            "Adno",
            "Legal Forename",
            "Legal Surname",
            "Forename",
            "Date of Leaving",
            "Consent renewed",
            "never_publish",
            "Photo - group",
            "website_individual",
            "website_named_first_name",
        ]);
        let mut layout = Layout {
            preset: "sims".into(),
            ..Layout::default()
        };
        layout
            .columns
            .insert("consent_date".into(), "Consent renewed".into());
        layout
            .uses
            .insert("website_group".into(), "Photo - group".into());
        let c = layout.resolve(&h).unwrap();
        assert_eq!(c.fields[&Field::Id], 0);
        assert_eq!(c.fields[&Field::PreferredForename], 3);
        assert_eq!(c.fields[&Field::ConsentDate], 5);
        assert!(c.uses.contains(&("website_group".into(), 7)));
        h[7] = "Photos".into();
        let err = layout.resolve(&h).unwrap_err();
        assert!(
            err.message
                .contains("website_group (set to \"Photo - group\" in [uses])")
        );
    }

    #[test]
    fn unknown_preset_and_field_are_refused() {
        let layout = Layout {
            preset: "capita".into(),
            ..Layout::default()
        };
        assert!(layout.validate().unwrap_err().fix.contains("sims"));
        let mut layout = Layout::default();
        layout.columns.insert("surname".into(), "x".into());
        assert!(
            layout
                .validate()
                .unwrap_err()
                .message
                .contains("\"surname\"")
        );
    }
}
