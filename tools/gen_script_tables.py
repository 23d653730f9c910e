#!/usr/bin/env python3
"""Generate libfix/tables/script_tables.c: the tables of the script layer (libfix/script.c).

Sources (see tools/SOURCES): OpenCC's TSCharacters and TSPhrases (libopencc-data, Apache-2.0)
for Traditional -> Simplified; Unihan kSimplifiedVariant (unicode-data) for the one-to-many
cases OpenCC leaves unmapped (著 -> 着); Unihan kMandarin, kHanyuPinyin and kXHC1983 for the
readings that tell a converter's inline pinyin from other parenthesised text.
Standard library only; the output depends on nothing but the data, so regenerating gives no diff.

usage: gen_script_tables.py [--out OUT.c] [--compare COMMITTED.c]
  --compare: after writing OUT.c, exit 1 if it differs from COMMITTED.c (the ctest check).
Exits 77 (ctest's "skipped") when the data or opencc_dict is not installed."""
import argparse
import bz2
import os
import shutil
import subprocess
import sys
import tempfile
import unicodedata

OPENCC_DIR = "/usr/share/opencc"
UNIHAN_READINGS = "/usr/share/unicode/Unihan_Readings.txt.bz2"
UNIHAN_VARIANTS = "/usr/share/unicode/Unihan_Variants.txt.bz2"
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "..", "libfix", "tables", "script_tables.c")

TOP = 64            # the sets cover cp < TOP * 4096; no Traditional character lies above
TONE_MARKS = {"\u0304": 1, "\u0301": 2, "\u030c": 3, "\u0300": 4}


def skip(why):
    print("gen_script_tables.py: skipped: " + why, file=sys.stderr)
    sys.exit(77)


def pkg_version(pkg):
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", pkg], capture_output=True,
                             text=True, check=True).stdout.strip()
        return out or "unknown"
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def read_ocd2(name, tmp):
    """OpenCC's binary dictionary as (key, [values]) pairs, through opencc_dict."""
    src = os.path.join(OPENCC_DIR, name + ".ocd2")
    dst = os.path.join(tmp, name + ".txt")
    subprocess.run(["opencc_dict", "-i", src, "-o", dst, "-f", "ocd2", "-t", "text"], check=True,
                   stdout=subprocess.DEVNULL)
    pairs = []
    with open(dst, encoding="utf-8") as f:
        for line in f:
            key, vals = line.rstrip("\n").split("\t")
            pairs.append((key, vals.split(" ")))
    return pairs


def unihan(path, fields):
    """{field: {cp: value}} for the wanted fields of a Unihan file."""
    out = {f: {} for f in fields}
    with bz2.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            cp, field, val = line.rstrip("\n").split("\t")
            if field in out:
                out[field][int(cp[2:], 16)] = val
    return out


def in_codec(ch, codec):
    try:
        ch.encode(codec)
        return True
    except UnicodeEncodeError:
        return False


def build_t2s(chars, variants):
    """cp -> candidates (OpenCC's first), for every character t2s may change."""
    t2s = {}
    for key, vals in chars:
        assert len(key) == 1 and all(len(v) == 1 for v in vals), key
        first = vals[0]
        # Alternates outside GBK are extension-B forms that ordinary Simplified text never uses
        # (開 -> 开/𫔭); offering them to the model would only cost a call per common character.
        alts = [v for v in vals[1:] if v != first and in_codec(v, "gbk")]
        cands = [ord(first)] + [ord(v) for v in alts]
        if cands != [ord(key)]:
            t2s[ord(key)] = cands
    # OpenCC leaves a few characters alone that are also the Traditional form of another basic
    # character (著 is 著 in 著名 but 着 in 跟着): Unihan lists both as Simplified variants.
    # Only pairs inside GB2312 count, so rare variants do not make common characters ambiguous.
    for cp, val in sorted(variants.items()):
        ch = chr(cp)
        simp = [chr(int(v[2:], 16)) for v in val.split()]
        if cp in t2s or ch not in simp or not in_codec(ch, "gb2312"):
            continue
        alts = [s for s in simp if s != ch and in_codec(s, "gb2312")]
        if alts:
            t2s[cp] = [cp] + [ord(s) for s in alts]
    # A candidate that is itself the Traditional form of another (薴 -> 苧, and 苧 -> 苎) is
    # followed to its end, so that converting the output again changes nothing.
    def settle(c):
        seen = set()
        while c in t2s and t2s[c][0] != c and c not in seen:
            seen.add(c)
            c = t2s[c][0]
        return c
    resolved = {}
    for cp, cands in t2s.items():
        out = []
        for c in cands:
            c = c if c == cp else settle(c)
            if c not in out:
                out.append(c)
        if out != [cp]:
            resolved[cp] = out
    return resolved


def normalise_syllable(s):
    """'qū' -> 'qu1', 'lǜ' -> 'lv4', 'men' -> 'men5'; None for what libfix does not match (ê)."""
    base = []
    tone = 5
    for c in unicodedata.normalize("NFD", s.lower()):
        if c in TONE_MARKS:
            tone = TONE_MARKS[c]
        elif c == "\u0308" and base and base[-1] == "u":
            base[-1] = "v"
        elif "a" <= c <= "z":
            base.append(c)
        else:
            return None
    if not base or len(base) > 6:
        return None
    return "".join(base) + str(tone)


def readings_of(fields):
    """cp -> set of normalised syllables, from kMandarin, kHanyuPinyin and kXHC1983."""
    out = {}
    for field, table in fields.items():
        for cp, val in table.items():
            syls = []
            for entry in val.split(" "):
                if field == "kMandarin":
                    syls.append(entry)
                else:  # "10185.020:mèn,mén" / "0845.061:ōu"
                    syls.extend(entry.rsplit(":", 1)[1].split(","))
            for s in syls:
                n = normalise_syllable(s)
                if n:
                    out.setdefault(cp, set()).add(n)
    return out


def pinyin_letters():
    """Letters that may spell pinyin: cp -> (ASCII base, tone 0-4), 0 = no tone mark."""
    out = {}
    for cp in range(0x80, 0x2000):
        ch = chr(cp)
        d = unicodedata.normalize("NFD", ch.lower())
        if len(d) < 2 or not ("a" <= d[0] <= "z"):
            continue
        marks = d[1:]
        base, tone = d[0], 0
        if marks and marks[0] == "\u0308" and base == "u":
            base, marks = "v", marks[1:]
        if len(marks) == 1 and marks in TONE_MARKS:
            tone = TONE_MARKS[marks]
        elif marks:
            continue
        if base not in "aeiouvnm" or (base in "nm" and tone == 0):
            continue
        out[cp] = (base, tone)
    return out


class CpSet:
    """A two-level bitmap with ranks: membership and the index among members in O(1)."""

    def __init__(self, name, cps):
        self.name = name
        self.cps = sorted(cps)
        assert all(c < TOP * 4096 for c in self.cps)
        blocks = sorted({c >> 12 for c in self.cps})
        self.top = [0] * TOP
        for i, b in enumerate(blocks):
            self.top[b] = i + 1
        self.bits = [[0] * 64 for _ in range(len(blocks) + 1)]
        for c in self.cps:
            self.bits[self.top[c >> 12]][(c >> 6) & 63] |= 1 << (c & 63)
        self.rank = [[0] * 64 for _ in range(len(blocks) + 1)]
        seen = 0
        for b in blocks:
            row = self.top[b]
            for w in range(64):
                self.rank[row][w] = seen
                seen += bin(self.bits[row][w]).count("1")
        assert seen == len(self.cps) < 65536

    def emit(self, w):
        n = len(self.bits)
        w.line("static const uint64_t %s_bits[%d][64] = {" % (self.name, n))
        for row in self.bits:
            w.nums(["0x%xu" % x if x else "0" for x in row], indent="    ", wrap="{}")
        w.line("};")
        w.line("static const uint16_t %s_rank[%d][64] = {" % (self.name, n))
        for row in self.rank:
            w.nums([str(x) for x in row], indent="    ", wrap="{}")
        w.line("};")
        w.line("const lfx_cp_set lfx_%s = {" % self.name)
        w.nums([str(x) for x in self.top], indent="    ", wrap="{}")
        w.line("    %s_bits, %s_rank, %d};" % (self.name, self.name, len(self.cps)))
        w.line("")
        return 8 * 64 * n + 2 * 64 * n + TOP


class Writer:
    def __init__(self):
        self.out = []

    def line(self, s):
        self.out.append(s)

    def nums(self, items, indent="", wrap=None, width=98):
        """Comma-separated values wrapped at width; wrap="{}" puts them in braces."""
        lines = []
        cur = indent + ("{" if wrap else "")
        for i, it in enumerate(items):
            piece = it + ("," if i + 1 < len(items) or not wrap else "")
            if len(cur) + len(piece) + 1 > width and cur.strip("{ "):
                lines.append(cur.rstrip())
                cur = indent + " "
            cur += piece if cur.endswith(("{", " ")) else " " + piece
        cur += "}," if wrap else ""
        lines.append(cur)
        self.out.extend(lines)

    def text(self):
        return "\n".join(self.out) + "\n"


def generate():
    for f in (UNIHAN_READINGS, UNIHAN_VARIANTS, os.path.join(OPENCC_DIR, "TSCharacters.ocd2"),
              os.path.join(OPENCC_DIR, "TSPhrases.ocd2")):
        if not os.path.exists(f):
            skip(f + " not found")
    if not shutil.which("opencc_dict"):
        skip("opencc_dict not found")
    with tempfile.TemporaryDirectory() as tmp:
        chars = read_ocd2("TSCharacters", tmp)
        phrases = read_ocd2("TSPhrases", tmp)
    variants = unihan(UNIHAN_VARIANTS, ["kSimplifiedVariant"])["kSimplifiedVariant"]
    rfields = unihan(UNIHAN_READINGS, ["kMandarin", "kHanyuPinyin", "kXHC1983"])
    unicode_version = "unknown"
    with bz2.open(UNIHAN_READINGS, "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("# Unicode version:"):
                unicode_version = line.split(":", 1)[1].strip()
                break

    t2s = build_t2s(chars, variants)
    trad = CpSet("t2s_trad", t2s)
    multi = CpSet("t2s_multi", [c for c, v in t2s.items() if len(v) > 1])

    # OpenCC's t2s is a longest match over TSPhrases before TSCharacters; libfix keeps each
    # starting character's phrases longest first so the first hit is the longest one.
    plist = []
    for key, vals in phrases:
        assert len(vals[0]) == len(key) and len(key) >= 2, key
        plist.append((key, vals[0]))
    plist.sort(key=lambda kv: (ord(kv[0][0]), -len(kv[0]), kv[0]))
    starters = CpSet("t2s_phrase_start", {ord(k[0]) for k, _ in plist})
    stop = CpSet("t2s_stop", set(t2s) | {ord(k[0]) for k, _ in plist})

    readings = readings_of(rfields)
    pool = sorted({s for rs in readings.values() for s in rs})
    pool_id = {s: i for i, s in enumerate(pool)}
    letters = pinyin_letters()

    w = Writer()
    w.line("/* generated by tools/gen_script_tables.py from OpenCC TSCharacters and TSPhrases")
    w.line(" * (libopencc-data %s) and Unihan %s kSimplifiedVariant, kMandarin, kHanyuPinyin,"
           % (pkg_version("libopencc-data"), unicode_version))
    w.line(" * kXHC1983 (unicode-data %s); do not edit. */" % pkg_version("unicode-data"))
    w.line('#include "script_tables.h"')
    w.line("")
    size = 0

    w.line("/* Characters t2s may change; rank -> lfx_t2s_simp, lfx_pinyin_off. */")
    size += trad.emit(w)
    w.line("/* Characters with more than one Simplified candidate; rank -> lfx_t2s_alt_off. */")
    size += multi.emit(w)
    w.line("/* First characters of TSPhrases keys; rank -> lfx_t2s_phrase_off. */")
    size += starters.emit(w)
    w.line("/* Characters where t2s has anything to do: the union of the above. */")
    size += stop.emit(w)

    w.line("/* OpenCC's first (default) Simplified candidate, by rank in lfx_t2s_trad. */")
    w.line("const uint32_t lfx_t2s_simp[%d] = {" % len(trad.cps))
    w.nums(["0x%x" % t2s[c][0] for c in trad.cps])
    w.line("};")
    size += 4 * len(trad.cps)

    alt_off, alt_cp = [], []
    for c in multi.cps:
        alt_off.append(len(alt_cp))
        alt_cp.extend(t2s[c])
    alt_off.append(len(alt_cp))
    w.line("/* All candidates of a one-to-many character, OpenCC's first first, by rank in")
    w.line(" * lfx_t2s_multi: lfx_t2s_alt_cp[lfx_t2s_alt_off[r] .. lfx_t2s_alt_off[r + 1]). */")
    w.line("const uint16_t lfx_t2s_alt_off[%d] = {" % len(alt_off))
    w.nums([str(x) for x in alt_off])
    w.line("};")
    w.line("const uint32_t lfx_t2s_alt_cp[%d] = {" % len(alt_cp))
    w.nums(["0x%x" % x for x in alt_cp])
    w.line("};")
    w.line("")
    size += 2 * len(alt_off) + 4 * len(alt_cp)

    phrase_off = []
    pcp = []
    recs = []
    for i, (key, val) in enumerate(plist):
        if i == 0 or key[0] != plist[i - 1][0][0]:
            phrase_off.append(i)
        recs.append((len(pcp), len(key)))
        pcp.extend(ord(c) for c in key)
        pcp.extend(ord(c) for c in val)
    phrase_off.append(len(recs))
    assert len(phrase_off) == len(starters.cps) + 1
    assert len(pcp) < 65536
    w.line("/* TSPhrases, grouped by first character (rank in lfx_t2s_phrase_start), longest")
    w.line(" * first. A phrase is {offset, length} into lfx_t2s_phrase_cp: the key, then the")
    w.line(" * value of the same length. */")
    w.line("const uint16_t lfx_t2s_phrase_off[%d] = {" % len(phrase_off))
    w.nums([str(x) for x in phrase_off])
    w.line("};")
    w.line("const lfx_t2s_phrase lfx_t2s_phrases[%d] = {" % len(recs))
    w.nums(["{%d, %d}" % r for r in recs])
    w.line("};")
    w.line("const uint32_t lfx_t2s_phrase_cp[%d] = {" % len(pcp))
    w.nums(["0x%x" % x for x in pcp])
    w.line("};")
    w.line("const size_t lfx_t2s_phrase_max = %d;" % max(len(k) for k, _ in plist))
    w.line("")
    size += 2 * len(phrase_off) + 4 * len(recs) + 4 * len(pcp)

    w.line("/* Every syllable Unihan knows, normalised ('qu1', 'lv4', neutral tone 5), sorted. */")
    w.line("const char lfx_pinyin_syl[%d][8] = {" % len(pool))
    w.nums(['"%s"' % s for s in pool])
    w.line("};")
    w.line("const size_t lfx_pinyin_nsyl = %d;" % len(pool))
    size += 8 * len(pool)
    r_off, r_ids = [], []
    for c in trad.cps:
        r_off.append(len(r_ids))
        r_ids.extend(sorted(pool_id[s] for s in readings.get(c, ())))
    r_off.append(len(r_ids))
    w.line("/* Readings of the characters in lfx_t2s_trad, by rank: syllable indexes")
    w.line(" * lfx_pinyin_ids[lfx_pinyin_off[r] .. lfx_pinyin_off[r + 1]). */")
    w.line("const uint16_t lfx_pinyin_off[%d] = {" % len(r_off))
    w.nums([str(x) for x in r_off])
    w.line("};")
    w.line("const uint16_t lfx_pinyin_ids[%d] = {" % len(r_ids))
    w.nums([str(x) for x in r_ids])
    w.line("};")
    size += 2 * len(r_off) + 2 * len(r_ids)

    w.line("/* Accented letters of pinyin, sorted by code point: ASCII base ('v' for u-umlaut)")
    w.line(" * and tone (0: no tone mark). */")
    w.line("const lfx_pinyin_letter lfx_pinyin_letters[%d] = {" % len(letters))
    w.nums(["{0x%x, '%s', %d}" % (c, b, t) for c, (b, t) in sorted(letters.items())])
    w.line("};")
    w.line("const size_t lfx_pinyin_nletters = %d;" % len(letters))
    size += 8 * len(letters)

    stats = ("%d t2s characters (%d one-to-many), %d phrases, %d syllables, %d readings; "
             "%d bytes of tables" % (len(trad.cps), len(multi.cps), len(recs), len(pool),
                                     len(r_ids), size))
    return w.text(), stats


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--compare")
    args = ap.parse_args()
    text, stats = generate()
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(text)
    print("gen_script_tables.py: " + stats, file=sys.stderr)
    if args.compare:
        with open(args.compare, encoding="utf-8") as f:
            if f.read() != text:
                print("gen_script_tables.py: %s differs from the generator's output %s; "
                      "regenerate it" % (args.compare, args.out), file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
