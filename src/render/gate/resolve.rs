//! The one resolver: every address a published page, stylesheet or
//! attribute holds is read by the WHATWG URL parser, as a browser reads
//! it, against the page's own address, and then admitted only if it is a
//! file this build publishes, or (to follow, never to load) another
//! website, an email address or a phone number.

use std::collections::HashSet;
use url::Url;

/// How the browser uses an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// Loaded as part of the page (a photo, a stylesheet, a script).
    Fetch,
    /// Followed when the reader chooses (a link, a form).
    Navigate,
}

/// Why an address was refused, and what to do instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The finding's rule id.
    pub rule: &'static str,
    pub why: String,
    pub fix: &'static str,
}

/// What this build publishes, by site path (decoded, with the site's base
/// path): the addresses a page may load or link to.
#[derive(Debug, Clone)]
pub struct Published {
    base: Url,
    /// Files a page may load: sanitised media and the theme's checked
    /// static files, and outputs such as the search index.
    files: HashSet<String>,
    /// Pages a reader may be sent to (`/news/`), besides the files.
    pages: HashSet<String>,
}

impl Published {
    /// `base_url` is the site's address (`https://www.example.sch.uk`,
    /// perhaps with a path). Files and pages are site paths without the
    /// base path (`/media/ab12.jpg`, `/news/`).
    pub fn new(
        base_url: &str,
        files: impl IntoIterator<Item = String>,
        pages: impl IntoIterator<Item = String>,
    ) -> Published {
        let mut text = base_url.trim_end_matches('/').to_string();
        text.push('/');
        // config.toml's base_url is checked when it is loaded; a site
        // without a usable one is read as if at an address of its own.
        let base = Url::parse(&text).unwrap_or_else(|_| {
            Url::parse("https://school.invalid/").expect("a constant address parses")
        });
        Published {
            base,
            files: files.into_iter().collect(),
            pages: pages.into_iter().collect(),
        }
    }

    /// The absolute address of a site path (`/news/`), against which the
    /// page's own relative addresses are read.
    pub fn page_url(&self, path: &str) -> Url {
        self.base
            .join(path.trim_start_matches('/'))
            .unwrap_or_else(|_| self.base.clone())
    }

    /// Whether `path` (a site path, as [`Published::new`] took them) is a
    /// file this build publishes.
    pub fn has_file(&self, path: &str) -> bool {
        self.files.contains(path)
    }

    /// Resolves `raw` as written on the page at `page`.
    pub fn resolve(&self, raw: &str, page: &Url, how: Use) -> Result<Target, Refused> {
        if raw.trim_matches(is_c0_or_space).is_empty() {
            return Err(Refused {
                rule: "address-missing",
                why: "the address is empty".into(),
                fix: "give the address of a page or a file of this site",
            });
        }
        if raw.trim_matches(is_c0_or_space).starts_with('#') {
            return Ok(Target::Fragment);
        }
        // Most addresses a build writes are plain site paths: these read
        // the same to the URL parser, so they are looked up directly.
        if let Some(rest) = self.plain_path(raw) {
            return self.internal(rest, how);
        }
        let url = Url::options().base_url(Some(page)).parse(raw).map_err(|e| Refused {
            rule: "address-unreadable",
            why: format!("a browser cannot read {} as an address ({e})", shown(raw)),
            fix: "write the address of a page or file of this site, or a whole https:// address to link to",
        })?;
        match url.scheme() {
            "http" | "https" if self.same_site(&url) => {
                let rest = &url.path()[self.base.path().len()..];
                self.internal(&percent_decode(rest), how)
            }
            "http" | "https" => match how {
                Use::Navigate => Ok(Target::Elsewhere),
                Use::Fetch => Err(Refused {
                    rule: "address-outside",
                    why: format!(
                        "the page loads {} from another website, which the school cannot check or clean, and which learns who visits",
                        shown(raw)
                    ),
                    fix: "put the file in the site (a photo beside its page, a theme file in the theme's static/ folder) and refer to it there",
                }),
            },
            "mailto" | "tel" if how == Use::Navigate => Ok(Target::Elsewhere),
            scheme => Err(Refused {
                rule: "address-scheme",
                why: format!(
                    "the address {} is a {scheme}: address, which a school page may not use ({})",
                    shown(raw),
                    scheme_reason(scheme)
                ),
                fix: "link to a page or file of this site, to another website with https://, or to mailto: and tel:; put photos and files in the site itself",
            }),
        }
    }

    fn same_site(&self, url: &Url) -> bool {
        url.origin() == self.base.origin() && url.path().starts_with(self.base.path())
    }

    /// `raw` after the site's base path, when it is a site path the URL
    /// parser would leave as it is: `/`, then letters, digits and `-._~/`
    /// only, with no `.` or `..` segment.
    fn plain_path<'r>(&self, raw: &'r str) -> Option<&'r str> {
        let rest = raw.strip_prefix(self.base.path())?;
        let plain = raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~/".contains(&b))
            && !raw.starts_with("//")
            && !rest
                .split('/')
                .any(|segment| segment == "." || segment == "..");
        plain.then_some(rest)
    }

    /// An address on this site (`rest` is its path after the base path,
    /// decoded): it must be something the build publishes.
    fn internal(&self, rest: &str, how: Use) -> Result<Target, Refused> {
        let path = format!("/{rest}");
        if self.files.contains(&path) {
            return Ok(Target::File(path));
        }
        if how == Use::Navigate {
            let page = if path.ends_with('/') {
                path.clone()
            } else if let Some(dir) = path.strip_suffix("index.html") {
                dir.to_string()
            } else {
                format!("{path}/")
            };
            if self.pages.contains(&page) {
                return Ok(Target::Page(page));
            }
        }
        Err(Refused {
            rule: "address-missing",
            why: match how {
                Use::Fetch => format!(
                    "the page loads {path}, which is not a file this build publishes (files are published only after the sanitiser has cleaned them)"
                ),
                Use::Navigate => format!(
                    "the page links to {path}, which is not a page or a file this build publishes"
                ),
            },
            fix: "refer to a photo or file beside the page (it is cleaned and published), a theme file under static/, or a page with @/path/to/page.md",
        })
    }
}

/// Where an admitted address leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `#part` of the same page.
    Fragment,
    /// A file this build publishes (a site path).
    File(String),
    /// A page this build publishes.
    Page(String),
    /// Another website, an email address or a phone number (followed,
    /// never loaded).
    Elsewhere,
}

fn is_c0_or_space(c: char) -> bool {
    c <= ' '
}

/// An address as a finding shows it: at most 60 characters (a `data:`
/// address can be a whole photo).
fn shown(raw: &str) -> String {
    let trimmed = raw.trim();
    let mut out: String = trimmed.chars().take(60).collect();
    if out.len() < trimmed.len() {
        out.push('…');
    }
    format!("{out:?}")
}

fn scheme_reason(scheme: &str) -> &'static str {
    match scheme {
        "data" => "it carries a whole file inside the page, where the sanitiser never sees it",
        "javascript" => "it runs code",
        _ => "only pages and files of this site, https:// links, mailto: and tel: are allowed",
    }
}

/// `%20` → ` `; invalid sequences are kept as written.
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// The addresses of a `srcset` (each candidate's first word), as the
/// HTML specification splits them: on commas that end a candidate.
pub fn srcset_urls(srcset: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = srcset;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == ',');
        if rest.is_empty() {
            return out;
        }
        let end = rest
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(rest.len());
        let mut url = &rest[..end];
        let mut after = &rest[end..];
        // A URL ending in commas: the commas end the candidate.
        let trimmed = url.trim_end_matches(',');
        if trimmed.len() < url.len() {
            url = trimmed;
        } else {
            // Skip the descriptors, up to a comma outside parentheses.
            let mut depth = 0usize;
            let mut cut = after.len();
            for (i, c) in after.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => depth = depth.saturating_sub(1),
                    ',' if depth == 0 => {
                        cut = i;
                        break;
                    }
                    _ => {}
                }
            }
            after = &after[cut..];
        }
        out.push(url);
        rest = after;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn published() -> Published {
        Published::new(
            "https://www.example.sch.uk",
            ["/media/ab.jpg".to_string(), "/style.css".to_string()],
            ["/".to_string(), "/news/".to_string()],
        )
    }

    #[test]
    fn reads_addresses_as_a_browser_does() {
        let p = published();
        let page = p.page_url("/news/");
        let ok = |raw: &str, how| p.resolve(raw, &page, how);
        assert_eq!(
            ok("/media/ab.jpg", Use::Fetch),
            Ok(Target::File("/media/ab.jpg".into()))
        );
        assert_eq!(
            ok("../media/ab.jpg", Use::Fetch),
            Ok(Target::File("/media/ab.jpg".into()))
        );
        assert_eq!(
            ok("https://WWW.example.sch.uk/style.css", Use::Fetch),
            Ok(Target::File("/style.css".into()))
        );
        assert_eq!(
            ok("/news", Use::Navigate),
            Ok(Target::Page("/news/".into()))
        );
        assert_eq!(
            ok("https://other.example/x.jpg", Use::Navigate),
            Ok(Target::Elsewhere)
        );
        assert_eq!(
            ok("mailto:office@example.sch.uk", Use::Navigate),
            Ok(Target::Elsewhere)
        );
        assert_eq!(ok("#top", Use::Navigate), Ok(Target::Fragment));
        for (raw, rule) in [
            ("https://other.example/x.jpg", "address-outside"),
            ("//other.example/x.jpg", "address-outside"),
            ("\\\\other.example/x.jpg", "address-outside"),
            ("data:image/png;base64,AAAA", "address-scheme"),
            (" DaTa:image/png;base64,AAAA", "address-scheme"),
            ("java\tscript:alert(1)", "address-scheme"),
            ("mailto:x@example.org", "address-scheme"),
            ("/media/other.jpg", "address-missing"),
            ("/sass/site.scss", "address-missing"),
            ("http://www.example.sch.uk/media/ab.jpg", "address-outside"),
            ("", "address-missing"),
        ] {
            assert_eq!(ok(raw, Use::Fetch).map_err(|r| r.rule), Err(rule), "{raw}");
        }
        assert_eq!(
            ok("javascript:alert(1)", Use::Navigate).map_err(|r| r.rule),
            Err("address-scheme")
        );
        assert_eq!(
            ok("/static/newsletter.pdf", Use::Navigate).map_err(|r| r.rule),
            Err("address-missing")
        );
    }

    #[test]
    fn srcset_candidates() {
        assert_eq!(
            srcset_urls("/a.jpg 480w, /b.jpg 960w"),
            vec!["/a.jpg", "/b.jpg"]
        );
        // Only whitespace ends an address; a comma inside one is kept.
        assert_eq!(srcset_urls("/a.jpg,/b.jpg 2x"), vec!["/a.jpg,/b.jpg"]);
        assert_eq!(srcset_urls("/a.jpg, /b.jpg 2x"), vec!["/a.jpg", "/b.jpg"]);
        // The comma inside a data: address is part of it, as browsers read.
        assert_eq!(
            srcset_urls("data:image/png;base64,AAA 1x"),
            vec!["data:image/png;base64,AAA"]
        );
    }
}
