/* zhfix: declarations shared by the files of the command-line tool (not installed, not part of
 * the library API; zhfix talks to the library through include/libfix.h only). */
#ifndef ZHFIX_H
#define ZHFIX_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "libfix.h"

/* Bytes read per job. Also the largest piece of a line handed to libfix_repair(): a longer
 * line is cut into pieces of at most this size (see zhfix_cut_point). */
#define ZHFIX_BATCH ((size_t)1 << 20)
/* A long line is cut inside the last ZHFIX_CUT_WINDOW bytes of a full batch. */
#define ZHFIX_CUT_WINDOW ((size_t)64 << 10)
/* The longest JSON record --jsonl parses; longer ones are errors (the line is streamed through
 * unchanged with --on-error=keep). */
#define ZHFIX_JSONL_MAX ((size_t)16 << 20)
/* Most --field options accepted. */
#define ZHFIX_MAX_FIELDS 64

/* ---- growable byte buffer (buffer.c); running out of memory ends the program (exit 2) ---- */

typedef struct zhfix_buf {
    char *data;
    size_t len;
    size_t cap;
} zhfix_buf;

void zhfix_buf_free(zhfix_buf *b);
void zhfix_buf_reserve(zhfix_buf *b, size_t extra);
void zhfix_buf_append(zhfix_buf *b, const void *p, size_t n);
void zhfix_buf_puts(zhfix_buf *b, const char *s);
void zhfix_buf_putc(zhfix_buf *b, char c);
void zhfix_buf_printf(zhfix_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void zhfix_buf_vprintf(zhfix_buf *b, const char *fmt, va_list ap);
void *zhfix_xmalloc(size_t n);
void *zhfix_xrealloc(void *p, size_t n);
char *zhfix_xstrdup(const char *s);
void zhfix_die_nomem(void);

/* ---- JSON (jsonl.c) ---------------------------------------------------------------------- */

/* A --field NAME: a top-level key, or a dotted path into nested objects ("meta.title").
 * Arrays are transparent: a path that reaches an array matches the strings (or, for a longer
 * path, the objects) among its elements. */
typedef struct zhfix_field {
    char *spec;       /* as given */
    char **seg;       /* spec split at '.' */
    size_t *seg_len;
    size_t n_seg;
} zhfix_field;

/* Parse a field spec. Returns 0, or -1 when it is empty or has an empty segment. */
int zhfix_field_parse(const char *spec, zhfix_field *f);
void zhfix_field_free(zhfix_field *f);

/* A string value found at one of the requested fields. */
typedef struct zhfix_json_span {
    size_t start, end;   /* the value's bytes in the record, quotes included */
    size_t field;        /* index of the field it matched */
    size_t path, path_len; /* its path ("title", "tags[2]", "a[0].b") in zhfix_json_scan.paths */
} zhfix_json_span;

typedef struct zhfix_json_scan {
    zhfix_json_span *spans; /* in record order */
    size_t n_spans, cap_spans;
    zhfix_buf paths;        /* storage for the span paths */
    zhfix_buf path;         /* scratch: the current path */
    zhfix_buf key;          /* scratch: a decoded key */
    size_t object_end;      /* offset of the top-level object's '}', or SIZE_MAX if not an object */
    size_t object_members;  /* members of the top-level object */
    size_t err_offset;      /* on error: byte offset in the record */
    const char *err;        /* on error: what was wrong (a static string) */
} zhfix_json_scan;

/* Validate one JSON text (RFC 8259, one value with optional surrounding whitespace; string
 * contents may hold any bytes >= 0x20, so raw legacy-encoded bytes pass) and collect the string
 * values at the given fields. s is reused between calls (zero it before the first; free it with
 * zhfix_json_scan_free). Returns 0, or -1 with s->err and s->err_offset set. Never reads beyond
 * text[len); nesting deeper than 512 is an error. */
int zhfix_json_scan_record(const char *text, size_t len, const zhfix_field *fields, size_t n_fields,
                           zhfix_json_scan *s);
void zhfix_json_scan_free(zhfix_json_scan *s);

/* Decode the contents of a JSON string (the bytes between its quotes, as validated by the
 * scanner) to UTF-8, appending to out: every escape, \uXXXX surrogate pairs joined. Returns 0,
 * or -1 when an escape is malformed or a \u escape is a lone surrogate (not representable in
 * UTF-8); out may then hold a partial result. */
int zhfix_json_string_decode(const char *s, size_t len, zhfix_buf *out);

/* Append s[0..len) as a compact JSON string, quotes included: '"', '\\' and control characters
 * escaped (\n \r \t \b \f, others \u00XX); everything else, non-ASCII included, as it is. */
void zhfix_json_string_encode(zhfix_buf *out, const char *s, size_t len);

/* ---- configuration ----------------------------------------------------------------------- */

typedef enum { ZHFIX_LINES, ZHFIX_WHOLE, ZHFIX_JSONL, ZHFIX_DETECT } zhfix_mode;
typedef enum { ZHFIX_KEEP, ZHFIX_SKIP, ZHFIX_FAIL } zhfix_on_error;

typedef struct zhfix_config {
    zhfix_mode mode;
    zhfix_on_error on_error;
    int explain;
    int stats;
    int threads;
    int progress; /* -1 auto, 0 off, 1 on */
    libfix_options lib;
    zhfix_field fields[ZHFIX_MAX_FIELDS];
    size_t n_fields;
} zhfix_config;

/* ---- statistics -------------------------------------------------------------------------- */

typedef struct zhfix_chain_count {
    char *chain; /* steps joined with ',' */
    uint64_t n;
} zhfix_chain_count;

typedef struct zhfix_stats {
    uint64_t records, changed, lossy, unrecoverable, limited, failed;
    zhfix_chain_count *chains;
    size_t n_chains, cap_chains;
} zhfix_stats;

void zhfix_stats_record(zhfix_stats *st, unsigned flags, int failed); /* one record */
void zhfix_stats_chain(zhfix_stats *st, const libfix_result *r);       /* one changed text */
void zhfix_stats_merge(zhfix_stats *into, zhfix_stats *from); /* empties from */
void zhfix_stats_print(const zhfix_stats *st, zhfix_buf *out);
void zhfix_stats_free(zhfix_stats *st);

/* ---- jobs -------------------------------------------------------------------------------- */

typedef enum {
    ZHFIX_JOB_TEXT,    /* lines (or one piece of a long line): repair them */
    ZHFIX_JOB_WHOLE,   /* one whole file: one record */
    ZHFIX_JOB_PASS,    /* a piece of an over-long JSON record: copy it as it is */
    ZHFIX_JOB_DROP,    /* a piece of an over-long JSON record: drop it (--on-error=skip) */
    ZHFIX_JOB_MESSAGE  /* no input: only err (a message kept in order with the rest) */
} zhfix_job_kind;

typedef struct zhfix_job {
    zhfix_job_kind kind;
    zhfix_buf in;
    const char *name;  /* input name for messages and --explain */
    uint64_t line;     /* number of the line holding in.data[0] */
    int at_eof;        /* in ends the file (a final line may lack its newline) */
    zhfix_buf out;
    int out_is_in;     /* nothing changed: write in itself */
    zhfix_buf err;     /* for stderr, in order: messages and --explain lines */
    zhfix_stats stats;
    int failed;        /* --on-error=fail was hit: out holds what precedes the bad record */
    uint64_t seq;      /* place in the output order (pipeline.c) */
    int state;         /* pipeline.c */
} zhfix_job;

/* Per-thread state: a library context and scratch buffers. */
typedef struct zhfix_worker {
    const zhfix_config *cfg;
    libfix_ctx *ctx;
    zhfix_json_scan scan;
    zhfix_buf scratch;
    zhfix_buf record;
    zhfix_buf notes;
} zhfix_worker;

int zhfix_worker_init(zhfix_worker *w, const zhfix_config *cfg); /* 0 or a LIBFIX_E_ code */
void zhfix_worker_free(zhfix_worker *w);

/* Repair one job: fills out (or sets out_is_in), err, stats, failed. */
void zhfix_job_process(zhfix_worker *w, zhfix_job *job);
void zhfix_job_reset(zhfix_job *job); /* empty it for reuse, keeping buffers */
void zhfix_job_free(zhfix_job *job);

/* Where to cut a buffer of n bytes (n >= 1) that holds no newline, so that the
 * piece [0, cut) can be repaired alone: after an ASCII space or tab, else after ASCII
 * punctuation that no escape syntax or legacy double-byte trail byte uses, else after a complete
 * UTF-8 character (CJK punctuation first), else at n. Searched within the last
 * ZHFIX_CUT_WINDOW bytes. */
size_t zhfix_cut_point(const char *buf, size_t n);

/* ---- the run (pipeline.c) ---------------------------------------------------------------- */

typedef struct zhfix_input {
    const char *path;  /* NULL: standard input */
    const char *name;  /* for messages */
} zhfix_input;

/* Exit statuses. */
enum { ZHFIX_EXIT_OK = 0, ZHFIX_EXIT_USAGE = 1, ZHFIX_EXIT_IO = 2, ZHFIX_EXIT_FAILED = 3 };

/* Repair the inputs in order to out_fd (line, JSONL or whole mode). Returns an exit status;
 * stats (if not NULL) receives the totals. out_name names out_fd in messages. */
int zhfix_run(const zhfix_config *cfg, const zhfix_input *inputs, size_t n_inputs, int out_fd,
              const char *out_name, zhfix_stats *stats);

/* Progress line on stderr (progress.c). total 0 means unknown. */
typedef struct zhfix_progress {
    int enabled;   /* 0 off, 1 forced, -1 auto: stderr is a terminal and the input large */
    int tty;       /* stderr is a terminal */
    int shown;     /* a progress line is on the screen */
    uint64_t total;
    uint64_t done;
    double start, last;
} zhfix_progress;

void zhfix_progress_start(zhfix_progress *p, int mode, uint64_t total);
void zhfix_progress_update(zhfix_progress *p, uint64_t done);
void zhfix_progress_clear(zhfix_progress *p);  /* before other text goes to stderr */
void zhfix_progress_finish(zhfix_progress *p);

/* Write all of buf to fd; returns 0 or an errno value. A broken pipe (EPIPE) ends the process
 * quietly, as SIGPIPE does for cat(1). */
int zhfix_write_all(int fd, const char *buf, size_t n);

#endif /* ZHFIX_H */
