//! Sound: MP3 and WAV, cleaned without re-encoding, as pieces of the
//! input (the audio itself is never copied). Each format is its own
//! module; the tags MP3 files carry (and WAV files sometimes do) are read
//! in [`tags`], to say what was removed.

mod mp3;
mod tags;
#[cfg(test)]
mod tests;
mod wav;

pub(super) use mp3::strip as strip_mp3;
pub(super) use wav::strip as strip_wav;

use super::Refusal;

fn corrupt(format: &'static str, detail: impl Into<String>) -> Refusal {
    Refusal::Corrupt {
        format,
        detail: detail.into(),
    }
}
