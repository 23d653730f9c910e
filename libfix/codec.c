/* The codecs that mojibake passes through, decoded and encoded by table lookup (the reverse
 * engine encodes in its inner loop), the Windows '?' behaviour, and iconv for rare charsets. */
#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "internal.h"
#include "tables/codec_tables.h"

static const char *const codec_names[LFX_CODEC_COUNT] = {
    "utf-8", "gbk",    "cp936win", "gb18030", "big5",     "cp950win",
    "latin1", "cp1252", "sjis",     "euckr",   "utf-16le", "utf-16be",
};

/* Out-of-range values give "?" rather than NULL: names end up in printf-style messages. */
const char *lfx_codec_name(lfx_codec c) {
    return (unsigned)c < LFX_CODEC_COUNT ? codec_names[c] : "?";
}

/* Aliases after folding case and dropping "-_ .". Python's codec names decide the ambiguous
 * ones (cp936 is Python's gbk, cp950 its big5): the benchmark and its users speak Python. */
static const struct {
    const char *alias;
    lfx_codec codec;
} codec_aliases[] = {
    {"utf8", LFX_UTF8},         {"gbk", LFX_GBK},           {"gb2312", LFX_GBK},
    {"cp936", LFX_GBK},         {"ms936", LFX_GBK},         {"euccn", LFX_GBK},
    {"xgbk", LFX_GBK},          {"csgb2312", LFX_GBK},      {"cp936win", LFX_CP936WIN},
    {"wincp936", LFX_CP936WIN}, {"gb18030", LFX_GB18030},   {"big5", LFX_BIG5},
    {"cp950", LFX_BIG5},        {"ms950", LFX_BIG5},        {"csbig5", LFX_BIG5},
    {"cp950win", LFX_CP950WIN}, {"wincp950", LFX_CP950WIN}, {"latin1", LFX_LATIN1},
    {"iso88591", LFX_LATIN1},   {"l1", LFX_LATIN1},         {"cp819", LFX_LATIN1},
    {"cp1252", LFX_CP1252},     {"windows1252", LFX_CP1252}, {"sjis", LFX_SJIS},
    {"shiftjis", LFX_SJIS},     {"cp932", LFX_SJIS},        {"ms932", LFX_SJIS},
    {"mskanji", LFX_SJIS},      {"windows31j", LFX_SJIS},   {"xsjis", LFX_SJIS},
    {"euckr", LFX_EUCKR},       {"cp949", LFX_EUCKR},       {"uhc", LFX_EUCKR},
    {"ms949", LFX_EUCKR},       {"ksc56011987", LFX_EUCKR}, {"utf16le", LFX_UTF16LE},
    {"utf16be", LFX_UTF16BE},
};

int lfx_codec_from_name(const char *name) {
    if (!name) return -1;
    char key[24];
    size_t k = 0;
    for (const char *p = name; *p; p++) {
        char ch = *p;
        if (ch == '-' || ch == '_' || ch == ' ' || ch == '.') continue;
        if (k + 1 == sizeof key) return -1;
        key[k++] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
    }
    key[k] = 0;
    for (size_t i = 0; i < sizeof codec_aliases / sizeof codec_aliases[0]; i++)
        if (strcmp(key, codec_aliases[i].alias) == 0) return (int)codec_aliases[i].codec;
    return -1;
}

/* ---- encoders, built from the decode tables once per process ---------------------------- */

/* The GB family shares one table: gbk is a subset of cp936 (gbk plus private use), which is
 * a subset of gb18030, all with the same byte values (the generator checks this). */
enum { GB_LEVEL_GBK = 0, GB_LEVEL_CP936 = 1, GB_LEVEL_GB18030 = 2 };

/* gb_rev[cp >> 8][cp & 0xFF] for the BMP: 0 none; below 0x01000000 a pair with its level in
 * bits 16-17; otherwise four gb18030 bytes, big-endian. */
static uint32_t *gb_rev[256];
static uint32_t gb_pool[256][256];
static uint32_t gb_zero[256];
static size_t gb_used;

/* uint16 reverse tables: a pair (lead << 8 | trail) or a single byte. */
enum { REV_BIG5, REV_SJIS, REV_EUCKR, REV_CP1252, REV_COUNT };
#define REV16_POOL 512 /* pages; the four tables need about 360 */
static uint16_t *rev16[REV_COUNT][256];
static uint16_t rev16_pool[REV16_POOL][256];
static uint16_t rev16_zero[256];
static size_t rev16_used;

static pthread_once_t codec_once = PTHREAD_ONCE_INIT;
static int codec_status = -1;
static atomic_int codec_ready;

static int gb_rev_set(uint32_t cp, uint32_t v) {
    uint32_t *page = gb_rev[cp >> 8];
    if (page == gb_zero) {
        if (gb_used == sizeof gb_pool / sizeof gb_pool[0]) return -1;
        page = gb_rev[cp >> 8] = gb_pool[gb_used++];
    }
    page[cp & 0xFF] = v;
    return 0;
}

static int rev16_set(uint16_t **dir, uint32_t cp, uint16_t code) {
    uint16_t *page = dir[cp >> 8];
    if (page == rev16_zero) {
        if (rev16_used == REV16_POOL) return -1;
        page = dir[cp >> 8] = rev16_pool[rev16_used++];
    }
    page[cp & 0xFF] = code;
    return 0;
}

static int gb_bit(const uint8_t bits[][LFX_DBCS_TRAILS / 8], unsigned lead, unsigned trail) {
    unsigned t = trail - LFX_DBCS_TRAIL_LO;
    return (bits[lead - 0x81][t >> 3] >> (t & 7)) & 1;
}

static int build_gb(void) {
    for (int i = 0; i < 256; i++) gb_rev[i] = gb_zero;
    for (unsigned lead = 0x81; lead <= 0xFE; lead++) {
        for (unsigned t = LFX_DBCS_TRAIL_LO; t <= 0xFF; t++) {
            uint32_t cp = lfx_gb_table.pairs[lead - 0x81][t - LFX_DBCS_TRAIL_LO];
            if (!cp) continue;
            uint32_t level = gb_bit(lfx_gb_gbk_bits, lead, t)     ? GB_LEVEL_GBK
                             : gb_bit(lfx_gb_cp936_bits, lead, t) ? GB_LEVEL_CP936
                                                                  : GB_LEVEL_GB18030;
            if (gb_rev_set(cp, level << 16 | lead << 8 | t)) return -1;
        }
    }
    for (size_t r = 0; r < lfx_gb4_nranges; r++) {
        uint32_t lin = lfx_gb4_ranges[r].base, cp = lfx_gb4_ranges[r].first;
        for (; lin < lfx_gb4_ranges[r + 1].base; lin++, cp++) {
            uint32_t v = lin % 10 + 0x30, x = lin / 10;
            v |= (x % 126 + 0x81) << 8;
            x /= 126;
            v |= (x % 10 + 0x30) << 16;
            v |= (x / 10 + 0x81) << 24;
            if (gb_rev_set(cp, v)) return -1;
        }
    }
    return 0;
}

static int build_dbcs(uint16_t **dir, const lfx_dbcs_table *t) {
    for (int i = 0; i < 256; i++) dir[i] = rev16_zero;
    for (unsigned c = 0x80; c <= 0xFF; c++)
        if (t->single[c - 0x80] && rev16_set(dir, t->single[c - 0x80], (uint16_t)c)) return -1;
    for (unsigned lead = 0x81; lead <= 0xFE; lead++) {
        if (!t->row[lead]) continue;
        for (unsigned tr = LFX_DBCS_TRAIL_LO; tr <= 0xFF; tr++) {
            uint16_t cp = t->pairs[t->row[lead] - 1][tr - LFX_DBCS_TRAIL_LO];
            if (cp && rev16_set(dir, cp, (uint16_t)(lead << 8 | tr))) return -1;
        }
    }
    /* Several sequences decode to these: what Python's encoder writes wins. */
    for (size_t i = 0; i < t->npref; i++)
        if (rev16_set(dir, t->pref[i].cp, t->pref[i].code)) return -1;
    return 0;
}

static int build_cp1252(uint16_t **dir) {
    for (int i = 0; i < 256; i++) dir[i] = rev16_zero;
    for (unsigned c = 0x80; c <= 0xFF; c++) {
        uint32_t cp = c < 0xA0 ? lfx_cp1252_high[c - 0x80] : c;
        if (rev16_set(dir, cp, (uint16_t)c)) return -1;
    }
    return 0;
}

static void codec_build(void) {
    if (build_gb() || build_dbcs(rev16[REV_BIG5], &lfx_big5_table) ||
        build_dbcs(rev16[REV_SJIS], &lfx_sjis_table) ||
        build_dbcs(rev16[REV_EUCKR], &lfx_euckr_table) || build_cp1252(rev16[REV_CP1252]))
        return; /* codec_status stays -1; encoders then refuse everything but ASCII */
    codec_status = 0;
    atomic_store_explicit(&codec_ready, 1, memory_order_release);
}

int lfx_codec_init(void) {
    pthread_once(&codec_once, codec_build);
    return codec_status;
}

/* The tables are static for the life of the process (nothing to free), so an encoder can
 * build them on first use instead of relying on every caller to have called init. */
static int codec_tables_ready(void) {
    return atomic_load_explicit(&codec_ready, memory_order_acquire) || lfx_codec_init() == 0;
}

static int put_gb4(uint32_t v, uint8_t out[4]) {
    out[0] = (uint8_t)(v >> 24);
    out[1] = (uint8_t)(v >> 16);
    out[2] = (uint8_t)(v >> 8);
    out[3] = (uint8_t)v;
    return 4;
}

static int encode_gb(int level, uint32_t cp, uint8_t out[4]) {
    if (cp == 0x20AC && level == GB_LEVEL_CP936) {
        out[0] = 0x80;
        return 1;
    }
    if (cp > 0xFFFF) {
        if (level != GB_LEVEL_GB18030 || cp > 0x10FFFF) return 0;
        uint32_t x = cp - 0x10000;
        uint32_t v = x % 10 + 0x30;
        x /= 10;
        v |= (x % 126 + 0x81) << 8;
        x /= 126;
        v |= (x % 10 + 0x30) << 16;
        v |= (x / 10 + 0x90) << 24;
        return put_gb4(v, out);
    }
    uint32_t v = gb_rev[cp >> 8][cp & 0xFF];
    if (v >= 0x01000000u) return level == GB_LEVEL_GB18030 ? put_gb4(v, out) : 0;
    if (!v || (int)(v >> 16) > level) return 0;
    out[0] = (uint8_t)(v >> 8);
    out[1] = (uint8_t)v;
    return 2;
}

static int encode_rev16(int which, uint32_t cp, uint8_t out[4]) {
    if (cp > 0xFFFF) return 0;
    uint16_t v = rev16[which][cp >> 8][cp & 0xFF];
    if (!v) return 0;
    if (v < 0x100) {
        out[0] = (uint8_t)v;
        return 1;
    }
    out[0] = (uint8_t)(v >> 8);
    out[1] = (uint8_t)v;
    return 2;
}

static int encode_utf16(uint32_t cp, int be, uint8_t out[4]) {
    uint16_t u[2];
    int n;
    if (cp < 0x10000) {
        if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
        u[0] = (uint16_t)cp;
        n = 1;
    } else if (cp <= 0x10FFFF) {
        u[0] = (uint16_t)(0xD800 + ((cp - 0x10000) >> 10));
        u[1] = (uint16_t)(0xDC00 + (cp & 0x3FF));
        n = 2;
    } else {
        return 0;
    }
    for (int i = 0; i < n; i++) {
        out[2 * i + !be] = (uint8_t)(u[i] >> 8);
        out[2 * i + be] = (uint8_t)u[i];
    }
    return 2 * n;
}

int lfx_encode_cp(lfx_codec c, uint32_t cp, uint8_t out[4]) {
    switch (c) {
    case LFX_UTF8: return lfx_utf8_put(out, cp);
    case LFX_UTF16LE: return encode_utf16(cp, 0, out);
    case LFX_UTF16BE: return encode_utf16(cp, 1, out);
    case LFX_LATIN1:
        if (cp > 0xFF) return 0;
        out[0] = (uint8_t)cp;
        return 1;
    default: break;
    }
    if ((unsigned)c >= LFX_CODEC_COUNT) return 0;
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (!codec_tables_ready()) return 0;
    switch (c) {
    case LFX_GBK: return encode_gb(GB_LEVEL_GBK, cp, out);
    case LFX_CP936WIN: return encode_gb(GB_LEVEL_CP936, cp, out);
    case LFX_GB18030: return encode_gb(GB_LEVEL_GB18030, cp, out);
    case LFX_BIG5:
    case LFX_CP950WIN: return encode_rev16(REV_BIG5, cp, out);
    case LFX_CP1252: return encode_rev16(REV_CP1252, cp, out);
    case LFX_SJIS: return encode_rev16(REV_SJIS, cp, out);
    case LFX_EUCKR: return encode_rev16(REV_EUCKR, cp, out);
    default: return 0;
    }
}

/* ---- decoders ----------------------------------------------------------------------------- */

static size_t decode_dbcs(const lfx_dbcs_table *t, const uint8_t *b, size_t n, uint32_t *cp) {
    unsigned c = b[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (t->single[c - 0x80]) {
        *cp = t->single[c - 0x80];
        return 1;
    }
    unsigned row = t->row[c];
    if (!row) return LFX_BAD;
    if (n < 2) return LFX_SHORT;
    if (b[1] < LFX_DBCS_TRAIL_LO) return LFX_BAD;
    uint16_t v = t->pairs[row - 1][b[1] - LFX_DBCS_TRAIL_LO];
    if (!v) return LFX_BAD;
    *cp = v;
    return 2;
}

#define GB4_BMP_COUNT 39420u
#define GB4_SUPP_FIRST (15u * 12600u) /* linear index of 90308130 = U+10000 */

/* Four-byte gb18030 (b[1] is a digit). SHORT only if the bytes present can still begin a
 * valid sequence: missing bytes are taken at their lowest values for the range checks. */
static size_t decode_gb4(const uint8_t *b, size_t n, uint32_t *cp) {
    if (n >= 3 && (b[2] < 0x81 || b[2] > 0xFE)) return LFX_BAD;
    if (n >= 4 && (b[3] < 0x30 || b[3] > 0x39)) return LFX_BAD;
    uint32_t b3 = n >= 3 ? b[2] - 0x81u : 0, b4 = n >= 4 ? b[3] - 0x30u : 0;
    uint32_t lin = (((b[0] - 0x81u) * 10 + (b[1] - 0x30u)) * 126 + b3) * 10 + b4;
    if (lin < GB4_BMP_COUNT) {
        if (n < 4) return LFX_SHORT;
        size_t lo = 0, hi = lfx_gb4_nranges; /* last range whose base <= lin */
        while (hi - lo > 1) {
            size_t mid = (lo + hi) / 2;
            if (lfx_gb4_ranges[mid].base <= lin)
                lo = mid;
            else
                hi = mid;
        }
        *cp = lfx_gb4_ranges[lo].first + (lin - lfx_gb4_ranges[lo].base);
        return 4;
    }
    if (lin < GB4_SUPP_FIRST || lin - GB4_SUPP_FIRST > 0x10FFFF - 0x10000) return LFX_BAD;
    if (n < 4) return LFX_SHORT;
    *cp = 0x10000 + (lin - GB4_SUPP_FIRST);
    return 4;
}

static size_t decode_gb(int level, const uint8_t *b, size_t n, uint32_t *cp) {
    unsigned c = b[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c == 0x80 && level == GB_LEVEL_CP936) {
        *cp = 0x20AC;
        return 1;
    }
    if (c == 0x80 || c == 0xFF) return LFX_BAD;
    if (n < 2) return LFX_SHORT;
    unsigned t = b[1];
    if (t >= 0x30 && t <= 0x39 && level == GB_LEVEL_GB18030) return decode_gb4(b, n, cp);
    if (t < LFX_DBCS_TRAIL_LO) return LFX_BAD;
    uint16_t v = lfx_gb_table.pairs[c - 0x81][t - LFX_DBCS_TRAIL_LO];
    if (!v) return LFX_BAD;
    if (level == GB_LEVEL_GBK && !gb_bit(lfx_gb_gbk_bits, c, t)) return LFX_BAD;
    if (level == GB_LEVEL_CP936 && !gb_bit(lfx_gb_cp936_bits, c, t)) return LFX_BAD;
    *cp = v;
    return 2;
}

/* lfx_utf8_next says 0 for both bad and truncated input; tell them apart. */
static size_t decode_utf8(const uint8_t *b, size_t n, uint32_t *cp) {
    size_t k = lfx_utf8_next(b, n, cp);
    if (k) return k;
    unsigned c = b[0];
    if (c < 0xC2 || c > 0xF4) return LFX_BAD;
    size_t need = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (n >= need) return LFX_BAD;
    for (size_t i = 1; i < n; i++) {
        unsigned lo = 0x80, hi = 0xBF;
        if (i == 1 && c == 0xE0) lo = 0xA0;
        if (i == 1 && c == 0xED) hi = 0x9F;
        if (i == 1 && c == 0xF0) lo = 0x90;
        if (i == 1 && c == 0xF4) hi = 0x8F;
        if (b[i] < lo || b[i] > hi) return LFX_BAD;
    }
    return LFX_SHORT;
}

static size_t decode_utf16(int be, const uint8_t *b, size_t n, uint32_t *cp) {
    if (n < 2) return LFX_SHORT;
    uint32_t u = be ? (uint32_t)b[0] << 8 | b[1] : (uint32_t)b[1] << 8 | b[0];
    if (u < 0xD800 || u > 0xDFFF) {
        *cp = u;
        return 2;
    }
    if (u >= 0xDC00) return LFX_BAD;
    if (n < 4) return (be && n == 3 && (b[2] < 0xDC || b[2] > 0xDF)) ? LFX_BAD : LFX_SHORT;
    uint32_t u2 = be ? (uint32_t)b[2] << 8 | b[3] : (uint32_t)b[3] << 8 | b[2];
    if (u2 < 0xDC00 || u2 > 0xDFFF) return LFX_BAD;
    *cp = 0x10000 + ((u - 0xD800) << 10) + (u2 - 0xDC00);
    return 4;
}

/* n == 0 gives LFX_SHORT: there is no bad byte to report, only missing input. */
size_t lfx_decode_cp(lfx_codec c, const uint8_t *b, size_t n, uint32_t *cp) {
    if (n == 0) return LFX_SHORT;
    switch (c) {
    case LFX_UTF8: return decode_utf8(b, n, cp);
    case LFX_GBK: return decode_gb(GB_LEVEL_GBK, b, n, cp);
    case LFX_CP936WIN: return decode_gb(GB_LEVEL_CP936, b, n, cp);
    case LFX_GB18030: return decode_gb(GB_LEVEL_GB18030, b, n, cp);
    case LFX_BIG5:
    case LFX_CP950WIN: return decode_dbcs(&lfx_big5_table, b, n, cp);
    case LFX_LATIN1: *cp = b[0]; return 1;
    case LFX_CP1252:
        *cp = (b[0] >= 0x80 && b[0] < 0xA0) ? lfx_cp1252_high[b[0] - 0x80] : b[0];
        return 1;
    case LFX_SJIS: return decode_dbcs(&lfx_sjis_table, b, n, cp);
    case LFX_EUCKR: return decode_dbcs(&lfx_euckr_table, b, n, cp);
    case LFX_UTF16LE: return decode_utf16(0, b, n, cp);
    case LFX_UTF16BE: return decode_utf16(1, b, n, cp);
    default: return LFX_BAD;
    }
}

/* windows_dbcs() of the benchmark's garble.py, byte for byte: every byte 0x81..0xFE is taken
 * as a lead and a bad pair becomes one '?' for both bytes. */
static size_t decode_windows(lfx_codec c, const uint8_t *b, size_t n, lfx_u32 *out) {
    int cp936 = c == LFX_CP936WIN;
    size_t bad = 0, i = 0;
    while (i < n) {
        unsigned ch = b[i];
        uint32_t cp;
        if (ch < 0x80) {
            lfx_u32_push(out, ch);
            i++;
        } else if (ch == 0x80 && cp936) {
            lfx_u32_push(out, 0x20AC);
            i++;
        } else if (ch == 0x80 || ch == 0xFF || i + 1 == n) {
            lfx_u32_push(out, '?');
            bad++;
            i++;
        } else {
            size_t k = cp936 ? decode_gb(GB_LEVEL_CP936, b + i, 2, &cp)
                             : decode_dbcs(&lfx_big5_table, b + i, 2, &cp);
            if (k == 2) {
                lfx_u32_push(out, cp);
            } else {
                lfx_u32_push(out, '?');
                bad++;
            }
            i += 2;
        }
    }
    return bad;
}

/* Like Python's errors="replace" for the table codecs: a bad byte (a UTF-16 code unit) is one
 * U+FFFD and decoding resumes after it; a truncated character at the end is one U+FFFD.
 * UTF-8 replaces each bad byte (Python replaces maximal subparts, which can be fewer). */
size_t lfx_decode(lfx_codec c, const uint8_t *b, size_t n, lfx_u32 *out) {
    if (c == LFX_CP936WIN || c == LFX_CP950WIN) return decode_windows(c, b, n, out);
    if (c == LFX_UTF8) return lfx_utf8_decode_lossy(b, n, out);
    size_t unit = (c == LFX_UTF16LE || c == LFX_UTF16BE) ? 2 : 1;
    size_t bad = 0, i = 0;
    while (i < n) {
        uint32_t cp;
        size_t k = lfx_decode_cp(c, b + i, n - i, &cp);
        if (k == LFX_SHORT) {
            lfx_u32_push(out, 0xFFFD);
            bad++;
            break;
        }
        if (k == LFX_BAD) {
            cp = 0xFFFD;
            k = unit;
            bad++;
        }
        lfx_u32_push(out, cp);
        i += k;
    }
    return bad;
}

/* ---- iconv ---------------------------------------------------------------------------------- */

static int ascii_caseeq(const char *a, const char *b) {
    for (; *a && *b; a++, b++) {
        char x = (*a >= 'A' && *a <= 'Z') ? (char)(*a - 'A' + 'a') : *a;
        char y = (*b >= 'A' && *b <= 'Z') ? (char)(*b - 'A' + 'a') : *b;
        if (x != y) return 0;
    }
    return *a == *b;
}

/* Labels that mean the Microsoft superset in practice: a page or mail marked gb2312 holds GBK
 * (and the euro at 0x80), one marked big5 or shift_jis holds cp950 or cp932. */
static const char *iconv_charset(const char *label) {
    static const struct {
        const char *label, *iconv_name;
    } map[] = {
        {"gb2312", "CP936"},       {"gbk", "CP936"},         {"x-gbk", "CP936"},
        {"euc-cn", "CP936"},       {"csgb2312", "CP936"},    {"gb_2312-80", "CP936"},
        {"big5", "CP950"},         {"x-x-big5", "CP950"},    {"csbig5", "CP950"},
        {"shift_jis", "CP932"},    {"sjis", "CP932"},        {"x-sjis", "CP932"},
        {"ms_kanji", "CP932"},     {"csshiftjis", "CP932"},  {"euc-kr", "CP949"},
        {"ks_c_5601-1987", "CP949"}, {"cseuckr", "CP949"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (ascii_caseeq(label, map[i].label)) return map[i].iconv_name;
    return label;
}

/* Charset names come from untrusted text (MIME words, meta tags): iconv would also take
 * option suffixes such as "UTF-8//IGNORE" that change how errors are handled. */
static int plausible_charset(const char *s) {
    size_t n = 0;
    for (; s[n]; n++) {
        char ch = s[n];
        if (n == 40 || !((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                         (ch >= '0' && ch <= '9') || strchr("-_.:+()", ch)))
            return 0;
    }
    return n > 0;
}

/* On -2 utf8_out keeps what decoded before the bad or truncated bytes. Running out of memory
 * is reported the lfx_buf way (utf8_out->failed), not by the return value. */
int lfx_iconv_decode(const char *charset, const uint8_t *b, size_t n, lfx_buf *utf8_out) {
    if (!charset || !plausible_charset(charset)) return -1;
    iconv_t cd = iconv_open("UTF-8", iconv_charset(charset));
    if (cd == (iconv_t)-1) return -1;
    int rc = 0;
    size_t start = utf8_out->len;
    char tmp[1024];
    char *in = (char *)b; /* iconv does not write to its input; the prototype is just old */
    size_t inleft = n;
    int flushing = n == 0;
    for (;;) {
        char *o = tmp;
        size_t oleft = sizeof tmp;
        /* With no input left, a NULL input flushes shift states (ISO-2022, HZ). */
        size_t r = flushing ? iconv(cd, NULL, NULL, &o, &oleft)
                            : iconv(cd, &in, &inleft, &o, &oleft);
        int err = errno;
        lfx_buf_append(utf8_out, tmp, sizeof tmp - oleft);
        if (r == (size_t)-1 && err == E2BIG) continue;
        if (r == (size_t)-1) {
            rc = -2; /* EILSEQ: invalid bytes; EINVAL: truncated at the end */
            break;
        }
        if (flushing) break;
        flushing = 1;
    }
    iconv_close(cd);
    /* glibc's UTF-8 decoder passes four-byte forms above U+10FFFF (F4 90 80 80) through:
     * what it gave is cut at the first invalid sequence, as at any invalid input */
    if (!utf8_out->failed && utf8_out->len > start) {
        size_t got = utf8_out->len - start;
        size_t ok = lfx_utf8_valid_prefix(utf8_out->data + start, got);
        if (ok != got) {
            utf8_out->len = start + ok;
            rc = -2;
        }
    }
    return rc;
}
