"""At most a few public page runs build at once: a bound on the server's memory under load.

Streamlit runs every session's script on a thread of its own, so under the load benchmark's 20 users
about 20 runs were in flight at once, each holding its frames, Arrow copies and messages until it
ended, while the GIL let only one of them run Python at a time. Runs beyond a few now wait at the door
instead: at sample scale 10 the server's peak RSS went from 492 to 459 MB under 20 users and from 647
to 496 MB under 50, where p95 also fell from 13.0 to 6.8 s (benchmarks/README.md, "Server memory").

Only the public read-only pages are gated: a coordinator's upload page waits on its loader process and
must not hold a slot meanwhile. Re-entrant per thread: a fragment inside a gated page run does not
wait for a slot its own run holds, and a fragment rerun on its own takes one.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from functools import wraps

# One run per core keeps the cores busy (DuckDB and Arrow work outside the GIL) without queueing
# Python work behind the GIL; at least two, so one slow run cannot hold up everyone.
SLOTS = int(os.environ.get("ATLAS_CONCURRENT_RUNS") or 0) or max(2, os.cpu_count() or 2)

_slots = threading.BoundedSemaphore(SLOTS)
_held = threading.local()


@contextmanager
def slot() -> Iterator[None]:
    """Hold one of the SLOTS while the block runs (at once if this thread already holds one)."""
    if getattr(_held, "depth", 0):
        _held.depth += 1
        try:
            yield
        finally:
            _held.depth -= 1
        return
    with _slots:
        _held.depth = 1
        try:
            yield
        finally:
            _held.depth = 0


def gated(fn: Callable) -> Callable:
    """`fn` runs holding a slot (for fragments, whose reruns do not pass through app.py)."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        with slot():
            return fn(*args, **kwargs)

    return wrapper


def run(page, gated: list) -> None:
    """Run the chosen st.Page, holding a slot if it is one of `gated`."""
    held = page.url_path in {p.url_path for p in gated}
    with slot() if held else nullcontext():
        page.run()
