//! The feeds that are not HTML: the calendar parents subscribe to
//! (iCalendar, RFC 5545) and the search index the search page loads.
//!
//! The calendar is written here rather than by a template because its
//! escaping and line folding are easy to get subtly wrong in one, and
//! rather than by a crate because it must be byte-for-byte reproducible
//! (no build timestamps) with the UK time zone spelled out.

use crate::content::Site;
use crate::content::events::{Event, When};
use crate::content::front_matter::parse_date;
use chrono::NaiveDate;
use serde::Serialize;

/// Where the calendar is published.
pub const CALENDAR_PATH: &str = "/calendar.ics";
/// Where the search index is published.
pub const SEARCH_INDEX_PATH: &str = "/search-index.json";

/// The time zone every timed event is in: the UK's, with its summer
/// time rule (last Sunday of March to last Sunday of October).
const LONDON: &str = "BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\n\
BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\nTZNAME:BST\r\n\
DTSTART:19700329T010000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n\
BEGIN:STANDARD\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nTZNAME:GMT\r\n\
DTSTART:19701025T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n\
END:VTIMEZONE\r\n";

/// Every event of the site as an iCalendar file.
pub fn calendar(site: &Site, name: &str, base_url: &str) -> String {
    let host = base_url
        .split_once("://")
        .map_or(base_url, |(_, rest)| rest)
        .split('/')
        .next()
        .unwrap_or("schoolsite");
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".to_string(),
        format!("PRODID:-//schoolsite//{}//EN", text(name)),
        "CALSCALE:GREGORIAN".to_string(),
        "METHOD:PUBLISH".to_string(),
        format!("X-WR-CALNAME:{}", text(name)),
        "X-WR-TIMEZONE:Europe/London".to_string(),
    ] {
        folded(&mut out, &line);
    }
    if site.events.iter().any(|e| !e.all_day()) {
        out.push_str(LONDON);
    }
    for e in &site.events {
        event(&mut out, e, site, base_url, host);
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

fn event(out: &mut String, e: &Event, site: &Site, base_url: &str, host: &str) {
    let page = &site.pages[e.page];
    // The same event keeps its id from build to build, so calendars
    // update it rather than adding a copy. (No `@` in it: it is not an
    // address, and must not look like one to the contact rule.)
    let id = blake3::hash(format!("{}\n{}\n{:?}", page.doc.source, e.title, e.start).as_bytes());
    // When the entry was last changed, as far as the page says: never the
    // build's clock, so an unchanged site builds the same bytes.
    let stamp = [&page.meta.last_reviewed, &page.meta.date]
        .into_iter()
        .flatten()
        .find_map(|v| parse_date(v).ok())
        .or(page.date)
        .unwrap_or_else(|| e.start.date());
    folded(out, "BEGIN:VEVENT");
    folded(out, &format!("UID:{}.{host}", &id.to_hex()[..20]));
    folded(out, &format!("DTSTAMP:{}T000000Z", compact(stamp)));
    match (e.start, e.end()) {
        (When::Day(first), When::Day(last)) => {
            folded(out, &format!("DTSTART;VALUE=DATE:{}", compact(first)));
            // The end of an all-day event is the day after it.
            let after = last.succ_opt().unwrap_or(last);
            folded(out, &format!("DTEND;VALUE=DATE:{}", compact(after)));
        }
        (start, end) => {
            folded(
                out,
                &format!("DTSTART;TZID=Europe/London:{}", stamp_of(start)),
            );
            if end != start {
                folded(out, &format!("DTEND;TZID=Europe/London:{}", stamp_of(end)));
            }
        }
    }
    folded(out, &format!("SUMMARY:{}", text(&e.title)));
    if let Some(l) = &e.location {
        folded(out, &format!("LOCATION:{}", text(l)));
    }
    if let Some(d) = &e.description {
        folded(out, &format!("DESCRIPTION:{}", text(d)));
    }
    folded(out, &format!("URL:{base_url}{}", page.path));
    folded(out, "END:VEVENT");
}

fn compact(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

fn stamp_of(w: When) -> String {
    match w {
        When::Day(d) => compact(d),
        When::At(t) => t.format("%Y%m%dT%H%M%S").to_string(),
    }
}

/// A TEXT value, escaped (RFC 5545 §3.3.11).
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Writes a content line, folded so no line is over 75 octets, never
/// inside a character (§3.1).
fn folded(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

/// One page in the search index.
#[derive(Serialize)]
pub(super) struct Entry<'a> {
    /// Title.
    pub t: &'a str,
    /// Address.
    pub u: String,
    /// Section title.
    pub s: &'a str,
    /// Description.
    pub d: &'a str,
    /// The page's text, one block per line.
    pub x: String,
}

/// Collapses runs of whitespace inside each block (line) to one space,
/// keeping one line break between blocks: a name must not seem to run
/// from one paragraph into the next.
pub(super) fn collapse(text: &str) -> String {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

pub(super) fn search_index(entries: &[Entry]) -> String {
    serde_json::to_string(entries).unwrap_or_else(|_| "[]".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_at_75_octets_without_splitting_characters() {
        let mut out = String::new();
        let long = format!("SUMMARY:{}", "é".repeat(60));
        folded(&mut out, &long);
        for line in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded.trim_end(), long);
    }

    #[test]
    fn escapes_text() {
        assert_eq!(
            text("Fair; cakes, games\nand \\ more"),
            "Fair\\; cakes\\, games\\nand \\\\ more"
        );
    }
}
