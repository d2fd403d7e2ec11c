//! A page as the studio's form shows it: front matter fields and the
//! Markdown body. Saving edits the `+++` front matter as a TOML document
//! (`toml_edit`), so keys the form does not show (`slug`, `template`,
//! `[extra]`) and the school's comments stay as they were.

use super::put;
use crate::content::events::When;
use crate::content::front_matter;
use chrono::NaiveDate;
use toml_edit::{DocumentMut, Item, Table, value};

/// The front matter fields the studio's form edits.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fields {
    pub title: String,
    pub description: Option<String>,
    pub date: Option<NaiveDate>,
    pub draft: bool,
    pub weight: Option<i64>,
    /// On policy pages: when it was last reviewed and is next due.
    pub last_reviewed: Option<NaiveDate>,
    pub next_review: Option<NaiveDate>,
    pub approved_by: Option<String>,
    /// Which statutory item the page is: `Some(None)` none, `None` leave
    /// `statutory` as written (a page covering several items).
    pub statutory: Option<Option<String>>,
    /// The page's `[[events]]` as they are to be, in order: those kept
    /// (changed or not) and those added. One not listed is removed.
    pub events: Vec<Event>,
    /// Leave the page's `[[events]]` exactly as written (a section, or
    /// an event the form cannot show: one the build cannot read).
    pub keep_events: bool,
}

/// One `[[events]]` row of the form.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Which of the page's `[[events]]` tables (counting from 0, as
    /// the form was opened) this row is, so it is changed in place with
    /// its comments; `None` for one added.
    pub from: Option<usize>,
    pub title: String,
    /// A whole day, or a UK local time.
    pub start: When,
    /// The last day or the end time; `None`: as the start.
    pub end: Option<When>,
    pub location: Option<String>,
    pub description: Option<String>,
}

/// Why a page could not be saved.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PageError {
    #[error("the page needs a title")]
    NoTitle,
    #[error(
        "its front matter cannot be read (line {line}): {message}; fix it in a text editor first"
    )]
    Unreadable { line: usize, message: String },
    #[error("an event needs a title")]
    UntitledEvent,
    #[error(
        "what was typed would not read back as the page's settings, so nothing was saved; take out any line that is only +++"
    )]
    WouldNotReadBack,
    #[error("an event cannot end ({end}) before it starts ({start})")]
    EventBackwards { start: String, end: String },
    #[error(
        "an event's start and end must both be days or both be times (start {start}, end {end})"
    )]
    EventMixed { start: String, end: String },
}

/// The page's text (`+++` front matter, then the body) with its fields
/// and body replaced; `existing` is the file as it is (empty for a new
/// page).
pub fn save(existing: &str, fields: &Fields, body: &str) -> Result<String, PageError> {
    check(fields)?;
    let front = if existing.trim().is_empty() {
        String::new()
    } else {
        let split = front_matter::split(existing).map_err(|e| PageError::Unreadable {
            line: e.line,
            message: e.message,
        })?;
        split.front.to_string()
    };
    let mut doc: DocumentMut =
        front
            .parse()
            .map_err(|e: toml_edit::TomlError| PageError::Unreadable {
                line: 1,
                message: e.message().to_string(),
            })?;
    set_fields(&mut doc, fields);
    let body = body.replace("\r\n", "\n");
    let body = body.trim_start_matches('\n');
    let mut front = doc.to_string();
    if !front.ends_with('\n') {
        front.push('\n');
    }
    let page = format!("+++\n{front}+++\n\n{body}");
    // Read back as the build reads it: the settings end where they were
    // written to, and still parse.
    match front_matter::split(&page) {
        Ok(split) if split.front == front && split.front.parse::<DocumentMut>().is_ok() => Ok(page),
        _ => Err(PageError::WouldNotReadBack),
    }
}

/// A typed text as a TOML value. One with a line break is written on one
/// line, escaped (`"Programme:\nCarols"`): as a multi-line string its
/// lines would stand alone in the file, and one that is only `+++` would
/// end the front matter there.
fn typed(t: &str) -> toml_edit::Value {
    use toml_writer::ToTomlValue as _;
    if !t.contains(['\n', '\r']) {
        return t.into();
    }
    let escaped = toml_writer::TomlStringBuilder::new(t)
        .as_basic()
        .to_toml_value();
    escaped
        .parse()
        .unwrap_or_else(|_| t.replace(['\n', '\r'], " ").into())
}

fn check(fields: &Fields) -> Result<(), PageError> {
    if fields.title.trim().is_empty() {
        return Err(PageError::NoTitle);
    }
    for e in &fields.events {
        if e.title.trim().is_empty() {
            return Err(PageError::UntitledEvent);
        }
        let Some(end) = e.end else { continue };
        let (start, end_text) = (moment(e.start), moment(end));
        match (e.start, end) {
            (When::Day(_), When::At(_)) | (When::At(_), When::Day(_)) => {
                return Err(PageError::EventMixed {
                    start,
                    end: end_text,
                });
            }
            _ if end < e.start => {
                return Err(PageError::EventBackwards {
                    start,
                    end: end_text,
                });
            }
            _ => {}
        }
    }
    Ok(())
}

fn set_fields(doc: &mut DocumentMut, f: &Fields) {
    let table = doc.as_table_mut();
    put(table, "title", typed(f.title.trim()).into());
    set_text(table, "description", f.description.as_deref());
    set_date(table, "date", f.date);
    if f.draft {
        put(table, "draft", value(true));
    } else {
        table.remove("draft");
    }
    match f.weight {
        Some(w) => {
            put(table, "weight", value(w));
        }
        None => {
            table.remove("weight");
        }
    }
    set_date(table, "last_reviewed", f.last_reviewed);
    set_date(table, "next_review", f.next_review);
    set_text(table, "approved_by", f.approved_by.as_deref());
    // Written only when it changes, so a comment beside it stays.
    if let Some(choice) = &f.statutory
        && table.get("statutory").and_then(Item::as_str) != choice.as_deref()
    {
        set_text(table, "statutory", choice.as_deref());
    }
    if !f.keep_events {
        set_events(table, &f.events);
    }
}

fn set_text(table: &mut Table, key: &str, text: Option<&str>) {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => {
            put(table, key, typed(t).into());
        }
        None => {
            table.remove(key);
        }
    }
}

/// A date as TOML writes one (`date = 2026-10-23`, not a string).
fn set_date(table: &mut Table, key: &str, date: Option<NaiveDate>) {
    match date.and_then(|d| d.to_string().parse::<toml_edit::Datetime>().ok()) {
        Some(d) => {
            put(table, key, value(d));
        }
        None => {
            table.remove(key);
        }
    }
}

/// A day or time as TOML writes it: `2026-12-16`, `2026-12-16T14:00:00`.
fn moment(w: When) -> String {
    match w {
        When::Day(d) => d.to_string(),
        When::At(t) => t.format("%Y-%m-%dT%H:%M:%S").to_string(),
    }
}

/// Sets `key` to `item` unless it holds that value already, so an
/// unchanged value keeps the comment written after it.
fn put_changed(table: &mut Table, key: &str, item: Item) {
    let bare = |v: &toml_edit::Value| {
        let mut v = v.clone();
        v.decor_mut().clear();
        v.to_string()
    };
    let same = match (table.get(key).and_then(Item::as_value), item.as_value()) {
        (Some(now), Some(new)) => bare(now) == bare(new),
        _ => false,
    };
    if !same {
        put(table, key, item);
    }
}

fn set_moment(table: &mut Table, key: &str, w: Option<When>) {
    // The form shows a time to the minute: a value written by hand to the
    // second, or as a string, that the form showed unchanged stays as
    // written.
    let to_minute = |s: &str| {
        s.get(..16)
            .filter(|_| s.as_bytes().get(10) == Some(&b'T'))
            .unwrap_or(s)
            .to_string()
    };
    let old = table
        .get(key)
        .and_then(Item::as_value)
        .and_then(|v| match v {
            toml_edit::Value::Datetime(d) => Some(d.value().to_string()),
            toml_edit::Value::String(s) => Some(s.value().clone()),
            _ => None,
        });
    if let (Some(old), Some(w)) = (old, w)
        && to_minute(&old) == to_minute(&moment(w))
    {
        return;
    }
    match w.and_then(|w| moment(w).parse::<toml_edit::Datetime>().ok()) {
        Some(d) => put_changed(table, key, value(d)),
        None => {
            table.remove(key);
        }
    }
}

fn set_event_text(table: &mut Table, key: &str, text: Option<&str>) {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => put_changed(table, key, typed(t).into()),
        None => {
            table.remove(key);
        }
    }
}

/// The page's `[[events]]` made what the form says, edited in place: an
/// event kept is its own table (the comments above it and beside its
/// keys stay, and a value not changed is not written again), in the
/// form's order; one added is a new table at the end; one the form no
/// longer lists is removed.
fn set_events(table: &mut Table, events: &[Event]) {
    let mut old: Vec<Option<Table>> = table
        .get("events")
        .and_then(Item::as_array_of_tables)
        .map(|a| a.iter().cloned().map(Some).collect())
        .unwrap_or_default();
    if events.is_empty() {
        table.remove("events");
        return;
    }
    let mut list = toml_edit::ArrayOfTables::new();
    for e in events {
        let mut t = e
            .from
            .and_then(|i| old.get_mut(i))
            .and_then(Option::take)
            .unwrap_or_default();
        set_event_text(&mut t, "title", Some(&e.title));
        set_moment(&mut t, "start", Some(e.start));
        set_moment(&mut t, "end", e.end);
        set_event_text(&mut t, "location", e.location.as_deref());
        set_event_text(&mut t, "description", e.description.as_deref());
        list.push(t);
    }
    match table
        .get_mut("events")
        .and_then(Item::as_array_of_tables_mut)
    {
        Some(now) => *now = list,
        None => {
            table.insert("events", Item::ArrayOfTables(list));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "+++\n# Reviewed every year by the governors.\ntitle = \"Behaviour policy\"\nstatutory = \"behaviour-policy\"\nslug = \"behaviour\"\n\n[extra]\nowner = \"Mrs Ashworth\"\n+++\n\nOld body.\n";

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn fields_change_and_everything_else_stays() {
        let fields = Fields {
            title: "Behaviour policy 2026".into(),
            description: Some("How we expect pupils to behave.".into()),
            last_reviewed: Some(day("2026-09-01")),
            next_review: Some(day("2027-09-01")),
            ..Fields::default()
        };
        let out = save(PAGE, &fields, "New body.\r\n").unwrap();
        assert!(
            out.starts_with(
                "+++\n# Reviewed every year by the governors.\ntitle = \"Behaviour policy 2026\"\n"
            ),
            "{out}"
        );
        for kept in [
            "statutory = \"behaviour-policy\"",
            "slug = \"behaviour\"",
            "[extra]\nowner = \"Mrs Ashworth\"",
        ] {
            assert!(out.contains(kept), "{kept}: {out}");
        }
        assert!(out.contains("last_reviewed = 2026-09-01\n"), "{out}");
        assert!(out.ends_with("+++\n\nNew body.\n"), "{out}");
        // What is written is a page the build reads.
        let split = front_matter::split(&out).unwrap();
        let meta: front_matter::PageMeta = toml::from_str(split.front).unwrap();
        assert_eq!(meta.title.as_deref(), Some("Behaviour policy 2026"));
        assert!(meta.next_review.is_some_and(|d| d.as_datetime().is_some()));
    }

    #[test]
    fn the_statutory_item_is_chosen_kept_or_cleared() {
        let page = "+++\ntitle = \"Behaviour\"\nstatutory = \"behaviour-policy\" # the DfE's name\n+++\n\nBe kind.\n";
        let fields = |statutory: Option<Option<&str>>| Fields {
            title: "Behaviour".into(),
            statutory: statutory.map(|s| s.map(str::to_string)),
            ..Fields::default()
        };
        // The same item: its comment stays.
        let same = save(page, &fields(Some(Some("behaviour-policy"))), "Be kind.\n").unwrap();
        assert!(
            same.contains("statutory = \"behaviour-policy\" # the DfE's name\n"),
            "{same}"
        );
        // Left alone: as written.
        assert!(
            save(page, &fields(None), "Be kind.\n")
                .unwrap()
                .contains("# the DfE's name")
        );
        let other = save(
            page,
            &fields(Some(Some("charging-and-remissions-policy"))),
            "",
        )
        .unwrap();
        assert!(
            other.contains("statutory = \"charging-and-remissions-policy\"\n"),
            "{other}"
        );
        let none = save(page, &fields(Some(None)), "").unwrap();
        assert!(!none.contains("statutory"), "{none}");
    }

    #[test]
    fn a_new_post_with_events_and_a_draft() {
        let fields = Fields {
            title: "Christmas fair".into(),
            date: Some(day("2026-12-01")),
            draft: true,
            events: vec![Event {
                from: None,
                title: "Christmas fair".into(),
                start: When::Day(day("2026-12-12")),
                end: None,
                location: Some("School hall".into()),
                description: None,
            }],
            ..Fields::default()
        };
        let out = save("", &fields, "Come along!").unwrap();
        assert_eq!(
            out,
            "+++\ntitle = \"Christmas fair\"\ndate = 2026-12-01\ndraft = true\n\n[[events]]\ntitle = \"Christmas fair\"\nstart = 2026-12-12\nlocation = \"School hall\"\n+++\n\nCome along!"
        );
        let meta: front_matter::PageMeta =
            toml::from_str(front_matter::split(&out).unwrap().front).unwrap();
        assert_eq!(meta.events.len(), 1);
        // Saved again unchanged: the same text.
        assert_eq!(save(&out, &fields, "Come along!").unwrap(), out);
        // Clearing the draft box publishes it.
        let published = save(
            &out,
            &Fields {
                draft: false,
                ..fields
            },
            "Come along!",
        )
        .unwrap();
        assert!(!published.contains("draft"));
    }

    /// A line of only `+++` typed into a description (or forged into a
    /// title) would end the front matter early if written as a multi-line
    /// string: the page would become unreadable.
    #[test]
    fn typed_line_breaks_never_end_the_front_matter() {
        let typed = "Programme:\r\n+++\r\nCarols and readings";
        let fields = Fields {
            title: "Carols\n+++".into(),
            description: Some("One\n+++ \nTwo".into()),
            events: vec![Event {
                from: None,
                title: "Concert".into(),
                start: When::Day(day("2026-12-16")),
                end: None,
                location: Some("Hall\n+++".into()),
                description: Some(typed.into()),
            }],
            ..Fields::default()
        };
        let out = save("", &fields, "+++\nBody\n").unwrap();
        let split = front_matter::split(&out).unwrap();
        assert_eq!(split.body.trim_start(), "+++\nBody\n", "{out}");
        let doc: toml::Table = toml::from_str(split.front).unwrap();
        assert_eq!(doc["title"].as_str(), Some("Carols\n+++"));
        assert_eq!(doc["description"].as_str(), Some("One\n+++ \nTwo"));
        let event = &doc["events"][0];
        assert_eq!(event["description"].as_str(), Some(typed));
        assert_eq!(event["location"].as_str(), Some("Hall\n+++"));
        assert!(
            !out.lines()
                .skip(1)
                .take_while(|l| *l != "+++")
                .any(|l| l.trim_end() == "+++"),
            "{out}"
        );
        // The near miss: text without a line break is written as before.
        let plain = Fields {
            title: "Carols".into(),
            description: Some("Bring a coat".into()),
            ..Fields::default()
        };
        let out = save("", &plain, "Body\n").unwrap();
        assert!(
            out.starts_with("+++\ntitle = \"Carols\"\ndescription = \"Bring a coat\"\n+++\n"),
            "{out}"
        );
    }

    /// Saved without a change to its events, a page keeps its times as
    /// written, to the second or as strings; a time changed is written.
    #[test]
    fn an_unchanged_time_keeps_its_seconds() {
        let page = "+++\ntitle = \"Carols\"\n\n[[events]]\ntitle = \"Concert\"\nstart = 2026-12-16T14:00:30\nend = \"2026-12-16T15:15:00\"\n+++\n\nBody\n";
        let at = |s: &str| When::At(s.parse().unwrap());
        let concert = |start: &str| Event {
            from: Some(0),
            title: "Concert".into(),
            start: at(start),
            end: Some(at("2026-12-16T15:15:00")),
            location: None,
            description: None,
        };
        let fields = |e: Event| Fields {
            title: "Carols".into(),
            events: vec![e],
            ..Fields::default()
        };
        let out = save(page, &fields(concert("2026-12-16T14:00:00")), "Body\n").unwrap();
        assert_eq!(out, page);
        // The near miss: moved by a minute, it is written anew.
        let out = save(page, &fields(concert("2026-12-16T14:01:00")), "Body\n").unwrap();
        assert!(out.contains("start = 2026-12-16T14:01:00\n"), "{out}");
        assert!(out.contains("end = \"2026-12-16T15:15:00\"\n"), "{out}");
    }

    #[test]
    fn events_the_form_cannot_show_are_kept() {
        let page = "+++\ntitle = \"Carols\"\n\n[[events]]\ntitle = \"Concert\"\nstart = 2026-12-16T14:00:00\ndescription = \"Bring a coat\"\n+++\n\nBody\n";
        let fields = Fields {
            title: "Carols".into(),
            keep_events: true,
            ..Fields::default()
        };
        let out = save(page, &fields, "Body\n").unwrap();
        assert_eq!(out, page);
    }

    #[test]
    fn events_are_changed_in_place_added_and_removed_keeping_comments() {
        let page = "+++\ntitle = \"Carols\"\n\n# The concert: confirmed with the church.\n[[events]]\ntitle = \"Concert\" # as on the poster\nstart = 2026-12-16T14:00:00\nend = 2026-12-16T15:30:00\n# Parents asked for this.\ndescription = \"Bring a coat\"\n\n# Rehearsal.\n[[events]]\ntitle = \"Rehearsal\"\nstart = 2026-12-14\n+++\n\nBody\n";
        let at = |s: &str| When::At(s.parse().unwrap());
        let concert = Event {
            from: Some(0),
            title: "Concert".into(),
            start: at("2026-12-16T14:00:00"),
            end: Some(at("2026-12-16T15:30:00")),
            location: None,
            description: Some("Bring a coat".into()),
        };
        let rehearsal = Event {
            from: Some(1),
            title: "Rehearsal".into(),
            start: When::Day(day("2026-12-14")),
            end: None,
            location: None,
            description: None,
        };
        let fields = |events: Vec<Event>| Fields {
            title: "Carols".into(),
            events,
            ..Fields::default()
        };
        // Unchanged: the very same text.
        let same = save(
            page,
            &fields(vec![concert.clone(), rehearsal.clone()]),
            "Body\n",
        );
        assert_eq!(same.unwrap(), page);
        // The concert's time and place change; the rehearsal goes; a
        // new event is added at the end.
        let later = Event {
            start: at("2026-12-16T18:00:00"),
            end: Some(at("2026-12-16T19:30:00")),
            location: Some("St Mary's".into()),
            ..concert
        };
        let fair = Event {
            from: None,
            title: "Fair".into(),
            start: When::Day(day("2026-12-19")),
            end: None,
            location: None,
            description: Some("Stalls & games".into()),
        };
        let out = save(page, &fields(vec![later, fair]), "Body\n").unwrap();
        assert!(
            out.contains("# The concert: confirmed with the church.\n[[events]]\ntitle = \"Concert\" # as on the poster\nstart = 2026-12-16T18:00:00\nend = 2026-12-16T19:30:00\n# Parents asked for this.\ndescription = \"Bring a coat\"\nlocation = \"St Mary's\"\n"),
            "{out}"
        );
        assert!(!out.contains("Rehearsal"), "{out}");
        assert!(
            out.contains("[[events]]\ntitle = \"Fair\"\nstart = 2026-12-19\ndescription = \"Stalls & games\"\n+++"),
            "{out}"
        );
        // What is written is what the build reads.
        let meta: front_matter::PageMeta =
            toml::from_str(front_matter::split(&out).unwrap().front).unwrap();
        assert_eq!(meta.events.len(), 2);
        for e in &meta.events {
            assert!(crate::content::events::parse(e).is_ok(), "{e:?}");
        }
        // Every event removed: no [[events]] left.
        let none = save(page, &fields(vec![]), "Body\n").unwrap();
        assert!(!none.contains("events"), "{none}");
    }

    #[test]
    fn what_cannot_be_saved_is_refused() {
        assert_eq!(save("", &Fields::default(), ""), Err(PageError::NoTitle));
        let backwards = Fields {
            title: "x".into(),
            events: vec![Event {
                from: None,
                title: "t".into(),
                start: When::Day(day("2026-12-12")),
                end: Some(When::Day(day("2026-12-01"))),
                location: None,
                description: None,
            }],
            ..Fields::default()
        };
        assert!(matches!(
            save("", &backwards, ""),
            Err(PageError::EventBackwards { .. })
        ));
        let at = |s: &str| When::At(s.parse().unwrap());
        let mixed = Fields {
            events: vec![Event {
                start: at("2026-12-12T14:00:00"),
                end: Some(When::Day(day("2026-12-12"))),
                ..backwards.events[0].clone()
            }],
            ..backwards.clone()
        };
        assert!(matches!(
            save("", &mixed, ""),
            Err(PageError::EventMixed { .. })
        ));
        let titled = Fields {
            title: "x".into(),
            ..Fields::default()
        };
        assert!(matches!(
            save("no front matter", &titled, ""),
            Err(PageError::Unreadable { .. })
        ));
        assert!(matches!(
            save("+++\ntitle = \n+++\n", &titled, ""),
            Err(PageError::Unreadable { .. })
        ));
        // A title cannot smuggle in another key.
        let sneaky = Fields {
            title: "a\"\ndraft = false\nx = \"".into(),
            ..Fields::default()
        };
        let out = save("", &sneaky, "").unwrap();
        let meta: front_matter::PageMeta =
            toml::from_str(front_matter::split(&out).unwrap().front).unwrap();
        assert_eq!(meta.title.as_deref(), Some("a\"\ndraft = false\nx = \""));
    }
}
