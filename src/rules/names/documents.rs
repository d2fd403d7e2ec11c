//! Names in published documents (PDFs): their text is checked like a
//! page's, page by page (with what a viewer shows with each page: its
//! annotations, form fields, links, tags and label), and what a viewer
//! shows outside the pages (bookmarks, layer names, tags that name no
//! page); their file name like a page's address. A document whose text
//! cannot be read (a scan, a font with no Unicode map) is flagged: its
//! names were not checked.

use super::matcher::Matcher;
use super::{Input, full_names_in, mask_path, mask_words, masked_context, normalise};
use crate::config::TextOnly;
use crate::content::CONTENT_DIR;
use crate::media::DocumentContents;
use crate::report::{Finding, Location, Severity};
use rayon::prelude::*;
use std::collections::HashMap;

pub fn check(input: &Input, matcher: &Matcher) -> Vec<Finding> {
    input
        .content_files
        .par_iter()
        .flat_map_iter(|(path, verdict)| {
            let contents = verdict.as_ref().ok().and_then(|p| p.contents());
            match contents {
                Some(c) => check_document(input, matcher, path, c),
                None => Vec::new(),
            }
        })
        .collect()
}

/// The first place a pupil is named, and how often.
struct Found {
    pupil: u32,
    /// 1-based; 0 for what is shown outside the pages (bookmarks, layer
    /// names, tags that name no page).
    page: usize,
    /// Where on the page.
    at: usize,
    context: String,
    times: usize,
}

fn check_document(
    input: &Input,
    matcher: &Matcher,
    path: &str,
    contents: &DocumentContents,
) -> Vec<Finding> {
    let file = format!("{CONTENT_DIR}/{path}");
    let mut out = Vec::new();
    let mut found: Vec<Found> = Vec::new();
    let mut seen: HashMap<u32, usize> = HashMap::new();
    let mut words = Vec::new();
    let texts = contents
        .pages
        .iter()
        .enumerate()
        .map(|(i, p)| (i + 1, p.text.as_str()))
        .chain(std::iter::once((0, contents.bookmarks.as_str())));
    for (page, text) in texts {
        let hits = full_names_in(matcher, text, &mut words);
        let others: Vec<(usize, usize)> = hits.iter().map(|&(_, f, t)| (f, t)).collect();
        for &(pupil, from, to) in &hits {
            if let Some(&i) = seen.get(&pupil) {
                found[i].times += 1;
                continue;
            }
            seen.insert(pupil, found.len());
            found.push(Found {
                pupil,
                page,
                at: from,
                context: masked_context(text, from, to, &others),
                times: 1,
            });
        }
    }
    let pictures = contents.pictures();
    // Captions go with a video: a name in them is a name next to a photo.
    let with_photos = pictures > 0 || contents.lines;
    for f in found {
        let pupil = matcher.pupil(f.pupil);
        let location = if f.page == 0 {
            Location::file(&file)
        } else {
            contents.location(&file, f.page - 1, f.at)
        };
        let place = match (f.page, location.line) {
            (0, _) => "outside its pages (in its bookmarks, layer names or tags)".to_string(),
            (_, Some(line)) => format!("on line {line}"),
            (page, None) => format!("on page {page}"),
        };
        let more = match f.times {
            1 => String::new(),
            2 => " (and once more)".to_string(),
            n => format!(" (and {} more times)", n - 1),
        };
        if let Some(allowed) = input.config.names.allow.iter().find(|a| {
            (a.page == file || a.page == path)
                && pupil.full_names.contains(&normalise::name(&a.name))
        }) {
            out.push(Finding::notice(
                "name-allowed",
                location,
                format!(
                    "the name of pupil {} is in {file} and is allowed by the config: {}",
                    pupil.label, allowed.reason
                ),
            ));
            continue;
        }
        let (rule, severity, with_photo) = if with_photos {
            (
                "name-near-photo",
                Severity::Error,
                if contents.lines {
                    " (captions for a video)"
                } else {
                    " (a document with photos)"
                },
            )
        } else {
            let severity = match input.config.names.text_only_pages {
                TextOnly::Error => Severity::Error,
                TextOnly::Warning => Severity::Warning,
            };
            ("name-on-page", severity, "")
        };
        let mut finding = Finding::error(
            rule,
            location,
            format!(
                "the full name of pupil {} is in {file}{with_photo} {place}: \"{}\"{more}",
                pupil.label, f.context
            ),
            if contents.lines {
                "use the first name only, or the first name and initial (\"Amelia S.\"), in the captions: the credits of school videos never give pupils' full names"
            } else {
                "edit the original document to use the first name only, or the first name and initial (\"Amelia S.\"), and export the PDF again"
            },
        );
        finding.severity = severity;
        out.push(finding);
    }

    // Text that could not be read: a scan, or a font without a map.
    let blank: Vec<usize> = contents
        .pages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.unreadable || p.text.trim().is_empty())
        .map(|(i, _)| i + 1)
        .collect();
    if !contents.pages.is_empty() && blank.len() == contents.pages.len() {
        out.push(Finding::warning(
            "document-unchecked",
            Location::file(&file),
            "this PDF has no text schoolsite can read (it looks like a scan or a picture of the pages), so it could not be checked for pupils' names",
            "publish the original document exported as PDF (File > Save As > PDF) rather than a scan, or put the text on a page; until then, read it through for pupils' full names",
        ));
    } else if contents.pages.iter().any(|p| p.unreadable) {
        let pages: Vec<String> = blank.iter().map(usize::to_string).collect();
        out.push(Finding::warning(
            "document-unchecked",
            Location::page(&file, blank.first().copied().unwrap_or(1)),
            format!(
                "some text on page{} {} of this PDF is in a font whose letters cannot be read, so it could not be checked for pupils' names",
                if pages.len() == 1 { "" } else { "s" },
                pages.join(", ")
            ),
            "export the PDF again with fonts embedded as text (most programs do this by default), and read those pages through for pupils' full names",
        ));
    }

    // The published name keeps the source's name: no pupil name in it,
    // first names included.
    let name = path.rsplit('/').next().unwrap_or(path);
    let normalised = normalise::normalise(name);
    if let Some(&(s, e)) = matcher.any_names(&normalised.text).first() {
        let (from, to) = normalised.source_range(s, e, name);
        out.push(Finding::error(
            "name-in-address",
            Location::file(&file),
            format!(
                "this document is published under its file name, {}, which contains a pupil's name (\"{}\")",
                mask_path(name, from, to),
                mask_words(&name[from..to])
            ),
            "rename the file so its name says what it is, not who (newsletter-autumn-2.pdf)",
        ));
    }
    out
}
