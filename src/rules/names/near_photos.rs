//! Names next to photos: a page that shows a photo of a pupil may give
//! their first name only where their parents agreed to it (the
//! register's `website_named_first_name` consent), and, where the school's
//! policy is that photos carry no names at all (`[names] near_photos =
//! "any-name"`), not even that.
//!
//! Full names are the names rule's own; this reads the first names of the
//! pupils declared in each page's photos, on the page as published.

use super::{Input, html, normalise, words};
use crate::config::NearPhotos;
use crate::consent::declarations::Status as Declared;
use crate::consent::{self, Block, Lookup, Policy, Role};
use crate::report::{Finding, Location};
use std::collections::HashMap;

/// The consent a pupil's first name next to their photo needs.
pub const FIRST_NAME_USE: &str = "website_named_first_name";

pub fn check(input: &Input) -> Vec<Finding> {
    // The pupils each page shows in a photo: address → (id, photo).
    let mut shown: HashMap<&str, Vec<(&str, &str)>> = HashMap::new();
    for (photo, uses) in input.uses {
        let Declared::Declared(declaration) = input.declarations.get(photo) else {
            continue;
        };
        for place in uses {
            for person in &declaration.people {
                shown
                    .entry(place.url.as_str())
                    .or_default()
                    .push((person.id.as_str(), photo.as_str()));
            }
        }
    }
    if shown.is_empty() {
        return Vec::new();
    }
    let policy = Policy::from(&input.config.consent);
    let mut out = Vec::new();
    for page in input.pages.iter().filter(|p| !p.derived()) {
        let Some(people) = shown.get(page.path()) else {
            continue;
        };
        // Read both ways: inline tags joining words, and as breaks (an
        // inline tag inside a word may hide what it holds).
        let texts = [
            html::page_text(page.html(), false).text,
            html::page_text(page.html(), true).text,
        ];
        let read: Vec<(normalise::Normalised, &String)> =
            texts.iter().map(|t| (normalise::normalise(t), t)).collect();
        let mut reported = Vec::new();
        for &(id, photo) in people {
            let Lookup::Found(person) = input.register.lookup(id) else {
                // Unknown people are the consent rule's.
                continue;
            };
            if person.role != Role::Pupil || reported.contains(&id) {
                continue;
            }
            let (forenames, _) = person.names_for_matching();
            let Some(first) = forenames.iter().find(|f| {
                read.iter()
                    .any(|(n, text)| first_name_in(n, text, &normalise::name(f)))
            }) else {
                continue;
            };
            let why = match input.config.names.near_photos {
                NearPhotos::AnyName => Some(
                    "the school's policy is that photos carry no names ([names] near_photos = \"any-name\")"
                        .to_string(),
                ),
                NearPhotos::FullName => consent::assess(
                    input.register,
                    id,
                    FIRST_NAME_USE,
                    input.today,
                    &policy,
                )
                .blocks
                .into_iter()
                .find(|b| matches!(b, Block::NoConsent { use_, .. } if use_ == FIRST_NAME_USE))
                .map(|b| format!("the pupil {b}")),
            };
            let Some(why) = why else { continue };
            reported.push(id);
            let place = input
                .uses
                .get(photo)
                .and_then(|uses| uses.iter().find(|u| u.url == page.path()));
            let location = place.map_or_else(
                || Location::file(format!("content/{photo}")),
                |u| Location::line(&u.file, name_line(input, &u.file, first).unwrap_or(u.line)),
            );
            let name = photo.rsplit('/').next().unwrap_or(photo);
            out.push(Finding::error(
                "name-near-photo",
                location,
                format!(
                    "this page shows the photo {name} of pupil {} and gives their first name, but {why}",
                    person.label()
                ),
                "take their name off this page (a caption can say what is happening instead), or show a photo they are not in",
            ));
        }
    }
    out
}

/// Whether the normalised forename `first` is a word of the text; for a
/// name that is also an everyday word ("Summer", "Grace"), written as a
/// name: with a capital, and not just after a full stop.
fn first_name_in(n: &normalise::Normalised, text: &str, first: &str) -> bool {
    if first.is_empty() {
        return false;
    }
    let hay = n.text.as_str();
    let common = words::is_common_word(first);
    let mut from = 0;
    while let Some(at) = hay[from..].find(first).map(|a| from + a) {
        from = at + 1;
        let end = at + first.len();
        let whole = (at == 0 || hay.as_bytes()[at - 1] == b' ')
            && (end == hay.len() || hay.as_bytes()[end] == b' ');
        if !whole {
            continue;
        }
        let (s, _) = n.source_range(at, end, text);
        // An everyday word counts as a name only written as one.
        if common && !text[s..].starts_with(char::is_uppercase) {
            continue;
        }
        let before = text[..s]
            .trim_end_matches(|c: char| (c.is_whitespace() && c != html::BLOCK_BREAK) || c == '"');
        // After a full stop, not at the start of a heading, a caption, a
        // list item or alt text, which name as readily as a sentence.
        let sentence_start = before.ends_with(['.', '!', '?']);
        if common && sentence_start {
            continue;
        }
        return true;
    }
    false
}

/// The line of the page's Markdown where `first` is written, if it is.
fn name_line(input: &Input, file: &str, first: &str) -> Option<usize> {
    let doc = input.site.documents().find(|d| d.file() == file)?;
    let first = normalise::name(first);
    for (start, text) in [(doc.front_line, &doc.front), (doc.body_line, &doc.body)] {
        for (i, line) in text.lines().enumerate() {
            let words = normalise::name(line);
            if words.split(' ').any(|w| w == first) {
                return Some(start + i);
            }
        }
    }
    None
}
