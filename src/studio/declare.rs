//! Who is in a photo, written to the `photos.toml` beside it. The file is
//! edited as a document (`toml_edit`): the photo's own `[[photo]]` entry
//! is changed in place, or added at the end, and every comment, blank
//! line and other entry stays as the school wrote it.

use super::put;
use crate::consent::declarations::Focus;
use crate::media::Region;
use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, value};

/// Who the member of staff says is in a photo.
#[derive(Debug, Clone, PartialEq)]
pub enum Who {
    /// No one at all (a building, a display, a book).
    Nobody,
    /// These people, by their register ids (pupils and adults).
    People(Vec<String>),
}

/// Everything the studio declares for one photo.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub who: Who,
    /// As chosen, or left to the default (see `Declaration::focus`).
    pub focus: Option<Focus>,
    /// Parts to pixelate before it is published.
    pub blur: Vec<Region>,
}

/// Why a declaration could not be written.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DeclareError {
    #[error("photos.toml cannot be read as TOML ({0}); fix it in a text editor first")]
    Unreadable(String),
    #[error("photos.toml has `photo` that is not a list of [[photo]] entries")]
    NotAList,
    #[error("\"{0}\" is not a file name in this folder")]
    BadFile(String),
    #[error("\"{0}\" is not a register id")]
    BadId(String),
    #[error("choose at least one person, or say that no one is in it")]
    NoOne,
    #[error("a blurred part is not inside the photo: {0}")]
    BadRegion(String),
}

/// `text` (a `photos.toml`, perhaps empty) with `file`'s entry set to
/// `choice`.
pub fn declare(text: &str, file: &str, choice: &Choice) -> Result<String, DeclareError> {
    check(file, choice)?;
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| DeclareError::Unreadable(e.message().to_string()))?;
    let photos = doc
        .entry("photo")
        .or_insert(Item::ArrayOfTables(ArrayOfTables::new()))
        .as_array_of_tables_mut()
        .ok_or(DeclareError::NotAList)?;
    let at = photos
        .iter()
        .position(|t| t.get("file").and_then(Item::as_str) == Some(file));
    let entry = match at {
        Some(i) => photos.get_mut(i).ok_or(DeclareError::NotAList)?,
        None => {
            let mut fresh = Table::new();
            fresh.insert("file", value(file));
            photos.push(fresh);
            let last = photos.len() - 1;
            photos.get_mut(last).ok_or(DeclareError::NotAList)?
        }
    };
    set(entry, choice);
    Ok(doc.to_string())
}

/// Refuses what cannot be a declaration, before anything is changed.
fn check(file: &str, choice: &Choice) -> Result<(), DeclareError> {
    let plain = !file.is_empty()
        && file != "."
        && file != ".."
        && !file.contains(['/', '\\'])
        && !file.chars().any(char::is_control);
    if !plain {
        return Err(DeclareError::BadFile(file.to_string()));
    }
    if let Who::People(ids) = &choice.who {
        if ids.is_empty() {
            return Err(DeclareError::NoOne);
        }
        if let Some(bad) = ids.iter().find(|id| !is_id(id)) {
            return Err(DeclareError::BadId(bad.clone()));
        }
    }
    if let Some(problem) = choice.blur.iter().find_map(Region::problem) {
        return Err(DeclareError::BadRegion(problem));
    }
    Ok(())
}

/// A register id as MIS exports write them: letters, digits, `-`, `_`.
fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Sets the entry's keys to the choice, keeping the keys it does not
/// decide (`faces_checked_by`) and the comments before each key.
fn set(entry: &mut Table, choice: &Choice) {
    match &choice.who {
        Who::Nobody => {
            entry.remove("people");
            put(entry, "nobody", value(true));
        }
        Who::People(ids) => {
            entry.remove("nobody");
            entry.remove("faces_checked_by");
            let list: Array = ids.iter().map(String::as_str).collect();
            put(entry, "people", value(list));
        }
    }
    match choice.focus {
        Some(focus) => {
            put(entry, "focus", value(focus.as_str()));
        }
        None => {
            entry.remove("focus");
        }
    }
    if choice.blur.is_empty() {
        entry.remove("blur");
    } else {
        let regions: Array = choice.blur.iter().map(region).collect();
        put(entry, "blur", value(regions));
    }
}

fn region(r: &Region) -> InlineTable {
    let mut t = InlineTable::new();
    for (key, v) in [
        ("left", r.left),
        ("top", r.top),
        ("width", r.width),
        ("height", r.height),
    ] {
        // Whole percentages are written as integers, as people write them.
        if v.fract() == 0.0 {
            t.insert(key, (v as i64).into());
        } else {
            t.insert(key, f64::from(v).into());
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    const RELAY: &str = "# Who is in each photo in this folder.\n\n\
# The relay team with their teacher.\n\
[[photo]]\n\
file = \"relay.jpg\"\n\
# Checked with the class teacher.\n\
people = [\"1001\", \"S01\"]\n\
focus = \"group\"\n\n\
# The new library: no one in it.\n\
[[photo]]\n\
file = \"library.jpg\"\n\
nobody = true\n\
faces_checked_by = \"R. Jones\"\n";

    fn people(ids: &[&str]) -> Choice {
        Choice {
            who: Who::People(ids.iter().map(|s| s.to_string()).collect()),
            focus: None,
            blur: Vec::new(),
        }
    }

    #[test]
    fn an_entry_is_changed_in_place_and_every_comment_stays() {
        let out = declare(RELAY, "relay.jpg", &people(&["1001", "1002"])).unwrap();
        assert!(out.starts_with("# Who is in each photo in this folder.\n\n# The relay team"));
        assert!(
            out.contains("# Checked with the class teacher.\npeople = [\"1001\", \"1002\"]"),
            "{out}"
        );
        assert!(!out.contains("focus"), "{out}");
        assert!(out.contains("# The new library: no one in it.\n[[photo]]\nfile = \"library.jpg\"\nnobody = true\nfaces_checked_by = \"R. Jones\"\n"), "{out}");
        // The relay photo is still first.
        assert!(out.find("relay.jpg") < out.find("library.jpg"));
    }

    #[test]
    fn a_new_photo_is_added_at_the_end() {
        let choice = Choice {
            who: Who::People(vec!["1003".into()]),
            focus: Some(Focus::Individual),
            blur: vec![Region {
                left: 10.0,
                top: 20.5,
                width: 5.0,
                height: 5.0,
            }],
        };
        let out = declare(RELAY, "sunflower.jpg", &choice).unwrap();
        assert!(out.starts_with(RELAY), "{out}");
        let added = &out[RELAY.len()..];
        assert!(added.contains("[[photo]]\nfile = \"sunflower.jpg\"\npeople = [\"1003\"]\nfocus = \"individual\"\nblur = [{ left = 10, top = 20.5, width = 5, height = 5 }]"), "{added}");
        // What is written reads back as a declaration.
        let parsed: toml::Value = toml::from_str(&out).unwrap();
        assert_eq!(parsed["photo"].as_array().unwrap().len(), 3);
    }

    #[test]
    fn nobody_replaces_people_and_people_drop_who_checked_for_faces() {
        let out = declare(
            RELAY,
            "relay.jpg",
            &Choice {
                who: Who::Nobody,
                focus: None,
                blur: vec![],
            },
        )
        .unwrap();
        let parsed: toml::Value = toml::from_str(&out).unwrap();
        let relay = &parsed["photo"][0];
        assert_eq!(relay.get("people"), None);
        assert_eq!(relay["nobody"].as_bool(), Some(true));
        let out = declare(RELAY, "library.jpg", &people(&["1001"])).unwrap();
        let parsed: toml::Value = toml::from_str(&out).unwrap();
        let library = &parsed["photo"][1];
        assert_eq!(library.get("nobody"), None);
        assert_eq!(library.get("faces_checked_by"), None);
    }

    #[test]
    fn what_the_studio_writes_is_read_back_by_the_build() {
        use crate::consent::declarations::{Declarations, Status};
        let dir = tempfile::tempdir().unwrap();
        let choice = Choice {
            focus: Some(Focus::Group),
            blur: vec![Region {
                left: 1.0,
                top: 2.0,
                width: 3.5,
                height: 4.0,
            }],
            ..people(&["1001", "S01"])
        };
        let text = declare(RELAY, "sunflower.jpg", &choice).unwrap();
        std::fs::create_dir_all(dir.path().join("news")).unwrap();
        std::fs::write(dir.path().join("news/photos.toml"), text).unwrap();
        let all = Declarations::load(dir.path(), &["news/photos.toml"], |_| true);
        let Status::Declared(d) = all.get("news/sunflower.jpg") else {
            panic!("not declared: {:?}", all.get("news/sunflower.jpg"));
        };
        let ids: Vec<&str> = d.people.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["1001", "S01"]);
        assert_eq!(d.focus, Some(Focus::Group));
        assert_eq!(d.blur, choice.blur);
    }

    #[test]
    fn an_empty_or_missing_file_gets_its_first_entry() {
        let out = declare("", "a.jpg", &people(&["1"])).unwrap();
        assert_eq!(out, "[[photo]]\nfile = \"a.jpg\"\npeople = [\"1\"]\n");
    }

    #[test]
    fn what_cannot_be_a_declaration_changes_nothing() {
        for file in [
            "../config.toml",
            "a/b.jpg",
            "",
            "..",
            "a\nb.jpg",
            "c:\\x.jpg",
        ] {
            assert!(
                matches!(
                    declare(RELAY, file, &people(&["1"])),
                    Err(DeclareError::BadFile(_))
                ),
                "{file:?}"
            );
        }
        for id in ["", "10 01", "1001\"]\nnobody = true", "Oliver Okafor"] {
            assert!(
                matches!(
                    declare(RELAY, "a.jpg", &people(&[id])),
                    Err(DeclareError::BadId(_))
                ),
                "{id:?}"
            );
        }
        assert_eq!(
            declare(RELAY, "a.jpg", &people(&[])),
            Err(DeclareError::NoOne)
        );
        let outside = Choice {
            blur: vec![Region {
                left: 90.0,
                top: 0.0,
                width: 20.0,
                height: 5.0,
            }],
            ..people(&["1"])
        };
        assert!(matches!(
            declare(RELAY, "a.jpg", &outside),
            Err(DeclareError::BadRegion(_))
        ));
        assert!(matches!(
            declare("photo = 3", "a.jpg", &people(&["1"])),
            Err(DeclareError::NotAList)
        ));
        assert!(matches!(
            declare("[[photo]\n", "a.jpg", &people(&["1"])),
            Err(DeclareError::Unreadable(_))
        ));
    }
}
