/* Just enough JSON-lines reading and writing for libfix-eval and the tests: string fields of a
 * one-line object, JSON string output, base64. Not a general JSON parser. */
#include <stdio.h>
#include <string.h>

#include "jsonl.h"

/* Find "key": in a JSON object line and decode its string value into out. Returns 1 if found
 * as a string, 0 otherwise. Handles every JSON escape, including surrogate pairs. */
/* Four hex digits at p, or -1. */
static int hex4(const char *p) {
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    return v;
}

int lfx_json_get_string(const char *line, const char *key, lfx_buf *out) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\"", key);
    const char *p = line;
    while ((p = strstr(p, pat)) != NULL) {
        const char *q = p + strlen(pat);
        while (*q == ' ' || *q == '\t') q++;
        if (*q != ':') {
            p++;
            continue;
        }
        q++;
        while (*q == ' ' || *q == '\t') q++;
        if (*q != '"') return 0;
        q++;
        out->len = 0;
        while (*q && *q != '"') {
            if (*q != '\\') {
                lfx_buf_putc(out, (uint8_t)*q++);
                continue;
            }
            q++;
            switch (*q) {
            case 'n': lfx_buf_putc(out, '\n'); break;
            case 't': lfx_buf_putc(out, '\t'); break;
            case 'r': lfx_buf_putc(out, '\r'); break;
            case 'b': lfx_buf_putc(out, '\b'); break;
            case 'f': lfx_buf_putc(out, '\f'); break;
            case 'u': {
                int cp = hex4(q + 1);
                if (cp < 0) return 0;
                q += 4;
                if (cp >= 0xD800 && cp <= 0xDBFF && q[1] == '\\' && q[2] == 'u') {
                    int lo = hex4(q + 3);
                    if (lo >= 0xDC00 && lo <= 0xDFFF) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        q += 6;
                    }
                }
                lfx_buf_put_utf8(out, (uint32_t)cp);
                break;
            }
            case 0: return 0;
            default: lfx_buf_putc(out, (uint8_t)*q); break;
            }
            q++;
        }
        return 1;
    }
    return 0;
}

void lfx_json_put_string(FILE *f, const uint8_t *s, size_t n) {
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (c == '"' || c == '\\') {
            fputc('\\', f);
            fputc(c, f);
        } else if (c == '\n') {
            fputs("\\n", f);
        } else if (c == '\r') {
            fputs("\\r", f);
        } else if (c == '\t') {
            fputs("\\t", f);
        } else if (c < 0x20 || c == 0x7F) {
            fprintf(f, "\\u%04x", c);
        } else {
            fputc(c, f);
        }
    }
    fputc('"', f);
}


void lfx_b64decode(const lfx_buf *in, lfx_buf *out) {
    unsigned acc = 0;
    int bits = 0;
    out->len = 0;
    for (size_t i = 0; i < in->len; i++) {
        int v = lfx_b64_value(in->data[i]);
        if (v < 0) continue;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            lfx_buf_putc(out, (uint8_t)(acc >> bits));
        }
    }
}

int lfx_json_get_true(const char *line, const char *key) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\": true", key);
    return strstr(line, pat) != NULL;
}
