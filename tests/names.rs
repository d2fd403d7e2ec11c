//! Pupils' full names on the published site: every way of writing a name
//! is caught, and each near miss is not, on built sites, with the finding
//! asserted. First names alone never trigger in text.

mod common;
use common::*;

const REGISTER: &str = "id,legal_forename,legal_surname,preferred_forename,role,leaving_date,consent_date,never_publish,website_group,website_individual,website_named_first_name
1001,Amelia,Smith,Millie,pupil,,2026-09-01,no,yes,yes,yes
1002,Zoë,Fitzgerald-Ward,,pupil,,2026-09-01,no,yes,yes,yes
1003,Siân,Llewellyn,,pupil,,2026-09-01,no,yes,yes,yes
1004,Grace,Hope,,pupil,,2026-09-01,no,yes,yes,yes
1005,Summer,May,,pupil,,2026-09-01,no,yes,yes,yes
S01,Rebecca,Ashworth,,staff,,2026-09-01,no,yes,yes,yes
";

fn site_with(body: &str) -> Site {
    let site = Site::new();
    site.write("consent/register.csv", REGISTER);
    site.write("content/news/index.md", page("title = \"News\"", body));
    site
}

/// (rule, severity, file, line, message) of every names finding.
fn names_findings(site: &Site) -> Vec<Found> {
    let (run, found) = findings_with_prefix(site, "2026-11-23", "name");
    for s in ["Smith", "Fitzgerald", "Llewellyn", "Ashworth"] {
        assert!(
            !run.all().contains(s),
            "a full name ({s}) is in the output:\n{}",
            run.all()
        );
    }
    found
}

/// The pupils whose full names are found in `body`.
fn caught(body: &str) -> Vec<String> {
    names_findings(&site_with(body))
        .into_iter()
        .filter(|f| f.0 == "name-on-page")
        .map(|f| {
            f.4.split(" is on ")
                .next()
                .unwrap()
                .replace("the full name of pupil ", "")
        })
        .collect()
}

#[test]
fn every_way_of_writing_a_name_is_caught_and_near_misses_are_not() {
    let millie = vec!["1001 (Millie S.)".to_string()];
    let cases: &[(&str, &str, &str)] = &[
        // (what, caught, near miss)
        ("case", "AMELIA SMITH won.", "AMELIA S. won."),
        ("preferred name", "Millie Smith won.", "Millie won."),
        (
            "middle name",
            "Amelia Rose Smith won.",
            "Amelia and Smith won.",
        ),
        (
            "surname first",
            "Smith, Amelia won.",
            "Smith and Amelia won.",
        ),
        (
            "shouted surname first",
            "SMITH Amelia won.",
            "SMITH, the caretaker, thanked Amelia.",
        ),
        (
            "possessive",
            "Amelia Smith's painting",
            "Amelia Smithson's painting",
        ),
        (
            "markup between",
            "Amelia <em>Smith</em> won.",
            "<em>Amelia</em> S. won.",
        ),
        ("line break", "Amelia\nSmith won.", "Amelia\nS. won."),
        (
            "sentences, not a name",
            "Amelia Smith won.",
            "Well done, Amelia. Smith Lane is closed.",
        ),
        (
            "paragraphs, not a name",
            "Amelia <b>Smith</b> won.",
            "Thanks, Amelia\n\nSmith Lane is closed.",
        ),
        ("entity", "Amelia&nbsp;Smith won.", "Amelia&nbsp;S. won."),
        (
            "zero-width space",
            "Amelia Sm\u{200B}ith won.",
            "Amelia S\u{200B}. won.",
        ),
        ("soft hyphen", "Ame&shy;lia Smith won.", "Ame&shy;lia won."),
        (
            "look-alike letters",
            "\u{410}m\u{435}lia Smith won.",
            "\u{410}m\u{435}lio Smith won.",
        ),
        (
            "in alt text",
            "![Amelia Smith at the fair](x.png)",
            "![Amelia at the fair](x.png)",
        ),
        (
            "in a link",
            "[Amelia](https://example.org/amelia-smith/)",
            "[Amelia](https://example.org/amelia-s/)",
        ),
        // As a reader sees it: the bidirectional algorithm, Unicode's
        // invisible and filler characters, look-alike letters.
        (
            "reversed in a right-to-left override",
            "Well done \u{202E}htimS ailemA\u{202C}!",
            "Well done \u{202E}ailemA\u{202C}!",
        ),
        (
            "an override written as a reference",
            "&#x202E;htimS ailemA&#x202C; won.",
            "&#x202E;.S ailemA&#x202C; won.",
        ),
        (
            "only the surname reversed",
            "Amelia \u{202E}htimS\u{202C} won.",
            "Amelia \u{202E}.S\u{202C} won.",
        ),
        (
            "an isolate inside the name",
            "Ame\u{2066}lia\u{2069} Smith won.",
            "Ame\u{2066}lia\u{2069} S. won.",
        ),
        (
            "a word joiner, a variation selector, a tag character",
            "Am\u{2060}elia Sm\u{FE0F}it\u{E0041}h won.",
            "Am\u{2060}elia S\u{FE0F}. won.",
        ),
        (
            "a Hangul filler for the space",
            "Amelia\u{3164}Smith won.",
            "Amelia\u{3164}S. won.",
        ),
        (
            "small capitals",
            "\u{1D00}\u{1D0D}\u{1D07}\u{029F}\u{026A}\u{1D00} s\u{1D0D}\u{026A}\u{1D1B}\u{029C} won.",
            "\u{1D00}\u{1D0D}\u{1D07}\u{029F}\u{026A}\u{1D00} s. won.",
        ),
        (
            "mathematical bold letters",
            "\u{1D400}\u{1D426}\u{1D41E}\u{1D425}\u{1D422}\u{1D41A} \u{1D412}\u{1D426}\u{1D422}\u{1D42D}\u{1D421} won.",
            "\u{1D400}\u{1D426}\u{1D41E}\u{1D425}\u{1D422}\u{1D41A} won.",
        ),
        (
            "in a class attribute",
            "<span class=\"amelia-smith\">A.</span> won.",
            "<span class=\"amelia\">A.</span> won.",
        ),
        (
            "joined by a full stop",
            "<span id=\"Amelia.Smith\">A.</span> won.",
            "<span id=\"Amelia.S\">A.</span> won.",
        ),
        (
            "an initial and the surname",
            "Well done to A. Smith!",
            "Well done to Mrs A. Smith, our new teacher!",
        ),
        (
            "the surname and an initial",
            "Well done: Smith, A. won.",
            "Well done to a Smith Street family.",
        ),
        (
            "hidden text glued to the name",
            "Well done to Amelia Smith<span hidden>x</span> today.",
            "Well done to Amelia S.<span hidden>x</span> today.",
        ),
        (
            "in the cells of a table row",
            "| First name | Surname |\n|---|---|\n| Amelia | Smith |",
            "| First name | Initial |\n|---|---|\n| Amelia | S. |",
        ),
        (
            "a paragraph separator as the space",
            "Amelia\u{2029}Smith won.",
            "Amelia\u{2029}S. won.",
        ),
        (
            "a capital I with a dot",
            "AMELİA SMİTH won.",
            "AMELİA S. won.",
        ),
        (
            "in a link's fragment",
            "[Amelia](/news/#amelia-smith) won.",
            "[Amelia](/news/#amelia) won.",
        ),
    ];
    for (what, hit, miss) in cases {
        assert_eq!(caught(hit), millie, "{what}: {hit:?} should be caught");
        assert!(
            caught(miss).is_empty(),
            "{what}: {miss:?} should not be caught"
        );
    }
    let zoe = vec!["1002 (Zoë F.)".to_string()];
    for hit in [
        "Zoe Fitzgerald-Ward",
        "Zoë Fitzgerald Ward",
        "ZOË FITZGERALD–WARD",
        "Zo&euml; Fitzgerald-Ward",
    ] {
        assert_eq!(caught(hit), zoe, "{hit}");
    }
    assert!(caught("Zoë Fitzgerald came.").is_empty());
    assert_eq!(
        caught("Sian Llewellyn sang."),
        vec!["1003 (Siân L.)".to_string()]
    );
    assert!(caught("Siân sang, and so did Mr Llewellyn.").is_empty());
}

#[test]
fn first_names_alone_and_staff_never_trigger() {
    let body = "We hope you have a lovely summer. May the grace of the season be with you. Millie, Zoë and Siân sang. Rebecca Ashworth, our Year 5 teacher, led them.";
    assert!(names_findings(&site_with(body)).is_empty());
}

#[test]
fn next_to_a_photo_it_is_an_error_with_the_name_masked() {
    let site = site_with(
        "Well done to our winner.\n\n![The winner with her cup](cup.jpg)\n\nAmelia Smith receives her award from the mayor.\n",
    );
    site.write("content/news/cup.jpg", plain_jpeg(8, 8));
    site.write(
        "content/news/photos.toml",
        "[[photo]]\nfile = \"cup.jpg\"\nnobody = true\n",
    );
    let f = names_findings(&site);
    assert_eq!(f.len(), 1, "{f:?}");
    let (rule, severity, file, line, message) = &f[0];
    assert_eq!(
        (rule.as_str(), severity.as_str()),
        ("name-near-photo", "error")
    );
    assert_eq!((file.as_str(), *line), ("content/news/index.md", Some(8)));
    assert_eq!(
        message,
        "the full name of pupil 1001 (Millie S.) is on /news/ on a page with a photo: \"… Well done to our winner. A***** S**** receives her award from the mayor. …\""
    );
}

#[test]
fn text_only_pages_may_be_lowered_to_a_warning() {
    let site = site_with("The prize for reading goes to Amelia Smith.\n");
    let f = names_findings(&site);
    assert_eq!(
        (f[0].0.as_str(), f[0].1.as_str()),
        ("name-on-page", "error")
    );
    let config = site.read("config.toml");
    site.write(
        "config.toml",
        format!("{config}\n[names]\ntext_only_pages = \"warning\"\n"),
    );
    let f = names_findings(&site);
    assert_eq!(
        (f[0].0.as_str(), f[0].1.as_str()),
        ("name-on-page", "warning")
    );
    let run = site.run(&["check", "--today", "2026-11-23"]);
    assert_eq!(run.code, 0, "{}", run.all());
}

#[test]
fn a_name_a_template_or_the_config_adds_points_at_the_templates() {
    let site = site_with("Hello.\n");
    let config = site.read("config.toml");
    site.write(
        "config.toml",
        config.replacen(
            "[school]",
            "description = \"Head girl: Amelia Smith\"\n[school]",
            1,
        ),
    );
    let f = names_findings(&site);
    assert!(!f.is_empty());
    assert!(
        f.iter()
            .all(|f| f.2 == "themes/schoolsite/templates" && f.3.is_none()),
        "{f:?}"
    );
    assert!(f.iter().any(|f| f.4.contains("(in a meta tag)")), "{f:?}");
}

#[test]
fn a_pupil_name_in_a_page_address_is_an_error_but_a_word_is_not() {
    let site = site_with("Hello.\n");
    site.write(
        "content/news/amelia-trip.md",
        page("title = \"Trip\"", "A trip.\n"),
    );
    site.write(
        "content/news/summer-fair.md",
        page("title = \"Fair\"", "The fair.\n"),
    );
    let f = names_findings(&site);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].0, "name-in-address");
    assert_eq!(f[0].2, "content/news/amelia-trip.md");
    assert_eq!(
        f[0].4,
        "the page's address /news/a*****-trip/ contains a pupil's name (\"a*****\")"
    );
}

#[test]
fn the_allow_list_lets_a_name_through_and_lists_it() {
    let site = site_with("Our visiting author, Amelia Smith, read to Year 2.\n");
    let config = site.read("config.toml");
    site.write(
        "config.toml",
        format!("{config}\n[[names.allow]]\npage = \"content/news/index.md\"\nname = \"Amelia Smith\"\nreason = \"a visiting children's author, not our pupil\"\n"),
    );
    let f = names_findings(&site);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(
        (f[0].0.as_str(), f[0].1.as_str()),
        ("name-allowed", "notice")
    );
    assert!(
        f[0].4
            .ends_with("allowed by the config: a visiting children's author, not our pupil")
    );
    let run = site.run(&["check", "--today", "2026-11-23"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains("notice[name-allowed] line 4"),
        "{}",
        run.stdout
    );
    // On another page, the same name is still caught.
    site.write(
        "content/other.md",
        page("title = \"Other\"", "Amelia Smith again.\n"),
    );
    let f = names_findings(&site);
    assert!(
        f.iter()
            .any(|f| f.0 == "name-on-page" && f.2 == "content/other.md"),
        "{f:?}"
    );
}

#[test]
fn the_example_site_is_clean_and_its_register_has_word_names() {
    let site = Site::example();
    let register = site.read("consent/register.csv");
    for word_name in [",Grace,", ",Summer,", ",Hope,", ",May,", ",Bill,"] {
        assert!(register.contains(word_name), "{word_name}");
    }
    assert!(names_findings(&site).is_empty());
}

#[test]
fn markup_that_reorders_or_splits_what_a_reader_sees_is_refused() {
    // Ruby annotations, bidi overrides and event handlers are not on the
    // gate's list for Markdown: the page is refused, whatever it says.
    for (body, rule) in [
        ("<ruby>Ame<rt>x</rt>lia</ruby> Smith won.", "html-refused"),
        ("<bdo dir=\"rtl\">htimS ailemA</bdo> won.", "html-refused"),
        (
            "<span onclick=\"alert('Amelia Smith')\">A.</span>",
            "html-refused",
        ),
    ] {
        let site = site_with(body);
        let (run, found) = findings_with_prefix(&site, "2026-11-23", "");
        assert_eq!(run.code, 1, "{body}: {}", run.all());
        assert!(
            found
                .iter()
                .any(|f| f.0.starts_with(rule.split('-').next().unwrap())),
            "{body}: {found:#?}"
        );
    }
}

#[test]
fn a_stylesheet_may_not_reverse_letters() {
    for (css, blocked) in [
        (
            ".name { unicode-bidi: bidi-override; direction: rtl; }",
            true,
        ),
        (".name { unicode-bidi: isolate-override; }", true),
        (".name { unicode-bidi: isolate; direction: rtl; }", false),
    ] {
        let site = site_with("Amelia won.");
        site.write("themes/schoolsite/static/extra.css", css);
        let (run, found) = findings_with_prefix(&site, "2026-11-23", "css");
        assert_eq!(run.code == 1, blocked, "{css}: {}", run.all());
        if blocked {
            assert_eq!(found.len(), 1, "{found:#?}");
            assert_eq!(found[0].0, "css-reorders-text");
            assert_eq!(found[0].2, "themes/schoolsite/static/extra.css");
            assert!(found[0].4.contains("unicode-bidi:"), "{}", found[0].4);
        } else {
            assert!(found.is_empty(), "{found:#?}");
        }
    }
}

/// A page showing `cup.jpg`, declared as showing pupil `id`, with `text`.
fn photo_page(id: &str, text: &str) -> Site {
    // 1006 is a pupil whose parents said no to their first name.
    let site = site_with(&format!("{text}\n\n![The winner with the cup](cup.jpg)\n"));
    site.write(
        "consent/register.csv",
        format!("{REGISTER}1006,Oliver,Okafor,,pupil,,2026-09-01,no,yes,yes,no\n"),
    );
    site.write("content/news/cup.jpg", plain_jpeg(8, 8));
    site.write(
        "content/news/photos.toml",
        format!("[[photo]]\nfile = \"cup.jpg\"\npeople = [\"{id}\"]\n"),
    );
    site
}

#[test]
fn a_first_name_next_to_a_photo_needs_its_own_consent() {
    // Refused for Oliver: his first name may not go with his photo.
    let site = photo_page("1006", "Well done, Oliver, our cup winner!");
    let f = names_findings(&site);
    assert_eq!(f.len(), 1, "{f:?}");
    let (rule, severity, file, line, message) = &f[0];
    assert_eq!(
        (rule.as_str(), severity.as_str(), file.as_str(), *line),
        ("name-near-photo", "error", "content/news/index.md", Some(4))
    );
    assert!(
        message.starts_with("this page shows the photo cup.jpg of pupil 1006 (Oliver O.) and gives their first name, but the pupil has no consent for website_named_first_name"),
        "{message}"
    );
    // Near misses: the same page without his name, and Millie, whose
    // parents agreed, named next to her photo.
    assert!(names_findings(&photo_page("1006", "Well done to our cup winner!")).is_empty());
    // In small letters it is still his name.
    assert_eq!(
        names_findings(&photo_page("1006", "well done, oliver, our cup winner!")).len(),
        1
    );
    assert!(names_findings(&photo_page("1001", "Well done, Millie, our cup winner!")).is_empty());
    // An everyday word that is also a first name is not a name at the
    // start of a sentence.
    let site = photo_page(
        "1005",
        "What a day! Summer is here, and well done to our winner.",
    );
    site.write(
        "consent/register.csv",
        REGISTER.replace(
            "1005,Summer,May,,pupil,,2026-09-01,no,yes,yes,yes",
            "1005,Summer,May,,pupil,,2026-09-01,no,yes,yes,no",
        ),
    );
    let f = names_findings(&site);
    assert!(f.is_empty(), "{f:?}");
    site.write(
        "content/news/index.md",
        page(
            "title = \"News\"",
            "Well done, Summer!\n\n![The winner with the cup](cup.jpg)\n",
        ),
    );
    assert_eq!(names_findings(&site).len(), 1);
    // At the start of alt text or a heading it names her.
    site.write(
        "content/news/index.md",
        page(
            "title = \"News\"",
            "![Summer with her sunflower](cup.jpg)\n",
        ),
    );
    assert_eq!(names_findings(&site).len(), 1);
    // Hidden text glued to a first name does not hide it.
    let site = photo_page(
        "1006",
        "Well done, Oliver<span hidden>x</span>, our winner!",
    );
    assert_eq!(names_findings(&site).len(), 1);
}

#[test]
fn a_school_can_say_photos_carry_no_names_at_all() {
    let site = photo_page("1001", "Well done, Millie, our cup winner!");
    let config = site.read("config.toml") + "\n[names]\nnear_photos = \"any-name\"\n";
    site.write("config.toml", config);
    let f = names_findings(&site);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0].4
            .contains("the school's policy is that photos carry no names"),
        "{}",
        f[0].4
    );
    // A page with no photo may still use first names.
    let site = site_with("Well done, Millie!");
    let config = site.read("config.toml") + "\n[names]\nnear_photos = \"any-name\"\n";
    site.write("config.toml", config);
    assert!(names_findings(&site).is_empty());
    // And an initial with the surname may be allowed by a school that
    // uses it.
    let site = site_with("Well done, A. Smith!");
    assert_eq!(names_findings(&site).len(), 1);
    let config = site.read("config.toml") + "\n[names]\ninitial_and_surname = \"allowed\"\n";
    site.write("config.toml", config);
    assert!(names_findings(&site).is_empty());
}
