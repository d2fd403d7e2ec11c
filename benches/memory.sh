#!/bin/bash
# Peak memory for hostile inputs (BENCHMARKS.md, "Memory for hostile
# inputs"): bash benches/memory.sh [SCHOOLSITE] [DIR]
# Makes the inputs once (python3 benches/hostile_inputs.py; ffmpeg for the
# animated GIF), then for each runs `schoolsite sanitise FILE` and
# `schoolsite build` of a site whose home page links to it, under
# /usr/bin/time -v, and prints the exit code, the peak resident set and
# the start of what was said. Runs under `ulimit -v 16000000` so that a
# regression is killed rather than taking the machine.
set -u
BIN=$(realpath "${1:-target/release/schoolsite}")
DIR=$(realpath -m "${2:-/tmp/schoolsite-hostile}")
REPO=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$DIR/in"
if [ ! -e "$DIR/in/page-paras-2m.md" ]; then
  python3 "$REPO/benches/hostile_inputs.py" "$DIR/in"
  command -v ffmpeg >/dev/null && ffmpeg -v error -y -f lavfi \
    -i color=c=gray:s=10000x10000:d=0.2:r=10 -f gif "$DIR/in/anim-100mp-2f.gif"
fi
ulimit -v 16000000
site() { # a site whose home page links to $1 (hard-linked in), in $DIR/site
  local S=$DIR/site; rm -rf "$S"; mkdir -p "$S/content" "$S/consent" "$S/themes"
  cp -r "$REPO/themes/schoolsite" "$S/themes/"
  printf 'title = "Test School"\nbase_url = "https://www.test.example.sch.uk"\n[school]\nname = "Test School"\naddress = "1 Test Lane"\nphone = "01632 960 000"\nemail = "office@test.example.sch.uk"\n[statutory]\nprofile = "none"\n' > "$S/config.toml"
  printf 'checked_by = "A. Patel, designated safeguarding lead"\nchecked_on = 2026-09-07\nids = []\nnone = true\n' > "$S/consent/never-publish.toml"
  printf '+++\ntitle = "Home"\n+++\n\nWelcome. [the file](file.%s)\n' "$2" > "$S/content/_index.md"
  ln "$1" "$S/content/file.$2"
}
report() { # $1 name, $2 what, $3 exit code, $4 output file
  # What was said of the file itself (a build also reports the link to a
  # file it refused), else the last line.
  local said
  said=$(grep -A2 -E '^(content/(file|big)\.|.*/in/)' "$4" | grep -v '^content/')
  [ -n "$said" ] || said=$(tail -n 1 "$4")
  printf "%-22s %-8s exit %-3s %8s KB  %s\n" "$1" "$2" "$3" \
    "$(awk '/Maximum resident/ {print $NF}' "$DIR/time.txt")" \
    "$(echo "$said" | tr '\n' ' ' | sed 's/  */ /g' | cut -c1-150)"
}
for f in "$DIR"/in/*; do
  name=$(basename "$f"); ext=${name##*.}
  if [ "$ext" = md ]; then
    site "$f" md; rm "$DIR/site/content/file.md"; ln "$f" "$DIR/site/content/big.md"
    printf '+++\ntitle = "Home"\n+++\n\nWelcome.\n' > "$DIR/site/content/_index.md"
  else
    rm -rf "$DIR/out"
    /usr/bin/time -v -o "$DIR/time.txt" timeout 600 "$BIN" sanitise --out "$DIR/out" "$f" > "$DIR/said.txt" 2>&1
    report "$name" sanitise $? "$DIR/said.txt"
    site "$f" "$ext"
  fi
  (cd "$DIR/site" && /usr/bin/time -v -o "$DIR/time.txt" timeout 600 "$BIN" build > "$DIR/said.txt" 2>&1)
  report "$name" build $? "$DIR/said.txt"
done
