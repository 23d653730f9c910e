/* The repair pipeline: decode the input, find the lines that show any sign of damage, undo text
 * escapes, search chains of byte-level layers with the reverse engine, then the script layer.
 * Lines with no sign of damage are copied byte for byte without being decoded twice. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "reverse.h"
#include "tables/model_tables.h"

/* A line is worth a look when its Han characters are rarer than RARE_BITS by RARE_EXCESS bits
 * in all: mojibake of a double-byte decoder is made of rare characters, clean text has one now
 * and then (about one line of the development corpus in three hundred reaches this). A short line
 * costs little to search and carries little evidence, so it needs only SHORT_EXCESS. */
#define RARE_BITS 15.0f
#define RARE_EXCESS 8.0f
#define SHORT_EXCESS 2.0f
#define SHORT_LINE 48 /* bytes */
#define TRAD_BITS 3.0f            /* what the model adds for a Traditional form (gen_model.py) */
#define MAX_FRONTIER 2            /* chains kept per depth of the search */
#define BEAM_BUDGET_BASE 14000L   /* enough for a damaged sentence or two in full */
#define BEAM_BUDGET_PER_CP 12L    /* and linear beyond */
#define BEAM_BUDGET_PER_MARK 1500L /* and for each set mark the layer under it guesses again */
#define BEAM_BUDGET_PER_GAP 800L  /* and for each '?' or U+FFFD, enough to fill it in one pass, so
                                   * that a repair settles soon */
#define MARKED_EVERY 3L /* set marks for more than one code point in 3: the text is gone (UTF-8
                        * read as Big5), guessing again is wasted */
#define GAP_FUNDED_EVERY 7L       /* see search_chains; measured: a gap in every 7 code points or
                                   * fewer funded gives the same repairs of all but Big5-read text
                                   * on dev-bench and its seed-99 draw as every gap funded */
#define LAYER_WORK_BASE 4096L     /* layer passes over short texts: all of them */
#define LAYER_WORK_PER_CP 6L      /* over long ones: the likeliest, six times the text */
#define LATIN_FIT_GAP 0.25        /* see search_chains */
#define SETTLED_BITS 13.0         /* average cost per code point of text that reads well */

/* ---- which lines need a look ------------------------------------------------------------ */

/* Per BMP code point, two bits: DAMAGE (only damage tends to produce it, or it carries an
 * escape) and SCRIPT (an unambiguously Traditional character: the script layer's business). */
#define NEED_DAMAGE 1u  /* what double-byte decoders make of bytes: rare Han, PUA, U+FFFD, '?' */
#define NEED_SCRIPT 2u  /* unambiguously Traditional characters */
#define NEED_LATIN 4u   /* Latin-1, C1 controls, cp1252's letters: bytes read as Latin-1 */
#define NEED_INVALID 8u
#define NEED_ESCAPE 16u
#define NEED_WIDTH 32u /* non-ASCII text, when full-width punctuation is to be restored */
#define NEED_ANY_DAMAGE (NEED_DAMAGE | NEED_LATIN)
#define NEED_SPARSE 64u /* (classify_cps) NEED_DAMAGE only for rare characters no mojibake's density */

/* Per BMP code point: the low three bits are NEED_DAMAGE, NEED_SCRIPT, NEED_LATIN; the next
 * five how rare it is (half bits above RARE_BITS, at most 15.5); the two above them its GBK
 * role (below). One load per character. */
static uint16_t g_cp[0x10000];

/* What a character's two GBK bytes are in UTF-8: a lead of a three-byte character (E2-EF) then
 * a continuation byte, the other way round, two continuation bytes, or none of these. UTF-8
 * read as GBK turns each two three-byte characters into three with the roles LC, CL, CC in
 * turn (些有 E4 BA 9B E6 9C 89 reads 浜 E4BA, 涙 9BE6, 湁 9C89), which clean text hardly ever
 * shows (an LC character is one of GBK's rarer rows). */
enum { ROLE_NONE, ROLE_LC, ROLE_CL, ROLE_CC, ROLE_CA };
#define ROLE_SHIFT 8
/* A three-byte character before ASCII leaves its last byte to pair with the ASCII byte after
 * it (的U: E7 9A 84 55 reads 鐨 E79A, 刄 8455): CA, a continuation byte and one of 40-7E, also
 * ends an LC. After the roles of the characters so far: 0, LC seen, LC CL seen, LC CL CC or LC CA
 * seen (ROLE_SEEN: then role_confirmed says whether their bytes spell Chinese in UTF-8, and the
 * state starts over; Traditional text completes the pattern by chance now and then). */
static const uint8_t g_role_step[4][5] = {{0, 1, 0, 0, 0}, {0, 1, 2, 0, 3}, {0, 1, 0, 3, 0}, {0, 1, 0, 0, 0}};
#define ROLE_SEEN 3

/* How many characters the pattern that a character of role last completes spans. */
static size_t role_chars(unsigned last) { return last == ROLE_CA ? 2 : 3; }

/* Do the GBK bytes of the role_chars(last) characters cps, the last of role last, spell one or
 * two characters of Chinese text in UTF-8: CJK (U+3000-U+9FFF), full-width forms, general
 * punctuation (“”…), or U+FFFD (a layer beneath lost a byte)? */
static int role_confirmed(const uint32_t *cps, unsigned last) {
    size_t k = role_chars(last);
    uint8_t b[6];
    for (size_t j = 0; j < k; j++)
        if (lfx_encode_cp(LFX_GBK, cps[j], b + 2 * j) != 2) return 0;
    for (size_t at = 0; at + 3 <= 2 * k; at += 3) {
        uint32_t c;
        if (lfx_utf8_next(b + at, 3, &c) != 3 ||
            !((c >= 0x3000 && c <= 0x9FFF) || (c >= 0xFF00 && c <= 0xFFEF) || (c >= 0x2000 && c <= 0x206F) || c == 0xFFFD))
            return 0;
    }
    return 1;
}

/* The same for the characters of UTF-8 text s that end at s[end], the last with role last. */
static int role_confirmed_at(const uint8_t *s, size_t end, unsigned last) {
    size_t k = role_chars(last), pos = end;
    uint32_t cps[3];
    for (size_t j = k; j-- > 0;) {
        size_t at = pos;
        do {
            if (at == 0) return 0;
            at--;
        } while ((s[at] & 0xC0) == 0x80 && pos - at < 4);
        if (lfx_utf8_next(s + at, pos - at, &cps[j]) != pos - at) return 0;
        pos = at;
    }
    return role_confirmed(cps, last);
}

/* The role state after a character of role r that ends at s[end]; *seen once a completed
 * pattern is confirmed. */
static inline unsigned role_advance(unsigned state, unsigned r, const uint8_t *s, size_t end, unsigned *seen) {
    state = g_role_step[state][r];
    if (state == ROLE_SEEN && !*seen) *seen = (unsigned)role_confirmed_at(s, end, r);
    return state;
}
static uint8_t g_ascii[128];
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void set_class(uint32_t c, unsigned bits) { g_cp[c] = (uint16_t)(g_cp[c] | (bits & 7u)); }

/* A Traditional character that cannot be Simplified text: not one the script layer finds
 * ambiguous (著), and not in GB2312 (於 is a surname there). */
static int is_clear_traditional(uint32_t c) {
    if (lfx_is_traditional(c) != 1) return 0;
    uint8_t b[4];
    return !(lfx_encode_cp(LFX_GBK, c, b) == 2 && b[0] >= 0xB0 && b[0] <= 0xF7 && b[1] >= 0xA1);
}

static void build_classes(void) {
    for (uint32_t c = 0x80; c < 0x10000; c++) {
        unsigned bits = 0;
        if (c < 0x100)
            /* C1 controls and Latin-1: UTF-8 or GBK read as Latin-1; but not the signs Chinese
             * text itself writes (卡尔·马克思, 30°, 3×4, ±): alone they are no trace */
            bits = (c == 0xB7 || c == 0xB0 || c == 0xD7 || c == 0xB1) ? 0 : NEED_LATIN;
        else if (c >= 0xE000 && c <= 0xF8FF)
            bits = NEED_DAMAGE; /* private use: cp936's user-defined pairs */
        else if (c == 0xFFFD)
            bits = NEED_DAMAGE;
        else if (c == 0x20AC)
            bits = NEED_LATIN; /* cp1252's 0x80 (cp936 mojibake has rare Han besides) */
        else if (c == 0x0192 || c == 0x02C6 || c == 0x02DC || c == 0x0152 || c == 0x0153 || c == 0x0160 ||
                 c == 0x0161 || c == 0x0178 || c == 0x017D || c == 0x017E)
            bits = NEED_LATIN; /* cp1252 letters no Chinese text uses */
        else if (c >= 0xFF61 && c <= 0xFF9F)
            bits = NEED_DAMAGE; /* half-width katakana: UTF-8 read as cp932 */
        else if (c >= 0xAC00 && c <= 0xD7A3) {
            /* Hangul outside KS X 1001: what Chinese bytes read as cp949 become */
            uint8_t b[4];
            if (!(lfx_encode_cp(LFX_EUCKR, c, b) == 2 && b[0] >= 0xA1 && b[1] >= 0xA1)) bits = NEED_DAMAGE;
        } else if (c >= LFX_HAN_LO && c <= LFX_HAN_HI) {
            /* rarity of the word, not of the script: a Traditional form is judged as its
             * Simplified form would be */
            int trad = is_clear_traditional(c);
            float ex = lfx_model_unigram(c) - (trad ? TRAD_BITS : 0.0f) - RARE_BITS;
            g_cp[c] = (uint16_t)(g_cp[c] | ((ex <= 0 ? 0 : ex >= 15.5f ? 31 : (int)(ex * 2)) << 3));
            if (trad) bits |= NEED_SCRIPT;
        } else if (c >= 0xF900 && c <= 0xFAFF) {
            bits = NEED_DAMAGE; /* compatibility ideographs */
        }
        set_class(c, bits);
        uint8_t gb[4];
        if (lfx_encode_cp(LFX_GBK, c, gb) == 2) {
            int l0 = gb[0] >= 0xE2 && gb[0] <= 0xEF, c0 = gb[0] >= 0x80 && gb[0] <= 0xBF;
            int l1 = gb[1] >= 0xE2 && gb[1] <= 0xEF, c1 = gb[1] >= 0x80 && gb[1] <= 0xBF;
            int a1 = gb[1] >= 0x40 && gb[1] <= 0x7E;
            unsigned role = l0 && c1 ? ROLE_LC : c0 && l1 ? ROLE_CL : c0 && c1 ? ROLE_CC : c0 && a1 ? ROLE_CA : ROLE_NONE;
            g_cp[c] = (uint16_t)(g_cp[c] | (role << ROLE_SHIFT));
        }
    }
    const char *escapes = "&\\%=~";
    for (const char *p = escapes; *p; p++) g_ascii[(unsigned char)*p] = NEED_ESCAPE;
}

static int hexd(uint8_t c) { return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }

/* Does an escape really start at s[i] (one of & \ % = ~)? Plain '=' or '%' in code and
 * manual pages must not send a line down the slow path. */
static int escape_at(const uint8_t *s, size_t i, size_t n) {
    uint8_t c = s[i];
    if (c == '&') return i + 2 < n && (s[i + 1] == '#' || ((s[i + 1] | 0x20) >= 'a' && (s[i + 1] | 0x20) <= 'z'));
    if (c == '\\') return i + 1 < n && (s[i + 1] == 'u' || s[i + 1] == 'U' || s[i + 1] == 'x');
    if (c == '%') return i + 2 < n && hexd(s[i + 1]) && hexd(s[i + 2]) && s[i + 1] >= '8';
    if (c == '=') return i + 2 < n && (s[i + 1] == '?' || (hexd(s[i + 1]) && hexd(s[i + 2]) && s[i + 1] >= '8'));
    if (c == '~') return i + 1 < n && s[i + 1] == '{';
    return 0;
}

static int is_greek_cyrillic(uint32_t c) { return c >= 0x0391 && c <= 0x0451; }
static int is_cjk_cp(uint32_t c) { return c >= 0x3000 && c <= 0x9FFF; }

static unsigned cp_class(uint32_t c) {
    if (c >= 0x10000) return (c >= 0xF0000) ? NEED_DAMAGE : 0; /* supplementary private use */
    return g_cp[c] & 7u;
}

static unsigned cp_excess(uint32_t c) { return c < 0x10000 ? (g_cp[c] >> 3) & 31u : 0; }
static unsigned cp_role(uint32_t c) { return c < 0x10000 ? g_cp[c] >> ROLE_SHIFT : 0; }
#define EXCESS_LIMIT ((unsigned)(RARE_EXCESS * 2))

/* The end of the ASCII run that starts at s[i] (the first non-ASCII byte after it, or n), with
 * NEED_ESCAPE added to *need where an escape starts in it. Sixteen bytes at a time with SSE2:
 * one compare a byte for the high bit, five for the bytes an escape starts with. */
#if defined(__SSE2__)
static size_t ascii_run(const uint8_t *s, size_t i, size_t n, unsigned *need) {
    const __m128i amp = _mm_set1_epi8('&'), bsl = _mm_set1_epi8('\\'), pct = _mm_set1_epi8('%'),
                  eq = _mm_set1_epi8('='), tld = _mm_set1_epi8('~');
    while (i + 16 <= n) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        unsigned high = (unsigned)_mm_movemask_epi8(v);
        __m128i e = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, amp), _mm_cmpeq_epi8(v, bsl)),
                                 _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, pct), _mm_cmpeq_epi8(v, eq)),
                                              _mm_cmpeq_epi8(v, tld)));
        unsigned esc = (unsigned)_mm_movemask_epi8(e);
        if (high) esc &= (high & (0u - high)) - 1u; /* (the bytes before the first non-ASCII one) */
        for (; esc && !(*need & NEED_ESCAPE); esc &= esc - 1)
            if (escape_at(s, i + (size_t)__builtin_ctz(esc), n)) *need |= NEED_ESCAPE;
        if (high) return i + (size_t)__builtin_ctz(high);
        i += 16;
    }
    for (; i < n && s[i] < 0x80; i++)
        if (g_ascii[s[i]] && escape_at(s, i, n)) *need |= NEED_ESCAPE;
    return i;
}
#else
static size_t ascii_run(const uint8_t *s, size_t i, size_t n, unsigned *need) {
    while (i + 8 <= n) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080ULL) break;
        unsigned hit = 0;
        for (int k = 0; k < 8; k++) hit |= g_ascii[s[i + k]];
        if (hit)
            for (int k = 0; k < 8; k++)
                if (g_ascii[s[i + k]] && escape_at(s, i + (size_t)k, n)) *need |= NEED_ESCAPE;
        i += 8;
    }
    for (; i < n && s[i] < 0x80; i++)
        if (g_ascii[s[i]] && escape_at(s, i, n)) *need |= NEED_ESCAPE;
    return i;
}
#endif

/* Classify line s[0..n) in one pass: NEED_DAMAGE, NEED_SCRIPT, or NEED_INVALID (not UTF-8).
 * ASCII goes a run at a time (ascii_run); multi-byte characters are decoded inline. */
static unsigned classify_line(const uint8_t *s, size_t n) {
    unsigned need = 0;
    unsigned excess = 0, role = 0, seen = 0;
    size_t i = 0;
    while (i < n) {
        if (s[i] < 0x80) {
            size_t j = ascii_run(s, i, n, &need);
            /* '?' next to non-ASCII: where a Windows decoder lost a byte (a run begins the text
             * or follows a non-ASCII byte, and ends it or precedes one) */
            if ((s[i] == '?' && i > 0) || (s[j - 1] == '?' && j < n)) need |= NEED_DAMAGE;
            role = 0;
            i = j;
            continue;
        }
        need |= NEED_WIDTH;
        /* the common cases: runs of three-byte characters (Chinese and its full-width marks) and
         * of two-byte ones below Greek (C2-CD: Latin-1 and the letters after it, what bytes read
         * as Latin-1 are), one table load each */
        for (;;) {
            /* (x ^ 0x80 is a continuation byte's six bits, or 0x40 and more for any other; a
             * lead E1-EF but ED needs no check of its next byte) */
            const uint8_t *p = s + i, *lim = s + (n >= 3 ? n - 2 : 0);
            unsigned orv = 0, st = role;
            while (p < lim) {
                unsigned lo = p[0] - 0xE1u, x1 = p[1] ^ 0x80u, x2 = p[2] ^ 0x80u;
                if (lo > 0xEFu - 0xE1u || lo == 0xEDu - 0xE1u || (x1 | x2) >= 0x40u) break;
                unsigned v = g_cp[((lo + 1u) << 12) | (x1 << 6) | x2];
                orv |= v;
                excess += (v >> 3) & 31u;
                p += 3;
                st = role_advance(st, v >> ROLE_SHIFT, s, (size_t)(p - s), &seen);
            }
            i = (size_t)(p - s);
            role = st;
            need |= orv & 7u;
            if (!(i + 2 <= n && s[i] >= 0xC2 && s[i] <= 0xCD && (s[i + 1] & 0xC0) == 0x80)) break;
            unsigned v = g_cp[((uint32_t)(s[i] & 0x1F) << 6) | (s[i + 1] & 0x3F)];
            need |= v & 7u;
            excess += (v >> 3) & 31u;
            i += 2;
            role = role_advance(role, v >> ROLE_SHIFT, s, i, &seen);
        }
        if (i >= n || s[i] < 0x80) continue;
        uint32_t cp;
        size_t k = lfx_utf8_next(s + i, n - i, &cp);
        if (k == 0) return need | NEED_INVALID;
        /* a Greek or Cyrillic letter next to CJK text: UTF-8 read as GBK (rows A6 and A7). i is
         * where a character starts, so a lead byte 3 back began the one before (one the run
         * above took: E1-EC); the one after begins with E3-E9 (U+3000-U+9FFF) */
        if (is_greek_cyrillic(cp) && ((i >= 3 && s[i - 3] >= 0xE1 && s[i - 3] <= 0xEC) ||
                                      (i + k < n && s[i + k] >= 0xE3 && s[i + k] <= 0xE9)))
            need |= NEED_DAMAGE;
        i += k;
        need |= cp_class(cp);
        excess += cp_excess(cp);
        role = role_advance(role, cp_role(cp), s, i, &seen);
    }
    if (excess >= (n <= SHORT_LINE ? (unsigned)(SHORT_EXCESS * 2) : EXCESS_LIMIT) || seen) need |= NEED_DAMAGE;
    return need;
}

/* The same judgement on decoded text (a candidate of the chain search): which layers' traces
 * does it still hold? Text that one layer has just come off may well hold another, so a short
 * line needs only rare characters worth half a bit per character here (a word or two of
 * mojibake are many bits each); a long line (a unit holds many) is judged as input lines are,
 * or every page of real text would look damaged for its few rare words. Even so a long line
 * that names its few rare words often (按钮 three times) reaches the limit: when no run of
 * SHORT_LINE_CPS characters holds more than a short line may, and nothing else looks like
 * damage, NEED_SPARSE says so, and the search may stop at such a text (no_damage_left). */
#define SHORT_LINE_CPS 16
static unsigned classify_cps(const uint32_t *cp, size_t n) {
    unsigned need = 0, excess = 0, other = 0, role = 0, seen = 0;
    /* the rare characters of real text are spread out, mojibake's come in runs: the last
     * SHORT_LINE_CPS excesses, and whether some such window held more than a short line may */
    uint8_t win[SHORT_LINE_CPS] = {0};
    unsigned wsum = 0, dense = 0;
    size_t line0 = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || cp[i] == '\n') {
            if (excess > (i - line0 <= SHORT_LINE_CPS ? i - line0 : EXCESS_LIMIT - 1)) need |= NEED_DAMAGE;
            excess = 0;
            line0 = i + 1;
            role = 0;
            continue;
        }
        uint32_t c = cp[i];
        unsigned e = 0;
        if (c < 0x80) {
            if (c == '?' && ((i > 0 && cp[i - 1] >= 0x80) || (i + 1 < n && cp[i + 1] >= 0x80))) other |= NEED_DAMAGE;
            role = 0;
        } else {
            unsigned r = cp_role(c);
            role = g_role_step[role][r];
            if (role == ROLE_SEEN && !seen) seen = (unsigned)role_confirmed(cp + i + 1 - role_chars(r), r);
            other |= cp_class(c);
            e = cp_excess(c);
            excess += e;
            if (is_greek_cyrillic(c) && ((i > 0 && is_cjk_cp(cp[i - 1])) || (i + 1 < n && is_cjk_cp(cp[i + 1]))))
                other |= NEED_DAMAGE;
        }
        wsum += e - win[i % SHORT_LINE_CPS];
        win[i % SHORT_LINE_CPS] = (uint8_t)e;
        dense |= wsum > SHORT_LINE_CPS;
    }
    if (seen) other |= NEED_DAMAGE; /* (UTF-8 read as GBK: see classify_line) */
    if ((need & NEED_DAMAGE) && !dense && !(other & NEED_DAMAGE)) need |= NEED_SPARSE;
    return need | other;
}

/* Does a candidate whose classify_cps() is need hold no trace of a layer's damage? Its rare
 * characters may be real text's, spread out as real text's are. */
static int no_damage_left(unsigned need) {
    return (need & NEED_ANY_DAMAGE) == 0 || (need & (NEED_SPARSE | NEED_LATIN)) == NEED_SPARSE;
}

/* ---- text layers ----------------------------------------------------------------------- */

typedef size_t (*layer_fn)(const uint8_t *, size_t, lfx_buf *);
static const struct {
    layer_fn fn;
    const char *name;
    char trigger;
} text_layers[] = {
    {lfx_layer_ncr, "ncr", '&'},     {lfx_layer_uescape, "uescape", '\\'},
    {lfx_layer_percent, "percent", '%'}, {lfx_layer_mime, "mime", '='},
    {lfx_layer_hz, "hz", '~'},       {lfx_layer_qp, "qp", '='},
};

static size_t count_non_ascii(const uint8_t *s, size_t n) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += (s[i] & 0xC0) == 0xC0;
    return k;
}

static double utf8_cost(const uint8_t *s, size_t n) {
    lfx_u32 v;
    lfx_u32_init(&v);
    lfx_utf8_decode_lossy(s, n, &v);
    double c = lfx_model_score(v.data, v.len, NULL);
    lfx_u32_free(&v);
    return c;
}

/* Decode escapes while some layer makes the text better: more non-ASCII text (escapes exist
 * to carry it) and a lower model cost. Works on cur, swapping with tmp. */
static int apply_text_layers(lfx_buf *cur, lfx_buf *tmp, lfx_steps *steps) {
    for (int round = 0; round < 4; round++) {
        int any = 0;
        for (size_t L = 0; L < sizeof text_layers / sizeof text_layers[0]; L++) {
            if (!memchr(cur->data, text_layers[L].trigger, cur->len)) continue;
            tmp->len = 0;
            size_t k = text_layers[L].fn(cur->data, cur->len, tmp);
            if (tmp->failed || cur->failed) return -1;
            if (k == 0) continue;
            if (lfx_utf8_valid_prefix(tmp->data, tmp->len) != tmp->len) continue;
            if (count_non_ascii(tmp->data, tmp->len) <= count_non_ascii(cur->data, cur->len)) continue;
            if (utf8_cost(tmp->data, tmp->len) >= utf8_cost(cur->data, cur->len)) continue;
            lfx_buf t = *cur;
            *cur = *tmp;
            *tmp = t;
            lfx_steps_add(steps, text_layers[L].name);
            any = 1;
        }
        if (!any) break;
    }
    return 0;
}

/* ---- chain search ----------------------------------------------------------------------- */

typedef struct cand {
    lfx_u32 text;
    double cost;
    uint8_t chain[LFX_MAX_STEPS]; /* the layers undone: chain_name() of each (small, so that
                                   * candidates are cheap to clear and copy) */
    uint8_t nchain;
    uint32_t guessed;
    unsigned need; /* the traces of damage it still holds */
    float *per;    /* the model's cost of each code point (what the next depth starts from) */
    int marked;    /* text holds set marks: only for the next depth to undo, never a result */
} cand;

/* A chain entry: a layer of lfx_layers, with CHAIN_CP1252 when it undid cp1252's specials. */
#define CHAIN_CP1252 0x80u
static const char *chain_name(uint8_t code) {
    const lfx_layer *L = &lfx_layers[code & 0x7F];
    if (!(code & CHAIN_CP1252)) return L->name;
    return L->orig == ORIG_UTF8 ? "utf-8>cp1252" : L->orig == ORIG_GBK ? "gbk>cp1252" : "big5>cp1252";
}

/* c's chain: from's, then code (steps past LFX_MAX_STEPS are dropped, as lfx_steps_add does). */
static void chain_extend(cand *c, const cand *from, uint8_t code) {
    memcpy(c->chain, from->chain, from->nchain);
    c->nchain = from->nchain;
    if (c->nchain < LFX_MAX_STEPS) c->chain[c->nchain++] = code;
}

static void cand_free(cand *c) {
    lfx_u32_free(&c->text);
    free(c->per);
    c->per = NULL;
}

/* Score c->text, keeping the cost of each code point. Returns 0, or -1 out of memory. */
static int cand_score(cand *c) {
    c->per = malloc((c->text.len ? c->text.len : 1) * sizeof *c->per);
    if (!c->per) return -1;
    c->cost = lfx_model_score(c->text.data, c->text.len, c->per);
    return 0;
}

static int u32_copy(lfx_u32 *dst, const lfx_u32 *src) {
    lfx_u32_init(dst);
    lfx_u32_reserve(dst, src->len);
    for (size_t i = 0; i < src->len; i++) lfx_u32_push(dst, src->data[i]);
    return dst->failed ? -1 : 0;
}

/* Best-first search over chains of layers, depth <= max_depth: at each depth every layer is
 * tried on the MAX_FRONTIER cheapest texts of the previous depth. Replaces *text with the
 * cheapest text seen, if that is not the input. */
static int search_chains(int max_depth, unsigned need, lfx_u32 *text, lfx_steps *steps, uint32_t *guessed,
                         double *gain_out, long *spent, long allowed) {
    /* the frontier holds besides the MAX_FRONTIER cheapest texts the cheapest marked one: a
     * layer's guesses of lost bytes left as set marks, for the layer under it to guess in the
     * context it restores (UTF-8 read as GBK twice: the first layer's guesses judged by the
     * mojibake they make are guesses in the dark) */
    cand frontier[MAX_FRONTIER + 1];
    memset(frontier, 0, sizeof frontier);
    int nf = 1;
    if (u32_copy(&frontier[0].text, text) != 0 || cand_score(&frontier[0]) != 0) {
        cand_free(&frontier[0]);
        return -1;
    }
    frontier[0].need = need;
    double start_cost = frontier[0].cost;
    /* guesses the beam may try for this text, all layers and depths together */
    long gaps = 0;
    for (size_t i = 0; i < text->len; i++) gaps += text->data[i] == '?' || text->data[i] == 0xFFFD;
    /* gaps are funded up to one in GAP_FUNDED_EVERY code points: text that lost more is
     * mostly gone (UTF-8 read as Big5), and filling its every gap would cost without end */
    if (gaps > (long)text->len / GAP_FUNDED_EVERY) gaps = (long)text->len / GAP_FUNDED_EVERY;
    long budget = BEAM_BUDGET_BASE + BEAM_BUDGET_PER_CP * (long)text->len + BEAM_BUDGET_PER_GAP * gaps;
    if (budget > allowed) budget = allowed;
    long budget0 = budget;
    /* and the layer passes it may make, counted in code points read */
    long work = LAYER_WORK_BASE + LAYER_WORK_PER_CP * (long)text->len, work0 = work;
    cand best;
    memset(&best, 0, sizeof best);
    best.cost = start_cost;
    int have_best = 0, rc = 0, guessed_once = 0;
    for (int depth = 0; depth < max_depth && nf > 0 && rc == 0; depth++) {
        cand next[MAX_FRONTIER + 1]; /* next[MAX_FRONTIER]: the marked one, if its text is set */
        int nn = 0;
        memset(next, 0, sizeof next);
        int settled_any = 0; /* only the marked text is still looked at */
        for (int f = 0; f < nf; f++) {
            if (settled_any && !frontier[f].marked) continue;
            int settled_f = 0;
            /* Two passes: every layer first decodes only what needs no guess, which is cheap;
             * the layers that had to leave spans for the beam run again in full only if no
             * lossless result settled the search. */
            /* (a marked text has only spans with marks to decode: it goes to the full pass, every
             * layer in the order of its fit, and its likeliest layer runs even with the work
             * used up, as the input's does at depth 0) */
            int marked_f = frontier[f].marked, marked_ran = 0;
            uint32_t deferred = marked_f ? ~0u : 0;
            /* a layer runs only where its decoder's traces are. The Latin-1 layers (UTF-8, GBK or
             * Big5 read as Latin-1) take their turns in the order of how much of the bytes their
             * original encoding fits, so that the first to settle is the right one (checking
             * the fit is cheap for them: a Latin-1 character is its byte) */
            size_t order[16], nord = 0, latin[16], nlatin = 0;
            double fit[3];
            if (frontier[f].need & NEED_LATIN) lfx_latin_fit(frontier[f].text.data, frontier[f].text.len, fit);
            for (size_t L = 0; L < lfx_n_layers; L++) {
                if (lfx_layers[L].seen != SEEN_1252 || !(frontier[f].need & NEED_LATIN)) continue;
                size_t at = nlatin++;
                while (at > 0 && fit[lfx_layers[latin[at - 1]].orig] < fit[lfx_layers[L].orig]) {
                    latin[at] = latin[at - 1];
                    at--;
                }
                latin[at] = L;
            }
            for (size_t L = 0, nl = 0; L < lfx_n_layers; L++) {
                if (lfx_layers[L].seen == SEEN_1252) {
                    if (nl < nlatin) order[nord++] = latin[nl++];
                } else if (frontier[f].need & NEED_DAMAGE) {
                    order[nord++] = L;
                }
            }
            float evidence[16] = {0};
            for (int pass = marked_f; pass < 2 && !settled_f; pass++) {
                if (pass == 1) {
                    /* the guesses share one budget: the layers whose original encoding fits the
                     * bytes best guess first (then those whose lossless spans gained most): a wrong
                     * layer that comes first can spend it all */
                    double dfit[16];
                    for (size_t o = 0; o < nord; o++) {
                        const cand *fr = &frontier[f];
                        dfit[order[o]] = (deferred >> order[o]) & 1u
                                             ? lfx_layer_fit(&lfx_layers[order[o]], fr->text.data, fr->text.len)
                                             : 0.0;
                    }
                    for (size_t o = 1; o < nord; o++)
                        for (size_t q = o; q > 0 && (dfit[order[q - 1]] < dfit[order[q]] ||
                                                     (dfit[order[q - 1]] == dfit[order[q]] &&
                                                      evidence[order[q - 1]] < evidence[order[q]])); q--) {
                            size_t t = order[q];
                            order[q] = order[q - 1];
                            order[q - 1] = t;
                        }
                }
                for (size_t o = 0; o < nord; o++) {
                    size_t L = order[o];
                    if (pass == 1 && !(deferred & (1u << L))) continue;
                    /* guessing lost bytes for a Latin-1 layer whose encoding fits the bytes much
                     * worse than another's is wasted work */
                    if (pass == 1 && lfx_layers[L].seen == SEEN_1252 && nlatin &&
                        fit[lfx_layers[L].orig] + LATIN_FIT_GAP < fit[lfx_layers[latin[0]].orig])
                        continue;
                    /* the lossless passes over a long line can use up the work before any layer
                     * has guessed: the likeliest guessing layer of the input still runs, once */
                    if (work <= 0 && !(depth == 0 && pass == 1 && !guessed_once) && !(marked_f && !marked_ran))
                        break;
                    if (pass == 1) guessed_once = 1;
                    marked_ran = 1;
                    work -= (long)frontier[f].text.len;
                    cand c; /* (its chain is set when it is kept: no need to clear it) */
                    lfx_u32_init(&c.text);
                    c.per = NULL;
                    c.marked = 0;
                    c.cost = 0;
                    lfx_rev_stats st;
                    memset(&st, 0, sizeof st);
                    int flags = (depth > 0 ? LFX_REV_STRONG_ONLY : 0) | (pass == 0 ? LFX_REV_LOSSLESS : 0);
                    lfx_u32 mtext;
                    lfx_u32_init(&mtext);
                    int want_marks = depth == 0 && pass == 1 && depth + 1 < max_depth;
                    double g = lfx_reverse_layer(&lfx_layers[L], frontier[f].text.data, frontier[f].per,
                                                 frontier[f].text.len, flags, &budget, &c.text,
                                                 want_marks ? &mtext : NULL, &st);
                    if (c.text.failed || mtext.failed) rc = -1;
                    if (g > 0 && rc == 0 && st.marked > 0 &&
                        (size_t)st.marked * MARKED_EVERY <= frontier[f].text.len) {
                        cand m;
                        memset(&m, 0, sizeof m);
                        m.text = mtext;
                        lfx_u32_init(&mtext);
                        if (cand_score(&m) != 0) rc = -1;
                        m.marked = 1;
                        m.need = classify_cps(m.text.data, m.text.len) | NEED_DAMAGE;
                        m.guessed = frontier[f].guessed + st.guessed;
                        chain_extend(&m, &frontier[f], (uint8_t)L);
                        if (rc == 0 && (next[MAX_FRONTIER].text.data == NULL || m.cost < next[MAX_FRONTIER].cost)) {
                            if (next[MAX_FRONTIER].text.data == NULL) {
                                /* the marks are guessed again under the next layer: fund them */
                                long extra = BEAM_BUDGET_PER_MARK * (long)st.marked;
                                if (extra > allowed - budget0) extra = allowed - budget0 > 0 ? allowed - budget0 : 0;
                                budget += extra;
                                budget0 += extra;
                            }
                            cand_free(&next[MAX_FRONTIER]);
                            next[MAX_FRONTIER] = m;
                        } else {
                            cand_free(&m);
                        }
                    }
                    lfx_u32_free(&mtext);
                    if (frontier[f].marked) {
                        /* a mark the layer did not undo stands for the character guessed above */
                        for (size_t k = 0; k < c.text.len; k++)
                            if (lfx_is_set_mark(c.text.data[k])) c.text.data[k] = lfx_set_mark_guess(c.text.data[k]);
                    }
                    if (st.deferred) deferred |= 1u << L;
                    if (pass == 0) evidence[L] = st.evidence;
                    if (g <= 0 || c.text.failed || st.deferred) {
                        /* a lossless pass that deferred spans: the full pass makes this candidate */
                        cand_free(&c);
                        continue;
                    }
                    if (cand_score(&c) != 0) {
                        rc = -1;
                        cand_free(&c);
                        continue;
                    }
                    c.need = classify_cps(c.text.data, c.text.len);
                    /* (a Latin-1 layer whose spans held cp1252's specials is named for cp1252) */
                    chain_extend(&c, &frontier[f],
                                 (uint8_t)(L | (lfx_layers[L].seen == SEEN_1252 && st.above_latin1 ? CHAIN_CP1252 : 0)));
                    c.guessed = frontier[f].guessed + st.guessed;
                    int at = -1;
                    if (nn < MAX_FRONTIER) {
                        at = nn++;
                    } else {
                        int worst = 0;
                        for (int k = 1; k < nn; k++)
                            if (next[k].cost > next[worst].cost) worst = k;
                        if (next[worst].cost > c.cost) {
                            cand_free(&next[worst]);
                            at = worst;
                        }
                    }
                    int settled = no_damage_left(c.need) && c.cost < SETTLED_BITS * (double)c.text.len;
                    if (at >= 0)
                        next[at] = c;
                    else
                        cand_free(&c);
                    /* a text with no trace of damage left that reads this well settles the search:
                     * the layers still untried would have to beat sound Chinese */
                    if (settled) {
                        settled_any = settled_f = 1;
                        break;
                    }
                }
            }
        }
        int best_is_clean = 0;
        for (int k = 0; k < nn; k++) {
            if (next[k].cost < best.cost) {
                cand_free(&best);
                best = next[k];
                best.per = NULL;
                if (u32_copy(&best.text, &next[k].text) != 0) rc = -1;
                have_best = 1;
                /* (not no_damage_left: a depth that ends at a text with rare characters spread
                 * out still lets the next depth run; stopping there too cost dev records) */
                best_is_clean = (next[k].need & NEED_ANY_DAMAGE) == 0;
            }
        }
        for (int f = 0; f < nf; f++) cand_free(&frontier[f]);
        memcpy(frontier, next, sizeof next);
        nf = nn;
        if (next[MAX_FRONTIER].text.data) {
            /* the marked text goes first: its guesses are the ones made in context */
            memmove(frontier + 1, next, sizeof(cand) * (size_t)nn);
            frontier[0] = next[MAX_FRONTIER];
            nf++;
            for (int k = nf; k <= MAX_FRONTIER; k++) memset(&frontier[k], 0, sizeof frontier[0]);
        }
        /* the best text so far holds no trace of damage: deeper layers have nothing to undo */
        if (best_is_clean) break;
    }
    for (int f = 0; f < nf; f++) cand_free(&frontier[f]);
    *spent += (budget0 - budget) + (work0 - work);
    if (have_best && rc == 0) {
        lfx_u32_free(text);
        *text = best.text;
        for (size_t s = 0; s < best.nchain; s++) lfx_steps_add(steps, chain_name(best.chain[s]));
        *guessed += best.guessed;
        *gain_out += start_cost - best.cost;
    } else {
        cand_free(&best);
    }
    return rc;
}

/* ---- script layer ----------------------------------------------------------------------- */

static size_t choose_by_model(void *ud, const uint32_t *left, size_t nleft, const uint32_t *cand,
                              size_t ncand, const uint32_t *right, size_t nright) {
    LFX_UNUSED(ud);
    uint32_t l = nleft ? left[nleft - 1] : 0;
    uint32_t r = nright ? right[0] : 0;
    size_t best = 0;
    float bc = 1e30f;
    for (size_t i = 0; i < ncand; i++) {
        float c = lfx_model_cost(l, cand[i]) + (r ? lfx_model_cost(cand[i], r) : 0);
        if (c < bc) {
            bc = c;
            best = i;
        }
    }
    return best;
}

/* Japanese or Korean text (never converted): kana or Hangul make up a tenth of its CJK
 * characters or more. A stray kana left over from damage does not make text Japanese. */
static int is_japanese_or_korean(const uint32_t *cp, size_t n) {
    size_t jk = 0, cjk = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = cp[i];
        int k = (c >= 0x3040 && c <= 0x30FF) || (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0x1100 && c <= 0x11FF) ||
                (c >= 0x3130 && c <= 0x318F);
        jk += k;
        cjk += k || (c >= 0x3400 && c <= 0x9FFF);
    }
    return jk > 0 && jk * 10 >= cjk;
}

/* A layer wrote its result to *out and changed k code points: when it changed any, the result
 * replaces *text and the step is named. *out is left empty (or failed) for the next layer. */
static void keep_if_changed(lfx_u32 *text, lfx_u32 *out, size_t k, lfx_steps *steps, const char *name) {
    if (out->failed) return;
    if (k) {
        lfx_u32 t = *text;
        *text = *out;
        *out = t;
        lfx_steps_add(steps, name);
    }
    out->len = 0;
}

/* from_big5: the text was decoded from Big5 bytes (the last layer undone), so it is Traditional
 * text even when its only Traditional characters are ones Simplified also has (等同於). */
static int script_layer(const libfix_options *opt, lfx_u32 *text, lfx_steps *steps, int from_big5) {
    if (opt->target != LIBFIX_TARGET_HANS || is_japanese_or_korean(text->data, text->len)) return 0;
    int trad = from_big5, paren = 0;
    for (size_t i = 0; i < text->len; i++) {
        if (is_clear_traditional(text->data[i])) trad = 1; /* 著, 覆, 於 alone are Simplified too */
        if (text->data[i] == '(' || text->data[i] == 0xFF08) paren = 1;
    }
    if (!trad) return 0;
    lfx_u32 out;
    lfx_u32_init(&out);
    if (paren) keep_if_changed(text, &out, lfx_pinyin_strip(text->data, text->len, &out), steps, "pinyin");
    if (!out.failed) keep_if_changed(text, &out, lfx_t2s(text->data, text->len, choose_by_model, NULL, &out), steps, "t2s");
    int rc = out.failed ? -1 : 0;
    lfx_u32_free(&out);
    return rc;
}

/* ---- one line through the slow path ----------------------------------------------------- */

typedef struct line_result {
    long spent; /* work of the search: beam offers and code points read by layer passes */
    uint32_t guessed;
    double gain;
    int unrecoverable;
} line_result;

/* Repair one unit. need: what its lines showed (NEED_ESCAPE runs the text layers, NEED_DAMAGE
 * the chain search; the script layer always runs). */
static int repair_line(const libfix_options *opt, const uint8_t *s, size_t n, unsigned need,
                       lfx_buf *out, lfx_steps *steps, line_result *lr, long allowed) {
    lfx_buf cur, tmp;
    lfx_buf_init(&cur);
    lfx_buf_init(&tmp);
    lfx_buf_append(&cur, s, n);
    int rc = 0;
    if ((need & NEED_ESCAPE) && opt->text_layers && apply_text_layers(&cur, &tmp, steps) != 0) rc = -1;
    /* decoded escapes may hold damage of their own: judge the decoded text afresh */
    if (steps->n > 0) need |= classify_line(cur.data, cur.len) & NEED_ANY_DAMAGE;
    int damage = (need & NEED_ANY_DAMAGE) != 0;
    lfx_u32 text;
    lfx_u32_init(&text);
    lfx_u32_reserve(&text, cur.len + 1); /* (a unit: at most 64 KiB) */
    lfx_utf8_decode_lossy(cur.data, cur.len, &text);
    size_t nsteps = steps->n;
    if (rc == 0 && damage &&
        search_chains(opt->max_depth, need, &text, steps, &lr->guessed, &lr->gain, &lr->spent, allowed) != 0)
        rc = -1;
    int from_big5 = steps->n > nsteps && strncmp(steps->name[steps->n - 1], "big5>", 5) == 0;
    if (rc == 0 && script_layer(opt, &text, steps, from_big5) != 0) rc = -1;
    if (rc == 0 && opt->restore_fullwidth) {
        if (lfx_fullwidth_restore(text.data, text.len)) lfx_steps_add(steps, "fullwidth");
    }
    for (size_t i = 0; i < text.len; i++)
        if (text.data[i] == 0xFFFD) lr->unrecoverable = 1;
    if (text.failed) rc = -1;
    if (rc == 0) lfx_utf8_encode(text.data, text.len, out);
    lfx_u32_free(&text);
    lfx_buf_free(&cur);
    lfx_buf_free(&tmp);
    return rc;
}

#define UNIT_BYTES 65536
#define UNIT_GAP 3

static size_t line_end(const uint8_t *text, size_t i, size_t n) {
    const uint8_t *nl = memchr(text + i, '\n', n - i);
    return nl ? (size_t)(nl - text) + 1 : n;
}

/* Where to cut a long line for the slow path, at or before limit: after an ASCII byte if one
 * is near (damage of ASCII-compatible encodings never spans one), else at a UTF-8 character
 * boundary. Always makes progress. */
static size_t safe_cut(const uint8_t *text, size_t start, size_t limit) {
    for (size_t k = limit; k > start && limit - k < 4096; k--)
        if (text[k - 1] < 0x80 && text[k - 1] != '?') return k;
    size_t k = limit;
    while (k > start + 1 && (text[k] & 0xC0) == 0x80) k--;
    return k;
}

/* ---- entry ------------------------------------------------------------------------------ */

static void merge_steps(lfx_steps *all, const lfx_steps *line) {
    for (size_t i = 0; i < line->n; i++) {
        int seen = 0;
        for (size_t j = 0; j < all->n; j++)
            if (strcmp(all->name[j], line->name[i]) == 0) seen = 1;
        if (!seen) lfx_steps_add(all, line->name[i]);
    }
}

void lfx_engine_init(void) {
    pthread_once(&g_once, build_classes);
    lfx_reverse_init();
}

/* ---- memo of units left unchanged -------------------------------------------------------- */

static uint64_t unit_hash(const uint8_t *s, size_t n) {
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) { /* eight bytes a step */
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0x100000001B3ULL;
        h ^= h >> 29;
    }
    for (; i < n; i++) h = (h ^ s[i]) * 0x100000001B3ULL;
    return h ? h : 1;
}

static int memo_has(const lfx_memo *m, uint64_t h) {
    if (!m || !m->cap) return 0;
    for (size_t at = h & (m->cap - 1);; at = (at + 1) & (m->cap - 1)) {
        if (m->slot[at] == h) return 1;
        if (!m->slot[at]) return 0;
    }
}

static void memo_add(lfx_memo *m, uint64_t h) {
    if (!m || m->failed || memo_has(m, h)) return;
    if (2 * (m->n + 1) > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        uint64_t *p = calloc(cap, sizeof *p);
        if (!p) {
            m->failed = 1; /* a memo is an optimisation: without it the next pass searches */
            return;
        }
        for (size_t i = 0; i < m->cap; i++)
            if (m->slot[i]) {
                size_t at = m->slot[i] & (cap - 1);
                while (p[at]) at = (at + 1) & (cap - 1);
                p[at] = m->slot[i];
            }
        free(m->slot);
        m->slot = p;
        m->cap = cap;
    }
    size_t at = h & (m->cap - 1);
    while (m->slot[at]) at = (at + 1) & (m->cap - 1);
    m->slot[at] = h;
    m->n++;
}

void lfx_memo_free(lfx_memo *m) {
    free(m->slot);
    memset(m, 0, sizeof *m);
}

int lfx_engine_repair(libfix_ctx *ctx, const uint8_t *in, size_t n, lfx_buf *out, lfx_steps *steps,
                      double *confidence, unsigned *flags, const lfx_memo *prev, lfx_memo *next, long *spent,
                      long limit) {
    lfx_engine_init();
    const libfix_options *opt = &ctx->opt;
    lfx_buf decoded;
    lfx_buf_init(&decoded);
    const uint8_t *text = in;
    size_t tn = n;
    int raw_lossy = 0;
    unsigned mask = NEED_ANY_DAMAGE | (opt->target == LIBFIX_TARGET_HANS ? NEED_SCRIPT : 0) |
                    (opt->text_layers ? NEED_ESCAPE : 0) | (opt->restore_fullwidth ? NEED_WIDTH : 0);
    uint32_t guessed = 0;
    double gain = 0;
    int unrecoverable = 0, touched = 0;
    lfx_buf_reserve(out, tn);
    size_t i = 0;
    size_t clean_from = 0; /* clean lines since here are copied in one go */
    while (i < tn) {
        size_t end = line_end(text, i, tn);
        unsigned need = classify_line(text + i, end - i);
        /* text decoded from raw bytes may be UTF-8 read wrongly (a file cut inside a
         * character decodes as GBK): search it all */
        if (text != in) need |= NEED_ANY_DAMAGE;
        int invalid = (need & NEED_INVALID) != 0;
        if (invalid || (text == in && i == 0 && lfx_looks_utf16(in, n))) {
            /* not UTF-8 (or UTF-16 that happens to validate): raw bytes of a legacy encoding.
             * Decode the whole input and start over on the decoded text, which is valid UTF-8. */
            if (text != in) break; /* cannot happen: decoded text is valid */
            int rc = lfx_decode_raw(in, n, &decoded, steps, &raw_lossy, !invalid);
            if (rc < 0) {
                lfx_buf_free(&decoded);
                return LIBFIX_E_NOMEM;
            }
            if (rc == 0) {
                out->len = 0;
                touched = 0;
                clean_from = 0;
                text = decoded.data;
                tn = decoded.len;
                i = 0;
                *flags &= ~LFX_LIMITED;
                *flags |= LFX_TOUCHED | LFX_RAW;
                continue;
            }
            /* valid UTF-8 that reads best as other than UTF-16: text after all */
        }
        /* once the work this repair may do is done (LFX_LIMITED, set after the unit that
         * reached the limit), the pass is void and the caller gives back its base: the rest is
         * only scanned for raw bytes, not searched */
        if (!(need & mask) || (*flags & LFX_LIMITED)) {
            i = end;
            continue;
        }
        lfx_buf_append(out, text + clean_from, i - clean_from);
        /* A damaged line starts a unit: it and the following damaged lines, with gaps of at
         * most UNIT_GAP clean lines, at most UNIT_BYTES long. Damage to one file is usually of
         * one kind, and evidence from all of it settles short garbled spans. A line that only
         * needs the script layer or escapes decoded is a unit of its own. */
        size_t uend = end, probe = end;
        unsigned uneed = need;
        int gap = 0;
        while ((need & NEED_ANY_DAMAGE) && probe < tn && uend - i < UNIT_BYTES && gap <= UNIT_GAP) {
            size_t pe = line_end(text, probe, tn);
            unsigned pn = classify_line(text + probe, pe - probe) | (text != in ? NEED_ANY_DAMAGE : 0);
            if (pn & NEED_INVALID) break;
            if (pn & NEED_ANY_DAMAGE) {
                uend = pe;
                uneed |= pn;
                gap = 0;
            } else if (pn & mask) {
                break;
            } else {
                gap++;
            }
            probe = pe;
        }
        if (uend - i > UNIT_BYTES) uend = safe_cut(text, i, i + UNIT_BYTES);
        uint64_t uh = (prev || next) ? unit_hash(text + i, uend - i) : 0;
        if (memo_has(prev, uh)) {
            /* searched by the previous pass and left as it was: it would be again; its bytes
             * go out with the clean run they now belong to */
            memo_add(next, uh);
            if (lfx_utf8_has_fffd(text + i, uend - i)) unrecoverable = 1; /* still unrecoverable */
            clean_from = i;
            i = uend;
            continue;
        }
        size_t at_out = out->len;
        lfx_steps ls;
        memset(&ls, 0, sizeof ls);
        line_result lr;
        memset(&lr, 0, sizeof lr);
        if (repair_line(opt, text + i, uend - i, uneed, out, &ls, &lr, limit - *spent) != 0) {
            lfx_buf_free(&decoded);
            return LIBFIX_E_NOMEM;
        }
        if (ls.n == 0 && out->len - at_out == uend - i && memcmp(out->data + at_out, text + i, uend - i) == 0)
            memo_add(next, uh);
        merge_steps(steps, &ls);
        guessed += lr.guessed;
        gain += lr.gain;
        *spent += lr.spent;
        if (*spent >= limit) *flags |= LFX_LIMITED; /* its search may have been cut short */
        unrecoverable |= lr.unrecoverable;
        touched = 1;
        *flags |= LFX_TOUCHED;
        i = uend;
        clean_from = uend;
    }
    lfx_buf_append(out, text + clean_from, tn - clean_from);
    lfx_buf_free(&decoded);
    if (out->failed) return LIBFIX_E_NOMEM;
    if (guessed || raw_lossy) *flags |= LIBFIX_LOSSY;
    if (unrecoverable || raw_lossy) *flags |= LIBFIX_UNRECOVERABLE | LIBFIX_LOSSY;
    /* Confidence: clean text we did not touch is certain. Undoing byte-level damage is as sure
     * as the evidence (bits gained) is large, less so for every guessed byte; escapes, the
     * script layer and a detected encoding are sure unless something was lost. */
    double c = 1.0;
    if (gain > 0) {
        c = 1.0 - exp(-gain / 24.0);
        c *= pow(0.93, (double)guessed);
    } else if (steps->n) {
        c = 0.95;
    }
    if (unrecoverable) c *= touched ? 0.5 : 0.3;
    *confidence = c;
    return LIBFIX_OK;
}
