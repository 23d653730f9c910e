#!/bin/sh
# Tests of the zhfix command-line tool, run by ctest as libfix.cli:
#   sh run_tests.sh ZHFIX JSONL_CHECK SOURCE_DIR
# Most cases test the tool's own behaviour (streaming, line ends, JSONL rewriting, errors, exit
# codes, threads, reports) and hold whatever the repair engine does. The cases marked [engine]
# state what the real engine must produce; they fail until it does.
# Prints "N passed, N failed" last and exits nonzero when something failed.

Z=${1:?usage: run_tests.sh ZHFIX JSONL_CHECK SOURCE_DIR}
JCHECK=${2:?}
SRC=${3:?}
T=$(mktemp -d "${TMPDIR:-/tmp}/zhfix-test.XXXXXX") || exit 1
trap 'chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT INT TERM
unset LC_ALL
LC_ALL=C
export LC_ALL

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
    fail=$((fail + 1))
    echo "FAIL: $*"
}
# check NAME COMMAND...: the command must succeed
check() {
    name=$1
    shift
    if "$@"; then ok; else bad "$name"; fi
}
same() { cmp -s "$1" "$2"; }
has() { grep -q -e "$2" "$1"; }
hasF() { grep -q -F -e "$2" "$1"; }
empty() { ! [ -s "$1" ]; }
lacks() { ! grep -q -e "$2" "$1"; }
no_ff() { ! grep -q -a "$(printf '\377')" "$1"; }
eq() { [ "$1" = "$2" ]; }
# zh ARGS...: run zhfix with stdout in $T/out, stderr in $T/err, status in $rc
zh() {
    "$Z" "$@" >"$T/out" 2>"$T/err"
    rc=$?
}
# zhin INPUT ARGS...: the same with INPUT (a string, printf format) on stdin
zhin() {
    input=$1
    shift
    printf "$input" >"$T/stdin"
    "$Z" "$@" <"$T/stdin" >"$T/out" 2>"$T/err"
    rc=$?
}
outis() { printf "$1" >"$T/want" && cmp -s "$T/out" "$T/want"; }

NEWS="$SRC/examples/news_sample.expected.txt"
GARBLED_NEWS="$SRC/examples/news_sample.garbled.txt"

# ---- help, version, usage errors -----------------------------------------------------------
zh --help
check "--help exits 0" eq "$rc" 0
check "--help shows usage" has "$T/out" '^Usage: zhfix'
check "--help names the exit codes" has "$T/out" 'Exit status'
zh --version
check "--version exits 0" eq "$rc" 0
check "--version prints the library version" has "$T/out" '^zhfix (libfix) [0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*$'
check "--version matches the header" hasF "$T/out" "$(sed -n 's/^#define LIBFIX_VERSION_STRING "\(.*\)"/\1/p' "$SRC/include/libfix.h")"
for args in "--bogus" "--target=zh" "--max-depth=4" "--max-depth=0" "--on-error=ignore" "--jsonl" \
    "--whole --field t" "--detect --whole" "-j x" "-j -1" "--field="; do
    # shellcheck disable=SC2086
    zhin 'a\n' $args
    check "usage error for $args: exit 1" eq "$rc" 1
    check "usage error for $args: message" has "$T/err" 'zhfix'
    check "usage error for $args: no output" empty "$T/out"
done

# ---- line mode: bytes through, line ends, counts -------------------------------------------
zh "$NEWS"
check "clean news sample unchanged" same "$T/out" "$NEWS"
check "clean run exits 0" eq "$rc" 0
check "clean run is quiet" empty "$T/err"
zhin 'hello\r\nworld\r\n'
check "CRLF kept" outis 'hello\r\nworld\r\n'
zhin 'one\ntwo'
check "missing final newline kept" outis 'one\ntwo'
zhin 'one\r\ntwo\r'
check "final CR kept" outis 'one\r\ntwo\r'
zhin '\n\n\r\n\nx\n\n'
check "empty lines kept" outis '\n\n\r\n\nx\n\n'
zhin ''
check "empty input, empty output" outis ''
check "empty input exits 0" eq "$rc" 0
zhin 'mixed\nlf\r\nand cr\rinside\n'
check "lone CR inside a line kept" outis 'mixed\nlf\r\nand cr\rinside\n'
zhin 'nul\000byte\n'
check "NUL bytes pass" outis 'nul\000byte\n'

seq 1 200000 | sed 's/$/ 中文行 line/' >"$T/numbered"
zh "$T/numbered"
check "200000 clean lines unchanged" same "$T/out" "$T/numbered"
check "line count kept" eq "$(wc -l <"$T/out")" 200000

# stdin, '-', several files (concatenated like cat)
"$Z" <"$NEWS" >"$T/out" 2>"$T/err"
check "stdin to stdout" same "$T/out" "$NEWS"
printf 'first\nlast-no-newline' >"$T/f1"
printf 'second\n' >"$T/f2"
"$Z" "$T/f1" - "$T/f2" <"$NEWS" >"$T/out" 2>"$T/err"
cat "$T/f1" "$NEWS" "$T/f2" >"$T/want"
check "files and - concatenate like cat" same "$T/out" "$T/want"

# -o
zh -o "$T/written" "$NEWS"
check "-o writes the file" same "$T/written" "$NEWS"
check "-o leaves stdout empty" empty "$T/out"
cp "$NEWS" "$T/inplace"
zh -o "$T/inplace" "$T/inplace"
check "-o onto an input is refused (exit 1)" eq "$rc" 1
check "-o onto an input leaves it intact" same "$T/inplace" "$NEWS"
zh -o "$T/no/such/dir/out" "$NEWS"
check "-o into a missing directory: exit 2" eq "$rc" 2
check "-o failure names the file" hasF "$T/err" "$T/no/such/dir/out"
if [ -w /dev/full ]; then
    zh -o /dev/full "$T/numbered"
    check "write error (ENOSPC): exit 2" eq "$rc" 2
    check "write error names the output" hasF "$T/err" "/dev/full"
fi

# unreadable inputs: exit 2, message naming them, the others still done
zh "$T/f2" "$T/missing.txt" "$T/f2"
check "missing file: exit 2" eq "$rc" 2
check "missing file named" hasF "$T/err" "$T/missing.txt"
printf 'second\nsecond\n' >"$T/want"
check "other files still processed" same "$T/out" "$T/want"
mkdir "$T/adir"
zh "$T/adir"
check "directory: exit 2" eq "$rc" 2
check "directory named" hasF "$T/err" "$T/adir"
cp "$T/f2" "$T/locked"
chmod 000 "$T/locked"
if ! cat "$T/locked" >/dev/null 2>&1; then # (root reads anyway)
    zh "$T/locked"
    check "unreadable file: exit 2" eq "$rc" 2
    check "unreadable file named" hasF "$T/err" "$T/locked"
fi
chmod 644 "$T/locked"

# a broken pipe ends quietly (no message; status 0 or death by SIGPIPE)
seq 1 3000000 >"$T/big"
for j in 1 3; do
    { "$Z" -j $j "$T/big" 2>"$T/err"; echo $? >"$T/rc"; } | head -n 1 >/dev/null
    rc=$(cat "$T/rc")
    check "broken pipe (-j $j): status 0 or 141, got $rc" test "$rc" = 0 -o "$rc" = 141
    check "broken pipe (-j $j): no message" empty "$T/err"
done

# streaming: a line is written as soon as it is complete, not when the input ends
for j in 1 2; do
    t0=$(date +%s)
    { printf 'first\n'; sleep 4; printf 'second\n'; } | "$Z" -j $j 2>/dev/null | {
        read -r l
        echo "$l $(($(date +%s) - t0))"
        cat >/dev/null
    } >"$T/stream"
    check "streaming (-j $j): the first line comes out before the input ends ($(cat "$T/stream"))" \
        awk '$1 == "first" && $2 < 3 { ok = 1 } END { exit !ok }' "$T/stream"
done

# long lines: cut into pieces at safe places, rejoined byte for byte, numbering intact
head -c 3000000 /dev/zero | tr '\0' 'a' >"$T/long_ascii"
yes '中文，' | head -n 400000 | tr -d '\n' >"$T/long_cjk" # 3.6 MB, no ASCII at all
yes '汉字 text, more' | head -n 300000 | tr -d '\n' >"$T/long_mixed"
yes '發' | head -n 1200000 | tr -d '\n' >"$T/long_han"
for f in long_ascii long_cjk long_mixed; do
    { printf 'before\n'; cat "$T/$f"; printf '\nafter\n'; } >"$T/in"
    zh "$T/in"
    check "3 MB line ($f) unchanged" same "$T/out" "$T/in"
    check "3 MB line ($f): 3 lines" eq "$(wc -l <"$T/out")" 3
    zh -j 2 "$T/in"
    check "3 MB line ($f) unchanged with -j 2" same "$T/out" "$T/in"
done
{ printf 'x\n'; cat "$T/long_mixed"; printf '\nbad \377 byte\n'; } >"$T/in"
zh --explain --target keep "$T/in"
check "line numbers count a long line once" has "$T/err" '"line":3'
check "line numbers: only line 3 changed" eq "$(grep -c '"line"' "$T/err")" 1

# -j N: order kept (output and stderr)
for j in 2 4 0; do
    zh -j $j "$T/numbered"
    check "-j $j keeps the order" same "$T/out" "$T/numbered"
done
awk 'BEGIN { for (i = 1; i <= 300000; i++) if (i % 7919 == 0) print "{bad " i; else print "{\"id\":" i ",\"t\":\"x\"}" }' >"$T/records"
awk 'BEGIN { for (i = 1; i <= 300000; i++) if (i % 7919 == 0) print i }' >"$T/badlines"
for j in 1 3; do
    zh -j $j --field t "$T/records"
    check "jsonl -j $j: records unchanged" same "$T/out" "$T/records"
    sed -n 's/^zhfix: [^:]*:\([0-9]*\): malformed JSON.*/\1/p' "$T/err" >"$T/got"
    check "jsonl -j $j: errors reported in order with line numbers" same "$T/got" "$T/badlines"
    zh -j $j --field t --on-error=skip "$T/records"
    check "jsonl -j $j --on-error=skip drops the bad lines" eq "$(wc -l <"$T/out")" $((300000 - $(wc -l <"$T/badlines")))
    zh -j $j --field t --on-error=fail "$T/records"
    check "jsonl -j $j --on-error=fail: exit 3" eq "$rc" 3
    check "jsonl -j $j --on-error=fail: output stops before the bad line" eq "$(wc -l <"$T/out")" 7918
    check "jsonl -j $j --on-error=fail: one message" eq "$(grep -c malformed "$T/err")" 1
done

# ---- JSONL ------------------------------------------------------------------------------------
rec1='{"id": 1,  "t" :"x\\u00e9\\n" , "o":{"t":"nested"},"u":"\\ud83d\\ude00"}'
zhin "$rec1\r\n[1,2]\n\n  \n\"just a string\"\n{\"t\":5}\n{}" --field t
check "jsonl: untouched records byte for byte (CRLF, blank lines, non-objects)" \
    outis "$rec1\r\n[1,2]\n\n  \n\"just a string\"\n{\"t\":5}\n{}"
check "jsonl: clean input is quiet" empty "$T/err"
# a field holding raw invalid bytes must change (the output is valid UTF-8), the rest must not
zhin '{"a": "keep \\u00e9",  "t":"raw \377 byte",\t"n" : [1, 2] }\n' --field t --target keep
check "jsonl: only the field value rewritten" has "$T/out" '^{"a": "keep \\u00e9",  "t":"raw [^"]* byte",	"n" : \[1, 2\] }$'
check "jsonl: rewritten value holds no raw 0xFF" no_ff "$T/out"
zhin '{"a":1,"t":"\377"}\n' --field t --explain
check "jsonl --explain adds _libfix" has "$T/out" '^{"a":1,"t":"[^"]*","_libfix":{"t":{"steps":\[[^]]*\],"confidence":[0-9.]*,"flags":\[[^]]*"changed"[^]]*\]}}}$'
check "jsonl --explain: nothing on stderr" empty "$T/err"
zhin '{"tags":["ok","\377"],"m":{"t":"\377"}}\n' --field tags --field m.t --explain
check "jsonl: arrays and dotted paths" has "$T/out" '"_libfix":{"tags\[1\]":{.*},"m.t":{.*}}}$'
check "jsonl: array element 0 untouched" hasF "$T/out" '{"tags":["ok","'
zhin '{"t":"\\ud800 lone"}\n' --field t
check "jsonl: a lone surrogate leaves the field as it is" outis '{"t":"\\ud800 lone"}\n'
zhin '{"t":"x"}\n{"t": oops}\n{"t":"y"}\n' --field t
check "jsonl malformed: default keeps the line" outis '{"t":"x"}\n{"t": oops}\n{"t":"y"}\n'
check "jsonl malformed: exit 0 with keep" eq "$rc" 0
check "jsonl malformed: message with line number" has "$T/err" '^zhfix: (stdin):2: malformed JSON: .* at byte 7$'
printf '{"t":"x"}\n{"t": oops}\n' >"$T/bad.jsonl"
zh --field t "$T/bad.jsonl"
check "jsonl malformed: message names the file" hasF "$T/err" "zhfix: $T/bad.jsonl:2: malformed JSON"
zhin '{"t":"x"}\n{"t": oops}\n{"t":"y"}' --field t --on-error=skip
check "jsonl --on-error=skip" outis '{"t":"x"}\n{"t":"y"}'
zhin '{"t":"x"}\n{"t": oops}\n{"t":"y"}\n' --field t --on-error=fail --stats
check "jsonl --on-error=fail: exit 3" eq "$rc" 3
check "jsonl --on-error=fail: output up to the bad line" outis '{"t":"x"}\n'
check "jsonl --on-error=fail: stats count the failure" has "$T/err" '^failed: 1$'
# an over-long record (over 16 MiB): an error, streamed through unchanged with keep
{ printf '{"t":"a"}\n{"t":"'; head -c 17000000 /dev/zero | tr '\0' 'x'; printf '"}\n{"t":"b"}\n'; } >"$T/huge.jsonl"
zh --field t "$T/huge.jsonl"
check "jsonl over-long record: kept" same "$T/out" "$T/huge.jsonl"
check "jsonl over-long record: reported" has "$T/err" ':2: JSON record longer than'
zh --field t --on-error=skip "$T/huge.jsonl"
printf '{"t":"a"}\n{"t":"b"}\n' >"$T/want"
check "jsonl over-long record: skipped" same "$T/out" "$T/want"

# ---- reports ---------------------------------------------------------------------------------
zhin 'clean\nbad \377 here\nclean\n' --explain --target keep
check "--explain: one JSON line on stderr for the changed line" eq "$(wc -l <"$T/err")" 1
check "--explain format" has "$T/err" '^{"file":"(stdin)","line":2,"steps":\[[^]]*\],"confidence":[0-9.]*,"flags":\[[^]]*\]}$'
zhin 'clean\nbad \377 here\nclean\n\n' --stats --target keep
check "--stats records" has "$T/err" '^records: 4$'
check "--stats changed" has "$T/err" '^changed: 1$'
check "--stats lossy line present" has "$T/err" '^lossy: [0-9]*$'
check "--stats unrecoverable line present" has "$T/err" '^unrecoverable: [0-9]*$'
check "--stats failed" has "$T/err" '^failed: 0$'
check "--stats chain counts" has "$T/err" '^chain .*: 1$'
check "--stats limited: none on a damaged line" has "$T/err" '^limited: 0$'
# garbage that no repair settles (Latin-1 letters in UTF-8) is left as it was, and said so
awk 'BEGIN { for (i = 0; i < 2500; i++) printf "%c", 161 + (i * 37 + int(i * i / 7)) % 95; print "" }' </dev/null |
    iconv -f latin1 -t utf-8 >"$T/garbage.txt"
zh --explain --stats "$T/garbage.txt"
check "garbage left as it was" same "$T/out" "$T/garbage.txt"
check "garbage: --explain names it limited" has "$T/err" '"flags":\[[^]]*"limited"'
check "garbage: --stats counts it limited" has "$T/err" '^limited: 1$'
zh --stats "$NEWS" "$NEWS"
check "--stats over two files" has "$T/err" '^records: 18$'
check "--stats: unchanged, no chains" lacks "$T/err" '^chain' 

# progress: off when stderr is no terminal, forced with --progress
zh "$T/numbered"
check "no progress line when stderr is a file" empty "$T/err"
zh --progress "$T/numbered"
check "--progress forces it" has "$T/err" 'MB/s'
check "--progress: output still right" same "$T/out" "$T/numbered"
zh --progress --no-progress "$T/numbered"
check "--no-progress" empty "$T/err"

# library options are accepted (and leave clean text alone)
for opt in "--target hans" "--target keep" "--max-depth 1" "--max-depth=2" "--no-text-layers" "-j 2 --whole"; do
    # shellcheck disable=SC2086
    zh $opt "$NEWS"
    check "$opt: exit 0" eq "$rc" 0
    check "$opt: clean sample unchanged" same "$T/out" "$NEWS"
done
zhin 'plain, ASCII: (text)!\n' --fullwidth
check "--fullwidth leaves ASCII text alone" outis 'plain, ASCII: (text)!\n'
zhin 'a &#21457; b\n' --no-text-layers
check "--no-text-layers leaves an NCR alone" outis 'a &#21457; b\n'

# --whole
zh --whole "$NEWS" "$T/f1"
cat "$NEWS" "$T/f1" >"$T/want"
check "--whole: clean files unchanged" same "$T/out" "$T/want"
zh --whole --stats "$NEWS" "$T/f1"
check "--whole: one record per file" has "$T/err" '^records: 2$'
zh --whole -j 3 "$NEWS" "$T/f1" "$NEWS"
cat "$NEWS" "$T/f1" "$NEWS" >"$T/want"
check "--whole -j 3 keeps the order" same "$T/out" "$T/want"

# --detect
zh --detect "$NEWS" "$T/f2"
check "--detect: one line per file" eq "$(wc -l <"$T/out")" 2
check "--detect format" has "$T/out" "^$NEWS	[A-Z0-9-]*	[01]\.[0-9][0-9][0-9]"
zh --detect "$T/missing.txt"
check "--detect missing file: exit 2" eq "$rc" 2

# the man page renders without warnings
if command -v groff >/dev/null 2>&1; then
    groff -man -ww -Tutf8 -z "$SRC/cli/zhfix.1" >"$T/groff" 2>&1
    check "zhfix.1 renders cleanly" empty "$T/groff"
fi

# the JSON scanner's own checks
"$JCHECK" >"$T/jcheck" 2>&1
jrc=$?
check "jsonl scanner checks ($(tail -n 1 "$T/jcheck"))" eq "$jrc" 0
[ $jrc = 0 ] || cat "$T/jcheck"

# ---- [engine] what the real repair engine must do ------------------------------------------
zhin 'å‘é€æˆåŠŸ\n'
check "[engine] UTF-8 read as cp1252 repaired" outis '发送成功\n'
zhin 'ok\r\nå‘é€æˆåŠŸ\r\n'
check "[engine] repaired line keeps its CRLF" outis 'ok\r\n发送成功\r\n'
zhin 'å‘é€æˆåŠŸ\n' --explain
check "[engine] --explain names utf-8>cp1252" hasF "$T/err" '"steps":["utf-8>cp1252"]'
zhin '{"id":7, "t":"å‘é€æˆåŠŸ", "x":"\\u00e5"}\n' --field t
check "[engine] jsonl field repaired, the rest untouched" outis '{"id":7, "t":"发送成功", "x":"\\u00e5"}\n'
zhin '{"t":"\\u00e5\\u2018\\u00e9\\u20ac\\u00e6\\u02c6\\u0090\\u00e5\\u0160\\u0178"}\n' --field t
check "[engine] jsonl escaped mojibake repaired, re-encoded compact UTF-8" outis '{"t":"发送成功"}\n'
zhin '\267\242\325\271\n' --whole
check "[engine] --whole decodes raw GBK" outis '发展\n'
printf '\267\242\325\271\312\307\265\332\322\273\322\252\316\361\n' >"$T/gbk.txt"
zh --detect "$T/gbk.txt"
check "[engine] --detect names GBK" has "$T/out" '	\(GBK\|GB18030\)	'
zhin '發展\n'
check "[engine] Traditional to Simplified by default" outis '发展\n'
zhin '發展\n' --target keep
check "[engine] --target keep leaves Traditional" outis '發展\n'
zhin 'a &#21457;&#36865; b\n'
check "[engine] NCRs decoded" outis 'a 发送 b\n'
zhin '中文,中文:中文\n' --fullwidth
check "[engine] --fullwidth between Chinese characters" outis '中文，中文：中文\n'
zh "$GARBLED_NEWS"
# the damaged file has no final newline and zhfix keeps that: compare with the expected text
# without its final newline
printf '%s' "$(cat "$NEWS")" >"$T/news.expected"
check "[engine] shipped news sample repaired" same "$T/out" "$T/news.expected"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
