/* JSON-lines helpers shared by libfix-eval and the tests (tools/jsonl.c). */
#ifndef LFX_JSONL_H
#define LFX_JSONL_H
#include <stdio.h>
#include "internal.h"

/* Decode the string value of "key" in a one-line JSON object into out (all JSON escapes,
 * surrogate pairs included). 1 if found as a string, 0 otherwise. */
int lfx_json_get_string(const char *line, const char *key, lfx_buf *out);
/* Nonzero if "key": true appears in the line. */
int lfx_json_get_true(const char *line, const char *key);
/* Write s[0..n) as a JSON string (non-ASCII kept as UTF-8). */
void lfx_json_put_string(FILE *f, const uint8_t *s, size_t n);
/* Decode base64 (whitespace and padding ignored) into out. */
void lfx_b64decode(const lfx_buf *in, lfx_buf *out);
#endif
