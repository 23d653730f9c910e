/* Tests of the text layers (layers.c): exact output bytes and escape counts for good input,
 * and malformed escapes that must come through untouched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

typedef size_t (*layer_fn)(const uint8_t *, size_t, lfx_buf *);

static void print_bytes(const char *label, const uint8_t *s, size_t n) {
    char tmp[1024];
    size_t k = 0;
    for (size_t i = 0; i < n && k + 5 < sizeof tmp; i++) {
        if (s[i] >= 0x20 && s[i] < 0x7F && s[i] != '\\')
            tmp[k++] = (char)s[i];
        else
            k += (size_t)snprintf(tmp + k, sizeof tmp - k, "\\x%02x", s[i]);
    }
    tmp[k] = 0;
    print_error("  %s \"%s\"\n", label, tmp);
}

/* Runs a layer with out already holding a prefix (layers append, never overwrite) and checks
 * the exact bytes appended and the returned count. */
static void check_layer(layer_fn f, const char *in, size_t inlen, const char *want,
                        size_t wantlen, size_t want_count, const char *file, int line) {
    /* a count of 0 promises an exact copy: a table entry saying otherwise is itself wrong */
    if (want_count == 0 && (inlen != wantlen || memcmp(in, want, inlen) != 0)) {
        print_error("%s:%d: bad test: count 0 but output differs from input\n", file, line);
        fail();
    }
    lfx_buf out;
    lfx_buf_init(&out);
    lfx_buf_append(&out, "<", 1);
    size_t got = f((const uint8_t *)in, inlen, &out);
    assert_false(out.failed);
    int ok = got == want_count && out.len == wantlen + 1 && out.data[0] == '<' &&
             memcmp(out.data + 1, want, wantlen) == 0 && out.data[out.len] == 0;
    if (!ok) {
        print_error("%s:%d: layer output differs (count %zu, want %zu)\n", file, line, got,
                    want_count);
        print_bytes("input:", (const uint8_t *)in, inlen);
        print_bytes("got:  ", out.data + 1, out.len - 1);
        print_bytes("want: ", (const uint8_t *)want, wantlen);
    }
    if (ok && lfx_utf8_valid_prefix((const uint8_t *)in, inlen) == inlen &&
        lfx_utf8_valid_prefix(out.data, out.len) != out.len) {
        print_error("%s:%d: valid UTF-8 in, invalid UTF-8 out\n", file, line);
        ok = 0;
    }
    lfx_buf_free(&out);
    if (!ok) fail_msg("see above");
}

/* in and want are string literals: sizeof keeps embedded NUL bytes */
#define CHECK(f, in, want, count) \
    check_layer(f, in, sizeof(in) - 1, want, sizeof(want) - 1, count, __FILE__, __LINE__)
#define SAME(f, in) CHECK(f, in, in, 0)

static layer_fn all_layers[] = {lfx_layer_ncr, lfx_layer_uescape, lfx_layer_percent,
                                lfx_layer_hz,  lfx_layer_mime,    lfx_layer_qp};

static void test_clean_text_and_empty(void **state) {
    (void)state;
    for (size_t k = 0; k < sizeof all_layers / sizeof *all_layers; k++) {
        SAME(all_layers[k], "");
        SAME(all_layers[k], "发送成功，文件已保存。Plain ASCII too.\n");
        SAME(all_layers[k], "a\0b\0\0中文\0");
        /* every trigger character, none forming an escape */
        SAME(all_layers[k], "& \\ % ~ = &; \\q %% ~} =\t");
        /* a lone trigger at the very end */
        SAME(all_layers[k], "文&");
        SAME(all_layers[k], "文\\");
        SAME(all_layers[k], "文%");
        SAME(all_layers[k], "文~");
        SAME(all_layers[k], "文=");
        /* NULL input is allowed when the length is 0 */
        lfx_buf out;
        lfx_buf_init(&out);
        assert_int_equal(all_layers[k](NULL, 0, &out), 0);
        assert_int_equal(out.len, 0);
        lfx_buf_free(&out);
    }
}

static void test_long_clean_text(void **state) {
    (void)state;
    static const char pattern[] = "中文ab c\n";
    static char text[1 << 16];
    for (size_t i = 0; i < sizeof text; i++) text[i] = pattern[i % (sizeof pattern - 1)];
    text[sizeof text - 1] = '&'; /* the trigger, alone, after 64 KiB of text */
    for (size_t k = 0; k < sizeof all_layers / sizeof *all_layers; k++) {
        lfx_buf out;
        lfx_buf_init(&out);
        assert_int_equal(all_layers[k]((const uint8_t *)text, sizeof text, &out), 0);
        assert_int_equal(out.len, sizeof text);
        assert_memory_equal(out.data, text, sizeof text);
        lfx_buf_free(&out);
    }
}

static void test_ncr(void **state) {
    (void)state;
    layer_fn f = lfx_layer_ncr;
    CHECK(f, "&#21457;&#36865;&#25104;&#21151;", "发送成功", 4);
    CHECK(f, "&#x4E2D;&#X6587;&#x4e2d;", "中文中", 3);
    CHECK(f, "&#00000020013;", "中", 1);
    CHECK(f, "&ldquo;你好&rdquo;&nbsp;&amp;&lt;&gt;", "“你好”\xc2\xa0&<>", 6);
    CHECK(f, "&AElig;&zwnj;", "Æ\xe2\x80\x8c", 2); /* first and last names of the table */
    CHECK(f, "&nGt;", "≫⃒", 1);                      /* two code points */
    CHECK(f, "a&#10;b&#9;c", "a\nb\tc", 2);
    CHECK(f, "&#128;&#150;", "€–", 2);              /* HTML5 reads 0x80-0x9F as cp1252 */
    CHECK(f, "&#143;&#x9D;", "\xc2\x8f\xc2\x9d", 2); /* undefined in cp1252: C1 control */
    CHECK(f, "&amp;#20013;", "&#20013;", 1);        /* one layer per call */
    CHECK(f, "x&#20013;\0&#25991;", "x中\0文", 2);
    CHECK(f, "&&#20013;", "&中", 1);
    CHECK(f, "&#20013;&#0;", "中&#0;", 1);
}

static void test_ncr_bad(void **state) {
    (void)state;
    layer_fn f = lfx_layer_ncr;
    SAME(f, "&#0;");
    SAME(f, "&#x0;");
    SAME(f, "&#x110000;");
    SAME(f, "&#1114112;");
    SAME(f, "&#99999999999999999999999;");
    SAME(f, "&#xD800;");
    SAME(f, "&#57343;"); /* U+DFFF */
    SAME(f, "&#xFFFE;&#xFDD0;&#x10FFFF;");
    SAME(f, "&#1;&#x7F;");
    SAME(f, "&#20013");   /* no ';' */
    SAME(f, "&#20013 x"); /* no ';' */
    SAME(f, "&#x4E2D");
    SAME(f, "&#;&#x;&#");
    SAME(f, "&#x4E2G;");
    SAME(f, "&nbsp &amp &nbsp");
    SAME(f, "&nbsp");
    SAME(f, "&nosuchentity;&NBSP;");
    SAME(f, "&CounterClockwiseContourIntegralX;");
    SAME(f, "&aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;");
    SAME(f, "&#2\0" "0013;");
}

static void test_uescape(void **state) {
    (void)state;
    layer_fn f = lfx_layer_uescape;
    CHECK(f, "\\u53d1\\u9001\\u6210\\u529F", "发送成功", 4);
    CHECK(f, "{\"msg\":\"\\u4e2d\\u6587\"}", "{\"msg\":\"中文\"}", 2);
    CHECK(f, "\\U0001F600 \\U00004E2D", "\xf0\x9f\x98\x80 中", 2);
    CHECK(f, "\\ud83d\\ude00!", "\xf0\x9f\x98\x80!", 2);
    CHECK(f, "\\u00e4\\u00b8\\u00ad", "ä¸\xc2\xad", 3); /* C1 controls are real code points */
    CHECK(f, "\\\\\\u4e2d", "\\\\中", 1);               /* escaped backslash, then an escape */
    CHECK(f, "\\xe4\\xb8\\xad\\xe6\\x96\\x87", "中文", 6);
    CHECK(f, "b'\\xE4\\xB8\\xAD'", "b'中'", 3);
    CHECK(f, "\\xe4\\xb8\\xad\\x41", "中\\x41", 3);
    CHECK(f, "\\u4e2d\0\\u6587", "中\0文", 2);
}

static void test_uescape_bad(void **state) {
    (void)state;
    layer_fn f = lfx_layer_uescape;
    SAME(f, "\\\\u4e2d");       /* the backslash is escaped: literal text */
    SAME(f, "C:\\\\\\\\x");     /* backslash pairs are copied */
    SAME(f, "\\ud83d");         /* lone high surrogate */
    SAME(f, "\\ude00x");        /* lone low surrogate */
    SAME(f, "\\ud83d\\ud83d");  /* two high surrogates */
    CHECK(f, "\\ud83d\\u4e2d", "\\ud83d中", 1);
    SAME(f, "\\uD800\\U0000DC00"); /* a pair must be written as two \u */
    SAME(f, "\\u0000");
    SAME(f, "\\uFFFF\\uFDD0");
    SAME(f, "\\U00110000\\UFFFFFFFF");
    SAME(f, "\\u4e2");          /* unterminated */
    SAME(f, "\\u4e2g");
    SAME(f, "\\u");
    SAME(f, "\\U0001F60");
    SAME(f, "\\xe4\\xb8");      /* a truncated character */
    SAME(f, "\\xff\\xfe");
    SAME(f, "\\x41\\x1b[0m");   /* ASCII-valued \x is left for C and shell strings */
    SAME(f, "\\xe");
    SAME(f, "\\n\\t\\\"");      /* other escapes are not this layer's */
}

static void test_percent(void **state) {
    (void)state;
    layer_fn f = lfx_layer_percent;
    CHECK(f, "%E5%8F%91%E9%80%81%E6%88%90%E5%8A%9F", "发送成功", 12);
    CHECK(f, "q=%e4%b8%ad%e6%96%87&x=1", "q=中文&x=1", 6);
    CHECK(f, "a%20b+c", "a b+c", 1); /* '+' is not this layer's */
    CHECK(f, "%E4%B8%AD%", "中%", 3);
    CHECK(f, "100%%E4%B8%AD", "100%中", 3);
    CHECK(f, "%E4%B8%AD%00", "中%00", 3);
    CHECK(f, "%E4%B8%AD\0%E6%96%87", "中\0文", 6);
}

static void test_percent_bad(void **state) {
    (void)state;
    layer_fn f = lfx_layer_percent;
    SAME(f, "100%");
    SAME(f, "%G1%1G%");
    SAME(f, "%4");
    SAME(f, "%00");
    SAME(f, "%FF");
    SAME(f, "%E4%B8%AD%FF"); /* the whole run stays when it is neither UTF-8 nor GBK */
    SAME(f, "50% off");
}

/* GBK underneath %XX and QP: needs the codec layer (lfx_decode with LFX_GBK). */
static void test_percent_qp_gbk(void **state) {
    (void)state;
    CHECK(lfx_layer_percent, "%B7%A2%CB%CD%B3%C9%B9%A6", "发送成功", 8);
    CHECK(lfx_layer_percent, "%d6%d0%ce%c4.txt", "中文.txt", 4);
    CHECK(lfx_layer_qp, "=D6=D0=CE=C4", "中文", 4);
    /* truncated UTF-8 that happens to be GBK is decoded as GBK: the engine's model judges */
    CHECK(lfx_layer_percent, "%E4%B8", "涓", 2);
}

/* HZ decoding proper: needs the codec layer (GB2312 via lfx_decode with LFX_GBK). */
static void test_hz(void **state) {
    (void)state;
    layer_fn f = lfx_layer_hz;
    CHECK(f, "~{VPND~}", "中文", 1);
    CHECK(f, "~{7\"KM3I9&~}!", "发送成功!", 1);
    CHECK(f, "a ~~ b ~{VPND~} c", "a ~ b 中文 c", 2);
    CHECK(f, "~{VP~}~\nND", "中ND", 2); /* "~\n" is a line continuation */
    CHECK(f, "~{VP~}~\r\n~{ND~}", "中文", 3);
    CHECK(f, "~{VPND~} ~{VP", "中文 ~{VP", 1);           /* the unterminated one stays */
    CHECK(f, "~{VP\n~}~{ND~}", "~{VP\n~}文", 1);         /* a newline ends a segment */
    CHECK(f, "~{VP\x01N~} ~{ND~}", "~{VP\x01N~} 文", 1); /* a bad pair spoils its segment */
    CHECK(f, "~{VPND~}\0~{ND~}", "中文\0文", 2);
}

static void test_hz_bad(void **state) {
    (void)state;
    layer_fn f = lfx_layer_hz;
    SAME(f, "~~strike~~ and ~\nline");  /* no HZ segment: "~~" and "~\n" are text */
    SAME(f, "~{VPND");                  /* unterminated */
    SAME(f, "~{VPND\n~}");
    SAME(f, "~{VPN~}");                 /* odd number of bytes */
    SAME(f, "~{~}");                    /* nothing in it */
    SAME(f, "~{V PN~}");                /* a space is no GB2312 byte */
    SAME(f, "~{*!*!~}");                /* row 0x2A is unassigned in GB2312 */
    SAME(f, "~{中文~}");
    SAME(f, "~{");
    SAME(f, "~}VP~{");
}

/* Decoding proper: needs the codec layer (lfx_iconv_decode). */
static void test_mime(void **state) {
    (void)state;
    layer_fn f = lfx_layer_mime;
    CHECK(f, "=?UTF-8?B?5Y+R6YCB5oiQ5Yqf?=", "发送成功", 1);
    CHECK(f, "Subject: =?gb2312?B?1tDOxA==?= ok", "Subject: 中文 ok", 1);
    CHECK(f, "=?GBK?b?t6LLzbPJuaY=?=", "发送成功", 1);
    CHECK(f, "=?gb2312*zh?Q?=D6=D0=CE=C4?=", "中文", 1);
    CHECK(f, "=?utf-8?q?a_=E4=B8=AD=e6=96=87?=", "a 中文", 1);
    CHECK(f, "=?UTF-8?B?5Lit?= =?UTF-8?B?5paH?=", "中文", 2);
    CHECK(f, "=?UTF-8?B?5Lit?=\r\n\t=?UTF-8?B?5paH?=", "中文", 2); /* folded header */
    CHECK(f, "=?UTF-8?B?5Lit?= x =?UTF-8?B?5paH?=", "中 x 文", 2);
    CHECK(f, "=?UTF-8?B?5Lit?= =?nosuch?B?5paH?=", "中 =?nosuch?B?5paH?=", 1);
    CHECK(f, "=?UTF-8?B?5Lit5paH?=", "中文", 1);
}

static void test_mime_bad(void **state) {
    (void)state;
    layer_fn f = lfx_layer_mime;
    SAME(f, "=?x-no-such-charset?B?5Lit?=");
    SAME(f, "=?UTF-8//TRANSLIT?B?5Lit?=");
    SAME(f, "=?UTF-8?B?5L!t?=");   /* bad base64 */
    SAME(f, "=?UTF-8?B?5Lit5?=");  /* 4n+1 characters */
    SAME(f, "=?UTF-8?B?5L=it?=");  /* padding inside */
    SAME(f, "=?UTF-8?B?5Lit===?=");
    SAME(f, "=?UTF-8?B?/w==?=");   /* decodes to 0xFF, no UTF-8 */
    SAME(f, "=?UTF-8?B?5Lit5pa?="); /* a truncated character */
    SAME(f, "=?UTF-8?B?AA==?=");   /* a NUL */
    SAME(f, "=?UTF-8?Q?a=00?=");
    SAME(f, "=?UTF-16?B?/v8=?=");  /* a BOM and nothing else: decodes to nothing */
    SAME(f, "=?UTF-8?Q?=E4=B8?="); /* a truncated character */
    SAME(f, "=?UTF-8?Q?=E4=B?=");
    SAME(f, "=?UTF-8?B?5Lit");     /* unterminated */
    SAME(f, "=?UTF-8?B?5Lit?");
    SAME(f, "=?UTF-8?B?");
    SAME(f, "=?UTF-8?X?5Lit?=");   /* unknown encoding */
    SAME(f, "=?" "?B?5Lit?=");     /* no charset */
    SAME(f, "=?UTF-8*?B?5Lit?=");  /* empty language */
    SAME(f, "=?UTF-8?B?" "?=");    /* nothing encoded (split: "??=" is a trigraph) */
    SAME(f, "=?UTF-8?B?5L it?=");  /* a space inside */
    SAME(f, "=?UTF-8?B?5Lit\0?=");
    SAME(f, "=?");
    SAME(f, "a=?b=?c?=");
}

static void test_qp(void **state) {
    (void)state;
    layer_fn f = lfx_layer_qp;
    CHECK(f, "=E5=8F=91=E9=80=81=E6=88=90=E5=8A=9F", "发送成功", 12);
    CHECK(f, "=E4=B8=\n=AD=E6=96=87", "中文", 7);       /* soft break inside a character */
    CHECK(f, "=E4=B8=AD=\r\nx", "中x", 4);
    CHECK(f, "=E4=B8=AD= \t\nx", "中x", 4);             /* blanks before a soft break */
    CHECK(f, "a=3Db =E4=B8=AD", "a=b 中", 4);           /* ASCII runs count once QP is shown */
    CHECK(f, "=e4=b8=ad", "中", 3);
    CHECK(f, "=E4=B8=AD=00", "中=00", 3);
    CHECK(f, "=E4=B8=AD =FF", "中 =FF", 3);
    CHECK(f, "=E4=B8=AD\0=E6=96=87", "中\0文", 6);
    CHECK(f, "=E4=B8=AD=", "中=", 3);
}

static void test_qp_bad(void **state) {
    (void)state;
    layer_fn f = lfx_layer_qp;
    SAME(f, "width=20 height=3D");  /* ASCII only: no sign that this is QP */
    SAME(f, "line=\nnext");
    SAME(f, "a == b");
    SAME(f, "=FF=FE");
    SAME(f, "=E4=B8=AD=FF");
    SAME(f, "=G1=1G=");
    SAME(f, "=?UTF-8?B?5Lit?=");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_text_and_empty),
        cmocka_unit_test(test_long_clean_text),
        cmocka_unit_test(test_ncr),
        cmocka_unit_test(test_ncr_bad),
        cmocka_unit_test(test_uescape),
        cmocka_unit_test(test_uescape_bad),
        cmocka_unit_test(test_percent),
        cmocka_unit_test(test_percent_bad),
        cmocka_unit_test(test_percent_qp_gbk),
        cmocka_unit_test(test_hz),
        cmocka_unit_test(test_hz_bad),
        cmocka_unit_test(test_mime),
        cmocka_unit_test(test_mime_bad),
        cmocka_unit_test(test_qp),
        cmocka_unit_test(test_qp_bad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
