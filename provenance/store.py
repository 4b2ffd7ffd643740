"""The embedded on-disk store: Oxigraph, one named graph per document.

Layout of a store folder (``./.provenance`` by default)::

    .provenance/
        oxigraph/   the RocksDB database of pyoxigraph
        lock        taken (flock) by a process that writes

Readers open the database read-only, so they never wait for a writer and never
see a half-written ingest: an ingest is one SPARQL update, which Oxigraph applies
in one transaction (all of it or nothing).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._names import PREFIXES  # rdflib-free (fast start-up); equal to vocab.PREFIXES
from .errors import InputError, StoreError

__all__ = ["DEFAULT_STORE", "Backend", "EmbeddedStore", "default_store_path", "Row"]

DEFAULT_STORE = ".provenance"
Row = dict[str, str]


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


def _update_text(writes: Sequence[GraphWrite]) -> str:
    """One SPARQL update that drops and rewrites every graph (atomic in Oxigraph)."""
    parts: list[str] = []
    for w in writes:
        g = f"<{w.graph}>"
        hash_line = f'{g} <{PREFIXES["pt"]}contentHash> "{w.content_hash}" .'
        body = "\n".join([*w.ntriples, hash_line])
        parts.append(f"DROP SILENT GRAPH {g} ;\nINSERT DATA {{ GRAPH {g} {{\n{body}\n}} }}")
    return " ;\n".join(parts)


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

    # ---------------------------------------------------------------- opening

    @classmethod
    def open_read(cls, path: Path) -> EmbeddedStore:
        """Open an existing store read-only (never blocks on a writer)."""
        db = path / "oxigraph"
        if not db.is_dir():
            raise InputError(
                f"no provenance store at {path}: run `provenance ingest FILE...` first, "
                "or pass --store PATH / set PROVENANCE_STORE"
            )
        import pyoxigraph as ox

        try:
            self = cls(path, ox.Store.read_only(str(db)))
        except OSError as exc:
            raise StoreError(f"cannot open the store at {path}: {exc}") from None
        self._hide_uncommitted()
        return self

    def _hide_uncommitted(self) -> None:
        """Ignore the graphs of a bulk load that has not committed (see :mod:`.bulk`)."""
        import pyoxigraph as ox

        from .bulk import PENDING

        pending = ox.NamedNode(PENDING)
        hidden = {q.subject.value for q in self._store.quads_for_pattern(None, None, None, pending)}
        if hidden:
            hidden.add(PENDING)
            self._visible = [g for g in self._store.named_graphs() if g.value not in hidden]

    @classmethod
    @contextmanager
    def open_write(cls, path: Path, wait: float = 60.0) -> Iterator[EmbeddedStore]:
        """Open (creating if needed) for writing, holding an exclusive lock.

        A store this call creates is removed again if the block fails (a refused
        first ingest leaves no empty store behind).
        """
        created = not (path / "oxigraph").exists()
        try:
            path.mkdir(parents=True, exist_ok=True)
            fd = os.open(path / "lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreError(f"cannot create the store at {path}: {exc.strerror}") from None
        deadline = time.monotonic() + wait
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise StoreError(
                            f"another provenance process has been writing to {path} for "
                            f"{wait:g} s; wait for it to finish and try again"
                        ) from None
                    time.sleep(0.05)
            import pyoxigraph as ox

            try:
                store = ox.Store(str(path / "oxigraph"))
            except OSError as exc:
                raise StoreError(f"cannot open the store at {path}: {exc}") from None
            self = cls(path, store, fd)
            from .bulk import recover

            recover(store)  # a bulk load that died before its commit leaves nothing
            ok = False
            try:
                yield self
                ok = True
            finally:
                store.flush()
                # Close the database before the lock is released (the outer finally):
                # the next writer opens it as soon as it gets the lock.
                del self._store, store
                if created and not ok:
                    shutil.rmtree(path / "oxigraph", ignore_errors=True)
        finally:
            os.close(fd)  # closing the descriptor releases the lock

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
        """The underlying :class:`pyoxigraph.Store` (for SPARQL and exports)."""
        return self._store

    def quads(self) -> Iterable[Any]:
        return iter(self._store)

    # ---------------------------------------------------------------- writing

    def write_graphs(self, writes: Sequence[GraphWrite]) -> None:
        if not writes:
            return
        try:
            self._store.update(_update_text(writes))
        except (SyntaxError, OSError) as exc:
            raise StoreError(f"the store refused the ingest (nothing was written): {exc}") from None

    def drop_graphs(self, graphs: Iterable[str]) -> None:
        text = " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs)
        if text:
            self._store.update(text)
