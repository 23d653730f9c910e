#!/bin/sh
# Build the libFuzzer harnesses with clang and fuzz each one for a time or run budget, then
# print executions and findings per harness. See fuzz/README.md.
#
#   fuzz/run_campaign.sh [options] [HARNESS...]      (default: every harness)
#     -t SECONDS     time per harness (default 600)
#     -r RUNS        stop a harness after RUNS executions (default: no limit)
#     -j JOBS        harnesses fuzzed at the same time (default 1)
#     -w DIR         work directory: build, grown corpora, artifacts, logs (default /tmp/libfix-fuzz)
#     -s SANITIZERS  sanitizers of the fuzz build (default address,undefined; "none" for speed)
#     -S SEED        libFuzzer's random seed (default: from the clock); with -r, a run repeats
#     -m MAX_LEN     longest input the fuzzers make (default per harness: repair 1024, codec
#                    2048, jsonl 8192, others 4096)
#     --no-strict    build without LFX_FUZZ_STRICT (only the properties that hold; what CI runs)
#     --strict-abort stop at the first strict property failure instead of counting them
#     --keep-going   fork mode: keep fuzzing after a crash (-fork=1 -ignore_crashes=1 ...)
#     --merge        afterwards, add the inputs that bring new coverage to fuzz/corpus/<harness>/
#
# Exit status: 0 when no harness crashed (strict property failures are counted, not fatal,
# unless --strict-abort), 1 otherwise, 2 on usage or build errors.
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
SECONDS_PER=600
RUNS=-1
JOBS=1
WORK=/tmp/libfix-fuzz
STRICT=ON
SANITIZERS=address,undefined
STRICT_ABORT=0
KEEP_GOING=0
MERGE=0
MAX_LEN=
SEED=0
ALL="repair detect codec layers script jsonl"
HARNESSES=""

while [ $# -gt 0 ]; do
    case $1 in
    -t) SECONDS_PER=$2; shift 2 ;;
    -r) RUNS=$2; shift 2 ;;
    -j) JOBS=$2; shift 2 ;;
    -w) WORK=$2; shift 2 ;;
    -s) SANITIZERS=$2; shift 2 ;;
    -m) MAX_LEN=$2; shift 2 ;;
    -S) SEED=$2; shift 2 ;;
    --no-strict) STRICT=OFF; shift ;;
    --strict-abort) STRICT_ABORT=1; shift ;;
    --keep-going) KEEP_GOING=1; shift ;;
    --merge) MERGE=1; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    -*) echo "run_campaign.sh: unknown option $1" >&2; exit 2 ;;
    *) HARNESSES="$HARNESSES $1"; shift ;;
    esac
done
[ -n "$HARNESSES" ] || HARNESSES=$ALL

CC=${CC:-clang}
command -v "$CC" >/dev/null 2>&1 || { echo "run_campaign.sh: $CC not found (libFuzzer needs clang)" >&2; exit 2; }

BUILD=$WORK/build-strict-$STRICT-$(echo "$SANITIZERS" | tr ',' '-')
mkdir -p "$BUILD" "$WORK/logs" "$WORK/artifacts" "$WORK/strict"
echo "== building in $BUILD (LFX_FUZZ_STRICT $STRICT, sanitizers $SANITIZERS)"
CC=$CC cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLIBFIX_BUILD_FUZZERS=ON \
    -DLIBFIX_FUZZ_STRICT=$STRICT -DLIBFIX_FUZZ_SANITIZERS="$SANITIZERS" -DLIBFIX_BUILD_TESTS=ON >"$WORK/logs/cmake.log" 2>&1 ||
    { cat "$WORK/logs/cmake.log" >&2; exit 2; }
TARGETS=""
for h in $HARNESSES; do TARGETS="$TARGETS fuzz_$h"; done
# shellcheck disable=SC2086
cmake --build "$BUILD" --target $TARGETS -j "$JOBS" >"$WORK/logs/build.log" 2>&1 ||
    { tail -40 "$WORK/logs/build.log" >&2; exit 2; }

max_len() {
    [ -z "$MAX_LEN" ] || { echo "$MAX_LEN"; return; }
    # repair costs tens of microseconds per byte on hostile input (more under ASan): keep its
    # inputs short so that the fuzzer explores instead of waiting
    case $1 in
    repair) echo 1024 ;;
    codec) echo 2048 ;;
    jsonl) echo 8192 ;;
    *) echo 4096 ;;
    esac
}

run_one() {
    h=$1
    corpus=$WORK/corpus/$h
    mkdir -p "$corpus" "$WORK/strict/$h"
    # regression inputs seed the run too
    for f in "$SRC"/fuzz/regressions/"$h"-*; do [ -f "$f" ] && cp "$f" "$corpus/"; done
    extra=""
    [ "$KEEP_GOING" = 1 ] && extra="-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1"
    if [ "$STRICT_ABORT" = 1 ]; then unset LFX_FUZZ_STRICT_CONTINUE; else export LFX_FUZZ_STRICT_CONTINUE=1; fi
    # shellcheck disable=SC2086
    LFX_FUZZ_STATS=1 LFX_FUZZ_STRICT_DIR=$WORK/strict/$h \
        "$BUILD/fuzz/fuzz_$h" -seed="$SEED" -max_total_time="$SECONDS_PER" -runs="$RUNS" -max_len="$(max_len "$h")" \
        -timeout=30 -rss_limit_mb=2560 -print_final_stats=1 -artifact_prefix="$WORK/artifacts/$h-" $extra \
        "$corpus" "$SRC/fuzz/corpus/$h" >"$WORK/logs/$h.log" 2>&1 || true
}

touch "$WORK/.started"
echo "== fuzzing: $HARNESSES ($SECONDS_PER s each, runs $RUNS, $JOBS at a time); logs in $WORK/logs"
running=0
for h in $HARNESSES; do
    run_one "$h" &
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then wait; running=0; fi
done
wait

status=0
printf '\n%-8s %12s %9s %8s %9s  %s\n' harness executions exec/s corpus findings "strict property failures"
for h in $HARNESSES; do
    log=$WORK/logs/$h.log
    execs=$(grep -ao 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
    [ -n "$execs" ] || execs=$(grep -ao 'Done [0-9]* runs' "$log" | tail -1 | grep -o '[0-9][0-9]*' || true)
    speed=$(grep -ao 'stat::average_exec_per_sec: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
    ncorpus=$(ls "$WORK/corpus/$h" | wc -l)
    findings=$(find "$WORK/artifacts" -name "$h-*" -newer "$WORK/.started" | wc -l)
    strict=$(grep -a 'failed [0-9]* of [0-9]* checks' "$log" | awk '$3 != 0 {printf "%s %s/%s; ", $1, $3, $5}' || true)
    printf '%-8s %12s %9s %8s %9s  %s\n' "$h" "${execs:-?}" "${speed:-?}" "$ncorpus" "$findings" "${strict:--}"
    [ "$findings" = 0 ] || status=1
    if grep -aq 'PROPERTY FAILED\|ERROR: AddressSanitizer\|runtime error\|ERROR: libFuzzer\|LeakSanitizer' "$log"; then
        grep -a -m3 'PROPERTY FAILED\|ERROR: AddressSanitizer\|runtime error\|ERROR: libFuzzer\|LeakSanitizer' "$log" | sed 's/^/           /'
        status=1
    fi
done
find "$WORK/artifacts" -type f -newer "$WORK/.started" | sed "s|^|artifact: |"
echo "strict failure examples: $WORK/strict/<harness>/"

if [ "$MERGE" = 1 ]; then
    for h in $HARNESSES; do
        before=$(ls "$SRC/fuzz/corpus/$h" | wc -l)
        LFX_FUZZ_STRICT_CONTINUE=1 "$BUILD/fuzz/fuzz_$h" -merge=1 -max_len="$(max_len "$h")" "$SRC/fuzz/corpus/$h" "$WORK/corpus/$h" \
            >"$WORK/logs/$h.merge.log" 2>&1 || echo "merge of $h failed (see $WORK/logs/$h.merge.log)"
        echo "merged $h: $before -> $(ls "$SRC/fuzz/corpus/$h" | wc -l) files"
    done
fi
exit $status
