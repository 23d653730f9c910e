/* Fuzz harness for libfix_detect(): the first byte is the number of guesses asked for (mod 12),
 * the rest the bytes. Checked: status, count, NUL-terminated names of known encodings,
 * confidences in [0, 1] summing to at most 1 and sorted, UTF-8 input named UTF-8, the ranking
 * independent of how many guesses are asked for, and the encoding that repair decodes raw bytes
 * with (lfx_decode_raw) is the first guess, its output valid UTF-8. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "internal.h"
#include "libfix.h"

#define MAX_GUESSES 12

static const struct {
    const char *guess, *step;
} known[] = {
    {"GB18030", "bytes:gb18030"}, {"GBK", "bytes:gbk"},           {"BIG5", "bytes:big5"},
    {"SHIFT_JIS", "bytes:sjis"},  {"EUC-KR", "bytes:euckr"},      {"UTF-16LE", "bytes:utf-16le"},
    {"UTF-16BE", "bytes:utf-16be"}, {"WINDOWS-1252", "bytes:cp1252"}, {"UTF-8", "bytes:utf-8"},
};

static const char *step_of(const char *guess) {
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(known[i].guess, guess) == 0) return known[i].step;
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static libfix_ctx *ctx;
    if (!ctx) {
        ctx = libfix_new(NULL, NULL);
        FZ_CHECK(ctx != NULL, "libfix_new");
        size_t n = 99;
        libfix_guess g[2];
        FZ_CHECK(libfix_detect(NULL, "x", 1, g, 2, &n) == LIBFIX_E_INVALID && n == 0, "NULL ctx accepted");
        FZ_CHECK(libfix_detect(ctx, "x", 1, NULL, 2, &n) == LIBFIX_E_INVALID, "NULL guesses accepted");
        FZ_CHECK(libfix_detect(ctx, "x", 1, g, 2, NULL) == LIBFIX_E_INVALID, "NULL n accepted");
        FZ_CHECK(libfix_detect(ctx, NULL, 1, g, 2, &n) == LIBFIX_E_INVALID, "NULL input accepted");
        FZ_CHECK(libfix_detect(ctx, NULL, 0, g, 2, &n) == LIBFIX_OK && n == 1 && strcmp(g[0].encoding, "UTF-8") == 0,
                 "empty input is not one guess UTF-8");
        FZ_CHECK(libfix_detect(ctx, "\xb7\xa2", 2, NULL, 0, &n) == LIBFIX_OK && n == 0, "max 0");
    }
    if (size == 0) return 0;
    size_t max = data[0] % MAX_GUESSES;
    const uint8_t *in = data + 1;
    size_t len = size - 1;

    libfix_guess g[MAX_GUESSES + 1];
    memset(g, 0x5A, sizeof g); /* a canary past max */
    size_t n = 99;
    int rc = libfix_detect(ctx, (const char *)in, len, max ? g : NULL, max, &n);
    FZ_CHECK(rc == LIBFIX_OK, "libfix_detect returned %d", rc);
    FZ_CHECK(n <= max, "%zu guesses for max %zu", n, max);
    FZ_CHECK(max == 0 || n >= 1, "no guess");
    for (size_t i = max; i <= MAX_GUESSES; i++)
        FZ_CHECK(g[i].encoding[0] == 0x5A && g[i].encoding[23] == 0x5A, "guess %zu written past max %zu", i, max);
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        FZ_CHECK(memchr(g[i].encoding, 0, sizeof g[i].encoding) != NULL, "guess %zu not NUL-terminated", i);
        FZ_CHECK(step_of(g[i].encoding) != NULL, "unknown encoding name \"%s\"", g[i].encoding);
        FZ_CHECK(isfinite(g[i].confidence) && g[i].confidence >= 0 && g[i].confidence <= 1, "confidence %g",
                 g[i].confidence);
        FZ_CHECK(i == 0 || g[i].confidence <= g[i - 1].confidence, "guesses not sorted at %zu", i);
        for (size_t j = 0; j < i; j++)
            FZ_CHECK(strcmp(g[i].encoding, g[j].encoding) != 0, "\"%s\" guessed twice", g[i].encoding);
        sum += g[i].confidence;
    }
    FZ_CHECK(sum <= 1.0 + 1e-9, "confidences sum to %g", sum);
    /* valid UTF-8 is UTF-8, unless it is UTF-16 that happens to validate (NULs on one side,
     * ranked UTF-16 first: what repair decodes as UTF-16): then it is raw bytes like any other */
    int valid = fz_utf8_valid(in, len), utf16 = 0;
    if (valid && lfx_looks_utf16(in, len)) {
        lfx_buf u;
        lfx_buf_init(&u);
        lfx_steps us;
        memset(&us, 0, sizeof us);
        int ulossy = 0, rc = lfx_decode_raw(in, len, &u, &us, &ulossy, 1);
        FZ_CHECK(rc >= 0, "lfx_decode_raw failed");
        utf16 = rc == 0;
        lfx_buf_free(&u);
    }
    int utf8 = valid && !utf16;
    if (n > 0 && utf8) FZ_CHECK(strcmp(g[0].encoding, "UTF-8") == 0 && g[0].confidence == 1.0, "valid UTF-8 guessed as %s", g[0].encoding);
    if (n > 0 && utf16) FZ_CHECK(strncmp(g[0].encoding, "UTF-16", 6) == 0, "UTF-16 text guessed as %s", g[0].encoding);

    if (n == 0 || utf8) return 0;
    /* asking for all the guesses ranks the first ones the same way */
    libfix_guess all[MAX_GUESSES];
    size_t nall = 0;
    FZ_CHECK(libfix_detect(ctx, (const char *)in, len, all, MAX_GUESSES, &nall) == LIBFIX_OK, "detect all");
    FZ_CHECK(nall >= n, "%zu guesses with max %d, %zu with max %zu", nall, MAX_GUESSES, n, max);
    for (size_t i = 0; i < n; i++)
        FZ_CHECK(strcmp(all[i].encoding, g[i].encoding) == 0 && all[i].confidence == g[i].confidence,
                 "guess %zu differs with max %zu (%s) and max %d (%s)", i, max, g[i].encoding, MAX_GUESSES,
                 all[i].encoding);

    /* repair decodes raw bytes as the first guess */
    lfx_buf out;
    lfx_buf_init(&out);
    lfx_steps steps;
    memset(&steps, 0, sizeof steps);
    int lossy = 0;
    FZ_CHECK(lfx_decode_raw(in, len, &out, &steps, &lossy, 0) == 0, "lfx_decode_raw failed");
    FZ_CHECK(steps.n == 1, "%zu steps", steps.n);
    const char *want = step_of(g[0].encoding);
    FZ_CHECK(strcmp(steps.name[0], want) == 0, "repair decodes as %s, detect's first guess is %s", steps.name[0],
             g[0].encoding);
    FZ_CHECK(fz_utf8_valid(out.data ? out.data : (const uint8_t *)"", out.len), "lfx_decode_raw output not UTF-8");
    fz_note_size("decode_raw", len, out.len);
    lfx_buf_free(&out);
    return 0;
}
