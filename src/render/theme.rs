//! Loading a theme: its Tera templates (with site-level `templates/`
//! overriding them by name) and the list of its `static/` files.

use crate::config::Config;
use crate::content::display_rel;
use crate::report::{Finding, Location};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("config.toml asks for theme {name:?}, but there is no folder {path}")]
    Missing { name: String, path: String },
}

/// A file under the theme's `static/` folder.
#[derive(Debug, Clone)]
pub struct StaticFile {
    /// Path relative to `static/`, which is also its published path.
    pub rel: String,
    /// Where it is on disk.
    pub path: PathBuf,
    /// Path relative to the site root, for findings.
    pub display: String,
}

pub struct Theme {
    pub(super) tera: tera::Tera,
    /// Template name → file (relative to the site root) it came from.
    pub(super) sources: BTreeMap<String, String>,
    pub static_files: Vec<StaticFile>,
    /// Every template's file (relative to the site root) and text: the
    /// names rule reads them, since a template has no business naming a
    /// pupil.
    pub texts: Vec<(String, String)>,
    /// Templates that would not parse, unreadable files.
    pub problems: Vec<Finding>,
}

impl Theme {
    pub fn load(root: &Path, config: &Config) -> Result<Theme, ThemeError> {
        let theme_dir = root.join("themes").join(&config.theme);
        if !theme_dir.is_dir() {
            return Err(ThemeError::Missing {
                name: config.theme.clone(),
                path: format!("themes/{}", config.theme),
            });
        }
        let mut problems = Vec::new();
        let mut templates: BTreeMap<String, (String, String)> = BTreeMap::new();
        let register = consent_hashes(root);
        for dir in [theme_dir.join("templates"), root.join("templates")] {
            for (name, path) in files_under(&dir, &mut problems, root) {
                let display = display_rel(root, &path);
                if !is_template_name(&name) {
                    problems.push(Finding::warning(
                        "template",
                        Location::file(display),
                        "only .html, .htm, .xml and .txt files are templates, so this file is not loaded (and nothing can include it)",
                        "remove it from templates/, or give it the ending of what it makes",
                    ));
                    continue;
                }
                const UTF8: &str = "save it as UTF-8 text";
                let read = match crate::media::read_text(&path, MAX_TEMPLATE_BYTES) {
                    Ok(bytes) => String::from_utf8(bytes)
                        .map_err(|_| ("it is not UTF-8 text".to_string(), UTF8)),
                    Err(crate::media::TextError::TooBig(size)) => Err((
                        format!(
                            "it is {}, more than the {} MB a template may hold",
                            crate::media::human_bytes(size),
                            MAX_TEMPLATE_BYTES / 1_000_000
                        ),
                        "split it into smaller templates that include one another; content belongs in content/, not in templates",
                    )),
                    Err(e) => Err((e.to_string(), UTF8)),
                };
                match read {
                    Ok(text) if register.contains(&blake3::hash(text.as_bytes())) => {
                        problems.push(Finding::error(
                            "template",
                            Location::file(display),
                            "this template is a file from consent/ (a copy or a link): nothing from the consent register may be published",
                            "delete it: the register stays in consent/, which the build reads but never publishes",
                        ));
                    }
                    Ok(text) => {
                        templates.insert(name, (display, text));
                    }
                    Err((e, fix)) => problems.push(Finding::error(
                        "template",
                        Location::file(display),
                        format!("could not read this template: {e}"),
                        fix,
                    )),
                }
            }
        }

        // Parse each template on its own first, so a syntax error is
        // pinned to its own file.
        let mut parsed = BTreeMap::new();
        let mut sources = BTreeMap::new();
        let texts = templates.values().cloned().collect();
        for (name, (display, text)) in &templates {
            match tera::Template::new(name, None, text) {
                Ok(t) => {
                    parsed.insert(name.clone(), t);
                    sources.insert(name.clone(), display.clone());
                }
                Err(e) => problems.push(Finding::error(
                    "template",
                    Location::line(display.clone(), error_line(&e).unwrap_or(1)),
                    format!("this template has a syntax error: {}", error_chain(&e)),
                    "fix the Tera syntax at that line",
                )),
            }
        }
        drop_circles(&mut parsed, &sources, &mut problems);
        let mut tera = tera::Tera::default();
        tera.autoescape_on(vec![".html", ".htm", ".xml"]);
        // Escape what HTML needs escaped, and leave `/` alone so URLs stay
        // readable (Tera's default writes it as &#x2F;).
        tera.set_escape_fn(escape_html);
        for (name, mut template) in parsed {
            super::limits::instrument(&mut template);
            tera.templates.insert(name, template);
        }
        if let Err(e) = tera
            .build_inheritance_chains()
            .and_then(|()| tera.check_macro_files())
        {
            problems.push(Finding::error(
                "template",
                Location::file(format!("themes/{}/templates", config.theme)),
                format!("the templates do not fit together: {}", error_chain(&e)),
                "check that every {% extends %}, {% include %} and {% import %} names a template that exists",
            ));
        }

        let static_dir = theme_dir.join("static");
        let static_files = files_under(&static_dir, &mut problems, root)
            .into_iter()
            .map(|(rel, path)| StaticFile {
                display: display_rel(root, &path),
                rel,
                path,
            })
            .collect();
        Ok(Theme {
            tera,
            sources,
            static_files,
            texts,
            problems,
        })
    }

    /// Whether a template of that name exists.
    pub fn has_template(&self, name: &str) -> bool {
        self.sources.contains_key(name)
    }

    /// The file a template came from, relative to the site root.
    pub fn template_file(&self, name: &str) -> Option<&str> {
        self.sources.get(name).map(String::as_str)
    }
}

/// Every regular file under `dir` (not dot-files), with its path relative
/// to `dir`. Symlinks that lead outside `dir` are reported, not followed.
fn files_under(dir: &Path, problems: &mut Vec<Finding>, root: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return out;
    }
    let canonical = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker.flatten() {
        let ft = entry.file_type();
        if ft.is_dir() {
            continue;
        }
        if ft.is_symlink() {
            let inside = entry
                .path()
                .canonicalize()
                .is_ok_and(|t| t.starts_with(&canonical) && t.is_file());
            if !inside {
                problems.push(Finding::error(
                    "path-escape",
                    Location::file(display_rel(root, entry.path())),
                    "this is a link that leads outside its folder (or to a folder); it is not published",
                    "copy the file here instead of linking to it",
                ));
                continue;
            }
        }
        if has_other_names(entry.path()) {
            problems.push(Finding::error(
                "path-escape",
                Location::file(display_rel(root, entry.path())),
                "this file is a hard link: the same file has another name elsewhere (perhaps in consent/ or outside the site), so it is not used",
                "copy the file here instead of linking to it",
            ));
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(dir) else {
            continue;
        };
        let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
        match parts {
            Some(parts) => out.push((parts.join("/"), entry.path().to_path_buf())),
            None => problems.push(Finding::error(
                "content-read",
                Location::file(display_rel(root, entry.path())),
                "the file name is not valid Unicode",
                "rename the file using ordinary letters, digits and hyphens",
            )),
        }
    }
    out
}

/// The most a template may hold (the default theme's largest is a few KB).
pub const MAX_TEMPLATE_BYTES: u64 = 1_000_000;

/// Whether a file under `templates/` is a template by its name: it makes
/// an HTML page, an XML feed or a text file.
fn is_template_name(name: &str) -> bool {
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    ["html", "htm", "xml", "txt"]
        .iter()
        .any(|e| ext.eq_ignore_ascii_case(e))
}

/// The hash of every file under `consent/`, so a template that is a copy
/// of one (or a hard link to one) is refused.
fn consent_hashes(root: &Path) -> std::collections::HashSet<blake3::Hash> {
    walkdir::WalkDir::new(root.join("consent"))
        .follow_links(false)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            // Hashed as it is read: a large file is never held whole.
            let mut hasher = blake3::Hasher::new();
            let file = std::fs::File::open(e.path()).ok()?;
            hasher.update_reader(file).ok()?;
            Some(hasher.finalize())
        })
        .collect()
}

/// Finds templates that include, import or extend each other in a
/// circle (rendering one would never end), reports each circle and
/// drops its templates, so nothing renders with them.
fn drop_circles(
    parsed: &mut BTreeMap<String, tera::Template>,
    sources: &BTreeMap<String, String>,
    problems: &mut Vec<Finding>,
) {
    let graph: BTreeMap<String, Vec<String>> = parsed
        .iter()
        .map(|(name, t)| (name.clone(), super::limits::references(t)))
        .collect();
    for circle in super::limits::cycles(&graph) {
        let first = &circle[0];
        problems.push(Finding::error(
            "template",
            Location::file(sources.get(first).cloned().unwrap_or_else(|| first.clone())),
            format!(
                "these templates include, import or extend each other in a circle, so rendering them would never end: {}",
                circle.join(" → ")
            ),
            "break the circle: a template must not include, import or extend itself, directly or through others",
        ));
        for name in &circle {
            parsed.remove(name);
        }
    }
}

/// Whether a file has more than one name (a hard link). Only Unix says;
/// elsewhere a copy of a register file is still refused by its bytes.
fn has_other_names(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).is_ok_and(|m| m.nlink() > 1)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

fn escape_html(input: &str) -> String {
    crate::content::markdown::escape(input)
}

/// A Tera error and its causes on one line.
pub(super) fn error_chain(e: &tera::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.join(": ").replace('\n', " ")
}

/// The line Tera's parse errors point at (`--> 3:5`).
fn error_line(e: &tera::Error) -> Option<usize> {
    let text = error_chain(e);
    let at = text.find("--> ")?;
    let rest = &text[at + 4..];
    rest.split(':').next()?.trim().parse().ok()
}
