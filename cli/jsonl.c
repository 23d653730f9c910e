/* zhfix: the JSON-lines record scanner. It validates a record, finds the string values at the
 * --field paths and reports their byte spans, so that the caller can replace exactly those
 * bytes and leave every other byte of the record as it was. Self-contained (no libfix calls),
 * so that a fuzzer can drive it directly. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zhfix.h"

#define JSON_MAX_DEPTH 512

int zhfix_field_parse(const char *spec, zhfix_field *f) {
    memset(f, 0, sizeof *f);
    size_t n = 1;
    for (const char *p = spec; *p; p++)
        if (*p == '.') n++;
    f->spec = zhfix_xstrdup(spec);
    f->seg = zhfix_xmalloc(n * sizeof *f->seg);
    f->seg_len = zhfix_xmalloc(n * sizeof *f->seg_len);
    const char *p = spec;
    for (size_t i = 0; i < n; i++) {
        const char *dot = strchr(p, '.');
        size_t k = dot ? (size_t)(dot - p) : strlen(p);
        f->seg[i] = zhfix_xmalloc(k + 1);
        memcpy(f->seg[i], p, k);
        f->seg[i][k] = 0;
        f->seg_len[i] = k;
        f->n_seg = i + 1;
        if (k == 0) return -1;
        p += k + 1;
    }
    return 0;
}

void zhfix_field_free(zhfix_field *f) {
    for (size_t i = 0; i < f->n_seg; i++) free(f->seg[i]);
    free(f->seg);
    free(f->seg_len);
    free(f->spec);
    memset(f, 0, sizeof *f);
}

void zhfix_json_scan_free(zhfix_json_scan *s) {
    free(s->spans);
    zhfix_buf_free(&s->paths);
    zhfix_buf_free(&s->path);
    zhfix_buf_free(&s->key);
    memset(s, 0, sizeof *s);
}

typedef struct scanner {
    const unsigned char *t;
    size_t n, i;
    const zhfix_field *fields;
    size_t n_fields;
    zhfix_json_scan *s;
} scanner;

static int fail(scanner *sc, const char *what) {
    sc->s->err = what;
    sc->s->err_offset = sc->i;
    return -1;
}

static void skip_ws(scanner *sc) {
    while (sc->i < sc->n) {
        unsigned char c = sc->t[sc->i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        sc->i++;
    }
}

static int hexval(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* At a '"': validate the string, leave i after its closing quote. *escaped tells whether it
 * holds a backslash. */
static int scan_string(scanner *sc, int *escaped) {
    *escaped = 0;
    sc->i++; /* opening quote */
    for (;;) {
        /* Plain bytes are the bulk: skip them in one tight loop. */
        while (sc->i < sc->n) {
            unsigned char c = sc->t[sc->i];
            if (c == '"' || c == '\\' || c < 0x20) break;
            sc->i++;
        }
        if (sc->i >= sc->n) return fail(sc, "unterminated string");
        unsigned char c = sc->t[sc->i];
        if (c == '"') {
            sc->i++;
            return 0;
        }
        if (c < 0x20) return fail(sc, "control character in string");
        *escaped = 1;
        if (sc->i + 1 >= sc->n) return fail(sc, "unterminated string");
        unsigned char e = sc->t[sc->i + 1];
        if (e == 'u') {
            if (sc->n - sc->i < 6) return fail(sc, "bad \\u escape");
            for (int k = 2; k < 6; k++)
                if (hexval(sc->t[sc->i + k]) < 0) return fail(sc, "bad \\u escape");
            sc->i += 6;
        } else if (strchr("\"\\/bfnrt", e) && e != 0) {
            sc->i += 2;
        } else {
            return fail(sc, "bad escape in string");
        }
    }
}

static int scan_number(scanner *sc) {
    const unsigned char *t = sc->t;
    size_t n = sc->n;
    if (sc->i < n && t[sc->i] == '-') sc->i++;
    if (sc->i >= n) return fail(sc, "bad number");
    if (t[sc->i] == '0') {
        sc->i++;
    } else if (t[sc->i] >= '1' && t[sc->i] <= '9') {
        while (sc->i < n && t[sc->i] >= '0' && t[sc->i] <= '9') sc->i++;
    } else {
        return fail(sc, "bad number");
    }
    if (sc->i < n && t[sc->i] == '.') {
        sc->i++;
        if (sc->i >= n || t[sc->i] < '0' || t[sc->i] > '9') return fail(sc, "bad number");
        while (sc->i < n && t[sc->i] >= '0' && t[sc->i] <= '9') sc->i++;
    }
    if (sc->i < n && (t[sc->i] == 'e' || t[sc->i] == 'E')) {
        sc->i++;
        if (sc->i < n && (t[sc->i] == '+' || t[sc->i] == '-')) sc->i++;
        if (sc->i >= n || t[sc->i] < '0' || t[sc->i] > '9') return fail(sc, "bad number");
        while (sc->i < n && t[sc->i] >= '0' && t[sc->i] <= '9') sc->i++;
    }
    return 0;
}

static int scan_literal(scanner *sc, const char *word) {
    size_t k = strlen(word);
    if (sc->n - sc->i < k || memcmp(sc->t + sc->i, word, k) != 0) return fail(sc, "unexpected character");
    sc->i += k;
    return 0;
}

static void add_span(scanner *sc, size_t start, size_t end, size_t field) {
    zhfix_json_scan *s = sc->s;
    if (s->n_spans == s->cap_spans) {
        s->cap_spans = s->cap_spans ? s->cap_spans * 2 : 8;
        s->spans = zhfix_xrealloc(s->spans, s->cap_spans * sizeof *s->spans);
    }
    zhfix_json_span *sp = &s->spans[s->n_spans++];
    sp->start = start;
    sp->end = end;
    sp->field = field;
    sp->path = s->paths.len;
    sp->path_len = s->path.len;
    zhfix_buf_append(&s->paths, s->path.data, s->path.len);
}

static int scan_value(scanner *sc, int depth, uint64_t mask, size_t level);

/* The fields of mask that continue with key (the raw bytes between the quotes) at level. */
static uint64_t match_key(scanner *sc, uint64_t mask, size_t level, size_t kstart, size_t kend,
                          int escaped) {
    const char *key = (const char *)sc->t + kstart;
    size_t klen = kend - kstart;
    if (escaped) {
        sc->s->key.len = 0;
        if (zhfix_json_string_decode(key, klen, &sc->s->key) != 0) return 0;
        key = sc->s->key.data;
        klen = sc->s->key.len;
    }
    uint64_t out = 0;
    for (size_t f = 0; f < sc->n_fields; f++) {
        if (!(mask >> f & 1)) continue;
        const zhfix_field *fl = &sc->fields[f];
        if (fl->n_seg > level && fl->seg_len[level] == klen && memcmp(fl->seg[level], key, klen) == 0)
            out |= (uint64_t)1 << f;
    }
    return out;
}

static int scan_object(scanner *sc, int depth, uint64_t mask, size_t level) {
    size_t members = 0;
    sc->i++; /* '{' */
    skip_ws(sc);
    if (sc->i < sc->n && sc->t[sc->i] == '}') {
        if (depth == 1) sc->s->object_end = sc->i;
        sc->i++;
        return 0;
    }
    for (;;) {
        if (sc->i >= sc->n || sc->t[sc->i] != '"') return fail(sc, "expected a string key");
        size_t kstart = sc->i + 1;
        int escaped;
        if (scan_string(sc, &escaped) != 0) return -1;
        size_t kend = sc->i - 1;
        uint64_t sub = mask ? match_key(sc, mask, level, kstart, kend, escaped) : 0;
        skip_ws(sc);
        if (sc->i >= sc->n || sc->t[sc->i] != ':') return fail(sc, "expected ':'");
        sc->i++;
        skip_ws(sc);
        size_t saved = sc->s->path.len;
        if (sub) {
            size_t f = 0;
            while (!(sub >> f & 1)) f++;
            const zhfix_field *fl = &sc->fields[f]; /* every field in sub has this key here */
            if (saved) zhfix_buf_putc(&sc->s->path, '.');
            zhfix_buf_append(&sc->s->path, fl->seg[level], fl->seg_len[level]);
        }
        if (scan_value(sc, depth, sub, level + 1) != 0) return -1;
        sc->s->path.len = saved;
        members++;
        skip_ws(sc);
        if (sc->i >= sc->n) return fail(sc, "unterminated object");
        if (sc->t[sc->i] == ',') {
            sc->i++;
            skip_ws(sc);
            continue;
        }
        if (sc->t[sc->i] == '}') {
            if (depth == 1) {
                sc->s->object_end = sc->i;
                sc->s->object_members = members;
            }
            sc->i++;
            return 0;
        }
        return fail(sc, "expected ',' or '}'");
    }
}

static int scan_array(scanner *sc, int depth, uint64_t mask, size_t level) {
    sc->i++; /* '[' */
    skip_ws(sc);
    if (sc->i < sc->n && sc->t[sc->i] == ']') {
        sc->i++;
        return 0;
    }
    for (size_t index = 0;; index++) {
        size_t saved = sc->s->path.len;
        if (mask) zhfix_buf_printf(&sc->s->path, "[%zu]", index);
        if (scan_value(sc, depth, mask, level) != 0) return -1;
        sc->s->path.len = saved;
        skip_ws(sc);
        if (sc->i >= sc->n) return fail(sc, "unterminated array");
        if (sc->t[sc->i] == ',') {
            sc->i++;
            skip_ws(sc);
            continue;
        }
        if (sc->t[sc->i] == ']') {
            sc->i++;
            return 0;
        }
        return fail(sc, "expected ',' or ']'");
    }
}

/* A value at i (whitespace already skipped). mask: the fields whose first level segments lead
 * here. */
static int scan_value(scanner *sc, int depth, uint64_t mask, size_t level) {
    if (sc->i >= sc->n) return fail(sc, "expected a value");
    unsigned char c = sc->t[sc->i];
    switch (c) {
    case '"': {
        size_t start = sc->i;
        int escaped;
        if (scan_string(sc, &escaped) != 0) return -1;
        for (size_t f = 0; mask && f < sc->n_fields; f++)
            if ((mask >> f & 1) && sc->fields[f].n_seg == level) {
                add_span(sc, start, sc->i, f);
                break;
            }
        return 0;
    }
    case '{':
    case '[':
        if (depth >= JSON_MAX_DEPTH) return fail(sc, "nesting too deep");
        return c == '{' ? scan_object(sc, depth + 1, mask, level) : scan_array(sc, depth + 1, mask, level);
    case 't': return scan_literal(sc, "true");
    case 'f': return scan_literal(sc, "false");
    case 'n': return scan_literal(sc, "null");
    default:
        if (c == '-' || (c >= '0' && c <= '9')) return scan_number(sc);
        return fail(sc, "unexpected character");
    }
}

int zhfix_json_scan_record(const char *text, size_t len, const zhfix_field *fields, size_t n_fields,
                           zhfix_json_scan *s) {
    scanner sc = {(const unsigned char *)text, len, 0, fields, n_fields > 64 ? 64 : n_fields, s};
    s->n_spans = 0;
    s->paths.len = 0;
    s->path.len = 0;
    s->object_end = SIZE_MAX;
    s->object_members = 0;
    s->err = NULL;
    s->err_offset = 0;
    uint64_t all = sc.n_fields == 64 ? UINT64_MAX : (((uint64_t)1 << sc.n_fields) - 1);
    skip_ws(&sc);
    if (scan_value(&sc, 0, all, 0) != 0) return -1;
    skip_ws(&sc);
    if (sc.i != len) return fail(&sc, "text after the JSON value");
    return 0;
}

static void put_utf8(zhfix_buf *out, uint32_t cp) {
    char b[4];
    size_t k;
    if (cp < 0x80) {
        b[0] = (char)cp;
        k = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | cp >> 6);
        b[1] = (char)(0x80 | (cp & 0x3F));
        k = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | cp >> 12);
        b[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        k = 3;
    } else {
        b[0] = (char)(0xF0 | cp >> 18);
        b[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        b[2] = (char)(0x80 | (cp >> 6 & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        k = 4;
    }
    zhfix_buf_append(out, b, k);
}

static int read_hex4(const unsigned char *p, size_t avail, uint32_t *v) {
    if (avail < 4) return -1;
    uint32_t x = 0;
    for (int k = 0; k < 4; k++) {
        int h = hexval(p[k]);
        if (h < 0) return -1;
        x = x << 4 | (uint32_t)h;
    }
    *v = x;
    return 0;
}

int zhfix_json_string_decode(const char *str, size_t len, zhfix_buf *out) {
    const unsigned char *s = (const unsigned char *)str;
    zhfix_buf_reserve(out, len);
    size_t i = 0;
    while (i < len) {
        const unsigned char *bs = memchr(s + i, '\\', len - i);
        size_t run = bs ? (size_t)(bs - (s + i)) : len - i;
        zhfix_buf_append(out, s + i, run);
        i += run;
        if (i >= len) break;
        if (i + 1 >= len) return -1;
        unsigned char e = s[i + 1];
        i += 2;
        switch (e) {
        case '"': zhfix_buf_putc(out, '"'); break;
        case '\\': zhfix_buf_putc(out, '\\'); break;
        case '/': zhfix_buf_putc(out, '/'); break;
        case 'b': zhfix_buf_putc(out, '\b'); break;
        case 'f': zhfix_buf_putc(out, '\f'); break;
        case 'n': zhfix_buf_putc(out, '\n'); break;
        case 'r': zhfix_buf_putc(out, '\r'); break;
        case 't': zhfix_buf_putc(out, '\t'); break;
        case 'u': {
            uint32_t cp;
            if (read_hex4(s + i, len - i, &cp) != 0) return -1;
            i += 4;
            if (cp >= 0xDC00 && cp <= 0xDFFF) return -1;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                uint32_t lo;
                if (len - i < 6 || s[i] != '\\' || s[i + 1] != 'u' || read_hex4(s + i + 2, len - i - 2, &lo) != 0 ||
                    lo < 0xDC00 || lo > 0xDFFF)
                    return -1;
                i += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            put_utf8(out, cp);
            break;
        }
        default: return -1;
        }
    }
    return 0;
}

void zhfix_json_string_encode(zhfix_buf *out, const char *str, size_t len) {
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)str;
    zhfix_buf_reserve(out, len + 2);
    zhfix_buf_putc(out, '"');
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && s[j] >= 0x20 && s[j] != '"' && s[j] != '\\') j++;
        zhfix_buf_append(out, s + i, j - i);
        if (j >= len) break;
        unsigned char c = s[j];
        char esc[6] = {'\\', 0, 0, 0, 0, 0};
        size_t k = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            k = 6;
        }
        zhfix_buf_append(out, esc, k);
        i = j + 1;
    }
    zhfix_buf_putc(out, '"');
}
