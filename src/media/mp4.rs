//! MP4, MOV and M4A: cleaned without re-encoding. (Being written.)

use super::{Kind, Pieces, Refusal, Removed};

pub(super) fn strip_pieces(
    _input: &[u8],
    kind: Kind,
) -> Result<(Pieces<'_>, Vec<Removed>), Refusal> {
    Err(Refusal::Unsupported {
        format: kind.name(),
        fix: "not yet",
    })
}
