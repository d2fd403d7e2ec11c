//! Numbers read from a file's bytes, for every format: each reads `N`
//! bytes at an offset and gives `None` past the end, never a panic.

fn array<const N: usize>(b: &[u8], at: usize) -> Option<[u8; N]> {
    b.get(at..at.checked_add(N)?)?.try_into().ok()
}

/// A big-endian u16 at `at`.
pub(super) fn be16(b: &[u8], at: usize) -> Option<u16> {
    array(b, at).map(u16::from_be_bytes)
}

/// A big-endian u32 at `at`.
pub(super) fn be32(b: &[u8], at: usize) -> Option<u32> {
    array(b, at).map(u32::from_be_bytes)
}

/// A big-endian u64 at `at`.
pub(super) fn be64(b: &[u8], at: usize) -> Option<u64> {
    array(b, at).map(u64::from_be_bytes)
}

/// A little-endian u16 at `at`.
pub(super) fn le16(b: &[u8], at: usize) -> Option<u16> {
    array(b, at).map(u16::from_le_bytes)
}

/// A little-endian 24-bit number at `at`.
pub(super) fn le24(b: &[u8], at: usize) -> Option<u32> {
    array::<3>(b, at).map(|[x, y, z]| u32::from_le_bytes([x, y, z, 0]))
}

/// A little-endian u32 at `at`.
pub(super) fn le32(b: &[u8], at: usize) -> Option<u32> {
    array(b, at).map(u32::from_le_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_within_the_bytes_and_nothing_past_them() {
        let b = [1, 2, 3, 4, 5, 6, 7, 8];
        assert_eq!(be16(&b, 0), Some(0x0102));
        assert_eq!(le16(&b, 6), Some(0x0807));
        assert_eq!(be32(&b, 4), Some(0x0506_0708));
        assert_eq!(le24(&b, 0), Some(0x0003_0201));
        assert_eq!(le32(&b, 0), Some(0x0403_0201));
        assert_eq!(be64(&b, 0), Some(0x0102_0304_0506_0708));
        assert_eq!(be16(&b, 7), None);
        assert_eq!(le32(&b, 5), None);
        assert_eq!(be64(&b, 1), None);
        assert_eq!(be32(&b, usize::MAX), None);
    }
}
