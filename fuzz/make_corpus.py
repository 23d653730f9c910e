#!/usr/bin/python3
"""Build the seed corpora of the fuzz harnesses (fuzz/corpus/<harness>/).

Sources: the golden vectors (tests/vectors/golden.jsonl), a few hundred small records of the
dev benchmark (../shared/bench/dev-bench.jsonl relative to the repository, when present) and
hand-made hostile inputs. Each harness reads option bytes first (see the comment at the top of
fuzz/fuzz_<harness>.c); the seeds carry them.

    /usr/bin/python3 fuzz/make_corpus.py [--bench PATH] [--per-kind N] [--clean]

Existing seed files (named seed-*) are rewritten; files the fuzzer added (SHA-1 names) are
left alone unless --clean is given. Deterministic: the same sources give the same files.
"""
import argparse
import base64
import hashlib
import json
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
MAX_SEED = 4096  # the campaign's -max_len

CODECS = ["utf-8", "gbk", "cp936win", "gb18030", "big5", "cp950win", "latin1", "cp1252",
          "sjis", "euckr", "utf-16le", "utf-16be"]  # the order of lfx_codec
PYCODEC = {"utf-8": "utf-8", "gbk": "gbk", "cp936win": "gbk", "gb18030": "gb18030",
           "big5": "cp950", "cp950win": "cp950", "latin1": "latin-1", "cp1252": "cp1252",
           "sjis": "cp932", "euckr": "cp949", "utf-16le": "utf-16-le", "utf-16be": "utf-16-be"}
LAYERS = ["ncr", "uescape", "percent", "hz", "mime", "qp"]  # the order in fuzz_layers.c


class Corpus:
    def __init__(self, name):
        self.name = name
        self.files = {}

    def add(self, label, data):
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogatepass")
        data = data[:MAX_SEED]
        label = re.sub(r"[^A-Za-z0-9]+", "_", label).strip("_")[:40] or "x"
        digest = hashlib.sha1(data).hexdigest()[:10]
        self.files["seed-%s-%s" % (label, digest)] = data


def record_bytes(r):
    if "input_b64" in r:
        return base64.b64decode(r["input_b64"])
    return r["input"].encode("utf-8", "surrogatepass")


def load_jsonl(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                out.append((line, json.loads(line)))
    return out


def pick_bench(records, per_kind, rng):
    """A few small records of every kind: short ones first."""
    by_kind = {}
    for line, r in records:
        by_kind.setdefault(r.get("kind", "?"), []).append((line, r))
    chosen = []
    for kind in sorted(by_kind):
        recs = [x for x in by_kind[kind] if len(record_bytes(x[1])) <= 600]
        rng.shuffle(recs)
        recs.sort(key=lambda x: {"short": 0, "medium": 1, "long": 2}.get(x[1].get("len_class"), 3))
        chosen.extend(recs[:per_kind])
    return chosen


def hostile():
    """Inputs written to hurt: (label, bytes)."""
    rng = random.Random(20240607)
    h = []
    h.append(("dbcs_run", bytes(0xA1 + rng.randrange(0x5E) for _ in range(4000))))
    h.append(("high_bytes_all", bytes(range(0x80, 0x100)) * 8))
    h.append(("qmarks_2000", b"?" * 2000))
    h.append(("qmarks_mojibake", ("鍙?" * 400).encode()))
    h.append(("qmarks_mixed", ("鏂囦欢涓嶅瓨鍦?" * 60 + "?\r\n").encode()))
    h.append(("fffd_1000", "\ufffd".encode() * 1000))
    h.append(("fffd_ascii", ("\ufffdA\ufffd\ufffd:" * 200).encode()))
    h.append(("kunkun", ("锟斤拷" * 300 + "询").encode()))
    h.append(("nested_amp", ("&" + "amp;" * 40 + "#20013;") * 10))
    h.append(("nested_mixed", b"&amp;amp;amp;#20013;%25E4%25B8%25AD\\\\u4e2d=?utf-8?Q?=E4=B8=AD?=~{VP~}" * 20))
    h.append(("ncr_edges", b"&#0;&#x110000;&#xD800;&#99999999999;&#128;&#x9F;&#65535;&#xFFFE;&#;&#x;&nGt;&acE;&amp"))
    h.append(("uescape_edges", b"\\ud83d\\ude00\\ud800\\udc00x\\udfff\\U0001F600\\U00110000\\u00\\u{4e2d}\\\\u4e2d"))
    h.append(("percent_edges", b"%E4%B8%AD%E4%B8%%ZZ%B7%A2%00%C0%AF%ED%A0%80%F4%90%80%80%" * 10))
    h.append(("hz_edges", b"~{VP~}~~~\n~{\x7f\x7f~}~{VP" + b"~{" * 100 + b"~}" * 50))
    h.append(("mime_edges", b"=?gb2312?B?1tDOxA==?= =?utf-7?B?K1RpMi0=?= =?TSCII?B?gIGCg4SFhoeIiYqLjA==?="
              b" =?UTF-16?B?AE4tZYc=?= =?x-bogus?Q?=E4?= =?gb2312?Q?=D6=D0_=CE=C4?= =?iso-2022-jp?B?GyRCJEMbKEI=?="))
    h.append(("qp_edges", b"=E4=B8=AD=\r\n=E6=96=87=\n=ZZ=3D=e4=b8=ad" * 20))
    h.append(("alternating", "".join(rng.choice("中a é한あ€?體·（)\ue000фñ😀\u3000") for _ in range(1500))))
    h.append(("nul_bytes", "中\0文\0\0abc\0發送".encode()))
    h.append(("lone_leads", b"\xe4 \xe4\xb8 \xf0\x9f \xf0\x9f\x98 \xc3 \x81 \xfe \xff \x80 \xed\xa0\x80 \xc0\xaf"))
    h.append(("truncated_end", "文件不存在".encode()[:-1]))
    h.append(("truncated_gbk", "文件不存在".encode("gbk")[:-1]))
    h.append(("crlf_mojibake", "鏂囦欢涓嶅瓨鍦?\n鎴愬姛\r\n鍙戦€佹垚鍔?\r\n".encode() * 20))
    h.append(("latin1_deep", "å\x8f\x91é\x80\x81".encode("utf-8").decode("latin-1").encode("utf-8").decode("latin-1").encode("utf-8")))
    h.append(("pinyin_dense", "自治區(qū)重點(diǎn)工業(yè)項(xiàng)目（zhong1）們(men)協(xie)中(zhōng)國(guó)" * 10))
    h.append(("brackets", "中(中)(中)(中)(中),中:中;中?中!中" * 30))
    h.append(("long_line_latin1", ("Ã¥Â" * 1300)))
    h.append(("empty", b""))
    h.append(("one_byte", b"\xb7"))
    h.append(("utf16_bom", b"\xff\xfe" + "中文".encode("utf-16-le") + b"\x00"))
    h.append(("utf16be_bom", b"\xfe\xff" + "中文".encode("utf-16-be")))
    h.append(("gb18030_4byte", "€中𠀀\u00e9\u0400".encode("gb18030") * 10))
    h.append(("pua_cp936", "鎾\ue15f斁".encode() * 20))
    h.append(("korean", "통계 정보 제출 한국어 텍스트는 그대로".encode() * 5))
    h.append(("japanese", "扱えないバージョンです。ファイル".encode() * 5))
    h.append(("box_drawing", "鈹溾攢鈹€ 鈫? 聽 馃煝".encode() * 20))
    return [(label, b.encode() if isinstance(b, str) else b) for label, b in h]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bench", default=os.path.join(REPO, "..", "shared", "bench", "dev-bench.jsonl"))
    ap.add_argument("--golden", default=os.path.join(REPO, "tests", "vectors", "golden.jsonl"))
    ap.add_argument("--per-kind", type=int, default=6, help="dev-bench records per kind of damage")
    ap.add_argument("--clean", action="store_true", help="also delete the non-seed files of each corpus")
    args = ap.parse_args()
    rng = random.Random(7)

    golden = load_jsonl(args.golden) if os.path.exists(args.golden) else []
    bench = pick_bench(load_jsonl(args.bench), args.per_kind, rng) if os.path.exists(args.bench) else []
    if not bench:
        print("note: %s not found; golden vectors and hostile inputs only" % args.bench, file=sys.stderr)
    host = hostile()

    texts = []  # (label, input bytes, expected text or None)
    for _, r in golden:
        texts.append(("golden_" + r.get("name", "g"), record_bytes(r), r.get("expected")))
    for _, r in bench:
        texts.append(("bench_" + r.get("id", r.get("kind", "b")), record_bytes(r), r.get("expected")))
    # expected texts, short to long, thinned to an even spread of lengths
    clean_texts = sorted({t for _, _, t in texts if t and len(t.encode()) <= 400}, key=lambda s: (len(s), s))
    step = max(1, len(clean_texts) // 80)
    clean_texts = clean_texts[::step][:80]
    rng.shuffle(clean_texts)

    corpora = {h: Corpus(h) for h in ["repair", "detect", "codec", "layers", "script", "jsonl"]}

    # repair: option byte, then the input
    c = corpora["repair"]
    for i, (label, b, _) in enumerate(texts):
        c.add(label, b"\x00" + b)
        if i % 5 == 0:
            c.add(label + "_keep", b"\x01" + b)
        if i % 7 == 0:
            c.add(label + "_fw_d1", b"\x0c" + b)
        if i % 11 == 0:
            c.add(label + "_nolayers_d2", b"\x12" + b)
    for label, b in host:
        c.add("hostile_" + label, b"\x00" + b)
        c.add("hostile_fw_" + label, b"\x08" + b)
    for i, t in enumerate(clean_texts[:80]):
        c.add("clean_%d" % i, b"\x20" + t.encode())
        if i % 4 == 0:
            c.add("clean_rich_%d" % i, b"\x60" + t.encode())
            c.add("clean_keep_fw_%d" % i, b"\x29" + t.encode())

    # detect: number of guesses, then raw bytes
    c = corpora["detect"]
    for label, b, expected in texts:
        if not b or b.decode("utf-8", "ignore").encode() != b:
            c.add(label, b"\x08" + b)
    for i, t in enumerate(clean_texts[:40]):
        for enc in ["gbk", "cp950", "cp932", "cp949", "utf-16-le", "utf-16-be", "gb18030", "cp1252"]:
            raw = t.encode(enc, "ignore")
            if raw and (i + len(enc)) % 3 == 0:
                c.add("%s_%d" % (enc, i), bytes([5 + i % 7]) + raw)
    for label, b in host:
        c.add("hostile_" + label, b"\x0b" + b)

    # codec: codec | mode << 4, then bytes (decode), UTF-8 text (encode) or charset + bytes (iconv)
    c = corpora["codec"]
    for k, name in enumerate(CODECS):
        for i, t in enumerate(clean_texts[:24]):
            raw = t.encode(PYCODEC[name], "ignore")
            if name == "cp936win" and i % 3 == 0:
                raw = raw + b"\x80" + raw[:5]
            c.add("dec_%s_%d" % (name, i), bytes([k]) + raw)
            if i % 3 == 0:
                c.add("enc_%s_%d" % (name, i), bytes([k | 0x20]) + t.encode())
        c.add("dec_%s_high" % name, bytes([k]) + bytes(range(0x80, 0x100)) + b"\xa1")
        c.add("enc_%s_raw" % name, bytes([k | 0x60]) + b"\x00\x4e\x2d\x00\x20\xac\x01\xf6\x00\x10\xff\xff\x00\xd8\x00")
    for i, t in enumerate(clean_texts[:12]):
        c.add("iconv_gbk_%d" % i, b"\x30\x01" + t.encode("gbk", "ignore"))
        c.add("iconv_utf16_%d" % i, b"\x30\x04" + t.encode("utf-16"))
        c.add("iconv_hz_%d" % i, b"\x30\x07" + t.encode("hz", "ignore"))
        c.add("iconv_named_%d" % i, b"\x70" + b"ISO-2022-CN\x00" + t.encode("iso2022_jp_2", "ignore"))
    c.add("iconv_tscii", b"\x30\x0e" + bytes(range(0x80, 0x100)))
    c.add("iconv_utf7", b"\x30\x06" + b"+ZeVnLDCi-abc+AGEAYgBj-")

    # layers: layer index, then text
    c = corpora["layers"]
    for label, b, _ in texts:
        s = b.decode("utf-8", "ignore")
        for k, trig in enumerate(["&", "\\", "%", "~", "=?", "="]):
            if trig in s:
                c.add(label, bytes([k]) + b)
    for label, b in host:
        for k in range(len(LAYERS)):
            if len(b) < 1500:
                c.add("hostile_%s_%s" % (LAYERS[k], label), bytes([k]) + b)
    for i, t in enumerate(clean_texts[:10]):
        qp = "".join("=%02X" % x if x > 0x7E or x == 0x3D else chr(x) for x in t.encode())
        c.add("qp_%d" % i, b"\x05" + qp.encode())
        c.add("hz_%d" % i, b"\x03" + t.encode("hz", "ignore"))
        c.add("mime_b_%d" % i, b"\x04=?utf-8?B?" + base64.b64encode(t.encode()) + b"?=")

    # script: 0 t2s, 1 t2s with chooser picks, 2 pinyin_strip, 3 fullwidth_restore
    c = corpora["script"]
    trad = [(l, b) for l, b, _ in texts if re.search("t2s|s2t|zh_Hant|zh-Hant|trad|pinyin", l)]
    for i, (label, b) in enumerate(trad):
        c.add(label + "_t2s", b"\x00" + b)
        if i % 2 == 0:
            c.add(label + "_choose", b"\x01" + b)
        c.add(label + "_pinyin", b"\x02" + b)
    for label, b, _ in texts:
        if b"(" in b or "（".encode() in b:
            c.add(label + "_pinyin", b"\x02" + b)
    for i, t in enumerate(clean_texts[:20]):
        s = t.replace("，", ",").replace("：", ":").replace("（", "(").replace("）", ")").replace("？", "?")
        c.add("fw_%d" % i, b"\x03" + s.encode())
    for label, b in host:
        if label in ("pinyin_dense", "brackets", "alternating", "nul_bytes", "lone_leads"):
            for k in range(4):
                c.add("hostile_%d_%s" % (k, label), bytes([k]) + b)
    news = os.path.join(REPO, "examples", "news_sample.garbled.txt")
    if os.path.exists(news):
        with open(news, "rb") as f:
            for i, line in enumerate(f.read().split(b"\n")[:12]):
                if line.strip():
                    c.add("news_%d" % i, bytes([i % 3]) + line)

    # jsonl: a line of field specs, then the record
    c = corpora["jsonl"]
    for i, (line, r) in enumerate(bench[::4]):
        c.add("bench_%d" % i, ("input,expected\n" if i % 2 else "") + line)
    for i, (line, r) in enumerate(golden[::6]):
        c.add("golden_%d" % i, "input\n" + line)
    c.add("nested", 'meta.title,tags,a.b.c\n{"meta":{"title":"\\u4e2d\\ud83d\\ude00"},"tags":["x",{"y":1},"\\"z"],'
                    '"a":[{"b":{"c":"\xb7\xa2"}},{"b":[{"c":"q"}]}],"text":null}')
    c.add("deep", "[" * 600 + "]" * 600)
    c.add("escapes", '{"text":"\\ud800 \\udc00 \\u0000 \\b\\f\\n\\r\\t\\/ \\x"}')
    c.add("numbers", 'text\n[0,-0,1e5,1E+5,-1.5e-3,01,1.,.5,-,1e]')
    c.add("raw_bytes", b'{"text":"\xb7\xa2\xcb\xcd\xff\xfe\x80"}')
    c.add("keys_escaped", 'te\\u0078t\n{"te\\u0078t":"a","text":"b","t\\u0065xt":["c"]}')
    c.add("top_array", '[{"text":"a"},{"text":["b",{"text":"c"}]}]')
    c.add("empty_fields", ',,.,a..b\n{"a":{"b":"x"}}')

    total = 0
    for name, corp in corpora.items():
        d = os.path.join(HERE, "corpus", name)
        os.makedirs(d, exist_ok=True)
        for f in os.listdir(d):
            if f.startswith("seed-") or args.clean:
                os.remove(os.path.join(d, f))
        for fname, data in sorted(corp.files.items()):
            with open(os.path.join(d, fname), "wb") as f:
                f.write(data)
        size = sum(len(x) for x in corp.files.values())
        total += size
        print("%-7s %4d seeds, %7d bytes" % (name, len(corp.files), size))
    print("total   %d bytes" % total)


if __name__ == "__main__":
    main()
