//! The statutory information every school must publish: each required
//! item has a page (or is published elsewhere, or does not apply), and
//! each page is in date.

use super::Input;
use crate::config::CONFIG_FILE;
use crate::content::CONTENT_DIR;
use crate::finding::Severity;
use crate::report::{self, Finding, Location};
use crate::statutory::{Assessment, Force, ItemStatus, State};
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
        let should = status.force == Some(Force::Should);
        // A "should" item never blocks: the same finding, as a warning.
        let soften = |f: Finding| -> Finding {
            if should {
                Finding {
                    severity: Severity::Warning,
                    ..f
                }
            } else {
                f
            }
        };
        match status.state {
            State::Missing if should => out.push(Finding::warning(
                "statutory-should",
                Location::file(CONTENT_DIR),
                format!(
                    "no page publishes the {} ({}), which the guidance says every {} school should publish: {} It should contain: {}",
                    item.in_sentence(),
                    item.key,
                    profile.as_str(),
                    item.should.as_deref().unwrap_or(""),
                    item.contains
                ),
                format!(
                    "write a page with statutory = \"{}\" and last_reviewed in its front matter; if it is published elsewhere, add {0} = \"https://…\" under [statutory.external]; if the school has decided not to publish it, add {0} = \"the school's reason\" under [statutory.not_applicable], which the statutory index shows to parents",
                    item.key
                ),
            )),
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
                    out.push(soften(Finding::error(
                        "statutory-overdue",
                        Location::line(page.file.clone(), page.due_line),
                        format!(
                            "the {} was due {} on {due} ({})",
                            item.in_sentence(),
                            due_for(status),
                            report::countdown((due - today).num_days())
                        ),
                        "review the page with whoever approves it, then set last_reviewed to the review's date and next_review to the next one",
                    )));
                }
            }
            State::DueSoon => {
                if let Some((page, due)) = dated(status) {
                    out.push(Finding::warning(
                        "statutory-due-soon",
                        Location::line(page.file.clone(), page.due_line),
                        format!(
                            "the {} is due {} on {due} ({})",
                            item.in_sentence(),
                            due_for(status),
                            report::countdown((due - today).num_days())
                        ),
                        if should {
                            "arrange the review now; after that date every build warns until the page is updated"
                        } else {
                            "arrange the review now; after that date the site cannot be published until the page is updated"
                        },
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

/// What the due date is for: a review, or the update after an
/// inspection.
fn due_for(status: &ItemStatus) -> &'static str {
    if status.page.as_ref().is_some_and(|p| p.after_inspection) {
        "for an update after the school's inspection"
    } else {
        "for review"
    }
}

fn dated(status: &ItemStatus) -> Option<(&crate::statutory::Claim, chrono::NaiveDate)> {
    let page = status.page.as_ref()?;
    Some((page, page.next_review?))
}
