/* PLACEHOLDER engine until the real one lands: valid UTF-8 passes through, the rest lossy. */
#include "internal.h"
int lfx_engine_repair(libfix_ctx *ctx, const uint8_t *in, size_t n, lfx_buf *out, lfx_steps *steps,
                      double *confidence, unsigned *flags) {
    LFX_UNUSED(ctx); LFX_UNUSED(steps);
    lfx_u32 v; lfx_u32_init(&v);
    size_t bad = lfx_utf8_decode_lossy(in, n, &v);
    lfx_utf8_encode(v.data, v.len, out);
    lfx_u32_free(&v);
    *confidence = 1.0;
    if (bad) *flags |= LIBFIX_LOSSY;
    return out->failed ? LIBFIX_E_NOMEM : LIBFIX_OK;
}
int lfx_detect(libfix_ctx *ctx, const uint8_t *in, size_t n, libfix_guess *g, size_t max, size_t *nout) {
    LFX_UNUSED(ctx); LFX_UNUSED(in); LFX_UNUSED(n);
    if (max > 0) { g[0].encoding[0] = 'U'; g[0].encoding[1] = 0; g[0].confidence = 0; *nout = 1; }
    return LIBFIX_OK;
}
