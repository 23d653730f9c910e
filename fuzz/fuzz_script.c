/* Fuzz harness for the script layer (script.c). First byte (mod 4): 0 lfx_t2s with the default
 * candidates, 1 lfx_t2s with a chooser that picks from the input bytes (out-of-range picks
 * included), 2 lfx_pinyin_strip, 3 lfx_fullwidth_restore; the rest is UTF-8 text (invalid bytes
 * become U+FFFD). Checked: outputs are appended after what out holds; t2s keeps the length,
 * counts exactly the positions it changed, never touches code points below U+3400, calls the
 * chooser with consistent arguments; pinyin_strip only deletes parenthesised annotations
 * (its output is a subsequence of the input, the deleted code points are brackets and pinyin
 * letters); fullwidth_restore only turns , : ; ? ! ( ) into their full-width forms and counts
 * them; t2s and fullwidth_restore are idempotent. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "internal.h"

typedef struct chooser {
    const uint32_t *in;
    size_t n;
    const uint32_t *out_start; /* where t2s writes this text's output */
    const uint8_t *picks;
    size_t npicks, next;
    unsigned long calls;
} chooser;

static size_t choose_fuzz(void *ud, const uint32_t *left, size_t nleft, const uint32_t *cand, size_t ncand,
                          const uint32_t *right, size_t nright) {
    chooser *ch = ud;
    ch->calls++;
    FZ_CHECK(ncand >= 1 && ncand <= 16, "%zu candidates", ncand);
    for (size_t i = 0; i < ncand; i++) FZ_CHECK(fz_scalar(cand[i]) && cand[i] >= 0x80, "candidate U+%X", cand[i]);
    FZ_CHECK(left == ch->out_start, "left does not start at the output");
    FZ_CHECK(nleft < ch->n, "nleft %zu of %zu", nleft, ch->n);
    FZ_CHECK(right + nright == ch->in + ch->n && nright == ch->n - nleft - 1,
             "right context (%zu code points) is not the rest of the input after position %zu", nright, nleft);
    for (size_t i = 0; i < nleft; i++) FZ_CHECK(fz_scalar(left[i]), "left context U+%X", left[i]);
    if (ch->npicks == 0) return 0;
    uint8_t p = ch->picks[ch->next++ % ch->npicks];
    return p >= 0xF0 ? (size_t)-1 - (p & 3) : p % (ncand + 1); /* ncand and beyond: ignored */
}

static const uint32_t pre[3] = {'P', 0x4E2D, 'X'}; /* out is not empty: the layer appends */

static void prefill(lfx_u32 *v) {
    lfx_u32_init(v);
    for (size_t i = 0; i < 3; i++) lfx_u32_push(v, pre[i]);
}

static int is_annotation_cp(uint32_t c) {
    /* what a pinyin syllable may be written with: letters, tone digits, combining tone marks,
     * precomposed Latin letters with tones (below U+0300 or in Latin Extended Additional) */
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '1' && c <= '5') || (c >= 0xC0 && c < 0x300) ||
           (c >= 0x300 && c <= 0x30C) || (c >= 0x1E00 && c <= 0x1EFF);
}

static void check_t2s(const uint32_t *cp, size_t n, int fuzz_choose, const uint8_t *data, size_t size) {
    for (size_t i = 0; i < n; i++) {
        int t = lfx_is_traditional(cp[i]);
        FZ_CHECK(t >= 0 && t <= 2, "lfx_is_traditional(U+%04X) = %d", cp[i], t);
    }
    lfx_u32 out;
    prefill(&out);
    chooser ch = {cp, n, NULL, data + 1, size - 1, 0, 0};
    size_t k;
    if (fuzz_choose) {
        /* reserve the room t2s needs, so that its output starts at out.data + 3 */
        for (size_t i = 0; i < n + 1; i++) lfx_u32_push(&out, 0);
        out.len = 3;
        ch.out_start = out.data + 3;
        k = lfx_t2s(cp, n, choose_fuzz, &ch, &out);
    } else {
        k = lfx_t2s(cp, n, NULL, NULL, &out);
    }
    FZ_CHECK(!out.failed, "allocation");
    FZ_CHECK(memcmp(out.data, pre, sizeof pre) == 0, "t2s overwrote what out held");
    FZ_CHECK(out.len == 3 + n, "t2s: %zu code points in, %zu out", n, out.len - 3);
    const uint32_t *o = out.data + 3;
    size_t diff = 0;
    for (size_t i = 0; i < n; i++) {
        FZ_CHECK(fz_scalar(o[i]), "t2s produced U+%X", o[i]);
        if (o[i] != cp[i]) {
            diff++;
            FZ_CHECK(cp[i] >= 0x3400, "t2s changed U+%04X (below U+3400) at %zu", cp[i], i);
        }
    }
    FZ_CHECK(diff == k, "t2s says %zu changed, %zu differ", k, diff);
    if (!fuzz_choose) {
        lfx_u32 again;
        lfx_u32_init(&again);
        size_t k2 = lfx_t2s(o, n, NULL, NULL, &again);
        FZ_CHECK(k2 == 0, "t2s(t2s(x)) changes %zu more", k2);
        lfx_u32_free(&again);
    }
    lfx_u32_free(&out);
}

static void check_pinyin(const uint32_t *cp, size_t n) {
    lfx_u32 out;
    prefill(&out);
    size_t k = lfx_pinyin_strip(cp, n, &out);
    FZ_CHECK(!out.failed, "allocation");
    FZ_CHECK(memcmp(out.data, pre, sizeof pre) == 0, "pinyin_strip overwrote what out held");
    const uint32_t *o = out.data + 3;
    size_t on = out.len - 3;
    FZ_CHECK(on <= n, "pinyin_strip grew the text (%zu -> %zu)", n, on);
    if (k == 0) FZ_CHECK(on == n && (n == 0 || memcmp(o, cp, n * sizeof *cp) == 0), "0 removed but output differs");
    /* the output is the input with some code points deleted: which ones does not depend on
     * the alignment, so a greedy match finds the deleted multiset */
    size_t j = 0, opens = 0, closes = 0, other = 0;
    for (size_t i = 0; i < n; i++) {
        if (j < on && o[j] == cp[i]) {
            j++;
            continue;
        }
        if (cp[i] == '(' || cp[i] == 0xFF08)
            opens++;
        else if (cp[i] == ')' || cp[i] == 0xFF09)
            closes++;
        else if (!is_annotation_cp(cp[i]))
            other++;
    }
    FZ_CHECK(j == on, "pinyin_strip output is not a subsequence of its input");
    FZ_CHECK(opens == k && closes == k, "%zu annotations removed: %zu opening, %zu closing brackets deleted", k, opens,
             closes);
    FZ_CHECK(other == 0, "pinyin_strip deleted %zu code points that cannot be pinyin", other);
    FZ_CHECK(k == 0 || n - on >= 3 * k, "%zu annotations in %zu deleted code points", k, n - on);
    lfx_u32_free(&out);
}

static uint32_t fullwidth_of(uint32_t c) {
    switch (c) {
    case ',': return 0xFF0C;
    case ':': return 0xFF1A;
    case ';': return 0xFF1B;
    case '?': return 0xFF1F;
    case '!': return 0xFF01;
    case '(': return 0xFF08;
    case ')': return 0xFF09;
    default: return 0;
    }
}

static void check_fullwidth(const uint32_t *cp, size_t n, const uint8_t *data, size_t size) {
    uint32_t *v = malloc((n ? n : 1) * sizeof *v);
    if (!v) abort();
    if (n) memcpy(v, cp, n * sizeof *v);
    size_t k = lfx_fullwidth_restore(v, n);
    size_t diff = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] == cp[i]) continue;
        diff++;
        FZ_CHECK(fullwidth_of(cp[i]) == v[i], "fullwidth_restore turned U+%04X into U+%04X", cp[i], v[i]);
    }
    FZ_CHECK(diff == k, "fullwidth_restore says %zu, %zu changed", k, diff);
    (void)data;
    (void)size;
    size_t k2 = lfx_fullwidth_restore(v, n);
    FZ_CHECK(k2 == 0, "a second fullwidth_restore changes %zu more", k2);
    free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    int mode = data[0] % 4;
    size_t n;
    uint32_t *cp = fz_utf8_decode(data + 1, size - 1, &n);
    switch (mode) {
    case 0:
    case 1: check_t2s(cp, n, mode == 1, data, size); break;
    case 2: check_pinyin(cp, n); break;
    default: check_fullwidth(cp, n, data, size); break;
    }
    free(cp);
    return 0;
}
