"""The whole public API: types in and out, options, every error, edge inputs."""
import array
import mmap
import re
import sys

import pytest

import libfix
from conftest import record_input
from libfix import _libfix

CLEAN = "文件不存在，请检查路径。"
DAMAGED = "æ–‡ä»¶ä¸\x8då\xad˜åœ¨ï¼Œè¯·æ£€æŸ¥è·¯å¾„ã€‚"  # the UTF-8 of CLEAN read as Windows-1252


# ---- module -------------------------------------------------------------------------------

def test_version_comes_from_the_c_library():
    assert libfix.__version__ == _libfix.version()
    assert libfix.__version__ == _libfix.HEADER_VERSION
    assert re.fullmatch(r"\d+\.\d+\.\d+", libfix.__version__)


def test_all_names_exist():
    for name in libfix.__all__:
        assert hasattr(libfix, name), name


def test_docstrings():
    for obj in (libfix, libfix.repair, libfix.explain, libfix.detect, libfix.Repairer,
                libfix.Repairer.repair, libfix.Repairer.explain, libfix.Repairer.detect,
                libfix.Repair):
        assert obj.__doc__ and obj.__doc__.strip(), obj


def test_typing_files_are_shipped():
    from pathlib import Path
    pkg = Path(libfix.__file__).parent
    assert (pkg / "py.typed").is_file()
    assert (pkg / "_libfix.pyi").is_file()


# ---- input types ----------------------------------------------------------------------------

def bytes_likes(b):
    """The same bytes as every kind of bytes-like object."""
    yield "bytes", b
    yield "bytearray", bytearray(b)
    yield "memoryview", memoryview(b)
    yield "readonly memoryview of bytearray", memoryview(bytearray(b)).toreadonly()
    yield "array", array.array("B", b)
    padded = bytes(x for c in b for x in (c, 0))
    yield "strided memoryview", memoryview(padded)[::2]
    m = mmap.mmap(-1, max(1, len(b)))
    m.write(b)
    yield "mmap", memoryview(m)[:len(b)]


@pytest.mark.parametrize("text", [CLEAN, DAMAGED, "plain ASCII", "", "中文\x00文本"])
def test_str_and_every_bytes_like_agree(text):
    expected = libfix.repair(text)
    assert type(expected) is str
    for kind, b in bytes_likes(text.encode("utf-8")):
        assert libfix.repair(b) == expected, kind
        assert libfix.explain(b) == libfix.explain(text), kind


@pytest.mark.parametrize("size", [1, 511, 512, 513, 100_000])
def test_mutable_buffers_of_every_size(size):
    # Buffers are copied on the stack up to 512 bytes and on the heap beyond.
    data = ("发送成功" * size).encode("utf-8")[:size * 3]
    assert libfix.repair(bytearray(data)) == libfix.repair(data)


def test_bytearray_is_not_locked_after_the_call():
    b = bytearray("发送成功".encode("utf-8"))
    libfix.repair(b)
    b.extend(b"!")  # raises BufferError if an export was leaked
    assert b.endswith(b"!")


def test_clean_str_is_returned_as_the_same_object():
    s = "".join(["文件", "不存在"])  # not interned
    assert libfix.repair(s) is s
    assert libfix.explain(s).text is s


def test_str_subclass_gives_a_plain_str():
    class Text(str):
        pass
    out = libfix.repair(Text(CLEAN))
    assert type(out) is str and out == CLEAN


def test_no_reference_leaks():
    s = "".join(["文件", "不存在"])
    b = s.encode("utf-8")
    before = sys.getrefcount(s), sys.getrefcount(b)
    for _ in range(1000):
        libfix.repair(s)
        libfix.repair(b)
        libfix.explain(s)
        libfix.detect(b)
    assert (sys.getrefcount(s), sys.getrefcount(b)) == before


# ---- empty input, NUL, invalid bytes, size ----------------------------------------------------

def test_empty_input():
    assert libfix.repair("") == ""
    assert libfix.repair(b"") == ""
    assert libfix.repair(bytearray()) == ""
    r = libfix.explain(b"")
    assert r.text == "" and r.steps == () and not r.changed and not r.lossy
    assert not r.unrecoverable
    assert isinstance(libfix.detect(b""), list) and libfix.detect(b"")


@pytest.mark.engine
def test_empty_input_is_detected_as_utf8():
    # include/libfix.h: 'Empty input gives one guess, "UTF-8" (ASCII is UTF-8).'
    assert [g for g, _ in libfix.detect(b"")] == ["UTF-8"]


@pytest.mark.parametrize("text", ["中文\x00文本", "\x00", "\x00\x00abc", "abc\x00", "a\x00b"])
def test_embedded_nul_is_an_ordinary_character(text):
    assert libfix.repair(text) == text
    assert libfix.repair(text.encode("utf-8")) == text
    assert not libfix.explain(text).changed


def test_invalid_bytes_give_valid_text():
    for data in (b"\xff", b"\xff\xfe\xfd\x80", b"\x80" * 33, bytes(range(256))):
        out = libfix.repair(data)
        assert isinstance(out, str)
        out.encode("utf-8")  # valid UTF-8: no surrogates came back
        r = libfix.explain(data)
        assert r.text == out


def test_large_clean_input_round_trips():
    text = CLEAN * 50_000  # about 1.8 MB of UTF-8
    assert libfix.repair(text) == text
    assert libfix.repair(text.encode("utf-8")) == text


# ---- explain ---------------------------------------------------------------------------------

def test_explain_returns_a_repair():
    for data in (CLEAN, DAMAGED, DAMAGED.encode("utf-8"), "", b"\xff\xfe"):
        r = libfix.explain(data)
        assert isinstance(r, libfix.Repair) and isinstance(r, tuple)
        assert isinstance(r.text, str)
        assert isinstance(r.steps, tuple) and all(isinstance(s, str) and s for s in r.steps)
        assert isinstance(r.confidence, float) and 0.0 <= r.confidence <= 1.0
        for flag in (r.changed, r.lossy, r.unrecoverable, r.limited):
            assert type(flag) is bool
        assert r.text == libfix.repair(data)
        text_in = data if isinstance(data, str) else None
        if text_in is not None:
            assert r.changed == (r.text != text_in)
        else:
            assert r.changed == (r.text.encode("utf-8") != bytes(data))


def test_repair_is_immutable():
    r = libfix.explain(CLEAN)
    with pytest.raises(AttributeError):
        r.text = "x"
    assert r == libfix.Repair(*r) and hash(r) == hash(libfix.Repair(*r))


def test_clean_text_is_unchanged():
    r = libfix.explain(CLEAN)
    assert r.text == CLEAN and not r.changed and not r.lossy and not r.unrecoverable and not r.limited


@pytest.mark.engine
def test_garbage_is_left_as_it_came_and_flagged_limited():
    # Latin-1 letters in UTF-8: every pass reads them a little differently; the search stops
    # at its work limit and gives the text back
    import random
    rng = random.Random(5)
    text = "".join(chr(rng.randrange(0xA1, 0x100)) for _ in range(5000))
    r = libfix.explain(text)
    assert r.limited and not r.changed and r.text == text
    assert libfix.repair(r.text) == r.text


@pytest.mark.engine
def test_damaged_text_is_repaired_and_explained():
    r = libfix.explain(DAMAGED)
    assert r.text == CLEAN and r.changed and r.steps and not r.lossy


# ---- detect ----------------------------------------------------------------------------------

@pytest.mark.parametrize("data", [b"", b"hello", CLEAN.encode("utf-8"), CLEAN.encode("gbk"),
                                  CLEAN.encode("utf-16"), bytes(range(256))])
def test_detect_gives_ranked_guesses(data):
    guesses = libfix.detect(data)
    assert isinstance(guesses, list) and 1 <= len(guesses) <= 16
    for enc, conf in guesses:
        assert isinstance(enc, str) and enc and isinstance(conf, float) and 0.0 <= conf <= 1.0
    confs = [c for _, c in guesses]
    assert confs == sorted(confs, reverse=True)
    for kind, b in bytes_likes(data):
        assert libfix.detect(b) == guesses, kind


@pytest.mark.engine
def test_detect_finds_gbk_and_utf8():
    text = "我们明天上午十点在会议室讨论新版本的发布计划。"
    assert libfix.detect(text.encode("gbk"))[0][0] in ("GBK", "GB18030")
    assert libfix.detect(text.encode("utf-8"))[0][0] == "UTF-8"


# ---- Repairer ---------------------------------------------------------------------------------

def test_repairer_defaults_and_repr():
    r = libfix.Repairer()
    assert (r.target, r.max_depth, r.fullwidth, r.text_layers) == ("hans", 3, False, True)
    assert repr(r) == "Repairer(target='hans', max_depth=3, fullwidth=False, text_layers=True)"
    assert eval(repr(r), {"Repairer": libfix.Repairer}).__reduce__() == r.__reduce__()


@pytest.mark.parametrize("target", ["hans", "keep"])
@pytest.mark.parametrize("max_depth", [1, 2, 3])
@pytest.mark.parametrize("fullwidth", [False, True])
@pytest.mark.parametrize("text_layers", [False, True])
def test_every_option_combination(target, max_depth, fullwidth, text_layers):
    r = libfix.Repairer(target, max_depth, fullwidth, text_layers)
    assert (r.target, r.max_depth, r.fullwidth, r.text_layers) == (target, max_depth, fullwidth, text_layers)
    assert r.repair("发送成功") == "发送成功"
    assert r.explain(b"")[:2] == ("", ())
    assert r.detect(b"abc") == libfix.detect(b"abc")


@pytest.mark.parametrize("target", ["hans", "keep"])
def test_repairer_matches_module_functions(target, golden):
    r = libfix.Repairer(target=target)
    for rec in golden:
        data = record_input(rec)
        assert r.repair(data) == libfix.repair(data, target=target)
        assert r.explain(data) == libfix.explain(data, target=target)


def test_repairer_is_reusable():
    r = libfix.Repairer()
    first = [r.repair(x) for x in (CLEAN, DAMAGED, b"\xb7\xa2", "")]
    for _ in range(100):
        assert [r.repair(x) for x in (CLEAN, DAMAGED, b"\xb7\xa2", "")] == first


def test_target_keep_leaves_traditional_alone():
    assert libfix.repair("這個設定", target="keep") == "這個設定"
    assert libfix.Repairer("keep").repair("這個設定") == "這個設定"


# ---- errors ----------------------------------------------------------------------------------

BAD_DATA = [None, 1, 1.5, ["x"], object(), {"a": 1}]


@pytest.mark.parametrize("bad", BAD_DATA, ids=lambda x: type(x).__name__)
@pytest.mark.parametrize("call", ["repair", "explain", "Repairer.repair", "Repairer.explain"])
def test_wrong_data_type_is_a_type_error(call, bad):
    fn = getattr(libfix.Repairer(), call.split(".")[1]) if "." in call else getattr(libfix, call)
    with pytest.raises(TypeError, match=r"argument 'data' must be str or a bytes-like object, not '%s'"
                       % type(bad).__name__):
        fn(bad)


@pytest.mark.parametrize("bad", BAD_DATA + ["text"], ids=lambda x: type(x).__name__)
def test_detect_wants_bytes(bad):
    for fn in (libfix.detect, libfix.Repairer().detect):
        with pytest.raises(TypeError, match=r"detect\(\) argument 'data' must be a bytes-like object"):
            fn(bad)


@pytest.mark.parametrize("call", [libfix.repair, libfix.explain, libfix.Repairer().repair,
                                  libfix.Repairer().explain])
def test_lone_surrogate_is_a_value_error(call):
    with pytest.raises(ValueError, match=r"argument 'data' contains a lone surrogate U\+D800 at index 2") as e:
        call("ab\ud800c")
    assert isinstance(e.value.__cause__, UnicodeEncodeError)
    assert not isinstance(e.value, UnicodeError)


def test_surrogateescape_text_goes_in_as_bytes():
    raw = "发送成功".encode("gbk")
    s = raw.decode("utf-8", "surrogateescape")  # how os.fsdecode() and friends keep raw bytes
    with pytest.raises(ValueError):
        libfix.repair(s)
    assert libfix.repair(s.encode("utf-8", "surrogateescape")) == libfix.repair(raw)


@pytest.mark.parametrize("target,exc", [
    ("hant", ValueError), ("HANS", ValueError), ("", ValueError),
    (None, TypeError), (0, TypeError), (b"hans", TypeError), (["hans"], TypeError),
])
def test_bad_target(target, exc):
    for call in (lambda: libfix.repair("x", target=target),
                 lambda: libfix.explain("x", target=target),
                 lambda: libfix.Repairer(target=target),
                 lambda: libfix.Repairer(target)):
        with pytest.raises(exc, match="target"):
            call()


@pytest.mark.parametrize("kwargs,exc,name", [
    ({"max_depth": 0}, ValueError, "max_depth"),
    ({"max_depth": 4}, ValueError, "max_depth"),
    ({"max_depth": -1}, ValueError, "max_depth"),
    ({"max_depth": "3"}, TypeError, "max_depth"),
    ({"max_depth": 2.0}, TypeError, "max_depth"),
    ({"max_depth": True}, TypeError, "max_depth"),
    ({"max_depth": None}, TypeError, "max_depth"),
    ({"fullwidth": 1}, TypeError, "fullwidth"),
    ({"fullwidth": "yes"}, TypeError, "fullwidth"),
    ({"fullwidth": None}, TypeError, "fullwidth"),
    ({"text_layers": 0}, TypeError, "text_layers"),
    ({"text_layers": "no"}, TypeError, "text_layers"),
])
def test_bad_repairer_option(kwargs, exc, name):
    with pytest.raises(exc, match=name):
        libfix.Repairer(**kwargs)


def test_signatures_are_enforced():
    with pytest.raises(TypeError):
        libfix.repair("x", "hans")  # target is keyword-only
    with pytest.raises(TypeError):
        libfix.repair("x", targt="hans")
    with pytest.raises(TypeError):
        libfix.repair()
    with pytest.raises(TypeError):
        libfix.detect(b"x", target="hans")
    with pytest.raises(TypeError):
        libfix.Repairer(colour="red")


def test_context_is_initialised_once():
    ctx = _libfix.Context(_libfix.TARGET_HANS, 3, False, True)
    with pytest.raises(TypeError):
        ctx.__init__(_libfix.TARGET_KEEP, 3, False, True)
    assert ctx.repair(CLEAN) == CLEAN


def test_c_library_rejects_what_the_facade_would():
    # The facade checks options first, but the C layer does not trust it.
    with pytest.raises(ValueError, match="libfix"):
        _libfix.Context(7, 3, False, True)
    with pytest.raises(ValueError, match="libfix"):
        _libfix.Context(0, 9, False, True)


def test_library_error_type():
    assert issubclass(libfix.LibfixError, RuntimeError)
    assert libfix.LibfixError.__module__ == "libfix"


@pytest.mark.engine
def test_docstring_examples():
    import doctest
    failed, tried = doctest.testmod(libfix, verbose=False)
    assert tried >= 3 and failed == 0
