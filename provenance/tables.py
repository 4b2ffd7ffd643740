"""The whole store's tables, kept on disk beside the citation index
(``<store>/citations.tables``).

The whole-store questions (``report``, ``single-source``, ``sources``, ``impact``)
first build every report's statement, source and citations from the index's rows
(:mod:`provenance.projection`): twenty million facts merged in dicts, about 30 s at a
million statements, the same work for every such question asked in a new process.
``report``, ``single-source`` and ``sources`` keep their answers
(:mod:`provenance.answers`), but ``impact`` cannot: each source is a new question. So
``impact`` keeps the tables of a large store here, and every whole-store question
that would build them reads them back instead: marshal reads them in about 8 s, its
references keeping one string object per IRI, as the builder made them.

They are used only while the store's graphs and their content hashes (the ones the
index trusts, :func:`provenance.index.hash_table`) are exactly those they were built
from, by the same code, which a digest of both records: any ingest, replacement or removal
changes it, and the tables are then built again. ``sparql --update`` may change a
graph without its hash; it drops this file with the index (:func:`forget`). Like the
index, derived data: a missing, damaged, or foreign file (another Python, another
format) is ignored and written again; a folder that cannot be written keeps none.

Why by hand: no library keeps Python dicts of millions of shared strings on disk and
reads them back this fast. pickle keeps the sharing too, and read a million statements'
tables about as fast (7.4 s against 8.0 s, written in 5.5 s against 3.6 s), but
unpickling runs whatever code the file names, and a store folder may come from someone
else: marshal makes plain values only. A database would make an object per value read,
which is what the builder does already.
"""

from __future__ import annotations

import fcntl
import hashlib
import marshal
import mmap
import os
import sys
import threading
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import _code

if TYPE_CHECKING:
    from .fastgraph import Citations
    from .projection import SourceInfo, StatementInfo

    Built = tuple[Citations, dict[str, StatementInfo], dict[str, SourceInfo]]

__all__ = ["FILE", "MIN_REPORTS", "stamp", "load", "save", "forget"]

FILE = "citations.tables"
#: Below this many reports the tables are built in a second or two: none is kept.
MIN_REPORTS = 100_000
_MAGIC = b"provenance-tables\n"
_FORMAT = 1  # the payload's layout below: a new layout, a new number
_KEY = 32  # bytes of the digest that follows the magic
_HEAD = len(_MAGIC) + _KEY


def stamp(store: Any, hashes: tuple[dict[str, str], list[Any]]) -> bytes | None:
    """What the tables of the store with these *hashes* are kept under: the digest of
    every graph with its content hash, of the code that builds them
    (:func:`provenance._code.digest`) and of what reads them back (this format, this
    Python's marshal). None where graphs without a content hash hold facts the tables
    read (written by hand: no digest covers them, so no tables are kept or read)."""
    from .index import _read_graph

    if any(any(_read_graph(store, g)) for g in hashes[1]):
        return None
    h = hashlib.blake2b(digest_size=_KEY)
    h.update(f"{_FORMAT} {marshal.version} {sys.version_info[:2]}\n".encode())
    h.update(_code.digest())
    for g, content in sorted(hashes[0].items()):
        h.update(f"{g}\t{content}\n".encode())
    return h.digest()


def load(folder: Path, stamp: bytes | None) -> Built | None:
    """The tables kept in *folder* under *stamp*, or None."""
    from .fastgraph import Citations
    from .projection import SourceInfo, StatementInfo

    if stamp is None:
        return None
    try:
        f = (folder / FILE).open("rb")
    except OSError:
        return None
    with f:
        try:
            if f.read(_HEAD) != _MAGIC + stamp:
                return None
            with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
                # From the mapped file: no copy of it on the heap beside the tables
                view = memoryview(mm)
                try:
                    payload = marshal.loads(view[_HEAD:])
                finally:
                    view.release()
            (source, statement, entry, succ, roots, statements, texts, sources) = payload
            infos = {s: StatementInfo(s, t, None)
                     for s, t in zip(statements, texts, strict=True)}
            info = {a: SourceInfo(a, label, type_, anonymous, kind, principals)
                    for a, (label, type_, anonymous, kind, principals) in sources.items()}
            c = Citations(source=source, statement=statement, entry=entry, succ=succ,
                          roots=roots)
        except (OSError, ValueError, EOFError, TypeError):
            return None  # damaged, or not what this code wrote: built again
    return c, infos, info


def save(folder: Path, stamp: bytes, built: Built) -> threading.Thread | None:
    """Keep *built*, the tables kept under *stamp*, if they are large enough to be worth
    it. The file is written on a thread of its own (returned, to be joined before the
    store's lock is let go); nothing is kept where the folder cannot be written."""
    c, infos, sources = built
    if len(c.source) < MIN_REPORTS:
        return None
    payload = (c.source, c.statement, c.entry, c.succ, c.roots, list(infos),
               [i.text for i in infos.values()],
               {a: (i.label, i.type, i.anonymous, i.kind, i.principals)
                for a, i in sources.items()})
    # One marshal call: its references then share each string between the tables
    data = marshal.dumps(payload, 4)
    del payload
    # Writing the file waits on the disk, not on Python: the question goes on meanwhile
    writer = threading.Thread(target=_write, args=(folder, _MAGIC + stamp, data),
                              name="provenance-tables")
    writer.start()
    return writer


def _write(folder: Path, head: bytes, data: bytes) -> None:
    part = folder / (FILE + ".part")
    with suppress(OSError):
        fd = os.open(part, os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            try:
                # Another process writing the same tables: it is left to it
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return
            os.ftruncate(fd, 0)
            with os.fdopen(os.dup(fd), "wb") as out:
                out.write(head)
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(part, folder / FILE)
        finally:
            os.close(fd)


def forget(folder: Path) -> None:
    """Drop the tables kept in *folder* (the index is dropped: see the module's text)."""
    with suppress(OSError):
        (folder / FILE).unlink()
