#!/usr/bin/env bash
# What counting faces costs: a cold `check` (no image cache) of the example
# site with face counting on (the default) and off, in one hyperfine run,
# and a warm one, where counts come from the cache.
#
#   bash benches/faces.sh
#
# Needs: hyperfine (Debian: hyperfine).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin="$here/target/release/schoolsite"
for mode in on off; do
  mkdir -p "$work/$mode"
  cp -r "$here/config.toml" "$here/content" "$here/themes" "$here/consent" "$work/$mode/"
done
printf '\n[consent]\nfaces = "off"\n' >> "$work/off/config.toml"
photos=$(find "$here/content" -name '*.jpg' -o -name '*.png' | wc -l)
echo "example site, $photos photos: cold check (--no-cache)"
hyperfine -N -w 2 -r 15 \
  -n "faces counted" "$bin check --no-cache --today 2026-11-23 --root $work/on" \
  -n "faces off" "$bin check --no-cache --today 2026-11-23 --root $work/off"
echo "warm check (counts read from .schoolsite/cache)"
hyperfine -N -w 2 -r 15 \
  -n "faces counted" "$bin check --today 2026-11-23 --root $work/on" \
  -n "faces off" "$bin check --today 2026-11-23 --root $work/off"
