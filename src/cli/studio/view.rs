//! The studio's pages: Tera templates built into the binary and rendered
//! with autoescape on (names end in `.html`), its one stylesheet and its
//! one script, both served from the binary.

use super::Studio;
use axum::http::StatusCode;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::sync::LazyLock;
use tera::{Context, Tera};

static TEMPLATES: LazyLock<Result<Tera, tera::Error>> = LazyLock::new(|| {
    let mut tera = Tera::default();
    tera.add_raw_templates([
        ("base.html", include_str!("templates/base.html")),
        ("list.html", include_str!("templates/list.html")),
        ("edit.html", include_str!("templates/edit.html")),
        ("conflict.html", include_str!("templates/conflict.html")),
        ("bin.html", include_str!("templates/bin.html")),
        ("forget.html", include_str!("templates/forget.html")),
        ("findings.html", include_str!("templates/findings.html")),
        ("photo.html", include_str!("templates/photo.html")),
        ("people.html", include_str!("templates/people.html")),
        ("message.html", include_str!("templates/message.html")),
        ("uploaded.html", include_str!("templates/uploaded.html")),
        ("approve.html", include_str!("templates/approve.html")),
        ("media.html", include_str!("templates/media.html")),
    ])?;
    tera.set_escape_fn(schoolsite::content::markdown::escape);
    Ok(tera)
});

const CSS: &str = include_str!("assets/studio.css");
const JS: &str = include_str!("assets/studio.js");

/// A message shown above a form, linked to the field it is about.
#[derive(Serialize, Clone, Debug)]
pub struct Problem {
    /// The `id` of the field (for the error summary's link).
    pub field: String,
    pub message: String,
}

impl Problem {
    pub fn new(field: &str, message: impl Into<String>) -> Problem {
        Problem {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

/// A context with what every studio page needs: the token for its forms
/// and the site's address prefix.
pub fn context(studio: &Studio) -> Context {
    let mut context = Context::new();
    context.insert("token", &*studio.token);
    // The preview is served from an address of its own.
    context.insert("base", &*studio.site);
    context.insert("errors", &Vec::<Problem>::new());
    context.insert("notice", "");
    context
}

/// The template `name` as an HTML answer with `status`.
pub fn render(status: StatusCode, name: &str, context: &Context) -> Response {
    let page = match &*TEMPLATES {
        Ok(tera) => tera.render(name, context),
        Err(e) => Err(tera::Error::msg(format!("the built-in pages: {e}"))),
    };
    match page {
        Ok(html) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response(),
        Err(e) => {
            eprintln!("studio: a page could not be drawn: {e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "This studio page could not be drawn; nothing was changed.",
            )
                .into_response()
        }
    }
}

/// A page saying one thing, with a link onward.
pub fn message(
    studio: &Studio,
    status: StatusCode,
    heading: &str,
    text: &str,
    back: &str,
) -> Response {
    let mut context = context(studio);
    context.insert("heading", heading);
    context.insert("text", text);
    context.insert("back", back);
    render(status, "message.html", &context)
}

pub async fn css() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS).into_response()
}

pub async fn js() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        JS,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_templates_parse() {
        assert!(
            super::TEMPLATES.is_ok(),
            "{:?}",
            super::TEMPLATES.as_ref().err()
        );
    }
}
