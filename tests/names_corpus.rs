//! The names rule against a generated corpus: every full name of a
//! register of 200 pupils, written in each of more than 40 ways (the
//! documented ones, what a reader sees but the source hides, and
//! combinations of them), on pages, in video captions and in PDFs: every
//! one is caught. The same pupils' first names, and first names with an
//! initial, are not.

mod common;
use common::*;
use std::collections::BTreeSet;

const FIRST: &[&str] = &[
    "Amelia", "Oliver", "Zoë", "Siân", "Tobias", "Priya", "Mohammed", "Chloé", "Noah", "Freya",
    "Kacper", "Aisha", "Lucas", "Isla", "Mateo", "Niamh", "Yusuf", "Esmé", "Jakub", "Leila",
];

const LAST: &[&str] = &[
    "Okafor",
    "Fitzgerald-Ward",
    "Llewellyn",
    "Kowalczyk",
    "Nguyen",
    "O'Brien",
    "Haddad",
    "Müller",
    "Patel",
    "Thompson",
];

/// A way of writing a full name: what it is, and how (forename, surname).
type Way = (&'static str, fn(&str, &str) -> String);

/// 200 pupils: every first name with every surname, ids P001…P200.
fn pupils() -> Vec<(String, &'static str, &'static str)> {
    let mut out = Vec::new();
    for (i, last) in LAST.iter().enumerate() {
        for (j, first) in FIRST.iter().enumerate() {
            out.push((format!("P{:03}", i * FIRST.len() + j + 1), *first, *last));
        }
    }
    out
}

fn register() -> String {
    let mut csv = "id,legal_forename,legal_surname,role,consent_date,website_group,website_individual,website_named_first_name\n".to_string();
    for (id, first, last) in pupils() {
        csv.push_str(&format!(
            "{id},{first},{last},pupil,2026-09-01,yes,yes,yes\n"
        ));
    }
    csv
}

/// Each letter of `s` through `f`, others as they are.
fn map_letters(s: &str, f: impl Fn(char) -> Option<char>) -> String {
    s.chars().map(|c| f(c).unwrap_or(c)).collect()
}

fn cyrillic(s: &str) -> String {
    map_letters(s, |c| match c {
        'a' => Some('а'),
        'e' => Some('е'),
        'o' => Some('о'),
        'p' => Some('р'),
        'c' => Some('с'),
        'O' => Some('О'),
        'P' => Some('Р'),
        'K' => Some('К'),
        'T' => Some('Т'),
        'M' => Some('М'),
        'H' => Some('Н'),
        _ => None,
    })
}

fn full_width(s: &str) -> String {
    map_letters(s, |c| {
        c.is_ascii_alphabetic()
            .then(|| char::from_u32(c as u32 - 0x21 + 0xFF01))
            .flatten()
    })
}

fn math_bold(s: &str) -> String {
    map_letters(s, |c| match c {
        'A'..='Z' => char::from_u32(0x1D400 + (c as u32 - 'A' as u32)),
        'a'..='z' => char::from_u32(0x1D41A + (c as u32 - 'a' as u32)),
        _ => None,
    })
}

fn small_caps(s: &str) -> String {
    const SMALL: &str = "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘqʀꜱᴛᴜᴠᴡxʏᴢ";
    let table: Vec<char> = SMALL.chars().collect();
    s.chars()
        .map(|c| {
            let l = c.to_ascii_lowercase();
            if l.is_ascii_lowercase() {
                table[(l as u8 - b'a') as usize]
            } else {
                c
            }
        })
        .collect()
}

/// A PDF string of `s` in the Windows (Latin-1) encoding.
fn latin1(s: &str) -> String {
    let mut out = "(".to_string();
    for c in s.chars() {
        match c {
            '(' | ')' | '\\' => out.extend(['\\', c]),
            c if c.is_ascii() => out.push(c),
            c => out.push_str(&format!("\\{:03o}", c as u32)),
        }
    }
    out.push(')');
    out
}

fn reversed(s: &str) -> String {
    s.chars().rev().collect()
}

/// Between every two letters of the first word.
fn inside(s: &str, hidden: &str) -> String {
    let mut chars = s.chars();
    let first: String = chars.by_ref().take(2).collect();
    format!("{first}{hidden}{}", chars.as_str())
}

fn strip_accents(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect()
}

fn decomposed(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfd().collect()
}

fn initial(s: &str) -> String {
    strip_accents(&s.chars().next().unwrap().to_string())
}

/// Every way a page may write a full name, as Markdown.
fn page_ways() -> Vec<Way> {
    vec![
        ("plain", |f, l| format!("{f} {l}")),
        ("capitals", |f, l| {
            format!("{} {}", f.to_uppercase(), l.to_uppercase())
        }),
        ("small letters", |f, l| {
            format!("{} {}", f.to_lowercase(), l.to_lowercase())
        }),
        ("surname first", |f, l| format!("{l}, {f}")),
        ("shouted surname first", |f, l| {
            format!("{} {f}", l.to_uppercase())
        }),
        ("middle name", |f, l| format!("{f} Marie {l}")),
        ("two middle names", |f, l| format!("{f} Anne Marie {l}")),
        ("possessive", |f, l| format!("{f} {l}'s painting")),
        ("emphasis", |f, l| format!("{f} *{l}*")),
        ("markup inside a word", |f, l| {
            format!("{}<b>{}</b> {l}", &f[..2], &f[2..])
        }),
        ("line break", |f, l| format!("{f}\n{l}")),
        ("no-break space entity", |f, l| format!("{f}&nbsp;{l}")),
        ("numeric reference", |f, l| {
            format!("&#{};{} {l}", f.chars().next().unwrap() as u32, &f[1..])
        }),
        ("zero-width space", |f, l| {
            format!("{} {l}", inside(f, "\u{200B}"))
        }),
        ("soft hyphen entity", |f, l| {
            format!("{} {l}", inside(f, "&shy;"))
        }),
        ("word joiner", |f, l| {
            format!("{} {}", inside(f, "\u{2060}"), inside(l, "\u{2060}"))
        }),
        ("isolates", |f, l| {
            format!("{} {l}", inside(f, "\u{2066}\u{2069}"))
        }),
        ("variation selector", |f, l| {
            format!("{} {l}", inside(f, "\u{FE0F}"))
        }),
        ("tag character", |f, l| {
            format!("{} {l}", inside(f, "\u{E0041}"))
        }),
        ("Hangul filler as the space", |f, l| {
            format!("{f}\u{3164}{l}")
        }),
        ("look-alike letters", |f, l| {
            format!("{} {}", cyrillic(f), cyrillic(l))
        }),
        ("full-width letters", |f, l| {
            format!("{} {}", full_width(f), full_width(l))
        }),
        ("mathematical letters", |f, l| {
            format!("{} {}", math_bold(f), math_bold(l))
        }),
        ("small capitals", |f, l| {
            format!("{} {}", small_caps(f), small_caps(l))
        }),
        ("accents taken off", |f, l| {
            format!("{} {}", strip_accents(f), strip_accents(l))
        }),
        ("decomposed accents", |f, l| {
            format!("{} {}", decomposed(f), decomposed(l))
        }),
        ("right-to-left override", |f, l| {
            format!("\u{202E}{}\u{202C}", reversed(&format!("{f} {l}")))
        }),
        ("override as a reference", |f, l| {
            format!("&#x202E;{}&#x202C;", reversed(&format!("{f} {l}")))
        }),
        ("surname reversed", |f, l| {
            format!("{f} \u{202E}{}\u{202C}", reversed(l))
        }),
        ("initial and surname", |f, l| format!("{}. {l}", initial(f))),
        ("surname and initial", |f, l| {
            format!("{l}, {}.", initial(f))
        }),
        ("alt text", |f, l| {
            format!("![{f} {l} at the fair](fair.png)")
        }),
        ("link text split", |f, l| {
            format!("[{f}](https://example.org/) {l}")
        }),
        ("link address", |f, l| {
            format!(
                "[Our winner](https://example.org/{}-{}/)",
                f.to_lowercase(),
                l.to_lowercase()
            )
        }),
        ("fragment", |f, l| {
            format!(
                "[Our winner](/corpus/#{}-{})",
                strip_accents(&f.to_lowercase()),
                strip_accents(&l.to_lowercase()).replace('\'', "")
            )
        }),
        ("title attribute", |f, l| {
            format!("<span title=\"{f} {l}\">Our winner</span>")
        }),
        ("class attribute", |f, l| {
            format!(
                "<span class=\"{}-{}\">Our winner</span>",
                strip_accents(f),
                strip_accents(l).replace('\'', "")
            )
        }),
        ("joined by a full stop", |f, l| {
            format!(
                "<span id=\"{}.{}\">Our winner</span>",
                strip_accents(f),
                strip_accents(l).replace('\'', "")
            )
        }),
        ("data attribute", |f, l| {
            format!("<span data-who=\"{f} {l}\">Our winner</span>")
        }),
        ("aria label", |f, l| {
            format!("<span aria-label=\"{f} {l}\">Our winner</span>")
        }),
        ("curly quotes and a possessive", |f, l| {
            format!("\u{201C}{f} {l}\u{2019}s\u{201D}")
        }),
        ("override and look-alikes", |f, l| {
            format!(
                "\u{202E}{}\u{202C}",
                reversed(&cyrillic(&format!("{f} {l}")))
            )
        }),
        ("capitals, markup and a zero-width space", |f, l| {
            format!(
                "{} <em>{}</em>",
                inside(&f.to_uppercase(), "\u{200B}"),
                l.to_uppercase()
            )
        }),
        ("small capitals with a joiner", |f, l| {
            format!("{} {}", inside(&small_caps(f), "\u{2060}"), small_caps(l))
        }),
    ]
}

/// Ways that are never a full name.
fn near_misses() -> Vec<Way> {
    vec![
        ("first name", |f, _| f.to_string()),
        ("first name and initial", |f, l| {
            format!("{f} {}.", initial(l))
        }),
        ("first name, initial, markup", |f, l| {
            format!("*{f}* {}.", initial(l))
        }),
        ("a title and an initial", |f, l| {
            format!("Mrs {}. {l}", initial(f))
        }),
        ("two sentences", |f, l| {
            format!("Well done, {f}. {l} Road is closed.")
        }),
    ]
}

/// The pupils named in a findings list, by id.
fn named(findings: &[serde_json::Value], file: &str) -> BTreeSet<String> {
    findings
        .iter()
        .filter(|f| f["rule"].as_str().is_some_and(|r| r.starts_with("name-")))
        .filter(|f| f["file"] == file)
        .filter_map(|f| {
            let m = f["message"].as_str()?;
            let at = m.find("pupil P")? + "pupil ".len();
            Some(m[at..at + 4].to_string())
        })
        .collect()
}

/// Asserts that in the file `file(i)` of each way `i`, every pupil is
/// named in a finding.
fn every_pupil_caught(
    findings: &[serde_json::Value],
    ways: &[Way],
    file: impl Fn(usize) -> String,
) {
    let all: BTreeSet<String> = pupils().into_iter().map(|p| p.0).collect();
    for (i, (name, _)) in ways.iter().enumerate() {
        let found = named(findings, &file(i));
        let missed: Vec<&String> = all.difference(&found).collect();
        assert!(
            missed.is_empty(),
            "{name}: {} missed, e.g. {:?}",
            missed.len(),
            &missed[..missed.len().min(5)]
        );
    }
}

fn surnames() -> Vec<&'static str> {
    // The distinctive ones: "Patel" is also a staff member's initial
    // line in the config ("A. Patel"), so it is not looked for.
    LAST.iter().copied().filter(|l| *l != "Patel").collect()
}

#[test]
fn every_way_of_writing_every_pupils_name_is_caught_on_pages() {
    let site = Site::new();
    site.write("consent/register.csv", register());
    let ways = page_ways();
    assert!(ways.len() >= 40, "{}", ways.len());
    let page_of = |i: usize, name: &str, f: fn(&str, &str) -> String| {
        let body: Vec<String> = pupils()
            .iter()
            .map(|(_, first, last)| format!("Well done to {} today.", f(first, last)))
            .collect();
        format!(
            "+++\ntitle = \"{name} ({i})\"\n+++\n\n{}\n",
            body.join("\n\n")
        )
    };
    for (i, (name, f)) in ways.iter().enumerate() {
        site.write(
            &format!("content/corpus/way-{i:02}.md"),
            page_of(i, name, *f),
        );
    }
    for (i, (name, f)) in near_misses().iter().enumerate() {
        site.write(
            &format!("content/corpus/miss-{i:02}.md"),
            page_of(i, name, *f),
        );
    }
    site.write("content/corpus/_index.md", "+++\ntitle = \"Corpus\"\n+++\n");
    let (_, findings) = json_findings(&site, "2026-11-23", &surnames());
    every_pupil_caught(&findings, &ways, |i| {
        format!("content/corpus/way-{i:02}.md")
    });
    for (i, (name, _)) in near_misses().iter().enumerate() {
        let found = named(&findings, &format!("content/corpus/miss-{i:02}.md"));
        assert!(
            found.is_empty(),
            "{name}: {} caught, e.g. {:?}",
            found.len(),
            found.iter().take(5).collect::<Vec<_>>()
        );
    }
}

#[test]
fn every_way_of_writing_every_pupils_name_is_caught_in_captions() {
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("clip.mp4");
    let made = ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=64x48:rate=5:duration=1",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        clip.to_str().unwrap(),
    ]);
    if made.is_none() {
        return;
    }
    let clip = std::fs::read(&clip).unwrap();
    let ways: Vec<Way> = vec![
        ("plain", |f, l| format!("{f} {l}")),
        ("bold inside a word", |f, l| {
            format!("{}<b>{}</b> {l}", &f[..2], &f[2..])
        }),
        ("class span", |f, l| {
            format!("<c.yellow>{f}</c> <c.big>{l}</c>")
        }),
        ("timestamp tag", |f, l| format!("{f} <00:00:00.500>{l}")),
        ("references", |f, l| format!("{f}&#32;{l}")),
        ("ruby", |f, l| {
            format!("<ruby>{}<rt>x</rt>{}</ruby> {l}", &f[..2], &f[2..])
        }),
        ("voice", |f, l| format!("<v {f} {l}>Hello!")),
        ("override", |f, l| {
            format!("\u{202E}{}\u{202C}", reversed(&format!("{f} {l}")))
        }),
        ("zero-width space", |f, l| {
            format!("{} {l}", inside(f, "\u{200B}"))
        }),
        ("look-alikes", |f, l| {
            format!("{} {}", cyrillic(f), cyrillic(l))
        }),
        ("small capitals", |f, l| {
            format!("{} {}", small_caps(f), small_caps(l))
        }),
        ("initial and surname", |f, l| format!("{}. {l}", initial(f))),
    ];
    let site = Site::new();
    site.write("consent/register.csv", register());
    let mut page = "+++\ntitle = \"Clips\"\n+++\n\n".to_string();
    let mut sidecar = String::new();
    let people: Vec<String> = pupils()
        .into_iter()
        .take(2)
        .map(|p| format!("\"{}\"", p.0))
        .collect();
    for (i, (_, f)) in ways.iter().enumerate() {
        let mut vtt = "WEBVTT\n".to_string();
        for (n, (_, first, last)) in pupils().iter().enumerate() {
            vtt.push_str(&format!(
                "\n00:00:{:02}.000 --> 00:00:{:02}.500\nWell done, {}!\n",
                n % 60,
                n % 60,
                f(first, last)
            ));
        }
        site.write(&format!("content/clips/c{i:02}.mp4"), &clip);
        site.write(&format!("content/clips/c{i:02}.vtt"), vtt);
        page.push_str(&format!("![Clip {i} of the race](c{i:02}.mp4)\n\n"));
        sidecar.push_str(&format!(
            "[[photo]]\nfile = \"c{i:02}.mp4\"\npeople = [{}]\nfocus = \"group\"\n\n",
            people.join(", ")
        ));
    }
    site.write("content/clips/_index.md", page);
    site.write("content/clips/photos.toml", sidecar);
    let (_, findings) = json_findings(&site, "2026-11-23", &surnames());
    every_pupil_caught(&findings, &ways, |i| format!("content/clips/c{i:02}.vtt"));
}

#[test]
fn every_pupils_name_is_caught_in_pdfs_and_first_names_are_not() {
    // Helvetica with its Windows encoding (accents as Latin-1 codes), and
    // the composite font with a Unicode map.
    let ways: Vec<Way> = vec![
        ("plain", |f, l| latin1(&format!("{f} {l}"))),
        ("capitals", |f, l| {
            latin1(&format!("{} {}", f.to_uppercase(), l.to_uppercase()))
        }),
        ("surname first", |f, l| latin1(&format!("{l}, {f}"))),
        ("accents off, composite font", |f, l| {
            pdf_hex(&format!("{} {}", strip_accents(f), strip_accents(l)))
        }),
        ("initial and surname", |f, l| {
            latin1(&format!("{}. {l}", initial(f)))
        }),
        // Word and Chrome write text in composite fonts read through a
        // Unicode map: accents and all.
        ("composite font with accents", |f, l| {
            pdf_hex(&format!("{f} {l}"))
        }),
    ];
    let misses: Vec<Way> = vec![
        ("first name", |f, _| latin1(f)),
        ("first name, composite font", |f, _| pdf_hex(f)),
        ("first name and initial", |f, l| {
            latin1(&format!("{f} {}.", initial(l)))
        }),
    ];
    let site = Site::new();
    site.write("consent/register.csv", register());
    let mut page = "+++\ntitle = \"Letters\"\n+++\n\n".to_string();
    let mut write_pdf = |file: &str, f: fn(&str, &str) -> String| {
        let mut draws = Vec::new();
        for chunk in pupils().chunks(50) {
            let mut draw = String::new();
            for (n, (_, first, last)) in chunk.iter().enumerate() {
                let font = if f(first, last).starts_with('<') {
                    "/U1"
                } else {
                    "/F1"
                };
                draw.push_str(&format!(
                    "BT {font} 12 Tf 40 {} Td {} Tj ET\n",
                    800 - 15 * n,
                    f(first, last)
                ));
            }
            draws.push(draw);
        }
        let pages: Vec<PdfPage> = draws.iter().map(|d| PdfPage::new(d)).collect();
        site.write(&format!("content/letters/{file}"), pdf_pages(&pages));
        page.push_str(&format!("[Letter {file}]({file})\n\n"));
    };
    for (i, (_, f)) in ways.iter().enumerate() {
        write_pdf(&format!("way-{i}.pdf"), *f);
    }
    for (i, (_, f)) in misses.iter().enumerate() {
        write_pdf(&format!("miss-{i}.pdf"), *f);
    }
    site.write("content/letters/_index.md", page);
    let (_, findings) = json_findings(&site, "2026-11-23", &surnames());
    every_pupil_caught(&findings, &ways, |i| format!("content/letters/way-{i}.pdf"));
    for (i, (name, _)) in misses.iter().enumerate() {
        let found = named(&findings, &format!("content/letters/miss-{i}.pdf"));
        assert!(found.is_empty(), "{name}: {found:?}");
    }
}
