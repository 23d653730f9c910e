/* Script layer: Traditional -> Simplified (OpenCC's tables, phrase level, a callback for the
 * one-to-many characters), removal of a converter's inline pinyin, full-width punctuation. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tables/script_tables.h"

static void u32_append(lfx_u32 *v, const uint32_t *cp, size_t n) {
    if (n == 0 || lfx_u32_reserve(v, n)) return;
    memcpy(v->data + v->len, cp, n * sizeof(uint32_t));
    v->len += n;
}

static int is_han(uint32_t cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3134F);
}

/* Returns 1 when t2s always changes cp (OpenCC's default candidate differs), 2 when cp is also a
 * standard Simplified character that t2s changes only in some words (乾, 著, 覆, 瞭): a converter
 * may have produced it, but a Simplified text may contain it too. */
int lfx_is_traditional(uint32_t cp) {
    if (!lfx_cp_set_has(&lfx_t2s_trad, cp)) return 0;
    return lfx_t2s_simp[lfx_cp_set_rank(&lfx_t2s_trad, cp)] == cp ? 2 : 1;
}

/* Longest TSPhrases key at cp[0..n), or NULL. cp[0] is a phrase start. */
static const lfx_t2s_phrase *match_phrase(const uint32_t *cp, size_t n) {
    size_t r = lfx_cp_set_rank(&lfx_t2s_phrase_start, cp[0]);
    for (size_t k = lfx_t2s_phrase_off[r]; k < lfx_t2s_phrase_off[r + 1]; k++) {
        const lfx_t2s_phrase *p = &lfx_t2s_phrases[k];
        const uint32_t *key = lfx_t2s_phrase_cp + p->off;
        /* every key has two or more characters; the second rejects most candidates */
        if (p->len <= n && key[1] == cp[1] &&
            memcmp(key + 2, cp + 2, (p->len - 2u) * sizeof(uint32_t)) == 0)
            return p;
    }
    return NULL;
}

/* A phrase's value keeps characters that alone would convert (於則 -> 於则, a name: 於 alone is
 * 于). Converting the value again must keep them too, or t2s would not be a fixed point of itself
 * (於则 -> 于则). g_keep lists, by character, each such character of a value: the phrase and its
 * place in the value. */
typedef struct keep_hit {
    uint32_t c;
    uint16_t phrase;
    uint16_t at;
} keep_hit;
#define KEEP_MAX 1024 /* (94 for today's tables; a static array: nothing to free when unloaded) */
static keep_hit g_keep[KEEP_MAX];
static size_t g_nkeep;
static uint8_t g_keep_bits[0x10000 / 8]; /* the BMP characters of g_keep (the others: look) */
static pthread_once_t g_keep_once = PTHREAD_ONCE_INIT;

static int keep_cmp(const void *a, const void *b) {
    const keep_hit *x = a, *y = b;
    return x->c < y->c ? -1 : x->c > y->c ? 1 : (x->phrase > y->phrase) - (x->phrase < y->phrase);
}

static void build_keep(void) {
    size_t nphr = lfx_t2s_phrase_off[lfx_t2s_phrase_start.n];
    for (size_t k = 0; k < nphr; k++) {
        const lfx_t2s_phrase *p = &lfx_t2s_phrases[k];
        const uint32_t *val = lfx_t2s_phrase_cp + p->off + p->len;
        for (size_t q = 0; q < p->len && g_nkeep < KEEP_MAX; q++) {
            uint32_t c = val[q];
            if (!lfx_cp_set_has(&lfx_t2s_trad, c) || lfx_t2s_simp[lfx_cp_set_rank(&lfx_t2s_trad, c)] == c) continue;
            g_keep[g_nkeep++] = (keep_hit){c, (uint16_t)k, (uint16_t)q};
        }
    }
    qsort(g_keep, g_nkeep, sizeof *g_keep, keep_cmp);
    for (size_t k = 0; k < g_nkeep; k++)
        if (g_keep[k].c < 0x10000) g_keep_bits[g_keep[k].c >> 3] = (uint8_t)(g_keep_bits[g_keep[k].c >> 3] | (1u << (g_keep[k].c & 7)));
}

/* Is cp[i], a character t2s would convert, where a phrase's value that keeps it stands whole? */
static int kept_by_value(const uint32_t *cp, size_t n, size_t i) {
    pthread_once(&g_keep_once, build_keep);
    if (cp[i] < 0x10000 && !((g_keep_bits[cp[i] >> 3] >> (cp[i] & 7)) & 1)) return 0;
    size_t lo = 0, hi = g_nkeep;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (g_keep[mid].c < cp[i])
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < g_nkeep && g_keep[lo].c == cp[i]; lo++) {
        const lfx_t2s_phrase *p = &lfx_t2s_phrases[g_keep[lo].phrase];
        size_t at = g_keep[lo].at;
        if (at > i || i - at + p->len > n) continue;
        if (memcmp(cp + i - at, lfx_t2s_phrase_cp + p->off + p->len, p->len * sizeof(uint32_t)) == 0) return 1;
    }
    return 0;
}

size_t lfx_t2s(const uint32_t *cp, size_t n, lfx_choose_fn choose, void *ud, lfx_u32 *out) {
    /* Every TSPhrases value has its key's length, so the output is exactly n code points. */
    if (n == 0 || lfx_u32_reserve(out, n)) return 0;
    uint32_t *dst = out->data + out->len;
    const uint32_t *start = dst;
    size_t changed = 0;
    size_t i = 0;
    while (i < n) {
        size_t run = i;
        /* nothing below U+3400 (ASCII, Latin, kana, punctuation) is ever converted */
        while (i < n && (cp[i] < 0x3400 || !lfx_cp_set_has(&lfx_t2s_stop, cp[i]))) i++;
        memcpy(dst, cp + run, (i - run) * sizeof(uint32_t));
        dst += i - run;
        if (i == n) break;

        uint32_t c = cp[i];
        if (lfx_cp_set_has(&lfx_t2s_phrase_start, c)) {
            const lfx_t2s_phrase *p = match_phrase(cp + i, n - i);
            if (p) {
                const uint32_t *val = lfx_t2s_phrase_cp + p->off + p->len;
                for (size_t k = 0; k < p->len; k++) {
                    changed += val[k] != cp[i + k];
                    *dst++ = val[k];
                }
                i += p->len;
                continue;
            }
        }
        uint32_t s = c;
        if (lfx_cp_set_has(&lfx_t2s_trad, c) && !kept_by_value(cp, n, i)) {
            s = lfx_t2s_simp[lfx_cp_set_rank(&lfx_t2s_trad, c)];
            if (choose && lfx_cp_set_has(&lfx_t2s_multi, c)) {
                size_t r = lfx_cp_set_rank(&lfx_t2s_multi, c);
                const uint32_t *cand = lfx_t2s_alt_cp + lfx_t2s_alt_off[r];
                size_t ncand = (size_t)(lfx_t2s_alt_off[r + 1] - lfx_t2s_alt_off[r]);
                size_t pick = choose(ud, start, (size_t)(dst - start), cand, ncand, cp + i + 1,
                                     n - i - 1);
                if (pick < ncand) s = cand[pick];
            }
        }
        changed += s != c;
        *dst++ = s;
        i++;
    }
    out->len += n;
    return changed;
}

/* ---- inline pinyin ---------------------------------------------------------------------- */

/* A Han character is "annotated" when a parenthesised syllable follows it. Whether the reading
 * is right is decided later; the density of annotations decides whether the text is a
 * pinyin-annotated text (a textbook, a poem) that must keep them. */
typedef struct annotation {
    size_t han;       /* index of the character among the Han characters of the text */
    size_t open;      /* position of the opening parenthesis */
    size_t close;     /* position of the closing parenthesis */
    int strippable;   /* Traditional character and one of its readings */
    int simplified;   /* the character is not one a converter produces */
} annotation;

/* Han characters on each side of an annotation that decide "annotated text". */
#define PINYIN_WINDOW 10

static int letter_cmp(const void *key, const void *elem) {
    uint32_t cp = *(const uint32_t *)key;
    uint32_t e = ((const lfx_pinyin_letter *)elem)->cp;
    return cp < e ? -1 : cp > e;
}

static int syl_cmp(const void *key, const void *elem) { return strcmp(key, elem); }

/* Parse cp[0..n) as one pinyin syllable: tone marks (precomposed or combining) or a final tone
 * digit 1-5, u-umlaut as ü or v, any case. Returns its index in lfx_pinyin_syl or -1. */
static long parse_syllable(const uint32_t *cp, size_t n) {
    char s[9];
    size_t len = 0;
    int tone = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = cp[i];
        char base = 0;
        int t = 0;
        if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
            base = (char)(c | 0x20);
        } else if (c >= '1' && c <= '5' && i == n - 1 && len > 0) {
            t = (int)(c - '0');
        } else if (c >= 0x300 && c <= 0x30C && len > 0) {
            static const signed char marks[13] = {4, 2, -1, -1, 1, -1, -1, -1, -2, -1, -1, -1, 3};
            int m = marks[c - 0x300];
            if (m == -1) return -1;
            if (m == -2) { /* combining diaeresis: u -> ü */
                if (s[len - 1] != 'u') return -1;
                s[len - 1] = 'v';
                continue;
            }
            t = m;
        } else {
            const lfx_pinyin_letter *l =
                bsearch(&c, lfx_pinyin_letters, lfx_pinyin_nletters, sizeof *l, letter_cmp);
            if (!l) return -1;
            base = l->base;
            t = l->tone;
        }
        if (t) {
            if (tone) return -1; /* two tones in one syllable */
            tone = t;
        }
        if (base) {
            if (len == 6) return -1;
            s[len++] = base;
        }
    }
    if (len == 0) return -1;
    s[len++] = (char)('0' + (tone ? tone : 5));
    s[len] = 0;
    /* A syllable without a tone is compared as the neutral tone: "(men)" after 們 is matched
     * because Unihan gives 們 "men", but "(xie)" after 協 (xié) is kept. Toneless pinyin was
     * not needed for the converter output seen (news pages, the dev set), and accepting it
     * would let short words in brackets after a Traditional character pass for readings
     * ("(he)", "(an)", "(long)"). */
    const char(*hit)[8] =
        bsearch(s, lfx_pinyin_syl, lfx_pinyin_nsyl, sizeof *lfx_pinyin_syl, syl_cmp);
    return hit ? (long)(hit - lfx_pinyin_syl) : -1;
}

static int has_reading(uint32_t han, long syl) {
    size_t r = lfx_cp_set_rank(&lfx_t2s_trad, han);
    for (size_t k = lfx_pinyin_off[r]; k < lfx_pinyin_off[r + 1]; k++)
        if (lfx_pinyin_ids[k] == syl) return 1;
    return 0;
}

/* The longest annotation considered, "(zhuang4)" with combining marks to spare. */
#define PINYIN_MAX 10

/* If an annotation opens at cp[i], where to find its closing parenthesis; else 0. */
static size_t annotation_close(const uint32_t *cp, size_t n, size_t i) {
    uint32_t close = cp[i] == '(' ? ')' : cp[i] == 0xFF08 ? 0xFF09 : 0;
    if (!close) return 0;
    for (size_t j = i + 1; j < n && j <= i + PINYIN_MAX + 1; j++)
        if (cp[j] == close) return j;
    return 0;
}

size_t lfx_pinyin_strip(const uint32_t *cp, size_t n, lfx_u32 *out) {
    if (n == 0) return 0;
    annotation *ann = NULL;
    size_t nann = 0, cap = 0, nhan = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_han(cp[i])) {
            nhan++;
            continue;
        }
        if (i == 0 || !is_han(cp[i - 1])) continue;
        size_t close = annotation_close(cp, n, i);
        if (!close) continue;
        long syl = parse_syllable(cp + i + 1, close - i - 1);
        if (syl < 0) continue;
        if (nann == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            annotation *p = realloc(ann, ncap * sizeof *ann);
            if (!p) {
                free(ann);
                out->failed = 1;
                return 0;
            }
            ann = p;
            cap = ncap;
        }
        uint32_t han = cp[i - 1];
        int trad = lfx_is_traditional(han) != 0;
        ann[nann].han = nhan - 1;
        ann[nann].open = i;
        ann[nann].close = close;
        ann[nann].simplified = !trad;
        ann[nann].strippable = trad && has_reading(han, syl);
        nann++;
        i = close;
    }

    /* Sliding window over the annotations (sorted by Han index): how many Han characters
     * around each one carry an annotation, and how many of those are not Traditional. */
    size_t removed = 0, lo = 0, hi = 0, in_win = 0, simp_in_win = 0, from = 0;
    for (size_t k = 0; k < nann; k++) {
        size_t h = ann[k].han;
        size_t first = h > PINYIN_WINDOW ? h - PINYIN_WINDOW : 0;
        size_t last = h + PINYIN_WINDOW < nhan ? h + PINYIN_WINDOW : nhan - 1;
        while (hi < nann && ann[hi].han <= last) {
            in_win++;
            simp_in_win += (size_t)ann[hi].simplified;
            hi++;
        }
        while (ann[lo].han < first) {
            in_win--;
            simp_in_win -= (size_t)ann[lo].simplified;
            lo++;
        }
        /* A converter annotates only characters it converted, and not all of them; pinyin
         * over (nearly) every character, Simplified ones included, is the text's own. */
        size_t han_in_win = last - first + 1;
        int annotated_text = simp_in_win > 0 && in_win * 10 >= han_in_win * 7;
        if (!ann[k].strippable || annotated_text) continue;
        u32_append(out, cp + from, ann[k].open - from);
        from = ann[k].close + 1;
        removed++;
    }
    u32_append(out, cp + from, n - from);
    free(ann);
    return removed;
}

/* ---- full-width punctuation ------------------------------------------------------------- */

/* Characters around which Chinese text uses full-width punctuation: Han, CJK punctuation
 * (、。《》「」), full-width forms. */
static int is_cjk(uint32_t cp) {
    return is_han(cp) || (cp >= 0x3001 && cp <= 0x303F) || (cp >= 0xFF01 && cp <= 0xFF60);
}

static uint32_t fullwidth_of(uint32_t c) {
    switch (c) {
    case ',': return 0xFF0C;
    case ':': return 0xFF1A;
    case ';': return 0xFF1B;
    case '?': return 0xFF1F;
    case '!': return 0xFF01;
    default: return 0;
    }
}

/* The longest bracketed note restored: longer spans are more likely code or a formula. */
#define BRACKET_MAX 64

static size_t fullwidth_round(uint32_t *cp, size_t n) {
    size_t changed = 0;
    for (size_t i = 1; i + 1 < n; i++) {
        uint32_t fw = fullwidth_of(cp[i]);
        if (fw && is_cjk(cp[i - 1]) && is_cjk(cp[i + 1])) {
            cp[i] = fw;
            changed++;
        }
    }
    /* A bracket pair is restored when its content is Chinese (Han and digits, at least one
     * Han) and it sits against Chinese text on at least one side. */
    for (size_t i = 0; i < n; i++) {
        if (cp[i] != '(') continue;
        size_t j = i + 1, han = 0;
        int ok = 1;
        for (; j < n && j <= i + BRACKET_MAX && cp[j] != ')'; j++) {
            if (is_han(cp[j])) {
                han++;
            } else if (!is_cjk(cp[j]) && !(cp[j] >= '0' && cp[j] <= '9')) {
                ok = 0;
                break;
            }
        }
        if (!ok || j >= n || cp[j] != ')' || han == 0) continue;
        int left = i > 0 && is_cjk(cp[i - 1]);
        int right = j + 1 < n && is_cjk(cp[j + 1]);
        if (left || right) {
            cp[i] = 0xFF08;
            cp[j] = 0xFF09;
            changed += 2;
        }
        i = j;
    }
    return changed;
}

/* A mark restored can make its neighbour one that sits between CJK characters (")," after a
 * restored bracket pair), so rounds go on until nothing changes: the result is a fixed point.
 * Marks only ever turn full-width, so this ends; a handful of rounds is all text needs. */
size_t lfx_fullwidth_restore(uint32_t *cp, size_t n) {
    size_t changed = 0, k;
    for (size_t round = 0; round <= n && (k = fullwidth_round(cp, n)) > 0; round++) changed += k;
    return changed;
}
