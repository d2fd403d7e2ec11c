//! What the consent register adds to a build: the same 20,000 photos
//! checked against a 2,000-person register, and declared as showing nobody
//! with no register, in one process, alternating runs. Face detection is
//! off in both (its results are cached by image hash, so a warm build does
//! not run it).
//!
//!   cargo bench --bench consent [-- PHOTOS PUPILS EDGE]   # default 20000 2000 16
//!
//! EDGE is the photos' width in pixels (height three quarters of it). The
//! default, 16, is the worst case for this measurement: almost no time goes
//! on the photos themselves, so the register's share is as large as it can
//! be. 800 gives small web photos (about 60 KB each), closer to a real site.
//!
//! Prints the fastest warm `check` (load, render, every rule) and `build`
//! (the same, then writing public/) of each site, and the ratios; the
//! budget is +5%.

mod common;

use schoolsite::consent::Register;
use schoolsite::emit;
use schoolsite::pipeline;
use std::path::Path;
use std::time::{Duration, Instant};

const PER_PAGE: usize = 100;
const RUNS: usize = 15;

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let photos = args.first().copied().unwrap_or(20_000);
    let pupils = args.get(1).copied().unwrap_or(2_000);
    let edge = args.get(2).copied().unwrap_or(16).max(8) as u32;
    let dir = common::scratch_dir();
    let with = dir.path().join("with-register");
    let without = dir.path().join("without");
    eprintln!("generating {photos} photos of {edge} pixels…");
    let images = make_photos(photos, edge);
    eprintln!("writing two sites, one with a register of {pupils} pupils…");
    make_site(&with, &images, Some(pupils));
    make_site(&without, &images, None);

    let check = common::timed_check;
    let build = |root: &Path| {
        let start = Instant::now();
        let prepared = pipeline::prepare(root, common::options()).expect("build");
        emit::emit(root, &prepared.outputs).expect("emit");
        start.elapsed()
    };
    eprintln!("warming the image caches…");
    build(&with);
    build(&without);
    let (mut ca, mut cb, mut ba, mut bb) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        cb.push(check(&without));
        ca.push(check(&with));
        bb.push(build(&without));
        ba.push(build(&with));
    }
    let start = Instant::now();
    let register = Register::load(&with);
    let load = start.elapsed();
    assert_eq!(register.people().len(), pupils);

    let mb = images.iter().map(Vec::len).sum::<usize>() as f64 / 1e6;
    println!(
        "{photos} photos ({edge} pixels wide, {mb:.0} MB) on {} pages, {pupils} pupils in the register (fastest of {RUNS} warm runs each):",
        photos / PER_PAGE
    );
    println!("                                              check      build");
    let row = |what: &str, c: &[Duration], b: &[Duration]| {
        println!(
            "  {what:<42} {:>6.3} s  {:>6.3} s",
            common::fastest(c),
            common::fastest(b)
        );
    };
    row("declared and checked against the register", &ca, &ba);
    row("declared as showing nobody, no register", &cb, &bb);
    println!(
        "  reading the register alone                 {:>6.3} s",
        load.as_secs_f64()
    );
    for (what, a, b) in [("check", &ca, &cb), ("build", &ba, &bb)] {
        let ratio = common::fastest(a) / common::fastest(b);
        println!(
            "  {what}: ratio {ratio:.3}, the consent checks add {:+.1}% (budget +5%)",
            (ratio - 1.0) * 100.0
        );
    }
}

/// `n` distinct JPEGs `edge` pixels wide, made on every core.
fn make_photos(n: usize, edge: u32) -> Vec<Vec<u8>> {
    use rayon::prelude::*;
    (0..n).into_par_iter().map(|i| jpeg(i, edge)).collect()
}

/// A site of `images`, `PER_PAGE` to a page, each declared with three
/// pupils from a register of `pupils` (or as showing nobody when there is
/// no register).
fn make_site(root: &Path, images: &[Vec<u8>], pupils: Option<usize>) {
    let photos = images.len();
    let write = |rel: &str, bytes: &[u8]| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, bytes).expect("write");
    };
    write(
        "config.toml",
        b"title = \"Bench\"\nbase_url = \"https://bench.example.sch.uk\"\n[school]\nname = \"B\"\naddress = \"A\"\nphone = \"0\"\nemail = \"office@bench.example.sch.uk\"\n[statutory]\nprofile = \"none\"\n[consent]\nfaces = \"off\"\n",
    );
    common::copy_themes(root);
    write(
        "content/_index.md",
        b"+++\ntitle = \"Home\"\n+++\nWelcome.\n",
    );
    if let Some(pupils) = pupils {
        let mut csv = String::from(
            "id,legal_forename,legal_surname,group,role,leaving_date,consent_date,withdrawn,never_publish,website_group,website_individual,website_named_first_name\n",
        );
        for i in 0..pupils {
            csv.push_str(&format!(
                "{},Forename{i},Surname{i},Year {},pupil,,07/09/2026,no,no,yes,yes,yes\n",
                10_000 + i,
                i % 7
            ));
        }
        write("consent/register.csv", csv.as_bytes());
        write(
            "consent/never-publish.toml",
            common::NOBODY_NEVER.as_bytes(),
        );
    }
    for page in 0..photos.div_ceil(PER_PAGE) {
        let dir = format!("content/p{page}");
        let mut body = String::from("+++\ntitle = \"Gallery\"\n+++\n");
        let mut sidecar = String::new();
        for n in 0..PER_PAGE.min(photos - page * PER_PAGE) {
            let i = page * PER_PAGE + n;
            write(&format!("{dir}/{n}.jpg"), &images[i]);
            body.push_str(&format!("![Photo {n}]({n}.jpg)\n"));
            match pupils {
                Some(p) => {
                    let ids: Vec<String> = (0..3)
                        .map(|k| format!("\"{}\"", 10_000 + (i * 3 + k) % p))
                        .collect();
                    sidecar.push_str(&format!(
                        "[[photo]]\nfile = \"{n}.jpg\"\npeople = [{}]\n\n",
                        ids.join(", ")
                    ));
                }
                None => {
                    sidecar.push_str(&format!("[[photo]]\nfile = \"{n}.jpg\"\nnobody = true\n\n"))
                }
            }
        }
        write(&format!("{dir}/index.md"), body.as_bytes());
        write(&format!("{dir}/photos.toml"), sidecar.as_bytes());
    }
}

/// A JPEG `edge` pixels wide whose pixels depend on `seed`, so every file
/// is distinct: a smooth gradient, as photos compress, with a seeded tint.
fn jpeg(seed: usize, edge: u32) -> Vec<u8> {
    let h = (edge * 3 / 4).max(8);
    let tint = (seed as u32).wrapping_mul(2_654_435_761);
    let img = image::RgbImage::from_fn(edge, h, |x, y| {
        let v = tint ^ (x * 255 / edge + ((y * 255 / h) << 8));
        image::Rgb([v as u8, (v >> 8) as u8, (x ^ y) as u8 ^ (tint >> 16) as u8])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
        .encode_image(&img)
        .expect("encode");
    out
}
