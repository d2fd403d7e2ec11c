//! Content-relative paths: joining, normalising, and refusing any that
//! leave `content/`.

/// What a URL written in a document points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A file inside `content/`, as a normalised content-relative path.
    Content(String),
    /// `@/…` or a relative path to a Markdown file: another page.
    Document(String, Option<String>),
    /// `http://…`, `//host/…`, `data:` and the like.
    External,
    /// `/…`: a path on the published site.
    SiteAbsolute,
    /// `#…`, `mailto:`, `tel:`.
    Other,
    /// `..` past the top of `content/`, or a filesystem path.
    Escapes,
}

/// Resolves `url`, written in the document at content-relative `doc`.
pub fn resolve(doc: &str, url: &str) -> Target {
    let url = url.trim();
    if let Some(rest) = url.strip_prefix("@/") {
        let (path, anchor) = split_anchor(rest);
        return match normalise("", path) {
            Some(p) if p.ends_with(".md") => Target::Document(p, anchor),
            Some(p) => Target::Content(p),
            None => Target::Escapes,
        };
    }
    if url.starts_with('#') {
        return Target::Other;
    }
    if url.starts_with("//") || url.starts_with('\\') {
        return Target::External;
    }
    if url.starts_with('/') {
        return Target::SiteAbsolute;
    }
    if let Some(colon) = url.find(':') {
        let scheme = &url[..colon];
        if scheme.len() == 1 && scheme.chars().all(|c| c.is_ascii_alphabetic()) {
            // C:\… : a Windows path.
            return Target::Escapes;
        }
        if !url[..colon].contains('/') {
            return match scheme.to_ascii_lowercase().as_str() {
                "mailto" | "tel" => Target::Other,
                "file" => Target::Escapes,
                _ => Target::External,
            };
        }
    }
    let (path, anchor) = split_anchor(url);
    let path = path.split('?').next().unwrap_or(path);
    let dir = match doc.rfind('/') {
        Some(i) => &doc[..i],
        None => "",
    };
    match normalise(dir, &percent_decode(path)) {
        Some(p) if p.ends_with(".md") => Target::Document(p, anchor),
        Some(p) => Target::Content(p),
        None => Target::Escapes,
    }
}

fn split_anchor(s: &str) -> (&str, Option<String>) {
    match s.split_once('#') {
        Some((p, a)) => (p, Some(a.to_string())),
        None => (s, None),
    }
}

/// Joins `path` to `dir` and removes `.` and `..`; `None` if it climbs
/// out of the top.
pub fn normalise(dir: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some(parts.join("/"))
}

/// `%20`-style escapes decoded; the text as written when they do not make
/// UTF-8.
pub fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .map_or_else(|_| s.to_string(), std::borrow::Cow::into_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_each_kind() {
        assert_eq!(
            resolve("news/a/index.md", "tree.jpg"),
            Target::Content("news/a/tree.jpg".into())
        );
        assert_eq!(
            resolve("news/a.md", "./img/t.jpg"),
            Target::Content("news/img/t.jpg".into())
        );
        assert_eq!(
            resolve("news/a.md", "../b.jpg"),
            Target::Content("b.jpg".into())
        );
        assert_eq!(resolve("news/a.md", "../../b.jpg"), Target::Escapes);
        assert_eq!(resolve("a.md", "C:\\Users\\x.jpg"), Target::Escapes);
        assert_eq!(resolve("a.md", "file:///etc/passwd"), Target::Escapes);
        assert_eq!(resolve("a.md", "https://x/y.jpg"), Target::External);
        assert_eq!(resolve("a.md", "//x/y.jpg"), Target::External);
        assert_eq!(
            resolve("a.md", "data:image/png;base64,AAAA"),
            Target::External
        );
        assert_eq!(resolve("a.md", "/style.css"), Target::SiteAbsolute);
        assert_eq!(
            resolve("x/a.md", "@/news/_index.md#top"),
            Target::Document("news/_index.md".into(), Some("top".into()))
        );
        assert_eq!(
            resolve("a.md", "my%20photo.jpg"),
            Target::Content("my photo.jpg".into())
        );
        assert_eq!(resolve("a.md", "mailto:office@x"), Target::Other);
    }
}
