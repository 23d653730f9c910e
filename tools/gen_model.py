#!/usr/bin/env python3
"""Generate libfix/tables/model_tables.c: the character model of Simplified Chinese.

Sources (see tools/SOURCES): python3-jieba's dict.txt (word frequencies, MIT) for character
unigrams and within-word character bigrams; OpenCC's TSCharacters (Apache-2.0) so Traditional
characters cost a little more than their Simplified forms instead of being unknown; Unihan's
kGB0/kGB1 (unicode-data) for the floor cost of characters jieba never saw; manpages-zh (the
Simplified manual pages, troff) for character bigrams and trigrams of running text.

The character model is the one a unigram word model implies: after character a, either a's
word ends (probability lam(a), measured as how often a is word-final) and b starts a new word
(p_start(b)), or the word goes on with b (c(ab) / c(a not final)). Costs are bits (-log2 p) in
units of 1/8 bit, clamped to 0..255 (uint8).

A dictionary knows words, not how they follow each other ("好的" and "以使用" are no words,
"好笑" and "人使" nearly are): where running text has shown a pair, its probability is
interpolated with the corpus's (Witten-Bell weight of the first character); pairs the corpus
never showed keep the dictionary's probability, so no clean text costs more for the corpus.
usage: gen_model.py [OUT.c]   (default: libfix/tables/model_tables.c)"""
import bz2
import collections
import gzip
import math
import os
import re
import subprocess
import sys
import tempfile

JIEBA = "/usr/lib/python3/dist-packages/jieba/dict.txt"
OPENCC = "/usr/share/opencc/TSCharacters.ocd2"
UNIHAN = "/usr/share/unicode/Unihan_IRGSources.txt.bz2"
UNIHAN_OTHER = "/usr/share/unicode/Unihan_OtherMappings.txt.bz2"
MANPAGES = "/usr/share/man/zh_CN"

LO, HI = 0x3400, 0x9FFF        # the range with per-character costs
LAM_MIN = 1.0 / 64             # no character is never word-final
TRAD_EXTRA = 3.0               # bits a Traditional form costs over its Simplified form
FLOOR_GB = 19.0                # unseen by jieba but in GB2312
FLOOR_URO = 23.0               # unseen, CJK Unified Ideographs
FLOOR_EXTA = 26.0              # unseen, Extension A
MIN_PAIR = 3                   # pairs seen less often are left to the unigram back-off
MARKS = "，。、：；？！“”（）《》"  # the marks whose choice after a character the corpus informs
QUESTION_WORDS = "谁怎什哪何吗呢"  # in a clause that ends in ？ eight times in ten or more (manpages-zh)
QUESTION_MARKS = "：；？！"        # the marks of a clause's end that share their first two UTF-8 bytes
CLAUSE_MARKS = MARKS[:7]        # ，。、：；？！: marks after which a clause (and a word) starts
MARK_PRIOR = 64.0              # pseudo-counts of the overall mark distribution per character
MIN_MARKS = 20                 # characters followed by fewer marks keep the overall distribution
MIN_CORPUS_PAIR = 2            # pairs of running text seen less often are left to the dictionary
MIN_CORPUS_TRI = 1             # triples of running text seen once count (the Witten-Bell weight
                               # of their pair discounts what was seen once after it)
END_PRIOR = 64.0               # pseudo-counts of the model's expectation of ASCII after a character


def q(bits):
    return max(0, min(255, int(round(bits * 8))))


def bits8(ratio):
    """log2(ratio) in eighths of a bit, as an int8 cost adjustment."""
    return max(-127, min(127, int(round(8 * math.log2(ratio)))))


def read_jieba():
    uni = collections.Counter()
    pair = collections.Counter()
    start = collections.Counter()
    final = collections.Counter()
    tri = collections.Counter()
    end2 = collections.Counter()
    with open(JIEBA, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 2:
                continue
            w, n = parts[0], int(parts[1])
            for c in w:
                uni[c] += n
            for a, b in zip(w, w[1:]):
                pair[(a, b)] += n
            start[w[0]] += n
            final[w[-1]] += n
            for i in range(len(w) - 2):
                tri[(w[i], w[i + 1], w[i + 2])] += n
            if len(w) >= 2:
                end2[(w[-2], w[-1])] += n
    return uni, pair, start, final, tri, end2


TROFF_ESCAPE = re.compile(r"\\(f(\[[^\]]*\]|\(..|.)|[,/&:|^ -]|\(..|\*.)")


def read_manpages():
    """Character pair counts of running text: every pair of adjacent Han characters in the
    manual pages of manpages-zh (troff requests and comments skipped, font escapes removed),
    and every Han character followed by a full-width mark of MARKS; and every Han character
    that stands alone between spaces (' 或 ', a word between options or names); and how often
    each Han character follows ASCII text (7 章) and is followed by it (第 7), and follows a
    digit, at once or after a space (8 个, 2024年), and a mark that ends a clause (，然而)."""
    pair = collections.Counter()
    follow = collections.Counter()
    marks = collections.Counter()
    alone = collections.Counter()
    after_ascii = collections.Counter()
    before_ascii = collections.Counter()
    after_digit = collections.Counter()
    after_mark = collections.Counter()
    mark_next = collections.Counter()
    mark_after_ascii = collections.Counter()
    question = collections.Counter()
    triples = collections.Counter()
    for root, dirs, files in sorted(os.walk(MANPAGES)):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            if os.path.islink(path) or not name.endswith(".gz"):
                continue
            with gzip.open(path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
            for line in text.split("\n"):
                if line.startswith(('.\\"', "'\\\"")):
                    continue
                if line.startswith("."):
                    parts = line.split(None, 1)
                    line = parts[1] if len(parts) == 2 else ""
                line = TROFF_ESCAPE.sub("", line)
                spaced = " " + line + " "
                for i in range(1, len(spaced) - 1):
                    if spaced[i - 1] == " " and spaced[i + 1] == " " and LO <= ord(spaced[i]) <= HI:
                        alone[spaced[i]] += 1
                for i in range(1, len(line)):
                    if LO <= ord(line[i]) <= HI and (
                            "0" <= line[i - 1] <= "9" or (line[i - 1] == " " and i > 1 and "0" <= line[i - 2] <= "9")):
                        after_digit[line[i]] += 1
                for i, m in enumerate(line):
                    if m not in MARKS:
                        continue
                    mark_next[(m, next_class(line[i + 1] if i + 1 < len(line) else "\n"))] += 1
                    if i > 0 and "!" <= line[i - 1] <= "~":
                        mark_after_ascii[m] += 1
                for a, b, c in zip(line, line[1:], line[2:]):
                    if LO <= ord(a) <= HI and LO <= ord(b) <= HI and LO <= ord(c) <= HI:
                        triples[(a, b, c)] += 1
                asked = False
                for i, c in enumerate(line):
                    if c in CLAUSE_MARKS:
                        if c in QUESTION_MARKS and i > 0 and LO <= ord(line[i - 1]) <= HI:
                            question[(c, asked)] += 1
                        asked = False
                    elif c in QUESTION_WORDS:
                        asked = True
                for a, b in zip(line, line[1:]):
                    if " " <= a <= "~" and LO <= ord(b) <= HI:
                        after_ascii[b] += 1
                    if a in CLAUSE_MARKS and LO <= ord(b) <= HI:
                        after_mark[b] += 1
                    if LO <= ord(a) <= HI and " " <= b <= "~":
                        before_ascii[a] += 1
                    if LO <= ord(a) <= HI:
                        follow[a] += 1
                        if LO <= ord(b) <= HI:
                            pair[(a, b)] += 1
                        elif b in MARKS:
                            marks[(a, b)] += 1
    return (pair, follow, marks, alone, after_ascii, before_ascii, after_digit, after_mark, mark_next, mark_after_ascii,
            triples, question)


NEXT_CLASSES = ("han", "alnum", "space", "eol", "punct")  # what follows a mark (lfx_mark_next)


def next_class(c):
    if LO <= ord(c) <= HI:
        return "han"
    if c.isascii() and c.isalnum():
        return "alnum"
    if c == " ":
        return "space"
    if c in "\n\r":
        return "eol"
    if "!" <= c <= "~":
        return "punct"
    return "other"


def read_ts():
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "ts.txt")
        subprocess.check_call(["opencc_dict", "-i", OPENCC, "-o", out, "-f", "ocd2", "-t", "text"])
        m = {}
        with open(out, encoding="utf-8") as f:
            for line in f:
                k, v = line.rstrip("\n").split("\t")
                if len(k) == 1:
                    m[k] = v.split()[0]
        return m


def read_gb2312():
    gb = set()
    with bz2.open(UNIHAN_OTHER, "rt", encoding="utf-8") as f:
        for line in f:
            if "\tkGB0\t" in line:
                gb.add(int(line.split("\t")[0][2:], 16))
    return gb


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "libfix", "tables", "model_tables.c")
    uni, pair, start, final, tri, end2 = read_jieba()
    total_start = sum(start.values())
    ts = read_ts()
    gb = read_gb2312()
    total = sum(uni.values())

    def jieba_bits(c):
        return -math.log2(uni[c] / total) if uni.get(c) else None

    cost = {}
    for cp in range(LO, HI + 1):
        c = chr(cp)
        b = jieba_bits(c)
        if c in ts and ts[c] != c:
            sb = jieba_bits(ts[c])
            if sb is not None:
                b = min(b, sb + TRAD_EXTRA) if b is not None else sb + TRAD_EXTRA
        if b is None:
            b = FLOOR_EXTA if cp < 0x4E00 else (FLOOR_GB if cp in gb else FLOOR_URO)
        cost[cp] = b

    # Word-start cost of every character (a character jieba never saw start a word costs its
    # unigram cost plus the average gap), and the word-end probability lam of every character.
    gap = []
    start_cost = {}
    for cp in range(LO, HI + 1):
        c = chr(cp)
        if start.get(c):
            start_cost[cp] = -math.log2(start[c] / total_start)
            gap.append(start_cost[cp] - cost[cp])
    mean_gap = sum(gap) / len(gap)
    for cp in range(LO, HI + 1):
        if cp not in start_cost:
            start_cost[cp] = cost[cp] + mean_gap
    # A Traditional character scores as its Simplified form plus TRAD_EXTRA: the model judges
    # whether text is sound Chinese, and the script is the script layer's business.
    simp = {}
    for cp in range(LO, HI + 1):
        t = ts.get(chr(cp))
        if t and t != chr(cp) and LO <= ord(t) <= HI:
            simp[cp] = ord(t)
    for cp, sc in simp.items():
        start_cost[cp] = start_cost[sc] + TRAD_EXTRA
        cost[cp] = min(cost[cp], cost[sc] + TRAD_EXTRA)
    lam = {}
    for cp in range(LO, HI + 1):
        c = chr(simp.get(cp, cp))
        lam[cp] = (final[c] / uni[c]) if uni.get(c) else 1.0
        lam[cp] = min(1.0, max(LAM_MIN, lam[cp]))

    # Bigrams: p(b|a) = lam(a) * p_start(b) + (1 - lam(a)) * c(ab) / c(a not final); an absent
    # pair costs lam_bits(a) + start(b), computed at run time.
    pj = {}
    for (a, b), n in pair.items():
        if n < MIN_PAIR or not (LO <= ord(a) <= HI and LO <= ord(b) <= HI):
            continue
        nonfinal = uni[a] - final[a]
        if nonfinal <= 0:
            continue
        la = lam[ord(a)]
        pj[(ord(a), ord(b))] = la * 2.0 ** -start_cost[ord(b)] + (1 - la) * n / nonfinal
    # Running text: p = (1 - w) p_dict + w p_corpus for the pairs the corpus has shown, with the
    # Witten-Bell weight w = n(a) / (n(a) + kinds of followers of a).
    (cpair, cfollow, cmarks, calone, cafter, cbefore, cdigit, cmark, cmark_next, cmark_ascii, ctriples,
     cquestion) = read_manpages()
    kinds = collections.Counter(a for (a, b), n in cpair.items() if n >= MIN_CORPUS_PAIR)
    for (a, b), n in cpair.items():
        if n < MIN_CORPUS_PAIR:
            continue
        ka, kb = ord(a), ord(b)
        w = cfollow[a] / (cfollow[a] + kinds[a])
        base = pj.get((ka, kb), lam[ka] * 2.0 ** -start_cost[kb])
        pj[(ka, kb)] = (1 - w) * base + w * n / cfollow[a]
    firsts = collections.defaultdict(list)
    for (a, b), p in pj.items():
        firsts[a].append((b, q(-math.log2(p))))
    index = [0]
    second = []
    pcost = []
    pprob = {}
    entry_of = {}  # (a, b) -> its pair entry
    for cp in range(LO, HI + 1):
        for b, c in sorted(firsts.get(cp, ())):
            entry_of[(cp, b)] = len(second)
            second.append(b - LO)
            pcost.append(c)
            pprob[(cp, b)] = 2.0 ** (-c / 8.0)
        index.append(len(second))

    def p2(b, c):
        if (b, c) in pprob:
            return pprob[(b, c)]
        return lam[b] * 2.0 ** -start_cost[c]

    # Trigrams inside words: after a b, with mu the share of p(b|a) that keeps a and b in one
    # word, p(c|ab) = mu * (e(ab) p_start(c) + c(abc)/c(ab)) + (1 - mu) p(c|b), where e(ab) is how
    # often ab ends its word. Stored per pair entry: the costs of the listed third characters,
    # and for the others the two terms' weights (-log2(mu e), -log2(1 - mu)).
    thirds = collections.defaultdict(list)
    for (a, b, c), n in tri.items():
        if n >= MIN_PAIR and all(LO <= ord(x) <= HI for x in (a, b, c)):
            thirds[(ord(a), ord(b))].append((ord(c), n))
    tri_index = [0]
    tri_third = []
    tri_cost = []
    mu_end = []
    mu_rest = []
    k = 0
    for cp in range(LO, HI + 1):
        for b, _ in sorted(firsts.get(cp, ())):
            a_ch, b_ch = chr(cp), chr(b)
            nab = pair[(a_ch, b_ch)]
            nonfinal = uni[a_ch] - final[a_ch]
            if nab < MIN_PAIR or nonfinal <= 0:
                # a pair of running text only: no word goes on past it
                tri_index.append(len(tri_third))
                mu_end.append(255)
                mu_rest.append(0)
                k += 1
                continue
            within = (1 - lam[cp]) * nab / nonfinal
            mu = min(1.0, within / pprob[(cp, b)])
            e = end2[(a_ch, b_ch)] / nab
            for c, n in sorted(thirds.get((cp, b), ())):
                p3 = e * 2.0 ** -start_cost[c] + n / nab
                p = mu * p3 + (1 - mu) * p2(b, c)
                tri_third.append(c - LO)
                tri_cost.append(q(-math.log2(p)))
            tri_index.append(len(tri_third))
            mu_end.append(q(-math.log2(mu * e)) if mu * e > 0 else 255)
            mu_rest.append(q(-math.log2(1 - mu)) if mu < 1 else 255)
            k += 1

    # Trigrams of running text: where the corpus has shown a b c at least MIN_CORPUS_TRI times,
    # p(c|ab) = (1 - w) p_model(c|ab) + w n(abc) / n(ab), with the Witten-Bell weight
    # w = n(ab) / (n(ab) + kinds of c after ab), p_model what the tables above give at run time
    # (model.c han_triple). Stored per pair entry as the cost that replaces the model's; third
    # characters the corpus did not show keep the model's cost, so no clean text costs more.
    def pair_bits(b, c):
        e_k = entry_of.get((b, c))
        if e_k is not None:
            return pcost[e_k] / 8.0
        return (q(-math.log2(lam[b])) + q(start_cost[c])) / 8.0

    def model_bits(a, b, c):
        e_k = entry_of.get((a, b))
        if e_k is None or tri_index[e_k] == tri_index[e_k + 1]:
            return pair_bits(b, c)
        lo, hi = tri_index[e_k], tri_index[e_k + 1]
        thirds_k = tri_third[lo:hi]
        if c - LO in thirds_k:
            return tri_cost[lo + thirds_k.index(c - LO)] / 8.0
        ended = (mu_end[e_k] + q(start_cost[c])) / 8.0
        apart = mu_rest[e_k] / 8.0 + pair_bits(b, c)
        return min(ended, apart)

    n_ab = collections.Counter()
    kinds_ab = collections.Counter()
    for (a, b, c), n in ctriples.items():
        n_ab[(a, b)] += n
        kinds_ab[(a, b)] += 1
    ctri = collections.defaultdict(list)
    for (a, b, c), n in ctriples.items():
        if n < MIN_CORPUS_TRI:
            continue
        ka, kb, kc = (simp.get(ord(x), ord(x)) for x in (a, b, c))
        if (ka, kb, kc) != (ord(a), ord(b), ord(c)) or (ka, kb) not in entry_of:
            continue
        w = n_ab[(a, b)] / (n_ab[(a, b)] + kinds_ab[(a, b)])
        p = (1 - w) * 2.0 ** -model_bits(ka, kb, kc) + w * n / n_ab[(a, b)]
        ctri[entry_of[(ka, kb)]].append((kc - LO, q(-math.log2(p))))
    # One list per pair entry for the run time: the word trigrams with the corpus's costs in
    # place where it has them. A pair whose words go on nowhere (an empty list: the model gives
    # the pair cost of b c) keeps that fallback through weights 255 and 0.
    m_index = [0]
    m_third = []
    m_cost = []
    n_running = 0
    for e_k in range(len(second)):
        lo, hi = tri_index[e_k], tri_index[e_k + 1]
        merged = dict(zip(tri_third[lo:hi], tri_cost[lo:hi]))
        if lo == hi and ctri.get(e_k):
            mu_end[e_k], mu_rest[e_k] = 255, 0
        for c, cst in ctri.get(e_k, ()):
            merged[c] = cst
            n_running += 1
        for c in sorted(merged):
            m_third.append(c)
            m_cost.append(merged[c])
        m_index.append(len(m_third))
    tri_index, tri_third, tri_cost = m_index, m_third, m_cost

    # Which mark follows a character: the model costs marks by kind (，。 cheap, ？！ dearer);
    # where the corpus saw a character followed by marks often enough, that cost moves by
    # log2(Q(m) / p(m | a)), Q the overall distribution of marks after Han characters and
    # p(m | a) = (n(a, m) + MARK_PRIOR Q(m)) / (n(a, any mark) + MARK_PRIOR): 呢 and 吗 take ？.
    mark_total = collections.Counter()
    per_char = collections.Counter()
    for (a, m), n in cmarks.items():
        mark_total[m] += n
        per_char[simp.get(ord(a), ord(a))] += n
    all_marks = sum(mark_total.values())
    q_mark = {m: (mark_total[m] + 1) / (all_marks + len(MARKS)) for m in MARKS}
    # and how often each mark follows Han text at all, against the commonest (，): the model
    # gives ，。、 one cost by kind, but 。 ends many more sentences than 、 parts lists
    mark_base = [bits8(q_mark[MARKS[0]] / q_mark[m]) for m in MARKS]
    # A mark after ASCII text (a、b、c: 、 parts lists of names far more often than after Han
    # text): log2(Q(m) / p(m)), Q the distribution after Han characters and p(m) = (n(m) +
    # MARK_PRIOR Q(m)) / (N + MARK_PRIOR) over the N marks seen after printable ASCII.
    n_ma = sum(cmark_ascii.values())
    # Marks seen fewer than MIN_MARKS times after Han or after ASCII keep 0 (the corpus's 《 follows
    # ASCII 297 times and Han 3: troff, not text).
    mark_ascii = [bits8(q_mark[m] / ((cmark_ascii[m] + MARK_PRIOR * q_mark[m]) / (n_ma + MARK_PRIOR)))
                  if min(cmark_ascii[m], mark_total[m]) >= MIN_MARKS else 0 for m in MARKS]
    # And what follows each mark (：and a name or a line end; 、 and Han text): per mark and class
    # of what follows (NEXT_CLASSES), log2(p(K) / p(K | m)), p(K) over all the marks and
    # p(K | m) = (n(m, K) + MARK_PRIOR p(K)) / (n(m) + MARK_PRIOR).
    all_next = collections.Counter()
    per_mark = collections.Counter()
    for (m, k), n in cmark_next.items():
        all_next[k] += n
        per_mark[m] += n
    n_all = sum(all_next.values())
    mark_next = []
    for m in MARKS:
        for k in NEXT_CLASSES:
            pk = (all_next[k] + 1) / (n_all + len(NEXT_CLASSES))
            mark_next.append(bits8(pk / ((cmark_next[(m, k)] + MARK_PRIOR * pk) / (per_mark[m] + MARK_PRIOR))))
    mark_row = [0] * (HI - LO + 1)
    mark_delta = []
    by_char = collections.defaultdict(collections.Counter)
    for (a, m), n in cmarks.items():
        by_char[simp.get(ord(a), ord(a))][m] += n
    for cp in range(LO, HI + 1):
        n_a = per_char.get(cp, 0)
        if n_a < MIN_MARKS:
            continue
        mark_row[cp - LO] = len(mark_delta) // len(MARKS) + 1
        for m in MARKS:
            p = (by_char[cp][m] + MARK_PRIOR * q_mark[m]) / (n_a + MARK_PRIOR)
            mark_delta.append(bits8(q_mark[m] / p))
    for cp in range(LO, HI + 1):
        if mark_row[cp - LO] == 0 and cp in simp and mark_row[simp[cp] - LO]:
            mark_row[cp - LO] = mark_row[simp[cp] - LO]

    # Han text next to ASCII (第 7 章, -v 或 -t): the model makes a character start a word after
    # ASCII as often as after anything (p_start) and end one before ASCII as often as before any
    # other non-Han text (lam). The corpus says where that is wrong. Start: log2(Q(c) / p(c)),
    # Q(c) = p_start(c) and p(c) = (n(c) + N Q(c)) / 2N over the N characters seen after ASCII.
    # End: log2(e(c) / p(c)), e(c) = P0 lam(c) / mean lam the share of c's occurrences the model
    # expects before ASCII (P0 the corpus's share for all), p(c) = (n(c) + END_PRIOR e(c)) /
    # (count(c) + END_PRIOR).
    q_start = {cp: 2.0 ** -start_cost[simp.get(cp, cp)] for cp in range(LO, HI + 1)}

    def by_simplified(counts):
        """Counts per character, Traditional forms counted as their Simplified form."""
        out = collections.Counter()
        for c, n in counts.items():
            out[simp.get(ord(c), ord(c))] += n
        return out

    def half_corpus(q, counts):
        """Per character, log2(Q(c) / p(c)) in eighths of a bit: Q the model's distribution
        (q normalised) in some context, p(c) = (n(c) + N Q(c)) / 2N over the N characters the
        corpus saw there (counts): half its mass from the corpus, half from the model."""
        z = sum(q.values())
        n = sum(counts.values())
        by = by_simplified(counts)
        out = {}
        for cp in range(LO, HI + 1):
            qc = q[cp] / z
            pc = (by[simp.get(cp, cp)] + n * qc) / (2 * n)
            out[cp] = bits8(qc / pc)
        return out

    before_by, count_by = by_simplified(cbefore), by_simplified(cfollow)
    total_count = sum(count_by.values())
    p0 = sum(before_by.values()) / total_count
    mean_lam = sum(lam[cp] * n for cp, n in count_by.items()) / total_count
    d_start = half_corpus(q_start, cafter)
    d_end = {}
    for cp in range(LO, HI + 1):
        sc = simp.get(cp, cp)
        e = min(0.95, p0 * lam[sc] / mean_lam)
        pe = (before_by[sc] + END_PRIOR * e) / (count_by[sc] + END_PRIOR)
        d_end[cp] = bits8(e / pe)

    # After a digit (at once or after a space) the characters that count things start words far
    # more often than after other ASCII (8 个, 2024 年, 32 位), which the model's after-ASCII
    # distribution Q_a(c) ~ p_start(c) 2^-d_start(c) does not know. Per character,
    # log2(Q_a(c) / p(c)), p(c) = (n(c) + N Q_a(c)) / 2N over the N characters seen after digits.
    q_after = {cp: 2.0 ** -(start_cost[simp.get(cp, cp)] + d_start[cp] / 8.0) for cp in range(LO, HI + 1)}
    d_digit = half_corpus(q_after, cdigit)

    # After a mark that ends a clause the words that begin clauses start far more often than
    # elsewhere (，然而 ；甚至), and the characters that end words rarely (，了): the model's
    # distribution there is p_start(c). Per character, log2(Q(c) / p(c)), p(c) = (n(c) + N Q(c))
    # / 2N over the N characters seen after such marks: half the corpus, half the model.
    d_mark = half_corpus(q_start, cmark)

    # A character alone between spaces: the model scores it as a word that starts after the
    # space and ends before the next, Q(c) ~ p_start(c) lam(c); the corpus shows that a few
    # function words take that place (或, 和, 与: ' -i 或 -v'). Per character, log2(Q(c) / p(c)),
    # p(c) = (n(c) + N Q(c)) / 2N, N the characters the corpus saw alone: half its mass from
    # the corpus, half from the model. Applied to the space after the character.
    q_alone = {cp: 2.0 ** -(start_cost[simp.get(cp, cp)] + (d_start[cp] + d_end[cp]) / 8.0) * lam[simp.get(cp, cp)]
               for cp in range(LO, HI + 1)}
    d_alone = half_corpus(q_alone, calone)

    # The mark that ends a clause with a question word in it, and one without (a ？ after 如何, a
    # ： after 如下): per mark of QUESTION_MARKS, with a question word and without, log2(p(m) /
    # p(m | asked)) among the four, p(m) over all clauses (half a count added to each).
    n_asked = {a: sum(v for (m, b), v in cquestion.items() if b == a) for a in (True, False)}
    n_all = sum(cquestion.values())
    question_bits = []
    for m in QUESTION_MARKS:
        p_m = (cquestion[(m, True)] + cquestion[(m, False)] + 0.5) / (n_all + 2.0)
        for a in (True, False):
            question_bits.append(bits8(p_m / ((cquestion[(m, a)] + 0.5) / (n_asked[a] + 2.0))))

    def arr(ctype, name, values, per_line=24):
        lines = ["const %s %s[%d] = {" % (ctype, name, len(values))]
        for i in range(0, len(values), per_line):
            lines.append(",".join(str(v) for v in values[i:i + per_line]) + ",")
        lines.append("};")
        return "\n".join(lines)

    with open(out_path, "w", encoding="utf-8") as f:
        f.write("/* generated by tools/gen_model.py from python3-jieba dict.txt, OpenCC TSCharacters and\n"
                " * Unihan kGB0; do not edit. Costs: bits * 8 (uint8). */\n")
        f.write('#include "model_tables.h"\n\n')
        f.write(arr("uint8_t", "lfx_han_cost", [q(cost[cp]) for cp in range(LO, HI + 1)]) + "\n")
        f.write(arr("uint8_t", "lfx_han_start_cost", [q(start_cost[cp]) for cp in range(LO, HI + 1)]) + "\n")
        f.write(arr("uint8_t", "lfx_han_end_cost", [q(-math.log2(lam[cp])) for cp in range(LO, HI + 1)]) + "\n")
        f.write("const float lfx_model_trad_bits = %.6ff;\n" % TRAD_EXTRA)
        f.write(arr("uint16_t", "lfx_han_simplified", [simp.get(cp, cp) - LO for cp in range(LO, HI + 1)], 16) + "\n")
        f.write(arr("uint32_t", "lfx_pair_index", index, 16) + "\n")
        f.write(arr("uint16_t", "lfx_pair_second", second) + "\n")
        f.write(arr("uint8_t", "lfx_pair_cost", pcost) + "\n")
        f.write(arr("uint32_t", "lfx_tri_index", tri_index, 16) + "\n")
        f.write(arr("uint16_t", "lfx_tri_third", tri_third) + "\n")
        f.write(arr("uint8_t", "lfx_tri_cost", tri_cost) + "\n")
        f.write(arr("uint8_t", "lfx_pair_mu_end", mu_end) + "\n")
        f.write(arr("uint8_t", "lfx_pair_mu_rest", mu_rest) + "\n")
        f.write(arr("uint16_t", "lfx_mark_row", mark_row, 16) + "\n")
        f.write(arr("int8_t", "lfx_mark_delta", mark_delta, 13) + "\n")
        f.write(arr("int8_t", "lfx_mark_base", mark_base, 13) + "\n")
        f.write(arr("int8_t", "lfx_mark_after_ascii", mark_ascii, 13) + "\n")
        f.write(arr("int8_t", "lfx_mark_next", mark_next, len(NEXT_CLASSES)) + "\n")
        f.write(arr("int8_t", "lfx_han_alone", [d_alone[cp] for cp in range(LO, HI + 1)]) + "\n")
        f.write(arr("int8_t", "lfx_han_after_ascii", [d_start[cp] for cp in range(LO, HI + 1)]) + "\n")
        f.write(arr("int8_t", "lfx_han_before_ascii", [d_end[cp] for cp in range(LO, HI + 1)]) + "\n")
        f.write(arr("int8_t", "lfx_han_after_digit", [d_digit[cp] for cp in range(LO, HI + 1)]) + "\n")
        f.write(arr("int8_t", "lfx_han_after_mark", [d_mark[cp] for cp in range(LO, HI + 1)]) + "\n")
        f.write(arr("uint16_t", "lfx_question_words", [ord(c) for c in QUESTION_WORDS]) + "\n")
        f.write(arr("int8_t", "lfx_question_bits", question_bits) + "\n")
    print("han %d, pairs %d, trigrams %d (of running text %d)" % (HI - LO + 1, len(second), len(tri_third), n_running),
          file=sys.stderr)


if __name__ == "__main__":
    main()
