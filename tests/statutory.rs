//! The statutory pages: on the example site (a maintained primary
//! school), an item removed, one overdue, one due soon, the profile
//! switched, and every kind of bad declaration, with the findings and
//! exit codes asserted.

mod common;
use common::*;

const TODAY: &str = "2026-11-23";

/// Every statutory finding of `check`, and its exit code.
fn statutory_findings(site: &Site) -> (i32, Vec<Found>) {
    let (run, found) = findings_with_prefix(site, TODAY, "statutory");
    (run.code, found)
}

/// Replaces `from` with `to` in a file of the site, checking it was there.
fn edit(site: &Site, rel: &str, from: &str, to: &str) {
    let text = site.read(rel);
    assert!(text.contains(from), "{rel} has no {from:?}");
    site.write(rel, text.replacen(from, to, 1));
}

/// The 1-based line of the first line of `rel` starting with `prefix`.
fn line_of(site: &Site, rel: &str, prefix: &str) -> u64 {
    site.read(rel)
        .lines()
        .position(|l| l.starts_with(prefix))
        .map(|i| i as u64 + 1)
        .unwrap_or_else(|| panic!("{rel} has no line starting {prefix:?}"))
}

#[test]
fn the_example_site_satisfies_the_maintained_profile() {
    let site = Site::example();
    let (code, findings) = statutory_findings(&site);
    assert_eq!(code, 0);
    assert!(findings.is_empty(), "{findings:#?}");

    let run = site.run(&["statutory", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stdout
            .contains("Statutory information for a maintained school, checked on 2026-11-23"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("25 of 25 \"must\" items in place; 0 missing, 0 overdue, 0 due soon.")
    );
    assert!(
        run.stdout
            .contains("2 of 2 \"should\" items in place; 0 missing, 0 overdue, 0 due soon.")
    );
    // Must and should are listed apart, and an item no profile requires
    // is listed as published.
    let must = run.stdout.find("Must publish\n").unwrap();
    let should = run.stdout.find("Should publish").unwrap();
    let also = run.stdout.find("Also published\n").unwrap();
    let music = run.stdout.find("Music development plan summary").unwrap();
    let safety = run.stdout.find("ok        Online safety").unwrap();
    assert!(must < should && should < music && music < also && also < safety);
    assert!(run.stdout.contains("n/a       Careers programme"));
    assert!(run.stdout.contains(
        "Next due: Complaints procedure on 2027-03-17 (content/policies/complaints.md)."
    ));

    let run = site.run(&["statutory", "--format", "json", "--today", TODAY]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["schema"], 1);
    assert_eq!(doc["profile"], "maintained");
    assert_eq!(doc["blocked"], false);
    let items = doc["items"].as_array().unwrap();
    let behaviour = items
        .iter()
        .find(|i| i["key"] == "behaviour-policy")
        .unwrap();
    assert_eq!(behaviour["state"], "current");
    assert_eq!(behaviour["page"]["file"], "content/policies/behaviour.md");
    assert_eq!(behaviour["page"]["next_review"], "2027-09-09");
    assert_eq!(behaviour["page"]["approved_by"], "Full governing board");
    let careers = items
        .iter()
        .find(|i| i["key"] == "careers-programme")
        .unwrap();
    assert_eq!(careers["state"], "not-applicable");
    assert!(
        careers["reason"]
            .as_str()
            .unwrap()
            .contains("primary school")
    );
    assert_eq!(doc["next_due"]["key"], "complaints-policy");
}

#[test]
fn the_index_and_policy_pages_are_published() {
    let site = Site::example();
    let run = site.run(&["build", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.all());

    let index = site.read("public/statutory-information/index.html");
    assert!(index.contains("<h1>Statutory information</h1>"));
    assert!(
        index.contains(r#"<a href="/policies/behaviour/">Behaviour policy</a>"#),
        "{index}"
    );
    assert!(index.contains(r#"<time datetime="2026-09-10">10 September 2026</time>"#));
    assert!(index.contains(r#"<time datetime="2027-09-09">9 September 2027</time>"#));
    assert!(index.contains("Does not apply to our school: We are a primary school"));
    assert!(
        index.contains("https://www.gov.uk/guidance/what-maintained-schools-must-publish-online")
    );
    // Every item of the profile is listed once.
    assert_eq!(index.matches("<th scope=\"row\">").count(), 28);
    // Under three headings: must, should, and the rest.
    let must = index.find("<h2>Information we must publish</h2>").unwrap();
    let should = index
        .find("<h2>Information the Department for Education says we should publish</h2>")
        .unwrap();
    let other = index.find("<h2>Other information we publish</h2>").unwrap();
    let at = |title: &str| index.find(&format!(">{title}</a>")).unwrap();
    assert!(must < at("Child protection policy") && at("Child protection policy") < should);
    assert!(should < at("Music development plan summary") && at("Governor details") < other);
    assert!(other < at("Online safety"));

    // Every page links the index from its footer.
    for page in [
        "index.html",
        "news/index.html",
        "contact/index.html",
        "404.html",
    ] {
        let html = site.read(&format!("public/{page}"));
        assert!(
            html.contains(r#"<a href="/statutory-information/">Statutory information</a>"#),
            "{page} has no link to the statutory index"
        );
    }

    // A policy page has its version box and a table of contents.
    let policy = site.read("public/policies/behaviour/index.html");
    assert!(policy.contains(r#"<dl class="version">"#), "{policy}");
    assert!(policy.contains(r#"<dt>Approved by</dt><dd>Full governing board</dd>"#));
    assert!(policy.contains(r#"<nav class="toc" aria-labelledby="toc-title">"#));
    assert!(
        policy.contains(r##"<li><a href="#our-aims">Our aims</a></li>"##),
        "{policy}"
    );
    // A news story has neither.
    let news = site.read("public/news/harvest-festival/index.html");
    assert!(!news.contains("class=\"version\"") && !news.contains("class=\"toc\""));
    assert_valid_html(&site.path("public/statutory-information/index.html"));
    assert_valid_html(&site.path("public/policies/behaviour/index.html"));
    // The stylesheet has print rules for policies.
    let css = site.read("public/style.css");
    assert!(css.contains("@media print") && css.contains(".policy a[href^=\"http\"]::after"));
}

#[test]
fn a_missing_item_blocks_the_build_and_leaves_public_alone() {
    let site = Site::example();
    assert_eq!(site.run(&["build", "--today", TODAY]).code, 0);
    let before = site.public_snapshot();
    edit(
        &site,
        "content/policies/behaviour.md",
        "statutory = \"behaviour-policy\"\n",
        "",
    );

    let (code, findings) = statutory_findings(&site);
    assert_eq!(code, 1);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let (rule, severity, file, _, message) = &findings[0];
    assert_eq!(
        (rule.as_str(), severity.as_str()),
        ("statutory-missing", "error")
    );
    assert_eq!(file, "content");
    assert!(
        message.starts_with("no page publishes the behaviour policy (behaviour-policy), which every maintained school must publish: "),
        "{message}"
    );

    let run = site.run(&["build", "--today", TODAY]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("fix: write a page with statutory = \"behaviour-policy\""),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("nothing was written; public/ is unchanged")
    );
    assert_eq!(site.public_snapshot(), before);

    let run = site.run(&["statutory", "--today", TODAY]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("MISSING   Behaviour policy"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("24 of 25 \"must\" items in place; 1 missing"),
        "{}",
        run.stdout
    );
}

#[test]
fn an_overdue_review_blocks_and_one_due_soon_warns() {
    let site = Site::example();
    let rel = "content/policies/complaints.md";
    edit(
        &site,
        rel,
        "next_review = 2027-03-17",
        "next_review = 2026-11-01",
    );
    let (code, findings) = statutory_findings(&site);
    assert_eq!(code, 1);
    assert_eq!(
        findings,
        vec![(
            "statutory-overdue".to_string(),
            "error".to_string(),
            rel.to_string(),
            Some(line_of(&site, rel, "next_review")),
            "the complaints procedure was due for review on 2026-11-01 (22 days ago)".to_string()
        )]
    );

    edit(
        &site,
        rel,
        "next_review = 2026-11-01",
        "next_review = 2026-12-10",
    );
    let (code, findings) = statutory_findings(&site);
    assert_eq!(code, 0);
    assert_eq!(
        findings,
        vec![(
            "statutory-due-soon".to_string(),
            "warning".to_string(),
            rel.to_string(),
            Some(line_of(&site, rel, "next_review")),
            "the complaints procedure is due for review on 2026-12-10 (in 17 days)".to_string()
        )]
    );
    let run = site.run(&["build", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.all());
    let run = site.run(&["statutory", "--today", TODAY]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains("DUE SOON  Complaints procedure"),
        "{}",
        run.stdout
    );

    // The window is configurable: 10 days ahead, 17 days is not "soon".
    edit(
        &site,
        "config.toml",
        "profile = \"maintained\"\nwarn_days = 30",
        "profile = \"maintained\"\nwarn_days = 10",
    );
    let (_, findings) = statutory_findings(&site);
    assert!(findings.is_empty(), "{findings:#?}");

    // Without next_review, the due date comes from review_every, or the
    // item's usual cycle (12 months for the complaints procedure).
    edit(
        &site,
        rel,
        "next_review = 2026-12-10",
        "review_every = \"6 months\"",
    );
    edit(
        &site,
        rel,
        "last_reviewed = 2026-03-18",
        "last_reviewed = 2026-05-01",
    );
    let (code, findings) = statutory_findings(&site);
    assert_eq!(code, 1);
    assert_eq!(findings[0].0, "statutory-overdue");
    assert_eq!(findings[0].3, Some(line_of(&site, rel, "review_every")));
    assert!(
        findings[0].4.contains("due for review on 2026-11-01"),
        "{findings:?}"
    );
    edit(&site, rel, "review_every = \"6 months\"\n", "");
    let (code, findings) = statutory_findings(&site);
    assert_eq!(code, 0, "{findings:?}");
    let run = site.run(&["statutory", "--format", "json", "--today", TODAY]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let item = doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "complaints-policy")
        .unwrap()
        .clone();
    assert_eq!(item["page"]["next_review"], "2027-05-01");
}

#[test]
fn switching_to_the_academy_profile_asks_for_the_trust_documents() {
    let site = Site::example();
    edit(
        &site,
        "config.toml",
        "profile = \"maintained\"",
        "profile = \"academy\"",
    );
    let (code, findings) = statutory_findings(&site);
    assert_eq!(code, 1);
    let mut missing: Vec<&str> = findings
        .iter()
        .filter(|f| f.0 == "statutory-missing")
        .map(|f| f.4.split(['(', ')']).nth(1).unwrap())
        .collect();
    missing.sort_unstable();
    assert_eq!(
        missing,
        [
            "annual-accounts",
            "executive-pay",
            "trust-documents",
            "whistleblowing-procedure",
        ]
    );
    assert!(
        findings.iter().all(|f| f.0 == "statutory-missing"),
        "{findings:#?}"
    );
    assert!(
        findings[0]
            .4
            .contains("which every academy school must publish")
    );

    // The financial information page is not required of an academy but
    // is still listed, as published.
    let run = site.run(&["statutory", "--format", "json", "--today", TODAY]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let finance = doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "financial-information")
        .unwrap()
        .clone();
    assert_eq!(finance["required"], false);
    assert_eq!(finance["state"], "current");

    // Published elsewhere clears them; a trust with fewer than 250
    // employees needs no pay gap report.
    let config = site.read("config.toml");
    let pay_gap = config
        .lines()
        .find(|l| l.starts_with("gender-pay-gap = "))
        .unwrap();
    let config = config.replace(pay_gap, "").replace(
        "[statutory.external]\n",
        "[statutory.external]\ntrust-documents = \"https://www.example-trust.example.org.uk/governance\"\nannual-accounts = \"https://www.example-trust.example.org.uk/accounts\"\nexecutive-pay = \"https://www.example-trust.example.org.uk/accounts#pay\"\nwhistleblowing-procedure = \"https://www.example-trust.example.org.uk/policies/whistleblowing\"\n",
    ).replace("profile = \"academy\"\n", "profile = \"academy\"\nemployees = 180\n");
    site.write("config.toml", config);
    let (code, findings) = statutory_findings(&site);
    assert_eq!((code, findings.len()), (0, 0), "{findings:#?}");
    assert_eq!(site.run(&["build", "--today", TODAY]).code, 0);
    let index = site.read("public/statutory-information/index.html");
    assert!(index.contains(r#"<a href="https://www.example-trust.example.org.uk/governance">Trust governance documents</a> <span class="note">(on another website)</span>"#), "{index}");
    assert!(
        index.contains("Does not apply to our school: Our employer has 180 employees; the gender pay gap report is required from 250."),
        "{index}"
    );
}

#[test]
fn a_school_with_no_statutory_table_is_told_to_choose() {
    let site = Site::example();
    let config = site.read("config.toml");
    let start = config.find("[statutory]").unwrap();
    let end = config.find("[[menu]]").unwrap();
    site.write(
        "config.toml",
        format!("{}{}", &config[..start], &config[end..]),
    );
    let (code, findings) = statutory_findings(&site);
    assert_eq!(code, 1);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0].0, "statutory-profile");
    assert_eq!(findings[0].2, "config.toml");
    let run = site.run(&["check", "--today", TODAY]);
    assert!(
        run.stdout
            .contains("fix: add a [statutory] table with profile = \"maintained\""),
        "{}",
        run.stdout
    );

    // "none" turns the checklist off, and the index with it.
    site.write(
        "config.toml",
        format!(
            "{}[statutory]\nprofile = \"none\"\n\n{}",
            &config[..start],
            &config[end..]
        ),
    );
    assert_eq!(site.run(&["build", "--today", TODAY]).code, 0);
    assert!(!site.path("public/statutory-information").exists());
    assert!(
        !site
            .read("public/index.html")
            .contains("/statutory-information/")
    );
}

#[test]
fn bad_declarations_get_clear_findings() {
    let site = Site::example();
    let behaviour = "content/policies/behaviour.md";
    edit(
        &site,
        behaviour,
        "statutory = \"behaviour-policy\"",
        "statutory = \"behavior-policy\"",
    );
    let complaints = "content/policies/complaints.md";
    edit(
        &site,
        complaints,
        "last_reviewed = 2026-03-18",
        "last_reviewed = \"18/03/2026\"",
    );
    let uniform = "content/policies/uniform.md";
    edit(
        &site,
        uniform,
        "next_review = 2027-05-12",
        "next_review = 2026-05-01",
    );
    // Two pages claim the equality information.
    let news = "content/news/2026-11-13-anti-bullying-week.md";
    edit(
        &site,
        news,
        "+++\n",
        "+++\nstatutory = \"equality-information\"\nlast_reviewed = 2026-11-13\napproved_by = \"Headteacher\"\n",
    );
    let (code, findings) = statutory_findings(&site);
    assert_eq!(code, 1);
    let find = |rule: &str, file: &str| {
        findings
            .iter()
            .find(|f| f.0 == rule && f.2 == file)
            .unwrap_or_else(|| panic!("no {rule} on {file}: {findings:#?}"))
            .clone()
    };
    let f = find("statutory-declaration", behaviour);
    assert_eq!(f.3, Some(line_of(&site, behaviour, "statutory")));
    assert_eq!(
        f.4,
        "\"behavior-policy\" is not an item of the statutory checklist"
    );
    let run = site.run(&["check", "--today", TODAY]);
    assert!(
        run.stdout
            .contains("fix: did you mean statutory = \"behaviour-policy\"?"),
        "{}",
        run.stdout
    );
    // … and so the behaviour policy counts as missing.
    assert!(
        findings
            .iter()
            .any(|f| f.0 == "statutory-missing" && f.4.contains("(behaviour-policy)"))
    );

    let f = find("statutory-declaration", complaints);
    assert_eq!(f.3, Some(line_of(&site, complaints, "last_reviewed")));
    assert_eq!(
        f.4,
        "last_reviewed: \"18/03/2026\" is not a date in the form 2026-09-01"
    );

    let f = find("statutory-declaration", uniform);
    assert_eq!(f.3, Some(line_of(&site, uniform, "next_review")));
    assert_eq!(
        f.4,
        "next_review (2026-05-01) is not after last_reviewed (2026-05-13)"
    );

    // The second page (in file order) to claim an item is told of the first.
    let equality = "content/policies/equality.md";
    let f = find("statutory-declaration", equality);
    assert_eq!(f.3, Some(line_of(&site, equality, "statutory")));
    assert_eq!(
        f.4,
        format!(
            "{news} also says it publishes \"equality-information\", so the statutory index would not know which page to list"
        )
    );

    // `statutory --all` lists every key, so the fix can be followed.
    let run = site.run(&["statutory", "--all"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("behaviour-policy (Behaviour policy)"));
    assert!(
        run.stdout
            .contains("trust-documents (Trust governance documents)\n  required by: academy")
    );
    // As JSON, each source's date is an ISO date, not the TOML library's
    // own object.
    let run = site.run(&["statutory", "--all", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let checked = &doc["source"][0]["checked"];
    assert!(
        checked
            .as_str()
            .is_some_and(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok()),
        "{checked}"
    );
}

#[test]
fn bad_config_choices_get_clear_findings() {
    let site = Site::example();
    edit(
        &site,
        "config.toml",
        "[statutory.not_applicable]\n",
        "[statutory.not_applicable]\npe-sport-premium = \"Secondary\"\nbehaviour-policy = \"We have one\"\nopening-hours = \"  \"\n",
    );
    edit(
        &site,
        "config.toml",
        "[statutory.external]\n",
        "[statutory.external]\nadmission-arrangements = \"the council website\"\n",
    );
    let (code, findings) = statutory_findings(&site);
    assert_eq!(code, 1);
    let at = |key: &str| Some(line_of(&site, "config.toml", key));
    let messages: Vec<(&str, Option<u64>, &str)> = findings
        .iter()
        .map(|f| (f.0.as_str(), f.3, f.4.as_str()))
        .collect();
    for expected in [
        (
            "statutory-declaration",
            at("pe-sport-premium"),
            "[statutory.not_applicable] names \"pe-sport-premium\", which is not an item of the statutory checklist",
        ),
        (
            "statutory-declaration",
            at("behaviour-policy"),
            "behaviour-policy is marked not applicable, but content/policies/behaviour.md publishes it",
        ),
        (
            "statutory-declaration",
            at("opening-hours"),
            "opening-hours is marked not applicable without a reason",
        ),
        (
            "statutory-link",
            at("admission-arrangements"),
            "admission-arrangements is published elsewhere, but \"the council website\" is not a web address",
        ),
    ] {
        assert!(
            messages.contains(&expected),
            "{expected:?} not in {messages:#?}"
        );
    }
    let run = site.run(&["check", "--today", TODAY]);
    assert!(
        run.stdout
            .contains("fix: did you mean pe-and-sport-premium?"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_page_must_link_where_the_guidance_says() {
    let site = Site::example();
    let rel = "content/policies/ofsted-and-results.md";
    let text = site.read(rel);
    let start = text
        .find("https://www.compare-school-performance.service.gov.uk/")
        .unwrap();
    site.write(
        rel,
        text.replace(&text[start..start + 55], "https://www.example.org/"),
    );
    let (code, findings) = statutory_findings(&site);
    assert_eq!(code, 1);
    assert_eq!(
        findings,
        vec![(
            "statutory-link".to_string(),
            "error".to_string(),
            rel.to_string(),
            Some(line_of(&site, rel, "statutory")),
            "the exam and assessment results page must link to https://www.compare-school-performance.service.gov.uk/".to_string()
        )]
    );
}

#[test]
fn an_unwritten_accessibility_statement_gets_a_starter_page() {
    let site = Site::example();
    std::fs::remove_file(site.path("content/policies/accessibility-statement.md")).unwrap();
    // Pages that linked to it now link to the generated one.
    for entry in walk(&site.path("content")) {
        let Some(text) = std::fs::read_to_string(&entry).ok() else {
            continue;
        };
        if text.contains("@/policies/accessibility-statement.md") {
            std::fs::write(
                &entry,
                text.replace(
                    "(@/policies/accessibility-statement.md)",
                    "(/statutory-information/accessibility-statement/)",
                ),
            )
            .unwrap();
        }
    }
    let (code, findings) = statutory_findings(&site);
    assert_eq!(code, 0, "{findings:#?}");
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].0, "statutory-generated");
    assert_eq!(findings[0].1, "warning");
    assert!(
        findings[0]
            .4
            .contains("/statutory-information/accessibility-statement/")
    );

    let run = site.run(&["build", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.all());
    let page = site.read("public/statutory-information/accessibility-statement/index.html");
    assert!(page.contains("<h1>Accessibility statement</h1>"));
    assert!(page.contains("office@larkspurlane.example.sch.uk"));
    assert!(page.contains("Web Content Accessibility Guidelines version 2.2</a> AA standard"));
    assert!(page.contains("The school is completing it"));
    let index = site.read("public/statutory-information/index.html");
    assert!(index.contains(
        r#"<a href="/statutory-information/accessibility-statement/">Accessibility statement</a>"#
    ));
    assert!(index.contains("Being completed by the school"));
    assert_valid_html(
        &site.path("public/statutory-information/accessibility-statement/index.html"),
    );
}

/// The accessibility statement schoolsite writes follows GOV.UK's sample
/// statement, says when the site was last tested and how, and every page
/// links to it from its footer.
#[test]
fn the_generated_accessibility_statement_follows_the_govuk_sample() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("school");
    let root = target.to_str().unwrap();
    assert_eq!(run_bin(&["init", root]).code, 0);
    let run = run_bin(&["build", "--root", root, "--today", "2026-12-04"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let page = "statutory-information/accessibility-statement/index.html";
    let html = std::fs::read_to_string(target.join("public").join(page)).unwrap();
    for heading in [
        "How accessible this website is",
        "Feedback and contact information",
        "Reporting accessibility problems with this website",
        "Enforcement procedure",
        "Compliance status",
        "Non-accessible content",
        "Non-compliance with the accessibility regulations",
        "Disproportionate burden",
        "not within the scope of the accessibility regulations",
        "Preparation of this accessibility statement",
    ] {
        assert!(html.contains(heading), "{heading} missing from:\n{html}");
    }
    assert!(
        html.contains("This website is partially compliant with the"),
        "{html}"
    );
    assert!(
        html.contains("This website was last tested on 2026-12-04."),
        "{html}"
    );
    // Every page links to it.
    for file in walk(&target.join("public")) {
        if file.extension().is_some_and(|e| e == "html") {
            let page = std::fs::read_to_string(&file).unwrap();
            assert!(
                page.contains("<a href=\"/statutory-information/accessibility-statement/\">Accessibility statement</a>"),
                "{}",
                file.display()
            );
        }
    }
    // The school says how compliant the site is, and when it prepared
    // the statement.
    let config = std::fs::read_to_string(target.join("config.toml")).unwrap();
    std::fs::write(
        target.join("config.toml"),
        format!("{config}\n[accessibility]\nstatus = \"full\"\nprepared_on = 2026-09-01\nnon_compliance = []\nout_of_scope = []\n"),
    )
    .unwrap();
    let run = run_bin(&["build", "--root", root, "--today", "2026-12-04"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let html = std::fs::read_to_string(target.join("public").join(page)).unwrap();
    assert!(
        html.contains("This website is fully compliant with the"),
        "{html}"
    );
    assert!(
        html.contains(
            "This statement was prepared on 2026-09-01. It was last reviewed on 2026-09-01."
        ),
        "{html}"
    );
    assert!(
        html.contains("We know of no content that fails the accessibility regulations."),
        "{html}"
    );
}

#[test]
fn a_missing_should_item_warns_and_a_missing_must_item_blocks() {
    let site = Site::example();
    std::fs::remove_file(site.path("content/policies/music-development-plan.md")).unwrap();
    let (code, findings) = statutory_findings(&site);
    assert_eq!(code, 0, "{findings:#?}");
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let (rule, severity, file, _, message) = &findings[0];
    assert_eq!(
        (rule.as_str(), severity.as_str(), file.as_str()),
        ("statutory-should", "warning", "content")
    );
    // The warning gives the guidance's reason and what the page holds.
    assert!(
        message.contains("which the guidance says every maintained school should publish: Since the 2024 to 2025 school year the DfE expects"),
        "{message}"
    );
    assert!(message.contains("music lead"), "{message}");
    // The site is still built and published.
    let run = site.run(&["build", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.all());
    let index = site.read("public/statutory-information/index.html");
    assert!(index.contains("Not yet published"), "{index}");
    let run = site.run(&["statutory", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("1 of 2 \"should\" items in place; 1 missing")
    );

    // The school's reason for not publishing it clears the warning and
    // is shown to parents.
    edit(
        &site,
        "config.toml",
        "[statutory.not_applicable]\n",
        "[statutory.not_applicable]\nmusic-development-plan = \"Our music plan is being rewritten with the new music lead; the summary will follow in January.\"\n",
    );
    let (code, findings) = statutory_findings(&site);
    assert_eq!((code, findings.len()), (0, 0), "{findings:#?}");
    assert_eq!(site.run(&["build", "--today", TODAY]).code, 0);
    assert!(
        site.read("public/statutory-information/index.html")
            .contains("Not published: Our music plan is being rewritten")
    );

    // The child protection policy (Keeping children safe in education)
    // is a must: without it nothing is published.
    std::fs::remove_file(site.path("content/policies/child-protection.md")).unwrap();
    edit(
        &site,
        "content/policies/online-safety.md",
        "[child protection policy](@/policies/child-protection.md)",
        "child protection policy",
    );
    let (code, findings) = statutory_findings(&site);
    assert_eq!(code, 1);
    assert_eq!(
        findings
            .iter()
            .map(|f| (f.0.as_str(), f.1.as_str()))
            .collect::<Vec<_>>(),
        [("statutory-missing", "error")],
        "{findings:#?}"
    );
    assert!(findings[0].4.contains("(child-protection-policy)"));
}

#[test]
fn an_overdue_should_item_warns() {
    let site = Site::example();
    // Written for 2026 to 2027: due by 31 August 2027.
    let (code, findings) = statutory_findings_on(&site, "2027-09-01");
    assert!(
        findings.iter().any(|f| f.0 == "statutory-overdue"
            && f.1 == "warning"
            && f.2 == "content/policies/music-development-plan.md"
            && f.4
                .contains("music development plan summary was due for review on 2027-08-31")),
        "{findings:#?}"
    );
    // Other items are overdue by then too, and they block.
    assert_eq!(code, 1);
    assert!(
        findings
            .iter()
            .filter(|f| f.0 == "statutory-overdue" && f.1 == "error")
            .all(|f| f.2 != "content/policies/music-development-plan.md")
    );
}

fn statutory_findings_on(site: &Site, today: &str) -> (i32, Vec<Found>) {
    let (run, found) = findings_with_prefix(site, today, "statutory");
    (run.code, found)
}

#[test]
fn the_ofsted_report_is_due_after_an_inspection_not_every_year() {
    let site = Site::example();
    // No next_review: the page is in date until the school is inspected
    // again, however long that is.
    edit(
        &site,
        "content/policies/ofsted-and-results.md",
        "statutory = [\"ofsted-report\", \"exam-and-assessment-results\"]\nlast_reviewed = 2026-10-14\nnext_review = 2027-10-13\n",
        "statutory = \"ofsted-report\"\nlast_reviewed = 2026-10-14\n",
    );
    edit(
        &site,
        "config.toml",
        "careers-programme = ",
        "exam-and-assessment-results = \"(test) not the point here\"\ncareers-programme = ",
    );
    let (code, findings) = statutory_findings_on(&site, "2029-11-23");
    assert!(
        findings
            .iter()
            .all(|f| f.2 != "content/policies/ofsted-and-results.md"),
        "{findings:#?}"
    );
    let _ = code;
    let run = site.run(&["statutory", "--format", "json", "--today", TODAY]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let ofsted = doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "ofsted-report")
        .unwrap()
        .clone();
    assert_eq!(ofsted["state"], "current");
    assert_eq!(ofsted["cadence"], "on-inspection");
    assert_eq!(ofsted["force"], "must");
    assert_eq!(ofsted["page"]["next_review"], serde_json::Value::Null);

    // A new inspection makes it due 60 days later (here, within the
    // 30 days of warning).
    edit(
        &site,
        "config.toml",
        "inspected = 2023-03-09",
        "inspected = 2026-10-20",
    );
    let (code, findings) = statutory_findings(&site);
    assert_eq!(code, 0, "{findings:#?}");
    assert!(
        findings.iter().any(|f| f.0 == "statutory-due-soon"
            && f.2 == "content/policies/ofsted-and-results.md"
            && f.4.contains(
                "the Ofsted report is due for an update after the school's inspection on 2026-12-19"
            )),
        "{findings:#?}"
    );
    let (code, findings) = statutory_findings_on(&site, "2026-12-20");
    assert_eq!(code, 1);
    assert!(
        findings.iter().any(|f| f.0 == "statutory-overdue"
            && f.1 == "error"
            && f.2 == "content/policies/ofsted-and-results.md"),
        "{findings:#?}"
    );
    // An inspection date that has not happened yet is a mistake.
    edit(
        &site,
        "config.toml",
        "inspected = 2026-10-20",
        "inspected = 2027-02-01",
    );
    let (code, findings) = statutory_findings(&site);
    assert_eq!(code, 1);
    assert!(
        findings.iter().any(|f| f.0 == "statutory-declaration"
            && f.2 == "config.toml"
            && f.3 == Some(line_of(&site, "config.toml", "inspected"))
            && f.4.contains("inspected = 2027-02-01 is in the future")),
        "{findings:#?}"
    );
}

#[test]
fn an_academys_complaints_procedure_is_a_should() {
    let site = Site::example();
    edit(
        &site,
        "config.toml",
        "profile = \"maintained\"",
        "profile = \"academy\"",
    );
    std::fs::remove_file(site.path("content/policies/complaints.md")).unwrap();
    let (_, findings) = statutory_findings(&site);
    let complaints: Vec<_> = findings
        .iter()
        .filter(|f| f.4.contains("(complaints-policy)"))
        .collect();
    assert_eq!(complaints.len(), 1, "{findings:#?}");
    assert_eq!(
        (complaints[0].0.as_str(), complaints[0].1.as_str()),
        ("statutory-should", "warning")
    );
    // For a maintained school it is a must.
    edit(
        &site,
        "config.toml",
        "profile = \"academy\"",
        "profile = \"maintained\"",
    );
    let (code, findings) = statutory_findings(&site);
    assert_eq!(code, 1);
    assert!(findings.iter().any(|f| f.0 == "statutory-missing"
        && f.1 == "error"
        && f.4.contains("(complaints-policy)")));
}

#[test]
fn pay_gap_reporting_follows_the_employers_size() {
    let site = Site::example();
    let config = site.read("config.toml");
    let pay_gap = config
        .lines()
        .find(|l| l.starts_with("gender-pay-gap = "))
        .unwrap()
        .to_string();
    site.write("config.toml", config.replace(&pay_gap, ""));
    let (code, findings) = statutory_findings(&site);
    assert_eq!(code, 1);
    assert!(
        findings
            .iter()
            .any(|f| f.0 == "statutory-missing" && f.4.contains("(gender-pay-gap)"))
    );
    for (employees, blocked) in [(249, false), (250, true)] {
        let text = site.read("config.toml");
        let text = match text.find("employees = ") {
            Some(at) => {
                let end = at + text[at..].find('\n').unwrap();
                format!("{}employees = {employees}{}", &text[..at], &text[end..])
            }
            None => text.replace(
                "profile = \"maintained\"\n",
                &format!("profile = \"maintained\"\nemployees = {employees}\n"),
            ),
        };
        site.write("config.toml", text);
        let (code, findings) = statutory_findings(&site);
        assert_eq!(code == 1, blocked, "{employees}: {findings:#?}");
    }
}

#[test]
fn every_item_shows_its_force_cadence_and_source() {
    let site = Site::example();
    let run = site.run(&["statutory", "--all"]);
    assert_eq!(run.code, 0);
    for expected in [
        "music-development-plan (Music development plan summary)\n  required by: maintained (should), academy (should)",
        "child-protection-policy (Child protection policy)\n  required by: maintained (must), academy (must)",
        "complaints-policy (Complaints procedure)\n  required by: maintained (must), academy (should)",
        "online-safety-policy (Online safety)\n  required by: none (optional: a page may publish it)",
        "  updated: before each school year (by 31 August) (before-academic-year)",
        "  updated: after each Ofsted inspection (on-inspection)",
        "  updated: at least every 4 years (every-4-years)",
        "  source: Keeping children safe in education (statutory guidance) (https://www.gov.uk/",
    ] {
        assert!(run.stdout.contains(expected), "{expected}\n{}", run.stdout);
    }
    let run = site.run(&["statutory", "--all", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let item = |key: &str| {
        doc["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["key"] == key)
            .unwrap()
            .clone()
    };
    let music = item("music-development-plan");
    assert_eq!(music["force"]["maintained"], "should");
    assert_eq!(music["cadence"], "before-academic-year");
    assert_eq!(
        music["profiles"],
        serde_json::json!(["maintained", "academy"])
    );
    let pay = item("gender-pay-gap");
    assert_eq!(pay["min_employees"], 250);
    assert!(
        pay["from"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["url"].as_str().unwrap().contains("gender-pay-gap"))
    );
    assert!(
        doc["reference"][0]["checked"]
            .as_str()
            .is_some_and(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok())
    );
}
