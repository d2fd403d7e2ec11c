//! MP3 and WAV audio: cleaned without re-encoding. (Being written.)

use super::{Pieces, Refusal, Removed};

/// MP3: the audio frames alone, without ID3v2, ID3v1, APE or Lyrics3 tags.
pub(super) fn strip_mp3(_input: &[u8]) -> Result<(Pieces<'_>, Vec<Removed>), Refusal> {
    Err(Refusal::Unsupported {
        format: "an MP3 audio file",
        fix: "not yet",
    })
}

/// WAV: the format and audio data alone, without LIST/INFO and other chunks.
pub(super) fn strip_wav(_input: &[u8]) -> Result<(Pieces<'_>, Vec<Removed>), Refusal> {
    Err(Refusal::Unsupported {
        format: "a WAV audio file",
        fix: "not yet",
    })
}
