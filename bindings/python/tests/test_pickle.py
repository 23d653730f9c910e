"""Pickling: a Repairer travels as its options and is rebuilt; results travel as tuples."""
import copy
import multiprocessing
import pickle

import pytest

import libfix
from libfix import _libfix

OPTIONS = [
    {},
    {"target": "keep"},
    {"target": "hans", "max_depth": 1, "fullwidth": True, "text_layers": False},
    {"target": "keep", "max_depth": 2, "fullwidth": False, "text_layers": True},
]


def options(r):
    return (r.target, r.max_depth, r.fullwidth, r.text_layers)


@pytest.mark.parametrize("kwargs", OPTIONS)
@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_repairer_pickles_by_its_options(kwargs, protocol, small_inputs):
    inputs = small_inputs
    r = libfix.Repairer(**kwargs)
    r.repair("warm up the context pool")
    blob = pickle.dumps(r, protocol=protocol)
    assert b"Context" not in blob  # only the options travel
    back = pickle.loads(blob)
    assert type(back) is libfix.Repairer and back is not r
    assert options(back) == options(r)
    assert back._ctx is not r._ctx
    assert [back.explain(x) for x in inputs] == [r.explain(x) for x in inputs]


def test_copy_and_deepcopy():
    r = libfix.Repairer(target="keep", max_depth=2)
    for c in (copy.copy(r), copy.deepcopy(r)):
        assert options(c) == options(r) and c._ctx is not r._ctx
        assert c.repair("這個設定") == r.repair("這個設定")


def test_subclass_pickles_as_itself():
    back = pickle.loads(pickle.dumps(Sub(target="keep")))
    assert type(back) is Sub and back.target == "keep"


class Sub(libfix.Repairer):
    __slots__ = ()


def test_repair_result_pickles():
    r = libfix.explain("å‘é€æˆåŠŸ")
    back = pickle.loads(pickle.dumps(r))
    assert back == r and type(back) is libfix.Repair


def test_bound_method_pickles():
    r = libfix.Repairer(target="keep")
    fn = pickle.loads(pickle.dumps(r.repair))
    assert fn("這個設定") == r.repair("這個設定")
    assert pickle.loads(pickle.dumps(libfix.repair)) is libfix.repair


def test_the_c_context_does_not_pickle():
    with pytest.raises(TypeError):
        pickle.dumps(_libfix.Context())


def test_multiprocessing_spawn(small_inputs):
    r = libfix.Repairer(target="keep")
    sample = list(small_inputs)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        assert pool.map(r.explain, sample, chunksize=5) == [r.explain(x) for x in sample]
