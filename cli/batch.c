/* zhfix: repair one job (a batch of lines, a batch of JSON records, or a whole file) with one
 * libfix context, producing its output, its stderr text (--explain, messages) and its counts.
 * Jobs share nothing, so any number of them can run on different threads. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zhfix.h"

#define MAX_CHAINS 1000

/* ---- statistics -------------------------------------------------------------------------- */

void zhfix_stats_record(zhfix_stats *st, unsigned flags, int failed) {
    st->records++;
    if (flags & LIBFIX_CHANGED) st->changed++;
    if (flags & LIBFIX_LOSSY) st->lossy++;
    if (flags & LIBFIX_UNRECOVERABLE) st->unrecoverable++;
    if (flags & LIBFIX_LIMITED) st->limited++;
    if (failed) st->failed++;
}

static void add_chain(zhfix_stats *st, const char *chain, size_t len, uint64_t n) {
    for (size_t i = 0; i < st->n_chains; i++)
        if (strlen(st->chains[i].chain) == len && memcmp(st->chains[i].chain, chain, len) == 0) {
            st->chains[i].n += n;
            return;
        }
    if (st->n_chains >= MAX_CHAINS) {
        chain = "(other)";
        len = strlen(chain);
        for (size_t i = 0; i < st->n_chains; i++)
            if (strcmp(st->chains[i].chain, chain) == 0) {
                st->chains[i].n += n;
                return;
            }
    }
    if (st->n_chains == st->cap_chains) {
        st->cap_chains = st->cap_chains ? st->cap_chains * 2 : 16;
        st->chains = zhfix_xrealloc(st->chains, st->cap_chains * sizeof *st->chains);
    }
    char *c = zhfix_xmalloc(len + 1);
    memcpy(c, chain, len);
    c[len] = 0;
    st->chains[st->n_chains].chain = c;
    st->chains[st->n_chains].n = n;
    st->n_chains++;
}

void zhfix_stats_chain(zhfix_stats *st, const libfix_result *r) {
    char chain[512];
    size_t len = 0;
    for (size_t i = 0; i < r->n_steps; i++) {
        size_t k = strlen(r->steps[i]);
        if (len + k + 1 >= sizeof chain) break;
        if (i) chain[len++] = ',';
        memcpy(chain + len, r->steps[i], k);
        len += k;
    }
    if (len == 0) {
        memcpy(chain, "(none)", 6);
        len = 6;
    }
    add_chain(st, chain, len, 1);
}

void zhfix_stats_merge(zhfix_stats *into, zhfix_stats *from) {
    into->records += from->records;
    into->changed += from->changed;
    into->lossy += from->lossy;
    into->unrecoverable += from->unrecoverable;
    into->limited += from->limited;
    into->failed += from->failed;
    for (size_t i = 0; i < from->n_chains; i++)
        add_chain(into, from->chains[i].chain, strlen(from->chains[i].chain), from->chains[i].n);
    zhfix_stats_free(from);
}

static int chain_order(const void *a, const void *b) {
    const zhfix_chain_count *x = a, *y = b;
    if (x->n != y->n) return x->n > y->n ? -1 : 1;
    return strcmp(x->chain, y->chain);
}

void zhfix_stats_print(const zhfix_stats *st, zhfix_buf *out) {
    zhfix_buf_printf(out, "records: %llu\nchanged: %llu\nlossy: %llu\nunrecoverable: %llu\nlimited: %llu\nfailed: %llu\n",
                     (unsigned long long)st->records, (unsigned long long)st->changed,
                     (unsigned long long)st->lossy, (unsigned long long)st->unrecoverable,
                     (unsigned long long)st->limited, (unsigned long long)st->failed);
    zhfix_chain_count *sorted = zhfix_xmalloc((st->n_chains + 1) * sizeof *sorted);
    if (st->n_chains) memcpy(sorted, st->chains, st->n_chains * sizeof *sorted);
    qsort(sorted, st->n_chains, sizeof *sorted, chain_order);
    for (size_t i = 0; i < st->n_chains; i++)
        zhfix_buf_printf(out, "chain %s: %llu\n", sorted[i].chain, (unsigned long long)sorted[i].n);
    free(sorted);
}

void zhfix_stats_free(zhfix_stats *st) {
    for (size_t i = 0; i < st->n_chains; i++) free(st->chains[i].chain);
    free(st->chains);
    memset(st, 0, sizeof *st);
}

/* ---- workers and jobs -------------------------------------------------------------------- */

int zhfix_worker_init(zhfix_worker *w, const zhfix_config *cfg) {
    memset(w, 0, sizeof *w);
    w->cfg = cfg;
    int err = LIBFIX_OK;
    w->ctx = libfix_new(&cfg->lib, &err);
    return w->ctx ? LIBFIX_OK : err;
}

void zhfix_worker_free(zhfix_worker *w) {
    libfix_free(w->ctx);
    zhfix_json_scan_free(&w->scan);
    zhfix_buf_free(&w->scratch);
    zhfix_buf_free(&w->record);
    zhfix_buf_free(&w->notes);
    memset(w, 0, sizeof *w);
}

void zhfix_job_reset(zhfix_job *job) {
    job->kind = ZHFIX_JOB_TEXT;
    job->in.len = 0;
    job->out.len = 0;
    job->err.len = 0;
    job->out_is_in = 0;
    job->failed = 0;
    job->at_eof = 0;
    job->line = 0;
    job->name = NULL;
    zhfix_stats_free(&job->stats);
}

void zhfix_job_free(zhfix_job *job) {
    zhfix_buf_free(&job->in);
    zhfix_buf_free(&job->out);
    zhfix_buf_free(&job->err);
    zhfix_stats_free(&job->stats);
}

size_t zhfix_cut_point(const char *buf, size_t n) {
    const unsigned char *b = (const unsigned char *)buf;
    size_t lo = n > ZHFIX_CUT_WINDOW ? n - ZHFIX_CUT_WINDOW : 0;
    if (lo == 0) lo = 1; /* never an empty piece */
    for (size_t i = n; i > lo; i--)
        if (b[i - 1] == ' ' || b[i - 1] == '\t') return i;
    /* All below 0x40: no GBK, Big5 or Shift_JIS trail byte, and no part of an escape syntax
     * (&#...; is cut after its ';', which ends it). */
    for (size_t i = n; i > lo; i--)
        if (memchr(",.;:!)\"'>", b[i - 1], 9)) return i;
    for (size_t i = n; i >= lo + 3; i--) {
        const unsigned char *c = b + i - 3;
        if ((c[0] == 0xE3 && c[1] == 0x80 && (c[2] == 0x81 || c[2] == 0x82)) || /* 、。 */
            (c[0] == 0xEF && c[1] == 0xBC &&
             (c[2] == 0x8C || c[2] == 0x9B || c[2] == 0x9A || c[2] == 0x81 || c[2] == 0x9F))) /* ，；：！？ */
            return i;
    }
    for (size_t i = n - 1; i > lo; i--)
        if ((b[i] & 0xC0) != 0x80 && b[i - 1] != '\r') return i;
    return n;
}

static void put_flags_json(zhfix_buf *b, unsigned flags) {
    zhfix_buf_puts(b, "\"flags\":[");
    const char *sep = "";
    if (flags & LIBFIX_CHANGED) {
        zhfix_buf_printf(b, "%s\"changed\"", sep);
        sep = ",";
    }
    if (flags & LIBFIX_LOSSY) {
        zhfix_buf_printf(b, "%s\"lossy\"", sep);
        sep = ",";
    }
    if (flags & LIBFIX_UNRECOVERABLE) {
        zhfix_buf_printf(b, "%s\"unrecoverable\"", sep);
        sep = ",";
    }
    if (flags & LIBFIX_LIMITED) zhfix_buf_printf(b, "%s\"limited\"", sep);
    zhfix_buf_putc(b, ']');
}

/* "steps":[...],"confidence":x,"flags":[...] */
static void put_result_json(zhfix_buf *b, const libfix_result *r) {
    zhfix_buf_puts(b, "\"steps\":[");
    for (size_t i = 0; i < r->n_steps; i++) {
        if (i) zhfix_buf_putc(b, ',');
        zhfix_json_string_encode(b, r->steps[i], strlen(r->steps[i]));
    }
    zhfix_buf_printf(b, "],\"confidence\":%.3f,", r->confidence);
    put_flags_json(b, r->flags);
}

static void explain_stderr(zhfix_job *job, uint64_t line, const libfix_result *r) {
    zhfix_buf_puts(&job->err, "{\"file\":");
    zhfix_json_string_encode(&job->err, job->name, strlen(job->name));
    if (job->kind != ZHFIX_JOB_WHOLE) zhfix_buf_printf(&job->err, ",\"line\":%llu", (unsigned long long)line);
    zhfix_buf_putc(&job->err, ',');
    put_result_json(&job->err, r);
    zhfix_buf_puts(&job->err, "}\n");
}

static void message(zhfix_job *job, uint64_t line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void message(zhfix_job *job, uint64_t line, const char *fmt, ...) {
    if (job->kind == ZHFIX_JOB_WHOLE)
        zhfix_buf_printf(&job->err, "zhfix: %s: ", job->name);
    else
        zhfix_buf_printf(&job->err, "zhfix: %s:%llu: ", job->name, (unsigned long long)line);
    va_list ap;
    va_start(ap, fmt);
    zhfix_buf_vprintf(&job->err, fmt, ap);
    va_end(ap);
    zhfix_buf_putc(&job->err, '\n');
}

/* Repair one JSON record. Returns 0 when it stays as it is, 1 when w->record holds the new
 * record, -1 when it is malformed or a repair failed (the message is in job->err). */
static int jsonl_record(zhfix_worker *w, zhfix_job *job, const char *rec, size_t len, uint64_t line,
                        unsigned *rec_flags) {
    const zhfix_config *cfg = w->cfg;
    size_t k = 0;
    while (k < len && (rec[k] == ' ' || rec[k] == '\t' || rec[k] == '\r')) k++;
    if (k == len) return 0; /* a blank line is no record to repair */
    if (zhfix_json_scan_record(rec, len, cfg->fields, cfg->n_fields, &w->scan) != 0) {
        message(job, line, "malformed JSON: %s at byte %zu", w->scan.err, w->scan.err_offset + 1);
        return -1;
    }
    w->record.len = 0;
    w->notes.len = 0;
    size_t prev = 0;
    int changed = 0;
    for (size_t i = 0; i < w->scan.n_spans; i++) {
        const zhfix_json_span *sp = &w->scan.spans[i];
        w->scratch.len = 0;
        /* A lone surrogate has no UTF-8 form: such a string is left exactly as it is. */
        if (zhfix_json_string_decode(rec + sp->start + 1, sp->end - sp->start - 2, &w->scratch) != 0) continue;
        libfix_result r;
        int rc = libfix_repair(w->ctx, w->scratch.data, w->scratch.len, &r);
        if (rc != LIBFIX_OK) {
            message(job, line, "repair of field %s failed: %s", cfg->fields[sp->field].spec,
                    libfix_strerror(rc));
            return -1;
        }
        *rec_flags |= r.flags;
        if (r.flags & LIBFIX_CHANGED) {
            zhfix_buf_append(&w->record, rec + prev, sp->start - prev);
            zhfix_json_string_encode(&w->record, r.text, r.len);
            prev = sp->end;
            changed = 1;
            zhfix_stats_chain(&job->stats, &r);
            if (cfg->explain) {
                if (w->notes.len) zhfix_buf_putc(&w->notes, ',');
                zhfix_json_string_encode(&w->notes, w->scan.paths.data + sp->path, sp->path_len);
                zhfix_buf_puts(&w->notes, ":{");
                put_result_json(&w->notes, &r);
                zhfix_buf_putc(&w->notes, '}');
            }
        }
        libfix_result_clear(&r);
    }
    if (!changed) return 0;
    if (cfg->explain && w->scan.object_end != SIZE_MAX) {
        size_t end = w->scan.object_end;
        zhfix_buf_append(&w->record, rec + prev, end - prev);
        zhfix_buf_puts(&w->record, w->scan.object_members ? ",\"_libfix\":{" : "\"_libfix\":{");
        zhfix_buf_append(&w->record, w->notes.data, w->notes.len);
        zhfix_buf_putc(&w->record, '}');
        prev = end;
    }
    zhfix_buf_append(&w->record, rec + prev, len - prev);
    return 1;
}

/* Make out hold in[0..upto): copy what lies between the last change and upto. */
static void out_catch_up(zhfix_job *job, size_t *clean_from, size_t upto) {
    zhfix_buf_append(&job->out, job->in.data + *clean_from, upto - *clean_from);
    *clean_from = upto;
}

static void process_text(zhfix_worker *w, zhfix_job *job) {
    const zhfix_config *cfg = w->cfg;
    const char *base = job->in.data;
    const char *p = base, *end = base + job->in.len;
    uint64_t line = job->line;
    size_t clean_from = 0;
    int rewritten = 0;
    job->out.len = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *next = nl ? nl + 1 : end;
        const char *cend = nl ? nl : end;
        if (cend > p && cend[-1] == '\r' && (nl || job->at_eof)) cend--;
        size_t n = (size_t)(cend - p);
        unsigned flags = 0;
        int failed = 0;
        const char *repl = NULL; /* replacement for [p, cend) */
        size_t repl_len = 0;
        libfix_result r;
        int have_result = 0;
        if (cfg->mode == ZHFIX_JSONL) {
            int rc = jsonl_record(w, job, p, n, line, &flags);
            if (rc < 0) failed = 1;
            else if (rc > 0) {
                repl = w->record.data;
                repl_len = w->record.len;
            }
        } else if (n > 0) {
            int rc = libfix_repair(w->ctx, p, n, &r);
            if (rc != LIBFIX_OK) {
                message(job, line, "repair failed: %s", libfix_strerror(rc));
                failed = 1;
            } else {
                have_result = 1;
                flags = r.flags;
                /* Line mode keeps one line per line: a repair that would add a line break
                 * (a decoded %0A, say) is not applied; --whole applies it. */
                if ((r.flags & LIBFIX_CHANGED) && !memchr(r.text, '\n', r.len)) {
                    repl = r.text;
                    repl_len = r.len;
                    zhfix_stats_chain(&job->stats, &r);
                    if (cfg->explain) explain_stderr(job, line, &r);
                } else {
                    flags &= ~LIBFIX_CHANGED;
                    /* left as it was because the search reached its work limit: said too */
                    if (cfg->explain && (r.flags & LIBFIX_LIMITED)) explain_stderr(job, line, &r);
                }
            }
        }
        zhfix_stats_record(&job->stats, flags, failed);
        if (failed && cfg->on_error == ZHFIX_FAIL) {
            if (have_result) libfix_result_clear(&r);
            out_catch_up(job, &clean_from, (size_t)(p - base));
            rewritten = 1;
            job->failed = 1;
            break;
        }
        if (failed && cfg->on_error == ZHFIX_SKIP) {
            out_catch_up(job, &clean_from, (size_t)(p - base));
            clean_from = (size_t)(next - base);
            rewritten = 1;
        } else if (repl) {
            out_catch_up(job, &clean_from, (size_t)(p - base));
            zhfix_buf_append(&job->out, repl, repl_len);
            clean_from = (size_t)(cend - base); /* the line terminator stays as it was */
            rewritten = 1;
        }
        if (have_result) libfix_result_clear(&r);
        if (nl) line++;
        p = next;
    }
    if (!rewritten) {
        job->out_is_in = 1;
        return;
    }
    if (!job->failed) out_catch_up(job, &clean_from, job->in.len);
}

static void process_whole(zhfix_worker *w, zhfix_job *job) {
    const zhfix_config *cfg = w->cfg;
    libfix_result r;
    int rc = libfix_repair(w->ctx, job->in.data, job->in.len, &r);
    if (rc != LIBFIX_OK) {
        message(job, 0, "repair failed: %s", libfix_strerror(rc));
        zhfix_stats_record(&job->stats, 0, 1);
        if (cfg->on_error == ZHFIX_KEEP)
            job->out_is_in = 1;
        else
            job->failed = cfg->on_error == ZHFIX_FAIL;
        return;
    }
    zhfix_stats_record(&job->stats, r.flags, 0);
    if (r.flags & LIBFIX_CHANGED) {
        zhfix_stats_chain(&job->stats, &r);
        if (cfg->explain) explain_stderr(job, 0, &r);
        zhfix_buf_append(&job->out, r.text, r.len);
    } else {
        if (cfg->explain && (r.flags & LIBFIX_LIMITED)) explain_stderr(job, 0, &r);
        job->out_is_in = 1;
    }
    libfix_result_clear(&r);
}

void zhfix_job_process(zhfix_worker *w, zhfix_job *job) {
    switch (job->kind) {
    case ZHFIX_JOB_TEXT: process_text(w, job); break;
    case ZHFIX_JOB_WHOLE: process_whole(w, job); break;
    case ZHFIX_JOB_PASS: job->out_is_in = 1; break;
    case ZHFIX_JOB_DROP:
    case ZHFIX_JOB_MESSAGE: break;
    }
}
