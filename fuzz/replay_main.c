/* A main for the fuzz harnesses without libFuzzer: feeds every file named on the command line,
 * and every file of every directory named, to LLVMFuzzerTestOneInput, so that the corpora and
 * the regression inputs run under ctest with any compiler.
 *
 *   fuzz_<entry>_replay [--prefix=P] PATH...
 *
 * --prefix=P applies to the directories named after it: only their files whose names begin
 * with P are replayed (fuzz/regressions/ holds the inputs of every harness, named
 * <harness>-<what>). A directory with no matching file is not an error; a path that does not
 * exist is. Exit status 0 when every input ran; a failing property aborts. */
#define _POSIX_C_SOURCE 200809L /* strdup, clock_gettime, pthread barriers under -std=c11 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static unsigned long n_inputs, n_bytes;

static int run_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return -1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    if (!buf) abort();
    size_t r;
    while ((r = fread(buf + len, 1, cap - len, f)) > 0) {
        len += r;
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            if (!buf) abort();
        }
    }
    fclose(f);
    /* an exact-size copy, so that ASan sees reads past the end of the input */
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact) abort();
    memcpy(exact, buf, len);
    free(buf);
    fz_current_input = path;
    LLVMFuzzerTestOneInput(exact, len);
    fz_current_input = NULL;
    free(exact);
    n_inputs++;
    n_bytes += len;
    return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int run_dir(const char *dir, const char *prefix) {
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "replay: cannot open directory %s\n", dir);
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        if (prefix && strncmp(e->d_name, prefix, strlen(prefix)) != 0) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            names = realloc(names, cap * sizeof *names);
            if (!names) abort();
        }
        names[n] = strdup(e->d_name);
        if (!names[n]) abort();
        n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_str); /* a stable order: reproducible failures */
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(dir) + strlen(names[i]) + 2;
        char *path = malloc(k);
        if (!path) abort();
        snprintf(path, k, "%s/%s", dir, names[i]);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && run_file(path) != 0) rc = -1;
        free(path);
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv) {
    if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
    const char *prefix = NULL;
    int rc = 0, paths = 0;
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--prefix=", 9) == 0) {
            prefix = argv[i] + 9;
            continue;
        }
        paths++;
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s does not exist\n", argv[i]);
            rc = 1;
        } else if (S_ISDIR(st.st_mode)) {
            if (run_dir(argv[i], prefix) != 0) rc = 1;
        } else if (run_file(argv[i]) != 0) {
            rc = 1;
        }
    }
    if (!paths) {
        fprintf(stderr, "usage: %s [--prefix=P] FILE_OR_DIR...\n", argv[0]);
        return 2;
    }
    fprintf(stderr, "replayed %lu inputs (%lu bytes)\n", n_inputs, n_bytes);
    fz_report();
    return rc;
}
