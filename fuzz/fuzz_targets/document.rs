//! Property, for the PDF path a site build takes (clean, then read for
//! the rules): any bytes are either refused, or cleaned into a file that
//! (a) is still a PDF, (b) cleans again to exactly the same bytes with
//! nothing removed, and (c) reads the same: the same pages, text and
//! pictures, so what the rules checked is what is published.
#![no_main]

use libfuzzer_sys::fuzz_target;
use schoolsite::media::{Kind, Settings, Sizes, Treatment, process, sniff};

fuzz_target!(|data: &[u8]| {
    // Every input is made to look like a PDF, so time goes on the reader.
    let mut input = b"%PDF-1.7\n".to_vec();
    input.extend_from_slice(data.strip_prefix(b"%PDF-1.7\n").unwrap_or(data));
    let settings = Settings::default();
    let sizes = Sizes::default();
    let Ok(first) = process(&input, &settings, &sizes, &Treatment::default(), None) else {
        return;
    };
    let out = first.largest().bytes();
    assert_eq!(sniff(out), Kind::Pdf, "output changed format");
    let again = process(out, &settings, &sizes, &Treatment::default(), None)
        .expect("a clean output must be accepted again");
    assert_eq!(again.largest().bytes(), out, "a second pass changed the output");
    assert!(again.removed().is_empty(), "left behind: {:?}", again.removed());
    assert_eq!(again.contents(), first.contents(), "the clean copy reads differently");
});
