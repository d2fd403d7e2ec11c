//! Names: no pupil's full name anywhere on the published site (next to a
//! photo always an error; elsewhere an error unless the config lowers it to
//! a warning), and no pupil name at all, first names included, in a page's
//! address.
//!
//! The check reads what will be published, after templates: every page's
//! text and attributes (`html`), normalised (`normalise`), against every
//! pupil in the register at once (`matcher`). Findings quote the text with
//! the name masked ("… receives her award: A**** S****") and point at the
//! Markdown line the name came from, or at the templates when it is not in
//! the page's own source.

mod bidi;
mod documents;
mod html;
mod matcher;
mod near_photos;
mod normalise;
mod words;

use super::Input;
use crate::config::{InitialAndSurname, TextOnly};
use crate::content::Document;
use crate::render::RenderedPage;
use crate::report::{Finding, Location, Severity};
use matcher::Matcher;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// Whether `address` (a file name or page address about to be made)
/// holds any pupil's name, a first name alone included: the check the
/// build's `name-in-address` rule makes, for a caller that must refuse
/// before the file exists.
pub fn in_address(register: &crate::consent::Register, address: &str) -> bool {
    let matcher = Matcher::with(register, false);
    !matcher
        .any_names(&normalise::normalise(address).text)
        .is_empty()
}

pub fn check(input: &Input) -> Vec<Finding> {
    let mut out = near_photos::check(input);
    out.extend(full_names(input));
    out
}

fn full_names(input: &Input) -> Vec<Finding> {
    let initials = input.config.names.initial_and_surname == InitialAndSurname::FullName;
    let matcher = Matcher::with(input.register, initials);
    if matcher.is_empty() {
        return Vec::new();
    }
    let docs: HashMap<String, &Document> = input.site.documents().map(|d| (d.file(), d)).collect();
    let (pages, derived) = input.pages_then_derived();
    let none = HashSet::new();
    let elsewhere = Elsewhere {
        site: input.site,
        matcher: &matcher,
        first: OnceLock::new(),
    };
    let checked: Vec<(Vec<Finding>, Vec<u32>)> = pages
        .par_iter()
        // Each worker reuses one buffer for pages' words.
        .map_init(html::FirstLook::default, |look, page| {
            let doc = page.source().and_then(|s| docs.get(s).copied());
            check_page(
                input,
                &matcher,
                &Part::of(page),
                doc,
                look,
                &none,
                &elsewhere,
            )
        })
        .collect();
    // Feeds and the search index repeat the pages' words: a name already
    // reported on its page is not reported again there. The search index
    // of a large site is large, so it is read in pieces, in parallel.
    let reported: HashSet<u32> = checked.iter().flat_map(|(_, p)| p).copied().collect();
    let mut out: Vec<Finding> = checked.into_iter().flat_map(|(f, _)| f).collect();
    for page in derived {
        let pieces: Vec<Finding> = pieces(page.html())
            .par_iter()
            .map_init(html::FirstLook::default, |look, piece| {
                let part = Part {
                    html: piece,
                    ..Part::of(page)
                };
                check_page(input, &matcher, &part, None, look, &reported, &elsewhere).0
            })
            .flatten_iter()
            .collect();
        // One finding for each thing found, however many pieces hold it.
        let mut seen = HashSet::new();
        out.extend(
            pieces.into_iter().filter(|f| {
                seen.insert((f.rule, f.message.split(": \"").next().map(str::to_string)))
            }),
        );
    }
    out.extend(documents::check(input, &matcher));
    // A template has no business naming a pupil: whatever it does with
    // the name (a filter that shortens it, a copy of the register), the
    // template itself is refused.
    for (file, text) in input.templates {
        let mut escaped = String::with_capacity(text.len());
        crate::render::gate::escape_text(text, &mut escaped);
        let part = Part {
            html: &escaped,
            path: file,
            source: None,
            output: file,
            file: Some(file),
        };
        let mut look = html::FirstLook::default();
        let (found, _) = check_page(input, &matcher, &part, None, &mut look, &none, &elsewhere);
        out.extend(found.into_iter().filter(|f| f.rule != "name-in-address").map(|mut f| {
            f.rule = "name-in-template";
            f.severity = Severity::Error;
            f.message = f.message.replacen(&format!(" is on {file}"), " is in this template", 1);
            f.fix = "take the name out of the template: names come from pages, where the rules can check them, never from templates".to_string();
            f
        }));
    }
    // The theme's text files (stylesheets' `content:`, scripts, text)
    // are published as they are, so they are read as a page's text is.
    for (file, text) in input.static_texts() {
        let mut escaped = String::with_capacity(text.len());
        crate::render::gate::escape_text(text, &mut escaped);
        let path = format!("/{}", file.rel);
        let part = Part {
            html: &escaped,
            path: &path,
            source: None,
            output: &file.rel,
            file: Some(&file.display),
        };
        let mut look = html::FirstLook::default();
        out.extend(check_page(input, &matcher, &part, None, &mut look, &none, &elsewhere).0);
    }
    // A theme's files are published under their own names.
    for (file, _) in input.static_files {
        let name = normalise::normalise(&file.rel);
        if let Some(&(s, e)) = matcher.any_names(&name.text).first() {
            let (from, to) = name.source_range(s, e, &file.rel);
            out.push(Finding::error(
                "name-in-address",
                Location::file(&file.display),
                format!(
                    "this theme file is published as /{}, which contains a pupil's name",
                    mask_path(&file.rel, from, to)
                ),
                "rename the file so its name says what it is, not who",
            ));
        }
    }
    out
}

/// Where each pupil's full name is first written in any page's Markdown:
/// for a name a page shows that its own source does not have (another
/// page's title in a list, an event in the home page's "coming up").
/// Worked out once, and only if a finding needs it.
struct Elsewhere<'a> {
    site: &'a crate::content::Site,
    matcher: &'a Matcher,
    first: OnceLock<HashMap<u32, Location>>,
}

impl Elsewhere<'_> {
    fn find(&self, pupil: u32) -> Option<Location> {
        self.first
            .get_or_init(|| {
                let docs: Vec<&Document> = self.site.documents().collect();
                let found: Vec<Vec<(u32, usize)>> = docs
                    .par_iter()
                    .map(|d| source_lines(Some(d), self.matcher))
                    .collect();
                let mut first = HashMap::new();
                for (doc, lines) in docs.iter().zip(found) {
                    for (p, line) in lines {
                        first
                            .entry(p)
                            .or_insert_with(|| Location::line(doc.file(), line));
                    }
                }
                first
            })
            .get(&pupil)
            .cloned()
    }
}

/// What is checked: a rendered page, or a piece of a large one.
struct Part<'a> {
    html: &'a str,
    path: &'a str,
    source: Option<&'a str>,
    output: &'a str,
    /// A published file that is not a page (a theme's stylesheet or
    /// script): where a name found in it is reported.
    file: Option<&'a str>,
}

impl<'a> Part<'a> {
    fn of(page: &'a RenderedPage) -> Part<'a> {
        Part {
            html: page.html(),
            path: page.path(),
            source: page.source(),
            output: page.output(),
            file: None,
        }
    }
}

/// `text` in pieces of about 64 KB, cut only between the entries of a
/// JSON list or between lines, so a name is never cut in two.
fn pieces(text: &str) -> Vec<&str> {
    const SIZE: usize = 64 * 1024;
    let mut out = Vec::new();
    let mut rest = text;
    while rest.len() > SIZE {
        // The first character boundary at or after SIZE: text full of
        // curly quotes has none at SIZE itself.
        let from = (SIZE..rest.len())
            .find(|&i| rest.is_char_boundary(i))
            .unwrap_or(rest.len());
        let cut = rest[from..]
            .find("},{")
            .map(|i| from + i + 2)
            .or_else(|| rest[from..].find('\n').map(|i| from + i + 1));
        let Some(cut) = cut else { break };
        out.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    out.push(rest);
    out
}

/// A full name found on a page: the first place, and how often.
struct Found {
    pupil: u32,
    context: String,
    place: String,
    times: usize,
}

fn check_page(
    input: &Input,
    matcher: &Matcher,
    page: &Part,
    doc: Option<&Document>,
    look: &mut html::FirstLook,
    already: &HashSet<u32>,
    elsewhere: &Elsewhere,
) -> (Vec<Finding>, Vec<u32>) {
    let mut out = Vec::new();
    let source = page.source;
    // Most pages name nobody: a first look at the words straight from the
    // HTML, and the page's text is only written out where there may be a
    // name.
    html::first_look_words(page.html, look);
    let glued = look.glued;
    let words = &mut look.words;
    let mut texts = Vec::new();
    if matcher.may_name_anyone(words) || bidi::may_reorder(page.html) {
        texts.push(html::page_text(page.html, false));
    }
    if glued {
        // An inline tag inside a word may hide what it holds: the page is
        // read with inline tags as breaks too.
        texts.push(html::page_text(page.html, true));
    }
    let shows_photo = texts.iter().any(|t| t.shows_photo);

    let mut found: Vec<Found> = Vec::new();
    let mut seen: HashMap<u32, usize> = HashMap::new();
    for (pass, page_text) in texts.iter().enumerate() {
        let text = &page_text.text;
        let hits = full_names_in(matcher, text, words);
        let before = seen.len();
        for &(pupil, from, to) in &hits {
            if already.contains(&pupil) {
                continue;
            }
            if let Some(&i) = seen.get(&pupil) {
                // Counted once, in the first reading that found it.
                if pass == 0 || i >= before {
                    found[i].times += 1;
                }
                continue;
            }
            seen.insert(pupil, found.len());
            let (place, start, end) = page_text.part(from);
            let others: Vec<(usize, usize)> = hits
                .iter()
                .filter(|&&(_, f, t)| f >= start && t <= end)
                .map(|&(_, f, t)| (f - start, t - start))
                .collect();
            found.push(Found {
                pupil,
                context: masked_context(
                    &text[start..end],
                    from - start,
                    to.min(end) - start,
                    &others,
                ),
                place: place.to_string(),
                times: 1,
            });
        }
    }
    let pupils: Vec<u32> = found.iter().map(|f| f.pupil).collect();
    let lines = if found.is_empty() {
        Vec::new()
    } else {
        source_lines(doc, matcher)
    };
    // The page's own Markdown; else the page whose title or event a list
    // shows here; else the templates or the config put it there.
    let location = |pupil: u32| match lines.iter().find(|(p, _)| *p == pupil) {
        Some((_, line)) => Location::line(doc.map(Document::file).unwrap_or_default(), *line),
        None => match page.file {
            Some(file) => Location::file(file),
            None => elsewhere.find(pupil).unwrap_or_else(|| {
                Location::file(format!("themes/{}/templates", input.config.theme))
            }),
        },
    };
    for f in found {
        let pupil = matcher.pupil(f.pupil);
        let where_ = if f.place == "text" {
            String::new()
        } else {
            format!(" (in {})", place_name(&f.place))
        };
        let more = match f.times {
            1 => String::new(),
            2 => " (and once more)".to_string(),
            n => format!(" (and {} more times)", n - 1),
        };
        if let Some(allowed) = input.config.names.allow.iter().find(|a| {
            (source == Some(a.page.as_str()) || page.path == a.page)
                && pupil.full_names.contains(&normalise::name(&a.name))
        }) {
            out.push(Finding::notice(
                "name-allowed",
                location(f.pupil),
                format!(
                    "the name of pupil {} is on {} and is allowed by the config: {}",
                    pupil.label, page.path, allowed.reason
                ),
            ));
            continue;
        }
        let (rule, severity, fix) = if shows_photo {
            (
                "name-near-photo",
                Severity::Error,
                "never put a pupil's full name on a page with a photo: use the first name only (with their consent), or \"Amelia S.\"",
            )
        } else {
            let severity = match input.config.names.text_only_pages {
                TextOnly::Error => Severity::Error,
                TextOnly::Warning => Severity::Warning,
            };
            (
                "name-on-page",
                severity,
                "use the first name only, or the first name and initial (\"Amelia S.\"); if it is not the pupil (a member of staff with the same name), add it to [[names.allow]] in config.toml with a reason",
            )
        };
        let photo = if shows_photo {
            " on a page with a photo"
        } else {
            ""
        };
        let mut finding = Finding::error(
            rule,
            location(f.pupil),
            format!(
                "the full name of pupil {} is on {}{photo}{where_}: \"{}\"{more}",
                pupil.label, page.path, f.context
            ),
            fix,
        );
        finding.severity = severity;
        out.push(finding);
    }

    // The page's address: no pupil name at all, first names included.
    words.clear();
    normalise::word_hashes(page.path, words);
    let address = if matcher.may_hold_a_name(words) {
        normalise::normalise(page.path)
    } else {
        normalise::Normalised::default()
    };
    if let Some(&(s, e)) = matcher.any_names(&address.text).first() {
        let (from, to) = address.source_range(s, e, page.path);
        let location = match doc {
            Some(d) => Location::file(d.file()),
            None => Location::file(page.output),
        };
        out.push(Finding::error(
            "name-in-address",
            location,
            format!(
                "the page's address {} contains a pupil's name (\"{}\")",
                mask_path(page.path, from, to),
                mask_words(&page.path[from..to])
            ),
            "rename the file (or set slug = \"…\" in its front matter) so the address names no pupil",
        ));
    }
    (out, pupils)
}

/// Every full name in `text` that reads as one person's name, in order:
/// (pupil, byte range in `text`). `words` is scratch space. Text that
/// the bidirectional algorithm could reorder is read as it is laid out
/// too.
fn full_names_in(matcher: &Matcher, text: &str, words: &mut Vec<u64>) -> Vec<(u32, usize, usize)> {
    let mut hits = names_as_written(matcher, text, words);
    if bidi::may_reorder(text) {
        for (laid_out, map) in bidi::visual_orders(text) {
            for (pupil, from, to) in names_as_written(matcher, &laid_out, words) {
                let (from, to) = bidi::source_span(&map, from, to, text);
                if !hits.iter().any(|&(p, f, _)| p == pupil && f == from) {
                    hits.push((pupil, from, to));
                }
            }
        }
        hits.sort_by_key(|&(_, from, _)| from);
    }
    hits
}

fn names_as_written(
    matcher: &Matcher,
    text: &str,
    words: &mut Vec<u64>,
) -> Vec<(u32, usize, usize)> {
    // Most text names nobody: a quick first look at the words' hashes,
    // then the full check only where there may be a name.
    words.clear();
    normalise::word_hashes(text, words);
    if !matcher.may_name_anyone(words) {
        return Vec::new();
    }
    let n = normalise::normalise(text);
    matcher
        .full_names(&n.text)
        .into_iter()
        .filter_map(|hit| {
            let (from, to) = n.source_range(hit.start, hit.end, text);
            let written = !hit.initial || initial_written(text, from, to);
            (written && one_name(&text[from..to])).then_some((hit.pupil, from, to))
        })
        .collect()
}

/// Whether the initial in the full name at `from..to` is written as an
/// initial (a capital and a full stop: "O. Okafor", "Okafor, O."), and
/// the name is not an adult's ("Mrs O. Okafor", "Dr O. Okafor").
fn initial_written(text: &str, from: usize, to: usize) -> bool {
    let span = &text[from..to];
    let mut chars = span.chars();
    let first_is_initial = matches!(
        (chars.next(), chars.next()),
        (Some(c), Some('.')) if c.is_uppercase()
    );
    let last = span.chars().next_back();
    let last_is_initial = last.is_some_and(char::is_uppercase)
        && text[to..].starts_with('.')
        && span
            .chars()
            .rev()
            .nth(1)
            .is_some_and(|c| !c.is_alphanumeric());
    let titled = text[..from]
        .trim_end()
        .rsplit(|c: char| !c.is_alphanumeric())
        .next()
        .is_some_and(words::is_title);
    (first_is_initial || last_is_initial) && !titled
}

/// Where each full name in the page's Markdown (front matter or body) is:
/// (pupil, line), first occurrence first. A name the page shows that is
/// not here came from the theme's templates or the site's data.
fn source_lines(doc: Option<&Document>, matcher: &Matcher) -> Vec<(u32, usize)> {
    let Some(doc) = doc else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut words = Vec::new();
    for (first_line, source) in [(doc.front_line, &doc.front), (doc.body_line, &doc.body)] {
        // Read as the page shows it: inline tags joining the text around
        // them, references decoded; each byte remembers its source line.
        for split in [false, true] {
            let (text, lines) = as_shown(source, first_line, split);
            for (pupil, from, _) in full_names_in(matcher, &text, &mut words) {
                let line = lines.get(from).copied().unwrap_or(first_line);
                if !out.contains(&(pupil, line)) {
                    out.push((pupil, line));
                }
            }
        }
    }
    out
}

/// Markdown source without its HTML tags and with its character
/// references decoded, and the line of `source` each byte of it came
/// from (the first being `first_line`).
fn as_shown(source: &str, first_line: usize, split: bool) -> (String, Vec<usize>) {
    let mut text = String::with_capacity(source.len());
    let mut lines = Vec::with_capacity(source.len());
    let mut line = first_line;
    let mut rest = source;
    // Links' addresses and tags' attributes, read after the text (where
    // they cannot join the words around them).
    let mut addresses = Vec::new();
    while let Some(c) = rest.chars().next() {
        let used =
            if c == '<' && rest[1..].starts_with(|n: char| n.is_ascii_alphabetic() || n == '/') {
                // A tag joins the text around it; its attributes are read
                // apart, like addresses.
                let end = rest.find('>').unwrap_or(rest.len());
                let mut attributes = String::new();
                html::decode_into(&rest[1..end], &mut attributes);
                addresses.push((attributes, line));
                if split {
                    text.push(' ');
                    lines.resize(text.len(), line);
                }
                (end + 1).min(rest.len())
            } else if c == ']' && rest[1..].starts_with('(') {
                // A Markdown link's address is read apart from its text.
                let end = rest.find(')').unwrap_or(rest.len());
                let address = crate::content::paths::percent_decode(&rest[2..end]);
                addresses.push((address, line));
                (end + 1).min(rest.len())
            } else if c == '&' {
                let end = rest.find(';').filter(|&e| e <= 32).map_or(1, |e| e + 1);
                let before = text.len();
                html::decode_into(&rest[..end], &mut text);
                lines.resize(text.len(), line);
                debug_assert!(text.len() >= before);
                end
            } else {
                text.push(c);
                lines.resize(text.len(), line);
                c.len_utf8()
            };
        line += rest[..used].matches('\n').count();
        rest = &rest[used..];
    }
    for (address, line) in addresses {
        text.push(html::BLOCK_BREAK);
        text.push_str(&address);
        lines.resize(text.len(), line);
    }
    (text, lines)
}

/// Whether matched text reads as one person's name rather than words
/// from two sentences or blocks: no sentence punctuation and no block
/// break inside it (a comma is fine: "Smith, Amelia"; so is the full stop
/// of an initial: "Amelia R. Smith").
fn one_name(span: &str) -> bool {
    let mut prev: [Option<char>; 2] = [None, None];
    let mut chars = span.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '!' | '?' | ';' | ':' | html::BLOCK_BREAK => return false,
            '.' => {
                let initial = prev[1].is_some_and(char::is_alphabetic)
                    && !prev[0].is_some_and(char::is_alphanumeric);
                // A full stop ends a sentence only before a space: in
                // "Oliver.Okafor" (an address, a class) it joins.
                let joins = chars.peek().is_some_and(|n| n.is_alphanumeric());
                if !initial && !joins {
                    return false;
                }
            }
            _ => {}
        }
        prev = [prev[1], Some(c)];
    }
    // Two line breaks in a row in Markdown start a new paragraph.
    !span.contains("\n\n") && !span.contains("\r\n\r\n")
}

/// Up to 40 characters either side of the name, with the name masked.
fn masked_context(text: &str, from: usize, to: usize, others: &[(usize, usize)]) -> String {
    let start = text[..from]
        .char_indices()
        .rev()
        .nth(39)
        .map_or(0, |(i, _)| i);
    let end = text[to..]
        .char_indices()
        .nth(40)
        .map_or(text.len(), |(i, _)| to + i);
    // Every full name the window shows, even in part, is masked: the
    // one reported and any other pupil's beside it.
    let mut masked: Vec<(usize, usize)> = others
        .iter()
        .chain([&(from, to)])
        .filter(|&&(f, t)| f < end && t > start)
        .map(|&(f, t)| (f.max(start), t.min(end)))
        .collect();
    masked.sort_unstable();
    let mut shown = String::new();
    let mut at = start;
    for (f, t) in masked {
        if t <= at {
            continue;
        }
        let f = f.max(at);
        shown.push_str(&text[at..f]);
        shown.push_str(&mask_words(&text[f..t]));
        at = t;
    }
    shown.push_str(&text[at..end]);
    let lead = if start > 0 { "… " } else { "" };
    let tail = if end < text.len() { " …" } else { "" };
    format!(
        "{lead}{}{tail}",
        shown.split_whitespace().collect::<Vec<_>>().join(" ")
    )
}

/// "Amelia Rose Smith" → "A***** R*** S****".
fn mask_words(s: &str) -> String {
    let mut out = String::new();
    let mut start_of_word = true;
    for c in s.chars() {
        if c.is_alphanumeric() {
            out.push(if start_of_word { c } else { '*' });
            start_of_word = false;
        } else {
            out.push(c);
            start_of_word = true;
        }
    }
    out
}

fn mask_path(path: &str, from: usize, to: usize) -> String {
    format!(
        "{}{}{}",
        &path[..from],
        mask_words(&path[from..to]),
        &path[to..]
    )
}

fn place_name(attr: &str) -> String {
    match attr {
        "alt" => "the alt text of an image".to_string(),
        "title" => "a title attribute".to_string(),
        "href" => "a link's address".to_string(),
        "src" | "srcset" => "an image's address".to_string(),
        "content" => "a meta tag".to_string(),
        "data" => "a data- attribute".to_string(),
        "aria" => "an aria- attribute, which screen readers read out".to_string(),
        "event" => "an event handler attribute".to_string(),
        "attribute" => "an attribute".to_string(),
        other => format!("the {other} attribute"),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn large_text_is_cut_only_between_entries() {
        let entry = r#"{"t":"Sports day","x":"Amelia Smith ran"}"#;
        let json = format!("[{}]", vec![entry; 5000].join(","));
        let parts = pieces(&json);
        assert!(parts.len() > 2, "{}", parts.len());
        assert_eq!(parts.concat(), json);
        for p in &parts[1..] {
            assert!(p.starts_with("{\"t\""), "{}", &p[..20]);
        }
        assert_eq!(pieces("short"), vec!["short"]);
    }

    #[test]
    fn a_long_text_of_curly_quotes_is_cut_between_characters() {
        // Three bytes a character, so 64 KiB falls inside one.
        for shift in 0..3 {
            let line = format!("{}“Amelia Smith”’\n", "x".repeat(shift));
            let text = line.repeat(20_000);
            let parts = pieces(&text);
            assert!(parts.len() > 2, "{}", parts.len());
            assert_eq!(parts.concat(), text);
            assert!(parts.iter().all(|p| p.ends_with('\n')));
        }
        let quotes = "“".repeat(40_000);
        assert_eq!(pieces(&quotes).concat(), quotes);
    }

    use super::*;

    #[test]
    fn contexts_are_masked() {
        let text = "Well done to Amelia Smith, who receives her award today";
        let from = text.find("Amelia").unwrap();
        let to = from + "Amelia Smith".len();
        assert_eq!(
            masked_context(text, from, to, &[]),
            "Well done to A***** S****, who receives her award today"
        );
        // Another pupil's name beside it is masked too, even cut short.
        let text = "Well done to Oliver Okafor and to Amelia Smith today, and well done to Zoë Fitzgerald-Ward";
        let at = |name: &str| {
            let f = text.find(name).unwrap();
            (f, f + name.len())
        };
        let (from, to) = at("Amelia Smith");
        let shown = masked_context(
            text,
            from,
            to,
            &[
                at("Oliver Okafor"),
                at("Amelia Smith"),
                at("Zoë Fitzgerald-Ward"),
            ],
        );
        assert_eq!(
            shown,
            "Well done to O***** O***** and to A***** S**** today, and well done to Z** F*********- …"
        );
        assert_eq!(mask_words("Zoë Fitzgerald-Ward's"), "Z** F*********-W***'s");
    }
}
