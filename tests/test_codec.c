/* Tests of the codec layer. Expected bytes and code points were computed with Python's codecs
 * and the benchmark's garble.py (windows_dbcs, sloppy_cp1252), which define the behaviour. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <iconv.h>
#include <pthread.h>
#include <string.h>

#include "internal.h"
#include "test_helpers.h"
#include "tables/codec_tables.h"

/* ---- helpers ------------------------------------------------------------------------------ */

static void assert_decodes_to(lfx_codec c, const char *in, size_t n, const uint32_t *want,
                              size_t nwant, size_t want_bad) {
    lfx_u32 v;
    lfx_u32_init(&v);
    size_t bad = lfx_decode(c, (const uint8_t *)in, n, &v);
    assert_false(v.failed);
    assert_int_equal(v.len, nwant);
    for (size_t i = 0; i < nwant; i++) assert_int_equal(v.data[i], want[i]);
    assert_int_equal(bad, want_bad);
    lfx_u32_free(&v);
}

static void assert_encodes_to(lfx_codec c, uint32_t cp, const char *want, int nwant) {
    uint8_t out[4];
    int k = lfx_encode_cp(c, cp, out);
    assert_int_equal(k, nwant);
    if (nwant) assert_memory_equal(out, want, (size_t)nwant);
}

static size_t decode_cp_str(lfx_codec c, const char *s, size_t n, uint32_t *cp) {
    return lfx_decode_cp(c, (const uint8_t *)s, n, cp);
}

/* ---- thread-safe lazy init (runs first, before anything else built the tables) ---------- */

static void *encode_in_thread(void *arg) {
    uintptr_t ok = 1;
    (void)arg;
    for (uint32_t cp = 0x4E00; cp < 0x9FA6; cp++) {
        uint8_t out[4];
        if (lfx_encode_cp(LFX_GB18030, cp, out) != 2 && lfx_encode_cp(LFX_GB18030, cp, out) != 4)
            ok = 0;
    }
    uint8_t out[4];
    if (lfx_encode_cp(LFX_GBK, 0x53D1, out) != 2 || out[0] != 0xB7 || out[1] != 0xA2) ok = 0;
    return (void *)ok;
}

static void test_concurrent_first_use(void **state) {
    (void)state;
    pthread_t th[8];
    for (int i = 0; i < 8; i++) assert_int_equal(pthread_create(&th[i], NULL, encode_in_thread, NULL), 0);
    for (int i = 0; i < 8; i++) {
        void *ok;
        assert_int_equal(pthread_join(th[i], &ok), 0);
        assert_true((uintptr_t)ok);
    }
    assert_int_equal(lfx_codec_init(), 0);
    assert_int_equal(lfx_codec_init(), 0);
}

/* ---- names ----------------------------------------------------------------------------------- */

static void test_names(void **state) {
    (void)state;
    static const char *const want[LFX_CODEC_COUNT] = {
        "utf-8", "gbk", "cp936win", "gb18030", "big5", "cp950win",
        "latin1", "cp1252", "sjis", "euckr", "utf-16le", "utf-16be"};
    for (int c = 0; c < LFX_CODEC_COUNT; c++) {
        assert_string_equal(lfx_codec_name((lfx_codec)c), want[c]);
        assert_int_equal(lfx_codec_from_name(want[c]), c);
    }
    assert_string_equal(lfx_codec_name(LFX_CODEC_COUNT), "?");
    assert_int_equal(lfx_codec_from_name("UTF8"), LFX_UTF8);
    assert_int_equal(lfx_codec_from_name("GB2312"), LFX_GBK);
    assert_int_equal(lfx_codec_from_name("cp936"), LFX_GBK);
    assert_int_equal(lfx_codec_from_name("CP950"), LFX_BIG5);
    assert_int_equal(lfx_codec_from_name("Big5"), LFX_BIG5);
    assert_int_equal(lfx_codec_from_name("ISO-8859-1"), LFX_LATIN1);
    assert_int_equal(lfx_codec_from_name("Windows-1252"), LFX_CP1252);
    assert_int_equal(lfx_codec_from_name("Shift_JIS"), LFX_SJIS);
    assert_int_equal(lfx_codec_from_name("cp932"), LFX_SJIS);
    assert_int_equal(lfx_codec_from_name("EUC-KR"), LFX_EUCKR);
    assert_int_equal(lfx_codec_from_name("cp949"), LFX_EUCKR);
    assert_int_equal(lfx_codec_from_name("UTF-16LE"), LFX_UTF16LE);
    assert_int_equal(lfx_codec_from_name("utf_16_be"), LFX_UTF16BE);
    assert_int_equal(lfx_codec_from_name("GB-18030"), LFX_GB18030);
    assert_int_equal(lfx_codec_from_name("koi8-r"), -1);
    assert_int_equal(lfx_codec_from_name(""), -1);
    assert_int_equal(lfx_codec_from_name(NULL), -1);
    assert_int_equal(lfx_codec_from_name("utf-8-utf-8-utf-8-utf-8-utf-8"), -1);
}

/* ---- sample text, every codec: exact bytes both ways ------------------------------------------ */

static const struct {
    lfx_codec codec;
    const char *utf8;
    const char *bytes;
    size_t nbytes;
} samples[] = {
    /* 发送成功 한국어 日本語 café 🟢 NUL */
    {LFX_UTF8, "\xe5\x8f\x91\xe9\x80\x81\xe6\x88\x90\xe5\x8a\x9f\x20\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4\x20\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\x20\x63\x61\x66\xc3\xa9\x20\xf0\x9f\x9f\xa2\x00", "\xe5\x8f\x91\xe9\x80\x81\xe6\x88\x90\xe5\x8a\x9f\x20\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4\x20\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\x20\x63\x61\x66\xc3\xa9\x20\xf0\x9f\x9f\xa2\x00", 44},
    /* 发送成功，播放文件。ABC·— */
    {LFX_GBK, "\xe5\x8f\x91\xe9\x80\x81\xe6\x88\x90\xe5\x8a\x9f\xef\xbc\x8c\xe6\x92\xad\xe6\x94\xbe\xe6\x96\x87\xe4\xbb\xb6\xe3\x80\x82\x41\x42\x43\xc2\xb7\xe2\x80\x94", "\xb7\xa2\xcb\xcd\xb3\xc9\xb9\xa6\xa3\xac\xb2\xa5\xb7\xc5\xce\xc4\xbc\xfe\xa1\xa3\x41\x42\x43\xa1\xa4\xa1\xaa", 27},
    /* 发送成功，播放文件。€ U+E000 U+E15F */
    {LFX_CP936WIN, "\xe5\x8f\x91\xe9\x80\x81\xe6\x88\x90\xe5\x8a\x9f\xef\xbc\x8c\xe6\x92\xad\xe6\x94\xbe\xe6\x96\x87\xe4\xbb\xb6\xe3\x80\x82\xe2\x82\xac\xee\x80\x80\xee\x85\x9f", "\xb7\xa2\xcb\xcd\xb3\xc9\xb9\xa6\xa3\xac\xb2\xa5\xb7\xc5\xce\xc4\xbc\xfe\xa1\xa3\x80\xaa\xa1\xad\xe6", 25},
    /* 发送成功 한국어 ñ • € 🟢 U+E000 */
    {LFX_GB18030, "\xe5\x8f\x91\xe9\x80\x81\xe6\x88\x90\xe5\x8a\x9f\x20\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4\x20\xc3\xb1\x20\xe2\x80\xa2\x20\xe2\x82\xac\x20\xf0\x9f\x9f\xa2\xee\x80\x80", "\xb7\xa2\xcb\xcd\xb3\xc9\xb9\xa6\x20\x83\x36\x84\x33\x82\x37\xf4\x30\x83\x32\xeb\x35\x20\x81\x30\x8a\x39\x20\x81\x36\xa6\x31\x20\xa2\xe3\x20\x95\x30\xae\x38\xaa\xa1", 41},
    /* 發送成功，檔案不存在。€═ */
    {LFX_BIG5, "\xe7\x99\xbc\xe9\x80\x81\xe6\x88\x90\xe5\x8a\x9f\xef\xbc\x8c\xe6\xaa\x94\xe6\xa1\x88\xe4\xb8\x8d\xe5\xad\x98\xe5\x9c\xa8\xe3\x80\x82\xe2\x82\xac\xe2\x95\x90", "\xb5\x6f\xb0\x65\xa6\xa8\xa5\x5c\xa1\x41\xc0\xc9\xae\xd7\xa4\xa3\xa6\x73\xa6\x62\xa1\x43\xa3\xe1\xa2\xa4", 26},
    /* 發送成功，檔案 */
    {LFX_CP950WIN, "\xe7\x99\xbc\xe9\x80\x81\xe6\x88\x90\xe5\x8a\x9f\xef\xbc\x8c\xe6\xaa\x94\xe6\xa1\x88", "\xb5\x6f\xb0\x65\xa6\xa8\xa5\x5c\xa1\x41\xc0\xc9\xae\xd7", 14},
    /* café ÿ U+0080 U+0081 */
    {LFX_LATIN1, "\x63\x61\x66\xc3\xa9\x20\xc3\xbf\xc2\x80\xc2\x81", "\x63\x61\x66\xe9\x20\xff\x80\x81", 8},
    /* € “quotes” Œ U+0081 U+009D */
    {LFX_CP1252, "\xe2\x82\xac\x20\xe2\x80\x9c\x71\x75\x6f\x74\x65\x73\xe2\x80\x9d\x20\xc5\x92\xc2\x81\xc2\x9d", "\x80\x20\x93\x71\x75\x6f\x74\x65\x73\x94\x20\x8c\x81\x9d", 14},
    /* 日本語のテキスト ｶﾀｶﾅ ≒① */
    {LFX_SJIS, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe3\x83\x86\xe3\x82\xad\xe3\x82\xb9\xe3\x83\x88\x20\xef\xbd\xb6\xef\xbe\x80\xef\xbd\xb6\xef\xbe\x85\x20\xe2\x89\x92\xe2\x91\xa0", "\x93\xfa\x96\x7b\x8c\xea\x82\xcc\x83\x65\x83\x4c\x83\x58\x83\x67\x20\xb6\xc0\xb6\xc5\x20\x81\xe0\x87\x40", 26},
    /* 한국어 텍스트 똠방각하 */
    {LFX_EUCKR, "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4\x20\xed\x85\x8d\xec\x8a\xa4\xed\x8a\xb8\x20\xeb\x98\xa0\xeb\xb0\xa9\xea\xb0\x81\xed\x95\x98", "\xc7\xd1\xb1\xb9\xbe\xee\x20\xc5\xd8\xbd\xba\xc6\xae\x20\x8c\x63\xb9\xe6\xb0\xa2\xc7\xcf", 22},
    /* 发送 🟢A */
    {LFX_UTF16LE, "\xe5\x8f\x91\xe9\x80\x81\x20\xf0\x9f\x9f\xa2\x41", "\xd1\x53\x01\x90\x20\x00\x3d\xd8\xe2\xdf\x41\x00", 12},
    {LFX_UTF16BE, "\xe5\x8f\x91\xe9\x80\x81\x20\xf0\x9f\x9f\xa2\x41", "\x53\xd1\x90\x01\x00\x20\xd8\x3d\xdf\xe2\x00\x41", 12},
};

static void test_samples_round_trip(void **state) {
    (void)state;
    for (size_t s = 0; s < sizeof samples / sizeof samples[0]; s++) {
        lfx_codec c = samples[s].codec;
        size_t ulen = strlen(samples[s].utf8) + (c == LFX_UTF8); /* the UTF-8 sample ends in NUL */
        lfx_u32 cps;
        lfx_u32_init(&cps);
        assert_int_equal(lfx_utf8_decode_lossy((const uint8_t *)samples[s].utf8, ulen, &cps), 0);

        /* encode, one code point at a time, to exactly Python's bytes */
        lfx_buf enc;
        lfx_buf_init(&enc);
        encode_cps(c, &cps, &enc);
        assert_int_equal(enc.len, samples[s].nbytes);
        assert_memory_equal(enc.data, samples[s].bytes, samples[s].nbytes);

        /* and back, whole and one character at a time */
        lfx_u32 dec;
        lfx_u32_init(&dec);
        assert_int_equal(lfx_decode(c, enc.data, enc.len, &dec), 0);
        assert_int_equal(dec.len, cps.len);
        assert_memory_equal(dec.data, cps.data, cps.len * sizeof(uint32_t));
        size_t at = 0;
        for (size_t i = 0; i < cps.len; i++) {
            uint32_t cp;
            size_t k = lfx_decode_cp(c, enc.data + at, enc.len - at, &cp);
            assert_true(k != LFX_BAD && k != LFX_SHORT);
            assert_int_equal(cp, cps.data[i]);
            at += k;
        }
        assert_int_equal(at, enc.len);
        lfx_u32_free(&dec);
        lfx_buf_free(&enc);
        lfx_u32_free(&cps);
    }
}

/* Every code point any codec encodes decodes back to itself from exactly those bytes: the
 * engine relies on encode being a right inverse of decode. */
static void test_every_encoding_decodes_back(void **state) {
    (void)state;
    /* ASCII plus what the tables hold, less the second encodings of duplicates */
    static const size_t want_count[LFX_CODEC_COUNT] = {
        [LFX_UTF8] = 1112064, [LFX_GBK] = 128 + 21791,         [LFX_CP936WIN] = 128 + 21791 + 2068 + 1,
        [LFX_GB18030] = 1112064, [LFX_BIG5] = 128 + 13752 - 10, [LFX_CP950WIN] = 128 + 13752 - 10,
        [LFX_LATIN1] = 256,   [LFX_CP1252] = 256,              [LFX_SJIS] = 9402,
        [LFX_EUCKR] = 128 + 17048, [LFX_UTF16LE] = 1112064,    [LFX_UTF16BE] = 1112064,
    };
    for (int c = 0; c < LFX_CODEC_COUNT; c++) {
        size_t count = 0;
        for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
            uint8_t out[4];
            int k = lfx_encode_cp((lfx_codec)c, cp, out);
            if (!k) continue;
            uint32_t back = 0;
            size_t used = lfx_decode_cp((lfx_codec)c, out, (size_t)k, &back);
            if (used != (size_t)k || back != cp) fail_msg("%s: U+%04X does not round-trip", lfx_codec_name((lfx_codec)c), cp);
            count++;
        }
        /* The table codecs encode exactly what they decode (one-way mappings are left out). */
        assert_int_equal(count, want_count[c]);
    }
    assert_int_equal(lfx_encode_cp(LFX_CODEC_COUNT, 'A', (uint8_t[4]){0}), 0);
}

/* ---- Windows behaviour (garble.py windows_dbcs) --------------------------------------------- */

static const struct {
    lfx_codec codec;
    const char *in;
    size_t n;
    uint32_t want[16];
    size_t nwant;
} windows_cases[] = {
    /* 发送成功 -> 鍙戦€佹垚鍔? (lone final lead) */
    {LFX_CP936WIN, "\xe5\x8f\x91\xe9\x80\x81\xe6\x88\x90\xe5\x8a\x9f", 12, {0x9359,0x6226,0x20AC,0x4F79,0x579A,0x9354,0x3F}, 7},
    /* 成功。\r\n下一行 -> 鎴愬姛銆?\n涓嬩竴琛? (the CR is swallowed) */
    {LFX_CP936WIN, "\xe6\x88\x90\xe5\x8a\x9f\xe3\x80\x82\x0d\x0a\xe4\xb8\x8b\xe4\xb8\x80\xe8\xa1\x8c", 20, {0x93B4,0x612C,0x59DB,0x9286,0x3F,0xA,0x6D93,0x5B29,0x7AF4,0x741B,0x3F}, 11},
    /* "文件不存在" -> "鏂囦欢涓嶅瓨鍦? (the closing quote is swallowed) */
    {LFX_CP936WIN, "\x22\xe6\x96\x87\xe4\xbb\xb6\xe4\xb8\x8d\xe5\xad\x98\xe5\x9c\xa8\x22", 17, {0x22,0x93C2,0x56E6,0x6B22,0x6D93,0x5D85,0x74E8,0x9366,0x3F}, 9},
    /* 播放 -> 鎾 U+E15F 斁 (a user-defined pair) */
    {LFX_CP936WIN, "\xe6\x92\xad\xe6\x94\xbe", 6, {0x93BE,0xE15F,0x6581}, 3},
    /* ：Application -> 锛欰pplication (an ASCII trail absorbed into a Han character) */
    {LFX_CP936WIN, "\xef\xbc\x9a\x41\x70\x70\x6c\x69\x63\x61\x74\x69\x6f\x6e", 14, {0x951B,0x6B30,0x70,0x70,0x6C,0x69,0x63,0x61,0x74,0x69,0x6F,0x6E}, 12},
    /* → -> 鈫? */
    {LFX_CP936WIN, "\xe2\x86\x92", 3, {0x922B,0x3F}, 2},
    /* euro, 0xFF, lone final lead */
    {LFX_CP936WIN, "\x80\xff\x81", 3, {0x20AC,0x3F,0x3F}, 3},
    /* user-defined area, a PUA hole outside the areas, A2E3 (gb18030's euro: not cp936) */
    {LFX_CP936WIN, "\xaa\xa1\xa2\xab\xa2\xe3\x41", 7, {0xE000,0xE766,0x3F,0x41}, 4},
    /* 中文 \r\n as cp950 -> 銝剜? \r\n (the space is swallowed) */
    {LFX_CP950WIN, "\xe4\xb8\xad\xe6\x96\x87\x20\x0d\x0a", 9, {0x929D,0x525C,0x3F,0x20,0xD,0xA}, 6},
    /* 發送成功，中文 as cp950 */
    {LFX_CP950WIN, "\xe7\x99\xbc\xe9\x80\x81\xe6\x88\x90\xe5\x8a\x9f\xef\xbc\x8c\xe4\xb8\xad\xe6\x96\x87", 21, {0x3F,0x6F6E,0x3F,0x3F,0x3F,0x3F,0x3F,0x3F,0x929D,0x525C,0x3F}, 11},
    /* cp950: 0x80 and 0xFF are '?', 0x81 is no lead but still swallows, euro A3E1, F9F9 */
    {LFX_CP950WIN, "\x80\xff\x81\x40\xa1\x40\xa3\xe1\xf9\xf9", 10, {0x3F,0x3F,0x3F,0x3000,0x20AC,0x2550}, 6},
};

static void test_windows_question_marks(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof windows_cases / sizeof windows_cases[0]; i++) {
        size_t q = 0; /* every '?' in these outputs is a replacement: none of the inputs has one */
        for (size_t k = 0; k < windows_cases[i].nwant; k++) q += windows_cases[i].want[k] == '?';
        assert_decodes_to(windows_cases[i].codec, windows_cases[i].in, windows_cases[i].n,
                          windows_cases[i].want, windows_cases[i].nwant, q);
    }
    /* a literal '?' is not counted as a replacement */
    assert_decodes_to(LFX_CP936WIN, "?\xc4", 2, (const uint32_t[]){'?', '?'}, 2, 1);
}

/* Python's errors="replace": one U+FFFD per bad byte (UTF-16: per code unit), resuming at
 * the next byte, and one for a truncated character at the end. */
static void test_replacement(void **state) {
    (void)state;
    /* \x81 ' ' 'A' lone lead */
    assert_decodes_to(LFX_GBK, "\x81\x20\x41\xc4", 4, (const uint32_t[]){0xFFFD, 0x20, 0x41, 0xFFFD}, 4, 2);
    assert_decodes_to(LFX_GBK, "\x80\xc4\xe3\xff", 4, (const uint32_t[]){0xFFFD, 0x4F60, 0xFFFD}, 3, 2);
    assert_decodes_to(LFX_BIG5, "\x81\x40\xa4\xa4", 4, (const uint32_t[]){0xFFFD, 0x40, 0x4E2D}, 3, 1);
    assert_decodes_to(LFX_SJIS, "\x82\xa0\xb1\x85\x40\xa0", 6,
                      (const uint32_t[]){0x3042, 0xFF71, 0xFFFD, 0x40, 0xF8F0}, 5, 1);
    assert_decodes_to(LFX_EUCKR, "\xc7\xd1\xb1\xb9\xff", 5, (const uint32_t[]){0xD55C, 0xAD6D, 0xFFFD}, 3, 1);
    assert_decodes_to(LFX_GB18030, "\x81\x30\x81\x30\x90\x30\x81\x30\xa2\xe3\x81\x30", 12,
                      (const uint32_t[]){0x80, 0x10000, 0x20AC, 0xFFFD}, 4, 1);
    assert_decodes_to(LFX_UTF16LE, "\x41\x00\x00\xd8\x42\x00\x3d\xd8\xe2\xdf\x00\xdc\x43", 13,
                      (const uint32_t[]){0x41, 0xFFFD, 0x42, 0x1F7E2, 0xFFFD, 0xFFFD}, 6, 3);
    assert_decodes_to(LFX_UTF16BE, "\x00\x41\xd8\x00\x00\x42\xd8\x3d\xdf\xe2\xdc\x00\x00", 13,
                      (const uint32_t[]){0x41, 0xFFFD, 0x42, 0x1F7E2, 0xFFFD, 0xFFFD}, 6, 3);
    assert_decodes_to(LFX_UTF8, "\xe4\xb8\x41", 3, (const uint32_t[]){0xFFFD, 0xFFFD, 0x41}, 3, 2);
}

/* ---- euro and private use --------------------------------------------------------------------- */

static void test_euro(void **state) {
    (void)state;
    uint32_t cp = 0;
    assert_int_equal(decode_cp_str(LFX_CP936WIN, "\x80", 1, &cp), 1);
    assert_int_equal(cp, 0x20AC);
    assert_int_equal(decode_cp_str(LFX_GBK, "\x80", 1, &cp), LFX_BAD);
    assert_int_equal(decode_cp_str(LFX_GB18030, "\x80", 1, &cp), LFX_BAD);
    assert_int_equal(decode_cp_str(LFX_GB18030, "\xa2\xe3", 2, &cp), 2);
    assert_int_equal(cp, 0x20AC);
    assert_int_equal(decode_cp_str(LFX_CP936WIN, "\xa2\xe3", 2, &cp), LFX_BAD);
    assert_int_equal(decode_cp_str(LFX_CP1252, "\x80", 1, &cp), 1);
    assert_int_equal(cp, 0x20AC);
    assert_encodes_to(LFX_GBK, 0x20AC, "", 0);
    assert_encodes_to(LFX_CP936WIN, 0x20AC, "\x80", 1);
    assert_encodes_to(LFX_GB18030, 0x20AC, "\xa2\xe3", 2);
    assert_encodes_to(LFX_BIG5, 0x20AC, "\xa3\xe1", 2);
    assert_encodes_to(LFX_SJIS, 0x20AC, "", 0);
    assert_encodes_to(LFX_CP1252, 0x20AC, "\x80", 1);
    assert_encodes_to(LFX_LATIN1, 0x20AC, "", 0);
}

static void test_private_use(void **state) {
    (void)state;
    static const struct {
        const char *pair;
        uint32_t cp;
    } pua[] = {
        {"\xaa\xa1", 0xE000}, {"\xaf\xfe", 0xE233}, {"\xf8\xa1", 0xE234}, {"\xfe\xfe", 0xE4C5},
        {"\xa1\x40", 0xE4C6}, {"\xa7\xa0", 0xE765}, {"\xa2\xab", 0xE766}, {"\xfe\xa0", 0xE864},
    };
    for (size_t i = 0; i < sizeof pua / sizeof pua[0]; i++) {
        uint32_t cp = 0;
        assert_int_equal(decode_cp_str(LFX_CP936WIN, pua[i].pair, 2, &cp), 2);
        assert_int_equal(cp, pua[i].cp);
        assert_int_equal(decode_cp_str(LFX_GB18030, pua[i].pair, 2, &cp), 2);
        assert_int_equal(cp, pua[i].cp);
        assert_int_equal(decode_cp_str(LFX_GBK, pua[i].pair, 2, &cp), LFX_BAD);
        assert_encodes_to(LFX_CP936WIN, pua[i].cp, pua[i].pair, 2);
        assert_encodes_to(LFX_GB18030, pua[i].cp, pua[i].pair, 2);
        assert_encodes_to(LFX_GBK, pua[i].cp, "", 0);
    }
    /* gb18030-only pairs outside private use are not cp936 */
    uint32_t cp;
    assert_int_equal(decode_cp_str(LFX_GB18030, "\xfe\x50", 2, &cp), 2);
    assert_int_equal(cp, 0x2E81);
    assert_int_equal(decode_cp_str(LFX_CP936WIN, "\xfe\x50", 2, &cp), LFX_BAD);
    assert_encodes_to(LFX_CP936WIN, 0x2E81, "", 0);
    /* private use past the two-byte PUA: gb18030 only, as a four-byte code */
    assert_encodes_to(LFX_CP936WIN, 0xE865, "", 0);
    assert_encodes_to(LFX_GB18030, 0xE865, "\x83\x36\xd0\x30", 4);
    assert_int_equal(decode_cp_str(LFX_SJIS, "\xf0\x40", 2, &cp), 2);
    assert_int_equal(cp, 0xE000);
}

/* ---- several byte sequences for one character: Python's encoder picks ------------------------ */

static void test_duplicates_and_one_way(void **state) {
    (void)state;
    uint32_t cp;
    assert_int_equal(decode_cp_str(LFX_BIG5, "\xf9\xf9", 2, &cp), 2);
    assert_int_equal(cp, 0x2550);
    assert_encodes_to(LFX_BIG5, 0x2550, "\xa2\xa4", 2);
    assert_int_equal(decode_cp_str(LFX_SJIS, "\x87\x90", 2, &cp), 2);
    assert_int_equal(cp, 0x2252);
    assert_encodes_to(LFX_SJIS, 0x2252, "\x81\xe0", 2);
    assert_encodes_to(LFX_SJIS, 0xFFE2, "\x81\xca", 2); /* also EEF9 and FA54 */
    assert_encodes_to(LFX_SJIS, 0x2170, "\xee\xef", 2); /* also FA40 */
    /* Python encodes these, but to bytes that decode to something else: left out */
    assert_encodes_to(LFX_BIG5, 0x00A2, "", 0);
    assert_encodes_to(LFX_BIG5, 0x2022, "", 0);
    assert_encodes_to(LFX_SJIS, 0x301C, "", 0);
    assert_encodes_to(LFX_SJIS, 0x00A5, "", 0);
    /* the generated preference lists are sorted and each entry decodes to its character */
    const lfx_dbcs_table *t[] = {&lfx_big5_table, &lfx_sjis_table, &lfx_euckr_table};
    lfx_codec c[] = {LFX_BIG5, LFX_SJIS, LFX_EUCKR};
    for (int k = 0; k < 3; k++) {
        for (size_t i = 0; i < t[k]->npref; i++) {
            uint8_t b[2] = {(uint8_t)(t[k]->pref[i].code >> 8), (uint8_t)t[k]->pref[i].code};
            int nb = t[k]->pref[i].code > 0xFF ? 2 : 1;
            assert_int_equal(lfx_decode_cp(c[k], nb == 2 ? b : b + 1, (size_t)nb, &cp), (size_t)nb);
            assert_int_equal(cp, t[k]->pref[i].cp);
            if (i) assert_true(t[k]->pref[i - 1].cp < t[k]->pref[i].cp);
        }
    }
    assert_int_equal(lfx_big5_table.npref, 10);
    assert_int_equal(lfx_sjis_table.npref, 396);
    assert_int_equal(lfx_euckr_table.npref, 0);
}

/* ---- truncated, bad and empty input ---------------------------------------------------------- */

static void test_truncated(void **state) {
    (void)state;
    uint32_t cp;
    assert_int_equal(decode_cp_str(LFX_GBK, "\xc4", 1, &cp), LFX_SHORT);
    assert_int_equal(decode_cp_str(LFX_GBK, "\xc4\x20", 2, &cp), LFX_BAD);
    assert_int_equal(decode_cp_str(LFX_CP936WIN, "\xc4", 1, &cp), LFX_SHORT);
    assert_int_equal(decode_cp_str(LFX_SJIS, "\x82", 1, &cp), LFX_SHORT);
    assert_int_equal(decode_cp_str(LFX_SJIS, "\xb1", 1, &cp), 1); /* half-width katakana */
    assert_int_equal(cp, 0xFF71);
    assert_int_equal(decode_cp_str(LFX_BIG5, "\xa4", 1, &cp), LFX_SHORT);
    assert_int_equal(decode_cp_str(LFX_BIG5, "\x81", 1, &cp), LFX_BAD); /* no cp950 pair starts so */
    assert_int_equal(decode_cp_str(LFX_EUCKR, "\xb0", 1, &cp), LFX_SHORT);
    assert_int_equal(decode_cp_str(LFX_UTF8, "\xe4\xb8", 2, &cp), LFX_SHORT);
    assert_int_equal(decode_cp_str(LFX_UTF8, "\xe4\x41", 2, &cp), LFX_BAD);
    assert_int_equal(decode_cp_str(LFX_UTF8, "\xe4\xb8\x41", 3, &cp), LFX_BAD);
    assert_int_equal(decode_cp_str(LFX_UTF8, "\xed\xa0", 2, &cp), LFX_BAD);   /* surrogate */
    assert_int_equal(decode_cp_str(LFX_UTF8, "\xf4\x90", 2, &cp), LFX_BAD);   /* > U+10FFFF */
    assert_int_equal(decode_cp_str(LFX_UTF8, "\xf0\x9f\x9f", 3, &cp), LFX_SHORT);
    assert_int_equal(decode_cp_str(LFX_UTF8, "\xc0\x80", 2, &cp), LFX_BAD);
    assert_int_equal(decode_cp_str(LFX_GB18030, "\x81", 1, &cp), LFX_SHORT);
    assert_int_equal(decode_cp_str(LFX_GB18030, "\x81\x30", 2, &cp), LFX_SHORT);
    assert_int_equal(decode_cp_str(LFX_GB18030, "\x81\x30\x81", 3, &cp), LFX_SHORT);
    assert_int_equal(decode_cp_str(LFX_GB18030, "\x81\x30\x20", 3, &cp), LFX_BAD);
    assert_int_equal(decode_cp_str(LFX_GB18030, "\x84\x32", 2, &cp), LFX_BAD); /* past the BMP codes */
    assert_int_equal(decode_cp_str(LFX_GB18030, "\x85\x30\x81\x30", 4, &cp), LFX_BAD);
    assert_int_equal(decode_cp_str(LFX_GB18030, "\x84\x31\xa4\x39", 4, &cp), 4);
    assert_int_equal(cp, 0xFFFF);
    assert_int_equal(decode_cp_str(LFX_GB18030, "\x84\x31\xa5\x30", 4, &cp), LFX_BAD);
    assert_int_equal(decode_cp_str(LFX_GB18030, "\xe3\x32\x9a\x35", 4, &cp), 4);
    assert_int_equal(cp, 0x10FFFF);
    assert_int_equal(decode_cp_str(LFX_GB18030, "\xe3\x32\x9a\x36", 4, &cp), LFX_BAD);
    assert_int_equal(decode_cp_str(LFX_GB18030, "\xe3\x33", 2, &cp), LFX_BAD);
    assert_int_equal(decode_cp_str(LFX_UTF16LE, "\x41", 1, &cp), LFX_SHORT);
    assert_int_equal(decode_cp_str(LFX_UTF16LE, "\x3d\xd8", 2, &cp), LFX_SHORT);
    assert_int_equal(decode_cp_str(LFX_UTF16LE, "\x3d\xd8\xe2", 3, &cp), LFX_SHORT);
    assert_int_equal(decode_cp_str(LFX_UTF16BE, "\xd8\x3d\x00", 3, &cp), LFX_BAD);
    assert_int_equal(decode_cp_str(LFX_UTF16BE, "\xd8\x3d\xdf", 3, &cp), LFX_SHORT);
    assert_int_equal(decode_cp_str(LFX_UTF16LE, "\x00\xdc\x41\x00", 4, &cp), LFX_BAD);
    /* a truncated character at the end of lfx_decode's input is one replacement */
    assert_decodes_to(LFX_GB18030, "A\x81\x30\x81", 4, (const uint32_t[]){'A', 0xFFFD}, 2, 1);
    assert_decodes_to(LFX_UTF16LE, "A\x00\x3d\xd8\xe2", 5, (const uint32_t[]){'A', 0xFFFD}, 2, 1);
    assert_decodes_to(LFX_CP936WIN, "A\xc4", 2, (const uint32_t[]){'A', '?'}, 2, 1);
    assert_decodes_to(LFX_CP950WIN, "A\xa4", 2, (const uint32_t[]){'A', '?'}, 2, 1);
}

static void test_empty_and_bad_input(void **state) {
    (void)state;
    for (int c = 0; c < LFX_CODEC_COUNT; c++) {
        uint32_t cp = 12345;
        assert_int_equal(lfx_decode_cp((lfx_codec)c, (const uint8_t *)"", 0, &cp), LFX_SHORT);
        assert_int_equal(cp, 12345);
        lfx_u32 v;
        lfx_u32_init(&v);
        assert_int_equal(lfx_decode((lfx_codec)c, (const uint8_t *)"", 0, &v), 0);
        assert_int_equal(v.len, 0);
        assert_int_equal(lfx_decode((lfx_codec)c, NULL, 0, &v), 0);
        assert_int_equal(v.len, 0);
        lfx_u32_free(&v);
        /* NUL is an ordinary character */
        assert_int_equal(lfx_decode_cp((lfx_codec)c, (const uint8_t *)"\0\0", 2, &cp),
                         c == LFX_UTF16LE || c == LFX_UTF16BE ? 2 : 1);
        assert_int_equal(cp, 0);
        /* nothing encodes past U+10FFFF */
        uint8_t out[4];
        assert_int_equal(lfx_encode_cp((lfx_codec)c, 0x110000, out), 0);
        assert_int_equal(lfx_encode_cp((lfx_codec)c, 0xFFFFFFFF, out), 0);
    }
    uint32_t cp;
    assert_int_equal(lfx_decode_cp(LFX_CODEC_COUNT, (const uint8_t *)"A", 1, &cp), LFX_BAD);
    /* surrogates encode nowhere */
    uint8_t out[4];
    for (int c = 0; c < LFX_CODEC_COUNT; c++) assert_int_equal(lfx_encode_cp((lfx_codec)c, 0xD800, out), 0);
    assert_encodes_to(LFX_UTF16LE, 0xDC00, "", 0);
    assert_encodes_to(LFX_UTF16LE, 0x1F7E2, "\x3d\xd8\xe2\xdf", 4);
    assert_encodes_to(LFX_UTF16BE, 0x1F7E2, "\xd8\x3d\xdf\xe2", 4);
    assert_encodes_to(LFX_UTF16BE, 0xFFFF, "\xff\xff", 2);
    assert_encodes_to(LFX_LATIN1, 0x100, "", 0);
    assert_encodes_to(LFX_GBK, 0x1F7E2, "", 0);
    assert_encodes_to(LFX_GB18030, 0x1F7E2, "\x95\x30\xae\x38", 4);
    assert_encodes_to(LFX_GB18030, 0x10000, "\x90\x30\x81\x30", 4);
    assert_encodes_to(LFX_GB18030, 0x80, "\x81\x30\x81\x30", 4);
    assert_encodes_to(LFX_GB18030, 0xFFFF, "\x84\x31\xa4\x39", 4);
    /* sloppy windows-1252 keeps its five undefined bytes, and only those C1 controls */
    assert_int_equal(decode_cp_str(LFX_CP1252, "\x8d", 1, &cp), 1);
    assert_int_equal(cp, 0x8D);
    assert_encodes_to(LFX_CP1252, 0x81, "\x81", 1);
    assert_encodes_to(LFX_CP1252, 0x9D, "\x9d", 1);
    assert_encodes_to(LFX_CP1252, 0x80, "", 0);
    assert_encodes_to(LFX_CP1252, 0x9C, "", 0);
    assert_encodes_to(LFX_CP1252, 0x153, "\x9c", 1);
}

/* ---- GBK against iconv ------------------------------------------------------------------------ */

/* iconv's code point for bytes b[0..n), or 0 if it rejects them. */
static uint32_t iconv_cp(iconv_t cd, const uint8_t *b, size_t n) {
    char *in = (char *)b;
    size_t inleft = n;
    uint8_t out[16];
    char *o = (char *)out;
    size_t oleft = sizeof out;
    iconv(cd, NULL, NULL, NULL, NULL);
    if (iconv(cd, &in, &inleft, &o, &oleft) == (size_t)-1 || inleft || sizeof out - oleft != 4)
        return 0;
    return (uint32_t)out[0] | (uint32_t)out[1] << 8 | (uint32_t)out[2] << 16 | (uint32_t)out[3] << 24;
}

static void test_gbk_matches_iconv(void **state) {
    (void)state;
    iconv_t cd = iconv_open("UTF-32LE", "GBK");
    if (cd == (iconv_t)-1) skip();
    size_t checked = 0;
    for (unsigned c = 0x80; c <= 0xFF; c++) {
        uint8_t b[1] = {(uint8_t)c};
        uint32_t ours = 0;
        size_t k = lfx_decode_cp(LFX_GBK, b, 1, &ours);
        uint32_t theirs = iconv_cp(cd, b, 1);
        if (c == 0x80) { /* the one difference: iconv's GBK is Windows' cp936 here */
            assert_int_equal(k, LFX_BAD);
            assert_int_equal(theirs, 0x20AC);
            assert_int_equal(lfx_decode_cp(LFX_CP936WIN, b, 1, &ours), 1);
            assert_int_equal(ours, theirs);
            continue;
        }
        assert_int_equal(theirs, 0);
        assert_true(k == LFX_BAD || k == LFX_SHORT);
    }
    for (unsigned lead = 0x81; lead <= 0xFE; lead++) {
        for (unsigned trail = 0; trail <= 0xFF; trail++) {
            uint8_t b[2] = {(uint8_t)lead, (uint8_t)trail};
            uint32_t ours = 0;
            size_t k = lfx_decode_cp(LFX_GBK, b, 2, &ours);
            uint32_t theirs = iconv_cp(cd, b, 2);
            if (k == 2) {
                if (ours != theirs)
                    fail_msg("%02X%02X: libfix U+%04X, iconv U+%04X", lead, trail, ours, theirs);
                uint8_t out[4];
                assert_int_equal(lfx_encode_cp(LFX_GBK, ours, out), 2);
                assert_memory_equal(out, b, 2);
                checked++;
            } else if (theirs) {
                fail_msg("%02X%02X: libfix rejects, iconv U+%04X", lead, trail, theirs);
            }
        }
    }
    assert_int_equal(checked, 21791);
    iconv_close(cd);
}

/* ---- lfx_iconv_decode ---------------------------------------------------------------------- */

static void test_iconv_decode(void **state) {
    (void)state;
    lfx_buf out;
    lfx_buf_init(&out);
    assert_int_equal(lfx_iconv_decode("no-such-charset-xyz", (const uint8_t *)"abc", 3, &out), -1);
    assert_int_equal(out.len, 0);
    assert_int_equal(lfx_iconv_decode(NULL, (const uint8_t *)"abc", 3, &out), -1);
    assert_int_equal(lfx_iconv_decode("UTF-8//IGNORE", (const uint8_t *)"a\xff", 2, &out), -1);
    assert_int_equal(lfx_iconv_decode("", (const uint8_t *)"abc", 3, &out), -1);
    assert_int_equal(out.len, 0);
    assert_int_equal(lfx_iconv_decode("gb2312", NULL, 0, &out), 0);
    assert_int_equal(out.len, 0);

    /* "gb2312" labels hold GBK and the euro in practice: 你好 丂 € */
    assert_int_equal(lfx_iconv_decode("GB2312", (const uint8_t *)"\xc4\xe3\xba\xc3\x81\x40\x80", 7, &out), 0);
    assert_string_equal((const char *)out.data, "\xe4\xbd\xa0\xe5\xa5\xbd\xe4\xb8\x82\xe2\x82\xac");
    lfx_buf_free(&out);

    /* invalid bytes: -2, with what came before */
    lfx_buf_init(&out);
    assert_int_equal(lfx_iconv_decode("gbk", (const uint8_t *)"\xc4\xe3\xff\xc4\xe3", 5, &out), -2);
    assert_int_equal(out.len, 3);
    assert_memory_equal(out.data, "\xe4\xbd\xa0", 3);
    lfx_buf_free(&out);

    /* glibc's UTF-8 decoder passes F4 90 80 80 (above U+10FFFF) through: cut there, -2 */
    lfx_buf_init(&out);
    assert_int_equal(lfx_iconv_decode("UTF-8", (const uint8_t *)"A\xf4\x90\x80\x80" "B", 6, &out), -2);
    assert_int_equal(out.len, 1);
    assert_memory_equal(out.data, "A", 1);
    lfx_buf_free(&out);

    /* truncated at the end: -2 */
    lfx_buf_init(&out);
    assert_int_equal(lfx_iconv_decode("UTF-8", (const uint8_t *)"A\xe4\xbd", 3, &out), -2);
    assert_int_equal(out.len, 1);
    lfx_buf_free(&out);

    /* a stateful charset, and output longer than one internal chunk */
    lfx_buf_init(&out);
    assert_int_equal(lfx_iconv_decode("ISO-2022-JP", (const uint8_t *)"\x1b$B$3$s$K$A$O\x1b(B", 16, &out), 0);
    assert_string_equal((const char *)out.data, "\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1\xe3\x81\xaf");
    lfx_buf_free(&out);
    lfx_buf_init(&out);
    uint8_t big[3000];
    for (size_t i = 0; i < sizeof big; i += 2) big[i] = 0xC4, big[i + 1] = 0xE3; /* 你 x 1500 */
    assert_int_equal(lfx_iconv_decode("cp936", big, sizeof big, &out), 0);
    assert_int_equal(out.len, 4500);
    assert_memory_equal(out.data + 4497, "\xe4\xbd\xa0", 3);
    lfx_buf_free(&out);

    /* big5 labels get cp950 (the euro at A3E1) */
    lfx_buf_init(&out);
    assert_int_equal(lfx_iconv_decode("big5", (const uint8_t *)"\xa4\xa4\xa3\xe1", 4, &out), 0);
    assert_string_equal((const char *)out.data, "\xe4\xb8\xad\xe2\x82\xac");
    lfx_buf_free(&out);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concurrent_first_use),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_samples_round_trip),
        cmocka_unit_test(test_every_encoding_decodes_back),
        cmocka_unit_test(test_windows_question_marks),
        cmocka_unit_test(test_replacement),
        cmocka_unit_test(test_euro),
        cmocka_unit_test(test_private_use),
        cmocka_unit_test(test_duplicates_and_one_way),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_empty_and_bad_input),
        cmocka_unit_test(test_gbk_matches_iconv),
        cmocka_unit_test(test_iconv_decode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
