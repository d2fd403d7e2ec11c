//! Property, for the video box parser and rebuilder: any bytes are either
//! refused, or cleaned into a file that (a) is still the same kind of
//! clip, and (b) cleans again to exactly the same bytes with nothing
//! removed: nothing is left that the cleaner itself would find.
#![no_main]

use libfuzzer_sys::fuzz_target;
use schoolsite::media::{Settings, sanitise, sniff};

fuzz_target!(|data: &[u8]| {
    // Inputs that do not start like a clip are given a file-type box, so
    // time goes on the box parser.
    let mut input = Vec::with_capacity(data.len() + 24);
    if !sniff(data).is_video_or_audio() {
        input.extend_from_slice(b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2");
    }
    input.extend_from_slice(data);
    let settings = Settings::default();
    let Ok(clean) = sanitise(&input, &settings) else {
        return;
    };
    let out = clean.bytes();
    assert_eq!(sniff(out), clean.kind(), "output changed kind");
    let again = sanitise(out, &settings).expect("a clean output must be accepted again");
    assert_eq!(again.bytes(), out, "a second pass changed the output");
    assert!(again.removed().is_empty(), "left behind: {:?}", again.removed());
});
