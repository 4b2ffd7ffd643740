"""One place that renders results as a table (for people), JSON or CSV.

Every listing command passes its rows here with the user's ``--format``; the
formats cannot conflict because there is only one option.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal

__all__ = ["Format", "FORMATS", "render", "render_pieces", "render_table", "cell", "Rendered",
           "JSONText", "item_text", "row_text", "nesting", "StatusLine"]

Format = Literal["table", "json", "csv"]
FORMATS: tuple[str, ...] = ("table", "json", "csv")


def cell(value: Any, *, joiner: str = ", ") -> str:
    """A value as one line of text: lists are joined, chains shown with arrows."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return str(value.get("source") or value.get("id") or json.dumps(value))
    if isinstance(value, list | tuple):
        if value and all(isinstance(v, list | tuple) for v in value):
            return " | ".join(" > ".join(map(str, v)) for v in value)
        return joiner.join(cell(v) for v in value)
    return str(value)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 1)] + "…"


def render_table(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    """Rows as aligned columns; the widest column is clipped to fit the terminal."""
    if not rows:
        return "(nothing)"
    cols = list(columns or rows[0].keys())
    cells = [[cell(r.get(c)) for c in cols] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    room = max(shutil.get_terminal_size((120, 24)).columns, 80)
    floor = [max(len(c), 8) for c in cols]
    floor[0] = widths[0]  # never clip the first column: it holds the ids people copy
    # Shrink the last column (usually free text) first, then the widest others.
    while sum(widths) + 2 * (len(widths) - 1) > room:
        if widths[-1] > max(floor[-1], 30):
            widths[-1] -= 1
            continue
        shrinkable = [i for i, w in enumerate(widths) if w > floor[i]]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda i: widths[i])
        widths[widest] -= 1
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(cols, widths, strict=True)).rstrip()]
    for row in cells:
        lines.append(
            "  ".join(_clip(v, w).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
        )
    return "\n".join(lines)


def _csv(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None) -> str:
    buf = io.StringIO()
    cols = list(columns or (rows[0].keys() if rows else []))
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(cols)
    for row in rows:
        writer.writerow([cell(row.get(c), joiner="; ") for c in cols])
    return buf.getvalue().rstrip("\n")


class Rendered(dict):  # type: ignore[type-arg]
    """A row that carries its own JSON text (as an item of a list), made once.

    Kept answers (:mod:`provenance.answers`) are stored with their text: writing a
    million of them is then a copy, not a million runs of Python's JSON encoder.
    """

    __slots__ = ("text", "depth")

    def __init__(self, row: dict[str, Any], text: str | None = None,
                 depth: int | None = None) -> None:
        super().__init__(row)
        self.depth = nesting(row) if depth is None else depth
        self.text = item_text(row) if text is None else text


class JSONText:
    """A row known only by its JSON text (as :class:`Rendered` writes it) and depth:
    what printing kept answers as JSON needs, without decoding them.

    The depth may be unknown (None): a row just computed is printed from its text,
    and its depth matters only if the row nests nearly as deep as :data:`_DEEP`, which
    its text's indentation tells (:func:`_shallow`). Counting every computed report
    row's depth was 2 us a row (a million: 2 s).
    """

    __slots__ = ("text", "depth")

    def __init__(self, text: str, depth: int | None = None) -> None:
        self.text, self.depth = text, depth

    def decoded(self) -> Rendered:
        return Rendered(text_row(self.text), self.text, self.depth)


def item_text(item: Any) -> str:
    """*item* as ``json.dumps(list, indent=2)`` writes it inside a list."""
    return "  " + json.dumps(item, indent=2, ensure_ascii=False).replace("\n", "\n  ")


def row_text(row: Any) -> str:
    """:func:`item_text` of a row that holds no float, fifty times faster.

    Python's encoder is written in Python when it indents (25 us a report row: half a
    minute for a million kept answers); orjson's ``OPT_INDENT_2`` writes the same text
    for strings, integers, booleans, None, lists and objects (``tests/test_output.py``
    compares them), but not for floats (``1e-07`` against ``1e-7``, ``NaN`` against
    ``null``), hence the rows this is for: the statements' answers. What orjson refuses
    (a lone surrogate, an integer beyond 64 bits, nesting beyond 255) goes to Python's.
    """
    import orjson  # here: a question about one statement never needs it

    try:
        # The row as the one item of a list: orjson indents it as an item of a list
        # is indented, and only the brackets' lines are cut off (a third faster than
        # indenting the row's own text again: a million report rows, 0.6 s)
        return orjson.dumps([row], option=orjson.OPT_INDENT_2)[2:-2].decode()
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return item_text(row)


def text_row(text: str) -> Any:
    """The statement's answer whose JSON text is *text* (as :func:`row_text` or
    :func:`item_text` wrote it), as ``json.loads`` reads it.

    Read by orjson, which makes one string for each key name it meets, where Python's
    decoder makes new ones for every row: a hundred thousand report rows held 191 MB
    instead of 286 MB, and were read in 1.7 us each instead of 4.3 us. What orjson
    refuses (a lone surrogate) goes to Python's. An answer's integers are counts:
    orjson would read one beyond 64 bits as a float, and looking for such numbers (a
    regular expression, 5 to 10 us a row) cost more than the reading saved.
    """
    import orjson

    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def render_pieces(data: Any, fmt: str, **kwargs: Any) -> Iterator[str]:
    """:func:`render`'s text in pieces, to be written one after the other (a long JSON
    list item by item, never held whole)."""
    if fmt == "json" and isinstance(data, list) and data and _shallow(data):
        yield from _list_pieces(data)
        return
    if isinstance(data, list):
        data = [item.decoded() if isinstance(item, JSONText) else item for item in data]
    yield render(data, fmt, **kwargs)


def _list_pieces(data: list[Any]) -> Iterator[str]:
    """A list no deeper than :data:`_DEEP` as ``json.dumps(data, indent=2)`` writes it."""
    yield "[\n"
    for i, item in enumerate(data):
        text = item.text if isinstance(item, Rendered | JSONText) else item_text(item)
        yield text + ("\n]" if i == len(data) - 1 else ",\n")


def _shallow(data: list[Any]) -> bool:
    """Whether a list of rows nests at most :data:`_DEEP` deep (so is written indented;
    a rendered row knows its own depth, or its text shows it is far from that)."""
    for item in data:
        if isinstance(item, JSONText) and item.depth is None:
            # An item's text indents a level two spaces more: a row whose lines are all
            # indented less than twice _DEEP nests less deep than _DEEP (counted only
            # for one that may not)
            if _DEEP_LINE not in item.text:
                continue
            item.depth = nesting(json.loads(item.text))
        depth = item.depth if isinstance(item, Rendered | JSONText) else nesting(item)
        if depth + 1 > _DEEP:
            return False
    return True


def render(
    data: Any,
    fmt: str,
    *,
    columns: Sequence[str] | None = None,
    human: Callable[[Any], str] | None = None,
    rows: Callable[[Any], list[dict[str, Any]]] | None = None,
) -> str:
    """Render *data* as *fmt*.

    ``json`` dumps *data* as it is (the contract). ``table`` uses *human* if given,
    else aligned *columns* of the rows; ``csv`` writes the rows. *rows* turns
    non-list data into rows for ``table`` and ``csv``.
    """
    if fmt == "json":
        return _json(data)
    table_rows = rows(data) if rows else data
    if fmt == "csv":
        return _csv(table_rows, columns)
    if human is not None:
        return human(data)
    return render_table(table_rows, columns)


_DEEP = 64  # nesting beyond which JSON is written compact (a chain of many relays)
_DEEP_LINE = "\n" + " " * (2 * _DEEP)  # a line of an item's text indented that deep


def nesting(data: Any) -> int:
    """How deep lists and objects nest in *data* (without recursing).

    Level by level: a level's children are gathered with ``list.extend`` (no tuple per
    value), twice as fast as a stack of (value, depth) pairs on a report row.
    """
    deepest, level = 0, [data]
    while level:
        below: list[Any] = []
        containers = False
        for value in level:
            if isinstance(value, dict):
                below.extend(value.values())
                containers = True
            elif isinstance(value, list):
                below.extend(value)
                containers = True
        if not containers:
            break
        deepest += 1
        level = below
    return deepest


def _json(data: Any) -> str:
    """Indented JSON; compact when it nests deeply (indenting 10,000 levels is 1 GB).

    Python's encoder recurses once per level: the limit is raised for a deep value.
    """
    if isinstance(data, list) and data and _shallow(data):
        return "".join(_list_pieces(data))  # item by item, the same text
    depth = nesting(data)
    if depth <= _DEEP:
        return json.dumps(data, indent=2, ensure_ascii=False)
    import sys

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 2 * depth + 1000))
    try:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    finally:
        sys.setrecursionlimit(limit)


class StatusLine:
    """How far a long question or ingest is, on one line of a terminal's standard error.

    A whole-store question with no kept answers computes every statement's answer (a
    million statements: one to two minutes); a bulk ingest of a million statements
    takes several minutes. This line says what it is doing; it is
    written only to a terminal, only once the question has taken *delay* seconds (a
    quick answer shows nothing), at most every *every* seconds, and :meth:`clear`
    wipes it before the answer is printed. Call it with (done, total, what); a total
    of 0 names a step without a count.
    """

    def __init__(self, stream: Any, delay: float = 1.0, every: float = 0.5) -> None:
        import threading
        import time

        self._stream, self._delay, self._every = stream, delay, every
        self._clock = time.monotonic
        self._start = self._clock()
        self._last = -every
        self._width = 0  # characters on the line now
        self._what = ""  # what the last count shown counted
        self._lock = threading.Lock()
        self._timer: Any = None

    def __call__(self, done: int, total: int, what: str) -> None:
        text = f"{what}: {done:,} of {total:,} ({100 * done // total}%)" if total else f"{what}..."
        wait = self._delay - (self._clock() - self._start)
        if wait > 0:
            # a step named early is shown when the delay is up, if nothing replaced it
            self._schedule(wait, text)
            return
        if (total and done < total and what == self._what
                and self._clock() - self._last < self._every):
            return
        self._what = what
        self._schedule(0, text)

    def _schedule(self, wait: float, text: str) -> None:
        import threading

        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if wait <= 0:
                self._show(text)
                return
            self._timer = threading.Timer(wait, self._later, (text,))
            self._timer.daemon = True
            self._timer.start()

    def _later(self, text: str) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer = None
                self._show(text)

    def _show(self, text: str) -> None:
        text = text[: max(10, shutil.get_terminal_size().columns - 1)]
        self._stream.write("\r" + text + " " * max(0, self._width - len(text)))
        self._stream.flush()
        self._width, self._last = len(text), self._clock()

    def clear(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._width:
                self._stream.write("\r" + " " * self._width + "\r")
                self._stream.flush()
                self._width = 0
