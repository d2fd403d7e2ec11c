//! Property, for the gate every page passes: any text, read as a whole
//! page with a theme's list or as Markdown's raw HTML with the narrower
//! one, is written again as HTML that the gate admits unchanged (nothing
//! it wrote would be refused or read differently the second time), and no
//! CSS or XML reader panics or hangs on it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use schoolsite::render::gate::{self, Loads, Published, css, policy::Policy, xml};
use std::collections::HashSet;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let published = Published::new(
        "https://www.example.sch.uk",
        ["/media/a.jpg".to_string(), "/style.css".to_string()],
        ["/".to_string(), "/news/".to_string()],
    );
    let page = published.page_url("/news/");
    let theme = Policy::theme();
    let first = gate::page(&text, &theme, &published, &page);
    let again = gate::page(&first.html, &theme, &published, &page);
    assert!(again.problems.is_empty(), "the gate refused its own output: {:?}", again.problems);
    assert_eq!(again.html, first.html, "a second pass changed the page");

    let (markdown, _) = Policy::markdown(&[]);
    let own = HashSet::from(["/media/a.jpg".to_string()]);
    let first = gate::fragment(&text, &markdown, &published, &page, Loads::Only(&own));
    let again = gate::fragment(&first.html, &markdown, &published, &page, Loads::Only(&own));
    assert!(again.problems.is_empty(), "the gate refused its own fragment: {:?}", again.problems);
    assert_eq!(again.html, first.html, "a second pass changed the fragment");

    let _ = css::read(&text);
    let _ = xml::check(&text, &published, &page);
});
