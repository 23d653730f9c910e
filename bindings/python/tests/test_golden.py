"""The shared golden vectors (tests/vectors/golden.jsonl), which the C and Lua tests read too.

Tests marked `engine` check the repair itself and hold the binding to the C library's
promised behaviour; the others check that the binding gives the same answer whichever way
the input is passed."""
import pytest

import libfix
from conftest import golden_vectors, record_input

VECTORS = golden_vectors()
IDS = [v["name"] for v in VECTORS]


@pytest.mark.engine
@pytest.mark.parametrize("vec", VECTORS, ids=IDS)
def test_golden_repair(vec):
    data = record_input(vec)
    assert libfix.repair(data, target=vec["target"]) == vec["expected"]
    r = libfix.explain(data, target=vec["target"])
    assert r.text == vec["expected"]
    assert r.changed == vec["changed"]
    assert bool(r.steps) == vec["changed"]
    if vec["changed"]:
        assert not r.lossy and not r.unrecoverable  # every golden damage is lossless


@pytest.mark.parametrize("vec", VECTORS, ids=IDS)
def test_golden_input_forms_agree(vec):
    data = record_input(vec)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    r = libfix.explain(data, target=vec["target"])
    for form in (raw, bytearray(raw), memoryview(raw)):
        assert libfix.explain(form, target=vec["target"]) == r
    assert libfix.Repairer(target=vec["target"]).explain(data) == r


@pytest.mark.engine
@pytest.mark.parametrize("vec", [v for v in VECTORS if not v["changed"]],
                         ids=[v["name"] for v in VECTORS if not v["changed"]])
def test_golden_clean_text_comes_back_unchanged(vec):
    data = record_input(vec)
    r = libfix.explain(data, target=vec["target"])
    assert r.text == data and not r.changed and r.steps == ()


def test_golden_vectors_found():
    if not VECTORS:
        pytest.skip("golden vectors not found (set LIBFIX_GOLDEN)")
    assert len(VECTORS) >= 40
