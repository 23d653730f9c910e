"""Repair garbled ("mojibake") Chinese text.

libfix undoes the damage that Chinese text suffers on its way between encodings: UTF-8 read
as GBK or Latin-1, GBK read as Latin-1, double-encoded UTF-8, HTML entities, ``\\u``
escapes, Traditional-to-Simplified conversion with inlined pinyin, and more. Text that is
already fine comes back unchanged, so it is safe to run over everything.

>>> import libfix
>>> libfix.repair("鍙戦€佹垚鍔?")         # UTF-8 read as GBK, its last byte lost
'发送成功'
>>> libfix.repair("·¢ËÍ³É¹¦")           # GBK read as Latin-1
'发送成功'
>>> libfix.repair("发送成功")             # clean text is returned as it is
'发送成功'

Input is a ``str`` or any bytes-like object (``bytes``, ``bytearray``, ``memoryview``, ...).
Bytes that are valid UTF-8 are treated as text; other bytes have their encoding detected and
are decoded first. Every function releases the GIL while the C library runs, and every object
here may be shared between threads.

A ``str`` is handed to the C library as UTF-8; a ``str`` holding a lone surrogate (for
instance one decoded with ``errors="surrogateescape"``) has no UTF-8 form and raises
``ValueError``. If such a string stands for raw bytes, pass
``s.encode("utf-8", "surrogateescape")`` instead: those bytes are then detected and decoded
like any others.

This module is a thin typed layer over the C extension ``libfix._libfix``; the behaviour is
the C library's (see ``include/libfix.h``).
"""

from __future__ import annotations

from typing import Dict, List, NamedTuple, Tuple, Union

from . import _libfix

__all__ = [
    "Repair",
    "Repairer",
    "LibfixError",
    "repair",
    "explain",
    "detect",
    "__version__",
]

#: Version of the libfix C library this module runs on ("MAJOR.MINOR.PATCH").
__version__: str = _libfix.version()

#: Raised for errors of the C library that no built-in exception describes.
LibfixError = _libfix.Error

BytesLike = Union[bytes, bytearray, memoryview]
"""Any object with the buffer protocol is accepted; these are the common ones."""

Data = Union[str, BytesLike]

_TARGETS = {"hans": _libfix.TARGET_HANS, "keep": _libfix.TARGET_KEEP}
_CHANGED = _libfix.CHANGED
_LOSSY = _libfix.LOSSY
_UNRECOVERABLE = _libfix.UNRECOVERABLE
_LIMITED = _libfix.LIMITED


class Repair(NamedTuple):
    """The outcome of one repair, as returned by :func:`explain`.

    A named tuple: immutable, hashable, picklable, and cheap to build.
    """

    text: str
    """The repaired text (the input itself when nothing was changed)."""
    steps: Tuple[str, ...]
    """The damage undone, in the order it was undone: ``"utf-8>gbk"``, ``"ncr"``, ``"t2s"``..."""
    confidence: float
    """How sure the library is of this output, in [0, 1]."""
    changed: bool
    """The text differs from the input."""
    lossy: bool
    """Bytes had been destroyed; some characters were guessed or replaced."""
    unrecoverable: bool
    """Damage was found that could not be undone."""
    limited: bool
    """The search reached its work limit (text that no repair settles, as garbage): the damage
    found was left as it came."""


def _check_target(target: object) -> int:
    if not isinstance(target, str):
        raise TypeError(f"target must be a str ('hans' or 'keep'), not {type(target).__name__!r}")
    try:
        return _TARGETS[target]
    except KeyError:
        raise ValueError(f"target must be 'hans' or 'keep', not {target!r}") from None


def _check_flag(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, not {type(value).__name__!r}")
    return value


def _explained(raw: Tuple[str, Tuple[str, ...], float, int]) -> Repair:
    text, steps, confidence, flags = raw
    return Repair(text, steps, confidence, bool(flags & _CHANGED), bool(flags & _LOSSY),
                  bool(flags & _UNRECOVERABLE), bool(flags & _LIMITED))


class Repairer:
    """A reusable repairer with fixed options.

    :param target: ``"hans"`` (default) converts Traditional Chinese to Simplified;
        ``"keep"`` repairs damage only and leaves the script as it is.
    :param max_depth: layers of byte-level damage searched, 1 to 3 (default 3).
    :param fullwidth: turn ASCII ``,:;?!()`` between Chinese characters into their
        full-width forms (default ``False``).
    :param text_layers: decode HTML entities, ``\\u`` escapes, ``%XX``, MIME encoded-words,
        HZ and quoted-printable where that gives better text (default ``True``).
    :raises TypeError: an option of the wrong type (the message names it).
    :raises ValueError: an option value out of range (the message names it).

    One ``Repairer`` may be used from any number of threads at once: each call in flight
    gets its own C context from a small pool that the object keeps, so threads never wait
    for each other. It pickles as its options and is rebuilt on unpickling, so it can be
    sent to ``multiprocessing`` or ``dask.distributed`` workers.
    """

    __slots__ = ("_ctx", "_options")

    def __init__(self, target: str = "hans", max_depth: int = 3, fullwidth: bool = False,
                 text_layers: bool = True) -> None:
        code = _check_target(target)
        if isinstance(max_depth, bool) or not isinstance(max_depth, int):
            raise TypeError(f"max_depth must be an int, not {type(max_depth).__name__!r}")
        if not 1 <= max_depth <= 3:
            raise ValueError(f"max_depth must be 1, 2 or 3, not {max_depth!r}")
        _check_flag("fullwidth", fullwidth)
        _check_flag("text_layers", text_layers)
        self._options = (target, max_depth, fullwidth, text_layers)
        self._ctx = _libfix.Context(code, max_depth, fullwidth, text_layers)

    @property
    def target(self) -> str:
        """``"hans"`` or ``"keep"``."""
        return self._options[0]

    @property
    def max_depth(self) -> int:
        """Layers of byte-level damage searched (1 to 3)."""
        return self._options[1]

    @property
    def fullwidth(self) -> bool:
        """Whether ASCII punctuation between Chinese characters becomes full-width."""
        return self._options[2]

    @property
    def text_layers(self) -> bool:
        """Whether entities, escapes and similar text encodings are decoded."""
        return self._options[3]

    def repair(self, data: Data) -> str:
        """Return the repaired text of ``data``, a ``str`` or a bytes-like object.

        :raises TypeError: ``data`` is neither a ``str`` nor bytes-like.
        :raises ValueError: ``data`` is a ``str`` with a lone surrogate.
        """
        return self._ctx.repair(data)

    def explain(self, data: Data) -> Repair:
        """Repair ``data`` and say what was done: a :class:`Repair`.

        :raises TypeError: ``data`` is neither a ``str`` nor bytes-like.
        :raises ValueError: ``data`` is a ``str`` with a lone surrogate.
        """
        return _explained(self._ctx.explain(data))

    def detect(self, data: BytesLike) -> List[Tuple[str, float]]:
        """Guess the encoding of raw bytes: ``[(encoding, confidence), ...]``, best first.

        Encodings are named as ``"UTF-8"``, ``"GBK"``, ``"GB18030"``, ``"BIG5"``,
        ``"UTF-16LE"``... Empty input gives ``[("UTF-8", ...)]``.

        :raises TypeError: ``data`` is not bytes-like (a ``str`` is already decoded).
        """
        return self._ctx.detect(data)

    def __reduce__(self) -> Tuple[type, Tuple[str, int, bool, bool]]:
        return (self.__class__, self._options)

    def __repr__(self) -> str:
        t, d, f, x = self._options
        return (f"{self.__class__.__name__}(target={t!r}, max_depth={d!r}, fullwidth={f!r}, "
                f"text_layers={x!r})")


# Contexts behind the module-level functions, one per target, made on first use. A Context
# is safe to share between threads (see Repairer), so one per target is enough.
_default: Dict[str, _libfix.Context] = {}


def _default_for(target: str) -> _libfix.Context:
    ctx = Repairer(target)._ctx  # checks target
    return _default.setdefault(target, ctx)


def repair(data: Data, *, target: str = "hans") -> str:
    """Return the repaired text of ``data``, a ``str`` or a bytes-like object.

    ``target="hans"`` (default) gives Simplified Chinese; ``target="keep"`` repairs damage
    but leaves the script alone. Clean ``str`` input is returned as the same object.
    Use a :class:`Repairer` for the other options.

    :raises TypeError: ``data`` is neither a ``str`` nor bytes-like, or ``target`` is not a str.
    :raises ValueError: ``target`` is unknown, or ``data`` is a ``str`` with a lone surrogate.
    """
    try:
        ctx = _default[target]
    except (KeyError, TypeError):
        ctx = _default_for(target)
    return ctx.repair(data)


def explain(data: Data, *, target: str = "hans") -> Repair:
    """Repair ``data`` and say what was done: a :class:`Repair` with the text, the steps
    undone, a confidence and the flags ``changed``, ``lossy``, ``unrecoverable`` and ``limited``.

    Arguments and errors are those of :func:`repair`.
    """
    try:
        ctx = _default[target]
    except (KeyError, TypeError):
        ctx = _default_for(target)
    return _explained(ctx.explain(data))


def detect(data: BytesLike) -> List[Tuple[str, float]]:
    """Guess the encoding of raw bytes: ``[(encoding, confidence), ...]``, best first.

    :raises TypeError: ``data`` is not bytes-like (a ``str`` is already decoded).
    """
    try:
        ctx = _default["hans"]
    except KeyError:
        ctx = _default_for("hans")
    return ctx.detect(data)
