//! Publishing: the manifest a build writes, approval keys, signed
//! approvals, the preview an approver reads, the hash-chained audit log,
//! and the atomic copy of an approved build to where it is served.
//!
//! `publish` refuses unless `public/` is exactly what was built, a
//! listed approver signed that build, the build had no errors, and every
//! photo in it may still be published today, and none of it was taken
//! down (`schoolsite takedown`) since.
//!
//! It trusts nothing it did not sign: "today" is the computer's date
//! (never earlier: a later date may be asked about, and today is checked
//! as well), the audit log must still hold every point an approval
//! signed or the folder's marker recorded, and the folder it replaces
//! must be one this site's log shows it published.

pub mod approval;
pub mod audit;
pub mod keys;
pub mod manifest;
pub mod preview;
pub mod sync;
pub mod takedown;

use crate::config::Config;
use crate::consent::{self, Policy, Register};
use approval::Approval;
use chrono::NaiveDate;
use manifest::Manifest;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(
        "there is no {} yet: run `schoolsite build` first",
        manifest::MANIFEST_FILE
    )]
    NoManifest,
    #[error("{file} cannot be trusted: {0}; run `schoolsite build` again", file = manifest::MANIFEST_FILE)]
    BadManifest(String),
    #[error("could not use {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Key(String),
    #[error("cannot publish there: {0}")]
    Destination(String),
    #[error("public/ is not what was built:\n  {}", .0.join("\n  "))]
    Tampered(Vec<String>),
    #[error(
        "the audit log {path} has been tampered with or damaged at line {line}: {why}. Restore it from the site's repository; nothing can be published until the chain is whole"
    )]
    AuditBroken {
        path: PathBuf,
        line: usize,
        why: String,
    },
    #[error("nothing was published:\n  {}", .0.join("\n  "))]
    Refused(Vec<String>),
    #[error("nothing was taken down:\n  {}", .0.join("\n  "))]
    TakedownRefused(Vec<String>),
    #[error("the takedown was not lifted: {0}")]
    LiftRefused(String),
}

/// What a publish did.
#[derive(Debug)]
pub struct Published {
    pub manifest: Manifest,
    pub approver: String,
    pub to: PathBuf,
    pub entry: audit::Entry,
    /// Files of the copy it replaced that had been changed on the server
    /// since the last publish (this publish put them right).
    pub tampered: Vec<String>,
}

/// The valid approval of `manifest` by a listed approver, or every
/// reason there is none.
pub fn find_approval(
    root: &Path,
    config: &Config,
    manifest: &Manifest,
) -> Result<(PathBuf, Approval), Vec<String>> {
    let mut problems = Vec::new();
    let mut other_builds = 0;
    for (path, parsed) in approval::load_all(root) {
        let shown = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .display()
            .to_string();
        let approval = match parsed {
            Ok(a) => a,
            Err(why) => {
                problems.push(format!("{shown} {why}"));
                continue;
            }
        };
        if approval.manifest_digest != manifest.digest {
            // Check it anyway: a forged approval is worth reporting.
            if let Err(why) = approval.verify(&config.approvers) {
                problems.push(format!("{shown}: {why}"));
            }
            other_builds += 1;
            continue;
        }
        match approval.verify(&config.approvers) {
            Ok(_) if approval.audit.is_none() => problems.push(format!(
                "{shown} was made by an earlier version of schoolsite and does not sign the audit log, so this version does not publish from it; ask an approver to approve this build again with `schoolsite approve --key THEIR-KEY-FILE`"
            )),
            Ok(_) => return Ok((path, approval)),
            Err(why) => problems.push(format!("{shown}: {why}")),
        }
    }
    let mut reasons = vec![format!(
        "no approver has approved this build (manifest {}){}: run `schoolsite preview` and ask an approver to run `schoolsite approve --key THEIR-KEY-FILE`",
        manifest.short_digest(),
        match other_builds {
            0 => String::new(),
            1 => "; the approval in approvals/ is for a different build".to_string(),
            n => format!("; the {n} approvals in approvals/ are for different builds"),
        }
    )];
    if config.approvers.is_empty() {
        reasons.push(
            "config.toml lists no [[approvers]]: the headteacher makes a key with `schoolsite keygen`"
                .to_string(),
        );
    }
    reasons.extend(problems);
    Err(reasons)
}

/// Every photo in the manifest that may not be published on `today`
/// under the current register: one line per person and photo. `real` is
/// the real date: a later `today` is said to be the date asked about.
pub fn consent_problems(
    register: &Register,
    policy: &Policy,
    manifest: &Manifest,
    today: NaiveDate,
    real: NaiveDate,
) -> Vec<String> {
    let when = if today > real {
        format!("checked against today's register as on {today}, the date given with --today")
    } else {
        format!("checked against today's register, {today}")
    };
    let mut out = Vec::new();
    if !manifest.photos.is_empty() && !register.is_usable() {
        out.push(
            "the consent register cannot be read today, so no photo can be checked".to_string(),
        );
        return out;
    }
    // Every copy of the same photo (sharing a published file: the same
    // bytes, treated the same) is checked against everyone declared in
    // any copy, at the strictest use any copy needs.
    let mut by_file: std::collections::HashMap<&str, Vec<usize>> = Default::default();
    for (i, photo) in manifest.photos.iter().enumerate() {
        for file in &photo.published {
            by_file.entry(file.as_str()).or_default().push(i);
        }
    }
    for photo in &manifest.photos {
        let mut indices: Vec<usize> = photo
            .published
            .iter()
            .filter_map(|f| by_file.get(f.as_str()))
            .flatten()
            .copied()
            .collect();
        indices.sort_unstable();
        indices.dedup();
        let copies: Vec<_> = indices.iter().map(|&i| &manifest.photos[i]).collect();
        let uses: Vec<&str> = copies
            .iter()
            .filter_map(|c| c.consent_use.as_deref())
            .collect();
        let Some(use_) = uses
            .iter()
            .find(|u| **u == "website_individual")
            .or(uses.first())
        else {
            continue;
        };
        let mut people: Vec<&String> = Vec::new();
        for id in copies.iter().flat_map(|c| &c.people) {
            if !people.iter().any(|p| consent::same_id(p, id)) {
                people.push(id);
            }
        }
        for id in people {
            let a = consent::assess(register, id, use_, today, policy);
            let who = match a.person {
                Some(p) => p.label(),
                None => id.clone(),
            };
            for block in &a.blocks {
                out.push(format!(
                    "the photo {}: {who} {block} ({when})",
                    photo.source
                ));
            }
        }
    }
    out
}

/// The real date: the computer's, where it is. The only "today" a
/// publish may use, or a later one.
pub fn real_date(now: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    now.with_timezone(&chrono::Local).date_naive()
}

/// How far the computer's clock may be behind the latest audit entry
/// (written by another computer) before it is not trusted.
const CLOCK_SLACK_MINUTES: i64 = 10;

/// Why the computer's clock cannot be trusted for "today": it is behind
/// the latest entry of the audit log, so it was set back.
fn clock_behind(chain: &audit::Chain, now: chrono::DateTime<chrono::Utc>) -> Option<String> {
    let (seq, latest) = chain
        .log
        .iter()
        .filter_map(|l| {
            let t = chrono::DateTime::parse_from_rfc3339(&l.entry.time).ok()?;
            Some((l.entry.seq, t.with_timezone(&chrono::Utc)))
        })
        .max_by_key(|(_, t)| *t)?;
    if latest <= now + chrono::TimeDelta::minutes(CLOCK_SLACK_MINUTES) {
        return None;
    }
    Some(format!(
        "this computer's clock says {}, but entry {seq} of {} was written at {}: the clock is behind, so today's date cannot be trusted; set the computer's clock right (or let it set itself from the network) and publish again",
        now.format("%Y-%m-%d %H:%M UTC"),
        audit::AUDIT_LOG,
        latest.format("%Y-%m-%d %H:%M UTC")
    ))
}

/// Publishes the built site at `root` to `dest`, if everything allows
/// it; every attempt is recorded in the audit log, with the dates used.
///
/// Consent is checked on the real date ([`real_date`]). `on`, a later
/// date, asks whether the build will still be allowed then: it is
/// checked as well as the real date, never instead of it. An earlier
/// date is refused.
pub fn publish(root: &Path, dest: &Path, on: Option<NaiveDate>) -> Result<Published, PublishError> {
    let log = root.join(audit::AUDIT_LOG);
    // A broken log stops everything: an entry cannot be chained to it.
    audit::verify(&log)?;
    let config = Config::load(root).map_err(|e| PublishError::Refused(vec![e.to_string()]))?;
    // So does a log rewritten under an approval's signature.
    let chain = audit::verify_anchored(root, &config.approvers)?.chain;
    let now = chrono::Utc::now();
    let real = real_date(now);
    let checked = on.unwrap_or(real);
    let mut entry = audit::Entry::new("refused", dest);
    entry.dates = Some(audit::Dates {
        checked: checked.to_string(),
        real: real.to_string(),
    });
    let refuse = |mut entry: audit::Entry, reasons: Vec<String>| {
        entry.reasons = reasons.clone();
        audit::append(&log, entry)?;
        Err(PublishError::Refused(reasons))
    };

    let mut reasons = Vec::new();
    if checked < real {
        reasons.push(format!(
            "--today {checked} is before today's date, {real}: publish checks consent on the real date, or on a later one to ask whether the build will still be allowed then, never on an earlier one; leave out --today, or give a date from {real} on"
        ));
    }
    reasons.extend(clock_behind(&chain, now));
    let manifest = match Manifest::load(root) {
        Ok(m) => m,
        Err(e) => {
            reasons.push(e.to_string());
            return refuse(entry, reasons);
        }
    };
    entry.manifest = Some(manifest.digest.clone());
    let target = match sync::check_destination(root, dest, &chain) {
        Ok(t) => Some(t),
        Err(e) => {
            reasons.push(e.to_string());
            None
        }
    };
    if manifest.errors > 0 {
        reasons.push(format!(
            "the build had {} errors; fix them and build again",
            manifest.errors
        ));
    }
    for d in manifest.compare(root) {
        reasons.push(format!(
            "{d}: run `schoolsite build` again, and have it approved"
        ));
    }
    let approver = match find_approval(root, &config, &manifest) {
        Ok((_, a)) => Some(format!("{} ({})", a.name, a.role)),
        Err(r) => {
            reasons.extend(r);
            None
        }
    };
    entry.approver = approver.clone();
    let register = Register::load(root);
    let policy = Policy::from(&config.consent);
    reasons.extend(consent_problems(&register, &policy, &manifest, real, real));
    if checked > real {
        reasons.extend(consent_problems(
            &register, &policy, &manifest, checked, real,
        ));
    }
    reasons.extend(takedown::problems(root, &config, &manifest));

    let (Some((target, served)), Some(approver), true) = (target, approver, reasons.is_empty())
    else {
        return refuse(entry, reasons);
    };
    // The copy being replaced should be exactly the last publish; if
    // someone changed it on the server, say so (this publish restores it).
    let tampered = sync::changed_since_published(root, &target, served.as_ref());
    entry.reasons = tampered.clone();
    entry.event = "publish".to_string();
    // The entry is fixed first, so the folder's marker can record it.
    let pending = audit::prepare(&log, entry.clone())?;
    let public = root.join(crate::emit::OUTPUT_DIR);
    if let Err(e) = sync::publish(&public, &target, &manifest, &pending.head()) {
        entry.event = "refused".to_string();
        return refuse(entry, vec![e.to_string()]);
    }
    let entry = audit::commit(&log, pending)?;
    Ok(Published {
        manifest,
        approver,
        to: target,
        entry,
        tampered,
    })
}
