/* The public API's contract: arguments, options, ownership, flags, version and errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "libfix.h"

static void test_version(void **state) {
    (void)state;
    assert_string_equal(libfix_version(), LIBFIX_VERSION_STRING);
    assert_int_equal(LIBFIX_VERSION_NUMBER, LIBFIX_VERSION_MAJOR * 10000 + LIBFIX_VERSION_MINOR * 100 + LIBFIX_VERSION_PATCH);
}

static void test_strerror(void **state) {
    (void)state;
    int codes[] = {LIBFIX_OK, LIBFIX_E_INVALID, LIBFIX_E_NOMEM, LIBFIX_E_OPTION, LIBFIX_E_TOO_LARGE, LIBFIX_E_INTERNAL, -999, 42};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *m = libfix_strerror(codes[i]);
        assert_non_null(m);
        assert_true(strlen(m) > 3);
    }
    assert_string_not_equal(libfix_strerror(LIBFIX_E_NOMEM), libfix_strerror(LIBFIX_E_INVALID));
}

static void test_options(void **state) {
    (void)state;
    libfix_options o;
    libfix_options_init(&o);
    assert_int_equal(o.target, LIBFIX_TARGET_HANS);
    assert_int_equal(o.max_depth, 3);
    assert_int_equal(o.text_layers, 1);
    assert_int_equal(o.restore_fullwidth, 0);
    int err = 123;
    o.max_depth = 0;
    assert_null(libfix_new(&o, &err));
    assert_int_equal(err, LIBFIX_E_OPTION);
    o.max_depth = 4;
    assert_null(libfix_new(&o, &err));
    o.max_depth = 2;
    o.target = (libfix_target)7;
    assert_null(libfix_new(&o, NULL));
    o.target = LIBFIX_TARGET_KEEP;
    libfix_ctx *ctx = libfix_new(&o, &err);
    assert_non_null(ctx);
    assert_int_equal(err, LIBFIX_OK);
    libfix_free(ctx);
    libfix_free(NULL);
    libfix_options_init(NULL);
}

static void test_null_arguments(void **state) {
    (void)state;
    libfix_ctx *ctx = libfix_new(NULL, NULL);
    assert_non_null(ctx);
    libfix_result r;
    assert_int_equal(libfix_repair(NULL, "a", 1, &r), LIBFIX_E_INVALID);
    assert_null(r.text);
    assert_int_equal(libfix_repair(ctx, "a", 1, NULL), LIBFIX_E_INVALID);
    assert_int_equal(libfix_repair(ctx, NULL, 3, &r), LIBFIX_E_INVALID);
    assert_int_equal(libfix_repair(ctx, NULL, 0, &r), LIBFIX_OK);
    assert_int_equal(r.len, 0);
    assert_non_null(r.text);
    assert_int_equal(r.text[0], 0);
    assert_int_equal(r.flags, 0);
    libfix_result_clear(&r);
    libfix_result_clear(&r); /* twice is safe */
    libfix_result_clear(NULL);
    size_t n = 9;
    libfix_guess g[4];
    assert_int_equal(libfix_detect(NULL, "a", 1, g, 4, &n), LIBFIX_E_INVALID);
    assert_int_equal(libfix_detect(ctx, "a", 1, NULL, 4, &n), LIBFIX_E_INVALID);
    assert_int_equal(libfix_detect(ctx, "a", 1, g, 4, NULL), LIBFIX_E_INVALID);
    assert_int_equal(libfix_detect(ctx, NULL, 1, g, 4, &n), LIBFIX_E_INVALID);
    assert_int_equal(libfix_detect(ctx, "a", 1, NULL, 0, &n), LIBFIX_OK);
    assert_int_equal(n, 0);
    assert_int_equal(libfix_detect(ctx, "", 0, g, 4, &n), LIBFIX_OK);
    assert_int_equal(n, 1);
    assert_string_equal(g[0].encoding, "UTF-8");
    libfix_free(ctx);
}

static void test_result_fields(void **state) {
    (void)state;
    libfix_ctx *ctx = libfix_new(NULL, NULL);
    libfix_result r;
    const char *garbled = "\xc3\xa5\xc2\x8f\xc2\x91\xc3\xa9\xc2\x80\xc2\x81"; /* 发送 as UTF-8 read as Latin-1 */
    assert_int_equal(libfix_repair(ctx, garbled, strlen(garbled), &r), LIBFIX_OK);
    assert_string_equal(r.text, "发送");
    assert_int_equal(r.len, strlen("发送"));
    assert_true(r.flags & LIBFIX_CHANGED);
    assert_false(r.flags & LIBFIX_LOSSY);
    assert_int_equal(r.n_steps, 1);
    assert_string_equal(r.steps[0], "utf-8>latin1");
    assert_true(r.confidence > 0.5 && r.confidence <= 1.0);
    libfix_result_clear(&r);
    assert_null(r.text);
    assert_null(r.steps);
    assert_int_equal(r.n_steps, 0);
    /* clean text: unchanged, no steps, full confidence */
    const char *clean = "今天天气很好。";
    assert_int_equal(libfix_repair(ctx, clean, strlen(clean), &r), LIBFIX_OK);
    assert_memory_equal(r.text, clean, strlen(clean));
    assert_int_equal(r.flags, 0);
    assert_int_equal(r.n_steps, 0);
    assert_true(r.confidence == 1.0);
    libfix_result_clear(&r);
    libfix_free(ctx);
}

static void test_context_reuse(void **state) {
    (void)state;
    libfix_ctx *ctx = libfix_new(NULL, NULL);
    for (int i = 0; i < 200; i++) {
        libfix_result r;
        const char *s = (i & 1) ? "\xc3\xa6\xc2\x96\xc2\x87" : "abc";
        assert_int_equal(libfix_repair(ctx, s, strlen(s), &r), LIBFIX_OK);
        assert_string_equal(r.text, (i & 1) ? "文" : "abc");
        libfix_result_clear(&r);
    }
    libfix_free(ctx);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version),      cmocka_unit_test(test_strerror),
        cmocka_unit_test(test_options),      cmocka_unit_test(test_null_arguments),
        cmocka_unit_test(test_result_fields), cmocka_unit_test(test_context_reuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
