"""Shared fixtures: the golden vectors that the C, Python and Lua tests all read, and a sample
of the shared development benchmark (golden vectors stand in when it is absent)."""
import base64
import json
import os
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SOURCE_DIR = Path(os.environ.get("LIBFIX_SOURCE_DIR") or HERE.parents[2])
GOLDEN = Path(os.environ.get("LIBFIX_GOLDEN") or SOURCE_DIR / "tests" / "vectors" / "golden.jsonl")
# the development benchmark lives beside the repository, in ../shared/bench
DEV_BENCH = Path(os.environ.get("LIBFIX_DEV_BENCH") or SOURCE_DIR.parent / "shared" / "bench" / "dev-bench.jsonl")


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "engine: checks the repair engine's results (golden vectors, header contracts), not "
        "the binding; deselect with -m 'not engine' to test the binding alone")


def record_input(rec):
    """A record's input: str, or bytes when the record holds raw bytes (input_b64)."""
    if "input_b64" in rec:
        return base64.b64decode(rec["input_b64"])
    return rec["input"]


def load_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def golden_vectors():
    """The golden records, or [] when the file is not there (an installed copy of the tests)."""
    return load_jsonl(GOLDEN) if GOLDEN.is_file() else []


def sample_inputs(n=200):
    """About n inputs spread evenly over the dev benchmark (all kinds of damage), or every
    golden input when the benchmark is absent."""
    if DEV_BENCH.is_file():
        records = load_jsonl(DEV_BENCH)
        step = max(1, len(records) // n)
        return [record_input(r) for r in records[::step][:n]]
    return [record_input(r) for r in golden_vectors()]


@pytest.fixture(scope="session")
def golden():
    vectors = golden_vectors()
    if not vectors:
        pytest.skip("golden vectors not found at %s (set LIBFIX_GOLDEN)" % GOLDEN)
    return vectors


@pytest.fixture(scope="session")
def inputs():
    """About 200 inputs of every kind of damage, str and bytes, clean and damaged: a sample of
    the dev benchmark. Some are slow to repair; tests that loop use small_inputs."""
    data = sample_inputs()
    if not data:
        pytest.skip("neither %s nor %s found" % (DEV_BENCH, GOLDEN))
    return data


@pytest.fixture(scope="session")
def reference(inputs):
    """libfix.explain() of each of inputs, computed once, in this thread."""
    import libfix
    return [libfix.explain(x) for x in inputs]


@pytest.fixture(scope="session")
def small_inputs():
    """The golden inputs: every input type, quick to repair, for tests that repeat work."""
    data = [record_input(r) for r in golden_vectors()]
    return data or ["发送成功", "å‘é€æˆåŠŸ", b"\xb7\xa2\xcb\xcd\xb3\xc9\xb9\xa6", "", "中文\x00文本"]
