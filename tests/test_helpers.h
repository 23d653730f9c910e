/* Helpers shared by the C tests; include after <cmocka.h> and "internal.h". */
#ifndef LFX_TEST_HELPERS_H
#define LFX_TEST_HELPERS_H

/* Append the code points cps encoded in codec c, one at a time, to out; each must encode. */
static void encode_cps(lfx_codec c, const lfx_u32 *cps, lfx_buf *out) {
    for (size_t i = 0; i < cps->len; i++) {
        uint8_t b[4];
        int k = lfx_encode_cp(c, cps->data[i], b);
        assert_true(k > 0);
        lfx_buf_append(out, b, (size_t)k);
    }
}

#endif
