/* Worst-case timings of libfix_repair: hostile inputs of growing size (100 B to 1 MB), time per
 * input byte, and the ratio between sizes (1.0 means linear). The target is under
 * 1 us (1000 ns) per input byte for any input. Not a test; run it by hand:
 *
 *   bench_worst [-m MAX_BYTES] [-g NAME]...
 *
 * -m caps the sizes (default 1048576); -g runs only the named generators; -c SECONDS skips
 * a size when one repair of it would take longer than that, judging by the size before it
 * (ten times smaller; default 120).
 *
 *   bench_worst -r RECORDS.jsonl
 *
 * times the repair of every record ("input" or "input_b64", as libfix-eval reads them; each
 * repeated for at least 2 ms) and prints the time per byte by input size: median, 99th
 * percentile, worst, how many records take over 1 us a byte, and the longest single repair.
 * -o FILE also writes one line per record: its "id", its length in bytes and ns per byte. */
#define _POSIX_C_SOURCE 200809L /* strdup, clock_gettime, pthread barriers under -std=c11 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonl.h"
#include "libfix.h"

typedef struct text {
    char *p;
    size_t n, cap;
} text;

static void put(text *t, const char *s, size_t k) {
    if (t->n + k + 1 > t->cap) {
        t->cap = (t->n + k + 1) * 2;
        t->p = realloc(t->p, t->cap);
        if (!t->p) abort();
    }
    memcpy(t->p + t->n, s, k);
    t->n += k;
}
static void puts_(text *t, const char *s) { put(t, s, strlen(s)); }

static uint32_t rng = 12345;
static uint32_t next_rand(void) {
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}

static void put_utf8(text *t, uint32_t cp) {
    char b[4];
    size_t k;
    if (cp < 0x80) {
        b[0] = (char)cp;
        k = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | cp >> 6);
        b[1] = (char)(0x80 | (cp & 0x3F));
        k = 2;
    } else {
        b[0] = (char)(0xE0 | cp >> 12);
        b[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        k = 3;
    }
    put(t, b, k);
}

/* Each generator appends one piece; the driver repeats pieces until the size is reached. */
typedef void (*gen_fn)(text *t);

/* raw bytes 0xA1-0xFE: valid GBK, mostly valid Big5, EUC-KR, GB18030; one endless line */
static void gen_dbcs_bytes(text *t) {
    char b[64];
    for (int i = 0; i < 64; i++) b[i] = (char)(0xA1 + next_rand() % 0x5E);
    put(t, b, sizeof b);
}

/* UTF-8 of Latin-1 letters: looks like UTF-8 read as Latin-1, at every depth */
static void gen_latin1(text *t) {
    for (int i = 0; i < 32; i++) put_utf8(t, 0xA1 + next_rand() % 0x5F);
}

/* cp936 mojibake with '?' after every character: a gap to fill everywhere */
static void gen_qmarks(text *t) {
    static const char *const g[] = {"\xe9\x8d\x99", "\xe9\x8f\x82", "\xe6\xb6\x93", "\xe7\x90\x9b", "\xe9\x8e\xb4"};
    for (int i = 0; i < 16; i++) {
        puts_(t, g[next_rand() % 5]);
        puts_(t, "?");
    }
}

/* short lines of '?' mojibake, each between clean lines: every damaged line a unit of its own */
static void gen_qmark_lines(text *t) {
    static const char *const g[] = {"\xe9\x8d\x99", "\xe9\x8f\x82", "\xe6\xb6\x93", "\xe7\x90\x9b", "\xe9\x8e\xb4"};
    for (int i = 0; i < 3; i++) {
        puts_(t, g[next_rand() % 5]);
        puts_(t, "?");
    }
    puts_(t, "\nok\nok\nok\nok\n");
}

/* U+FFFD runs with a few Han characters */
static void gen_fffd(text *t) {
    for (int i = 0; i < 20; i++) puts_(t, "\xef\xbf\xbd");
    puts_(t, "\xe4\xb8\xad");
}

/* deeply nested escapes of every kind */
static void gen_escapes(text *t) {
    puts_(t, "&amp;amp;amp;amp;#20013;&#x6587;%25E4%25B8%25AD\\\\u4e2d\\u6587=?gb2312?B?1tA=?=~{VP~}=E4=B8=AD");
}

/* alternating scripts, one character each */
static void gen_scripts(text *t) {
    static const uint32_t cps[] = {0x4E2D, 'a', 0xE9, 0xD55C, 0x3042, 0x20AC, '?', 0x9AD4, 0x00B7, 0xFF08, 0xE000, 0x0440};
    for (int i = 0; i < 24; i++) put_utf8(t, cps[next_rand() % (sizeof cps / sizeof cps[0])]);
}

/* ordinary bulk damage: UTF-8 read as GBK, one line per sentence */
static void gen_mojibake_lines(text *t) {
    puts_(t, "\xe5\xa8\x8c\xe2\x84\x83\xe6\xb9\x81\xe9\x8d\x99\xe6\x88\xa0\xe5\xb9\x87\xe9\x8d\x96\xe5\xbd\x92\xe5\x8e\xa4"
             "\xe9\x90\xa8\xe5\x8b\xae\xe8\x92\x8b\xe6\xb5\xa0\xe8\xb7\xba\xe5\xaf\x98\n");
}

/* the same damage without newlines: one line of any length */
static void gen_mojibake_line(text *t) {
    puts_(t, "\xe5\xa8\x8c\xe2\x84\x83\xe6\xb9\x81\xe9\x8d\x99\xe6\x88\xa0\xe5\xb9\x87\xe9\x8d\x96\xe5\xbd\x92\xe5\x8e\xa4"
             "\xe9\x90\xa8\xe5\x8b\xae\xe8\x92\x8b\xe6\xb5\xa0\xe8\xb7\xba\xe5\xaf\x98\xef\xbc\x8c");
}

/* lone lead bytes and truncated sequences in otherwise valid UTF-8 */
static void gen_truncated(text *t) {
    puts_(t, "\xe4\xb8\xad\xe6\x96\x87\xe4\xb8 \xe6 \xc3\xa5\xc2 \xf0\x9f\x98 ok\x80\xff");
}

static const struct {
    const char *name;
    gen_fn fn;
} gens[] = {
    {"dbcs-bytes", gen_dbcs_bytes},       {"latin1-mojibake", gen_latin1}, {"qmarks", gen_qmarks},
    {"qmark-lines", gen_qmark_lines},
    {"fffd", gen_fffd},                   {"nested-escapes", gen_escapes}, {"alternating", gen_scripts},
    {"mojibake-lines", gen_mojibake_lines}, {"mojibake-1-line", gen_mojibake_line}, {"truncated", gen_truncated},
};
#define N_GENS (sizeof gens / sizeof gens[0])

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Seconds one libfix_repair of p[0..n) takes: repeated until the calls cover min_total seconds
 * or max_runs calls. -1 if a repair fails. */
static double time_repair(libfix_ctx *ctx, const char *p, size_t n, double min_total, unsigned long max_runs) {
    double total = 0;
    unsigned long runs = 0;
    do {
        libfix_result r;
        double t0 = now();
        if (libfix_repair(ctx, p, n, &r) != LIBFIX_OK) {
            fprintf(stderr, "repair failed\n");
            return -1;
        }
        total += now() - t0;
        libfix_result_clear(&r);
        runs++;
    } while (total < min_total && runs < max_runs);
    return total / (double)runs;
}

typedef struct timing {
    double nspb; /* ns per input byte */
    size_t n;
} timing;

static int cmp_timing(const void *a, const void *b) {
    double x = ((const timing *)a)->nspb, y = ((const timing *)b)->nspb;
    return x < y ? -1 : x > y;
}

static int run_records(libfix_ctx *ctx, const char *path, const char *per_record) {
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return 1;
    }
    FILE *out = NULL;
    if (per_record && !(out = fopen(per_record, "w"))) {
        perror(per_record);
        fclose(f);
        return 1;
    }
    char *line = NULL;
    size_t cap = 0, nt = 0, capt = 0;
    timing *t = NULL;
    lfx_buf input, raw, id;
    lfx_buf_init(&input);
    lfx_buf_init(&raw);
    lfx_buf_init(&id);
    while (getline(&line, &cap, f) > 0) {
        const lfx_buf *src = &input;
        if (!lfx_json_get_string(line, "input", &input)) {
            if (!lfx_json_get_string(line, "input_b64", &input)) continue;
            lfx_b64decode(&input, &raw);
            src = &raw;
        }
        double per_call = time_repair(ctx, (const char *)src->data, src->len, 0.002, 10000);
        if (per_call < 0) return 1;
        if (nt == capt) {
            capt = capt ? 2 * capt : 1024;
            t = realloc(t, capt * sizeof *t);
            if (!t) abort();
        }
        t[nt].n = src->len;
        t[nt].nspb = per_call * 1e9 / (double)(src->len ? src->len : 1);
        if (out) {
            if (!lfx_json_get_string(line, "id", &id)) id.len = 0;
            fprintf(out, "%.*s\t%zu\t%.0f\n", (int)id.len, (const char *)id.data, src->len,
                    t[nt].nspb);
        }
        nt++;
    }
    free(line);
    fclose(f);
    lfx_buf_free(&input);
    lfx_buf_free(&raw);
    lfx_buf_free(&id);
    if (out && fclose(out) != 0) {
        perror(per_record);
        return 1;
    }
    static const size_t lo[] = {0, 50, 100, 256, 1024}, hi[] = {50, 100, 256, 1024, (size_t)-1};
    printf("%-12s %6s %10s %10s %10s %8s %12s\n", "bytes", "n", "median", "p99", "worst", ">1us/B",
           "longest");
    for (size_t c = 0; c < 5; c++) {
        timing *s = malloc((nt ? nt : 1) * sizeof *s);
        if (!s) abort();
        size_t k = 0, over = 0;
        double longest = 0;
        for (size_t i = 0; i < nt; i++)
            if (t[i].n >= lo[c] && t[i].n < hi[c]) {
                s[k++] = t[i];
                over += t[i].nspb > 1000;
                if (t[i].nspb * (double)t[i].n > longest) longest = t[i].nspb * (double)t[i].n;
            }
        if (k) {
            qsort(s, k, sizeof *s, cmp_timing);
            char name[32];
            if (hi[c] == (size_t)-1)
                snprintf(name, sizeof name, "%zu-", lo[c]);
            else
                snprintf(name, sizeof name, "%zu-%zu", lo[c], hi[c] - 1);
            printf("%-12s %6zu %7.0f ns %7.0f ns %7.0f ns %8zu %9.2f ms\n", name, k, s[k / 2].nspb,
                   s[(size_t)((double)k * 0.99)].nspb, s[k - 1].nspb, over, longest / 1e6);
        }
        free(s);
    }
    free(t);
    return 0;
}

int main(int argc, char **argv) {
    size_t max = (size_t)1 << 20;
    double cap = 120;
    const char *only[N_GENS];
    const char *records = NULL, *per_record = NULL;
    size_t n_only = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-m") == 0 && i + 1 < argc)
            max = (size_t)strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
            cap = strtod(argv[++i], NULL);
        else if (strcmp(argv[i], "-g") == 0 && i + 1 < argc && n_only < N_GENS)
            only[n_only++] = argv[++i];
        else if (strcmp(argv[i], "-r") == 0 && i + 1 < argc)
            records = argv[++i];
        else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            per_record = argv[++i];
        else {
            fprintf(stderr, "usage: %s [-m MAX_BYTES] [-c SECONDS] [-g NAME]... | -r RECORDS.jsonl [-o FILE]\n", argv[0]);
            return 2;
        }
    }
    static const size_t sizes[] = {100, 1000, 10000, 100000, 1000000};
    enum { NS = sizeof sizes / sizeof sizes[0] };
    libfix_ctx *ctx = libfix_new(NULL, NULL);
    if (!ctx) return 1;
    if (records) {
        int rc = run_records(ctx, records, per_record);
        libfix_free(ctx);
        return rc;
    }
    printf("%-16s %10s %10s %10s %10s %10s   %s\n", "input", "100 B", "1 KB", "10 KB", "100 KB", "1 MB",
           "ratio of ns/byte 1K/100 10K/1K 100K/10K 1M/100K");
    double worst = 0, worst_1k = 0;
    for (size_t g = 0; g < N_GENS; g++) {
        if (n_only) {
            size_t k = 0;
            while (k < n_only && strcmp(only[k], gens[g].name) != 0) k++;
            if (k == n_only) continue;
        }
        double nspb[NS] = {0};
        double last_run = 0;
        printf("%-16s", gens[g].name);
        fflush(stdout);
        for (size_t s = 0; s < NS; s++) {
            if (sizes[s] > max || 10 * last_run > cap) {
                printf(" %10s", sizes[s] > max ? "-" : "(skipped)");
                continue;
            }
            text t = {0};
            rng = 12345;
            while (t.n < sizes[s]) gens[g].fn(&t);
            /* repeat small inputs so that each figure covers at least 0.3 s */
            last_run = time_repair(ctx, t.p, t.n, 0.3, 100000);
            if (last_run < 0) return 1;
            nspb[s] = last_run / (double)t.n * 1e9;
            if (nspb[s] > worst) worst = nspb[s];
            if (sizes[s] >= 1000 && nspb[s] > worst_1k) worst_1k = nspb[s];
            printf(" %7.1f ns", nspb[s]);
            fflush(stdout);
            free(t.p);
        }
        printf("  ");
        for (size_t s = 1; s < NS; s++)
            if (nspb[s] > 0 && nspb[s - 1] > 0) printf(" %6.2f", nspb[s] / nspb[s - 1]);
        printf("\n");
    }
    printf("worst: %.1f ns per input byte; from 1 KB on: %.1f (target: under 1000)\n", worst, worst_1k);
    libfix_free(ctx);
    return 0;
}
