//! The headteacher approves exactly what is published: build, preview,
//! approve and publish end to end, and every way of getting round it
//! (a file edited after the build, an unlisted key, a forged approval,
//! consent withdrawn after approval, an edited audit log) is caught with
//! its message asserted and nothing published.

mod common;
use common::*;
use std::path::{Path, PathBuf};

const TODAY: &str = "2026-11-23";

/// The example site, a folder outside it for keys and for the web
/// server, and the headteacher's key listed in config.toml.
struct World {
    site: Site,
    outside: tempfile::TempDir,
}

impl World {
    fn new() -> World {
        let world = World {
            site: Site::example(),
            outside: tempfile::tempdir().unwrap(),
        };
        let run = world.run(&[
            "keygen",
            "--name",
            "Helen Marlowe",
            "--role",
            "Headteacher",
            "--out",
            world.key("head.key").to_str().unwrap(),
        ]);
        assert_eq!(run.code, 0, "{}", run.all());
        world
    }

    fn key(&self, name: &str) -> PathBuf {
        self.outside.path().join("keys").join(name)
    }

    fn www(&self) -> PathBuf {
        self.outside.path().join("www")
    }

    fn run(&self, args: &[&str]) -> Run {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--root", self.site.root().to_str().unwrap()]);
        run_bin(&all)
    }

    fn build(&self) {
        let run = self.run(&["build", "--today", TODAY]);
        assert_eq!(run.code, 0, "{}", run.all());
    }

    fn approve(&self, key: &str) -> Run {
        self.run(&["approve", "--key", self.key(key).to_str().unwrap()])
    }

    /// Publishes on the real date: `publish` never checks an earlier
    /// one (the build's own `--today` is fixed, for its fixtures).
    fn publish(&self) -> Run {
        self.run(&["publish", "--to", self.www().to_str().unwrap()])
    }

    fn audit_log(&self) -> String {
        self.site.read("approvals/audit.log")
    }
}

fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    walk(dir)
        .into_iter()
        .map(|p| {
            (
                p.strip_prefix(dir).unwrap().to_string_lossy().to_string(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
}

#[test]
fn build_preview_approve_publish() {
    let w = World::new();
    let config = w.site.read("config.toml");
    assert!(config.contains(
        "[[approvers]]\nname = \"Helen Marlowe\"\nrole = \"Headteacher\"\npublic_key = \"ed25519:"
    ));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(w.key("head.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    w.build();
    let manifest: serde_json::Value =
        serde_json::from_str(&w.site.read(".schoolsite/manifest.json")).unwrap();
    assert_eq!(manifest["errors"], 0);
    let files = manifest["files"].as_array().unwrap();
    assert_eq!(files.len(), w.site.public_files().len());
    let about = files
        .iter()
        .find(|f| f["path"] == "about/index.html")
        .unwrap();
    let bytes = std::fs::read(w.site.path("public/about/index.html")).unwrap();
    assert_eq!(about["size"], bytes.len() as u64);
    assert_eq!(about["blake3"], blake3::hash(&bytes).to_hex().to_string());
    assert_eq!(manifest["digest"].as_str().unwrap().len(), 64);

    let run = w.run(&["preview", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("pages added"), "{}", run.stdout);
    let preview = w.site.read(".schoolsite/preview.html");
    assert!(preview.contains("This build passed every check"));
    assert!(
        preview
            .contains("Compared with nothing: this is the first approval, so everything is new.")
    );
    assert!(preview.contains("<p>An individual photo. People declared:</p>"));
    // Every photo as a thumbnail, from the sanitised copy, with who is in
    // it: id and first name, never a surname.
    assert_eq!(
        preview.matches("<img src=\"data:image/").count(),
        6,
        "{preview}"
    );
    // The newsletter and the garden film are listed, not embedded.
    assert!(preview.contains("<p class=\"doc\">PDF document</p>"));
    assert!(preview.contains("<p class=\"doc\">Video</p>"));
    assert!(preview.contains("<strong>1001 Millie</strong> <span class=\"status ok\">consent given; until 2027-09-07 (consent expires)</span>"), "{preview}");
    assert!(preview.contains("<strong>1004 Harry</strong>"));
    assert!(preview.contains("Declared as showing nobody."));
    for surname in ["Hartley", "Nguyen", "Okafor"] {
        assert!(!preview.contains(surname), "{surname} in the preview");
    }
    assert!(
        !preview.contains("http://") && !preview.contains("https://"),
        "the preview loads nothing"
    );
    assert_valid_html(&w.site.path(".schoolsite/preview.html"));

    let run = w.approve("head.key");
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("as Helen Marlowe (Headteacher)"));
    let approvals: Vec<PathBuf> = walk(&w.site.path("approvals"));
    assert_eq!(approvals.len(), 1);

    let run = w.publish();
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout
            .contains("approved by Helen Marlowe (Headteacher)"),
        "{}",
        run.stdout
    );
    let mut published = files_under(&w.www());
    published.retain(|(p, _)| p != ".schoolsite-published");
    assert_eq!(published, files_under(&w.site.path("public")));
    let log = w.audit_log();
    assert_eq!(log.lines().count(), 1);
    assert!(log.contains("\"event\":\"publish\""));
    let run = w.run(&["audit", "verify"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("all 1 entries are intact and in order"));

    // Someone edits the served copy on the server: the next publish of
    // the same approved build says so, records it, and puts it right.
    let served = w.www().join("contact/index.html");
    let original = std::fs::read(&served).unwrap();
    std::fs::write(&served, "<p>Defaced</p>").unwrap();
    std::fs::write(w.www().join("extra.html"), "x").unwrap();
    let run = w.publish();
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout.contains(
            "the site on the server had been changed outside schoolsite since the last publish"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("/contact/index.html had been changed on the server since the last publish"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("/extra.html had been added on the server"),
        "{}",
        run.stdout
    );
    assert_eq!(std::fs::read(&served).unwrap(), original);
    assert!(!w.www().join("extra.html").exists());
    assert!(
        w.audit_log()
            .lines()
            .nth(1)
            .unwrap()
            .contains("had been changed on the server")
    );

    // A page removed from the site goes from the server at the next
    // publish; the preview shows it removed since the last publish.
    std::fs::remove_file(w.site.path("content/news/2026-10-16-parents-evening.md")).unwrap();
    w.build();
    let run = w.run(&["preview", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.all());
    let preview = w.site.read(".schoolsite/preview.html");
    assert!(
        preview.contains("since the last publish (approved by Helen Marlowe on"),
        "{preview}"
    );
    assert!(
        preview.contains(
            "<h3>Removed</h3><ul class=\"pages\"><li><code>/news/parents-evening/</code></li></ul>"
        ),
        "{preview}"
    );
    assert!(preview.contains("No new or changed photos."));
    let run = w.publish();
    assert_eq!(run.code, 1, "an unapproved build was published");
    assert!(
        run.stderr.contains("no approver has approved this build"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("the approval in approvals/ is for a different build")
    );
    assert!(w.www().join("news/parents-evening/index.html").exists());
    assert_eq!(w.approve("head.key").code, 0);
    let run = w.publish();
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(!w.www().join("news/parents-evening").exists());
    assert_eq!(w.audit_log().lines().count(), 4);
}

#[test]
fn a_file_changed_after_the_build_is_named_and_nothing_published() {
    let w = World::new();
    w.build();
    assert_eq!(w.approve("head.key").code, 0);
    let page = w.site.path("public/contact/index.html");
    let mut html = std::fs::read_to_string(&page).unwrap();
    html.push_str("<p>extra</p>");
    std::fs::write(&page, html).unwrap();
    w.site.write("public/extra.html", "<p>hi</p>");
    std::fs::remove_file(w.site.path("public/about/index.html")).unwrap();

    let run = w.publish();
    assert_eq!(run.code, 1);
    for expected in [
        "public/contact/index.html was changed after the build",
        "public/extra.html was added after the build",
        "public/about/index.html was removed after the build",
    ] {
        assert!(run.stderr.contains(expected), "{expected}: {}", run.stderr);
    }
    assert!(!w.www().exists(), "something was published");
    let log = w.audit_log();
    assert!(log.contains("\"event\":\"refused\""), "{log}");
    assert!(log.contains("public/contact/index.html was changed after the build"));

    // The manifest itself edited after the build.
    w.build();
    let manifest = w.site.read(".schoolsite/manifest.json");
    w.site.write(
        ".schoolsite/manifest.json",
        manifest.replacen("\"errors\": 0", "\"errors\": 1", 1),
    );
    let run = w.publish();
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("its digest does not match its content: it was edited after the build"),
        "{}",
        run.stderr
    );
    assert!(!w.www().exists());
}

#[test]
fn only_a_listed_approver_can_approve() {
    let w = World::new();
    w.build();
    // A key made for another site is not listed in this one's config.
    let other = Site::new();
    let run = run_bin(&[
        "keygen",
        "--name",
        "Someone Else",
        "--role",
        "Office",
        "--out",
        w.key("other.key").to_str().unwrap(),
        "--root",
        other.root().to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.all());
    let run = w.approve("other.key");
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("(Someone Else, Office) is not one of the approvers in config.toml"),
        "{}",
        run.stderr
    );
    assert!(!w.site.path("approvals").exists() || walk(&w.site.path("approvals")).is_empty());

    // Signed with the unlisted key by hand (schoolsite refused to):
    // publish still refuses it.
    let listed = w.site.read("config.toml");
    let other_config = other.read("config.toml");
    let other_entry = &other_config[other_config.find("[[approvers]]").unwrap()..];
    w.site
        .write("config.toml", format!("{listed}\n{other_entry}"));
    w.build();
    assert_eq!(w.approve("other.key").code, 0);
    w.site.write("config.toml", &listed);
    w.build();
    let run = w.publish();
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("whose key is not one of the approvers in config.toml"),
        "{}",
        run.stderr
    );
    assert!(!w.www().exists());
}

#[test]
fn a_tampered_approval_is_refused() {
    let w = World::new();
    w.build();
    assert_eq!(w.approve("head.key").code, 0);
    let path = walk(&w.site.path("approvals"))[0].clone();
    let text = std::fs::read_to_string(&path).unwrap();
    // Claim a different approver on the same signature.
    std::fs::write(
        &path,
        text.replace(
            "\"name\": \"Helen Marlowe\"",
            "\"name\": \"Chair of Governors\"",
        ),
    )
    .unwrap();
    let run = w.publish();
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(
            "its signature does not match its contents: it was changed after it was signed"
        ),
        "{}",
        run.stderr
    );
    // Swap in another build's manifest under the signature.
    std::fs::write(
        &path,
        text.replace("\"errors\": 0", "\"errors\": 0 ")
            .replacen("\"size\": ", "\"size\": 1", 1),
    )
    .unwrap();
    let run = w.publish();
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("the manifest inside it was changed after it was signed"),
        "{}",
        run.stderr
    );
    assert!(!w.www().exists());
}

#[test]
fn consent_withdrawn_after_approval_stops_the_publish() {
    let w = World::new();
    w.build();
    assert_eq!(w.approve("head.key").code, 0);
    // Millie's parents withdraw consent the day after the approval.
    let register = w.site.read("consent/register.csv");
    let row = register.lines().find(|l| l.starts_with("1001,")).unwrap();
    let withdrawn = row.replacen(",07/09/2026,no,,", ",07/09/2026,yes,22/11/2026,", 1);
    assert_ne!(row, withdrawn);
    w.site
        .write("consent/register.csv", register.replace(row, &withdrawn));
    let run = w.publish();
    assert_eq!(run.code, 1);
    let today = chrono::Local::now().date_naive();
    assert!(run.stderr.contains(&format!("the photo content/news/2026-10-23-house-relay/sunflower.jpg: 1001 (Millie H.) had consent withdrawn on 2026-11-22 (checked against today's register, {today})")), "{}", run.stderr);
    assert!(!run.all().contains("Hartley"));
    assert!(!w.www().exists());
    assert!(
        w.audit_log()
            .contains("had consent withdrawn on 2026-11-22")
    );
}

#[test]
fn an_edited_audit_log_is_detected() {
    let w = World::new();
    w.build();
    assert_eq!(w.approve("head.key").code, 0);
    assert_eq!(w.publish().code, 0);
    w.site.write("public/x.html", "x");
    assert_eq!(w.publish().code, 1);
    std::fs::remove_file(w.site.path("public/x.html")).unwrap();
    assert_eq!(w.publish().code, 0);
    assert_eq!(w.run(&["audit", "verify"]).code, 0);

    // Hide the refusal.
    let log = w.audit_log();
    let lines: Vec<&str> = log.lines().collect();
    w.site.write(
        "approvals/audit.log",
        format!("{}\n{}\n", lines[0], lines[2]),
    );
    let run = w.run(&["audit", "verify"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(
            "has been tampered with or damaged at line 2: it does not follow from line 1"
        ),
        "{}",
        run.stderr
    );
    let run = w.publish();
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("nothing can be published until the chain is whole"),
        "{}",
        run.stderr
    );

    // Reword an entry.
    w.site.write(
        "approvals/audit.log",
        log.replacen("\"event\":\"refused\"", "\"event\":\"publish\"", 1),
    );
    let run = w.run(&["audit", "verify"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("at line 3: it does not follow from line 2"),
        "{}",
        run.stderr
    );

    // Cut off mid-entry.
    w.site.write("approvals/audit.log", &log[..log.len() - 10]);
    let run = w.run(&["audit", "verify"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("the last entry is incomplete: the log was cut off"),
        "{}",
        run.stderr
    );
}

#[test]
fn keys_are_kept_private_and_out_of_the_site() {
    let w = World::new();
    w.build();
    // A key inside the site is refused, when made and when used.
    let inside = w.site.path("keys/head.key");
    let run = w.run(&["keygen", "--name", "X", "--out", inside.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("is inside the site's folder, where it could be committed or published"),
        "{}",
        run.stderr
    );
    assert!(!inside.exists());
    std::fs::create_dir_all(inside.parent().unwrap()).unwrap();
    std::fs::copy(w.key("head.key"), &inside).unwrap();
    let run = w.run(&["approve", "--key", inside.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("is inside the site's folder"),
        "{}",
        run.stderr
    );
    // An existing key is never overwritten.
    let run = w.run(&[
        "keygen",
        "--name",
        "X",
        "--out",
        w.key("head.key").to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(w.key("head.key"), std::fs::Permissions::from_mode(0o644))
            .unwrap();
        let run = w.approve("head.key");
        assert_eq!(run.code, 2);
        assert!(run.stderr.contains("can be read by other people on this computer (permissions 644); make it private with `chmod 600"), "{}", run.stderr);
    }
    // Not a key at all.
    let bogus = w.key("bogus.key");
    std::fs::write(&bogus, "hello").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&bogus, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let run = w.approve("bogus.key");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("is not a schoolsite private key"),
        "{}",
        run.stderr
    );
}

#[test]
fn publishing_into_the_site_or_over_other_files_is_refused() {
    let w = World::new();
    w.build();
    assert_eq!(w.approve("head.key").code, 0);
    let inside = w.site.path("content/www");
    let run = w.run(&["publish", "--to", inside.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("is inside the site's folder; publish to a folder outside it"),
        "{}",
        run.stderr
    );
    assert!(!inside.exists());
    let run = w.run(&[
        "publish",
        "--to",
        w.site.root().parent().unwrap().to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("contains the site's own folder"),
        "{}",
        run.stderr
    );
    // A folder with someone else's files in it is never replaced.
    std::fs::create_dir_all(w.www()).unwrap();
    std::fs::write(w.www().join("precious.txt"), "keep me").unwrap();
    let run = w.publish();
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("holds files schoolsite cannot prove it published (it has no .schoolsite-published marker), and publishing replaces everything in the folder. Nothing was changed there. It holds: precious.txt. Publish to an empty or new folder"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(w.www().join("precious.txt")).unwrap(),
        "keep me"
    );
}
