//! Shared by the Rust benchmarks: a scratch folder on a RAM disk, copying
//! the theme into a generated site, and the fastest of several runs.

use std::path::Path;
use std::time::Duration;

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
