/* Golden vectors shared with the Python and Lua tests (tests/vectors/golden.jsonl): every kind
 * of damage the vectors hold, repaired exactly; clean text unchanged; repairing the output
 * again changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "jsonl.h"

static void test_golden(void **state) {
    (void)state;
    FILE *f = fopen(LFX_SOURCE_DIR "/tests/vectors/golden.jsonl", "rb");
    assert_non_null(f);
    libfix_options ko;
    libfix_options_init(&ko);
    ko.target = LIBFIX_TARGET_KEEP;
    libfix_ctx *hans = libfix_new(NULL, NULL), *keep = libfix_new(&ko, NULL);
    char *line = NULL;
    size_t cap = 0;
    lfx_buf name, input, raw, expected, target;
    lfx_buf_init(&name);
    lfx_buf_init(&input);
    lfx_buf_init(&raw);
    lfx_buf_init(&expected);
    lfx_buf_init(&target);
    int n = 0, bad = 0;
    while (getline(&line, &cap, f) > 0) {
        assert_true(lfx_json_get_string(line, "name", &name));
        assert_true(lfx_json_get_string(line, "expected", &expected));
        const lfx_buf *in = &input;
        if (!lfx_json_get_string(line, "input", &input)) {
            assert_true(lfx_json_get_string(line, "input_b64", &input));
            lfx_b64decode(&input, &raw);
            in = &raw;
        }
        int changed = lfx_json_get_true(line, "changed");
        libfix_ctx *ctx = hans;
        if (lfx_json_get_string(line, "target", &target) && target.len == 4 && !memcmp(target.data, "keep", 4)) ctx = keep;
        libfix_result r;
        assert_int_equal(libfix_repair(ctx, (const char *)in->data, in->len, &r), LIBFIX_OK);
        n++;
        if (r.len != expected.len || memcmp(r.text, expected.data, r.len) != 0 ||
            !!(r.flags & LIBFIX_CHANGED) != changed) {
            print_message("FAIL %.*s: got \"%.*s\" flags %u\n", (int)name.len, name.data, (int)r.len, r.text, r.flags);
            bad++;
        } else {
            /* the repair is a fixed point */
            libfix_result again;
            assert_int_equal(libfix_repair(ctx, r.text, r.len, &again), LIBFIX_OK);
            if (again.len != r.len || memcmp(again.text, r.text, r.len) != 0 || (again.flags & LIBFIX_CHANGED)) {
                print_message("NOT IDEMPOTENT %.*s\n", (int)name.len, name.data);
                bad++;
            }
            libfix_result_clear(&again);
        }
        libfix_result_clear(&r);
    }
    print_message("%d golden vectors, %d failed\n", n, bad);
    assert_true(n > 100);
    assert_int_equal(bad, 0);
    free(line);
    fclose(f);
    lfx_buf_free(&name);
    lfx_buf_free(&input);
    lfx_buf_free(&raw);
    lfx_buf_free(&expected);
    lfx_buf_free(&target);
    libfix_free(hans);
    libfix_free(keep);
}

static void read_file(const char *path, lfx_buf *b) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char tmp[4096];
    size_t k;
    while ((k = fread(tmp, 1, sizeof tmp, f)) > 0) lfx_buf_append(b, tmp, k);
    fclose(f);
    while (b->len && (b->data[b->len - 1] == '\n' || b->data[b->len - 1] == '\r')) b->len--;
}

/* The news page pushed through a Simplified->Traditional converter that inlined pinyin and
 * NFKC-folded punctuation: repaired to the expected text (both compared without the final
 * newline, which the damaged file lacks). */
static void test_news_sample(void **state) {
    (void)state;
    lfx_buf in, want;
    lfx_buf_init(&in);
    lfx_buf_init(&want);
    read_file(LFX_SOURCE_DIR "/examples/news_sample.garbled.txt", &in);
    read_file(LFX_SOURCE_DIR "/examples/news_sample.expected.txt", &want);
    libfix_ctx *ctx = libfix_new(NULL, NULL);
    libfix_result r;
    assert_int_equal(libfix_repair(ctx, (const char *)in.data, in.len, &r), LIBFIX_OK);
    assert_int_equal(r.len, want.len);
    assert_memory_equal(r.text, want.data, want.len);
    int pinyin = 0, t2s = 0;
    for (size_t i = 0; i < r.n_steps; i++) {
        pinyin |= !strcmp(r.steps[i], "pinyin");
        t2s |= !strcmp(r.steps[i], "t2s");
    }
    assert_true(pinyin && t2s);
    libfix_result_clear(&r);
    libfix_free(ctx);
    lfx_buf_free(&in);
    lfx_buf_free(&want);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_golden), cmocka_unit_test(test_news_sample)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
