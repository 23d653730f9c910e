#!/bin/sh
# Build from scratch with every binding and run every test (the README's test command).
# Then the same suite under AddressSanitizer and UndefinedBehaviorSanitizer
# (LIBFIX_SKIP_SANITIZE=1 skips it), and every libFuzzer harness for a short fixed budget
# under the same sanitizers (fuzz/ci_fuzz.sh; LIBFIX_SKIP_FUZZ=1 skips it).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-"$top/build"}
jobs=$(nproc 2>/dev/null || echo 2)
rm -rf "$build"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DLIBFIX_BUILD_PYTHON=ON -DLIBFIX_BUILD_LUA=ON
cmake --build "$build" -j "$jobs"
ctest --test-dir "$build" --output-on-failure -j "$jobs"
if [ "${LIBFIX_SKIP_SANITIZE:-0}" != 1 ]; then
  asan="$build-asan"
  rm -rf "$asan"
  cmake -S "$top" -B "$asan" -DCMAKE_BUILD_TYPE=Debug -DLIBFIX_SANITIZE=address,undefined
  cmake --build "$asan" -j "$jobs"
  ctest --test-dir "$asan" --output-on-failure -j "$jobs"
fi
if [ "${LIBFIX_SKIP_FUZZ:-0}" != 1 ]; then
  LIBFIX_FUZZ_WORK="$build-fuzz" "$top/fuzz/ci_fuzz.sh"
fi
