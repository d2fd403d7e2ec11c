#!/usr/bin/env bash
# A long fuzz run of one target, seeded with real files, as BENCHMARKS.md
# records them:
#
#   bash fuzz/long.sh TARGET [SECONDS] [SEEDS...]     # default 3600 s
#
# The working corpus is fuzz/corpus/TARGET (kept between runs, not in
# git); each SEEDS folder is read as well (libFuzzer only reads it, and
# keeps what adds coverage in the working corpus). With no SEEDS the
# target's own seeds in fuzz/seeds are used. Real-file seed collections
# (see "Fuzzing" in README.md for which) go in fuzz/corpus/TARGET-seeds,
# which is read when it exists.
#
# Runs at the lowest priority, prints libFuzzer's final statistics, and
# writes anything it finds to fuzz/artifacts/TARGET/. KEEP_GOING=1 runs
# libFuzzer in fork mode, going on after a finding for the whole time.
set -euo pipefail
target=${1:?usage: bash fuzz/long.sh TARGET [SECONDS] [SEEDS...]}
seconds=${2:-3600}
shift $(($# < 2 ? $# : 2))
cd "$(dirname "$0")"

seeds=("$@")
[ -d "corpus/$target-seeds" ] && seeds+=("corpus/$target-seeds")
[ ${#seeds[@]} -eq 0 ] && seeds=(seeds)
mkdir -p "corpus/$target"

# Big seeds (whole camera files, PDFs) are allowed; the fuzzer still
# prefers small mutations of them.
case $target in
    sanitise) max_len=400000 ;;
    document) max_len=1100000 ;;
    video) max_len=40000 ;;
    gate) max_len=40000 ;;
    *) max_len=20000 ;;
esac

extra=()
[ -n "${KEEP_GOING:-}" ] && extra=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)

nice -n 19 cargo fuzz run -s none -O "$target" "corpus/$target" "${seeds[@]}" -- \
    -max_total_time="$seconds" -max_len="$max_len" -rss_limit_mb=4096 \
    -timeout=120 -print_final_stats=1 "${extra[@]}"
