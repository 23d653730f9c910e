#!/bin/sh
# valgrind memcheck over the corpus replays and the thread test of a build tree (a plain build:
# valgrind and the sanitizers do not mix). Exit status 1 when valgrind reports an error or a
# definite leak in any of them.
#
#   fuzz/memcheck.sh BUILD_DIR
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:?usage: fuzz/memcheck.sh BUILD_DIR}
VG="valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect --suppressions=$SRC/fuzz/valgrind.supp"
status=0
for exe in "$BUILD"/fuzz/fuzz_*_replay; do
    h=$(basename "$exe" _replay)
    h=${h#fuzz_}
    if $VG "$exe" "$SRC/fuzz/corpus/$h" --prefix="$h-" "$SRC/fuzz/regressions" >"$BUILD/memcheck-$h.log" 2>&1; then
        echo "memcheck $h: clean"
    else
        echo "memcheck $h: FAILED (see $BUILD/memcheck-$h.log)"
        status=1
    fi
done
if $VG "$BUILD/fuzz/tsan_threads" >"$BUILD/memcheck-threads.log" 2>&1; then echo "memcheck threads: clean"; else
    echo "memcheck threads: FAILED (see $BUILD/memcheck-threads.log)"
    status=1
fi
exit $status
