/* libfix-eval: run libfix over benchmark records and write what score.py reads.
 *
 * usage: libfix-eval [--target hans|keep] [--explain] [IN.jsonl [OUT.jsonl]]
 * Input: one JSON object a line with "id" and "input" (text) or "input_b64" (raw bytes).
 * Output: {"id": ..., "output": "..."} a line ("output": null when the repair failed);
 * with --explain also "steps", "confidence" and "flags". Other fields are ignored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "jsonl.h"

int main(int argc, char **argv) {
    libfix_options opt;
    libfix_options_init(&opt);
    int explain = 0;
    const char *paths[2] = {NULL, NULL};
    int np = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--target") && i + 1 < argc) {
            i++;
            if (!strcmp(argv[i], "keep"))
                opt.target = LIBFIX_TARGET_KEEP;
            else if (!strcmp(argv[i], "hans"))
                opt.target = LIBFIX_TARGET_HANS;
            else {
                fprintf(stderr, "libfix-eval: --target takes hans or keep\n");
                return 1;
            }
        } else if (!strcmp(argv[i], "--explain")) {
            explain = 1;
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            puts("usage: libfix-eval [--target hans|keep] [--explain] [IN.jsonl [OUT.jsonl]]");
            return 0;
        } else if (np < 2) {
            paths[np++] = argv[i];
        } else {
            fprintf(stderr, "libfix-eval: too many arguments\n");
            return 1;
        }
    }
    FILE *in = paths[0] && strcmp(paths[0], "-") ? fopen(paths[0], "rb") : stdin;
    if (!in) {
        perror(paths[0]);
        return 2;
    }
    FILE *out = paths[1] ? fopen(paths[1], "wb") : stdout;
    if (!out) {
        perror(paths[1]);
        return 2;
    }
    int err = 0;
    libfix_ctx *ctx = libfix_new(&opt, &err);
    if (!ctx) {
        fprintf(stderr, "libfix-eval: %s\n", libfix_strerror(err));
        return 2;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    lfx_buf id, input, raw;
    lfx_buf_init(&id);
    lfx_buf_init(&input);
    lfx_buf_init(&raw);
    long lineno = 0, failed = 0;
    while ((got = getline(&line, &cap, in)) > 0) {
        lineno++;
        if (!lfx_json_get_string(line, "id", &id)) {
            fprintf(stderr, "libfix-eval: line %ld: no \"id\"\n", lineno);
            failed++;
            continue;
        }
        const lfx_buf *src = &input;
        if (!lfx_json_get_string(line, "input", &input)) {
            if (!lfx_json_get_string(line, "input_b64", &input)) {
                fprintf(stderr, "libfix-eval: line %ld: no \"input\" or \"input_b64\"\n", lineno);
                failed++;
                continue;
            }
            lfx_b64decode(&input, &raw);
            src = &raw;
        }
        libfix_result r;
        int rc = libfix_repair(ctx, (const char *)src->data, src->len, &r);
        fputs("{\"id\": ", out);
        lfx_json_put_string(out, id.data, id.len);
        fputs(", \"output\": ", out);
        if (rc == LIBFIX_OK) {
            lfx_json_put_string(out, (const uint8_t *)r.text, r.len);
            if (explain) {
                fputs(", \"steps\": [", out);
                for (size_t s = 0; s < r.n_steps; s++) {
                    if (s) fputs(", ", out);
                    lfx_json_put_string(out, (const uint8_t *)r.steps[s], strlen(r.steps[s]));
                }
                fprintf(out, "], \"confidence\": %.3f, \"flags\": %u", r.confidence, r.flags);
            }
            libfix_result_clear(&r);
        } else {
            fputs("null", out);
            fprintf(stderr, "libfix-eval: line %ld: %s\n", lineno, libfix_strerror(rc));
            failed++;
        }
        fputs("}\n", out);
    }
    free(line);
    lfx_buf_free(&id);
    lfx_buf_free(&input);
    lfx_buf_free(&raw);
    libfix_free(ctx);
    if (out != stdout) fclose(out);
    if (in != stdin) fclose(in);
    return failed ? 3 : 0;
}
