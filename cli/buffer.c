/* zhfix: growable byte buffers and checked allocation. A command-line filter has nothing
 * sensible to do when memory runs out, so these end the program with exit status 2. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zhfix.h"

void zhfix_die_nomem(void) {
    static const char msg[] = "zhfix: out of memory\n";
    ssize_t r = write(2, msg, sizeof msg - 1);
    (void)r;
    _exit(ZHFIX_EXIT_IO);
}

void *zhfix_xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) zhfix_die_nomem();
    return p;
}

void *zhfix_xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q) zhfix_die_nomem();
    return q;
}

char *zhfix_xstrdup(const char *s) {
    size_t n = strlen(s) + 1;
    return memcpy(zhfix_xmalloc(n), s, n);
}

void zhfix_buf_free(zhfix_buf *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void zhfix_buf_reserve(zhfix_buf *b, size_t extra) {
    if (extra > SIZE_MAX - b->len - 1) zhfix_die_nomem();
    size_t need = b->len + extra + 1; /* room for a terminating NUL */
    if (need <= b->cap) return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    b->data = zhfix_xrealloc(b->data, cap);
    b->cap = cap;
}

void zhfix_buf_append(zhfix_buf *b, const void *p, size_t n) {
    if (n == 0) return;
    zhfix_buf_reserve(b, n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void zhfix_buf_puts(zhfix_buf *b, const char *s) { zhfix_buf_append(b, s, strlen(s)); }

void zhfix_buf_putc(zhfix_buf *b, char c) {
    zhfix_buf_reserve(b, 1);
    b->data[b->len++] = c;
}

void zhfix_buf_vprintf(zhfix_buf *b, const char *fmt, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    if (n >= 0 && (size_t)n < sizeof small) {
        zhfix_buf_append(b, small, (size_t)n);
    } else if (n >= 0) {
        zhfix_buf_reserve(b, (size_t)n);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
}

void zhfix_buf_printf(zhfix_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    zhfix_buf_vprintf(b, fmt, ap);
    va_end(ap);
}
