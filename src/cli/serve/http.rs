//! The preview's HTTP side: an axum router over hyper, one connection per
//! task.
//!
//! What it serves comes only from the newest build in memory (a map of
//! published paths to outputs): a request's path is looked up in that
//! map and never joined to a folder, so no address can reach a file the
//! build did not publish.
//!
//! Every request passes the host check first (another website's page
//! cannot reach the preview through a name that points at this
//! computer), then the preview's routes, which answer GET and HEAD only.
//! The studio's routes are served from an address of their own
//! ([`studio_app`]), inside the same host check, with checks of their
//! own; the preview it runs admits only its session ([`Admit`]).

use super::Built;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use futures_util::StreamExt as _;
use futures_util::stream;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

/// Where the browser listens for "rebuilt" (server-sent events).
pub const RELOAD_PATH: &str = "/__schoolsite/reload";
/// The live-reload script, served as a file: pages carry a Content
/// Security Policy that allows scripts from the site only, never written
/// into the page.
pub const RELOAD_SCRIPT_PATH: &str = "/__schoolsite/reload.js";
const RELOAD_SCRIPT: &str =
    "new EventSource(\"/__schoolsite/reload\").onmessage=function(){location.reload()};\n";

/// A client has this long to send its request's headers; a slow one is
/// dropped rather than holding a connection.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// The most a request's line and headers may take (hyper answers 431
/// beyond it); the preview's requests are a few hundred bytes.
const MAX_REQUEST_HEAD: usize = 64 * 1024;
/// Connections served at once; more wait to be accepted. Each is a task
/// with a buffer, so this bounds the memory many clients can take.
const MAX_CONNECTIONS: usize = 256;
/// Files are sent in pieces of this size, read as they are sent: a
/// 500 MB clip is never read into memory.
const CHUNK: u64 = 256 * 1024;
/// The reload stream sends a comment this often, to keep the connection
/// open and notice a closed tab.
const PING: Duration = Duration::from_secs(15);

/// What the preview's handlers share.
#[derive(Clone)]
pub struct Preview {
    /// The newest build.
    pub built: watch::Receiver<Arc<Built>>,
    /// Whether pages get the live-reload script.
    pub reload: bool,
    /// The names a request may address.
    pub hosts: Hosts,
    /// Who may see it, when not everyone who can connect (the studio's).
    pub admit: Option<Admit>,
}

impl Preview {
    fn current(&self) -> Arc<Built> {
        Arc::clone(&self.built.borrow())
    }
}

/// The names a request may address (its `Host`, and the authority of an
/// absolute request target): another website cannot reach this server
/// through a name of its own that points here (DNS rebinding).
#[derive(Clone)]
pub enum Hosts {
    /// Any: served to the network (`serve --interface`), by whatever name
    /// the network gives this computer.
    Any,
    /// This computer's: a loopback address, or `localhost`.
    Local,
    /// One name only, made for this run (the studio's `….localhost`).
    Only(Arc<str>),
}

impl Hosts {
    fn allow(&self, request: &Request) -> bool {
        let named = |is: &dyn Fn(&str) -> bool| addressed_to(request.headers(), request.uri(), is);
        match self {
            Hosts::Any => true,
            Hosts::Local => named(&is_local_host),
            Hosts::Only(name) => named(&|host| host_name(host).eq_ignore_ascii_case(name)),
        }
    }
}

/// Whether a request may see the preview (the studio's: it carries this
/// run's session).
pub type Admit = Arc<dyn Fn(&HeaderMap) -> bool + Send + Sync>;

/// The preview: the host check around its routes.
pub fn app(preview: Preview) -> Router {
    let hosts = preview.hosts.clone();
    preview_routes(&preview)
        .layer(middleware::from_fn_with_state(preview, admitted))
        .layer(middleware::from_fn_with_state(hosts, host_check))
        .layer(middleware::map_response(common_headers))
}

/// The studio's own address: its `routes` (which carry checks of their
/// own) inside the host check. Anything else is the site, which is
/// served from its own address, `site`: the browser is sent there.
pub fn studio_app(routes: Router, site: &str, hosts: Hosts) -> Router {
    let site = site.trim_end_matches('/').to_string();
    routes
        .fallback(move |uri: Uri| {
            // `*` (OPTIONS *) and the like name no page.
            let to = uri
                .path()
                .starts_with('/')
                .then(|| format!("{site}{}", uri.path()));
            async move {
                match to {
                    Some(to) => see_other(&to),
                    None => text(StatusCode::NOT_FOUND, "not found"),
                }
            }
        })
        .layer(middleware::from_fn_with_state(hosts, host_check))
        .layer(middleware::map_response(common_headers))
}

/// The site, the live-reload script and its event stream: GET and HEAD
/// only.
fn preview_routes(preview: &Preview) -> Router {
    let mut routes = Router::new().route(RELOAD_PATH, any(events));
    if preview.reload {
        routes = routes.route(RELOAD_SCRIPT_PATH, any(reload_script));
    }
    routes
        .fallback(site)
        .layer(middleware::from_fn(get_or_head))
        .with_state(preview.clone())
}

/// Refuses what the preview's `admit` does not accept.
async fn admitted(State(preview): State<Preview>, request: Request, next: Next) -> Response {
    match &preview.admit {
        Some(admit) if !admit(request.headers()) => text(
            StatusCode::FORBIDDEN,
            "This preview belongs to a studio someone started on this computer: open it from the address `schoolsite studio` printed.",
        ),
        _ => next.run(request).await,
    }
}

/// Accepts connections until the process ends, each served on a task of
/// its own with hyper's limits set: a slow or oversized request is
/// dropped without holding up anyone else.
pub async fn serve(listener: TcpListener, app: Router) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            return;
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors, or a connection reset before
                // it was accepted: wait a little rather than spin.
                eprintln!("serve: could not accept a connection: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let service = TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let _slot = slot;
            let mut http = hyper::server::conn::http1::Builder::new();
            http.timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .max_buf_size(MAX_REQUEST_HEAD)
                // `Content-Range`, not `content-range`: as this server
                // always wrote them, for scripts that read them as text.
                .title_case_headers(true)
                .keep_alive(false);
            // A client that goes away mid-answer is no error of ours.
            let _ = http.serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

/// Another website's page cannot reach this server through a name that
/// points at this computer (DNS rebinding): only the names `hosts` allows
/// are answered.
async fn host_check(State(hosts): State<Hosts>, request: Request, next: Next) -> Response {
    if !hosts.allow(&request) {
        return text(StatusCode::FORBIDDEN, "forbidden");
    }
    next.run(request).await
}

async fn get_or_head(request: Request, next: Next) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return text(StatusCode::METHOD_NOT_ALLOWED, "only GET");
    }
    next.run(request).await
}

/// The headers every answer carries: never cached (it is a preview that
/// changes on every save), never sniffed, and one request a connection.
async fn common_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CACHE_CONTROL, "no-store"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::ACCEPT_RANGES, "bytes"),
        (header::CONNECTION, "close"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// One Host header that `is` accepts, and, when the request line carries
/// an absolute address, that one too.
fn addressed_to(headers: &HeaderMap, uri: &Uri, is: &dyn Fn(&str) -> bool) -> bool {
    let mut hosts = headers.get_all(header::HOST).iter();
    let (Some(host), None) = (hosts.next(), hosts.next()) else {
        return false;
    };
    let host_ok = host.to_str().is_ok_and(is);
    let uri_ok = uri
        .authority()
        .is_none_or(|a| a.as_str().rsplit_once('@').is_none() && is(a.as_str()));
    host_ok && uri_ok
}

#[cfg(test)]
fn local_request(headers: &HeaderMap, uri: &Uri) -> bool {
    addressed_to(headers, uri, &is_local_host)
}

/// A `Host` without its port (`[::1]:80` → `::1`).
fn host_name(host: &str) -> &str {
    match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(h, _)| h),
    }
}

fn is_local_host(host: &str) -> bool {
    let name = host_name(host);
    // Any loopback address (`--interface 127.0.0.2`), or the name every
    // system gives this computer.
    name == "localhost"
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

async fn reload_script(method: Method) -> Response {
    let mut response = bytes(
        StatusCode::OK,
        "text/javascript; charset=utf-8",
        RELOAD_SCRIPT.as_bytes().to_vec(),
    );
    if method == Method::HEAD {
        *response.body_mut() = Body::empty();
    }
    response
}

/// Holds the connection open and tells the page when a new build is
/// served.
async fn events(State(preview): State<Preview>, method: Method) -> Response {
    let kind = HeaderValue::from_static("text/event-stream");
    if method == Method::HEAD {
        return ([(header::CONTENT_TYPE, kind)], Body::empty()).into_response();
    }
    let mut latest = preview.built.clone();
    let seen = latest.borrow_and_update().generation;
    let retry = stream::once(async {
        Ok::<_, std::convert::Infallible>(Bytes::from_static(b"retry: 1000\n\n"))
    });
    let news = stream::unfold((latest, seen), |(mut latest, seen)| async move {
        match tokio::time::timeout(PING, latest.changed()).await {
            // The server is stopping.
            Ok(Err(_)) => None,
            Ok(Ok(())) => {
                let generation = latest.borrow_and_update().generation;
                let event = if generation == seen {
                    Bytes::from_static(b": ping\n\n")
                } else {
                    Bytes::from(format!("data: {generation}\n\n"))
                };
                Some((Ok(event), (latest, generation)))
            }
            // A comment keeps the connection alive and notices a closed
            // tab.
            Err(_) => Some((Ok(Bytes::from_static(b": ping\n\n")), (latest, seen))),
        }
    });
    (
        [(header::CONTENT_TYPE, kind)],
        Body::from_stream(retry.chain(news)),
    )
        .into_response()
}

/// The site: a page, a file (with byte ranges), a redirect to a folder's
/// page, the findings while the build is blocked, or the 404 page.
async fn site(
    State(preview): State<Preview>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let head = method == Method::HEAD;
    let built = preview.current();
    let path = percent_decode(uri.path());
    let Some(rel) = under_base(&path, &built.base_path) else {
        return not_found(&built, &preview, head).await;
    };
    if let Some(page) = &built.blocked {
        if looks_like_page(rel) {
            let body = with_reload(page, preview.reload);
            return html(StatusCode::OK, body, head);
        }
        return text(StatusCode::SERVICE_UNAVAILABLE, "the build is blocked");
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
            return redirect(&to);
        }
        return not_found(&built, &preview, head).await;
    };
    let kind = content_type(&key);
    let total = output.len();
    if kind.starts_with("text/html") {
        return match read(&built, &key, 0, total).await {
            Ok(page) => {
                let body = with_reload(&String::from_utf8_lossy(&page), preview.reload);
                html(StatusCode::OK, body, head)
            }
            Err(e) => unreadable(&e),
        };
    }
    let (status, start, len) = match wanted(&headers, total) {
        Wanted::Whole => (StatusCode::OK, 0, total),
        Wanted::Part(start, end) => (StatusCode::PARTIAL_CONTENT, start, end - start + 1),
        Wanted::Unsatisfiable => {
            let mut response = text(StatusCode::RANGE_NOT_SATISFIABLE, "");
            if let Ok(value) = HeaderValue::from_str(&format!("bytes */{total}")) {
                response.headers_mut().insert(header::CONTENT_RANGE, value);
            }
            return response;
        }
    };
    let body = if head {
        Body::empty()
    } else {
        file_body(Arc::clone(&built), key, start, len)
    };
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    if status == StatusCode::PARTIAL_CONTENT
        && let Ok(value) =
            HeaderValue::from_str(&format!("bytes {start}-{}/{total}", start + len - 1))
    {
        headers.insert(header::CONTENT_RANGE, value);
    }
    response
}

/// The path below the site's `base_url` prefix, without its leading `/`:
/// `/school/news/` under `/school` is `news/`; `/schoolnews/` is not
/// under it.
fn under_base<'a>(path: &'a str, base: &str) -> Option<&'a str> {
    let rest = path.strip_prefix(base)?;
    (rest.is_empty() || rest.starts_with('/')).then(|| rest.trim_start_matches('/'))
}

async fn not_found(built: &Arc<Built>, preview: &Preview, head: bool) -> Response {
    let page = match built.files.get("404.html") {
        Some(o) => match read(built, "404.html", 0, o.len()).await {
            Ok(page) => String::from_utf8_lossy(&page).into_owned(),
            Err(e) => return unreadable(&e),
        },
        None => "<!DOCTYPE html><title>Not found</title><p>Not found</p>".to_string(),
    };
    html(
        StatusCode::NOT_FOUND,
        with_reload(&page, preview.reload),
        head,
    )
}

/// Reads part of a published file off the runtime's threads (a clip is
/// spooled on disk).
async fn read(built: &Arc<Built>, key: &str, start: u64, len: u64) -> std::io::Result<Vec<u8>> {
    let built = Arc::clone(built);
    let key = key.to_string();
    tokio::task::spawn_blocking(move || match built.files.get(&key) {
        Some(output) => output.read_range(start, len),
        None => Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "the file left the build",
        )),
    })
    .await
    .unwrap_or_else(|e| Err(std::io::Error::other(e)))
}

/// `len` bytes of a file from `start`, read a piece at a time as the
/// client takes them. A read that fails ends the answer short, which the
/// client sees as a broken download rather than wrong bytes.
fn file_body(built: Arc<Built>, key: String, start: u64, len: u64) -> Body {
    let end = start.saturating_add(len);
    let pieces = stream::unfold(start, move |at| {
        let (built, key) = (Arc::clone(&built), key.clone());
        async move {
            if at >= end {
                return None;
            }
            let n = CHUNK.min(end - at);
            match read(&built, &key, at, n).await {
                Ok(piece) => Some((Ok(Bytes::from(piece)), at + n)),
                Err(e) => Some((Err(e), end)),
            }
        }
    });
    Body::from_stream(pieces)
}

/// What a request's `Range` header asks for.
#[derive(Debug, PartialEq, Eq)]
enum Wanted {
    /// No range, or one this server does not serve in parts (several
    /// ranges, another unit, a malformed one, an `If-Range` it cannot
    /// match): the whole file, as RFC 9110 allows.
    Whole,
    /// From and to (inclusive), within the file.
    Part(u64, u64),
    /// A well-formed range wholly past the end: 416.
    Unsatisfiable,
}

fn wanted(headers: &HeaderMap, total: u64) -> Wanted {
    // This server sends no validators, so an `If-Range` never matches.
    if headers.contains_key(header::IF_RANGE) {
        return Wanted::Whole;
    }
    let mut ranges = headers.get_all(header::RANGE).iter();
    match (ranges.next(), ranges.next()) {
        (Some(range), None) => range
            .to_str()
            .map_or(Wanted::Whole, |r| byte_range(r, total)),
        _ => Wanted::Whole,
    }
}

/// `bytes=START-END`, `bytes=START-` or `bytes=-SUFFIX`, within the file.
/// (The `headers` crate's typed `Range` neither clamps an end past the
/// file nor serves a suffix longer than it, so the parse stays here.)
fn byte_range(header: &str, total: u64) -> Wanted {
    let Some(spec) = header.strip_prefix("bytes=") else {
        return Wanted::Whole;
    };
    if spec.contains(',') || total == 0 {
        return Wanted::Whole;
    }
    let Some((a, b)) = spec.split_once('-') else {
        return Wanted::Whole;
    };
    let digits = |s: &str| -> Option<u64> {
        let s = s.trim();
        if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        // More digits than a u64 holds is still a number: past any end.
        Some(s.parse().unwrap_or(u64::MAX))
    };
    let (start, end) = match (a.trim(), b.trim()) {
        ("", suffix) => match digits(suffix) {
            Some(0) => return Wanted::Unsatisfiable,
            Some(n) => (total.saturating_sub(n), total - 1),
            None => return Wanted::Whole,
        },
        (a, "") => match digits(a) {
            Some(start) => (start, total - 1),
            None => return Wanted::Whole,
        },
        (a, b) => match (digits(a), digits(b)) {
            (Some(start), Some(end)) if start <= end => (start, end.min(total - 1)),
            _ => return Wanted::Whole,
        },
    };
    if start >= total {
        Wanted::Unsatisfiable
    } else {
        Wanted::Part(start, end)
    }
}

fn looks_like_page(rel: &str) -> bool {
    rel.is_empty()
        || rel.ends_with('/')
        || rel.ends_with(".html")
        || !rel.rsplit('/').next().unwrap_or("").contains('.')
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

fn html(status: StatusCode, page: String, head: bool) -> Response {
    let mut response = bytes(status, "text/html; charset=utf-8", page.into_bytes());
    if head {
        // HEAD: the length the page would have, and no page.
        *response.body_mut() = Body::empty();
    }
    response
}

fn text(status: StatusCode, body: &'static str) -> Response {
    bytes(status, "text/plain", body.as_bytes().to_vec())
}

fn bytes(status: StatusCode, kind: &'static str, body: Vec<u8>) -> Response {
    let len = body.len();
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    response
}

/// Characters escaped in a `Location`: controls, spaces and anything
/// not ASCII (a header is bytes; the address stays the one asked for).
const LOCATION: &AsciiSet = &CONTROLS.add(b' ').add(b'"').add(b'<').add(b'>').add(b'`');

/// 303 to `to`, an address this server wrote.
fn see_other(to: &str) -> Response {
    let mut response = redirect(to);
    *response.status_mut() = StatusCode::SEE_OTHER;
    response
}

fn redirect(to: &str) -> Response {
    let mut response = text(StatusCode::MOVED_PERMANENTLY, "moved");
    let to = utf8_percent_encode(to, LOCATION).to_string();
    if let Ok(value) = HeaderValue::from_str(&to) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// A published file that could not be read back (a spooled clip removed
/// from the temporary folder under the server, say).
fn unreadable(error: &std::io::Error) -> Response {
    eprintln!("serve: could not read a published file: {error}");
    text(StatusCode::INTERNAL_SERVER_ERROR, "could not read the file")
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
        assert_eq!(byte_range("bytes=0-", 10), Wanted::Part(0, 9));
        assert_eq!(byte_range("bytes=2-4", 10), Wanted::Part(2, 4));
        assert_eq!(byte_range("bytes=-3", 10), Wanted::Part(7, 9));
        assert_eq!(byte_range("bytes=-30", 10), Wanted::Part(0, 9));
        assert_eq!(byte_range("bytes=5-100", 10), Wanted::Part(5, 9));
        assert_eq!(byte_range("bytes=10-", 10), Wanted::Unsatisfiable);
        assert_eq!(byte_range("bytes=10-20", 10), Wanted::Unsatisfiable);
        assert_eq!(byte_range("bytes=-0", 10), Wanted::Unsatisfiable);
        assert_eq!(
            byte_range("bytes=99999999999999999999999-", 10),
            Wanted::Unsatisfiable
        );
        assert_eq!(byte_range("bytes=4-2", 10), Wanted::Whole);
        assert_eq!(byte_range("bytes=0-1,3-4", 10), Wanted::Whole);
        assert_eq!(byte_range("items=0-1", 10), Wanted::Whole);
        assert_eq!(byte_range("bytes=a-b", 10), Wanted::Whole);
        assert_eq!(byte_range("bytes=+1-2", 10), Wanted::Whole);
        assert_eq!(byte_range("bytes=-", 10), Wanted::Whole);
        assert_eq!(byte_range("bytes=0-", 0), Wanted::Whole);
    }

    #[test]
    fn an_if_range_is_never_matched() {
        let mut headers = HeaderMap::new();
        headers.insert(header::RANGE, HeaderValue::from_static("bytes=0-1"));
        assert_eq!(wanted(&headers, 10), Wanted::Part(0, 1));
        headers.insert(header::IF_RANGE, HeaderValue::from_static("\"x\""));
        assert_eq!(wanted(&headers, 10), Wanted::Whole);
    }

    #[test]
    fn hosts() {
        assert!(is_local_host("127.0.0.1:1111"));
        assert!(is_local_host("127.0.0.1"));
        assert!(is_local_host("localhost:8080"));
        assert!(is_local_host("[::1]:1111"));
        assert!(!is_local_host("evil.example:1111"));
        assert!(!is_local_host("127.0.0.1.evil.example"));
        assert!(!is_local_host("localhost.evil.example:80"));
        // Every loopback address is this computer (`--interface
        // 127.0.0.2`); a look-alike name is not.
        assert!(is_local_host("127.0.0.2:1111"));
        assert!(is_local_host("127.255.0.9"));
        assert!(!is_local_host("128.0.0.1:1111"));
        assert!(!is_local_host("127.0.0.2.evil.example"));
        assert!(!is_local_host("[::2]:1111"));
    }

    #[test]
    fn one_local_host_and_a_local_absolute_address() {
        let host = |values: &[&'static str]| {
            let mut h = HeaderMap::new();
            for v in values {
                h.append(header::HOST, HeaderValue::from_static(v));
            }
            h
        };
        let path: Uri = "/".parse().unwrap();
        assert!(local_request(&host(&["127.0.0.1:1111"]), &path));
        assert!(!local_request(&host(&[]), &path));
        assert!(!local_request(
            &host(&["127.0.0.1:1111", "evil.example"]),
            &path
        ));
        let absolute: Uri = "http://evil.example/".parse().unwrap();
        assert!(!local_request(&host(&["127.0.0.1:1111"]), &absolute));
        let sneaky: Uri = "http://evil.example@127.0.0.1/".parse().unwrap();
        assert!(!local_request(&host(&["127.0.0.1:1111"]), &sneaky));
        let fine: Uri = "http://localhost:1111/".parse().unwrap();
        assert!(local_request(&host(&["127.0.0.1:1111"]), &fine));
    }

    #[test]
    fn the_base_path_is_a_whole_segment() {
        assert_eq!(under_base("/news/", ""), Some("news/"));
        assert_eq!(under_base("/school/news/", "/school"), Some("news/"));
        assert_eq!(under_base("/school", "/school"), Some(""));
        assert_eq!(under_base("/schoolnews/", "/school"), None);
        assert_eq!(under_base("/other/", "/school"), None);
    }

    #[test]
    fn reload_script_goes_before_the_body_ends() {
        let out = with_reload("<body><p>x</p></body></html>", true);
        assert!(out.contains("reload.js") && out.ends_with("</script></body></html>"));
        assert!(RELOAD_SCRIPT.contains(RELOAD_PATH));
        assert_eq!(with_reload("<p>x</p>", false), "<p>x</p>");
    }
}
