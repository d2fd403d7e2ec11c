//! `keygen`, `approve`, `publish` and `audit verify`: the headteacher's
//! key, their signature on a build, and the publish that checks both.

use super::{EXIT_BLOCKED, EXIT_INPUT, parse_date};
use anyhow::Context;
use schoolsite::config::{CONFIG_FILE, Config};
use schoolsite::publish::approval::Approval;
use schoolsite::publish::keys::{self, PrivateKey};
use schoolsite::publish::manifest::Manifest;
use schoolsite::publish::{self, PublishError, audit};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct KeygenArgs {
    /// The approver's name, as approvals and the audit log show it.
    #[arg(long)]
    name: String,
    /// Their role ("Headteacher", "Chair of governors").
    #[arg(long, default_value = "Headteacher")]
    role: String,
    /// Where to write the private key (never inside the site's folder).
    /// By default ~/.config/schoolsite/keys/NAME.key.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// The site whose config.toml lists the approver.
    #[arg(long, default_value = ".", value_name = "DIR")]
    root: PathBuf,
}

/// Where approvers' private keys are kept by default: `keygen` writes
/// there, and the studio offers the keys it finds there. In the home
/// folder: `HOME`, or on Windows, where it is seldom set, `USERPROFILE`.
pub(super) fn keys_folder() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .filter(|home| !home.is_empty())
        .map(|home| PathBuf::from(home).join(".config/schoolsite/keys"))
}

pub fn keygen(args: &KeygenArgs) -> anyhow::Result<u8> {
    let out = match &args.out {
        Some(p) => p.clone(),
        None => keys_folder()
            .context("there is no HOME folder to keep the key in; give --out FILE")?
            .join(format!("{}.key", slug::slugify(&args.name))),
    };
    let key = PrivateKey::generate(args.name.trim(), args.role.trim())?;
    key.write(&out, &args.root)?;
    println!(
        "Private key written to {} (only you can read it).",
        out.display()
    );
    println!("Keep it safe: anyone with this file can approve the website.");
    let entry = format!(
        "\n[[approvers]]\nname = {:?}\nrole = {:?}\npublic_key = \"{}\"\n",
        key.name,
        key.role,
        key.public_key()
    );
    let config = args.root.join(CONFIG_FILE);
    if config.is_file() {
        let mut text = std::fs::read_to_string(&config)
            .with_context(|| format!("could not read {}", config.display()))?;
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&entry);
        std::fs::write(&config, text)
            .with_context(|| format!("could not write {}", config.display()))?;
        println!(
            "Added {} ({}) to the approvers in {}; commit that change.",
            key.name,
            key.role,
            config.display()
        );
    } else {
        println!("Add this to the site's config.toml:{entry}");
    }
    Ok(0)
}

#[derive(clap::Args)]
pub struct ApproveArgs {
    /// Your private key file (made with `schoolsite keygen`).
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// The site's folder.
    #[arg(long, default_value = ".", value_name = "DIR")]
    root: PathBuf,
}

pub fn approve(args: &ApproveArgs) -> anyhow::Result<u8> {
    match sign(&args.root, &args.key, None)? {
        Err(refusals) => {
            eprintln!("Nothing was approved:");
            for r in &refusals {
                eprintln!("  {r}");
            }
            Ok(EXIT_BLOCKED)
        }
        Ok(approved) => {
            println!("{}", approved.summary);
            println!(
                "The approval is in {}: commit it with the site. `schoolsite publish --to DIR` can now publish exactly this build.",
                approved.file
            );
            Ok(0)
        }
    }
}

/// An approval written.
pub(super) struct Approved {
    /// "Approved build … (… files, … photos, … warnings) as … (…)."
    pub summary: String,
    /// Where it was written, relative to the site's folder.
    pub file: String,
}

/// Signs the last build of the site at `root` with the key in `key_file`,
/// or says every reason it may not be (the command line's refusals, and
/// the studio's). Errors are files that could not be read or written.
/// Signs the last build with `key_file`; with `read`, only if the last
/// build is still the one (by its manifest's digest) the approver read.
pub(super) fn sign(
    root: &Path,
    key_file: &Path,
    read: Option<&str>,
) -> anyhow::Result<Result<Approved, Vec<String>>> {
    let config = Config::load(root)?;
    let manifest = Manifest::load(root)?;
    let key = PrivateKey::load(key_file, root)?;
    let mut refusals = Vec::new();
    if read.is_some_and(|read| read != manifest.digest) {
        refusals.push(format!(
            "the site was built again (build {}) after the preview you read was opened: read the new preview, then approve that build",
            manifest.short_digest()
        ));
    }
    let listed = keys::parse_public(&key.public_key());
    if !config
        .approvers
        .iter()
        .any(|a| keys::parse_public(&a.public_key) == listed)
    {
        refusals.push(format!(
            "the key in {} ({}, {}) is not one of the approvers in config.toml; an approver must be added with `schoolsite keygen` and the change committed",
            key_file.display(),
            key.name,
            key.role
        ));
    }
    if manifest.errors > 0 {
        refusals.push(format!("the build had {} errors", manifest.errors));
    }
    for d in manifest.compare(root) {
        refusals.push(format!(
            "{d}: build again, then preview and approve that build"
        ));
    }
    // A build that would put back what was taken down is never signed.
    refusals.extend(publish::takedown::problems(root, &config, &manifest));
    // The approval signs the audit log's head, so the log must be whole
    // (and match every earlier approval) to be signed.
    let head = match audit::verify_anchored(root, &config.approvers) {
        Ok(a) => Some(a.chain.head()),
        Err(e @ PublishError::AuditBroken { .. }) => {
            refusals.push(e.to_string());
            None
        }
        Err(e) => return Err(e.into()),
    };
    let Some(head) = head.filter(|_| refusals.is_empty()) else {
        return Ok(Err(refusals));
    };
    let approval = Approval::sign(&manifest, &key, chrono::Utc::now(), head);
    let path = approval.write(root)?;
    Ok(Ok(Approved {
        summary: format!(
            "Approved build {} ({} files, {} photos, {} warnings) as {} ({}).",
            manifest.short_digest(),
            manifest.files.len(),
            manifest.photos.len(),
            manifest.warnings.len(),
            key.name,
            key.role
        ),
        file: path
            .strip_prefix(root)
            .unwrap_or(&path)
            .display()
            .to_string(),
    }))
}

#[derive(clap::Args)]
pub struct PublishArgs {
    /// The folder the web server serves (outside the site's folder).
    #[arg(long, value_name = "DIR")]
    to: PathBuf,
    /// The site's folder.
    #[arg(long, default_value = ".", value_name = "DIR")]
    root: PathBuf,
    /// Check consent on DATE as well as today, to ask whether the build
    /// will still be allowed then. Never earlier than today: publishing
    /// always checks the real date.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    today: Option<chrono::NaiveDate>,
}

pub fn publish(args: &PublishArgs) -> anyhow::Result<u8> {
    match publish::publish(&args.root, &args.to, args.today) {
        Ok(p) => {
            println!(
                "Published build {} ({} files), approved by {}, to {}.",
                p.manifest.short_digest(),
                p.manifest.files.len(),
                p.approver,
                p.to.display()
            );
            if !p.tampered.is_empty() {
                println!(
                    "warning: the site on the server had been changed outside schoolsite since the last publish; this publish replaced it:"
                );
                for t in &p.tampered {
                    println!("  {t}");
                }
            }
            let dates = match &p.entry.dates {
                Some(d) if d.checked != d.real => {
                    format!(" (consent checked on {} and on {})", d.real, d.checked)
                }
                Some(d) => format!(" (consent checked on {})", d.real),
                None => String::new(),
            };
            println!(
                "Recorded as entry {} of {}{dates}.",
                p.entry.seq,
                audit::AUDIT_LOG
            );
            Ok(0)
        }
        Err(e @ (PublishError::Refused(_) | PublishError::AuditBroken { .. })) => {
            eprintln!("{e}");
            if matches!(e, PublishError::Refused(_)) {
                eprintln!("(recorded in {})", audit::AUDIT_LOG);
            }
            Ok(EXIT_BLOCKED)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(EXIT_INPUT)
        }
    }
}

#[derive(clap::Subcommand)]
pub enum AuditCommand {
    /// Check that no entry of the audit log was changed, removed or
    /// reordered, up to the last point an approval signed (and, with
    /// --to, the point the published folder's marker recorded).
    Verify {
        /// The site's folder.
        #[arg(long, default_value = ".", value_name = "DIR")]
        root: PathBuf,
        /// A folder the site is published to: check the log still holds
        /// the entry that published it (repeat for more).
        #[arg(long, value_name = "DIR")]
        to: Vec<PathBuf>,
    },
}

pub fn audit(command: &AuditCommand) -> anyhow::Result<u8> {
    let AuditCommand::Verify { root, to } = command;
    let log = root.join(audit::AUDIT_LOG);
    let config = Config::load(root)?;
    let anchored = match audit::verify_anchored(root, &config.approvers) {
        Ok(a) => a,
        Err(e @ PublishError::AuditBroken { .. }) => {
            eprintln!("{e}");
            return Ok(EXIT_BLOCKED);
        }
        Err(e) => return Err(e.into()),
    };
    let chain = &anchored.chain;
    let mut folders = Vec::new();
    for dir in to {
        match publish::sync::published_here(dir, chain) {
            Ok(Some(publish::sync::Served {
                entry: Some(head), ..
            })) => folders.push((dir, head.seq)),
            Ok(Some(_)) => println!(
                "{}: its marker was written by an earlier schoolsite and records no audit entry; it matches a publish in the log (the next publish there records one).",
                dir.display()
            ),
            Ok(None) => {
                eprintln!(
                    "{} holds nothing schoolsite published: give the folder `schoolsite publish --to` published to",
                    dir.display()
                );
                return Ok(EXIT_BLOCKED);
            }
            Err(why) => {
                eprintln!("{why}");
                return Ok(EXIT_BLOCKED);
            }
        }
    }
    if chain.entries == 0 {
        println!("{} has no entries yet.", shown(root, &log));
        return Ok(0);
    }
    println!(
        "{}: all {} entries are intact and in order.",
        shown(root, &log),
        chain.entries
    );
    let approved = anchored.anchored_to();
    let published = folders.iter().map(|(_, seq)| *seq).max().unwrap_or(0);
    let anchored_to = approved.max(published);
    if approved > 0 {
        println!(
            "Entries 1 to {approved} are anchored by {} approvals, signed by approvers with the log's head they saw: no entry up to {approved} can have been changed, even with every hash recomputed.",
            anchored.anchors.iter().filter(|(_, h)| h.seq > 0).count()
        );
    }
    for (dir, seq) in &folders {
        println!(
            "Entries 1 to {seq} are anchored by the marker in {}, written when entry {seq} published it.",
            dir.display()
        );
    }
    if anchored_to < chain.entries {
        println!(
            "Entries {} to {} are not anchored yet: only the hashes and the repository's history show whether they were changed or removed. The next approval anchors them{}.",
            anchored_to + 1,
            chain.entries,
            if to.is_empty() {
                "; `--to DIR` checks the published folder's marker too"
            } else {
                ""
            }
        );
    }
    if anchored.unanchored > 0 {
        println!(
            "{} approvals were made by an earlier schoolsite and sign no head of the log.",
            anchored.unanchored
        );
    }
    Ok(0)
}

fn shown(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}
