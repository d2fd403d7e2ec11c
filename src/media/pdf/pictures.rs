//! Which pictures on a page may show a person, from where and how big
//! they are drawn as well as how many pixels they hold.
//!
//! Every image is recorded where it is drawn (the page's drawing, forms,
//! annotation appearances, tiling patterns, soft masks, inline images):
//! its rectangle on the page in points (the unit square through the
//! current transformation matrix) and its pixels. Then a page's pictures
//! are:
//!
//! - every image of at least [`MIN_PICTURE_SIDE`] pixels on both sides,
//!   however it is drawn (one-bit images included: a dithered photo is a
//!   photo);
//! - and every group of the other images drawn touching or overlapping
//!   one another (a photo cut into tiles) that together cover at least
//!   [`MIN_DRAWN_SIDE`] points on both sides and hold at least
//!   `MIN_PICTURE_SIDE²` pixels between their different images (the same
//!   small image repeated, a textured background, adds its pixels once).
//!
//! A logo of a few dozen pixels, a thin rule, bullets and icons are none
//! of these.

use super::MIN_PICTURE_SIDE;
use lopdf::ObjectId;
use std::collections::HashSet;

/// A group of small images drawn together counts as a picture when it
/// covers at least this many points (an inch) on both sides.
pub const MIN_DRAWN_SIDE: f32 = 72.0;

/// Images closer than this (in points) count as touching: tiles are
/// often placed with rounding gaps.
const TOUCHING: f32 = 1.0;

/// Most placements grouped one by one on a page; beyond it, the rest are
/// taken as one group (so a page of thousands of tiles still counts).
const MAX_GROUPED: usize = 4096;

/// A transformation matrix `[a b c d e f]`, as in PDF.
pub type Matrix = [f32; 6];

pub const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `m` then `n`: what `m cm` does to a CTM of `n`.
pub fn mul(m: &Matrix, n: &Matrix) -> Matrix {
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

/// A rectangle on the page, in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl Rect {
    /// The rectangle around `(x0, y0)–(x1, y1)` through `m`; empty when
    /// the numbers are not finite (nothing is drawn).
    pub fn through(x0: f32, y0: f32, x1: f32, y1: f32, m: &Matrix) -> Rect {
        let corners = [(x0, y0), (x1, y0), (x0, y1), (x1, y1)];
        let mut r = Rect {
            x0: f32::INFINITY,
            y0: f32::INFINITY,
            x1: f32::NEG_INFINITY,
            y1: f32::NEG_INFINITY,
        };
        for (x, y) in corners {
            let px = m[0] * x + m[2] * y + m[4];
            let py = m[1] * x + m[3] * y + m[5];
            r.x0 = r.x0.min(px);
            r.y0 = r.y0.min(py);
            r.x1 = r.x1.max(px);
            r.y1 = r.y1.max(py);
        }
        if [r.x0, r.y0, r.x1, r.y1].iter().all(|v| v.is_finite()) {
            r
        } else {
            Rect {
                x0: 0.0,
                y0: 0.0,
                x1: 0.0,
                y1: 0.0,
            }
        }
    }

    /// The unit square (where an image is drawn) through `m`.
    pub fn unit(m: &Matrix) -> Rect {
        Rect::through(0.0, 0.0, 1.0, 1.0, m)
    }

    pub fn width(&self) -> f32 {
        self.x1 - self.x0
    }

    pub fn height(&self) -> f32 {
        self.y1 - self.y0
    }

    fn touches(&self, other: &Rect) -> bool {
        self.x0 <= other.x1 + TOUCHING
            && other.x0 <= self.x1 + TOUCHING
            && self.y0 <= other.y1 + TOUCHING
            && other.y0 <= self.y1 + TOUCHING
    }

    fn union(&self, other: &Rect) -> Rect {
        Rect {
            x0: self.x0.min(other.x0),
            y0: self.y0.min(other.y0),
            x1: self.x1.max(other.x1),
            y1: self.y1.max(other.y1),
        }
    }
}

/// Which image a placement draws, so the same one drawn again adds no
/// pixels to a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    Object(ObjectId),
    /// An inline image, by a hash of its data.
    Inline(u64),
}

/// One image drawn once.
#[derive(Debug, Clone, Copy)]
pub struct Placement {
    pub rect: Rect,
    /// The matrix it is drawn through (its unit square onto the page).
    pub ctm: Matrix,
    /// Width and height in pixels (the larger of the image's and its
    /// soft mask's).
    pub pixels: (i64, i64),
    pub source: Source,
}

impl Placement {
    fn alone(&self) -> bool {
        self.pixels.0 >= MIN_PICTURE_SIDE && self.pixels.1 >= MIN_PICTURE_SIDE
    }
}

/// How many pictures the placements on one page make (see the module
/// docs).
#[cfg(test)]
pub fn count(placements: &[Placement]) -> u32 {
    u32::try_from(pictures(placements).len()).unwrap_or(u32::MAX)
}

/// The pictures the placements on one page make, each as the indices of
/// the placements drawn in it, in drawing order: an image big enough
/// alone, or a group of small ones drawn together (see the module docs).
pub fn pictures(placements: &[Placement]) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = (0..placements.len())
        .filter(|&i| placements[i].alone())
        .map(|i| vec![i])
        .collect();
    let small: Vec<usize> = (0..placements.len())
        .filter(|&i| !placements[i].alone())
        .collect();
    let of = |g: &[usize]| g.iter().map(|&i| &placements[i]).collect::<Vec<_>>();
    if small.len() > MAX_GROUPED {
        if is_picture(&of(&small)) {
            out.push(small);
        }
    } else {
        let refs: Vec<&Placement> = small.iter().map(|&i| &placements[i]).collect();
        for g in groups(&refs) {
            let members: Vec<usize> = g.iter().map(|&k| small[k]).collect();
            if is_picture(&of(&members)) {
                out.push(members);
            }
        }
    }
    out
}

/// Whether images drawn together make a picture.
fn is_picture(group: &[&Placement]) -> bool {
    let Some(first) = group.first() else {
        return false;
    };
    let area = group.iter().fold(first.rect, |area, p| area.union(&p.rect));
    let mut seen = HashSet::new();
    let pixels: i64 = group
        .iter()
        .filter(|p| seen.insert(p.source))
        .map(|p| p.pixels.0.max(0).saturating_mul(p.pixels.1.max(0)))
        .fold(0, i64::saturating_add);
    area.width() >= MIN_DRAWN_SIDE
        && area.height() >= MIN_DRAWN_SIDE
        && pixels >= MIN_PICTURE_SIDE * MIN_PICTURE_SIDE
}

/// The placements that touch one another, directly or through others.
fn groups(small: &[&Placement]) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..small.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for i in 0..small.len() {
        for j in i + 1..small.len() {
            if small[i].rect.touches(&small[j].rect) {
                let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                parent[a] = b;
            }
        }
    }
    let mut by_root: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for i in 0..small.len() {
        let r = root(&mut parent, i);
        by_root.entry(r).or_default().push(i);
    }
    by_root.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(x: f32, y: f32, w: f32, h: f32, px: (i64, i64), n: u32) -> Placement {
        Placement {
            rect: Rect {
                x0: x,
                y0: y,
                x1: x + w,
                y1: y + h,
            },
            pixels: px,
            ctm: [w, 0.0, 0.0, h, x, y],
            source: Source::Object((n, 0)),
        }
    }

    #[test]
    fn a_big_image_counts_however_small_it_is_drawn() {
        assert_eq!(count(&[at(0.0, 0.0, 10.0, 10.0, (320, 240), 1)]), 1);
    }

    #[test]
    fn four_tiles_of_a_photo_count_as_one_picture() {
        let tiles: Vec<_> = (0..4)
            .map(|i| {
                let (x, y) = ((i % 2) as f32 * 80.0, (i / 2) as f32 * 60.0);
                at(x, y, 80.0, 60.0, (80, 60), i)
            })
            .collect();
        assert_eq!(count(&tiles), 1);
        // Apart, they are four small images.
        let apart: Vec<_> = (0..4)
            .map(|i| at(i as f32 * 200.0, 0.0, 80.0, 60.0, (80, 60), i))
            .collect();
        assert_eq!(count(&apart), 0);
    }

    #[test]
    fn logos_rules_and_repeated_textures_do_not_count() {
        assert_eq!(count(&[at(0.0, 0.0, 48.0, 48.0, (48, 48), 1)]), 0);
        assert_eq!(count(&[at(0.0, 0.0, 500.0, 2.0, (500, 2), 1)]), 0);
        // A small logo drawn large has few pixels.
        assert_eq!(count(&[at(0.0, 0.0, 300.0, 300.0, (48, 48), 1)]), 0);
        // One small texture tiled over the page.
        let texture: Vec<_> = (0..100)
            .map(|i| {
                let (x, y) = ((i % 10) as f32 * 32.0, (i / 10) as f32 * 32.0);
                at(x, y, 32.0, 32.0, (32, 32), 7)
            })
            .collect();
        assert_eq!(count(&texture), 0);
    }

    #[test]
    fn a_narrow_portrait_with_enough_pixels_counts() {
        assert_eq!(count(&[at(0.0, 0.0, 90.0, 200.0, (90, 200), 1)]), 1);
    }

    #[test]
    fn matrices_compose_as_pdf_does() {
        // Scale by 2 then move by (10, 20).
        let m = mul(
            &[2.0, 0.0, 0.0, 2.0, 0.0, 0.0],
            &[1.0, 0.0, 0.0, 1.0, 10.0, 20.0],
        );
        let r = Rect::unit(&m);
        assert_eq!((r.x0, r.y0, r.x1, r.y1), (10.0, 20.0, 12.0, 22.0));
        let nan = Rect::unit(&[f32::NAN, 0.0, 0.0, 1.0, 0.0, 0.0]);
        assert_eq!(nan.width(), 0.0);
    }
}
