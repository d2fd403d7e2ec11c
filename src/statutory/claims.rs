//! Reading what pages and config.toml say about statutory items, and
//! reporting every mistake in it.

use super::checklist::{Cadence, due_after_inspection};
use super::{Checklist, Claim, Item, Version};
use crate::config::{CONFIG_FILE, Config, Statutory};
use crate::content::front_matter::parse_date;
use crate::content::{Page, Site};
use crate::report::{Finding, Location};
use chrono::{Months, NaiveDate};
use std::collections::BTreeMap;

const RULE: &str = "statutory-declaration";

pub(super) struct Claims {
    /// The first page to claim each item.
    pub by_item: BTreeMap<String, Claim>,
    pub versions: BTreeMap<String, Version>,
    pub problems: Vec<Finding>,
}

/// Reads every page's `statutory`, `last_reviewed`, `next_review`,
/// `review_every` and `approved_by`.
pub(super) fn read(
    site: &Site,
    list: &Checklist,
    today: NaiveDate,
    inspected: Option<NaiveDate>,
) -> Claims {
    let mut claims = Claims {
        by_item: BTreeMap::new(),
        versions: BTreeMap::new(),
        problems: Vec::new(),
    };
    for page in &site.pages {
        read_page(page, list, today, inspected, &mut claims);
    }
    claims
}

fn read_page(
    page: &Page,
    list: &Checklist,
    today: NaiveDate,
    inspected: Option<NaiveDate>,
    out: &mut Claims,
) {
    let meta = &page.meta;
    let doc = &page.doc;
    let file = doc.file();
    let at = |key: &str| Location::line(file.clone(), doc.key_line(key));
    let keys: &[String] = meta.statutory.as_ref().map_or(&[], |k| k.as_slice());
    if keys.is_empty() && meta.last_reviewed.is_none() && meta.next_review.is_none() {
        return;
    }

    let mut date = |key: &str, value: &Option<toml::Value>| -> Option<NaiveDate> {
        let value = value.as_ref()?;
        match parse_date(value) {
            Ok(d) => Some(d),
            Err(message) => {
                out.problems.push(Finding::error(
                    RULE,
                    at(key),
                    format!("{key}: {message}"),
                    format!("write the date as year-month-day without quotes: {key} = 2026-09-01"),
                ));
                None
            }
        }
    };
    let last_reviewed = date("last_reviewed", &meta.last_reviewed);
    let next_review = date("next_review", &meta.next_review);
    let every = match &meta.review_every {
        None => None,
        Some(text) => match parse_interval(text) {
            Some(m) => Some(m),
            None => {
                out.problems.push(Finding::error(
                    RULE,
                    at("review_every"),
                    format!("review_every = {text:?} is not a length of time schoolsite understands"),
                    "write it as a number of years or months: review_every = \"1 year\" or \"6 months\"",
                ));
                None
            }
        },
    };

    let mut items = Vec::new();
    for key in keys {
        match list.item(key) {
            Some(item) => items.push(item),
            None => {
                let hint = match list.suggest(key) {
                    Some(k) => format!("did you mean statutory = \"{k}\"? "),
                    None => String::new(),
                };
                out.problems.push(Finding::error(
                    RULE,
                    at("statutory"),
                    format!("{key:?} is not an item of the statutory checklist"),
                    format!("{hint}`schoolsite statutory --all` lists every item and its key"),
                ));
            }
        }
    }

    if !keys.is_empty() && meta.last_reviewed.is_none() {
        out.problems.push(Finding::error(
            RULE,
            at("statutory"),
            "this page publishes statutory information but does not say when it was last reviewed",
            "add last_reviewed = 2026-09-01 (the date of the last review) to the front matter",
        ));
    }
    if let (Some(last), Some(next)) = (last_reviewed, next_review)
        && next <= last
    {
        out.problems.push(Finding::error(
            RULE,
            at("next_review"),
            format!("next_review ({next}) is not after last_reviewed ({last})"),
            "check both dates: the next review comes after the last one",
        ));
    }
    if meta.next_review.is_some() && meta.review_every.is_some() {
        out.problems.push(Finding::error(
            RULE,
            at("review_every"),
            "both next_review and review_every are given, so the due date is ambiguous",
            "keep one: next_review = a date, or review_every = \"1 year\"",
        ));
    }
    if let Some(last) = last_reviewed
        && last > today
    {
        out.problems.push(Finding::warning(
            RULE,
            at("last_reviewed"),
            format!("last_reviewed ({last}) is in the future"),
            "give the date the review actually happened",
        ));
    }
    let starter = doc.body.contains(super::STARTER_MARKER);
    if !items.is_empty()
        && !starter
        && meta
            .approved_by
            .as_deref()
            .is_none_or(|a| a.trim().is_empty())
    {
        out.problems.push(Finding::warning(
            "statutory-approval",
            at("statutory"),
            "this statutory page does not say who approved it",
            "add approved_by = \"Full governing board\" (or whoever approved this version)",
        ));
    }

    if !items.is_empty() && starter {
        out.problems.push(Finding::warning(
            "statutory-starter",
            at("statutory"),
            "this statutory page still has the starter text schoolsite wrote for it",
            "write the school's own text (the page says what it must contain), remove the starter line, and set last_reviewed and approved_by",
        ));
    }

    // The due date of each item: the page's own, or its usual cycle.
    let dates_ok = next_review.is_some() || meta.next_review.is_none();
    let due = |item: &Item| -> Option<NaiveDate> {
        if !dates_ok {
            return None;
        }
        if next_review.is_some() {
            return next_review;
        }
        let last = last_reviewed?;
        match (every, item.cadence) {
            (Some(months), _) => last.checked_add_months(Months::new(months)),
            (None, Cadence::OnInspection) => due_after_inspection(last, inspected?),
            (None, cadence) => cadence.due(last),
        }
    };
    // An inspection item with no inspection since its last update has
    // no due date, and is in date.
    let by_inspection = |item: &Item| {
        dates_ok
            && last_reviewed.is_some()
            && next_review.is_none()
            && every.is_none()
            && item.cadence == Cadence::OnInspection
    };
    let due_line = doc.key_line(match (&meta.next_review, &meta.review_every) {
        (Some(_), _) => "next_review",
        (None, Some(_)) => "review_every",
        _ => "last_reviewed",
    });
    let approved_by = meta
        .approved_by
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_string);
    out.versions.insert(
        doc.source.clone(),
        Version {
            items: items.iter().map(|i| i.title.clone()).collect(),
            last_reviewed,
            next_review: items.iter().filter_map(|i| due(i)).min(),
            approved_by: approved_by.clone(),
        },
    );
    for item in items {
        let claim = Claim {
            file: file.clone(),
            url: page.path.clone(),
            line: doc.key_line("statutory"),
            last_reviewed,
            next_review: if last_reviewed.is_some() {
                due(item)
            } else {
                None
            },
            open_ended: by_inspection(item) && due(item).is_none(),
            after_inspection: by_inspection(item) && due(item).is_some(),
            due_line,
            approved_by: approved_by.clone(),
        };
        if let Some(first) = out.by_item.get(&item.key) {
            out.problems.push(Finding::error(
                RULE,
                at("statutory"),
                format!(
                    "{} also says it publishes {:?}, so the statutory index would not know which page to list",
                    first.file, item.key
                ),
                "keep statutory = … on one page only; link to it from the other",
            ));
            continue;
        }
        if !item.must_link.is_empty()
            && !page
                .doc
                .scan
                .links
                .iter()
                .any(|l| item.must_link.iter().any(|m| l.url.starts_with(m.as_str())))
        {
            out.problems.push(Finding::error(
                "statutory-link",
                at("statutory"),
                format!(
                    "the {} page must link to {}",
                    item.in_sentence(),
                    item.must_link[0]
                ),
                format!(
                    "add a link to the school's own page on that service, e.g. [Our page on this service]({}school/123456) with the school's URN",
                    item.must_link[0]
                ),
            ));
        }
        out.by_item.insert(item.key.clone(), claim);
    }
}

/// The date of the school's last inspection from `[statutory]
/// inspected`, if it is given and is a date that has happened.
pub(super) fn inspected(
    config: &Config,
    settings: &Statutory,
    today: NaiveDate,
    problems: &mut Vec<Finding>,
) -> Option<NaiveDate> {
    let value = settings.inspected.as_ref()?;
    let at = Location::line(CONFIG_FILE, config.key_line("statutory", "inspected"));
    match parse_date(&toml::Value::Datetime(*value)) {
        Ok(date) if date <= today => Some(date),
        Ok(date) => {
            problems.push(Finding::error(
                RULE,
                at,
                format!("[statutory] inspected = {date} is in the future"),
                "give the date of the school's most recent Ofsted inspection, which has already happened",
            ));
            None
        }
        Err(message) => {
            problems.push(Finding::error(
                RULE,
                at,
                format!("[statutory] inspected: {message}"),
                "write the date of the most recent inspection without quotes: inspected = 2025-03-12",
            ));
            None
        }
    }
}

/// `"1 year"`, `"2 years"`, `"6 months"`, `"annually"` → months.
fn parse_interval(text: &str) -> Option<u32> {
    let t = text.trim().to_lowercase();
    match t.as_str() {
        "annually" | "yearly" | "every year" => return Some(12),
        _ => {}
    }
    let (n, unit) = t.split_once(char::is_whitespace)?;
    let n: u32 = n.trim().parse().ok().filter(|&n| n > 0)?;
    let months = match unit.trim() {
        "year" | "years" => n.checked_mul(12)?,
        "month" | "months" => n,
        _ => return None,
    };
    (months <= 120).then_some(months)
}

/// What config.toml says does not apply, or is published elsewhere.
pub(super) struct ConfigChoices {
    pub not_applicable: BTreeMap<String, String>,
    pub external: BTreeMap<String, String>,
    pub problems: Vec<Finding>,
}

pub(super) fn config_choices(
    config: &Config,
    settings: &Statutory,
    list: &Checklist,
    claimed: &BTreeMap<String, Claim>,
) -> ConfigChoices {
    let mut out = ConfigChoices {
        not_applicable: BTreeMap::new(),
        external: BTreeMap::new(),
        problems: Vec::new(),
    };
    let known = |table: &str, key: &str, problems: &mut Vec<Finding>| -> bool {
        if list.item(key).is_some() {
            return true;
        }
        let hint = match list.suggest(key) {
            Some(k) => format!("did you mean {k}? "),
            None => String::new(),
        };
        problems.push(Finding::error(
            RULE,
            Location::line(CONFIG_FILE, config.key_line(table, key)),
            format!("[{table}] names {key:?}, which is not an item of the statutory checklist"),
            format!("{hint}`schoolsite statutory --all` lists every item and its key"),
        ));
        false
    };
    for (key, reason) in &settings.not_applicable {
        const TABLE: &str = "statutory.not_applicable";
        if !known(TABLE, key, &mut out.problems) {
            continue;
        }
        let at = Location::line(CONFIG_FILE, config.key_line(TABLE, key));
        if reason.trim().is_empty() {
            out.problems.push(Finding::error(
                RULE,
                at,
                format!("{key} is marked not applicable without a reason"),
                format!(
                    "say why, for parents and inspectors: {key} = \"We are a primary school.\""
                ),
            ));
            continue;
        }
        if let Some(claim) = claimed.get(key) {
            out.problems.push(Finding::error(
                RULE,
                at,
                format!(
                    "{key} is marked not applicable, but {} publishes it",
                    claim.file
                ),
                format!(
                    "remove {key} from [{TABLE}], or remove statutory = \"{key}\" from the page"
                ),
            ));
            continue;
        }
        out.not_applicable
            .insert(key.clone(), reason.trim().to_string());
    }
    for (key, url) in &settings.external {
        const TABLE: &str = "statutory.external";
        if !known(TABLE, key, &mut out.problems) {
            continue;
        }
        let at = Location::line(CONFIG_FILE, config.key_line(TABLE, key));
        if !is_web_address(url) {
            out.problems.push(Finding::error(
                "statutory-link",
                at,
                format!("{key} is published elsewhere, but {url:?} is not a web address"),
                format!(
                    "give the full address of the document: {key} = \"https://…\" (or write a page for it and remove this line)"
                ),
            ));
            continue;
        }
        if out.not_applicable.contains_key(key) || settings.not_applicable.contains_key(key) {
            out.problems.push(Finding::error(
                RULE,
                at,
                format!("{key} is both not applicable and published elsewhere"),
                "keep one of the two lines",
            ));
            continue;
        }
        if let Some(claim) = claimed.get(key) {
            out.problems.push(Finding::error(
                RULE,
                at,
                format!("{key} is published elsewhere, but {} publishes it too", claim.file),
                format!(
                    "remove {key} from [{TABLE}] (the page can link to the document), or remove statutory = \"{key}\" from the page"
                ),
            ));
            continue;
        }
        out.external.insert(key.clone(), url.trim().to_string());
    }
    out
}

fn is_web_address(url: &str) -> bool {
    let url = url.trim();
    url.strip_prefix("https://").is_some_and(|rest| {
        rest.split('/')
            .next()
            .is_some_and(|host| host.contains('.'))
    }) && !url.contains(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals() {
        assert_eq!(parse_interval("1 year"), Some(12));
        assert_eq!(parse_interval("3 Years"), Some(36));
        assert_eq!(parse_interval("6 months"), Some(6));
        assert_eq!(parse_interval("annually"), Some(12));
        assert_eq!(parse_interval("0 years"), None);
        assert_eq!(parse_interval("soon"), None);
        assert_eq!(parse_interval("99 years"), None);
    }

    #[test]
    fn web_addresses() {
        assert!(is_web_address(
            "https://www.westshire.example.gov.uk/admissions"
        ));
        assert!(!is_web_address("http://insecure.example.com/"));
        assert!(!is_web_address("www.example.com"));
        assert!(!is_web_address("https://"));
        assert!(!is_web_address(""));
    }
}
