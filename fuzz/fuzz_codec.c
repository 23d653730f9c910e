/* Fuzz harness for the codecs (codec.c). First byte: bits 0-3 the codec (mod LFX_CODEC_COUNT),
 * bits 4-5 the direction:
 *   0, 1  decode: lfx_decode agrees with lfx_decode_cp step by step, yields scalar values only,
 *         and where decoding was exact, encoding the code points with lfx_encode_cp gives back
 *         the same bytes (Big5/cp950 and Shift_JIS map a few code points from two byte pairs:
 *         there the re-encoded bytes decode to the same code points);
 *   2     encode: the rest is UTF-8 (or, with bit 6, 3-byte big-endian values) giving code
 *         points; whatever lfx_encode_cp encodes, lfx_decode_cp decodes back to the same code
 *         point with the same length; UTF-8, UTF-16 and GB18030 encode every scalar value;
 *   3     iconv: lfx_iconv_decode with a charset from a fixed list (or, with bit 6, a name
 *         taken from the input up to a NUL): status codes, no output for unknown charsets or
 *         iconv option suffixes, UTF-8 passes through; valid UTF-8 out whatever the bytes
 *         (glibc passes UTF-8 above U+10FFFF through: lfx_iconv_decode cuts it there).
 * (A truncated character at the end is one U+FFFD, for UTF-8 one per byte, as codec.c says.) */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "internal.h"

static int has_duplicates(lfx_codec c) { return c == LFX_BIG5 || c == LFX_CP950WIN || c == LFX_SJIS; }
static int windows_codec(lfx_codec c) { return c == LFX_CP936WIN || c == LFX_CP950WIN; }
static int ascii_compatible(lfx_codec c) { return c != LFX_UTF16LE && c != LFX_UTF16BE; }

static void check_decode(lfx_codec c, const uint8_t *b, size_t n) {
    lfx_u32 v;
    lfx_u32_init(&v);
    size_t bad = lfx_decode(c, b, n, &v);
    FZ_CHECK(!v.failed, "allocation");
    FZ_CHECK(bad <= n, "%zu replacements for %zu bytes", bad, n);
    FZ_CHECK(v.len <= n, "%zu code points from %zu bytes", v.len, n);
    size_t markers = 0;
    for (size_t i = 0; i < v.len; i++) {
        FZ_CHECK(fz_scalar(v.data[i]), "%s decoded U+%X, not a scalar value", lfx_codec_name(c), v.data[i]);
        markers += v.data[i] == (windows_codec(c) ? '?' : 0xFFFD);
    }
    FZ_CHECK(markers >= bad, "%zu replacements reported, %zu in the text", bad, markers);

    /* lfx_decode is lfx_decode_cp applied along the bytes (the Windows codecs differ by design) */
    if (!windows_codec(c)) {
        size_t i = 0, k = 0, bad2 = 0;
        size_t unit = (c == LFX_UTF16LE || c == LFX_UTF16BE) ? 2 : 1;
        while (i < n) {
            uint32_t cp = 0;
            size_t used = lfx_decode_cp(c, b + i, n - i, &cp);
            FZ_CHECK(used == LFX_BAD || used == LFX_SHORT || (used >= 1 && used <= 4 && used <= n - i),
                     "lfx_decode_cp consumed %zu of %zu bytes", used, n - i);
            if (used == LFX_SHORT) {
                /* a truncated character at the end: one U+FFFD, or for UTF-8 one per byte */
                size_t reps = c == LFX_UTF8 ? n - i : 1;
                for (size_t r = 0; r < reps; r++, k++, bad2++)
                    FZ_CHECK(k < v.len && v.data[k] == 0xFFFD, "truncated end not U+FFFD");
                break;
            }
            if (used == LFX_BAD) {
                cp = 0xFFFD;
                used = unit;
                bad2++;
            }
            FZ_CHECK(k < v.len && v.data[k] == cp, "lfx_decode and lfx_decode_cp differ at byte %zu", i);
            k++;
            i += used;
        }
        FZ_CHECK(k == v.len && bad2 == bad, "lfx_decode: %zu code points, %zu bad; stepwise %zu, %zu", v.len, bad, k,
                 bad2);
    }

    if (bad == 0) {
        /* exact decoding: encode back */
        lfx_buf e;
        lfx_buf_init(&e);
        for (size_t i = 0; i < v.len; i++) {
            uint8_t o[4];
            int m = lfx_encode_cp(c, v.data[i], o);
            FZ_CHECK(m >= 1 && m <= 4, "%s decoded U+%04X but cannot encode it", lfx_codec_name(c), v.data[i]);
            lfx_buf_append(&e, o, (size_t)m);
        }
        FZ_CHECK(!e.failed, "allocation");
        if (!has_duplicates(c)) {
            FZ_CHECK(e.len == n && (n == 0 || memcmp(e.data, b, n) == 0),
                     "%s: decode then encode gives other bytes (%zu -> %zu bytes)", lfx_codec_name(c), n, e.len);
        } else {
            lfx_u32 w;
            lfx_u32_init(&w);
            FZ_CHECK(lfx_decode(c, e.data ? e.data : (const uint8_t *)"", e.len, &w) == 0, "re-encoded bytes bad");
            FZ_CHECK(w.len == v.len && (v.len == 0 || memcmp(w.data, v.data, v.len * sizeof(uint32_t)) == 0),
                     "%s: re-encoded bytes decode to other code points", lfx_codec_name(c));
            lfx_u32_free(&w);
        }
        lfx_buf_free(&e);
    }
    lfx_u32_free(&v);
}

static void check_encode_cp(lfx_codec c, uint32_t cp) {
    uint8_t o[4] = {0, 0, 0, 0};
    int m = lfx_encode_cp(c, cp, o);
    FZ_CHECK(m >= 0 && m <= 4, "lfx_encode_cp returned %d", m);
    if (!fz_scalar(cp)) {
        FZ_CHECK(m == 0, "%s encoded U+%X, not a scalar value", lfx_codec_name(c), cp);
        return;
    }
    if (c == LFX_UTF8 || c == LFX_UTF16LE || c == LFX_UTF16BE || c == LFX_GB18030)
        FZ_CHECK(m > 0, "%s cannot encode U+%04X", lfx_codec_name(c), cp);
    if (cp < 0x80 && ascii_compatible(c)) FZ_CHECK(m == 1 && o[0] == cp, "%s: ASCII %#x not itself", lfx_codec_name(c), cp);
    if (c == LFX_LATIN1) FZ_CHECK((m == 1) == (cp <= 0xFF), "latin1 and U+%04X", cp);
    if (m == 0) return;
    uint32_t back = 0;
    size_t k = lfx_decode_cp(c, o, (size_t)m, &back);
    FZ_CHECK(k == (size_t)m && back == cp, "%s: U+%04X encodes to %d bytes that decode to U+%04X (%zu bytes)",
             lfx_codec_name(c), cp, m, back, k);
    /* the Windows decoders and lfx_decode agree on a lone encodable character */
    lfx_u32 v;
    lfx_u32_init(&v);
    size_t bad = lfx_decode(c, o, (size_t)m, &v);
    FZ_CHECK(bad == 0 && v.len == 1 && v.data[0] == cp, "%s: lfx_decode of U+%04X's bytes", lfx_codec_name(c), cp);
    lfx_u32_free(&v);
}

static const char *const charsets[] = {
    "UTF-8",   "gb2312",    "GBK",      "big5",        "UTF-16",   "UTF-16LE", "UTF-7",
    "HZ-GB-2312", "ISO-2022-JP", "ISO-2022-KR", "ISO-2022-CN", "shift_jis", "euc-kr", "GB18030",
    "TSCII",   "CP1255",    "CP1258",   "UTF-32",      "BIG5-HKSCS", "EUC-TW", "koi8-r",
    "UTF-8//IGNORE", "", "x-unknown-charset",
};

/* whole: the harness input (saved when a strict property fails). */
static void check_iconv(const uint8_t *whole, size_t whole_n, const uint8_t *data, size_t n, int named_in_input) {
    const char *cs;
    char name[64];
    if (named_in_input) {
        size_t k = 0;
        while (k < n && k < sizeof name - 1 && data[k]) {
            name[k] = (char)data[k];
            k++;
        }
        name[k] = 0;
        if (k < n) k++; /* the NUL */
        data += k;
        n -= k;
        cs = name;
    } else {
        uint8_t sel = n ? data[0] : 0;
        if (n) data++, n--;
        cs = charsets[sel % (sizeof charsets / sizeof charsets[0])];
    }
    lfx_buf out;
    lfx_buf_init(&out);
    int rc = lfx_iconv_decode(cs, data, n, &out);
    FZ_CHECK(rc == 0 || rc == -1 || rc == -2, "lfx_iconv_decode returned %d", rc);
    FZ_CHECK(!out.failed, "allocation");
    /* glibc's UTF-8 decoder passes F4 90 80 80 (above U+10FFFF) through; lfx_iconv_decode
     * cuts its output there (fuzz/regressions/codec-iconv-utf8-above-10ffff) */
    (void)whole;
    (void)whole_n;
    size_t ok = fz_utf8_valid_prefix(out.data ? out.data : (const uint8_t *)"", out.len);
    FZ_CHECK(ok == out.len, "iconv from \"%s\" produced invalid UTF-8 at byte %zu of %zu", cs, ok, out.len);
    if (rc == -1) FZ_CHECK(out.len == 0, "unknown charset \"%s\" but %zu bytes out", cs, out.len);
    if (strchr(cs, '/')) FZ_CHECK(rc == -1, "charset with an iconv suffix accepted: \"%s\"", cs);
    if (rc == 0 && strcmp(cs, "UTF-8") == 0)
        FZ_CHECK(out.len == n && (n == 0 || memcmp(out.data, data, n) == 0), "UTF-8 to UTF-8 changed the bytes");
    fz_note_size("iconv", n, out.len);
    lfx_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int init;
    if (!init) {
        init = 1;
        FZ_CHECK(lfx_codec_init() == 0, "lfx_codec_init");
        for (int c = 0; c < LFX_CODEC_COUNT; c++)
            FZ_CHECK(lfx_codec_from_name(lfx_codec_name((lfx_codec)c)) == c, "codec name %s", lfx_codec_name((lfx_codec)c));
        FZ_CHECK(lfx_codec_from_name("no-such-codec") == -1 && lfx_codec_from_name(NULL) == -1, "unknown names");
        FZ_CHECK(strcmp(lfx_codec_name(LFX_CODEC_COUNT), "?") == 0, "out-of-range codec name");
        uint8_t o[4];
        FZ_CHECK(lfx_encode_cp(LFX_CODEC_COUNT, 'a', o) == 0, "out-of-range codec encodes");
    }
    if (size == 0) return 0;
    uint8_t sel = data[0];
    lfx_codec c = (lfx_codec)((sel & 15) % LFX_CODEC_COUNT);
    int mode = (sel >> 4) & 3, alt = (sel >> 6) & 1;
    const uint8_t *b = data + 1;
    size_t n = size - 1;
    if (mode <= 1) {
        check_decode(c, b, n);
    } else if (mode == 2) {
        if (alt) {
            for (size_t i = 0; i + 3 <= n; i += 3) check_encode_cp(c, (uint32_t)b[i] << 16 | (uint32_t)b[i + 1] << 8 | b[i + 2]);
        } else {
            size_t ncp;
            uint32_t *cp = fz_utf8_decode(b, n, &ncp);
            for (size_t i = 0; i < ncp; i++) check_encode_cp(c, cp[i]);
            free(cp);
        }
    } else {
        check_iconv(data, size, b, n, alt);
    }
    return 0;
}
