#!/bin/sh
# Builds libfix in Release, makes the benchmark data, runs bench_repair (clean, garbled and
# Traditional text against memcpy / iconv / OpenCC timed in the same run) and, when valgrind is
# installed, counts instructions per byte on a 1 MB clean sample. Not a test: run it by hand.
#
#   bench/run.sh
#
# Environment: BUILD_DIR (/tmp/build-bench), DATA_DIR ($BUILD_DIR/bench-data), CLEAN_MB (20),
# GARBLED_MB (4), TRAD_MB (8), REPS (5: timed runs per figure), BUDGET (30: seconds after which
# a figure stops repeating), ONLY (clean,garbled,trad), CALLGRIND (1; 0 skips it),
# PROFILE (0; 1 also prints a perf profile of the clean whole-text repair).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
BUILD_DIR=${BUILD_DIR:-/tmp/build-bench}
DATA_DIR=${DATA_DIR:-$BUILD_DIR/bench-data}
CLEAN_MB=${CLEAN_MB:-20}
GARBLED_MB=${GARBLED_MB:-4}
TRAD_MB=${TRAD_MB:-8}
REPS=${REPS:-5}
BUDGET=${BUDGET:-30}
ONLY=${ONLY:-clean,garbled,trad}
CALLGRIND=${CALLGRIND:-1}
PROFILE=${PROFILE:-0}
PY=/usr/bin/python3
BENCH=$BUILD_DIR/bench/bench_repair

case "$BUILD_DIR" in "$REPO"|"$REPO"/*) echo "run.sh: build outside the repository" >&2; exit 2 ;; esac
[ -x "$PY" ] || { echo "run.sh: $PY missing" >&2; exit 2; }

echo "== build (Release) in $BUILD_DIR"
cmake -S "$REPO" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release \
    -DLIBFIX_BUILD_TESTS=OFF -DLIBFIX_BUILD_CLI=OFF >/dev/null
cmake --build "$BUILD_DIR" --target bench_repair -j "$(nproc 2>/dev/null || echo 2)" >/dev/null

echo "== data in $DATA_DIR"
"$PY" "$HERE/make_data.py" "$DATA_DIR" --clean-mb "$CLEAN_MB" --garbled-mb "$GARBLED_MB" \
    --trad-mb "$TRAD_MB"

echo "== throughput ($(uname -m), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //'))"
"$BENCH" --reps "$REPS" --budget "$BUDGET" --only "$ONLY" "$DATA_DIR"

if [ "$CALLGRIND" = 1 ] && command -v valgrind >/dev/null 2>&1; then
    SAMPLE=$DATA_DIR/clean1mb.txt
    BYTES=$(wc -c <"$SAMPLE")
    echo
    echo "== instructions per byte (valgrind --tool=callgrind, $BYTES bytes of clean text;"
    echo "   counted inside bench_measured() only, after a warm-up call; stable on a noisy machine)"
    printf '%-34s %12s %10s %10s\n' "what" "Ir" "Ir/byte" "vs iconv"
    IR_ICONV=
    for mode in iconv-whole memcpy-whole repair-whole iconv-lines repair-lines; do
        out=$DATA_DIR/callgrind.$mode.out
        valgrind --tool=callgrind --toggle-collect=bench_measured --callgrind-out-file="$out" \
            "$BENCH" --once "$mode" "$SAMPLE" >/dev/null 2>&1
        ir=$(awk '/^(summary|totals):/ { v = $2 } END { print v + 0 }' "$out")
        case $mode in iconv-whole|iconv-lines) IR_ICONV=$ir ;; esac
        awk -v m="$mode" -v ir="$ir" -v b="$BYTES" -v base="$IR_ICONV" 'BEGIN {
            r = (m ~ /^iconv/ || base == 0) ? "" : sprintf("%.3gx", ir / base)
            printf "%-34s %12.0f %10.1f %10s\n", m, ir, ir / b, r }'
    done
    echo "   (profiles: callgrind_annotate $DATA_DIR/callgrind.repair-whole.out)"
fi

if [ "$PROFILE" = 1 ] && command -v perf >/dev/null 2>&1; then
    echo
    echo "== perf profile of libfix_repair on the whole clean text (self time)"
    perf record -q -o "$DATA_DIR/perf.data" "$BENCH" --once repair-whole "$DATA_DIR/clean.txt" 1 \
        >/dev/null 2>&1
    perf report -i "$DATA_DIR/perf.data" --no-children --stdio 2>/dev/null |
        grep -E '^ +[0-9.]+%' | head -20
fi
