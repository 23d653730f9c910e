#!/usr/bin/python3
"""Make the input files of bench_repair from real Simplified Chinese text: the repo's news
sample and, when present, the "text" fields of ../shared/bench/dev-corpus.jsonl.

usage: /usr/bin/python3 bench/make_data.py OUTDIR [--clean-mb 20] [--garbled-mb 4] [--trad-mb 8]
       [--corpus PATH] [--sample-lines 2000]

Writes into OUTDIR (never into the repo):
  clean.txt           distinct source lines repeated to --clean-mb (whole lines, LF)
  clean1mb.txt        the first ~1 MB of clean.txt (for callgrind)
  KIND.txt            a garbled copy, repeated to --garbled-mb; KIND is one of
                        utf8-gbk     UTF-8 bytes read as GBK (only lines where that is lossless)
                        utf8-cp1252  UTF-8 bytes read as windows-1252 (browser form: the five
                                     undefined bytes become C1 controls)
                        gbk-latin1   GBK bytes read as Latin-1 (lines GBK can encode)
  trad.txt            the clean lines converted by OpenCC s2t, repeated to --trad-mb
  KIND.sample.txt, KIND.sample.expected.txt, trad.sample.*, clean.sample.txt
                      up to --sample-lines distinct lines and the clean text each must repair
                      to: the exact-match check runs on these, untimed
Sizes are in MB of 10^6 bytes of the input file. Needs OpenCC (libopencc1.1 + libopencc-data
through ctypes, or the opencc command) for trad.txt.
"""
import argparse
import ctypes
import ctypes.util
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
C1_UNDEFINED_1252 = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


def source_lines(corpus):
    """Distinct non-empty lines, news sample first, in a fixed order."""
    lines = []
    with open(os.path.join(REPO, "examples", "news_sample.expected.txt"), encoding="utf-8") as f:
        lines += f.read().splitlines()
    if corpus and os.path.exists(corpus):
        with open(corpus, encoding="utf-8") as f:
            for rec in f:
                text = json.loads(rec).get("text")
                if text:
                    lines += text.splitlines()
    else:
        print("make_data: no corpus at %s, using the news sample alone" % corpus, file=sys.stderr)
    seen = set()
    out = []
    for line in lines:
        line = line.rstrip("\r")
        if line.strip() and line not in seen:
            seen.add(line)
            out.append(line)
    return out


def sloppy_cp1252(b):
    return "".join(chr(x) if x in C1_UNDEFINED_1252 else bytes([x]).decode("cp1252") for x in b)


def utf8_gbk(s):
    b = s.encode("utf-8")
    try:
        out = b.decode("gbk")
    except UnicodeDecodeError:
        return None
    return out if out.encode("gbk") == b else None


def utf8_cp1252(s):
    return sloppy_cp1252(s.encode("utf-8"))


def gbk_latin1(s):
    try:
        return s.encode("gbk").decode("latin-1")
    except UnicodeEncodeError:
        return None


DAMAGE = {"utf8-gbk": utf8_gbk, "utf8-cp1252": utf8_cp1252, "gbk-latin1": gbk_latin1}


def opencc_converter(config):
    """OpenCC through ctypes (libopencc1.1, as ../shared/bench/zhtools.py): a function that
    converts text with config ("s2t.json", "t2s.json", ...). OSError when the library or the
    config cannot be opened, or a conversion fails."""
    lib = ctypes.CDLL(ctypes.util.find_library("opencc") or "libopencc.so.1.1")
    lib.opencc_open.restype = ctypes.c_void_p
    lib.opencc_open.argtypes = [ctypes.c_char_p]
    lib.opencc_convert_utf8.restype = ctypes.c_void_p
    lib.opencc_convert_utf8.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
    lib.opencc_convert_utf8_free.argtypes = [ctypes.c_void_p]
    h = lib.opencc_open(config.encode("ascii"))
    if not h or h == ctypes.c_void_p(-1).value:
        raise OSError("opencc_open(%s) failed" % config)

    def convert(text):
        b = text.encode("utf-8", "surrogatepass")
        p = lib.opencc_convert_utf8(h, b, len(b))
        if not p:
            raise OSError("opencc_convert_utf8 failed")
        out = ctypes.string_at(p).decode("utf-8", "replace")
        lib.opencc_convert_utf8_free(p)
        return out

    return convert


def s2t_lines(lines):
    """OpenCC s2t of each line: ctypes first, else the command."""
    text = "\n".join(lines) + "\n"
    try:
        out = opencc_converter("s2t.json")(text)
    except OSError:
        if not shutil.which("opencc"):
            raise SystemExit("make_data: OpenCC not found (apt-get install libopencc1.1 opencc)")
        out = subprocess.run(["opencc", "-c", "s2t.json"], input=text.encode("utf-8"),
                             capture_output=True, check=True).stdout.decode("utf-8")
    res = out.split("\n")[: len(lines)]
    if len(res) != len(lines):
        raise SystemExit("make_data: s2t changed the number of lines")
    return res


def write_repeated(path, lines, mb):
    """Write lines (LF-terminated) over and over until the file holds about mb * 10^6 bytes."""
    want = int(mb * 1000000)
    block = ("\n".join(lines) + "\n").encode("utf-8")
    with open(path, "wb") as f:
        n = 0
        while n + len(block) <= want:
            f.write(block)
            n += len(block)
        rest = block[: want - n]
        rest = rest[: rest.rfind(b"\n") + 1]  # whole lines only
        f.write(rest)
        n += len(rest)
    return n


def write_lines(path, lines):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for line in lines:
            f.write(line + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--clean-mb", type=float, default=20)
    ap.add_argument("--garbled-mb", type=float, default=4)
    ap.add_argument("--trad-mb", type=float, default=8)
    ap.add_argument("--sample-lines", type=int, default=2000)
    ap.add_argument("--corpus", default=os.path.join(REPO, "..", "shared", "bench", "dev-corpus.jsonl"))
    args = ap.parse_args()
    if os.path.realpath(args.outdir).startswith(os.path.realpath(REPO) + os.sep):
        raise SystemExit("make_data: write the data outside the repository")
    os.makedirs(args.outdir, exist_ok=True)
    out = lambda name: os.path.join(args.outdir, name)  # noqa: E731

    lines = source_lines(args.corpus)
    n = write_repeated(out("clean.txt"), lines, args.clean_mb)
    write_repeated(out("clean1mb.txt"), lines, 1)
    write_lines(out("clean.sample.txt"), lines[: args.sample_lines])
    report = ["clean: %d distinct lines, %d bytes" % (len(lines), n)]

    for kind, damage in DAMAGE.items():
        pairs = [(g, s) for s, g in ((s, damage(s)) for s in lines) if g is not None and g != s]
        garbled = [g for g, _ in pairs]
        n = write_repeated(out(kind + ".txt"), garbled, args.garbled_mb)
        write_lines(out(kind + ".sample.txt"), garbled[: args.sample_lines])
        write_lines(out(kind + ".sample.expected.txt"), [s for _, s in pairs[: args.sample_lines]])
        report.append("%s: %d of %d lines, %d bytes" % (kind, len(pairs), len(lines), n))

    trad = s2t_lines(lines)
    n = write_repeated(out("trad.txt"), trad, args.trad_mb)
    write_lines(out("trad.sample.txt"), trad[: args.sample_lines])
    write_lines(out("trad.sample.expected.txt"), lines[: args.sample_lines])
    changed = sum(1 for t, s in zip(trad, lines) if t != s)
    report.append("trad: %d of %d lines changed by s2t, %d bytes" % (changed, len(lines), n))
    for r in report:
        print("make_data: " + r, file=sys.stderr)


if __name__ == "__main__":
    main()
