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

use anyhow::Context;
use schoolsite::emit::Output;
use schoolsite::pipeline::{self, Options};
use schoolsite::report::{self, Summary};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant, SystemTime};

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

/// Where the browser listens for "rebuilt" (server-sent events).
const RELOAD_PATH: &str = "/__schoolsite/reload";
/// The live-reload script, served as a file: pages carry a Content
/// Security Policy that allows scripts from the site only, never written
/// into the page.
const RELOAD_SCRIPT_PATH: &str = "/__schoolsite/reload.js";
const RELOAD_SCRIPT: &str =
    "new EventSource(\"/__schoolsite/reload\").onmessage=function(){location.reload()};\n";
/// How often files are looked at.
const POLL: Duration = Duration::from_millis(200);

/// One build, as served.
struct Built {
    generation: u64,
    /// Published path (`news/index.html`) → output.
    files: HashMap<String, Output>,
    /// The site's URL prefix from `base_url`.
    base_path: String,
    /// The page shown instead of the site when the build is blocked.
    blocked: Option<String>,
}

struct Shared {
    built: Mutex<Arc<Built>>,
    rebuilt: Condvar,
    reload: bool,
    loopback: bool,
}

pub fn run(args: &ServeArgs) -> anyhow::Result<u8> {
    let root = args.root.as_path();
    let options = Options {
        drafts: args.drafts,
        progress: false,
        cache: true,
        today: args.today,
    };
    let listener = TcpListener::bind(SocketAddr::new(args.interface, args.port))
        .with_context(|| format!("could not listen on {}:{}", args.interface, args.port))?;
    let address = listener.local_addr()?;
    if !args.interface.is_loopback() {
        eprintln!(
            "warning: serving on {} — other computers on the network can see this preview, photos included",
            args.interface
        );
    }
    let mut fingerprint = snapshot(root);
    let first = build(root, options, 1);
    let shared = Arc::new(Shared {
        built: Mutex::new(Arc::new(first)),
        rebuilt: Condvar::new(),
        reload: !args.no_reload,
        loopback: args.interface.is_loopback(),
    });
    let base_path = current(&shared).base_path.clone();
    println!("serving http://{address}{base_path}/ (press Ctrl+C to stop)");
    let _ = std::io::stdout().flush();

    let server = Arc::clone(&shared);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let shared = Arc::clone(&server);
            std::thread::spawn(move || {
                let _ = handle(stream, &shared);
            });
        }
    });

    // Watch: build again once a change has settled.
    let mut generation = 1;
    loop {
        std::thread::sleep(POLL);
        let now = snapshot(root);
        if now == fingerprint {
            continue;
        }
        std::thread::sleep(POLL);
        if snapshot(root) != now {
            continue;
        }
        fingerprint = now;
        generation += 1;
        let next = build(root, options, generation);
        *shared.built.lock().unwrap_or_else(|e| e.into_inner()) = Arc::new(next);
        shared.rebuilt.notify_all();
    }
}

fn current(shared: &Shared) -> Arc<Built> {
    Arc::clone(&shared.built.lock().unwrap_or_else(|e| e.into_inner()))
}

/// Every file a build reads, with its size and modification time.
fn snapshot(root: &Path) -> Vec<(PathBuf, u64, Option<SystemTime>)> {
    let mut out = Vec::new();
    for top in ["config.toml", "content", "themes", "templates", "consent"] {
        let walker = walkdir::WalkDir::new(root.join(top))
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
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
            }
        }
        Ok(prepared) => {
            let warnings = Summary::of(&prepared.findings).warnings;
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
            }
        }
    };
    let _ = std::io::stdout().flush();
    built
}

/// A request line and the headers this server reads.
struct Request {
    method: String,
    path: String,
    host: Option<String>,
    range: Option<String>,
}

fn read_request(stream: &TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let (mut host, mut range) = (None, None);
    for _ in 0..100 {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            match name.trim().to_ascii_lowercase().as_str() {
                "host" => host = Some(value.trim().to_string()),
                "range" => range = Some(value.trim().to_string()),
                _ => {}
            }
        }
    }
    let path = target.split(['?', '#']).next().unwrap_or("/").to_string();
    Some(Request {
        method,
        path: percent_decode(&path),
        host,
        range,
    })
}

fn handle(mut stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let Some(req) = read_request(&stream) else {
        return respond(&mut stream, 400, "text/plain", b"bad request", &[]);
    };
    // Another website's page cannot reach this preview through a name that
    // points at this computer (DNS rebinding).
    if shared.loopback && !req.host.as_deref().is_some_and(is_local_host) {
        return respond(&mut stream, 403, "text/plain", b"forbidden", &[]);
    }
    if req.method != "GET" && req.method != "HEAD" {
        return respond(&mut stream, 405, "text/plain", b"only GET", &[]);
    }
    if req.path == RELOAD_PATH {
        return events(stream, shared);
    }
    if req.path == RELOAD_SCRIPT_PATH && shared.reload {
        let head = req.method == "HEAD";
        return send(
            &mut stream,
            200,
            "text/javascript; charset=utf-8",
            RELOAD_SCRIPT.as_bytes(),
            head,
        );
    }
    let built = current(shared);
    let head = req.method == "HEAD";
    let Some(rel) = req.path.strip_prefix(built.base_path.as_str()) else {
        return not_found(&mut stream, &built, shared, head);
    };
    let rel = rel.trim_start_matches('/');
    if let Some(page) = &built.blocked {
        if looks_like_page(rel) {
            let body = with_reload(page, shared.reload);
            return send(
                &mut stream,
                200,
                "text/html; charset=utf-8",
                body.as_bytes(),
                head,
            );
        }
        return respond(&mut stream, 503, "text/plain", b"the build is blocked", &[]);
    }
    let key = if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    };
    let Some(output) = built.files.get(&key) else {
        // `/news` → `/news/`, as web servers do.
        if built.files.contains_key(&format!("{rel}/index.html")) {
            let to = format!("{}/{rel}/", built.base_path);
            return respond(
                &mut stream,
                301,
                "text/plain",
                b"moved",
                &[("Location", &to)],
            );
        }
        return not_found(&mut stream, &built, shared, head);
    };
    let kind = content_type(&key);
    if kind.starts_with("text/html") {
        let html = String::from_utf8_lossy(&output.read_range(0, output.len())?).into_owned();
        let body = with_reload(&html, shared.reload);
        return send(&mut stream, 200, kind, body.as_bytes(), head);
    }
    let total = output.len();
    match req.range.as_deref().and_then(|r| byte_range(r, total)) {
        Some((start, end)) => {
            let body = if head {
                Vec::new()
            } else {
                output.read_range(start, end - start + 1)?
            };
            let range = format!("bytes {start}-{end}/{total}");
            let len = (end - start + 1).to_string();
            write_head(
                &mut stream,
                206,
                kind,
                &[("Content-Range", &range), ("Content-Length", &len)],
            )?;
            stream.write_all(&body)
        }
        None => {
            let body = if head {
                Vec::new()
            } else {
                output.read_range(0, total)?
            };
            let len = total.to_string();
            write_head(&mut stream, 200, kind, &[("Content-Length", &len)])?;
            stream.write_all(&body)
        }
    }
}

fn not_found(
    stream: &mut TcpStream,
    built: &Built,
    shared: &Shared,
    head: bool,
) -> std::io::Result<()> {
    let body = match built.files.get("404.html") {
        Some(o) => String::from_utf8_lossy(&o.read_range(0, o.len())?).into_owned(),
        None => "<!DOCTYPE html><title>Not found</title><p>Not found</p>".to_string(),
    };
    send(
        stream,
        404,
        "text/html; charset=utf-8",
        with_reload(&body, shared.reload).as_bytes(),
        head,
    )
}

/// Holds the connection open and tells the page when a new build is
/// served.
fn events(mut stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    write_head(&mut stream, 200, "text/event-stream", &[])?;
    stream.write_all(b"retry: 1000\n\n")?;
    let mut seen = current(shared).generation;
    loop {
        let guard = shared.built.lock().unwrap_or_else(|e| e.into_inner());
        let (guard, _) = shared
            .rebuilt
            .wait_timeout_while(guard, Duration::from_secs(15), |b| b.generation == seen)
            .unwrap_or_else(|e| e.into_inner());
        let generation = guard.generation;
        drop(guard);
        if generation != seen {
            seen = generation;
            stream.write_all(format!("data: {generation}\n\n").as_bytes())?;
        } else {
            // A comment keeps the connection alive and notices a closed tab.
            stream.write_all(b": ping\n\n")?;
        }
        stream.flush()?;
    }
}

fn is_local_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(h, _)| h),
    };
    matches!(name, "127.0.0.1" | "localhost" | "::1")
}

fn looks_like_page(rel: &str) -> bool {
    rel.is_empty()
        || rel.ends_with('/')
        || rel.ends_with(".html")
        || !rel.rsplit('/').next().unwrap_or("").contains('.')
}

/// `bytes=START-END`, `bytes=START-` or `bytes=-SUFFIX`, within the file.
fn byte_range(header: &str, total: u64) -> Option<(u64, u64)> {
    let spec = header.strip_prefix("bytes=")?;
    if spec.contains(',') || total == 0 {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (start, end) = match (a.trim(), b.trim()) {
        ("", suffix) => {
            let n: u64 = suffix.parse().ok()?;
            (total.saturating_sub(n), total - 1)
        }
        (a, "") => (a.parse().ok()?, total - 1),
        (a, b) => (a.parse().ok()?, b.parse::<u64>().ok()?.min(total - 1)),
    };
    (start <= end && start < total).then_some((start, end))
}

fn with_reload(html: &str, reload: bool) -> String {
    if !reload {
        return html.to_string();
    }
    let script = format!("<script src=\"{RELOAD_SCRIPT_PATH}\"></script>");
    match html.rfind("</body>") {
        Some(i) => format!("{}{script}{}", &html[..i], &html[i..]),
        None => format!("{html}{script}"),
    }
}

fn send(
    stream: &mut TcpStream,
    status: u16,
    kind: &str,
    body: &[u8],
    head: bool,
) -> std::io::Result<()> {
    let len = body.len().to_string();
    write_head(stream, status, kind, &[("Content-Length", &len)])?;
    if !head {
        stream.write_all(body)?;
    }
    Ok(())
}

fn respond(
    stream: &mut TcpStream,
    status: u16,
    kind: &str,
    body: &[u8],
    extra: &[(&str, &str)],
) -> std::io::Result<()> {
    let len = body.len().to_string();
    let mut headers = vec![("Content-Length", len.as_str())];
    headers.extend_from_slice(extra);
    write_head(stream, status, kind, &headers)?;
    stream.write_all(body)
}

fn write_head(
    stream: &mut TcpStream,
    status: u16,
    kind: &str,
    headers: &[(&str, &str)],
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        206 => "Partial Content",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Service Unavailable",
    };
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {kind}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nAccept-Ranges: bytes\r\nConnection: close\r\n"
    );
    for (name, value) in headers {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())
}

fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    match ext.to_ascii_lowercase().as_str() {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "ics" => "text/calendar; charset=utf-8",
        "vtt" => "text/vtt; charset=utf-8",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "pdf" => "application/pdf",
        "mp4" | "m4v" => "video/mp4",
        "mov" => "video/quicktime",
        "m4a" => "audio/mp4",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(byte_range("bytes=0-", 10), Some((0, 9)));
        assert_eq!(byte_range("bytes=2-4", 10), Some((2, 4)));
        assert_eq!(byte_range("bytes=-3", 10), Some((7, 9)));
        assert_eq!(byte_range("bytes=5-100", 10), Some((5, 9)));
        assert_eq!(byte_range("bytes=10-", 10), None);
        assert_eq!(byte_range("bytes=0-1,3-4", 10), None);
        assert_eq!(byte_range("items=0-1", 10), None);
    }

    #[test]
    fn hosts() {
        assert!(is_local_host("127.0.0.1:1111"));
        assert!(is_local_host("localhost:8080"));
        assert!(is_local_host("[::1]:1111"));
        assert!(!is_local_host("evil.example:1111"));
        assert!(!is_local_host("127.0.0.1.evil.example"));
    }

    #[test]
    fn reload_script_goes_before_the_body_ends() {
        let out = with_reload("<body><p>x</p></body></html>", true);
        assert!(out.contains("reload.js") && out.ends_with("</script></body></html>"));
        assert!(RELOAD_SCRIPT.contains(RELOAD_PATH));
        assert_eq!(with_reload("<p>x</p>", false), "<p>x</p>");
    }
}
