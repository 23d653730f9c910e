/* zhfix: the run. The main thread reads the inputs into jobs (a batch of whole lines, a piece of
 * a long line, or a whole file); with -j 1 it repairs and writes each job itself, with -j N
 * N worker threads repair jobs in any order and a writer thread writes them in input order.
 * At most 2N+2 jobs are in flight, so memory stays bounded whatever the input size. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zhfix.h"

int zhfix_write_all(int fd, const char *buf, size_t n) {
    while (n > 0) {
        ssize_t k = write(fd, buf, n);
        if (k < 0) {
            if (errno == EINTR) continue;
            if (errno == EPIPE) {
                /* The reader went away (zhfix ... | head): end quietly, as cat does. */
                signal(SIGPIPE, SIG_DFL);
                raise(SIGPIPE);
                _exit(ZHFIX_EXIT_IO);
            }
            return errno;
        }
        buf += k;
        n -= (size_t)k;
    }
    return 0;
}

/* ---- reading ----------------------------------------------------------------------------- */

typedef struct reader {
    const zhfix_config *cfg;
    int fd;
    int is_reg;      /* a regular file: reads never block, no need to poll */
    const char *name;
    zhfix_buf carry; /* read but not yet handed out: the start of an unfinished line */
    uint64_t line;   /* number of the line holding carry.data[0] */
    int eof;
    int read_errno;
    int oversized;   /* --jsonl: inside a record longer than ZHFIX_JSONL_MAX */
    int whole_done;
} reader;

static int readable_now(int fd) {
    struct pollfd pf = {fd, POLLIN, 0};
    return poll(&pf, 1, 0) > 0;
}

static uint64_t count_lines(const char *p, size_t n) {
    uint64_t k = 0;
    const char *end = p + n;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        k++;
        p++;
    }
    return k;
}

static const char *last_newline(const char *p, size_t n) {
    while (n > 0)
        if (p[--n] == '\n') return p + n;
    return NULL;
}

/* Read until buf holds target bytes, or the input ends, or (streaming) no more input is ready
 * and buf already holds a complete line. */
static void read_some(reader *r, zhfix_buf *buf, size_t target, int *have_nl) {
    while (!r->eof && buf->len < target) {
        if (*have_nl && !r->is_reg && !readable_now(r->fd)) break;
        zhfix_buf_reserve(buf, target - buf->len);
        ssize_t k = read(r->fd, buf->data + buf->len, target - buf->len);
        if (k < 0) {
            if (errno == EINTR) continue;
            r->read_errno = errno;
            r->eof = 1;
            break;
        }
        if (k == 0) {
            r->eof = 1;
            break;
        }
        if (!*have_nl && memchr(buf->data + buf->len, '\n', (size_t)k)) *have_nl = 1;
        buf->len += (size_t)k;
    }
}

/* Fill job with the next piece of the input. Returns 0 when the input has nothing more. */
static int reader_next(reader *r, zhfix_job *job) {
    const zhfix_config *cfg = r->cfg;
    zhfix_buf tmp = job->in; /* take the carry without copying it */
    job->in = r->carry;
    r->carry = tmp;
    r->carry.len = 0;
    job->name = r->name;
    job->line = r->line;
    zhfix_buf *in = &job->in;

    if (cfg->mode == ZHFIX_WHOLE) {
        if (r->whole_done) return 0;
        int nl = 0;
        size_t target = ZHFIX_BATCH;
        for (;;) {
            read_some(r, in, target, &nl);
            if (r->eof) break;
            target = target > SIZE_MAX / 2 ? SIZE_MAX - 1 : target * 2;
        }
        job->kind = ZHFIX_JOB_WHOLE;
        job->at_eof = 1;
        r->whole_done = 1;
        return 1;
    }

    int have_nl = in->len && memchr(in->data, '\n', in->len) != NULL;
    size_t target = ZHFIX_BATCH;
    for (;;) {
        read_some(r, in, target, &have_nl);
        /* A JSON record is parsed whole, so its buffer may grow up to ZHFIX_JSONL_MAX. */
        if (!r->eof && in->len >= target && !have_nl && cfg->mode == ZHFIX_JSONL && !r->oversized &&
            target < ZHFIX_JSONL_MAX) {
            target = target * 2 < ZHFIX_JSONL_MAX ? target * 2 : ZHFIX_JSONL_MAX;
            continue;
        }
        break;
    }
    if (in->len == 0) return 0;

    size_t cut;
    job->kind = ZHFIX_JOB_TEXT;
    if (r->oversized) {
        /* The rest of an over-long record: through (or away) up to and including its newline. */
        const char *nl = memchr(in->data, '\n', in->len);
        cut = nl ? (size_t)(nl - in->data) + 1 : in->len;
        if (nl) r->oversized = 0;
        job->kind = cfg->on_error == ZHFIX_SKIP ? ZHFIX_JOB_DROP : ZHFIX_JOB_PASS;
    } else if (r->eof) {
        cut = in->len;
        job->at_eof = 1;
    } else {
        const char *last = last_newline(in->data, in->len);
        if (last) {
            cut = (size_t)(last - in->data) + 1;
        } else if (cfg->mode == ZHFIX_JSONL) {
            zhfix_buf_printf(&job->err, "zhfix: %s:%llu: JSON record longer than %zu MiB\n", r->name,
                             (unsigned long long)r->line, ZHFIX_JSONL_MAX >> 20);
            zhfix_stats_record(&job->stats, 0, 1);
            cut = in->len;
            r->oversized = 1;
            if (cfg->on_error == ZHFIX_KEEP) {
                job->kind = ZHFIX_JOB_PASS;
            } else {
                job->kind = ZHFIX_JOB_DROP;
                job->failed = cfg->on_error == ZHFIX_FAIL;
            }
        } else {
            cut = zhfix_cut_point(in->data, in->len); /* a long line: repaired piece by piece */
        }
    }
    zhfix_buf_append(&r->carry, in->data + cut, in->len - cut);
    in->len = cut;
    r->line += count_lines(in->data, in->len);
    return 1;
}

/* ---- the run ----------------------------------------------------------------------------- */

enum { SLOT_FREE, SLOT_READY, SLOT_DONE };

typedef struct run {
    const zhfix_config *cfg;
    int out_fd;
    const char *out_name;
    int status;
    zhfix_stats stats;
    zhfix_progress progress;
    uint64_t bytes_done;
    atomic_int stop; /* a write failed or --on-error=fail was hit: read, repair, write no more */

    /* -j 1 */
    zhfix_worker worker;
    zhfix_job single;

    /* -j N */
    int threaded;
    size_t n_slots;
    zhfix_job *slots;
    pthread_t *workers;
    zhfix_worker *wstate;
    struct worker_arg *wargs;
    int n_workers;
    pthread_t writer;
    pthread_mutex_t mu;
    pthread_cond_t cv_work, cv_done, cv_free;
    uint64_t next_submit, next_take, next_write;
    int finished;
    int io_status; /* set by the main thread only */
} run;

static void run_set_status(run *rn, int status) {
    if (status > rn->status) rn->status = status;
}

/* Write one finished job: output, stderr text, counts, progress. Only one thread calls this. */
static void write_job(run *rn, zhfix_job *job) {
    if (atomic_load(&rn->stop)) return;
    const zhfix_buf *data = job->out_is_in ? &job->in : &job->out;
    if (job->err.len) {
        zhfix_progress_clear(&rn->progress);
        zhfix_write_all(2, job->err.data, job->err.len);
    }
    if (data->len) {
        int e = zhfix_write_all(rn->out_fd, data->data, data->len);
        if (e) {
            char msg[512];
            snprintf(msg, sizeof msg, "zhfix: %s: %s\n", rn->out_name, strerror(e));
            zhfix_progress_clear(&rn->progress);
            zhfix_write_all(2, msg, strlen(msg));
            run_set_status(rn, ZHFIX_EXIT_IO);
            atomic_store(&rn->stop, 1);
        }
    }
    zhfix_stats_merge(&rn->stats, &job->stats);
    if (job->failed) {
        run_set_status(rn, ZHFIX_EXIT_FAILED);
        atomic_store(&rn->stop, 1);
    }
    rn->bytes_done += job->in.len;
    zhfix_progress_update(&rn->progress, rn->bytes_done);
}

/* A free job to fill, or NULL when the run is stopping. */
static zhfix_job *get_job(run *rn) {
    zhfix_job *job;
    if (!rn->threaded) {
        job = &rn->single;
    } else {
        pthread_mutex_lock(&rn->mu);
        while (rn->next_submit - rn->next_write >= rn->n_slots && !atomic_load(&rn->stop))
            pthread_cond_wait(&rn->cv_free, &rn->mu);
        job = &rn->slots[rn->next_submit % rn->n_slots];
        pthread_mutex_unlock(&rn->mu);
    }
    if (atomic_load(&rn->stop)) return NULL;
    zhfix_job_reset(job);
    return job;
}

static void submit(run *rn, zhfix_job *job) {
    if (!rn->threaded) {
        zhfix_job_process(&rn->worker, job);
        write_job(rn, job);
        return;
    }
    pthread_mutex_lock(&rn->mu);
    job->state = SLOT_READY;
    job->seq = rn->next_submit++;
    pthread_cond_signal(&rn->cv_work);
    pthread_mutex_unlock(&rn->mu);
}

/* A message that must appear in order with the stderr text of the jobs around it. */
static void submit_message(run *rn, const char *name, const char *what) {
    zhfix_job *job = get_job(rn);
    if (!job) return;
    job->kind = ZHFIX_JOB_MESSAGE;
    zhfix_buf_printf(&job->err, "zhfix: %s: %s\n", name, what);
    submit(rn, job);
}

typedef struct worker_arg {
    struct run *rn;
    zhfix_worker *w;
} worker_arg;

static void *worker_loop(void *arg) {
    worker_arg *wa = arg;
    run *rn = wa->rn;
    for (;;) {
        pthread_mutex_lock(&rn->mu);
        while (rn->next_take >= rn->next_submit && !rn->finished) pthread_cond_wait(&rn->cv_work, &rn->mu);
        if (rn->next_take >= rn->next_submit) {
            pthread_mutex_unlock(&rn->mu);
            return NULL;
        }
        zhfix_job *job = &rn->slots[rn->next_take % rn->n_slots];
        rn->next_take++;
        pthread_mutex_unlock(&rn->mu);
        if (!atomic_load(&rn->stop)) zhfix_job_process(wa->w, job);
        pthread_mutex_lock(&rn->mu);
        job->state = SLOT_DONE;
        pthread_cond_broadcast(&rn->cv_done);
        pthread_mutex_unlock(&rn->mu);
    }
}

static void *writer_main(void *arg) {
    run *rn = arg;
    for (;;) {
        pthread_mutex_lock(&rn->mu);
        zhfix_job *job;
        for (;;) {
            if (rn->next_write < rn->next_submit) {
                job = &rn->slots[rn->next_write % rn->n_slots];
                if (job->state == SLOT_DONE) break;
            } else if (rn->finished) {
                pthread_mutex_unlock(&rn->mu);
                return NULL;
            }
            pthread_cond_wait(&rn->cv_done, &rn->mu);
        }
        pthread_mutex_unlock(&rn->mu);
        write_job(rn, job);
        pthread_mutex_lock(&rn->mu);
        job->state = SLOT_FREE;
        rn->next_write++;
        pthread_cond_signal(&rn->cv_free);
        pthread_mutex_unlock(&rn->mu);
    }
}

static uint64_t input_size(const zhfix_input *in, int *known) {
    struct stat st;
    int rc = in->path ? stat(in->path, &st) : fstat(0, &st);
    if (rc == 0 && S_ISREG(st.st_mode)) return (uint64_t)st.st_size;
    *known = 0;
    return 0;
}

static int start_threads(run *rn) {
    const zhfix_config *cfg = rn->cfg;
    rn->threaded = 1;
    rn->n_workers = cfg->threads;
    /* Enough jobs in flight to keep every worker busy while the writer waits for the oldest. */
    rn->n_slots = cfg->mode == ZHFIX_WHOLE ? (size_t)cfg->threads + 1 : 2 * (size_t)cfg->threads + 2;
    rn->slots = calloc(rn->n_slots, sizeof *rn->slots);
    rn->workers = calloc((size_t)rn->n_workers, sizeof *rn->workers);
    rn->wstate = calloc((size_t)rn->n_workers, sizeof *rn->wstate);
    worker_arg *args = calloc((size_t)rn->n_workers, sizeof *args);
    if (!rn->slots || !rn->workers || !rn->wstate || !args) zhfix_die_nomem();
    pthread_mutex_init(&rn->mu, NULL);
    pthread_cond_init(&rn->cv_work, NULL);
    pthread_cond_init(&rn->cv_done, NULL);
    pthread_cond_init(&rn->cv_free, NULL);
    for (int i = 0; i < rn->n_workers; i++) {
        int rc = zhfix_worker_init(&rn->wstate[i], cfg);
        if (rc != LIBFIX_OK) {
            fprintf(stderr, "zhfix: cannot create a libfix context: %s\n", libfix_strerror(rc));
            exit(ZHFIX_EXIT_IO);
        }
        args[i].rn = rn;
        args[i].w = &rn->wstate[i];
    }
    rn->wargs = args;
    for (int i = 0; i < rn->n_workers; i++)
        if (pthread_create(&rn->workers[i], NULL, worker_loop, &args[i]) != 0) {
            fprintf(stderr, "zhfix: cannot start a thread\n");
            exit(ZHFIX_EXIT_IO);
        }
    if (pthread_create(&rn->writer, NULL, writer_main, rn) != 0) {
        fprintf(stderr, "zhfix: cannot start a thread\n");
        exit(ZHFIX_EXIT_IO);
    }
    return 0;
}

static void stop_threads(run *rn) {
    pthread_mutex_lock(&rn->mu);
    rn->finished = 1;
    pthread_cond_broadcast(&rn->cv_work);
    pthread_cond_broadcast(&rn->cv_done);
    pthread_mutex_unlock(&rn->mu);
    for (int i = 0; i < rn->n_workers; i++) pthread_join(rn->workers[i], NULL);
    pthread_join(rn->writer, NULL);
    for (int i = 0; i < rn->n_workers; i++) zhfix_worker_free(&rn->wstate[i]);
    for (size_t i = 0; i < rn->n_slots; i++) zhfix_job_free(&rn->slots[i]);
    free(rn->slots);
    free(rn->workers);
    free(rn->wstate);
    free(rn->wargs);
    pthread_mutex_destroy(&rn->mu);
    pthread_cond_destroy(&rn->cv_work);
    pthread_cond_destroy(&rn->cv_done);
    pthread_cond_destroy(&rn->cv_free);
}

int zhfix_run(const zhfix_config *cfg, const zhfix_input *inputs, size_t n_inputs, int out_fd,
              const char *out_name, zhfix_stats *stats) {
    run *rn = calloc(1, sizeof *rn);
    if (!rn) zhfix_die_nomem();
    rn->cfg = cfg;
    rn->out_fd = out_fd;
    rn->out_name = out_name;
    atomic_init(&rn->stop, 0);

    int known = 1;
    uint64_t total = 0;
    for (size_t i = 0; i < n_inputs; i++) total += input_size(&inputs[i], &known);
    int pmode = cfg->progress;
    /* --explain lines on stderr and a progress line redrawn over them do not mix */
    if (pmode < 0 && cfg->explain && cfg->mode != ZHFIX_JSONL) pmode = 0;
    zhfix_progress_start(&rn->progress, pmode, known ? total : 0);

    if (cfg->threads > 1) {
        start_threads(rn);
    } else {
        int rc = zhfix_worker_init(&rn->worker, cfg);
        if (rc != LIBFIX_OK) {
            fprintf(stderr, "zhfix: cannot create a libfix context: %s\n", libfix_strerror(rc));
            free(rn);
            return ZHFIX_EXIT_IO;
        }
    }

    for (size_t i = 0; i < n_inputs && !atomic_load(&rn->stop); i++) {
        const zhfix_input *inp = &inputs[i];
        int fd = inp->path ? open(inp->path, O_RDONLY | O_CLOEXEC) : 0;
        if (fd < 0) {
            submit_message(rn, inp->name, strerror(errno));
            rn->io_status = ZHFIX_EXIT_IO;
            continue;
        }
        reader r;
        memset(&r, 0, sizeof r);
        r.cfg = cfg;
        r.fd = fd;
        r.name = inp->name;
        r.line = 1;
        struct stat st;
        r.is_reg = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
        zhfix_job *job;
        while ((job = get_job(rn)) != NULL && reader_next(&r, job)) submit(rn, job);
        if (r.read_errno && !atomic_load(&rn->stop)) {
            submit_message(rn, inp->name, strerror(r.read_errno));
            rn->io_status = ZHFIX_EXIT_IO;
        }
        if (inp->path) close(fd);
        zhfix_buf_free(&r.carry);
    }

    if (rn->threaded) {
        stop_threads(rn);
    } else {
        zhfix_worker_free(&rn->worker);
        zhfix_job_free(&rn->single);
    }
    zhfix_progress_finish(&rn->progress);
    int status = rn->status;
    if (rn->io_status > status) status = rn->io_status;
    if (stats) *stats = rn->stats;
    else zhfix_stats_free(&rn->stats);
    free(rn);
    return status;
}
