/* The language model orders text the way repairs need: common Chinese < rare characters <
 * what only damage produces; per-code-point scores add up to the whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "internal.h"

static double score_utf8(const char *s) {
    lfx_u32 v;
    lfx_u32_init(&v);
    lfx_utf8_decode_lossy((const uint8_t *)s, strlen(s), &v);
    double c = lfx_model_score(v.data, v.len, NULL);
    lfx_u32_free(&v);
    return c;
}

static void test_repair_beats_mojibake(void **state) {
    (void)state;
    /* the same text and three of its damaged forms */
    assert_true(score_utf8("发送成功") + 20 < score_utf8("鍙戦€佹垚鍔"));
    assert_true(score_utf8("发送成功") + 20 < score_utf8("å‘é€æˆåŠŸ"));
    assert_true(score_utf8("没有报告错误") + 20 < score_utf8("Ã»ÓÐ±¨¸æ´íÎó"));
}

static void test_classes(void **state) {
    (void)state;
    float common = lfx_model_cost(0, 0x7684);  /* 的 */
    float rare = lfx_model_cost(0, 0x9359);    /* 鍙 */
    float c1 = lfx_model_cost(0, 0x0085);
    float pua = lfx_model_cost(0, 0xE000);
    float fffd = lfx_model_cost(0, 0xFFFD);
    assert_true(common < rare);
    assert_true(rare < c1 && rare < pua);
    /* U+FFFD is a character known to be lost: dearer than common text, cheaper than damage */
    assert_true(common < fffd && fffd < c1 && fffd < pua);
    /* a word's second character costs less after its first */
    assert_true(lfx_model_cost(0x53D1, 0x9001) < lfx_model_cost(0x9359, 0x9001)); /* 发送 vs 鍙送 */
    /* 。 ends sentences far more often than 、 parts lists (UTF-8 read as GBK loses the last
     * byte of both alike: E3 80 82 and E3 80 81), and after most characters */
    assert_true(lfx_model_cost(0x7406, 0x3002) + 2 < lfx_model_cost(0x7406, 0x3001)); /* 理。 理、 */
    assert_true(lfx_model_cost(0x8BBE, 0x3002) + 2 < lfx_model_cost(0x8BBE, 0x3001)); /* 设 */
    /* a word alone between spaces: the few that stand so (或 and 与 between options) */
    assert_true(score_utf8("-i 或 -v") + 3 < score_utf8("-i 我 -v"));
    assert_true(score_utf8("IPv4 与 IPv6") + 1 < score_utf8("IPv4 不 IPv6"));
    /* next to ASCII text: 第 before a number, 节 after one */
    assert_true(score_utf8("参见第 7.7 节") < score_utf8("参见笑 7.7 花"));
    /* after a digit, at once or after a space, the characters that count things (8 个 设备) */
    assert_true(lfx_model_cost('8', 0x4E2A) + 2 < lfx_model_cost('x', 0x4E2A));              /* 个 */
    assert_true(lfx_model_cost3('2', ' ', 0x5E74) + 2 < lfx_model_cost3('x', ' ', 0x5E74)); /* 年 */
    assert_true(lfx_model_cost('1', 0x65E5) < lfx_model_cost('1', 0x65F6));                  /* 1日 1时 */
    /* running text's trigrams: what the character pairs alone get wrong (个文 is rare and 中文
     * a word, but 那个 文件 are two; 第三 is a word that 行 does not go on) */
    assert_true(score_utf8("打开那个文件") + 4 < score_utf8("打开那中文件"));
    assert_true(score_utf8("请见第三行") + 4 < score_utf8("请见秀三行"));
    /* after a mark that ends a clause, the words that begin clauses (，然而: Big5 ， read as GBK
     * loses its lead byte A1 and A7 41 is 你) */
    assert_true(score_utf8("提示，然而") + 1 < score_utf8("提示你然而"));
    assert_true(lfx_model_cost3(0x793A, 0xFF0C, 0x7136) + 2 < lfx_model_cost3(0x793A, 0x4F60, 0x7136));
    /* 、 lists names (puts、gets), ： ends lines that introduce what follows */
    assert_true(score_utf8("用 puts、gets 和") + 1 < score_utf8("用 puts。gets 和"));
    assert_true(lfx_model_cost(0xFF1A, '\n') + 3 < lfx_model_cost(0xFF0C, '\n'));
    /* a line ends after a closing quote, not an opening one (可。 lost read as 可“) */
    assert_true(lfx_model_cost(0x201C, '\n') > lfx_model_cost(0x201D, '\n') + 4);
    assert_true(lfx_model_cost(0x300A, '\n') > lfx_model_cost(0x300B, '\n') + 4);
    for (uint32_t cp = 0; cp < 0x110000; cp += 97) {
        float c = lfx_model_cost(0x4E2D, cp);
        assert_true(c >= 0 && c < 64);
    }
}

static void test_per_cp_sums(void **state) {
    (void)state;
    uint32_t cps[] = {0x4E2D, 0x6587, 'a', 0x3002, 0xFFFD};
    float per[5];
    double total = lfx_model_score(cps, 5, per);
    double sum = 0;
    for (int i = 0; i < 5; i++) sum += per[i];
    assert_true(total - sum < 1e-3 && sum - total < 1e-3);
    assert_true(lfx_model_score(cps, 0, NULL) == 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_repair_beats_mojibake),
        cmocka_unit_test(test_classes),
        cmocka_unit_test(test_per_cp_sums),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
