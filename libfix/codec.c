/* PLACEHOLDER until the codec layer lands: links, encodes nothing. */
#include "internal.h"
int lfx_codec_init(void) { return 0; }
const char *lfx_codec_name(lfx_codec c) { LFX_UNUSED(c); return "?"; }
int lfx_codec_from_name(const char *name) { LFX_UNUSED(name); return -1; }
int lfx_encode_cp(lfx_codec c, uint32_t cp, uint8_t out[4]) { LFX_UNUSED(c); LFX_UNUSED(cp); LFX_UNUSED(out); return 0; }
size_t lfx_decode_cp(lfx_codec c, const uint8_t *b, size_t n, uint32_t *cp) { LFX_UNUSED(c); LFX_UNUSED(b); LFX_UNUSED(n); LFX_UNUSED(cp); return LFX_BAD; }
size_t lfx_decode(lfx_codec c, const uint8_t *b, size_t n, lfx_u32 *out) { LFX_UNUSED(c); return lfx_utf8_decode_lossy(b, n, out); }
int lfx_iconv_decode(const char *cs, const uint8_t *b, size_t n, lfx_buf *o) { LFX_UNUSED(cs); LFX_UNUSED(b); LFX_UNUSED(n); LFX_UNUSED(o); return -1; }
