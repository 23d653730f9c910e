/* libfix: repair garbled ("mojibake") text back into valid Simplified Chinese.
 *
 * One public header. All functions are thread-safe on distinct contexts: use one
 * libfix_ctx per thread (global tables are read-only and shared). */
#ifndef LIBFIX_H
#define LIBFIX_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LIBFIX_VERSION_MAJOR 0
#define LIBFIX_VERSION_MINOR 1
#define LIBFIX_VERSION_PATCH 0
#define LIBFIX_VERSION_STRING "0.1.0"
#define LIBFIX_VERSION_NUMBER \
    (LIBFIX_VERSION_MAJOR * 10000 + LIBFIX_VERSION_MINOR * 100 + LIBFIX_VERSION_PATCH)

#if defined(_WIN32) && defined(LIBFIX_SHARED_BUILD)
#define LIBFIX_API __declspec(dllexport)
#elif defined(_WIN32) && defined(LIBFIX_SHARED)
#define LIBFIX_API __declspec(dllimport)
#elif defined(__GNUC__) && __GNUC__ >= 4
#define LIBFIX_API __attribute__((visibility("default")))
#else
#define LIBFIX_API
#endif

/* Status codes: LIBFIX_OK or a negative value; libfix_strerror() names them. */
enum {
    LIBFIX_OK = 0,
    LIBFIX_E_INVALID = -1,   /* a NULL pointer or an argument out of range */
    LIBFIX_E_NOMEM = -2,     /* an allocation failed; nothing was leaked */
    LIBFIX_E_OPTION = -3,    /* an option value is not one this version knows */
    LIBFIX_E_TOO_LARGE = -4, /* input longer than the library can address (SIZE_MAX/8) */
    LIBFIX_E_INTERNAL = -5   /* a codec could not be opened (iconv missing a charset) */
};

/* Result flags. */
#define LIBFIX_CHANGED 1u       /* the text differs from the input */
#define LIBFIX_LOSSY 2u         /* bytes were destroyed; some characters were guessed or replaced */
#define LIBFIX_UNRECOVERABLE 4u /* damage was found that could not be undone */
#define LIBFIX_LIMITED 8u       /* the search reached its work limit: found damage was left as it came */

/* Target script of the output. */
typedef enum libfix_target {
    LIBFIX_TARGET_HANS = 0, /* Simplified Chinese: Traditional text is converted (default) */
    LIBFIX_TARGET_KEEP = 1  /* repair damage only; leave the script as it is */
} libfix_target;

typedef struct libfix_options {
    libfix_target target;   /* default LIBFIX_TARGET_HANS */
    int max_depth;          /* layers of byte-level damage searched, 1..3; default 3 */
    int restore_fullwidth;  /* nonzero: ASCII ,:;?!() between CJK become full-width; default 0 */
    int text_layers;        /* nonzero: decode NCRs, \u escapes, %XX, MIME, HZ, QP; default 1 */
} libfix_options;

/* Opaque reusable context: codec handles and scratch buffers. One per thread. */
typedef struct libfix_ctx libfix_ctx;

/* The outcome of one repair. Fill with libfix_repair(), release with libfix_result_clear().
 * All memory it points to belongs to the result. */
typedef struct libfix_result {
    char *text;              /* valid UTF-8, NUL-terminated (may contain NUL bytes before len) */
    size_t len;              /* bytes in text, without the terminating NUL */
    const char **steps;      /* what was undone, in order: "utf-8>gbk", "ncr", "t2s", ... */
    size_t n_steps;
    double confidence;       /* in [0, 1]: how sure the library is of this output */
    unsigned flags;          /* LIBFIX_CHANGED | LIBFIX_LOSSY | LIBFIX_UNRECOVERABLE | LIBFIX_LIMITED */
    void *internal_;         /* owned storage; do not touch */
} libfix_result;

/* A ranked encoding guess for raw bytes. */
typedef struct libfix_guess {
    char encoding[24];       /* "UTF-8", "GBK", "GB18030", "BIG5", "UTF-16LE", ... */
    double confidence;       /* in [0, 1]; guesses come sorted, best first */
} libfix_guess;

/* Version of the linked library, "MAJOR.MINOR.PATCH". */
LIBFIX_API const char *libfix_version(void);

/* A static English description of a status code; never NULL. */
LIBFIX_API const char *libfix_strerror(int code);

/* Fill opt with the defaults listed above. opt may not be NULL. */
LIBFIX_API void libfix_options_init(libfix_options *opt);

/* Create a context. opt NULL means defaults. Returns NULL when out of memory or when opt holds
 * an unknown value; *err (if not NULL) then says which (LIBFIX_E_NOMEM, LIBFIX_E_OPTION). */
LIBFIX_API libfix_ctx *libfix_new(const libfix_options *opt, int *err);

/* Free a context and everything it holds. NULL does nothing. */
LIBFIX_API void libfix_free(libfix_ctx *ctx);

/* Repair len bytes at in (NUL bytes are ordinary characters; in may be NULL when len is 0).
 * Valid UTF-8 is treated as text; anything else as raw bytes whose encoding is detected
 * (bytes that decode in no candidate encoding become U+FFFD and the result is LOSSY).
 * out is overwritten (it need not be initialised); on success the caller must call
 * libfix_result_clear(out). On error out holds nothing that needs freeing.
 * Returns LIBFIX_OK, LIBFIX_E_INVALID (ctx or out NULL, or in NULL with len > 0),
 * LIBFIX_E_NOMEM, LIBFIX_E_TOO_LARGE. Clean text comes back byte for byte. The output is a
 * fixed point: repairing it again gives it back. The work is bounded and linear in len: text
 * that no repair settles (garbage) comes back as it was (raw bytes: decoded), flagged
 * LIBFIX_LIMITED. */
LIBFIX_API int libfix_repair(libfix_ctx *ctx, const char *in, size_t len, libfix_result *out);

/* Release what a result holds and zero it. NULL or an already cleared result does nothing. */
LIBFIX_API void libfix_result_clear(libfix_result *out);

/* Guess the encoding of raw bytes. Writes up to max guesses, best first, and their number to
 * *n. Empty input gives one guess, "UTF-8" (ASCII is UTF-8). Returns LIBFIX_OK or
 * LIBFIX_E_INVALID (ctx, n NULL; guesses NULL with max > 0; in NULL with len > 0). */
LIBFIX_API int libfix_detect(libfix_ctx *ctx, const char *in, size_t len, libfix_guess *guesses,
                             size_t max, size_t *n);

#ifdef __cplusplus
}
#endif
#endif /* LIBFIX_H */
