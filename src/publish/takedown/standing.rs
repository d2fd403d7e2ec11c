//! The takedowns that stand, read once, and the one test of whether a
//! photo of a build is one of them. `publish`, `approve` and `preview`
//! ask it of a built manifest ([`Standing::in_manifest`]); the
//! `taken-down` rule asks it of the build being checked
//! ([`Standing::matching`]), from what the load stage read
//! ([`Standing::load`]: the only function here that reads the disk).

use super::{Record, same_id};
use crate::config::Approver;
use crate::consent::{Register, Role};
use crate::publish::manifest::{Manifest, hash_file};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Every takedown that stands, as the load stage read it.
#[derive(Debug, Default)]
pub struct Standing {
    /// Each takedown that stands, with its record's file (relative to the
    /// site root).
    pub takedowns: Vec<(String, Record)>,
    /// Records that cannot be read, with why. They count as standing:
    /// nothing can be checked against them.
    pub unreadable: Vec<(String, String)>,
    /// BLAKE3 of the source files asked for at load (paths relative to
    /// the site root), to recognise an original put back under any name.
    originals: BTreeMap<String, String>,
}

/// A photo (or clip, or document) of a build, as the test sees it.
#[derive(Debug, Clone, Copy)]
pub struct Photo<'a> {
    /// The source file, relative to the site root.
    pub source: &'a str,
    /// Register ids declared in it.
    pub people: &'a [String],
    /// BLAKE3 of each version the build publishes.
    pub published: &'a [String],
}

/// A standing takedown a photo falls under.
#[derive(Debug, Clone)]
pub struct Hit<'s> {
    /// The record's file, relative to the site root.
    pub file: &'s str,
    pub record: &'s Record,
    /// The photo's register ids the takedown took down; empty when the
    /// photo is one taken down (the same bytes, published or original).
    pub people: Vec<String>,
}

/// Something of a built manifest a standing takedown took down.
#[derive(Debug, Clone)]
pub struct Found<'s> {
    pub hit: Hit<'s>,
    /// The photo's source (`content/…`), or, for the same bytes published
    /// another way (a theme's `static/`), `public/` and its path.
    pub what: String,
}

impl Record {
    /// The day it was taken down (UTC), as `YYYY-MM-DD`.
    pub fn day(&self) -> &str {
        self.time.get(..10).unwrap_or(&self.time)
    }

    fn published_hashes(&self) -> impl Iterator<Item = &str> {
        self.photos
            .iter()
            .flat_map(|p| p.published.iter().map(|f| f.blake3.as_str()))
    }
}

impl Standing {
    /// Reads every takedown that stands at `root` (not lifted by a listed
    /// approver's signature) and, when any does, hashes each of `sources`
    /// (paths relative to the root) that can be read, to match originals.
    pub fn load<I>(root: &Path, approvers: &[Approver], sources: I) -> Standing
    where
        I: IntoIterator<Item = String>,
    {
        let mut out = Standing::default();
        for (file, record) in super::standing(root, approvers) {
            match record {
                Ok(r) => out.takedowns.push((file, r)),
                Err(why) => out.unreadable.push((file, why)),
            }
        }
        let originals = out
            .takedowns
            .iter()
            .any(|(_, r)| r.photos.iter().any(|p| p.original.is_some()));
        if originals {
            out.originals = sources
                .into_iter()
                .filter_map(|s| {
                    let (_, hash) = hash_file(&root.join(&s)).ok()?;
                    Some((s, hash))
                })
                .collect();
        }
        out
    }

    /// Whether nothing stands (and nothing unreadable either).
    pub fn is_empty(&self) -> bool {
        self.takedowns.is_empty() && self.unreadable.is_empty()
    }

    /// Every standing takedown `photo` falls under: one that took down a
    /// person it declares, or the photo itself (a published version with
    /// the same bytes, or the same original in `content/`, whatever it is
    /// called now).
    pub fn matching(&self, photo: &Photo) -> Vec<Hit<'_>> {
        let original = self.originals.get(photo.source).map(String::as_str);
        self.takedowns
            .iter()
            .filter_map(|(file, record)| {
                let people: Vec<String> = photo
                    .people
                    .iter()
                    .filter(|p| record.people.iter().any(|r| same_id(r, p)))
                    .cloned()
                    .collect();
                let same_bytes = record
                    .published_hashes()
                    .any(|h| photo.published.iter().any(|p| p == h))
                    || original.is_some_and(|o| {
                        record
                            .photos
                            .iter()
                            .any(|p| p.original.as_deref() == Some(o))
                    });
                (!people.is_empty() || same_bytes).then_some(Hit {
                    file,
                    record,
                    people,
                })
            })
            .collect()
    }

    /// Every standing takedown that took down a file with these bytes.
    pub fn holding(&self, blake3: &str) -> Vec<(&str, &Record)> {
        self.takedowns
            .iter()
            .filter(|(_, r)| r.published_hashes().any(|h| h == blake3))
            .map(|(f, r)| (f.as_str(), r))
            .collect()
    }

    /// Everything of the build in `manifest` a standing takedown took
    /// down: its photos, then the same bytes published some other way.
    pub fn in_manifest(&self, manifest: &Manifest) -> Vec<Found<'_>> {
        if self.takedowns.is_empty() {
            return Vec::new();
        }
        let hashes: BTreeMap<&str, &str> = manifest
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.blake3.as_str()))
            .collect();
        let mut out = Vec::new();
        // (record, published path) already accounted for by a photo.
        let mut named: BTreeSet<(&str, &str)> = BTreeSet::new();
        for photo in &manifest.photos {
            let published: Vec<String> = photo
                .published
                .iter()
                .filter_map(|v| hashes.get(v.as_str()).map(|h| h.to_string()))
                .collect();
            for hit in self.matching(&Photo {
                source: &photo.source,
                people: &photo.people,
                published: &published,
            }) {
                named.extend(photo.published.iter().map(|v| (hit.file, v.as_str())));
                out.push(Found {
                    hit,
                    what: photo.source.clone(),
                });
            }
        }
        for f in &manifest.files {
            for (file, record) in self.holding(&f.blake3) {
                if !named.contains(&(file, f.path.as_str())) {
                    out.push(Found {
                        hit: Hit {
                            file,
                            record,
                            people: Vec::new(),
                        },
                        what: format!("public/{}", f.path),
                    });
                }
            }
        }
        out
    }
}

/// `text` (a takedown's reason, who took it down, what was asked) with
/// every word that is a pupil's surname in the register masked
/// ("H******"), ignoring case and accents: a reason typed in a hurry may
/// name the child, and no output may carry a pupil's full name.
pub fn mask_names(text: &str, register: &Register) -> String {
    let surnames: HashSet<String> = register
        .people()
        .iter()
        .filter(|p| p.role == Role::Pupil)
        .flat_map(|p| p.names_for_matching().1)
        .flat_map(|s| s.split(|c: char| !c.is_alphanumeric()))
        .map(fold)
        .filter(|w| !w.is_empty())
        .collect();
    if surnames.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if surnames.contains(&fold(word)) {
            let mut chars = word.chars();
            out.extend(chars.next());
            out.extend(chars.map(|_| '*'));
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_alphanumeric() || is_combining_mark(c) {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// A word compared without case or accents.
fn fold(word: &str) -> String {
    word.nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::TakenPhoto;
    use super::*;
    use crate::publish::manifest::FileEntry;

    fn record(people: &[&str], hashes: &[&str], original: Option<&str>) -> Record {
        Record {
            schema: 1,
            id: "20261123T100000Z-abc".to_string(),
            time: "2026-11-23T10:00:00Z".to_string(),
            by: "Asha Patel".to_string(),
            reason: "consent withdrawn".to_string(),
            asked: Vec::new(),
            people: people.iter().map(|p| p.to_string()).collect(),
            photos: vec![TakenPhoto {
                source: "content/a/relay.jpg".to_string(),
                people: Vec::new(),
                published: hashes
                    .iter()
                    .map(|h| FileEntry {
                        path: format!("media/{h}.jpg"),
                        size: 1,
                        blake3: h.to_string(),
                    })
                    .collect(),
                original: original.map(str::to_string),
            }],
            files_removed: Vec::new(),
            pages_rebuilt: Vec::new(),
            left_out: Vec::new(),
            to: String::new(),
            from: String::new(),
            manifest: manifest(Vec::new(), Vec::new()),
        }
    }

    fn manifest(files: Vec<FileEntry>, photos: Vec<crate::pipeline::DeclaredPhoto>) -> Manifest {
        Manifest {
            schema: 1,
            tool: String::new(),
            version: String::new(),
            errors: 0,
            content: String::new(),
            register: String::new(),
            files,
            photos,
            warnings: Vec::new(),
            digest: String::new(),
        }
    }

    fn standing(records: Vec<Record>, originals: &[(&str, &str)]) -> Standing {
        Standing {
            takedowns: records
                .into_iter()
                .map(|r| (format!("approvals/takedowns/{}.json", r.id), r))
                .collect(),
            unreadable: Vec::new(),
            originals: originals
                .iter()
                .map(|(s, h)| (s.to_string(), h.to_string()))
                .collect(),
        }
    }

    fn photo<'a>(source: &'a str, people: &'a [String], published: &'a [String]) -> Photo<'a> {
        Photo {
            source,
            people,
            published,
        }
    }

    #[test]
    fn a_photo_is_matched_by_person_published_bytes_or_original() {
        let s = standing(
            vec![record(&["1001"], &["aaa"], Some("orig"))],
            &[
                ("content/b/renamed.jpg", "orig"),
                ("content/b/other.jpg", "x"),
            ],
        );
        let none: Vec<String> = Vec::new();
        // The person, however the id is written.
        let people = vec!["S01".to_string(), "01001".to_string()];
        let hits = s.matching(&photo("content/c/x.jpg", &people, &none));
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].people, ["01001"]);
        // A published version with the same bytes.
        let published = vec!["zzz".to_string(), "aaa".to_string()];
        let hits = s.matching(&photo("content/c/x.jpg", &none, &published));
        assert_eq!(hits.len(), 1);
        assert!(hits[0].people.is_empty());
        // The original, renamed.
        assert_eq!(
            s.matching(&photo("content/b/renamed.jpg", &none, &none))
                .len(),
            1
        );
        // A near miss: another photo, someone else in it.
        let other = vec!["1002".to_string()];
        let published = vec!["bbb".to_string()];
        assert!(
            s.matching(&photo("content/b/other.jpg", &other, &published))
                .is_empty()
        );
    }

    #[test]
    fn a_manifest_is_checked_photo_by_photo_then_file_by_file() {
        let s = standing(vec![record(&[], &["aaa"], None)], &[]);
        let file = |path: &str, blake3: &str| FileEntry {
            path: path.to_string(),
            size: 1,
            blake3: blake3.to_string(),
        };
        let files = vec![
            file("media/one.jpg", "aaa"),
            file("media/two.jpg", "bbb"),
            file("logo.jpg", "aaa"),
        ];
        let photos = vec![
            crate::pipeline::DeclaredPhoto {
                source: "content/a/relay.jpg".to_string(),
                published: vec!["media/one.jpg".to_string()],
                people: Vec::new(),
                consent_use: None,
                pages: Vec::new(),
            },
            crate::pipeline::DeclaredPhoto {
                source: "content/a/other.jpg".to_string(),
                published: vec!["media/two.jpg".to_string()],
                people: Vec::new(),
                consent_use: None,
                pages: Vec::new(),
            },
        ];
        let m = manifest(files, photos);
        let found: Vec<String> = s.in_manifest(&m).into_iter().map(|f| f.what).collect();
        assert_eq!(found, ["content/a/relay.jpg", "public/logo.jpg"]);
        assert!(Standing::default().in_manifest(&m).is_empty());
    }

    #[test]
    fn surnames_are_masked_whatever_their_case_or_accents() {
        let register = Register::parse(
            "r.csv",
            concat!(
                "id,legal_forename,legal_surname,preferred_forename,role,leaving_date,consent_date,never_publish,website_group,website_individual,website_named_first_name\n",
                "1001,Amelia,Hartley,Millie,pupil,,2026-09-07,no,yes,yes,yes\n",
                "S01,Asha,Patel,,staff,,2026-09-07,no,yes,yes,yes\n",
            )
            .as_bytes(),
            &crate::consent::Layout::default(),
        );
        assert_eq!(
            mask_names("Millie HARTLEY's mother asked (Hártley)", &register),
            "Millie H******'s mother asked (H******)"
        );
        // Staff are not masked: who took it down is shown.
        assert_eq!(
            mask_names("Asha Patel, DSL: consent withdrawn", &register),
            "Asha Patel, DSL: consent withdrawn"
        );
    }
}
