"""Profile one run of ours with pyinstrument when a figure misses its target.

The full call tree goes to `benchmarks/out/profile-<slug>.txt`; the report gets the hot frames:
every frame of our code (pipelines/, dashboard/) that takes at least `MIN_SHARE` of the run, with
its share and its self share (time in the frame itself, which includes C extensions it calls:
DuckDB executing SQL, polars kernels), plus the library calls directly under it that cross the
threshold.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from benchmarks.common import OUT, log

MIN_SHARE = 0.03
MAX_LINES = 40
OUR_CODE = ("pipelines/", "dashboard/")


@dataclass
class HotFrame:
    depth: int
    function: str
    where: str
    seconds: float
    share: float
    self_share: float | None  # None for library frames (not expanded)

    def to_json(self) -> dict:
        return {
            "depth": self.depth,
            "function": self.function,
            "where": self.where,
            "seconds": round(self.seconds, 3),
            "percent": round(100 * self.share, 1),
            "self_percent": None if self.self_share is None else round(100 * self.self_share, 1),
        }

    def line(self) -> str:
        own = "" if self.self_share is None else f" (self {100 * self.self_share:.0f}%)"
        return (
            f"{'  ' * self.depth}{self.function} [{self.where}] "
            f"{self.seconds:.2f} s, {100 * self.share:.0f}%{own}"
        )


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:80]


def profile(name: str, run: Callable[[], object]) -> dict:
    """Run `run` once under pyinstrument; write the tree; return the hot frames and the file name."""
    from pyinstrument import Profiler

    log(f"profiling: {name}")
    profiler = Profiler(interval=0.001)
    profiler.start()
    try:
        run()
    finally:
        profiler.stop()
    return summarise(profiler, name)


def summarise(profiler, name: str) -> dict:
    """The hot frames of a stopped pyinstrument profiler; its full tree is written to OUT."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"profile-{slug(name)}.txt"
    path.write_text(profiler.output_text(unicode=False, color=False, show_all=False), encoding="utf-8")
    frame = profiler.last_session.root_frame()
    root = _collapse(frame) if frame is not None else None
    total = root.time if root is not None else 0.0
    hot: list[HotFrame] = []
    if root is not None and total > 0:
        _walk(root, total, 0, hot)
    return {
        "seconds": round(total, 3),
        "file": path.name,
        "hot_frames": [h.to_json() for h in hot],
        "text": [h.line() for h in hot],
        "headline": headline(hot),
    }


def headline(hot: list[HotFrame], n: int = 3) -> str:
    """Where the time is actually spent: the largest self times of our frames and library leaves."""
    spots = [(h.self_share if h.self_share is not None else h.share, h) for h in hot]
    spots = sorted((x for x in spots if x[0] >= MIN_SHARE), key=lambda x: -x[0])[:n]
    return "; ".join(f"{h.function} [{h.where}] {100 * share:.0f}%" for share, h in spots)


@dataclass
class _Node:
    """A call-tree node with identical sibling calls merged (repeated runs add up)."""

    function: str
    file_path: str | None
    file_path_short: str | None
    line_no: int | None
    time: float = 0.0
    kids: dict = field(default_factory=dict)

    @property
    def children(self) -> list[_Node]:
        return list(self.kids.values())


def _collapse(frame, node: _Node | None = None) -> _Node:
    node = node or _Node(frame.function, frame.file_path, frame.file_path_short, frame.line_no)
    node.time += frame.time
    for child in frame.children:
        key = (child.function, child.file_path, child.line_no)
        if key not in node.kids:
            node.kids[key] = _Node(child.function, child.file_path, child.file_path_short, child.line_no)
        _collapse(child, node.kids[key])
    return node


def _ours(frame) -> bool:
    path = (frame.file_path or "").replace("\\", "/")
    return any(f"/{p}" in path for p in OUR_CODE) and "/site-packages/" not in path


def _where(frame) -> str:
    path = (frame.file_path or "").replace("\\", "/")
    for p in OUR_CODE:
        if f"/{p}" in path:
            path = p + path.split(f"/{p}", 1)[1]
            break
    else:
        path = frame.file_path_short or path
    return f"{path}:{frame.line_no}" if frame.line_no else path


def _has_ours(frame, total: float) -> bool:
    return any(c.time / total >= MIN_SHARE and (_ours(c) or _has_ours(c, total)) for c in frame.children)


def _walk(frame, total: float, depth: int, hot: list[HotFrame]) -> None:
    """Our frames nest by depth; library frames between two of ours are skipped; a library frame
    with none of ours under it is shown as a leaf (that is where the time goes)."""
    for child in sorted(frame.children, key=lambda c: -c.time):
        if child.time / total < MIN_SHARE or len(hot) >= MAX_LINES:
            continue
        if _ours(child):
            own = child.time - sum(c.time for c in child.children)
            hot.append(
                HotFrame(depth, child.function, _where(child), child.time, child.time / total, own / total)
            )
            _walk(child, total, depth + 1, hot)
        elif _has_ours(child, total):
            _walk(child, total, depth, hot)
        else:
            hot.append(HotFrame(depth, _chain(child), _where(child), child.time, child.time / total, None))


def _chain(node, steps: int = 3) -> str:
    """A library frame named with its heaviest callees (`wrapped_func > altair_chart > ...`), so a
    generic wrapper shows what it wraps."""
    names = [node.function]
    for _ in range(steps):
        kids = [c for c in node.children if c.time >= 0.5 * node.time]
        if not kids:
            break
        node = max(kids, key=lambda c: c.time)
        names.append(node.function)
    return " > ".join(names)
