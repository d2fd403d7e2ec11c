//! Events from pages' `[[events]]` front matter: term dates, INSET days,
//! concerts. The page that declares them shows them; the home page lists
//! what is coming up; the calendar feed carries them all.

use super::front_matter::EventMeta;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// When an event starts or ends: a whole day, or a UK local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Day(NaiveDate),
    At(NaiveDateTime),
}

/// In time order; a whole day counts from its midnight.
impl Ord for When {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let key = |w: &When| (w.date(), w.time().unwrap_or(NaiveTime::MIN));
        key(self)
            .cmp(&key(other))
            .then_with(|| self.time().is_some().cmp(&other.time().is_some()))
    }
}

impl PartialOrd for When {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl When {
    pub fn date(self) -> NaiveDate {
        match self {
            When::Day(d) => d,
            When::At(t) => t.date(),
        }
    }

    /// The time of day, for a timed event.
    pub fn time(self) -> Option<NaiveTime> {
        match self {
            When::Day(_) => None,
            When::At(t) => Some(t.time()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Event {
    pub title: String,
    pub start: When,
    /// As written: the last day (inclusive) or the end time.
    pub end: When,
    pub location: Option<String>,
    pub description: Option<String>,
    /// The page that declares it (index into `Site::pages`).
    pub page: usize,
    /// The file line of its `[[events]]` table.
    pub line: usize,
}

impl Event {
    /// Whether the end was written before the start (reported by the
    /// rules; shown as a one-day or zero-length event meanwhile).
    pub fn ends_before_start(&self) -> bool {
        self.end < self.start
    }

    /// The end, never before the start.
    pub fn end(&self) -> When {
        self.end.max(self.start)
    }

    pub fn all_day(&self) -> bool {
        matches!(self.start, When::Day(_))
    }

    /// Whether any of it is on or after `day`.
    pub fn is_upcoming(&self, day: NaiveDate) -> bool {
        self.end().date() >= day
    }
}

/// Reads one `[[events]]` table's dates: both whole days or both times.
pub fn parse(meta: &EventMeta) -> Result<(When, When), String> {
    if meta.title.trim().is_empty() {
        return Err("this event has an empty title".to_string());
    }
    let start = when(&meta.start).map_err(|e| format!("start: {e}"))?;
    let end = match &meta.end {
        Some(v) => when(v).map_err(|e| format!("end: {e}"))?,
        None => start,
    };
    match (start, end) {
        (When::Day(_), When::At(_)) | (When::At(_), When::Day(_)) => Err(
            "one of start and end is a date and the other a date and time: give both as dates (an all-day event) or both with times"
                .to_string(),
        ),
        _ => Ok((start, end)),
    }
}

fn when(value: &toml::Value) -> Result<When, String> {
    match value {
        toml::Value::Datetime(dt) => {
            if dt.offset.is_some() {
                return Err(format!(
                    "{dt} has a time zone; write the UK time without one, e.g. 2026-12-10T14:00:00"
                ));
            }
            let Some(d) = dt.date else {
                return Err(format!("{dt} has no date"));
            };
            let date =
                NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                    .ok_or_else(|| format!("{dt} is not a real date"))?;
            match dt.time {
                None => Ok(When::Day(date)),
                Some(t) => NaiveTime::from_hms_opt(
                    u32::from(t.hour),
                    u32::from(t.minute),
                    u32::from(t.second.unwrap_or(0)),
                )
                .map(|time| When::At(date.and_time(time)))
                .ok_or_else(|| format!("{dt} is not a real time")),
            }
        }
        toml::Value::String(s) => {
            let s = s.trim();
            if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                return Ok(When::Day(d));
            }
            ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
                .map(When::At)
                .ok_or_else(|| {
                    format!(
                        "{s:?} is not a date (2026-10-26) or a date and time (2026-12-10T14:00:00)"
                    )
                })
        }
        other => Err(format!(
            "{other} is not a date (2026-10-26) or a date and time (2026-12-10T14:00:00)"
        )),
    }
}

/// The file line of the `n`th (0-based) `[[events]]` table in front
/// matter that starts on `front_line`.
pub fn table_line(front: &str, front_line: usize, n: usize) -> usize {
    front
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("[[events]]"))
        .nth(n)
        .map_or(front_line, |(i, _)| front_line + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(src: &str) -> EventMeta {
        toml::from_str(src).unwrap()
    }

    #[test]
    fn days_and_times() {
        let (s, e) = parse(&meta(
            "title = \"Half term\"\nstart = 2026-10-26\nend = 2026-10-30",
        ))
        .unwrap();
        assert_eq!(s, When::Day(NaiveDate::from_ymd_opt(2026, 10, 26).unwrap()));
        assert_eq!(e.date().to_string(), "2026-10-30");
        let (s, e) = parse(&meta("title = \"Concert\"\nstart = 2026-12-10T14:00:00")).unwrap();
        assert_eq!(s, e);
        assert_eq!(s.time().unwrap().to_string(), "14:00:00");
        let (s, _) = parse(&meta("title = \"Fair\"\nstart = \"2026-12-05 10:30\"")).unwrap();
        assert_eq!(s.time().unwrap().to_string(), "10:30:00");
    }

    #[test]
    fn orders_by_time_whatever_the_kind() {
        let day = |d| When::Day(NaiveDate::from_ymd_opt(2026, 12, d).unwrap());
        let at = |d, h| {
            When::At(
                NaiveDate::from_ymd_opt(2026, 12, d)
                    .unwrap()
                    .and_hms_opt(h, 0, 0)
                    .unwrap(),
            )
        };
        let mut list = vec![day(18), at(16, 14), day(16), at(10, 9)];
        list.sort();
        assert_eq!(list, vec![at(10, 9), day(16), at(16, 14), day(18)]);
    }

    #[test]
    fn refuses_what_it_cannot_place() {
        let mixed = parse(&meta(
            "title = \"x\"\nstart = 2026-10-26\nend = 2026-10-26T15:00:00",
        ));
        assert!(mixed.unwrap_err().contains("both"));
        let zoned = parse(&meta("title = \"x\"\nstart = 2026-10-26T15:00:00Z"));
        assert!(zoned.unwrap_err().contains("time zone"));
        assert!(parse(&meta("title = \" \"\nstart = 2026-10-26")).is_err());
        assert!(parse(&meta("title = \"x\"\nstart = \"26/10/2026\"")).is_err());
    }

    #[test]
    fn an_end_before_the_start_is_kept_but_clamped() {
        let (start, end) =
            parse(&meta("title = \"x\"\nstart = 2026-10-30\nend = 2026-10-26")).unwrap();
        let e = Event {
            title: "x".into(),
            start,
            end,
            location: None,
            description: None,
            page: 0,
            line: 1,
        };
        assert!(e.ends_before_start());
        assert_eq!(e.end(), e.start);
    }

    #[test]
    fn finds_the_nth_table() {
        let front = "title = \"T\"\n[[events]]\ntitle = \"a\"\n[[events]]\ntitle = \"b\"\n";
        assert_eq!(table_line(front, 2, 0), 3);
        assert_eq!(table_line(front, 2, 1), 5);
    }
}
