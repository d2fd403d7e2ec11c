//! `schoolsite build` and `schoolsite check`.

use super::Format;
use super::{EXIT_BLOCKED, SiteArgs};
use anyhow::Context;
use schoolsite::emit;
use schoolsite::media::human_bytes;
use schoolsite::pipeline;
use schoolsite::publish::manifest::{MANIFEST_FILE, Manifest};
use schoolsite::report::{self, Summary};

pub fn run(args: &SiteArgs, write: bool) -> anyhow::Result<u8> {
    let prepared = pipeline::prepare(&args.root, args.options())?;
    // Clean clips were spooled for this build only: they go with it.
    report_and_write(args, write, &prepared)
}

fn report_and_write(
    args: &SiteArgs,
    write: bool,
    prepared: &pipeline::Prepared,
) -> anyhow::Result<u8> {
    let summary = Summary::of(&prepared.findings);
    match args.format {
        Format::Json => print!("{}", report::json(&prepared.findings, &prepared.media)),
        Format::Github => print!("{}", report::github(&prepared.findings)),
        Format::Human => print!("{}", report::human(&prepared.findings)),
    }
    let verb = if write {
        "nothing was written; public/ is unchanged"
    } else {
        "the site would not be built"
    };
    if summary.blocked() {
        if args.format == Format::Human {
            println!("{}", report::human_summary(summary, verb));
        }
        return Ok(EXIT_BLOCKED);
    }
    if !write {
        if args.format == Format::Human {
            println!(
                "{}; {} pages would be built",
                report::human_summary(summary, verb),
                prepared.pages
            );
        }
        return Ok(0);
    }
    let (emitted, manifest) = write_build(&args.root, prepared)?;
    if args.format == Format::Human {
        let cleaned = prepared.media.len();
        let removed: usize = prepared
            .media
            .iter()
            .flat_map(|m| m.removed.iter())
            .map(|r| r.bytes)
            .sum();
        println!(
            "{}; built {} pages, {} files in all ({}) into {}/",
            report::human_summary(summary, verb),
            prepared.pages,
            emitted.files,
            human_bytes(emitted.bytes),
            emit::OUTPUT_DIR
        );
        if cleaned > 0 {
            println!(
                "cleaned {cleaned} media files: removed {} of metadata ({})",
                human_bytes(removed as u64),
                kinds_removed(&prepared.media)
            );
        }
        println!(
            "manifest {} written to {}: `schoolsite preview` shows what an approver would approve",
            manifest.short_digest(),
            MANIFEST_FILE
        );
    }
    Ok(0)
}

/// Writes an unblocked build to `public/` and its manifest (what was
/// built, for the approver to sign and `publish` to check): `build`'s
/// and the studio's.
pub(super) fn write_build(
    root: &std::path::Path,
    prepared: &pipeline::Prepared,
) -> anyhow::Result<(emit::Emitted, Manifest)> {
    let emitted = emit::emit(root, &prepared.outputs)
        .context("the site could not be written; public/ is unchanged")?;
    let manifest = Manifest::new(root, prepared, &emitted.written);
    manifest.write(root).context(
        "public/ was written, but its manifest could not be, so it cannot be approved or published",
    )?;
    Ok((emitted, manifest))
}

fn kinds_removed(entries: &[report::MediaEntry]) -> String {
    let mut kinds: Vec<&str> = Vec::new();
    for r in entries.iter().flat_map(|m| m.removed.iter()) {
        let what = r.what.split(" (").next().unwrap_or(&r.what);
        for k in r.found.iter().map(String::as_str).chain([what]) {
            if !kinds.contains(&k) {
                kinds.push(k);
            }
        }
    }
    if kinds.is_empty() {
        "nothing to remove".to_string()
    } else {
        kinds.join(", ")
    }
}
