#!/bin/sh
# Throughput and memory of the zhfix command-line tool, each figure against `cat FILE > /dev/null`
# measured in the same run (not a test: run it by hand, put the figures in the README).
#
#   bench/bench_cli.sh [ZHFIX]          ZHFIX defaults to build/cli/zhfix
#
# Environment: BENCH_DIR (work files, default /tmp/zhfix-bench), CLEAN_MB (200), GARBLED_MB (100),
# BIG_MB (1024, for peak RSS), LONG_MB (256, one line without a newline), RUNS (3: best of).
# Targets (issue 4): clean lines >= 300 MB/s on one thread; garbled lines >= 20 MB/s on one
# thread; -j 2 >= 1.8 x -j 1; peak RSS < 64 MB for a 1 GB input.
set -eu

ZHFIX=${1:-build/cli/zhfix}
HERE=$(cd "$(dirname "$0")" && pwd)
SAMPLE="$HERE/../examples/news_sample.expected.txt"
DIR=${BENCH_DIR:-/tmp/zhfix-bench}
CLEAN_MB=${CLEAN_MB:-200}
GARBLED_MB=${GARBLED_MB:-100}
BIG_MB=${BIG_MB:-1024}
LONG_MB=${LONG_MB:-256}
RUNS=${RUNS:-3}
PY=/usr/bin/python3
TIME=/usr/bin/time

[ -x "$ZHFIX" ] || { echo "bench_cli: no zhfix at $ZHFIX (build it first)" >&2; exit 1; }
[ -x "$TIME" ] || { echo "bench_cli: $TIME missing (apt-get install time)" >&2; exit 1; }
[ -x "$PY" ] || { echo "bench_cli: $PY missing" >&2; exit 1; }
mkdir -p "$DIR"

# repeat SRC into DST until DST holds at least MB megabytes (10^6 bytes)
repeat_to() {
    src=$1 dst=$2 mb=$3
    want=$((mb * 1000000))
    cp "$src" "$dst.part"
    while [ "$(wc -c <"$dst.part")" -lt "$want" ]; do
        cat "$dst.part" "$dst.part" >"$dst.tmp"
        mv "$dst.tmp" "$dst.part"
    done
    head -c "$want" "$dst.part" | sed '$d' >"$dst" # whole lines only
    rm -f "$dst.part"
}

# FILE is missing or not about MB megabytes
need() { ! [ -s "$1" ] || [ "$(wc -c <"$1")" -lt $(($2 * 990000)) ] || [ "$(wc -c <"$1")" -gt $(($2 * 1000000)) ]; }

# Simplified Chinese news text, UTF-8 (the shipped sample, repeated)
if need "$DIR/clean.txt" "$CLEAN_MB"; then repeat_to "$SAMPLE" "$DIR/clean.txt" "$CLEAN_MB"; fi
# the same text as UTF-8 read as windows-1252 (browser-style: the five undefined bytes become
# C1 controls) and saved again as UTF-8: "发送成功" -> "å‘é€æˆåŠŸ"
if need "$DIR/garbled.txt" "$GARBLED_MB"; then
    "$PY" - "$SAMPLE" "$DIR/garbled_sample.txt" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
out = "".join(chr(b) if b in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else bytes([b]).decode("cp1252") for b in data)
open(sys.argv[2], "w", encoding="utf-8", newline="").write(out)
EOF
    repeat_to "$DIR/garbled_sample.txt" "$DIR/garbled.txt" "$GARBLED_MB"
fi
if need "$DIR/big.txt" "$BIG_MB"; then repeat_to "$SAMPLE" "$DIR/big.txt" "$BIG_MB"; fi
if need "$DIR/long.txt" "$LONG_MB"; then
    repeat_to "$SAMPLE" "$DIR/long.part" "$LONG_MB"
    tr -d '\n' <"$DIR/long.part" >"$DIR/long.txt" # one line, no newline at all
    rm -f "$DIR/long.part"
fi

now() { date +%s.%N; }
# best wall time of RUNS runs of a command (output to /dev/null)
best() {
    b=""
    i=0
    while [ $i -lt "$RUNS" ]; do
        t0=$(now)
        "$@" >/dev/null
        t1=$(now)
        t=$(awk "BEGIN { print $t1 - $t0 }")
        if [ -z "$b" ] || awk "BEGIN { exit !($t < $b) }"; then b=$t; fi
        i=$((i + 1))
    done
    echo "$b"
}
mbps() { awk "BEGIN { printf \"%.1f\", $(wc -c <"$1") / 1000000 / $2 }"; }
ratio() { awk "BEGIN { printf \"%.2f\", $1 / $2 }"; }
rss_mb() {
    "$TIME" -v "$@" >/dev/null 2>"$DIR/time.log"
    kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$DIR/time.log")
    awk "BEGIN { printf \"%.1f\", $kb / 1024 }"
}

# The same CLI sources linked to a pass-through stand-in for the library (copies the text, as
# libfix does for clean input, and does nothing else): the CLI's own share of the cost.
STUB="$DIR/zhfix-stub"
cat >"$DIR/stub_libfix.c" <<'EOF_C'
#include <stdlib.h>
#include <string.h>
#include "libfix.h"
struct libfix_ctx { int unused; };
const char *libfix_version(void) { return "stub"; }
const char *libfix_strerror(int code) { (void)code; return "stub"; }
void libfix_options_init(libfix_options *o) { memset(o, 0, sizeof *o); o->max_depth = 3; o->text_layers = 1; }
libfix_ctx *libfix_new(const libfix_options *o, int *err) { (void)o; if (err) *err = 0; return calloc(1, sizeof(libfix_ctx)); }
void libfix_free(libfix_ctx *c) { free(c); }
int libfix_repair(libfix_ctx *c, const char *in, size_t len, libfix_result *out) {
    (void)c; memset(out, 0, sizeof *out);
    out->text = malloc(len + 1); if (!out->text) return LIBFIX_E_NOMEM;
    memcpy(out->text, in, len); out->text[len] = 0; out->len = len; out->confidence = 1;
    return LIBFIX_OK;
}
void libfix_result_clear(libfix_result *r) { if (r) { free(r->text); memset(r, 0, sizeof *r); } }
int libfix_detect(libfix_ctx *c, const char *in, size_t len, libfix_guess *g, size_t max, size_t *n) {
    (void)c; (void)in; (void)len; *n = 0; if (max) { strcpy(g[0].encoding, "UTF-8"); g[0].confidence = 1; *n = 1; } return 0;
}
EOF_C
${CC:-cc} -O2 -pthread -I"$HERE/../include" -I"$HERE/../cli" -o "$STUB" "$DIR/stub_libfix.c" \
    "$HERE"/../cli/zhfix.c "$HERE"/../cli/pipeline.c "$HERE"/../cli/batch.c "$HERE"/../cli/jsonl.c \
    "$HERE"/../cli/buffer.c "$HERE"/../cli/progress.c

echo "zhfix: $("$ZHFIX" --version); $(nproc) CPUs; best of $RUNS runs; MB = 10^6 bytes"
echo

file="$DIR/clean.txt"
cat "$file" >/dev/null
t_cat=$(best cat "$file")
t_1=$(best "$STUB" --no-progress -j 1 "$file")
t_2=$(best "$STUB" --no-progress -j 2 "$file")
c=$(mbps "$file" "$t_cat")
z1=$(mbps "$file" "$t_1")
printf 'CLI alone (pass-through stand-in library), clean: cat %s MB/s | -j 1 %s MB/s (%s of cat) | -j 2 %s MB/s\n\n' \
    "$c" "$z1" "$(ratio "$z1" "$c")" "$(mbps "$file" "$t_2")"

for f in clean garbled; do
    file="$DIR/$f.txt"
    cat "$file" >/dev/null # warm the page cache
    t_cat=$(best cat "$file")
    t_1=$(best "$ZHFIX" --no-progress -j 1 "$file")
    t_2=$(best "$ZHFIX" --no-progress -j 2 "$file")
    c=$(mbps "$file" "$t_cat")
    z1=$(mbps "$file" "$t_1")
    z2=$(mbps "$file" "$t_2")
    printf '%-8s %5d MB  cat %8s MB/s | zhfix -j 1 %7s MB/s (%s of cat) | -j 2 %7s MB/s (%sx -j 1)\n' \
        "$f" $(($(wc -c <"$file") / 1000000)) "$c" "$z1" "$(ratio "$z1" "$c")" "$z2" "$(ratio "$z2" "$z1")"
done
echo

t_cat=$(best cat "$DIR/big.txt")
echo "peak RSS, $(($(wc -c <"$DIR/big.txt") / 1000000)) MB of lines:      -j 1 $(rss_mb "$ZHFIX" --no-progress -j 1 "$DIR/big.txt") MiB," \
    "-j 2 $(rss_mb "$ZHFIX" --no-progress -j 2 "$DIR/big.txt") MiB (cat reads it at $(mbps "$DIR/big.txt" "$t_cat") MB/s)"
echo "peak RSS, one line of $(($(wc -c <"$DIR/long.txt") / 1000000)) MB:     -j 1 $(rss_mb "$ZHFIX" --no-progress -j 1 "$DIR/long.txt") MiB," \
    "-j 2 $(rss_mb "$ZHFIX" --no-progress -j 2 "$DIR/long.txt") MiB"
if "$ZHFIX" --no-progress "$DIR/long.txt" | cmp -s - "$DIR/long.txt"; then
    echo "the long line comes out byte for byte (clean text)"
else
    echo "the long line came out changed"
fi
