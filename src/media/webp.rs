//! WEBP: not yet written.

use super::{Kind, Refusal, Settings, Stripped};

pub(super) fn strip(_input: &[u8], _settings: &Settings) -> Result<Stripped, Refusal> {
    Err(Refusal::Unsupported {
        format: Kind::WebP.name(),
        fix: Kind::WebP.conversion_hint(),
    })
}
