//! `publish` trusts nothing it did not sign (issue 21, items 1 to 3):
//! the real date (never an earlier one), an audit log anchored by the
//! approvals' signatures and the published folder's marker, and a target
//! folder it can prove it wrote. Each attempt is paired with its near
//! miss, which must still work.
//!
//! "The real date" is the computer's: no test hook moves it. The tests
//! read the same clock and use dates relative to it (a day before, a
//! month after), so they hold on any day the example register allows
//! publishing.

mod common;
use common::*;
use std::path::PathBuf;

/// The example build's own date (its fixtures are written for it).
const BUILT_ON: &str = "2026-11-23";

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
    /// The example site, built and approved by the headteacher.
    fn approved() -> World {
        let w = World {
            base: Approvable::with_headteacher(),
        };
        let run = w.run(&["build", "--today", BUILT_ON]);
        assert_eq!(run.code, 0, "{}", run.all());
        assert_eq!(w.approve().code, 0);
        w
    }

    fn approve(&self) -> Run {
        // Approvals are named by the second they are signed in.
        std::thread::sleep(std::time::Duration::from_millis(1100));
        self.run(&["approve", "--key", self.key().to_str().unwrap()])
    }

    fn publish(&self, extra: &[&str]) -> Run {
        let www = self.www();
        let mut args = vec!["publish", "--to", www.to_str().unwrap()];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    fn log(&self) -> String {
        self.site.read("approvals/audit.log")
    }

    fn last_entry(&self) -> serde_json::Value {
        serde_json::from_str(self.log().lines().last().unwrap()).unwrap()
    }

    fn verify(&self, extra: &[&str]) -> Run {
        let mut args = vec!["audit", "verify"];
        args.extend_from_slice(extra);
        self.run(&args)
    }
}

fn real_today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// The log with `edit` applied to its entries, every `seq` and `prev`
/// recomputed: what someone who can edit the repository can write.
fn rewritten(log: &str, edit: impl Fn(&mut Vec<serde_json::Value>)) -> String {
    let mut entries: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    edit(&mut entries);
    let mut prev = "0".repeat(64);
    let mut out = String::new();
    for (i, e) in entries.iter_mut().enumerate() {
        e["seq"] = serde_json::json!(i + 1);
        e["prev"] = serde_json::json!(prev);
        let line = serde_json::to_string(e).unwrap();
        prev = blake3::hash(line.as_bytes()).to_hex().to_string();
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[test]
fn publish_checks_the_real_date_or_a_later_one_never_an_earlier_one() {
    let w = World::approved();
    let today = real_today();

    // Backdated: refused, nothing published, and the log says which
    // dates were asked for and real.
    let yesterday = (today - chrono::Days::new(1)).to_string();
    let run = w.publish(&["--today", &yesterday]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stderr.contains(&format!(
            "--today {yesterday} is before today's date, {today}: publish checks consent on the real date, or on a later one"
        )),
        "{}",
        run.stderr
    );
    assert!(!w.www().exists(), "a backdated publish wrote the site");
    let entry = w.last_entry();
    assert_eq!(entry["event"], "refused");
    assert_eq!(entry["dates"]["checked"], yesterday.as_str());
    assert_eq!(entry["dates"]["real"], today.to_string().as_str());
    // The date of the example, too.
    let run = w.publish(&["--today", "2026-09-20"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stderr
            .contains("--today 2026-09-20 is before today's date")
    );

    // A later date asks whether it will still be allowed then: it
    // publishes, and both dates are recorded.
    let later = (today + chrono::Days::new(30)).to_string();
    let run = w.publish(&["--today", &later]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout
            .contains(&format!("(consent checked on {today} and on {later})")),
        "{}",
        run.stdout
    );
    let entry = w.last_entry();
    assert_eq!(entry["event"], "publish");
    assert_eq!(entry["dates"]["checked"], later.as_str());
    assert_eq!(entry["dates"]["real"], today.to_string().as_str());

    // No --today: the real date, recorded as both.
    let run = w.publish(&[]);
    assert_eq!(run.code, 0, "{}", run.all());
    let entry = w.last_entry();
    assert_eq!(entry["dates"]["checked"], entry["dates"]["real"]);

    // A later date on which a photo may no longer be published: Harry
    // (1004) leaves on 2027-07-21, so asking about August is refused,
    // and says it is the date asked about.
    let leaves = chrono::NaiveDate::from_ymd_opt(2027, 7, 21).unwrap();
    if today < leaves {
        let run = w.publish(&["--today", "2027-08-01"]);
        assert_eq!(run.code, 1, "{}", run.all());
        assert!(
            run.stderr.contains(
                "(checked against today's register as on 2027-08-01, the date given with --today)"
            ),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("1004 (Harry N.)"), "{}", run.stderr);
    }
}

#[test]
fn an_edited_past_entry_with_every_hash_recomputed_is_found() {
    let w = World::approved();
    assert_eq!(w.publish(&[]).code, 0);
    // A refusal, then the publish again.
    w.site.write("public/x.html", "x");
    assert_eq!(w.publish(&[]).code, 1);
    std::fs::remove_file(w.site.path("public/x.html")).unwrap();
    assert_eq!(w.publish(&[]).code, 0);
    // The next approval signs the log as it is now: 3 entries.
    assert_eq!(w.approve().code, 0);
    let log = w.log();
    assert_eq!(log.lines().count(), 3);

    // The near miss: the untouched log verifies, anchored.
    let www = w.www();
    let run = w.verify(&["--to", www.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout.contains("all 3 entries are intact and in order"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Entries 1 to 3 are anchored by 1 approvals"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Entries 1 to 3 are anchored by the marker in"),
        "{}",
        run.stdout
    );

    // Change who approved the first publish, recomputing every hash: the
    // hash chain alone is whole again.
    let edited = rewritten(&log, |e| {
        e[0]["approver"] = serde_json::json!("Someone Else (Headteacher)");
    });
    w.site.write("approvals/audit.log", &edited);
    let run = w.verify(&[]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stderr
            .contains("has been tampered with or damaged at line 3"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "signed by Helen Marlowe (Headteacher) at "
        ) && run.stderr.contains(
            "signs the log at entry 3 (",
        ) && run.stderr.contains(
            "entry 3 is no longer the entry it saw: that entry or one before it was changed (and the hashes after it recomputed) since"
        ),
        "{}",
        run.stderr
    );
    let run = w.publish(&[]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stderr
            .contains("nothing can be published until the chain is whole"),
        "{}",
        run.stderr
    );
    assert_eq!(w.log(), edited, "a refused publish was chained to it");

    // Delete the refusal instead.
    let deleted = rewritten(&log, |e| {
        e.remove(1);
    });
    w.site.write("approvals/audit.log", &deleted);
    let run = w.verify(&[]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stderr.contains(
            "it was made when the log had 3 entries, and the log now has only 2: entries were removed from the end"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(w.publish(&[]).code, 1);

    // Delete the approval that anchors it too: the approvals no longer
    // show it (the repository's history does), but the published
    // folder's marker does, and stops the publish.
    let approvals: Vec<PathBuf> = walk(&w.site.path("approvals"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    assert_eq!(approvals.len(), 2);
    let newest = approvals.iter().max().unwrap();
    std::fs::remove_file(newest).unwrap();
    w.site.write("approvals/audit.log", &edited);
    let run = w.verify(&[]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout.contains("Entries 1 to 3 are not anchored yet"),
        "{}",
        run.stdout
    );
    let run = w.verify(&["--to", www.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stderr.contains("cannot be proved to hold what this site published: its .schoolsite-published says entry 3 (")
            && run.stderr.contains("and entry 3 of the log is not that entry"),
        "{}",
        run.stderr
    );
    let before = std::fs::read_to_string(www.join("index.html")).unwrap();
    let run = w.publish(&[]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stderr
            .contains("Either approvals/audit.log was rewritten or cut back since that publish")
            && run
                .stderr
                .contains("restore approvals/audit.log from the site's repository"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(www.join("index.html")).unwrap(),
        before
    );

    // Restored from the repository, it verifies and publishes again.
    w.site.write("approvals/audit.log", &log);
    assert_eq!(w.verify(&["--to", www.to_str().unwrap()]).code, 0);
    let run = w.publish(&[]);
    assert_eq!(run.code, 0, "{}", run.all());
}

#[test]
fn a_folder_schoolsite_cannot_prove_it_wrote_is_never_replaced() {
    let w = World::approved();
    let www = w.www();
    std::fs::create_dir_all(www.join("notes")).unwrap();
    std::fs::write(www.join("precious.txt"), "keep me").unwrap();
    std::fs::write(www.join("notes/a.txt"), "and me").unwrap();

    // A forged, empty marker.
    std::fs::write(www.join(".schoolsite-published"), "").unwrap();
    let run = w.publish(&[]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stderr.contains(
            "holds files schoolsite cannot prove it published (its .schoolsite-published names no build), and publishing replaces everything in the folder. Nothing was changed there. It holds: .schoolsite-published, notes/, precious.txt. Publish to an empty or new folder, or move these files somewhere else first"
        ),
        "{}",
        run.stderr
    );
    assert!(w.log().contains("its .schoolsite-published names no build"));
    // A takedown starts from the same check.
    let run = w.run(&[
        "takedown",
        "--person",
        "1001",
        "--reason",
        "consent withdrawn",
        "--by",
        "Asha Patel",
        "--to",
        www.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stderr
            .contains("(its .schoolsite-published names no build)"),
        "{}",
        run.stderr
    );

    // A marker naming a build this site never published.
    std::fs::write(
        www.join(".schoolsite-published"),
        format!("Published by schoolsite.\nmanifest: {}\n", "ab".repeat(32)),
    )
    .unwrap();
    let run = w.publish(&[]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stderr.contains(
            "names build abababababab, which approvals/audit.log does not record as published"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(www.join("precious.txt")).unwrap(),
        "keep me"
    );
    assert_eq!(
        std::fs::read_to_string(www.join("notes/a.txt")).unwrap(),
        "and me"
    );

    // The near miss: a folder schoolsite published is still replaced,
    // an extra file on the server going with the old copy.
    std::fs::remove_dir_all(&www).unwrap();
    assert_eq!(w.publish(&[]).code, 0);
    let marker = std::fs::read_to_string(www.join(".schoolsite-published")).unwrap();
    assert!(marker.contains("\naudit entry: "), "{marker}");
    std::fs::write(www.join("extra.html"), "x").unwrap();
    let run = w.publish(&[]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(!www.join("extra.html").exists());

    // A marker written by an earlier schoolsite (no audit entry in it)
    // still matches, because the log records publishing its build.
    let old: String = std::fs::read_to_string(www.join(".schoolsite-published"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("audit entry:"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(www.join(".schoolsite-published"), old).unwrap();
    let run = w.publish(&[]);
    assert_eq!(run.code, 0, "{}", run.all());
}

#[test]
fn an_approval_from_before_approvals_signed_the_log_is_not_published_from() {
    let w = World::approved();
    // Turn the approval into one an earlier schoolsite wrote (schema 1,
    // no head), signed again with the same key.
    let path = walk(&w.site.path("approvals"))
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .unwrap();
    let mut a: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    a["schema"] = serde_json::json!(1);
    a.as_object_mut().unwrap().remove("audit");
    let message = format!(
        "schoolsite approval v1\nmanifest: {}\nname: {}\nrole: {}\nkey: {}\nsigned at: {}\n",
        a["manifest_digest"].as_str().unwrap(),
        a["name"].as_str().unwrap(),
        a["role"].as_str().unwrap(),
        a["public_key"].as_str().unwrap(),
        a["signed_at"].as_str().unwrap()
    );
    let key = schoolsite::publish::keys::PrivateKey::load(&w.key(), w.site.root()).unwrap();
    a["signature"] = serde_json::json!(key.sign(message.as_bytes()));
    std::fs::write(&path, serde_json::to_string_pretty(&a).unwrap()).unwrap();

    let run = w.publish(&[]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stderr.contains("was made by an earlier version of schoolsite and does not sign the audit log, so this version does not publish from it; ask an approver to approve this build again"),
        "{}",
        run.stderr
    );
    // It still verifies as an approval: `audit verify` counts it.
    let run = w.verify(&[]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout
            .contains("1 approvals were made by an earlier schoolsite"),
        "{}",
        run.stdout
    );
    // The near miss: approved again, it publishes.
    assert_eq!(w.approve().code, 0);
    let run = w.publish(&[]);
    assert_eq!(run.code, 0, "{}", run.all());
}
