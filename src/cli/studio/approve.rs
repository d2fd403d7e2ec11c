//! The headteacher's page: build the site for approval, read the
//! preview (`publish::preview`, the page `schoolsite preview` writes),
//! approve it with a key from their own keys folder, and publish it to
//! the folder `config.toml` names. Every refusal is the command line's:
//! the same library calls make them.

use super::super::{approval, build};
use super::Studio;
use super::guard::Posted;
use super::view::{self, Problem};
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use schoolsite::pipeline::{self, Options};
use schoolsite::publish::manifest::Manifest;
use schoolsite::publish::{self, PublishError, preview};
use schoolsite::report::Summary;
use std::path::PathBuf;

/// The preview's own policy: it is one self-contained page (inline
/// style, photos as `data:`), shown only inside the studio's frame.
const PREVIEW_CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'";

/// The key files in the approver's keys folder (names only).
fn keys() -> Vec<String> {
    let Some(dir) = approval::keys_folder() else {
        return Vec::new();
    };
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".key") && !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn publish_to(studio: &Studio) -> Option<PathBuf> {
    let config = schoolsite::config::Config::load(&studio.root).ok()?;
    config.publish.to.map(|to| studio.root.join(to))
}

/// `GET /studio/approve`.
pub async fn page(State(studio): State<Studio>) -> Response {
    show(&studio, StatusCode::OK, Vec::new(), "", Vec::new())
}

fn show(
    studio: &Studio,
    status: StatusCode,
    errors: Vec<Problem>,
    notice: &str,
    refusals: Vec<String>,
) -> Response {
    // The build this page shows: its preview and the approval are both
    // tied to it, so a build made meanwhile is never signed unread.
    let build = last_build(studio);
    let mut context = view::context(studio);
    context.insert("built", &build.is_some());
    context.insert("build", &build.unwrap_or_default());
    context.insert("keys", &keys());
    context.insert(
        "keys_folder",
        &approval::keys_folder().map(|d| d.display().to_string()),
    );
    context.insert(
        "publish_to",
        &publish_to(studio).map(|d| d.display().to_string()),
    );
    context.insert("errors", &errors);
    context.insert("notice", notice);
    context.insert("refusals", &refusals);
    view::render(status, "approve.html", &context)
}

/// The digest of the last build's manifest, when there is one.
fn last_build(studio: &Studio) -> Option<String> {
    Manifest::load(&studio.root).ok().map(|m| m.digest)
}

/// The build a form or preview address was made for.
#[derive(serde::Deserialize)]
pub struct ForBuild {
    #[serde(default)]
    build: String,
}

/// The refusal for a page opened before the last build.
fn built_since(studio: &Studio) -> Response {
    view::message(
        studio,
        StatusCode::CONFLICT,
        "The site was built again since this page was opened",
        "What you read is no longer what would be approved. Open Approve and publish again and read the new preview.",
        "/studio/approve",
    )
}

/// `GET /studio/approve/preview?build=DIGEST`: the approver's preview of
/// the last build, rendered afresh (never written to disk), if it is
/// still the build the approve page was opened for.
pub async fn preview_page(State(studio): State<Studio>, Query(want): Query<ForBuild>) -> Response {
    if last_build(&studio).as_deref() != Some(want.build.as_str()) {
        return built_since(&studio);
    }
    let (root, today) = (studio.root.clone(), studio.today);
    let page = tokio::task::spawn_blocking(move || preview::render(&root, today))
        .await
        .map_err(|e| e.to_string())
        .and_then(|r| r.map_err(|e| e.to_string()));
    match page {
        Ok((html, _)) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CONTENT_SECURITY_POLICY, PREVIEW_CSP),
            ],
            html,
        )
            .into_response(),
        Err(why) => view::message(
            &studio,
            StatusCode::CONFLICT,
            "There is no preview yet",
            &format!("{why}. Build the site for approval first."),
            "/studio/approve",
        ),
    }
}

/// What a blocking task came to: its value, or why it failed (a file
/// that could not be read or written, or the task stopping).
fn settled<T>(result: Result<anyhow::Result<T>, tokio::task::JoinError>) -> Result<T, String> {
    match result {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(format!("{e:#}")),
        Err(e) => Err(format!("it stopped before it finished ({e})")),
    }
}

/// The page again with a notice of what was done.
fn done(studio: &Studio, notice: &str) -> Response {
    show(studio, StatusCode::OK, Vec::new(), notice, Vec::new())
}

/// The page again saying why nothing was done, linked to `field`, with
/// the command line's reasons when there are some.
fn refused(studio: &Studio, field: &str, why: String, refusals: Vec<String>) -> Response {
    show(
        studio,
        StatusCode::UNPROCESSABLE_ENTITY,
        vec![Problem::new(field, why)],
        "",
        refusals,
    )
}

/// `POST /studio/approve/build`: what `schoolsite build` does (drafts
/// left out), so there is a build to approve.
pub async fn build_site(State(studio): State<Studio>, _form: Posted) -> Response {
    let (root, today) = (studio.root.clone(), studio.today);
    let result = tokio::task::spawn_blocking(move || -> anyhow::Result<Result<usize, usize>> {
        let options = Options {
            drafts: false,
            progress: false,
            cache: true,
            today,
        };
        let prepared = pipeline::prepare(&root, options)?;
        if prepared.blocked() {
            return Ok(Err(Summary::of(&prepared.findings).errors));
        }
        build::write_build(&root, &prepared)?;
        Ok(Ok(prepared.pages))
    })
    .await;
    match settled(result) {
        Ok(Ok(pages)) => done(
            &studio,
            &format!("Built {pages} pages into public/. Read the preview below, then approve it."),
        ),
        Ok(Err(errors)) => refused(
            &studio,
            "build",
            format!(
                "The site was not built: {errors} problem(s) to fix first (see All findings); public/ is unchanged"
            ),
            Vec::new(),
        ),
        Err(why) => refused(
            &studio,
            "build",
            format!("The site was not built: {why}"),
            Vec::new(),
        ),
    }
}

/// `POST /studio/approve`: sign the last build with the chosen key.
pub async fn approve(State(studio): State<Studio>, form: Posted) -> Response {
    let name = form.get("key").to_string();
    let plain = name.ends_with(".key") && !name.starts_with('.') && !name.contains(['/', '\\']);
    let Some(file) = approval::keys_folder()
        .map(|d| d.join(&name))
        .filter(|p| plain && p.is_file())
    else {
        return refused(
            &studio,
            "key",
            "Choose your key from the list".to_string(),
            Vec::new(),
        );
    };
    let root = studio.root.clone();
    let build = form.get("build").to_string();
    let result =
        tokio::task::spawn_blocking(move || approval::sign(&root, &file, Some(&build))).await;
    match settled(result) {
        Ok(Ok(approved)) => done(
            &studio,
            &format!(
                "{} The approval is in {}: commit it with the site.",
                approved.summary, approved.file
            ),
        ),
        Ok(Err(refusals)) => refused(&studio, "key", "Nothing was approved".to_string(), refusals),
        Err(why) => refused(
            &studio,
            "key",
            format!("Nothing was approved: {why}"),
            Vec::new(),
        ),
    }
}

/// `POST /studio/publish`: publish the approved build to `[publish] to`,
/// checked on the real date, as `schoolsite publish` does.
pub async fn publish_site(State(studio): State<Studio>, _form: Posted) -> Response {
    let Some(to) = publish_to(&studio) else {
        return refused(
            &studio,
            "publish",
            "config.toml does not say where to publish: add [publish] to = \"…\"".to_string(),
            Vec::new(),
        );
    };
    let root = studio.root.clone();
    let result = tokio::task::spawn_blocking(move || {
        Ok::<_, anyhow::Error>(publish::publish(&root, &to, None))
    })
    .await;
    match settled(result) {
        Ok(Ok(p)) => done(
            &studio,
            &format!(
                "Published build {} ({} files), approved by {}, to {}.",
                p.manifest.short_digest(),
                p.manifest.files.len(),
                p.approver,
                p.to.display()
            ),
        ),
        Ok(Err(PublishError::Refused(refusals))) => refused(
            &studio,
            "publish",
            "Nothing was published (recorded in the audit log)".to_string(),
            refusals,
        ),
        Ok(Err(e)) => refused(
            &studio,
            "publish",
            format!("Nothing was published: {e}"),
            Vec::new(),
        ),
        Err(why) => refused(
            &studio,
            "publish",
            format!("Nothing was published: {why}"),
            Vec::new(),
        ),
    }
}
