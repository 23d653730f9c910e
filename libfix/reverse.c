/* The reverse engine: undo one layer of byte-level damage ("bytes of ORIG were decoded as
 * SEEN") on the spans of a text where it applies, filling bytes that a lossy decoder destroyed
 * with the values the language model likes best (a small beam search over the unknown bytes). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "reverse.h"

#define BEAM 32
#define MAX_SPAN 4096 /* code points per span handed to the beam; longer runs are cut */

const lfx_layer lfx_layers[] = {
    {ORIG_UTF8, SEEN_GBK, "utf-8>gbk"},     {ORIG_UTF8, SEEN_1252, "utf-8>latin1"},
    {ORIG_UTF8, SEEN_BIG5, "utf-8>big5"},   {ORIG_UTF8, SEEN_SJIS, "utf-8>sjis"},
    {ORIG_UTF8, SEEN_EUCKR, "utf-8>euckr"}, {ORIG_GBK, SEEN_1252, "gbk>latin1"},
    {ORIG_GBK, SEEN_BIG5, "gbk>big5"},      {ORIG_BIG5, SEEN_GBK, "big5>gbk"},
    {ORIG_BIG5, SEEN_1252, "big5>latin1"},
};
const size_t lfx_n_layers = sizeof lfx_layers / sizeof lfx_layers[0];

/* ---- the seen side: characters back to bytes ------------------------------------------- */

static int seen_encode(lfx_seen s, uint32_t cp, uint8_t out[4]) {
    switch (s) {
    case SEEN_GBK: return lfx_encode_cp(LFX_CP936WIN, cp, out);
    case SEEN_BIG5: return lfx_encode_cp(LFX_BIG5, cp, out);
    case SEEN_SJIS: return lfx_encode_cp(LFX_SJIS, cp, out);
    case SEEN_EUCKR: return lfx_encode_cp(LFX_EUCKR, cp, out);
    case SEEN_1252:
        /* Latin-1 and sloppy windows-1252 together: C1 controls and the cp1252 specials are
         * disjoint, so one table undoes both. */
        if (cp < 0x100) {
            out[0] = (uint8_t)cp;
            return 1;
        }
        return lfx_encode_cp(LFX_CP1252, cp, out);
    }
    return 0;
}

/* Slot kinds: what one character of the damaged text stands for. */
enum { SLOT_FIXED, SLOT_FFFD, SLOT_QMARK, SLOT_QMARK_END, SLOT_SET };

typedef struct slot {
    uint8_t kind, n;
    uint8_t b[4];
    uint8_t may_drop; /* the span scan needed a dropped byte near here */
    uint32_t mark;    /* SLOT_SET: the set mark (reverse.h) */
} slot;

/* Where a decoder left a trace of a lost byte: U+FFFD for strict decoders; '?' for the Windows
 * double-byte decoders, considered where the original was UTF-8 (the case met in the wild;
 * for a double-byte original it would cost the beam dearly on clean text for little). */
static int is_marker(const lfx_layer *L, uint32_t cp) {
    if (L->seen == SEEN_1252) return 0;
    return cp == 0xFFFD || (cp == '?' && L->orig == ORIG_UTF8);
}

/* ---- the original side: bytes back to characters --------------------------------------- */

/* Decode complete characters at the front of carry. Returns -1 if the bytes cannot be the start
 * of valid text, else the number of code points written to out (max 4) and leaves the
 * incomplete tail in carry. */
static int orig_take(lfx_orig o, uint8_t *carry, uint8_t *ncarry, uint32_t *out) {
    int nout = 0;
    uint8_t at = 0, n = *ncarry;
    while (at < n) {
        const uint8_t *p = carry + at;
        uint8_t left = (uint8_t)(n - at), c = p[0];
        size_t used;
        uint32_t cp;
        if (o == ORIG_UTF8) {
            uint8_t need = c < 0x80 ? 1 : c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
            if (need == 0) return -1;
            if (left < need) {
                /* check the prefix so that a dead end dies early */
                for (uint8_t k = 1; k < left; k++)
                    if ((p[k] & 0xC0) != 0x80) return -1;
                if (left >= 2) {
                    if (c == 0xE0 && p[1] < 0xA0) return -1;
                    if (c == 0xED && p[1] > 0x9F) return -1;
                    if (c == 0xF0 && p[1] < 0x90) return -1;
                    if (c == 0xF4 && p[1] > 0x8F) return -1;
                }
                break;
            }
            if (need == 1) {
                cp = c;
                used = 1;
            } else if (need == 3 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80 && c != 0xE0 && c != 0xED) {
                cp = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
                used = 3;
            } else {
                used = lfx_utf8_next(p, need, &cp);
                if (used == 0) return -1;
            }
        } else {
            lfx_codec cc = o == ORIG_GBK ? LFX_GBK : LFX_BIG5;
            used = lfx_decode_cp(cc, p, left, &cp);
            if (used == LFX_SHORT) break;
            if (used == LFX_BAD) return -1;
        }
        if (nout == 8) return -1; /* cannot happen with <= 8 carried bytes */
        out[nout++] = cp;
        at = (uint8_t)(at + used);
    }
    if (at > 0) {
        for (uint8_t k = at; k < n; k++) carry[k - at] = carry[k];
        *ncarry = (uint8_t)(n - at);
    }
    return nout;
}

/* Brackets and title marks come in pairs (the beam costs one that fails to pair) */
static int is_open(uint32_t c) { return c == '(' || c == 0xFF08 || c == 0x300A; }
static int is_close(uint32_t c) { return c == ')' || c == 0xFF09 || c == 0x300B; }
static int is_han(uint32_t c) { return c >= 0x3400 && c <= 0x9FFF; }
/* ，。、：；？！ and a line end, after which a clause begins */
static int ends_clause(uint32_t c) {
    if (c < 0xFF01) return c == '\n' || c == 0x3001 || c == 0x3002; /* (Han text: two compares) */
    return c == 0xFF0C || c == 0xFF1A || c == 0xFF1B || c == 0xFF1F || c == 0xFF01;
}
static int is_cjk_punct(uint32_t c) { return (c >= 0x3000 && c <= 0x303F) || (c >= 0xFF00 && c <= 0xFFEF) || (c >= 0x2010 && c <= 0x2027); }
/* The length of the UTF-8 character lead byte c0 begins (0: not a lead byte). */
static int utf8_need(uint8_t c0) { return c0 >= 0xF0 ? 4 : c0 >= 0xE0 ? 3 : c0 >= 0xC0 ? 2 : 0; }
#define BRACKET_BITS 4.0f /* a bracket that balances the line, or fails to */
/* ')' closing a '(' the span opened: in manpages-zh, after a Han character inside an open
 * parenthesis ')' comes 0.86 bits likelier than a space (3.26 bits against 4.12; outside one
 * 11.1 against 4.19), where the model, which does not know the parenthesis is open, puts it
 * 2.5 bits behind: 3.4 bits off its cost */
#define PAREN_CLOSE_BITS 3.4f
#define CRLF_BITS 6.0f    /* a line end without its CR in a file of CR LF lines */

/* ---- beam search over the slots of one span --------------------------------------------- */

typedef struct node {
    int32_t parent;
    uint32_t cp;
    uint32_t mark; /* the set mark standing for cp (its lost byte guessed), or 0 */
} node;

typedef struct bstate {
    uint8_t carry[8];
    uint8_t ncarry;
    uint8_t fffd_byte; /* the byte guessed for a U+FFFD in the previous slot, if fffd_prev */
    uint8_t fffd_prev;
    uint32_t last, last2; /* the last two code points decoded */
    float cost;  /* model cost of the characters decoded so far, plus guessing costs */
    float h;     /* optimistic cost of the character the carry has begun */
    int32_t hist;
    uint32_t guessed; /* unknown bytes filled so far */
    uint8_t depth;    /* brackets opened in the span and not yet closed */
    uint8_t pdepth;   /* of them, ASCII parentheses */
    uint8_t asked;    /* a question word since the clause began (lfx_model_question_word) */
    uint8_t closed;   /* brackets the span closed that it did not open */
    uint8_t gmask;    /* which bytes of the carry were guessed (bit k: carry[k]) */
} bstate;

typedef struct beam_ctx {
    lfx_orig orig;
    lfx_seen seen;
    node *arena;
    size_t narena, caparena;
    int failed;
    bstate cur[BEAM], next[BEAM];
    int ncur, nnext;
    float worst_rank; /* of next, once it holds BEAM states */
    float nrank[BEAM];  /* cost + h of each state in next */
    uint32_t nkey[BEAM]; /* a hash of what makes two states of next the same (offer) */
    uint8_t rejects[256]; /* for a U+FFFD slot: the bytes the seen decoder rejects before the next */
    long *budget; /* offers left for this text; at 0 unknown bytes are no longer guessed */
    int open_before; /* unmatched '(' earlier on the line that the ')' later do not close: the
                      * span may close so many (a swallowed ')' is likely) */
    int close_after; /* unmatched ')' later on the line that the '(' earlier do not open: the
                      * span may open so many (a swallowed '(' is likely) */
    int seg_end;     /* the slot expanded is the last of a span that non-ASCII text follows, or
                      * ASCII and then clean Chinese */
    int alt_paren;   /* a '?' slot: the best state with a parenthesis open that the best state has
                      * not was offered ')' for it (or none will be) */
    /* the lead bytes the best state's fill of the '?' slot kept that end its character (nqkeep:
     * 0 before the fill), and the state they were ranked for */
    uint8_t qkeep[8];
    int nqkeep;
    bstate qsig;
    int alt_filled;  /* a '?' slot after a set mark: a state with another carry than the best's
                      * was filled (or none will be: no set mark before) */
    int want_marks;  /* record a set mark for each character with a guessed byte */
    const slot *next_slot; /* the slot after the one expanded, or NULL */
    uint32_t after;        /* the code point after the span (0: the end of the text) */
    /* For the SLOT_SET slot expanded (set_list): the seen decoder's bytes of each character
     * the mark may stand for (nset of them, 4,096 at most: allocated at the first mark), whether
     * two of its bytes are unknown, and this layer's own marker of a lost byte (U+FFFD or '?')
     * if it is among them. */
    struct set_entry { uint8_t b[4], n; } *set;
    int nset, set_two;
    uint32_t set_marker;
} beam_ctx;

/* May ')' next close a '(' that state s opened in the span, no ')' later on the line being left
 * for it (what PAREN_CLOSE_BITS is taken off for)? */
static int closes_own_paren(const beam_ctx *bc, const bstate *s) {
    return s->pdepth > 0 && s->depth > bc->close_after;
}

/* ---- optimistic costs of unfinished characters ------------------------------------------ */

static float g_h_utf8_1[256];     /* a lead byte alone */
static float g_h_utf8_2[16][64];  /* a three-byte lead E0-EF and one continuation */
static float g_h_gbk[256], g_h_big5[256];
static pthread_once_t g_h_once = PTHREAD_ONCE_INIT;

static uint8_t g_fb_class[256];
static uint8_t fb_class(uint8_t x);

/* the question words (lfx_model_question_word) among the Han characters, a bit each */
static uint8_t g_question[(0x9FFF - 0x3400 + 1 + 7) / 8];
static int is_question_word(uint32_t c) {
    return c >= 0x3400 && c <= 0x9FFF && ((g_question[(c - 0x3400) >> 3] >> ((c - 0x3400) & 7)) & 1);
}

static void build_h(void) {
    for (uint32_t c = 0x3400; c <= 0x9FFF; c++)
        if (lfx_model_question_word(c)) g_question[(c - 0x3400) >> 3] |= (uint8_t)(1u << ((c - 0x3400) & 7));
    for (int x = 0; x < 256; x++) g_fb_class[x] = fb_class((uint8_t)x);
    for (int i = 0; i < 256; i++) g_h_utf8_1[i] = g_h_gbk[i] = g_h_big5[i] = 1e9f;
    for (int a = 0; a < 16; a++)
        for (int b = 0; b < 64; b++) g_h_utf8_2[a][b] = 1e9f;
    for (uint32_t cp = 0x80; cp < 0x10000; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF) continue;
        float c = lfx_model_cost_alone(cp), cu = c;
        /* (a mark costs more at the start of a text than after a word: optimistic is after one,
         * for the UTF-8 characters begun, whose last bytes a decoder lost: 。 at a line's end) */
        if (!is_han(cp)) {
            float w = lfx_model_cost(0x7684, cp);
            if (w < cu) cu = w;
        }
        uint8_t u[4];
        int n = lfx_utf8_put(u, cp);
        if (cu < g_h_utf8_1[u[0]]) g_h_utf8_1[u[0]] = cu;
        if (n == 3 && cu < g_h_utf8_2[u[0] - 0xE0][u[1] - 0x80]) g_h_utf8_2[u[0] - 0xE0][u[1] - 0x80] = cu;
        if (lfx_encode_cp(LFX_GBK, cp, u) == 2 && c < g_h_gbk[u[0]]) g_h_gbk[u[0]] = c;
        if (lfx_encode_cp(LFX_BIG5, cp, u) == 2 && c < g_h_big5[u[0]]) g_h_big5[u[0]] = c;
    }
    for (int i = 0xF0; i < 0xF5; i++) g_h_utf8_1[i] = 12.0f; /* emoji and rare planes */
}

void lfx_reverse_init(void) { pthread_once(&g_h_once, build_h); }

static float heuristic(lfx_orig o, const uint8_t *carry, uint8_t n) {
    if (n == 0) return 0;
    if (o == ORIG_UTF8) {
        if (n >= 2 && carry[0] >= 0xE0 && carry[0] <= 0xEF) return g_h_utf8_2[carry[0] - 0xE0][carry[1] & 0x3F];
        return g_h_utf8_1[carry[0]] > 1e8f ? 12.0f : g_h_utf8_1[carry[0]];
    }
    float h = (o == ORIG_GBK ? g_h_gbk : g_h_big5)[carry[0]];
    return h > 1e8f ? 12.0f : h;
}

/* The same, knowing the character before: a Han character begun in UTF-8 (its lead byte, or
 * lead and second byte: a range of code points) may form a known pair with it, and the
 * cheapest such pair is a better guess of its cost than the cheapest character alone (so that
 * characters lost whole, as U+FFFD bytes, are guessed in context: 所?? -> 所需). */
static float heuristic_ctx(lfx_orig o, const uint8_t *carry, uint8_t n, uint32_t last) {
    float h = heuristic(o, carry, n);
    if (o != ORIG_UTF8 || n == 0 || n > 2 || carry[0] < 0xE3 || carry[0] > 0xE9) return h;
    uint32_t lo = (uint32_t)(carry[0] & 0x0F) << 12, span = 4096;
    if (n == 2) {
        lo |= (uint32_t)(carry[1] & 0x3F) << 6;
        span = 64;
    }
    float p = lfx_model_pair_floor(last, lo, lo + span - 1);
    return p < h ? p : h;
}

static int32_t arena_push(beam_ctx *bc, int32_t parent, uint32_t cp, uint32_t mark) {
    if (bc->narena == bc->caparena) {
        size_t cap = bc->caparena ? bc->caparena * 2 : 1024;
        node *p = realloc(bc->arena, cap * sizeof *p);
        if (!p) {
            bc->failed = 1;
            return parent;
        }
        bc->arena = p;
        bc->caparena = cap;
    }
    bc->arena[bc->narena].parent = parent;
    bc->arena[bc->narena].cp = cp;
    bc->arena[bc->narena].mark = mark;
    return (int32_t)bc->narena++;
}

static lfx_codec seen_codec(lfx_seen seen) {
    switch (seen) {
    case SEEN_GBK: return LFX_GBK;
    case SEEN_BIG5: return LFX_BIG5;
    case SEEN_SJIS: return LFX_SJIS;
    case SEEN_EUCKR: return LFX_EUCKR;
    default: return LFX_LATIN1;
    }
}

/* Which byte pairs each double-byte seen decoder rejects, as bits: [x][next], and [x] alone at
 * the end of the text. Built once per decoder on first use (65,536 decodes): the beam asks this
 * for every guessed byte. */
static uint8_t g_rej2[5][256][32], g_rej_end[5][256];
static pthread_once_t g_rej_once[5] = {PTHREAD_ONCE_INIT, PTHREAD_ONCE_INIT, PTHREAD_ONCE_INIT,
                                       PTHREAD_ONCE_INIT, PTHREAD_ONCE_INIT};

static void build_rej(lfx_seen seen) {
    for (int x = 0; x < 256; x++) {
        uint8_t b[2] = {(uint8_t)x, 0};
        uint32_t cp;
        size_t r = lfx_decode_cp(seen_codec(seen), b, 1, &cp);
        g_rej_end[seen][x] = r == LFX_BAD || r == LFX_SHORT;
        for (int t = 0; t < 256; t++) {
            b[1] = (uint8_t)t;
            if (lfx_decode_cp(seen_codec(seen), b, 2, &cp) == LFX_BAD) g_rej2[seen][x][t >> 3] |= (uint8_t)(1u << (t & 7));
        }
    }
}
static void build_rej_gbk(void) { build_rej(SEEN_GBK); }
static void build_rej_big5(void) { build_rej(SEEN_BIG5); }
static void build_rej_1252(void) { build_rej(SEEN_1252); }
static void build_rej_sjis(void) { build_rej(SEEN_SJIS); }
static void build_rej_euckr(void) { build_rej(SEEN_EUCKR); }

static void rej_init(lfx_seen seen) {
    static void (*const fn[5])(void) = {build_rej_gbk, build_rej_big5, build_rej_1252, build_rej_sjis,
                                        build_rej_euckr};
    pthread_once(&g_rej_once[seen], fn[seen]);
}

/* Would the seen decoder (Python-style, one U+FFFD per bad byte) have rejected byte x given
 * the byte after it (next < 0: unknown, anything goes; next == 256: end of text)? rej_init(seen)
 * must have run. */
static inline int seen_rejects(lfx_seen seen, uint8_t x, int next) {
    if (next < 0) return 1;
    if (next == 256) return g_rej_end[seen][x];
    return (g_rej2[seen][x][next >> 3] >> (next & 7)) & 1;
}

static int same_bytes(const uint8_t *a, const uint8_t *b, uint8_t n) {
    for (uint8_t i = 0; i < n; i++)
        if (a[i] != b[i]) return 0;
    return 1;
}

/* Offer one successor of state s after appending bytes b[0..n). Keeps the BEAM best distinct
 * (carry, last) states in bc->next, ranked by cost plus the optimistic cost of the carry.
 * guessed: how many of the first bytes of b were guessed for a marker, or (| ASSUMED) assumed
 * dropped without one (not set marks). fffd: b is one byte guessed for a U+FFFD. */
#define ASSUMED 0x100
/* A character with a guessed byte is a character of the text: Han, CJK and ASCII punctuation or
 * ASCII, or something rare there (kana, symbols, other planes: ㏫ for 叫 with its lead byte
 * lost), which costs GUESS_RARE_BITS more than the model's flat cost of its class (set for text
 * as it stands, where such characters are what mojibake holds). */
#define GUESS_RARE_BITS 8.0f
static int likely_guess(uint32_t c) {
    /* (full-width forms of ASCII, not the rest of their block: U+FFC0 is no character; and
     * U+FFFD, the trace of a byte a layer beneath lost) */
    return c < 0x80 || is_han(c) || (c >= 0x3000 && c <= 0x303F) || (c >= 0x2010 && c <= 0x2027) ||
           (c >= 0xFF01 && c <= 0xFF5E) || c == 0xFFFD;
}
static void offer(beam_ctx *bc, const bstate *s, const uint8_t *b, int n, float extra, int guessed, int fffd) {
    (*bc->budget)--;
    /* a U+FFFD right before: its byte must be one the seen decoder rejects before b[0] */
    if (s->fffd_prev && !seen_rejects(bc->seen, s->fffd_byte, n > 0 ? b[0] : 256)) return;
    bstate t = *s;
    if (t.ncarry + n > 6) return;
    for (int i = 0; i < n; i++) t.carry[t.ncarry + i] = b[i];
    /* the guessed bytes of an offer are its first */
    if (guessed > 0 && !(guessed & ASSUMED))
        t.gmask = (uint8_t)(t.gmask | (((1u << (guessed < 4 ? guessed : 4)) - 1u) << t.ncarry));
    int assumed = (guessed & ASSUMED) != 0;
    guessed &= 0xFF;
    t.ncarry = (uint8_t)(t.ncarry + n);
    uint8_t had = t.ncarry;
    uint32_t cps[8];
    int k = orig_take(bc->orig, t.carry, &t.ncarry, cps);
    if (k < 0) return;
    uint8_t gm = t.gmask;
    t.gmask = (uint8_t)(t.gmask >> (had - t.ncarry));
    float cost = t.cost + extra;
    uint32_t last = t.last, last2 = t.last2;
    int gm_used = (gm & ((1u << (had - t.ncarry)) - 1u)) != 0 || assumed;
    for (int i = 0; i < k; i++) {
        cost += lfx_model_cost3(last2, last, cps[i]);
        if (gm_used && !likely_guess(cps[i])) cost += GUESS_RARE_BITS;
        last2 = last;
        last = cps[i];
        /* ？ ends a clause with a question word in it, ： ； ！ one without (如何？ 如下：): the
         * mark, guessed or not, costs what the corpus says of it at such a clause's end */
        if (ends_clause(cps[i])) {
            cost += lfx_model_question_bits(cps[i], t.asked);
            t.asked = 0;
        } else if (is_question_word(cps[i])) {
            t.asked = 1;
        }
        /* brackets come in pairs: a closing one that nothing opened is unlikely text */
        if (is_open(cps[i])) {
            if (t.depth < 255) t.depth++;
            if (cps[i] == '(' && t.pdepth < 255) t.pdepth++;
        } else if (is_close(cps[i])) {
            if (cps[i] == ')' && t.pdepth) {
                /* a parenthesis the span opened is closed far likelier than one that is not
                 * (after a Han character in manpages-zh: 3.3 bits against 11.1), unless one the
                 * line closes later will */
                if (closes_own_paren(bc, &t)) cost -= PAREN_CLOSE_BITS;
                t.pdepth--;
            }
            if (t.depth)
                t.depth--;
            else if (t.closed < 255 && ++t.closed > bc->open_before)
                cost += BRACKET_BITS;
        }
    }
    t.cost = cost;
    t.h = heuristic_ctx(bc->orig, t.carry, t.ncarry, last);
    t.guessed += (uint32_t)guessed;
    t.fffd_prev = (uint8_t)fffd;
    t.fffd_byte = fffd ? b[0] : 0;
    float rank = cost + t.h;
    /* a full beam takes only what beats its worst state (the usual case is a quick no) */
    if (bc->nnext == BEAM && rank >= bc->worst_rank) return;
    /* the same (carry, last two characters, ...) kept already: the cheaper stays. The key is a
     * hash of what makes states the same, compared first. */
    uint32_t key = (last * 0x9E3779B1u) ^ (last2 * 0x85EBCA77u) ^ ((uint32_t)t.ncarry << 24) ^
                   ((uint32_t)t.fffd_prev << 31) ^ ((uint32_t)t.depth << 16) ^ ((uint32_t)t.pdepth << 12) ^ ((uint32_t)t.asked << 30) ^ ((uint32_t)t.closed << 20) ^
                   ((uint32_t)t.fffd_byte << 8);
    for (int i = 0; i < t.ncarry; i++) key = (key ^ t.carry[i]) * 0x01000193u;
    int at = -1;
    for (int i = 0; i < bc->nnext; i++) {
        if (bc->nkey[i] != key) continue;
        bstate *o = &bc->next[i];
        if (o->ncarry == t.ncarry && o->last == last && o->last2 == last2 && o->fffd_prev == t.fffd_prev &&
            o->depth == t.depth && o->pdepth == t.pdepth && o->asked == t.asked && o->closed == t.closed && o->fffd_byte == t.fffd_byte &&
            same_bytes(o->carry, t.carry, t.ncarry)) {
            if (rank >= bc->nrank[i]) return;
            at = i;
            break;
        }
    }
    if (at < 0) {
        if (bc->nnext < BEAM) {
            at = bc->nnext++;
        } else {
            at = 0;
            for (int i = 1; i < BEAM; i++)
                if (bc->nrank[i] > bc->nrank[at]) at = i;
            if (bc->nrank[at] <= rank) return;
        }
    }
    t.last = last;
    t.last2 = last2;
    t.hist = s->hist;
    for (int j = 0; j < k; j++) {
        uint32_t mark = 0;
        if (bc->want_marks) {
            /* a UTF-8 original: the bytes of cps[j] are the next of the carry */
            uint8_t u[4];
            int len = lfx_utf8_put(u, cps[j]);
            unsigned m = gm & ((1u << len) - 1u);
            gm = (uint8_t)(gm >> len);
            if (len == 3 && (m == 1 || m == 2 || m == 4)) {
                uint32_t pos = m == 1 ? 0 : m == 2 ? 1 : 2;
                mark = LFX_SET_MARK | (pos << 24) | ((uint32_t)u[0] << 16) | ((uint32_t)u[1] << 8) | u[2];
            } else if (len == 3 && (m == 3 || m == 5 || m == 6) && bc->seen == SEEN_GBK) {
                /* (a GBK decoder loses two bytes of a character in a row: 0x80 and the byte a
                 * rejected pair began with) */
                uint32_t known = m == 6 ? 0 : m == 5 ? 1 : 2;
                mark = LFX_SET_MARK | LFX_SET_TWO | (known << 24) | ((uint32_t)u[0] << 16) | ((uint32_t)u[1] << 8) |
                       u[2];
            } else if (len == 1 && m) {
                /* a swallowed ASCII byte: below 0x40 */
                mark = LFX_SET_MARK | (3u << 24) | (cps[j] << 8) | 0x3F;
            }
        }
        t.hist = arena_push(bc, t.hist, cps[j], mark);
    }
    bc->next[at] = t;
    bc->nrank[at] = rank;
    bc->nkey[at] = key;
    if (bc->nnext == BEAM) {
        float w = bc->nrank[0];
        for (int i = 1; i < BEAM; i++)
            if (bc->nrank[i] > w) w = bc->nrank[i];
        bc->worst_rank = w;
    }
}

#define GUESS_BITS 1.0f   /* a small price per guessed byte, so exact bytes win ties */

/* Bytes that can come next in the original encoding after the carry (a superset). */
static void byte_range(lfx_orig o, const uint8_t *carry, uint8_t n, int *lo, int *hi) {
    if (o == ORIG_UTF8 && n > 0) {
        *lo = 0x80;
        *hi = 0xBF;
    } else if (o == ORIG_UTF8) {
        *lo = 0xC2;
        *hi = 0xF4;
    } else if (n > 0) {
        *lo = 0x40;
        *hi = 0xFE;
    } else {
        *lo = 0x81;
        *hi = 0xFE;
    }
    LFX_UNUSED(carry);
}

/* The pairs of a UTF-8 continuation byte and a UTF-8 lead byte that cp936 leaves unmapped
 * (Windows shows them as '?', swallowing the lead byte). */
static uint8_t g_win_pairs[16][2];
static int g_n_win_pairs;
static pthread_once_t g_win_once = PTHREAD_ONCE_INIT;
static void build_win_pairs(void) {
    for (int x = 0x80; x <= 0xBF; x++)
        for (int t = 0xC2; t <= 0xF4; t++) {
            uint8_t b[2] = {(uint8_t)x, (uint8_t)t};
            uint32_t cp;
            if (lfx_decode_cp(LFX_CP936WIN, b, 2, &cp) == LFX_BAD && g_n_win_pairs < 16) {
                g_win_pairs[g_n_win_pairs][0] = b[0];
                g_win_pairs[g_n_win_pairs++][1] = b[1];
            }
        }
}

/* Is the pair (x, t) one the seen Windows decoder turns into '?' (swallowing t)? */
static int win_rejects_pair(lfx_seen seen, uint8_t x, uint8_t t) {
    if (seen == SEEN_GBK) return t < 0x40 || t == 0x7F || t == 0xFF;
    return seen_rejects(seen, x, t);
}

/* Bytes that some decoders or copy-and-paste drop without a trace, inside a character: the
 * five C1 controls of windows-1252 (invisible, lost when the text is copied); for GBK decoders
 * that skip what they cannot decode, the UTF-8 continuation bytes GBK rejects: 0x80, and the
 * leads of the user-defined areas (A1-A7 before a trail below A1, AA-AF). */
static int dropped_bytes(lfx_seen seen, const uint8_t **set) {
    static const uint8_t c1[] = {0x81, 0x8D, 0x8F, 0x90, 0x9D};
    static const uint8_t gbk[] = {0x80, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7,
                                  0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xAF};
    if (seen == SEEN_1252) {
        *set = c1;
        return (int)sizeof c1;
    }
    if (seen == SEEN_GBK) {
        *set = gbk;
        return (int)sizeof gbk;
    }
    return 0;
}

#define END2_TOP 4 /* states whose unfinished last character may have lost two bytes */
#define END2_KEEP 48 /* and the commonest characters tried for it, per lead byte */
#define DROP_CREDIT_BITS 3.0f /* taken off INSERT_BITS once a text shows a dropping decoder: left at
                               * 3 bits, a byte dropped in 8 (measured: 1 in 9 slots) */
#define INSERT_BITS 6.0f /* a byte that left no trace costs more than one marked by '?' */
#define UNMAPPED_BITS 6.0f /* a '?' that swallowed the lead byte of a character (cp936's A2 E3) */

/* Would bracket t, swallowed after state s, pair with one outside the span? */
static int bracket_balances(const beam_ctx *bc, const bstate *s, uint8_t t) {
    return (t == '(' && s->depth < bc->close_after) || (t == ')' && s->depth == 0 && s->closed < bc->open_before);
}

/* A '?' is filled from the QMARK_TOP best states only, with their QMARK_KEEP_X likeliest lead
 * bytes and QMARK_KEEP_T likeliest swallowed ASCII bytes each (the literal '?' from all).
 * Measured on dev-bench and a second draw of it (garble.py --seed 99): filling from the best
 * state alone gives the same exact repairs as from the best 8 (and 8 the same as 32), at an
 * eighth of the work per gap; only hopeless text (UTF-8 read as Big5, half its characters
 * lost) reads differently. */
#define QMARK_TOP 1
#define SET_TWO_TOP 4 /* states a set mark with two unknown bytes is guessed from */
#define QMARK_KEEP_X 4
#define QMARK_KEEP_T 4

/* Per UTF-8 lead byte E0-EF: the pairs (dropped byte, last byte) GBK drops both of, at the end
 * of a text or one after the other before the next character (the caller checks the last byte
 * against what follows), by how common the character they finish is (END2_KEEP of them; zero
 * pairs end). */
static uint8_t g_end2[16][END2_KEEP][2];
static pthread_once_t g_end2_once = PTHREAD_ONCE_INIT;
static void build_end2(void) {
    const uint8_t *dset;
    int nd = dropped_bytes(SEEN_GBK, &dset);
    rej_init(SEEN_GBK);
    for (int lead = 0; lead < 16; lead++) {
        float best[END2_KEEP];
        int nb = 0;
        for (int d = 0; d < nd; d++)
            for (int x = 0x80; x <= 0xBF; x++) {
                uint8_t u[3] = {(uint8_t)(0xE0 + lead), dset[d], (uint8_t)x};
                uint32_t cp;
                if (!seen_rejects(SEEN_GBK, dset[d], x) || lfx_utf8_next(u, 3, &cp) != 3) continue;
                float c = lfx_model_unigram(cp);
                if (nb == END2_KEEP && c >= best[END2_KEEP - 1]) continue;
                int at = nb < END2_KEEP ? nb++ : END2_KEEP - 1;
                while (at > 0 && best[at - 1] > c) {
                    best[at] = best[at - 1];
                    g_end2[lead][at][0] = g_end2[lead][at - 1][0];
                    g_end2[lead][at][1] = g_end2[lead][at - 1][1];
                    at--;
                }
                best[at] = c;
                g_end2[lead][at][0] = dset[d];
                g_end2[lead][at][1] = (uint8_t)x;
            }
    }
}

static void expand(beam_ctx *bc, const slot *sl, int next_byte, const bstate *s, int rank_i) {
    if (sl->kind == SLOT_FIXED) {
        offer(bc, s, sl->b, sl->n, 0, 0, 0);
        if (bc->orig == ORIG_UTF8 && sl->may_drop && s->ncarry > 0 && *bc->budget > 0) {
            /* inside a character where the scan found one broken: a byte may have been dropped */
            const uint8_t *set;
            int k = dropped_bytes(bc->seen, &set);
            for (int i = 0; i < k; i++) {
                if (bc->seen == SEEN_GBK && !seen_rejects(SEEN_GBK, set[i], sl->b[0])) continue;
                uint8_t b[5] = {set[i]};
                memcpy(b + 1, sl->b, sl->n);
                offer(bc, s, b, 1 + sl->n, INSERT_BITS, 1 | ASSUMED, 0);
            }
            /* or both continuation bytes of the character begun (from the best few states, the
             * commonest characters whose two bytes a GBK decoder drops one after the other) */
            if (bc->seen == SEEN_GBK && rank_i < END2_TOP && s->ncarry == 1 && s->carry[0] >= 0xE0 &&
                s->carry[0] <= 0xEF && sl->n <= 3) {
                pthread_once(&g_end2_once, build_end2);
                const uint8_t(*two)[2] = g_end2[s->carry[0] - 0xE0];
                for (int i = 0; i < END2_KEEP && two[i][0]; i++) {
                    if (!seen_rejects(SEEN_GBK, two[i][1], sl->b[0])) continue;
                    uint8_t b[6] = {two[i][0], two[i][1]};
                    memcpy(b + 2, sl->b, sl->n);
                    offer(bc, s, b, 2 + sl->n, 2 * INSERT_BITS, 2 | ASSUMED, 0);
                }
            }
        }
        return;
    }
    /* a full beam: a state whose cost alone reaches the worst kept can give nothing (costs
     * only grow), which spares most states most of their candidates */
    if (bc->nnext == BEAM && s->cost >= bc->worst_rank) return;
    int kind = sl->kind;
    if (kind == SLOT_SET) {
        /* a character the layer above lost a byte of: each it may have been (set_list listed
         * their bytes); among them may be this layer's own marker of a lost byte */
        if (*bc->budget <= 0) return;
        if (bc->nnext == BEAM && s->cost + GUESS_BITS >= bc->worst_rank) return;
        if (bc->set_two) {
            /* thousands of characters: from the best few states, those whose first byte can
             * come next */
            if (rank_i >= SET_TWO_TOP) return;
            int cont = bc->orig == ORIG_UTF8 && s->ncarry > 0;
            for (int j = 0; j < bc->nset; j++) {
                uint8_t b0 = bc->set[j].b[0];
                if (bc->orig == ORIG_UTF8 && (cont ? (b0 & 0xC0) != 0x80 : (b0 >= 0x80 && b0 < 0xC2))) continue;
                offer(bc, s, bc->set[j].b, bc->set[j].n, 2 * GUESS_BITS, bc->set[j].n, 0);
            }
            return;
        }
        for (int j = 0; j < bc->nset; j++) offer(bc, s, bc->set[j].b, bc->set[j].n, GUESS_BITS, bc->set[j].n, 0);
        if (bc->set_marker == 0xFFFD)
            kind = SLOT_FFFD;
        else if (bc->set_marker == '?')
            kind = next_byte == 256 ? SLOT_QMARK_END : SLOT_QMARK;
        else
            return;
    }
    uint8_t q = '?';
    if (*bc->budget <= 0) {
        if (kind != SLOT_FFFD) offer(bc, s, &q, 1, 0, 0, 0);
        return;
    }
    int lo, hi;
    byte_range(bc->orig, s->carry, s->ncarry, &lo, &hi);
    if (kind == SLOT_FFFD) {
        /* one byte the seen decoder rejected */
        if (bc->nnext == BEAM && s->cost + GUESS_BITS >= bc->worst_rank) return;
        if (lo < 0x80) lo = 0x80;
        for (int x = lo; x <= hi; x++) {
            uint8_t b = (uint8_t)x;
            if (bc->rejects[x]) offer(bc, s, &b, 1, GUESS_BITS, 1, next_byte < 0);
        }
        return;
    }
    /* '?': a literal question mark, or a lead byte whose trail was invalid, swallowed with it */
    offer(bc, s, &q, 1, 0, 0, 0);
    /* The gap is filled from the best state only, and after a set mark from the best of those
     * that began another character with it (和 and 在 both read 閸? twice as cp936: E5 92 and
     * E5 9C before the '?', and 在 begins cheaper though 和 stands between words); under a GBK
     * decoder the best state that opened a parenthesis the best did not is offered ')' for the
     * swallowed byte (整数(表示错误代码) read as cp936 twice lost both, and a space for '(' reads
     * cheaper until the ')' that closes it). */
    if (rank_i >= QMARK_TOP) {
        const bstate *b0 = &bc->cur[0];
        if (!bc->alt_paren && bc->nqkeep > 0 && s->pdepth > b0->pdepth && closes_own_paren(bc, s) &&
            s->ncarry == bc->qsig.ncarry && s->last == bc->qsig.last && s->last2 == bc->qsig.last2 &&
            same_bytes(s->carry, bc->qsig.carry, s->ncarry)) {
            /* the '?' may be what closes it: the lead bytes the best state ranked (its carry and
             * characters are this state's), each with ')' swallowed */
            bc->alt_paren = 1;
            for (int i = 0; i < bc->nqkeep; i++) {
                uint8_t pair[2] = {bc->qkeep[i], ')'};
                offer(bc, s, pair, 2, 2 * GUESS_BITS, 2, 0);
            }
            return;
        }
        if (bc->alt_filled || s->ncarry == 0 || (s->ncarry == b0->ncarry && same_bytes(s->carry, b0->carry, s->ncarry)))
            return;
        bc->alt_filled = 1;
    }
    if (lo < 0x80) lo = 0x80;
    if (kind == SLOT_QMARK_END || bc->seg_end) {
        /* a lead byte with nothing after it (at the end of the text, or of a damaged stretch
         * that was decoded alone: clean text follows); or a pair like any other '?' */
        for (int x = lo; x <= hi; x++) {
            uint8_t b = (uint8_t)x;
            offer(bc, s, &b, 1, GUESS_BITS, 1, 0);
        }
    }
    if (bc->seen == SEEN_BIG5 && s->ncarry > 0 && bc->orig == ORIG_UTF8) {
        uint8_t b = 0x80; /* cp950 has no 0x80: Windows shows it as '?' alone */
        offer(bc, s, &b, 1, GUESS_BITS, 1, 0);
    }
    /* Two stages: rank the lead byte x by what it makes of the character so far, keep the
     * best few, and only for those try every swallowed byte t. */
    enum { KEEP_X = QMARK_KEEP_X };
    struct {
        float rank;
        uint8_t x, pending; /* bytes of an unfinished character after x */
        uint32_t last;      /* the last character decoded with x */
    } keep[KEEP_X];
    int nkeep = 0;
    if (bc->seen == SEEN_GBK && bc->orig == ORIG_UTF8) {
        /* GBK rejects ASCII trails (below 0x40) and a few pairs it leaves unmapped: the
         * swallowed byte is ASCII, or the lead byte of the next character after a UTF-8
         * continuation byte (A2 E3: 鐢ㄤ read as cp936 again is 閻?劋), so x must be the last
         * byte of the character the carry has begun */
        if (utf8_need(s->ncarry ? s->carry[0] : 0) != s->ncarry + 1) return;
        pthread_once(&g_win_once, build_win_pairs);
        /* (such a pair is much rarer than an ASCII byte after a character, hence
         * UNMAPPED_BITS; and the lead byte must begin a character with the bytes after the '?') */
        const slot *nx = bc->next_slot;
        for (int i = 0; nx && nx->kind == SLOT_FIXED && i < g_n_win_pairs; i++) {
            uint8_t c2[8] = {g_win_pairs[i][1]}, n2 = (uint8_t)(1 + nx->n);
            uint32_t cps[8];
            memcpy(c2 + 1, nx->b, nx->n);
            if (orig_take(ORIG_UTF8, c2, &n2, cps) >= 0)
                offer(bc, s, g_win_pairs[i], 2, 2 * GUESS_BITS + UNMAPPED_BITS, 2, 0);
        }
    }
    for (int x = lo; x <= hi; x++) {
        if (x == 0x80) continue;
        uint8_t c2[8];
        uint8_t n2 = s->ncarry;
        if (n2 >= 6) break;
        (*bc->budget)--; /* ranking costs about what an offer does */
        memcpy(c2, s->carry, n2);
        c2[n2++] = (uint8_t)x;
        uint32_t cps[8];
        int k = orig_take(bc->orig, c2, &n2, cps);
        if (k < 0) continue;
        float r = 0;
        uint32_t last = s->last, last2 = s->last2;
        for (int i = 0; i < k; i++) {
            r += lfx_model_cost3(last2, last, cps[i]);
            last2 = last;
            last = cps[i];
        }
        r += heuristic_ctx(bc->orig, c2, n2, last);
        int at = -1;
        if (nkeep < KEEP_X) {
            at = nkeep++;
        } else {
            int worst = 0;
            for (int i = 1; i < nkeep; i++)
                if (keep[i].rank > keep[worst].rank) worst = i;
            if (keep[worst].rank > r) at = worst;
        }
        if (at >= 0) {
            keep[at].rank = r;
            keep[at].x = (uint8_t)x;
            keep[at].pending = n2;
            keep[at].last = last;
        }
    }
    if (rank_i == 0 && bc->seen == SEEN_GBK && s->ncarry > 0) {
        bc->qsig = *s;
        for (int i = 0; i < nkeep; i++)
            if (keep[i].pending == 0 && bc->nqkeep < (int)sizeof bc->qkeep) bc->qkeep[bc->nqkeep++] = keep[i].x;
    }
    for (int i = 0; i < nkeep; i++) {
        uint8_t x = keep[i].x;
        int tlo = 0x00, thi = 0xFF;
        if (bc->seen == SEEN_GBK) thi = 0x3F; /* GBK trails start at 0x40; 0x7F, 0xFF never text */
        if (bc->orig == ORIG_UTF8) {
            if (keep[i].pending > 0) {
                tlo = 0x80;
                if (thi > 0xBF) thi = 0xBF;
            } else if (thi > 0xF4) {
                thi = 0xF4;
            }
        }
        /* An ASCII swallowed byte is a whole character after the one x completes: rank those
         * by the model right here and offer the best few (the beam would drop the others). */
        enum { KEEP_T = QMARK_KEEP_T };
        struct { float rank; uint8_t t; } tk[KEEP_T];
        int ntk = 0;
        uint32_t xlast = keep[i].last;
        int ascii_t = thi < 0x80;
        const slot *nx = bc->next_slot;
        int next_ascii = nx ? (nx->kind == SLOT_FIXED && nx->n == 1 && nx->b[0] < 0x80 ? nx->b[0] : -1)
                            : (bc->after > 0 && bc->after < 0x80 ? (int)bc->after : -1);
        if (ascii_t && keep[i].pending != 0) continue; /* x must end a character for ASCII to follow */
        for (int t = tlo; t <= thi; t++) {
            if (!win_rejects_pair(bc->seen, x, (uint8_t)t)) continue;
            /* the swallowed byte is usually text; control characters other than CR, LF and
             * TAB are implausible */
            if (t < 0x20 && t != '\r' && t != '\n' && t != '\t') continue;
            float extra = 2 * GUESS_BITS;
            if (bracket_balances(bc, s, (uint8_t)t)) extra -= BRACKET_BITS;
            if (!ascii_t) {
                uint8_t pair[2] = {x, (uint8_t)t};
                offer(bc, s, pair, 2, extra, 2, 0);
                continue;
            }
            float r = extra + lfx_model_cost(xlast, (uint32_t)t);
            if (t == ')' && closes_own_paren(bc, s)) r -= PAREN_CLOSE_BITS;
            /* an ASCII character after it is known: rank with it (CR before LF) */
            if (next_ascii >= 0) r += lfx_model_cost3(xlast, (uint32_t)t, (uint32_t)next_ascii);
            int at = -1;
            if (ntk < KEEP_T) {
                at = ntk++;
            } else {
                int worst = 0;
                for (int i2 = 1; i2 < KEEP_T; i2++)
                    if (tk[i2].rank > tk[worst].rank) worst = i2;
                if (tk[worst].rank > r) at = worst;
            }
            if (at >= 0) {
                tk[at].rank = r;
                tk[at].t = (uint8_t)t;
            }
        }
        for (int j = 0; j < ntk; j++) {
            uint8_t pair[2] = {x, tk[j].t};
            float extra = 2 * GUESS_BITS;
            if (bracket_balances(bc, s, tk[j].t)) extra -= BRACKET_BITS;
            offer(bc, s, pair, 2, extra, 2, 0);
        }
    }
}

/* Sort the beam's states by cost plus the optimistic cost of their carry (by_rank) or by cost
 * alone, keeping the order of equals (as a merge sort would): an insertion sort, since a beam
 * holds at most BEAM states and is sorted once per slot that guesses. */
static void sort_states(bstate *st, int n, int by_rank) {
    for (int i = 1; i < n; i++) {
        bstate t = st[i];
        float key = by_rank ? t.cost + t.h : t.cost;
        int j = i;
        while (j > 0 && (by_rank ? st[j - 1].cost + st[j - 1].h : st[j - 1].cost) > key) {
            st[j] = st[j - 1];
            j--;
        }
        st[j] = t;
    }
}

/* The characters a set mark may stand for, as the seen decoder's bytes, into bc->set. */
static void set_list(beam_ctx *bc, uint32_t mark) {
    int pos = (int)((mark >> 24) & 3);
    bc->nset = 0;
    if (!bc->set && !(bc->set = malloc(4096 * sizeof *bc->set))) {
        bc->failed = 1;
        return;
    }
    bc->set_marker = 0;
    bc->set_two = (mark & LFX_SET_TWO) != 0;
    if (bc->set_two) {
        /* pos is the known byte; the other two take every value they can */
        uint8_t u[3] = {(uint8_t)(mark >> 16), (uint8_t)(mark >> 8), (uint8_t)mark};
        int p1 = pos == 0 ? 1 : 0, p2 = pos == 2 ? 1 : 2;
        for (int v1 = p1 == 0 ? 0xE0 : 0x80; v1 <= (p1 == 0 ? 0xEF : 0xBF); v1++)
            for (int v2 = 0x80; v2 <= 0xBF; v2++) {
                uint32_t cp;
                u[p1] = (uint8_t)v1;
                u[p2] = (uint8_t)v2;
                if (lfx_utf8_next(u, 3, &cp) != 3 || cp == 0xFFFD) continue;
                int m = seen_encode(bc->seen, cp, bc->set[bc->nset].b);
                if (m > 0) bc->set[bc->nset++].n = (uint8_t)m;
            }
        return;
    }
    if (pos == 3) {
        for (int t = '\t'; t <= (int)(mark & 0x7F) && bc->nset < 64; t++) {
            if (t < 0x20 && t != '\t' && t != '\n' && t != '\r') continue;
            if (t == '?' && bc->orig == ORIG_UTF8 && bc->seen != SEEN_1252) {
                bc->set_marker = '?';
                continue;
            }
            bc->set[bc->nset].b[0] = (uint8_t)t;
            bc->set[bc->nset++].n = 1;
        }
        return;
    }
    uint8_t u[3] = {(uint8_t)(mark >> 16), (uint8_t)(mark >> 8), (uint8_t)mark};
    int lo = pos == 0 ? 0xE0 : 0x80, hi = pos == 0 ? 0xEF : 0xBF;
    for (int v = lo; v <= hi; v++) {
        uint32_t cp;
        u[pos] = (uint8_t)v;
        if (lfx_utf8_next(u, 3, &cp) != 3) continue;
        if (cp == 0xFFFD && bc->seen != SEEN_1252) {
            bc->set_marker = 0xFFFD;
            continue;
        }
        int m = seen_encode(bc->seen, cp, bc->set[bc->nset].b);
        if (m > 0) bc->set[bc->nset++].n = (uint8_t)m;
    }
}

/* Reverse v->data[start..len) (the beam's history runs from the last character back). */
static void reverse_from(lfx_u32 *v, size_t start) {
    if (v->failed) return;
    for (size_t a = start, b = v->len; a + 1 < b; a++, b--) {
        uint32_t t = v->data[a];
        v->data[a] = v->data[b - 1];
        v->data[b - 1] = t;
    }
}

/* Decode slots[0..n) with the beam. prev: code point before the span (0 at start), after: the
 * one after it (0 at the end). around: the brackets the span may close and open
 * (bracket_context), and whether clean Chinese follows the ASCII text after the span
 * (clean_after_ascii: the span may end in a lone lead byte). On success appends the code points to out, returns 1 and sets
 * *cost (without the transition to after) and *guessed. mout: NULL, or where to append the
 * same code points with set marks for those with a guessed byte (a UTF-8 original). */
static int beam_decode(lfx_orig orig, lfx_seen seen, const slot *slots, size_t n, uint32_t prev2, uint32_t prev,
                       uint32_t after, const int around[5], long *budget, lfx_u32 *out, lfx_u32 *mout,
                       float *cost, uint32_t *guessed) {
    pthread_once(&g_h_once, build_h);
    beam_ctx bc;
    memset(&bc, 0, sizeof bc);
    bc.open_before = around[0];
    bc.close_after = around[1];
    bc.orig = orig;
    bc.seen = seen;
    bc.budget = budget;
    bc.after = after;
    bc.want_marks = mout != NULL && orig == ORIG_UTF8;
    rej_init(seen);
    bc.cur[0].last = prev;
    bc.cur[0].last2 = prev2;
    bc.cur[0].hist = -1;
    bc.cur[0].asked = (uint8_t)around[4];
    bc.ncur = 1;
    int finished = 0;
    for (size_t i = 0; i < n && !bc.failed; i++) {
        bc.nnext = 0;
        int next_byte;
        if (i + 1 < n)
            next_byte = slots[i + 1].kind == SLOT_FIXED ? slots[i + 1].b[0] : -1;
        else
            next_byte = after == 0 ? 256 : after < 0x80 ? (int)after : -1;
        if (slots[i].kind != SLOT_FIXED || slots[i].may_drop) /* (expand takes the best few first) */
            sort_states(bc.cur, bc.ncur, 1);
        if (slots[i].kind == SLOT_SET) {
            set_list(&bc, slots[i].mark);
            if (bc.failed) break;
        }
        if (slots[i].kind == SLOT_FFFD || slots[i].kind == SLOT_SET) /* expand guesses bytes from 0x80 up only */
            for (int x = 0x80; x < 256; x++) bc.rejects[x] = (uint8_t)(next_byte < 0 || seen_rejects(seen, (uint8_t)x, next_byte));
        bc.seg_end = i + 1 == n && (after >= 0x80 || around[2]);
        bc.next_slot = i + 1 < n ? &slots[i + 1] : NULL;
        bc.alt_filled = !(i > 0 && slots[i - 1].kind == SLOT_SET); /* (carries differ by a set mark's guess) */
        bc.alt_paren = 0;
        bc.nqkeep = 0;
        for (int k = 0; k < bc.ncur; k++) expand(&bc, &slots[i], next_byte, &bc.cur[k], k);
        if (bc.nnext == 0) break;
        memcpy(bc.cur, bc.next, sizeof(bstate) * (size_t)bc.nnext);
        bc.ncur = bc.nnext;

        if (i + 1 == n) finished = 1;
    }
    int ok = 0;
    if (!bc.failed && finished && orig == ORIG_UTF8) {
        /* a character left unfinished at the end of the span may have lost its last byte */
        const uint8_t *set;
        int k = dropped_bytes(seen, &set);
        uint8_t any[64];
        if (seen == SEEN_GBK) {
            for (int i = 0; i < 64; i++) any[i] = (uint8_t)(0x80 + i);
            set = any;
            k = 64;
        }
        bc.nnext = 0;
        sort_states(bc.cur, bc.ncur, 1);
        for (int j = 0; j < bc.ncur; j++) {
            if (bc.cur[j].ncarry == 0) {
                offer(&bc, &bc.cur[j], NULL, 0, 0, 0, 0);
                continue;
            }
            /* (only where one byte finishes the character: the span ends here) */
            if (utf8_need(bc.cur[j].carry[0]) == bc.cur[j].ncarry + 1)
                for (int i = 0; i < k; i++) offer(&bc, &bc.cur[j], &set[i], 1, INSERT_BITS, 1 | ASSUMED, 0);
            /* or its last two, from the best few states: a GBK decoder that drops what it
             * cannot decode drops a lone byte at the end, and 0x80 (or a byte of a user-defined
             * pair) before it (状态 E6 80 81 read so is 鐘舵); the commonest characters they
             * can make */
            if (seen != SEEN_GBK || j >= END2_TOP || bc.cur[j].ncarry != 1 || bc.cur[j].carry[0] < 0xE0 ||
                bc.cur[j].carry[0] > 0xEF)
                continue;
            pthread_once(&g_end2_once, build_end2);
            const uint8_t(*two)[2] = g_end2[bc.cur[j].carry[0] - 0xE0];
            for (int i = 0; i < END2_KEEP && two[i][0]; i++)
                offer(&bc, &bc.cur[j], two[i], 2, 2 * INSERT_BITS, 2 | ASSUMED, 0);
        }
        memcpy(bc.cur, bc.next, sizeof(bstate) * (size_t)bc.nnext);
        bc.ncur = bc.nnext;
    }
    if (!bc.failed && finished) {
        int m = bc.ncur;
        uint32_t end = after ? after : '\n';
        for (int k = 0; k < m; k++) {
            bc.cur[k].cost += lfx_model_cost3(bc.cur[k].last2, bc.cur[k].last, end);
            /* a file whose lines end in CR LF: an LF alone is a CR the damage took */
            if (around[3] && end == '\n' && bc.cur[k].last != '\r') bc.cur[k].cost += CRLF_BITS;
            /* and an opening one that nothing closes */
            if (bc.cur[k].depth > bc.close_after)
                bc.cur[k].cost += BRACKET_BITS * (float)(bc.cur[k].depth - bc.close_after);
        }
        sort_states(bc.cur, m, 0);
        for (int k = 0; k < m; k++) {
            if (bc.cur[k].ncarry != 0) continue;
            size_t start = out->len, mstart = mout ? mout->len : 0;
            for (int32_t h = bc.cur[k].hist; h >= 0; h = bc.arena[h].parent) {
                lfx_u32_push(out, bc.arena[h].cp);
                if (mout) lfx_u32_push(mout, bc.arena[h].mark ? bc.arena[h].mark : bc.arena[h].cp);
            }
            reverse_from(out, start);
            if (mout) {
                reverse_from(mout, mstart);
                if (mout->failed) out->failed = 1;
            }
            *cost = bc.cur[k].cost - lfx_model_cost3(bc.cur[k].last2, bc.cur[k].last, end);
            *guessed = bc.cur[k].guessed;
            ok = !out->failed;
            break;
        }
    }
    free(bc.arena);
    free(bc.set);
    return ok;
}

/* ---- spans ------------------------------------------------------------------------------ */

/* Byte classes (for scan_span and lfx_latin_fit): UTF-8 continuation, UTF-8 lead (length - 1 in bits 1-2),
 * double-byte lead, GBK trail, Big5 trail. */
enum { FB_CONT = 1, FB_LEADLEN = 6, FB_DLEAD = 8, FB_GTRAIL = 16, FB_BTRAIL = 32 };
static uint8_t fb_class(uint8_t x) {
    uint8_t k = 0;
    if ((x & 0xC0) == 0x80) k |= FB_CONT;
    if (x >= 0xC2 && x <= 0xF4) k |= (uint8_t)((x < 0xE0 ? 1 : x < 0xF0 ? 2 : 3) << 1);
    if (x >= 0x81 && x <= 0xFE) k |= FB_DLEAD;
    if (x >= 0x40 && x != 0x7F && x != 0xFF) k |= FB_GTRAIL;
    if ((x >= 0x40 && x <= 0x7E) || (x >= 0xA1 && x <= 0xFE)) k |= FB_BTRAIL;
    return k;
}

/* Does byte class k continue a character of o (a trail byte)? How many more bytes does it ask
 * for as the first byte of one (0: it cannot start one)? */
static inline int fb_trail_fits(lfx_orig o, uint8_t k) {
    return o == ORIG_UTF8 ? (k & FB_CONT) != 0 : o == ORIG_GBK ? (k & FB_GTRAIL) != 0 : (k & FB_BTRAIL) != 0;
}
static inline int fb_lead_need(lfx_orig o, uint8_t k) {
    return o == ORIG_UTF8 ? (k & FB_LEADLEN) >> 1 : (k & FB_DLEAD) ? 1 : 0;
}

/* Quick lossless scan: from slot i, how far does decoding stay valid? Markers count as valid
 * wherever they stand. Returns the end slot (exclusive) of the longest prefix that ends with
 * the decoder between characters, or i when none. */
/* insertions: 0, or N for at most one assumed dropped byte per N slots. */
/* The code points decoded on the way go to dec; *ndec_best is how many the returned prefix
 * holds when it decoded as it stands (no marker, no byte assumed dropped), else 0. */
static size_t scan_span(lfx_orig orig, int insertions, slot *slots, size_t i, size_t n, lfx_u32 *dec,
                        size_t *ndec_best) {
    uint8_t carry[8];
    uint8_t nc = 0;
    size_t best = i;
    dec->len = 0;
    *ndec_best = 0;
    int resync = 0; /* bytes after a marker may finish the character the marker began */
    size_t inserted = 0;
    /* A double-byte original: the marker may stand for a lead byte whose trail is the first
     * byte after it, which puts the pairs after it out of step with how they were read (Big5's
     * 的 AA BA read as GBK: AA rejected, then BA AD, C8 A6 ...). That reading is followed
     * beside the other (alt: 0 off, 1 the trail is still to come, 2 on with acarry). */
    int alt = 0;
    uint8_t acarry[8], anc = 0;
    for (size_t j = i; j < n; j++) {
        if (slots[j].kind != SLOT_FIXED) {
            nc = 0;
            resync = 1;
            best = j + 1;
            *ndec_best = 0;
            if (orig != ORIG_UTF8) {
                alt = 1;
                anc = 0;
            }
            continue;
        }
        if (alt) {
            const uint8_t *ab = slots[j].b;
            uint8_t am = slots[j].n;
            if (alt == 1) {
                if (!fb_trail_fits(orig, fb_class(ab[0]))) {
                    alt = 0;
                } else {
                    ab++;
                    am--;
                    alt = 2;
                }
            }
            if (alt == 2 && anc + am > 6) alt = 0;
            if (alt == 2) {
                uint32_t acps[8];
                memcpy(acarry + anc, ab, am);
                anc = (uint8_t)(anc + am);
                if (orig_take(orig, acarry, &anc, acps) < 0) alt = 0;
            }
        }
        const uint8_t *b = slots[j].b;
        uint8_t m = slots[j].n;
        if (resync) {
            /* drop what can only be the tail of the unknown character, across slots */
            while (orig == ORIG_UTF8 && m > 0 && resync <= 3 && (b[0] & 0xC0) == 0x80) {
                b++;
                m--;
                resync++;
            }
            if (m == 0 && resync <= 3) {
                best = j + 1;
                *ndec_best = 0;
                continue;
            }
            resync = 0;
        }
        if (nc + m > 6) return best;
        uint8_t saved[8], nsaved = nc;
        memcpy(saved, carry, nc);
        memcpy(carry + nc, b, m);
        nc = (uint8_t)(nc + m);
        uint32_t cps[8];
        int k = orig_take(orig, carry, &nc, cps);
        if (k < 0 && insertions && orig == ORIG_UTF8 && nsaved > 0 &&
            ++inserted * (size_t)insertions <= (j - i) + (size_t)insertions) {
            /* a dropped continuation byte before this slot's bytes (even a continuation byte
             * of its own: E8 [A1] 8C shows only at the byte after 8C): assume one and go on (a
             * few per span at most: text that needs many is not this damage) */
            memcpy(carry, saved, nsaved);
            carry[nsaved] = 0x80;
            memcpy(carry + nsaved + 1, b, m);
            nc = (uint8_t)(nsaved + 1 + m);
            k = orig_take(orig, carry, &nc, cps);
            if (k < 0 && nsaved == 1 && saved[0] >= 0xE0 && saved[0] <= 0xEF && nsaved + 2 + m <= 6) {
                /* or both continuation bytes of a three-byte character (议 E8 AE AE read as GBK
                 * keeps E8 with the byte before it and drops AE, then AE again) */
                carry[1] = 0x80;
                carry[2] = 0x80;
                memcpy(carry + 3, b, m);
                nc = (uint8_t)(3 + m);
                k = orig_take(orig, carry, &nc, cps);
            }
            /* the byte went missing inside the character that began up to three slots back */
            for (size_t q = j > i + 3 ? j - 3 : i; q <= j; q++) slots[q].may_drop = 1;
        }
        if (k < 0 && alt == 2) {
            /* out of step it is */
            memcpy(carry, acarry, anc);
            nc = anc;
            alt = 0;
            if (nc == 0) best = j + 1;
            continue;
        }
        if (k < 0) {
            if (orig != ORIG_UTF8 && j > i && slots[j - 1].kind != SLOT_FIXED) {
                /* a double-byte original: the marker may have eaten a lead byte; retry */
                nc = 0;
                continue;
            }
            return best;
        }
        if (alt == 2 && anc == 0) best = j + 1;
        for (int q = 0; q < k; q++) lfx_u32_push(dec, cps[q]);
        if (nc == 0) {
            best = j + 1;
            /* the decoded prefix stands for the span only if no byte was assumed in it */
            *ndec_best = inserted ? 0 : dec->len;
        } else if (insertions && orig == ORIG_UTF8) {
            best = j + 1;
            *ndec_best = 0;
            slots[j].may_drop = 1; /* if the span ends here, its last character lost a byte */
        }
    }
    return best;
}

#define FIT_SAMPLE 4096 /* code points looked at by lfx_layer_fit */

double lfx_layer_fit(const lfx_layer *L, const uint32_t *in, size_t n) {
    pthread_once(&g_h_once, build_h);
    if (n > FIT_SAMPLE) n = FIT_SAMPLE; /* an ordering needs no more */
    size_t good = 0, all = 0;
    int need = 0, after_lost = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = in[i];
        if (c < 0x80 && need == 0) {
            after_lost = 0;
            continue;
        }
        all++;
        if (c == 0xFFFD || (c == '?' && is_marker(L, c))) { /* a lost byte fits anything */
            need = 0;
            good++;
            after_lost = 1;
            continue;
        }
        uint8_t b[4];
        int m = c < 0x80 ? (b[0] = (uint8_t)c, 1) : seen_encode(L->seen, c, b);
        int ok = m > 0;
        /* the bytes lost may have begun the character these continue (UTF-8 read as Big5
         * loses lead bytes, and the decoder picks up at the bytes after them) */
        if (after_lost && m > 0 && need == 0 && b[0] >= 0x80 && fb_trail_fits(L->orig, g_fb_class[b[0]]))
            need = L->orig == ORIG_UTF8 ? 1 + (m > 1 && fb_trail_fits(L->orig, g_fb_class[b[1]])) : 1;
        after_lost = 0;
        for (int j = 0; j < m && ok; j++) {
            uint8_t x = b[j], k = g_fb_class[x];
            if (need) {
                ok = fb_trail_fits(L->orig, k);
                need = ok ? need - 1 : 0;
                continue;
            }
            if (x < 0x80) continue;
            need = fb_lead_need(L->orig, k);
            ok = need > 0;
        }
        if (!ok) need = 0;
        good += (size_t)ok;
    }
    return all ? (double)good / (double)all : 0.0;
}

void lfx_latin_fit(const uint32_t *in, size_t n, double fit[3]) {
    pthread_once(&g_h_once, build_h);
    const uint8_t *cls = g_fb_class;
    size_t good[3] = {0, 0, 0}, all = 0;
    int need[3] = {0, 0, 0}; /* bytes still owed to the character begun, per original */
    for (size_t i = 0; i < n; i++) {
        uint32_t c = in[i];
        if (c < 0x80 && (need[0] | need[1] | need[2]) == 0) continue;
        uint8_t b[4];
        int m = c < 0x100 ? (b[0] = (uint8_t)c, 1) : seen_encode(SEEN_1252, c, b);
        if (m == 0) {
            all++;
            need[0] = need[1] = need[2] = 0;
            continue;
        }
        all += (size_t)m;
        for (int j = 0; j < m; j++) {
            uint8_t x = b[j], k = cls[x];
            for (int o = 0; o < 3; o++) {
                if (need[o] && fb_trail_fits((lfx_orig)o, k)) {
                    need[o]--, good[o]++;
                } else {
                    need[o] = x < 0x80 ? 0 : fb_lead_need((lfx_orig)o, k);
                    good[o] += x < 0x80 || need[o] > 0;
                }
            }
        }
    }
    for (int o = 0; o < 3; o++) fit[o] = all ? (double)good[o] / (double)all : 0.0;
}

/* Evidence needed to replace a span, in bits: a + b * (cost of the span as it stands). */
#define MARGIN_A 10.0f
#define MARGIN_B 0.10f
#define MARGIN_WEAK_A 3.0f
#define MARGIN_WEAK_B 0.04f

/* A span with no markers usually decodes as it is (the scan did it): its model cost in the
 * context of the text before it. */
static float decoded_cost(const uint32_t *cps, size_t n, uint32_t prev2, uint32_t prev) {
    return lfx_model_sum(cps, n, prev2, prev);
}


/* What plausible_decode makes of a decoded span. */
enum {
    DECODE_NO,                /* no plausible reading */
    DECODE_OK,                /* plausible */
    DECODE_TRADITIONAL,       /* plausible, and Big5 holding characters beyond GB2312 */
    DECODE_BESIDE_TRADITIONAL /* Big5 giving GB2312 characters only: plausible only beside a
                               * Traditional span of the same text (clean text reads so too) */
};

/* Emoji and what goes with them (the pictographs, dingbats and symbols, the variation selector
 * and the joiner of their sequences): Chinese messages hold them, and no legacy code page
 * does, so a decoding into them is no less text for that (收到😊 read as GBK: 鏀跺埌馃槉). */
static int is_emoji(uint32_t c) {
    return (c >= 0x1F000 && c <= 0x1FAFF) || (c >= 0x2600 && c <= 0x27BF) || c == 0xFE0F || c == 0x200D;
}

/* Could a decoded span be what someone wrote? Big5 decodes to Traditional text. Han text
 * (mojibake included) decodes to Chinese:
 * from GBK or Big5, Han and punctuation only; from UTF-8, anything GBK, Big5 or Latin-1 can
 * hold (the decoded span may itself be mojibake of another layer, which is full of GBK's kana,
 * Greek and box-drawing rows), but not Syriac, Coptic or the like. Elsewhere a few kana, Hangul
 * or box-drawing characters among Han are what a wrong decoding makes (real Japanese or Korean
 * is mostly kana or Hangul, a drawn tree mostly box drawing). */
static int plausible_decode(lfx_orig o, const uint32_t *orig, size_t no, const uint32_t *cp, size_t n) {
    int orig_han = 1, lost = 0;
    for (size_t i = 0; i < no; i++) lost |= orig[i] == 0xFFFD || lfx_is_set_mark(orig[i]);
    for (size_t i = 0; i < no && orig_han; i++)
        if (orig[i] >= 0x80 && !is_han(orig[i]) && !is_cjk_punct(orig[i]) && orig[i] != 0xFFFD) orig_han = 0;
    size_t han = 0, kana = 0, hangul = 0, box = 0, wide = 0, beyond_gb2312 = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = cp[i];
        if (c < 0x80) continue;
        wide++;
        if (is_han(c)) {
            uint8_t gb[4];
            han++;
            if (o == ORIG_BIG5 && !(lfx_encode_cp(LFX_GBK, c, gb) == 2 && gb[0] >= 0xB0 && gb[1] >= 0xA1))
                beyond_gb2312++;
        } else if (c >= 0x3040 && c <= 0x30FF) {
            kana++;
        } else if ((c >= 0xAC00 && c <= 0xD7A3) || (c >= 0x1100 && c <= 0x11FF) || (c >= 0x3130 && c <= 0x318F)) {
            hangul++;
        } else if (c >= 0x2500 && c <= 0x259F) {
            box++;
        } else if (orig_han && !is_cjk_punct(c) && c != 0xFFFD && !is_emoji(c)) {
            uint8_t b[4];
            if (o != ORIG_UTF8) return DECODE_NO;
            if (!(c <= 0xFF || lfx_encode_cp(LFX_CP936WIN, c, b) || lfx_encode_cp(LFX_BIG5, c, b))) return DECODE_NO;
        }
    }
    if (orig_han && o != ORIG_UTF8 && (kana || hangul || box)) return DECODE_NO;
    /* a Big5 page is Traditional: what decodes into GB2312 characters only is no sure reading
     * (the caller takes it only beside one that is Traditional), unless the span held a lost
     * byte (a U+FFFD is no part of clean text) or half of it was bopomofo (ㄏノ is 使用 read as
     * GBK; Simplified text has none. Kana would do too, but UTF-8 read as GBK twice holds kana,
     * and its spans then read as Big5: measured, CER of that kind 28 -> 34%) */
    int gb2312_only = o == ORIG_BIG5 && han && !beyond_gb2312 && !lost;
    if (gb2312_only) {
        size_t orig_wide = 0, orig_bopo = 0;
        for (size_t i = 0; i < no; i++)
            if (orig[i] >= 0x80) {
                orig_wide++;
                orig_bopo += orig[i] >= 0x3100 && orig[i] <= 0x312F;
            }
        gb2312_only = 2 * orig_bopo < orig_wide;
    }
    if (o == ORIG_UTF8) return DECODE_OK;
    if (kana && kana * 3 < kana + han) return DECODE_NO;
    if (hangul && hangul * 3 < hangul + han) return DECODE_NO;
    if (box && box * 2 < wide) return DECODE_NO;
    return gb2312_only ? DECODE_BESIDE_TRADITIONAL : beyond_gb2312 ? DECODE_TRADITIONAL : DECODE_OK;
}


/* Where a double-byte original's lead byte was lost (U+FFFD) and its trail byte kept as ASCII,
 * the pair may have been a bracket (Big5 （ A1 5D read as GBK shows as U+FFFD ']'):
 * g_lost_bracket[orig][seen][t] is 1 if a lead byte the seen decoder rejects before trail t
 * makes an opening bracket with it, 2 a closing one. */
static uint8_t g_lost_bracket[3][5][128];
static pthread_once_t g_lost_bracket_once = PTHREAD_ONCE_INIT;
static void build_lost_bracket(void) {
    static const uint32_t brackets[] = {'(', ')', 0xFF08, 0xFF09, 0x300A, 0x300B};
    for (int o = ORIG_GBK; o <= ORIG_BIG5; o++)
        for (size_t i = 0; i < sizeof brackets / sizeof *brackets; i++) {
            uint8_t b[4];
            if (lfx_encode_cp(o == ORIG_GBK ? LFX_GBK : LFX_BIG5, brackets[i], b) != 2 || b[1] < 0x40 || b[1] > 0x7E)
                continue;
            for (int sn = SEEN_GBK; sn <= SEEN_EUCKR; sn++) {
                uint32_t sc;
                if (lfx_decode_cp(seen_codec((lfx_seen)sn), b, 2, &sc) == LFX_BAD)
                    g_lost_bracket[o][sn][b[1]] |= (uint8_t)(is_open(brackets[i]) ? 1 : 2);
            }
        }
}

/* Is in[k] an opening bracket (want 1) or closing one (want 2), or, under a double-byte
 * original, the kept trail byte of a lost one? */
static inline int bracket_at(const lfx_layer *L, const uint32_t *in, size_t k, int want) {
    uint32_t c = in[k];
    if (c >= 0x80) return c >= 0x300A && (want == 1 ? is_open(c) : is_close(c));
    if (c == '(' || c == ')') return want == 1 ? c == '(' : c == ')';
    return L->orig != ORIG_UTF8 && k > 0 && in[k - 1] == 0xFFFD && (g_lost_bracket[L->orig][L->seen][c] & want);
}

/* How many unmatched opening brackets are on the line before [a, b), and how many unmatched
 * closing ones after it, with no other '?' (another place a bracket could have been lost) in
 * between? Those that pair with each other across the span cancel: out[0] is what the span may
 * close, out[1] what it may open. Looks at most 256 code points each way. */
/* Does the clause in[pos] is part of hold a question word before it? One pass over the text
 * the first time it is asked, a bit per position into *bits (freed by the caller). */
static int asked_before(const uint32_t *in, size_t n, size_t pos, uint8_t **bits, uint8_t *small, size_t nsmall) {
    if (!*bits) {
        uint8_t *b = n / 8 + 1 <= nsmall ? memset(small, 0, nsmall) : calloc(n / 8 + 1, 1);
        if (!b) return 0; /* (a guess about a mark, not a repair: without memory, none) */
        int asked = 0;
        for (size_t k = 0; k < n; k++) {
            if (asked) b[k >> 3] |= (uint8_t)(1u << (k & 7));
            if (ends_clause(in[k]))
                asked = 0;
            else if (is_question_word(in[k]))
                asked = 1;
        }
        *bits = b;
    }
    return pos < n ? (*bits)[pos >> 3] >> (pos & 7) & 1 : 0;
}

static void bracket_context(const lfx_layer *L, const uint32_t *in, size_t n, size_t a, size_t b, int out[2]) {
    int depth = 0, opens = 0, closes = 0;
    size_t lo = a > 256 ? a - 256 : 0;
    pthread_once(&g_lost_bracket_once, build_lost_bracket);
    for (size_t k = a; k > lo && in[k - 1] != '\n' && in[k - 1] != '?'; k--) {
        if (bracket_at(L, in, k - 1, 2)) depth++;
        if (bracket_at(L, in, k - 1, 1)) {
            if (depth == 0)
                opens++;
            else
                depth--;
        }
    }
    depth = 0;
    for (size_t k = b; k < n && k < b + 256 && in[k] != '\n' && in[k] != '?'; k++) {
        if (bracket_at(L, in, k, 1)) depth++;
        if (bracket_at(L, in, k, 2)) {
            if (depth == 0)
                closes++;
            else
                depth--;
        }
    }
    out[0] = opens > closes ? opens - closes : 0;
    out[1] = closes > opens ? closes - opens : 0;
    if (out[0] > 99) out[0] = 99;
    if (out[1] > 99) out[1] = 99;
}

/* The cost of what follows a span (after; 0: the end of the text) given its decoded form
 * p[start..end) (not empty) and the code point before the span. */
static float pool_end_cost(const lfx_u32 *p, size_t start, size_t end, uint32_t prev, uint32_t after) {
    uint32_t last2 = end - start >= 2 ? p->data[end - 2] : prev;
    return lfx_model_cost3(last2, p->data[end - 1], after ? after : '\n');
}

static int is_ascii_run_breaker(uint32_t cp) { return cp < 0x80 && cp != '?'; }

#define MARKER_BITS 5.0f /* a marker in the damaged text: less than any character filled in for it,
                          * so evidence for a layer comes from the characters that survived */
#define FFFD_BITS 11.0f /* U+FFFD: a byte known lost, which clean text does not hold; dearer than
                         * '?', which it does */
#define SET_BITS 24.0f /* a set mark: never text; any character it may stand for is cheaper */
#define CHEAP_BITS_PER_CP 11.0f
#define LOST_TRAILS_MAX 8 /* longest span of lost characters but for ASCII trail bytes */
/* Are in[0..n) characters of GB2312's first level (the 3,755 common ones: clean text as it
 * stands, where ASCII follows and gives no character to judge by)? */
static int level1_run(const uint32_t *in, size_t n) {
    for (size_t k = 0; k < n; k++) {
        uint8_t b[4];
        if (!is_han(in[k]) || lfx_encode_cp(LFX_GBK, in[k], b) != 2 || b[0] < 0xB0 || b[0] > 0xD7) return 0;
    }
    return n > 0;
}

/* Under a double-byte original, does slots[a..b) (in: the code points they were made of) hold a
 * U+FFFD, a wide character and an ASCII trail byte in a row? A lost lead byte knocked the pairs
 * after it out of step into common characters with its trail byte between (個字符 is ? 应 r 才):
 * cheap as they are, they are no clean text. */
static int knocked_out_of_step(const slot *slots, const uint32_t *in, size_t a, size_t b) {
    for (size_t k = a; k + 2 < b; k++)
        if (slots[k].kind == SLOT_FFFD && slots[k + 1].kind == SLOT_FIXED && in[k + 1] >= 0x80 &&
            slots[k + 2].kind == SLOT_FIXED && in[k + 2] >= 0x40 && in[k + 2] <= 0x7E)
            return 1;
    return 0;
}

/* Does clean text follow the ASCII text at in[pos] (a damaged stretch that ended there: a
 * field garbled alone)? The first non-ASCII character on the line after it is a common Han; or
 * there is none, and the ASCII text begins with a space (a Chinese field in an English line:
 * read with the line, its lone lead byte would have swallowed the space). */
static int clean_after_ascii(const uint32_t *in, size_t n, size_t pos) {
    if (pos >= n || in[pos] >= 0x80 || in[pos] == '?') return 0;
    for (size_t k = pos; k < n && k < pos + 64; k++) {
        uint32_t c = in[k];
        if (c == '\n' || c == '?') return c == '\n' && in[pos] == ' ' && k > pos + 1;
        if (c >= 0x80) return is_han(c) && lfx_model_unigram(c) < CHEAP_BITS_PER_CP;
    }
    return in[pos] == ' ';
}

#define INS_EVERY 2 /* at most one assumed dropped byte per so many slots: a decoder that drops
                     * what it cannot decode drops one byte in 9 slots of UTF-8 Chinese read as
                     * GBK on average (measured), but in bursts (在第 E5 9C A8 E7 AC AC loses both
                     * AC); text that needs more than one in two is not this damage */
#define SHORT_TAIL 3 /* slots after a span's last marker that may be clean text it ran into */

/* Does slot sl decode on its own, with nothing left over, to the one character cp? */
static int slot_decodes_to(lfx_orig o, const slot *sl, uint32_t cp) {
    uint8_t c[8];
    uint8_t nc = sl->n;
    uint32_t out[8];
    if (nc == 0 || nc > 6) return 0;
    memcpy(c, sl->b, nc);
    return orig_take(o, c, &nc, out) == 1 && nc == 0 && out[0] == cp;
}

/* A span decoded (dec: its ndec characters, mirror: the same with set marks, or NULL) may have
 * run into the clean text beside the damage: the bytes of a clean character can decode on their
 * own too (应 after mojibake is GBK D3 A6, which UTF-8 reads as Ӧ; 也 before it D2 B2, Ҳ).
 * While the span's last slot decodes alone to its last character, and the character as it
 * stands reads better there (with the decoded text before it and the text after), the slot is
 * left out; likewise the first. in[0..n) is the run's text from where its slots start, r0
 * that start in the text. Returns how many slots were left out. */
static size_t trim_span_edges(lfx_orig o, const slot *slots, const uint32_t *in, size_t r0, size_t n, size_t *a,
                              size_t *b, uint32_t *dec, size_t *ndec, uint32_t *mirror) {
    size_t cut = 0, fixed = 0;
    for (size_t k = *a; k < *b; k++) fixed += slots[k].kind == SLOT_FIXED;
    /* A double-byte original (GBK read as Big5) is more cautious, as its characters are
     * common ones: what is left keeps two characters that survived (a span of guesses alone
     * shows no layer), the character left out is a common one (under CHEAP_BITS_PER_CP), and
     * Han text lies beyond it (at a text's start or end the span is the whole damage). */
    while (*b - *a >= 2 && *ndec >= 2 && (o == ORIG_UTF8 || fixed > 2) && slots[*b - 1].kind == SLOT_FIXED &&
           slot_decodes_to(o, &slots[*b - 1], dec[*ndec - 1])) {
        uint32_t was = in[*b - 1], now = dec[*ndec - 1];
        uint32_t p1 = dec[*ndec - 2];
        uint32_t p2 = *ndec >= 3 ? dec[*ndec - 3] : (*a > 0 ? in[*a - 1] : r0 > 0 ? in[-1] : 0);
        uint32_t nx = *b < n ? in[*b] : 0;
        if (o != ORIG_UTF8 && (!is_han(nx) || lfx_model_unigram(was) >= CHEAP_BITS_PER_CP)) break;
        float c_was = lfx_model_cost3(p2, p1, was) + (nx ? lfx_model_cost3(p1, was, nx) : 0.0f);
        float c_now = lfx_model_cost3(p2, p1, now) + (nx ? lfx_model_cost3(p1, now, nx) : 0.0f);
        if (c_was >= c_now) break;
        (*b)--;
        (*ndec)--;
        cut++;
        fixed--;
    }
    while (*b - *a >= 2 && *ndec >= 2 && (o == ORIG_UTF8 || fixed > 2) && slots[*a].kind == SLOT_FIXED &&
           slot_decodes_to(o, &slots[*a], dec[0])) {
        uint32_t was = in[*a], now = dec[0], nx = dec[1];
        uint32_t p1 = *a > 0 ? in[*a - 1] : r0 > 0 ? in[-1] : 0;
        uint32_t p2 = *a > 1 ? in[*a - 2] : 0;
        if (o != ORIG_UTF8 && (!is_han(p1) || lfx_model_unigram(was) >= CHEAP_BITS_PER_CP)) break;
        float c_was = lfx_model_cost3(p2, p1, was) + lfx_model_cost3(p1, was, nx);
        float c_now = lfx_model_cost3(p2, p1, now) + lfx_model_cost3(p1, now, nx);
        if (c_was >= c_now) break;
        (*a)++;
        memmove(dec, dec + 1, (*ndec - 1) * sizeof *dec);
        if (mirror) memmove(mirror, mirror + 1, (*ndec - 1) * sizeof *mirror);
        (*ndec)--;
        cut++;
        fixed--;
    }
    return cut;
}

/* The layers whose spans trim_span_edges trims: UTF-8 read as a double-byte code page, and GBK
 * read as Big5 (Simplified text around a word read as Big5 decodes to Simplified characters
 * too; text read as GBK from Big5 is Traditional, judged by a model of Simplified text). The
 * beam's spans only for UTF-8: a double-byte original's lost bytes are left to the beam. */
static int trims_edges(const lfx_layer *L) {
    return L->orig == ORIG_UTF8 || (L->orig == ORIG_GBK && L->seen == SEEN_BIG5);
}

/* The cost of slots [a, b) of a run starting at in[r0] as they stand, in the context of the
 * text (cost_in), with the character after them (a marker costs what it stands for). */
static float span_cost_as_is(const slot *slots, const float *cost_in, const uint32_t *in, size_t n, size_t r0,
                             size_t a, size_t b) {
    float c = 0;
    for (size_t k = a; k < b; k++)
        c += slots[k].kind == SLOT_FIXED  ? cost_in[r0 + k]
             : slots[k].kind == SLOT_FFFD ? FFFD_BITS
             : slots[k].kind == SLOT_SET  ? SET_BITS
                                          : MARKER_BITS;
    uint32_t after = r0 + b < n ? in[r0 + b] : 0;
    return c + lfx_model_cost3(r0 + b > 1 ? in[r0 + b - 2] : 0, r0 + b > 0 ? in[r0 + b - 1] : 0, after ? after : '\n');
}

typedef struct cspan {
    size_t start, end;      /* in the input */
    size_t dstart, dlen;    /* in the pool of decoded code points */
    float gain;
    uint32_t guessed;
    int strong;
    int above_latin1;
    int traditional; /* a Big5 reading that holds characters beyond GB2312 */
    int unless_alone; /* a Big5 reading of GB2312 characters only: taken only beside one that is
                       * Traditional (the same damage), never alone (clean text that reads so) */
    int emitted;      /* replaced in the output */
    int marks_only;   /* too weak to replace, but its guesses go to the marked text (see below) */
} cspan;

/* Does in[a..b) hold a code point above Latin-1 (cp1252's specials: the step is named so)? */
static int above_latin1(const uint32_t *in, size_t a, size_t b) {
    for (size_t k = a; k < b; k++)
        if (in[k] > 0xFF) return 1;
    return 0;
}

/* Move the last of spans[0..n), added out of turn, to its place in the order of the text. */
static void span_to_text_order(cspan *spans, size_t n) {
    for (size_t k = n - 1; k > 0 && spans[k - 1].start > spans[k].start; k--) {
        cspan t = spans[k];
        spans[k] = spans[k - 1];
        spans[k - 1] = t;
    }
}

/* A new, cleared span at the end of *spans (grown as needed), or NULL out of memory. */
static cspan *span_new(cspan **spans, size_t *n, size_t *cap) {
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 16;
        cspan *p = realloc(*spans, c * sizeof *p);
        if (!p) return NULL;
        *spans = p;
        *cap = c;
    }
    cspan *cs = &(*spans)[(*n)++];
    memset(cs, 0, sizeof *cs);
    return cs;
}

/* A character lost whole (three U+FFFD under a UTF-8 original) between two known characters:
 * the beam ranks its first bytes by the character before it alone and may have dropped the
 * right one before the character after it showed (在需要 read as cp949 loses 需 whole; 在所 is
 * a pair, 在需 none, and 需要 a word). In the beam's decoding pool[d0..) of slots[0..ns), each
 * such character is tried again against those that make a known pair with either neighbour and
 * whose bytes the decoder would have rejected so; the cheapest stands. Returns the change in
 * the decoding's cost (<= 0). */
static float refine_lost_chars(const lfx_layer *L, const slot *slots, size_t ns, lfx_u32 *pool, lfx_u32 *mp,
                               size_t d0, uint32_t prev2, uint32_t prev, uint32_t after, long *budget) {
    if (L->orig != ORIG_UTF8) return 0;
    float delta = 0;
    size_t nout = pool->len - d0;
    /* byte offsets: of each slot, and of each decoded character (no slot of unsure length) */
    size_t sb = 0, cb = 0, ci = 0;
    for (size_t k = 0; k < ns; k++) {
        if (slots[k].may_drop || (slots[k].kind != SLOT_FIXED && slots[k].kind != SLOT_FFFD)) return 0;
    }
    for (size_t k = 0; k < ns; k++) {
        int run = slots[k].kind == SLOT_FFFD && k + 2 < ns && slots[k + 1].kind == SLOT_FFFD &&
                  slots[k + 2].kind == SLOT_FFFD && (k == 0 || slots[k - 1].kind != SLOT_FFFD) &&
                  (k + 3 == ns || slots[k + 3].kind != SLOT_FFFD);
        if (run) {
            /* the decoded character that starts at this byte */
            while (ci < nout && cb < sb) {
                uint8_t u[4];
                cb += (size_t)lfx_utf8_put(u, pool->data[d0 + ci]);
                ci++;
            }
            uint8_t u[4];
            if (ci < nout && cb == sb && lfx_utf8_put(u, pool->data[d0 + ci]) == 3) {
                uint32_t x = pool->data[d0 + ci];
                uint32_t p1 = ci > 0 ? pool->data[d0 + ci - 1] : prev;
                uint32_t p2 = ci > 1 ? pool->data[d0 + ci - 2] : ci == 1 ? prev : prev2;
                uint32_t a1 = ci + 1 < nout ? pool->data[d0 + ci + 1] : after;
                uint32_t a2 = ci + 2 < nout ? pool->data[d0 + ci + 2] : (ci + 1 < nout ? after : 0);
                if (is_han(p1) && is_han(a1) && *budget > 0) {
                    uint8_t nb[4] = {0};
                    lfx_utf8_put(nb, a1);
                    int next = nb[0];
                    uint32_t cand[1024];
                    size_t nc = lfx_model_pair_neighbors(p1, a1, cand, sizeof cand / sizeof *cand);
                    *budget -= (long)nc; /* (a candidate costs about what a beam offer does) */
                    float base = lfx_model_cost3(p2, p1, x) + lfx_model_cost3(p1, x, a1) +
                                 (a2 ? lfx_model_cost3(x, a1, a2) : 0.0f);
                    float best = base;
                    uint32_t best_c = x;
                    for (size_t q = 0; q < nc; q++) {
                        uint8_t c8[4];
                        if (cand[q] == x || lfx_utf8_put(c8, cand[q]) != 3 || !seen_rejects(L->seen, c8[0], c8[1]) ||
                            !seen_rejects(L->seen, c8[1], c8[2]) || !seen_rejects(L->seen, c8[2], next))
                            continue;
                        float c = lfx_model_cost3(p2, p1, cand[q]) + lfx_model_cost3(p1, cand[q], a1) +
                                  (a2 ? lfx_model_cost3(cand[q], a1, a2) : 0.0f);
                        if (c < best) {
                            best = c;
                            best_c = cand[q];
                        }
                    }
                    if (best_c != x) {
                        pool->data[d0 + ci] = best_c;
                        if (mp && mp->len > d0 + ci) mp->data[d0 + ci] = best_c;
                        delta += best - base;
                    }
                }
            }
        }
        sb += slots[k].kind == SLOT_FFFD ? 1 : slots[k].n;
    }
    return delta;
}

/* Do the lines of in[0..n) end in CR LF? One does, or two end in a '?' after a wide
 * character (a Windows decoder took the CR with the lead byte before it: 。\r\n reads
 * 銆?\n). */
static int crlf_lines(const uint32_t *in, size_t n) {
    int q_lf = 0;
    for (size_t k = 0; k + 1 < n; k++) {
        if (in[k + 1] != '\n') continue;
        if (in[k] == '\r') return 1;
        if (in[k] == '?' && k > 0 && in[k - 1] >= 0x80 && ++q_lf >= 2) return 1;
    }
    return 0;
}

/* Apply layer L to the whole text: every run of non-ASCII characters is cut into spans that
 * decode, and a span is replaced when the model prefers its decoded form by a margin. Damage
 * is rarely confined to one span, so spans with weak evidence are replaced only when some span
 * of the same text has strong evidence. Returns the total gain in bits (0: nothing replaced;
 * out is then a copy of in). */
double lfx_reverse_layer(const lfx_layer *L, const uint32_t *in, const float *cost_in, size_t n, int flags,
                         long *budget, lfx_u32 *out, lfx_u32 *marked, lfx_rev_stats *st) {
    double gain = 0;
    int strong_only = (flags & LFX_REV_STRONG_ONLY) != 0;
    slot *slots = malloc(sizeof(slot) * (n < MAX_SPAN ? n + 1 : MAX_SPAN + 1));
    lfx_u32 pool, dec, mpool; /* mpool: pool with set marks (marked) */
    lfx_u32_init(&pool);
    lfx_u32_init(&dec);
    lfx_u32_init(&mpool);
    lfx_u32 *mp = marked && L->orig == ORIG_UTF8 ? &mpool : NULL;
    lfx_u32_reserve(out, n + 1); /* (the output is about as long as the input) */
    cspan *spans = NULL;
    size_t nspans = 0, capspans = 0;
    int any_strong = 0, any_traditional = 0;
    /* spans of U+FFFD alone (see below), decoded last, only beside spans with evidence */
    enum { MAX_LOST_WHOLE = 64 };
    size_t lw_start[MAX_LOST_WHOLE], lw_end[MAX_LOST_WHOLE], nlw = 0;
    /* spans of a dropping decoder (bytes assumed lost where no marker shows) that gained too
     * little alone, kept for when the text shows that decoder elsewhere (below) */
    enum { MAX_DROP_WEAK = 64 };
    struct {
        size_t start, end, d, n;
        float gain;
        uint32_t guessed;
    } dw[MAX_DROP_WEAK];
    size_t ndw = 0, drop_taken = 0;
    lfx_u32 dwpool;
    lfx_u32_init(&dwpool);
    if (!slots) {
        out->failed = 1;
        return 0;
    }
    int applies = 1;
    if (L->seen == SEEN_BIG5 || L->seen == SEEN_SJIS || L->seen == SEEN_EUCKR) {
        /* what a cp950, cp932 or cp949 decoder makes of bytes is mostly outside GB2312 (Traditional
         * forms, half-width katakana, Hangul): text that GB2312 holds whole, with no lost byte
         * (Simplified text, rare characters and all), is not their work */
        applies = 0;
        for (size_t k = 0; k < n && !applies; k++) {
            uint8_t gb[4];
            applies = in[k] == 0xFFFD || in[k] == '?' ||
                      (in[k] >= 0x80 && !(lfx_encode_cp(LFX_GBK, in[k], gb) == 2 && gb[0] >= 0xA1 && gb[1] >= 0xA1));
        }
    }
    int dbcs_orig = L->orig != ORIG_UTF8;
    int crlf = -1; /* crlf_lines(in, n), found out when a beam first needs it */
    uint8_t *asked_bits = NULL, asked_small[64]; /* asked_before(), found out when a beam first needs it */
    size_t i = applies ? 0 : n;
    while (i < n) {
        if (is_ascii_run_breaker(in[i]) || (in[i] == '?' && (i + 1 >= n || in[i + 1] < 0x80) &&
                                           (i == 0 || in[i - 1] < 0x80))) {
            i++;
            continue;
        }
        /* a run: non-ASCII characters and the question marks inside or right after them; for
         * a double-byte original also an ASCII byte right after a non-ASCII one: the trail byte
         * of a pair that a rejected lead byte knocked out of step */
        size_t r0 = i, r1 = i;
        while (r1 < n && r1 - r0 < MAX_SPAN &&
               (!is_ascii_run_breaker(in[r1]) ||
                (dbcs_orig && r1 > r0 && in[r1 - 1] >= 0x80 && in[r1] >= 0x40 && in[r1] <= 0x7E)))
            r1++;
        size_t ns = 0;
        for (size_t k = r0; k < r1; k++) {
            slot *s = &slots[ns++];
            s->kind = SLOT_FIXED;
            s->n = 0;
            s->may_drop = 0;
            if (is_marker(L, in[k])) {
                s->kind = in[k] == 0xFFFD ? SLOT_FFFD : (k + 1 == n ? SLOT_QMARK_END : SLOT_QMARK);
                continue;
            }
            if (lfx_is_set_mark(in[k])) {
                s->kind = SLOT_SET;
                s->mark = in[k];
                continue;
            }
            int m = seen_encode(L->seen, in[k], s->b);
            if (m == 0)
                s->kind = 0xFF; /* not encodable: a wall */
            else
                s->n = (uint8_t)m;
        }
        size_t a = 0, wall = 0;
        while (a < ns) {
            if (slots[a].kind == 0xFF) {
                a++;
                continue;
            }
            if (wall <= a) {
                wall = a;
                while (wall < ns && slots[wall].kind != 0xFF) wall++;
            }
            const uint8_t *ins_set;
            int ins = dropped_bytes(L->seen, &ins_set) == 0 ? 0 : INS_EVERY;
            size_t ndec = 0;
            size_t b = scan_span(L->orig, ins, slots, a, wall, &dec, &ndec);
            if (ndec >= 2 && trims_edges(L))
                trim_span_edges(L->orig, slots, in + r0, r0, n - r0, &a, &b, dec.data, &ndec, NULL);
            /* Two to six U+FFFD alone between other text: a character or two whose every byte
             * the decoder rejected (。 E3 80 82 read as cp949 after an ASCII character). They
             * hold no evidence of the layer: they are guessed from the text around them once
             * the layer has found spans that do. */
            int lost_whole = b >= a + 2 && b <= a + 6;
            for (size_t k = a; k < b && lost_whole; k++) lost_whole = slots[k].kind == SLOT_FFFD;
            if (lost_whole) {
                if (nlw < MAX_LOST_WHOLE && !(nlw && lw_end[nlw - 1] > r0 + a)) {
                    lw_start[nlw] = r0 + a;
                    lw_end[nlw++] = r0 + b;
                }
                a = b;
                continue;
            }
            int taken = 0, beam_failed = 0, beam_ran = 0, implausible = 0;
            size_t lost_tail_end = 0; /* the end of a character lost whole cut off the span */
            size_t marker_end = b; /* where the beam ran: the span up to and with its last marker */
            /* (set marks are characters known but for a byte: a span of them alone decodes) */
            int fixed = 0, has_set = 0;
            for (size_t k = a; k < b; k++) {
                fixed += slots[k].kind == SLOT_FIXED;
                has_set |= slots[k].kind == SLOT_SET;
            }
            /* a span is worth the beam when it holds a character that survived for every two
             * markers (three for UTF-8 read as Big5, whose decoder loses most lead bytes) */
            size_t per_fixed = L->seen == SEEN_BIG5 && L->orig == ORIG_UTF8 ? 3 : 2;
            /* a span that ends in two to six U+FFFD alone (。 lost whole after 那样) is the span
             * before them and a character lost whole, when the span before them holds the
             * evidence and the whole does not */
            if (!has_set && fixed >= 1 && per_fixed * (size_t)fixed < (b - a) - (size_t)fixed) {
                size_t k = b;
                while (k > a && slots[k - 1].kind == SLOT_FFFD) k--;
                if (b - k >= 2 && b - k <= 6 && k > a && per_fixed * (size_t)fixed >= (k - a) - (size_t)fixed) {
                    if (nlw < MAX_LOST_WHOLE && !(nlw && lw_end[nlw - 1] > r0 + k)) {
                        lw_start[nlw] = r0 + k;
                        lw_end[nlw++] = r0 + b;
                    }
                    lost_tail_end = b;
                    b = k;
                    marker_end = b;
                }
            }
            int worth = has_set || (fixed >= 1 && per_fixed * (size_t)fixed >= (b - a) - (size_t)fixed);
            /* A double-byte original's characters lost but for ASCII trail bytes (指令 as Big5
             * read as GBK: AB FC A5 are rejected, 4F is 'O'): too little survived to show the
             * layer, so they are guessed like characters lost whole, beside spans that do. */
            if (dbcs_orig && !worth && b - a >= 2 && b - a <= LOST_TRAILS_MAX) {
                int trails_only = 1;
                for (size_t k = a; k < b && trails_only; k++)
                    trails_only = slots[k].kind == SLOT_FFFD || (slots[k].kind == SLOT_FIXED && in[r0 + k] < 0x80);
                if (trails_only && nlw < MAX_LOST_WHOLE && !(nlw && lw_end[nlw - 1] > r0 + a)) {
                    lw_start[nlw] = r0 + a;
                    lw_end[nlw++] = r0 + b;
                    a = b;
                    continue;
                }
            }
            if (b > a && worth) {
                uint32_t prev = (r0 + a) > 0 ? in[r0 + a - 1] : 0;
                uint32_t prev2 = (r0 + a) > 1 ? in[r0 + a - 2] : 0;
                uint32_t after = r0 + b < n ? in[r0 + b] : 0;
                /* Han-looking text this cheap is sound Chinese already: mojibake of a double-byte
                 * decoder is made of rare characters (and the beam is the expensive part). */
                if (L->seen != SEEN_1252) {
                    float c_fixed = 0;
                    int nfixed_wide = 0, all_han = 1;
                    /* (up to its last marker: the clean text a damaged stretch runs into is
                     * cheap, the stretch is not: 銆? then 模式将基于...) */
                    size_t upto = b;
                    while (upto > a && slots[upto - 1].kind == SLOT_FIXED) upto--;
                    for (int pass = 0; pass < 2 && nfixed_wide == 0; pass++) {
                        /* (no character before the marker to judge by: the whole span, as before) */
                        size_t end = pass == 0 && upto > a ? upto : b;
                        c_fixed = 0;
                        all_han = 1;
                        for (size_t k = a; k < end; k++)
                            if (slots[k].kind == SLOT_FIXED && in[r0 + k] >= 0x80) {
                                c_fixed += cost_in[r0 + k];
                                nfixed_wide++;
                                all_han &= is_han(in[r0 + k]) || is_cjk_punct(in[r0 + k]);
                            }
                        if (end == b) break;
                    }
                    /* (kana and bopomofo among Han are what Big5 read as GBK looks like: ㄏノ) */
                    if (all_han && c_fixed < CHEAP_BITS_PER_CP * (float)nfixed_wide &&
                        !(dbcs_orig && knocked_out_of_step(slots, in + r0, a, b))) {
                        a += (b > a + 3) ? (b - a) / 2 : 1;
                        continue;
                    }
                }
                /* the span as it stands, in the context of the text (cost_in is that) */
                float c_old = span_cost_as_is(slots, cost_in, in, n, r0, a, b);
                size_t d0 = pool.len;
                float c_new;
                uint32_t guessed = 0;
                if (crlf < 0 && after == '\n') crlf = crlf_lines(in, n);
                int around[5] = {0, 0, 0, after == '\n' && crlf > 0, asked_before(in, n, r0 + a, &asked_bits, asked_small, sizeof asked_small)};
                if ((size_t)fixed != b - a) bracket_context(L, in, n, r0 + a, r0 + b, around);
                around[2] = clean_after_ascii(in, n, r0 + b);
                /* the beam has something to decide only where bytes are unknown: markers, or a
                 * byte the scan had to assume dropped */
                int unknown = (size_t)fixed != b - a;
                for (size_t k = a; k < b && !unknown; k++) unknown = slots[k].may_drop;
                int ok = (size_t)fixed == b - a && ndec > 0;
                if (ok) {
                    for (size_t k = 0; k < ndec; k++) lfx_u32_push(&pool, dec.data[k]);
                    if (mp)
                        for (size_t k = 0; k < ndec; k++) lfx_u32_push(mp, dec.data[k]);
                    c_new = decoded_cost(dec.data, ndec, prev2, prev);
                }
                if (!ok && unknown && (flags & LFX_REV_LOSSLESS)) {
                    if (st) st->deferred++;
                } else if (!ok && unknown) {
                    pool.len = d0;
                    if (mp) mp->len = d0;
                    ok = beam_decode(L->orig, L->seen, slots + a, b - a, prev2, prev, after, around, budget, &pool,
                                     mp, &c_new, &guessed);
                    if (ok && pool.len > d0) c_new += refine_lost_chars(L, slots + a, b - a, &pool, mp, d0, prev2, prev, after, budget);
                    beam_failed = !ok;
                    beam_ran = 1;
                    while (marker_end > a && slots[marker_end - 1].kind == SLOT_FIXED) marker_end--;
                    /* A span that ends a few characters after its last marker, where decoding
                     * failed before a common character, may have run into the clean text after a
                     * damaged stretch (the bytes of 注 spell ע): the span ending at the marker
                     * is tried too, and the one that gains more stands. */
                    size_t m = marker_end;
                    if (ok && m > a && m < b && b - m <= SHORT_TAIL && pool.len > d0 &&
                        (after >= 0x80 ? lfx_model_unigram(after) < CHEAP_BITS_PER_CP : level1_run(in + r0 + m, b - m))) {
                        size_t d1 = pool.len;
                        uint32_t after_m = in[r0 + m];
                        float c_old_m = span_cost_as_is(slots, cost_in, in, n, r0, a, m), c_new_m = 0;
                        int around_m[5] = {0, 0, 0, 0, around[4]}; /* (a character follows: no line end) */
                        bracket_context(L, in, n, r0 + a, r0 + m, around_m);
                        uint32_t guessed_m = 0;
                        if (beam_decode(L->orig, L->seen, slots + a, m - a, prev2, prev, after_m, around_m, budget,
                                        &pool, mp, &c_new_m, &guessed_m) &&
                            pool.len > d1) {
                            float g_m = c_old_m - c_new_m - pool_end_cost(&pool, d1, pool.len, prev, after_m);
                            float g_b = c_old - c_new - pool_end_cost(&pool, d0, d1, prev, after);
                            if (g_m >= g_b) {
                                memmove(pool.data + d0, pool.data + d1, (pool.len - d1) * sizeof *pool.data);
                                pool.len = d0 + (pool.len - d1);
                                if (mp) {
                                    memmove(mp->data + d0, mp->data + d1, (mp->len - d1) * sizeof *mp->data);
                                    mp->len = pool.len;
                                }
                                b = m;
                                after = after_m;
                                c_old = c_old_m;
                                c_new = c_new_m;
                                guessed = guessed_m;
                            }
                        }
                        if (b != m) pool.len = d1;
                        if (mp) mp->len = pool.len;
                    }
                    /* (the beam's span, too, may have run into clean text beside it) */
                    size_t nd = pool.len - d0;
                    if (ok && L->orig == ORIG_UTF8 && nd >= 2) {
                        float before = decoded_cost(pool.data + d0, nd, prev2, prev);
                        size_t cut = trim_span_edges(L->orig, slots, in + r0, r0, n - r0, &a, &b, pool.data + d0, &nd,
                                                     mp ? mp->data + d0 : NULL);
                        if (cut > 0) {
                            pool.len = d0 + nd;
                            if (mp) mp->len = pool.len;
                            fixed -= (int)cut;
                            prev = (r0 + a) > 0 ? in[r0 + a - 1] : 0;
                            prev2 = (r0 + a) > 1 ? in[r0 + a - 2] : 0;
                            after = r0 + b < n ? in[r0 + b] : 0;
                            c_new += decoded_cost(pool.data + d0, nd, prev2, prev) - before;
                            c_old = span_cost_as_is(slots, cost_in, in, n, r0, a, b);
                        }
                    }
                }
                int plausible = ok && pool.len > d0
                                    ? plausible_decode(L->orig, in + r0 + a, b - a, pool.data + d0, pool.len - d0)
                                    : DECODE_NO;
                implausible = ok && plausible == DECODE_NO;
                if (plausible != DECODE_NO) {
                    c_new += pool_end_cost(&pool, d0, pool.len, prev, after);
                    float g = c_old - c_new;
                    /* (no marker, but a byte guessed: one a dropping decoder left no trace of) */
                    int dropped = (size_t)fixed == b - a && guessed > 0;
                    if (st && g > 0) st->evidence += g;
                    /* (Latin-1 letters and symbols alone between ASCII, in a text where the
                     * same layer finds strong spans, are the same damage: any gain takes them) */
                    int latin_only = L->seen == SEEN_1252;
                    for (size_t k = a; k < b && latin_only; k++) latin_only = in[r0 + k] >= 0xA0 && in[r0 + k] <= 0xFF;
                    int take = g > (latin_only ? 0.0f : MARGIN_WEAK_A + MARGIN_WEAK_B * c_old);
                    /* A guess too weak to replace the span: the layer under it judges the guessed
                     * characters in the context it restores (UTF-8 read as cp936 twice: the outer
                     * layer's 涓? for 娑? is mojibake either way, and only the inner layer reads
                     * 与 in it). Kept for the marked text alone. */
                    int marks_only = !take && mp && g > 0 && guessed > 0 && !dropped && !(flags & LFX_REV_STRONG_ONLY);
                    if (take || marks_only) {
                        cspan *cs = span_new(&spans, &nspans, &capspans);
                        if (!cs) {
                            out->failed = 1;
                            break;
                        }
                        cs->start = r0 + a;
                        cs->end = r0 + b;
                        cs->dstart = d0;
                        cs->dlen = pool.len - d0;
                        cs->gain = g;
                        cs->guessed = guessed;
                        cs->marks_only = marks_only;
                        if (take) {
                            cs->strong = g > MARGIN_A + MARGIN_B * c_old;
                            cs->above_latin1 = above_latin1(in, r0 + a, r0 + b);
                            cs->unless_alone = plausible == DECODE_BESIDE_TRADITIONAL;
                            cs->traditional = plausible == DECODE_TRADITIONAL;
                            any_traditional |= cs->traditional && cs->strong;
                            any_strong |= cs->strong && !cs->unless_alone;
                            drop_taken += dropped;
                        }
                        a = b;
                        taken = 1;
                    } else {
                        if (dropped && ndw < MAX_DROP_WEAK &&
                            g + DROP_CREDIT_BITS * (float)guessed > MARGIN_WEAK_A + MARGIN_WEAK_B * c_old) {
                            dw[ndw].start = r0 + a;
                            dw[ndw].end = r0 + b;
                            dw[ndw].d = dwpool.len;
                            dw[ndw].n = pool.len - d0;
                            dw[ndw].gain = g;
                            dw[ndw].guessed = guessed;
                            for (size_t q = d0; q < pool.len; q++) lfx_u32_push(&dwpool, pool.data[q]);
                            ndw++;
                        }
                        pool.len = d0;
                    }
                } else {
                    pool.len = d0;
                }
                if (mp) mp->len = pool.len;
            }
            /* The beam found no decoding, or none that could be text before a common character:
             * the scan may have run past a marker into bytes that only seemed to finish its
             * character (clean text after a damaged stretch that was decoded alone: 压缩率
             * after 銆?). Try again with the span ending at its last marker. */
            if (implausible && marker_end > a && marker_end < b) {
                /* (only before text that reads as sound Chinese as it stands) */
                float tail = 0;
                for (size_t k = marker_end; k < b; k++) tail += cost_in[r0 + k];
                implausible = tail < CHEAP_BITS_PER_CP * (float)(b - marker_end);
            }
            if ((beam_failed || (beam_ran && implausible)) && marker_end > a && marker_end < b) {
                wall = marker_end;
                continue;
            }
            /* Not taken: move on. Halving a long rejected span keeps the work linear while a
             * garbled stretch that starts inside it is still found. */
            if (!taken) a += (b > a + 3) ? (b - a) / 2 : 1;
            else if (lost_tail_end > a) a = lost_tail_end;
        }
        i = r1;
    }
    /* A dropping decoder leaves no marker: the byte it dropped is assumed at INSERT_BITS, dear
     * enough that clean text does not read so. Once two spans of the text have shown that
     * decoder, a span that needed it and gained too little alone (涓 kill: 与 E4 B8 8E lost
     * 8E before the space) is taken at DROP_CREDIT_BITS less per byte assumed. */
    if (drop_taken >= 2 && !dwpool.failed) {
        for (size_t w = 0; w < ndw; w++) {
            int overlaps = 0;
            for (size_t q = 0; q < nspans && !overlaps; q++)
                overlaps = spans[q].start < dw[w].end && dw[w].start < spans[q].end;
            if (overlaps) continue;
            cspan *cs = span_new(&spans, &nspans, &capspans);
            if (!cs) {
                out->failed = 1;
                break;
            }
            cs->start = dw[w].start;
            cs->end = dw[w].end;
            cs->dstart = pool.len;
            cs->dlen = dw[w].n;
            for (size_t q = 0; q < dw[w].n; q++) {
                lfx_u32_push(&pool, dwpool.data[dw[w].d + q]);
                if (mp) lfx_u32_push(mp, dwpool.data[dw[w].d + q]);
            }
            cs->gain = dw[w].gain + DROP_CREDIT_BITS * (float)dw[w].guessed;
            cs->guessed = dw[w].guessed;
            cs->above_latin1 = above_latin1(in, dw[w].start, dw[w].end);
            span_to_text_order(spans, nspans); /* for the emitting below */
        }
    }
    lfx_u32_free(&dwpool);
    if (nlw) {
        /* text that lost two thirds of its characters or more is gone (GBK bytes read as
         * UTF-8: 80% in the median line): its runs of U+FFFD are left as they are. (UTF-8
         * read as cp949 loses up to half of them in short lines, and is not gone) */
        size_t wide = 0, lost = 0;
        for (size_t k = 0; k < n; k++) {
            wide += in[k] >= 0x80;
            lost += in[k] == 0xFFFD;
        }
        if (3 * lost > 2 * wide) nlw = 0;
    }
    if (nlw && any_strong && (flags & LFX_REV_LOSSLESS)) {
        if (st) st->deferred++;
    } else if (nlw && any_strong && !out->failed) {
        for (size_t w = 0; w < nlw; w++) {
            size_t r0 = lw_start[w], len = lw_end[w] - r0, d0 = pool.len;
            for (size_t k = 0; k < len; k++) {
                slots[k].kind = SLOT_FFFD;
                slots[k].n = 0;
                slots[k].may_drop = 0;
                if (in[r0 + k] != 0xFFFD) { /* an ASCII trail byte */
                    slots[k].kind = SLOT_FIXED;
                    slots[k].n = 1;
                    slots[k].b[0] = (uint8_t)in[r0 + k];
                }
            }
            uint32_t prev = r0 > 0 ? in[r0 - 1] : 0, prev2 = r0 > 1 ? in[r0 - 2] : 0;
            uint32_t after = r0 + len < n ? in[r0 + len] : 0, guessed = 0;
            /* the spans beside it are decoded already: guess in their context, not the
             * mojibake's (那样 and the 。 of it lost whole, not 졆 and a quote) */
            for (size_t s = 0; s < nspans; s++) {
                const cspan *cs = &spans[s];
                if (cs->dlen == 0) continue;
                if (cs->end == r0) {
                    prev = pool.data[cs->dstart + cs->dlen - 1];
                    prev2 = cs->dlen >= 2 ? pool.data[cs->dstart + cs->dlen - 2] : (cs->start > 0 ? in[cs->start - 1] : 0);
                }
                if (cs->start == r0 + len) after = pool.data[cs->dstart];
            }
            if (crlf < 0 && after == '\n') crlf = crlf_lines(in, n);
            int around[5] = {0, 0, 0, after == '\n' && crlf > 0, asked_before(in, n, r0, &asked_bits, asked_small, sizeof asked_small)};
            float c_new = 0;
            if (mp) mp->len = pool.len;
            int beam_ok = beam_decode(L->orig, L->seen, slots, len, prev2, prev, after, around, budget, &pool, mp,
                                      &c_new, &guessed) &&
                          pool.len > d0;
            if (!beam_ok) pool.len = d0;
            if (beam_ok) c_new += refine_lost_chars(L, slots, len, &pool, mp, d0, prev2, prev, after, budget);
            if (!beam_ok) continue;
            float c_old = span_cost_as_is(slots, cost_in, in, n, r0, 0, len);
            float g = c_old - c_new - pool_end_cost(&pool, d0, pool.len, prev, after);
            if (g <= MARGIN_WEAK_A + MARGIN_WEAK_B * c_old || plausible_decode(L->orig, in + r0, len, pool.data + d0,
                                                                               pool.len - d0) == DECODE_NO) {
                pool.len = d0;
                continue;
            }
            cspan *cs = span_new(&spans, &nspans, &capspans);
            if (!cs) {
                out->failed = 1;
                break;
            }
            cs->start = r0;
            cs->end = r0 + len;
            cs->dstart = d0;
            cs->dlen = pool.len - d0;
            cs->gain = g;
            cs->guessed = guessed;
            span_to_text_order(spans, nspans); /* for the emitting below */
        }
        if (mp) mp->len = pool.len;
    }
    /* emit */
    size_t at = 0, nmarks = 0;
    for (size_t s = 0; s < nspans && any_strong && !out->failed; s++) {
        cspan *cs = &spans[s];
        if (strong_only && !cs->strong) continue;
        if (cs->marks_only) {
            for (size_t k = 0; mp && k < cs->dlen; k++) nmarks += lfx_is_set_mark(mpool.data[cs->dstart + k]);
            continue;
        }
        if (cs->unless_alone && !any_traditional) continue;
        for (size_t k = at; k < cs->start; k++) lfx_u32_push(out, in[k]);
        for (size_t k = 0; k < cs->dlen; k++) lfx_u32_push(out, pool.data[cs->dstart + k]);
        cs->emitted = 1;
        for (size_t k = 0; mp && k < cs->dlen; k++) nmarks += lfx_is_set_mark(mpool.data[cs->dstart + k]);
        at = cs->end;
        gain += cs->gain;
        if (st) {
            st->guessed += cs->guessed;
            st->spans++;
            st->above_latin1 |= cs->above_latin1;
        }
    }
    if (!any_strong) at = 0, gain = 0;
    for (; at < n; at++) lfx_u32_push(out, in[at]);
    if (nmarks && any_strong && !out->failed) {
        /* the same text with the marks (only when there are any: it is a copy of the text) */
        at = 0;
        for (size_t s = 0; s < nspans; s++) {
            if (!spans[s].emitted && !spans[s].marks_only) continue;
            for (size_t k = at; k < spans[s].start; k++) lfx_u32_push(marked, in[k]);
            for (size_t k = 0; k < spans[s].dlen; k++) lfx_u32_push(marked, mpool.data[spans[s].dstart + k]);
            at = spans[s].end;
        }
        for (; at < n; at++) lfx_u32_push(marked, in[at]);
        if (st) st->marked = (uint32_t)nmarks;
    }
    if (pool.failed || mpool.failed || (marked && marked->failed)) out->failed = 1;
    lfx_u32_free(&mpool);
    if (asked_bits != asked_small) free(asked_bits);
    free(slots);
    free(spans);
    if (dec.failed) out->failed = 1;
    lfx_u32_free(&pool);
    lfx_u32_free(&dec);
    return gain;
}
