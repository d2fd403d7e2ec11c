//! Property, for the gate every page passes: any text, read as a whole
//! page with a theme's list or as Markdown's raw HTML with the narrower
//! one, is written again as HTML that the gate admits with nothing to
//! refuse: whatever tree a browser builds from what was written holds only
//! what the gate allows. (The tree can differ in shape: HTML cannot write
//! every tree so that it reads back the same, such as a heading that
//! misnested markup left inside another. A second pass is then the
//! settled shape, and a third pass must change nothing.) No CSS or XML
//! reader panics or hangs on it.
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
    let settled = gate::page(&again.html, &theme, &published, &page);
    assert_eq!(settled.html, again.html, "the page did not settle");

    let (markdown, _) = Policy::markdown(&[]);
    let own = HashSet::from(["/media/a.jpg".to_string()]);
    let first = gate::fragment(&text, &markdown, &published, &page, Loads::Only(&own));
    let again = gate::fragment(&first.html, &markdown, &published, &page, Loads::Only(&own));
    assert!(again.problems.is_empty(), "the gate refused its own fragment: {:?}", again.problems);
    let settled = gate::fragment(&again.html, &markdown, &published, &page, Loads::Only(&own));
    assert_eq!(settled.html, again.html, "the fragment did not settle");

    let _ = css::read(&text);
    let _ = xml::gate(&text, &published, &page);
});
