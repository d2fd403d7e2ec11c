//! The preview: one self-contained HTML page for the approver, showing
//! what changed since the last approved publish, every new or changed
//! photo with who is declared in it (id and first name only) and their
//! consent, leavers due soon, warnings and statutory items due. It is
//! written outside `public/` and loads nothing from anywhere.

use super::PublishError;
use super::approval::{self, Approval};
use super::audit;
use super::manifest::{Difference, Manifest};
use super::takedown::{Standing, mask_names};
use crate::consent::{self, Lookup, Policy};
use crate::content::markdown::escape as esc;
use crate::emit::OUTPUT_DIR;
use crate::pipeline::{self, DeclaredPhoto, Options};
use crate::statutory::State;
use base64::Engine;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

/// Where the preview is written by default, relative to the site root.
pub const PREVIEW_FILE: &str = ".schoolsite/preview.html";

/// How a page changed since the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Added,
    Changed,
    Removed,
}

/// Writes the preview of the last build of the site at `root` to `out`;
/// returns a one-line summary.
pub fn write(root: &Path, out: &Path, today: Option<NaiveDate>) -> Result<String, PublishError> {
    refuse_public(root, out)?;
    let (html, summary) = render(root, today)?;
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| PublishError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    std::fs::write(out, html).map_err(|source| PublishError::Io {
        path: out.to_path_buf(),
        source,
    })?;
    Ok(summary)
}

/// The preview of the last build of the site at `root` (one
/// self-contained page: its style inline, its photos as `data:`
/// addresses) and a one-line summary, written nowhere: `write` saves it
/// for the command line, the studio shows it in the browser.
pub fn render(root: &Path, today: Option<NaiveDate>) -> Result<(String, String), PublishError> {
    let manifest = Manifest::load(root)?;
    let differences = manifest.compare(root);
    let survey = pipeline::survey(
        root,
        Options {
            today,
            ..Options::default()
        },
    )
    .map_err(|e| PublishError::Refused(vec![e.to_string()]))?;
    let baseline = baseline(root);
    let takedowns = Standing::load(
        root,
        &survey.config.approvers,
        manifest.photos.iter().map(|p| p.source.clone()),
    );
    let page = Page {
        root,
        manifest: &manifest,
        differences: &differences,
        baseline: baseline.as_ref(),
        survey: &survey,
        policy: Policy::from(&survey.config.consent),
        takedowns: &takedowns,
    };
    Ok(page.render())
}

/// The approval the preview compares against: the last one published
/// (from the audit log), else the newest approval.
fn baseline(root: &Path) -> Option<(Approval, bool)> {
    let published = audit::verify(&root.join(audit::AUDIT_LOG))
        .ok()
        .and_then(|c| c.last_published);
    let approvals: Vec<Approval> = approval::load_all(root)
        .into_iter()
        .filter_map(|(_, a)| a.ok())
        .collect();
    if let Some(digest) = published
        && let Some(a) = approvals.iter().find(|a| a.manifest_digest == digest)
    {
        return Some((a.clone(), true));
    }
    approvals.into_iter().next().map(|a| (a, false))
}

fn refuse_public(root: &Path, out: &Path) -> Result<(), PublishError> {
    let public = root.join(OUTPUT_DIR);
    let inside = match (
        super::keys::absolute_existing(out),
        super::keys::absolute_existing(&public),
    ) {
        (Some(o), Some(p)) => o.starts_with(p),
        _ => false,
    };
    if inside {
        return Err(PublishError::Destination(format!(
            "{} is inside public/, and the preview is only for the approver; write it elsewhere",
            out.display()
        )));
    }
    Ok(())
}

struct Page<'a> {
    root: &'a Path,
    manifest: &'a Manifest,
    differences: &'a [Difference],
    baseline: Option<&'a (Approval, bool)>,
    survey: &'a pipeline::Survey,
    policy: Policy,
    /// The takedowns that stand, and the photos of the build they took
    /// down are matched against.
    takedowns: &'a Standing,
}

/// `news/x/index.html` → `/news/x/`.
fn page_address(path: &str) -> Option<String> {
    if path == "index.html" {
        return Some("/".to_string());
    }
    if let Some(dir) = path.strip_suffix("/index.html") {
        return Some(format!("/{dir}/"));
    }
    path.ends_with(".html").then(|| format!("/{path}"))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl Page<'_> {
    fn page_changes(&self) -> Vec<(Change, String)> {
        let old: BTreeMap<&str, &str> = self
            .baseline
            .map(|(a, _)| {
                a.manifest
                    .files
                    .iter()
                    .map(|f| (f.path.as_str(), f.blake3.as_str()))
                    .collect()
            })
            .unwrap_or_default();
        let new: BTreeMap<&str, &str> = self
            .manifest
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.blake3.as_str()))
            .collect();
        let mut out = Vec::new();
        for (path, hash) in &new {
            let Some(address) = page_address(path) else {
                continue;
            };
            match old.get(path) {
                None => out.push((Change::Added, address)),
                Some(h) if h != hash => out.push((Change::Changed, address)),
                _ => {}
            }
        }
        for path in old.keys() {
            if !new.contains_key(path)
                && let Some(address) = page_address(path)
            {
                out.push((Change::Removed, address));
            }
        }
        out
    }

    fn new_photos(&self) -> Vec<&DeclaredPhoto> {
        let old: std::collections::HashSet<&str> = self
            .baseline
            .map(|(a, _)| a.manifest.files.iter().map(|f| f.path.as_str()).collect())
            .unwrap_or_default();
        self.manifest
            .photos
            .iter()
            .filter(|p| p.published.last().is_none_or(|l| !old.contains(l.as_str())))
            .collect()
    }

    fn render(&self) -> (String, String) {
        let today = self.survey.today;
        let changes = self.page_changes();
        let photos = self.new_photos();
        let count = |c: Change| changes.iter().filter(|(k, _)| *k == c).count();
        let statutory: Vec<_> = self
            .survey
            .statutory
            .items
            .iter()
            .filter(|s| {
                s.required
                    && matches!(
                        s.state,
                        State::DueSoon | State::Overdue | State::Missing | State::Generated
                    )
            })
            .collect();
        let leavers = consent::audit::leavers(
            &self.survey.register,
            &self.survey.declarations,
            &self.survey.uses,
            today + chrono::Days::new(u64::from(self.policy.warn_days)),
            &self.policy,
        );
        let taken = self.takedowns.in_manifest(self.manifest);
        let ready = self.differences.is_empty()
            && self.manifest.errors == 0
            && taken.is_empty()
            && self.takedowns.unreadable.is_empty();
        let school = esc(&self.survey.config.school.name);

        let mut h = String::new();
        let _ = writeln!(
            h,
            "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>Website changes for approval: {school}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
<header><p class=\"eyebrow\">{school} website</p><h1>Changes waiting for your approval</h1>\n\
<p>Prepared on {today} from build <code>{digest}</code>.</p></header>\n<main>",
            digest = esc(self.manifest.short_digest()),
        );

        // The verdict first: can this be approved?
        if ready {
            let _ = writeln!(
                h,
                "<section class=\"verdict ok\" aria-labelledby=\"verdict\"><h2 id=\"verdict\">This build passed every check</h2>\
<p>Nothing in it breaks the school's online-safety rules. Read the changes below. If you are happy for them to go on the website, approve this build with:</p>\
<pre><code>schoolsite approve --key YOUR-KEY-FILE</code></pre></section>"
            );
        } else {
            let _ = write!(
                h,
                "<section class=\"verdict stop\" aria-labelledby=\"verdict\"><h2 id=\"verdict\">This build cannot be approved yet</h2><ul>"
            );
            if self.manifest.errors > 0 {
                let _ = write!(h, "<li>The build had {} errors.</li>", self.manifest.errors);
            }
            for d in self.differences {
                let _ = write!(h, "<li>{}</li>", esc(&d.to_string()));
            }
            if !taken.is_empty() || !self.takedowns.unreadable.is_empty() {
                h.push_str("<li>It still shows photos that were taken down (see <a href=\"#takedowns\">Takedowns in force</a>).</li>");
            }
            let _ = writeln!(
                h,
                "</ul><p>Ask the person who updates the website to build it again, then make a new preview.</p></section>"
            );
        }

        // At a glance.
        let since = match self.baseline {
            Some((a, true)) => format!(
                "since the last publish (approved by {} on {})",
                esc(&a.name),
                esc(a.signed_at.get(..10).unwrap_or(""))
            ),
            Some((a, false)) => format!(
                "since the last approval (by {} on {}, not yet published)",
                esc(&a.name),
                esc(a.signed_at.get(..10).unwrap_or(""))
            ),
            None => "with nothing: this is the first approval, so everything is new".to_string(),
        };
        let _ = writeln!(
            h,
            "<section aria-labelledby=\"glance\"><h2 id=\"glance\">At a glance</h2><p>Compared {since}.</p><ul class=\"glance\">\
<li><strong>{}</strong> added</li><li><strong>{}</strong> changed</li><li><strong>{}</strong> removed</li>\
<li><strong>{}</strong> new or changed</li><li><strong>{}</strong></li><li><strong>{}</strong> due</li></ul></section>",
            plural(count(Change::Added), "page", "pages"),
            plural(count(Change::Changed), "page", "pages"),
            plural(count(Change::Removed), "page", "pages"),
            plural(photos.len(), "photo", "photos"),
            plural(self.manifest.warnings.len(), "warning", "warnings"),
            plural(statutory.len() + leavers.len(), "item", "items"),
        );

        // Photos.
        let _ = write!(
            h,
            "<section aria-labelledby=\"photos\"><h2 id=\"photos\">New and changed photos</h2>"
        );
        if photos.is_empty() {
            h.push_str("<p>No new or changed photos.</p>");
        } else {
            h.push_str("<p>Each photo as it will be published, with the people the school declared in it (register id and first name) and their consent today.</p><ul class=\"photos\">");
            for p in &photos {
                self.photo_card(&mut h, p);
            }
            h.push_str("</ul>");
        }
        h.push_str("</section>\n");

        self.takedowns_section(&mut h, &taken);

        // Pages.
        let _ = write!(
            h,
            "<section aria-labelledby=\"pages\"><h2 id=\"pages\">Pages</h2>"
        );
        if changes.is_empty() {
            h.push_str("<p>No page was added, changed or removed.</p>");
        } else {
            for (kind, title) in [
                (Change::Added, "Added"),
                (Change::Changed, "Changed"),
                (Change::Removed, "Removed"),
            ] {
                let list: Vec<&String> = changes
                    .iter()
                    .filter(|(k, _)| *k == kind)
                    .map(|(_, a)| a)
                    .collect();
                if list.is_empty() {
                    continue;
                }
                let _ = write!(h, "<h3>{title}</h3><ul class=\"pages\">");
                for address in list {
                    if kind == Change::Removed {
                        let _ = write!(h, "<li><code>{}</code></li>", esc(address));
                    } else {
                        let file = self
                            .root
                            .join(OUTPUT_DIR)
                            .join(address.trim_start_matches('/'))
                            .join(if address.ends_with('/') {
                                "index.html"
                            } else {
                                ""
                            });
                        let href = std::path::absolute(&file)
                            .map(|p| format!("file://{}", p.display()))
                            .unwrap_or_default();
                        let _ = write!(
                            h,
                            "<li><a href=\"{}\"><code>{}</code></a></li>",
                            esc(&href),
                            esc(address)
                        );
                    }
                }
                h.push_str("</ul>");
            }
        }
        h.push_str("</section>\n");

        // Dates coming up.
        let _ = write!(
            h,
            "<section aria-labelledby=\"due\"><h2 id=\"due\">Coming up</h2>"
        );
        if statutory.is_empty() && leavers.is_empty() {
            h.push_str("<p>No photo has to come down and no policy is due for review in the next few weeks.</p>");
        }
        if !leavers.is_empty() {
            let _ = write!(
                h,
                "<h3>Photos that must come down by {}</h3><ul class=\"due\">",
                today + chrono::Days::new(u64::from(self.policy.warn_days))
            );
            for l in &leavers {
                let _ = write!(
                    h,
                    "<li><strong>{}</strong>: {} ({})</li>",
                    esc(&self.first_name(&l.who.id)),
                    esc(&l.reasons.join("; ")),
                    plural(l.photos.len(), "photo", "photos")
                );
            }
            h.push_str("</ul>");
        }
        if !statutory.is_empty() {
            h.push_str("<h3>Statutory information</h3><ul class=\"due\">");
            for s in &statutory {
                let what = match s.state {
                    State::Missing if s.falls_short() => {
                        "missing: the DfE says the website should publish it".to_string()
                    }
                    State::Missing => "missing: the website must publish it".to_string(),
                    State::Overdue => format!(
                        "overdue for review (due {})",
                        s.page
                            .as_ref()
                            .and_then(|p| p.next_review)
                            .map(|d| d.to_string())
                            .unwrap_or_default()
                    ),
                    State::DueSoon => format!(
                        "due for review on {}",
                        s.page
                            .as_ref()
                            .and_then(|p| p.next_review)
                            .map(|d| d.to_string())
                            .unwrap_or_default()
                    ),
                    _ => "a starter page: the school has not written its own yet".to_string(),
                };
                let _ = write!(
                    h,
                    "<li><strong>{}</strong>: {}</li>",
                    esc(&s.item.title),
                    esc(&what)
                );
            }
            h.push_str("</ul>");
        }
        h.push_str("</section>\n");

        // Warnings.
        let _ = write!(
            h,
            "<section aria-labelledby=\"warnings\"><h2 id=\"warnings\">Warnings</h2>"
        );
        if self.manifest.warnings.is_empty() {
            h.push_str("<p>The build reported no warnings.</p>");
        } else {
            h.push_str("<p>These do not stop the website being published, but you may want to ask about them.</p><ul class=\"warnings\">");
            for w in &self.manifest.warnings {
                let at = match w.line {
                    Some(l) => format!("{} line {l}", w.file),
                    None => w.file.clone(),
                };
                let _ = write!(
                    h,
                    "<li>{}<br><span class=\"where\">{}</span></li>",
                    esc(&w.message),
                    esc(&at)
                );
            }
            h.push_str("</ul>");
        }
        h.push_str("</section>\n");

        let _ = writeln!(
            h,
            "</main>\n<footer><p>Build <code>{}</code>: {} files. Made by schoolsite {}. Approving signs exactly these files: if anything changes, the website cannot be published until it is approved again.</p></footer>\n</body>\n</html>",
            esc(&self.manifest.digest),
            self.manifest.files.len(),
            esc(&self.manifest.version),
        );

        let summary = format!(
            "Preview of build {}: {} added, {} changed, {} removed; {} new or changed; {}.{}",
            self.manifest.short_digest(),
            plural(count(Change::Added), "page", "pages"),
            count(Change::Changed),
            count(Change::Removed),
            plural(photos.len(), "photo", "photos"),
            plural(self.manifest.warnings.len(), "warning", "warnings"),
            if ready {
                ""
            } else {
                " It cannot be approved yet."
            },
        );
        (h, summary)
    }

    /// Every takedown that stands: when, who, why, what, and whether this
    /// build still shows any of it.
    fn takedowns_section(&self, h: &mut String, taken: &[super::takedown::Found]) {
        let standing = self.takedowns;
        if standing.is_empty() {
            return;
        }
        let register = &self.survey.register;
        let _ = write!(
            h,
            "<section aria-labelledby=\"takedowns\"><h2 id=\"takedowns\">Takedowns in force</h2>\
<p>These photos were taken off the website without an approval. While a takedown stands, no build that shows them can be approved or published.</p><ul class=\"due\">"
        );
        for (file, why) in &standing.unreadable {
            let _ = write!(
                h,
                "<li><code>{}</code> {}. <span class=\"status stop\">This build cannot be checked against it</span>: restore the file from the site's repository.</li>",
                esc(file),
                esc(why)
            );
        }
        for (file, record) in &standing.takedowns {
            let _ = write!(
                h,
                "<li><strong>Taken down on {} by {}</strong>: {}",
                esc(record.day()),
                esc(&mask_names(&record.by, register)),
                esc(&mask_names(&record.reason, register))
            );
            if !record.people.is_empty() {
                let people: Vec<String> =
                    record.people.iter().map(|p| self.first_name(p)).collect();
                let _ = write!(h, "<br>Every photo of {}", esc(&people.join(", ")));
            }
            if !record.photos.is_empty() {
                let photos: Vec<String> = record
                    .photos
                    .iter()
                    .map(|p| format!("<code>{}</code>", esc(&mask_names(&p.source, register))))
                    .collect();
                let _ = write!(h, "<br>Photos: {}", photos.join(", "));
            }
            let _ = write!(
                h,
                "<br><span class=\"where\">{} (<code>{}</code>)</span><br>",
                esc(&record.id),
                esc(file)
            );
            let shown: Vec<String> = taken
                .iter()
                .filter(|t| t.hit.file == file.as_str())
                .map(|t| format!("<code>{}</code>", esc(&mask_names(&t.what, register))))
                .collect();
            if shown.is_empty() {
                h.push_str("<span class=\"status ok\">This build leaves them out.</span></li>");
            } else {
                let _ = write!(
                    h,
                    "<span class=\"status stop\">This build still shows {}</span>: it cannot be approved. Ask the person who updates the website to take them off the page and out of content/, and build again.</li>",
                    shown.join(", ")
                );
            }
        }
        h.push_str("</ul></section>\n");
    }

    /// "1001 Millie": an id and first name, never a surname.
    fn first_name(&self, id: &str) -> String {
        match self.survey.register.lookup(id) {
            Lookup::Found(p) => format!("{id} {}", p.forename()),
            _ => id.to_string(),
        }
    }

    fn photo_card(&self, h: &mut String, p: &DeclaredPhoto) {
        let today = self.survey.today;
        // What each is, from the published file's own bytes, as the
        // build decides a file's kind (never from its name).
        let public = self.root.join(OUTPUT_DIR);
        let kind_of = |rel: &String| -> Option<crate::media::Kind> {
            use std::io::Read as _;
            let mut head = Vec::new();
            std::fs::File::open(public.join(rel))
                .and_then(|f| {
                    f.take(crate::media::SNIFF_BYTES as u64)
                        .read_to_end(&mut head)
                })
                .ok()?;
            Some(crate::media::sniff(&head))
        };
        // Read only for photos: a clip or a document is never embedded.
        let thumb = || {
            p.published
                .first()
                .and_then(|rel| {
                    let bytes = std::fs::read(public.join(rel)).ok()?;
                    let mime = crate::media::sniff(&bytes).picture_mime()?;
                    Some(format!(
                        "data:{mime};base64,{}",
                        base64::engine::general_purpose::STANDARD.encode(bytes)
                    ))
                })
                .unwrap_or_default()
        };
        let name = p.source.rsplit('/').next().unwrap_or(&p.source);
        let not_a_picture = match p.published.last().and_then(kind_of) {
            Some(kind) if kind.picture_mime().is_some() => None,
            Some(crate::media::Kind::Pdf) => Some("PDF document"),
            Some(kind) if kind.is_video() => Some("Video"),
            Some(kind) if kind.is_video_or_audio() => Some("Recording"),
            // Not read, or not a kind the build publishes: said so,
            // never shown as a picture.
            _ => Some("File"),
        };
        if let Some(what) = not_a_picture {
            // A document with photos in it, or a clip: no thumbnail.
            let _ = write!(
                h,
                "<li class=\"photo\"><p class=\"doc\">{what}</p><div><p class=\"file\"><code>{}</code></p>",
                esc(&p.source)
            );
        } else {
            let _ = write!(
                h,
                "<li class=\"photo\"><img src=\"{}\" alt=\"The photo {}, as it will be published\" loading=\"lazy\"><div><p class=\"file\"><code>{}</code></p>",
                thumb(),
                esc(name),
                esc(&p.source)
            );
        }
        if !p.pages.is_empty() {
            let pages: Vec<String> = p
                .pages
                .iter()
                .map(|u| format!("<code>{}</code>", esc(u)))
                .collect();
            let _ = write!(h, "<p>On {}</p>", pages.join(", "));
        }
        // The same photo (the same bytes) elsewhere, and a check of the
        // faces found in a photo declared as showing nobody.
        let path = p.source.strip_prefix("content/").unwrap_or(&p.source);
        let declarations = &self.survey.declarations;
        let copies: Vec<String> = declarations
            .copies(path)
            .iter()
            .filter(|(c, _)| *c != path)
            .map(|(c, d)| {
                format!(
                    "<code>content/{}</code> ({} line {})",
                    esc(c),
                    esc(&d.sidecar),
                    d.line
                )
            })
            .collect();
        if !copies.is_empty() {
            let _ = write!(h, "<p>The same photo is also at {}.</p>", copies.join(", "));
        }
        let checked_by = match declarations.get(path) {
            consent::declarations::Status::Declared(d) => d.faces_checked_by.as_deref(),
            _ => None,
        };
        let Some(use_) = &p.consent_use else {
            if let Some(who) = checked_by {
                let _ = write!(
                    h,
                    "<p class=\"status soon\">Declared as showing nobody, though faces may be found in it: {} recorded that they looked at it and no one from the school is in it. Check that for yourself before you approve.</p></div></li>",
                    esc(&mask_names(who, &self.survey.register))
                );
                return;
            }
            h.push_str("<p class=\"status ok\">Declared as showing nobody.</p></div></li>");
            return;
        };
        let kind = if use_ == "website_individual" {
            "An individual photo"
        } else {
            "A group photo"
        };
        // Said only when the register lists everyone declared as an
        // adult; their consent is shown and checked like anyone's.
        let adults = if self
            .survey
            .register
            .adults_only(p.people.iter().map(String::as_str))
        {
            "Adults only, no pupils. "
        } else {
            ""
        };
        let _ = write!(
            h,
            "<p>{adults}{kind}. People declared:</p><ul class=\"people\">"
        );
        for id in &p.people {
            let a = consent::assess(&self.survey.register, id, use_, today, &self.policy);
            let (class, status) = if let Some(block) = a.blocks.first() {
                ("stop", format!("may not appear: {}", block))
            } else if let Some(due) = a.due {
                let soon = (due.on - today).num_days() <= i64::from(self.policy.warn_days);
                (
                    if soon { "soon" } else { "ok" },
                    format!(
                        "consent given; until {} ({})",
                        due.on,
                        due.reason.describe()
                    ),
                )
            } else {
                ("ok", "consent given".to_string())
            };
            let _ = write!(
                h,
                "<li><strong>{}</strong> <span class=\"status {class}\">{}</span></li>",
                esc(&self.first_name(id)),
                esc(&status)
            );
        }
        h.push_str("</ul></div></li>");
    }
}

const STYLE: &str = "
:root{--ink:#1b1f24;--muted:#4a5159;--line:#d5dbe1;--tint:#f3f6f9;--ok:#1e6b34;--ok-bg:#e6f4ea;--stop:#a4262c;--stop-bg:#fde7e9;--soon:#7a4d00;--soon-bg:#fff4d6}
*{box-sizing:border-box}
body{margin:0;font:1rem/1.55 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:var(--ink);background:#fff}
header,main,footer{max-width:62rem;margin:0 auto;padding:0 1rem}
header{padding-top:1.5rem}
.eyebrow{margin:0;color:var(--muted);font-weight:600;text-transform:uppercase;letter-spacing:.05em;font-size:.85rem}
h1{margin:.25rem 0}
h2{margin-top:2rem;border-bottom:2px solid var(--line);padding-bottom:.25rem}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.92em;overflow-wrap:anywhere}
pre{background:#fff;border:1px solid var(--line);padding:.6rem .8rem;white-space:pre-wrap}
.verdict{border-left:6px solid;padding:.25rem 1rem .75rem;margin-top:1.5rem}
.verdict h2{border:0;margin-top:.75rem}
.verdict.ok{border-color:var(--ok);background:var(--ok-bg)}
.verdict.stop{border-color:var(--stop);background:var(--stop-bg)}
.glance{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(9rem,1fr));gap:.5rem}
.glance li{background:var(--tint);border:1px solid var(--line);border-radius:6px;padding:.6rem .8rem}
.glance strong{display:block;font-size:1.1rem}
.photos{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(17rem,1fr));gap:1rem}
.photo{border:1px solid var(--line);border-radius:8px;overflow:hidden;background:#fff}
.photo img{display:block;width:100%;height:12rem;object-fit:cover;background:var(--tint)}
.photo div{padding:.5rem .9rem .9rem}
.photo p{margin:.3rem 0}
.people{padding-left:1.1rem;margin:.3rem 0}
.status{display:inline-block;border-radius:4px;padding:0 .4rem;font-size:.9rem}
.status.ok{color:var(--ok);background:var(--ok-bg)}
.status.soon{color:var(--soon);background:var(--soon-bg)}
.status.stop{color:var(--stop);background:var(--stop-bg)}
.where{color:var(--muted);font-size:.9rem}
.warnings li,.due li{margin:.4rem 0}
footer{color:var(--muted);border-top:1px solid var(--line);margin-top:2.5rem;padding-bottom:2rem;font-size:.9rem}
a:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}
@media print{.photo{break-inside:avoid}.photo img{height:auto}}
";
