#!/usr/bin/env bash
# Cleaning a long phone clip: `schoolsite sanitise` against `cp` (the
# limit: copying the bytes) and `ffmpeg -map_metadata -1 -c copy` (the
# usual advice), in one run on the same file, alternating, best of 3.
# Prints wall time and peak memory (from /usr/bin/time) with the ratios
# against cp, and what exiftool still finds in each output.
#
#   bash benches/video.sh [MEGABYTES]       # default 500
#
# The clip is made once with ffmpeg: 1080p H.264 with AAC sound at a high
# bitrate, with a location, make, model, title and creation time, joined
# end to end (without re-encoding) until it reaches the size asked for.
# Everything goes to a RAM disk (/dev/shm) when there is one, so the
# numbers measure the tools, not the disk. BENCH_DIR=dir keeps the clip.
#
# Needs: ffmpeg, exiftool, /usr/bin/time.
set -euo pipefail

MB=${1:-500}
here=$(cd "$(dirname "$0")/.." && pwd)
base=/tmp
[ -d /dev/shm ] && base=/dev/shm
work=${BENCH_DIR:-$(mktemp -d "$base/schoolsite-video.XXXXXX")}
mkdir -p "$work"
trap '[ -z "${BENCH_DIR:-}" ] && rm -rf "$work"' EXIT

for tool in ffmpeg exiftool; do
    command -v $tool >/dev/null || { echo "$tool is not installed"; exit 2; }
done
[ -x /usr/bin/time ] || { echo "/usr/bin/time is not installed (apt-get install time)"; exit 2; }

echo "building schoolsite (release)..."
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin="$here/target/release/schoolsite"

clip="$work/clip.mp4"
if [ ! -f "$clip" ]; then
    echo "making a ${MB} MB clip..."
    ffmpeg -v error -y -f lavfi -i testsrc2=size=1920x1080:rate=30 -f lavfi -i sine=frequency=440 \
        -t 10 -c:v libx264 -preset ultrafast -b:v 60M -maxrate 60M -bufsize 60M -c:a aac \
        "$work/part.mp4"
    part=$(stat -c %s "$work/part.mp4")
    n=$(( (MB * 1000000 + part - 1) / part ))
    : > "$work/list.txt"
    for _ in $(seq "$n"); do echo "file 'part.mp4'" >> "$work/list.txt"; done
    ffmpeg -v error -y -f concat -safe 0 -i "$work/list.txt" -c copy \
        -metadata title="Amelia Smith at sports day" -metadata location="+51.5074-000.1278/" \
        -metadata make=Apple -metadata model="iPhone 15 Pro" \
        -metadata creation_time=2026-06-01T10:00:00Z -movflags use_metadata_tags "$clip"
    rm -f "$work/part.mp4"
fi
size=$(stat -c %s "$clip")
awk -v s="$size" 'BEGIN { printf "clip: %.0f MB\n\n", s / 1000000 }'

# Runs a command under /usr/bin/time; prints "seconds peak_kb".
measure() {
    /usr/bin/time -f '%e %M' -o "$work/time.txt" "$@" >/dev/null 2>"$work/err.txt" \
        || { cat "$work/err.txt" >&2; exit 1; }
    cat "$work/time.txt"
}

declare -A best mem
for tool in cp schoolsite ffmpeg; do best[$tool]=999999; mem[$tool]=0; done
for run in 1 2 3; do
    for tool in cp schoolsite ffmpeg; do
        out="$work/out-$tool"
        rm -rf "$out"; mkdir -p "$out"
        case $tool in
            cp) r=$(measure cp "$clip" "$out/clip.mp4") ;;
            schoolsite) r=$(measure "$bin" sanitise "$clip" --out "$out" --keep-names) ;;
            ffmpeg) r=$(measure ffmpeg -v error -y -i "$clip" -map 0 -map_metadata -1 -c copy "$out/clip.mp4") ;;
        esac
        read -r secs kb <<< "$r"
        if awk -v a="$secs" -v b="${best[$tool]}" 'BEGIN { exit !(a < b) }'; then best[$tool]=$secs; fi
        if (( kb > ${mem[$tool]} )); then mem[$tool]=$kb; fi
    done
done

# A site build publishing the clip: cleaned from disk to disk too, so a
# build's memory does not grow with the clips it publishes.
site="$work/site"
rm -rf "$site"; mkdir -p "$site/content/film" "$site/themes"
cp -r "$here/themes/schoolsite" "$site/themes/"
cat > "$site/config.toml" <<'TOML'
title = "Bench School"
base_url = "https://www.bench.example.sch.uk"
[school]
name = "Bench School"
address = "1 Bench Lane"
phone = "01632 960 000"
email = "office@bench.example.sch.uk"
[statutory]
profile = "none"
[video]
max_size_mb = 2000
TOML
printf '+++\ntitle = "Home"\n+++\n' > "$site/content/_index.md"
printf '+++\ntitle = "Sports day"\n+++\n\n![The relay race](clip.mp4)\n' > "$site/content/film/index.md"
printf '[[photo]]\nfile = "clip.mp4"\nnobody = true\n' > "$site/content/film/photos.toml"
printf 'WEBVTT\n\n00:00:00.000 --> 00:00:05.000\nOn your marks!\n' > "$site/content/film/clip.vtt"
rm -f "$site/content/film/clip.mp4"; cp "$clip" "$site/content/film/clip.mp4"
build_best=999999; build_mem=0
for run in 1 2 3; do
    r=$(measure "$bin" build --root "$site")
    read -r secs kb <<< "$r"
    if awk -v a="$secs" -v b="$build_best" 'BEGIN { exit !(a < b) }'; then build_best=$secs; fi
    if (( kb > build_mem )); then build_mem=$kb; fi
done

printf '%-32s %8s %9s %10s  %s\n' tool "best (s)" "vs cp" "peak MB" "exiftool still finds"
for tool in cp schoolsite ffmpeg; do
    case $tool in
        cp) name="cp (the limit)" ;;
        schoolsite) name="schoolsite sanitise" ;;
        ffmpeg) name="ffmpeg -map_metadata -1 -c copy" ;;
    esac
    found=$(exiftool -a -G1 -ee "$work/out-$tool/clip.mp4" 2>/dev/null \
        | grep -E 'GPS|Location|Make|Model|Title|Create Date|Modify Date|Encoder' \
        | grep -v ': 0000:00:00 00:00:00' \
        | sed -E 's/^\[[^]]*\] *//; s/ *:.*//' | sort -u | paste -sd, - || true)
    awk -v n="$name" -v t="${best[$tool]}" -v c="${best[cp]}" -v m="${mem[$tool]}" -v f="${found:-nothing}" \
        'BEGIN { printf "%-32s %8.2f %8.2f× %10.0f  %s\n", n, t, t / c, m / 1024, f }'
done
awk -v t="$build_best" -v c="${best[cp]}" -v m="$build_mem" \
    'BEGIN { printf "%-32s %8.2f %8.2f× %10.0f  %s\n", "schoolsite build (site with it)", t, t / c, m / 1024, "(the whole build)" }'
