#!/bin/sh
# CI: every libFuzzer harness for a short, fixed budget of executions with a fixed seed (a
# minute or two in all, under AddressSanitizer and UndefinedBehaviorSanitizer), built without
# the strict checks, so that only properties the library meets can fail. The same code fuzzes
# the same inputs on every run: a red CI is a finding to reproduce, not bad luck. Exit status
# 1 on any crash, sanitizer report or property failure (reproducers in $WORK/artifacts).
#
#   fuzz/ci_fuzz.sh [SCALE]      (SCALE multiplies every budget; default 1)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${LIBFIX_FUZZ_WORK:-/tmp/libfix-fuzz-ci}
SCALE=${1:-1}
JOBS=$(nproc 2>/dev/null || echo 2)
# a fresh start: the grown corpus of an earlier run would change what is fuzzed
rm -rf "$WORK/corpus" "$WORK/artifacts"
status=0
# executions per harness: about 15-20 s each on one core of the development machine
for spec in repair:4000 detect:30000 codec:400000 layers:400000 script:400000 jsonl:400000; do
    h=${spec%%:*}
    runs=$(( ${spec#*:} * SCALE ))
    "$HERE/run_campaign.sh" --no-strict -S 1 -r "$runs" -t 600 -j "$JOBS" -w "$WORK" "$h" || status=1
done
exit $status
