//! Pixelating a part of a photo, for someone without consent at the edge
//! of a shot. Each block is replaced by its average colour: the detail is
//! gone from the published pixels and cannot be recovered from them.

/// A part of a photo as it is shown (upright), in percent of its width and
/// height from the top-left corner.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    pub left: f32,
    pub top: f32,
    pub width: f32,
    pub height: f32,
}

impl Region {
    /// Why the region is not a part of the photo, if it is not.
    pub fn problem(&self) -> Option<String> {
        let all = [self.left, self.top, self.width, self.height];
        if all.iter().any(|v| !v.is_finite() || *v < 0.0 || *v > 100.0) {
            return Some("each of left, top, width and height must be between 0 and 100 (percent of the photo)".into());
        }
        if self.width <= 0.0 || self.height <= 0.0 {
            return Some("width and height must be more than 0".into());
        }
        if self.left + self.width > 100.0 + f32::EPSILON
            || self.top + self.height > 100.0 + f32::EPSILON
        {
            return Some(
                "the region runs off the photo (left + width and top + height must be at most 100)"
                    .into(),
            );
        }
        None
    }

    /// The region in pixels of a `w`×`h` image, rounded outwards so it
    /// always covers at least what was asked.
    fn pixels(&self, w: u32, h: u32) -> (usize, usize, usize, usize) {
        let x0 = (f64::from(self.left) / 100.0 * f64::from(w)).floor() as usize;
        let y0 = (f64::from(self.top) / 100.0 * f64::from(h)).floor() as usize;
        let x1 = (f64::from(self.left + self.width) / 100.0 * f64::from(w)).ceil() as usize;
        let y1 = (f64::from(self.top + self.height) / 100.0 * f64::from(h)).ceil() as usize;
        let (w, h) = (w as usize, h as usize);
        (x0.min(w), y0.min(h), x1.min(w), y1.min(h))
    }
}

/// Pixelates `regions` of an upright image in place. Blocks are at least
/// 8 pixels and at least an eighth of the region's longer side, so a face
/// is left as a handful of flat colours at any resolution.
pub(super) fn pixelate(
    data: &mut [u8],
    width: u32,
    height: u32,
    channels: usize,
    regions: &[Region],
) {
    let stride = width as usize * channels;
    for region in regions {
        let (x0, y0, x1, y1) = region.pixels(width, height);
        if x1 <= x0 || y1 <= y0 {
            continue;
        }
        let block = ((x1 - x0).max(y1 - y0) / 8).max(8);
        let mut by = y0;
        while by < y1 {
            let ey = (by + block).min(y1);
            let mut bx = x0;
            while bx < x1 {
                let ex = (bx + block).min(x1);
                let mut sum = [0u64; 4];
                for y in by..ey {
                    for x in bx..ex {
                        let p = y * stride + x * channels;
                        for (c, s) in sum.iter_mut().enumerate().take(channels) {
                            *s += u64::from(data[p + c]);
                        }
                    }
                }
                let n = ((ey - by) * (ex - bx)) as u64;
                let mean: Vec<u8> = sum[..channels].iter().map(|s| (s / n) as u8).collect();
                for y in by..ey {
                    for x in bx..ex {
                        let p = y * stride + x * channels;
                        data[p..p + channels].copy_from_slice(&mean);
                    }
                }
                bx = ex;
            }
            by = ey;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_is_flattened_and_the_rest_untouched() {
        let (w, h) = (100u32, 50u32);
        let mut data: Vec<u8> = (0..w * h).map(|i| (i * 7 % 251) as u8).collect();
        let before = data.clone();
        let region = Region {
            left: 50.0,
            top: 0.0,
            width: 50.0,
            height: 100.0,
        };
        pixelate(&mut data, w, h, 1, &[region]);
        for y in 0..h as usize {
            for x in 0..50 {
                assert_eq!(data[y * 100 + x], before[y * 100 + x]);
            }
        }
        // Block size is 8 (50 / 8 = 6, raised to 8): each 8×8 block is flat.
        let block: Vec<u8> = (0..8)
            .flat_map(|y| (50..58).map(move |x| (x, y)))
            .map(|(x, y)| data[y * 100 + x])
            .collect();
        assert!(block.iter().all(|&v| v == block[0]));
        assert_ne!(data[50..58], before[50..58]);
    }

    #[test]
    fn regions_off_the_photo_are_refused() {
        let r = |left, width| Region {
            left,
            top: 0.0,
            width,
            height: 10.0,
        };
        assert!(r(10.0, 20.0).problem().is_none());
        assert!(r(90.0, 20.0).problem().unwrap().contains("runs off"));
        assert!(r(-1.0, 20.0).problem().is_some());
        assert!(r(10.0, 0.0).problem().is_some());
    }
}
