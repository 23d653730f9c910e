/* Encoding detection for raw bytes: BOMs, UTF-8 validity, then every candidate encoding is
 * decoded and scored by the language model, with uchardet's opinion as one more piece of
 * evidence. Scoring by the model is what makes 2-12 character GBK or Big5 input work, where
 * uchardet alone gives up. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <uchardet/uchardet.h>

#include "internal.h"

#define BAD_BYTE_BITS 30.0   /* each byte no candidate character explains */
#define UCHARDET_BONUS 6.0   /* bits off for the encoding uchardet names */
#define RANK_SAMPLE 16384    /* bytes of raw input the encoding is judged on */
#define SOFTMAX_BITS 4.0     /* temperature of the confidences, in bits */

/* Prior cost in bits of each encoding for raw bytes that reach a Chinese-text repairer: GBK
 * and Big5 are what such bytes usually are; UTF-16 without a BOM, Shift_JIS and EUC-KR decode
 * almost anything into plausible-looking CJK and need real evidence. */
static double prior_bits(lfx_codec c) {
    switch (c) {
    case LFX_GB18030: return 0;
    case LFX_BIG5: return 2;
    case LFX_CP1252: return 6;
    case LFX_SJIS: case LFX_EUCKR: return 12;
    case LFX_UTF16LE: case LFX_UTF16BE: return 16;
    default: return 8;
    }
}

typedef struct rawcand {
    lfx_codec codec;
    const char *name;  /* as reported by libfix_detect */
    const char *step;  /* as named in the chain */
    double cost;
    size_t bad;
} rawcand;

static const struct {
    lfx_codec codec;
    const char *name, *step;
} raw_codecs[] = {
    {LFX_GB18030, "GB18030", "bytes:gb18030"}, {LFX_BIG5, "BIG5", "bytes:big5"},
    {LFX_SJIS, "SHIFT_JIS", "bytes:sjis"},     {LFX_EUCKR, "EUC-KR", "bytes:euckr"},
    {LFX_UTF16LE, "UTF-16LE", "bytes:utf-16le"}, {LFX_UTF16BE, "UTF-16BE", "bytes:utf-16be"},
    {LFX_CP1252, "WINDOWS-1252", "bytes:cp1252"}, {LFX_UTF8, "UTF-8", "bytes:utf-8"},
};
#define N_RAW (sizeof raw_codecs / sizeof raw_codecs[0])

/* uchardet's name for a charset, matched loosely to our candidates. */
static int uchardet_says(const char *u, lfx_codec c) {
    if (!u || !*u) return 0;
    switch (c) {
    case LFX_GB18030: return !strcasecmp(u, "GB18030") || !strcasecmp(u, "GB2312") || !strcasecmp(u, "GBK");
    case LFX_BIG5: return !strcasecmp(u, "BIG5");
    case LFX_SJIS: return !strcasecmp(u, "SHIFT_JIS");
    case LFX_EUCKR: return !strcasecmp(u, "EUC-KR") || !strcasecmp(u, "UHC");
    case LFX_UTF16LE: return !strcasecmp(u, "UTF-16LE") || !strcasecmp(u, "UTF-16");
    case LFX_UTF16BE: return !strcasecmp(u, "UTF-16BE");
    case LFX_CP1252: return !strcasecmp(u, "WINDOWS-1252") || !strcasecmp(u, "ISO-8859-1");
    case LFX_UTF8: return !strcasecmp(u, "UTF-8") || !strcasecmp(u, "ASCII");
    default: return 0;
    }
}

static int cmp_cost(const void *a, const void *b) {
    double x = ((const rawcand *)a)->cost, y = ((const rawcand *)b)->cost;
    return x < y ? -1 : x > y;
}

/* Score every candidate; returns the number written to c (sorted, best first), -1 on OOM.
 * With best_out, also leaves the best decoding there as code points. Unless all_ranks, only the
 * best is sure to be where every opinion puts it. */
static int rank(const uint8_t *in, size_t n, rawcand *c, lfx_u32 *best_out, int all_ranks) {
    /* the encoding is judged on a sample: the first RANK_SAMPLE bytes, cut after an ASCII byte
     * where one is near so that no character is split (the whole is decoded with the winner) */
    const uint8_t *all = in;
    size_t all_n = n;
    if (n > RANK_SAMPLE) {
        size_t cut = RANK_SAMPLE;
        for (size_t k = RANK_SAMPLE; k > RANK_SAMPLE - 256; k--)
            if (in[k - 1] < 0x80) {
                cut = k;
                break;
            }
        n = cut & ~(size_t)1; /* even, for UTF-16 */
    }
    int nc = 0;
    lfx_u32 v;
    lfx_u32_init(&v);
    size_t start = 0;
    lfx_codec bom = LFX_CODEC_COUNT;
    if (n >= 2 && in[0] == 0xFF && in[1] == 0xFE) bom = LFX_UTF16LE;
    if (n >= 2 && in[0] == 0xFE && in[1] == 0xFF) bom = LFX_UTF16BE;
    double best = 1e300, second = 1e300;
    for (size_t k = 0; k < N_RAW; k++) {
        lfx_codec cc = raw_codecs[k].codec;
        if ((cc == LFX_UTF16LE || cc == LFX_UTF16BE) && (all_n % 2) != 0) continue;
        v.len = 0;
        start = (cc == bom) ? 2 : 0;
        size_t bad = lfx_decode(cc, in + start, n - start, &v);
        if (v.failed) {
            lfx_u32_free(&v);
            return -1;
        }
        double cost = lfx_model_score(v.data, v.len, NULL) + BAD_BYTE_BITS * (double)bad + prior_bits(cc);
        if (cc == bom) cost -= 1000.0; /* a byte order mark settles it */
        if (cost < best) {
            second = best;
            best = cost;
        } else if (cost < second) {
            second = cost;
        }
        c[nc].codec = cc;
        c[nc].name = raw_codecs[k].name;
        c[nc].step = raw_codecs[k].step;
        c[nc].cost = cost;
        c[nc].bad = bad;
        nc++;
    }
    /* uchardet's opinion takes UCHARDET_BONUS bits off the encodings it names: asked only when
     * it could change the answer (or every rank is wanted), as it is slow on long input */
    if (all_ranks || second - best <= UCHARDET_BONUS) {
        uchardet_t ud = uchardet_new();
        char u[32] = "";
        if (ud) {
            if (uchardet_handle_data(ud, (const char *)in, n) == 0) {
                uchardet_data_end(ud);
                const char *r = uchardet_get_charset(ud);
                if (r) strncpy(u, r, sizeof u - 1);
            }
            uchardet_delete(ud);
        }
        for (int k = 0; k < nc; k++)
            if (u[0] && uchardet_says(u, c[k].codec)) c[k].cost -= UCHARDET_BONUS;
    }
    qsort(c, (size_t)nc, sizeof *c, cmp_cost);
    if (best_out && nc > 0) {
        size_t s = (c[0].codec == bom) ? 2 : 0;
        c[0].bad = lfx_decode(c[0].codec, all + s, all_n - s, best_out);
    }
    lfx_u32_free(&v);
    return nc;
}

/* GB18030 input that never uses a four-byte sequence is plain GBK: say so. */
static int uses_four_byte(const uint8_t *in, size_t n) {
    for (size_t i = 0; i + 1 < n; i++) {
        if (in[i] >= 0x81 && in[i] <= 0xFE) {
            if (in[i + 1] >= 0x30 && in[i + 1] <= 0x39) return 1;
            i++;
        }
    }
    return 0;
}

static int is_utf16(lfx_codec c) { return c == LFX_UTF16LE || c == LFX_UTF16BE; }

int lfx_looks_utf16(const uint8_t *in, size_t n) {
    if (n < 4 || n % 2 || !memchr(in, 0, n)) return 0; /* text has no NUL, mostly: one fast scan */
    size_t z[2] = {0, 0};
    for (size_t i = 0; i < n; i++) z[i & 1] += in[i] == 0;
    /* ASCII in UTF-16 is a NUL every other byte, on one side (a few characters like 一,
     * U+4E00, put one on the other) */
    return (z[1] >= 2 && z[0] * 4 <= z[1] && z[1] * 8 >= n) || (z[0] >= 2 && z[1] * 4 <= z[0] && z[0] * 8 >= n);
}

int lfx_decode_raw(const uint8_t *in, size_t n, lfx_buf *out, lfx_steps *steps, int *lossy, int utf16_only) {
    rawcand c[N_RAW];
    lfx_u32 v;
    lfx_u32_init(&v);
    int nc = rank(in, n, c, &v, 0);
    if (nc <= 0 || v.failed) {
        lfx_u32_free(&v);
        return -1;
    }
    if (utf16_only && !is_utf16(c[0].codec)) {
        /* all ASCII with NULs in it reads as well in any encoding: not UTF-16 after all */
        lfx_u32_free(&v);
        return 1;
    }
    const char *step = c[0].step;
    if (c[0].codec == LFX_GB18030 && !uses_four_byte(in, n)) step = "bytes:gbk";
    if (c[0].bad) *lossy = 1;
    lfx_steps_add(steps, step);
    lfx_utf8_encode(v.data, v.len, out);
    lfx_u32_free(&v);
    return out->failed ? -1 : 0;
}

int lfx_detect(libfix_ctx *ctx, const uint8_t *in, size_t n, libfix_guess *g, size_t max, size_t *nout) {
    LFX_UNUSED(ctx);
    *nout = 0;
    if (max == 0) return LIBFIX_OK;
    rawcand c[N_RAW];
    int nc = -1;
    int utf8 = lfx_utf8_valid_prefix(in, n) == n;
    if (utf8 && lfx_looks_utf16(in, n)) {
        /* UTF-16 that happens to validate, if the model reads it best so (the ranking is the
         * answer then) */
        nc = rank(in, n, c, NULL, 1);
        if (nc < 0) return LIBFIX_E_NOMEM;
        utf8 = nc == 0 || !is_utf16(c[0].codec);
    }
    if (utf8) {
        /* valid UTF-8 (ASCII included) is UTF-8: legacy encodings almost never validate */
        strcpy(g[0].encoding, "UTF-8");
        g[0].confidence = 1.0;
        *nout = 1;
        return LIBFIX_OK;
    }
    if (nc < 0) nc = rank(in, n, c, NULL, 1);
    if (nc < 0) return LIBFIX_E_NOMEM;
    double z = 0;
    for (int k = 0; k < nc; k++) z += exp2(-(c[k].cost - c[0].cost) / SOFTMAX_BITS);
    for (int k = 0; k < nc && (size_t)k < max; k++) {
        const char *name = c[k].name;
        if (c[k].codec == LFX_GB18030 && !uses_four_byte(in, n)) name = "GBK";
        strncpy(g[k].encoding, name, sizeof g[k].encoding - 1);
        g[k].encoding[sizeof g[k].encoding - 1] = 0;
        g[k].confidence = exp2(-(c[k].cost - c[0].cost) / SOFTMAX_BITS) / z;
        (*nout)++;
    }
    return LIBFIX_OK;
}
