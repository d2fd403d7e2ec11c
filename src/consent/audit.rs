//! Questions a school asks of its register and its published photos:
//! which must come down by a date (`schoolsite leavers`), and where a
//! person appears (`schoolsite where`). Answers name people by id and
//! masked name only.

use super::{Block, Declarations, Focus, Lookup, Person, Policy, Register, Role, assess};
use crate::content::FileUse;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// A person as reports show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Who {
    pub id: String,
    /// First name and initial, or empty when the id is not in the register.
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub group: String,
    /// The row in the register, when found there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
}

impl Who {
    fn of(id: &str, person: Option<&Person>) -> Who {
        match person {
            Some(p) => Who {
                id: p.id.clone(),
                name: p.masked(),
                role: Some(p.role),
                group: p.group.clone(),
                row: (!p.is_gone()).then_some(p.row),
            },
            None => Who {
                id: id.to_string(),
                name: String::new(),
                role: None,
                group: String::new(),
                row: None,
            },
        }
    }

    /// "1042 (Amelia S.), pupil, Year 6".
    pub fn describe(&self) -> String {
        let mut s = self.id.clone();
        if !self.name.is_empty() {
            s.push_str(&format!(" ({})", self.name));
        }
        if let Some(role) = self.role {
            s.push_str(&format!(", {}", role.as_str()));
        }
        if !self.group.is_empty() {
            s.push_str(&format!(", {}", self.group));
        }
        s
    }
}

/// A photo and the pages that show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhotoUse {
    /// The photo, relative to the site root.
    pub photo: String,
    pub focus: Focus,
    /// The `photos.toml` entry declaring it.
    pub declared_in: String,
    pub declared_line: usize,
    /// Empty when no page shows the photo (so it is not published).
    pub pages: Vec<Page>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page {
    pub file: String,
    pub line: usize,
    pub url: String,
}

/// A person whose photos must come down, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Leaver {
    pub who: Who,
    pub reasons: Vec<String>,
    pub photos: Vec<PhotoUse>,
}

/// Every published photo that may no longer be published on `on`, grouped
/// by the person who stops it, in id order.
pub fn leavers(
    register: &Register,
    declarations: &Declarations,
    uses: &BTreeMap<String, Vec<FileUse>>,
    on: NaiveDate,
    policy: &Policy,
) -> Vec<Leaver> {
    let mut by_id: BTreeMap<String, Leaver> = BTreeMap::new();
    for (path, declaration) in declarations.iter() {
        let Some(pages) = uses.get(path) else {
            continue;
        };
        // Everyone declared in any copy of the photo (the same bytes on
        // another page, under any name), at the strictest focus.
        let Some((people, focus)) = super::everyone_in(register, declarations, path) else {
            continue;
        };
        for declared in people {
            let a = assess(register, &declared.id, focus.consent_use(), on, policy);
            if a.blocks.is_empty() {
                continue;
            }
            let key = a.person.map_or(declared.id.clone(), |p| p.id.clone());
            let entry = by_id.entry(key.to_lowercase()).or_insert_with(|| Leaver {
                who: Who::of(&declared.id, a.person),
                reasons: Vec::new(),
                photos: Vec::new(),
            });
            for b in &a.blocks {
                let reason = reason(b);
                if !entry.reasons.contains(&reason) {
                    entry.reasons.push(reason);
                }
            }
            entry
                .photos
                .push(photo_use(path, declaration, focus, pages));
        }
    }
    by_id.into_values().collect()
}

/// Every declared photo `id` is in (published or not), in path order.
pub fn appearances(
    register: &Register,
    declarations: &Declarations,
    uses: &BTreeMap<String, Vec<FileUse>>,
    id: &str,
) -> Vec<PhotoUse> {
    let mut out = Vec::new();
    for (path, declaration) in declarations.iter() {
        // Declared in this copy of the photo or any other (the same bytes
        // elsewhere, even one declared as showing nobody).
        let Some((people, focus)) = super::everyone_in(register, declarations, path) else {
            continue;
        };
        if !people.iter().any(|p| super::same_id(&p.id, id)) {
            continue;
        }
        let pages = uses.get(path).map_or(&[][..], Vec::as_slice);
        out.push(photo_use(path, declaration, focus, pages));
    }
    out
}

/// The person `id` as reports show them.
pub fn who(register: &Register, id: &str) -> Who {
    match register.lookup(id) {
        Lookup::Found(p) => Who::of(id, Some(p)),
        _ => Who::of(id, None),
    }
}

fn photo_use(
    path: &str,
    declaration: &super::Declaration,
    focus: Focus,
    pages: &[FileUse],
) -> PhotoUse {
    PhotoUse {
        photo: format!("{}/{path}", crate::content::CONTENT_DIR),
        focus,
        declared_in: declaration.sidecar.clone(),
        declared_line: declaration.line,
        pages: pages
            .iter()
            .map(|u| Page {
                file: u.file.clone(),
                line: u.line,
                url: u.url.clone(),
            })
            .collect(),
    }
}

fn reason(block: &Block) -> String {
    match block {
        Block::Unknown => "is not in the consent register".into(),
        other => other.to_string(),
    }
}
