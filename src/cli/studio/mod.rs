//! `schoolsite studio`: the preview of `serve` plus pages where the
//! people who keep the site write pages, add photos and say who is in
//! them, served on this computer only.
//!
//! It is its own command rather than a part of `serve` so that editing
//! can never be put on the network: `serve --interface` may show the
//! read-only preview to other computers, while `studio` refuses any
//! address that is not loopback. Both share one server (`serve::http`),
//! one build loop and one host check; the studio's routes (here) carry
//! their own checks (`guard`).
//!
//! Every page is a Tera template built into the binary (`view`), every
//! write goes through `schoolsite::studio` (atomic, refused when the file
//! changed since the form was opened), and every finding shown is the
//! build's own.

// Helpers answer a refusal as the page to show (`Result<_, Response>`),
// so a handler can return it with `?`; one per request, never in a loop.
#![allow(clippy::result_large_err)]

use super::serve::{self, Built};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, post};
use chrono::NaiveDate;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::watch;

mod approve;
mod bin;
mod guard;
mod pages;
mod photos;
mod view;

#[derive(clap::Args)]
pub struct StudioArgs {
    /// The site's folder (holding config.toml, content/, themes/).
    #[arg(long, default_value = ".", value_name = "DIR")]
    root: PathBuf,
    /// The address to listen on: 127.0.0.1 or ::1 only. Editing is never
    /// served to the network (`serve --interface` shows the read-only
    /// preview to other computers).
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    interface: IpAddr,
    /// The port (0 picks a free one).
    #[arg(long, short, default_value_t = 1112)]
    port: u16,
    /// Check as if today were DATE.
    #[arg(long, value_name = "DATE", value_parser = super::parse_date)]
    today: Option<NaiveDate>,
}

/// The most a form may send (a page's text is far less).
const FORM_LIMIT: usize = 2 * 1024 * 1024;

/// What the studio's handlers share.
#[derive(Clone)]
pub struct Studio {
    pub root: Arc<PathBuf>,
    /// This run's secret, required in every form posted.
    pub token: Arc<str>,
    /// This run's session, required of every request.
    pub session: Arc<guard::Session>,
    /// The studio's Content Security Policy (frames from the preview).
    pub csp: Arc<str>,
    /// The site's preview: its origin and base path, no `/` at the end.
    pub site: Arc<str>,
    pub built: watch::Receiver<Arc<Built>>,
    pub today: Option<NaiveDate>,
    /// The largest upload, in bytes.
    pub upload_limit: u64,
    /// Builds at once after a save, rather than when the files settle.
    pub kick: serve::Kick,
    /// Where the faces are in each photo looked at, by the hash of its
    /// bytes, for this run only (the detector takes a tenth of a second).
    pub faces: Arc<std::sync::Mutex<FaceCache>>,
}

/// Face outlines by the BLAKE3 hash of a photo's bytes.
pub type FaceCache = std::collections::HashMap<[u8; 32], Vec<schoolsite::media::Outline>>;

impl Studio {
    fn current(&self) -> Arc<Built> {
        Arc::clone(&self.built.borrow())
    }

    fn content(&self) -> PathBuf {
        self.root.join(schoolsite::content::CONTENT_DIR)
    }
}

pub fn run(args: &StudioArgs) -> anyhow::Result<u8> {
    // The two addresses a browser reaches by a `….localhost` name.
    let localhost = [
        IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
    ];
    if !localhost.contains(&args.interface) {
        anyhow::bail!(
            "the studio edits the site's files, so it only listens on this computer, at 127.0.0.1 or ::1, not on {}; to show the read-only preview to other computers use `schoolsite serve --interface {}`",
            args.interface,
            args.interface
        );
    }
    let config = schoolsite::config::Config::load(&args.root)?;
    // Uploads and saves an earlier run left half-done (it was stopped
    // mid-way): its own temporary files only, from before this run.
    let content = args.root.join(schoolsite::content::CONTENT_DIR);
    let stale = schoolsite::studio::scratch::remove_stale(&content, std::time::SystemTime::now());
    if !stale.is_empty() {
        println!(
            "removed {} unfinished upload(s) or save(s) an earlier run of the studio left in content/",
            stale.len()
        );
    }
    // The largest file the build takes of any kind: more of an upload is
    // never read.
    let upload_limit = [
        config.video.max_size_mb,
        config.images.max_file_mb,
        config.documents.max_size_mb,
    ]
    .into_iter()
    .max()
    .unwrap_or(0)
    .saturating_mul(1_000_000);
    let token: Arc<str> = guard::new_token()?.into();
    let session = guard::Session::new()?;
    let run = serve::Run {
        root: &args.root,
        options: schoolsite::pipeline::Options {
            // Drafts are what the studio is for.
            drafts: true,
            progress: false,
            cache: true,
            today: args.today,
        },
        interface: args.interface,
        port: args.port,
        reload: true,
        studio: Some(session.host().to_string()),
    };
    let root = Arc::new(args.root.clone());
    let today = args.today;
    serve::run_with(&run, move |built, kick, addresses| {
        let preview = &addresses.preview;
        let studio = addresses.studio.as_ref().unwrap_or(preview);
        let session = Arc::new(session);
        let launch = format!("{studio}{}", session.launch());
        let site = format!("{preview}{}", built.borrow().base_path);
        let check = Arc::clone(&session);
        let routes = routes(Studio {
            root,
            token,
            session,
            csp: guard::csp(preview).into(),
            site: site.into(),
            built,
            today,
            upload_limit,
            kick,
            faces: Arc::default(),
        });
        serve::Served::Studio {
            routes,
            admit: Arc::new(move |headers| check.admits(headers)),
            launch,
        }
    })
}

/// Every studio route, behind the guard.
pub fn routes(studio: Studio) -> Router {
    let upload_limit = usize::try_from(studio.upload_limit)
        .unwrap_or(usize::MAX)
        .saturating_add(64 * 1024);
    let uploads = Router::new()
        .route("/studio/upload", post(photos::upload))
        .layer(DefaultBodyLimit::max(upload_limit));
    Router::new()
        .route("/studio", get(pages::to_list))
        .route("/studio/", get(pages::list))
        .route("/studio/new", post(pages::create))
        .route("/studio/edit", get(pages::edit).post(pages::save))
        .route("/studio/delete", post(pages::delete))
        .route("/studio/bin", get(bin::page))
        .route("/studio/bin/delete", post(bin::delete))
        .route("/studio/restore", post(bin::restore))
        .route("/studio/findings", get(pages::findings))
        .route("/studio/photo", get(photos::photo).post(photos::declare))
        .route("/studio/photo/image", get(photos::image))
        .route("/studio/media", get(photos::media))
        .route("/studio/photo/search", post(photos::search))
        .route("/studio/people", post(photos::people))
        .route("/studio/approve", get(approve::page).post(approve::approve))
        .route("/studio/approve/build", post(approve::build_site))
        .route("/studio/approve/preview", get(approve::preview_page))
        .route("/studio/publish", post(approve::publish_site))
        .route("/studio/assets/studio.css", get(view::css))
        .route("/studio/assets/studio.js", get(view::js))
        .layer(DefaultBodyLimit::max(FORM_LIMIT))
        .merge(uploads)
        .layer(middleware::from_fn_with_state(studio.clone(), guard::guard))
        .with_state(studio)
}

/// The content tree as the build reads it (drafts included), or a page
/// saying why it cannot be read.
fn content_site(studio: &Studio) -> Result<schoolsite::content::Site, axum::response::Response> {
    schoolsite::content::load(
        &studio.root,
        schoolsite::content::LoadOptions { drafts: true },
    )
    .map_err(|e| {
        view::message(
            studio,
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "The site's pages cannot be read",
            &e.to_string(),
            "/studio/",
        )
    })
}

/// The findings about the page at content-relative `source`: its own
/// file, and for a page in a folder of its own (`trip/index.md`) every
/// file in that folder (its photos, their `photos.toml`).
fn findings_for<'a>(
    findings: &'a [schoolsite::report::Finding],
    source: &str,
) -> Vec<&'a schoolsite::report::Finding> {
    let file = format!("{}/{source}", schoolsite::content::CONTENT_DIR);
    let folder = source
        .strip_suffix("index.md")
        .filter(|f| f.is_empty() || f.ends_with('/'))
        .filter(|_| !source.ends_with("_index.md"))
        .map(|f| format!("{}/{f}", schoolsite::content::CONTENT_DIR));
    findings
        .iter()
        .filter(|f| {
            f.location.file == file
                || folder.as_ref().is_some_and(|d| {
                    !d.ends_with("content/") && f.location.file.starts_with(d.as_str())
                })
        })
        .collect()
}

/// Asks for a build of what was just saved, and waits (up to a few
/// seconds) for one that started after `since`; false if none came.
async fn wait_for_build(studio: &Studio, since: std::time::Instant) -> bool {
    studio.kick.now();
    let mut built = studio.built.clone();
    let wait = async {
        loop {
            if built.borrow_and_update().started > since {
                return true;
            }
            if built.changed().await.is_err() {
                return false;
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(8), wait)
        .await
        .unwrap_or(false)
}

/// Why `slug` (a new page's file name and address) may not be made, by
/// the build's own `name-in-address` rule: the studio never writes a file
/// named after a pupil, and cannot tell when the register is unreadable.
fn address_refused(studio: &Studio, slug: &str) -> Option<&'static str> {
    let register = schoolsite::consent::Register::load(&studio.root);
    if !register.problems.is_empty() {
        return Some(
            "The consent register cannot be read, so the studio cannot check that this title names no pupil (see All findings). Fix the register first.",
        );
    }
    schoolsite::rules::name_in_address(&register, slug).then_some(
        "The page's address and file name are made from its title, and may hold no pupil's name, not even a first name. Start with a title that names no pupil.",
    )
}
