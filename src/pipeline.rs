//! The stages in order: load → sanitise media → render → check. `build`
//! then hands the outputs to `emit`; `check` only reports.

use crate::config::{Config, ConfigError};
use crate::content::{self, ContentError, LoadOptions};
use crate::emit::Output;
use crate::media::{self, Settings};
use crate::render::{self, ImageDescription, Theme, ThemeError};
use crate::report::{self, Finding};
use crate::rules::{self, Verdict};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Content(#[from] ContentError),
    #[error(transparent)]
    Theme(#[from] ThemeError),
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub drafts: bool,
    /// Show a progress bar while sanitising.
    pub progress: bool,
}

/// What the sanitiser removed from one published file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MediaEntry {
    /// The source file, relative to the site root.
    pub source: String,
    /// Where it is published, relative to `public/`.
    pub published: String,
    pub removed: Vec<media::Removed>,
}

/// The checked site, ready to emit if no finding is an error.
pub struct Prepared {
    pub findings: Vec<Finding>,
    pub outputs: Vec<Output>,
    pub media: Vec<MediaEntry>,
    pub pages: usize,
}

impl Prepared {
    pub fn blocked(&self) -> bool {
        report::Summary::of(&self.findings).blocked()
    }
}

/// Loads, sanitises, renders and checks the site at `root`.
pub fn prepare(root: &Path, options: Options) -> Result<Prepared, PipelineError> {
    let config = Config::load(root)?;
    let site = content::load(
        root,
        LoadOptions {
            drafts: options.drafts,
        },
    )?;
    let theme = Theme::load(root, &config)?;

    // Sanitise every file that would be published, in parallel.
    let settings = Settings::default();
    let referenced: Vec<String> = site.referenced_files().into_iter().collect();
    let bar = progress_bar(
        options.progress,
        referenced.len() + theme.static_files.len(),
    );
    let content_files: BTreeMap<String, Verdict> = referenced
        .par_iter()
        .map(|path| {
            let file = root.join(content::CONTENT_DIR).join(path);
            let verdict = read_for_media(&file).and_then(|b| media::sanitise(&b, &settings));
            bar.inc(1);
            (path.clone(), verdict)
        })
        .collect();
    let static_files: Vec<_> = theme
        .static_files
        .par_iter()
        .map(|f| {
            let ext = f.rel.rsplit_once('.').map_or("", |(_, e)| e);
            let verdict = read_for_media(&f.path).and_then(|b| {
                if media::sniff(&b).is_image() {
                    media::sanitise(&b, &settings)
                } else {
                    media::accept_inert(&b, ext)
                }
            });
            bar.inc(1);
            (f.clone(), verdict)
        })
        .collect();
    bar.finish_and_clear();

    let images: HashMap<String, ImageDescription> = content_files
        .iter()
        .filter_map(|(path, v)| {
            let clean = v.as_ref().ok()?;
            let (width, height) = clean.dimensions();
            Some((
                path.clone(),
                ImageDescription {
                    url: format!("/{}", media_dest(clean)),
                    width,
                    height,
                },
            ))
        })
        .collect();

    let rendered = render::render(&site, &config, &theme, &images);

    let mut findings = Vec::new();
    findings.extend(site.problems.iter().cloned());
    findings.extend(theme.problems.iter().cloned());
    findings.extend(rendered.problems.iter().cloned());
    findings.extend(rules::check(&rules::Input {
        config: &config,
        site: &site,
        pages: &rendered.pages,
        content_files: &content_files,
        static_files: &static_files,
    }));
    report::sort(&mut findings);

    let mut media_entries = Vec::new();
    let mut outputs: Vec<Output> = Vec::new();
    let pages = rendered.pages.len();
    outputs.extend(rendered.pages.into_iter().map(Output::page));
    let mut published = std::collections::HashSet::new();
    for (path, verdict) in content_files {
        if let Ok(clean) = verdict {
            let dest = media_dest(&clean);
            media_entries.push(MediaEntry {
                source: format!("{}/{path}", content::CONTENT_DIR),
                published: dest.clone(),
                removed: clean.removed().to_vec(),
            });
            if published.insert(dest.clone()) {
                outputs.push(Output::file(dest, Arc::new(clean)));
            }
        }
    }
    for (f, verdict) in static_files {
        if let Ok(clean) = verdict {
            if !clean.removed().is_empty() {
                media_entries.push(MediaEntry {
                    source: f.display.clone(),
                    published: f.rel.clone(),
                    removed: clean.removed().to_vec(),
                });
            }
            outputs.push(Output::file(f.rel, Arc::new(clean)));
        }
    }
    Ok(Prepared {
        findings,
        outputs,
        media: media_entries,
        pages,
    })
}

/// Where a sanitised content file is published: named by its hash.
fn media_dest(clean: &media::CleanFile) -> String {
    format!("media/{}", clean.hashed_name())
}

fn read_for_media(path: &Path) -> Result<Vec<u8>, media::Refusal> {
    std::fs::read(path).map_err(|e| media::Refusal::Unreadable(e.to_string()))
}

fn progress_bar(enabled: bool, len: usize) -> indicatif::ProgressBar {
    if !enabled || len < 2 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("sanitising media");
    bar
}
