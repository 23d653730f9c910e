#!/usr/bin/python3
"""Generate libfix/tables/codec_tables.c, the double-byte decode tables behind libfix/codec.c,
from CPython's CJK codecs (built from the Microsoft/Unicode mapping files, as Windows and the
benchmark generator decode). Standard library only; the output is deterministic.

usage: gen_codec_tables.py [OUTPUT]   (default: libfix/tables/codec_tables.c in this tree)
"""
import os
import sys

TRAIL_LO = 0x40  # no codec here has a valid two-byte trail below 0x40
TRAILS = 0x100 - TRAIL_LO
GB4_BMP_COUNT = 39420  # four-byte codes 81308130..8439FE39 cover the rest of the BMP

# cp936 as Windows decodes it: bytes that strict GBK rejects but GB18030 maps to private use
# (the user-defined areas and a few other holes) become those PUA characters.
PUA_LO, PUA_HI = 0xE000, 0xF8FF

DBCS = [  # C name, Python codec
    ("big5", "cp950"),
    ("sjis", "cp932"),
    ("euckr", "cp949"),
]


def decode1(b, codec):
    try:
        s = b.decode(codec)
    except UnicodeDecodeError:
        return None
    return ord(s) if len(s) == 1 else None


def encode1(cp, codec):
    try:
        return chr(cp).encode(codec)
    except UnicodeEncodeError:
        return None


def scan(codec):
    """(single, pairs): high single bytes and two-byte codes that decode to one character."""
    single = {}
    for c in range(0x80, 0x100):
        cp = decode1(bytes([c]), codec)
        if cp is not None:
            single[c] = cp
    pairs = {}
    for lead in range(0x81, 0xFF):
        if lead in single:
            continue
        for trail in range(0x21, 0x100):
            cp = decode1(bytes([lead, trail]), codec)
            if cp is None:
                continue
            assert trail >= TRAIL_LO, (codec, hex(lead), hex(trail))
            assert 0x80 <= cp <= 0xFFFF, (codec, hex(lead), hex(trail), hex(cp))
            pairs[(lead << 8) | trail] = cp
    return single, pairs


def preferred(codec, single, pairs):
    """For characters with several byte sequences: the one Python's encoder writes."""
    by_cp = {}
    for code, cp in list(single.items()) + list(pairs.items()):
        by_cp.setdefault(cp, []).append(code)
    pref = []
    for cp, codes in sorted(by_cp.items()):
        enc = encode1(cp, codec)
        code = int.from_bytes(enc, "big") if enc else None
        assert code in codes, (codec, hex(cp), enc, codes)  # Python never picks a one-way code
        if len(codes) > 1:
            pref.append((cp, code))
    return pref


def rows_of(pairs):
    leads = sorted({code >> 8 for code in pairs})
    row = [0] * 256
    for i, lead in enumerate(leads):
        row[lead] = i + 1
    return leads, row


def gb_family():
    """gb18030's two-byte decodings, with the subsets valid in strict GBK and in Windows cp936."""
    s18, p18 = scan("gb18030")
    sgbk, pgbk = scan("gbk")
    assert not s18 and not sgbk
    gbk_bits, cp936_bits = set(), set()
    for code, cp in pgbk.items():
        assert p18[code] == cp, hex(code)  # gbk is a subset of gb18030, same values
        gbk_bits.add(code)
        cp936_bits.add(code)
    for code, cp in p18.items():
        if code not in pgbk and PUA_LO <= cp <= PUA_HI:
            cp936_bits.add(code)
    # The reverse table keeps one entry per character: the pair must be unique in gb18030.
    assert len(set(p18.values())) == len(p18)
    return p18, gbk_bits, cp936_bits


def gb4_ranges(two_byte_cps):
    """Runs of the BMP four-byte codes where linear index and code point both step by one."""
    runs = []
    for lin in range(GB4_BMP_COUNT):
        i = lin
        b4 = i % 10
        i //= 10
        b3 = i % 126
        i //= 126
        b2 = i % 10
        b1 = i // 10
        seq = bytes([b1 + 0x81, b2 + 0x30, b3 + 0x81, b4 + 0x30])
        cp = ord(seq.decode("gb18030"))
        assert cp not in two_byte_cps and not 0xD800 <= cp <= 0xDFFF
        assert chr(cp).encode("gb18030") == seq
        if runs and runs[-1][0] + runs[-1][2] == lin and runs[-1][1] + runs[-1][2] == cp:
            runs[-1][2] += 1
        else:
            runs.append([lin, cp, 1])
    # The encoder walks the same table by code point: runs must be sorted both ways.
    assert all(a[1] < b[1] for a, b in zip(runs, runs[1:]))
    covered = set(two_byte_cps)
    for lin, cp, n in runs:
        covered.update(range(cp, cp + n))
    missing = [cp for cp in range(0x80, 0x10000) if cp not in covered and not 0xD800 <= cp <= 0xDFFF]
    assert not missing, missing[:10]
    # The supplementary formula of codec.c, checked at both ends.
    assert b"\x90\x30\x81\x30".decode("gb18030") == "\U00010000"
    assert b"\xe3\x32\x9a\x35".decode("gb18030") == "\U0010ffff"
    return runs


def cp1252_high():
    out = []
    for c in range(0x80, 0xA0):
        cp = decode1(bytes([c]), "cp1252")
        out.append(c if cp is None else cp)  # browsers keep the five undefined bytes as C1
    assert [c for c in range(0x80, 0xA0) if out[c - 0x80] == c] == [0x81, 0x8D, 0x8F, 0x90, 0x9D]
    return out


def fmt_array(values, per_line=16, indent="    "):
    lines = []
    for i in range(0, len(values), per_line):
        lines.append(indent + ",".join(values[i:i + per_line]) + ",")
    return "\n".join(lines)


def hex16(v):
    return "0x%04X" % v if v else "0"


def pair_rows(pairs, leads):
    out = []
    for lead in leads:
        row = [hex16(pairs.get((lead << 8) | t, 0)) for t in range(TRAIL_LO, 0x100)]
        out.append("    {\n" + fmt_array(row, 16, "        ") + "\n    },")
    return "\n".join(out)


def bit_rows(bits, leads):
    out = []
    for lead in leads:
        row = []
        for t0 in range(TRAIL_LO, 0x100, 8):
            v = 0
            for k in range(8):
                if (lead << 8) | (t0 + k) in bits:
                    v |= 1 << k
            row.append("0x%02X" % v)
        out.append("    {" + ",".join(row) + "},")
    return "\n".join(out)


def emit_dbcs(name, single, pairs, pref, out, decls):
    leads, row = rows_of(pairs)
    high = [hex16(single.get(c, 0)) for c in range(0x80, 0x100)]
    out.append("static const uint16_t %s_pairs[%d][LFX_DBCS_TRAILS] = {\n%s\n};\n"
               % (name, len(leads), pair_rows(pairs, leads)))
    out.append("static const uint8_t %s_row[256] = {\n%s\n};\n"
               % (name, fmt_array([str(r) for r in row], 32)))
    out.append("static const uint16_t %s_single[128] = {\n%s\n};\n" % (name, fmt_array(high)))
    if pref:
        out.append("static const lfx_codec_pref %s_pref[%d] = {\n%s\n};\n"
                   % (name, len(pref), fmt_array(["{0x%04X,0x%04X}" % p for p in pref], 6)))
    out.append("const lfx_dbcs_table lfx_%s_table = {%s_pairs, %s_row, %s_single, %s, %d};\n"
               % (name, name, name, name, name + "_pref" if pref else "NULL", len(pref)))
    decls.append("extern const lfx_dbcs_table lfx_%s_table;" % name)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "libfix", "tables",
                                                              "codec_tables.c")
    version = "%d.%d" % sys.version_info[:2]
    out = ["/* Double-byte decode tables of libfix/codec.c (which builds the encoders from them).",
           " * generated by tools/gen_codec_tables.py from Python %s codecs; do not edit. */" % version,
           "#include <stddef.h>",
           "#include <stdint.h>",
           "",
           '#include "codec_tables.h"',
           ""]
    decls = []
    p18, gbk_bits, cp936_bits = gb_family()
    emit_dbcs("gb", {}, p18, [], out, decls)
    leads = sorted({c >> 8 for c in p18})
    assert leads == list(range(0x81, 0xFF))
    out.append("const uint8_t lfx_gb_gbk_bits[126][LFX_DBCS_TRAILS / 8] = {\n%s\n};\n"
               % bit_rows(gbk_bits, leads))
    out.append("const uint8_t lfx_gb_cp936_bits[126][LFX_DBCS_TRAILS / 8] = {\n%s\n};\n"
               % bit_rows(cp936_bits, leads))
    runs = gb4_ranges(set(p18.values()))
    entries = ["{%d,0x%04X}" % (lin, cp) for lin, cp, _ in runs]
    entries.append("{%d,0xFFFF}" % GB4_BMP_COUNT)
    out.append("const lfx_gb4_range lfx_gb4_ranges[%d] = {\n%s\n};\n"
               % (len(entries), fmt_array(entries, 6)))
    out.append("const size_t lfx_gb4_nranges = %d;\n" % len(runs))
    for name, codec in DBCS:
        single, pairs = scan(codec)
        emit_dbcs(name, single, pairs, preferred(codec, single, pairs), out, decls)
    out.append("const uint16_t lfx_cp1252_high[32] = {\n%s\n};"
               % fmt_array(["0x%04X" % v for v in cp1252_high()], 8))
    text = "\n".join(out) + "\n"
    with open(path, "w", newline="\n") as f:
        f.write(text)


if __name__ == "__main__":
    main()
