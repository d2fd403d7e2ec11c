//! The rules: each file has one job and returns findings. Rules read the
//! loaded site, the rendered pages and the sanitiser's verdicts; they never
//! write anything.

mod assets;
mod consent;
mod contact;
mod documents;
mod identifiable;
mod images;
mod links;
mod names;
mod output_paths;
mod statutory;
mod stylesheets;
mod takedown;

pub use identifiable::{Grade, declares_pupil, grade, most_identifiable};
pub use names::in_address as name_in_address;
pub use statutory::findings as statutory_findings;

use crate::config::Config;
use crate::consent::{Declarations, Register};
use crate::content::{FileUse, Site};
use crate::media::{Processed, Refusal};
use crate::render::{RenderedPage, StaticFile};
use crate::report::Finding;
use crate::statutory::Assessment;
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// The sanitiser's verdict on a file.
pub type Verdict = Result<Processed, Refusal>;

/// Everything the rules look at.
pub struct Input<'a> {
    pub config: &'a Config,
    pub site: &'a Site,
    /// Where each content file is used: the files that would be published.
    pub uses: &'a BTreeMap<String, Vec<FileUse>>,
    pub register: &'a Register,
    pub declarations: &'a Declarations,
    /// The statutory checklist applied to the site.
    pub statutory: &'a Assessment,
    /// The date the build is checked for (`--today`).
    pub today: NaiveDate,
    pub pages: &'a [RenderedPage],
    /// Verdicts on content files that pages refer to, by content path.
    pub content_files: &'a BTreeMap<String, Verdict>,
    /// Verdicts on the theme's static files.
    pub static_files: &'a [(StaticFile, Verdict)],
    /// What the build publishes, to resolve addresses in stylesheets.
    pub published: &'a crate::render::gate::Published,
    /// Every template's file and text.
    pub templates: &'a [(String, String)],
    /// The takedowns that stand, as the load stage read them.
    pub takedowns: &'a crate::publish::takedown::Standing,
}

impl Input<'_> {
    /// The theme's published text files (stylesheets, scripts, text),
    /// with their text: read by the same rules as pages.
    pub fn static_texts(&self) -> impl Iterator<Item = (&StaticFile, &str)> {
        self.static_files.iter().filter_map(|(f, v)| {
            let clean = v.as_ref().ok()?.renditions().last()?;
            if !clean.kind().is_text() {
                return None;
            }
            Some((f, std::str::from_utf8(clean.bytes()).ok()?))
        })
    }
}

impl Input<'_> {
    /// The rendered outputs whose words the text rules read: pages, then
    /// what repeats them (feeds, the calendar, the search index), less
    /// any output every word of which is on a page already read.
    pub fn pages_then_derived(&self) -> (Vec<&RenderedPage>, Vec<&RenderedPage>) {
        self.pages
            .iter()
            .filter(|p| !p.repeats_checked_pages())
            .partition(|p| !p.derived())
    }
}

type Rule = fn(&Input) -> Vec<Finding>;

/// Every rule, in the order they run. Stable ids are listed in
/// docs/findings.md.
const RULES: &[(&str, Rule)] = &[
    ("documents", documents::check),
    ("links", links::check),
    ("images", images::check),
    ("consent", consent::check),
    ("identifiable", identifiable::check),
    ("names", names::check),
    ("contact", contact::check),
    ("assets", assets::check),
    ("output-paths", output_paths::check),
    ("statutory", statutory::check),
    ("stylesheets", stylesheets::check),
    ("taken-down", takedown::check),
];

/// Runs every rule, in parallel: rules only read, so they are
/// independent. Findings come back in the registry's order.
pub fn check(input: &Input) -> Vec<Finding> {
    use rayon::prelude::*;
    RULES
        .par_iter()
        .map(|(_, rule)| rule(input))
        .collect::<Vec<_>>()
        .into_iter()
        .flatten()
        .collect()
}
