/* Fuzz harness for libfix_repair(): the first byte chooses the options and the mode, the rest
 * is the input. Checked on every input: status, valid NUL-terminated UTF-8, the size bound of
 * fuzz/README.md, flags that agree with the text, sane steps and confidence, an input left
 * untouched, libfix_result_clear() twice. In "clean" mode the input is first filtered down to
 * common Simplified characters, Chinese punctuation and some ASCII, and must come back
 * unchanged (see init_common for which part of that is asserted and which is strict), steps
 * iff changed, idempotence (repairing the output changes nothing). Under LFX_FUZZ_STRICT also:
 * determinism, clean text of any GB2312 level-1 characters unchanged.
 *
 * Option byte: bit 0 target keep; bits 1-2 max_depth (0 -> 3, 1 -> 2, 2 -> 1, 3 -> 3);
 * bit 3 restore_fullwidth; bit 4 text layers off; bit 5 clean mode; bit 6 clean mode with all
 * printable ASCII (escape and bracket characters included) instead of a plain alphabet. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "internal.h"
#include "libfix.h"

/* Documented in fuzz/README.md: the output of libfix_repair is at most this long. */
#define REPAIR_BOUND(n) (3 * (size_t)(n) + 16)

static libfix_ctx *ctxs[32];
/* Two sets of "common characters", bit per code point from U+4E00:
 * - GB2312 level 1 (GBK bytes B0A1-D7FE, the 3,755 characters of everyday Simplified text),
 *   chosen independently of the model: clean text of these must come back unchanged, which
 *   today is a strict property ("repair.clean_gb2312": 帛戊 becomes ┉コ);
 * - the model's cheap characters (unigram cost under 15 bits, the engine's threshold of
 *   suspicion; not Traditional): clean text of these comes back unchanged today, asserted.
 *   (The model's ranking puts mojibake hallmarks such as 涓 and 锛 among its 1,000 cheapest.)
 *   Left out of it: the characters whose GBK bytes are a UTF-8 lead E2-EF and a continuation
 *   byte, with which the cheap ones spell UTF-8 read as GBK outright (鏄剧殑 is 显的, E6 98 BE
 *   E7 9A 84, read as GBK, and is repaired as such: the fuzzer's finding on e687b2c, kept as
 *   regressions/repair-clean-cheap-mojibake). */
#define HAN_BITS ((0xA000 - 0x4E00) / 8 + 1)
static uint8_t gb2312_l1[HAN_BITS], cheap_han[HAN_BITS];

static int han_in(const uint8_t *set, uint32_t c) {
    if (c < 0x4E00 || c >= 0xA000) return 0;
    uint32_t k = c - 0x4E00;
    return (set[k >> 3] >> (k & 7)) & 1;
}

static void han_add(uint8_t *set, uint32_t c) {
    uint32_t k = c - 0x4E00;
    set[k >> 3] |= (uint8_t)(1u << (k & 7));
}

static void init_common(void) {
    static int done;
    if (done) return;
    done = 1;
    FZ_CHECK(lfx_codec_init() == 0, "codec tables");
    size_t n1 = 0, n2 = 0;
    for (uint32_t c = 0x4E00; c < 0xA000; c++) {
        uint8_t b[4];
        if (lfx_encode_cp(LFX_GBK, c, b) != 2 || lfx_is_traditional(c) == 1) continue;
        if (b[0] >= 0xB0 && b[0] <= 0xD7 && b[1] >= 0xA1 && b[1] <= 0xFE) {
            han_add(gb2312_l1, c);
            n1++;
        }
        if (!lfx_is_traditional(c) && lfx_model_cost(0, c) < 15.0f) {
            if (!(b[0] >= 0xE2 && b[0] <= 0xEF && b[1] >= 0x80 && b[1] <= 0xBF)) {
                han_add(cheap_han, c);
                n2++;
            }
        }
    }
    FZ_CHECK(n1 > 3600 && n2 > 1000, "%zu GB2312 level-1 characters, %zu cheap ones", n1, n2);

    /* the argument checks of the contract, once */
    libfix_result r;
    FZ_CHECK(libfix_repair(NULL, "x", 1, &r) == LIBFIX_E_INVALID, "NULL ctx accepted");
    libfix_ctx *ctx = libfix_new(NULL, NULL);
    FZ_CHECK(ctx != NULL, "libfix_new(NULL)");
    FZ_CHECK(libfix_repair(ctx, NULL, 1, &r) == LIBFIX_E_INVALID, "NULL input with length 1 accepted");
    FZ_CHECK(libfix_repair(ctx, "x", 1, NULL) == LIBFIX_E_INVALID, "NULL result accepted");
    FZ_CHECK(libfix_repair(ctx, NULL, 0, &r) == LIBFIX_OK && r.len == 0 && r.text && r.text[0] == 0 &&
                 !(r.flags & LIBFIX_CHANGED),
             "empty input");
    libfix_result_clear(&r);
    libfix_free(ctx);
    libfix_free(NULL);
    libfix_options bad;
    libfix_options_init(&bad);
    bad.max_depth = 4;
    int err = 0;
    FZ_CHECK(libfix_new(&bad, &err) == NULL && err == LIBFIX_E_OPTION, "max_depth 4 accepted");
    bad.max_depth = 3;
    bad.target = (libfix_target)7;
    FZ_CHECK(libfix_new(&bad, &err) == NULL && err == LIBFIX_E_OPTION, "target 7 accepted");
}

/* Chinese punctuation as it appears in clean Simplified text. */
static int is_cjk_punct(uint32_t c) {
    static const uint32_t p[] = {0xFF0C, 0x3002, 0x3001, 0xFF1A, 0xFF1B, 0xFF01, 0xFF1F, 0x201C,
                                 0x201D, 0x2018, 0x2019, 0x300A, 0x300B, 0xFF08, 0xFF09, 0x3010,
                                 0x3011, 0x2026, 0x2014, 0x00B7, 0x300C, 0x300D};
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++)
        if (p[i] == c) return 1;
    return 0;
}

static int allowed(uint32_t c, int rich) {
    if (c < 0x80) {
        if (rich) return (c >= 0x20 && c < 0x7F) || c == '\n' || c == '\t';
        return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == ' ' ||
               c == '\n' || (c && strchr(",.:;!'\"-/", (int)c) != NULL);
    }
    /* with '?' and the other ASCII, the model's cheap set would spell real mojibake (鍙?) */
    return han_in(gb2312_l1, c) || (!rich && han_in(cheap_han, c)) || is_cjk_punct(c);
}

/* Keep only allowed code points of the UTF-8 decoding of in; returns a malloc'd UTF-8 string.
 * *all_cheap tells whether every Han character kept is one of the model's cheap ones. */
static uint8_t *clean_text(const uint8_t *in, size_t n, int rich, size_t *out_len, int *all_cheap) {
    size_t ncp;
    uint32_t *cp = fz_utf8_decode(in, n, &ncp);
    uint8_t *out = malloc(4 * ncp + 1);
    if (!out) abort();
    size_t k = 0;
    *all_cheap = 1;
    for (size_t i = 0; i < ncp; i++) {
        if (!allowed(cp[i], rich)) continue;
        if (cp[i] >= 0x4E00 && cp[i] < 0xA000 && !han_in(cheap_han, cp[i])) *all_cheap = 0;
        k += (size_t)lfx_utf8_put(out + k, cp[i]);
    }
    free(cp);
    *out_len = k;
    return out;
}

static int ctx_depth(uint8_t optbyte) { return 3 - (int)(((optbyte >> 1) & 3) % 3); }

static libfix_ctx *ctx_for(uint8_t optbyte) {
    unsigned key = optbyte & 0x1F;
    if (ctxs[key]) return ctxs[key];
    libfix_options opt;
    libfix_options_init(&opt);
    opt.target = (optbyte & 1) ? LIBFIX_TARGET_KEEP : LIBFIX_TARGET_HANS;
    opt.max_depth = ctx_depth(optbyte);
    opt.restore_fullwidth = (optbyte >> 3) & 1;
    opt.text_layers = !((optbyte >> 4) & 1);
    int err = -99;
    ctxs[key] = libfix_new(&opt, &err);
    FZ_CHECK(ctxs[key] != NULL && err == LIBFIX_OK, "libfix_new failed: %d", err);
    return ctxs[key];
}

/* Properties every successful result has. */
static void check_result(const libfix_result *r, const uint8_t *in, size_t n) {
    FZ_CHECK(r->text != NULL, "text is NULL");
    FZ_CHECK(r->text[r->len] == 0, "text not NUL-terminated");
    size_t bad = fz_utf8_valid_prefix((const uint8_t *)r->text, r->len);
    FZ_CHECK(bad == r->len, "output not valid UTF-8 at byte %zu of %zu", bad, r->len);
    FZ_CHECK(r->len <= REPAIR_BOUND(n), "output of %zu bytes for %zu input bytes exceeds the bound", r->len, n);
    FZ_CHECK((r->flags & ~15u) == 0, "unknown flag bits %#x", r->flags);
    FZ_CHECK(!(r->flags & LIBFIX_UNRECOVERABLE) || (r->flags & LIBFIX_LOSSY), "UNRECOVERABLE without LOSSY");
    int differs = r->len != n || (n && memcmp(r->text, in, n) != 0);
    FZ_CHECK(!!(r->flags & LIBFIX_CHANGED) == differs, "CHANGED flag %d but text %s", !!(r->flags & LIBFIX_CHANGED),
             differs ? "differs" : "is identical");
    /* text whose search ran out of work comes back as it was (raw bytes: as decoded) */
    FZ_CHECK(!(r->flags & LIBFIX_LIMITED) || !differs || fz_utf8_valid_prefix(in, n) != n,
             "LIMITED but valid UTF-8 input changed");
    FZ_CHECK(isfinite(r->confidence) && r->confidence >= 0 && r->confidence <= 1, "confidence %g", r->confidence);
    FZ_CHECK(r->n_steps <= LFX_MAX_STEPS, "%zu steps", r->n_steps);
    FZ_CHECK(r->n_steps == 0 || r->steps != NULL, "steps NULL with n_steps %zu", r->n_steps);
    for (size_t i = 0; i < r->n_steps; i++) {
        FZ_CHECK(r->steps[i] != NULL, "step %zu NULL", i);
        size_t k = strlen(r->steps[i]);
        FZ_CHECK(k > 0 && k < 24, "step %zu has length %zu", i, k);
    }
}

/* Does out differ from in only by ASCII punctuation made full-width (allowed when fullwidth)? */
static int only_fullwidth_changes(const uint8_t *in, size_t n, const char *out, size_t on, int fullwidth) {
    if (!fullwidth) return 0;
    size_t a, b;
    uint32_t *x = fz_utf8_decode(in, n, &a), *y = fz_utf8_decode((const uint8_t *)out, on, &b);
    int ok = a == b;
    for (size_t i = 0; ok && i < a; i++) {
        if (x[i] == y[i]) continue;
        const char *ascii = ",:;?!()";
        const uint32_t full[] = {0xFF0C, 0xFF1A, 0xFF1B, 0xFF1F, 0xFF01, 0xFF08, 0xFF09};
        const char *p = x[i] ? strchr(ascii, (int)x[i]) : NULL;
        ok = x[i] < 0x80 && p && full[p - ascii] == y[i];
    }
    free(x);
    free(y);
    return ok;
}

/* Did the repair begin by decoding escapes (or only restore full-width punctuation)? Escapes
 * in clean text can hold anything, damaged text included, so later steps are allowed then. */
static int starts_with_text_layer(const libfix_result *r) {
    static const char *const ok[] = {"ncr", "uescape", "percent", "hz", "mime", "qp", "fullwidth"};
    if (r->n_steps == 0) return 0;
    for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++)
        if (strcmp(r->steps[0], ok[k]) == 0) return 1;
    return 0;
}

static int same_result(const libfix_result *a, const libfix_result *b) {
    if (a->len != b->len || memcmp(a->text, b->text, a->len) != 0 || a->flags != b->flags ||
        a->n_steps != b->n_steps || a->confidence != b->confidence)
        return 0;
    for (size_t i = 0; i < a->n_steps; i++)
        if (strcmp(a->steps[i], b->steps[i]) != 0) return 0;
    return 1;
}

static void show(const char *label, const uint8_t *s, size_t n) {
    fprintf(stderr, "  %s (%zu bytes): ", label, n);
    for (size_t i = 0; i < n && i < 200; i++) {
        if (s[i] >= 0x20 && s[i] != 0x7F) fputc(s[i], stderr);
        else fprintf(stderr, "\\x%02x", s[i]);
    }
    fprintf(stderr, n > 200 ? "...\n" : "\n");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    init_common();
    uint8_t optbyte = data[0];
    const uint8_t *in = data + 1;
    size_t n = size - 1;
    int clean = (optbyte >> 5) & 1, rich = (optbyte >> 6) & 1, all_cheap = 0;
    uint8_t *filtered = NULL;
    if (clean) {
        filtered = clean_text(in, n, rich, &n, &all_cheap);
        in = filtered;
    }
    libfix_ctx *ctx = ctx_for(optbyte);

    uint8_t *copy = malloc(n ? n : 1);
    if (!copy) abort();
    if (n) memcpy(copy, in, n);

    libfix_result r;
    memset(&r, 0xA5, sizeof r); /* the result need not be initialised */
    int rc = libfix_repair(ctx, (const char *)in, n, &r);
    FZ_CHECK(rc == LIBFIX_OK, "libfix_repair returned %d (%s)", rc, libfix_strerror(rc));
    FZ_CHECK(n == 0 || memcmp(copy, in, n) == 0, "libfix_repair wrote to its input");
    check_result(&r, in, n);
    fz_note_size(clean ? "repair.clean" : "repair", n, r.len);

    /* clean text comes back unchanged; with restore_fullwidth, at most its ASCII , : ; ? ! ( )
     * turn full-width. Asserted for the model's cheap characters; for GB2312 level 1 it is a
     * strict property. */
    int clean_changed = clean && (r.flags & LIBFIX_CHANGED) && !only_fullwidth_changes(in, n, r.text, r.len, optbyte & 8);
    if (clean_changed && !rich && all_cheap) {
        show("clean input", in, n);
        show("output", (const uint8_t *)r.text, r.len);
        FZ_CHECK(0, "clean Simplified text was changed (options %#x)", optbyte);
    }

#ifdef LFX_FUZZ_STRICT
    if (clean && !rich) {
        fz_strict_ran("repair.clean_gb2312");
        if (clean_changed) {
            if (!getenv("LFX_FUZZ_STRICT_CONTINUE")) {
                show("clean input", in, n);
                show("output", (const uint8_t *)r.text, r.len);
            }
            fz_strict_fail("repair.clean_gb2312", data, size, "clean GB2312 text changed by %s (options %#x)",
                           r.n_steps ? r.steps[0] : "no step", optbyte);
        }
    }
    /* clean text with ASCII punctuation may hold escapes ("&#20013;", "~{VP~}") that text
     * layers rightly decode (and what they decode to may be damaged); without them nothing
     * may change it */
    if (clean && rich) {
        fz_strict_ran("repair.clean_rich");
        if (clean_changed && !starts_with_text_layer(&r)) {
            if (!getenv("LFX_FUZZ_STRICT_CONTINUE")) {
                show("clean input", in, n);
                show("output", (const uint8_t *)r.text, r.len);
            }
            fz_strict_fail("repair.clean_rich", data, size, "clean text with ASCII punctuation changed by %s (%zu -> %zu bytes)",
                           r.n_steps ? r.steps[0] : "no step", n, r.len);
        }
    }
    /* the same call again gives the same result */
    libfix_result r2;
    FZ_CHECK(libfix_repair(ctx, (const char *)in, n, &r2) == LIBFIX_OK, "second repair failed");
    fz_strict_ran("repair.deterministic");
    if (!same_result(&r, &r2)) fz_strict_fail("repair.deterministic", data, size, "two calls, two results");
    libfix_result_clear(&r2);
#else
    (void)same_result;
    (void)starts_with_text_layer;
#endif

    /* the steps name what changed the text, and only a change has steps */
    FZ_CHECK(!(r.flags & LIBFIX_CHANGED) || r.n_steps > 0, "text changed but no step names why");
    FZ_CHECK((r.flags & LIBFIX_CHANGED) || r.n_steps == 0, "%zu steps (%s) but text unchanged", r.n_steps,
             r.n_steps ? r.steps[0] : "");
    /* repairing the output changes nothing (any max_depth: repair runs to a fixed point). An
     * unchanged output is its input, whose repair is the same call again. */
    if (r.flags & LIBFIX_CHANGED) {
        libfix_result r3;
        FZ_CHECK(libfix_repair(ctx, r.text, r.len, &r3) == LIBFIX_OK, "repair of the output failed");
        check_result(&r3, (const uint8_t *)r.text, r.len);
        if (r3.flags & LIBFIX_CHANGED) {
            show("input", in, n);
            show("repair(input)", (const uint8_t *)r.text, r.len);
            show("repair(repair(input))", (const uint8_t *)r3.text, r3.len);
            FZ_CHECK(0, "repair(repair(x)) != repair(x) (options %#x)", optbyte);
        }
        libfix_result_clear(&r3);
    }

    libfix_result_clear(&r);
    FZ_CHECK(r.text == NULL && r.steps == NULL && r.n_steps == 0 && r.len == 0 && r.internal_ == NULL,
             "result not zeroed by libfix_result_clear");
    libfix_result_clear(&r); /* twice is safe */
    libfix_result_clear(NULL);

    free(copy);
    free(filtered);
    return 0;
}
