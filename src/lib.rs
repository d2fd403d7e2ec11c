//! schoolsite: a static-site generator and media sanitiser for school
//! websites that enforces the school's online-safety policy at build time.
//!
//! The pipeline, one module per stage:
//! `config` + `content` (load, with `consent` and `statutory` reading
//! what the school has declared) → `media` (sanitise) → `render` →
//! `rules` (check) → `emit` (write and swap) → `publish` (manifest,
//! approval, atomic copy to the web server), with `report` formatting
//! findings and `pipeline` running the stages in order.

pub mod config;
pub mod consent;
pub mod content;
pub mod emit;
pub mod finding;
pub mod media;
pub mod pipeline;
pub mod publish;
pub mod render;
pub mod report;
pub mod rules;
pub mod statutory;
pub mod studio;
