/* The reverse engine's layers (reverse.c): one layer = original bytes read in another encoding. */
#ifndef LFX_REVERSE_H
#define LFX_REVERSE_H
#include "internal.h"

typedef enum lfx_orig { ORIG_UTF8, ORIG_GBK, ORIG_BIG5 } lfx_orig;
typedef enum lfx_seen { SEEN_GBK, SEEN_BIG5, SEEN_1252, SEEN_SJIS, SEEN_EUCKR } lfx_seen;

typedef struct lfx_layer {
    lfx_orig orig; /* what the bytes really were */
    lfx_seen seen; /* what they were decoded as */
    const char *name;
} lfx_layer;

/* Build the shared tables of the beam (thread-safe, idempotent). */
void lfx_reverse_init(void);

extern const lfx_layer lfx_layers[];
extern const size_t lfx_n_layers;

typedef struct lfx_rev_stats {
    uint32_t guessed;     /* bytes filled in by the model */
    uint32_t deferred;    /* spans left alone in a lossless pass because bytes had to be guessed */
    float evidence;       /* bits gained by every span found, replaced or not */
    uint32_t spans;       /* spans replaced */
    int above_latin1;     /* the replaced spans held cp1252's specials (names the step) */
    uint32_t marked;      /* characters written to `marked` as set marks */
} lfx_rev_stats;

/* A set mark: a character of the decoded text of which the layer lost one byte, standing for
 * every character those bytes could have been. Never output: only the layer under it (the
 * next depth of the chain search) reads one, and tries each character in its own context
 * (which the Chinese beneath shows, and the mojibake the mark stands in does not). Above
 * U+10FFFF. Bits 24-25: which byte of a three-byte UTF-8 character is unknown (0-2), the
 * bytes in bits 16-23, 8-15 and 0-7 (the unknown one as the layer guessed it); or 3: an ASCII
 * character a '?' swallowed, any from TAB up to bits 0-7, guessed as bits 8-15. With
 * LFX_SET_TWO, two bytes of the character are unknown and bits 24-25 say which is known. */
#define LFX_SET_MARK 0x40000000u
#define LFX_SET_TWO 0x04000000u
static inline int lfx_is_set_mark(uint32_t cp) { return (cp & 0xF8000000u) == LFX_SET_MARK; }

/* The character the layer guessed for set mark m. */
static inline uint32_t lfx_set_mark_guess(uint32_t m) {
    if (((m >> 24) & 3) == 3 && !(m & LFX_SET_TWO)) return (m >> 8) & 0x7F;
    return ((m >> 4) & 0xF000) | ((m >> 2) & 0x0FC0) | (m & 0x3F);
}

enum {
    LFX_REV_STRONG_ONLY = 1, /* replace only spans with strong evidence of their own (for a layer
                              * on top of another, where weak spans are what the first left) */
    LFX_REV_LOSSLESS = 2     /* decode only spans whose bytes are all known; count the others in
                              * st->deferred (0 deferred: the full pass would give the same) */
};

/* Undo layer L on in[0..n) into out; returns the gain in bits (0: out is a copy).
 * marked: NULL, or (a UTF-8 original) where to write the same text with every character whose
 * lost byte was guessed as a set mark instead (st->marked counts them; 0: ignore marked).
 * cost_in: the model's cost of each code point of in, in context (lfx_model_score's per_cp).
 * flags: LFX_REV_*. budget: candidate bytes
 * the beam may still try, shared by every call for one text (at 0, lost bytes are no longer
 * guessed), which bounds the time per input byte whatever the input. */
double lfx_reverse_layer(const lfx_layer *L, const uint32_t *in, const float *cost_in, size_t n, int flags,
                         long *budget, lfx_u32 *out, lfx_u32 *marked, lfx_rev_stats *st);

/* How well each original encoding (fit[ORIG_UTF8], fit[ORIG_GBK], fit[ORIG_BIG5]) fits
 * in[0..n) read as Latin-1: the share of the bytes of its non-ASCII characters that fit the
 * byte structure of the encoding (lead and trail ranges), in [0, 1]. One cheap pass with no
 * model, to try the likeliest Latin-1 layer first. */
void lfx_latin_fit(const uint32_t *in, size_t n, double fit[3]);

/* The same for any layer, per non-ASCII character of the first 4,096 code points: the share of
 * them whose bytes (encoded with SEEN) fit the byte structure of ORIG where the bytes before
 * them left off; a character SEEN cannot encode does not fit, a marker of a lost byte does. */
double lfx_layer_fit(const lfx_layer *L, const uint32_t *in, size_t n);
#endif
