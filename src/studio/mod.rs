//! The studio's changes to a site's files, kept apart from HTTP so each
//! is tested on its own: who is in a photo (`photos.toml`, edited as a
//! document so its comments and order stay) and writing a file only if
//! it has not changed since it was opened.
//!
//! Nothing here decides what is allowed: the studio shows the build's
//! own findings for what it writes.

pub mod bin;
pub mod declare;
pub mod people;
pub mod write;
