/* UTF-8 validation, decoding and encoding. The validator skips ASCII eight bytes at a time:
 * clean text is the common case and must stay cheap. */
#include <string.h>

#include "internal.h"

size_t lfx_utf8_next(const uint8_t *s, size_t n, uint32_t *cp) {
    if (n == 0) return 0;
    uint8_t c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c < 0xC2 || c > 0xF4) return 0;
    if (c < 0xE0) {
        if (n < 2 || (s[1] & 0xC0) != 0x80) return 0;
        *cp = ((uint32_t)(c & 0x1F) << 6) | (s[1] & 0x3F);
        return 2;
    }
    if (c < 0xF0) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80) return 0;
        if (c == 0xE0 && s[1] < 0xA0) return 0; /* overlong */
        if (c == 0xED && s[1] > 0x9F) return 0; /* surrogate */
        *cp = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
        return 3;
    }
    if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
        return 0;
    if (c == 0xF0 && s[1] < 0x90) return 0; /* overlong */
    if (c == 0xF4 && s[1] > 0x8F) return 0; /* > U+10FFFF */
    *cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
          ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
    return 4;
}

size_t lfx_utf8_valid_prefix(const uint8_t *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        if (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if ((w & 0x8080808080808080ULL) == 0) {
                i += 8;
                continue;
            }
        }
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t k = lfx_utf8_next(s + i, n - i, &cp);
        if (k == 0) return i;
        i += k;
    }
    return n;
}

size_t lfx_utf8_decode_lossy(const uint8_t *s, size_t n, lfx_u32 *out) {
    size_t bad = 0;
    /* At most a code point a byte: room for all of them, then ASCII and the three-byte
     * characters of Chinese text without a call each. (Nothing to decode may leave no buffer;
     * a buffer that could not grow says so in out->failed, as pushing would.) */
    if (n == 0 || lfx_u32_reserve(out, n) != 0) return 0;
    uint32_t *o = out->data + out->len;
    for (size_t i = 0; i < n;) {
        uint8_t c = s[i];
        if (c < 0x80) {
            *o++ = c;
            i++;
        } else if (c >= 0xE1 && c <= 0xEC && i + 2 < n && (s[i + 1] & 0xC0) == 0x80 && (s[i + 2] & 0xC0) == 0x80) {
            *o++ = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
            i += 3;
        } else {
            uint32_t cp;
            size_t k = lfx_utf8_next(s + i, n - i, &cp);
            if (k == 0) {
                cp = 0xFFFD;
                k = 1;
                bad++;
            }
            *o++ = cp;
            i += k;
        }
    }
    out->len = (size_t)(o - out->data);
    return bad;
}

int lfx_utf8_put(uint8_t out[4], uint32_t cp) {
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xC0 | (cp >> 6));
        out[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
        out[0] = (uint8_t)(0xE0 | (cp >> 12));
        out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    if (cp <= 0x10FFFF) {
        out[0] = (uint8_t)(0xF0 | (cp >> 18));
        out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
        out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        out[3] = (uint8_t)(0x80 | (cp & 0x3F));
        return 4;
    }
    return 0;
}

void lfx_utf8_encode(const uint32_t *cp, size_t n, lfx_buf *out) {
    /* (room for four bytes each, then written in place: a repaired line is encoded once per
     * pass, and appending a character at a time was a tenth of a short garbled line's work) */
    if (n > SIZE_MAX / 8 || lfx_buf_reserve(out, n * 4)) return;
    uint8_t *o = out->data + out->len;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = cp[i];
        if (c < 0x80) {
            *o++ = (uint8_t)c;
            continue;
        }
        int k = lfx_utf8_put(o, c);
        if (k == 0) k = lfx_utf8_put(o, 0xFFFD); /* (a surrogate or beyond U+10FFFF) */
        o += k;
    }
    out->len = (size_t)(o - out->data);
    out->data[out->len] = 0;
}

int lfx_utf8_has_fffd(const uint8_t *s, size_t n) {
    if (n < 3) return 0;
    const uint8_t *end = s + n - 2; /* a match starts before this */
    for (const uint8_t *p = s; p < end && (p = memchr(p, 0xEF, (size_t)(end - p))) != NULL; p++)
        if (p[1] == 0xBF && p[2] == 0xBD) return 1;
    return 0;
}
