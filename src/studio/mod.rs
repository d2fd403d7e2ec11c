//! The studio's changes to a site's files, kept apart from HTTP so each
//! is tested on its own: who is in a photo (`photos.toml`, edited as a
//! document so its comments and order stay) and writing a file only if
//! it has not changed since it was opened.
//!
//! Nothing here decides what is allowed: the studio shows the build's
//! own findings for what it writes.

pub mod bin;
pub mod declare;
pub mod page;
pub mod people;
pub mod scratch;
pub mod upload;
pub mod write;

/// Sets a TOML key's value, keeping the comment written above the key.
fn put(table: &mut toml_edit::Table, key: &str, item: toml_edit::Item) {
    match table.get_mut(key) {
        Some(slot) => *slot = item,
        None => {
            table.insert(key, item);
        }
    }
}
