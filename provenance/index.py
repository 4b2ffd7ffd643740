"""The compact citation index of an embedded store (design section 3).

Whole-store questions (``single-source``, ``report``, ``impact``) need a few facts
about every report: its statement, its source, whom it cites, where it appears. Read
from Oxigraph they cost tens of microseconds each (every term is looked up in the
store's dictionary), about ten minutes for a million statements. So each document
graph's relevant facts are also kept here, in a SQLite file beside the store
(``<store>/citations.sqlite``), as one compact row per graph.

The index is derived data, never the reference: a row is used only while its graph
still carries the same ``pt:contentHash`` (the digest of the graph's content the
ingest writes with it, in the same transaction), so a crash, a replaced document or
a removed one is noticed and that graph read again from the store. An update made
with ``provenance sparql --update`` may change a graph without its hash: that command
drops the whole index (:func:`forget`). A missing, unreadable or corrupt index file
is rebuilt; a store folder that cannot be written keeps the index in memory only.

No library keeps such a cache of an RDF store, hence this module; SQLite (standard
library) gives it atomic, concurrent-safe writes.
"""

from __future__ import annotations

import marshal
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing, suppress
from pathlib import Path
from typing import Any

from ._names import PREFIXES

__all__ = ["FILE", "PREDICATES", "Facts", "load_facts", "forget"]

FILE = "citations.sqlite"

_PT, _PROV, _RDF = PREFIXES["pt"], PREFIXES["prov"], PREFIXES["rdf"]
_RDFS, _SDO = PREFIXES["rdfs"], PREFIXES["schema"]
_TYPE = _RDF + "type"
_HASH = _PT + "contentHash"

#: The predicates whose (subject, object value) pairs the index keeps, in row order.
PREDICATES: tuple[str, ...] = (
    _PT + "statement", _PROV + "wasAttributedTo", _PT + "appearsIn", _SDO + "publisher",
    _PROV + "wasDerivedFrom", _PROV + "wasQuotedFrom", _TYPE, _PT + "text",
    _RDF + "subject", _RDF + "predicate", _RDF + "object", _RDFS + "label",
    _PT + "anonymous", _PT + "kind", _PROV + "actedOnBehalfOf",
)
_SLOT = {p: i for i, p in enumerate(PREDICATES)}
# Only these classes matter (statements, sources and the two source types).
_TYPES = frozenset({_PT + "Statement", _PT + "Source", _PROV + "Person", _PROV + "Organization"})
# Objects that must be IRIs for the questions (a literal there is not a source).
_IRI_ONLY = frozenset({_PROV + "wasAttributedTo", _PROV + "actedOnBehalfOf", _TYPE})
_BATCH = 2000  # graphs read one by one below this many; by predicate above it

Facts = list[set[tuple[str, str]]]  # per predicate slot: (subject, object value)
_Row = tuple[list[tuple[str, str]], ...]


def _empty() -> list[list[tuple[str, str]]]:
    return [[] for _ in PREDICATES]


def _keep(q: Any, p: str) -> bool:
    import pyoxigraph as ox

    if p in _IRI_ONLY and not isinstance(q.object, ox.NamedNode):
        return False
    if p != _TYPE:
        return True
    # a source is an IRI (the whole-store queries filter with isIRI)
    return q.object.value in _TYPES and isinstance(q.subject, ox.NamedNode)


def _read_graph(store: Any, graph: Any) -> _Row:
    """One graph's relevant facts, read from the store."""
    row = _empty()
    one: dict[str, str] = {}
    for q in store.quads_for_pattern(None, None, None, graph):
        p = q.predicate.value
        slot = _SLOT.get(p)
        if slot is not None and _keep(q, p):
            s, o = q.subject.value, q.object.value
            row[slot].append((one.setdefault(s, s), one.setdefault(o, o)))
    return tuple(row)


def _read_by_predicate(store: Any, graphs: set[str]) -> dict[str, _Row]:
    """The relevant facts of many graphs: one scan per predicate (no per-graph lookups)."""
    import pyoxigraph as ox

    rows: dict[str, list[list[tuple[str, str]]]] = {}
    # One object per string: marshal then writes a repeated IRI as a reference to
    # the first (smaller rows), and loads it as one object (hashed once).
    one: dict[str, str] = {}
    for slot, p in enumerate(PREDICATES):
        for q in store.quads_for_pattern(None, ox.NamedNode(p), None, None):
            g = q.graph_name
            if not isinstance(g, ox.NamedNode) or g.value not in graphs:
                continue
            if _keep(q, p):
                s, o = q.subject.value, q.object.value
                rows.setdefault(g.value, _empty())[slot].append(
                    (one.setdefault(s, s), one.setdefault(o, o)))
    return {g: tuple(rows.get(g) or _empty()) for g in graphs}


def _hashes(store: Any, visible: Iterable[Any] | None) -> tuple[dict[str, str], list[Any]]:
    """Graph IRI -> content hash, and the graphs without one (read afresh every time)."""
    import pyoxigraph as ox

    hashes = {
        q.subject.value: q.object.value
        for q in store.quads_for_pattern(None, ox.NamedNode(_HASH), None, None)
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value == q.subject.value
    }
    names = list(visible) if visible is not None else list(store.named_graphs())
    if visible is not None:
        allowed = {g.value for g in names}
        hashes = {g: h for g, h in hashes.items() if g in allowed}
    unhashed = [g for g in names if g.value not in hashes]
    if visible is None:
        unhashed.append(ox.DefaultGraph())
    return hashes, unhashed


def _open(path: Path, retry: bool = True) -> sqlite3.Connection | None:
    """The index database, created if needed; None when the folder cannot hold one."""
    try:
        db = sqlite3.connect(path, timeout=30, isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        db.execute("CREATE TABLE IF NOT EXISTS graph "
                   "(name TEXT PRIMARY KEY, hash TEXT NOT NULL, facts BLOB NOT NULL)")
        return db
    except sqlite3.DatabaseError as exc:
        db.close()
        if retry and not isinstance(exc, sqlite3.OperationalError):  # not a database
            with suppress(OSError):
                path.unlink()
                return _open(path, retry=False)
        return None


def _cached(db: sqlite3.Connection | None) -> Iterator[tuple[str, str, bytes]]:
    if db is None:
        return
    yield from db.execute("SELECT name, hash, facts FROM graph")


def load_facts(store: Any, folder: Path, visible: Iterable[Any] | None = None) -> Facts:
    """Every relevant fact of the store (the union of its graphs), through the index.

    *store* is the open :class:`pyoxigraph.Store`, *folder* the store's folder, and
    *visible* the graphs to see when some must be hidden (an uncommitted bulk load).
    """
    hashes, unhashed = _hashes(store, visible)
    facts: Facts = [set() for _ in PREDICATES]

    def add(row: _Row) -> None:
        for slot, pairs in enumerate(row):
            facts[slot].update(pairs)

    path = folder / FILE
    db = _open(path)
    fresh: dict[str, str] = dict(hashes)
    stale: list[str] = []
    try:
        for name, h, blob in _cached(db):
            if fresh.get(name) == h:
                add(marshal.loads(blob))
                del fresh[name]
            else:
                stale.append(name)
    except (sqlite3.Error, ValueError, EOFError, TypeError):
        # A corrupt index: start again from the store.
        db = _rebuild(path, db)
        facts = [set() for _ in PREDICATES]
        fresh, stale = dict(hashes), []
    if len(fresh) > _BATCH:
        read = _read_by_predicate(store, set(fresh))
    else:
        import pyoxigraph as ox

        read = {g: _read_graph(store, ox.NamedNode(g)) for g in fresh}
    for row in read.values():
        add(row)
    for g in unhashed:
        add(_read_graph(store, g))
    if db is not None:
        _save(db, stale, ((g, fresh[g], marshal.dumps(row)) for g, row in read.items()))
        db.close()
    return facts


def _save(db: sqlite3.Connection, stale: list[str],
          rows: Iterable[tuple[str, str, bytes]]) -> None:
    """Drop the stale rows and add the new ones, in one transaction (or not at all)."""
    try:
        db.execute("BEGIN IMMEDIATE")
        db.executemany("DELETE FROM graph WHERE name = ?", ((g,) for g in stale))
        db.executemany("INSERT OR REPLACE INTO graph VALUES (?, ?, ?)", rows)
        db.execute("COMMIT")
    except sqlite3.Error:  # read-only folder, disk full, busy: the index stays as it was
        with suppress(sqlite3.Error):
            db.execute("ROLLBACK")


def _rebuild(path: Path, db: sqlite3.Connection | None) -> sqlite3.Connection | None:
    if db is not None:
        db.close()
    with suppress(OSError):
        path.unlink()
    return _open(path)


def forget(folder: Path) -> None:
    """Drop the index of the store in *folder* (after an update it cannot follow)."""
    path = folder / FILE
    if not path.exists():
        return
    db = _open(path)
    if db is None:
        with suppress(OSError):
            path.unlink()
        return
    with closing(db):
        try:
            db.execute("DELETE FROM graph")
        except sqlite3.Error:
            db.close()
            with suppress(OSError):
                path.unlink()
