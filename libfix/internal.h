/* Internal interfaces shared by the stages of libfix (not installed). */
#ifndef LFX_INTERNAL_H
#define LFX_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "libfix.h"

#define LFX_UNUSED(x) ((void)(x))

/* ---- growable byte buffer (buffer.c) ---------------------------------------------------- */

typedef struct lfx_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
    int failed; /* an allocation failed; later appends do nothing */
} lfx_buf;

void lfx_buf_init(lfx_buf *b);
void lfx_buf_free(lfx_buf *b);
int lfx_buf_reserve(lfx_buf *b, size_t extra);           /* 0 ok, -1 out of memory */
void lfx_buf_append(lfx_buf *b, const void *p, size_t n);
void lfx_buf_putc(lfx_buf *b, uint8_t c);
void lfx_buf_put_utf8(lfx_buf *b, uint32_t cp);           /* invalid cp -> U+FFFD */

/* growable code point array */
typedef struct lfx_u32 {
    uint32_t *data;
    size_t len;
    size_t cap;
    int failed;
} lfx_u32;

void lfx_u32_init(lfx_u32 *v);
void lfx_u32_free(lfx_u32 *v);
void lfx_u32_grow_push(lfx_u32 *v, uint32_t cp); /* the slow path of lfx_u32_push */
int lfx_u32_reserve(lfx_u32 *v, size_t extra);      /* room for extra more code points; -1: failed */
static inline void lfx_u32_push(lfx_u32 *v, uint32_t cp) {
    if (v->len < v->cap && !v->failed)
        v->data[v->len++] = cp;
    else
        lfx_u32_grow_push(v, cp);
}

/* ---- UTF-8 (utf8.c) --------------------------------------------------------------------- */

/* Decode one UTF-8 sequence at s[0..n). Returns its length (1-4) and stores the code point,
 * or 0 for an invalid or truncated sequence (overlongs, surrogates, > U+10FFFF rejected). */
size_t lfx_utf8_next(const uint8_t *s, size_t n, uint32_t *cp);
/* Length of the longest valid UTF-8 prefix of s. Fast path: ASCII eight bytes at a time. */
size_t lfx_utf8_valid_prefix(const uint8_t *s, size_t n);
/* Does s hold U+FFFD (EF BF BD), a character known to be lost? */
int lfx_utf8_has_fffd(const uint8_t *s, size_t n);
/* Decode valid or invalid UTF-8 into code points; each invalid byte becomes U+FFFD.
 * Returns the number of invalid bytes. */
size_t lfx_utf8_decode_lossy(const uint8_t *s, size_t n, lfx_u32 *out);
/* Encode code points as UTF-8. */
void lfx_utf8_encode(const uint32_t *cp, size_t n, lfx_buf *out);
int lfx_utf8_put(uint8_t out[4], uint32_t cp); /* bytes written, 0 if not a scalar value */

/* ---- codecs (codec.c) ------------------------------------------------------------------- */

typedef enum lfx_codec {
    LFX_UTF8 = 0,
    LFX_GBK,      /* Python/WHATWG-style GBK: strict, 0x80 undefined */
    LFX_CP936WIN, /* as Windows tools decode: 0x80 = euro, user-defined pairs = PUA,
                     a bad pair -> '?' swallowing its trail, a lone final lead -> '?' */
    LFX_GB18030,
    LFX_BIG5,     /* Microsoft cp950 */
    LFX_CP950WIN, /* cp950 decoded the Windows way ('?' swallowing, as above) */
    LFX_LATIN1,
    LFX_CP1252,   /* browsers' sloppy windows-1252: 81 8D 8F 90 9D stay C1 controls */
    LFX_SJIS,     /* Microsoft cp932 */
    LFX_EUCKR,    /* Microsoft cp949 (UHC) */
    LFX_UTF16LE,
    LFX_UTF16BE,
    LFX_CODEC_COUNT
} lfx_codec;

const char *lfx_codec_name(lfx_codec c);   /* "utf-8", "gbk", "cp936win", "gb18030", "big5", ... */
int lfx_codec_from_name(const char *name); /* the enum, or -1 */

/* Make sure the shared tables exist (thread-safe, idempotent). 0 ok, -1 out of memory. */
int lfx_codec_init(void);

/* Encode one code point. Returns the number of bytes (1-4) or 0 if the codec cannot encode it. */
int lfx_encode_cp(lfx_codec c, uint32_t cp, uint8_t out[4]);

/* Decode one character at b[0..n). Returns bytes consumed (>= 1) and stores the code point,
 * or LFX_BAD when b[0] starts no valid character (then 1 byte is bad) or LFX_SHORT when the
 * input ends inside a multi-byte character. For the *WIN codecs this is strict too: the
 * Windows '?' behaviour is lfx_decode's business. */
#define LFX_BAD 0
#define LFX_SHORT ((size_t)-1)
size_t lfx_decode_cp(lfx_codec c, const uint8_t *b, size_t n, uint32_t *cp);

/* Decode a whole byte string as the codec does in the wild (for *WIN codecs the Windows
 * behaviour; for others each bad byte is U+FFFD). Returns the number of replacements. */
size_t lfx_decode(lfx_codec c, const uint8_t *b, size_t n, lfx_u32 *out);

/* Decode with iconv for any charset name iconv knows (MIME words, rare pages).
 * Returns 0 on success (every byte decoded), -1 unknown charset, -2 invalid bytes. */
int lfx_iconv_decode(const char *charset, const uint8_t *b, size_t n, lfx_buf *utf8_out);


/* ---- language model (model.c) ----------------------------------------------------------- */

/* Cost in bits (-log2 probability, >= 0) of code point cp following prev (prev 0 = start of
 * text) under the model of Simplified Chinese text (which also knows ASCII, kana, Hangul and
 * symbols, at lower probability). Lower is better. Thread-safe, read-only tables. */
float lfx_model_cost(uint32_t prev, uint32_t cp);
/* Cost of cp with nothing known before it (lfx_model_cost(0, cp) is its cost at the start of a
 * text, where the characters that begin clauses are likelier). */
float lfx_model_cost_alone(uint32_t cp);
/* Cost of cp after prev2 prev: inside a word, Han trigrams refine the pair. */
float lfx_model_cost3(uint32_t prev2, uint32_t prev, uint32_t cp);
/* Is c a question word (谁 怎 什 哪 何 吗 呢)? And the bits ：；？！ cost more (less: negative) at
 * the end of a clause that holds one (asked) or not, than at a clause's end in general. */
int lfx_model_question_word(uint32_t c);
float lfx_model_question_bits(uint32_t mark, int asked);
/* How rare a code point is, in bits, out of context (for Han: its frequency in any position). */
float lfx_model_unigram(uint32_t cp);
/* The cheapest known pair of Han character a followed by one in [lo, hi] (bits; 1e9: none). */
float lfx_model_pair_floor(uint32_t a, uint32_t lo, uint32_t hi);
/* The characters that make a known pair after a, and those that make one before b (Simplified
 * forms; a or b not Han: none), up to max of them into out. Returns how many. */
size_t lfx_model_pair_neighbors(uint32_t a, uint32_t b, uint32_t *out, size_t max);
/* Cost of a whole sequence, sum of lfx_model_cost3; per_cp (may be NULL) receives each term. */
double lfx_model_score(const uint32_t *cp, size_t n, float *per_cp);
/* The float sum of lfx_model_cost3 over cp[0..n) after prev2, prev (a span inside a text). */
float lfx_model_sum(const uint32_t *cp, size_t n, uint32_t prev2, uint32_t prev);

/* ---- script layer (script.c) ------------------------------------------------------------ */

/* Chooses between Simplified candidates for one Traditional character in context: returns the
 * index into cand[0..ncand) to use. left/right: code points around the position (already
 * converted on the left, still Traditional on the right). */
typedef size_t (*lfx_choose_fn)(void *ud, const uint32_t *left, size_t nleft, const uint32_t *cand,
                                size_t ncand, const uint32_t *right, size_t nright);

/* Nonzero if cp is a Traditional character whose Simplified form differs (OpenCC t2s). */
int lfx_is_traditional(uint32_t cp);

/* Traditional -> Simplified over cp[0..n), phrase level (OpenCC TSPhrases, longest match), then
 * character level where `choose` (may be NULL: first candidate) settles one-to-many cases.
 * Appends to out. Returns the number of code points changed. */
size_t lfx_t2s(const uint32_t *cp, size_t n, lfx_choose_fn choose, void *ud, lfx_u32 *out);

/* Remove inline pinyin annotations "(syl)" / "（syl）" that a Simplified->Traditional converter
 * inserted after a Traditional character (see script.c for the exact rule). Appends to out.
 * Returns the number of annotations removed. */
size_t lfx_pinyin_strip(const uint32_t *cp, size_t n, lfx_u32 *out);

/* ASCII , : ; ? ! ( ) between CJK characters back to full width, in rounds until nothing changes
 * (a second call changes nothing). Returns the number changed. */
size_t lfx_fullwidth_restore(uint32_t *cp, size_t n);

/* ---- text layers (layers.c) ------------------------------------------------------------- */

/* Each decodes one kind of escaping in UTF-8 text in[0..n) and appends the result to out.
 * Returns how many escapes were decoded (0: out receives an exact copy). Malformed or
 * out-of-range escapes are copied through unchanged. */
size_t lfx_layer_ncr(const uint8_t *in, size_t n, lfx_buf *out);      /* &#..; &#x..; &name; */
size_t lfx_layer_uescape(const uint8_t *in, size_t n, lfx_buf *out);  /* \uXXXX \UXXXXXXXX */
size_t lfx_layer_percent(const uint8_t *in, size_t n, lfx_buf *out);  /* %XX (UTF-8 or GBK) */
size_t lfx_layer_hz(const uint8_t *in, size_t n, lfx_buf *out);       /* ~{ ... ~} */
size_t lfx_layer_mime(const uint8_t *in, size_t n, lfx_buf *out);     /* =?cs?B|Q?...?= */
size_t lfx_layer_qp(const uint8_t *in, size_t n, lfx_buf *out);       /* quoted-printable */
int lfx_b64_value(uint8_t c); /* the value of a base64 digit, or -1 */

/* ---- engine and context (engine.c, detect.c, api.c) ------------------------------------- */

#define LFX_MAX_STEPS 16

typedef struct lfx_steps {
    char name[LFX_MAX_STEPS][24];
    size_t n;
} lfx_steps;

void lfx_steps_add(lfx_steps *s, const char *name); /* drops steps past LFX_MAX_STEPS */

struct libfix_ctx {
    libfix_options opt;
};

/* Build the engine's shared tables once (thread-safe); libfix_new calls it so that the first
 * repair does not pay for it. */
void lfx_engine_init(void);

/* Repair in[0..n) into out (valid UTF-8): one pass. Returns LIBFIX_OK or LIBFIX_E_NOMEM. Sets
 * LFX_TOUCHED in *flags when the output may differ from the input (else it is a copy), and
 * LFX_RAW when the input was not UTF-8 and was decoded as raw bytes of a legacy encoding. Adds
 * the work of its searches (beam offers and code points read by layer passes, each some tens
 * of nanoseconds) to *spent; once *spent reaches limit, the rest is not searched and LFX_LIMITED
 * is set: the pass is void (a search may have been cut short). */
#define LFX_TOUCHED (1u << 16)
#define LFX_RAW (1u << 17)
#define LFX_LIMITED (1u << 18)
/* The units (runs of damaged lines) a pass of the engine searched and left as they were, by a
 * hash of their bytes: the next pass over the output need not search them again. */
typedef struct lfx_memo {
    uint64_t *slot; /* 0: empty */
    size_t cap, n;
    int failed;
} lfx_memo;
void lfx_memo_free(lfx_memo *m);
int lfx_engine_repair(libfix_ctx *ctx, const uint8_t *in, size_t n, lfx_buf *out, lfx_steps *steps,
                      double *confidence, unsigned *flags, const lfx_memo *prev, lfx_memo *next, long *spent,
                      long limit);

/* Ranked guesses of the encoding of raw bytes (detect.c). */
int lfx_detect(libfix_ctx *ctx, const uint8_t *in, size_t n, libfix_guess *g, size_t max, size_t *nout);

/* Decode raw bytes that are not UTF-8 (detect.c): picks the most likely encoding, appends UTF-8
 * to out and a step naming it ("bytes:gbk"). *lossy is set when bytes had to become U+FFFD.
 * With utf16_only (valid UTF-8 that lfx_looks_utf16), only when that encoding is UTF-16.
 * Returns 0, 1 when utf16_only turned it down (nothing appended), or -1 when out of memory. */
int lfx_decode_raw(const uint8_t *in, size_t n, lfx_buf *out, lfx_steps *steps, int *lossy, int utf16_only);
/* Bytes that hold a NUL every other byte on one side, as ASCII in UTF-16 does: valid UTF-8 that
 * may be UTF-16 (lfx_decode_raw with utf16_only, and libfix_detect, ask the model). */
int lfx_looks_utf16(const uint8_t *in, size_t n);

#endif /* LFX_INTERNAL_H */
