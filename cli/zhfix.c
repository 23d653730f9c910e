/* zhfix: repair garbled Chinese text in files or pipelines, by line, by JSON field or by whole
 * file, on top of libfix. Command-line parsing, --detect, and the output file live here; the
 * streaming run is pipeline.c, the repair of a batch batch.c. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zhfix.h"

#define DETECT_SAMPLE ZHFIX_BATCH /* --detect looks at the first MiB of each file */

static const char usage_text[] =
    "Usage: zhfix [OPTION]... [FILE]...\n"
    "Repair garbled (mojibake) Chinese text into valid UTF-8 Simplified Chinese.\n"
    "Reads the FILEs (or standard input; - is standard input) and writes to standard output.\n"
    "Clean text passes through byte for byte.\n"
    "\n"
    "Modes:\n"
    "      (default)          repair line by line, streaming in bounded memory; line ends\n"
    "                         (LF or CRLF) and a missing final newline are kept\n"
    "  -w, --whole            repair each file as one text; raw bytes in a legacy encoding\n"
    "                         (GBK, Big5, ...) are detected and decoded\n"
    "      --jsonl            JSON lines: repair the string values of the --field names and\n"
    "                         leave every other byte of each record as it is\n"
    "  -f, --field NAME       a field to repair (repeatable; implies --jsonl); NAME is a key,\n"
    "                         or a dotted path into nested objects (meta.title); arrays of\n"
    "                         strings at NAME are repaired element by element\n"
    "  -d, --detect           print the detected encoding of each file: NAME, then up to three\n"
    "                         ENCODING CONFIDENCE pairs, tab-separated\n"
    "\n"
    "Repair:\n"
    "  -t, --target SCRIPT    hans (default): output Simplified Chinese; keep: repair damage\n"
    "                         only, leave Traditional text Traditional\n"
    "      --max-depth N      layers of encoding damage to undo, 1 to 3 (default 3)\n"
    "      --fullwidth        ASCII , : ; ? ! ( ) between Chinese characters become full-width\n"
    "      --no-text-layers   do not decode &#NCR;, \\uXXXX, %XX, MIME words, HZ, QP\n"
    "\n"
    "Reporting:\n"
    "  -e, --explain          for each changed record (and each left as it was at the search's\n"
    "                         work limit): the steps undone, confidence and flags,\n"
    "                         as a JSON line on stderr (with --jsonl: a \"_libfix\" field added\n"
    "                         to the record)\n"
    "  -s, --stats            a summary on stderr at the end\n"
    "      --on-error=ACTION  a malformed JSON record or a failed repair: keep (default: write\n"
    "                         it unchanged), skip (drop it), fail (stop there, exit status 3);\n"
    "                         each one is reported on stderr with its line number\n"
    "      --progress         always show a progress line on stderr\n"
    "      --no-progress      never show it (default: shown when stderr is a terminal and the\n"
    "                         input is large)\n"
    "\n"
    "Other:\n"
    "  -o, --output FILE      write to FILE instead of standard output\n"
    "  -j, --jobs N           repair with N threads (0: one per CPU); output order is kept\n"
    "  -h, --help             show this help and exit\n"
    "  -V, --version          show the version and exit\n"
    "\n"
    "Exit status: 0 success, 1 usage error, 2 I/O error (a file could not be read or written),\n"
    "3 some records failed with --on-error=fail. See zhfix(1).\n";

static void usage_error(const char *fmt, const char *arg) {
    fprintf(stderr, "zhfix: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'zhfix --help' for more information.\n");
    exit(ZHFIX_EXIT_USAGE);
}

static int parse_int(const char *s, int lo, int hi, const char *what) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        char msg[128];
        snprintf(msg, sizeof msg, "invalid %s: '%%s' (expected %d to %d)", what, lo, hi);
        usage_error(msg, s);
    }
    return (int)v;
}

enum {
    OPT_JSONL = 256,
    OPT_ON_ERROR,
    OPT_MAX_DEPTH,
    OPT_FULLWIDTH,
    OPT_NO_TEXT_LAYERS,
    OPT_PROGRESS,
    OPT_NO_PROGRESS
};

static const struct option long_options[] = {
    {"whole", no_argument, NULL, 'w'},
    {"jsonl", no_argument, NULL, OPT_JSONL},
    {"field", required_argument, NULL, 'f'},
    {"detect", no_argument, NULL, 'd'},
    {"target", required_argument, NULL, 't'},
    {"max-depth", required_argument, NULL, OPT_MAX_DEPTH},
    {"fullwidth", no_argument, NULL, OPT_FULLWIDTH},
    {"no-text-layers", no_argument, NULL, OPT_NO_TEXT_LAYERS},
    {"explain", no_argument, NULL, 'e'},
    {"stats", no_argument, NULL, 's'},
    {"on-error", required_argument, NULL, OPT_ON_ERROR},
    {"progress", no_argument, NULL, OPT_PROGRESS},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"output", required_argument, NULL, 'o'},
    {"jobs", required_argument, NULL, 'j'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* --detect: the first MiB of each file (cut back to a line end or a safe boundary). */
static int run_detect(const zhfix_config *cfg, const zhfix_input *inputs, size_t n, int out_fd,
                      const char *out_name) {
    int status = ZHFIX_EXIT_OK;
    int err = LIBFIX_OK;
    libfix_ctx *ctx = libfix_new(&cfg->lib, &err);
    if (!ctx) {
        fprintf(stderr, "zhfix: cannot create a libfix context: %s\n", libfix_strerror(err));
        return ZHFIX_EXIT_IO;
    }
    zhfix_buf buf = {0};
    zhfix_buf out = {0};
    zhfix_buf_reserve(&buf, DETECT_SAMPLE + 1);
    for (size_t i = 0; i < n; i++) {
        int fd = inputs[i].path ? open(inputs[i].path, O_RDONLY | O_CLOEXEC) : 0;
        if (fd < 0) {
            fprintf(stderr, "zhfix: %s: %s\n", inputs[i].name, strerror(errno));
            status = ZHFIX_EXIT_IO;
            continue;
        }
        /* one byte more than the sample tells whether the file goes on */
        buf.len = 0;
        int rerr = 0;
        while (buf.len < DETECT_SAMPLE + 1) {
            ssize_t k = read(fd, buf.data + buf.len, DETECT_SAMPLE + 1 - buf.len);
            if (k < 0 && errno == EINTR) continue;
            if (k < 0) rerr = errno;
            if (k <= 0) break;
            buf.len += (size_t)k;
        }
        if (inputs[i].path) close(fd);
        if (rerr) {
            fprintf(stderr, "zhfix: %s: %s\n", inputs[i].name, strerror(rerr));
            status = ZHFIX_EXIT_IO;
            continue;
        }
        size_t len = buf.len;
        if (len > DETECT_SAMPLE) {
            len = DETECT_SAMPLE;
            size_t k = len;
            while (k > 0 && buf.data[k - 1] != '\n') k--;
            len = k > 0 ? k : zhfix_cut_point(buf.data, DETECT_SAMPLE);
        }
        libfix_guess g[3];
        size_t ng = 0;
        int rc = libfix_detect(ctx, buf.data, len, g, 3, &ng);
        if (rc != LIBFIX_OK) {
            fprintf(stderr, "zhfix: %s: detection failed: %s\n", inputs[i].name, libfix_strerror(rc));
            status = ZHFIX_EXIT_IO;
            continue;
        }
        out.len = 0;
        zhfix_buf_puts(&out, inputs[i].name);
        for (size_t k = 0; k < ng; k++) {
            g[k].encoding[sizeof g[k].encoding - 1] = 0;
            zhfix_buf_printf(&out, "\t%s\t%.3f", g[k].encoding, g[k].confidence);
        }
        zhfix_buf_putc(&out, '\n');
        int e = zhfix_write_all(out_fd, out.data, out.len);
        if (e) {
            fprintf(stderr, "zhfix: %s: %s\n", out_name, strerror(e));
            status = ZHFIX_EXIT_IO;
            break;
        }
    }
    zhfix_buf_free(&buf);
    zhfix_buf_free(&out);
    libfix_free(ctx);
    return status;
}

int main(int argc, char **argv) {
    /* zhfix ... | head: die quietly of SIGPIPE like cat, even if the caller ignored it. */
    signal(SIGPIPE, SIG_DFL);

    zhfix_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.mode = ZHFIX_LINES;
    cfg.on_error = ZHFIX_KEEP;
    cfg.threads = 1;
    cfg.progress = -1;
    libfix_options_init(&cfg.lib);
    int whole = 0, jsonl = 0, detect = 0;
    const char *output = NULL;

    int c;
    while ((c = getopt_long(argc, argv, "wf:dt:esj:o:hV", long_options, NULL)) != -1) {
        switch (c) {
        case 'w': whole = 1; break;
        case OPT_JSONL: jsonl = 1; break;
        case 'f':
            if (cfg.n_fields >= ZHFIX_MAX_FIELDS) usage_error("too many --field options (at most 64): %s", optarg);
            if (zhfix_field_parse(optarg, &cfg.fields[cfg.n_fields]) != 0)
                usage_error("invalid field name: '%s'", optarg);
            cfg.n_fields++;
            jsonl = 1;
            break;
        case 'd': detect = 1; break;
        case 't':
            if (strcmp(optarg, "hans") == 0) cfg.lib.target = LIBFIX_TARGET_HANS;
            else if (strcmp(optarg, "keep") == 0) cfg.lib.target = LIBFIX_TARGET_KEEP;
            else usage_error("invalid --target: '%s' (expected hans or keep)", optarg);
            break;
        case OPT_MAX_DEPTH: cfg.lib.max_depth = parse_int(optarg, 1, 3, "--max-depth"); break;
        case OPT_FULLWIDTH: cfg.lib.restore_fullwidth = 1; break;
        case OPT_NO_TEXT_LAYERS: cfg.lib.text_layers = 0; break;
        case 'e': cfg.explain = 1; break;
        case 's': cfg.stats = 1; break;
        case OPT_ON_ERROR:
            if (strcmp(optarg, "keep") == 0) cfg.on_error = ZHFIX_KEEP;
            else if (strcmp(optarg, "skip") == 0) cfg.on_error = ZHFIX_SKIP;
            else if (strcmp(optarg, "fail") == 0) cfg.on_error = ZHFIX_FAIL;
            else usage_error("invalid --on-error: '%s' (expected keep, skip or fail)", optarg);
            break;
        case OPT_PROGRESS: cfg.progress = 1; break;
        case OPT_NO_PROGRESS: cfg.progress = 0; break;
        case 'o': output = optarg; break;
        case 'j': cfg.threads = parse_int(optarg, 0, 256, "--jobs"); break;
        case 'h': fputs(usage_text, stdout); return fflush(stdout) == 0 ? ZHFIX_EXIT_OK : ZHFIX_EXIT_IO;
        case 'V':
            printf("zhfix (libfix) %s\n", libfix_version());
            return fflush(stdout) == 0 ? ZHFIX_EXIT_OK : ZHFIX_EXIT_IO;
        default: fputs("Try 'zhfix --help' for more information.\n", stderr); return ZHFIX_EXIT_USAGE;
        }
    }
    if (whole + jsonl + detect > 1) usage_error("%s", "choose one of --whole, --jsonl (--field) and --detect");
    if (jsonl && cfg.n_fields == 0) usage_error("%s", "--jsonl needs at least one --field NAME");
    cfg.mode = whole ? ZHFIX_WHOLE : jsonl ? ZHFIX_JSONL : detect ? ZHFIX_DETECT : ZHFIX_LINES;
    if (cfg.threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        cfg.threads = n < 1 ? 1 : n > 256 ? 256 : (int)n;
    }

    size_t n_inputs = argc > optind ? (size_t)(argc - optind) : 1;
    zhfix_input *inputs = zhfix_xmalloc(n_inputs * sizeof *inputs);
    if (argc > optind) {
        for (size_t i = 0; i < n_inputs; i++) {
            const char *a = argv[optind + (int)i];
            inputs[i].path = strcmp(a, "-") == 0 ? NULL : a;
            inputs[i].name = inputs[i].path ? a : "(stdin)";
        }
    } else {
        inputs[0].path = NULL;
        inputs[0].name = "(stdin)";
    }

    int out_fd = 1;
    const char *out_name = "(stdout)";
    if (output) {
        /* Truncating an input before reading it would destroy it: refuse. */
        struct stat os;
        if (stat(output, &os) == 0 && S_ISREG(os.st_mode)) {
            for (size_t i = 0; i < n_inputs; i++) {
                struct stat is;
                int rc = inputs[i].path ? stat(inputs[i].path, &is) : fstat(0, &is);
                if (rc == 0 && is.st_dev == os.st_dev && is.st_ino == os.st_ino)
                    usage_error("%s: the output file is also an input", output);
            }
        }
    }

    int status = ZHFIX_EXIT_OK;
    zhfix_stats stats;
    memset(&stats, 0, sizeof stats);
    /* an option the library rejects is a usage error, found before any output is created */
    int err = LIBFIX_OK;
    libfix_ctx *probe = libfix_new(&cfg.lib, &err);
    if (!probe) {
        fprintf(stderr, "zhfix: %s\n", libfix_strerror(err));
        status = err == LIBFIX_E_OPTION ? ZHFIX_EXIT_USAGE : ZHFIX_EXIT_IO;
        goto done;
    }
    libfix_free(probe);
    if (output) {
        out_fd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (out_fd < 0) {
            fprintf(stderr, "zhfix: %s: %s\n", output, strerror(errno));
            status = ZHFIX_EXIT_IO;
            output = NULL;
            goto done;
        }
        out_name = output;
    }

    if (cfg.mode == ZHFIX_DETECT)
        status = run_detect(&cfg, inputs, n_inputs, out_fd, out_name);
    else
        status = zhfix_run(&cfg, inputs, n_inputs, out_fd, out_name, &stats);

    if (output && close(out_fd) != 0) {
        fprintf(stderr, "zhfix: %s: %s\n", output, strerror(errno));
        if (status < ZHFIX_EXIT_IO) status = ZHFIX_EXIT_IO;
    }
    if (cfg.stats && cfg.mode != ZHFIX_DETECT) {
        zhfix_buf b = {0};
        zhfix_stats_print(&stats, &b);
        zhfix_write_all(2, b.data, b.len);
        zhfix_buf_free(&b);
    }
done:
    zhfix_stats_free(&stats);
    for (size_t i = 0; i < cfg.n_fields; i++) zhfix_field_free(&cfg.fields[i]);
    free(inputs);
    return status;
}
