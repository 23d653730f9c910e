/* libfix from 8 threads at once: one context per thread, the global tables shared and built
 * lazily by whichever thread gets there first (all threads start together, before any table
 * exists). Every thread must get exactly the results a single thread gets. Built with
 * -fsanitize=thread when LIBFIX_SANITIZE=thread, as a plain threaded test otherwise
 * (ctest: libfix.threads). */
#define _POSIX_C_SOURCE 200809L /* strdup, clock_gettime, pthread barriers under -std=c11 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libfix.h"

#define N_THREADS 8
#define ROUNDS 3

#define IN(name, lit) {name, lit, sizeof lit - 1}
static const struct {
    const char *name;
    const char *bytes;
    size_t len;
} inputs[] = {
    IN("utf8>gbk", "\xe5\xa8\x8c\xe2\x84\x83\xe6\xb9\x81\xe9\x8d\x99\xe6\x88\xa0\xe5\xb9\x87\xe9\x8d\x96\xe5\xbd\x92\xe5\x8e\xa4\xe9\x90\xa8\xe5\x8b\xae\xe8\x92\x8b\xe6\xb5\xa0\xe8\xb7\xba\xe5\xaf\x98"),
    IN("utf8>cp936win", "\xe9\x8f\x88\xe2\x82\xac\xe6\x9d\xa9\xe6\x88\x9c\xe5\xa8\x87\xe9\x90\xa2\xe3\x84\xa7\xe6\xae\x91\xe6\x9d\x88\xe6\x92\xb3\xe5\x8f\x86\xe5\xa9\xa7\xe6\x84\xac\xe5\x9e\xaa\xe7\x90\x9b\x3f"),
    IN("utf8>latin1", "\xc3\xa5\xc2\x9c\xc2\xb0\xc3\xa5\xc2\x9d\xc2\x80\xc3\xa6\xc2\x97\xc2\x8f"),
    IN("utf8>cp1252", "\xc3\xa5\xc2\x90\xc2\x8d\xc3\xa8\xc2\xbe\xe2\x80\x9c\xc3\xa5\xe2\x80\xa1\xc2\xba\xc3\xa6\xe2\x80\x93\xe2\x80\xa1\xc3\xa4\xc2\xbb\xc2\xb6"),
    IN("gbk>latin1", "\xc2\xb4\xc3\xb2\xc2\xbf\xc2\xaa\xc2\xb4\xc2\xa6\xc3\x80\xc3\xad\xc2\xb9\xc3\xbd\xc2\xb3\xc3\x8c\xc3\x90\xc3\x85\xc3\x8f\xc2\xa2\xc2\xb5\xc3\x84\xc3\x8f\xc3\x94\xc3\x8a\xc2\xbe\xc2\xa1\xc2\xa3"),
    IN("bytes:gbk", "\xb2\xa2\xb7\xa2\xc0\xad\xc8\xa1\xb5\xc4\xd7\xd3\xc4\xa3\xd7\xe9\xb5\xc4\xca\xfd\xc1\xbf"),
    IN("bytes:big5", "\xc0\xcb\xac" "d\xab\xfc\xa9w\xb6i\xb5{\xaa\xba\xb1\xc2\xc5v"),
    IN("bytes:utf16le", "\xe1" "cKbpenc\x84v:\x5c\xf8[*Y'Y\x02" "0"),
    IN("hz", "~{VXPBEdVCMxBg=S\x3fZ~}"),
    IN("ncr", "[&#20013;&#25991;&#29256;&#21407;&#26368;&#26032;&#26356;&#26032;]"),
    IN("uescape", "\\u4ee5\\u4e0b\\u662f\\u65b0\\u65e7\\u547d\\u4ee4\\u7684\\u6982\\u89c8\\uff1a"),
    IN("percent", "%E8%BF%99%E6%98%AF%E5%BF%85%E5%A1%AB%E5%AD%97%E6%AE%B5%E3%80%82"),
    IN("mime", "=\x3fgb2312\x3f" "B\x3fyrHH+NDFz6I=\x3f="),
    IN("double", "\xc3\xa7\xe2\x82\xac\xc2\xb9\xc3\xa6\xc2\xa8\xc2\xbb\xc3\xa6\xc5\xb8\xc5\xb8\xc3\xa9\xc2\x8f\xe2\x82\xac\xc3\xaf\xc2\xbf\xc2\xbd\xc3\xa9\xc5\xbd\xc2\xb8\xc3\xaf\xc2\xbf\xc2\xbd"),
    IN("lossy", "\xef\xbf\xbd\xef\xbf\xbd\xd2\xb2\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xd2\xaa\xef\xbf\xbd\xef\xbf\xbd"),
    IN("trad+pinyin", "\xe8\x87\xaa\xe6\xb2\xbb\xe5\x8d\x80(q\xc5\xab)\xe9\x87\x8d\xe9\xbb\x9e(di\xc7\x8en)\xe5\xb7\xa5\xe6\xa5\xad(y\xc3\xa8)"),
    IN("clean", "\xe6\xad\xa4\xe9\x80\x89\xe9\xa1\xb9\xe3\x80\x82"),
    IN("korean", "\xed\x86\xb5\xea\xb3\x84 \xec\xa0\x95\xeb\xb3\xb4 \xec\xa0\x9c\xec\xb6\x9c"),
    IN("japanese", "\xe6\x89\xb1\xe3\x81\x88\xe3\x81\xaa\xe3\x81\x84\xe3\x83\x90\xe3\x83\xbc\xe3\x82\xb8\xe3\x83\xa7\xe3\x83\xb3\xe3\x81\xa7\xe3\x81\x99"),
    IN("kunkun", "\xe9\x94\x9f\xe6\x96\xa4\xe6\x8b\xb7\xe9\x94\x9f\xe6\x96\xa4\xe6\x8b\xb7\xe8\xaf\xa2"),
    IN("qmarks", "\xe9\x8d\x99?\xe9\x8d\x99?\xe9\x8d\x99?\xe9\x8f\x82\xe5\x9b\xa6\xe6\xac\xa2\xe6\xb6\x93\xe5\xb6\x85\xe7\x93\xa8\xe9\x8d\xa6?"),
    IN("twice", "\xe9\x8f\x89\xe2\x95\x82\xe7\x91\xa4\xe9\x96\xb2\xe6\xbb\x85\xe7\xb2\x99\xe7\x80\xa3\xef\xbf\xbd\xe7\xbb\xa8\xef\xbf\xbd\xe9\x96\xbb\xef\xbf\xbd\xe9\x8a\x8a\xef\xb8\xbd\xe9\x99\x8d\xe6\xbf\xa1\xef\xbf\xbd\xe9\x94\x9f\xe4\xbb\x8b\xe5\xbc\xbb\xe9\x8a\x89\xd1\x85\xe7\xa7\xb9\xe7\xbc\x82\xe4\xbd\xb9\xe7\xb2\x8f\xe7\xbb\xbb\xe6\xb6\xa2\xe5\xb9\x92\xe9\x8a\x89\xd1\x84\xe7\x95\xb1\xe9\x96\xbb\xe6\xa8\xbf\xe5\x9f\x96\xe9\x94\x9f\xe6\x88\x92\xe9\x99\x8d\xe9\x94\x9f\xe6\x96\xa4\xe6\x8b\xb7"),
    IN("dropped", "\xe7\xbb\xaf\xe8\x8d\xa4\xe7\xb2\xba\xe7\x81\x8f\xe5\x97\x97\xe6\xb9\xaa\xe6\xb5\x9c\xe6\x96\xbf\xe5\x9e\x8e\xe9\x96\xbd\xe7\x86\xb7\xe6\x82\x97\xe9\x91\xb7\xe9\x8d\x94\xe3\x84\xa9\xe5\x99\xb8\xe9\x8f\x82\xe6\x9d\xbf\xe6\x83\x8e\xe9\x8d\x94\xe3\x84\xa3"),
    /* a character lost whole to cp949 between two known ones: the pairs by second character
     * are indexed on first use */
    IN("euckr-whole", "\xe6\xba\xab\xea\xb2\xbc\xed\x92\x93\xef\xbf\xbd\xec\x91\x89\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                      "\xe8\xaa\xa4\xea\xb3\xab\xeb\xbf\xb6\xef\xbf\xbd\xec\x8d\xae\xef\xbf\xbd\xeb\x8c\x86\xe7\x93\xa6\xec\x88\x85\xeb\x87\xa4"),
    IN("cp936-a2e3", "\xe9\x8e\xb5\xe6\x92\xb3\xe5\xb5\x83\xe6\xb5\xa0\xe8\xaf\xb2\xe5\xa7\x9f\xe7\x90\x9a\xee\x82\xa4\xe7\xb2\x93\xe5\xa7\x9d\x3f\xe2\x82\xac\xe5\x82\x9d\xee\x87\xac\xe5\xa6\xab\xe2\x82\xac\xe9\x8f\x8c\xe3\x83\xa6\xe5\xa2\xa6\xe9\x8d\x97\xe7\x89\x88\xe6\xba\x80"),
};
#define N_INPUTS (sizeof inputs / sizeof inputs[0])

/* A digest of one result: text, flags, steps (confidence is compared exactly too). */
typedef struct digest {
    uint64_t hash;
    double confidence;
    int rc;
    size_t n_guesses;
    char first_guess[24];
} digest;

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 1099511628211ULL;
    return h;
}

static void run_one(libfix_ctx *ctx, size_t i, digest *d) {
    libfix_result r;
    memset(d, 0, sizeof *d);
    d->rc = libfix_repair(ctx, inputs[i].bytes, inputs[i].len, &r);
    if (d->rc == LIBFIX_OK) {
        uint64_t h = fnv(1469598103934665603ULL, r.text, r.len);
        h = fnv(h, &r.flags, sizeof r.flags);
        for (size_t s = 0; s < r.n_steps; s++) h = fnv(h, r.steps[s], strlen(r.steps[s]) + 1);
        d->hash = h;
        d->confidence = r.confidence;
        libfix_result_clear(&r);
    }
    libfix_guess g[4];
    if (libfix_detect(ctx, inputs[i].bytes, inputs[i].len, g, 4, &d->n_guesses) == LIBFIX_OK && d->n_guesses)
        memcpy(d->first_guess, g[0].encoding, sizeof d->first_guess);
}

static pthread_barrier_t start;
static digest results[N_THREADS][ROUNDS][N_INPUTS];
static int opt_keep[N_THREADS];

static void *worker(void *arg) {
    size_t t = (size_t)(uintptr_t)arg;
    pthread_barrier_wait(&start);
    libfix_options opt;
    libfix_options_init(&opt);
    opt.target = opt_keep[t] ? LIBFIX_TARGET_KEEP : LIBFIX_TARGET_HANS;
    libfix_ctx *ctx = libfix_new(&opt, NULL); /* contexts created concurrently too */
    if (!ctx) return (void *)1;
    for (size_t round = 0; round < ROUNDS; round++)
        for (size_t k = 0; k < N_INPUTS; k++) {
            size_t i = (k + t * 3) % N_INPUTS; /* threads start on different inputs */
            run_one(ctx, i, &results[t][round][i]);
        }
    libfix_free(ctx);
    return NULL;
}

static int same(const digest *a, const digest *b) {
    return a->rc == b->rc && a->hash == b->hash && a->confidence == b->confidence && a->n_guesses == b->n_guesses &&
           strcmp(a->first_guess, b->first_guess) == 0;
}

int main(void) {
    pthread_t th[N_THREADS];
    pthread_barrier_init(&start, NULL, N_THREADS);
    for (size_t t = 0; t < N_THREADS; t++) opt_keep[t] = (int)(t & 1);
    for (size_t t = 0; t < N_THREADS; t++)
        if (pthread_create(&th[t], NULL, worker, (void *)(uintptr_t)t) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            return 1;
        }
    int failed = 0;
    for (size_t t = 0; t < N_THREADS; t++) {
        void *rv;
        pthread_join(th[t], &rv);
        if (rv) {
            fprintf(stderr, "thread %zu: libfix_new failed\n", t);
            failed = 1;
        }
    }
    pthread_barrier_destroy(&start);
    if (failed) return 1;

    /* the reference: one thread, after the fact */
    libfix_ctx *ref[2];
    for (int k = 0; k < 2; k++) {
        libfix_options opt;
        libfix_options_init(&opt);
        opt.target = k ? LIBFIX_TARGET_KEEP : LIBFIX_TARGET_HANS;
        ref[k] = libfix_new(&opt, NULL);
        if (!ref[k]) return 1;
    }
    size_t mismatches = 0;
    for (size_t i = 0; i < N_INPUTS; i++) {
        digest want[2];
        for (int k = 0; k < 2; k++) {
            run_one(ref[k], i, &want[k]);
            if (want[k].rc != LIBFIX_OK) {
                fprintf(stderr, "%s: repair failed (%d)\n", inputs[i].name, want[k].rc);
                mismatches++;
            }
        }
        for (size_t t = 0; t < N_THREADS; t++)
            for (size_t round = 0; round < ROUNDS; round++)
                if (!same(&results[t][round][i], &want[opt_keep[t]])) {
                    fprintf(stderr, "%s: thread %zu round %zu differs from the single-threaded result\n",
                            inputs[i].name, t, round);
                    mismatches++;
                }
    }
    for (int k = 0; k < 2; k++) libfix_free(ref[k]);
    printf("%d threads x %d rounds x %zu inputs: %zu mismatches\n", N_THREADS, ROUNDS, N_INPUTS, mismatches);
    return mismatches ? 1 : 0;
}
