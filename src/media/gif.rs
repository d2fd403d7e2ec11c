//! GIF: not yet written.

use super::{Kind, Refusal, Settings, Stripped};

pub(super) fn strip(_input: &[u8], _settings: &Settings) -> Result<Stripped, Refusal> {
    Err(Refusal::Unsupported {
        format: Kind::Gif.name(),
        fix: Kind::Gif.conversion_hint(),
    })
}
