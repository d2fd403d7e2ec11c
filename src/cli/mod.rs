//! Commands: parse the arguments, call the stages, print, set the exit
//! code. 0: clean (warnings allowed); 1: blocked by findings; 2: bad
//! usage, configuration or input.

mod approval;
mod audit_photos;
mod build;
mod init;
mod leavers;
mod preview;
mod register;
mod sanitise;
mod serve;
mod statutory;
mod studio;
mod takedown;
mod where_is;

use clap::{Args, Parser, Subcommand};
use schoolsite::config::Profile;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// Output formats for findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub(crate) enum Format {
    /// Grouped by file, for people at a terminal.
    #[default]
    Human,
    /// One JSON document on standard output (schema in docs/findings.md).
    Json,
    /// GitHub Actions workflow commands (`::error file=…`), one per finding.
    Github,
}

/// A command that only reports, piped into `head`, ends when `head` stops
/// reading, as Unix tools do, rather than panicking on the closed pipe.
/// (Commands that write, and `serve` with its sockets, keep Rust's
/// default, so nothing stops them half-way.)
fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: sets a signal's action to the default before any other
    // thread exists; no handler is installed.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Builds a school's website from Markdown and photos, and refuses to
/// publish anything that breaks the school's online-safety policy.
#[derive(Parser)]
#[command(name = "schoolsite", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check every rule, then write the site to public/ (only if nothing
    /// blocks it; a blocked build leaves the old public/ untouched).
    Build(SiteArgs),
    /// Check every rule and report; write nothing. For CI.
    Check(SiteArgs),
    /// Build the site in memory and serve it on this computer
    /// (http://127.0.0.1:1111/), rebuilding and reloading the browser
    /// when a file is saved; a blocked build shows its findings in the
    /// browser. Never writes public/.
    Serve(serve::ServeArgs),
    /// Write pages, add photos and say who is in them in the browser, on
    /// this computer only (http://127.0.0.1:1112/studio/): the preview of
    /// `serve` with an editor beside it, every save checked by the build.
    Studio(studio::StudioArgs),
    /// Clean photos, PDFs, video and audio on their own: strip every
    /// piece of metadata (GPS, camera serial, face tags, motion-photo
    /// videos; a PDF's author, XMP, attachments, scripts and earlier
    /// revisions; a clip's location, phone model and dates; ID3 tags…)
    /// and write clean copies to --out, one line per file of what was
    /// removed.
    Sanitise(sanitise::SanitiseArgs),
    /// List every published photo that must come down by a date (leavers,
    /// expiring or withdrawn consent), grouped by person.
    Leavers(leavers::LeaversArgs),
    /// List every photo and page a person appears in, by register id
    /// (for a withdrawal of consent, an erasure or a subject access
    /// request).
    Where(where_is::WhereArgs),
    /// List every published photo that declares a pupil, most
    /// identifiable first (face-on close-ups, then smaller faces, then
    /// none found), for the regular audit of pupil images. Faces are only
    /// detected, never identified.
    AuditPhotos(audit_photos::AuditPhotosArgs),
    /// Show the statutory information the school must publish: which page
    /// publishes each item, what is missing, and what falls due next.
    Statutory(statutory::StatutoryArgs),
    /// Make an approver's key pair: the private key in a file only they
    /// can read (outside the site), the public key added to config.toml.
    Keygen(approval::KeygenArgs),
    /// Write the page an approver reads before approving: what changed
    /// since the last approved publish, every new photo and who is in it.
    Preview(preview::PreviewArgs),
    /// Sign the last build with your key, so it can be published.
    Approve(approval::ApproveArgs),
    /// Copy the approved build to the web server's folder, atomically,
    /// after checking it is exactly what was approved and that every
    /// photo in it may still be published today.
    Publish(approval::PublishArgs),
    /// Take photos off the published site at once, without an approval
    /// (by person, photo or page): the last published copy is published
    /// again without them, and the next approved build must leave them
    /// out too. Recorded in the audit log with who and why.
    Takedown(takedown::TakedownArgs),
    /// Check the audit log of publishes and refusals.
    #[command(subcommand)]
    Audit(approval::AuditCommand),
    /// Read the consent register and say what was understood of it.
    #[command(subcommand)]
    Register(register::RegisterCommand),
    /// Make a new site skeleton in DIR that builds as it is, with a
    /// starter page for each piece of statutory information.
    Init {
        /// The folder to create (must not exist, or be empty).
        dir: PathBuf,
        /// Which statutory list the school follows: "maintained" (a
        /// local-authority school) or "academy" (an academy or free
        /// school).
        #[arg(long, value_enum, default_value_t = InitProfile::Maintained)]
        profile: InitProfile,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum InitProfile {
    Maintained,
    Academy,
    None,
}

#[derive(Args)]
struct SiteArgs {
    /// The site's folder (holding config.toml, content/, themes/).
    #[arg(long, default_value = ".", value_name = "DIR")]
    root: PathBuf,
    /// How to print findings: human, json (stable schema, see
    /// docs/findings.md) or github (workflow annotations).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Include pages marked draft = true.
    #[arg(long)]
    drafts: bool,
    /// Process every image afresh instead of reusing .schoolsite/cache.
    #[arg(long)]
    no_cache: bool,
    /// Check as if today were DATE (2027-07-24 or 24/07/2027): see what
    /// will break at the end of term.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    today: Option<chrono::NaiveDate>,
}

fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    schoolsite::consent::parse_date(s)?.ok_or_else(|| "give a date, e.g. 2027-07-24".to_string())
}

impl SiteArgs {
    fn options(&self) -> schoolsite::pipeline::Options {
        schoolsite::pipeline::Options {
            drafts: self.drafts,
            progress: self.show_progress(),
            cache: !self.no_cache,
            today: self.today,
        }
    }

    fn show_progress(&self) -> bool {
        self.format == Format::Human
            && std::io::stderr().is_terminal()
            && std::env::var_os("CI").is_none()
    }
}

pub const EXIT_BLOCKED: u8 = 1;
pub const EXIT_INPUT: u8 = 2;

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    if matches!(
        cli.command,
        Command::Check(_)
            | Command::Leavers(_)
            | Command::Where(_)
            | Command::AuditPhotos(_)
            | Command::Statutory(_)
            | Command::Register(_)
    ) {
        quiet_on_closed_pipe();
    }
    let result = match cli.command {
        Command::Build(args) => build::run(&args, true),
        Command::Check(args) => build::run(&args, false),
        Command::Serve(args) => serve::run(&args),
        Command::Studio(args) => studio::run(&args),
        Command::Init { dir, profile } => init::run(
            &dir,
            match profile {
                InitProfile::Maintained => Profile::Maintained,
                InitProfile::Academy => Profile::Academy,
                InitProfile::None => Profile::None,
            },
        ),
        Command::Sanitise(args) => sanitise::run(&args),
        Command::Leavers(args) => leavers::run(&args),
        Command::Where(args) => where_is::run(&args),
        Command::AuditPhotos(args) => audit_photos::run(&args),
        Command::Statutory(args) => statutory::run(&args),
        Command::Keygen(args) => approval::keygen(&args),
        Command::Preview(args) => preview::run(&args),
        Command::Approve(args) => approval::approve(&args),
        Command::Publish(args) => approval::publish(&args),
        Command::Takedown(args) => takedown::run(&args),
        Command::Audit(command) => approval::audit(&command),
        Command::Register(command) => register::run(&command),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e}");
            let mut source = e.source();
            while let Some(s) = source {
                eprintln!("  reason: {s}");
                source = s.source();
            }
            ExitCode::from(EXIT_INPUT)
        }
    }
}
