/* Bad input is normal input: invalid UTF-8, NUL bytes, empty input, lone lead bytes, truncated
 * sequences, long runs. Each gives LIBFIX_OK, valid UTF-8 out, and loses nothing silently. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "internal.h"
#include "reverse.h"
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

static void repair_ok(const char *in, size_t n, libfix_result *r) {
    assert_int_equal(libfix_repair(g_ctx, in, n, r), LIBFIX_OK);
    assert_int_equal(lfx_utf8_valid_prefix((const uint8_t *)r->text, r->len), r->len);
    assert_int_equal(r->text[r->len], 0);
}

static size_t count_cp(const char *s, size_t n, uint32_t cp) {
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        uint32_t c;
        size_t m = lfx_utf8_next((const uint8_t *)s + i, n - i, &c);
        if (m == 0) return (size_t)-1;
        k += c == cp;
        i += m;
    }
    return k;
}

/* Append bytes[0..n) as a decoder of codec c reads them, in UTF-8: what damage looks like. */
static void append_read_as(lfx_codec c, const uint8_t *bytes, size_t n, lfx_buf *out) {
    lfx_u32 seen;
    lfx_u32_init(&seen);
    lfx_decode(c, bytes, n, &seen);
    lfx_utf8_encode(seen.data, seen.len, out);
    lfx_u32_free(&seen);
}

static void test_empty(void **state) {
    (void)state;
    libfix_result r;
    repair_ok("", 0, &r);
    assert_int_equal(r.len, 0);
    assert_int_equal(r.flags, 0);
    libfix_result_clear(&r);
}

static void test_nul_bytes_kept(void **state) {
    (void)state;
    const char in[] = "\xe4\xb8\xad\0\xe6\x96\x87\0abc";
    libfix_result r;
    repair_ok(in, sizeof in - 1, &r);
    assert_int_equal(r.len, sizeof in - 1);
    assert_memory_equal(r.text, in, sizeof in - 1);
    assert_int_equal(r.flags, 0);
    libfix_result_clear(&r);
}

static void test_lone_lead_byte(void **state) {
    (void)state;
    /* a lone 0xE4 is not UTF-8: it is decoded as raw bytes of some encoding, and the result
     * says so (one character, a "bytes:" step, changed) */
    libfix_result r;
    repair_ok("\xe4", 1, &r);
    assert_true(r.len >= 1 && r.len <= 3);
    assert_true(r.flags & LIBFIX_CHANGED);
    assert_int_equal(r.n_steps, 1);
    assert_memory_equal(r.steps[0], "bytes:", 6);
    libfix_result_clear(&r);
}

static void test_truncated_utf8(void **state) {
    (void)state;
    /* valid text, then the first two bytes of a three-byte character */
    const char in[] = "\xe4\xbd\xa0\xe5\xa5\xbd\xe4\xb8";
    libfix_result r;
    repair_ok(in, sizeof in - 1, &r);
    /* nothing before the damage is lost */
    assert_non_null(strstr(r.text, "你好") ? r.text : NULL);
    assert_true(r.flags & LIBFIX_CHANGED);
    libfix_result_clear(&r);
}

static void test_invalid_utf8_mixed(void **state) {
    (void)state;
    /* ASCII, a stray 0xFF, more ASCII: every ASCII byte survives */
    const char in[] = "hello \xff world";
    libfix_result r;
    repair_ok(in, sizeof in - 1, &r);
    assert_non_null(strstr(r.text, "hello"));
    assert_non_null(strstr(r.text, "world"));
    assert_true(r.flags & LIBFIX_CHANGED);
    assert_true(r.len >= sizeof in - 1);
    libfix_result_clear(&r);
}

static void test_all_bytes(void **state) {
    (void)state;
    char in[256];
    for (int i = 0; i < 256; i++) in[i] = (char)i;
    libfix_result r;
    repair_ok(in, sizeof in, &r);
    assert_true(r.len >= 128);
    libfix_result_clear(&r);
}

static void test_many_markers(void **state) {
    (void)state;
    /* thousands of '?' and U+FFFD after a garbled character: bounded work, valid output */
    size_t n = 30000;
    char *in = malloc(n + 8);
    memcpy(in, "\xe9\x8d\x99", 3); /* 鍙 */
    for (size_t i = 3; i < n; i++) in[i] = '?';
    libfix_result r;
    repair_ok(in, n, &r);
    assert_true(r.len >= n - 3);
    libfix_result_clear(&r);
    for (size_t i = 0; i + 3 <= n; i += 3) memcpy(in + i, "\xef\xbf\xbd", 3);
    repair_ok(in, n - n % 3, &r);
    assert_int_equal(count_cp(r.text, r.len, 0xFFFD), (n - n % 3) / 3);
    assert_true(r.flags & LIBFIX_UNRECOVERABLE);
    libfix_result_clear(&r);
    free(in);
}

static void test_long_repeated_character(void **state) {
    (void)state;
    /* 100 MB of one clean character, and 8 MB of one rare (suspicious) character on one line */
    size_t n = 100u << 20;
    char *in = malloc(n);
    assert_non_null(in);
    for (size_t i = 0; i + 3 <= n; i += 3) memcpy(in + i, "\xe7\x9a\x84", 3); /* 的 */
    size_t m = n - n % 3;
    libfix_result r;
    repair_ok(in, m, &r);
    assert_int_equal(r.len, m);
    assert_memory_equal(r.text, in, m);
    libfix_result_clear(&r);
    m = (8u << 20) - (8u << 20) % 3;
    for (size_t i = 0; i + 3 <= m; i += 3) memcpy(in + i, "\xe9\x8d\x99", 3); /* 鍙 */
    repair_ok(in, m, &r);
    assert_true(r.len > 0);
    libfix_result_clear(&r);
    free(in);
}

static void test_clean_text_unchanged(void **state) {
    (void)state;
    const char *clean[] = {
        "今天是星期五，我们下午三点开会。",
        "这个函数返回一个指向字符串的指针，调用者负责释放内存。",
        "Hello, 世界! 123",
        "これは日本語の文章です。",
        "한국어 문장입니다.",
        "价格：¥100，折扣 20%。",
        "C:\\Program Files\\应用",
        "é à ü ß ñ",
        "你好吗?",
        "参见 printf(3) 和 scanf(3)。",
        "😀 表情符号 🎉",
        "柒仟捌佰玖拾元",   /* rare characters, once taken for Big5 read as GBK */
        "帛戊",
        "竹蔬珧赐郴历寇灬", /* once taken for GBK read as Big5 */
        "霓謦隈",           /* once taken for UTF-8 read as Shift_JIS */
        "於是",             /* 於 is in GB2312: not a reason to convert */
        "中 （··（a",      /* two middle dots are GBK's 贩 read as Latin-1, but text too */
        "卡尔·马克思生于1818年，气温 30°，尺寸 3×4，误差 ±2。",
    };
    for (size_t i = 0; i < sizeof clean / sizeof clean[0]; i++) {
        libfix_result r;
        repair_ok(clean[i], strlen(clean[i]), &r);
        if (r.len != strlen(clean[i]) || memcmp(r.text, clean[i], r.len) != 0)
            fail_msg("clean text changed: \"%s\" -> \"%s\"", clean[i], r.text);
        assert_int_equal(r.flags & LIBFIX_CHANGED, 0);
        libfix_result_clear(&r);
    }
}

static void test_crlf_and_lines_kept(void **state) {
    (void)state;
    /* a clean line, a garbled line (UTF-8 read as Latin-1), CRLF endings and no final newline */
    const char in[] = "第一行\r\n\xc3\xa5\xc2\x8f\xc2\x91\xc3\xa9\xc2\x80\xc2\x81\r\n第三行";
    libfix_result r;
    repair_ok(in, sizeof in - 1, &r);
    assert_string_equal(r.text, "第一行\r\n发送\r\n第三行");
    libfix_result_clear(&r);
}

/* A repair is a fixed point: repairing its output again changes nothing, even where the
 * first repair could only undo part of the damage (lines with two kinds of damage, lost bytes,
 * a line of text after a damaged one). */
static void test_repair_is_fixed_point(void **state) {
    (void)state;
    static const char mixed[] = /* fuzz/regressions/repair-idempotent-mixed-damage, first bytes */
        "\xc3\x83\xc2\xa6\xc3\x82\xc2\x95\xc3\x82\xc2\xb0\xc3\x83\xc2\xa6\xe6\xb6\x93\xe5\xb6\x85"
        "\xe7\x93\xa8\xe9\x8d\xa6?\n\xe9\x8e\xb4\xe6\x84\xac\xe5\xa7\x9b\r\n";
    const char *inputs[] = {
        mixed,
        "鍙戦€佹垚鍔?",                         /* UTF-8 read as cp936 by Windows, last byte lost */
        "鏂囦欢\xc3\xa5\xc2\x8f\xc2\x91\xc3\xa9\xc2\x80\xc2\x81 ok", /* two kinds in one line */
        "结��",                                   /* Big5 read as GBK, both bytes of a character lost */
        "�i�龌莪n糤�[�岈A腹㎝は弊絬�A硂",         /* Big5 read as GBK, knocked out of step */
        "涓枃 and 日本語のテキスト and 中文",
        /* "天气预报说周末会下雨，出门记得带伞。" read as cp950 by Windows: once a first pass
         * left spans a second one repaired */
        "憭拇?憸??霂游??思?銝??嚗???刻扇敺?蒂隡???",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        libfix_result r, again;
        repair_ok(inputs[i], strlen(inputs[i]), &r);
        repair_ok(r.text, r.len, &again);
        if (again.len != r.len || memcmp(again.text, r.text, r.len) != 0)
            fail_msg("not a fixed point: \"%s\" -> \"%s\" -> \"%s\"", inputs[i], r.text, again.text);
        assert_int_equal(again.flags & LIBFIX_CHANGED, 0);
        libfix_result_clear(&r);
        libfix_result_clear(&again);
    }
}

/* A Big5 page read as GBK: every pair GBK rejects lost its lead byte to a U+FFFD and knocked
 * the pairs after it out of step (trail bytes turn up as ASCII). The lead bytes are guessed
 * back, among those GBK rejects before the byte that follows. */
static void test_big5_read_as_gbk_lost_leads(void **state) {
    (void)state;
    /* "安装软件包之前先更新列表。" -> Traditional -> cp950 bytes -> GBK with replacement */
    const char in[] = "\xef\xbf\xbdw\xe6\x9d\x86\xe7\xa1\x81\xe3\x83\xb3\xef\xbf\xbd]\xe3\x81\x87\xe7\x8e\xa1"
                      "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xe8\xa0\x93s\xef\xbf\xbd" "C\xef\xbf\xbd\xe6\x80\xbc" "C";
    libfix_result r;
    repair_ok(in, sizeof in - 1, &r);
    assert_string_equal(r.text, "安装软件包之前先更新列表。");
    assert_true(r.flags & LIBFIX_LOSSY);
    libfix_result_clear(&r);
}

/* UTF-8 read as Big5: most lead bytes and many continuation bytes are lost (cp950 rejects
 * trail bytes 80-A0), and the decoder picks up in the middle of the next character. The layer
 * that guesses them must be tried before layers whose byte structure fits anything (GBK read as
 * Big5 fits every pair) spend the search's budget. */
static void test_utf8_read_as_big5(void **state) {
    (void)state;
    static const char *const cases[][2] = {
        {"\xe6\x91\xb0\xe5\x97\x85\xe6\xbb\xac\xef\xbf\xbd\xef\xbf\xbd\xe8\x8f\x94\xef\xbf\xbd\xef\xbf\xbd", "家庭电话"},
        {"\xe8\x9d\xb5\xef\xbf\xbd\xe8\x9d\x8f\xef\xbf\xbd\xe9\xa4\x88\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xe4\xba\x99"
         "\xe4\xbb\x83\xe9\x9f\x90\xef\xbf\xbd",
         "网络连接失败"},
        {"\xe8\x9d\x9f\xe9\xa4\x8c\xef\xbf\xbd\xef\xbf\xbd\xe7\x94\x87\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xe5\x86\xbd"
         "\xef\xbf\xbd\xe6\xb9\x94\xef\xbf\xbd\xef\xbf\xbd",
         "系统正在更新"},
        /* a character that survived among three markers: still worth guessing around */
        {"\xe6\x95\xb6\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xe5\x86\xbd\xef\xbf\xbd"
         "\xe7\x91\x95\xef\xbf\xbd\xef\xbf\xbd",
         "当前用户名"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        libfix_result r;
        repair_ok(cases[i][0], strlen(cases[i][0]), &r);
        if (strcmp(r.text, cases[i][1]) != 0) fail_msg("\"%s\" -> \"%s\", not \"%s\"", cases[i][0], r.text, cases[i][1]);
        assert_true(r.flags & LIBFIX_LOSSY);
        assert_true(r.n_steps >= 1);
        assert_string_equal(r.steps[0], "utf-8>big5");
        libfix_result_clear(&r);
    }
}

/* One long line of UTF-8 read as cp936 by Windows (its newlines swallowed with the lead bytes
 * before them, so the whole text is one line): the lossless passes of every layer must not use
 * up the work before the likeliest layer has guessed the lost bytes. */
static void test_long_lossy_line(void **state) {
    (void)state;
    static const char para[] =
        "今天上午，市图书馆举办了一场关于古籍保护的讲座，吸引了许多读者前来参加。"
        "主讲人介绍了修复破损书页的方法，并展示了几件珍贵的明代刻本。"
        "讲座结束后，不少年轻人留下来向专家请教问题，现场气氛十分热烈。\n";
    lfx_buf orig;
    lfx_buf_init(&orig);
    for (int i = 0; i < 12; i++) lfx_buf_append(&orig, para, sizeof para - 1);
    lfx_u32 seen;
    lfx_u32_init(&seen);
    lfx_decode(LFX_CP936WIN, orig.data, orig.len, &seen);
    lfx_buf garbled;
    lfx_buf_init(&garbled);
    lfx_utf8_encode(seen.data, seen.len, &garbled);
    assert_true(seen.len > 1200);
    libfix_result r;
    repair_ok((const char *)garbled.data, garbled.len, &r);
    assert_true(r.n_steps >= 1);
    assert_string_equal(r.steps[0], "utf-8>gbk");
    /* lost bytes are guessed: most characters come back where they were */
    lfx_u32 want, got;
    lfx_u32_init(&want);
    lfx_u32_init(&got);
    lfx_utf8_decode_lossy(orig.data, orig.len, &want);
    lfx_utf8_decode_lossy((const uint8_t *)r.text, r.len, &got);
    size_t same = 0;
    for (size_t i = 0; i < want.len && i < got.len; i++) same += want.data[i] == got.data[i];
    if (same * 10 < want.len * 9) fail_msg("%zu of %zu characters right: %s", same, want.len, r.text);
    lfx_u32_free(&want);
    lfx_u32_free(&got);
    libfix_result_clear(&r);
    lfx_u32_free(&seen);
    lfx_buf_free(&garbled);
    lfx_buf_free(&orig);
}

/* Garbage that every pass reads a little differently (raw bytes valid in every double-byte
 * encoding; Latin-1 letters in UTF-8) never settles: the passes after the first stop at their
 * work limit and the base comes back, flagged LIBFIX_LIMITED, and it is a fixed point. */
static void check_limited(const char *in, size_t n, int raw) {
    libfix_result r, again;
    repair_ok(in, n, &r);
    assert_true(r.flags & LIBFIX_LIMITED);
    if (!raw) {
        /* valid UTF-8 comes back as it was */
        assert_int_equal(r.len, n);
        assert_memory_equal(r.text, in, n);
        assert_false(r.flags & LIBFIX_CHANGED);
    } else {
        /* raw bytes come back decoded (and searched once), nothing dropped */
        assert_true(r.flags & LIBFIX_CHANGED);
        assert_true(r.len >= n);
        assert_true(r.n_steps >= 1);
        assert_memory_equal(r.steps[0], "bytes:", 6);
    }
    repair_ok(r.text, r.len, &again);
    assert_int_equal(again.len, r.len);
    assert_memory_equal(again.text, r.text, r.len);
    libfix_result_clear(&again);
    libfix_result_clear(&r);
}

static void test_garbage_stops_at_work_limit(void **state) {
    (void)state;
    enum { N = 10240 };
    char *raw = malloc(N), *latin = malloc(2 * N);
    assert_non_null(raw);
    assert_non_null(latin);
    uint32_t x = 12345;
    for (size_t i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        raw[i] = (char)(0xA1 + (x >> 8) % 0x5E);
    }
    check_limited(raw, N, 1);
    size_t k = 0;
    for (size_t i = 0; i < N / 2; i++) {
        x = x * 1103515245u + 12345u;
        uint32_t c = 0xA1 + (x >> 8) % 0x5F;
        latin[k++] = (char)(0xC0 | c >> 6);
        latin[k++] = (char)(0x80 | (c & 0x3F));
    }
    check_limited(latin, k, 0);
    free(raw);
    free(latin);
}

/* Text whose parts are encoded in from (UTF-8 or GBK) and read as each codec of chain in turn
 * (the text each reading gives is UTF-8 again for the next), each part on its own (a damaged field inside a clean page), or
 * left clean: parts[i][0] is 'g' (garbled) or 'c' (clean). The repair must give back the
 * original exactly. */
static void check_parts_read_as(lfx_codec from, const lfx_codec *chain, size_t nchain, const char *const *parts,
                                size_t nparts) {
    lfx_buf orig, garbled, a, b;
    lfx_buf_init(&orig);
    lfx_buf_init(&garbled);
    lfx_buf_init(&a);
    lfx_buf_init(&b);
    for (size_t i = 0; i < nparts; i++) {
        const char *t = parts[i] + 1;
        size_t n = strlen(t);
        lfx_buf_append(&orig, t, n);
        if (parts[i][0] != 'g') {
            lfx_buf_append(&garbled, t, n);
            continue;
        }
        a.len = 0;
        if (from == LFX_UTF8) {
            lfx_buf_append(&a, t, n);
        } else {
            lfx_u32 cps;
            lfx_u32_init(&cps);
            lfx_utf8_decode_lossy((const uint8_t *)t, n, &cps);
            for (size_t k = 0; k < cps.len; k++) {
                uint8_t e[4];
                int m = lfx_encode_cp(from, cps.data[k], e);
                assert_true(m > 0);
                lfx_buf_append(&a, e, (size_t)m);
            }
            lfx_u32_free(&cps);
        }
        for (size_t k = 0; k < nchain; k++) {
            b.len = 0;
            append_read_as(chain[k], a.data, a.len, &b);
            lfx_buf t2 = a;
            a = b;
            b = t2;
        }
        lfx_buf_append(&garbled, a.data, a.len);
    }
    libfix_result r;
    repair_ok((const char *)garbled.data, garbled.len, &r);
    if (r.len != orig.len || memcmp(r.text, orig.data, orig.len) != 0)
        fail_msg("%.*s\n  repaired as %s\n  not %.*s", (int)garbled.len, (const char *)garbled.data, r.text,
                 (int)orig.len, (const char *)orig.data);
    assert_true(r.flags & LIBFIX_CHANGED);
    /* a '?' is where cp936 lost a byte: the repair says it guessed */
    if (memchr(garbled.data, '?', garbled.len)) assert_true(r.flags & LIBFIX_LOSSY);
    libfix_result_clear(&r);
    lfx_buf_free(&orig);
    lfx_buf_free(&garbled);
    lfx_buf_free(&a);
    lfx_buf_free(&b);
}

/* The same, read by Windows as cp936 once. */
static void check_parts_repaired(const char *const *parts, size_t nparts) {
    static const lfx_codec cp936[] = {LFX_CP936WIN};
    check_parts_read_as(LFX_UTF8, cp936, 1, parts, nparts);
}

/* Greek and Cyrillic letters among Han characters are UTF-8 read as GBK (rows A6, A7): a line
 * with no rare Han character in it is still looked at (大纲 -> 澶х翰); Greek in Chinese text and
 * Russian text are left alone. */
static void test_greek_cyrillic_next_to_han(void **state) {
    (void)state;
    static const char *const g[] = {"g大纲"};
    check_parts_repaired(g, 1);
    static const char *const clean[] = {"α粒子和β射线的能量", "Привет мир", "用 π 表示圆周率", "Ω欧姆"};
    for (size_t i = 0; i < sizeof clean / sizeof *clean; i++) {
        libfix_result r;
        repair_ok(clean[i], strlen(clean[i]), &r);
        assert_string_equal(r.text, clean[i]);
        assert_int_equal(r.flags, 0);
        libfix_result_clear(&r);
    }
}

/* A '?' that swallowed a space before ASCII text, inside brackets that the line closes after
 * the span: a swallowed ')' would leave that one unmatched. */
/* UTF-8 read as GBK by a decoder that drops what it cannot decode (Python's errors="ignore"),
 * with no trace of the bytes: each text here lost two bytes of its last character (0x80 and
 * the lone byte at the end: 状态 E6 80 81 reads 鐘舵), and others in between. */
static void test_gbk_dropping_decoder(void **state) {
    (void)state;
    static const char *const texts[] = {
        "这个程序用来检查网络连接的状态。", "系统将在五分钟后自动重新启动。",
        "请确认您要永久删除这些文件。",     "当前版本不支持这种压缩格式。",
        /* drops in bursts: 第 E7 AC AC and 议 E8 AE AE lose both continuation bytes, and
         * 第三方 loses three bytes in six */
        "第三方软件包在安装前需要签名。",   "我们在第一行添加了新的注释。",
        "网络协议中 TCP 是最常用的一种。",
        /* the last character lost both bytes after one lost mid-span (对 E5 AF B9) */
        "这个设置不对",
        /* one character alone between ASCII words lost its last byte (与 E4 B8 8E reads 涓):
         * too little gain alone, taken since the rest of the text shows the decoder */
        "可以使用 /bin/mount 与 /bin/umount 命令来挂载和卸载文件系统，状态被记录在日志中。",
        "请参阅 `info' 的 `ld' 项, 或者手册 ld 中关于链接脚本的说明，状态在那里有详细的描述。",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        const char *t = texts[i];
        lfx_u32 seen;
        lfx_u32_init(&seen);
        lfx_decode(LFX_GBK, (const uint8_t *)t, strlen(t), &seen);
        size_t k = 0, dropped = 0;
        for (size_t j = 0; j < seen.len; j++) {
            if (seen.data[j] == 0xFFFD)
                dropped++;
            else
                seen.data[k++] = seen.data[j];
        }
        assert_true(dropped >= 2);
        lfx_buf garbled;
        lfx_buf_init(&garbled);
        lfx_utf8_encode(seen.data, k, &garbled);
        libfix_result r;
        repair_ok((const char *)garbled.data, garbled.len, &r);
        if (strlen(r.text) != strlen(t) || strcmp(r.text, t) != 0)
            fail_msg("%s read as GBK, %zu bytes dropped: %.*s\n  repaired as %s", t, dropped, (int)garbled.len,
                     (const char *)garbled.data, r.text);
        assert_true(r.flags & LIBFIX_LOSSY);
        libfix_result_clear(&r);
        lfx_buf_free(&garbled);
        lfx_u32_free(&seen);
    }
}

/* UTF-8 read as cp949 loses lead bytes (E5 of 部 rejected before its continuation bytes): the
 * character guessed for a lost byte is one the text would hold, Han rather than kana or a
 * symbol of the same bytes (ヨ E3 83 A8 for 部 E9 83 A8, 쌉 for 按). */
static void test_guessed_characters_are_text(void **state) {
    (void)state;
    static const char *const texts[] = {"用 ls -l 显示全部属性。", "按 Ctrl-C 可以中断正在运行的程序。"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        const char *t = texts[i];
        lfx_u32 seen;
        lfx_u32_init(&seen);
        lfx_decode(LFX_EUCKR, (const uint8_t *)t, strlen(t), &seen);
        size_t lost = 0;
        for (size_t j = 0; j < seen.len; j++) lost += seen.data[j] == 0xFFFD;
        assert_true(lost >= 1);
        lfx_buf garbled;
        lfx_buf_init(&garbled);
        lfx_utf8_encode(seen.data, seen.len, &garbled);
        libfix_result r;
        repair_ok((const char *)garbled.data, garbled.len, &r);
        if (strcmp(r.text, t) != 0)
            fail_msg("%s read as cp949: %.*s\n  repaired as %s", t, (int)garbled.len, (const char *)garbled.data, r.text);
        libfix_result_clear(&r);
        lfx_buf_free(&garbled);
        lfx_u32_free(&seen);
    }
}

/* cp936 leaves a few byte pairs unmapped besides those with an ASCII trail: A2 E3 is the last
 * byte of 止 (E6 AD A2) and the first of 。 (E3 80 82), and Windows shows '?' for both, so the
 * '?' swallowed the lead byte of the next character. */
static void test_cp936_question_mark_swallowed_lead_byte(void **state) {
    (void)state;
    static const char t[] = "打印任务被终止。请检查打印机";
    lfx_buf seen;
    lfx_buf_init(&seen);
    append_read_as(LFX_CP936WIN, (const uint8_t *)t, sizeof t - 1, &seen);
    assert_non_null(memchr(seen.data, '?', seen.len));
    lfx_buf_free(&seen);
    static const char *const g[] = {"g打印任务被终止。请检查打印机"};
    check_parts_repaired(g, 1);
}

static void test_brackets_pair_across_the_span(void **state) {
    (void)state;
    static const char *const a[] = {"g在安装软件包(例如编辑器 vim)之前"};
    static const char *const b[] = {"g它的参数(包括文件名 foo)都会被忽略"};
    static const char *const c[] = {"g详细的说明请参考手册 (第三章 附录)。"};
    check_parts_repaired(a, 1);
    check_parts_repaired(b, 1);
    check_parts_repaired(c, 1);
}

typedef struct cp936_case {
    const char *text;
    int times; /* read as cp936 once or twice */
} cp936_case;

/* Text t read as cp936 once or twice (times), repaired: must come back whole. Returns the
 * flags; *lost_paren says whether the reading lost a parenthesis. */
static unsigned check_read_as_cp936(const char *t, int times, int *lost_paren) {
    lfx_buf g[2];
    lfx_buf_init(&g[0]);
    lfx_buf_init(&g[1]);
    append_read_as(LFX_CP936WIN, (const uint8_t *)t, strlen(t), &g[0]);
    if (times == 2) append_read_as(LFX_CP936WIN, g[0].data, g[0].len, &g[1]);
    const lfx_buf *in = &g[times - 1];
    if (lost_paren) *lost_paren = memchr(in->data, '(', in->len) == NULL || memchr(in->data, ')', in->len) == NULL;
    libfix_result r;
    repair_ok((const char *)in->data, in->len, &r);
    if (strcmp(r.text, t) != 0)
        fail_msg("%s read as cp936 %s: %.*s\n  repaired as %s", t, times == 2 ? "twice" : "once", (int)in->len,
                 (const char *)in->data, r.text);
    unsigned flags = r.flags;
    libfix_result_clear(&r);
    lfx_buf_free(&g[0]);
    lfx_buf_free(&g[1]);
    return flags;
}

/* A parenthesis the span opened, lost to a '?' like the one that closes it: the closing one is
 * guessed from the state that opened it (texts of mine; every one read as a space pair before). */
static void test_parenthesis_closed_in_span(void **state) {
    (void)state;
    static const cp936_case t[] = {
        {"这个函数返回一个整数(表示错误代码)。", 2},
        {"系统会自动保存当前的设置(包括窗口大小)。", 2},
        {"如果没有找到匹配项(或者文件为空)，程序将退出。", 1},
        {"如果没有找到匹配项(或者文件为空)，程序将退出。", 2},
        {"这个命令需要管理员权限(请使用超级用户)。", 2},
        {"删除文件之前会询问用户(除非使用强制选项)。", 2},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        int lost_paren;
        unsigned flags = check_read_as_cp936(t[i].text, t[i].times, &lost_paren);
        assert_true(lost_paren); /* (the damage took a parenthesis: the test is about guessing it) */
        assert_true(flags & LIBFIX_LOSSY);
    }
}

/* A text begins a clause: the first character, its last byte swallowed with the space after it,
 * is guessed among those that begin clauses (texts of mine; every one came back with 他, 由, 和
 * or 小 before). */
static void test_text_begins_a_clause(void **state) {
    (void)state;
    static const cp936_case t[] = {
        {"从 2.0 版开始支持这个选项。", 1}, {"用 ls 命令列出目录内容。", 1},   {"从 Debian 仓库下载软件包。", 1},
        {"用 -o 指定输出文件。", 1},        {"在 Linux 系统上运行。", 2},      {"将 HOME 目录作为默认位置。", 1},
        {"将 HOME 目录作为默认位置。", 2},
        /* read twice, the outer layer's guess for the first character (瑜? for 当, 缂? for 给) is
         * too weak to take alone: the inner layer takes it (it came back as mojibake) */
        {"当 size 为零时不做任何事。", 2}, {"给 less 程序传递参数。", 2},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) check_read_as_cp936(t[i].text, t[i].times, NULL);
}

/* ：；？！ share their first two UTF-8 bytes: the one whose last byte was lost is ？ at the end
 * of a clause with a question word in it (texts of mine; each came back with ： before). */
static void test_question_mark_after_question_word(void **state) {
    (void)state;
    static const cp936_case t[] = {
        {"为什么系统没有响应？", 2},
        {"哪个版本支持这种格式？", 1},
        {"哪个版本支持这种格式？", 2},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) check_read_as_cp936(t[i].text, t[i].times, NULL);
}

/* GBK read as Latin-1, the first character alone before ASCII: its two Latin-1 letters (嗯 is
 * E0 C5: àÅ) gain little as a span of their own, but beside the spans of the same damage any
 * gain takes them (text of mine; 嗯 stayed àÅ when a text's first character began to cost as a
 * clause's). */
static void test_latin1_letters_beside_latin1_damage(void **state) {
    (void)state;
    static const char *const t = "嗯. 这里的符号引用有些不太好. 我们正依赖于 strict 模式.";
    lfx_u32 cps;
    lfx_u32_init(&cps);
    lfx_utf8_decode_lossy((const uint8_t *)t, strlen(t), &cps);
    lfx_buf gbk, garbled;
    lfx_buf_init(&gbk);
    lfx_buf_init(&garbled);
    for (size_t i = 0; i < cps.len; i++) {
        uint8_t b[4];
        int n = lfx_encode_cp(LFX_GBK, cps.data[i], b);
        assert_true(n > 0);
        lfx_buf_append(&gbk, b, (size_t)n);
    }
    append_read_as(LFX_LATIN1, gbk.data, gbk.len, &garbled);
    libfix_result r;
    repair_ok((const char *)garbled.data, garbled.len, &r);
    if (strcmp(r.text, t) != 0) fail_msg("%.*s\n  repaired as %s", (int)garbled.len, (const char *)garbled.data, r.text);
    libfix_result_clear(&r);
    lfx_u32_free(&cps);
    lfx_buf_free(&gbk);
    lfx_buf_free(&garbled);
}

/* One word of a long line read as GBK (or cp936, or GBK then windows-1252, or GBK bytes read
 * as Big5), the rest of the line clean: its rarity alone is too little to send the line to the
 * search (浜涙湁 for 些有 is one rare character in fifty), the roles of the GBK bytes of its
 * characters are what shows it (LC CL CC: each two three-byte characters become three). */
static void test_word_garbled_in_long_line(void **state) {
    (void)state;
    static const lfx_codec cp936[] = {LFX_CP936WIN}, twice[] = {LFX_GBK, LFX_CP1252}, gbk[] = {LFX_GBK},
                           big5[] = {LFX_BIG5};
    static const struct {
        lfx_codec from;        /* the encoding of the garbled part's bytes */
        const lfx_codec *read; /* what read them, in turn */
        size_t nread;
        const char *parts[3];
    } cases[] = {
        {LFX_UTF8, cp936, 1, {"c这个程序会在启动时读取配置文件，然后根据其中的设置", "g命令", "c行参数决定输出的格式和位置。"}},
        {LFX_UTF8, cp936, 1, {"c当网络连接断开以后，客户端会每隔十秒钟尝试", "g重新", "c连接一次，直到服务器再次可用为止。"}},
        {LFX_UTF8, cp936, 1, {"c系统管理员可以通过这个工具查看每个", "g用户", "c的磁盘使用情况，并设置相应的配额限制。"}},
        /* the clean character after the word decodes on its own, and is left as it stands: 应
         * is GBK D3 A6, which UTF-8 reads as Ӧ; 通 CD A8 (ͨ) and 小 D0 A1 (С) likewise, and the
         * character before the word (值 D6 B5: ֵ) */
        {LFX_UTF8, cp936, 1, {"c程序输出的每一行都是一条记录，记录的", "g格式", "c应该是纯文本，字段之间用制表符分隔。"}},
        {LFX_UTF8, cp936, 1, {"c在大多数系统上，这个参数的值", "g可以", "c通过环境变量来设置，也可以写在配置文件里。"}},
        {LFX_UTF8, cp936, 1, {"c压缩以后的文件", "g大小", "c小于原来的一半，读取的速度也快了很多。"}},
        /* and where the word lost a byte (the beam's span): 系统 CF B5 CD B3 before it read
         * ϵͳ, 太小 CC AB D0 A1 ̫С */
        {LFX_UTF8, cp936, 1, {"c这个工具可以检查文件系统", "g的完整性", "c，并在发现错误时尝试修复它们。"}},
        {LFX_UTF8, cp936, 1, {"c如果缓冲区太小", "g的时候", "c，程序会自动分配一块更大的内存。"}},
        /* read as GBK, then that text's UTF-8 as windows-1252: once the outer layer is undone,
         * the text left holds the word read as GBK, which the next depth must still see */
        {LFX_UTF8, twice, 2, {"c这个程序会在启动时读取配置文件，然后根据其中的设置", "g命令", "c行参数决定输出的格式和位置。"}},
        {LFX_UTF8, twice, 2, {"c当网络连接断开以后，客户端会每隔十秒钟尝试", "g重新", "c连接一次，直到服务器再次可用为止。"}},
        {LFX_UTF8, twice, 2, {"c安装完成以后请检查日志文件，确认所有的", "g服务", "c都已经正常启动，没有出现任何错误。"}},
        /* a word's last byte paired with the ASCII letter after it (的U: E7 9A 84 55 reads 鐨刄) */
        {LFX_UTF8, gbk, 1, {"c程序启动以后会创建一个新", "g的UNIX", "c套接字，并在上面监听客户端的连接请求。"}},
        /* GBK read as Big5: the clean character beside the words decodes on its own too (就
         * after them is Big5 B4 4E, which GBK reads 碞; 中 before them A4 A4, い) */
        {LFX_GBK, big5, 1, {"c如果没有找到匹配的记录，", "g那么这个函数", "c就会返回一个空的列表。"}},
        {LFX_GBK, big5, 1, {"c用户可以在设置界面中", "g选择不同的", "c主题颜色和字体大小。"}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_parts_read_as(cases[i].from, cases[i].read, cases[i].nread, cases[i].parts, 3);
}

/* Emoji in a message read as GBK: the decoding back to UTF-8 holds characters no legacy code
 * page has, which is no reason to reject it (收到😊 came back as 鏀跺埌馃槉). */
static void test_emoji_read_as_gbk(void **state) {
    (void)state;
    static const lfx_codec gbk[] = {LFX_GBK};
    static const char *const a[] = {"g收到😊"};
    static const char *const b[] = {"g好的👌马上处理"};
    static const char *const c[] = {"c通知：", "g会议改到明天下午三点🎉", "c，请大家准时参加。"};
    check_parts_read_as(LFX_UTF8, gbk, 1, a, 1);
    check_parts_read_as(LFX_UTF8, gbk, 1, b, 1);
    check_parts_repaired(c, 3);
}

/* A Chinese field read as cp936 alone inside an English line: its last lead byte had nothing
 * after it ('?' swallowed nothing), and the space after the field is the line's own (服务器
 * came back as 服务器, with a comma for the swallowed byte). */
static void test_field_garbled_in_english_line(void **state) {
    (void)state;
    static const char *const a[] = {"cError: ", "g文件不存在", "c (code 2)"};
    static const char *const b[] = {"cCannot reach the ", "g服务器", "c at port 8080"};
    static const char *const c[] = {"cResult: ", "g未找到", "c any matching rows"};
    check_parts_repaired(a, 3);
    check_parts_repaired(b, 3);
    check_parts_repaired(c, 3);
}

/* A damaged field decoded on its own ends in a lead byte with nothing after it ('?' for the
 * last byte of 。), and clean text follows. */
static void test_damaged_stretch_ends_in_lone_lead(void **state) {
    (void)state;
    static const char *const a[] = {"g这个目录下的文件完全由用户自己管理。", "c其他文件由系统管理。"};
    check_parts_repaired(a, 2);
    /* the same between two clean sentences: the scan runs on past the '?' into the clean text
     * (否 is B7 F1 in GBK: a continuation byte, then a lead), and the beam finds nothing there */
    static const char *const b[] = {"c配置文件的格式见手册。", "g修改之后需要重新启动服务。", "c否则新的设置不会生效。"};
    check_parts_repaired(b, 3);
    /* clean text whose first character's GBK bytes are UTF-8 (注 is D7 A2: ע; 每 is C3 BF: ÿ) */
    static const char *const c[] = {"g这个选项只对普通文件有效。", "c注意这个设置"};
    static const char *const d[] = {"g如果没有找到就返回错误。", "c每个文件只处理一次。"};
    check_parts_repaired(c, 2);
    check_parts_repaired(d, 2);
    /* ASCII text after the field, then clean Chinese: the '?' swallowed nothing (a space
     * after 。 was guessed) */
    static const char *const e[] = {"g配置文件已经保存。", "cDebian 系统会在下次启动时读取它。"};
    static const char *const f[] = {"g安装完成。", "cPython 程序现在可以运行了。"};
    check_parts_repaired(e, 2);
    check_parts_repaired(f, 2);
    /* clean Chinese and then ASCII after the field: the span ran into 值 (GBK D6 B5, U+05B5 as
     * UTF-8: a Hebrew point came out) and is tried again ending at the '?' (texts of mine) */
    static const char *const tail1[] = {"g修改之后需要重新启动服务。", "c值 0 表示关闭。"};
    static const char *const tail2[] = {"g这个目录下的文件由用户自己管理。", "c值 yes 表示允许。"};
    check_parts_repaired(tail1, 2);
    check_parts_repaired(tail2, 2);
    /* the scan runs on past the '?' and the beam finds a decoding there, but none that is
     * text (压 is D1 B9 in GBK: U+0479); the span ending at the '?' is the damage */
    static const char *const g[] = {"cgzip 使用 Lempel-Ziv ", "g编码方式压缩文件。", "c压缩后的文件通常比原来小得多。"};
    check_parts_repaired(g, 3);
    /* a field that ends in ASCII and 。 before clean Chinese: the span 銆? runs on into the
     * clean text, which is cheap; the stretch up to the '?' is not */
    static const char *const h[] = {"g匹配符的用法详见 glob(7))。", "c模式将基于所有已加载单元的主名称进行匹配。"};
    static const char *const i2[] = {"g格式说明见 printf(3)。", "c这个函数的返回值是写入的字节数。"};
    check_parts_repaired(h, 2);
    check_parts_repaired(i2, 2);
    /* a Windows file's CR swallowed by the '?' of the character before it: the LF after it is
     * known, and CR is what comes before an LF (not '.') */
    static const char *const j[] = {"g这个设置可以提高服务器的可靠性\r\n"};
    static const char *const k[] = {"g要查看所有的选项，请阅读手册。\r\n然后再运行安装程序\r\n"};
    check_parts_repaired(j, 1);
    check_parts_repaired(k, 1);
    /* every CR gone with the 。 before it: lines that end in '?' before their LF say the file's
     * lines end in CR LF, and 。 with its CR beats 》 and a '.' */
    static const char *const l[] = {
        "g这个参数会影响优化器的选择。\r\n因此可能会选择不同的执行计划。\r\n为了避免这个问题，请先分析表。\r\n"};
    check_parts_repaired(l, 1);
}

/* t's UTF-8 read as c (one U+FFFD per byte rejected) must be repaired back to t. The garbled
 * text goes to *garbled when it is not NULL (initialised; the caller frees it). Returns the
 * repair's flags. */
static unsigned check_read_as(lfx_codec c, const char *t, lfx_buf *garbled) {
    lfx_buf own;
    lfx_buf_init(&own);
    lfx_buf *g = garbled ? garbled : &own;
    append_read_as(c, (const uint8_t *)t, strlen(t), g);
    libfix_result r;
    repair_ok((const char *)g->data, g->len, &r);
    if (strcmp(r.text, t) != 0) fail_msg("repaired as %s, not %s", r.text, t);
    unsigned flags = r.flags;
    libfix_result_clear(&r);
    lfx_buf_free(&own);
    return flags;
}

/* UTF-8 read as cp949 loses whole characters to runs of U+FFFD (最重 is six of them): the beam
 * guesses each character begun in the context of the one before, not as if it stood alone. */
static void test_characters_lost_whole(void **state) {
    (void)state;
    static const char *const texts[] = {"请选择最重要的文件。", "安装所需的软件包之前请先更新列表。",
                                        "请检查网络设置是否正确。"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        lfx_buf garbled;
        lfx_buf_init(&garbled);
        assert_true(check_read_as(LFX_EUCKR, texts[i], &garbled) & LIBFIX_LOSSY);
        assert_true(count_cp((const char *)garbled.data, garbled.len, 0xFFFD) >= 4);
        lfx_buf_free(&garbled);
    }
    /* every byte of 。 (E3 80 82) rejected after an ASCII character: a run of U+FFFD alone,
     * guessed from the text around it once the rest shows the damage */
    static const char *const alone[] = {"端口号的默认值是 80。", "这个参数的取值范围为 0 到 100。"};
    for (size_t i = 0; i < sizeof alone / sizeof *alone; i++) {
        lfx_buf garbled;
        lfx_buf_init(&garbled);
        check_read_as(LFX_EUCKR, alone[i], &garbled);
        assert_true(garbled.len > 9 && memcmp(garbled.data + garbled.len - 9, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 9) == 0);
        assert_true(garbled.data[garbled.len - 10] == '0');
        lfx_buf_free(&garbled);
    }
    /* 需 (E9 9C 80) is lost whole to cp949 wherever it stands; between 在 and 要 the beam saw
     * 在所 (a pair) before 要 showed that 需要 is the word */
    static const char *const inside[] = {"记得在需要时回到这里", "如果需要帮助，请在需要的时候联系我们。",
                                         "这个是普遍不被需要的，因为它可能引起整个系统无法使用",
                                         /* and 。 lost whole at the end: its first two bytes rank
                                          * as a mark after a word, not at a text's start */
                                         "这些数据在需要时会自动更新。"};
    for (size_t i = 0; i < sizeof inside / sizeof *inside; i++) check_read_as(LFX_EUCKR, inside[i], NULL);
    /* and at the end of a span whose other characters are damaged too (手册 then 。: the span
     * with its run of U+FFFD held too few characters that survived to be tried) */
    static const char *const tail[] = {"这些选项的详细说明请参阅 bash(1) 手册。", "更多的信息请参阅 systemd.unit(5) 手册。",
                                       "这个参数的用法与 find 命令的 -name 相同。",
                                       /* short lines where half the characters are U+FFFD: cp949 does
                                        * that, and such text is not gone (GBK read as UTF-8 is) */
                                       "支持的 -a 那样。", "数值范围是 1 到 5。"};
    for (size_t i = 0; i < sizeof tail / sizeof *tail; i++) check_read_as(LFX_EUCKR, tail[i], NULL);
}

/* 《 and 》 come in pairs like brackets: a 。 that lost a byte before '(' is not a 》 that
 * nothing opened (UTF-8 read as Shift_JIS: 。 E3 80 82 and 》 E3 80 8B differ in the byte lost) */
static void test_title_marks_pair(void **state) {
    (void)state;
    static const char *const texts[] = {"这个函数会返回一个新的列表。(如果列表为空，则返回 NULL。)",
                                        "程序会先检查参数。(参数的格式见下文。)",
                                        "输出的内容包括文件名和大小。(不包括目录本身。)"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) check_read_as(LFX_SJIS, texts[i], NULL);
}

/* Traditional text as Big5 bytes read as GBK (strict: a rejected pair's lead byte becomes
 * U+FFFD), repaired to Simplified: want. */
static void check_big5_read_as_gbk(const char *trad, const char *want) {
    lfx_u32 cps;
    lfx_u32_init(&cps);
    lfx_utf8_decode_lossy((const uint8_t *)trad, strlen(trad), &cps);
    lfx_buf big5, garbled;
    lfx_buf_init(&big5);
    lfx_buf_init(&garbled);
    encode_cps(LFX_BIG5, &cps, &big5);
    append_read_as(LFX_GBK, big5.data, big5.len, &garbled);
    libfix_result r;
    repair_ok((const char *)garbled.data, garbled.len, &r);
    if (strcmp(r.text, want) != 0) fail_msg("%s repaired as %s, not %s", (const char *)garbled.data, r.text, want);
    libfix_result_clear(&r);
    lfx_buf_free(&big5);
    lfx_buf_free(&garbled);
    lfx_u32_free(&cps);
}

/* Big5 read as GBK turns common characters into kana and bopomofo (文件 -> ゅン), which cost
 * little by themselves: such spans are still decoded. */
static void test_big5_read_as_gbk_kana(void **state) {
    (void)state;
    check_big5_read_as_gbk("正在刪除文件...", "正在删除文件...");
    check_big5_read_as_gbk("共享內存目標", "共享内存目标");
    /* 使用 (shared by both scripts, in GB2312) as ㄏノ: bopomofo, which Simplified text has not */
    check_big5_read_as_gbk("(使用 glob 命令)", "(使用 glob 命令)");
}

/* A Big5 reading that gives only GB2312 characters (琌 -> 是, ㎝ -> 和) is taken beside spans
 * of the same text that read as Traditional, never alone: alone it may be clean text. */
static void test_big5_read_as_gbk_gb2312_beside_traditional(void **state) {
    (void)state;
    check_big5_read_as_gbk("aptitude 是 Debian 的軟件包管理器。", "aptitude 是 Debian 的软件包管理器。");
    check_big5_read_as_gbk("對於 c 和 u 屬性", "对于 c 和 u 属性");
    check_big5_read_as_gbk("aptitude 是 Debian", "aptitude 琌 Debian");
    /* decoded from Big5, the text is Traditional though 於 is its only Traditional character
     * (Simplified has 於 too, as a surname): t2s runs, and the model picks 于 */
    check_big5_read_as_gbk("作用等同於 ls 命令。", "作用等同于 ls 命令。");
    check_big5_read_as_gbk("此選項用於除錯。", "此选项用于除错。");
}

/* Big5 read as GBK where a rejected lead byte knocked the pairs after it out of step into
 * common characters (個字符 is ? 应 r 才: the cheap 应 and 才 with an ASCII trail byte between
 * are no clean text), and characters lost but for an ASCII trail byte (指令 is ? ? ? O: too
 * little to show the layer alone, guessed beside the spans that do). */
static void test_big5_read_as_gbk_out_of_step_trails(void **state) {
    (void)state;
    check_big5_read_as_gbk("如果有的話，最多可以顯示 80 個字符。", "如果有的话，最多可以显示 80 个字符。");
    check_big5_read_as_gbk("每一行不能超過 72 個字符。", "每一行不能超过 72 个字符。");
    check_big5_read_as_gbk("服務器已經接受了 PASV 指令, 接下來傳送數據。", "服务器已经接受了 PASV 指令, 接下来传送数据。");
    check_big5_read_as_gbk("在終端裡輸入 PORT 指令. 然後等待服務器的應答。", "在终端里输入 PORT 指令. 然后等待服务器的应答。");
}

/* A lead byte GBK rejected leaves its trail to pair with the next lead: the pairs after it are
 * read out of step (的 is AA BA: ?, then BA AD is 涵) until an ASCII byte or another reject. */
/* UTF-8 read as GBK (or by Windows as cp936) and the result, saved as UTF-8, read so again,
 * with bytes lost in both readings: the outer layer's guesses of its lost bytes are made under
 * the inner one, where the Chinese they spell can judge them (set marks). Every text here
 * loses bytes in both layers; before the marks most came back as mojibake. */
/* Undoing the outer of two GBK readings, the byte that reading lost of the inner one's U+FFFD
 * (EF BF BD: 锟 and a lost BD) is guessed back as that U+FFFD, the trace the inner layer
 * needs, not as a byte that makes a code point no text holds (U+FFC0). */
static void test_outer_layer_restores_inner_marker(void **state) {
    (void)state;
    const lfx_layer *L = NULL;
    for (size_t i = 0; i < lfx_n_layers; i++)
        if (strcmp(lfx_layers[i].name, "utf-8>gbk") == 0) L = &lfx_layers[i];
    assert_non_null(L);
    static const char *const texts[] = {"请添加新的注释。", "这是最新的版本。", "没有评论。"};
    for (size_t t = 0; t < sizeof texts / sizeof *texts; t++) {
        lfx_buf once, twice;
        lfx_buf_init(&once);
        lfx_buf_init(&twice);
        append_read_as(LFX_GBK, (const uint8_t *)texts[t], strlen(texts[t]), &once);
        append_read_as(LFX_GBK, once.data, once.len, &twice);
        lfx_u32 in, out;
        lfx_u32_init(&in);
        lfx_u32_init(&out);
        lfx_utf8_decode_lossy(twice.data, twice.len, &in);
        float *cost = malloc(sizeof(float) * (in.len + 1));
        assert_non_null(cost);
        lfx_model_score(in.data, in.len, cost);
        long budget = 100000;
        lfx_rev_stats st;
        memset(&st, 0, sizeof st);
        assert_true(lfx_reverse_layer(L, in.data, cost, in.len, 0, &budget, &out, NULL, &st) > 0);
        assert_true(out.len > 0 && out.data[out.len - 1] == 0xFFFD);
        for (size_t k = 0; k < out.len; k++) assert_false(out.data[k] >= 0xFFA0 && out.data[k] <= 0xFFEF);
        free(cost);
        lfx_u32_free(&in);
        lfx_u32_free(&out);
        lfx_buf_free(&once);
        lfx_buf_free(&twice);
    }
}

static void test_read_as_gbk_twice_lossy(void **state) {
    (void)state;
    static const char *const texts[] = {
        "这个程序用来检查网络连接的状态。", "请输入新的密码，然后按回车键确认。",
        "系统将在五分钟后自动重新启动。",   "用户可以在设置页面修改显示语言。",
        "服务器返回了一个错误，请稍后再试。", "数据库连接超时，正在尝试重新连接。",
        "当前版本不支持这种压缩格式。", /* read as GBK twice, 式 lost two bytes at once */
        "参数 -v 或 --verbose 输出更多信息。", /* as cp936 twice, 或 alone between ASCII */
        /* as cp936 twice, 和 and 在 both read 閸?: 在 begins cheaper, 和 stands between words */
        "选项 -a 和 -b 不能同时使用。", "支持 gzip 和 bzip2 两种格式。", "请设置 HOME 和 PATH 变量。",
    };
    static const lfx_codec codecs[] = {LFX_GBK, LFX_CP936WIN};
    int lost_both = 0;
    for (size_t c = 0; c < 2; c++)
        for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
            const char *t = texts[i];
            lfx_buf once, twice;
            lfx_buf_init(&once);
            lfx_buf_init(&twice);
            append_read_as(codecs[c], (const uint8_t *)t, strlen(t), &once);
            append_read_as(codecs[c], once.data, once.len, &twice);
            lfx_buf_append(&once, "", 1); /* NUL-terminated for strstr */
            lfx_buf_append(&twice, "", 1);
            once.len--;
            twice.len--;
            const char *lost = codecs[c] == LFX_GBK ? "\xef\xbf\xbd" : "?";
            /* bytes lost in the inner reading show as "锟" and the like in the outer one */
            int outer = strstr((const char *)twice.data, lost) != NULL;
            int inner = strstr((const char *)once.data, lost) != NULL;
            lost_both += outer && inner;
            libfix_result r;
            repair_ok((const char *)twice.data, twice.len, &r);
            if (strlen(r.text) != strlen(t) || strcmp(r.text, t) != 0)
                fail_msg("%s read as %s twice: %s\n  repaired as %s", t, codecs[c] == LFX_GBK ? "GBK" : "cp936",
                         (const char *)twice.data, r.text);
            if (outer) assert_true(r.flags & LIBFIX_LOSSY);
            libfix_result_clear(&r);
            lfx_buf_free(&once);
            lfx_buf_free(&twice);
        }
    assert_true(lost_both >= 6);
}

static void test_big5_read_as_gbk_out_of_step(void **state) {
    (void)state;
    check_big5_read_as_gbk("可用的值如下：", "可用的值如下：");
    check_big5_read_as_gbk("強制解壓縮。", "强制解压缩。");
    check_big5_read_as_gbk("對於測試包含這樣的宏值的文件非常有用", "对于测试包含这样的宏值的文件非常有用");
    /* （ A1 5D and ） A1 5E lose their lead byte and show as U+FFFD ']' and U+FFFD '^': each
     * span counts the other as the bracket it could be (also 也 A4 5D and 回 A6 5E) */
    check_big5_read_as_gbk("顯示用戶 ID（UID）的變化。", "显示用户 ID（UID）的变化。");
    check_big5_read_as_gbk("請使用命令（例如 ls）查看文件。", "请使用命令（例如 ls）查看文件。");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_big5_read_as_gbk_lost_leads),
        cmocka_unit_test(test_utf8_read_as_big5),
        cmocka_unit_test(test_title_marks_pair),
        cmocka_unit_test(test_big5_read_as_gbk_kana),
        cmocka_unit_test(test_big5_read_as_gbk_out_of_step_trails),
        cmocka_unit_test(test_read_as_gbk_twice_lossy),
        cmocka_unit_test(test_outer_layer_restores_inner_marker),
        cmocka_unit_test(test_cp936_question_mark_swallowed_lead_byte),
        cmocka_unit_test(test_gbk_dropping_decoder),
        cmocka_unit_test(test_guessed_characters_are_text),
        cmocka_unit_test(test_big5_read_as_gbk_out_of_step),
        cmocka_unit_test(test_big5_read_as_gbk_gb2312_beside_traditional),
        cmocka_unit_test(test_long_lossy_line),
        cmocka_unit_test(test_brackets_pair_across_the_span),
        cmocka_unit_test(test_parenthesis_closed_in_span),
        cmocka_unit_test(test_text_begins_a_clause),
        cmocka_unit_test(test_question_mark_after_question_word),
        cmocka_unit_test(test_latin1_letters_beside_latin1_damage),
        cmocka_unit_test(test_greek_cyrillic_next_to_han),
        cmocka_unit_test(test_damaged_stretch_ends_in_lone_lead),
        cmocka_unit_test(test_word_garbled_in_long_line),
        cmocka_unit_test(test_field_garbled_in_english_line),
        cmocka_unit_test(test_emoji_read_as_gbk),
        cmocka_unit_test(test_characters_lost_whole),
        cmocka_unit_test(test_repair_is_fixed_point),
        cmocka_unit_test(test_garbage_stops_at_work_limit),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_nul_bytes_kept),
        cmocka_unit_test(test_lone_lead_byte),
        cmocka_unit_test(test_truncated_utf8),
        cmocka_unit_test(test_invalid_utf8_mixed),
        cmocka_unit_test(test_all_bytes),
        cmocka_unit_test(test_many_markers),
        cmocka_unit_test(test_long_repeated_character),
        cmocka_unit_test(test_clean_text_unchanged),
        cmocka_unit_test(test_crlf_and_lines_kept),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
