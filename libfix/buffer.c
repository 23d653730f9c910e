/* Growable byte and code point buffers. An allocation failure sets `failed` and makes
 * further appends no-ops, so callers check once at the end instead of after every append. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void lfx_buf_init(lfx_buf *b) { memset(b, 0, sizeof *b); }

void lfx_buf_free(lfx_buf *b) {
    free(b->data);
    memset(b, 0, sizeof *b);
}

int lfx_buf_reserve(lfx_buf *b, size_t extra) {
    if (b->failed) return -1;
    if (extra > SIZE_MAX / 2 - b->len) {
        b->failed = 1;
        return -1;
    }
    size_t need = b->len + extra + 1; /* room for a terminating NUL */
    if (need <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap = cap < SIZE_MAX / 4 ? cap * 2 : need;
    uint8_t *p = realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        return -1;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

void lfx_buf_append(lfx_buf *b, const void *p, size_t n) {
    if (n == 0 || lfx_buf_reserve(b, n)) return;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
}

void lfx_buf_putc(lfx_buf *b, uint8_t c) {
    if (lfx_buf_reserve(b, 1)) return;
    b->data[b->len++] = c;
    b->data[b->len] = 0;
}

void lfx_buf_put_utf8(lfx_buf *b, uint32_t cp) {
    uint8_t tmp[4];
    int n = lfx_utf8_put(tmp, cp);
    if (n == 0) n = lfx_utf8_put(tmp, 0xFFFD);
    lfx_buf_append(b, tmp, (size_t)n);
}

void lfx_u32_init(lfx_u32 *v) { memset(v, 0, sizeof *v); }

void lfx_u32_free(lfx_u32 *v) {
    free(v->data);
    memset(v, 0, sizeof *v);
}

/* Grows to twice the capacity (64 at first), or to exactly what is needed if that is more. */
int lfx_u32_reserve(lfx_u32 *v, size_t extra) {
    if (v->failed) return -1;
    if (extra <= v->cap - v->len) return 0;
    if (extra > SIZE_MAX / sizeof(uint32_t) / 2 - v->len) {
        v->failed = 1;
        return -1;
    }
    size_t need = v->len + extra, cap = v->cap ? v->cap * 2 : 64;
    if (cap < need) cap = need;
    uint32_t *p = realloc(v->data, cap * sizeof(uint32_t));
    if (!p) {
        v->failed = 1;
        return -1;
    }
    v->data = p;
    v->cap = cap;
    return 0;
}

void lfx_u32_grow_push(lfx_u32 *v, uint32_t cp) {
    if (lfx_u32_reserve(v, 1)) return;
    v->data[v->len++] = cp;
}
