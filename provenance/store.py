"""The embedded on-disk store: Oxigraph, one named graph per document.

Layout of a store folder (``./.provenance`` by default)::

    .provenance/
        oxigraph/   the RocksDB database of pyoxigraph
        lock        held (flock, exclusive) by the one process that ingests
        db.lock     held (flock) by the processes that have the database open:
                    shared by readers, exclusive by a writer while it writes

An ingest is one SPARQL update (or, for a bulk load, a load made visible by one
small commit update, see :mod:`.bulk`), which Oxigraph applies in one transaction:
all of it or nothing, even if the process is killed.

Why readers lock too: RocksDB does not support a read-only opening while another
process writes. Measured here, a read-only opening during a write fails now and
then with ``Corruption: IO error: No such file`` (the writer's flush or compaction
deleted a file the reader was about to open), and a reader that opened before may
lose files it has not read yet. So a reader holds ``db.lock`` shared for as long as
it has the database open, and a writer holds it exclusive only while its database
is open for writing: it reads the store (what validation needs) through a read-only
opening, and opens it for writing when it has something to write. Readers then
never wait for a writer's parsing and checking, only for its write; a writer waits
for the readers that opened before it (and gives up with a clear message after
*wait* seconds). A reader sees the store as it was before a write or after it.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import threading
import time
import weakref
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._names import PREFIXES  # rdflib-free (fast start-up); equal to vocab.PREFIXES
from .errors import InputError, ProvenanceError, StoreError

__all__ = [
    "DEFAULT_STORE", "Backend", "EmbeddedStore", "default_store_path", "lock_wait", "Row"
]

DEFAULT_STORE = ".provenance"
Row = dict[str, str]


def lock_wait() -> float:
    """Seconds a process waits for the store's locks before it says the store is busy:
    ``$PROVENANCE_LOCK_WAIT``, else 60."""
    text = os.environ.get("PROVENANCE_LOCK_WAIT") or "60"
    try:
        wait = float(text)
    except ValueError:
        wait = -1.0
    if not wait >= 0:  # also NaN
        raise InputError(f"PROVENANCE_LOCK_WAIT={text!r}: give a number of seconds (60 if unset)")
    return wait


def default_store_path() -> Path:
    """``$PROVENANCE_STORE`` or ``./.provenance``."""
    return Path(os.environ.get("PROVENANCE_STORE") or DEFAULT_STORE)


def _prologue() -> str:
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


@dataclass(frozen=True)
class GraphWrite:
    """One named graph to (re)write: its N-Triples lines and its content hash."""

    graph: str
    ntriples: Sequence[str]
    content_hash: str


class Backend:
    """What the rest of the package needs from a store, embedded or remote."""

    location: str

    def select(self, query: str) -> list[Row]:
        """Run a SELECT with the project prefixes; rows map variable -> lexical value."""
        raise NotImplementedError

    def select_iter(
        self, query: str, names: Sequence[str], union: bool = True
    ) -> Iterator[tuple[str | None, ...]]:
        """Like :meth:`select`, as a stream of tuples of *names*' values.

        A whole-store question reads millions of rows: a stream, not a list of dicts.
        """
        for row in self.select(query):
            yield tuple(row.get(n) for n in names)

    def graph_hashes(self, graphs: Iterable[str] | None = None) -> dict[str, str]:
        """Content hash of every document graph (or of *graphs*: a small ingest into a
        large store asks only about its own)."""
        if graphs is None:
            restrict = ""
        else:
            names = sorted(set(map(str, graphs)))
            if not names:
                return {}
            restrict = "VALUES ?g { " + " ".join(f"<{g}>" for g in names) + " } "
        rows = self.select(
            f"SELECT ?g ?h WHERE {{ {restrict}GRAPH ?g {{ ?g pt:contentHash ?h }} }}", union=False
        )
        return {r["g"]: r["h"] for r in rows}

    def write_graphs(self, writes: Sequence[GraphWrite]) -> None:
        """Replace each graph by its new content, all in one transaction."""
        raise NotImplementedError

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release the store."""

    def drop_tables(self) -> None:  # noqa: B027 - optional hook
        """Let go of what the store keeps to answer the next question faster."""


def _update_text(writes: Sequence[GraphWrite]) -> str:
    """One SPARQL update that drops and rewrites every graph (atomic in Oxigraph)."""
    parts: list[str] = []
    for w in writes:
        g = f"<{w.graph}>"
        hash_line = f'{g} <{PREFIXES["pt"]}contentHash> "{w.content_hash}" .'
        body = "\n".join([*w.ntriples, hash_line])
        parts.append(f"DROP SILENT GRAPH {g} ;\nINSERT DATA {{ GRAPH {g} {{\n{body}\n}} }}")
    return " ;\n".join(parts)


# What a store folder may hold besides its database (the citation index is :mod:`.index`).
_STORE_FILES = {"oxigraph", "lock", "db.lock", "citations.sqlite", "citations.sqlite-journal",
                "citations.sqlite-wal", "citations.sqlite-shm", "citations.tables",
                "citations.tables.part"}
# What a bulk load that was killed leaves behind: its N-Quads file in the store folder
# (:func:`provenance.bulk.bulk_ingest`) and Oxigraph's SST files in the database.
_BULK_LEFTOVERS = (("", re.compile(r"bulk-[^/]*\.nq")), ("oxigraph", re.compile(r"bulk-\d+\.sst")))


def _check_folder(path: Path, writing: bool) -> None:
    """Refuse a *path* that is a file, or a folder of other things, before touching it."""
    if path.exists() and not path.is_dir():
        raise InputError(
            f"{path} is a file, not a store folder; pass --store with a folder "
            "(a new one is created) or set PROVENANCE_STORE"
        )
    if not writing or not path.is_dir() or (path / "oxigraph").exists():
        return
    try:
        others = sorted(e.name for e in os.scandir(path) if e.name not in _STORE_FILES)
    except OSError as exc:
        raise StoreError(f"cannot read the folder {path}: {exc.strerror}") from None
    if others:
        raise InputError(
            f"{path} is a folder of other files ({', '.join(others[:3])}"
            f"{', ...' if len(others) > 3 else ''}), not a provenance store; pass --store "
            "with a new or empty folder"
        )


def _flock(fd: int, how: int, wait: float, busy: str) -> None:
    """flock *fd*, trying until *wait* seconds have passed; then StoreError(*busy*)."""
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, how | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise StoreError(busy) from None
            time.sleep(0.02)


def _writer_lock(path: Path, wait: float) -> int:
    """The descriptor of ``<path>/lock``, locked exclusive (the one ingest at a time)."""
    lock = path / "lock"
    busy = (f"the store at {path} is busy: another provenance process has been writing to "
            f"it for {wait:g} s; wait for it to finish and try again")
    while True:
        try:
            path.mkdir(parents=True, exist_ok=True)
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise _cannot_write(path, exc) from None
        try:
            _flock(fd, fcntl.LOCK_EX, wait, busy)
            # A first ingest that failed removes the store it created, lock included,
            # while we waited for it: a lock on a removed file locks nothing.
            mine, there = os.fstat(fd), os.stat(lock)
            if (mine.st_dev, mine.st_ino) == (there.st_dev, there.st_ino):
                return fd
        except FileNotFoundError:
            pass
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)


def _cannot_write(path: Path, exc: OSError) -> StoreError:
    reason = exc.strerror or str(exc)
    if not path.is_dir():
        where = next((p for p in path.parents if p.exists()), path.parent)
        return StoreError(
            f"cannot create the store at {path}: {reason}; check that {where} is a folder "
            "you may write to, or pass --store with another folder"
        )
    return StoreError(
        f"cannot write to the store at {path}: {reason}; check that you may write to "
        f"{path} and the files in it, or pass --store with another folder"
    )


def _cannot_open(path: Path, exc: BaseException) -> StoreError:
    detail = (str(exc).splitlines() or [type(exc).__name__])[0]
    return StoreError(
        f"cannot open the store at {path}: {detail}; if {path / 'oxigraph'} is damaged or is "
        "not an Oxigraph database, restore it from a backup or move it away and ingest again"
    )


class _DbLock:
    """This process's flock on one store's ``db.lock``.

    flock conflicts between two descriptors even in one process, so the readers and
    the writer of one process share a descriptor and count themselves here (a
    writer does not wait for the readers of its own process).
    """

    _all: dict[tuple[int, int], _DbLock] = {}
    _guard = threading.RLock()

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.readers = 0
        self.writing = False

    @classmethod
    def of(cls, path: Path, create: bool) -> _DbLock | None:
        """The lock of the store at *path*; None if there is no ``db.lock`` and it cannot
        be made (a read-only store: no writer can change it either)."""
        file = path / "db.lock"
        try:
            fd = os.open(file, os.O_RDWR | os.O_CREAT, 0o644) if create else os.open(
                file, os.O_RDONLY)
        except OSError:
            if create:
                raise
            if not (path / "lock").exists():
                return None  # a folder this tool never wrote: make nothing in it
            try:  # a store written before db.lock existed
                fd = os.open(file, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError:
                return None  # a read-only store: no writer can change it either
        st = os.fstat(fd)
        with cls._guard:
            known = cls._all.get((st.st_dev, st.st_ino))
            if known is not None:
                os.close(fd)
                return known
            cls._all[(st.st_dev, st.st_ino)] = lock = cls(fd)
            return lock

    @classmethod
    def prune(cls) -> None:
        """Forget the locks of stores that were removed (a failed first ingest)."""
        with cls._guard:
            for key, lock in list(cls._all.items()):
                if not lock.readers and not lock.writing and os.fstat(lock.fd).st_nlink == 0:
                    os.close(lock.fd)
                    del cls._all[key]

    def share(self, path: Path, wait: float) -> None:
        with self._guard:
            if self.readers == 0 and not self.writing:
                _flock(self.fd, fcntl.LOCK_SH, wait,
                       f"the store at {path} is busy: another provenance process has been "
                       f"writing to it for {wait:g} s; try again when it has finished")
            self.readers += 1

    def unshare(self) -> None:
        with self._guard:
            self.readers -= 1
            if self.readers == 0 and not self.writing:
                fcntl.flock(self.fd, fcntl.LOCK_UN)

    def exclude(self, path: Path, wait: float) -> None:
        # Turning this process's shared lock into an exclusive one is not atomic (flock(2));
        # only a process that reads a store while it writes it could notice.
        with self._guard:
            _flock(self.fd, fcntl.LOCK_EX, wait,
                   f"the store at {path} is busy: other provenance processes have been "
                   f"reading it for {wait:g} s; nothing was written, try again when they "
                   "have finished")
            self.writing = True

    def unexclude(self) -> None:
        with self._guard:
            self.writing = False
            fcntl.flock(self.fd, fcntl.LOCK_SH if self.readers else fcntl.LOCK_UN)


def _remove_created(path: Path, folder: bool, files: set[str], database: bool) -> None:
    """Remove what a failed ingest made (the caller still holds ``lock``)."""
    if database:
        shutil.rmtree(path / "oxigraph", ignore_errors=True)
    for name in sorted(files, reverse=True):  # "lock" last: it is the one we hold
        (path / name).unlink(missing_ok=True)
    # A process that waited for "lock" notices it was removed and makes a new one.
    if folder:
        try:
            path.rmdir()
        except OSError:
            pass  # something else was put there meanwhile: leave it


def _remove_bulk_leftovers(path: Path) -> None:
    """Remove what a killed bulk load left (the caller holds the writer's lock)."""
    for sub, pattern in _BULK_LEFTOVERS:
        try:
            entries = list(os.scandir(path / sub))
        except OSError:
            continue
        for entry in entries:
            if pattern.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                Path(entry.path).unlink(missing_ok=True)


class EmbeddedStore(Backend):
    """An Oxigraph database on disk.

    Open it with :meth:`open_read` or :meth:`open_write` (a context manager that
    holds the writer's lock).
    """

    def __init__(self, path: Path, store: Any, lock_fd: int | None = None):
        self.path = path
        self.location = str(path)
        self._store = store
        self._lock_fd = lock_fd
        self._db_lock: _DbLock | None = None
        self._writable = False
        self._release: Any = None
        self._hash_table: Any = None  # index_hashes(), for a reader
        # made by the open_write block now running: removed whole if that block fails
        self.created = False

    # ---------------------------------------------------------------- opening

    @classmethod
    def open_read(cls, path: Path, wait: float | None = None, repair: bool = True
                  ) -> EmbeddedStore:
        """Open an existing store read-only.

        Waits (up to *wait* seconds, :func:`lock_wait` by default) only while a writer
        is writing, never while it parses and checks its files; the store stays as it
        is (for this reader) until :meth:`close`, or until the object is
        garbage-collected.

        A store that still holds a bulk load whose writer died before its commit is
        repaired first (*repair*), if no ingest runs and the store may be written:
        SPARQL queries and exports read the database as it is. Otherwise those graphs
        are only hidden from :meth:`select`.
        """
        wait = lock_wait() if wait is None else wait
        _check_folder(path, writing=False)
        db = path / "oxigraph"
        if not db.is_dir():
            raise InputError(
                f"no provenance store at {path}: run `provenance ingest FILE...` first, "
                "or pass --store PATH / set PROVENANCE_STORE"
            )
        import pyoxigraph as ox

        lock = _DbLock.of(path, create=False)
        if lock is not None:
            lock.share(path, wait)
        try:
            self = cls(path, ox.Store.read_only(str(db)))
            self._hide_uncommitted()
        except (OSError, RuntimeError, ValueError) as exc:
            if lock is not None:
                lock.unshare()
            raise _cannot_open(path, exc) from None
        if lock is not None:
            self._db_lock = lock
            self._release = weakref.finalize(self, lock.unshare)
        if repair and self._visible is not None:
            # A reader holding db.lock never sees a live bulk load in progress (the
            # writer holds it exclusive from its pending record to its commit): these
            # graphs are what a killed writer left.
            self._store = None
            self.close()
            try:
                with cls.open_write(path, wait=0):
                    pass  # opening for writing drops what never committed
            except ProvenanceError:
                pass  # an ingest runs (it repairs at its start) or the store is read-only
            return cls.open_read(path, wait, repair=False)
        return self

    def close(self) -> None:
        """Let writers in (a reader); the store must not be used afterwards."""
        self.drop_tables()
        if self._release is not None:
            self._release()

    def drop_tables(self) -> None:
        """Let the whole-store tables go (projection.py): built again if asked for."""
        self._indexed = None
        self._unkept = None  # (the tables go: nothing to keep of them)
        writer = getattr(self, "_tables_writer", None)
        if writer is not None:  # those it keeps are of the store as this reader sees it
            writer.join()
            self._tables_writer = None
        if getattr(self, "_froze", False):
            import gc

            self._froze = False
            gc.unfreeze()

    def _hide_uncommitted(self) -> None:
        """Ignore the graphs of a bulk load that has not committed (see :mod:`.bulk`)."""
        import pyoxigraph as ox

        from .bulk import EVERYTHING, PENDING

        pending = ox.NamedNode(PENDING)
        hidden = {q.subject.value for q in self._store.quads_for_pattern(None, None, None, pending)}
        if EVERYTHING in hidden:  # a load that began on an empty store: nothing committed
            self._visible = []
        elif hidden:
            hidden.add(PENDING)
            self._visible = [g for g in self._store.named_graphs() if g.value not in hidden]

    @classmethod
    @contextmanager
    def open_write(cls, path: Path, wait: float | None = None) -> Iterator[EmbeddedStore]:
        """Open (creating if needed) for writing, holding the writer's lock.

        Until the first write the database is open read-only (see the module doc).
        A store this call creates is removed again if the block fails (a refused
        first ingest leaves nothing behind), and a folder that is not a store is
        refused before anything is created in it.
        """
        wait = lock_wait() if wait is None else wait
        _check_folder(path, writing=True)
        made_folder = not path.exists()
        # what this call makes, removed again if it makes the store and the block fails
        made = {name for name in _STORE_FILES - {"oxigraph"} if not (path / name).exists()}
        fd = _writer_lock(path, wait)
        self: EmbeddedStore | None = None
        ok = opened = False
        try:
            created = not (path / "oxigraph").exists()  # as it is now that we hold the lock
            try:
                db_lock = _DbLock.of(path, create=True)
            except OSError as exc:
                raise _cannot_write(path, exc) from None
            assert db_lock is not None
            self = cls(path, None, fd)
            self.created = created
            self._db_lock = db_lock
            self._wait = wait
            if created:
                self._open_writable()
            else:
                import pyoxigraph as ox

                try:
                    self._store = ox.Store.read_only(str(path / "oxigraph"))
                except (OSError, RuntimeError, ValueError) as exc:
                    raise _cannot_open(path, exc) from None
                if self._pending():
                    self._open_writable()  # recovers: drops what never committed
            opened = True
            _remove_bulk_leftovers(path)  # we hold the writer's lock: no bulk load runs
            yield self
            ok = True
        finally:
            try:
                if self is not None:
                    self._close_writer(
                        # What this call made, if it made the store or could not open it.
                        (lambda: _remove_created(path, made_folder, made, created))
                        if not ok and (created or not opened) else None)
                elif made:
                    _remove_created(path, made_folder, made, False)
            finally:
                os.close(fd)  # closing the descriptor releases the lock
                _DbLock.prune()

    def _pending(self) -> bool:
        import pyoxigraph as ox

        from .bulk import PENDING

        return any(True for _ in self._store.quads_for_pattern(
            None, None, None, ox.NamedNode(PENDING)))

    def _open_writable(self) -> None:
        """Reopen the database for writing, once readers have let go of it."""
        if self._writable:
            return
        import pyoxigraph as ox

        from .bulk import recover

        assert self._db_lock is not None
        self._store = None  # close the read-only opening
        self._db_lock.exclude(self.path, self._wait)
        self._writable = True
        try:
            self._store = ox.Store(str(self.path / "oxigraph"))
        except (OSError, RuntimeError, ValueError) as exc:
            raise _cannot_open(self.path, exc) from None
        recover(self._store)  # a bulk load that died before its commit leaves nothing

    def _close_writer(self, undo: Any = None) -> None:
        try:
            if self._writable and self._store is not None:
                self._store.flush()
        finally:
            # Close the database before readers and the next writer are let in.
            self._store = None
            if undo is not None:
                undo()
            if self._writable:
                assert self._db_lock is not None
                self._writable = False
                self._db_lock.unexclude()

    # ---------------------------------------------------------------- reading

    _visible: list[Any] | None = None  # set when uncommitted graphs must be ignored

    def select(self, query: str, union: bool = True) -> list[Row]:
        try:
            if self._visible is None:
                result = self._store.query(_prologue() + query, use_default_graph_as_union=union)
            else:
                result = self._store.query(
                    _prologue() + query,
                    default_graph=self._visible if union else None,
                    named_graphs=self._visible,
                )
        except SyntaxError as exc:  # a bug in our own queries
            raise StoreError(f"internal query error: {exc}") from None
        names = [v.value for v in result.variables]
        return [
            {n: term.value for n, term in zip(names, row, strict=True) if term is not None}
            for row in result
        ]

    def select_iter(
        self, query: str, names: Sequence[str], union: bool = True
    ) -> Iterator[tuple[str | None, ...]]:
        kwargs: dict[str, Any] = (
            {"use_default_graph_as_union": union} if self._visible is None
            else {"default_graph": self._visible if union else None,
                  "named_graphs": self._visible}
        )
        try:
            result = self._store.query(_prologue() + query, **kwargs)
        except SyntaxError as exc:  # a bug in our own queries
            raise StoreError(f"internal query error: {exc}") from None
        order = [v.value for v in result.variables]
        at = [order.index(n) for n in names]
        for row in result:
            yield tuple(None if row[i] is None else row[i].value for i in at)

    def raw(self) -> Any:
        """The underlying :class:`pyoxigraph.Store` (for SPARQL and exports).

        A store opened with :meth:`open_write` is opened for writing first.
        """
        if self._lock_fd is not None:
            self._open_writable()
        return self._store

    def quads(self) -> Iterable[Any]:
        return iter(self._store)

    def index_hashes(self, keep: bool = False) -> Any:
        """The graphs' content hashes, as the citation index compares them
        (:func:`provenance.index.hash_table`). A whole-store question compares them
        twice (the kept answers, then the citation tables), 2 s a reading at a million
        statements: with *keep*, a reader keeps them for the next call (its view of
        the store does not change until it is closed), which takes them (or
        :meth:`drop_index_hashes`: 55 MB at a million statements)."""
        from .index import hash_table

        if self._lock_fd is not None:  # a writer: its store changes as it writes
            return hash_table(self.raw(), self._visible)
        hashes = self._hash_table or hash_table(self._store, self._visible)
        self._hash_table = hashes if keep else None
        return hashes

    def drop_index_hashes(self) -> None:
        self._hash_table = None

    # ---------------------------------------------------------------- writing

    def write_graphs(self, writes: Sequence[GraphWrite]) -> None:
        if not writes:
            return
        self._open_writable()
        try:
            self._store.update(_update_text(writes))
        except (SyntaxError, OSError) as exc:
            raise StoreError(f"the store refused the ingest (nothing was written): {exc}") from None

    def drop_graphs(self, graphs: Iterable[str]) -> None:
        text = " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs)
        if text:
            self._open_writable()
            self._store.update(text)
