#!/usr/bin/env python3
"""Benchmark of the Python binding: per-call overhead and thread scaling.

usage: PYTHONPATH=<dir holding the built libfix package> python3 bench/bench_python.py [--quick]

1. Overhead per call. The C work is timed by a small C program, compiled here, that dlopen()s
   the very extension module Python imports (libfix/_libfix*.so, which exports the public
   libfix_* functions) and calls libfix_repair + libfix_result_clear in a loop on one context
   with the same input bytes. Python then times libfix.repair() on the same input. Both run
   the same machine code for the C work, on the same bytes, with the same options, in
   alternating rounds; each figure is the best of its rounds (the least disturbed by other
   processes). Overhead = Python time - C time: argument parsing, str -> UTF-8, taking a
   context from the pool, releasing and retaking the GIL, building the result.
2. Threads. Total throughput of 1 and of 4 Python threads repairing the same list of longer
   texts (dev-bench records of the "long" class as given, then their clean expected text; a
   synthetic set when the shared benchmark is absent), next to the same work done by the C
   library alone on 1 and 4 pthreads (one context each, records handed out one at a time in
   both): the C figure is what the machine allows at that moment, the Python figure what the
   binding makes of it. Linux schedules each session as one group (autogroup), so while other
   sessions keep the CPUs busy, extra threads get no extra CPU and neither figure scales:
   compare the two, and read the load averages printed around the run.
"""
import argparse
import base64
import json
import os
import shutil
import struct
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import timeit

import libfix
from libfix import _libfix

# the development benchmark lives beside the repository, in ../shared/bench
DEV_BENCH = os.environ.get("LIBFIX_DEV_BENCH", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "bench", "dev-bench.jsonl"))

C_BASELINE = r"""
/* Times libfix_repair in the extension module itself (dlopen), in one or several threads. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "libfix.h"

static libfix_ctx *(*p_new)(const libfix_options *, int *);
static void (*p_free)(libfix_ctx *);
static int (*p_repair)(libfix_ctx *, const char *, size_t, libfix_result *);
static void (*p_clear)(libfix_result *);

typedef struct { char **data; size_t *len; size_t n; } records;
typedef struct { const records *r; long loops; libfix_ctx *ctx; } job;
static size_t next_item; /* records are handed out one at a time, as Python's threads take them */

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void *run(void *arg) {
    job *j = arg;
    libfix_ctx *ctx = j->ctx;
    libfix_result res;
    size_t total = j->r->n * (size_t)j->loops;
    for (;;) {
        size_t k = __atomic_fetch_add(&next_item, 1, __ATOMIC_RELAXED);
        if (k >= total) break;
        size_t i = k % j->r->n;
        if (p_repair(ctx, j->r->data[i], j->r->len[i], &res) != LIBFIX_OK) {
            fprintf(stderr, "libfix_repair failed\n");
            exit(2);
        }
        p_clear(&res);
    }
    return NULL;
}

/* argv: module.so records-file threads loops rounds. Records: 8-byte little-endian length,
 * then the bytes. Prints the best wall time of the rounds in seconds. */
int main(int argc, char **argv) {
    if (argc != 6) return 2;
    void *so = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!so) { fprintf(stderr, "%s\n", dlerror()); return 2; }
    *(void **)&p_new = dlsym(so, "libfix_new");
    *(void **)&p_free = dlsym(so, "libfix_free");
    *(void **)&p_repair = dlsym(so, "libfix_repair");
    *(void **)&p_clear = dlsym(so, "libfix_result_clear");
    if (!p_new || !p_free || !p_repair || !p_clear) { fprintf(stderr, "symbols missing\n"); return 2; }
    FILE *f = fopen(argv[2], "rb");
    if (!f) return 2;
    records r = {0};
    size_t cap = 0;
    uint64_t len;
    while (fread(&len, 8, 1, f) == 1) {
        if (r.n == cap) {
            cap = cap ? 2 * cap : 64;
            r.data = realloc(r.data, cap * sizeof *r.data);
            r.len = realloc(r.len, cap * sizeof *r.len);
        }
        r.data[r.n] = malloc(len ? len : 1);
        if (len && fread(r.data[r.n], 1, len, f) != len) return 2;
        r.len[r.n++] = len;
    }
    fclose(f);
    int threads = atoi(argv[3]);
    long loops = atol(argv[4]);
    int rounds = atoi(argv[5]);
    if (threads < 1 || threads > 64) return 2;
    /* Contexts made and warmed up before timing, as the Python side's pool is. */
    libfix_ctx *ctx[64];
    for (int t = 0; t < threads; t++) {
        libfix_result res;
        ctx[t] = p_new(NULL, NULL);
        if (!ctx[t] || p_repair(ctx[t], r.data[0], r.len[0], &res) != LIBFIX_OK) return 2;
        p_clear(&res);
    }
    double best = 1e300;
    for (int round = 0; round < rounds; round++) {
        pthread_t tid[64];
        job jobs[64];
        next_item = 0;
        double t0 = now();
        for (int t = 0; t < threads; t++) {
            jobs[t] = (job){&r, loops, ctx[t]};
            pthread_create(&tid[t], NULL, run, &jobs[t]);
        }
        for (int t = 0; t < threads; t++) pthread_join(tid[t], NULL);
        double took = now() - t0;
        if (took < best) best = took;
    }
    for (int t = 0; t < threads; t++) p_free(ctx[t]);
    printf("%.9f\n", best);
    return 0;
}
"""


def source_dir():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, ".."))


def build_baseline(workdir):
    """Compile the C baseline. It needs libpython only so that dlopen() can resolve the Python
    symbols the extension refers to; it never calls them."""
    src = os.path.join(workdir, "baseline.c")
    exe = os.path.join(workdir, "baseline")
    with open(src, "w") as f:
        f.write(C_BASELINE)
    libdir = sysconfig.get_config_var("LIBDIR")
    ldlib = sysconfig.get_config_var("LDLIBRARY") or ""
    if not ldlib.endswith(".so") and ".so." not in ldlib:
        sys.exit("bench_python: this Python has no shared libpython (%s); the C baseline needs "
                 "it to dlopen the extension. Use /usr/bin/python3." % ldlib)
    cc = os.environ.get("CC") or shutil.which("cc") or "gcc"
    cmd = [cc, "-O2", "-o", exe, src, "-I", os.path.join(source_dir(), "include"),
           "-L", libdir, "-Wl,--no-as-needed", "-l:" + ldlib, "-Wl,-rpath," + libdir, "-ldl", "-pthread"]
    subprocess.run(cmd, check=True)
    return exe


def write_records(path, items):
    with open(path, "wb") as f:
        for b in items:
            f.write(struct.pack("<Q", len(b)))
            f.write(b)


def c_time(exe, module, recfile, threads, loops, rounds):
    out = subprocess.run([exe, module, recfile, str(threads), str(loops), str(rounds)],
                         check=True, stdout=subprocess.PIPE, universal_newlines=True).stdout
    return float(out)


# ---- 1. per-call overhead --------------------------------------------------------------------

def overhead(exe, module, workdir, quick):
    cases = [
        ("clean CJK str, 4 chars", "发送成功"),
        ("clean ASCII str, 13 chars", "Hello, world!"),
        ("clean CJK bytes, 12 bytes", "发送成功".encode("utf-8")),
        ("garbled str, 8 chars", "·¢ËÍ³É¹¦"),
    ]
    n = 20_000 if quick else 200_000
    rounds = 3 if quick else 7
    r = libfix.Repairer()
    print("Per-call overhead (best of %d rounds of %d calls; ns per call)" % (rounds, n))
    print("  %-28s %10s %12s %12s %12s" % ("input", "C alone", "repair()", "Repairer", "overhead"))
    rows = []
    for name, data in cases:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        recfile = os.path.join(workdir, "short.rec")
        write_records(recfile, [raw])
        loops = n
        best_c = best_mod = best_obj = float("inf")
        mod = timeit.Timer("repair(data)", globals={"repair": libfix.repair, "data": data})
        obj = timeit.Timer("r.repair(data)", globals={"r": r, "data": data})
        for _ in range(rounds):  # alternate, so that both see the same machine
            best_c = min(best_c, c_time(exe, module, recfile, 1, loops, 1) / loops)
            best_mod = min(best_mod, mod.timeit(n) / n)
            best_obj = min(best_obj, obj.timeit(n) / n)
        rows.append((name, best_c, best_mod, best_obj))
        print("  %-28s %10.0f %12.0f %12.0f %12.0f" % (name, best_c * 1e9, best_mod * 1e9,
                                                       best_obj * 1e9, (best_mod - best_c) * 1e9))
    return rows


# ---- 2. threads ------------------------------------------------------------------------------

def long_texts():
    """(name, inputs) pairs: longer texts as they come, damaged or not, and the same texts
    repaired (clean text, what a pipeline mostly sees)."""
    if os.path.isfile(DEV_BENCH):
        given, clean = [], []
        with open(DEV_BENCH, encoding="utf-8") as f:
            for line in f:
                rec = json.loads(line)
                if rec["len_class"] == "long":
                    given.append(base64.b64decode(rec["input_b64"]) if "input_b64" in rec else rec["input"])
                    clean.append(rec["expected"])
        return [("dev-bench 'long' records (%d)" % len(given), given),
                ("their expected text, clean (%d)" % len(clean), clean)]
    unit = "我们明天上午十点在会议室讨论新版本的发布计划。这个程序会读取配置文件并启动后台服务。"
    given = [unit.encode("gbk") * 8, unit.encode("utf-8").decode("latin-1") * 4] * 200
    return [("synthetic damaged texts (%d)" % len(given), given),
            ("synthetic clean texts (400)", [unit * 8] * 400)]


def py_threads(items, threads, rounds):
    """Best wall time of `threads` threads taking items one at a time from a shared iterator
    (atomic under the GIL: the lightest dynamic scheduling Python has)."""
    fn = libfix.repair

    def work(it):
        for x in it:
            fn(x)

    best = float("inf")
    for _ in range(rounds):
        it = iter(items)
        pool = [threading.Thread(target=work, args=(it,)) for _ in range(threads)]
        t0 = time.perf_counter()
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        best = min(best, time.perf_counter() - t0)
    return best


def scaling(exe, module, workdir, quick):
    rounds = 2 if quick else 5
    print()
    print("Threads: total throughput, 1 vs 4 threads (best of %d rounds)" % rounds)
    print("  %-38s %-8s %12s %12s %9s" % ("input", "", "1 thread", "4 threads", "speed-up"))
    results = []
    for what, items in long_texts():
        # Repeat the set until one pass takes about a second on one thread.
        t = py_threads(items, 1, 1)
        reps = max(1, int((0.3 if quick else 1.0) / max(t, 1e-6)))
        items = items * reps
        raw = [x.encode("utf-8") if isinstance(x, str) else x for x in items]
        size = sum(len(b) for b in raw)
        recfile = os.path.join(workdir, "long.rec")
        write_records(recfile, raw)
        label = "%s x%d, %.1f MB" % (what, reps, size / 1e6)
        for name, run in (("C alone", lambda k: c_time(exe, module, recfile, k, 1, rounds)),
                          ("Python", lambda k: py_threads(items, k, rounds))):
            one = run(1)
            four = run(4)
            results.append((what, name, one, four))
            print("  %-38s %-8s %7.2f MB/s %7.2f MB/s %8.2fx" % (label, name, size / one / 1e6,
                                                               size / four / 1e6, one / four))
            label = ""
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer calls and rounds")
    ap.add_argument("--only", choices=("overhead", "threads"), help="run one of the two parts")
    args = ap.parse_args()
    module = _libfix.__file__
    print("libfix %s, Python %s, module %s" % (libfix.__version__, sys.version.split()[0], module))
    print("CPUs: %d, load average before: %.2f %.2f %.2f" % ((os.cpu_count() or 0,) + os.getloadavg()))
    with tempfile.TemporaryDirectory(prefix="bench-python-") as workdir:
        exe = build_baseline(workdir)
        if args.only != "threads":
            overhead(exe, module, workdir, args.quick)
        if args.only != "overhead":
            scaling(exe, module, workdir, args.quick)
    print("load average after: %.2f %.2f %.2f" % os.getloadavg())


if __name__ == "__main__":
    main()
