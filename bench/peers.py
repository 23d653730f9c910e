#!/usr/bin/env python3
"""Run the tools people reach for today on the same records as libfix, and score them all.

    /usr/bin/python3 bench/peers.py [RECORDS] [--eval build/libfix-eval] [--score SCORE.py]
                                    [--out DIR] [--only NAME,...]

RECORDS is a file of benchmark records (default ../shared/bench/dev-bench.jsonl; the schema is
that of ../shared/bench/README.md) and SCORE.py the scorer (default: score.py beside RECORDS).
Each tool's outputs go to DIR/<name>.jsonl (default /tmp/libfix-peers), and the scorer's table
for it to DIR/<name>.txt; the SUMMARY line of each is printed. The tools, all from Debian 12:

  identity            the input as it came (bytes decoded as UTF-8 with replacement)
  opencc              OpenCC's t2s (libopencc1.1, through ctypes): what a script converter does
  uchardet+opencc     raw bytes decoded with uchardet's guess (libuchardet0, through ctypes),
                      then t2s; text as it came, then t2s
  chardet+opencc      the same with charset-normalizer's best guess (python3-charset-normalizer)
  pairs+opencc        a brute-force "try every encoding pair" repair: every text.encode(A)
                      .decode(B) that works strictly, for the usual A and B, kept when more of
                      its characters are GB2312 Chinese or ASCII than the text's; raw bytes
                      decoded with every usual encoding, the same way; then t2s
  libfix              libfix-eval (the library's repair, default options)

ftfy, the usual Python mojibake fixer, is not packaged for Debian 12 (and repairs no GBK or
Big5 damage: it handles UTF-8 read as Latin-1/cp1252 only).
"""
import argparse
import base64
import ctypes
import ctypes.util
import importlib.util
import json
import os
import subprocess
import sys

from make_data import opencc_converter  # (bench/, beside this script)

# ---- OpenCC (make_data.py's) and uchardet through ctypes ---------------------------------

_t2s = None


def t2s(text):
    global _t2s
    if _t2s is None:
        try:
            _t2s = opencc_converter("t2s.json")
        except OSError:
            sys.exit("peers.py: OpenCC's t2s not found (apt-get install libopencc1.1 libopencc-data)")
    try:
        return _t2s(text)
    except OSError:
        return text


_uchardet = None


def uchardet(data):
    global _uchardet
    if _uchardet is None:
        lib = ctypes.CDLL(ctypes.util.find_library("uchardet") or "libuchardet.so.0")
        lib.uchardet_new.restype = ctypes.c_void_p
        lib.uchardet_handle_data.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
        lib.uchardet_data_end.argtypes = [ctypes.c_void_p]
        lib.uchardet_reset.argtypes = [ctypes.c_void_p]
        lib.uchardet_get_charset.argtypes = [ctypes.c_void_p]
        lib.uchardet_get_charset.restype = ctypes.c_char_p
        _uchardet = (lib, lib.uchardet_new())
    lib, ud = _uchardet
    lib.uchardet_reset(ud)
    lib.uchardet_handle_data(ud, data, len(data))
    lib.uchardet_data_end(ud)
    return (lib.uchardet_get_charset(ud) or b"").decode("ascii")


def decode_as(data, charset):
    try:
        return data.decode(charset or "utf-8", "replace")
    except LookupError:
        return data.decode("utf-8", "replace")


# ---- the brute-force pair repair ------------------------------------------------------------

SEEN = ["gbk", "cp1252", "latin-1", "big5", "shift_jis", "euc_kr"]
ORIG = ["utf-8", "gbk", "big5"]
RAW = ["utf-8", "gb18030", "big5", "shift_jis", "euc_kr", "utf-16-le", "utf-16-be"]


def chinese_score(text):
    """Characters that are GB2312 Chinese or printable ASCII, less the others."""
    good = 0
    for ch in text:
        if " " <= ch <= "~" or ch in "\t\r\n":
            good += 1
        elif ord(ch) >= 0x3000:
            try:
                ch.encode("gb2312")
                good += 1
            except UnicodeEncodeError:
                good -= 1
        else:
            good -= 1
    return good


def pairs_repair(text):
    best, best_score = text, chinese_score(text)
    for seen in SEEN:
        try:
            raw = text.encode(seen)
        except UnicodeEncodeError:
            continue
        for orig in ORIG:
            if orig == seen:
                continue
            try:
                cand = raw.decode(orig)
            except UnicodeDecodeError:
                continue
            score = chinese_score(cand)
            if score > best_score:
                best, best_score = cand, score
    return best


def pairs_bytes(data):
    best, best_score = data.decode("utf-8", "replace"), None
    for enc in RAW:
        try:
            cand = data.decode(enc)
        except UnicodeDecodeError:
            continue
        score = chinese_score(cand)
        if best_score is None or score > best_score:
            best, best_score = cand, score
    return best


def charset_normalizer_decode(data):
    import charset_normalizer

    match = charset_normalizer.from_bytes(data).best()
    return str(match) if match is not None else data.decode("utf-8", "replace")


# ---- the tools ------------------------------------------------------------------------------


def run_python_tool(name, records, on_text, on_bytes):
    outs = []
    for r in records:
        if "input" in r:
            out = on_text(r["input"])
        else:
            out = on_bytes(base64.b64decode(r["input_b64"]))
        outs.append({"id": r["id"], "output": out})
    return outs


TOOLS = {
    "identity": (lambda s: s, lambda b: b.decode("utf-8", "replace")),
    "opencc": (t2s, lambda b: t2s(b.decode("utf-8", "replace"))),
    "uchardet+opencc": (t2s, lambda b: t2s(decode_as(b, uchardet(b)))),
    "chardet+opencc": (t2s, lambda b: t2s(charset_normalizer_decode(b))),
    "pairs+opencc": (lambda s: t2s(pairs_repair(s)), lambda b: t2s(pairs_bytes(b))),
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("records", nargs="?", default=os.path.join(here, "..", "..", "shared", "bench", "dev-bench.jsonl"))
    ap.add_argument("--eval", default=os.path.join(here, "..", "build", "libfix-eval"))
    ap.add_argument("--score", default=None)
    ap.add_argument("--out", default="/tmp/libfix-peers")
    ap.add_argument("--only", default=None, help="comma-separated tool names")
    args = ap.parse_args()
    score = args.score or os.path.join(os.path.dirname(os.path.abspath(args.records)), "score.py")
    for path, what in ((args.records, "records"), (score, "scorer")):
        if not os.path.exists(path):
            sys.exit("peers.py: %s %s not found" % (what, path))
    names = list(TOOLS) + ["libfix"]
    if args.only:
        names = [n for n in args.only.split(",") if n]
        for n in names:
            if n not in TOOLS and n != "libfix":
                sys.exit("peers.py: unknown tool %s (known: %s)" % (n, ", ".join(list(TOOLS) + ["libfix"])))
    os.makedirs(args.out, exist_ok=True)
    with open(args.records, encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    for name in names:
        out_path = os.path.join(args.out, name + ".jsonl")
        if name == "libfix":
            if not os.access(args.eval, os.X_OK):
                sys.exit("peers.py: %s not found (build the project, or pass --eval)" % args.eval)
            subprocess.run([args.eval, args.records, out_path], check=True, stdout=subprocess.DEVNULL)
        else:
            if name == "chardet+opencc":
                if importlib.util.find_spec("charset_normalizer") is None:
                    print("%s: skipped (no charset_normalizer in %s: apt-get install python3-charset-normalizer)"
                          % (name, sys.executable))
                    continue
            on_text, on_bytes = TOOLS[name]
            outs = run_python_tool(name, records, on_text, on_bytes)
            with open(out_path, "w", encoding="utf-8") as f:
                for o in outs:
                    f.write(json.dumps(o, ensure_ascii=False) + "\n")
        res = subprocess.run([sys.executable, score, args.records, out_path, "--name", name],
                             check=True, capture_output=True, text=True)
        with open(os.path.join(args.out, name + ".txt"), "w", encoding="utf-8") as f:
            f.write(res.stdout)
        summary = [line for line in res.stdout.splitlines() if line.startswith("SUMMARY")]
        print(summary[-1] if summary else "%s: no SUMMARY line (see %s.txt)" % (name, name), flush=True)


if __name__ == "__main__":
    main()
