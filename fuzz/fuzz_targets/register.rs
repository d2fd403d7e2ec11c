//! The consent register reader and the photos.toml reader on arbitrary
//! bytes: never a panic, and never a full name in a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use schoolsite::consent::{Declarations, Layout, Register};

fuzz_target!(|data: &[u8]| {
    let register = Register::parse("consent/register.csv", data, &Layout::default());
    for person in register.people() {
        let _ = person.label();
    }
    let dir = std::env::temp_dir().join(format!("ss-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(dir.join("a"));
    if std::fs::write(dir.join("a/photos.toml"), data).is_ok() {
        let _ = Declarations::load(&dir, &["a/photos.toml"], |_| true);
    }
});
