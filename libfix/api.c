/* Public entry points: argument checks, contexts and result ownership. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const char *libfix_version(void) { return LIBFIX_VERSION_STRING; }

const char *libfix_strerror(int code) {
    switch (code) {
    case LIBFIX_OK: return "success";
    case LIBFIX_E_INVALID: return "invalid argument (NULL pointer or value out of range)";
    case LIBFIX_E_NOMEM: return "out of memory";
    case LIBFIX_E_OPTION: return "unknown option value";
    case LIBFIX_E_TOO_LARGE: return "input too large";
    case LIBFIX_E_INTERNAL: return "internal error (a codec could not be opened)";
    default: return "unknown error code";
    }
}

void libfix_options_init(libfix_options *opt) {
    if (!opt) return;
    memset(opt, 0, sizeof *opt);
    opt->target = LIBFIX_TARGET_HANS;
    opt->max_depth = 3;
    opt->restore_fullwidth = 0;
    opt->text_layers = 1;
}

libfix_ctx *libfix_new(const libfix_options *opt, int *err) {
    libfix_options o;
    if (opt)
        o = *opt;
    else
        libfix_options_init(&o);
    if ((o.target != LIBFIX_TARGET_HANS && o.target != LIBFIX_TARGET_KEEP) || o.max_depth < 1 ||
        o.max_depth > 3) {
        if (err) *err = LIBFIX_E_OPTION;
        return NULL;
    }
    if (lfx_codec_init() != 0) {
        if (err) *err = LIBFIX_E_NOMEM;
        return NULL;
    }
    lfx_engine_init();
    libfix_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx) {
        if (err) *err = LIBFIX_E_NOMEM;
        return NULL;
    }
    ctx->opt = o;
    if (err) *err = LIBFIX_OK;
    return ctx;
}

void libfix_free(libfix_ctx *ctx) { free(ctx); }

void lfx_steps_add(lfx_steps *s, const char *name) {
    if (s->n >= LFX_MAX_STEPS) return;
    size_t k = strlen(name);
    if (k >= sizeof s->name[0]) k = sizeof s->name[0] - 1;
    memcpy(s->name[s->n], name, k);
    s->name[s->n][k] = 0;
    s->n++;
}

/* The result owns one block: the step pointer array followed by the step strings. */
static int result_set_steps(libfix_result *out, const lfx_steps *st) {
    size_t bytes = st->n * sizeof(char *);
    for (size_t i = 0; i < st->n; i++) bytes += strlen(st->name[i]) + 1;
    if (st->n == 0) return 0;
    char *block = malloc(bytes);
    if (!block) return -1;
    const char **ptrs = (const char **)(void *)block;
    char *p = block + st->n * sizeof(char *);
    for (size_t i = 0; i < st->n; i++) {
        size_t k = strlen(st->name[i]) + 1;
        memcpy(p, st->name[i], k);
        ptrs[i] = p;
        p += k;
    }
    out->steps = ptrs;
    out->n_steps = st->n;
    out->internal_ = block;
    return 0;
}

/* Repairs in a row at most. Every development output settles within 6, and every input of the
 * fuzz corpus within 7; a text that still changes after this many is left as it came (below). */
#define MAX_PASSES 8

/* The passes after the first may together do LATER_WORK times the work of the first, and
 * LATER_SLACK more (work counted in beam offers and code points read by layer passes). A
 * repair that needs more than that is not settling (every pass reads the text a little
 * differently, as garbage is read): the base is given back, flagged LIBFIX_LIMITED, at a cost
 * bounded by a few times that of one pass. */
#define LATER_WORK 1L
#define LATER_SLACK 20000L
static long later_limit(long first) {
    return first > (LONG_MAX - LATER_SLACK) / (LATER_WORK + 1) ? LONG_MAX : first * (LATER_WORK + 1) + LATER_SLACK;
}

/* What one repair produced. */
typedef struct outcome {
    lfx_buf text;
    lfx_steps steps;
    double conf;
    unsigned flags;
} outcome;

/* Repair the passes from a base until nothing changes, into *o, which holds the first pass's
 * result (of the base itself, or for raw bytes of the input, searched with no memo) on entry.
 * A repair undoes what it can see; what it undid can uncover more (a span of the second layer
 * that only showed once the first was gone). Repairing the output again until nothing changes
 * makes a repaired text a fixed point: repairing it again is a no-op.
 *
 * Every pass is a function of its input text alone (budgets per unit; the memo only skips what
 * would be left alone), so the passes from a base are the same whether the base is the input
 * or the output of raw bytes decoded. If MAX_PASSES passes still change something (garbage that
 * every pass reads a little differently), or the passes after the first need more work than
 * later_limit allows (a function of the first pass's work: of the base), the base is the
 * answer: the one that repairing it gives too. *gave_up says so. */
static int settle(libfix_ctx *ctx, const uint8_t *base, size_t blen, int base_is_first, outcome *o,
                  lfx_memo memo[2], long spent, int *gave_up) {
    /* the first pass from the base has run (spent is its work) or is the next */
    long limit = base_is_first ? later_limit(spent) : LONG_MAX;
    int rc = LIBFIX_OK;
    *gave_up = 0;
    /* the first pass from raw bytes' base is still to run; the input's has run */
    int again = !base_is_first || ((o->flags & LFX_TOUCHED) &&
                                   !(o->text.len == blen && (blen == 0 || memcmp(o->text.data, base, blen) == 0)));
    int left = MAX_PASSES - (base_is_first ? 1 : 0);
    for (int pass = 1; again; pass++) {
        if (pass > left) {
            *gave_up = 1;
            break;
        }
        lfx_buf next;
        lfx_buf_init(&next);
        lfx_steps more;
        memset(&more, 0, sizeof more);
        double c2 = 1.0;
        unsigned f2 = 0;
        /* what the last pass searched and left alone is not searched again; the first pass
         * after raw bytes searches all, as a repair of its base would */
        const lfx_memo *prev = !base_is_first && pass == 1 ? NULL : &memo[(pass - 1) & 1];
        lfx_memo_free(&memo[pass & 1]);
        rc = lfx_engine_repair(ctx, o->text.data, o->text.len, &next, &more, &c2, &f2, prev, &memo[pass & 1], &spent,
                               limit);
        if (rc != LIBFIX_OK) {
            lfx_buf_free(&next);
            break;
        }
        if (f2 & LFX_LIMITED) {
            lfx_buf_free(&next);
            *gave_up = 2;
            break;
        }
        if (pass == 1 && !base_is_first) limit = later_limit(spent);
        if (!(f2 & LFX_TOUCHED) ||
            (next.len == o->text.len && (next.len == 0 || memcmp(next.data, o->text.data, next.len) == 0))) {
            lfx_buf_free(&next);
            break; /* settled */
        }
        lfx_buf_free(&o->text);
        o->text = next;
        for (size_t i = 0; i < more.n; i++) lfx_steps_add(&o->steps, more.name[i]);
        o->conf *= c2;
        /* lost bytes filled in by a later pass are no longer unrecoverable */
        o->flags = ((o->flags | f2) & ~LIBFIX_UNRECOVERABLE) | (f2 & LIBFIX_UNRECOVERABLE);
    }
    return rc;
}

/* The repair of valid UTF-8 text: the passes from the input itself, whose first has run into *o
 * (with memo[0] and its work in spent). */
static int repair_text(libfix_ctx *ctx, const uint8_t *in, size_t len, outcome *o, lfx_memo memo[2], long spent) {
    int gave_up = 0;
    int rc = settle(ctx, in, len, 1, o, memo, spent, &gave_up);
    if (rc == LIBFIX_OK && gave_up) {
        /* the input itself */
        o->text.len = 0;
        lfx_buf_append(&o->text, in, len);
        memset(&o->steps, 0, sizeof o->steps);
        int lost = lfx_utf8_has_fffd(in, len);
        o->flags = lost ? LIBFIX_LOSSY | LIBFIX_UNRECOVERABLE : 0;
        o->flags |= LIBFIX_LIMITED;
        o->conf = 0.3;
    }
    return rc;
}

int libfix_repair(libfix_ctx *ctx, const char *in, size_t len, libfix_result *out) {
    if (out) memset(out, 0, sizeof *out);
    if (!ctx || !out || (!in && len > 0)) return LIBFIX_E_INVALID;
    if (len > SIZE_MAX / 8) return LIBFIX_E_TOO_LARGE;
    const uint8_t *src = (const uint8_t *)(in ? in : "");
    outcome o;
    memset(&o, 0, sizeof o);
    lfx_buf_init(&o.text);
    o.conf = 1.0;
    lfx_memo memo[2];
    memset(memo, 0, sizeof memo);
    long spent = 0;
    int rc = lfx_engine_repair(ctx, src, len, &o.text, &o.steps, &o.conf, &o.flags, NULL, &memo[0], &spent,
                               LONG_MAX);
    if (rc == LIBFIX_OK && !(o.flags & LFX_RAW)) {
        rc = repair_text(ctx, src, len, &o, memo, spent);
    } else if (rc == LIBFIX_OK) {
        /* Raw bytes of a legacy encoding: the first pass decoded and searched them all (text
         * decoded from raw bytes may be UTF-8 cut inside a character, read as GBK); its text
         * is the base of the passes after it (the first of which searches it afresh, as a
         * repair of the base would), and the answer if they do not settle. */
        int gave_up = 0;
        outcome b;
        memset(&b, 0, sizeof b);
        lfx_buf_init(&b.text);
        lfx_buf_append(&b.text, o.text.data, o.text.len);
        if (b.text.failed) rc = LIBFIX_E_NOMEM;
        b.steps = o.steps;
        b.conf = o.conf;
        b.flags = o.flags;
        if (rc == LIBFIX_OK) rc = settle(ctx, b.text.data, b.text.len, 0, &o, memo, 0, &gave_up);
        if (rc == LIBFIX_OK && gave_up) {
            lfx_buf_free(&o.text);
            o = b;
            o.flags |= LIBFIX_LIMITED;
        } else {
            lfx_buf_free(&b.text);
        }
    }
    lfx_memo_free(&memo[0]);
    lfx_memo_free(&memo[1]);
    lfx_buf text = o.text;
    unsigned flags = o.flags;
    if (rc == LIBFIX_OK && (text.failed || lfx_buf_reserve(&text, 0) != 0)) rc = LIBFIX_E_NOMEM;
    if (rc != LIBFIX_OK) {
        lfx_buf_free(&text);
        return rc;
    }
    if (result_set_steps(out, &o.steps) != 0) {
        lfx_buf_free(&text);
        return LIBFIX_E_NOMEM;
    }
    text.data[text.len] = 0;
    out->text = (char *)text.data;
    out->len = text.len;
    out->confidence = o.conf < 0 ? 0 : o.conf > 1 ? 1 : o.conf;
    int touched = (flags & LFX_TOUCHED) != 0;
    out->flags = flags & ~(LFX_TOUCHED | LFX_RAW | LFX_LIMITED);
    if (touched && (len != text.len || (len && memcmp(in, text.data, len) != 0)))
        out->flags |= LIBFIX_CHANGED;
    else
        out->flags &= ~LIBFIX_CHANGED;
    return LIBFIX_OK;
}

void libfix_result_clear(libfix_result *out) {
    if (!out) return;
    free(out->text);
    free(out->internal_);
    memset(out, 0, sizeof *out);
}

int libfix_detect(libfix_ctx *ctx, const char *in, size_t len, libfix_guess *guesses, size_t max,
                  size_t *n) {
    if (n) *n = 0;
    if (!ctx || !n || (!guesses && max > 0) || (!in && len > 0)) return LIBFIX_E_INVALID;
    return lfx_detect(ctx, (const uint8_t *)(in ? in : ""), len, guesses, max, n);
}
