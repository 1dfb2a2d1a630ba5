"""How the generator shows progress without knowing who watches: a factory of progress steps.

`progress(label, length)` is a context manager that yields `advance(steps)`; the command line hands in
progress bars on stderr, everyone else gets `silent`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

Advance = Callable[[int], None]
Progress = Callable[[str, int], AbstractContextManager[Advance]]


@contextmanager
def silent(_label: str, _length: int) -> Iterator[Advance]:
    yield lambda _steps: None
