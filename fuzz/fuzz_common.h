/* Support shared by the fuzz harnesses: property checks that abort with a message, an
 * independent UTF-8 validator, output-size statistics and the strict-property switch.
 *
 * Every harness defines LLVMFuzzerTestOneInput. Built with -fsanitize=fuzzer it is a libFuzzer
 * target; linked with replay_main.c it replays corpus files (ctest, no clang needed).
 *
 * LFX_FUZZ_STRICT (compile-time) adds the checks of properties that the library does not meet
 * yet (see fuzz/README.md). A strict failure aborts like any other, unless the environment
 * variable LFX_FUZZ_STRICT_CONTINUE is set: then it is counted, up to 20 inputs per property
 * are saved in $LFX_FUZZ_STRICT_DIR (if set), and the counts are printed at exit. */
#ifndef LFX_FUZZ_COMMON_H
#define LFX_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Print a property failure (with the current input's name when replaying) and abort. */
void fz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5), noreturn))
#endif
    ;

#define FZ_CHECK(cond, ...)                                                                \
    do {                                                                                   \
        if (!(cond)) fz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                      \
    } while (0)

/* A strict property failed for the harness input data[0..size). Aborts, or counts it (see
 * above). prop is a short static name ("repair.idempotent"). */
void fz_strict_fail(const char *prop, const uint8_t *data, size_t size, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Count one strict check that ran (for "failed N of M" in the report). */
void fz_strict_ran(const char *prop);

/* Name of the input being replayed (replay_main.c sets it; NULL under libFuzzer). */
extern const char *fz_current_input;

/* Length of the longest valid UTF-8 prefix (RFC 3629: no overlongs, surrogates or values
 * above U+10FFFF). Written independently of the library's validator. */
size_t fz_utf8_valid_prefix(const uint8_t *s, size_t n);
static inline int fz_utf8_valid(const uint8_t *s, size_t n) { return fz_utf8_valid_prefix(s, n) == n; }

/* Decode UTF-8 (invalid bytes become U+FFFD, one per byte) into a malloc'd array; *n_out gets
 * the count. Returns NULL only for n == 0 (then *n_out = 0). Aborts when out of memory. */
uint32_t *fz_utf8_decode(const uint8_t *s, size_t n, size_t *n_out);

/* Is cp a Unicode scalar value? */
static inline int fz_scalar(uint32_t cp) { return cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF); }

/* Output-size statistics of one kind of call ("repair", "layer.ncr"): the largest
 * out_len / in_len seen, and the largest out_len - bound_mul * in_len. Printed at exit when
 * LFX_FUZZ_STATS is set in the environment or when replaying. */
void fz_note_size(const char *what, size_t in_len, size_t out_len);

/* Print the statistics and strict counts now (replay_main.c calls it; libFuzzer builds print
 * from an atexit handler). */
void fz_report(void);

/* Bytes of the input consumed as options: a small cursor helper. */
typedef struct fz_input {
    const uint8_t *p;
    size_t n;
} fz_input;

static inline uint8_t fz_byte(fz_input *in) {
    if (in->n == 0) return 0;
    in->n--;
    return *in->p++;
}

#endif /* LFX_FUZZ_COMMON_H */
