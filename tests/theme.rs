//! The default theme and what the renderer makes for machines: the home
//! page, the news feed, the calendar, the search index, the sitemap, and
//! how the theme copes with bad input.

mod common;
use common::*;

/// A Python one-liner that parses an XML file with the standard library's
/// parser (an independent reader) and prints its root element's name and
/// how many `tag` elements it has.
fn parse_xml(path: &std::path::Path, tag: &str) -> String {
    let script = format!(
        "import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]); print(d.documentElement.tagName, len(d.getElementsByTagName('{tag}')))"
    );
    let out = tool("python3", &["-c", &script, path.to_str().unwrap()])
        .expect("python3 is needed to check the feeds (.ci/run installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn example_home_page_has_news_dates_and_key_links_within_budget() {
    let site = Site::example();
    let run = site.run(&["build", "--today", "2026-11-24"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let home = site.read("public/index.html");
    for want in [
        "Latest news",
        "Coming up",
        "Carol concert",
        "Last day of the autumn term",
        "Add our dates to your calendar",
        "Find what you need",
        "href=\"/term-dates/\"",
        "<a class=\"skip-link\" href=\"#main\">",
        "<main id=\"main\"",
        "<html lang=\"en-GB\">",
        "type=\"application/atom+xml\"",
    ] {
        assert!(home.contains(want), "home page lacks {want:?}");
    }
    // Past events are not "coming up".
    assert!(!home.contains("Parents&#39; evening") && !home.contains("Parents' evening"));
    // The carol concert (16 December, 2pm) comes before the end of term
    // (18 December): timed and all-day events are in time order.
    assert!(
        home.find("Carol concert").unwrap() < home.find("Last day of the autumn term").unwrap()
    );

    // Nothing loads from anywhere else, and the page with its CSS and
    // JavaScript is under 50 KB.
    let mut weight = home.len();
    for (attr, tag) in [("href=\"", "<link"), ("src=\"", "<script")] {
        for chunk in home.split(tag).skip(1) {
            let Some(url) = chunk.split(attr).nth(1).and_then(|r| r.split('"').next()) else {
                continue;
            };
            assert!(url.starts_with('/'), "{tag} loads {url} from elsewhere");
            if url.ends_with(".css") || url.ends_with(".js") {
                weight += site.read(&format!("public{url}")).len();
            }
        }
    }
    assert!(weight < 50 * 1024, "home page weighs {weight} bytes");
    assert!(!home.contains("http://") && !home.contains("src=\"https://"));
}

#[test]
fn feeds_calendar_sitemap_and_search_index_are_well_formed() {
    let site = Site::example();
    let run = site.run(&["build", "--today", "2026-11-24"]);
    assert_eq!(run.code, 0, "{}", run.all());

    // The Atom feed: one entry per news item (up to 20), summaries only.
    let atom = site.path("public/news/atom.xml");
    let news_items = std::fs::read_dir(site.path("public/news"))
        .unwrap()
        .filter(|e| {
            let e = e.as_ref().unwrap();
            e.path().join("index.html").exists() && e.file_name() != "page"
        })
        .count();
    assert_eq!(parse_xml(&atom, "entry"), format!("feed {news_items}"));
    let feed = site.read("public/news/atom.xml");
    assert!(feed.contains("<link rel=\"self\" type=\"application/atom+xml\" href=\"https://www.larkspurlane.example.sch.uk/news/atom.xml\"/>"));
    assert!(!feed.contains("<img") && !feed.contains("&lt;img") && !feed.contains("/media/"));

    // The sitemap lists every page but not the 404 page or list pages 2+.
    let sitemap = site.path("public/sitemap.xml");
    let listed = parse_xml(&sitemap, "url");
    let count: usize = listed.split(' ').nth(1).unwrap().parse().unwrap();
    assert!(count > 30, "{listed}");
    let text = site.read("public/sitemap.xml");
    assert!(text.contains("<loc>https://www.larkspurlane.example.sch.uk/term-dates/</loc><lastmod>2026-10-21</lastmod>"));
    assert!(!text.contains("404") && !text.contains("/page/2/"));
    assert!(
        site.read("public/robots.txt")
            .contains("Sitemap: https://www.larkspurlane.example.sch.uk/sitemap.xml")
    );

    // The calendar: CRLF lines of at most 75 octets, every event once,
    // all-day events ending the day after, timed ones in UK time.
    let ics = site.read("public/calendar.ics");
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "line too long: {line}");
        assert!(!line.contains('\n'), "bare LF in {line:?}");
    }
    assert_eq!(
        ics.matches("BEGIN:VEVENT").count(),
        ics.matches("END:VEVENT").count()
    );
    assert_eq!(
        ics.matches("BEGIN:VEVENT").count(),
        19,
        "16 term dates, 2 parents' evenings, 1 concert"
    );
    assert!(ics.contains("SUMMARY:Autumn half-term holiday\r\n"));
    assert!(ics.contains("DTSTART;VALUE=DATE:20261026\r\nDTEND;VALUE=DATE:20261031\r\n"));
    assert!(ics.contains(
        "DTSTART;TZID=Europe/London:20261216T140000\r\nDTEND;TZID=Europe/London:20261216T151500\r\n"
    ));
    assert!(ics.contains("LOCATION:St Mary's Church\\, Church Street\\, Ashcombe\r\n"));
    assert!(ics.contains("TZID:Europe/London\r\n"));
    // The same site builds the same calendar: no build time inside.
    let again = site.run(&["build", "--today", "2026-12-01"]);
    assert_eq!(again.code, 0, "{}", again.all());
    assert_eq!(site.read("public/calendar.ics"), ics);

    // The search index has every page and the search page lists them
    // without JavaScript.
    let index: serde_json::Value =
        serde_json::from_str(&site.read("public/search-index.json")).unwrap();
    let entries = index.as_array().unwrap();
    assert!(entries.iter().any(|e| e["u"] == "/policies/uniform/" && e["x"].as_str().unwrap().contains("uniform")));
    let search = site.read("public/search/index.html");
    assert!(search.contains("<a href=\"/policies/uniform/\">"));
    assert!(search.contains("<script src=\"/search.js\" defer>"));
    assert!(
        search.contains("hidden>"),
        "the form only appears with JavaScript"
    );
}

#[test]
fn events_with_impossible_dates_are_findings_with_their_line() {
    let site = Site::new();
    site.write(
        "content/dates.md",
        page(
            "title = \"Dates\"\n\n[[events]]\ntitle = \"Sports day\"\nstart = 2027-06-20\nend = 2027-06-18\n\n[[events]]\ntitle = \"Disco\"\nstart = 2027-02-12T18:00:00Z",
            "Dates.\n",
        ),
    );
    let (run, findings) = json_findings(&site, "2026-11-24", &[]);
    assert_eq!(run.code, 1, "{}", run.all());
    let wrong = with_rule(&findings, "event-dates");
    assert_eq!(wrong.len(), 1, "{findings:#?}");
    assert_eq!(wrong[0]["file"], "content/dates.md");
    assert_eq!(wrong[0]["line"], 4);
    assert!(
        wrong[0]["message"]
            .as_str()
            .unwrap()
            .contains("ends (2027-06-18) before it starts (2027-06-20)")
    );
    let zoned = with_rule(&findings, "front-matter");
    assert_eq!(zoned.len(), 1, "{findings:#?}");
    assert_eq!(zoned[0]["line"], 9);
    assert!(zoned[0]["message"].as_str().unwrap().contains("time zone"));
}

#[test]
fn the_theme_copes_with_bad_input() {
    let site = Site::new();
    site.write(
        "content/news/_index.md",
        "+++\ntitle = \"News\"\nsort_by = \"date\"\ngenerate_feeds = true\n+++\n",
    );
    // No title, no date.
    site.write("content/news/sports-results.md", "+++\n+++\n\nResults.\n");
    site.write(
        "content/news/2026-11-02-fair.md",
        "+++\ntitle = \"Fair\"\n+++\n\nFair.\n",
    );
    // An enormous table.
    let mut table = String::from("| ");
    table.push_str(
        &(0..60)
            .map(|i| format!("Column {i}"))
            .collect::<Vec<_>>()
            .join(" | "),
    );
    table.push_str(" |\n|");
    table.push_str(&"---|".repeat(60));
    table.push('\n');
    for r in 0..300 {
        table.push_str(&format!(
            "| {} |\n",
            (0..60)
                .map(|c| format!("r{r}c{c}"))
                .collect::<Vec<_>>()
                .join(" | ")
        ));
    }
    site.write(
        "content/results.md",
        page("title = \"Results\"", &format!("## All results\n\n{table}")),
    );
    let run = site.run(&["build", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("\"missing-title\"") && run.stdout.contains("\"missing-date\""));

    // The page with no title gets a heading from its address.
    let untitled = site.read("public/news/sports-results/index.html");
    assert!(untitled.contains("<h1>Sports results</h1>"), "{untitled}");
    assert!(untitled.contains("<title>Sports results | Test School</title>"));
    // The undated item is still in the feed, dated as the feed.
    let feed = site.read("public/news/atom.xml");
    assert_eq!(feed.matches("<entry>").count(), 2);
    assert_eq!(
        feed.matches("<updated>2026-11-02T00:00:00Z</updated>")
            .count(),
        3
    );
    // The table scrolls in its own named, focusable region.
    let results = site.read("public/results/index.html");
    assert!(results.contains("<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-label=\"Table: All results\"><table>"));
    assert!(results.contains("r299c59"));
    let css = site.read("public/style.css");
    assert!(css.contains(".table-scroll { overflow-x: auto;"));
}

#[test]
fn a_name_in_an_event_is_reported_once_not_again_for_the_feeds() {
    let site = Site::new();
    register_one_pupil(&site);
    site.write(
        "content/dates.md",
        page(
            "title = \"Dates\"\n\n[[events]]\ntitle = \"Amelia Testperson's recital\"\nstart = 2027-03-01",
            "Dates.\n",
        ),
    );
    let (run, findings) = json_findings(&site, "2026-11-24", &["Testperson"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let names = with_rule(&findings, "name-on-page");
    // On the page that declares it, and on the home page's "coming up"
    // list, both pointing at the event's line; not again for the
    // calendar, the search index or the search page, which repeat it.
    assert_eq!(names.len(), 2, "{findings:#?}");
    for n in &names {
        assert_eq!(n["file"], "content/dates.md", "{n:#?}");
        assert_eq!(n["line"], 5, "{n:#?}");
    }
    let messages: Vec<&str> = names
        .iter()
        .map(|n| n["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains(" is on /dates/")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains(" is on /:")),
        "{messages:?}"
    );
    for f in &findings {
        let m = f["message"].as_str().unwrap();
        assert!(!m.contains("calendar.ics") && !m.contains("search"), "{m}");
    }
}

#[test]
fn the_search_index_is_checked_when_a_theme_hides_page_text() {
    let site = Site::new();
    register_one_pupil(&site);
    site.write(
        "content/recital.md",
        page(
            "title = \"Recital\"",
            "Well done to Amelia Testperson for her recital.\n",
        ),
    );
    // The default theme shows the text: the name is reported on the page,
    // at its line, and not again for the search index.
    let (run, findings) = json_findings(&site, "2026-11-24", &["Testperson"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let names = with_rule(&findings, "name-on-page");
    assert_eq!(names.len(), 1, "{findings:#?}");
    assert_eq!(names[0]["file"], "content/recital.md");

    // A site template that leaves the text out: the page no longer shows
    // the name, but the search index still would, and is checked.
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}<h1>{{ page.title }}</h1>{% endblock content %}",
    );
    let (run, findings) = json_findings(&site, "2026-11-24", &["Testperson"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let names = with_rule(&findings, "name-on-page");
    assert_eq!(names.len(), 1, "{findings:#?}");
    assert!(
        names[0]["message"]
            .as_str()
            .unwrap()
            .contains("/search-index.json"),
        "{findings:#?}"
    );
}
