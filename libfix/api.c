/* Public entry points: argument checks, contexts and result ownership. */
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

int libfix_repair(libfix_ctx *ctx, const char *in, size_t len, libfix_result *out) {
    if (out) memset(out, 0, sizeof *out);
    if (!ctx || !out || (!in && len > 0)) return LIBFIX_E_INVALID;
    if (len > SIZE_MAX / 8) return LIBFIX_E_TOO_LARGE;
    lfx_buf text;
    lfx_buf_init(&text);
    lfx_steps steps;
    memset(&steps, 0, sizeof steps);
    double conf = 1.0;
    unsigned flags = 0;
    lfx_memo memo[2];
    memset(memo, 0, sizeof memo);
    int rc = lfx_engine_repair(ctx, (const uint8_t *)(in ? in : ""), len, &text, &steps, &conf, &flags, NULL,
                               &memo[0]);
    /* A repair undoes what it can see; what it undid can uncover more (a span of the second
     * layer that only showed once the first was gone). Repair the output again until nothing
     * changes, so that a repaired text is a fixed point: repairing it again is a no-op.
     *
     * The passes start from a base: valid UTF-8 input itself, or for raw bytes the text of the
     * first pass (decoded and searched), whose own repair is then the same sequence of passes.
     * If MAX_PASSES passes from the base still change something, no repair of it settles
     * (garbage that every pass reads a little differently) and the base is given back: the
     * answer that repairing it again gives too. */
    int again = rc == LIBFIX_OK && (flags & LFX_TOUCHED) &&
                !(text.len == len && (len == 0 || memcmp(text.data, in, len) == 0));
    int settled = !again, raw = 0, left = MAX_PASSES - 1;
    lfx_buf base;
    lfx_buf_init(&base);
    lfx_steps base_steps;
    double base_conf = 1.0;
    unsigned base_flags = 0;
    if (again && (flags & LFX_RAW)) {
        raw = 1;
        left = MAX_PASSES;
        lfx_buf_append(&base, text.data, text.len);
        if (base.failed) rc = LIBFIX_E_NOMEM, again = 0;
        base_steps = steps;
        base_conf = conf;
        base_flags = flags;
    }
    for (int pass = 1; pass <= left && again; pass++) {
        lfx_buf next;
        lfx_buf_init(&next);
        lfx_steps more;
        memset(&more, 0, sizeof more);
        double c2 = 1.0;
        unsigned f2 = 0;
        /* what the last pass searched and left alone is not searched again; the first pass
         * after raw bytes searches all, as a repair of its base would */
        const lfx_memo *prev = raw && pass == 1 ? NULL : &memo[(pass - 1) & 1];
        lfx_memo_free(&memo[pass & 1]);
        rc = lfx_engine_repair(ctx, text.data, text.len, &next, &more, &c2, &f2, prev, &memo[pass & 1]);
        int same = rc != LIBFIX_OK || !(f2 & LFX_TOUCHED) ||
                   (next.len == text.len && (text.len == 0 || memcmp(next.data, text.data, text.len) == 0));
        if (same) {
            lfx_buf_free(&next);
            settled = 1;
            break;
        }
        again = rc == LIBFIX_OK;
        lfx_buf_free(&text);
        text = next;
        for (size_t i = 0; i < more.n; i++) lfx_steps_add(&steps, more.name[i]);
        conf *= c2;
        /* lost bytes filled in by a later pass are no longer unrecoverable */
        flags = ((flags | f2) & ~LIBFIX_UNRECOVERABLE) | (f2 & LIBFIX_UNRECOVERABLE);
    }
    lfx_memo_free(&memo[0]);
    lfx_memo_free(&memo[1]);
    if (rc == LIBFIX_OK && !settled) {
        lfx_buf_free(&text);
        if (raw) {
            text = base;
            lfx_buf_init(&base);
            steps = base_steps;
            flags = base_flags;
            conf = base_conf;
        } else {
            lfx_buf_init(&text);
            lfx_buf_append(&text, (const uint8_t *)in, len);
            if (text.failed) rc = LIBFIX_E_NOMEM;
            memset(&steps, 0, sizeof steps);
            int lost = lfx_utf8_has_fffd((const uint8_t *)in, len);
            flags = lost ? LIBFIX_LOSSY | LIBFIX_UNRECOVERABLE : 0;
            conf = lost ? 0.3 : 1.0;
        }
    }
    lfx_buf_free(&base);
    if (rc == LIBFIX_OK && lfx_buf_reserve(&text, 0) != 0) rc = LIBFIX_E_NOMEM;
    if (rc != LIBFIX_OK) {
        lfx_buf_free(&text);
        return rc;
    }
    if (result_set_steps(out, &steps) != 0) {
        lfx_buf_free(&text);
        return LIBFIX_E_NOMEM;
    }
    text.data[text.len] = 0;
    out->text = (char *)text.data;
    out->len = text.len;
    out->confidence = conf < 0 ? 0 : conf > 1 ? 1 : conf;
    out->flags = flags;
    int touched = (flags & LFX_TOUCHED) != 0;
    out->flags &= ~(LFX_TOUCHED | LFX_RAW);
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
