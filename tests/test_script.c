/* Tests of the script layer: Traditional -> Simplified, inline pinyin removal, full-width
 * punctuation (libfix/script.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

static lfx_u32 decode(const char *s) {
    lfx_u32 v;
    lfx_u32_init(&v);
    lfx_utf8_decode_lossy((const uint8_t *)s, strlen(s), &v);
    return v;
}

/* UTF-8 of v as a NUL-terminated string the caller frees. */
static char *encode(const lfx_u32 *v) {
    lfx_buf b;
    lfx_buf_init(&b);
    lfx_utf8_encode(v->data, v->len, &b);
    lfx_buf_putc(&b, 0);
    assert_false(b.failed);
    return (char *)b.data;
}

/* Runs one of the converting functions on UTF-8 and checks text and count. */
typedef enum { T2S, PINYIN } op;

static void check_choose(op o, const char *in, const char *want, size_t want_count,
                         lfx_choose_fn choose, void *ud) {
    lfx_u32 src = decode(in), out;
    lfx_u32_init(&out);
    size_t count = o == T2S ? lfx_t2s(src.data, src.len, choose, ud, &out)
                            : lfx_pinyin_strip(src.data, src.len, &out);
    assert_false(out.failed);
    char *got = encode(&out);
    assert_string_equal(got, want);
    assert_int_equal(count, want_count);
    free(got);
    lfx_u32_free(&src);
    lfx_u32_free(&out);
}

static void check(op o, const char *in, const char *want, size_t want_count) {
    check_choose(o, in, want, want_count, NULL, NULL);
}

static void check_fullwidth(const char *in, const char *want, size_t want_count) {
    lfx_u32 v = decode(in);
    size_t count = lfx_fullwidth_restore(v.data, v.len);
    char *got = encode(&v);
    assert_string_equal(got, want);
    assert_int_equal(count, want_count);
    free(got);
    lfx_u32_free(&v);
}

static void t2s_characters(void **state) {
    (void)state;
    check(T2S, "這個問題很重要", "这个问题很重要", 4);
    check(T2S, "頭髮乾了", "头发干了", 3);
    /* 鍾 alone is 钟, OpenCC's first candidate */
    check(T2S, "一見鍾情", "一见钟情", 2);
}

/* t2s of t2s's output changes nothing, character by character: a candidate that is itself the
 * Traditional form of another is followed to its end (薴 -> 苧 -> 苎: the script harness's
 * finding). Every code point from U+3400 to U+FFFF and the supplementary ideographs t2s knows. */
static void t2s_fixed_point_every_character(void **state) {
    (void)state;
    size_t checked = 0;
    for (uint32_t c = 0x3400; c < 0x30000; c++) {
        if (c >= 0xD800 && c < 0xE000) continue;
        if (c >= 0x10000 && c < 0x20000) c = 0x20000;
        lfx_u32 once, twice;
        lfx_u32_init(&once);
        lfx_u32_init(&twice);
        lfx_t2s(&c, 1, NULL, NULL, &once);
        assert_int_equal(once.len, 1);
        size_t k = lfx_t2s(once.data, 1, NULL, NULL, &twice);
        if (k != 0) fail_msg("U+%04X -> U+%04X -> U+%04X", c, once.data[0], twice.data[0]);
        checked += once.data[0] != c;
        lfx_u32_free(&once);
        lfx_u32_free(&twice);
    }
    assert_true(checked > 4000); /* (the characters t2s changes: all of them were checked) */
    check(T2S, "薴", "苎", 1);
}

static void t2s_phrases(void **state) {
    (void)state;
    /* TSPhrases overrides the character table: 畫 -> 划 (not 画), 鍾 -> 锺 in the name,
     * 於 kept in 樊於期, 瞭 -> 了 in 據瞭解 though 瞭 alone stays 瞭. */
    check(T2S, "計畫", "计划", 2);
    check(T2S, "畫畫", "画画", 2);
    check(T2S, "錢鍾書的書", "钱锺书的书", 4);
    check(T2S, "樊於期", "樊於期", 0);
    check(T2S, "關於他", "关于他", 2);
    check(T2S, "據瞭解", "据了解", 2);
    /* a phrase's value is converted no further: 於則 -> 於则 (a name), and 於则 stays (於 alone
     * would be 于): t2s of its own output changes nothing (the script harness's finding) */
    check(T2S, "於則經", "於则经", 2);
    check(T2S, "於则经", "於则经", 0);
    check(T2S, "於梨華", "於梨华", 1);
    check(T2S, "於梨华", "於梨华", 0);
    check(T2S, "於是", "于是", 1);
    check(T2S, "瞭望", "瞭望", 0);
    /* a phrase cut off by the end of the input is not a match */
    check(T2S, "錢鍾", "钱钟", 2);
}

/* Records the calls and picks 着 where a toy rule says so. */
typedef struct choose_log {
    int calls;
    char left_at_second_zhe[64];
} choose_log;

static size_t toy_choose(void *ud, const uint32_t *left, size_t nleft, const uint32_t *cand,
                         size_t ncand, const uint32_t *right, size_t nright) {
    choose_log *log = ud;
    log->calls++;
    if (ncand == 2 && cand[0] == 0x8457 /* 著 */ && cand[1] == 0x7740 /* 着 */) {
        if (log->calls == 2) {
            lfx_u32 l = {(uint32_t *)left, nleft, nleft, 0};
            char *s = encode(&l);
            strncpy(log->left_at_second_zhe, s, sizeof log->left_at_second_zhe - 1);
            free(s);
        }
        int after_gen = nleft > 0 && left[nleft - 1] == 0x8DDF;   /* 跟 */
        int before_yan = nright > 0 && right[0] == 0x773C;        /* 眼 */
        return after_gen || before_yan ? 1 : 0;
    }
    return 0;
}

static size_t out_of_range_choose(void *ud, const uint32_t *left, size_t nleft,
                                  const uint32_t *cand, size_t ncand, const uint32_t *right,
                                  size_t nright) {
    (void)ud, (void)left, (void)nleft, (void)cand, (void)right, (void)nright;
    return ncand + 3;
}

static void t2s_one_to_many(void **state) {
    (void)state;
    choose_log log = {0, ""};
    /* 著 is 着 after 跟 and before 眼, stays 著 in 著名; 於 goes to the callback too (-> 于) */
    check_choose(T2S, "跟著他著眼於未來的著名學者", "跟着他着眼于未来的著名学者", 5, toy_choose,
                 &log);
    assert_int_equal(log.calls, 4);
    /* left is the converted text so far, right the unconverted rest */
    assert_string_equal(log.left_at_second_zhe, "跟着他");
    /* without a callback: OpenCC's first candidate */
    check(T2S, "跟著他著眼於未來", "跟著他著眼于未来", 2);
    check_choose(T2S, "衣服乾了", "衣服干了", 1, out_of_range_choose, NULL);
    /* a phrase hit does not ask the callback */
    log.calls = 0;
    check_choose(T2S, "錢鍾書", "钱锺书", 3, toy_choose, &log);
    assert_int_equal(log.calls, 0);
}

static void t2s_unchanged(void **state) {
    (void)state;
    check(T2S, "", "", 0);
    check(T2S, "Hello, world! 123", "Hello, world! 123", 0);
    check(T2S, "我们的软件已经发布了。", "我们的软件已经发布了。", 0);
    check(T2S, "한국어 かな カタカナ 😀 é", "한국어 かな カタカナ 😀 é", 0);
    /* appends after what out already holds */
    lfx_u32 src = decode("國"), out = decode("中");
    assert_int_equal(lfx_t2s(src.data, src.len, NULL, NULL, &out), 1);
    assert_int_equal(out.len, 2);
    assert_int_equal(out.data[0], 0x4E2D);
    assert_int_equal(out.data[1], 0x56FD);
    lfx_u32_free(&src);
    lfx_u32_free(&out);
}

static void is_traditional(void **state) {
    (void)state;
    assert_int_equal(lfx_is_traditional(0x9019 /* 這 */), 1);
    assert_int_equal(lfx_is_traditional(0x570B /* 國 */), 1);
    assert_int_equal(lfx_is_traditional(0x4E7E /* 乾 -> 干 */), 1);
    assert_int_equal(lfx_is_traditional(0x29028 /* 𩀨, extension B */), 1);
    /* also Simplified, changed only in some words */
    assert_int_equal(lfx_is_traditional(0x8457 /* 著 */), 2);
    assert_int_equal(lfx_is_traditional(0x8986 /* 覆 */), 2);
    assert_int_equal(lfx_is_traditional(0x8FD9 /* 这 */), 0);
    assert_int_equal(lfx_is_traditional(0x4E2D /* 中 */), 0);
    assert_int_equal(lfx_is_traditional('A'), 0);
    assert_int_equal(lfx_is_traditional(0), 0);
    assert_int_equal(lfx_is_traditional(0x10FFFF), 0);
    assert_int_equal(lfx_is_traditional(0xFFFFFFFFu), 0);
}

static void pinyin_news(void **state) {
    (void)state;
    check(PINYIN, "自治區(qū)重點(diǎn)工業(yè)項(xiàng)目協(xié)調(diào)推進(jìn)會(huì)召開",
          "自治區重點工業項目協調推進會召開", 8);
    /* 快 is Simplified: a converter would not have annotated it */
    check(PINYIN, "本市經(jīng)濟(jì)發(fā)展很快(kuài)", "本市經濟發展很快(kuài)", 3);
    /* a second reading of a character counts as well */
    check(PINYIN, "乾(gān)淨的乾(qián)坤", "乾淨的乾坤", 2);
    /* tone numbers, v or ü for u-umlaut, capitals, combining marks, full-width brackets */
    check(PINYIN, "綠(lv4)色的會（huì）議", "綠色的會議", 2);
    check(PINYIN, "綠(LÜ4)", "綠", 1);
    check(PINYIN, "區(qu\xcc\x84)域", "區域", 1);
    /* neutral tone: 們 reads "men" */
    check(PINYIN, "我們(men)", "我們", 1);
}

static void pinyin_kept(void **state) {
    (void)state;
    /* not a reading of the character, toneless, two tones, mixed brackets */
    check(PINYIN, "會(xíng)議", "會(xíng)議", 0);
    check(PINYIN, "協(xie)調", "協(xie)調", 0);
    check(PINYIN, "會(huì4)", "會(huì4)", 0);
    check(PINYIN, "會(huì）", "會(huì）", 0);
    /* pinyin after a Simplified character */
    check(PINYIN, "自治区(qū)重点(diǎn)", "自治区(qū)重点(diǎn)", 0);
    /* other content in brackets */
    check(PINYIN, "會議(2020)紀要", "會議(2020)紀要", 0);
    check(PINYIN, "圖片(相关资料图)", "圖片(相关资料图)", 0);
    check(PINYIN, "參數(a b)", "參數(a b)", 0);
    check(PINYIN, "參數(post)", "參數(post)", 0);
    /* unbalanced and truncated */
    check(PINYIN, "自治區(qū重點", "自治區(qū重點", 0);
    check(PINYIN, "自治區(", "自治區(", 0);
    check(PINYIN, "(qū)區", "(qū)區", 0);
    check(PINYIN, "", "", 0);
    check(PINYIN, "plain text (qū) here", "plain text (qū) here", 0);
}

static void pinyin_annotated_text_kept(void **state) {
    (void)state;
    /* A textbook line with pinyin over every character, Traditional or not: all stays. */
    const char *line = "我(wǒ)們(men)愛(ài)學(xué)習(xí)中(zhōng)文(wén)";
    check(PINYIN, line, line, 0);
    /* the same Traditional characters with sparse, converter-style annotations go */
    check(PINYIN, "我們愛(ài)學(xué)習中文，我們每天都學習。", "我們愛學習中文，我們每天都學習。", 2);
    /* a converter annotating a run of Traditional characters only is still stripped */
    check(PINYIN, "學(xué)習(xí)", "學習", 2);
}

static void fullwidth(void **state) {
    (void)state;
    check_fullwidth("你好,世界!再见;是吗?对:好", "你好，世界！再见；是吗？对：好", 5);
    check_fullwidth("东莞(今属广东)人", "东莞（今属广东）人", 2);
    check_fullwidth("(相关资料图)记者", "（相关资料图）记者", 2);
    /* Latin, digits or nothing on one side: left alone */
    check_fullwidth("a,b 中文,English 你好? 1:2", "a,b 中文,English 你好? 1:2", 0);
    check_fullwidth("函数(x)的值 年份(2020)是", "函数(x)的值 年份(2020)是", 0);
    check_fullwidth("你好(", "你好(", 0);
    check_fullwidth("", "", 0);
    /* a restored bracket pair makes the comma after it one between CJK characters: one call
     * restores both, and a second changes nothing */
    check_fullwidth("中(中),中", "中（中），中", 3);
    check_fullwidth("中（中），中", "中（中），中", 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t2s_characters),
        cmocka_unit_test(t2s_phrases),
        cmocka_unit_test(t2s_fixed_point_every_character),
        cmocka_unit_test(t2s_one_to_many),
        cmocka_unit_test(t2s_unchanged),
        cmocka_unit_test(is_traditional),
        cmocka_unit_test(pinyin_news),
        cmocka_unit_test(pinyin_kept),
        cmocka_unit_test(pinyin_annotated_text_kept),
        cmocka_unit_test(fullwidth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
