//! `takedown`: photos off the published site at once, without an
//! approval; `takedown lift`: an approver lifts one.

use super::{EXIT_BLOCKED, EXIT_INPUT};
use schoolsite::consent::{Lookup, Register};
use schoolsite::publish::keys::PrivateKey;
use schoolsite::publish::takedown::{self, Request};
use schoolsite::publish::{PublishError, audit};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct TakedownArgs {
    #[command(subcommand)]
    command: Option<TakedownCommand>,
    /// Take down every published photo that declares this register id
    /// (repeat for more people).
    #[arg(long, value_name = "ID")]
    person: Vec<String>,
    /// Take down a photo: its path in content/ (content/news/relay.jpg),
    /// its published path or address (/media/3f2a….jpg), or a copy of it
    /// on this computer, matched by its bytes.
    #[arg(long, value_name = "PATH")]
    photo: Vec<String>,
    /// Take down every photo, clip and document a page shows (its
    /// address, /news/sports-day/). The page's text stays.
    #[arg(long, value_name = "ADDRESS")]
    page: Vec<String>,
    /// Why (recorded in the audit log).
    #[arg(long)]
    reason: Option<String>,
    /// Who is taking it down (recorded in the audit log).
    #[arg(long, value_name = "NAME")]
    by: Option<String>,
    /// Take your name from your key file instead of --by (no approval is
    /// made with it).
    #[arg(long, value_name = "FILE")]
    key: Option<PathBuf>,
    /// The folder the site was published to with `publish --to`.
    #[arg(long, value_name = "DIR")]
    to: Option<PathBuf>,
    /// The site's folder.
    #[arg(long, default_value = ".", value_name = "DIR")]
    root: PathBuf,
    /// How to print what was done: human or json.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Human,
    Json,
}

#[derive(clap::Subcommand)]
enum TakedownCommand {
    /// Lift a takedown, with an approver's key, once its reason no
    /// longer holds (for a withdrawn consent: the register shows consent
    /// again). Builds showing its photos may then be approved again.
    Lift {
        /// The takedown's id (its file name in approvals/takedowns/).
        id: String,
        /// Your private key file, as an approver in config.toml.
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        /// Why the takedown no longer needs to stand.
        #[arg(long)]
        reason: String,
        /// The site's folder.
        #[arg(long, default_value = ".", value_name = "DIR")]
        root: PathBuf,
    },
}

pub fn run(args: &TakedownArgs) -> anyhow::Result<u8> {
    if let Some(TakedownCommand::Lift {
        id,
        key,
        reason,
        root,
    }) = &args.command
    {
        return lift(root, id, key, reason);
    }
    let Some(to) = &args.to else {
        eprintln!(
            "say which published folder to take down from: --to DIR (the folder `schoolsite publish --to` wrote)"
        );
        return Ok(EXIT_INPUT);
    };
    let by = match (&args.by, &args.key) {
        (Some(by), _) => by.clone(),
        (None, Some(key)) => {
            let key = PrivateKey::load(key, &args.root)?;
            format!("{} ({})", key.name, key.role)
        }
        (None, None) => String::new(),
    };
    let request = Request {
        people: args.person.clone(),
        photos: args.photo.clone(),
        pages: args.page.clone(),
        by,
        reason: args.reason.clone().unwrap_or_default(),
    };
    let done = match takedown::takedown(&args.root, to, &request) {
        Ok(d) => d,
        Err(e @ (PublishError::TakedownRefused(_) | PublishError::AuditBroken { .. })) => {
            eprintln!("{e}");
            if matches!(e, PublishError::TakedownRefused(_)) {
                eprintln!("(recorded in {})", audit::AUDIT_LOG);
            }
            return Ok(EXIT_BLOCKED);
        }
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(EXIT_INPUT);
        }
    };
    let record = &done.record;
    let register = Register::load(&args.root);
    let label = |id: &str| match register.lookup(id) {
        Lookup::Found(p) => p.label(),
        _ => id.to_string(),
    };
    let shown = done
        .path
        .strip_prefix(&args.root)
        .unwrap_or(&done.path)
        .display()
        .to_string();
    if args.format == Format::Json {
        let doc = serde_json::json!({
            "takedown": record.id,
            "record": shown,
            "audit_entry": done.entry.seq,
            "to": record.to,
            "by": record.by,
            "reason": record.reason,
            "people": record.people,
            "photos": record.photos.iter().map(|p| serde_json::json!({
                "source": p.source,
                "people": p.people,
                "files": p.published.iter().map(|f| serde_json::json!({"path": f.path, "blake3": f.blake3})).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "files_removed": record.files_removed,
            "pages_rebuilt": record.pages_rebuilt,
            "left_out": record.left_out,
            "manifest": record.manifest.digest,
        });
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        return Ok(0);
    }
    println!(
        "Took down {} from {} at once, without an approval ({} files removed, {} pages rebuilt):",
        match record.photos.len() {
            1 => "1 photo".to_string(),
            n => format!("{n} photos"),
        },
        record.to,
        record.files_removed.len(),
        record.pages_rebuilt.len()
    );
    for p in &record.photos {
        let people: Vec<String> = p.people.iter().map(|id| label(id)).collect();
        if people.is_empty() {
            println!("  {}", p.source);
        } else {
            println!("  {} (declares {})", p.source, people.join(", "));
        }
    }
    for page in &record.pages_rebuilt {
        println!("  rebuilt without them: {page}");
    }
    for line in &record.left_out {
        println!("warning: {line}");
    }
    println!(
        "Recorded in {shown} (commit it with the site) and as entry {} of {}.",
        done.entry.seq,
        audit::AUDIT_LOG
    );
    println!(
        "While it stands, no build that still shows these photos{} can be approved or published: take them off the site, build, and have that build approved.",
        if record.people.is_empty() {
            ""
        } else {
            " or any photo of the people taken down"
        }
    );
    Ok(0)
}

fn lift(root: &Path, id: &str, key: &Path, reason: &str) -> anyhow::Result<u8> {
    match takedown::lift(root, id, key, reason) {
        Ok((path, entry)) => {
            println!(
                "Lifted takedown {id}: builds showing its photos may be approved and published again. Recorded in {} (commit it with the site) and as entry {} of {}.",
                path.strip_prefix(root).unwrap_or(&path).display(),
                entry.seq,
                audit::AUDIT_LOG
            );
            Ok(0)
        }
        Err(e @ (PublishError::LiftRefused(_) | PublishError::AuditBroken { .. })) => {
            eprintln!("{e}");
            Ok(EXIT_BLOCKED)
        }
        Err(e) => Err(e.into()),
    }
}
