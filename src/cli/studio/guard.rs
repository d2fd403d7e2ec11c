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
//! - No cookies at all; studio pages may only be framed by the studio,
//!   load nothing from another site (`default-src 'self'`) and send no
//!   `Referer` to another site.

use super::Studio;
use axum::extract::{FromRequest, Request};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The Content Security Policy of every studio answer.
pub const CSP: &str = "default-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'; object-src 'none'";

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

/// Around every studio route: GET, HEAD and same-origin POST only, and
/// the studio's headers on every answer.
pub async fn guard(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let mut response = if method == Method::POST {
        if same_origin(request.headers()) {
            next.run(request).await
        } else {
            refused("This request came from another website, so nothing was changed.")
        }
    } else if method == Method::GET || method == Method::HEAD {
        if asked_by_this_studio(request.headers()) {
            next.run(request).await
        } else {
            refused(
                "This page was asked for by another website, so it was not shown: open the studio from the address `schoolsite studio` printed.",
            )
        }
    } else {
        (StatusCode::METHOD_NOT_ALLOWED, "only GET and POST").into_response()
    };
    let headers = response.headers_mut();
    // A page may set a narrower policy of its own (the approver's
    // preview); every other answer gets the studio's.
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
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
    headers.remove(header::SET_COOKIE);
    response
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
