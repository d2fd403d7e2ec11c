//! Two documents must not publish to the same address.

use super::Input;
use crate::report::{Finding, Location};
use std::collections::HashMap;

pub fn check(input: &Input) -> Vec<Finding> {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    let mut out = Vec::new();
    for page in input.pages {
        let Some(source) = page.source() else {
            continue;
        };
        if let Some(first) = seen.insert(page.path(), source) {
            out.push(Finding::error(
                "duplicate-path",
                Location::file(source),
                format!(
                    "this page and {first} would both be published at {}",
                    page.path()
                ),
                "give one of them a different file name or slug",
            ));
        }
    }
    out
}
