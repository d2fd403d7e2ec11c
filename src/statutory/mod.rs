//! The statutory information a school must publish online: the built-in
//! checklist, which page publishes each item, and whether each is in
//! date.
//!
//! [`assess`] reads the loaded site and the config, never the disk; it
//! reports what it finds (including mistakes in the declarations) and
//! the rules turn that into findings. The renderer uses the same
//! assessment for the generated index page, the version box on each
//! policy page, and the starter pages generated for items a school has
//! not written.

mod checklist;
mod claims;
mod generated;

pub use checklist::{AFTER_INSPECTION_DAYS, Cadence, Checklist, Force, Item, Reference, Source};
pub use generated::{GeneratedPage, STARTER_MARKER, starter_page};

use crate::config::{Config, Profile};
use crate::content::Site;
use crate::report::Finding;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// Where the generated index of statutory information is published.
pub const INDEX_PATH: &str = "/statutory-information/";

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// Published on a page, and in date.
    Current,
    /// Published, but its review falls due within the warning window.
    DueSoon,
    /// Published, but its review date has passed.
    Overdue,
    /// Published on a page whose dates cannot be read.
    Undated,
    /// Published elsewhere, linked from the index.
    External,
    /// Not written by the school: a starter page made from config.toml.
    Generated,
    /// Does not apply to this school, for the reason given.
    NotApplicable,
    /// Required, and nothing publishes it.
    Missing,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Current => "current",
            State::DueSoon => "due-soon",
            State::Overdue => "overdue",
            State::Undated => "undated",
            State::External => "external",
            State::Generated => "generated",
            State::NotApplicable => "not-applicable",
            State::Missing => "missing",
        }
    }

    /// Whether the item stops the site from being published.
    pub fn blocks(self) -> bool {
        matches!(self, State::Overdue | State::Undated | State::Missing)
    }
}

/// A page that says it publishes an item.
#[derive(Debug, Clone, Serialize)]
pub struct Claim {
    /// The page's file, relative to the site root.
    pub file: String,
    /// Its address on the site (`/policies/behaviour/`).
    pub url: String,
    /// The line of its `statutory = …` key.
    pub line: usize,
    pub last_reviewed: Option<NaiveDate>,
    /// The date the next review is due: `next_review`, or worked out
    /// from `review_every` or the item's usual cycle.
    pub next_review: Option<NaiveDate>,
    /// The line the due date comes from.
    #[serde(skip)]
    pub due_line: usize,
    /// Its cadence gives it no due date yet (an Ofsted report page
    /// updated since the last inspection), so it is in date without one.
    #[serde(skip)]
    pub open_ended: bool,
    /// The due date is the update the last inspection calls for.
    #[serde(skip)]
    pub after_inspection: bool,
    pub approved_by: Option<String>,
}

/// One item of the checklist and where it stands.
#[derive(Debug, Clone, Serialize)]
pub struct ItemStatus {
    pub item: &'static Item,
    /// Whether the school's profile lists it, as a must or a should (an
    /// academy item a maintained school publishes anyway, or an optional
    /// item, is listed, not required).
    pub required: bool,
    /// How strongly the profile asks for it; `None` when not required.
    pub force: Option<Force>,
    pub state: State,
    pub page: Option<Claim>,
    /// The generated page's address, for [`State::Generated`].
    pub generated_url: Option<String>,
    /// The document's address, for [`State::External`].
    pub link: Option<String>,
    /// Why it does not apply, for [`State::NotApplicable`].
    pub reason: Option<String>,
}

impl ItemStatus {
    /// Whether this item stops the site from being published: a "must"
    /// item that is missing, overdue or undated.
    pub fn blocks(&self) -> bool {
        self.force == Some(Force::Must) && self.state.blocks()
    }

    /// A "should" item in a state that would block a "must" one.
    pub fn falls_short(&self) -> bool {
        self.force == Some(Force::Should) && self.state.blocks()
    }
}

/// The review details a policy page shows in its version box.
#[derive(Debug, Clone, Serialize)]
pub struct Version {
    /// The titles of the items the page publishes.
    pub items: Vec<String>,
    pub last_reviewed: Option<NaiveDate>,
    pub next_review: Option<NaiveDate>,
    pub approved_by: Option<String>,
}

/// The checklist applied to a site on a date.
#[derive(Debug, Clone, Default)]
pub struct Assessment {
    /// `None` when config.toml has no `[statutory]` table.
    pub profile: Option<Profile>,
    pub today: Option<NaiveDate>,
    pub warn_days: u32,
    /// Required items in the checklist's order, then any others pages
    /// declare.
    pub items: Vec<ItemStatus>,
    /// Mistakes in declarations and config, as findings.
    pub problems: Vec<Finding>,
    /// Starter pages for items the school has not written.
    pub generated: Vec<GeneratedPage>,
    /// The version box of each page that gives review dates, by source
    /// (relative to `content/`).
    pub versions: BTreeMap<String, Version>,
}

impl Assessment {
    /// Where the site's accessibility statement is (a site path or, if
    /// published elsewhere, an address), for every page's footer.
    pub fn accessibility_url(&self) -> Option<&str> {
        let status = self
            .items
            .iter()
            .find(|s| s.item.key == "accessibility-statement")?;
        status
            .page
            .as_ref()
            .map(|c| c.url.as_str())
            .or(status.generated_url.as_deref())
            .or(status.link.as_deref())
    }

    /// Whether the site publishes a statutory information index.
    pub fn has_index(&self) -> bool {
        matches!(self.profile, Some(Profile::Maintained | Profile::Academy))
    }

    /// The item due soonest that is not yet overdue.
    pub fn next_due(&self) -> Option<&ItemStatus> {
        self.items
            .iter()
            .filter(|s| matches!(s.state, State::Current | State::DueSoon))
            .filter(|s| s.page.as_ref().and_then(|p| p.next_review).is_some())
            .min_by_key(|s| s.page.as_ref().and_then(|p| p.next_review))
    }

    /// Whether any item stops the site from being published.
    pub fn blocked(&self) -> bool {
        self.profile.is_none() || self.items.iter().any(ItemStatus::blocks)
    }
}

/// Applies the config's profile to the site's pages on `today`.
pub fn assess(site: &Site, config: &Config, today: NaiveDate) -> Assessment {
    let list = Checklist::builtin();
    let mut problems = Vec::new();
    let inspected = config
        .statutory
        .as_ref()
        .and_then(|s| claims::inspected(config, s, today, &mut problems));
    let claims = claims::read(site, list, today, inspected);
    problems.extend(claims.problems);
    let mut assessment = Assessment {
        today: Some(today),
        problems,
        versions: claims.versions,
        ..Assessment::default()
    };
    let Some(settings) = &config.statutory else {
        return assessment;
    };
    assessment.profile = Some(settings.profile);
    assessment.warn_days = settings.warn_days;
    if settings.profile == Profile::None {
        return assessment;
    }
    let config_choices = claims::config_choices(config, settings, list, &claims.by_item);
    assessment.problems.extend(config_choices.problems);

    let mut by_item = claims.by_item;
    let required = list.required(settings.profile);
    let extra: Vec<&Item> = list
        .items
        .iter()
        .filter(|i| !i.required_by(settings.profile) && by_item.contains_key(&i.key))
        .collect();
    for item in required.chain(extra) {
        let page = by_item.remove(&item.key);
        let mut status = ItemStatus {
            item,
            required: item.required_by(settings.profile),
            force: item.force(settings.profile),
            state: State::Missing,
            page: None,
            generated_url: None,
            link: None,
            reason: None,
        };
        if let Some(reason) = config_choices.not_applicable.get(&item.key) {
            status.state = State::NotApplicable;
            status.reason = Some(reason.clone());
        } else if let Some(link) = config_choices.external.get(&item.key) {
            status.state = State::External;
            status.link = Some(link.clone());
        } else if let Some(claim) = page {
            status.state = match claim.next_review {
                None if claim.open_ended => State::Current,
                None => State::Undated,
                Some(due) if due < today => State::Overdue,
                Some(due) if (due - today).num_days() <= i64::from(settings.warn_days) => {
                    State::DueSoon
                }
                Some(_) => State::Current,
            };
            status.page = Some(claim);
        } else if let Some(reason) = too_small(item, settings.employees) {
            status.state = State::NotApplicable;
            status.reason = Some(reason);
        } else if item.generated {
            let page = generated::page(item, config, today);
            status.state = State::Generated;
            status.generated_url = Some(page.path.clone());
            assessment.generated.push(page);
        }
        assessment.items.push(status);
    }
    assessment
}

/// Why an item for larger employers does not apply, when the school's
/// employer is smaller.
fn too_small(item: &Item, employees: Option<u32>) -> Option<String> {
    let (min, employees) = (item.min_employees?, employees?);
    (employees < min).then(|| {
        format!(
            "Our employer has {employees} employees; the {} is required from {min}.",
            item.in_sentence()
        )
    })
}
