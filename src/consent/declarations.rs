//! Who is in each photo: `photos.toml` beside the photos, one `[[photo]]`
//! entry per file, naming register ids or saying `nobody = true`.
//!
//! ```toml
//! [[photo]]
//! file = "sports-day.jpg"
//! people = ["1042", "1043"]
//! focus = "group"                 # optional: "individual" or "group"
//! blur = [{ left = 85, top = 10, width = 15, height = 40 }]  # optional
//!
//! [[photo]]
//! file = "new-library.jpg"
//! nobody = true
//! faces_checked_by = "R. Jones"   # optional: see docs/consent.md
//! ```
//!
//! A photo a page shows with no entry is blocked. A sidecar that cannot be
//! read declares nothing, so its photos are blocked too.
//!
//! The same photo (the same bytes) may be in several folders under
//! several names: [`Declarations::copies`] finds them by content, so each
//! copy can be checked against the others' declarations.

use crate::content::paths;
use crate::media::Region;
use crate::report::{Finding, Location};
use std::collections::BTreeMap;
use std::path::Path;

/// The sidecar's file name.
pub const SIDECAR: &str = "photos.toml";

/// The most a declarations file may hold: a folder of 1,000 photos needs
/// about 100 KB.
pub const MAX_SIDECAR_BYTES: u64 = 1_000_000;

/// Whether a photo shows one person or several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Focus {
    /// A photo of one pupil: needs `website_individual` consent.
    Individual,
    /// A photo of a group: needs `website_group` consent.
    Group,
}

impl Focus {
    /// The consent use this focus needs.
    pub fn consent_use(self) -> &'static str {
        match self {
            Focus::Individual => "website_individual",
            Focus::Group => "website_group",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Focus::Individual => "individual",
            Focus::Group => "group",
        }
    }
}

/// A person named in a declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    pub id: String,
    /// The line of `photos.toml` where the people list starts.
    pub line: usize,
}

/// One photo's entry.
#[derive(Debug, Clone)]
pub struct Declaration {
    /// The sidecar, relative to the site root (`content/news/x/photos.toml`).
    pub sidecar: String,
    /// The line of its `[[photo]]` entry.
    pub line: usize,
    /// Empty when the photo is declared as showing nobody.
    pub people: Vec<Declared>,
    /// As written; see [`Declaration::focus`] for the default.
    pub focus: Option<Focus>,
    /// Parts to pixelate before publishing.
    pub blur: Vec<Region>,
    /// For a photo declared as showing nobody in which faces are found:
    /// who looked at it and found no one from the school (a painting, an
    /// old photograph, a false face). Shown to the approver.
    pub faces_checked_by: Option<String>,
}

impl Declaration {
    pub fn nobody(&self) -> bool {
        self.people.is_empty()
    }

    /// The focus as written, or by default individual when exactly one
    /// pupil is declared, group otherwise. A photo of one person is an
    /// individual photo whatever it is declared as: `focus = "group"` on
    /// it would get round a refused individual consent.
    pub fn focus(&self, pupils: usize) -> Focus {
        if self.people.len() == 1 {
            return Focus::Individual;
        }
        self.focus.unwrap_or(if pupils == 1 {
            Focus::Individual
        } else {
            Focus::Group
        })
    }
}

/// What is declared for a photo.
#[derive(Debug)]
pub enum Status<'a> {
    Declared(&'a Declaration),
    /// No entry, and the folder's sidecar (if any) was read.
    Undeclared,
    /// The folder's sidecar could not be read.
    SidecarBroken(&'a str),
}

/// Every declaration in `content/`.
#[derive(Debug, Default)]
pub struct Declarations {
    /// By the photo's content-relative path.
    entries: BTreeMap<String, Declaration>,
    /// Sidecars that could not be read, by content-relative folder.
    broken: BTreeMap<String, String>,
    /// Declared photos with the same bytes as another declared photo: each
    /// path to every path of its group (itself included), in path order.
    copies: BTreeMap<String, Vec<String>>,
    pub problems: Vec<Finding>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Sidecar {
    #[serde(default)]
    photo: Vec<toml::Spanned<Entry>>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    file: String,
    #[serde(default)]
    people: Vec<Id>,
    #[serde(default)]
    nobody: bool,
    focus: Option<Focus>,
    #[serde(default)]
    blur: Vec<Region>,
    faces_checked_by: Option<String>,
}

/// An id, written as text or, for numeric MIS ids, as a number. (A
/// hand-written visitor: serde's untagged enums buffer every value, which
/// made reading large sidecars several times slower.)
struct Id(String);

impl<'de> serde::Deserialize<'de> for Id {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Id, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Id;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a register id, such as \"1042\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Id, E> {
                Ok(Id(v.trim().to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Id, E> {
                Ok(Id(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Id, E> {
                Ok(Id(v.to_string()))
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl Declarations {
    pub fn get(&self, photo: &str) -> Status<'_> {
        if let Some(d) = self.entries.get(photo) {
            return Status::Declared(d);
        }
        let dir = photo.rsplit_once('/').map_or("", |(d, _)| d);
        match self.broken.get(dir) {
            Some(sidecar) => Status::SidecarBroken(sidecar),
            None => Status::Undeclared,
        }
    }

    /// Every declaration, by photo path.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Declaration)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The declared photo at `path` and every other declared photo with
    /// the same bytes (the same photo in another folder or under another
    /// name), in path order; just itself when it has no copy, and nothing
    /// when it is not declared.
    pub fn copies<'a>(&'a self, path: &'a str) -> Vec<(&'a str, &'a Declaration)> {
        match self.copies.get(path) {
            Some(group) => group
                .iter()
                .filter_map(|p| self.entries.get_key_value(p))
                .map(|(k, v)| (k.as_str(), v))
                .collect(),
            None => self
                .entries
                .get_key_value(path)
                .map(|(k, v)| (k.as_str(), v))
                .into_iter()
                .collect(),
        }
    }

    /// The groups of declared photos that have the same bytes, each in
    /// path order.
    pub fn copy_groups(&self) -> impl Iterator<Item = &[String]> {
        let mut seen = std::collections::BTreeSet::new();
        self.copies
            .values()
            .filter(move |g| seen.insert(g.first().cloned()))
            .map(Vec::as_slice)
    }

    /// Finds declared photos with the same bytes. Only files of the same
    /// size can be the same, so only those are read (and hashed, a
    /// buffer at a time): a site without copies reads no photo here.
    fn link_copies(&mut self, content_dir: &Path) {
        let mut by_size: BTreeMap<u64, Vec<&String>> = BTreeMap::new();
        for path in self.entries.keys() {
            if let Ok(meta) = std::fs::metadata(content_dir.join(path))
                && meta.is_file()
            {
                by_size.entry(meta.len()).or_default().push(path);
            }
        }
        let mut by_hash: BTreeMap<[u8; 32], Vec<String>> = BTreeMap::new();
        for paths in by_size.values().filter(|p| p.len() > 1) {
            for path in paths {
                let mut hasher = blake3::Hasher::new();
                let hashed = std::fs::File::open(content_dir.join(path))
                    .and_then(|f| hasher.update_reader(f).map(|_| ()));
                if hashed.is_ok() {
                    by_hash
                        .entry(*hasher.finalize().as_bytes())
                        .or_default()
                        .push((*path).clone());
                }
            }
        }
        for mut group in by_hash.into_values().filter(|g| g.len() > 1) {
            group.sort();
            for path in &group {
                self.copies.insert(path.clone(), group.clone());
            }
        }
    }

    /// Reads the sidecars at `sidecars` (content-relative paths) under
    /// `content_dir`; `has_file` says whether a content file exists.
    pub fn load(
        content_dir: &Path,
        sidecars: &[&str],
        has_file: impl Fn(&str) -> bool + Sync,
    ) -> Declarations {
        let mut all = Declarations::default();
        for rel in sidecars {
            let display = format!("{}/{rel}", crate::content::CONTENT_DIR);
            let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
            match crate::media::read_text(&content_dir.join(rel), MAX_SIDECAR_BYTES) {
                Ok(bytes) => all.read(&display, dir, &bytes, &has_file),
                Err(crate::media::TextError::TooBig(size)) => {
                    all.broken.insert(dir.to_string(), display.clone());
                    all.problems.push(Finding::error(
                        "photo-declaration",
                        Location::file(&display),
                        format!(
                            "it is {}, more than the {} MB a declarations file may hold; the photos in this folder count as undeclared",
                            crate::media::human_bytes(size),
                            MAX_SIDECAR_BYTES / 1_000_000
                        ),
                        "keep only the [[photo]] declarations in it (a folder of 1,000 photos needs about 100 KB), or split the photos into several folders, each with its own",
                    ));
                }
                Err(e) => {
                    all.broken.insert(dir.to_string(), display.clone());
                    all.problems.push(Finding::error(
                        "photo-declaration",
                        Location::file(&display),
                        format!(
                            "could not read it: {e}; the photos in this folder count as undeclared"
                        ),
                        "check the file's permissions",
                    ));
                }
            }
        }
        all.link_copies(content_dir);
        all
    }

    fn read(&mut self, display: &str, dir: &str, bytes: &[u8], has_file: &impl Fn(&str) -> bool) {
        let error = |line: Option<usize>, message: String, fix: &str| {
            let location =
                line.map_or_else(|| Location::file(display), |l| Location::line(display, l));
            Finding::error("photo-declaration", location, message, fix)
        };
        let Ok(text) = std::str::from_utf8(bytes) else {
            self.broken.insert(dir.to_string(), display.to_string());
            self.problems.push(error(
                None,
                "it is not UTF-8 text; the photos in this folder count as undeclared".into(),
                "save it as UTF-8 in a plain-text editor",
            ));
            return;
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let newlines: Vec<usize> = memchr::memchr_iter(b'\n', text.as_bytes()).collect();
        let line_of = |offset: usize| newlines.partition_point(|&n| n < offset) + 1;
        let sidecar: Sidecar = match toml::from_str(text) {
            Ok(s) => s,
            Err(e) => {
                self.broken.insert(dir.to_string(), display.to_string());
                self.problems.push(error(
                    e.span().map(|s| line_of(s.start)),
                    format!(
                        "it could not be read: {}; the photos in this folder count as undeclared",
                        e.message().trim()
                    ),
                    "each photo is a [[photo]] entry with file = \"name.jpg\" and people = [\"id\", …] or nobody = true",
                ));
                return;
            }
        };
        let starts: Vec<usize> = sidecar.photo.iter().map(|p| p.span().start).collect();
        for (i, spanned) in sidecar.photo.into_iter().enumerate() {
            let start = starts[i];
            let line = line_of(start);
            let entry = spanned.into_inner();
            // The line of the people list (ids are reported there: cheaper
            // than asking the parser to track a span for every id).
            let end = starts.get(i + 1).copied().unwrap_or(text.len());
            let people_line = text
                .get(start..end)
                .and_then(|t| t.find("people"))
                .map_or(line, |at| line_of(start + at));
            let path = match paths::resolve(&format!("{dir}/x"), &entry.file) {
                paths::Target::Content(p)
                    if !entry.file.contains(['?', '#', '\\'])
                        && !entry.file.split('/').any(|s| s == "..") =>
                {
                    p
                }
                _ => {
                    self.problems.push(error(
                        Some(line),
                        format!("file = {:?} is not a file in this folder", entry.file),
                        "write the photo's file name as it is in this folder, e.g. file = \"garden.jpg\"",
                    ));
                    continue;
                }
            };
            let mut people = Vec::with_capacity(entry.people.len());
            for Id(id) in entry.people {
                if id.is_empty() {
                    self.problems.push(error(
                        Some(people_line),
                        format!("an empty id in the people of {}", entry.file),
                        "write each person's register id",
                    ));
                    continue;
                }
                // Lists are short: a scan beats a set.
                if !people.iter().any(|p: &Declared| super::same_id(&p.id, &id)) {
                    people.push(Declared {
                        id,
                        line: people_line,
                    });
                }
            }
            let name = &entry.file;
            if entry.nobody && !people.is_empty() {
                self.problems.push(error(
                    Some(line),
                    format!("{name} says nobody = true and also names people"),
                    "remove nobody = true if the photo shows people, or the people if it does not",
                ));
                continue;
            }
            if !entry.nobody && people.is_empty() {
                self.problems.push(error(
                    Some(line),
                    format!("{name} names nobody: say who is in it"),
                    "list everyone in the photo as people = [\"id\", …], or write nobody = true if it shows no one",
                ));
                continue;
            }
            if entry.focus == Some(Focus::Group) && people.len() == 1 {
                // A photo of one person is an individual photo: "group"
                // would get round a refused individual consent.
                let focus_line = text
                    .get(start..end)
                    .and_then(|t| t.find("focus"))
                    .map_or(line, |at| line_of(start + at));
                self.problems.push(error(
                    Some(focus_line),
                    format!(
                        "{name} says focus = \"group\" but declares one person: a photo of one person is an individual photo"
                    ),
                    "declare everyone in the photo; if it shows only this person, remove focus = \"group\": it is an individual photo and needs their individual consent",
                ));
            }
            let faces_checked_by = entry
                .faces_checked_by
                .as_deref()
                .map(str::trim)
                .map(str::to_string);
            match &faces_checked_by {
                Some(who) if who.is_empty() || who.chars().any(char::is_control) => {
                    self.problems.push(error(
                        Some(line),
                        format!("faces_checked_by for {name} does not say who checked"),
                        "write the name of the member of staff who looked at the photo, e.g. faces_checked_by = \"R. Jones\"",
                    ));
                    continue;
                }
                Some(_) if !entry.nobody => {
                    self.problems.push(error(
                        Some(line),
                        format!(
                            "faces_checked_by is only for a photo declared nobody = true, and {name} names people"
                        ),
                        "remove faces_checked_by: everyone in the photo is declared, so its faces are checked against them",
                    ));
                    continue;
                }
                _ => {}
            }
            if let Some(problem) = entry.blur.iter().find_map(Region::problem) {
                self.problems.push(error(
                    Some(line),
                    format!("a blur region of {name} is wrong: {problem}"),
                    "give the region in percent of the photo, e.g. { left = 80, top = 0, width = 20, height = 50 }",
                ));
                continue;
            }
            if self.entries.contains_key(&path) {
                self.problems.push(error(
                    Some(line),
                    format!("{name} is declared twice"),
                    "keep one [[photo]] entry per photo",
                ));
                continue;
            }
            if !has_file(&path) {
                self.problems.push(Finding::warning(
                    "photo-declaration",
                    Location::line(display, line),
                    format!("{name} is declared but there is no such file in this folder"),
                    "check the file name and its capital letters, or remove the entry",
                ));
            }
            self.entries.insert(
                path,
                Declaration {
                    sidecar: display.to_string(),
                    line,
                    people,
                    focus: entry.focus,
                    blur: entry.blur,
                    faces_checked_by,
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Declarations {
        let mut d = Declarations::default();
        d.read(
            "content/news/a/photos.toml",
            "news/a",
            text.as_bytes(),
            &|p: &str| p != "news/a/missing.jpg",
        );
        d
    }

    #[test]
    fn reads_people_nobody_focus_and_blur() {
        let d = read(
            r#"
[[photo]]
file = "garden.jpg"
people = ["1001", 1002]
focus = "group"
blur = [{ left = 80, top = 0, width = 20, height = 50 }]

[[photo]]
file = "building.jpg"
nobody = true
"#,
        );
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        let Status::Declared(g) = d.get("news/a/garden.jpg") else {
            panic!()
        };
        assert_eq!(g.line, 2);
        assert_eq!(
            g.people[1],
            Declared {
                id: "1002".into(),
                line: 4
            }
        );
        assert_eq!(g.focus(2), Focus::Group);
        assert_eq!(g.blur.len(), 1);
        let Status::Declared(b) = d.get("news/a/building.jpg") else {
            panic!()
        };
        assert!(b.nobody());
        assert!(matches!(d.get("news/a/other.jpg"), Status::Undeclared));
    }

    #[test]
    fn mistakes_are_findings_with_lines() {
        let d = read(
            r#"[[photo]]
file = "a.jpg"

[[photo]]
file = "b.jpg"
nobody = true
people = ["1"]

[[photo]]
file = "../../secret.jpg"
nobody = true

[[photo]]
file = "missing.jpg"
nobody = true

[[photo]]
file = "c.jpg"
people = ["1"]
blur = [{ left = 90, top = 0, width = 20, height = 10 }]
"#,
        );
        let got: Vec<String> = d
            .problems
            .iter()
            .map(|f| format!("{}: {}", f.location, f.message))
            .collect();
        assert_eq!(got.len(), 5, "{got:#?}");
        assert!(got[0].contains(":1: a.jpg names nobody"), "{}", got[0]);
        assert!(got[1].contains(":4: b.jpg says nobody = true and also names"));
        assert!(got[2].contains(":9: file = \"../../secret.jpg\" is not a file"));
        assert!(got[3].contains(":13: missing.jpg is declared but there is no such file"));
        assert!(got[4].contains(":17: a blur region of c.jpg is wrong"));
    }

    #[test]
    fn a_broken_sidecar_declares_nothing() {
        let d = read("[[photo]]\nfile = \"a.jpg\"\npeeple = [\"1\"]\n");
        assert_eq!(d.problems.len(), 1);
        assert_eq!(d.problems[0].location.line, Some(3));
        assert!(
            matches!(d.get("news/a/a.jpg"), Status::SidecarBroken(s) if s.ends_with("photos.toml"))
        );
    }
}
