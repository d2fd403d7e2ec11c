//! The bin: pages and photos deleted in the studio wait here, off the
//! site, until restored or deleted for good. Deleting for good is asked
//! twice, and deletes only the entries the person saw listed.

use super::Studio;
use super::guard::Posted;
use super::view;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use schoolsite::studio::bin;
use serde::Serialize;

#[derive(Serialize)]
struct Binned {
    from: String,
    entry: String,
}

fn listed(studio: &Studio) -> Vec<Binned> {
    bin::list(&studio.root)
        .into_iter()
        .map(|b| Binned {
            from: b.from,
            entry: b.entry,
        })
        .collect()
}

/// `/studio/bin`: deleted pages, each with Restore and Delete for good.
pub async fn page(State(studio): State<Studio>) -> Response {
    show(&studio, "")
}

fn show(studio: &Studio, notice: &str) -> Response {
    let mut context = view::context(studio);
    context.insert("items", &listed(studio));
    context.insert("notice", notice);
    view::render(StatusCode::OK, "bin.html", &context)
}

/// `POST /studio/restore`.
pub async fn restore(State(studio): State<Studio>, form: Posted) -> Response {
    let binned = bin::list(&studio.root)
        .into_iter()
        .find(|b| b.entry == form.get("entry"));
    let Some(binned) = binned else {
        return view::message(
            &studio,
            StatusCode::NOT_FOUND,
            "Nothing to restore",
            "That page is no longer in the bin.",
            "/studio/bin",
        );
    };
    match bin::restore(&studio.root, &binned) {
        Ok(()) => {
            studio.kick.now();
            Redirect::to("/studio/").into_response()
        }
        Err(e) => view::message(
            &studio,
            StatusCode::CONFLICT,
            "The page was not restored",
            &e.to_string(),
            "/studio/bin",
        ),
    }
}

/// `POST /studio/bin/delete`: the entries posted (one, or every one the
/// bin page listed), deleted for good once `sure` says the person saw
/// them named and confirmed; before that, the page that asks.
pub async fn delete(State(studio): State<Studio>, form: Posted) -> Response {
    let wanted = form.all("entry");
    let items: Vec<Binned> = listed(&studio)
        .into_iter()
        .filter(|b| wanted.contains(&b.entry.as_str()))
        .collect();
    if items.is_empty() {
        return view::message(
            &studio,
            StatusCode::NOT_FOUND,
            "Nothing to delete",
            "That is no longer in the bin (it was restored or already deleted).",
            "/studio/bin",
        );
    }
    if form.get("sure") != "yes" {
        let mut context = view::context(&studio);
        context.insert("items", &items);
        return view::render(StatusCode::OK, "forget.html", &context);
    }
    let mut failed = Vec::new();
    for item in &items {
        if let Err(e) = bin::delete_for_good(&studio.root, &item.entry) {
            failed.push(format!("content/{}: {e}", item.from));
        }
    }
    if !failed.is_empty() {
        return view::message(
            &studio,
            StatusCode::INTERNAL_SERVER_ERROR,
            "Not everything was deleted",
            &format!(
                "{} What could not be deleted is still in the bin; try again, or close any program that has it open.",
                failed.join("; ")
            ),
            "/studio/bin",
        );
    }
    let done = match items.len() {
        1 => "Deleted for good: 1 item.".to_string(),
        n => format!("Deleted for good: {n} items."),
    };
    show(&studio, &done)
}
