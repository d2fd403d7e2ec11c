//! Shared by the Rust benchmarks: a scratch folder on a RAM disk, copying
//! the theme into a generated site, and the fastest of several runs.

use schoolsite::pipeline::{self, Options};
use std::path::Path;
use std::time::{Duration, Instant};

/// The options every benchmark builds with: the image cache on, and a
/// fixed date so the example registers' dates stay valid.
pub fn options() -> Options {
    Options {
        cache: true,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 23),
        ..Options::default()
    }
}

/// Times a `check` of the site at `root`, which must not be blocked.
pub fn timed_check(root: &Path) -> Duration {
    let start = Instant::now();
    let prepared = pipeline::prepare(root, options()).expect("check");
    let took = start.elapsed();
    assert!(
        !prepared.blocked(),
        "{:?}",
        &prepared.findings[..3.min(prepared.findings.len())]
    );
    took
}

/// Times a `build` of the site at `root` (check, then write `public/`
/// and the manifest, as `schoolsite build` does); it must not be blocked.
#[allow(dead_code)]
pub fn timed_build(root: &Path) -> Duration {
    let start = Instant::now();
    let prepared = pipeline::prepare(root, options()).expect("check");
    assert!(
        !prepared.blocked(),
        "{:?}",
        &prepared.findings[..3.min(prepared.findings.len())]
    );
    let emitted = schoolsite::emit::emit(root, &prepared.outputs).expect("emit");
    schoolsite::publish::manifest::Manifest::new(root, &prepared, &emitted.written)
        .write(root)
        .expect("manifest");
    start.elapsed()
}

/// A temporary folder on a RAM disk when there is one, so builds measure
/// the program rather than the disk's write-back.
pub fn scratch_dir() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        tempfile::tempdir_in(shm)
    } else {
        tempfile::tempdir()
    }
    .expect("temp dir")
}

/// Copies the repository's themes into a generated site at `root`.
pub fn copy_themes(root: &Path) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes");
    for entry in walkdir::WalkDir::new(&from) {
        let entry = entry.expect("walk");
        let target = root
            .join("themes")
            .join(entry.path().strip_prefix(&from).expect("prefix"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// The fastest run, in seconds: the one least disturbed by the rest of
/// the machine.
pub fn fastest(v: &[Duration]) -> f64 {
    v.iter().min().copied().unwrap_or_default().as_secs_f64()
}

/// The designated safeguarding lead's never-publish list, checked: nobody
/// on it. A register is refused without one.
pub const NOBODY_NEVER: &str = "checked_by = \"A. Patel, designated safeguarding lead\"\nchecked_on = 2026-09-07\nids = []\nnone = true\n";
