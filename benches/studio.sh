#!/usr/bin/env bash
# How fast the studio answers an office worker:
#
# 1. a studio page (the pages list, a page's form, a photo's "who is in
#    it", all findings) with the example site, median and slowest of RUNS
#    requests each once the first build is done;
# 2. a save on a site of PAGES pages (the example site and PAGES news
#    posts): the time from posting the form to the answer that shows the
#    page's findings from a build of what was saved (the studio waits for
#    that build before it answers), median and slowest of 5 saves.
#
#   bash benches/studio.sh [PAGES] [RUNS]
#   SCHOOLSITE=path/to/schoolsite bash benches/studio.sh
#
# Needs: curl and python3.
set -euo pipefail

PAGES=${1:-1000}
RUNS=${2:-20}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${SCHOOLSITE:-}" ]; then
    echo "building schoolsite (release)..."
    cargo build --release --quiet --manifest-path "$here/Cargo.toml"
    target=${CARGO_TARGET_DIR:-$here/target}
    SCHOOLSITE="$target/release/schoolsite"
fi

copy_site() {
    mkdir -p "$1"
    cp -r "$here/content" "$here/themes" "$here/consent" "$here/config.toml" "$1/"
}

# Starts the studio on $1; sets $studio (its origin) once the first build
# is served,
# and opens the address it printed as a browser would: $jar holds the
# session cookie every request then sends.
start() {
    "$SCHOOLSITE" studio --port 0 --today 2026-11-24 --root "$1" >"$1.out" 2>/dev/null &
    pids+=($!)
    studio=""
    jar="$1.jar"
    for _ in $(seq 1 600); do
        launch=$(sed -n 's#^studio on \([^ ]*\) .*#\1#p' "$1.out" | head -1)
        if [ -n "$launch" ] && grep -q '^\[1\]' "$1.out"; then
            # http://studio-….localhost:PORT (curl takes ….localhost to
            # this computer, as browsers do).
            studio="${launch%%/studio/*}"
            curl -s -c "$jar" -o /dev/null "$launch"
            return 0
        fi
        sleep 0.1
    done
    echo "the studio did not start: $(cat "$1.out")"
    exit 1
}

# Prints "median slowest" in milliseconds of the times (seconds) on stdin.
stats() {
    python3 -c '
import sys, statistics
t = sorted(float(x) * 1000 for x in sys.stdin.read().split())
print(f"{statistics.median(t):.1f} ms median, {t[-1]:.1f} ms slowest")'
}

echo "1. studio pages with the example site ($RUNS requests each)"
copy_site "$work/example"
start "$work/example"
for path in "/studio/" "/studio/edit?page=about.md" \
    "/studio/photo?file=school-building.jpg" "/studio/findings"; do
    status=$(curl -s -b "$jar" -o /dev/null -w '%{http_code}' "$studio$path")
    [ "$status" = 200 ] || { echo "$path answered $status"; exit 1; }
    printf '  %-45s ' "$path"
    for _ in $(seq 1 "$RUNS"); do
        curl -s -b "$jar" -o /dev/null -w '%{time_total}\n' "$studio$path"
    done | stats
done

echo "2. a save on a site of $PAGES more pages (5 saves)"
copy_site "$work/big"
python3 - "$work/big/content/news" "$PAGES" <<'PY'
import os, sys, random, datetime
folder, pages = sys.argv[1], int(sys.argv[2])
random.seed(1)
words = "school garden library reading children parents teacher class trip music sport science art week term assembly lunch club choir".split()
def para(n):
    return " ".join(random.choice(words) for _ in range(n)).capitalize() + "."
start = datetime.date(2020, 1, 1)
for i in range(pages):
    day = start + datetime.timedelta(days=i)
    with open(os.path.join(folder, f"{day}-post-{i}.md"), "w") as f:
        f.write(f'+++\ntitle = "Post {i}"\ndate = {day}\n+++\n\n')
        f.write("\n\n".join(para(60) for _ in range(4)) + "\n")
PY
start "$work/big"
page="news/2020-01-01-post-0.md"
base="$studio"
for i in 1 2 3 4 5; do
    form=$(curl -s -b "$jar" "$base/studio/edit?page=$page")
    token=$(printf '%s' "$form" | sed -n 's/.*name="token" value="\([0-9a-f]*\)".*/\1/p' | head -1)
    version=$(printf '%s' "$form" | sed -n 's/.*name="version" value="\([0-9a-fnew]*\)".*/\1/p' | head -1)
    answer="$work/answer-$i.html"
    curl -s -b "$jar" -o "$answer" -w '%{time_total}\n' \
        -H "Origin: $base" -H "Sec-Fetch-Site: same-origin" \
        --data-urlencode "token=$token" --data-urlencode "page=$page" \
        --data-urlencode "version=$version" --data-urlencode "title=Post 0" \
        --data-urlencode "date=2020-01-01" \
        --data-urlencode "body=Edited for the benchmark, save $i." \
        "$base/studio/edit"
    grep -q "The findings below are from a build of what you saved" "$answer" \
        || { echo "save $i did not show a fresh build's findings"; exit 1; }
done | { printf '  %-45s ' "save, until its findings are shown"; stats; }
echo "  the builds those saves waited for, as the studio printed them:"
grep -E '^\[[0-9]+\] (built|blocked) in' "$work/big.out" | tail -5 | sed 's/^/    /'
