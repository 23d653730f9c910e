/* zhfix: the progress line on stderr (bytes done, MB/s, ETA), redrawn at most five times a
 * second by whoever writes the output. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "zhfix.h"

#define AUTO_MIN_BYTES ((uint64_t)32 << 20) /* auto mode: inputs smaller than this show nothing */
#define AUTO_DELAY 0.5                      /* auto mode: nor runs shorter than this (seconds) */

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void zhfix_progress_start(zhfix_progress *p, int mode, uint64_t total) {
    memset(p, 0, sizeof *p);
    p->tty = isatty(2);
    p->total = total;
    p->enabled = mode;
    if (mode < 0 && (!p->tty || (total != 0 && total < AUTO_MIN_BYTES))) p->enabled = 0;
    p->start = p->last = now();
}

static void draw(zhfix_progress *p, double t) {
    char line[160];
    double secs = t - p->start;
    double mb = p->done / 1e6;
    double rate = secs > 0 ? mb / secs : 0;
    int n;
    if (p->total) {
        double frac = (double)p->done / (double)p->total;
        if (frac > 1) frac = 1;
        char bar[21];
        int fill = (int)(frac * 20);
        for (int i = 0; i < 20; i++) bar[i] = i < fill ? '#' : '.';
        bar[20] = 0;
        double eta = rate > 0 ? (p->total - (p->done < p->total ? p->done : p->total)) / 1e6 / rate : 0;
        unsigned e = (unsigned)(eta + 0.5);
        n = snprintf(line, sizeof line, "\rzhfix: [%s] %3d%% %.1f/%.1f MB %.1f MB/s ETA %u:%02u:%02u",
                     bar, (int)(frac * 100), mb, p->total / 1e6, rate, e / 3600, e / 60 % 60, e % 60);
    } else {
        n = snprintf(line, sizeof line, "\rzhfix: %.1f MB %.1f MB/s", mb, rate);
    }
    if (n < 0) return;
    if ((size_t)n >= sizeof line) n = (int)sizeof line - 1;
    if (p->tty) {
        /* erase whatever a longer earlier line left */
        if ((size_t)n + 3 < sizeof line) {
            memcpy(line + n, "\033[K", 3);
            n += 3;
        }
    }
    ssize_t r = write(2, line, (size_t)n);
    (void)r;
    p->shown = 1;
    p->last = t;
}

void zhfix_progress_update(zhfix_progress *p, uint64_t done) {
    p->done = done;
    if (!p->enabled) return;
    double t = now();
    if (t - p->last < 0.2 && p->shown) return;
    if (p->enabled < 0 && t - p->start < AUTO_DELAY) return;
    if (!p->shown && p->enabled > 0 && t - p->start < 0.2) return;
    draw(p, t);
}

void zhfix_progress_clear(zhfix_progress *p) {
    if (!p->shown) return;
    ssize_t r = p->tty ? write(2, "\r\033[K", 4) : write(2, "\n", 1);
    (void)r;
    p->shown = 0;
}

void zhfix_progress_finish(zhfix_progress *p) {
    if (p->tty) {
        zhfix_progress_clear(p); /* on a terminal the line goes away at the end */
    } else if (p->enabled > 0) {
        draw(p, now()); /* forced into a file or pipe: the last state stays, on its own line */
        ssize_t r = write(2, "\n", 1);
        (void)r;
        p->shown = 0;
    }
}
