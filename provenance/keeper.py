"""The writer of a whole store's kept answers, in a process of its own.

Started by :class:`provenance.answers._Writer` as ``python -m provenance.keeper INDEX
KIND plain|text``, it reads frames from its standard input (each an 8-byte length and
marshal data): lists of ``(statement, terms, row)`` (:func:`provenance.answers.blobs`),
then one dict of the touched terms to retire. It stages the rows in a temporary table
(in the index's folder: ``SQLITE_TMPDIR``), and only once it has that last frame copies
them into the index, in one transaction (:func:`provenance.answers.write_answers`): if
the input ends before it (the computing process died or was interrupted), nothing is
written, and the index is never locked while the question runs. Exit status 0 when the
answers are kept.
"""

from __future__ import annotations

import marshal
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO


class _Cut(Exception):
    """The input ended before its last frame."""


def _frames(stream: BinaryIO) -> Iterator[Any]:
    while True:
        head = stream.read(8)
        if len(head) < 8:
            raise _Cut
        size = int.from_bytes(head, "little")
        data = stream.read(size)
        if len(data) < size:
            raise _Cut
        yield marshal.loads(data)


def main(argv: list[str] | None = None) -> int:
    from .answers import blobs, write_answers
    from .store import lock_wait

    path, kind, form = argv if argv is not None else sys.argv[1:]
    frames = _frames(sys.stdin.buffer)
    try:
        first = next(frames)  # no transaction before the first rows come
    except _Cut:
        return 1
    last: dict[str, Any] = {}

    def rows() -> Iterator[tuple[str, list[str], Any]]:
        frame = first
        while not isinstance(frame, dict):
            yield from frame
            frame = next(frames)
        last.update(frame)

    def tail() -> tuple[set[str], set[str] | None]:
        named = last["named"]
        return set(last["touched"]), None if named is None else set(named)

    # mode=rw: an index removed meanwhile is not made again, empty; the index's lock is
    # waited for as long as the store's (the question's own environment says how long)
    db = sqlite3.connect(Path(path).as_uri() + "?mode=rw", uri=True, timeout=lock_wait(),
                         isolation_level=None)
    try:
        return 0 if write_answers(db, kind, blobs(rows(), form == "plain"), None, tail,
                                  staged=True) else 2
    except _Cut:
        return 1
    finally:
        db.close()


if __name__ == "__main__":
    sys.exit(main())
