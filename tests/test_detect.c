/* Encoding detection: BOMs, UTF-16, and short GBK / Big5 / GB18030 input where uchardet alone
 * gives up; ranked guesses with confidences that sum to at most 1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "internal.h"
#include "test_helpers.h"

static libfix_ctx *g_ctx;

static int setup(void **state) {
    (void)state;
    g_ctx = libfix_new(NULL, NULL);
    return g_ctx ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    libfix_free(g_ctx);
    return 0;
}

/* Encode UTF-8 text with one of our codecs, detect it, and check the best guess. */
static void expect_detect(lfx_codec c, const char *utf8, const char *want) {
    lfx_u32 cps;
    lfx_u32_init(&cps);
    lfx_utf8_decode_lossy((const uint8_t *)utf8, strlen(utf8), &cps);
    lfx_buf b;
    lfx_buf_init(&b);
    encode_cps(c, &cps, &b);
    libfix_guess g[8];
    size_t n = 0;
    assert_int_equal(libfix_detect(g_ctx, (const char *)b.data, b.len, g, 8, &n), LIBFIX_OK);
    assert_true(n >= 1);
    if (strcmp(g[0].encoding, want) != 0)
        fail_msg("\"%s\" as %s detected as %s (%.2f)", utf8, want, g[0].encoding, g[0].confidence);
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(g[i].confidence >= 0 && g[i].confidence <= 1);
        if (i) assert_true(g[i].confidence <= g[i - 1].confidence);
        sum += g[i].confidence;
    }
    assert_true(sum <= 1.0001);
    /* and repair decodes it to the text */
    libfix_result r;
    assert_int_equal(libfix_repair(g_ctx, (const char *)b.data, b.len, &r), LIBFIX_OK);
    libfix_result_clear(&r);
    lfx_buf_free(&b);
    lfx_u32_free(&cps);
}

static void test_short_gbk(void **state) {
    (void)state;
    const char *words[] = {"回车", "静态对象代码库", "命令没有找到", "发送成功", "文件", "设置密码",
                           "网络连接已断开"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) expect_detect(LFX_GB18030, words[i], "GBK");
}

static void test_short_big5(void **state) {
    (void)state;
    const char *words[] = {"檢查指定進程的授權", "網路連線", "請輸入密碼", "設定檔案"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) expect_detect(LFX_BIG5, words[i], "BIG5");
}

static void test_gb18030_four_byte(void **state) {
    (void)state;
    expect_detect(LFX_GB18030, "价格À的咖啡", "GB18030"); /* À is not in GBK: four bytes */
}

static void test_utf16(void **state) {
    (void)state;
    libfix_guess g[4];
    size_t n;
    const char le_bom[] = "\xff\xfe\x2d\x4e\x87\x65"; /* BOM 中文 */
    assert_int_equal(libfix_detect(g_ctx, le_bom, 6, g, 4, &n), LIBFIX_OK);
    assert_string_equal(g[0].encoding, "UTF-16LE");
    const char be_bom[] = "\xfe\xff\x4e\x2d\x65\x87";
    assert_int_equal(libfix_detect(g_ctx, be_bom, 6, g, 4, &n), LIBFIX_OK);
    assert_string_equal(g[0].encoding, "UTF-16BE");
    libfix_result r;
    assert_int_equal(libfix_repair(g_ctx, le_bom, 6, &r), LIBFIX_OK);
    assert_string_equal(r.text, "中文");
    libfix_result_clear(&r);
    /* no BOM, and every byte valid UTF-8 (NUL and ASCII, Θ = CE 98): the NUL after each ASCII
     * letter says UTF-16LE. "Perl 风格指南" */
    const char le[] = "P\0e\0r\0l\0 \0\xce\x98\x3c\x68\x07\x63\x57\x53";
    assert_int_equal(libfix_detect(g_ctx, le, sizeof le - 1, g, 4, &n), LIBFIX_OK);
    assert_string_equal(g[0].encoding, "UTF-16LE");
    assert_int_equal(libfix_repair(g_ctx, le, sizeof le - 1, &r), LIBFIX_OK);
    assert_string_equal(r.text, "Perl 风格指南");
    assert_true(r.flags & LIBFIX_CHANGED);
    libfix_result_clear(&r);
    /* "D - 下一屏": 一 is U+4E00, a NUL on the other side */
    const char le2[] = "D\0 \0-\0 \0\x0b\x4e\x00\x4e\x4f\x5c";
    assert_int_equal(libfix_repair(g_ctx, le2, sizeof le2 - 1, &r), LIBFIX_OK);
    assert_string_equal(r.text, "D - 下一屏");
    libfix_result_clear(&r);
}

static void test_utf8_is_utf8(void **state) {
    (void)state;
    libfix_guess g[4];
    size_t n;
    assert_int_equal(libfix_detect(g_ctx, "中文", strlen("中文"), g, 4, &n), LIBFIX_OK);
    assert_int_equal(n, 1);
    assert_string_equal(g[0].encoding, "UTF-8");
    assert_true(g[0].confidence == 1.0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_gbk), cmocka_unit_test(test_short_big5),
        cmocka_unit_test(test_gb18030_four_byte), cmocka_unit_test(test_utf16),
        cmocka_unit_test(test_utf8_is_utf8),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
