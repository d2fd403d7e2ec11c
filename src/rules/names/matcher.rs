//! Finding pupils' full names in normalised text with one Aho-Corasick
//! automaton over every forename and surname in the register, so the cost
//! of a scan grows with the text, not with the register.
//!
//! A full name is a forename of a pupil followed by that same pupil's
//! surname, with up to two words between (middle names: "Amelia Rose
//! Smith"), or the surname followed straight by the forename ("Smith,
//! Amelia", "SMITH Amelia"), or the initial of a forename written as one
//! with the surname ("A. Smith", "Smith, A."). A forename with an
//! initial ("Amelia S.") is not a full name, and neither is a forename
//! alone.

use super::normalise;
use crate::consent::{Register, Role};
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::collections::HashMap;

/// A first word's key → the patterns starting with it, with all their
/// words' keys.
type FirstWords = HashMap<u64, Vec<(u32, Box<[u64]>)>, PassThrough>;

const BUCKETS: usize = 1 << 16;

/// A word key's bit in the first look's filter.
#[inline(always)]
fn bucket(key: u64) -> usize {
    (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 48) as usize
}

/// A hasher for keys that are already hashes.
#[derive(Default, Clone, Copy)]
struct PassThrough;

impl std::hash::BuildHasher for PassThrough {
    type Hasher = PassThroughHasher;
    fn build_hasher(&self) -> PassThroughHasher {
        PassThroughHasher(0)
    }
}

struct PassThroughHasher(u64);

impl std::hash::Hasher for PassThroughHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        // Short words' keys are their bytes: spread them.
        self.0 = n.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// Words between a forename and the surname (middle names).
const MAX_MIDDLE: usize = 2;

pub struct Matcher {
    automaton: Option<AhoCorasick>,
    /// The first look: the hash of each pattern's first word → the
    /// patterns starting with it, with the hashes of all their words.
    first_words: FirstWords,
    /// One bit per [`bucket`] of the first words: most words of a page
    /// are ruled out by one bit.
    first_word_bits: Box<[u64]>,
    /// Pattern index → whether it is some pupil's forename, surname.
    roles: Vec<(bool, bool)>,
    /// Pattern index → whether it is a single letter: an initial, which
    /// makes a full name with a surname only when written as one ("O.").
    initials: Vec<bool>,
    /// (forename pattern, surname pattern) → pupils.
    pairs: HashMap<(u32, u32), Vec<u32>>,
    people: Vec<Pupil>,
}

/// What the matcher keeps of a pupil: how to show them, and their full
/// names normalised (for the allow-list).
pub struct Pupil {
    pub label: String,
    pub full_names: Vec<String>,
}

/// A full name found: the pupil, and the normalised byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    pub pupil: u32,
    pub start: usize,
    pub end: usize,
    /// An initial and the surname ("O. Okafor"): a full name only if the
    /// text writes the initial as one (see `names::initial_written`).
    pub initial: bool,
}

impl Matcher {
    /// A matcher for every pupil in the register.
    #[cfg(test)]
    pub fn new(register: &Register) -> Matcher {
        Matcher::with(register, true)
    }

    /// A matcher that also finds a forename's initial with the surname
    /// ("O. Okafor") when `initials` is set.
    pub fn with(register: &Register, initials: bool) -> Matcher {
        let mut patterns: Vec<String> = Vec::new();
        let mut index: HashMap<String, u32> = HashMap::new();
        let mut roles: Vec<(bool, bool)> = Vec::new();
        let mut pairs: HashMap<(u32, u32), Vec<u32>> = HashMap::new();
        let mut people = Vec::new();
        let mut intern = |s: String, forename: bool, roles: &mut Vec<(bool, bool)>| -> u32 {
            let id = *index.entry(s.clone()).or_insert_with(|| {
                patterns.push(s);
                roles.push((false, false));
                (patterns.len() - 1) as u32
            });
            let r = &mut roles[id as usize];
            if forename {
                r.0 = true;
            } else {
                r.1 = true;
            }
            id
        };
        for person in register.people().iter().filter(|p| p.role == Role::Pupil) {
            let (forenames, surnames) = person.names_for_matching();
            let forenames: Vec<String> = forenames
                .iter()
                .map(|f| normalise::name(f))
                .filter(|f| !f.is_empty())
                .collect();
            let mut surnames: Vec<String> = surnames
                .iter()
                .map(|s| normalise::name(s))
                .filter(|s| !s.is_empty())
                .collect();
            // "O'Brien" and "Fitzgerald-Ward" are also written run
            // together ("OBrien", in an address or a class).
            let joined: Vec<String> = surnames
                .iter()
                .filter(|s| s.contains(' '))
                .map(|s| s.replace(' ', ""))
                .collect();
            surnames.extend(joined);
            if forenames.is_empty() || surnames.is_empty() {
                continue;
            }
            let pupil = people.len() as u32;
            let mut full_names = Vec::new();
            let mut firsts: Vec<String> = Vec::new();
            for f in &forenames {
                let fid = intern(f.clone(), true, &mut roles);
                for s in &surnames {
                    let sid = intern(s.clone(), false, &mut roles);
                    pairs.entry((fid, sid)).or_default().push(pupil);
                    full_names.push(format!("{f} {s}"));
                }
                if let Some(first) = f.chars().next().filter(|c| c.is_alphabetic())
                    && f.chars().count() > 1
                    && initials
                {
                    firsts.push(first.to_string());
                }
            }
            firsts.sort();
            firsts.dedup();
            for initial in firsts {
                let iid = intern(initial, true, &mut roles);
                for s in &surnames {
                    let sid = intern(s.clone(), false, &mut roles);
                    let pupils = pairs.entry((iid, sid)).or_default();
                    if !pupils.contains(&pupil) {
                        pupils.push(pupil);
                    }
                }
            }
            people.push(Pupil {
                label: person.label(),
                full_names,
            });
        }
        let automaton = (!patterns.is_empty())
            .then(|| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(&patterns)
                    .ok()
            })
            .flatten();
        let initials: Vec<bool> = patterns.iter().map(|p| p.chars().count() == 1).collect();
        let mut first_words = FirstWords::default();
        for (i, p) in patterns.iter().enumerate() {
            let words: Box<[u64]> = p.split(' ').map(normalise::word_hash).collect();
            first_words
                .entry(words[0])
                .or_default()
                .push((i as u32, words));
        }
        let mut first_word_bits = vec![0u64; BUCKETS / 64].into_boxed_slice();
        for &key in first_words.keys() {
            let b = bucket(key);
            first_word_bits[b / 64] |= 1 << (b % 64);
        }
        Matcher {
            automaton,
            first_words,
            first_word_bits,
            roles,
            initials,
            pairs,
            people,
        }
    }

    /// Whether the text made of `words` (see [`normalise::word_hashes`])
    /// may hold a full name: a quick first look that never misses one
    /// [`Matcher::full_names`] would find, pairing names the same way
    /// (up to two middle words, never across a joining word). It may say
    /// yes when there is none, if hashes collide; then the full check
    /// decides.
    pub fn may_name_anyone(&self, words: &[u64]) -> bool {
        // (pattern, first word, one past the last word), by first word.
        let mut found: Vec<(u32, usize, usize)> = Vec::new();
        let mut any_surname = false;
        for (i, w) in words.iter().enumerate() {
            let b = bucket(*w);
            if self.first_word_bits[b / 64] & (1 << (b % 64)) == 0 {
                continue;
            }
            let Some(candidates) = self.first_words.get(w) else {
                continue;
            };
            for (p, pattern) in candidates {
                let matches = words
                    .get(i..i + pattern.len())
                    .is_some_and(|ws| ws == &pattern[..]);
                if matches {
                    any_surname |= self.roles[*p as usize].1;
                    found.push((*p, i, i + pattern.len()));
                }
            }
        }
        if !any_surname {
            return false;
        }
        let starting_at = |at: usize| {
            let from = found.partition_point(|f| f.1 < at);
            found[from..].iter().take_while(move |f| f.1 == at)
        };
        found.iter().any(|&(p, _, end)| {
            let (is_forename, is_surname) = self.roles[p as usize];
            if is_forename {
                for a in end..=end + MAX_MIDDLE {
                    if starting_at(a).any(|&(s, _, _)| self.pairs.contains_key(&(p, s))) {
                        return true;
                    }
                    if words.get(a).is_none_or(|&w| normalise::is_joiner_key(w)) {
                        break;
                    }
                }
            }
            is_surname && starting_at(end).any(|&(f, _, _)| self.pairs.contains_key(&(f, p)))
        })
    }

    /// Whether any of `words` (see [`normalise::word_hashes`]) may be
    /// the start of a forename or surname: a quick first look before
    /// [`Matcher::any_names`], which it never contradicts.
    pub fn may_hold_a_name(&self, words: &[u64]) -> bool {
        words.iter().any(|w| {
            let b = bucket(*w);
            self.first_word_bits[b / 64] & (1 << (b % 64)) != 0 && self.first_words.contains_key(w)
        })
    }

    pub fn is_empty(&self) -> bool {
        self.people.is_empty()
    }

    pub fn pupil(&self, i: u32) -> &Pupil {
        &self.people[i as usize]
    }

    /// Every whole-word forename or surname in `text`: (pattern, start,
    /// end), sorted by start.
    fn words(&self, text: &str) -> Vec<(u32, usize, usize)> {
        let Some(ac) = &self.automaton else {
            return Vec::new();
        };
        let b = text.as_bytes();
        let mut out: Vec<(u32, usize, usize)> = ac
            .find_overlapping_iter(text)
            .filter(|m| {
                (m.start() == 0 || b[m.start() - 1] == b' ')
                    && (m.end() == b.len() || b[m.end()] == b' ')
            })
            .map(|m| (m.pattern().as_u32(), m.start(), m.end()))
            .collect();
        out.sort_unstable_by_key(|&(p, s, e)| (s, e, p));
        out
    }

    /// Every pupil's full name in normalised `text`.
    pub fn full_names(&self, text: &str) -> Vec<Hit> {
        let words = self.words(text);
        // Without a surname there is no full name: the common case.
        if !words.iter().any(|&(p, _, _)| self.roles[p as usize].1) {
            return Vec::new();
        }
        let b = text.as_bytes();
        // The start of the word after the one ending at `end`.
        let next_word = |end: usize| (end < b.len()).then_some(end + 1);
        let starting_at = |at: usize| {
            let from = words.partition_point(|w| w.1 < at);
            words[from..].iter().take_while(move |w| w.1 == at)
        };
        let mut hits = Vec::new();
        for &(p, start, end) in &words {
            let (is_forename, is_surname) = self.roles[p as usize];
            if is_forename {
                // Forename, up to MAX_MIDDLE words, surname.
                let mut at = next_word(end);
                for _ in 0..=MAX_MIDDLE {
                    let Some(a) = at else { break };
                    for &(s, _, s_end) in starting_at(a) {
                        if let Some(pupils) = self.pairs.get(&(p, s)) {
                            let initial = self.initials[p as usize];
                            hits.extend(pupils.iter().map(|&pupil| Hit {
                                pupil,
                                start,
                                end: s_end,
                                initial,
                            }));
                        }
                    }
                    // Move on one word, unless it joins two people
                    // ("Amelia and Smith").
                    let word_end = b[a..].iter().position(|&c| c == b' ').map(|sp| a + sp);
                    if super::words::is_joiner(&text[a..word_end.unwrap_or(b.len())]) {
                        break;
                    }
                    at = word_end.and_then(next_word);
                }
            }
            if is_surname && let Some(a) = next_word(end) {
                // Surname, then forename.
                for &(f, _, f_end) in starting_at(a) {
                    if let Some(pupils) = self.pairs.get(&(f, p)) {
                        let initial = self.initials[f as usize];
                        hits.extend(pupils.iter().map(|&pupil| Hit {
                            pupil,
                            start,
                            end: f_end,
                            initial,
                        }));
                    }
                }
            }
        }
        hits.sort_unstable_by_key(|h| (h.start, h.end, h.pupil, h.initial));
        // A full forename wins over its initial at the same place.
        hits.dedup_by(|b, a| (a.start, a.end, a.pupil) == (b.start, b.end, b.pupil));
        hits
    }

    /// Every pupil name (forename or surname alone) in normalised `text`
    /// that is not also a common English word: for file names and
    /// addresses, where even a first name is too much.
    pub fn any_names(&self, text: &str) -> Vec<(usize, usize)> {
        self.words(text)
            .into_iter()
            .filter(|&(p, _, _)| !self.initials[p as usize])
            .filter(|&(_, s, e)| !super::words::is_common_word(&text[s..e]))
            .map(|(_, s, e)| (s, e))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::Layout;

    fn matcher(rows: &str) -> Matcher {
        let header = "id,legal_forename,legal_surname,preferred_forename,role,leaving_date,consent_date,never_publish,website_group,website_individual,website_named_first_name\n";
        let register = Register::parse(
            "r.csv",
            format!("{header}{rows}").as_bytes(),
            &Layout::default(),
        );
        Matcher::new(&register)
    }

    fn found(m: &Matcher, text: &str) -> Vec<String> {
        let n = normalise::normalise(text);
        let mut words = Vec::new();
        normalise::word_hashes(text, &mut words);
        // The first look never misses what the full check finds.
        if !m.full_names(&n.text).is_empty() {
            assert!(m.may_name_anyone(&words), "the first look missed {text:?}");
        }
        m.full_names(&n.text)
            .iter()
            .map(|h| m.pupil(h.pupil).label.clone())
            .collect()
    }

    #[test]
    fn every_way_of_writing_a_full_name() {
        let m = matcher(concat!(
            "1,Amelia,Smith,Millie,pupil,,2026-09-01,no,yes,yes,yes\n",
            "2,Zoë,Fitzgerald-Ward,,pupil,,2026-09-01,no,yes,yes,yes\n",
            "3,Rebecca,Ashworth,,staff,,2026-09-01,no,yes,yes,yes\n",
        ));
        for text in [
            "Amelia Smith receives her award",
            "AMELIA SMITH",
            "Millie Smith",
            "Amelia Rose Smith",
            "Amelia Rose Jane Smith",
            "Smith, Amelia",
            "SMITH Amelia",
            "Amelia Smith's painting",
            "Amelia\nSmith",
            "Аmеlia Sm\u{200B}ith",
        ] {
            assert_eq!(found(&m, text), ["1 (Millie S.)"], "{text}");
        }
        for text in [
            "Zoe Fitzgerald-Ward",
            "Zoë Fitzgerald Ward",
            "ZOË FITZGERALD–WARD",
        ] {
            assert_eq!(found(&m, text), ["2 (Zoë F.)"], "{text}");
        }
        for text in [
            "Amelia S. receives her award",
            "Amelia and Smith",
            "Amelia Rose Jane Ann Smith",
            "Smith and Amelia",
            "Amelias Smithson",
            "Millie",
            "Rebecca Ashworth",
            "Zoe Fitzgerald",
        ] {
            assert!(found(&m, text).is_empty(), "{text}");
        }
    }

    #[test]
    fn a_big_register_of_word_names_and_a_long_page() {
        // 5,000 pupils whose first names are everyday words, and a long
        // text of those words in every script: first names alone are
        // never full names, and nothing panics.
        let firsts = [
            "Grace", "Hope", "Rose", "May", "Summer", "Bill", "Will", "Joy",
        ];
        let mut rows = String::new();
        for i in 0..5000 {
            let f = firsts[i % firsts.len()];
            rows.push_str(&format!(
                "{i},{f},Surname{i},,pupil,,2026-09-01,no,yes,yes,yes\n"
            ));
        }
        let m = matcher(&rows);
        let mut text = String::new();
        for i in 0..100_000 {
            text.push_str(firsts[i % firsts.len()]);
            text.push_str([" ", ", ", " and ", " 李 ", " Ἀθῆναι ", "\u{200B}"][i % 6]);
        }
        assert!(found(&m, &text).is_empty());
        text.push_str(" Rose Surname2");
        assert_eq!(found(&m, &text), ["2 (Rose S.)"]);
    }

    #[test]
    fn the_first_look_at_an_address_never_misses_a_name() {
        let m = matcher(
            "1,Summer,Okafor,,pupil,,2026-09-01,no,yes,yes,yes\n2,Zoë,Fitzgerald-Ward,,pupil,,2026-09-01,no,yes,yes,yes\n",
        );
        for path in [
            "/news/okafor/",
            "/news/zoe-fitzgerald-ward-wins/",
            "/x/ZOË/",
            "/news/sports-day/",
        ] {
            let n = normalise::normalise(path);
            let mut words = Vec::new();
            normalise::word_hashes(path, &mut words);
            if !m.any_names(&n.text).is_empty() {
                assert!(m.may_hold_a_name(&words), "{path}");
            }
        }
        let mut words = Vec::new();
        normalise::word_hashes("/news/sports-day/", &mut words);
        assert!(!m.may_hold_a_name(&words));
    }

    #[test]
    fn common_words_in_addresses_are_not_names() {
        let m = matcher(concat!(
            "1,Summer,Okafor,,pupil,,2026-09-01,no,yes,yes,yes\n",
            "2,Tobias,Grace,,pupil,,2026-09-01,no,yes,yes,yes\n",
        ));
        let n = normalise::normalise("/news/summer-fair-with-grace/");
        assert!(m.any_names(&n.text).is_empty());
        let n = normalise::normalise("/news/tobias-okafor-wins/");
        assert_eq!(m.any_names(&n.text).len(), 2);
    }
}
