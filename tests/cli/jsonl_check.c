/* Checks of zhfix's JSON-lines scanner (cli/jsonl.c) on its own: validation, field spans,
 * string decoding and encoding, and a seeded random mutation run asserting its properties
 * (no crash or overread, spans inside the record, encode/decode round trip). Prints
 * "N passed, N failed" and exits nonzero on failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zhfix.h"

static int passed, failed;

#define CHECK(cond, ...)                                                     \
    do {                                                                     \
        if (cond) {                                                          \
            passed++;                                                        \
        } else {                                                             \
            failed++;                                                        \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                      \
            printf(__VA_ARGS__);                                             \
            printf("\n");                                                    \
        }                                                                    \
    } while (0)

static zhfix_field fields[4];
static size_t n_fields;

static void set_fields(const char *a, const char *b) {
    for (size_t i = 0; i < n_fields; i++) zhfix_field_free(&fields[i]);
    n_fields = 0;
    if (a && zhfix_field_parse(a, &fields[n_fields]) == 0) n_fields++;
    if (b && zhfix_field_parse(b, &fields[n_fields]) == 0) n_fields++;
}

static zhfix_json_scan scan;

static int scan_str(const char *rec) { return zhfix_json_scan_record(rec, strlen(rec), fields, n_fields, &scan); }

/* The decoded value of span i of rec. */
static const char *span_value(const char *rec, size_t i) {
    static zhfix_buf b;
    b.len = 0;
    const zhfix_json_span *sp = &scan.spans[i];
    if (zhfix_json_string_decode(rec + sp->start + 1, sp->end - sp->start - 2, &b) != 0) return "<bad>";
    zhfix_buf_putc(&b, 0);
    return b.data;
}

static const char *span_path(size_t i) {
    static char p[256];
    size_t k = scan.spans[i].path_len < 255 ? scan.spans[i].path_len : 255;
    memcpy(p, scan.paths.data + scan.spans[i].path, k);
    p[k] = 0;
    return p;
}

static void test_validation(void) {
    set_fields("text", NULL);
    const char *good[] = {"{}", " {\"a\":1} ", "[]", "[1,2.5,-3e+2,0.0,-0,1E5]", "\"x\"", "null", "true",
                          "false", "{\"a\":{\"b\":[{},[]]}}", "{\"a\":\"\\u00e9\\n\\\"\\\\\\/\\b\\f\\r\\t\"}",
                          "{\"a\":\"\xe5\x8f\x91\"}", "{\"a\":\"\xb7\xa2\"}" /* raw GBK bytes pass */,
                          "\t{ \"a\" : [ 1 , 2 ] }\r", "{\"a\":\"\\ud83d\\ude00\"}", "{\"a\":\"\\ud800\"}"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        CHECK(scan_str(good[i]) == 0, "valid JSON rejected: %s (%s)", good[i], scan.err ? scan.err : "");
    const char *bad[] = {"", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "[1,]", "{a:1}", "{\"a\":01}",
                         "{\"a\":1.}", "{\"a\":.5}", "{\"a\":-}", "{\"a\":1e}", "{\"a\":tru}", "{\"a\":nul}",
                         "{\"a\":\"x}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\\u12g4\"}",
                         "{\"a\":\"tab\there\"}", "{} {}", "{}x", "[1 2]", "{\"a\":1 \"b\":2}", "'a'",
                         "{\"a\":\"x\"", "{\"a\":\"\\"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK(scan_str(bad[i]) != 0 && scan.err != NULL, "invalid JSON accepted: %s", bad[i]);
    CHECK(scan_str("{\"a\":1,\"b\":x}") != 0 && scan.err_offset == 11, "error offset %zu", scan.err_offset);

    /* deep nesting is an error, not a stack overflow */
    size_t depth = 100000;
    char *deep = malloc(2 * depth + 1);
    memset(deep, '[', depth);
    memset(deep + depth, ']', depth);
    deep[2 * depth] = 0;
    CHECK(scan_str(deep) != 0, "nesting of %zu accepted", depth);
    free(deep);
    char ok[1024];
    memset(ok, '[', 500);
    memset(ok + 500, ']', 500);
    ok[1000] = 0;
    CHECK(scan_str(ok) == 0, "nesting of 500 rejected");
}

static void test_spans(void) {
    set_fields("title", "meta.body");
    const char *rec = "{\"id\":1,\"title\":\"a\\u4e2d\",\"meta\":{\"body\":\"b\",\"title\":\"no\"},"
                      "\"x\":{\"title\":\"no\"},\"tags\":[\"t\"]}";
    CHECK(scan_str(rec) == 0, "scan failed: %s", scan.err);
    CHECK(scan.n_spans == 2, "spans %zu", scan.n_spans);
    if (scan.n_spans == 2) {
        CHECK(strcmp(span_value(rec, 0), "a\xe4\xb8\xad") == 0, "value 0 %s", span_value(rec, 0));
        CHECK(strcmp(span_path(0), "title") == 0, "path 0 %s", span_path(0));
        CHECK(scan.spans[0].field == 0, "field 0");
        CHECK(strcmp(span_value(rec, 1), "b") == 0, "value 1");
        CHECK(strcmp(span_path(1), "meta.body") == 0, "path 1 %s", span_path(1));
        CHECK(scan.spans[1].field == 1, "field 1");
        CHECK(rec[scan.spans[0].start] == '"' && rec[scan.spans[0].end - 1] == '"', "span bounds");
    }
    CHECK(scan.object_end == strlen(rec) - 1, "object end %zu", scan.object_end);
    CHECK(scan.object_members == 5, "members %zu", scan.object_members);

    set_fields("tags", "c.t");
    rec = "{\"tags\":[\"x\",1,\"y\",[\"z\"]],\"c\":[{\"t\":\"u\"},{\"t\":2},{\"t\":\"v\"}],\"tags\":\"w\"}";
    CHECK(scan_str(rec) == 0, "scan failed: %s", scan.err);
    const char *want_v[] = {"x", "y", "z", "u", "v", "w"};
    const char *want_p[] = {"tags[0]", "tags[2]", "tags[3][0]", "c[0].t", "c[2].t", "tags"};
    CHECK(scan.n_spans == 6, "spans %zu", scan.n_spans);
    for (size_t i = 0; i < scan.n_spans && i < 6; i++) {
        CHECK(strcmp(span_value(rec, i), want_v[i]) == 0, "value %zu: %s", i, span_value(rec, i));
        CHECK(strcmp(span_path(i), want_p[i]) == 0, "path %zu: %s", i, span_path(i));
    }

    /* keys are compared decoded; non-objects have no object_end */
    set_fields("title", NULL);
    rec = "{\"ti\\u0074le\":\"k\"}";
    CHECK(scan_str(rec) == 0 && scan.n_spans == 1, "escaped key not matched");
    CHECK(scan_str("[{\"title\":\"a\"}]") == 0 && scan.n_spans == 1 && scan.object_end == SIZE_MAX,
          "array record");
    CHECK(scan_str("{}") == 0 && scan.object_end == 1 && scan.object_members == 0, "empty object");
    CHECK(scan_str("{\"title\":5}") == 0 && scan.n_spans == 0, "number field is no span");
}

static void test_strings(void) {
    zhfix_buf b = {0};
    const char *esc = "\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\u4e2d\\ud83d\\ude00\\u0000z";
    CHECK(zhfix_json_string_decode(esc, strlen(esc), &b) == 0, "decode failed");
    const char want[] = "\"\\/\b\f\n\r\tA\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80\0z";
    CHECK(b.len == sizeof want - 1 && memcmp(b.data, want, b.len) == 0, "decoded %zu bytes", b.len);
    const char *lone[] = {"\\ud800", "\\udc00", "\\ud800x", "\\ud800\\u0041", "\\ud800\\ud800"};
    for (size_t i = 0; i < 5; i++) {
        b.len = 0;
        CHECK(zhfix_json_string_decode(lone[i], strlen(lone[i]), &b) != 0, "lone surrogate %s decoded", lone[i]);
    }
    b.len = 0;
    const char raw[] = "a\"b\\c\n\x01\x1f\x7f\xe5\x8f\x91/\t";
    zhfix_json_string_encode(&b, raw, sizeof raw - 1);
    const char *enc = "\"a\\\"b\\\\c\\n\\u0001\\u001f\x7f\xe5\x8f\x91/\\t\"";
    CHECK(b.len == strlen(enc) && memcmp(b.data, enc, b.len) == 0, "encoded %.*s", (int)b.len, b.data);
    zhfix_buf_free(&b);
}

/* Random records made by mutating seeds: the scanner must never crash, its spans must lie in
 * the record and be strings, and every decoded span must survive encode + scan + decode. */
static void test_mutations(void) {
    const char *seeds[] = {"{\"title\":\"\\u4e2d\\ud83d\\ude00 x\",\"n\":[1,{\"title\":\"a\"}],\"b\":true}",
                           "{\"title\":[\"\xe5\x8f\x91\",\"\\\"q\\\"\"],\"meta\":{\"body\":\"\\n\"}}",
                           "[{\"title\":\"x\"},null,-1.5e3]"};
    set_fields("title", "meta.body");
    unsigned long long seed = 42;
    size_t bad_props = 0, spans_seen = 0;
    zhfix_buf dec = {0}, enc = {0}, dec2 = {0};
    zhfix_json_scan inner = {0};
    for (int iter = 0; iter < 200000; iter++) {
        const char *s = seeds[iter % 3];
        size_t n = strlen(s);
        char rec[256];
        memcpy(rec, s, n);
        int muts = 1 + (int)((seed >> 33) % 3);
        for (int m = 0; m < muts; m++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            size_t pos = (size_t)(seed >> 33) % n;
            unsigned char v = (unsigned char)(seed >> 20);
            switch ((seed >> 50) % 3) {
            case 0: rec[pos] = (char)v; break;
            case 1: if (n > 1) { memmove(rec + pos, rec + pos + 1, n - pos - 1); n--; } break;
            default: if (n < sizeof rec - 1) { memmove(rec + pos + 1, rec + pos, n - pos); rec[pos] = (char)v; n++; }
            }
        }
        /* no NUL terminator: an overread would show under the sanitizers */
        char *heap = malloc(n ? n : 1);
        memcpy(heap, rec, n);
        if (zhfix_json_scan_record(heap, n, fields, n_fields, &scan) == 0) {
            for (size_t i = 0; i < scan.n_spans; i++) {
                const zhfix_json_span *sp = &scan.spans[i];
                spans_seen++;
                if (!(sp->start < sp->end && sp->end <= n && heap[sp->start] == '"' && heap[sp->end - 1] == '"')) {
                    bad_props++;
                    continue;
                }
                dec.len = 0;
                if (zhfix_json_string_decode(heap + sp->start + 1, sp->end - sp->start - 2, &dec) != 0) continue;
                enc.len = 0;
                zhfix_json_string_encode(&enc, dec.data, dec.len);
                if (zhfix_json_scan_record(enc.data, enc.len, NULL, 0, &inner) != 0) {
                    bad_props++;
                    continue;
                }
                dec2.len = 0;
                if (zhfix_json_string_decode(enc.data + 1, enc.len - 2, &dec2) != 0 || dec2.len != dec.len ||
                    memcmp(dec.data, dec2.data, dec.len) != 0)
                    bad_props++;
            }
        } else if (!(scan.err && scan.err_offset <= n)) {
            bad_props++;
        }
        free(heap);
    }
    CHECK(bad_props == 0, "%zu property violations", bad_props);
    CHECK(spans_seen > 1000, "only %zu spans seen", spans_seen);
    zhfix_buf_free(&dec);
    zhfix_buf_free(&enc);
    zhfix_buf_free(&dec2);
    zhfix_json_scan_free(&inner);
}

int main(void) {
    test_validation();
    test_spans();
    test_strings();
    test_mutations();
    set_fields(NULL, NULL);
    zhfix_json_scan_free(&scan);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
