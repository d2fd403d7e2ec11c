//! The statutory information every school must publish: each required
//! item has a page (or is published elsewhere, or does not apply), and
//! each page is in date.

use super::Input;
use crate::config::CONFIG_FILE;
use crate::content::CONTENT_DIR;
use crate::report::{self, Finding, Location};
use crate::statutory::{Assessment, ItemStatus, State};
use chrono::NaiveDate;

pub fn check(input: &Input) -> Vec<Finding> {
    findings(input.statutory, input.today)
}

/// The findings on a statutory assessment made on `today`: mistakes in
/// the declarations, then each required item that is missing, overdue,
/// due soon or only a starter page.
pub fn findings(a: &Assessment, today: NaiveDate) -> Vec<Finding> {
    let mut out = a.problems.clone();
    let Some(profile) = a.profile else {
        out.push(Finding::error(
            "statutory-profile",
            Location::file(CONFIG_FILE),
            "config.toml does not say which list of statutory information the school must publish",
            "add a [statutory] table with profile = \"maintained\" (a local-authority school) or \"academy\" (an academy or free school); use \"none\" only for a school outside England's rules",
        ));
        return out;
    };
    for status in a.items.iter().filter(|s| s.required) {
        let item = status.item;
        match status.state {
            State::Missing => out.push(Finding::error(
                "statutory-missing",
                Location::file(CONTENT_DIR),
                format!(
                    "no page publishes the {} ({}), which every {} school must publish: {}",
                    item.in_sentence(),
                    item.key,
                    profile.as_str(),
                    item.contains
                ),
                format!(
                    "write a page with statutory = \"{}\" and last_reviewed in its front matter; if it is published elsewhere, add {0} = \"https://…\" under [statutory.external] in config.toml; if it does not apply to this school, add {0} = \"why\" under [statutory.not_applicable]",
                    item.key
                ),
            )),
            State::Overdue => {
                if let Some((page, due)) = dated(status) {
                    out.push(Finding::error(
                        "statutory-overdue",
                        Location::line(page.file.clone(), page.due_line),
                        format!(
                            "the {} was due for review on {due} ({})",
                            item.in_sentence(),
                            report::countdown((due - today).num_days())
                        ),
                        "review the page with whoever approves it, then set last_reviewed to the review's date and next_review to the next one",
                    ));
                }
            }
            State::DueSoon => {
                if let Some((page, due)) = dated(status) {
                    out.push(Finding::warning(
                        "statutory-due-soon",
                        Location::line(page.file.clone(), page.due_line),
                        format!(
                            "the {} is due for review on {due} ({})",
                            item.in_sentence(),
                            report::countdown((due - today).num_days())
                        ),
                        "arrange the review now; after that date the site cannot be published until the page is updated",
                    ));
                }
            }
            State::Generated => out.push(Finding::warning(
                "statutory-generated",
                Location::file(CONTENT_DIR),
                format!(
                    "the school has not written its {}, so schoolsite published a starter page made from config.toml at {}",
                    item.in_sentence(),
                    status.generated_url.as_deref().unwrap_or("")
                ),
                format!(
                    "read the starter page, then write the school's own with statutory = \"{}\" in its front matter",
                    item.key
                ),
            )),
            // Undated pages already have a finding on the date that
            // cannot be read.
            State::Undated
            | State::Current
            | State::External
            | State::NotApplicable => {}
        }
    }
    out
}

fn dated(status: &ItemStatus) -> Option<(&crate::statutory::Claim, chrono::NaiveDate)> {
    let page = status.page.as_ref()?;
    Some((page, page.next_review?))
}
