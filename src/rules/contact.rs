//! Contact details: the site shows only the school's general email
//! addresses and phone numbers, never a person's own. Pages and the text
//! of published documents may show the addresses in `[school]` and
//! `[contact]` of the config; any other email address is an error, a
//! mobile number is an error, and any other phone number a warning.
//!
//! Findings mask what they quote (`j*******@school.sch.uk`,
//! `07700 9*****`): a CI log is no place for a personal address either.

use super::Input;
use crate::config::Config;
use crate::content::{CONTENT_DIR, Document};
use crate::report::{Finding, Location};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};

pub fn check(input: &Input) -> Vec<Finding> {
    let allowed = Allowed::new(input.config);
    let docs: HashMap<String, &Document> = input.site.documents().map(|d| (d.file(), d)).collect();
    let (pages, derived) = input.pages_then_derived();
    let checked: Vec<(Vec<Finding>, Vec<String>)> = pages
        .par_iter()
        .map(|page| {
            let found = scan_html(page.html());
            let keys = found.iter().map(Found::key).collect();
            let doc = page.source().and_then(|s| docs.get(s).copied());
            let templates = format!("themes/{}/templates", input.config.theme);
            let findings = found
                .into_iter()
                .filter_map(|c| {
                    let location = match doc.and_then(|d| line_of(d, &c.written)) {
                        Some((file, line)) => Location::line(file, line),
                        None => Location::file(&templates),
                    };
                    allowed.judge(&c, location, &format!("on {}", page.path()))
                })
                .collect::<Vec<_>>();
            (findings, keys)
        })
        .collect();
    // Feeds and the search index repeat the pages' words: what a page
    // already shows is judged there.
    let shown: HashSet<String> = checked
        .iter()
        .flat_map(|(_, k)| k.iter().cloned())
        .collect();
    let mut out: Vec<Finding> = checked.into_iter().flat_map(|(f, _)| f).collect();
    let templates = format!("themes/{}/templates", input.config.theme);
    for page in derived {
        for c in scan_html(page.html()) {
            if !shown.contains(&c.key()) {
                let place = format!("on {}", page.path());
                out.extend(allowed.judge(&c, Location::file(&templates), &place));
            }
        }
    }
    for (file, text) in input.static_texts() {
        let place = format!("in /{}", file.rel);
        for c in scan_text(text) {
            out.extend(allowed.judge(&c, Location::file(&file.display), &place));
        }
    }
    for (path, verdict) in input.content_files {
        let Some(contents) = verdict.as_ref().ok().and_then(|p| p.contents()) else {
            continue;
        };
        let file = format!("{CONTENT_DIR}/{path}");
        let mut seen = HashSet::new();
        for (i, page) in contents.pages.iter().enumerate() {
            for c in scan_text(&page.text) {
                if seen.insert(c.key()) {
                    let at = page.text.find(&c.written).unwrap_or(0);
                    let location = contents.location(&file, i, at);
                    let place = match location.line {
                        Some(line) => format!("on line {line} of {file}"),
                        None => format!("on page {} of {file}", i + 1),
                    };
                    out.extend(allowed.judge(&c, location, &place));
                }
            }
        }
        // What a viewer shows beside the pages: bookmarks, layer names,
        // tags that name no page. Reported against the file.
        for c in scan_text(&contents.bookmarks) {
            if seen.insert(c.key()) {
                let place =
                    format!("outside the pages of {file} (in its bookmarks, layer names or tags)");
                out.extend(allowed.judge(&c, Location::file(&file), &place));
            }
        }
    }
    out
}

/// An email address or phone number found in published text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Found {
    /// As written.
    written: String,
    what: What,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum What {
    /// Lower-cased.
    Email(String),
    /// Digits only, +44 written as 0.
    Phone(String),
}

impl Found {
    fn key(&self) -> String {
        match &self.what {
            What::Email(e) => e.clone(),
            What::Phone(p) => p.clone(),
        }
    }
}

/// What the config allows.
struct Allowed {
    emails: HashSet<String>,
    phones: HashSet<String>,
    school_email: String,
    school_phone: String,
}

impl Allowed {
    fn new(config: &Config) -> Allowed {
        let emails = std::iter::once(&config.school.email)
            .chain(&config.contact.emails)
            .map(|e| e.trim().to_lowercase())
            .collect();
        let phones = std::iter::once(&config.school.phone)
            .chain(&config.contact.phones)
            .filter_map(|p| scan_text(p).into_iter().next())
            .map(|f| f.key())
            .collect();
        Allowed {
            emails,
            phones,
            school_email: config.school.email.clone(),
            school_phone: config.school.phone.clone(),
        }
    }

    fn judge(&self, found: &Found, location: Location, place: &str) -> Option<Finding> {
        match &found.what {
            What::Email(email) if !self.emails.contains(email) => Some(Finding::error(
                "contact-email",
                location,
                format!(
                    "the email address {} {place} is not one of the school's general addresses",
                    mask_email(email)
                ),
                format!(
                    "show only general addresses ({}); if this is one (admissions@…, not a person's), add it to emails in [contact] in config.toml",
                    self.school_email
                ),
            )),
            What::Phone(digits) if is_mobile(digits) && !self.phones.contains(digits) => {
                Some(Finding::error(
                    "contact-mobile",
                    location,
                    format!(
                        "the mobile number {} {place} looks like a person's own",
                        mask_phone(&found.written)
                    ),
                    format!(
                        "remove it and give the school's number ({}) instead; a school mobile for trips can be added to phones in [contact] in config.toml",
                        self.school_phone
                    ),
                ))
            }
            What::Phone(digits) if !self.phones.contains(digits) => Some(Finding::warning(
                "contact-phone",
                location,
                format!(
                    "the phone number {} {place} is not the school's ({})",
                    mask_phone(&found.written),
                    self.school_phone
                ),
                "if it is a general number (another school office, a helpline), add it to phones in [contact] in config.toml; never show a person's own number",
            )),
            _ => None,
        }
    }
}

fn is_mobile(digits: &str) -> bool {
    digits.len() == 11 && digits.starts_with("07")
}

/// Where a found address is written in a page's Markdown, if it is.
fn line_of(doc: &Document, written: &str) -> Option<(String, usize)> {
    for (first, text) in [(doc.front_line, &doc.front), (doc.body_line, &doc.body)] {
        if let Some(at) = text.find(written) {
            return Some((doc.file(), first + text[..at].matches('\n').count()));
        }
    }
    None
}

/// `jo.bloggs@school.sch.uk` → `j*******@school.sch.uk`.
fn mask_email(email: &str) -> String {
    let (local, domain) = email.split_once('@').unwrap_or((email, ""));
    let mut chars = local.chars();
    let first = chars.next().map(String::from).unwrap_or_default();
    format!("{first}{}@{domain}", "*".repeat(chars.count()))
}

/// `07700 900123` → `07700 9*****`: enough to find it, not to ring it.
fn mask_phone(written: &str) -> String {
    let mut digits = 0;
    written
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                digits += 1;
                if digits > 6 { '*' } else { c }
            } else {
                c
            }
        })
        .collect()
}

/// Email addresses and phone numbers in a page's HTML: its text, and the
/// addresses of `mailto:` and `tel:` links. Scripts, styles and other
/// attributes (file names, sizes) are not text a reader sees. The text
/// between tags is scanned where it lies, without copying the page.
fn scan_html(html: &str) -> Vec<Found> {
    let decoded;
    let at_sign_entity = memchr::memchr_iter(b'&', html.as_bytes()).any(|at| {
        let rest = &html.as_bytes()[at..];
        rest.starts_with(b"&#64;") || rest.starts_with(b"&#x40;") || rest.starts_with(b"&commat;")
    });
    let html = if at_sign_entity {
        decoded = html
            .replace("&#64;", "@")
            .replace("&#x40;", "@")
            .replace("&commat;", "@");
        decoded.as_str()
    } else {
        html
    };
    let bytes = html.as_bytes();
    let mut found = Vec::new();
    let text = |segment: &str, found: &mut Vec<Found>| {
        if memchr::memchr(b'&', segment.as_bytes()).is_some()
            && (segment.contains("&nbsp;") || segment.contains("&#160;"))
        {
            let spaced = segment.replace("&nbsp;", " ").replace("&#160;", " ");
            found.extend(scan_text(&spaced));
        } else if segment.bytes().any(|b| b == b'@' || b.is_ascii_digit()) {
            found.extend(scan_text(segment));
        }
    };
    let mut i = 0;
    while i < bytes.len() {
        let Some(lt) = memchr::memchr(b'<', &bytes[i..]).map(|p| i + p) else {
            text(&html[i..], &mut found);
            break;
        };
        text(&html[i..lt], &mut found);
        let Some(gt) = memchr::memchr(b'>', &bytes[lt..]).map(|p| lt + p) else {
            break;
        };
        let tag = &html[lt + 1..gt];
        // `href="mailto:…"` and `href="tel:…"`: found by their colons.
        for colon in memchr::memchr_iter(b':', tag.as_bytes()) {
            let before = &tag.as_bytes()[..colon];
            let is_link = before.len() >= 6
                && before[before.len() - 6..].eq_ignore_ascii_case(b"mailto")
                || before.len() >= 3 && before[before.len() - 3..].eq_ignore_ascii_case(b"tel");
            if is_link {
                let value = &tag[colon + 1..];
                let end = value.find(['"', '\'', '?', ' ']).unwrap_or(value.len());
                text(&value[..end], &mut found);
            }
        }
        i = gt + 1;
        // Scripts and styles are not text.
        let name = tag.split([' ', '\t', '\n']).next().unwrap_or("");
        for skip in ["script", "style"] {
            if name.eq_ignore_ascii_case(skip) {
                let close = format!("</{skip}");
                i = memchr::memmem::find(&bytes[i..], close.as_bytes())
                    .map_or(bytes.len(), |p| i + p);
            }
        }
    }
    let mut seen = HashSet::new();
    found.retain(|f| seen.insert(f.key()));
    found
}

/// Email addresses and UK phone numbers in plain text, in order.
fn scan_text(text: &str) -> Vec<Found> {
    let mut out = Vec::new();
    emails(text, &mut out);
    phones(text, &mut out);
    out
}

fn emails(text: &str, out: &mut Vec<Found>) {
    let bytes = text.as_bytes();
    let local = |b: u8| b.is_ascii_alphanumeric() || b"._%+-'".contains(&b);
    let domain = |b: u8| b.is_ascii_alphanumeric() || b == b'.' || b == b'-';
    for at in memchr::memchr_iter(b'@', bytes) {
        let mut start = at;
        while start > 0 && local(bytes[start - 1]) {
            start -= 1;
        }
        while start < at && !bytes[start].is_ascii_alphanumeric() {
            start += 1;
        }
        let mut end = at + 1;
        while end < bytes.len() && domain(bytes[end]) {
            end += 1;
        }
        while end > at + 1 && !bytes[end - 1].is_ascii_alphanumeric() {
            end -= 1;
        }
        if start == at || end <= at + 1 {
            continue;
        }
        let host = &text[at + 1..end];
        let Some((_, tld)) = host.rsplit_once('.') else {
            continue;
        };
        // `logo@2x.png` is a file, not an address.
        let file = matches!(
            tld.to_ascii_lowercase().as_str(),
            "png" | "jpg" | "jpeg" | "gif" | "webp" | "svg" | "pdf" | "css" | "js" | "html"
        );
        if tld.len() < 2 || !tld.bytes().all(|b| b.is_ascii_alphabetic()) || file {
            continue;
        }
        let written = &text[start..end];
        out.push(Found {
            written: written.to_string(),
            what: What::Email(written.to_lowercase()),
        });
    }
}

/// UK numbers: 10 or 11 digits starting with 0 (or +44), written with
/// spaces, hyphens, dots or brackets between the digits.
fn phones(text: &str, out: &mut Vec<Found>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(at) = memchr::memchr3(b'0', b'+', b'(', &bytes[i..]) {
        i += at;
        let b = bytes[i];
        let starts = (b == b'0' || (b == b'+' && bytes[i..].starts_with(b"+44")))
            || (b == b'(' && bytes.get(i + 1) == Some(&b'0'));
        let boundary = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'.');
        if !starts || !boundary {
            i += 1;
            continue;
        }
        let mut digits = String::new();
        let mut j = i;
        let mut last_digit = i;
        if bytes[i..].starts_with(b"+44") {
            digits.push('0');
            j += 3;
            last_digit = j - 1;
            // "+44 (0)1632…": the 0 in brackets is not dialled.
            let rest = &bytes[j..];
            let skip = rest.iter().take_while(|b| **b == b' ').count();
            if rest[skip..].starts_with(b"(0)") {
                j += skip + 3;
            }
        }
        let mut gap = 0;
        while j < bytes.len() && digits.len() <= 11 {
            let c = bytes[j];
            if c.is_ascii_digit() {
                digits.push(c as char);
                last_digit = j;
                gap = 0;
            } else if matches!(c, b' ' | b'-' | b'.' | b'(' | b')') && gap < 2 {
                gap += 1;
            } else if c == 0xC2 && bytes.get(j + 1) == Some(&0xA0) && gap < 2 {
                // A no-break space.
                gap += 1;
                j += 1;
            } else {
                break;
            }
            j += 1;
        }
        let end = last_digit + 1;
        let ends_cleanly = bytes.get(end).is_none_or(|b| !b.is_ascii_alphanumeric())
            && !(end < bytes.len()
                && bytes[end] == b'.'
                && bytes.get(end + 1).is_some_and(u8::is_ascii_digit));
        let valid =
            (10..=11).contains(&digits.len()) && digits.as_bytes()[1] != b'0' && ends_cleanly;
        if valid {
            out.push(Found {
                written: text[i..end].to_string(),
                what: What::Phone(digits),
            });
            i = end;
        } else {
            i = last_digit.max(i) + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        scan_text(text).iter().map(Found::key).collect()
    }

    #[test]
    fn finds_addresses_and_numbers_as_people_write_them() {
        assert_eq!(
            keys("Email Jo.Bloggs@Larkspur.sch.uk or ring 07700 900123."),
            ["jo.bloggs@larkspur.sch.uk", "07700900123"]
        );
        assert_eq!(keys("+44 (0)1632 960418"), ["01632960418"]);
        assert_eq!(keys("+447700900123"), ["07700900123"]);
        assert_eq!(keys("(01632) 960-418"), ["01632960418"]);
        assert_eq!(keys("0300 123 1113"), ["03001231113"]);
    }

    #[test]
    fn ignores_what_is_not_an_address_or_number() {
        for text in [
            "@LarkspurLane on the noticeboard",
            "logo@2x.png",
            "term starts 2026-09-01 at 08:45",
            "01/09/2026",
            "viewBox 0 0 24 24",
            "version 0.1.2",
            "URN 123456",
            "a0123456789b",
            "0123456789012345",
        ] {
            assert!(keys(text).is_empty(), "{text}: {:?}", keys(text));
        }
    }

    #[test]
    fn html_text_and_links_but_not_file_names() {
        let html = r#"<p>Call <a href="tel:+447700900123">our mobile</a> or write to <a href="mailto:head&#64;x.sch.uk">the head</a>.</p><img src="/media/a-0712345678.pdf"><script>var t = "07700900999";</script>"#;
        let mut found: Vec<String> = scan_html(html).iter().map(Found::key).collect();
        found.sort();
        assert_eq!(found, ["07700900123", "head@x.sch.uk"]);
    }

    #[test]
    fn masks() {
        assert_eq!(mask_email("jo.bloggs@x.sch.uk"), "j********@x.sch.uk");
        assert_eq!(mask_phone("07700 900123"), "07700 9*****");
    }
}
