//! What the gate admits: the elements and attributes of the HTML a school
//! site needs, and for each attribute whether it is words, an address a
//! browser fetches, one it follows, or CSS. Anything not listed here is
//! refused. The lists are of good things only; the names are the HTML
//! and SVG specifications' own.

/// What an attribute's value is, and so how it is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// Words or a token: kept as written (the text rules read it).
    Text,
    /// An address the browser loads as part of the page.
    Fetch,
    /// An address the reader may follow (a link).
    Navigate,
    /// Where a form sends what the reader typed: a page of this site only.
    Submit,
    /// A `srcset`: addresses the browser loads, with sizes.
    Srcset,
    /// CSS declarations (`style`).
    Style,
    /// A CSS value (SVG presentation attributes such as `fill`).
    CssValue,
}

/// Attributes every HTML element may carry.
const GLOBAL: &[&str] = &[
    "id",
    "class",
    "title",
    "lang",
    "dir",
    "hidden",
    "tabindex",
    "role",
    "translate",
    "style",
];

/// HTML elements, each with its own attributes (beyond [`GLOBAL`]).
const HTML: &[(&str, &[(&str, Value)])] = &[
    ("html", &[]),
    ("head", &[]),
    ("body", &[]),
    ("title", &[]),
    (
        "meta",
        &[
            ("charset", Value::Text),
            ("name", Value::Text),
            ("property", Value::Text),
            ("content", Value::Text),
        ],
    ),
    (
        "link",
        &[
            ("rel", Value::Text),
            ("href", Value::Navigate),
            ("as", Value::Text),
            ("type", Value::Text),
            ("sizes", Value::Text),
            ("media", Value::Text),
            ("hreflang", Value::Text),
        ],
    ),
    ("style", &[("media", Value::Text)]),
    (
        "script",
        &[
            ("src", Value::Fetch),
            ("defer", Value::Text),
            ("async", Value::Text),
            ("type", Value::Text),
        ],
    ),
    ("noscript", &[]),
    ("main", &[]),
    ("header", &[]),
    ("footer", &[]),
    ("nav", &[]),
    ("section", &[]),
    ("article", &[]),
    ("aside", &[]),
    ("search", &[]),
    ("address", &[]),
    ("hgroup", &[]),
    ("h1", &[]),
    ("h2", &[]),
    ("h3", &[]),
    ("h4", &[]),
    ("h5", &[]),
    ("h6", &[]),
    ("p", &[]),
    ("div", &[]),
    ("span", &[]),
    (
        "a",
        &[
            ("href", Value::Navigate),
            ("rel", Value::Text),
            ("hreflang", Value::Text),
            ("type", Value::Text),
            ("target", Value::Text),
        ],
    ),
    ("em", &[]),
    ("strong", &[]),
    ("b", &[]),
    ("i", &[]),
    ("u", &[]),
    ("s", &[]),
    ("small", &[]),
    ("mark", &[]),
    ("sub", &[]),
    ("sup", &[]),
    ("q", &[("cite", Value::Navigate)]),
    ("cite", &[]),
    ("abbr", &[]),
    ("dfn", &[]),
    ("time", &[("datetime", Value::Text)]),
    ("data", &[("value", Value::Text)]),
    ("code", &[]),
    ("kbd", &[]),
    ("samp", &[]),
    ("var", &[]),
    ("br", &[]),
    ("wbr", &[]),
    ("hr", &[]),
    ("pre", &[]),
    ("blockquote", &[("cite", Value::Navigate)]),
    ("ul", &[]),
    (
        "ol",
        &[
            ("start", Value::Text),
            ("reversed", Value::Text),
            ("type", Value::Text),
        ],
    ),
    ("li", &[("value", Value::Text)]),
    ("dl", &[]),
    ("dt", &[]),
    ("dd", &[]),
    ("figure", &[]),
    ("figcaption", &[]),
    ("table", &[]),
    ("caption", &[]),
    ("thead", &[]),
    ("tbody", &[]),
    ("tfoot", &[]),
    ("tr", &[]),
    (
        "th",
        &[
            ("colspan", Value::Text),
            ("rowspan", Value::Text),
            ("scope", Value::Text),
            ("headers", Value::Text),
            ("abbr", Value::Text),
            ("style", Value::Style),
        ],
    ),
    (
        "td",
        &[
            ("colspan", Value::Text),
            ("rowspan", Value::Text),
            ("headers", Value::Text),
            ("style", Value::Style),
        ],
    ),
    ("colgroup", &[("span", Value::Text)]),
    ("col", &[("span", Value::Text)]),
    ("details", &[("open", Value::Text), ("name", Value::Text)]),
    ("summary", &[]),
    (
        "del",
        &[("cite", Value::Navigate), ("datetime", Value::Text)],
    ),
    (
        "ins",
        &[("cite", Value::Navigate), ("datetime", Value::Text)],
    ),
    (
        "img",
        &[
            ("src", Value::Fetch),
            ("srcset", Value::Srcset),
            ("sizes", Value::Text),
            ("alt", Value::Text),
            ("width", Value::Text),
            ("height", Value::Text),
            ("loading", Value::Text),
            ("decoding", Value::Text),
            ("fetchpriority", Value::Text),
        ],
    ),
    ("picture", &[]),
    (
        "source",
        &[
            ("src", Value::Fetch),
            ("srcset", Value::Srcset),
            ("sizes", Value::Text),
            ("type", Value::Text),
            ("media", Value::Text),
            ("width", Value::Text),
            ("height", Value::Text),
        ],
    ),
    (
        "video",
        &[
            ("src", Value::Fetch),
            ("poster", Value::Fetch),
            ("controls", Value::Text),
            ("preload", Value::Text),
            ("width", Value::Text),
            ("height", Value::Text),
            ("muted", Value::Text),
            ("playsinline", Value::Text),
        ],
    ),
    (
        "audio",
        &[
            ("src", Value::Fetch),
            ("controls", Value::Text),
            ("preload", Value::Text),
        ],
    ),
    (
        "track",
        &[
            ("src", Value::Fetch),
            ("kind", Value::Text),
            ("srclang", Value::Text),
            ("label", Value::Text),
            ("default", Value::Text),
        ],
    ),
    (
        "form",
        &[
            ("action", Value::Submit),
            ("method", Value::Text),
            ("autocomplete", Value::Text),
        ],
    ),
    (
        "input",
        &[
            ("type", Value::Text),
            ("name", Value::Text),
            ("value", Value::Text),
            ("placeholder", Value::Text),
            ("autocomplete", Value::Text),
            ("spellcheck", Value::Text),
            ("required", Value::Text),
            ("disabled", Value::Text),
            ("checked", Value::Text),
            ("size", Value::Text),
            ("maxlength", Value::Text),
        ],
    ),
    (
        "button",
        &[
            ("type", Value::Text),
            ("name", Value::Text),
            ("value", Value::Text),
            ("disabled", Value::Text),
        ],
    ),
    ("label", &[("for", Value::Text)]),
    ("fieldset", &[]),
    ("legend", &[]),
];

/// SVG elements for icons and crests drawn inline.
const SVG: &[&str] = &[
    "svg",
    "g",
    "path",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "rect",
    "title",
    "desc",
    "defs",
    "symbol",
    "use",
    "linearGradient",
    "radialGradient",
    "stop",
];

/// Attributes SVG elements may carry.
const SVG_ATTRIBUTES: &[(&str, Value)] = &[
    ("viewBox", Value::Text),
    ("width", Value::Text),
    ("height", Value::Text),
    ("xmlns", Value::Text),
    ("d", Value::Text),
    ("cx", Value::Text),
    ("cy", Value::Text),
    ("r", Value::Text),
    ("rx", Value::Text),
    ("ry", Value::Text),
    ("x", Value::Text),
    ("y", Value::Text),
    ("x1", Value::Text),
    ("y1", Value::Text),
    ("x2", Value::Text),
    ("y2", Value::Text),
    ("points", Value::Text),
    ("transform", Value::Text),
    ("offset", Value::Text),
    ("gradientUnits", Value::Text),
    ("gradientTransform", Value::Text),
    ("preserveAspectRatio", Value::Text),
    ("fill-rule", Value::Text),
    ("clip-rule", Value::Text),
    ("stroke-width", Value::Text),
    ("stroke-linecap", Value::Text),
    ("stroke-linejoin", Value::Text),
    ("opacity", Value::Text),
    ("fill-opacity", Value::Text),
    ("stroke-opacity", Value::Text),
    ("stop-opacity", Value::Text),
    ("aria-hidden", Value::Text),
    ("focusable", Value::Text),
    ("role", Value::Text),
    ("class", Value::Text),
    ("id", Value::Text),
    ("fill", Value::CssValue),
    ("stroke", Value::CssValue),
    ("stop-color", Value::CssValue),
    ("style", Value::Style),
    ("href", Value::Fetch),
];

/// Attribute name prefixes the ARIA and HTML specifications define as
/// families: accessible names and states, and a page's own data.
const PREFIXES: &[&str] = &["aria-", "data-"];

/// Which elements and attributes a piece of HTML may use.
#[derive(Debug, Clone)]
pub struct Policy {
    /// HTML elements admitted (a subset of [`HTML`]).
    elements: Vec<&'static str>,
    /// Whether inline SVG is admitted.
    svg: bool,
    /// Global attributes admitted (a subset of [`GLOBAL`]).
    global: Vec<&'static str>,
    /// Whether `<style>`, `style=`, `<script>`, `<link>` and forms are
    /// admitted: a theme's, never raw HTML in Markdown by default.
    pub theme: bool,
    /// Whether this is the list for raw HTML in Markdown (findings then
    /// say so).
    pub markdown: bool,
}

/// What raw HTML in Markdown may use unless the site widens it: text,
/// structure and links; no scripts, styles, forms, embeds or `<link>`.
const MARKDOWN: &[&str] = &[
    "p",
    "div",
    "span",
    "a",
    "em",
    "strong",
    "b",
    "i",
    "u",
    "s",
    "small",
    "mark",
    "sub",
    "sup",
    "q",
    "cite",
    "abbr",
    "dfn",
    "time",
    "data",
    "code",
    "kbd",
    "samp",
    "var",
    "br",
    "wbr",
    "hr",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "figure",
    "figcaption",
    "table",
    "caption",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "colgroup",
    "col",
    "details",
    "summary",
    "del",
    "ins",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "address",
    // What the Markdown renderer itself writes: photos, clips and their
    // captions (checked to be this page's own), task-list boxes.
    "img",
    "picture",
    "source",
    "video",
    "audio",
    "track",
    "input",
];

/// The decision on one attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attribute {
    Allowed(Value),
    /// Not on the list for this element.
    Refused,
}

/// [`HTML`] by element name, made once.
static BY_ELEMENT: std::sync::LazyLock<
    std::collections::HashMap<&'static str, &'static [(&'static str, Value)]>,
> = std::sync::LazyLock::new(|| HTML.iter().map(|(n, a)| (*n, *a)).collect());

impl Policy {
    /// Everything a theme's templates may write.
    pub fn theme() -> Policy {
        let mut elements: Vec<&'static str> = HTML.iter().map(|(n, _)| *n).collect();
        elements.sort_unstable();
        Policy {
            elements,
            svg: true,
            global: GLOBAL.to_vec(),
            theme: true,
            markdown: false,
        }
    }

    /// What raw HTML in Markdown may write, widened by the site's
    /// `[markdown]` settings, never past what a theme may write. Returns
    /// the policy and the names asked for that a theme may not use.
    pub fn markdown(extra: &[String]) -> (Policy, Vec<String>) {
        let mut elements: Vec<&'static str> = MARKDOWN.to_vec();
        let mut global: Vec<&'static str> =
            GLOBAL.iter().copied().filter(|a| *a != "style").collect();
        let mut svg = false;
        let mut unknown = Vec::new();
        for name in extra {
            // A name may be an element and an attribute both (`style`).
            let name = name.trim().to_ascii_lowercase();
            let element = HTML.iter().find(|(n, _)| *n == name).map(|(n, _)| *n);
            let attribute = GLOBAL.iter().find(|a| **a == name).copied();
            elements.extend(element);
            global.extend(attribute);
            if name == "svg" {
                svg = true;
            } else if element.is_none() && attribute.is_none() {
                unknown.push(name);
            }
        }
        elements.sort_unstable();
        elements.dedup();
        let theme = elements.contains(&"style") || global.contains(&"style");
        (
            Policy {
                elements,
                svg,
                global,
                theme,
                markdown: true,
            },
            unknown,
        )
    }

    /// Whether an HTML element is admitted.
    pub fn html_element(&self, name: &str) -> bool {
        self.elements.binary_search(&name).is_ok()
    }

    /// Whether an SVG element is admitted.
    pub fn svg_element(&self, name: &str) -> bool {
        self.svg && SVG.contains(&name)
    }

    /// The decision on attribute `attr` of HTML element `element`.
    pub fn html_attribute(&self, element: &str, attr: &str) -> Attribute {
        let own = BY_ELEMENT
            .get(element)
            .and_then(|attrs| attrs.iter().find(|(a, _)| *a == attr));
        if let Some((_, value)) = own {
            return Attribute::Allowed(*value);
        }
        if self.global.contains(&attr) {
            return Attribute::Allowed(if attr == "style" {
                Value::Style
            } else {
                Value::Text
            });
        }
        if PREFIXES.iter().any(|p| {
            attr.len() > p.len()
                && attr.starts_with(p)
                && attr[p.len()..]
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        }) {
            return Attribute::Allowed(Value::Text);
        }
        Attribute::Refused
    }

    /// The decision on attribute `attr` of an SVG element.
    pub fn svg_attribute(&self, attr: &str) -> Attribute {
        match SVG_ATTRIBUTES.iter().find(|(a, _)| *a == attr) {
            Some((_, Value::Style)) if !self.global.contains(&"style") => Attribute::Refused,
            Some((_, value)) => Attribute::Allowed(*value),
            None => Attribute::Refused,
        }
    }
}

/// Which `rel` values a `<link>` may have, and whether its `href` is then
/// loaded (a stylesheet, an icon) or only named (a feed, a canonical
/// address).
pub fn link_rel(rel: &str) -> Option<Value> {
    const FETCHED: &[&str] = &[
        "stylesheet",
        "icon",
        "apple-touch-icon",
        "manifest",
        "preload",
    ];
    const NAMED: &[&str] = &[
        "alternate",
        "canonical",
        "next",
        "prev",
        "license",
        "author",
        "help",
        "search",
        "self",
    ];
    let mut value = None;
    for word in rel.split_ascii_whitespace() {
        let word = word.to_ascii_lowercase();
        if FETCHED.contains(&word.as_str()) {
            value = Some(Value::Fetch);
        } else if NAMED.contains(&word.as_str()) {
            value = value.or(Some(Value::Navigate));
        } else {
            return None;
        }
    }
    value
}

/// `<meta name>` and `<meta property>` values a page may carry; their
/// `content` is words, except the two that name the page's own address.
pub fn meta_name(name: &str) -> Option<Value> {
    const WORDS: &[&str] = &[
        "description",
        "viewport",
        "referrer",
        "robots",
        "generator",
        "theme-color",
        "color-scheme",
        "author",
        "keywords",
        "application-name",
        "format-detection",
        "og:title",
        "og:description",
        "og:type",
        "og:site_name",
        "og:locale",
        "twitter:card",
        "twitter:title",
        "twitter:description",
    ];
    let name = name.to_ascii_lowercase();
    if WORDS.contains(&name.as_str()) {
        Some(Value::Text)
    } else if name == "og:url" {
        Some(Value::Navigate)
    } else if name == "og:image" || name == "twitter:image" {
        Some(Value::Fetch)
    } else {
        None
    }
}

/// `<input type>` values: the ones that only take what is typed. (An
/// image button loads a picture; a file input uploads one.)
pub fn input_type(kind: &str) -> bool {
    const TYPES: &[&str] = &[
        "text", "search", "submit", "reset", "button", "checkbox", "radio", "hidden", "email",
        "tel", "number", "date", "month", "week", "time",
    ];
    TYPES.contains(&kind.to_ascii_lowercase().as_str())
}

/// `<script type>` values that run as scripts from the theme's own files.
pub fn script_type(kind: &str) -> bool {
    const TYPES: &[&str] = &["", "module", "text/javascript", "application/javascript"];
    TYPES.contains(&kind.trim().to_ascii_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_loaded_named_or_refused() {
        assert_eq!(link_rel("stylesheet"), Some(Value::Fetch));
        assert_eq!(link_rel("preload"), Some(Value::Fetch));
        assert_eq!(link_rel("alternate"), Some(Value::Navigate));
        assert_eq!(link_rel("ICON"), Some(Value::Fetch));
        // Hints that contact another site before any click.
        assert_eq!(link_rel("preconnect"), None);
        assert_eq!(link_rel("dns-prefetch"), None);
        assert_eq!(link_rel("alternate prefetch"), None);
    }

    #[test]
    fn markdown_is_narrower_and_widens_only_within_the_theme() {
        let (md, unknown) = Policy::markdown(&["style".into(), "marquee".into()]);
        assert_eq!(unknown, vec!["marquee".to_string()]);
        assert!(md.html_element("style"));
        assert_eq!(
            md.html_attribute("div", "style"),
            Attribute::Allowed(Value::Style)
        );
        let (plain, _) = Policy::markdown(&[]);
        assert!(!plain.html_element("script") && !plain.html_element("link"));
        assert_eq!(plain.html_attribute("div", "style"), Attribute::Refused);
        assert_eq!(plain.html_attribute("a", "onclick"), Attribute::Refused);
        assert_eq!(
            plain.html_attribute("div", "data-x"),
            Attribute::Allowed(Value::Text)
        );
        assert_eq!(plain.html_attribute("div", "data-"), Attribute::Refused);
        assert!(Policy::theme().html_element("script"));
    }
}
