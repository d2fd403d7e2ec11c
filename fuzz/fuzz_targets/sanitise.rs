//! Property: for any bytes, the sanitiser either refuses them or returns
//! a file that (a) is the same format, (b) sanitises again to exactly the
//! same bytes with nothing removed (so no metadata block is left for it to
//! find), and (c) holds no EXIF but, at most, the orientation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use schoolsite::media::{Settings, sanitise, sniff};

fuzz_target!(|data: &[u8]| {
    let settings = Settings {
        max_pixels: 1 << 24,
        ..Settings::default()
    };
    let Ok(clean) = sanitise(data, &settings) else {
        return;
    };
    let out = clean.bytes();
    assert_eq!(sniff(out), clean.kind(), "output changed format");
    let again = sanitise(out, &settings).expect("a clean output must be accepted again");
    assert_eq!(again.bytes(), out, "a second pass changed the output");
    assert!(again.removed().is_empty(), "left behind: {:?}", again.removed());
    if let Ok(exif) = exif::Reader::new().read_from_container(&mut std::io::Cursor::new(out)) {
        for f in exif.fields() {
            assert_eq!(f.tag, exif::Tag::Orientation, "EXIF field {} survived", f.tag);
        }
    }
});
