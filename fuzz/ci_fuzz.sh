#!/bin/sh
# CI: every libFuzzer harness for a short budget (20 s each, about two minutes in all), built
# without the strict checks, so that only properties the library meets can fail. Exit status 1
# on any crash, sanitizer report or property failure (reproducers in $WORK/artifacts).
#
#   fuzz/ci_fuzz.sh [SECONDS_PER_HARNESS]
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
exec "$HERE/run_campaign.sh" --no-strict -t "${1:-20}" -w "${LIBFIX_FUZZ_WORK:-/tmp/libfix-fuzz-ci}"
