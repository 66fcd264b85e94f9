"""Memory freed by one source's intake given back to the system before the next one starts.

The intake's text and tables live in Arrow's allocator; pandas' and numpy's own arrays (masks,
positions, row numbers, the quarantine's Python objects) live in the C library's ``malloc``. At
a million employees glibc kept about 400 MB of the latter freed but not returned after the
results were de-duplicated (measured with ``mallinfo2``), memory Arrow's allocator cannot reuse:
the linking phase then grew the process past 4 GiB on top of it. ``malloc_trim(0)`` hands those
free pages back (a few milliseconds; the pages are zeroed again only if reused). Where the C
library has no ``malloc_trim`` (macOS, musl) this does nothing.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None


_TRIM = _malloc_trim()


def give_back_freed_memory() -> bool:
    """Return the C library's free pages to the system; True if it could be asked to."""
    if _TRIM is None:
        return False
    _TRIM(0)
    return True
