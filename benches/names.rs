//! What the names check adds to a build: the same 10,000-page site built
//! with a 2,000-pupil register (every page's text scanned for every
//! pupil's full name) and without one (nothing to look for), in one
//! process, alternating runs.
//!
//!   cargo bench --bench names [-- PAGES PUPILS]    # default 10000 2000
//!
//! Pages are about 300 words of ordinary school news that mention pupils
//! by first name (many of them also everyday words: Grace, Summer, May)
//! and use words that are also surnames (hall, green, wood, price), so
//! the automaton finds plenty of names and must rule each pairing out.

mod common;

use std::path::Path;

const RUNS: usize = 9;

const FORENAMES: &[&str] = &[
    "Oliver", "Amelia", "George", "Isla", "Noah", "Ava", "Arthur", "Mia", "Leo", "Ivy", "Oscar",
    "Freya", "Harry", "Lily", "Jack", "Grace", "Charlie", "Florence", "Theo", "Willow", "Finley",
    "Evie", "Alfie", "Rosie", "Henry", "Summer", "Archie", "May", "Thomas", "Hope", "Jacob",
    "Daisy", "Muhammad", "Poppy", "Joshua", "Sophia", "Zoë", "Siân", "Aarav", "Chloé",
];
const SURNAMES: &[&str] = &[
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Khan",
    "Okafor",
    "Nguyen",
    "Kowalski",
    "Fitzgerald-Ward",
    "Llewellyn",
    "Hughes",
    "Edwards",
    "Hill",
    "Moore",
    "Lewis",
    "Harris",
    "Martin",
    "Cooper",
    "Ward",
    "Morris",
    "King",
    "Baker",
    "Price",
    "Bell",
    "Turner",
    "Mensah",
    "Adeyemi",
    "Begum",
    "Ali",
    "Murphy",
    "O'Brien",
    "Kelly",
];
const WORDS: &[&str] = &[
    "the", "children", "class", "visited", "museum", "and", "learned", "about", "history", "of",
    "our", "town", "they", "wrote", "stories", "painted", "pictures", "with", "their", "friends",
    "this", "week", "in", "year", "five", "garden", "club", "planted", "bulbs", "for", "spring",
    "thank", "you", "to", "parents", "who", "helped", "on", "trip", "may", "we", "hope", "summer",
    "grace", "will", "be", "lovely", "reading", "maths", "assembly", "choir", "sang", "well",
];

/// Everyday words that are also surnames in the register, so pages go
/// through the whole check, not only its first look. They are written
/// "the hall of", so no forename sits next to one: the text names nobody
/// and the build is clean.
const SURNAME_WORDS: &[&str] = &[
    "hall", "green", "wood", "white", "price", "king", "bell", "baker",
];

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let pages = args.first().copied().unwrap_or(10_000);
    let pupils = args.get(1).copied().unwrap_or(2_000);
    let dir = common::scratch_dir();
    let with = dir.path().join("with-register");
    let without = dir.path().join("without");
    eprintln!("generating two sites of {pages} pages, register of {pupils} pupils…");
    make_site(&with, pages, Some(pupils));
    make_site(&without, pages, None);
    for (what, run) in [
        (
            "build = load, render, every rule, write public/ and the manifest",
            common::timed_build as fn(&Path) -> std::time::Duration,
        ),
        (
            "check = load, render, every rule; nothing written",
            common::timed_check,
        ),
    ] {
        run(&with);
        run(&without);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for _ in 0..RUNS {
            b.push(run(&without));
            a.push(run(&with));
        }
        let (a, b) = (common::fastest(&a), common::fastest(&b));
        println!(
            "{pages} pages, {pupils} pupils in the register, fastest of {RUNS} runs each; {what}:"
        );
        println!("  names checked against the register   {a:>6.3} s");
        println!("  no register (nothing to look for)    {b:>6.3} s");
        println!(
            "  ratio {:.3}: the names check adds {:+.1}%{}",
            a / b,
            (a / b - 1.0) * 100.0,
            if what.starts_with("build") {
                " (budget +10% of build time)"
            } else {
                ""
            }
        );
    }
}

/// A deterministic pseudo-random sequence (no dependency needed).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n
    }
}

fn make_site(root: &Path, pages: usize, pupils: Option<usize>) {
    let write = |rel: &str, text: &str| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    };
    write(
        "config.toml",
        "title = \"Bench\"\nbase_url = \"https://bench.example.sch.uk\"\n[school]\nname = \"B\"\naddress = \"A\"\nphone = \"0\"\nemail = \"office@bench.example.sch.uk\"\n[statutory]\nprofile = \"none\"\n",
    );
    common::copy_themes(root);
    write(
        "content/_index.md",
        "+++\ntitle = \"Home\"\n+++\nWelcome.\n",
    );
    if let Some(pupils) = pupils {
        let mut csv = String::from(
            "id,legal_forename,legal_surname,leaving_date,consent_date,never_publish,website_group,website_individual,website_named_first_name\n",
        );
        for i in 0..pupils {
            let f = FORENAMES[i % FORENAMES.len()];
            let s = SURNAMES[(i / FORENAMES.len() + i) % SURNAMES.len()];
            csv.push_str(&format!(
                "{},{f},{s},,07/09/2026,no,yes,yes,yes\n",
                10_000 + i
            ));
        }
        write("consent/register.csv", &csv);
        write("consent/never-publish.toml", common::NOBODY_NEVER);
    }
    let mut rng = Lcg(42);
    for p in 0..pages {
        let mut body = String::new();
        for para in 0..5 {
            for w in 0..60 {
                // About one word in twelve is a pupil's first name, one in
                // 24 a surname that is also a word; never side by side.
                let word = match rng.next(24) {
                    0 | 1 => format!("with {} and", FORENAMES[rng.next(FORENAMES.len())]),
                    2 => format!("the {} of", SURNAME_WORDS[rng.next(SURNAME_WORDS.len())]),
                    _ => WORDS[rng.next(WORDS.len())].to_string(),
                };
                let word = word.as_str();
                if w == 0 {
                    let mut c = word.chars();
                    body.extend(c.next().map(|c| c.to_ascii_uppercase()));
                    body.push_str(c.as_str());
                } else {
                    body.push(' ');
                    body.push_str(word);
                }
            }
            body.push_str(if para % 2 == 0 {
                ".\n\n"
            } else {
                ". *Well done, everyone!*\n\n"
            });
        }
        write(
            &format!("content/s{}/p{p}.md", p / 500),
            &format!("+++\ntitle = \"News {p}\"\n+++\n{body}"),
        );
    }
}
