# Type stubs for the C extension libfix._libfix (src/_libfix.c). The public, documented API
# is libfix/__init__.py; these describe what it builds on.
from typing import List, Tuple, Union, final

_Data = Union[str, bytes, bytearray, memoryview]
_BytesLike = Union[bytes, bytearray, memoryview]

CHANGED: int
LOSSY: int
UNRECOVERABLE: int
LIMITED: int
TARGET_HANS: int
TARGET_KEEP: int
HEADER_VERSION: str

class Error(RuntimeError): ...

@final
class Context:
    def __init__(self, target: int = ..., max_depth: int = ..., fullwidth: bool = ...,
                 text_layers: bool = ...) -> None: ...
    def repair(self, data: _Data, /) -> str: ...
    def explain(self, data: _Data, /) -> Tuple[str, Tuple[str, ...], float, int]: ...
    def detect(self, data: _BytesLike, /) -> List[Tuple[str, float]]: ...

def version() -> str: ...
