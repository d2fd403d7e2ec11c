//! `schoolsite takedown`: photos come off the published site at once,
//! with no approval; only ever taken away (every other file the same
//! bytes, no new file); recorded in the audit log with who and why; and
//! no later build that still shows them can be approved or published.
//! Published pages are read back with a parser of the tests' own
//! (markup5ever_rcdom), not schoolsite's.

mod common;
use common::*;
use html5ever::tendril::TendrilSink;
use markup5ever_rcdom::{Handle, NodeData, RcDom};
use std::collections::BTreeMap;
use std::path::Path;

const TODAY: &str = "2026-11-23";
const RELAY: &str = "content/news/2026-10-23-house-relay/relay.jpg";
const SUNFLOWER: &str = "content/news/2026-10-23-house-relay/sunflower.jpg";
const PAGE: &str = "news/house-relay/index.html";
const PAGE_MD: &str = "content/news/2026-10-23-house-relay/index.md";
/// Surnames of the example register's pupils: never printed or written.
const SURNAMES: &[&str] = &["Hartley", "Nguyen", "Okafor"];

/// The example site, built, approved by the headteacher and published
/// to a folder outside it.
struct World {
    base: Approvable,
}

impl std::ops::Deref for World {
    type Target = Approvable;
    fn deref(&self) -> &Approvable {
        &self.base
    }
}

impl World {
    fn published() -> World {
        let w = World {
            base: Approvable::with_headteacher(),
        };
        w.build();
        assert_eq!(w.approve().code, 0);
        let run = w.publish();
        assert_eq!(run.code, 0, "{}", run.all());
        w
    }

    fn build(&self) {
        let run = self.run(&["build", "--today", TODAY]);
        assert_eq!(run.code, 0, "{}", run.all());
    }

    fn approve(&self) -> Run {
        self.run(&["approve", "--key", self.key().to_str().unwrap()])
    }

    /// Publishes on the real date: `publish` never checks an earlier
    /// one (the build's own `--today` is fixed, for its fixtures).
    fn publish(&self) -> Run {
        self.run(&["publish", "--to", self.www().to_str().unwrap()])
    }

    fn takedown(&self, what: &[&str]) -> Run {
        self.takedown_because(what, "consent withdrawn by a parent today")
    }

    /// A takedown by the DSL; nothing it prints names a pupil in full,
    /// even when the reason does.
    fn takedown_because(&self, what: &[&str], reason: &str) -> Run {
        let mut args = vec!["takedown"];
        args.extend_from_slice(what);
        let www = self.www();
        args.extend([
            "--reason",
            reason,
            "--by",
            "Asha Patel, DSL",
            "--to",
            www.to_str().unwrap(),
        ]);
        let run = self.run(&args);
        for s in SURNAMES {
            assert!(
                !run.all().contains(s),
                "a full name was printed: {}",
                run.all()
            );
        }
        run
    }

    /// Every file of the published folder, with its bytes.
    fn served(&self) -> BTreeMap<String, Vec<u8>> {
        let www = self.www();
        walk(&www)
            .into_iter()
            .map(|p| {
                (
                    p.strip_prefix(&www)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                    std::fs::read(&p).unwrap(),
                )
            })
            .collect()
    }

    /// The published versions of a photo, from the build's manifest.
    fn versions(&self, source: &str) -> Vec<String> {
        let m: serde_json::Value =
            serde_json::from_str(&self.site.read(".schoolsite/manifest.json")).unwrap();
        let photo = m["photos"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["source"] == source)
            .unwrap_or_else(|| panic!("{source} is not in the manifest"));
        photo["published"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    }

    fn approvals(&self) -> usize {
        std::fs::read_dir(self.site.path("approvals"))
            .unwrap()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
            .count()
    }

    fn audit_log(&self) -> Vec<serde_json::Value> {
        self.site
            .read("approvals/audit.log")
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

/// Every address in a page (src, srcset candidates, href, poster),
/// read by the tests' own HTML parser.
fn addresses(html: &[u8]) -> Vec<String> {
    fn walk(node: &Handle, out: &mut Vec<String>) {
        if let NodeData::Element { attrs, .. } = &node.data {
            for a in attrs.borrow().iter() {
                let name: &str = &a.name.local;
                let value: &str = &a.value;
                match name {
                    "src" | "href" | "poster" => out.push(value.to_string()),
                    "srcset" => out.extend(
                        value
                            .split(',')
                            .filter_map(|c| c.split_whitespace().next())
                            .map(String::from),
                    ),
                    _ => {}
                }
            }
        }
        for c in node.children.borrow().iter() {
            walk(c, out);
        }
    }
    let dom = html5ever::parse_document(RcDom::default(), Default::default())
        .from_utf8()
        .one(html);
    let mut out = Vec::new();
    walk(&dom.document, &mut out);
    out
}

/// Asserts the folder after a takedown only lost files, and that every
/// file it kept is byte for byte the one published, but `rebuilt`.
fn only_taken_away(
    before: &BTreeMap<String, Vec<u8>>,
    after: &BTreeMap<String, Vec<u8>>,
    rebuilt: &[&str],
) {
    for (path, bytes) in after {
        if path == ".schoolsite-published" {
            continue;
        }
        let old = before
            .get(path)
            .unwrap_or_else(|| panic!("the takedown added {path}"));
        if rebuilt.contains(&path.as_str()) {
            assert_ne!(old, bytes, "{path} was not rebuilt");
            assert!(bytes.len() < old.len(), "{path} grew");
        } else {
            assert_eq!(old, bytes, "the takedown changed {path}");
        }
    }
}

#[test]
fn a_person_comes_down_at_once_without_an_approval_and_it_is_recorded() {
    let w = World::published();
    let before = w.served();
    let approvals = w.approvals();
    let taken: Vec<String> = [RELAY, SUNFLOWER]
        .iter()
        .flat_map(|s| w.versions(s))
        .collect();
    let kept = w.versions("content/school-building.jpg");
    for f in taken.iter().chain(&kept) {
        assert!(before.contains_key(f), "{f} was not published");
    }

    let run = w.takedown(&["--person", "1001"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("Took down 2 photos"), "{}", run.stdout);
    assert!(run.stdout.contains("1001 (Millie H.)"), "{}", run.stdout);

    // The folder: every version of both photos gone, the page rebuilt
    // without them, everything else exactly as published, nothing new.
    let after = w.served();
    for f in &taken {
        assert!(!after.contains_key(f), "{f} is still published");
    }
    for f in &kept {
        assert_eq!(after.get(f), before.get(f), "{f} was touched");
    }
    only_taken_away(&before, &after, &[PAGE]);
    assert_eq!(after.len(), before.len() - taken.len());
    let page = addresses(&after[PAGE]);
    for f in &taken {
        assert!(
            !page.iter().any(|a| a.ends_with(f.as_str())),
            "the page still refers to {f}: {page:?}"
        );
    }
    let text = String::from_utf8_lossy(&after[PAGE]);
    assert!(text.contains("The sun came out for our house relay afternoon."));
    assert!(!text.contains("<img"), "{text}");
    assert_valid_html(&w.www().join(PAGE));

    // No approval was made for it; the audit log says who, why, what.
    assert_eq!(w.approvals(), approvals);
    let log = w.audit_log();
    let entry = log.last().unwrap();
    assert_eq!(entry["event"], "takedown");
    assert_eq!(entry["approver"], serde_json::Value::Null);
    let t = &entry["takedown"];
    assert_eq!(t["by"], "Asha Patel, DSL");
    assert_eq!(t["reason"], "consent withdrawn by a parent today");
    assert_eq!(t["people"], serde_json::json!(["1001"]));
    let photos = t["photos"].to_string();
    assert!(
        photos.contains(RELAY) && photos.contains(SUNFLOWER),
        "{photos}"
    );
    let raw = w.site.read("approvals/audit.log");
    for s in SURNAMES {
        assert!(!raw.contains(s), "a full name is in the audit log");
    }
    let verify = w.run(&["audit", "verify"]);
    assert_eq!(verify.code, 0, "{}", verify.all());
    assert!(verify.stdout.contains("all 2 entries are intact"));
    let records = walk(&w.site.path("approvals/takedowns"));
    assert_eq!(records.len(), 1);

    // A second takedown starts from the first one's copy, which it can
    // check against the first one's record.
    let before = after;
    let run = w.takedown(&["--photo", "content/school-building.jpg"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("rebuilt without them: index.html"));
    let after = w.served();
    only_taken_away(&before, &after, &["index.html"]);
    for f in &kept {
        assert!(!after.contains_key(f), "{f} is still published");
    }
    assert_eq!(w.run(&["audit", "verify"]).code, 0);
}

#[test]
fn a_photo_comes_down_and_someone_elses_photo_on_the_same_page_stays() {
    let w = World::published();
    let before = w.served();
    // A copy of the photo as a parent saved it from the website.
    let saved = w.outside.path().join("saved-from-website.jpg");
    let sunflower = w.versions(SUNFLOWER);
    std::fs::write(&saved, &before[&sunflower[1]]).unwrap();

    let run = w.takedown(&["--photo", saved.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.all());
    let after = w.served();
    only_taken_away(&before, &after, &[PAGE]);
    for f in &sunflower {
        assert!(!after.contains_key(f), "{f} is still published");
    }
    let page = addresses(&after[PAGE]);
    for f in w.versions(RELAY) {
        assert!(after.contains_key(&f), "{f} went too");
        assert!(
            page.iter().any(|a| a == &format!("/{f}")),
            "the page lost the relay photo {f}: {page:?}"
        );
    }
    assert!(
        !page
            .iter()
            .any(|a| sunflower.iter().any(|s| a.ends_with(s.as_str())))
    );
}

#[test]
fn a_page_takedown_takes_a_clip_with_its_captions() {
    let w = World::published();
    let before = w.served();
    let run = w.takedown(&["--page", "/news/autumn-garden/", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let removed = doc["files_removed"].to_string();
    assert!(
        removed.contains(".mp4") && removed.contains(".vtt"),
        "{removed}"
    );
    let after = w.served();
    only_taken_away(&before, &after, &["news/autumn-garden/index.html"]);
    let page = addresses(&after["news/autumn-garden/index.html"]);
    assert!(!page.iter().any(|a| a.starts_with("/media/")), "{page:?}");
    assert!(
        !after
            .keys()
            .any(|k| k.ends_with(".vtt") || k.ends_with(".mp4"))
    );
}

#[test]
fn nothing_matching_is_refused_and_says_what_was_searched() {
    let w = World::published();
    let before = w.served();
    let run = w.takedown(&["--person", "9999"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stderr.contains("nothing was taken down"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("no published photo declares register id 9999"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("searched the 8 photos"),
        "{}",
        run.stderr
    );
    let run = w.takedown(&["--photo", "content/news/no-such.jpg"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("--photo content/news/no-such.jpg"));
    assert_eq!(w.served(), before);
    assert!(!w.site.path("approvals/takedowns").exists());
    assert_eq!(w.audit_log().last().unwrap()["event"], "refused");
    assert_eq!(w.run(&["audit", "verify"]).code, 0);

    // Nor is a folder schoolsite never published taken from.
    let elsewhere = w.outside.path().join("other");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("index.html"), "<p>Theirs</p>").unwrap();
    let run = w.run(&[
        "takedown",
        "--person",
        "1001",
        "--reason",
        "r",
        "--by",
        "b",
        "--to",
        elsewhere.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert_eq!(
        std::fs::read_to_string(elsewhere.join("index.html")).unwrap(),
        "<p>Theirs</p>"
    );
}

#[test]
fn the_next_build_must_leave_it_out_until_it_is_lifted() {
    let w = World::published();
    let run = w.takedown(&["--photo", SUNFLOWER]);
    assert_eq!(run.code, 0, "{}", run.all());
    let served = w.served();

    // The build approved before the takedown still shows the photo.
    let run = w.publish();
    assert_eq!(run.code, 1, "a taken-down photo was published again");
    assert!(
        run.stderr
            .contains(&format!("{SUNFLOWER} is a photo taken down on")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("take it off the site"),
        "{}",
        run.stderr
    );
    assert_eq!(w.served(), served);
    // Nor can it be approved again.
    let run = w.approve();
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains(SUNFLOWER), "{}", run.stderr);

    // Put back under another name, it is still the same photo.
    let md = w.site.read("content/news/2026-10-23-house-relay/index.md");
    std::fs::rename(
        w.site.path(SUNFLOWER),
        w.site.path("content/news/2026-10-23-house-relay/tall.jpg"),
    )
    .unwrap();
    w.site.write(
        "content/news/2026-10-23-house-relay/index.md",
        md.replace("(sunflower.jpg)", "(tall.jpg)"),
    );
    let toml = w
        .site
        .read("content/news/2026-10-23-house-relay/photos.toml");
    w.site.write(
        "content/news/2026-10-23-house-relay/photos.toml",
        toml.replace("\"sunflower.jpg\"", "\"tall.jpg\""),
    );
    // The build itself says so, at the line that shows it.
    let run = w.run(&["build", "--today", TODAY]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.all().contains("taken-down"), "{}", run.all());
    assert!(
        run.all()
            .contains("the photo content/news/2026-10-23-house-relay/tall.jpg was taken down on"),
        "{}",
        run.all()
    );
    // And the last build, which still shows it, is not approved.
    assert_eq!(w.approve().code, 1);

    // Taken off the page, the build is approved and published.
    std::fs::remove_file(w.site.path("content/news/2026-10-23-house-relay/tall.jpg")).unwrap();
    let without: String = md
        .lines()
        .filter(|l| !l.contains("(sunflower.jpg)"))
        .collect::<Vec<_>>()
        .join("\n");
    w.site.write(
        "content/news/2026-10-23-house-relay/index.md",
        without + "\n",
    );
    w.site.write(
        "content/news/2026-10-23-house-relay/photos.toml",
        toml.split("[[photo]]\nfile = \"sunflower.jpg\"")
            .next()
            .unwrap(),
    );
    w.build();
    let run = w.approve();
    assert_eq!(run.code, 0, "{}", run.all());
    let run = w.publish();
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(w.run(&["audit", "verify"]).code, 0);
}

#[test]
fn a_person_takedown_is_lifted_only_by_an_approver() {
    let w = World::published();
    let run = w.takedown(&["--person", "1001"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let id = walk(&w.site.path("approvals/takedowns"))[0]
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .to_string();
    // Someone who is not an approver cannot lift it.
    let office = tempfile::tempdir().unwrap();
    let other = office.path().join("keys/office.key");
    let elsewhere = tempfile::tempdir().unwrap();
    let run = run_bin(&[
        "keygen",
        "--name",
        "Office",
        "--role",
        "Office",
        "--out",
        other.to_str().unwrap(),
        "--root",
        elsewhere.path().to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.all());
    let lift = |key: &Path| {
        w.run(&[
            "takedown",
            "lift",
            &id,
            "--key",
            key.to_str().unwrap(),
            "--reason",
            "the register shows consent again",
        ])
    };
    let run = lift(&other);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("only an approver can lift a takedown"));
    assert_eq!(w.publish().code, 1);
    // `check` finds both photos of the person, each at its page line.
    let (code, found) = taken_down(&w);
    assert_eq!(code, 1);
    let lines: Vec<(String, u64)> = found
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            (PAGE_MD.to_string(), line_of(&w, "(relay.jpg)")),
            (PAGE_MD.to_string(), line_of(&w, "(sunflower.jpg)")),
        ]
    );
    for f in &found {
        let message = f["message"].as_str().unwrap();
        assert!(message.contains("shows 1001 (Millie H.), whose photos were taken down on"));
    }

    let run = lift(&w.key());
    assert_eq!(run.code, 0, "{}", run.all());
    // Lifted, the build is clean again.
    let (code, found) = taken_down(&w);
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(code, 0);
    let run = w.publish();
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(w.run(&["audit", "verify"]).code, 0);
}

/// `schoolsite check --format json`: its exit code and its `taken-down`
/// findings.
fn taken_down(w: &World) -> (i32, Vec<serde_json::Value>) {
    let run = w.run(&["check", "--format", "json", "--today", TODAY]);
    for s in SURNAMES {
        assert!(
            !run.all().contains(s),
            "a full name was printed: {}",
            run.all()
        );
    }
    let report: serde_json::Value =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.all()));
    let found = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "taken-down")
        .cloned()
        .collect();
    (run.code, found)
}

/// The line of the house relay page that holds `text`.
fn line_of(w: &World, text: &str) -> u64 {
    let md = w.site.read(PAGE_MD);
    let at = md.lines().position(|l| l.contains(text)).unwrap();
    at as u64 + 1
}

#[test]
fn check_says_where_a_taken_down_photo_still_is_and_how_to_take_it_off() {
    let w = World::published();
    // A reason typed in a hurry, with the pupil's full name in it.
    let run = w.takedown_because(
        &["--photo", SUNFLOWER],
        "Millie Hartley-Brook's mother withdrew consent",
    );
    assert_eq!(run.code, 0, "{}", run.all());
    // Nor is it written in full: the record and the audit log mask it.
    let record = &walk(&w.site.path("approvals/takedowns"))[0];
    let written = std::fs::read_to_string(record).unwrap() + &w.site.read("approvals/audit.log");
    for s in SURNAMES {
        assert!(!written.contains(s), "a full name was written");
    }
    assert!(written.contains("Millie H******-B****'s mother withdrew consent"));
    let (code, found) = taken_down(&w);
    assert_eq!(code, 1, "a build with a taken-down photo passed");
    // One finding: the relay photo on the same page (a near miss) has
    // none.
    assert_eq!(found.len(), 1, "{found:?}");
    let f = &found[0];
    assert_eq!(f["severity"], "error");
    assert_eq!(f["file"], PAGE_MD);
    assert_eq!(f["line"].as_u64(), Some(line_of(&w, "(sunflower.jpg)")));
    let message = f["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!("the photo {SUNFLOWER} was taken down on ")),
        "{message}"
    );
    assert!(message.contains("by Asha Patel, DSL"), "{message}");
    assert!(
        message.contains("Millie H******-B****'s mother withdrew consent"),
        "{message}"
    );
    assert!(message.contains("approvals/takedowns/"), "{message}");
    assert!(
        message.contains("content/news/2026-10-23-house-relay/photos.toml line 13"),
        "{message}"
    );
    assert!(!message.contains("relay.jpg"), "{message}");
    let fix = f["fix"].as_str().unwrap();
    assert!(
        fix.starts_with(
            "take the photo off the page (content/news/2026-10-23-house-relay/index.md line 12)"
        ),
        "{fix}"
    );
    assert!(fix.contains("have that build approved"), "{fix}");
    assert!(!fix.contains("lift"), "the fix is a way around: {fix}");

    // Taken off the page and out of content/, there is no finding.
    let md = w.site.read(PAGE_MD);
    let without: Vec<&str> = md
        .lines()
        .filter(|l| !l.contains("(sunflower.jpg)"))
        .collect();
    w.site.write(PAGE_MD, without.join("\n") + "\n");
    std::fs::remove_file(w.site.path(SUNFLOWER)).unwrap();
    let toml = w
        .site
        .read("content/news/2026-10-23-house-relay/photos.toml");
    w.site.write(
        "content/news/2026-10-23-house-relay/photos.toml",
        toml.split("[[photo]]\nfile = \"sunflower.jpg\"")
            .next()
            .unwrap(),
    );
    let (code, found) = taken_down(&w);
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(code, 0);
}

/// The approver's preview, written and read back as text.
fn preview(w: &World) -> String {
    let run = w.run(&["preview", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.all());
    let html = w.site.read(".schoolsite/preview.html");
    for s in SURNAMES {
        assert!(!html.contains(s), "a full name is in the preview");
    }
    html
}

#[test]
fn the_preview_lists_the_takedowns_that_stand_and_whether_the_build_shows_them() {
    let w = World::published();
    let before = preview(&w);
    assert!(!before.contains("Takedowns in force"));

    let run = w.takedown_because(
        &["--person", "1004"],
        "Harry Nguyen's parents withdrew consent",
    );
    assert_eq!(run.code, 0, "{}", run.all());
    let html = preview(&w);
    let section = html
        .split("<h2 id=\"takedowns\">Takedowns in force</h2>")
        .nth(1)
        .unwrap_or_else(|| panic!("no takedowns section: {html}"));
    let section = section.split("</section>").next().unwrap();
    assert!(section.contains("Taken down on "), "{section}");
    assert!(section.contains("by Asha Patel, DSL"), "{section}");
    assert!(
        section.contains("Harry N*****&#39;s parents withdrew consent")
            || section.contains("Harry N*****'s parents withdrew consent"),
        "{section}"
    );
    assert!(section.contains("Every photo of 1004 Harry"), "{section}");
    assert!(section.contains("approvals/takedowns/"), "{section}");
    // The last build still shows the photos, so it cannot be approved.
    assert!(section.contains("This build still shows"), "{section}");
    assert!(html.contains("This build cannot be approved yet"));

    // A build without them is shown as leaving them out.
    let photos: Vec<String> = {
        let m: serde_json::Value =
            serde_json::from_str(&w.site.read(".schoolsite/manifest.json")).unwrap();
        m["photos"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| {
                p["people"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|id| id == "1004")
            })
            .map(|p| p["source"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(!photos.is_empty());
    for source in &photos {
        assert!(section.contains(source.as_str()), "{source}: {section}");
        take_off(&w, source);
    }
    w.build();
    let html = preview(&w);
    assert!(html.contains("This build leaves them out."), "{html}");
    assert!(!html.contains("This build still shows"));
}

/// Takes a photo off its page and out of content/ and photos.toml: what
/// the finding's fix says.
fn take_off(w: &World, source: &str) {
    let (dir, name) = source.rsplit_once('/').unwrap();
    for entry in std::fs::read_dir(w.site.path(dir)).unwrap().flatten() {
        let path = entry.path();
        let rel = format!("{dir}/{}", entry.file_name().to_string_lossy());
        if path.extension().is_some_and(|e| e == "md") {
            let md = w.site.read(&rel);
            let kept: Vec<&str> = md
                .lines()
                .filter(|l| !l.contains(&format!("({name})")))
                .collect();
            w.site.write(&rel, kept.join("\n") + "\n");
        }
    }
    let toml_path = format!("{dir}/photos.toml");
    let toml: toml::Table = w.site.read(&toml_path).parse().unwrap();
    let mut toml = toml;
    if let Some(toml::Value::Array(photos)) = toml.get_mut("photo") {
        photos.retain(|p| p.get("file").and_then(|f| f.as_str()) != Some(name));
    }
    w.site.write(&toml_path, toml::to_string(&toml).unwrap());
    std::fs::remove_file(w.site.path(source)).unwrap();
}
