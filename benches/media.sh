#!/usr/bin/env bash
# The media sanitiser against its peers, in one run on the same files:
#
#  1. lossless strip: `schoolsite sanitise` vs `exiftool -all=
#     -tagsfromfile @ -orientation` (one batch run over the folder) vs `cp`
#     of the same files (the physical limit);
#  2. responsive sizes (480, 960, 1600): `schoolsite sanitise --sizes`
#     vs `vipsthumbnail` (one run per size, as a site build would need).
#
# Prints wall time, peak memory (from /usr/bin/time -v) and the ratios.
#
#   bash benches/media.sh [PHOTOS] [MEGAPIXELS]       # default 1000 12
#
# Outputs go to a RAM disk (/dev/shm) when there is one, so the numbers
# measure the tools rather than the disk's write-back; inputs are read
# from the page cache. Each lossless tool runs twice, alternating, and the
# faster run counts. BENCH_DIR=dir keeps the generated photos for reuse;
# ONLY=strip or ONLY=sizes runs one half.
#
# Needs: exiftool, vipsthumbnail, /usr/bin/time, python3 with Pillow
# (Debian: libimage-exiftool-perl libvips-tools time python3-pil).
set -euo pipefail

PHOTOS=${1:-1000}
MP=${2:-12}
here=$(cd "$(dirname "$0")/.." && pwd)
work=${BENCH_DIR:-$(mktemp -d)}
trap '[ -z "${BENCH_DIR:-}" ] && rm -rf "$work"' EXIT

for tool in exiftool vipsthumbnail; do
    command -v $tool >/dev/null || { echo "$tool is not installed"; exit 2; }
done
[ -x /usr/bin/time ] || { echo "/usr/bin/time is not installed (apt-get install time)"; exit 2; }
python3 -c 'import PIL' 2>/dev/null || { echo "Pillow is not installed (apt-get install python3-pil)"; exit 2; }

echo "building schoolsite (release)..."
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin="$here/target/release/schoolsite"

if [ ! -d "$work/in" ]; then
    echo "generating $PHOTOS photos of $MP megapixels with phone-like metadata..."
    python3 - "$work/in" "$PHOTOS" "$MP" <<'PY'
import io, os, random, sys
from PIL import Image, ImageFilter
out, n, mp = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
os.makedirs(out)
random.seed(7)
w = int((mp * 1e6 * 4 / 3) ** 0.5) // 16 * 16
h = w * 3 // 4

def base(seed):
    # Photo-like content: smooth colour fields plus sensor-like noise,
    # so the JPEG is as large as a real phone photo of this size.
    random.seed(seed)
    small = Image.new("RGB", (32, 24))
    small.putdata([tuple(random.randrange(256) for _ in range(3)) for _ in range(32 * 24)])
    img = small.resize((w, h), Image.BICUBIC)
    noise = Image.effect_noise((w, h), 40).convert("RGB")
    img = Image.blend(img, noise, 0.25)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=92, subsampling=0)
    return buf.getvalue()

def app(marker, payload):
    return bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload

thumb = io.BytesIO()
Image.new("RGB", (160, 120), (90, 120, 60)).save(thumb, "JPEG", quality=80)
thumb = thumb.getvalue()

bases = [base(s) for s in range(8)]
for i in range(n):
    exif = Image.Exif()
    exif[0x010F] = "Apple"
    exif[0x0110] = "iPhone 14"
    exif[0x0112] = random.choice([1, 1, 1, 6, 8, 3])
    exif[0x0131] = "17.1"
    exif[0x0132] = f"2026:07:{1 + i % 28:02d} 10:{i % 60:02d}:17"
    ifd = exif.get_ifd(0x8769)
    ifd[0x9003] = exif[0x0132]
    ifd[0xA431] = f"SERIAL{i:06d}"
    ifd[0x927C] = bytes(random.randrange(256) for _ in range(2048))  # maker notes
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"; gps[2] = (51.0, 4.0, 16.0 + i / 1000)
    gps[3] = "W"; gps[4] = (1.0, 47.0, 39.0)
    tiff = exif.tobytes()
    xmp = (b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF>"
           b"<mwg-rs:RegionList><rdf:li mwg-rs:Name='Pupil %d' mwg-rs:Type='Face'/></mwg-rs:RegionList>"
           % i + b" " * 2500 + b"</rdf:RDF></x:xmpmeta>")
    body = bases[i % len(bases)]
    # Exif APP1 holds IFDs then a thumbnail: Pillow's tobytes has no
    # thumbnail, so append one as a second APP1-sized blob in APP1 data.
    meta = app(0xE1, b"Exif\0\0" + tiff) + app(0xE1, xmp) + app(0xFE, b"Pupil %d" % i)
    data = body[:2] + meta + body[2:]
    if i % 10 == 0:
        # A motion photo: an MP4 appended after the end of the image.
        data += b"\0\0\0\x18ftypmp42" + os.urandom(1_500_000)
    with open(os.path.join(out, f"IMG_{i:04d}.jpg"), "wb") as f:
        f.write(data)
PY
fi
du -sh "$work/in" | sed 's/^/input: /'

out=$work/out
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    out=$(mktemp -d /dev/shm/schoolsite-bench.XXXXXX)
    trap '[ -z "${BENCH_DIR:-}" ] && rm -rf "$work"; rm -rf "$out"' EXIT
fi
echo "outputs go to $out"

measure() { # name, command...: prints "name wall_s peak_mb", keeps the best wall
    local name=$1; shift
    sync; rm -rf "$out"; mkdir -p "$out"
    /usr/bin/time -v "$@" >/dev/null 2>"$work/time.txt" || { cat "$work/time.txt"; exit 1; }
    local wall peak files var
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$work/time.txt")
    peak=$(awk -F': ' '/Maximum resident/ {printf "%.1f", $2/1024}' "$work/time.txt")
    files=$(find "$out" -type f | wc -l)
    printf '%-28s %8.2f s %9.1f MB %6d files\n' "$name" "$wall" "$peak" "$files"
    var="${name//[^a-z]/_}_wall"
    if [ -z "${!var:-}" ] || [ "$(echo "$wall < ${!var}" | bc)" = 1 ]; then
        eval "$var=$wall"
    fi
}

# Warm the page cache so every tool reads from memory.
cat "$work"/in/*.jpg >/dev/null

if [ "${ONLY:-strip}" = strip ] || [ -z "${ONLY:-}" ]; then
    echo
    echo "== lossless strip of $PHOTOS photos (best of 2) =="
    for run in 1 2; do
        measure "cp" bash -c "cp '$work'/in/*.jpg '$out/'"
        # cp is one process; schoolsite uses every core, so also cp on
        # every core, for a like-for-like limit.
        measure "cp (parallel)" bash -c "ls '$work'/in/*.jpg | xargs -P $(nproc) -n $(( (PHOTOS + $(nproc) - 1) / $(nproc) )) cp -t '$out/'"
        measure "schoolsite" "$bin" sanitise "$work"/in/*.jpg --out "$out" --keep-names
        measure "exiftool" exiftool -q -all= -tagsfromfile @ -orientation -o "$out/" "$work/in"
    done
    echo "schoolsite / cp:       $(echo "scale=2; $schoolsite_wall / $cp_wall" | bc)"
    echo "schoolsite / parallel cp: $(echo "scale=2; $schoolsite_wall / $cp__parallel__wall" | bc)"
    echo "exiftool / cp:         $(echo "scale=2; $exiftool_wall / $cp_wall" | bc)"
    echo "schoolsite / exiftool: $(echo "scale=3; $schoolsite_wall / $exiftool_wall" | bc)"
fi

if [ "${ONLY:-sizes}" = sizes ] || [ -z "${ONLY:-}" ]; then
    echo
    echo "== responsive sizes 480, 960, 1600 of $PHOTOS photos =="
    measure "vipsthumbnail" bash -c "for s in 480 960 1600; do vipsthumbnail -s \$s -o '$out/%s-\$s.jpg[Q=82,strip]' '$work'/in/*.jpg; done"
    measure "schoolsite sizes" "$bin" sanitise "$work"/in/*.jpg --out "$out" --keep-names --sizes 480,960 --max-long-edge 1600
    echo "schoolsite / vipsthumbnail: $(echo "scale=2; $schoolsite_sizes_wall / $vipsthumbnail_wall" | bc)"
fi
