"""Threads: results equal to single-threaded ones, shared objects, and the GIL released while
the C library works."""
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import libfix

ROUNDS = 20


def test_thread_pool_matches_single_thread(inputs, reference):
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(libfix.explain, inputs)) == reference


def test_thread_pool_many_rounds(small_inputs):
    work = list(small_inputs) * ROUNDS
    expected = [libfix.explain(x) for x in work]
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(libfix.explain, work)) == expected
        assert list(pool.map(libfix.repair, work)) == [r.text for r in expected]


def test_one_repairer_shared_by_many_threads(small_inputs):
    inputs = small_inputs
    r = libfix.Repairer(target="keep")
    expected = [r.explain(x) for x in inputs]
    results = {}
    start = threading.Barrier(8)

    def run(k):
        start.wait()
        for _ in range(ROUNDS):
            out = [r.explain(x) for x in inputs]
        results[k] = out

    threads = [threading.Thread(target=run, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 8
    for out in results.values():
        assert out == expected


def test_repairers_made_and_dropped_in_threads(small_inputs):
    sample = list(small_inputs)[:20]

    def run(k):
        r = libfix.Repairer(target=("hans", "keep")[k % 2], max_depth=1 + k % 3)
        return [r.repair(x) for x in sample]

    with ThreadPoolExecutor(max_workers=4) as pool:
        outs = list(pool.map(run, range(32)))
    for k, out in enumerate(outs):
        r = libfix.Repairer(target=("hans", "keep")[k % 2], max_depth=1 + k % 3)
        assert out == [r.repair(x) for x in sample]


def test_detect_in_threads(inputs):
    raw = [x if isinstance(x, bytes) else x.encode("utf-8") for x in inputs] * 5
    expected = [libfix.detect(x) for x in raw]
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(libfix.detect, raw)) == expected


def _slow_input():
    """Damaged text (UTF-8 read as Latin-1) that keeps the C library busy for at least 0.2 s
    (capped at 32 MB); clean text goes by too fast to measure anything."""
    unit = "我们明天上午十点在会议室讨论新版本的发布计划。这个程序会读取配置文件并启动后台服务。\n"
    unit = unit.encode("utf-8").decode("latin-1")
    text = unit * 64
    while True:
        t0 = time.perf_counter()
        libfix.repair(text)
        took = time.perf_counter() - t0
        if took >= 0.2 or len(text) * 3 >= 32 << 20:
            return text, took
        text = text * 2


def test_gil_is_released_during_repair():
    # While another thread is inside libfix_repair, this thread must keep running. If the
    # GIL were held, this loop would stall for the whole C call.
    text, took = _slow_input()
    done = threading.Event()
    worker = threading.Thread(target=lambda: (libfix.repair(text), done.set()))
    longest_gap = 0.0
    last = time.perf_counter()
    worker.start()
    while not done.is_set():
        now = time.perf_counter()
        longest_gap = max(longest_gap, now - last)
        last = now
    worker.join()
    assert longest_gap < took / 2, (longest_gap, took)
