/* Fuzz harness for the text layers (layers.c): the first byte picks the layer (mod 6), the rest
 * is the text. Checked: the layer appends to what out already holds; 0 decoded escapes means an
 * exact copy; output from valid UTF-8 is valid UTF-8 and within the size bound of
 * fuzz/README.md; no NUL byte appears that the input did not have (escape_target_ok refuses
 * U+0000). */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "internal.h"

/* Documented in fuzz/README.md: what one text layer writes for n input bytes, at most. HZ is
 * the widest of the others (two bytes of GB2312 become three of UTF-8). MIME words are decoded
 * by iconv: with glibc the widest charset is TSCII, 12 bytes of UTF-8 for one byte, so one
 * base64 quantum (4 characters, 3 bytes) can become 36 bytes. */
#define LAYER_BOUND(n) ((size_t)(n) * 3 / 2 + 16)
#define MIME_BOUND(n) (9 * (size_t)(n) + 16)

typedef size_t (*layer_fn)(const uint8_t *, size_t, lfx_buf *);
static const struct {
    layer_fn fn;
    const char *name;
} layers[] = {
    {lfx_layer_ncr, "layer.ncr"},   {lfx_layer_uescape, "layer.uescape"}, {lfx_layer_percent, "layer.percent"},
    {lfx_layer_hz, "layer.hz"},     {lfx_layer_mime, "layer.mime"},       {lfx_layer_qp, "layer.qp"},
};
#define N_LAYERS (sizeof layers / sizeof layers[0])

static const char prefix[] = "PFX\xe4\xb8\xad"; /* out is not empty: layers append */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    size_t L = data[0] % N_LAYERS;
    const uint8_t *in = data + 1;
    size_t n = size - 1;

    lfx_buf out;
    lfx_buf_init(&out);
    size_t pl = sizeof prefix - 1;
    lfx_buf_append(&out, prefix, pl);
    size_t k = layers[L].fn(in, n, &out);
    FZ_CHECK(!out.failed, "allocation");
    FZ_CHECK(out.len >= pl && memcmp(out.data, prefix, pl) == 0, "%s overwrote what out held", layers[L].name);
    FZ_CHECK(out.data[out.len] == 0, "%s: out not NUL-terminated", layers[L].name);
    const uint8_t *o = out.data + pl;
    size_t on = out.len - pl;
    if (k == 0)
        FZ_CHECK(on == n && (n == 0 || memcmp(o, in, n) == 0), "%s returned 0 but did not copy its input (%zu -> %zu bytes)",
                 layers[L].name, n, on);
    FZ_CHECK(k <= n, "%s: %zu escapes in %zu bytes", layers[L].name, k, n);
    int utf8 = fz_utf8_valid(in, n);
    if (utf8) {
        size_t ok = fz_utf8_valid_prefix(o, on);
        FZ_CHECK(ok == on, "%s: valid UTF-8 in, invalid out at byte %zu of %zu", layers[L].name, ok, on);
        fz_note_size(layers[L].name, n, on);
        FZ_CHECK(on <= (layers[L].fn == lfx_layer_mime ? MIME_BOUND(n) : LAYER_BOUND(n)), "%s: %zu bytes out for %zu in",
                 layers[L].name, on, n);
    }
    if (utf8 && !memchr(in, 0, n))
        FZ_CHECK(!memchr(o, 0, on), "%s decoded an escape to NUL", layers[L].name);
    lfx_buf_free(&out);
    return 0;
}
