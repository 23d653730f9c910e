/* Fuzz harness for zhfix's JSON-lines record scanner (cli/jsonl.c). Input: a first line of
 * comma-separated --field specs, then the record (no newline: the fields are "text",
 * "meta.title" and "tags"). Checked: the result does not depend on the fields asked for (valid
 * is valid); errors carry a message and an offset inside the record; spans are ordered,
 * disjoint, quote-delimited, inside the record, and their paths name their field; a
 * top-level object's closing brace is found; every span decodes or fails cleanly, and what
 * decodes survives encode -> scan -> decode unchanged; any byte string survives
 * encode -> scan -> decode. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "zhfix.h"

#define MAX_FIELDS 8

static zhfix_json_scan scan, scan2;
static zhfix_buf dec, enc, dec2;

/* What a span path must be: the field spec once the array indices are dropped. */
static int path_names_field(const char *path, size_t len, const char *spec) {
    if (strchr(spec, '[')) return 1; /* a key with brackets in it: cannot tell */
    char *s = malloc(len + 1);
    if (!s) abort();
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        if (path[i] == '[') {
            while (i < len && path[i] != ']') i++;
            continue;
        }
        s[k++] = path[i];
    }
    s[k] = 0;
    int ok = strcmp(s[0] == '.' ? s + 1 : s, spec) == 0;
    free(s);
    return ok;
}

/* encode -> scan -> decode gives the bytes back. */
static void round_trip(const char *b, size_t n) {
    enc.len = 0;
    zhfix_json_string_encode(&enc, b, n);
    FZ_CHECK(enc.len >= 2 && enc.data[0] == '"' && enc.data[enc.len - 1] == '"', "encoded string not quoted");
    FZ_CHECK(zhfix_json_scan_record(enc.data, enc.len, NULL, 0, &scan2) == 0, "encoded string rejected: %s at %zu",
             scan2.err ? scan2.err : "?", scan2.err_offset);
    dec2.len = 0;
    FZ_CHECK(zhfix_json_string_decode(enc.data + 1, enc.len - 2, &dec2) == 0, "encoded string does not decode");
    FZ_CHECK(dec2.len == n && (n == 0 || memcmp(dec2.data, b, n) == 0), "encode/decode round trip changed %zu bytes to %zu",
             n, dec2.len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    zhfix_field fields[MAX_FIELDS];
    size_t nf = 0;
    const char *rec = (const char *)data;
    size_t len = size;
    const uint8_t *nl = memchr(data, '\n', size);
    if (nl) {
        /* field specs */
        size_t speclen = (size_t)(nl - data);
        char *spec = malloc(speclen + 1);
        if (!spec) abort();
        memcpy(spec, data, speclen);
        spec[speclen] = 0;
        char *p = spec;
        while (nf < MAX_FIELDS) {
            char *comma = strchr(p, ',');
            if (comma) *comma = 0;
            if (zhfix_field_parse(p, &fields[nf]) == 0)
                nf++;
            else
                zhfix_field_free(&fields[nf]);
            if (!comma) break;
            p = comma + 1;
        }
        free(spec);
        rec = (const char *)nl + 1;
        len = size - speclen - 1;
    } else {
        const char *def[] = {"text", "meta.title", "tags"};
        for (size_t i = 0; i < 3; i++) FZ_CHECK(zhfix_field_parse(def[i], &fields[nf++]) == 0, "field %s", def[i]);
    }

    int rc = zhfix_json_scan_record(rec, len, fields, nf, &scan);
    int rc0 = zhfix_json_scan_record(rec, len, NULL, 0, &scan2);
    FZ_CHECK(rc == rc0, "valid with %zu fields: %d, without: %d", nf, rc == 0, rc0 == 0);
    if (rc != 0) {
        FZ_CHECK(scan.err != NULL && scan.err_offset <= len, "error without message or offset %zu > %zu",
                 scan.err_offset, len);
        FZ_CHECK(scan2.err_offset == scan.err_offset, "error offset %zu with fields, %zu without", scan.err_offset,
                 scan2.err_offset);
    } else {
        FZ_CHECK(scan.err == NULL, "success with an error message");
        size_t first = 0;
        while (first < len && rec[first] && strchr(" \t\r\n", rec[first])) first++;
        if (first < len && rec[first] == '{')
            FZ_CHECK(scan.object_end < len && rec[scan.object_end] == '}', "top-level object end %zu", scan.object_end);
        else
            FZ_CHECK(scan.object_end == SIZE_MAX, "object_end %zu for a non-object", scan.object_end);
        FZ_CHECK(nf > 0 || scan.n_spans == 0, "spans without fields");
        size_t prev_end = 0;
        for (size_t i = 0; i < scan.n_spans; i++) {
            const zhfix_json_span *sp = &scan.spans[i];
            FZ_CHECK(sp->start >= prev_end && sp->start + 2 <= sp->end && sp->end <= len,
                     "span %zu [%zu, %zu) after %zu in %zu bytes", i, sp->start, sp->end, prev_end, len);
            FZ_CHECK(rec[sp->start] == '"' && rec[sp->end - 1] == '"', "span %zu not a quoted string", i);
            FZ_CHECK(sp->field < nf, "span field %zu of %zu", sp->field, nf);
            FZ_CHECK(sp->path + sp->path_len <= scan.paths.len, "span path outside the path buffer");
            FZ_CHECK(path_names_field(scan.paths.data + sp->path, sp->path_len, fields[sp->field].spec),
                     "span path \"%.*s\" for field \"%s\"", (int)sp->path_len, scan.paths.data + sp->path,
                     fields[sp->field].spec);
            prev_end = sp->end;
            dec.len = 0;
            if (zhfix_json_string_decode(rec + sp->start + 1, sp->end - sp->start - 2, &dec) == 0)
                round_trip(dec.data ? dec.data : "", dec.len);
        }
    }
    round_trip(rec, len);
    for (size_t i = 0; i < nf; i++) zhfix_field_free(&fields[i]);
    return 0;
}
