//! Pages and sections that will render badly: no title, no date in a
//! section sorted by date, an event that ends before it starts.

use super::Input;
use crate::content::front_matter::SortBy;
use crate::report::{Finding, Location};

pub fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    for page in &input.site.pages {
        if page
            .meta
            .title
            .as_deref()
            .is_none_or(|t| t.trim().is_empty())
        {
            out.push(Finding::warning(
                "missing-title",
                Location::line(page.doc.file(), page.doc.front_line),
                "this page has no title; browsers, screen readers and search results show the title",
                "add title = \"…\" to the front matter",
            ));
        }
        let section = &input.site.sections[page.section];
        if section.meta.sort_by == SortBy::Date && page.date.is_none() {
            out.push(Finding::warning(
                "missing-date",
                Location::line(page.doc.file(), page.doc.front_line),
                format!(
                    "this page is in {}, which is sorted by date, but it has no date; it is listed last",
                    section.doc.file()
                ),
                "add date = 2026-09-01 to the front matter, or start the file name with the date",
            ));
        }
    }
    for e in input.site.events.iter().filter(|e| e.ends_before_start()) {
        let page = &input.site.pages[e.page];
        out.push(Finding::error(
            "event-dates",
            Location::line(page.doc.file(), e.line),
            format!(
                "the event {:?} ends ({}) before it starts ({}); parents' calendars would show it wrongly",
                e.title,
                e.end.date(),
                e.start.date()
            ),
            "check the dates: end is the last day of the event (or its end time), on or after start",
        ));
    }
    out
}
