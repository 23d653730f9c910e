/* Single-thread throughput of libfix_repair on clean, garbled and Traditional text, each figure
 * against a baseline timed in the same run (memcpy, glibc iconv, OpenCC). Not a test: run it
 * through bench/run.sh, which makes the data and builds in Release. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "libfix.h"

#define MB 1e6

/* ---- input ------------------------------------------------------------------------------ */

typedef struct {
    char *data;
    size_t len;
    size_t *off, *n; /* lines without their '\n' */
    size_t lines;
} text;

static void die(const char *what, const char *detail) {
    fprintf(stderr, "bench_repair: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(2);
}

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) die("out of memory", NULL);
    return p;
}

static int text_load(text *t, const char *path, int required) {
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (required) die("cannot open", path);
        return -1;
    }
    size_t cap = 1 << 20;
    t->data = xmalloc(cap);
    size_t k;
    while ((k = fread(t->data + t->len, 1, cap - t->len, f)) > 0) {
        t->len += k;
        if (t->len == cap) {
            cap *= 2;
            t->data = realloc(t->data, cap);
            if (!t->data) die("out of memory", NULL);
        }
    }
    fclose(f);
    size_t nl = 0;
    for (size_t i = 0; i < t->len; i++) nl += t->data[i] == '\n';
    t->off = xmalloc((nl + 1) * sizeof *t->off);
    t->n = xmalloc((nl + 1) * sizeof *t->n);
    size_t start = 0;
    for (size_t i = 0; i <= t->len; i++) {
        if (i == t->len || t->data[i] == '\n') {
            if (i > start || i < t->len) {
                t->off[t->lines] = start;
                t->n[t->lines] = i - start;
                t->lines++;
            }
            start = i + 1;
        }
    }
    return 0;
}

static void text_free(text *t) {
    free(t->data);
    free(t->off);
    free(t->n);
    memset(t, 0, sizeof *t);
}

/* ---- what is timed ---------------------------------------------------------------------- */

/* OpenCC through dlopen, so that the benchmark builds without its headers. */
typedef void *(*opencc_open_fn)(const char *);
typedef char *(*opencc_convert_fn)(void *, const char *, size_t);
typedef void (*opencc_free_fn)(char *);
static struct {
    void *od;
    opencc_convert_fn convert;
    opencc_free_fn free_;
} g_opencc;

static int opencc_load(const char *config) {
    void *lib = dlopen("libopencc.so.1.1", RTLD_NOW);
    if (!lib) lib = dlopen("libopencc.so", RTLD_NOW);
    if (!lib) return -1;
    opencc_open_fn open_ = (opencc_open_fn)dlsym(lib, "opencc_open");
    g_opencc.convert = (opencc_convert_fn)dlsym(lib, "opencc_convert_utf8");
    g_opencc.free_ = (opencc_free_fn)dlsym(lib, "opencc_convert_utf8_free");
    if (!open_ || !g_opencc.convert || !g_opencc.free_) return -1;
    g_opencc.od = open_(config);
    if (!g_opencc.od || g_opencc.od == (void *)-1) return -1;
    return 0;
}

typedef struct job job;
typedef size_t (*job_fn)(job *);
struct job {
    job_fn fn;
    const text *in;
    libfix_ctx *ctx;
    iconv_t cd, cd2; /* cd2: second step of a two-step inverse */
    char *out, *out2;
    size_t out_cap;
    size_t failures; /* calls that returned an error (counted on every run) */
};

static size_t run_memcpy_whole(job *j) {
    memcpy(j->out, j->in->data, j->in->len);
    return (size_t)(unsigned char)j->out[j->in->len / 2];
}

static size_t run_memcpy_lines(job *j) {
    size_t sum = 0;
    for (size_t i = 0; i < j->in->lines; i++) {
        memcpy(j->out + j->in->off[i], j->in->data + j->in->off[i], j->in->n[i]);
        sum += (unsigned char)j->out[j->in->off[i]];
    }
    return sum;
}

/* Converts in[0..n) with cd into out; returns bytes written, or counts a failure. */
static size_t iconv_once(job *j, iconv_t cd, const char *in, size_t n, char *out, size_t cap) {
    char *ip = (char *)in, *op = out;
    size_t il = n, ol = cap;
    iconv(cd, NULL, NULL, NULL, NULL);
    if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) j->failures++;
    return (size_t)(op - out);
}

static size_t run_iconv_whole(job *j) {
    return iconv_once(j, j->cd, j->in->data, j->in->len, j->out, j->out_cap);
}

static size_t run_iconv_lines(job *j) {
    size_t sum = 0;
    for (size_t i = 0; i < j->in->lines; i++) {
        size_t k = iconv_once(j, j->cd, j->in->data + j->in->off[i], j->in->n[i], j->out, j->out_cap);
        if (j->cd2) k = iconv_once(j, j->cd2, j->out, k, j->out2, j->out_cap);
        sum += k;
    }
    return sum;
}

static size_t run_repair_whole(job *j) {
    libfix_result r;
    if (libfix_repair(j->ctx, j->in->data, j->in->len, &r) != LIBFIX_OK) {
        j->failures++;
        return 0;
    }
    size_t k = r.len;
    libfix_result_clear(&r);
    return k;
}

static size_t run_repair_lines(job *j) {
    size_t sum = 0;
    for (size_t i = 0; i < j->in->lines; i++) {
        libfix_result r;
        if (libfix_repair(j->ctx, j->in->data + j->in->off[i], j->in->n[i], &r) != LIBFIX_OK) {
            j->failures++;
            continue;
        }
        sum += r.len;
        libfix_result_clear(&r);
    }
    return sum;
}

static size_t run_opencc_whole(job *j) {
    char *o = g_opencc.convert(g_opencc.od, j->in->data, j->in->len);
    if (!o) {
        j->failures++;
        return 0;
    }
    size_t k = strlen(o);
    g_opencc.free_(o);
    return k;
}

static size_t run_opencc_lines(job *j) {
    size_t sum = 0;
    for (size_t i = 0; i < j->in->lines; i++) {
        if (j->in->n[i] == 0) continue;
        char *o = g_opencc.convert(g_opencc.od, j->in->data + j->in->off[i], j->in->n[i]);
        if (!o) {
            j->failures++;
            continue;
        }
        sum += strlen(o);
        g_opencc.free_(o);
    }
    return sum;
}

/* ---- timing ----------------------------------------------------------------------------- */

static int g_reps = 5;
static double g_budget = 30.0; /* seconds per measurement: fewer runs when one is slow */
static volatile size_t g_sink;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct {
    double best, median; /* MB/s */
    int runs;
    int ok;
} timing;

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Runs j->fn up to g_reps times (at least once; stops once g_budget is spent) and returns the
 * best and the median throughput in MB/s of j->in->len bytes. */
static timing measure(job *j) {
    timing t = {0, 0, 0, 1};
    double *rate = xmalloc((size_t)g_reps * sizeof *rate);
    double spent = 0;
    j->failures = 0;
    while (t.runs < g_reps && (t.runs == 0 || spent < g_budget)) {
        double t0 = now();
        g_sink += j->fn(j);
        double dt = now() - t0;
        spent += dt;
        rate[t.runs++] = (double)j->in->len / MB / (dt > 1e-9 ? dt : 1e-9);
    }
    qsort(rate, (size_t)t.runs, sizeof *rate, cmp_double);
    t.best = rate[t.runs - 1];
    t.median = t.runs % 2 ? rate[t.runs / 2] : (rate[t.runs / 2 - 1] + rate[t.runs / 2]) / 2;
    free(rate);
    return t;
}

/* ---- the table -------------------------------------------------------------------------- */

static void header(void) {
    printf("%-48s %7s %4s %10s %10s  %-26s %7s  %s\n", "benchmark (single thread)", "MB", "runs",
           "best MB/s", "med MB/s", "best vs baseline", "target", "check");
    for (int i = 0; i < 134; i++) putchar('-');
    putchar('\n');
}

static void row(const char *label, const text *in, timing t, const char *base_name,
                const timing *base, double target, const char *check) {
    char ratio[64] = "";
    char tgt[32] = "";
    if (base && base->best > 0) snprintf(ratio, sizeof ratio, "%.3gx %s", t.best / base->best, base_name);
    if (target > 0) snprintf(tgt, sizeof tgt, ">=%g%s", target, t.best >= target ? "" : " !");
    printf("%-48s %7.1f %4d %10.1f %10.1f  %-26s %7s  %s\n", label, (double)in->len / MB, t.runs,
           t.best, t.median, ratio, tgt, check ? check : "");
    fflush(stdout);
}

/* Repairs each line of sample and compares with the line of expected (or with the input when
 * expected is NULL); untimed. Writes "k/n exact (p%)" into buf. */
static void check_lines(libfix_ctx *ctx, const text *sample, const text *expected, char *buf,
                        size_t cap, int use_opencc) {
    size_t n = sample->lines, ok = 0;
    if (expected && expected->lines < n) n = expected->lines;
    for (size_t i = 0; i < n; i++) {
        const char *s = sample->data + sample->off[i];
        const char *want = expected ? expected->data + expected->off[i] : s;
        size_t want_n = expected ? expected->n[i] : sample->n[i];
        if (use_opencc) {
            char *o = sample->n[i] ? g_opencc.convert(g_opencc.od, s, sample->n[i]) : NULL;
            size_t k = o ? strlen(o) : 0;
            ok += k == want_n && (k == 0 || memcmp(o, want, k) == 0);
            if (o) g_opencc.free_(o);
            continue;
        }
        libfix_result r;
        if (libfix_repair(ctx, s, sample->n[i], &r) != LIBFIX_OK) continue;
        ok += r.len == want_n && memcmp(r.text, want, r.len) == 0;
        libfix_result_clear(&r);
    }
    snprintf(buf, cap, "%zu/%zu %s (%.1f%%)", ok, n, expected ? "exact" : "unchanged",
             n ? 100.0 * (double)ok / (double)n : 0.0);
}

/* Lines of out[0..n) that differ from the line at the same place in in. */
static size_t lines_differing(const text *in, const char *out, size_t n) {
    size_t bad = 0, at = 0;
    for (size_t i = 0; i < in->lines; i++) {
        const char *nl = at < n ? memchr(out + at, '\n', n - at) : NULL;
        size_t k = nl ? (size_t)(nl - (out + at)) : (at < n ? n - at : 0);
        bad += k != in->n[i] || memcmp(out + at, in->data + in->off[i], k) != 0;
        at += k + (nl != NULL);
    }
    return bad;
}

static char *path_join(const char *dir, const char *name) {
    size_t k = strlen(dir) + strlen(name) + 2;
    char *p = xmalloc(k);
    snprintf(p, k, "%s/%s", dir, name);
    return p;
}

static libfix_ctx *new_ctx(libfix_target target) {
    libfix_options o;
    libfix_options_init(&o);
    o.target = target;
    int err;
    libfix_ctx *ctx = libfix_new(&o, &err);
    if (!ctx) die("libfix_new failed", libfix_strerror(err));
    return ctx;
}

static iconv_t open_iconv(const char *to, const char *from) {
    iconv_t cd = iconv_open(to, from);
    if (cd == (iconv_t)-1) die("iconv_open failed", from);
    return cd;
}

static void job_buffers(job *j, const text *in, size_t factor) {
    j->in = in;
    j->out_cap = in->len * factor + 64;
    j->out = xmalloc(j->out_cap);
    j->out2 = xmalloc(j->out_cap);
    memset(j->out, 0, j->out_cap); /* fault the pages in before timing */
    memset(j->out2, 0, j->out_cap);
}

static void job_free(job *j) {
    free(j->out);
    free(j->out2);
    if (j->cd && j->cd != (iconv_t)-1) iconv_close(j->cd);
    if (j->cd2 && j->cd2 != (iconv_t)-1) iconv_close(j->cd2);
}

/* ---- the benchmarks --------------------------------------------------------------------- */

static void bench_clean(const char *dir) {
    char *p = path_join(dir, "clean.txt"), *ps = path_join(dir, "clean.sample.txt");
    text in, sample;
    text_load(&in, p, 1);
    text_load(&sample, ps, 1);
    libfix_ctx *ctx = new_ctx(LIBFIX_TARGET_HANS);
    char check[96];

    /* Untimed: the whole text must come back byte for byte. */
    libfix_result r;
    int rc = libfix_repair(ctx, in.data, in.len, &r);
    if (rc != LIBFIX_OK)
        snprintf(check, sizeof check, "ERROR %s", libfix_strerror(rc));
    else if (r.len == in.len && memcmp(r.text, in.data, in.len) == 0 && !(r.flags & LIBFIX_CHANGED))
        snprintf(check, sizeof check, "unchanged");
    else
        snprintf(check, sizeof check, "CHANGED: %zu of %zu lines", lines_differing(&in, r.text, r.len),
                 in.lines);
    if (rc == LIBFIX_OK) libfix_result_clear(&r);

    job m = {.fn = run_memcpy_whole}, v = {.fn = run_iconv_whole}, f = {.fn = run_repair_whole};
    job_buffers(&m, &in, 1);
    job_buffers(&v, &in, 1);
    v.cd = open_iconv("UTF-8", "UTF-8");
    f.in = &in;
    f.ctx = ctx;
    timing tm = measure(&m), tv = measure(&v), tf = measure(&f);
    row("clean, whole text: memcpy", &in, tm, NULL, NULL, 0, NULL);
    row("clean, whole text: iconv UTF-8 validation", &in, tv, "memcpy", &tm, 0,
        v.failures ? "iconv FAILED" : NULL);
    row("clean, whole text: libfix_repair", &in, tf, "iconv", &tv, 300, check);
    printf("%-48s %7s %4s %10s %10s  %.3gx memcpy\n", "", "", "", "", "", tf.best / tm.best);

    check_lines(ctx, &sample, NULL, check, sizeof check, 0);
    m.fn = run_memcpy_lines;
    v.fn = run_iconv_lines;
    f.fn = run_repair_lines;
    tm = measure(&m);
    tv = measure(&v);
    tf = measure(&f);
    row("clean, line by line: memcpy", &in, tm, NULL, NULL, 0, NULL);
    row("clean, line by line: iconv UTF-8 validation", &in, tv, "memcpy", &tm, 0,
        v.failures ? "iconv FAILED" : NULL);
    row("clean, line by line: libfix_repair", &in, tf, "iconv", &tv, 300, check);
    printf("%-48s %7s %4s %10s %10s  %.3gx memcpy; %zu lines, %.0f bytes/line\n", "", "", "", "", "",
           tf.best / tm.best, in.lines, (double)in.len / (double)(in.lines ? in.lines : 1));
    job_free(&m);
    job_free(&v);
    libfix_free(ctx);
    text_free(&in);
    text_free(&sample);
    free(p);
    free(ps);
}

/* The known inverse of each damage, done by iconv as if the chain were known (NULL: iconv
 * cannot express it, e.g. browsers' windows-1252 keeps five bytes as C1 controls). */
static const struct {
    const char *kind, *label, *inv_to, *inv_from, *inv2_to, *inv2_from;
} garbled_kinds[] = {
    {"utf8-gbk", "utf-8>gbk", "GBK", "UTF-8", NULL, NULL},
    {"utf8-cp1252", "utf-8>cp1252", NULL, NULL, NULL, NULL},
    {"gbk-latin1", "gbk>latin1", "ISO-8859-1", "UTF-8", "UTF-8", "GBK"},
};

static void bench_garbled(const char *dir) {
    libfix_ctx *ctx = new_ctx(LIBFIX_TARGET_HANS);
    for (size_t g = 0; g < sizeof garbled_kinds / sizeof garbled_kinds[0]; g++) {
        char name[64], label[96], check[96];
        snprintf(name, sizeof name, "%s.txt", garbled_kinds[g].kind);
        char *p = path_join(dir, name);
        snprintf(name, sizeof name, "%s.sample.txt", garbled_kinds[g].kind);
        char *ps = path_join(dir, name);
        snprintf(name, sizeof name, "%s.sample.expected.txt", garbled_kinds[g].kind);
        char *pe = path_join(dir, name);
        text in, sample, expected;
        text_load(&in, p, 1);
        text_load(&sample, ps, 1);
        text_load(&expected, pe, 1);
        check_lines(ctx, &sample, &expected, check, sizeof check, 0);

        job v = {.fn = run_iconv_lines}, k = {.fn = run_iconv_lines}, f = {.fn = run_repair_lines};
        job_buffers(&v, &in, 1);
        v.cd = open_iconv("UTF-8", "UTF-8");
        f.in = &in;
        f.ctx = ctx;
        timing tv = measure(&v), tk = {0, 0, 0, 0}, tf = measure(&f);
        if (garbled_kinds[g].inv_to) {
            job_buffers(&k, &in, 1);
            k.cd = open_iconv(garbled_kinds[g].inv_to, garbled_kinds[g].inv_from);
            if (garbled_kinds[g].inv2_to)
                k.cd2 = open_iconv(garbled_kinds[g].inv2_to, garbled_kinds[g].inv2_from);
            tk = measure(&k);
        }
        snprintf(label, sizeof label, "%s lines: iconv UTF-8 validation", garbled_kinds[g].label);
        row(label, &in, tv, NULL, NULL, 0, NULL);
        if (tk.ok) {
            char inv[96], note[64] = "";
            snprintf(inv, sizeof inv, "%s lines: iconv known inverse", garbled_kinds[g].label);
            if (k.failures) snprintf(note, sizeof note, "%zu iconv errors", k.failures / (size_t)tk.runs);
            row(inv, &in, tk, "validation", &tv, 0, note);
        }
        snprintf(label, sizeof label, "%s lines: libfix_repair", garbled_kinds[g].label);
        row(label, &in, tf, "validation", &tv, 20, check);
        if (tk.ok)
            printf("%-48s %7s %4s %10s %10s  %.3gx known inverse\n", "", "", "", "", "", tf.best / tk.best);
        job_free(&v);
        job_free(&k);
        text_free(&in);
        text_free(&sample);
        text_free(&expected);
        free(p);
        free(ps);
        free(pe);
    }
    libfix_free(ctx);
}

static void bench_trad(const char *dir) {
    char *p = path_join(dir, "trad.txt"), *ps = path_join(dir, "trad.sample.txt"),
         *pe = path_join(dir, "trad.sample.expected.txt");
    text in, sample, expected;
    text_load(&in, p, 1);
    text_load(&sample, ps, 1);
    text_load(&expected, pe, 1);
    libfix_ctx *ctx = new_ctx(LIBFIX_TARGET_HANS);
    int have_opencc = opencc_load("t2s.json") == 0;
    char check[96], check_cc[96] = "OpenCC not found";
    check_lines(ctx, &sample, &expected, check, sizeof check, 0);
    if (have_opencc) check_lines(ctx, &sample, &expected, check_cc, sizeof check_cc, 1);

    job o = {.fn = run_opencc_lines}, f = {.fn = run_repair_lines};
    o.in = f.in = &in;
    f.ctx = ctx;
    timing to = {0, 0, 0, 0};
    if (have_opencc) to = measure(&o);
    timing tf = measure(&f);
    if (have_opencc) row("Traditional, lines: OpenCC t2s", &in, to, NULL, NULL, 0, check_cc);
    row("Traditional, lines: libfix_repair (hans)", &in, tf, "OpenCC", have_opencc ? &to : NULL, 50, check);
    o.fn = run_opencc_whole;
    f.fn = run_repair_whole;
    if (have_opencc) to = measure(&o);
    tf = measure(&f);
    if (have_opencc) row("Traditional, whole text: OpenCC t2s", &in, to, NULL, NULL, 0, NULL);
    row("Traditional, whole text: libfix_repair (hans)", &in, tf, "OpenCC", have_opencc ? &to : NULL, 50, NULL);
    libfix_free(ctx);
    text_free(&in);
    text_free(&sample);
    text_free(&expected);
    free(p);
    free(ps);
    free(pe);
}

/* ---- one call, for callgrind and perf ---------------------------------------------------- */

/* The one function that callgrind's --toggle-collect=bench_measured counts. */
__attribute__((noinline)) size_t bench_measured(job *j);
__attribute__((noinline)) size_t bench_measured(job *j) { return j->fn(j); }

static int run_once(const char *mode, const char *path, int times) {
    text in;
    text_load(&in, path, 1);
    job j = {0};
    j.in = &in;
    libfix_ctx *ctx = NULL;
    if (!strcmp(mode, "repair-whole") || !strcmp(mode, "repair-lines")) {
        ctx = new_ctx(LIBFIX_TARGET_HANS);
        j.ctx = ctx;
        j.fn = !strcmp(mode, "repair-whole") ? run_repair_whole : run_repair_lines;
        /* warm up: lazily built tables are not part of the cost per byte */
        libfix_result r;
        if (libfix_repair(ctx, in.data, in.len < 65536 ? in.len : 65536, &r) == LIBFIX_OK)
            libfix_result_clear(&r);
    } else if (!strcmp(mode, "iconv-whole") || !strcmp(mode, "iconv-lines")) {
        job_buffers(&j, &in, 1);
        j.cd = open_iconv("UTF-8", "UTF-8");
        j.fn = !strcmp(mode, "iconv-whole") ? run_iconv_whole : run_iconv_lines;
    } else if (!strcmp(mode, "memcpy-whole")) {
        job_buffers(&j, &in, 1);
        j.fn = run_memcpy_whole;
    } else {
        die("unknown --once mode", mode);
    }
    for (int i = 0; i < times; i++) g_sink += bench_measured(&j);
    printf("bytes %zu\nlines %zu\nfailures %zu\n", in.len, in.lines, j.failures);
    if (ctx) libfix_free(ctx);
    else job_free(&j);
    text_free(&in);
    return j.failures ? 1 : 0;
}

static void usage(void) {
    fprintf(stderr,
            "usage: bench_repair [--reps N] [--budget SECONDS] [--only clean,garbled,trad] DATADIR\n"
            "       bench_repair --once MODE FILE [TIMES]\n"
            "  DATADIR holds the files written by bench/make_data.py.\n"
            "  --reps N         timed runs per measurement (default 5); best and median reported\n"
            "  --budget S       stop repeating a measurement once it has taken S seconds (default 30)\n"
            "  --once MODE      one call (or TIMES calls) of MODE on FILE, in bench_measured(), for\n"
            "                   callgrind --toggle-collect=bench_measured or perf; MODE is repair-whole,\n"
            "                   repair-lines, iconv-whole, iconv-lines or memcpy-whole\n");
    exit(2);
}

int main(int argc, char **argv) {
    const char *only = "clean,garbled,trad", *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--reps") && i + 1 < argc) g_reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--budget") && i + 1 < argc) g_budget = atof(argv[++i]);
        else if (!strcmp(argv[i], "--only") && i + 1 < argc) only = argv[++i];
        else if (!strcmp(argv[i], "--once") && i + 2 < argc)
            return run_once(argv[i + 1], argv[i + 2], i + 3 < argc ? atoi(argv[i + 3]) : 1);
        else if (argv[i][0] == '-') usage();
        else dir = argv[i];
    }
    if (!dir || g_reps < 1) usage();
    printf("libfix %s; %d timed runs per figure at most (fewer when one measurement passes %.0f s); "
           "MB = 10^6 bytes of input; ratios compare best runs\n\n",
           libfix_version(), g_reps, g_budget);
    header();
    if (strstr(only, "clean")) bench_clean(dir);
    if (strstr(only, "garbled")) bench_garbled(dir);
    if (strstr(only, "trad")) bench_trad(dir);
    return 0;
}
