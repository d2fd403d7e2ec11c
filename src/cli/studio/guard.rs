//! What stands between a web page open in the same browser and the
//! studio's files.
//!
//! - The studio is only ever served on a loopback address, and every
//!   request passes `serve`'s host check first (DNS rebinding).
//! - A request that changes anything is a POST, and a POST is refused
//!   (403, nothing read or changed) unless its `Origin` is absent or this
//!   studio's own, and its `Sec-Fetch-Site` absent or `same-origin`.
//! - Every POST carries the per-run secret token, written into each form
//!   as a hidden field; another site's page cannot read it (the browser's
//!   same-origin policy) and cannot guess it (32 random bytes).
//! - Loopback is not a person: anyone logged in to this computer (a
//!   shared office PC, a terminal server) can connect to it. So every
//!   request, and the preview's too, must carry this run's session: a
//!   cookie a browser gets only by opening the address the studio printed
//!   (with a one-run key in it) in the terminal of the person who started
//!   it. The cookie is `HttpOnly`, `SameSite=Strict`, has no expiry and
//!   is worthless once the studio stops (a new run, a new secret).
//! - The site's preview is served on another port, so its pages (a
//!   theme's scripts) are another origin and can neither read a studio
//!   page nor post to one.
//! - Studio pages may only be framed by the studio, load nothing from
//!   another site (`default-src 'self'`, frames from the preview) and
//!   send no `Referer` to another site.

use super::Studio;
use axum::extract::{FromRequest, Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The Content Security Policy of every studio answer: its own files,
/// and frames from the preview at `preview` (an origin).
pub fn csp(preview: &str) -> String {
    format!(
        "default-src 'self'; frame-src {preview}; frame-ancestors 'self'; form-action 'self'; base-uri 'none'; object-src 'none'"
    )
}

/// This run's session: the name the studio and its preview are served by,
/// the key in the address the studio prints, and the cookie a browser
/// that opened that address is given.
///
/// The name, `studio-<random>.localhost`, is made for the run: a browser
/// takes any `….localhost` name to this computer, and keeps a cookie for
/// the name that set it. Were the studio served as `127.0.0.1`, its
/// cookie would go to every server on `127.0.0.1`, whatever the port: a
/// page another person on this computer serves there (which any website
/// can send the browser to) would receive it. They cannot know this name.
pub struct Session {
    host: String,
    key: String,
    value: String,
}

/// The session cookie's name (the name it is set for keeps two studios'
/// apart).
const COOKIE: &str = "schoolsite-studio";

impl Session {
    pub fn new() -> anyhow::Result<Session> {
        let name = new_token()?;
        Ok(Session {
            host: format!("studio-{}.localhost", &name[..24]),
            key: new_token()?,
            value: new_token()?,
        })
    }

    /// The name the studio and its preview answer to, and no other.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The path to open first (the studio prints it whole).
    pub fn launch(&self) -> String {
        format!("/studio/?key={}", self.key)
    }

    /// Whether `headers` carry this run's session cookie.
    pub fn admits(&self, headers: &HeaderMap) -> bool {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(cookie::Cookie::split_parse)
            .flatten()
            .any(|c| c.name() == COOKIE && token_matches(&self.value, c.value()))
    }

    /// Whether `uri` is the launch address (`?key=` this run's key).
    fn opened_by(&self, uri: &axum::http::Uri) -> bool {
        let Some(query) = uri.query() else {
            return false;
        };
        let mut keys = url::form_urlencoded::parse(query.as_bytes())
            .filter(|(k, _)| k == "key")
            .map(|(_, v)| v);
        match (keys.next(), keys.next()) {
            (Some(key), None) => token_matches(&self.key, &key),
            _ => false,
        }
    }

    /// The session cookie: for this run only (no expiry), never read by
    /// a script, never sent from another site's page.
    fn set_cookie(&self) -> Option<HeaderValue> {
        let cookie = cookie::Cookie::build((COOKIE, self.value.as_str()))
            .path("/")
            .http_only(true)
            .same_site(cookie::SameSite::Strict);
        HeaderValue::from_str(&cookie.to_string()).ok()
    }
}

/// A fresh secret for this run: 32 random bytes, in hex.
pub fn new_token() -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| anyhow::anyhow!("could not make the studio's secret: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Whether `given` is the token, compared in time that does not depend on
/// where they differ.
pub fn token_matches(token: &str, given: &str) -> bool {
    token.len() == given.len()
        && token
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// A request from this studio's own pages: `Origin` absent or this
/// host's, and `Sec-Fetch-Site` absent or `same-origin`. (`Host` itself
/// was checked to name this computer before any studio route runs.)
pub fn same_origin(headers: &HeaderMap) -> bool {
    let one = |name: header::HeaderName| {
        let mut all = headers.get_all(name).iter();
        match (all.next(), all.next()) {
            (None, _) => Ok(None),
            (Some(v), None) => v.to_str().map(Some).map_err(|_| ()),
            _ => Err(()),
        }
    };
    let (Ok(host), Ok(origin), Ok(site)) = (
        one(header::HOST),
        one(header::ORIGIN),
        one(header::HeaderName::from_static("sec-fetch-site")),
    ) else {
        return false;
    };
    let origin_ok = match (origin, host) {
        (None, _) => true,
        (Some(o), Some(h)) => o.eq_ignore_ascii_case(&format!("http://{h}")),
        (Some(_), None) => false,
    };
    origin_ok && site.is_none_or(|s| s == "same-origin")
}

/// Whether a GET comes from the studio's own pages or from the person
/// (an address typed, a bookmark): a browser says so in
/// `Sec-Fetch-Site`. Another website's page (an image or frame pointing
/// here) would make the studio do work, such as a whole-site preview,
/// and learn from the timing whether a file exists.
fn asked_by_this_studio(headers: &HeaderMap) -> bool {
    let mut sites = headers
        .get_all(header::HeaderName::from_static("sec-fetch-site"))
        .iter();
    match (sites.next(), sites.next()) {
        (None, _) => true,
        (Some(site), None) => matches!(site.as_bytes(), b"same-origin" | b"none"),
        (Some(_), Some(_)) => false,
    }
}

/// Around every studio route: GET, HEAD and same-origin POST only, from
/// this run's session, and the studio's headers on every answer.
pub async fn guard(State(studio): State<Studio>, request: Request, next: Next) -> Response {
    let mut cookie = None;
    let mut response = match admission(&studio.session, &request) {
        Admission::Refused(response) => response,
        Admission::Opened => {
            cookie = studio.session.set_cookie();
            // The key leaves the address bar (and the history) at once.
            let mut to = request.uri().path().to_string();
            if !to.starts_with("/studio") {
                to = "/studio/".to_string();
            }
            (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
        }
        Admission::Admitted => next.run(request).await,
    };
    let headers = response.headers_mut();
    // A page may set a narrower policy of its own (the approver's
    // preview); every other answer gets the studio's.
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY)
        && let Ok(csp) = HeaderValue::from_str(&studio.csp)
    {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    for (name, value) in [
        (header::X_FRAME_OPTIONS, "SAMEORIGIN"),
        // Not `no-referrer`: with it a browser sends `Origin: null` on a
        // form's POST, and the studio's own forms would be refused as if
        // from another site. `same-origin` still sends nothing to others.
        (header::REFERRER_POLICY, "same-origin"),
        (
            header::HeaderName::from_static("cross-origin-resource-policy"),
            "same-origin",
        ),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    // The session's cookie is the only one, set only on opening.
    headers.remove(header::SET_COOKIE);
    if let Some(cookie) = cookie {
        headers.insert(header::SET_COOKIE, cookie);
    }
    response
}

enum Admission {
    Admitted,
    /// The launch address, opened: the session starts.
    Opened,
    Refused(Response),
}

fn admission(session: &Session, request: &Request) -> Admission {
    let method = request.method();
    let headers = request.headers();
    if method == Method::POST {
        if !same_origin(headers) {
            return Admission::Refused(refused(
                "This request came from another website, so nothing was changed.",
            ));
        }
    } else if method == Method::GET || method == Method::HEAD {
        if !asked_by_this_studio(headers) {
            return Admission::Refused(refused(
                "This page was asked for by another website, so it was not shown: open the studio from the address `schoolsite studio` printed.",
            ));
        }
        if session.opened_by(request.uri()) {
            return Admission::Opened;
        }
    } else {
        return Admission::Refused(
            (StatusCode::METHOD_NOT_ALLOWED, "only GET and POST").into_response(),
        );
    }
    if session.admits(headers) {
        Admission::Admitted
    } else {
        Admission::Refused(refused(
            "This studio belongs to whoever started it on this computer: open it from the whole address `schoolsite studio` printed in their window (it carries this run's key). Nothing was shown or changed.",
        ))
    }
}

/// 403 with a sentence saying why.
pub fn refused(why: &'static str) -> Response {
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        why,
    )
        .into_response()
}

/// A posted form whose token is this run's: its fields in order (a
/// name may repeat, as event rows do).
pub struct Posted(pub Vec<(String, String)>);

impl Posted {
    /// The first value of `name`, trimmed; "" when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.trim())
    }

    /// Every value of `name`, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Whether a checkbox `name` was ticked.
    pub fn ticked(&self, name: &str) -> bool {
        !self.get(name).is_empty()
    }
}

impl FromRequest<Studio> for Posted {
    type Rejection = Response;

    async fn from_request(request: Request, studio: &Studio) -> Result<Self, Self::Rejection> {
        let axum::Form(fields) = axum::Form::<Vec<(String, String)>>::from_request(request, studio)
            .await
            .map_err(|e| {
                (
                    e.status(),
                    "The form could not be read, so nothing was changed.",
                )
                    .into_response()
            })?;
        let posted = Posted(fields);
        if !token_matches(&studio.token, posted.get("token")) {
            return Err(refused(
                "This form is not from this run of the studio (it was opened before the studio was restarted, or came from somewhere else), so nothing was changed. Open the page again and repeat the change.",
            ));
        }
        Ok(posted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn only_the_studios_own_origin_may_post() {
        let host = ("host", "127.0.0.1:1112");
        assert!(same_origin(&headers(&[host])));
        assert!(same_origin(&headers(&[
            host,
            ("origin", "http://127.0.0.1:1112"),
            ("sec-fetch-site", "same-origin"),
        ])));
        for bad in [
            &[host, ("origin", "http://evil.example")][..],
            &[host, ("origin", "null")],
            &[host, ("origin", "http://127.0.0.1:1113")],
            &[host, ("origin", "https://127.0.0.1:1112")],
            &[host, ("sec-fetch-site", "cross-site")],
            &[host, ("sec-fetch-site", "same-site")],
            &[host, ("sec-fetch-site", "none")],
            &[
                host,
                ("origin", "http://127.0.0.1:1112"),
                ("origin", "http://evil.example"),
            ],
        ] {
            assert!(!same_origin(&headers(bad)), "{bad:?}");
        }
    }

    #[test]
    fn only_this_runs_session_cookie_admits() {
        let session = Session::new().unwrap();
        assert!(session.host().starts_with("studio-") && session.host().ends_with(".localhost"));
        assert_ne!(session.host(), Session::new().unwrap().host());
        let cookie = |v: &str| {
            let mut h = HeaderMap::new();
            h.append(header::COOKIE, HeaderValue::from_str(v).unwrap());
            h
        };
        let ours = format!("schoolsite-studio={}", session.value);
        assert!(session.admits(&cookie(&ours)));
        assert!(session.admits(&cookie(&format!("theme=dark; {ours}; x=1"))));
        for other in [
            String::new(),
            format!("schoolsite-studio-1113={}", session.value),
            format!("schoolsite-studio={}", &session.value[1..]),
            format!("schoolsite-studio=\"{}\"x", session.value),
            format!("Schoolsite-Studio={}", session.value),
            "schoolsite-studio=".to_string(),
        ] {
            assert!(!session.admits(&cookie(&other)), "{other}");
        }
        let uri = |s: &str| s.parse::<axum::http::Uri>().unwrap();
        assert!(session.opened_by(&uri(&session.launch())));
        assert!(session.opened_by(&uri(&format!("/studio/approve?key={}", session.key))));
        for other in [
            "/studio/".to_string(),
            "/studio/?key=".to_string(),
            format!("/studio/?key={}&key={}", session.key, session.key),
            format!("/studio/?key={}", session.value),
            format!("/studio/?Key={}", session.key),
        ] {
            assert!(!session.opened_by(&uri(&other)), "{other}");
        }
        let set = session.set_cookie().unwrap();
        let set = set.to_str().unwrap();
        assert!(set.starts_with(&ours), "{set}");
        for part in ["HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(set.contains(part), "{set}");
        }
        assert!(
            !set.contains("Expires") && !set.contains("Max-Age"),
            "{set}"
        );
    }

    #[test]
    fn tokens() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert!(token_matches(&a, &a.clone()));
        assert!(!token_matches(&a, &b));
        assert!(!token_matches(&a, ""));
        assert!(!token_matches(&a, &a[..63]));
    }
}
