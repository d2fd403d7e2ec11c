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

    /// Whether a register without this column is refused. A consent
    /// date, leaving dates and the never-publish list may come from
    /// elsewhere (see `register`), never from nowhere.
    pub fn required(self) -> bool {
        matches!(self, Field::Id | Field::LegalForename | Field::LegalSurname)
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
        (Field::Id, &["id", "staff code", "staff id"]),
        (Field::LegalForename, &["legal_forename", "forename"]),
        (Field::LegalSurname, &["legal_surname", "surname"]),
        (Field::PreferredForename, &["preferred_forename"]),
        (Field::PreferredSurname, &["preferred_surname"]),
        (Field::Group, &["group", "year_group", "class"]),
        (Field::Role, &["role"]),
        (
            Field::LeavingDate,
            &["leaving_date", "leaving date", "date of leaving"],
        ),
        (Field::ConsentDate, &["consent_date", "date of consent"]),
        (Field::Withdrawn, &["withdrawn", "consent withdrawn"]),
        (
            Field::WithdrawnDate,
            &[
                "withdrawn_date",
                "date withdrawn",
                "withdrawal date",
                "date of withdrawal",
            ],
        ),
        (Field::NeverPublish, &["never_publish"]),
    ],
};

/// Presets for the student-list exports of the common MIS and of Wonde,
/// which many schools export through. Where a header is confirmed by a
/// public source, docs/consent.md says which. Preferred names are tried
/// before plain ones ("Forename" is SIMS's preferred forename only when
/// there is no "Preferred Forename"). Consent columns are named by each
/// school in its MIS, so they are mapped in `[uses]`.
const PRESETS: &[Preset] = &[
    Preset {
        name: "sims",
        headers: &[
            (Field::Id, &["adno", "admission number", "admission no"]),
            (Field::LegalForename, &["legal forename"]),
            (Field::LegalSurname, &["legal surname"]),
            (
                Field::PreferredForename,
                &["preferred forename", "forename"],
            ),
            (Field::PreferredSurname, &["preferred surname", "surname"]),
            (
                Field::Group,
                &[
                    "reg group",
                    "reg",
                    "registration group",
                    "year",
                    "year group",
                ],
            ),
            (Field::LeavingDate, &["date of leaving", "leaving date"]),
        ],
    },
    Preset {
        name: "arbor",
        headers: &[
            (
                Field::Id,
                &[
                    "arbor student id",
                    "student id",
                    "arbor id",
                    "admission number",
                    "student number",
                ],
            ),
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
            (
                Field::Group,
                &[
                    "registration form",
                    "registration form name",
                    "form",
                    "year group",
                    "year",
                ],
            ),
            // Not "End Date": in Arbor that ends a registration form's
            // membership (every 31 August), not the pupil's time here.
            (Field::LeavingDate, &["leaving date"]),
        ],
    },
    Preset {
        name: "bromcom",
        headers: &[
            (
                Field::Id,
                // The API's StudentId first: its consents are keyed by it.
                &["student id", "admission number", "admission no", "adno"],
            ),
            (
                Field::LegalForename,
                &[
                    "legal first name",
                    "legal forename",
                    "first name",
                    "student first name",
                    "forename",
                ],
            ),
            (
                Field::LegalSurname,
                &[
                    "legal last name",
                    "legal surname",
                    "last name",
                    "student last name",
                    "surname",
                ],
            ),
            (
                Field::PreferredForename,
                &["preferred first name", "preferred forename"],
            ),
            (
                Field::PreferredSurname,
                &["preferred last name", "preferred surname"],
            ),
            (
                Field::Group,
                &[
                    "tutor group name",
                    "tutor group",
                    "class",
                    "year group",
                    "year",
                ],
            ),
            (
                Field::LeavingDate,
                &["leaving date", "date of leaving", "enrolment end date"],
            ),
        ],
    },
    Preset {
        name: "scholarpack",
        headers: &[
            (Field::Id, &["admission number", "adno", "admission no"]),
            (Field::LegalForename, &["legal forename"]),
            (Field::LegalSurname, &["legal surname"]),
            (
                Field::PreferredForename,
                &["known as", "preferred forename", "forename"],
            ),
            (Field::PreferredSurname, &["preferred surname", "surname"]),
            (Field::Group, &["class", "year group", "year"]),
            (Field::LeavingDate, &["date of leaving", "leaving date"]),
        ],
    },
    Preset {
        name: "wonde",
        headers: &[
            (
                Field::Id,
                &[
                    "mis id",
                    "admission number",
                    "education details data admission number",
                ],
            ),
            (Field::LegalForename, &["legal forename"]),
            (Field::LegalSurname, &["legal surname"]),
            (Field::PreferredForename, &["forename"]),
            (Field::PreferredSurname, &["surname"]),
            (
                Field::Group,
                &[
                    "registration name",
                    "registration data name",
                    "year name",
                    "year data name",
                ],
            ),
            (
                Field::LeavingDate,
                &["leaving date", "education details data leaving date"],
            ),
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
    /// Consent use → header, or in a long-form consents export the
    /// consent type's name. The three website uses default to their own
    /// names; add any other use the school records.
    #[serde(default)]
    pub uses: BTreeMap<String, String>,
    /// When this round of consent forms was collected: the date consent
    /// was given for anyone the exports give no date for, so validity
    /// still runs out.
    #[serde(default)]
    pub consents_collected: Option<toml::value::Datetime>,
    /// A long-form consents export: one row per pupil and consent type.
    #[serde(default)]
    pub consents: Option<LongForm>,
    /// Staff and other adults, in the default layout (`id`, `forename`,
    /// `surname`, `role`, the consent columns).
    #[serde(default)]
    pub adults: Option<String>,
}

/// `[consents]` in `register.toml`.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LongForm {
    pub file: String,
    /// Field name (`id`, `type`, `status`, `date`) → header, for headers
    /// the presets do not know.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// The file lists only the consents given (a report of ticked
    /// consents), so a row with no status means given. Never assumed.
    #[serde(default)]
    pub given_only: bool,
    /// Other columns the file has that carry no answer (a note, a
    /// reference): every column must be known or listed here.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Consent types in the file that are not about photos or the website
    /// (trips, medicines): not mapped, and not warned about.
    #[serde(default)]
    pub other_types: Vec<String>,
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
            consents_collected: None,
            consents: None,
            adults: None,
        }
    }
}

/// Where each field and use is in the export's header row.
#[derive(Debug, Default)]
pub struct Columns {
    pub fields: BTreeMap<Field, usize>,
    /// Use name → column, in the order of `[uses]` then the required ones.
    pub uses: Vec<(String, usize)>,
    /// Uses with no column here (use name, the header or type asked for):
    /// a long-form consents export may hold them.
    pub elsewhere: Vec<(String, String)>,
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
        // Two headers read the same way: which holds the answer is a guess.
        let mut seen = std::collections::HashSet::new();
        if let Some(twice) = headers
            .iter()
            .find(|h| !normalise(h).is_empty() && !seen.insert(normalise(h)))
        {
            return Err(LayoutProblem {
                message: format!(
                    "the register has two columns called {twice:?}, so which one holds the answer cannot be known"
                ),
                fix: "export it again with each column once".into(),
            });
        }
        for field in Field::ALL {
            let column = match self.columns.get(field.key()) {
                Some(header) => found(header),
                None => candidates(preset, field).find_map(found),
            };
            match column {
                Some(c) => {
                    if let Some(other) = second_column(headers, field, c) {
                        missing.push(format!(
                            "{} (both {:?} and {other:?} could be it, and which is right cannot be known: export only one of them)",
                            field.key(),
                            headers[c]
                        ));
                        continue;
                    }
                    columns.fields.insert(field, c);
                }
                // A column the school named is there, or it is a mistake.
                None => match self.columns.get(field.key()) {
                    Some(header) => {
                        missing.push(format!("{} (set to {header:?} in [columns])", field.key()))
                    }
                    None if field.required() => missing.push(field.key().to_string()),
                    None => {
                        if let Some(header) = known_elsewhere(headers, field) {
                            missing.push(format!(
                                "{} (the export has {header:?}, which another preset reads as {}: set the preset that matches the export, or name it under [columns])",
                                field.key(),
                                field.key()
                            ));
                        }
                    }
                },
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
            // A column named after the use itself, but the use mapped to
            // another: one of the two is a mistake.
            if header != name
                && REQUIRED_USES.contains(&name.as_str())
                && let Some(own) = found(&name)
            {
                missing.push(format!(
                    "{name} (mapped to {header:?} in [uses], but the export has its own {:?} column: remove one)",
                    headers[own]
                ));
                continue;
            }
            match found(&header) {
                Some(c) => columns.uses.push((name, c)),
                None if REQUIRED_USES.contains(&name.as_str()) || self.uses.contains_key(&name) => {
                    columns.elsewhere.push((name, header));
                }
                None => {}
            }
        }
        if missing.is_empty() {
            return Ok(columns);
        }
        Err(self.no_column(headers, &missing))
    }

    /// The problem of a header row without the columns in `missing`.
    pub fn no_column(&self, headers: &[String], missing: &[String]) -> LayoutProblem {
        // A first row in which no cell is a column name any preset knows
        // is data (an export saved without its header row): it may hold a
        // pupil's name, so it is not shown.
        let shown = if Field::ALL.iter().any(|&f| known_any(headers, f).is_some()) {
            let h: Vec<String> = headers.iter().take(30).map(|h| format!("{h:?}")).collect();
            format!("its headers are {}", h.join(", "))
        } else {
            "its first row is not a header row: no cell in it is a column name schoolsite knows"
                .to_string()
        };
        let hint = self
            .better_preset(headers)
            .map_or(String::new(), |(p, why)| {
                format!("; the headers look like a {p} export ({why}): set preset = \"{p}\"")
            });
        LayoutProblem {
            message: format!(
                "the register has no column for: {} ({shown})",
                missing.join(", "),
            ),
            fix: format!(
                "name the columns in consent/register.toml under [columns] and [uses] (see consent/README.md){hint}"
            ),
        }
    }

    /// Another preset that finds more of the export's fields by its own
    /// names, if any, and the fields it finds.
    pub fn better_preset(&self, headers: &[String]) -> Option<(&'static str, String)> {
        let normalised: Vec<String> = headers.iter().map(|h| normalise(h)).collect();
        let own = |preset: &'static Preset| -> Vec<&'static str> {
            preset
                .headers
                .iter()
                .filter(|(_, names)| names.iter().any(|n| normalised.contains(&normalise(n))))
                .map(|(f, _)| f.key())
                .collect()
        };
        let current = std::iter::once(&DEFAULT)
            .chain(PRESETS)
            .find(|p| p.name == self.preset)
            .map_or(0, |p| own(p).len());
        let mut best: Option<(usize, &'static Preset)> = None;
        for p in PRESETS {
            let n = own(p).len();
            if n > current && best.is_none_or(|(b, _)| n > b) {
                best = Some((n, p));
            }
        }
        best.map(|(_, p)| (p.name, format!("its names for {}", own(p).join(", "))))
    }

    /// Which header each field and use was read from, for `register check`.
    pub fn describe(&self, headers: &[String], columns: &Columns) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = columns
            .fields
            .iter()
            .map(|(f, &i)| {
                (
                    f.key().to_string(),
                    headers.get(i).cloned().unwrap_or_default(),
                )
            })
            .collect();
        out.extend(
            columns
                .uses
                .iter()
                .map(|(u, i)| (u.clone(), headers.get(*i).cloned().unwrap_or_default())),
        );
        out
    }
}

/// A header of the export that some preset reads as `field`, for a field
/// that decides whether a photo may be published (a leaving date, a
/// withdrawal, a consent date, never-publish): unread, it would read as
/// "not leaving", "not withdrawn".
fn known_elsewhere(headers: &[String], field: Field) -> Option<String> {
    let decides = matches!(
        field,
        Field::LeavingDate
            | Field::ConsentDate
            | Field::Withdrawn
            | Field::WithdrawnDate
            | Field::NeverPublish
    );
    if !decides {
        return None;
    }
    known_any(headers, field)
}

/// Another column than `chosen` that some preset reads as `field`, for a
/// field that decides whether a photo may be published: with two leaving
/// dates, the one not read could be the right one.
fn second_column(headers: &[String], field: Field, chosen: usize) -> Option<String> {
    known_elsewhere(headers, field)?;
    let names = known_names(field);
    headers
        .iter()
        .enumerate()
        .find(|(i, h)| *i != chosen && names.contains(&normalise(h)))
        .map(|(_, h)| h.clone())
}

/// Every header any preset reads as `field`, normalised.
fn known_names(field: Field) -> Vec<String> {
    PRESETS
        .iter()
        .chain(std::iter::once(&DEFAULT))
        .flat_map(|p| p.headers.iter())
        .filter(|(f, _)| *f == field)
        .flat_map(|(_, n)| n.iter().map(|n| normalise(n)))
        .collect()
}

/// A header of the export that some preset reads as `field`.
fn known_any(headers: &[String], field: Field) -> Option<String> {
    let names: Vec<String> = PRESETS
        .iter()
        .chain(std::iter::once(&DEFAULT))
        .flat_map(|p| p.headers.iter())
        .filter(|(f, _)| *f == field)
        .flat_map(|(_, n)| n.iter().map(|n| normalise(n)))
        .collect();
    headers
        .iter()
        .find(|h| names.contains(&normalise(h)))
        .cloned()
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
        assert!(
            err.message.contains("no column for: id ("),
            "{}",
            err.message
        );
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
        // A use with no column may be in a long-form consents export.
        h[7] = "Photos".into();
        let c = layout.resolve(&h).unwrap();
        assert_eq!(
            c.elsewhere,
            vec![("website_group".to_string(), "Photo - group".to_string())]
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

    #[test]
    fn what_decides_a_photo_is_never_silently_left_unread() {
        let base = [
            "id",
            "legal_forename",
            "legal_surname",
            "consent_date",
            "never_publish",
        ];
        let with = |extra: &[&str]| -> Vec<String> {
            base.iter().chain(extra).map(|s| s.to_string()).collect()
        };
        // A leaving date another preset knows, and a misspelt [columns] name.
        let err = Layout::default()
            .resolve(&with(&["Date of Leavers"]))
            .map(|_| ());
        assert!(err.is_ok(), "a column no preset knows is other data");
        let c = Layout::default()
            .resolve(&with(&["Leaving Date "]))
            .unwrap();
        assert!(c.fields.contains_key(&Field::LeavingDate));
        let mut layout = Layout::default();
        layout
            .columns
            .insert("withdrawn".into(), "Consent withdrawl".into());
        let err = layout.resolve(&with(&["Consent withdrawn"])).unwrap_err();
        assert!(
            err.message
                .contains("withdrawn (set to \"Consent withdrawl\""),
            "{}",
            err.message
        );
        let arbor = Layout {
            preset: "arbor".into(),
            ..Layout::default()
        };
        let err = arbor.resolve(&with(&["EnrolmentEndDate"])).unwrap_err();
        assert!(
            err.message
                .contains("leaving_date (the export has \"EnrolmentEndDate\""),
            "{}",
            err.message
        );
        // Arbor's own End Date is not a leaving date, and is no mistake.
        assert!(arbor.resolve(&with(&["End Date"])).is_ok());
        // Two columns read the same way.
        let err = Layout::default()
            .resolve(&with(&["website_individual", "Website Individual"]))
            .unwrap_err();
        assert!(
            err.message.contains("two columns called"),
            "{}",
            err.message
        );
        // A use mapped away from its own column.
        let mut layout = Layout::default();
        layout
            .uses
            .insert("website_individual".into(), "website_group".into());
        let err = layout
            .resolve(&with(&[
                "website_group",
                "website_individual",
                "website_named_first_name",
            ]))
            .unwrap_err();
        assert!(err.message.contains("has its own"), "{}", err.message);
    }

    #[test]
    fn two_columns_that_could_decide_a_photo_are_refused() {
        let h = headers(&[
            "id",
            "legal_forename",
            "legal_surname",
            "consent_date",
            "never_publish",
            "leaving_date",
            "Date of Leaving",
        ]);
        let err = Layout::default().resolve(&h).unwrap_err();
        assert!(
            err.message.contains("leaving_date (both"),
            "{}",
            err.message
        );
        let h = headers(&[
            "id",
            "legal_forename",
            "legal_surname",
            "consent_date",
            "never_publish",
            "leaving_date",
            "Planned Leaving Date",
        ]);
        assert!(Layout::default().resolve(&h).is_ok());
        let mut away = Layout::default();
        away.columns
            .insert("leaving_date".into(), "Planned Leaving Date".into());
        assert!(away.resolve(&h).is_err());
    }

    #[test]
    fn a_first_row_of_data_is_not_shown() {
        let h = headers(&["1001", "Amelia", "Hartley-Brook", "07/09/2026"]);
        let err = Layout::default().resolve(&h).unwrap_err();
        assert!(!err.message.contains("Amelia"), "{}", err.message);
        assert!(err.message.contains("not a header row"));
    }
}
