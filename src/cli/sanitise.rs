//! `schoolsite sanitise FILE... --out DIR`: the sanitiser on its own, for
//! staff who want to clean a photo before emailing or uploading it.
//!
//! Clean copies are given neutral names by default: the content-hash
//! name the website itself uses (`5d41402abc4b2a76b971.jpg`), because a
//! file's own name often names the pupil in it
//! (`amelia-featherstonehaugh-sports-day.jpg`) and the school's policy
//! forbids that for published images. `--keep-names` keeps the names,
//! and each line of the report says which was done.

use super::EXIT_BLOCKED;
use super::Format;
use anyhow::Context;
use rayon::prelude::*;
use schoolsite::media::{self, Settings, Sizes};
use std::io::Write as _;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct SanitiseArgs {
    /// The files to clean (JPEG, PNG, WebP, GIF photos; PDF documents;
    /// MP4, MOV, M4A video and audio; MP3 and WAV audio).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// The folder to write clean copies to (created if missing). The
    /// originals are never changed.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Also write the smaller versions a website uses, at these widths
    /// (comma-separated), named NAME-WIDTH.EXT.
    #[arg(long, value_delimiter = ',', value_name = "WIDTHS")]
    sizes: Vec<u32>,
    /// Scale photos down to at most this many pixels on the long edge
    /// (for photos of pupils; the website uses 1600).
    #[arg(long, value_name = "PIXELS")]
    max_long_edge: Option<u32>,
    /// Drop embedded colour profiles too (colours may shift slightly).
    #[arg(long)]
    drop_icc: bool,
    /// Keep each file's own name for its clean copy (NAME.EXT, and
    /// NAME-WIDTH.EXT for smaller versions). Without it, each copy is
    /// named by a hash of its contents, as the website names it, so no
    /// pupil's name in a file name is published.
    #[arg(long)]
    keep_names: bool,
    /// human (one line per file) or json.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(serde::Serialize)]
struct FileReport {
    file: String,
    /// "neutral" (named by content hash) or "kept" (`--keep-names`).
    names: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    written: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    removed: Vec<media::Removed>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refused: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<String>,
}

pub fn run(args: &SanitiseArgs) -> anyhow::Result<u8> {
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("could not create the folder {}", args.out.display()))?;
    let out_dir = args.out.canonicalize().unwrap_or_else(|_| args.out.clone());
    let settings = Settings {
        keep_icc: !args.drop_icc,
        ..Settings::default()
    };
    let sizes = Sizes {
        widths: args.sizes.clone(),
        max_long_edge: args.max_long_edge.unwrap_or(u32::MAX),
        ..Sizes::default()
    };
    let cap = args.max_long_edge.is_some();
    let mut stems = std::collections::HashMap::new();
    for file in args.files.iter().filter(|_| args.keep_names) {
        let stem = file.file_stem().unwrap_or_default().to_ascii_lowercase();
        if let Some(other) = stems.insert(stem, file) {
            anyhow::bail!(
                "{} and {} would both be written to the same name in {}; clean them in separate runs",
                other.display(),
                file.display(),
                args.out.display()
            );
        }
    }

    let reports: Vec<FileReport> = args
        .files
        .par_iter()
        .map(|file| clean_one(file, &out_dir, &settings, &sizes, cap, args.keep_names))
        .collect();

    let refused = reports.iter().filter(|r| r.refused.is_some()).count();
    match args.format {
        Format::Json => {
            let json = serde_json::json!({ "schema": 1, "files": reports });
            println!("{}", serde_json::to_string_pretty(&json)?);
        }
        _ => {
            for r in &reports {
                match (&r.refused, &r.fix) {
                    (Some(why), fix) => println!(
                        "{}: refused: {why}{}",
                        r.file,
                        fix.as_ref()
                            .map(|f| format!(" (fix: {f})"))
                            .unwrap_or_default()
                    ),
                    (None, _) => println!(
                        "{} → {} ({}): removed {}",
                        r.file,
                        r.written.join(", "),
                        if r.names == KEPT {
                            "its own name, kept by --keep-names"
                        } else {
                            "named by its contents; --keep-names keeps the file's name"
                        },
                        media::summarise(&r.removed)
                    ),
                }
            }
        }
    }
    // 1 when any file was refused, as a blocked build.
    Ok(if refused == 0 { 0 } else { EXIT_BLOCKED })
}

const KEPT: &str = "kept";
const NEUTRAL: &str = "neutral";

fn clean_one(
    file: &Path,
    out_dir: &Path,
    settings: &Settings,
    sizes: &Sizes,
    cap: bool,
    keep_names: bool,
) -> FileReport {
    let mut report = FileReport {
        file: file.display().to_string(),
        names: if keep_names { KEPT } else { NEUTRAL },
        written: Vec::new(),
        removed: Vec::new(),
        refused: None,
        fix: None,
    };
    let stem = file
        .file_stem()
        .map_or_else(|| "image".into(), |s| s.to_string_lossy().into_owned());
    // The name a clean copy is given: its own (with `--keep-names`), or
    // none yet (named by its hash once written).
    let named = |suffix: &str, ext: &str| keep_names.then(|| format!("{stem}{suffix}.{ext}"));
    // What the file is, and whether it is within its kind's size limit,
    // is decided from its first bytes, before the rest is read.
    let opened = BUFFER.with_borrow_mut(|buffer| {
        media::read_checked_into(
            file,
            &media::Limits::default(),
            buffer,
            media::Mode::Content,
        )
    });
    match opened {
        Err(refusal) => {
            report.fix = Some(refusal.fix());
            report.refused = Some(refusal.to_string());
            return report;
        }
        Ok(media::Opened::Clip { .. }) => {
            // Video and audio: cleaned from a memory map and written
            // straight from it, so memory stays flat however long the clip.
            if let Err(refusal) = map_clip(file).and_then(|(source, map)| {
                let plan = media::sanitise_plan(&map, settings)?;
                report.removed = plan.removed().to_vec();
                let ext = plan.kind().extension();
                // The media data is copied file to file, not through the
                // map, so memory stays flat however long the clip.
                write_one(&mut report, file, out_dir, named("", ext), ext, |w| {
                    plan.write_ranges(w, |start, len, w| {
                        w.flush()?;
                        media::copy_range(&source, start, len, w.get_mut())
                    })
                });
                Ok(())
            }) {
                report.fix = Some(refusal.fix());
                report.refused = Some(refusal.to_string());
            }
            return report;
        }
        Ok(media::Opened::Read(_)) => {}
    }
    if sizes.widths.is_empty() && !cap {
        // Only the clean copy: written straight from the input's bytes.
        BUFFER.with_borrow(|buffer| match media::sanitise_plan(buffer, settings) {
            Ok(plan) => {
                report.removed = plan.removed().to_vec();
                let ext = plan.kind().extension();
                write_one(&mut report, file, out_dir, named("", ext), ext, |w| {
                    plan.write_to(w)
                });
            }
            Err(refusal) => {
                report.fix = Some(refusal.fix());
                report.refused = Some(refusal.to_string());
            }
        });
        return report;
    }
    let treatment = media::Treatment {
        cap,
        ..media::Treatment::default()
    };
    let processed = match BUFFER
        .with_borrow(|bytes| media::process(bytes, settings, sizes, &treatment, None))
    {
        Ok(p) => p,
        Err(refusal) => {
            report.fix = Some(refusal.fix());
            report.refused = Some(refusal.to_string());
            return report;
        }
    };
    report.removed = processed.removed().to_vec();
    let renditions = processed.renditions();
    for (i, clean) in renditions.iter().enumerate() {
        let largest = i + 1 == renditions.len();
        let ext = clean.kind().extension();
        let suffix = if largest {
            String::new()
        } else {
            format!("-{}", clean.dimensions().0)
        };
        if !write_one(&mut report, file, out_dir, named(&suffix, ext), ext, |w| {
            w.write_all(clean.bytes())
        }) {
            break;
        }
    }
    report
}

/// A memory map of `file` (a clip), with the file, to copy from.
fn map_clip(file: &Path) -> Result<(std::fs::File, memmap2::Mmap), media::Refusal> {
    let f = std::fs::File::open(file).map_err(|e| media::Refusal::Unreadable(e.to_string()))?;
    // SAFETY: the map is only read. If another program shortened the
    // file while it is being cleaned, reading past its new end would stop
    // this process (SIGBUS): the clean copy is written to a temporary
    // name first, so no half-written copy is left looking finished.
    unsafe { memmap2::Mmap::map(&f) }
        .map(|map| (f, map))
        .map_err(|e| media::Refusal::Unreadable(e.to_string()))
}

thread_local! {
    /// Each worker reads every file into the same buffer, so memory is
    /// not mapped afresh (and faulted in page by page) for every photo.
    static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Writes one output into `out_dir`, under `name` or (when `None`) the
/// name the website would give it (the first 20 hex digits of its
/// BLAKE3 hash, and `ext`), recording it or the reason it failed; false
/// on failure.
fn write_one(
    report: &mut FileReport,
    source: &Path,
    out_dir: &Path,
    name: Option<String>,
    ext: &str,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> bool {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = out_dir.join(format!(".schoolsite-{}-{n}.tmp", std::process::id()));
    let written = write_to(&tmp, write).and_then(|()| match name {
        Some(name) => Ok(out_dir.join(name)),
        None => hash_name(&tmp, ext).map(|name| out_dir.join(name)),
    });
    let dest = match written {
        Ok(dest) => dest,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            report.refused = Some(format!(
                "a clean copy could not be written in {}: {e}",
                out_dir.display()
            ));
            return false;
        }
    };
    if same_file(source, &dest) {
        let _ = std::fs::remove_file(&tmp);
        report.refused = Some(format!(
            "writing {} would replace the original",
            dest.display()
        ));
        report.fix = Some("choose a different --out folder".to_string());
        return false;
    }
    if let Err(e) = std::fs::rename(&tmp, &dest) {
        let _ = std::fs::remove_file(&tmp);
        report.refused = Some(format!("{} could not be written: {e}", dest.display()));
        return false;
    }
    report.written.push(dest.display().to_string());
    true
}

/// The name the website gives a clean file: the first 20 hex digits of
/// the BLAKE3 hash of its bytes, read back from where they were written
/// (a clip's media data never passes through memory), and its extension.
fn hash_name(path: &Path, ext: &str) -> std::io::Result<String> {
    let mut hasher = blake3::Hasher::new();
    hasher.update_reader(std::fs::File::open(path)?)?;
    let hex = hasher.finalize().to_hex();
    Ok(format!("{}.{ext}", &hex[..20]))
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Writes a clean copy to a temporary file (renamed into place by the
/// caller, so a crash never leaves a half-written copy that looks
/// finished).
fn write_to(
    tmp: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let f = std::fs::File::create(tmp)?;
    let mut w = std::io::BufWriter::with_capacity(64 * 1024, f);
    write(&mut w)?;
    w.flush()
}
