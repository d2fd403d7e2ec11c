//! `schoolsite serve`: builds the site in memory and serves it on
//! 127.0.0.1, rebuilding when a file is saved and reloading the browser.
//! When the build is blocked the browser shows the findings instead of
//! the site. It never writes `public/`: what it shows is a preview, not
//! a publish.
//!
//! Changes are found by polling (a few hundred files, five times a
//! second), which also works on the network drives school offices keep
//! their files on, where change notifications often do not arrive. A
//! change is built once the files have stopped changing, so a file saved
//! half-written is picked up again when its save completes.
//!
//! This file is the command: it builds, polls and hands each build to
//! the server. `http` is the server (an axum router on hyper and tokio),
//! `pages` the pages shown instead of the site (Tera templates built
//! into the binary).

use anyhow::Context;
use schoolsite::emit::Output;
use schoolsite::pipeline::{self, Options};
use schoolsite::report::{self, Summary};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

pub(super) mod http;
mod pages;

#[derive(clap::Args)]
pub struct ServeArgs {
    /// The site's folder (holding config.toml, content/, themes/).
    #[arg(long, default_value = ".", value_name = "DIR")]
    root: PathBuf,
    /// The address to listen on. Only this computer can see the site
    /// unless you give another address explicitly.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    interface: IpAddr,
    /// The port (0 picks a free one).
    #[arg(long, short, default_value_t = 1111)]
    port: u16,
    /// Include pages marked draft = true.
    #[arg(long)]
    drafts: bool,
    /// Check as if today were DATE.
    #[arg(long, value_name = "DATE", value_parser = super::parse_date)]
    today: Option<chrono::NaiveDate>,
    /// Do not reload the browser when the site is rebuilt.
    #[arg(long)]
    no_reload: bool,
}

/// How often files are looked at.
const POLL: Duration = Duration::from_millis(200);

/// One build, as served.
pub struct Built {
    /// Counts the builds, from 1; the browser reloads when it changes.
    pub generation: u64,
    /// Published path (`news/index.html`) → output.
    pub files: HashMap<String, Output>,
    /// The site's URL prefix from `base_url`.
    pub base_path: String,
    /// The page shown instead of the site when the build is blocked.
    pub blocked: Option<String>,
    /// Every finding of this build (the studio shows them beside a page).
    pub findings: Vec<schoolsite::report::Finding>,
    /// The problem that stopped the build from starting, if one did.
    pub problem: Option<String>,
    /// When this build started: a save waits for a build that started
    /// after it.
    pub started: Instant,
}

/// How `serve` and `studio` run the server.
pub(super) struct Run<'a> {
    pub root: &'a Path,
    pub options: Options,
    pub interface: IpAddr,
    pub port: u16,
    pub reload: bool,
    /// Serves the studio beside the preview (see [`Served::Studio`]),
    /// both by this name only (see `studio::guard::Session`).
    pub studio: Option<String>,
}

/// Where the server listens: the preview, and the studio's own pages
/// when it runs, as the addresses a browser is given.
pub(super) struct Addresses {
    /// `http://name:port`, no `/` at the end.
    pub preview: String,
    pub studio: Option<String>,
}

/// What is served beside the preview.
pub(super) enum Served {
    /// `serve`: the preview alone.
    Preview,
    /// `studio`: its routes on an address of their own, the preview on
    /// another port. A port is another origin to the browser, so no
    /// script in the site's pages (a theme's) can read a studio page,
    /// take its token or post to it. Both answer only requests `admit`
    /// accepts (this run's session); `launch` is the address printed.
    Studio {
        routes: axum::Router,
        admit: http::Admit,
        launch: String,
    },
}

pub fn run(args: &ServeArgs) -> anyhow::Result<u8> {
    let run = Run {
        root: args.root.as_path(),
        options: Options {
            drafts: args.drafts,
            progress: false,
            cache: true,
            today: args.today,
        },
        interface: args.interface,
        port: args.port,
        reload: !args.no_reload,
        studio: None,
    };
    if !args.interface.is_loopback() {
        eprintln!(
            "warning: serving on {} — other computers on the network can see this preview, photos included",
            args.interface
        );
    }
    run_with(&run, |_, _, _| Served::Preview)
}

/// Asks the build loop to build now, without waiting for the files to
/// settle: for a writer that has just finished a whole file (the
/// studio's saves are atomic renames), so its findings come sooner.
#[derive(Clone)]
pub struct Kick(std::sync::mpsc::Sender<()>);

impl Kick {
    pub fn now(&self) {
        // The loop ends only with the process: nothing to do if it has.
        let _ = self.0.send(());
    }
}

/// Builds, serves the preview and what `served` adds inside the host
/// check, and rebuilds on every change until the process ends.
pub(super) fn run_with(
    run: &Run,
    served: impl FnOnce(tokio::sync::watch::Receiver<Arc<Built>>, Kick, &Addresses) -> Served,
) -> anyhow::Result<u8> {
    let (root, options) = (run.root, run.options);
    // The studio keeps the port asked for; its preview takes a free one.
    let (studio_listener, preview) = if run.studio.is_some() {
        let studio = listen(run.interface, run.port)?;
        (Some(studio), listen(run.interface, 0)?)
    } else {
        (None, listen(run.interface, run.port)?)
    };
    let origin = |listener: &TcpListener| -> anyhow::Result<String> {
        let address = listener.local_addr()?;
        Ok(match &run.studio {
            Some(name) => format!("http://{name}:{}", address.port()),
            None => format!("http://{address}"),
        })
    };
    let addresses = Addresses {
        preview: origin(&preview)?,
        studio: studio_listener.as_ref().map(origin).transpose()?,
    };
    let mut fingerprint = snapshot(root);
    let first = build(root, options, 1);
    let base_path = first.base_path.clone();
    // Builds are handed to the server through a watch channel: each
    // request serves the newest, and the reload stream wakes on a new one.
    let (builds, latest) = tokio::sync::watch::channel(Arc::new(first));

    // The server runs on a small runtime of its own; building (CPU-bound,
    // on rayon's threads) stays on this thread, off the runtime.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("schoolsite-serve")
        .enable_io()
        .enable_time()
        .build()
        .context("could not start the preview's server")?;
    let on_runtime = |listener: TcpListener| {
        let _inside = runtime.enter();
        tokio::net::TcpListener::from_std(listener).context("could not listen")
    };
    // One sender is kept here, so the channel never closes while the
    // loop runs (a closed one would not wait).
    let (kick, kicked) = std::sync::mpsc::channel();
    let hosts = match (&run.studio, run.interface.is_loopback()) {
        (Some(name), _) => http::Hosts::Only(name.as_str().into()),
        (None, true) => http::Hosts::Local,
        (None, false) => http::Hosts::Any,
    };
    let mut preview_site = http::Preview {
        built: latest.clone(),
        reload: run.reload,
        hosts: hosts.clone(),
        admit: None,
    };
    let site = format!("{}{base_path}/", addresses.preview);
    match (
        served(latest, Kick(kick.clone()), &addresses),
        studio_listener,
    ) {
        (
            Served::Studio {
                routes,
                admit,
                launch,
            },
            Some(studio),
        ) => {
            preview_site.admit = Some(admit);
            let studio_app = http::studio_app(routes, &site, hosts);
            runtime.spawn(http::serve(on_runtime(studio)?, studio_app));
            println!("studio on {launch} (press Ctrl+C to stop)");
            println!("preview on {site}");
        }
        _ => println!("serving {site} (press Ctrl+C to stop)"),
    }
    let app = http::app(preview_site);
    runtime.spawn(http::serve(on_runtime(preview)?, app));
    let _ = std::io::stdout().flush();

    // Watch: build again once a change has settled, or at once when a
    // writer that knows its file is whole asks.
    let mut generation = 1;
    loop {
        let asked = kicked.recv_timeout(POLL).is_ok();
        while kicked.try_recv().is_ok() {}
        let now = snapshot(root);
        // Asked, it builds even when sizes and times look the same: a
        // save of the same length within the file system's clock tick.
        if now == fingerprint && !asked {
            continue;
        }
        if !asked {
            std::thread::sleep(POLL);
            if snapshot(root) != now {
                continue;
            }
        }
        fingerprint = now;
        generation += 1;
        let next = build(root, options, generation);
        builds.send_replace(Arc::new(next));
    }
}

fn listen(interface: IpAddr, port: u16) -> anyhow::Result<TcpListener> {
    let listener = TcpListener::bind(SocketAddr::new(interface, port))
        .with_context(|| format!("could not listen on {interface}:{port}"))?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

/// Every file a build reads, with its size and modification time: what
/// the loader passes over (a dot-file, such as an upload the studio is
/// still receiving) starts no build.
fn snapshot(root: &Path) -> Vec<(PathBuf, u64, Option<SystemTime>)> {
    let mut out = Vec::new();
    for top in ["config.toml", "content", "themes", "templates", "consent"] {
        let walker = walkdir::WalkDir::new(root.join(top))
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                e.depth() == 0 || !schoolsite::content::is_hidden(&e.file_name().to_string_lossy())
            });
        for entry in walker.flatten() {
            if let Ok(meta) = entry.metadata()
                && meta.is_file()
            {
                out.push((entry.into_path(), meta.len(), meta.modified().ok()));
            }
        }
    }
    out
}

fn build(root: &Path, options: Options, generation: u64) -> Built {
    let started = Instant::now();
    let base_path = schoolsite::config::Config::load(root)
        .map(|c| schoolsite::render::base_path(&c))
        .unwrap_or_default();
    let result = pipeline::prepare(root, options);
    let took = started.elapsed().as_millis();
    let built = match result {
        Err(e) => {
            let mut message = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                let _ = write!(message, ": {s}");
                source = s.source();
            }
            println!("[{generation}] the site could not be built: {message}");
            Built {
                generation,
                files: HashMap::new(),
                base_path,
                blocked: Some(pages::problem_page(&message)),
                findings: Vec::new(),
                problem: Some(message),
                started,
            }
        }
        Ok(prepared) if prepared.blocked() => {
            let summary = Summary::of(&prepared.findings);
            print!("{}", report::human(&prepared.findings));
            println!(
                "[{generation}] blocked in {took} ms: {} (the browser shows them)",
                report::human_summary(summary, "nothing is served")
            );
            Built {
                generation,
                files: HashMap::new(),
                base_path,
                blocked: Some(pages::findings_page(&prepared.findings)),
                findings: prepared.findings,
                problem: None,
                started,
            }
        }
        Ok(prepared) => {
            let warnings = Summary::of(&prepared.findings).warnings;
            let findings = prepared.findings;
            let files: HashMap<String, Output> = prepared
                .outputs
                .into_iter()
                .map(|o| (o.dest().to_string(), o))
                .collect();
            println!(
                "[{generation}] built in {took} ms: {} pages{}",
                prepared.pages,
                match warnings {
                    0 => String::new(),
                    1 => ", 1 warning (`schoolsite check` lists it)".to_string(),
                    n => format!(", {n} warnings (`schoolsite check` lists them)"),
                }
            );
            Built {
                generation,
                files,
                base_path,
                blocked: None,
                findings,
                problem: None,
                started,
            }
        }
    };
    let _ = std::io::stdout().flush();
    built
}
