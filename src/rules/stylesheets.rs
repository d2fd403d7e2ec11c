//! The theme's stylesheets are read as CSS (the gate's reader): every
//! address in them, `@import`, `url()` and `image-set()`, must be a file
//! this build publishes, resolved against the stylesheet's own address
//! as a browser resolves it.

use super::Input;
use crate::render::gate::{Use, css};
use crate::report::{Finding, Location};

pub fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    for (file, text) in input.static_texts() {
        if !file.rel.to_ascii_lowercase().ends_with(".css") {
            continue;
        }
        let read = css::read(text);
        if let Some(what) = read.unreadable {
            out.push(Finding::error(
                "css-unreadable",
                Location::file(&file.display),
                format!("this stylesheet cannot be read safely: {what}"),
                "fix the CSS so a browser reads it one way only",
            ));
        }
        if let Some(what) = read.reorders {
            let line = text
                .to_ascii_lowercase()
                .find("unicode-bidi")
                .map_or(1, |at| 1 + text[..at].matches('\n').count());
            out.push(Finding::error(
                "css-reorders-text",
                Location::line(&file.display, line),
                format!("this stylesheet sets {what}, which shows letters in another order than they are written, where the names rules cannot read them"),
                "write the text in the order it is read and remove the unicode-bidi override",
            ));
        }
        let own = input.published.page_url(&format!("/{}", file.rel));
        for url in read.urls {
            if let Err(refused) = input.published.resolve(&url.0, &own, Use::Fetch) {
                let line = text
                    .find(&url.0)
                    .map_or(1, |at| 1 + text[..at].matches('\n').count());
                out.push(Finding::error(
                    refused.rule,
                    Location::line(&file.display, line),
                    format!("in this stylesheet: {}", refused.why),
                    refused.fix,
                ));
            }
        }
    }
    out
}
