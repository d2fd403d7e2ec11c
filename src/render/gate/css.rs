//! CSS as a browser tokenizes it (Servo's `cssparser`): every address a
//! stylesheet, a `<style>` element or a `style` attribute holds, found by
//! the CSS grammar's own rules for where an address stands. Escapes,
//! comments and case are undone by the tokenizer before anything is
//! looked at.

use cssparser::{ParseError, Parser, ParserInput, Token};

/// An address in CSS, as the tokenizer decoded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CssUrl(pub String);

/// What reading CSS found: every address, and what could not be read.
#[derive(Debug, Default)]
pub struct Read {
    pub urls: Vec<CssUrl>,
    /// What the tokenizer could not read (a broken `url(`, a string cut
    /// by a line end), or nesting too deep to follow.
    pub unreadable: Option<String>,
    /// A `unicode-bidi` value that is not on [`UNICODE_BIDI`]: one that
    /// would show letters in another order than they are written.
    pub reorders: Option<String>,
}

/// The `unicode-bidi` values a page may use: those that never reverse
/// letters a reader sees (`bidi-override` and `isolate-override` show
/// "rofakO" as "Okafor", where the rules that read the text cannot follow).
const UNICODE_BIDI: &[&str] = &[
    "normal",
    "embed",
    "isolate",
    "plaintext",
    "inherit",
    "initial",
    "unset",
    "revert",
    "revert-layer",
];

/// How deep blocks and functions may nest before the CSS is refused
/// (browsers stop far sooner than a stack would).
const MAX_DEPTH: usize = 64;

/// Functions whose string arguments are addresses (CSS Values and
/// Images): `url("…")`, `src("…")`, `image-set("a.png" 1x)`, `image("…")`.
const URL_FUNCTIONS: &[&str] = &[
    "url",
    "src",
    "image-set",
    "-webkit-image-set",
    "image",
    "-webkit-image",
    "cross-fade",
    "-webkit-cross-fade",
];

/// Functions that may stand inside an address function: images drawn by
/// CSS itself (`image-set(linear-gradient(…) 1x)`) and `type()`. Any other
/// (`var()`, `attr()`, `env()`) would put an address there that the
/// reader cannot see, so it is refused.
const IN_ADDRESS: &[&str] = &[
    "linear-gradient",
    "radial-gradient",
    "conic-gradient",
    "repeating-linear-gradient",
    "repeating-radial-gradient",
    "repeating-conic-gradient",
    "type",
];

/// Reads a stylesheet, a `<style>` element's text, a `style` attribute or
/// a single CSS value: the grammar's tokens are the same for all.
pub fn read(css: &str) -> Read {
    let mut input = ParserInput::new(css);
    let mut parser = Parser::new(&mut input);
    let mut read = Read::default();
    walk(&mut parser, false, 0, &mut read);
    read
}

fn walk(p: &mut Parser<'_, '_>, url_context: bool, depth: usize, read: &mut Read) {
    if depth > MAX_DEPTH {
        read.unreadable = Some(format!("blocks nested more than {MAX_DEPTH} deep"));
        return;
    }
    let mut import = false;
    // Where a `unicode-bidi` declaration's value is being read: after
    // the property's name, after its colon.
    let mut bidi = Bidi::None;
    while let Ok(token) = p.next_including_whitespace_and_comments() {
        let token = token.clone();
        bidi = bidi.next(&token, read);
        let nested = match &token {
            Token::UnquotedUrl(u) => {
                read.urls.push(CssUrl(u.to_string()));
                None
            }
            Token::QuotedString(s) if url_context || import => {
                read.urls.push(CssUrl(s.to_string()));
                None
            }
            Token::AtKeyword(k) => {
                import = k.eq_ignore_ascii_case("import");
                continue;
            }
            Token::BadUrl(u) => {
                read.unreadable = Some(format!("a broken url({u})"));
                None
            }
            Token::BadString(_) => {
                read.unreadable = Some("a string that a line end cuts off".to_string());
                None
            }
            Token::Function(name) => {
                let lower = name.to_ascii_lowercase();
                let address = URL_FUNCTIONS.contains(&lower.as_str());
                if url_context && !address && !IN_ADDRESS.contains(&lower.as_str()) {
                    read.unreadable = Some(format!(
                        "{lower}() inside an address (image-set(), image(), src()): the address must be written out where it is used"
                    ));
                }
                Some(address)
            }
            Token::ParenthesisBlock | Token::SquareBracketBlock | Token::CurlyBracketBlock => {
                Some(false)
            }
            _ => None,
        };
        if !matches!(token, Token::WhiteSpace(_) | Token::Comment(_)) {
            import = false;
        }
        if let Some(inner_url) = nested {
            let _ = p.parse_nested_block(|inner| {
                walk(inner, inner_url, depth + 1, read);
                Ok::<(), ParseError<'_, ()>>(())
            });
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Bidi {
    None,
    Name,
    Value,
}

impl Bidi {
    /// The state after `token`, recording a value not on the list.
    fn next(self, token: &Token<'_>, read: &mut Read) -> Bidi {
        match (self, token) {
            (_, Token::WhiteSpace(_) | Token::Comment(_)) => self,
            (_, Token::Ident(name)) if self != Bidi::Value => {
                if name.eq_ignore_ascii_case("unicode-bidi") {
                    Bidi::Name
                } else {
                    Bidi::None
                }
            }
            (Bidi::Name, Token::Colon) => Bidi::Value,
            (Bidi::Value, Token::Ident(value))
                if UNICODE_BIDI.iter().any(|v| value.eq_ignore_ascii_case(v)) =>
            {
                Bidi::None
            }
            (Bidi::Value, other) => {
                let shown = match other {
                    Token::Ident(v) => v.to_string(),
                    Token::Function(f) => format!("{f}()"),
                    _ => "that value".to_string(),
                };
                read.reorders = Some(format!("unicode-bidi: {shown}"));
                Bidi::None
            }
            _ => Bidi::None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bidi_values_that_keep_letters_in_order() {
        for ok in [
            "p{unicode-bidi:isolate;direction:rtl}",
            "p { unicode-bidi : plaintext }",
            "p{UNICODE-BIDI:Embed}",
            "a:hover{color:red}",
            "p{direction:rtl}",
        ] {
            assert_eq!(read(ok).reorders, None, "{ok}");
        }
        for bad in [
            "p{unicode-bidi:bidi-override;direction:rtl}",
            "p{unicode-bidi: isolate-override}",
            "p{unicode-bid\\69:bidi-override}",
            "p{unicode-bidi:/**/bidi-override}",
            "p{unicode-bidi:var(--x)}",
            "@media screen{p{unicode-bidi:bidi-override}}",
        ] {
            assert!(read(bad).reorders.is_some(), "{bad}");
        }
        // A style attribute is read the same way.
        assert!(read("unicode-bidi:bidi-override").reorders.is_some());
    }

    fn urls(css: &str) -> Vec<String> {
        read(css).urls.into_iter().map(|u| u.0).collect()
    }

    #[test]
    fn finds_every_address_the_grammar_has() {
        assert_eq!(
            urls("@import 'a.css'; @import url(b.css) screen; body{background:url( c.png )}"),
            vec!["a.css", "b.css", "c.png"]
        );
        assert_eq!(
            urls("x{background-image:image-set(\"d.png\" 1x, url(e.png) 2x)}"),
            vec!["d.png", "e.png"]
        );
        // Escapes, case and comments are the tokenizer's business.
        assert_eq!(urls("x{background:\\75 rl(f.png)}"), vec!["f.png"]);
        assert_eq!(urls("x{background:URL(\"g.png\")}"), vec!["g.png"]);
        assert_eq!(urls("@imp\\6frt \"h.css\";"), vec!["h.css"]);
        assert_eq!(urls("@import/**/'i.css';"), vec!["i.css"]);
        assert_eq!(
            urls("@font-face{src:url(j.woff2) format(\"woff2\"), local(\"Arial\")}"),
            vec!["j.woff2"]
        );
        // Strings that are words, not addresses.
        assert!(urls("p::before{content:\"url(k.png)\";font-family:\"A B\"}").is_empty());
    }

    #[test]
    fn what_cannot_be_read_is_said() {
        assert!(read("x{background:url(a b.png)}").unreadable.is_some());
        assert!(read("x{content:\"cut\n}").unreadable.is_some());
        let deep = "(".repeat(200);
        assert!(read(&deep).unreadable.is_some());
        assert!(read("x{color:red}").unreadable.is_none());
        // An address taken from a custom property cannot be checked.
        assert!(
            read("x{--u:\"https://e.example/x.png\";background:image-set(var(--u) 1x)}")
                .unreadable
                .is_some()
        );
        assert!(
            read("x{background:-webkit-image-set(VAR(--u) 1x)}")
                .unreadable
                .is_some()
        );
        assert!(
            read("x{background:image-set(attr(data-x) 1x)}")
                .unreadable
                .is_some()
        );
        // Near miss: gradients and types inside image-set().
        let ok = read(
            "x{background:image-set(linear-gradient(rgb(0 0 0),red) 1x, \"a.png\" type(\"image/png\") 2x)}",
        );
        assert!(ok.unreadable.is_none(), "{:?}", ok.unreadable);
        assert_eq!(ok.urls, vec![CssUrl("a.png".into())]);
    }
}
