//! The stages in order: load → sanitise media → render → check. `build`
//! then hands the outputs to `emit`; `check` only reports. `survey` is the
//! load stage alone, for the commands that only ask questions of the site
//! (`leavers`, `where`).

use crate::config::{Config, ConfigError, FaceCheck};
use crate::consent::{self, Declarations, Register};
use crate::content::{self, ContentError, FileUse, LoadOptions, Site};
use crate::emit::Output;
use crate::media::{self, Cache, Processed, Settings, Sizes, Treatment};
use crate::publish::takedown::Standing;
use crate::render::{self, PublishedFile, StaticFile, Theme, ThemeError};
use crate::report::{self, Finding, MediaEntry, PublishedSize};
use crate::rules::{self, Verdict};
use crate::statutory::{self, Assessment};
use chrono::NaiveDate;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
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
    /// Reuse and store processed images in `.schoolsite/cache`.
    pub cache: bool,
    /// The date every date rule is checked against (`--today`); the
    /// system clock's date when not given. Nothing else reads the clock.
    pub today: Option<NaiveDate>,
}

/// The loaded site: everything read from disk before any file is
/// processed.
pub struct Survey {
    pub config: Config,
    pub site: Site,
    /// Where each content file is used (content path → pages and lines):
    /// the files that would be published.
    pub uses: BTreeMap<String, Vec<FileUse>>,
    pub register: Register,
    pub declarations: Declarations,
    /// The statutory checklist applied to the site on `today`.
    pub statutory: Assessment,
    pub today: NaiveDate,
    /// The takedowns that stand, with the hashes of the content files
    /// pages use (to recognise a taken-down original).
    pub takedowns: Standing,
}

/// Loads the config, content, consent register and photo declarations.
pub fn survey(root: &Path, options: Options) -> Result<Survey, PipelineError> {
    let config = Config::load(root)?;
    // The register is read while content loads: neither needs the other.
    let (site, register) = rayon::join(
        || {
            content::load(
                root,
                LoadOptions {
                    drafts: options.drafts,
                },
            )
        },
        || Register::load(root),
    );
    let site = site?;
    let sidecars: Vec<&str> = site
        .files
        .iter()
        .map(|f| f.path.as_str())
        .filter(|p| p.rsplit('/').next() == Some(consent::SIDECAR))
        .collect();
    let declarations = Declarations::load(&root.join(content::CONTENT_DIR), &sidecars, |p| {
        site.has_file(p)
    });
    let mut uses = site.file_uses();
    add_captions(&site, &mut uses);
    let today = options
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let statutory = statutory::assess(&site, &config, today);
    let takedowns = Standing::load(
        root,
        &config.approvers,
        uses.keys().map(|p| format!("{}/{p}", content::CONTENT_DIR)),
    );
    Ok(Survey {
        config,
        site,
        uses,
        register,
        declarations,
        statutory,
        today,
        takedowns,
    })
}

/// A video's or recording's captions (`clip.vtt` or `clip.srt` beside
/// `clip.mp4`) are published with it: used wherever it is used.
fn add_captions(site: &Site, uses: &mut BTreeMap<String, Vec<FileUse>>) {
    const CLIPS: &[&str] = &["mp4", "m4v", "mov", "3gp", "m4a", "mp3", "wav"];
    let mut found = Vec::new();
    for (path, users) in uses.iter() {
        let Some((stem, ext)) = path.rsplit_once('.') else {
            continue;
        };
        if !CLIPS.contains(&ext.to_ascii_lowercase().as_str()) {
            continue;
        }
        for captions in ["vtt", "srt"] {
            let candidate = format!("{stem}.{captions}");
            if site.has_file(&candidate) {
                found.push((candidate, users.clone()));
            }
        }
    }
    for (captions, users) in found {
        uses.entry(captions).or_insert(users);
    }
}

/// A video's captions file in `content_files`, if it has one that was
/// accepted: the path it is published at.
fn captions_of(
    path: &str,
    content_files: &BTreeMap<String, Verdict>,
    dest: impl Fn(&str, &media::CleanFile) -> String,
) -> Option<String> {
    let (stem, _) = path.rsplit_once('.')?;
    ["vtt", "srt"].iter().find_map(|ext| {
        let candidate = format!("{stem}.{ext}");
        let clean = content_files.get(&candidate)?.as_ref().ok()?;
        Some(format!("/{}", dest(&candidate, clean.largest())))
    })
}

/// Where processed images are cached, under the site root: outside both
/// `content/` and `public/`.
pub const CACHE_DIR: &str = ".schoolsite/cache";

/// The checked site, ready to emit if no finding is an error.
pub struct Prepared {
    pub findings: Vec<Finding>,
    pub outputs: Vec<Output>,
    pub media: Vec<MediaEntry>,
    /// Every published content image and who is declared in it.
    pub photos: Vec<DeclaredPhoto>,
    /// HTML pages.
    pub pages: usize,
    /// The date the rules were checked for.
    pub today: NaiveDate,
}

/// A published photo and who its declaration says is in it: what an
/// approval covers, and what is checked again at publish time.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeclaredPhoto {
    /// The source file, relative to the site root.
    pub source: String,
    /// Every published version, relative to `public/`, smallest first.
    pub published: Vec<String>,
    /// Register ids of the people declared in it.
    pub people: Vec<String>,
    /// The consent use it needs (`website_group`, `website_individual`);
    /// `None` for a photo of nobody.
    pub consent_use: Option<String>,
    /// The addresses of the pages that show it.
    pub pages: Vec<String>,
}

impl Prepared {
    pub fn blocked(&self) -> bool {
        report::Summary::of(&self.findings).blocked()
    }
}

/// Loads, sanitises, renders and checks the site at `root`.
pub fn prepare(root: &Path, options: Options) -> Result<Prepared, PipelineError> {
    let survey = survey(root, options)?;
    let theme = Theme::load(root, &survey.config)?;
    let media = Media::new(root, &survey.config, options.cache)?;
    let bar = progress_bar(
        options.progress,
        survey.uses.len() + theme.static_files.len(),
    );
    let content_files = sanitise_content(root, &survey, &media, &bar, wants_faces(&survey.config));
    let static_files = sanitise_theme(&theme, &survey.config, &media, &bar);
    bar.finish_and_clear();
    let files = published_files(&content_files);
    let rendered = render::render(
        &survey.site,
        &survey.config,
        &theme,
        &files,
        &survey.statutory,
        survey.today,
    );
    let findings = check(&survey, &theme, &rendered, &content_files, &static_files);
    Ok(assemble(
        survey,
        rendered,
        content_files,
        static_files,
        findings,
    ))
}

/// How this build sanitises: the settings, the image cache, and where
/// clean clips are written.
struct Media {
    settings: Settings,
    /// Size limits by kind, checked before a file is read.
    limits: media::Limits,
    sizes: Sizes,
    /// Theme images (logos, icons) are published as they are, stripped.
    theme_sizes: Sizes,
    cache: Option<Cache>,
    spool: PathBuf,
    /// This build's number in this process.
    build: u64,
}

impl Media {
    fn new(root: &Path, config: &Config, cache: bool) -> Result<Media, PipelineError> {
        let sizes = Sizes::from(&config.images);
        let spool = root.join(SPOOL_DIR);
        std::fs::create_dir_all(&spool).map_err(|source| ContentError::Io {
            path: spool.clone(),
            source,
        })?;
        clear_stale_spool(&spool);
        static BUILDS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        Ok(Media {
            build: BUILDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            settings: Settings::from(&config.images),
            limits: media::Limits::from(config),
            theme_sizes: Sizes {
                widths: Vec::new(),
                ..sizes.clone()
            },
            sizes,
            cache: cache.then(|| Cache::new(root.join(CACHE_DIR))),
            spool,
        })
    }

    /// Where a clip of this build is written: named for this process and
    /// build, so two builds (a `serve` and a `build` in another terminal)
    /// never share or delete each other's clips. The clean file removes
    /// it when it goes.
    fn spool_file(&self, source: &str) -> PathBuf {
        let name = blake3::hash(source.as_bytes()).to_hex();
        self.spool.join(format!(
            "{}-{}-{}",
            std::process::id(),
            self.build,
            &name[..20]
        ))
    }
}

/// The load stage and the sanitiser, without rendering or the rules: for
/// `audit-photos`, which asks what each published photo shows. Every
/// content file a page uses is processed as a build would (from the cache
/// when it can), and faces are looked for in every photo, whatever the
/// config says.
pub fn survey_media(
    root: &Path,
    options: Options,
) -> Result<(Survey, BTreeMap<String, Verdict>), PipelineError> {
    let survey = survey(root, options)?;
    let media = Media::new(root, &survey.config, options.cache)?;
    let bar = progress_bar(options.progress, survey.uses.len());
    let content_files = sanitise_content(root, &survey, &media, &bar, true);
    bar.finish_and_clear();
    Ok((survey, content_files))
}

/// Whether a rule reads faces: the face count (`[consent] faces`) or the
/// identifiable-photo rule (`[photos] identifiable`).
fn wants_faces(config: &Config) -> bool {
    config.consent.faces != FaceCheck::Off || config.photos.identifiable != FaceCheck::Off
}

/// Sanitises every content file a page refers to, in parallel; `faces`:
/// look for faces in photos.
fn sanitise_content(
    root: &Path,
    survey: &Survey,
    media: &Media,
    bar: &indicatif::ProgressBar,
    faces: bool,
) -> BTreeMap<String, Verdict> {
    let Survey {
        config,
        uses,
        register,
        declarations,
        ..
    } = survey;
    let referenced: Vec<&String> = uses.keys().collect();
    referenced
        .par_iter()
        .map(|&path| {
            let file = root.join(content::CONTENT_DIR).join(path);
            let treatment = treatment(path, declarations, register, faces);
            let limit = config.video.max_size_mb.saturating_mul(1_000_000);
            // The file's kind and size are checked from its first bytes,
            // before the rest is read.
            let verdict = match media::read_checked(&file, &media.limits) {
                // A clip is cleaned from disk to disk, never read whole.
                Ok(media::Input::Clip { size, .. }) if size > limit => {
                    Err(media::Refusal::TooBig { size, limit })
                }
                Ok(media::Input::Clip { .. }) => {
                    media::spool_clip(&file, &media.spool_file(path), &media.settings)
                }
                Ok(media::Input::Read { bytes, .. }) => media::process(
                    &bytes,
                    &media.settings,
                    &media.sizes,
                    &treatment,
                    media.cache.as_ref(),
                ),
                Err(refusal) => Err(refusal),
            };
            bar.inc(1);
            (path.clone(), verdict)
        })
        .collect()
}

/// Sanitises the theme's static files, in parallel.
fn sanitise_theme(
    theme: &Theme,
    config: &Config,
    media: &Media,
    bar: &indicatif::ProgressBar,
) -> Vec<(StaticFile, Verdict)> {
    theme
        .static_files
        .par_iter()
        .map(|f| {
            let ext = f.rel.rsplit_once('.').map_or("", |(_, e)| e);
            let verdict = media::read_theme_file(&f.path, &media.limits).and_then(|b| {
                if media::sniff(&b) == media::Kind::Pdf {
                    // A theme's files are not checked for names or photos.
                    return Err(media::Refusal::Unsupported {
                        format: "a PDF document in the theme",
                        fix: "put documents in content/, beside the page that links to them, where they are cleaned and checked for pupils' names and photos",
                    });
                }
                if media::sniff(&b).is_image() {
                    // Not declared in photos.toml, but faces are still
                    // counted: a photo of people does not belong here.
                    let treatment = Treatment {
                        count_faces: config.consent.faces != FaceCheck::Off,
                        ..Treatment::default()
                    };
                    media::process(
                        &b,
                        &media.settings,
                        &media.theme_sizes,
                        &treatment,
                        media.cache.as_ref(),
                    )
                } else {
                    media::accept_inert(&b, ext).map(Processed::from)
                }
            });
            bar.inc(1);
            (f.clone(), verdict)
        })
        .collect()
}

/// What the renderer knows of each published content file: its
/// addresses and size, never its bytes.
fn published_files(content_files: &BTreeMap<String, Verdict>) -> HashMap<String, PublishedFile> {
    content_files
        .iter()
        .filter_map(|(path, v)| {
            let processed = v.as_ref().ok()?;
            let largest = processed.largest();
            let (width, height) = largest.display_dimensions();
            let srcset = processed
                .renditions()
                .iter()
                .filter(|r| r.kind().is_image())
                .map(|r| {
                    (
                        format!("/{}", media_dest(path, r)),
                        r.display_dimensions().0,
                    )
                })
                .collect();
            Some((
                path.clone(),
                PublishedFile {
                    url: format!("/{}", media_dest(path, largest)),
                    width,
                    height,
                    srcset,
                    kind: processed.kind(),
                    captions: processed
                        .kind()
                        .is_video_or_audio()
                        .then(|| captions_of(path, content_files, media_dest))
                        .flatten(),
                },
            ))
        })
        .collect()
}

/// Every finding: what loading, the theme, rendering (the gate), the
/// register and the declarations found, then every rule.
fn check(
    survey: &Survey,
    theme: &Theme,
    rendered: &render::Rendered,
    content_files: &BTreeMap<String, Verdict>,
    static_files: &[(StaticFile, Verdict)],
) -> Vec<Finding> {
    let mut findings = Vec::new();
    findings.extend(survey.site.problems.iter().cloned());
    findings.extend(theme.problems.iter().cloned());
    findings.extend(rendered.problems.iter().cloned());
    findings.extend(survey.register.problems.iter().cloned());
    findings.extend(survey.declarations.problems.iter().cloned());
    findings.extend(rules::check(&rules::Input {
        config: &survey.config,
        site: &survey.site,
        uses: &survey.uses,
        register: &survey.register,
        declarations: &survey.declarations,
        statutory: &survey.statutory,
        today: survey.today,
        pages: &rendered.pages,
        content_files,
        static_files,
        published: &rendered.published,
        templates: &theme.texts,
        takedowns: &survey.takedowns,
    }));
    report::sort(&mut findings);
    findings
}

/// The outputs to write, and what the report and the approval say of
/// each published media file.
fn assemble(
    survey: Survey,
    rendered: render::Rendered,
    content_files: BTreeMap<String, Verdict>,
    static_files: Vec<(StaticFile, Verdict)>,
    findings: Vec<Finding>,
) -> Prepared {
    // Pages people read; feeds, the calendar and the search index are
    // counted with the files.
    let pages = rendered
        .pages
        .iter()
        .filter(|p| p.output().ends_with(".html"))
        .count();
    let mut outputs: Vec<Output> = rendered.pages.into_iter().map(Output::page).collect();
    let mut media_entries = Vec::new();
    let mut photos = Vec::new();
    let mut published = std::collections::HashSet::new();
    for (path, verdict) in content_files {
        let Ok(processed) = verdict else { continue };
        let entry = content_entry(&survey, &path, processed, &mut outputs, &mut published);
        if let Some(photo) = entry.1 {
            photos.push(photo);
        }
        media_entries.push(entry.0);
    }
    for (f, verdict) in static_files {
        let Ok(processed) = verdict else { continue };
        let removed = processed.removed().to_vec();
        // Theme files keep their paths, so only the largest is published.
        let Some(clean) = processed.into_renditions().pop() else {
            continue;
        };
        if !removed.is_empty() {
            let (width, height) = clean.display_dimensions();
            media_entries.push(MediaEntry {
                source: f.display.clone(),
                published: f.rel.clone(),
                sizes: vec![PublishedSize {
                    path: f.rel.clone(),
                    width,
                    height,
                }],
                removed,
                faces: None,
                blurred: None,
            });
        }
        outputs.push(Output::file(f.rel, Arc::new(clean)));
    }
    Prepared {
        findings,
        outputs,
        media: media_entries,
        photos,
        pages,
        today: survey.today,
    }
}

/// One sanitised content file: its outputs (each version once), its
/// report entry, and, if it is declared, the photo an approval covers.
fn content_entry(
    survey: &Survey,
    path: &str,
    processed: Processed,
    outputs: &mut Vec<Output>,
    published: &mut std::collections::HashSet<String>,
) -> (MediaEntry, Option<DeclaredPhoto>) {
    let removed = processed.removed().to_vec();
    let faces = processed.faces();
    let declared = match survey.declarations.get(path) {
        consent::declarations::Status::Declared(d) => Some(d),
        _ => None,
    };
    let blurred = declared
        .filter(|d| !d.blur.is_empty())
        .map(|d| d.blur.len());
    let mut versions = Vec::new();
    for clean in processed.into_renditions() {
        let dest = media_dest(path, &clean);
        let (width, height) = clean.display_dimensions();
        versions.push(PublishedSize {
            path: dest.clone(),
            width,
            height,
        });
        if published.insert(dest.clone()) {
            outputs.push(Output::file(dest, Arc::new(clean)));
        }
    }
    // Documents with photos in them are declared too, and covered the
    // same way.
    let photo = declared.map(|d| DeclaredPhoto {
        source: format!("{}/{path}", content::CONTENT_DIR),
        published: versions.iter().map(|v| v.path.clone()).collect(),
        people: d.people.iter().map(|p| p.id.clone()).collect(),
        consent_use: (!d.nobody()).then(|| {
            consent::focus_of(&survey.register, d)
                .consent_use()
                .to_string()
        }),
        pages: survey
            .uses
            .get(path)
            .map(|u| u.iter().map(|u| u.url.clone()).collect())
            .unwrap_or_default(),
    });
    let entry = MediaEntry {
        source: format!("{}/{path}", content::CONTENT_DIR),
        published: versions.last().map(|v| v.path.clone()).unwrap_or_default(),
        sizes: versions,
        removed,
        faces,
        blurred,
    };
    (entry, photo)
}

/// Removes clips left by a build that did not end (a `serve` stopped
/// with Ctrl+C): those of processes no longer running. Only where the
/// system says which processes are running (Linux); elsewhere they stay
/// until removed by hand, outside content/ and public/.
fn clear_stale_spool(spool: &Path) {
    #[cfg(target_os = "linux")]
    {
        let Ok(entries) = std::fs::read_dir(spool) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let pid = name.to_string_lossy().split('-').next().map(str::to_string);
            let running = pid.is_some_and(|p| Path::new("/proc").join(p).exists());
            if !running {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = spool;
}

/// What the sanitiser does to a content file beyond stripping it, from
/// its declaration: photos that may show pupils are capped in size (all
/// but those declared to show nobody or only adults), declared regions
/// are pixelated, and faces are looked for when `count_faces`.
fn treatment(
    path: &str,
    declarations: &Declarations,
    register: &Register,
    count_faces: bool,
) -> Treatment {
    match declarations.get(path) {
        consent::declarations::Status::Declared(d) => Treatment {
            cap: d
                .people
                .iter()
                .any(|p| consent::counts_as_pupil(&register.lookup(&p.id))),
            blur: d.blur.clone(),
            count_faces,
        },
        _ => Treatment {
            cap: true,
            blur: Vec::new(),
            count_faces,
        },
    }
}

/// Where a sanitised content file is published. An image, a clip or
/// captions are named by their hash alone: nothing of the source name
/// (often a child's name) goes with them. A document keeps a readable name, as parents save it: its
/// source name in lower case with hyphens, and a short hash so a new
/// version gets a new address. The names rule checks that name.
fn media_dest(source: &str, clean: &media::CleanFile) -> String {
    let hashed = clean.hashed_name();
    if clean.kind() != media::Kind::Pdf {
        return format!("media/{hashed}");
    }
    let file = source.rsplit('/').next().unwrap_or(source);
    let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
    let mut name = slug::slugify(stem);
    if name.is_empty() {
        name = "document".to_string();
    }
    format!(
        "media/{name}-{}.{}",
        &hashed[..10],
        clean.kind().extension()
    )
}

/// Where clean clips are written during a build, under the site root.
pub const SPOOL_DIR: &str = ".schoolsite/spool";

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
