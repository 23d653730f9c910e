#!/usr/bin/env python3
"""Make benchmark records of partial damage: one short stretch (2-8 characters) of a clean text
garbled, the rest left as it was (a word of a page that went through a wrong decoder on its own:
a field, a title, a pasted name). The benchmark's own partial kind garbles a whole sentence.

The stretch is garbled with the chains of ../shared/bench/garble.py (its `chain` function), so the
records are in the benchmark's schema and score.py scores them; the kind is the chain, with
"(lossy)" when the chain lost bytes.

With --emoji the whole text is garbled instead, after one or two emoji were put in at random
places (chat messages and posts hold them; no legacy code page does).

With --english CONTROLS.jsonl the line around the stretch is English instead: a text of
CONTROLS whose "lang" is "en", with a stretch (2-10 characters, some Han) of a CORPUS text,
garbled, put in at a random place between two spaces (a Chinese field in an English log line or
template).

usage: make_partial.py [--seed N] [--n N] [--chains A,B,...] [--english CONTROLS.jsonl | --emoji]
                       [--garble PATH] CORPUS.jsonl OUT.jsonl
  CORPUS: JSONL with a "text" field (the benchmark's dev-corpus.jsonl); texts of 40 characters
  or more are used (all of them with --english)."""
import argparse
import importlib.util
import json
import os
import random

ENGLISH_SPECS = ["utf8>gbk", "utf8>cp936win", "utf8>gbk|utf8>gbk", "utf8>latin1", "utf8>cp1252", "gbk>latin1",
                 "utf8>sjis", "utf8>euckr", "gbk>big5"]
SPECS = ["utf8>gbk", "utf8>cp936win", "utf8>gbk|utf8>gbk", "utf8>cp936win|utf8>cp936win", "gbk>big5",
         "utf8>sjis", "utf8>euckr", "gbk>latin1", "utf8>gbk|utf8>cp1252"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--n", type=int, default=1500, help="records to try to make")
    ap.add_argument("--chains", default=None, help="garble.py chains, comma-separated")
    ap.add_argument("--english", default=None, help="controls-corpus.jsonl: English lines around the stretch")
    ap.add_argument("--emoji", action="store_true", help="emoji put in, then the whole text garbled")
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--garble", default=os.path.join(here, "..", "..", "shared", "bench", "garble.py"))
    a = ap.parse_args()
    spec = importlib.util.spec_from_file_location("garble", a.garble)
    garble = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(garble)
    rng = random.Random(a.seed)
    chains = a.chains.split(",") if a.chains else (ENGLISH_SPECS if a.english else SPECS)
    if a.english:
        english(a, garble, rng, chains)
        return
    if a.emoji:
        emoji(a, garble, rng, chains)
        return
    with open(a.corpus, encoding="utf-8") as f:
        texts = [r for r in (json.loads(line) for line in f) if len(r["text"]) >= 40]
    made = 0
    with open(a.out, "w", encoding="utf-8") as out:
        for _ in range(a.n):
            src = rng.choice(texts)
            t = src["text"]
            n = rng.randint(2, 8)
            at = rng.randrange(0, len(t) - n)
            chain = rng.choice(chains)
            try:
                g = garble.chain(chain)(t[at:at + n])
            except (UnicodeError, ValueError):
                continue
            damaged = t[:at] + g["input"] + t[at + n:]
            if damaged == t:
                continue
            kind = chain + ("" if g["recoverable"] else "(lossy)")
            out.write(json.dumps({"id": "partial-%d" % made, "kind": kind,
                                  "len_class": src.get("len_class", "long"), "source": src.get("id", ""), "input": damaged, "expected": t,
                                  "recoverable": g["recoverable"], "t2s_exact": True}, ensure_ascii=False) + "\n")
            made += 1
    print("%d records in %s" % (made, a.out))


EMOJI = ["\U0001F600", "\U0001F60A", "\U0001F602", "\U0001F44D", "\U0001F44C", "\U0001F64F", "\U0001F389",
         "\U0001F525", "\u2764\ufe0f", "\u2705", "\U0001F914", "\U0001F62D"]


def emoji(a, garble, rng, chains):
    with open(a.corpus, encoding="utf-8") as f:
        texts = [r for r in (json.loads(line) for line in f) if any("\u4e00" <= c <= "\u9fff" for c in r["text"])]
    made = 0
    with open(a.out, "w", encoding="utf-8") as out:
        for _ in range(a.n):
            src = rng.choice(texts)
            t = src["text"]
            for _ in range(rng.randint(1, 2)):
                at = rng.randrange(0, len(t) + 1)
                t = t[:at] + rng.choice(EMOJI) + t[at:]
            chain = rng.choice(chains)
            try:
                g = garble.chain(chain)(t)
            except (UnicodeError, ValueError):
                continue
            if g["input"] == t:
                continue
            kind = chain + ("" if g["recoverable"] else "(lossy)")
            out.write(json.dumps({"id": "emoji-%d" % made, "kind": kind, "len_class": src.get("len_class", "medium"),
                                  "source": src.get("id", ""), "input": g["input"], "expected": t,
                                  "recoverable": g["recoverable"], "t2s_exact": True}, ensure_ascii=False) + "\n")
            made += 1
    print("%d records in %s" % (made, a.out))


def english(a, garble, rng, chains):
    with open(a.english, encoding="utf-8") as f:
        hosts = [r["text"] for r in (json.loads(line) for line in f) if r.get("lang") == "en"]
    with open(a.corpus, encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f]
    made = 0
    with open(a.out, "w", encoding="utf-8") as out:
        for _ in range(a.n):
            host = rng.choice(hosts)
            t = rng.choice(texts)
            n = rng.randint(2, 10)
            at = rng.randrange(0, max(1, len(t) - n))
            stretch = t[at:at + n]
            if not any("\u4e00" <= c <= "\u9fff" for c in stretch):
                continue
            chain = rng.choice(chains)
            try:
                g = garble.chain(chain)(stretch)
            except (UnicodeError, ValueError):
                continue
            cut = rng.randrange(0, len(host) + 1)
            damaged = host[:cut] + " " + g["input"] + " " + host[cut:]
            expected = host[:cut] + " " + stretch + " " + host[cut:]
            if damaged == expected:
                continue
            kind = chain + ("" if g["recoverable"] else "(lossy)")
            out.write(json.dumps({"id": "english-%d" % made, "kind": kind, "len_class": "medium", "input": damaged,
                                  "expected": expected, "recoverable": g["recoverable"], "t2s_exact": True},
                                 ensure_ascii=False) + "\n")
            made += 1
    print("%d records in %s" % (made, a.out))


if __name__ == "__main__":
    main()
