#!/bin/sh
# Install the built project into a scratch prefix, then build a program against it twice: with
# CMake's find_package(libfix) and with pkg-config. Usage: run.sh BUILD_DIR SOURCE_DIR SCRATCH
set -eu
build=$1 src=$2 scratch=$3
rm -rf "$scratch"
mkdir -p "$scratch"
cmake --install "$build" --prefix "$scratch/prefix" >/dev/null
cmake -S "$src/tests/consumer" -B "$scratch/cmake" -DCMAKE_PREFIX_PATH="$scratch/prefix" >/dev/null
cmake --build "$scratch/cmake" >/dev/null
LD_LIBRARY_PATH="$scratch/prefix/lib:$scratch/prefix/lib64:$scratch/prefix/lib/x86_64-linux-gnu" "$scratch/cmake/consumer"
pc=$(find "$scratch/prefix" -name libfix.pc -print -quit)
export PKG_CONFIG_PATH="$(dirname "$pc")"
# shellcheck disable=SC2046
pc_args="--define-variable=prefix=$scratch/prefix"
cc -o "$scratch/consumer-pc" "$src/tests/consumer/main.c" $(pkg-config $pc_args --cflags --libs libfix)
LD_LIBRARY_PATH="$(pkg-config $pc_args --variable=libdir libfix)" "$scratch/consumer-pc"
echo "2 passed, 0 failed"
