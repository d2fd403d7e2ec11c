//! What `schoolsite serve` does after a one-page edit: build the example
//! site again with the image cache warm, against the same build with no
//! cache (every photo, PDF and clip processed afresh), in one process,
//! alternating runs.
//!
//!   cargo bench --bench rebuild

#[allow(dead_code)] // each benchmark uses its own part of it
mod common;

use schoolsite::pipeline::{self, Options};
use std::path::Path;
use std::time::{Duration, Instant};

const RUNS: usize = 7;

fn copy(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).into_iter().flatten() {
        let rel = entry.path().strip_prefix(from).expect("inside");
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy");
        }
    }
}

fn timed(root: &Path, cache: bool) -> Duration {
    let options = Options {
        cache,
        ..common::options()
    };
    let start = Instant::now();
    let prepared = pipeline::prepare(root, options).expect("build");
    let took = start.elapsed();
    assert!(!prepared.blocked(), "{:?}", prepared.findings.first());
    took
}

fn main() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scratch = common::scratch_dir();
    let root = scratch.path();
    for part in ["content", "themes", "consent"] {
        copy(&repo.join(part), &root.join(part));
    }
    std::fs::copy(repo.join("config.toml"), root.join("config.toml")).expect("config");
    let page = root.join("content/about.md");
    let text = std::fs::read_to_string(&page).expect("about.md");

    timed(root, true); // fill the cache
    let (mut warm, mut cold) = (Duration::MAX, Duration::MAX);
    for i in 0..RUNS {
        std::fs::write(&page, format!("{text}\nEdit number {i}.\n")).expect("edit");
        warm = warm.min(timed(root, true));
        cold = cold.min(timed(root, false));
    }
    println!(
        "one-page edit of the example site, fastest of {RUNS}: rebuild with the cache {:.1} ms, without {:.1} ms ({:.2}x)",
        warm.as_secs_f64() * 1000.0,
        cold.as_secs_f64() * 1000.0,
        warm.as_secs_f64() / cold.as_secs_f64()
    );
}
