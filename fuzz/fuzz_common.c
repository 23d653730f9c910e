/* Support shared by the fuzz harnesses (see fuzz_common.h). No libfix calls, so that the JSONL
 * harness links without the library. */
#include "fuzz_common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *fz_current_input;

static void fz_register_report(void);

void fz_fail(const char *file, int line, const char *cond, const char *fmt, ...) {
    fprintf(stderr, "\nPROPERTY FAILED at %s:%d: %s\n  ", file, line, cond);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    if (fz_current_input) fprintf(stderr, "  input: %s\n", fz_current_input);
    fflush(stderr);
    abort();
}

/* ---- strict properties ------------------------------------------------------------------ */

#define MAX_PROPS 32
#define MAX_SAVED 20

static struct {
    const char *name;
    unsigned long ran, failed;
} props[MAX_PROPS];
static size_t n_props;

static size_t prop_index(const char *name) {
    for (size_t i = 0; i < n_props; i++)
        if (strcmp(props[i].name, name) == 0) return i;
    if (n_props == MAX_PROPS) return MAX_PROPS - 1; /* more than anyone defines: share a slot */
    fz_register_report();
    props[n_props].name = name;
    return n_props++;
}

void fz_strict_ran(const char *prop) { props[prop_index(prop)].ran++; }

/* FNV-1a: a stable file name for a saved input. */
static uint64_t fnv1a(const uint8_t *p, size_t n) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

void fz_strict_fail(const char *prop, const uint8_t *data, size_t size, const char *fmt, ...) {
    size_t k = prop_index(prop);
    props[k].failed++;
    va_list ap;
    va_start(ap, fmt);
    if (!getenv("LFX_FUZZ_STRICT_CONTINUE")) {
        fprintf(stderr, "\nSTRICT PROPERTY FAILED: %s\n  ", prop);
        vfprintf(stderr, fmt, ap);
        fprintf(stderr, "\n");
        if (fz_current_input) fprintf(stderr, "  input: %s\n", fz_current_input);
        fflush(stderr);
        abort();
    }
    va_end(ap);
    const char *dir = getenv("LFX_FUZZ_STRICT_DIR");
    if (!dir || props[k].failed > MAX_SAVED) return;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s-%016llx", dir, prop, (unsigned long long)fnv1a(data, size));
    FILE *f = fopen(path, "wb");
    if (!f) return;
    if (size) fwrite(data, 1, size, f);
    fclose(f);
}

/* ---- UTF-8 ------------------------------------------------------------------------------ */

size_t fz_utf8_valid_prefix(const uint8_t *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        size_t len;
        uint8_t lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else {
            return i;
        }
        if (n - i < len || s[i + 1] < lo || s[i + 1] > hi) return i;
        for (size_t k = 2; k < len; k++)
            if ((s[i + k] & 0xC0) != 0x80) return i;
        i += len;
    }
    return n;
}

uint32_t *fz_utf8_decode(const uint8_t *s, size_t n, size_t *n_out) {
    *n_out = 0;
    if (n == 0) return NULL;
    uint32_t *v = malloc(n * sizeof *v);
    if (!v) abort();
    size_t i = 0, k = 0;
    while (i < n) {
        size_t ok = fz_utf8_valid_prefix(s + i, n - i < 4 ? n - i : 4);
        uint8_t c = s[i];
        if (ok == 0) {
            v[k++] = 0xFFFD;
            i++;
        } else if (c < 0x80) {
            v[k++] = c;
            i++;
        } else if (c < 0xE0) {
            v[k++] = ((uint32_t)(c & 0x1F) << 6) | (s[i + 1] & 0x3Fu);
            i += 2;
        } else if (c < 0xF0) {
            v[k++] = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3Fu);
            i += 3;
        } else {
            v[k++] = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[i + 1] & 0x3F) << 12) |
                     ((uint32_t)(s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3Fu);
            i += 4;
        }
    }
    *n_out = k;
    return v;
}

/* ---- size statistics -------------------------------------------------------------------- */

#define MAX_KINDS 32

static struct {
    const char *what;
    unsigned long calls;
    double worst_ratio;       /* out/in over inputs of at least 16 bytes */
    size_t worst_in, worst_out;
    size_t max_out_small;     /* largest output for inputs under 16 bytes */
} kinds[MAX_KINDS];
static size_t n_kinds;

void fz_note_size(const char *what, size_t in_len, size_t out_len) {
    size_t k = 0;
    while (k < n_kinds && strcmp(kinds[k].what, what) != 0) k++;
    if (k == n_kinds) {
        if (n_kinds == MAX_KINDS) return;
        fz_register_report();
        kinds[k].what = what;
        n_kinds++;
    }
    kinds[k].calls++;
    if (in_len < 16) {
        if (out_len > kinds[k].max_out_small) kinds[k].max_out_small = out_len;
        return;
    }
    double r = (double)out_len / (double)in_len;
    if (r > kinds[k].worst_ratio) {
        kinds[k].worst_ratio = r;
        kinds[k].worst_in = in_len;
        kinds[k].worst_out = out_len;
    }
}

static int report_done;

void fz_report(void) {
    if (report_done) return;
    report_done = 1;
    if (n_kinds) fprintf(stderr, "output sizes (worst out/in for inputs >= 16 bytes):\n");
    for (size_t k = 0; k < n_kinds; k++)
        fprintf(stderr, "  %-18s %10lu calls  worst ratio %.3f (%zu -> %zu bytes)  largest output under 16 bytes in: %zu\n",
                kinds[k].what, kinds[k].calls, kinds[k].worst_ratio, kinds[k].worst_in, kinds[k].worst_out,
                kinds[k].max_out_small);
    if (n_props) fprintf(stderr, "strict properties (LFX_FUZZ_STRICT):\n");
    for (size_t i = 0; i < n_props; i++)
        fprintf(stderr, "  %-28s failed %lu of %lu checks\n", props[i].name, props[i].failed, props[i].ran);
}

static void report_at_exit(void) {
    if (getenv("LFX_FUZZ_STATS") || (n_props && getenv("LFX_FUZZ_STRICT_CONTINUE"))) fz_report();
}

static void fz_register_report(void) {
    static int registered;
    if (!registered) {
        registered = 1;
        atexit(report_at_exit);
    }
}
