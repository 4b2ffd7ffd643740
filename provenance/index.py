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
An index another process is writing is waited for (``$PROVENANCE_LOCK_WAIT`` seconds,
as for the store's own locks), never taken for a corrupt one: the writer would go on
writing into a deleted file while this one read a million graphs from the store again.

No library keeps such a cache of an RDF store, hence this module; SQLite (standard
library) gives it atomic, concurrent-safe writes.
"""

from __future__ import annotations

import hashlib
import marshal
import sqlite3
from collections.abc import Collection, Iterable
from contextlib import closing, suppress
from pathlib import Path
from typing import Any

from ._names import PREFIXES
from .errors import StoreError

__all__ = ["FILE", "PREDICATES", "UNNAMED", "feed", "sync", "forget", "pairs", "name_digest"]

FILE = "citations.sqlite"

_PT, _PROV, _RDF = PREFIXES["pt"], PREFIXES["prov"], PREFIXES["rdf"]
_RDFS, _SDO = PREFIXES["rdfs"], PREFIXES["schema"]
_TYPE = _RDF + "type"
_HASH = _PT + "contentHash"
_XSD_STRING = PREFIXES["xsd"] + "string"

#: The predicates whose (subject, object value) pairs the index keeps, in row order.
PREDICATES: tuple[str, ...] = (
    _PT + "statement", _PROV + "wasAttributedTo", _PT + "appearsIn", _SDO + "publisher",
    _PROV + "wasDerivedFrom", _PROV + "wasQuotedFrom", _TYPE, _PT + "text",
    _RDF + "subject", _RDF + "predicate", _RDF + "object", _RDFS + "label",
    _PT + "anonymous", _PT + "kind", _PROV + "actedOnBehalfOf",
)
_SLOT = {p: i for i, p in enumerate(PREDICATES)}
# Only these classes matter (statements, sources and the two source types).
_STATEMENT = _PT + "Statement"
_TYPES = frozenset({_STATEMENT, _PT + "Source", _PROV + "Person", _PROV + "Organization"})
# Objects that must be IRIs for the questions (a literal there is not a source).
_IRI_ONLY = frozenset({_PROV + "wasAttributedTo", _PROV + "actedOnBehalfOf", _TYPE})
# Facts the kept answers (provenance/answers.py) do not depend on.
_UNUSED = frozenset({_PT + "kind", _PROV + "actedOnBehalfOf"})
_BATCH = 2000  # graphs read one by one below this many; by predicate above it

# A graph's row: per predicate slot, its (subject, object value) pairs laid flat,
# [s1, o1, s2, o2, ...]: marshal loads a flat list of strings about 2.5 times faster
# than a list of pairs (no tuple per fact), which is most of reading the index.
_Row = tuple[list[str], ...]

# A row is kept as two blobs (version 7). The whole-store tables never read the
# statements' triples, nor the labels of anything but sources; yet at a million
# statements those were half of decoding the rows (4.2 million labels, nearly all of
# the triples' entities: 4.7 to 5.8 s to load every row, 1.5 s without them) and
# merging those labels took 1.4 to 1.8 s more. So `facts` holds the row without the triples and
# without the labels of subjects that are not sources in that graph, and `more` those;
# `facts` ends with one more element, :data:`UNNAMED`: a 64-bit digest of each subject
# whose label went to `more` (bytes, loaded at the cost of a copy), so that a reader of
# `facts` alone can tell whether a source might have a label it has not seen.
_TRIPLE = (8, 9, 10)  # rdf:subject, rdf:predicate, rdf:object
_LABEL = 11
#: Position, in a row read without its `more` blob, of the digests of the subjects
#: whose labels are not in it (see :func:`name_digest`); absent from a whole row.
UNNAMED = 15
_DIGEST = 8  # bytes per digest
_LOCAL_TYPES = frozenset({_PT + "Source", _PROV + "Person", _PROV + "Organization"})


def name_digest(iri: str) -> bytes:
    """The stable 64-bit digest of *iri* that :data:`UNNAMED` lists (not Python's
    ``hash``, which changes with every process)."""
    return hashlib.blake2b(iri.encode(), digest_size=_DIGEST).digest()


def _split(row: _Row) -> tuple[bytes, bytes]:
    """A whole row as its two blobs, `facts` and `more`."""
    local = set(row[1][1::2])  # attributed to, in this graph
    local.update(row[14])  # acting for someone, or acted for
    local.update(a for a, t in pairs(row[6]) if t in _LOCAL_TYPES)
    core: list[Any] = list(row)
    more: list[list[str]] = [row[i] for i in _TRIPLE]
    for i in _TRIPLE:
        core[i] = []
    kept: list[str] = []
    other: list[str] = []
    for a, label in pairs(row[_LABEL]):
        (kept if a in local else other).extend((a, label))
    core[_LABEL] = kept
    more.append(other)
    core.append(b"".join(sorted({name_digest(a) for a in other[::2]})))
    return marshal.dumps(tuple(core)), marshal.dumps(tuple(more))


def _whole(facts: bytes, more: bytes | None) -> _Row:
    """A graph's whole row from its two blobs (`more` None: written whole, before
    version 7)."""
    core = marshal.loads(facts)
    if more is None:
        return core  # type: ignore[no-any-return]
    rest = marshal.loads(more)
    row = list(core[:UNNAMED])
    for i, flat in zip(_TRIPLE, rest, strict=False):
        row[i] = flat
    row[_LABEL] = row[_LABEL] + rest[len(_TRIPLE)]
    return tuple(row)


def _empty() -> list[list[str]]:
    return [[] for _ in PREDICATES]


def pairs(flat: list[str]) -> Iterable[tuple[str, str]]:
    """The (subject, object value) pairs of one slot of a row."""
    it = iter(flat)
    return zip(it, it, strict=False)  # a flat list has an even length


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
            row[slot] += (one.setdefault(s, s), one.setdefault(o, o))
    return tuple(row)


def _read_by_predicate(store: Any, graphs: Collection[str]) -> dict[str, _Row]:
    """The relevant facts of many graphs: one scan per predicate (no per-graph lookups),
    by graph in the order *graphs* lists them."""
    import pyoxigraph as ox

    wanted = set(graphs)

    rows: dict[str, list[list[str]]] = {}
    # One object per string: marshal then writes a repeated IRI as a reference to
    # the first (smaller rows), and loads it as one object (hashed once).
    one: dict[str, str] = {}
    for slot, p in enumerate(PREDICATES):
        for q in store.quads_for_pattern(None, ox.NamedNode(p), None, None):
            g = q.graph_name
            if not isinstance(g, ox.NamedNode) or g.value not in wanted:
                continue
            if _keep(q, p):
                s, o = q.subject.value, q.object.value
                rows.setdefault(g.value, _empty())[slot] += (
                    one.setdefault(s, s), one.setdefault(o, o))
    return {g: tuple(rows.get(g) or _empty()) for g in graphs}


Hashes = tuple[dict[str, str], list[Any]]


def hash_table(store: Any, visible: Iterable[Any] | None) -> Hashes:
    """Graph IRI -> content hash, and the graphs without one (read afresh every time)."""
    import pyoxigraph as ox

    # A graph's hash is stated in the graph about itself. SPARQL reads them about twice
    # as fast as quads_for_pattern (no Quad and four terms made per graph): 0.75 s
    # instead of 1.4 s for the 211,000 graphs of a million statements.
    hashes = {
        g.value: h.value
        for g, h in store.query(
            f"SELECT ?g ?h WHERE {{ GRAPH ?g {{ ?g <{_HASH}> ?h }} FILTER isIRI(?g) }}")
    }
    names = list(visible) if visible is not None else list(store.named_graphs())
    if visible is not None:
        allowed = {g.value for g in names}
        hashes = {g: h for g, h in hashes.items() if g in allowed}
    unhashed = [g for g in names if g.value not in hashes]
    if visible is None:
        unhashed.append(ox.DefaultGraph())
    return hashes, unhashed


# 6: kept answers may store their depth as unknown (None), which version 5 could not
# print: older versions rebuild an index of a version they do not know.
# 7: rows in two blobs (`facts` and `more`, see _split); a row whose `more` is NULL
# is whole in `facts`, as version 6 wrote it.
# 8: the `meta` table, which notes the code that computed the kept answers.
_VERSION = 8
_PAGE = 16384
_TABLES = ("graph", "pending", "answer", "touched", "meta")
_SCHEMA = (
    # A graph's facts, in one or more parts (a bulk load writes them as they stream).
    "CREATE TABLE IF NOT EXISTS graph (name TEXT NOT NULL, hash TEXT NOT NULL, "
    "part INTEGER NOT NULL, facts BLOB NOT NULL, more BLOB, PRIMARY KEY (name, part))",
    # Parts of a bulk load not committed yet: readers never look at them.
    "CREATE TABLE IF NOT EXISTS pending (name TEXT NOT NULL, part INTEGER NOT NULL, "
    "facts BLOB NOT NULL, more BLOB)",
    "CREATE INDEX IF NOT EXISTS pending_name ON pending (name)",
    # Whole-store answers (provenance/answers.py): per kind of question and statement,
    # the terms the answer was drawn from and the answer. Valid for the graphs above.
    "CREATE TABLE IF NOT EXISTS answer (kind TEXT NOT NULL, statement TEXT NOT NULL, "
    "terms BLOB NOT NULL, row BLOB NOT NULL, PRIMARY KEY (kind, statement))",
    # Terms of the graphs that changed since the answers were last brought up to date
    # (subjects and objects of their facts, before and after the change).
    "CREATE TABLE IF NOT EXISTS touched (term TEXT PRIMARY KEY) WITHOUT ROWID",
    # What the kept answers depend on besides the graphs: the code that computed them
    # (key 'answers', value provenance._code.digest()).
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL)",
)


class IndexBusy(StoreError):
    """The index stayed locked by another process for longer than the wait allowed."""

    def __init__(self, path: Path) -> None:
        from .store import lock_wait

        wait = lock_wait()  # what the connection was given
        super().__init__(
            f"the citation index {path} is busy: another provenance process is writing it "
            f"(waited {wait:g} s); try again when it has finished, or wait longer with "
            f"PROVENANCE_LOCK_WAIT=SECONDS")


def _busy(exc: BaseException) -> bool:
    """Whether *exc* is SQLite giving up on a lock another connection holds (which says
    nothing about the file's health)."""
    return isinstance(exc, sqlite3.OperationalError) and (
        exc.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED))


def _open(path: Path, retry: bool = True) -> sqlite3.Connection | None:
    """The index database, created if needed; None when the folder cannot hold one.
    Raises :class:`IndexBusy` if another process keeps it locked."""
    from .store import lock_wait

    try:
        db = sqlite3.connect(path, timeout=lock_wait(), isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version in (2, 3, 4, 5, 6, 7):
            # Kept answers came in 3, as JSON text in 4; rows laid flat in 5. The graph
            # rows are converted, not read again from the store (17 minutes at 10^6 statements).
            # Version 5 differs from 6 only in the kept answers written later; version 7
            # splits each row in two (21 s at 10^6 statements, once); 8 adds `meta` (the
            # answers kept before it are dropped then: no code is noted for them).
            db.execute("BEGIN IMMEDIATE")
            try:
                for table in ("graph", "pending"):
                    if _columns(db, table) and "more" not in _columns(db, table):
                        db.execute(f"ALTER TABLE {table} ADD COLUMN more BLOB")
                for statement in _SCHEMA:
                    db.execute(statement)
                if version < 4:
                    db.execute("DELETE FROM answer")
                    db.execute("DELETE FROM touched")
                for table in ("graph", "pending"):
                    _convert_rows(db, table, flatten=version < 5)
                db.execute(f"PRAGMA user_version = {_VERSION}")
                db.execute("COMMIT")
                version = _VERSION
            except (ValueError, EOFError, TypeError):  # a damaged row: start again
                db.execute("ROLLBACK")
            except sqlite3.OperationalError as exc:
                db.execute("ROLLBACK")
                if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_READONLY or version < 5:
                    raise
                # A folder that cannot be written: read as it is rather than left aside
                # for the store's slow path (its rows are whole, `more` is absent);
                # nothing this version writes goes into it.
                db.execute("PRAGMA query_only = ON")
                return db
        if version != _VERSION:
            # Pages of 16 kB, not SQLite's 4 kB (it applies only to a database without
            # pages yet): a million kept answers of 1.4 kB are written in 2.7 s instead
            # of 4.0 s, and read back in 0.5 s instead of 0.9 s
            db.execute(f"PRAGMA page_size = {_PAGE}")
            db.execute("BEGIN IMMEDIATE")
            for table in _TABLES:
                db.execute(f"DROP TABLE IF EXISTS {table}")
            for statement in _SCHEMA:
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {_VERSION}")
            db.execute("COMMIT")
        return db
    except sqlite3.DatabaseError as exc:
        db.close()
        if _busy(exc):
            raise IndexBusy(path) from None
        if retry and not isinstance(exc, sqlite3.OperationalError):  # not a database
            with suppress(OSError):
                path.unlink()
                return _open(path, retry=False)
        return None


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    """The columns of *table* (none if there is no such table)."""
    return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}


def _convert_rows(db: sqlite3.Connection, table: str, flatten: bool) -> None:
    """Split in two blobs the whole rows of *table* (version 6 and before), laid flat
    first (*flatten*) as versions 2 to 4 wrote them (pairs as tuples); a thousand at a
    time (the caller holds the transaction)."""
    last = -1
    while True:
        batch = db.execute(f"SELECT rowid, facts FROM {table} WHERE rowid > ? "
                           "AND more IS NULL ORDER BY rowid LIMIT 1000", (last,)).fetchall()
        if not batch:
            return
        last = batch[-1][0]
        rows = [marshal.loads(blob) for _, blob in batch]
        if flatten:
            rows = [tuple([x for pair in slot for x in pair] for slot in row) for row in rows]
        db.executemany(f"UPDATE {table} SET facts = ?, more = ? WHERE rowid = ?", [
            (*_split(row), rowid) for (rowid, _), row in zip(batch, rows, strict=True)])


def _facts(rows: Iterable[_Row]) -> set[tuple[int, str, str]]:
    return {(slot, s, o) for row in rows for slot, flat in enumerate(row) for s, o in pairs(flat)}


def _touched(store: Any, old: list[_Row], new: list[_Row], changed: set[str]) -> set[str]:
    """The terms whose kept answers a change of the graphs *changed* may alter.

    Only facts that entered or left the union of the graphs count (a document that
    repeats a source's label changes nothing): those in the old or the new rows but
    not both, and in no unchanged graph. Of each, its subject; the statement a report
    is of; and for a document's publisher, the document's reports by that publisher
    (whether they are transparent depends on it). Facts the kept answers do not use
    (source types, kinds, principals) touch nothing. See :mod:`provenance.answers`.
    """
    import pyoxigraph as ox

    def unchanged(q: Any) -> bool:
        return isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value not in changed

    outside: dict[str, bool] = {}  # a subject: has it a fact in an unchanged graph?

    def elsewhere(slot: int, s: str, o: str) -> bool:
        try:
            subject = ox.NamedNode(s)
        except ValueError:
            return False
        # Most subjects of new graphs are new (their reports, statements, documents):
        # one look at the subject answers for all its facts.
        found = outside.get(s)
        if found is None:
            found = outside[s] = any(
                unchanged(q) for q in store.quads_for_pattern(subject, None, None, None))
        return found and any(
            q.object.value == o and unchanged(q)
            for q in store.quads_for_pattern(subject, predicates[slot], None, None))

    predicates = [ox.NamedNode(p) for p in PREDICATES]
    touched: set[str] = set()
    for slot, s, o in _facts(old) ^ _facts(new):
        p = PREDICATES[slot]
        if p in _UNUSED or (p == _TYPE and o != _PT + "Statement") or elsewhere(slot, s, o):
            continue
        touched.add(s)
        if p == _PT + "statement":
            touched.add(o)
        elif p == _SDO + "publisher":
            try:
                document, publisher = ox.NamedNode(s), ox.NamedNode(o)
            except ValueError:
                continue
            for q in store.quads_for_pattern(None, predicates[_SLOT[_PT + "appearsIn"]],
                                             document, None):
                r = q.subject
                if any(True for _ in store.quads_for_pattern(
                        r, predicates[_SLOT[_PROV + "wasAttributedTo"]], publisher, None)):
                    touched.add(r.value)
    return touched


def _has_answers(db: sqlite3.Connection | None) -> bool:
    return db is not None and db.execute("SELECT 1 FROM answer LIMIT 1").fetchone() is not None


def _more(db: sqlite3.Connection, table: str) -> str:
    """What to select for a row's `more` blob (an index of version 6 that could not be
    converted has no such column: its rows are whole)."""
    return "more" if "more" in _columns(db, table) else "NULL"


def _read_cached(db: sqlite3.Connection | None, hashes: dict[str, str], add: Any,
                 old: list[_Row] | None, whole: bool = True
                 ) -> tuple[set[str], set[tuple[str, str]]]:
    """Add the rows that are still right (*add* None: none), whole or (not *whole*)
    their `facts` alone; return their graphs and the stale rows' keys, and put the
    stale rows, whole, in *old* (when not None)."""
    found: set[str] = set()
    stale: set[tuple[str, str]] = set()
    if db is None:
        return found, stale
    more = _more(db, "graph")
    if add is None:  # names and hashes only
        for name, h in db.execute("SELECT name, hash FROM graph"):
            (found.add(name) if hashes.get(name) == h else stale.add((name, h)))
    else:
        for name, h, facts, rest in db.execute(
                f"SELECT name, hash, facts, {more if whole else 'NULL'} FROM graph"):
            if hashes.get(name) == h:
                add(_whole(facts, rest) if whole else marshal.loads(facts))
                found.add(name)
            else:
                stale.add((name, h))
    if old is not None:  # blobs of stale rows only
        for name, h in stale:
            for facts, rest in db.execute(
                f"SELECT facts, {more} FROM graph WHERE name = ? AND hash = ?", (name, h)
            ):
                old.append(_whole(facts, rest))
    return found, stale


def feed(store: Any, folder: Path, visible: Iterable[Any] | None, add: Any, clear: Any,
         hashes: Hashes | None = None, whole: bool = True) -> None:
    """Every relevant fact of the store (the union of its graphs), through the index,
    one graph's row at a time: *add(row)* for each (its facts by predicate slot, as
    :data:`PREDICATES` orders them); *clear()* if the rows given so
    far must be forgotten (a corrupt index, read again from the store). *hashes*: the
    store's :func:`hash_table`, if it is known already.

    Not *whole*: a row kept in the index may come without the statements' triples
    (slots of rdf:subject, rdf:predicate and rdf:object empty) and without the labels
    of subjects that are not sources in its graph; it then has one more element,
    :data:`UNNAMED`, the digests of those subjects laid end to end. A row read from the
    store comes whole (without that element)."""
    db, _ = _sync(store, folder, visible, add, clear, hashes, whole)
    if db is not None:
        db.close()


def sync(store: Any, folder: Path, hashes: Hashes | None = None) -> sqlite3.Connection | None:
    """Bring the index up to date with the store without loading its facts.

    Returns the open index, or None when there is none or when the store holds facts
    outside hashed graphs (written by hand or by ``sparql --update``: the index, and
    the answers kept with it, cannot follow those).
    """
    db, clean = _sync(store, folder, None, None, None, hashes)
    if db is not None and not clean:
        db.close()
        return None
    return db


def _sync(store: Any, folder: Path, visible: Iterable[Any] | None, add: Any, clear: Any,
          known: Hashes | None = None, whole: bool = True
          ) -> tuple[sqlite3.Connection | None, bool]:
    """Read the index (through *add* unless None), then the graphs it lacks from the
    store; save their rows and the terms the changes touched. Returns the open index
    and whether every fact is in a hashed graph."""
    hashes, unhashed = known if known is not None else hash_table(store, visible)
    path = folder / FILE
    db = _open(path)
    try:
        old: list[_Row] | None = [] if _has_answers(db) else None
        found, stale = _read_cached(db, hashes, add, old, whole)
    except (sqlite3.Error, ValueError, EOFError, TypeError) as exc:
        if _busy(exc):
            assert db is not None
            db.close()
            raise IndexBusy(path) from None
        # A corrupt index: start again from the store.
        db = _rebuild(path, db)
        if clear is not None:
            clear()
        found, stale, old = set(), set(), None
    # The rows read from the store are added and saved in the order of their graphs'
    # names, not as the store or a set happens to list them: the whole-store tables
    # look reports up in the order the rows come, so neighbouring rows are neighbours
    # in memory. At a million statements, alternating: `report` 64.1 and 59.5 s on an
    # index rebuilt in this order, 68.3 and 65.5 s in a set's order; `single-source`
    # 56.2 and 51.6 s against 58.1 and 57.0 s. (A generated corpus names its documents
    # in the order it writes them, which is the order a bulk load indexes them in.)
    fresh = {g: hashes[g] for g in sorted(hashes) if g not in found}
    if len(fresh) > _BATCH:
        read = _read_by_predicate(store, fresh)
    else:
        import pyoxigraph as ox

        read = {g: _read_graph(store, ox.NamedNode(g)) for g in fresh}
    for row in read.values():
        if add is not None:
            add(row)
    touched: set[str] = set()
    if old is not None and (old or read):
        changed = {name for name, _ in stale} | set(read)
        touched = _touched(store, old, list(read.values()), changed)
    clean = True
    for g in unhashed:
        row = _read_graph(store, g)
        clean = clean and not any(row)
        if add is not None:
            add(row)
    if db is not None and (stale or read or touched):  # (nothing to write: no lock to take)
        rows = ((g, fresh[g], *_split(row)) for g, row in read.items())
        if not _save(db, stale, rows, touched):
            db.close()
            db = None
    return db, clean


def _save(db: sqlite3.Connection, stale: set[tuple[str, str]],
          rows: Iterable[tuple[str, str, bytes, bytes]], touched: Iterable[str]) -> bool:
    """Drop the stale rows, add the new ones and the terms they touch, in one
    transaction (or not at all: then False)."""
    try:
        db.execute("BEGIN IMMEDIATE")
        db.executemany("DELETE FROM graph WHERE name = ? AND hash = ?", stale)
        db.executemany("INSERT OR REPLACE INTO graph (name, hash, part, facts, more) "
                       "VALUES (?, ?, 0, ?, ?)", rows)
        db.executemany("INSERT OR IGNORE INTO touched VALUES (?)", ((t,) for t in touched))
        db.execute("COMMIT")
        return True
    except sqlite3.Error:  # read-only folder, disk full, busy: the index stays as it was
        with suppress(sqlite3.Error):
            db.execute("ROLLBACK")
        return False


def _rebuild(path: Path, db: sqlite3.Connection | None) -> sqlite3.Connection | None:
    if db is not None:
        db.close()
    with suppress(OSError):
        path.unlink()
    return _open(path)


def forget(folder: Path) -> None:
    """Drop the index of the store in *folder* (after an update it cannot follow), and
    the whole-store tables kept with it (:mod:`provenance.tables`)."""
    from . import tables

    tables.forget(folder)
    path = folder / FILE
    if not path.exists():
        return
    try:
        db = _open(path)
    except IndexBusy:  # its writer's answers would no longer be right: they go with it
        db = None
    if db is None:
        with suppress(OSError):
            path.unlink()
        return
    with closing(db):
        try:
            db.execute("BEGIN IMMEDIATE")
            for table in ("graph", "answer", "touched"):
                db.execute(f"DELETE FROM {table}")
            db.execute("COMMIT")
        except sqlite3.Error:
            db.close()
            with suppress(OSError):
                path.unlink()


class BulkWriter:
    """The index rows of a bulk load, written while its quads stream by.

    Without it, the first whole-store question after loading a million statements
    would read them all back from Oxigraph (half an hour). Rows go to the ``pending``
    table, which readers ignore, in parts of bounded size; :meth:`commit` moves them
    into the index once the store has committed the load. A crash in between leaves
    pending rows the next bulk load clears, and graphs a reader reads from the store.

    A graph with a blank node in a fact the index keeps is not indexed here (the store
    renames blank nodes on loading): the first reader reads it from the store.
    """

    _FLUSH = 200_000  # facts held before a part is written

    def __init__(self, folder: Path) -> None:
        try:
            self.db = _open(folder / FILE)
        except IndexBusy:  # none then: the first question reads these graphs from the store
            self.db = None
        self.rows: dict[str, list[list[str]]] = {}
        self.parts: dict[str, int] = {}
        self.skipped: set[str] = set()
        self.held = 0
        self.statements = 0  # pt:Statement facts seen (a statement stated twice: twice)
        self.one: dict[str, str] = {}
        self.canonical: dict[tuple[str, str], str] = {}
        if self.db is not None and not self._run("DELETE FROM pending"):
            self.db = None

    def _run(self, sql: str, rows: Iterable[Any] | None = None) -> bool:
        assert self.db is not None
        try:
            if rows is None:
                self.db.execute(sql)
            else:
                self.db.executemany(sql, rows)
            return True
        except sqlite3.Error:
            return False

    def _literal(self, value: str, datatype: str) -> str:
        """A typed literal's value as the store gives it back (Oxigraph canonicalises
        booleans, numbers and dates: "1"^^xsd:boolean is read back as "true")."""
        key = (value, datatype)
        found = self.canonical.get(key)
        if found is None:
            import pyoxigraph as ox

            scratch = ox.Store()
            node = ox.NamedNode("urn:x")
            try:
                scratch.add(ox.Quad(node, node, ox.Literal(value, datatype=ox.NamedNode(datatype))))
                found = next(iter(scratch)).object.value
            except (ValueError, StopIteration):
                found = value
            self.canonical[key] = found
        return found

    def add(self, graph: str, quad: tuple[str, str, str, int, str | None, str | None]) -> None:
        """One quad of *graph* (in the bulk path's form: s, p, o, kind, datatype, language)."""
        if self.db is None:
            return
        s, p, o, kind, dt, lang = quad
        slot = _SLOT.get(p)
        if slot is None or graph in self.skipped:
            return
        if p in _IRI_ONLY and kind != 0:  # 0: an IRI
            return
        if p == _TYPE and (o not in _TYPES or s.startswith("_:")):
            return
        if p == _TYPE and o == _STATEMENT:
            self.statements += 1
        if s.startswith("_:") or kind == 2:  # 2: a blank node
            self.skipped.add(graph)
            self.rows.pop(graph, None)
            return
        if kind == 1 and dt and not lang and dt != _XSD_STRING:
            o = self._literal(o, dt)
        one = self.one
        row = self.rows.get(graph)
        if row is None:
            row = self.rows[graph] = _empty()
        row[slot] += (one.setdefault(s, s), one.setdefault(o, o))
        self.held += 1
        if self.held >= self._FLUSH:
            self._flush()

    def _flush(self) -> None:
        parts = []
        for graph, row in self.rows.items():
            part = self.parts.get(graph, 0)
            self.parts[graph] = part + 1
            parts.append((graph, part, *_split(tuple(row))))
        # One transaction per part: the connection autocommits, and a transaction
        # (a sync to disk) per row cost a second per thousand graphs.
        if parts and not (self._run("BEGIN IMMEDIATE")
                          and self._run("INSERT INTO pending (name, part, facts, more) "
                                        "VALUES (?, ?, ?, ?)", parts)
                          and self._run("COMMIT")):
            self._run("ROLLBACK")
            self.db = None
        self.rows, self.held, self.one = {}, 0, {}

    def commit(self, hashes: dict[str, str],
               rehashed: dict[str, tuple[str, str]] | None = None, store: Any = None) -> None:
        """The load has committed: its graphs' rows join the index under these hashes,
        and the graphs *rehashed* (name: (old hash, new hash)), whose facts did not
        change, keep their rows under their new hash.

        The kept answers stay, with the terms the new graphs touch (read in *store*),
        when the load states few enough statements for them to be recomputed one by
        one (:mod:`provenance.answers`); otherwise they all go."""
        if self.db is None:
            return
        self._flush()
        if self.db is None:
            return
        names = [(h, g) for g, h in hashes.items() if g not in self.skipped]
        moved = [(new, g, old) for g, (old, new) in (rehashed or {}).items()]
        touched = self._touched(store, {g for _, g in names}) if names else set()
        ok = (self._run("BEGIN IMMEDIATE")
              and self._run("UPDATE graph SET hash = ? WHERE name = ? AND hash = ?", moved)
              and self._run("DELETE FROM graph WHERE name = ?", ((g,) for _, g in names))
              and self._run("INSERT OR REPLACE INTO graph (name, hash, part, facts, more) "
                            "SELECT name, ?, part, facts, more FROM pending WHERE name = ?",
                            names)
              and self._run("DELETE FROM pending")
              and (touched is not None or self._run("DELETE FROM answer"))
              and (touched is not None or self._run("DELETE FROM touched"))
              and self._run("INSERT OR IGNORE INTO touched VALUES (?)",
                            ((t,) for t in touched or ()))
              and self._run("COMMIT"))
        if not ok:
            self._run("ROLLBACK")
        self.close()

    def _touched(self, store: Any, names: set[str]) -> set[str] | None:
        """The terms the graphs *names* touch, for the kept answers; None if the
        answers must all go (too many statements to recompute one by one, or no
        store to look in). Nothing when no answers are kept."""
        from .answers import recompute_limit

        assert self.db is not None
        try:
            kept = self.db.execute(
                "SELECT count(*) FROM answer GROUP BY kind ORDER BY 1 DESC LIMIT 1").fetchone()
            if kept is None:
                return set()
            if store is None or self.statements > recompute_limit(kept[0]):
                return None
            rows: list[_Row] = [_whole(facts, more) for name, facts, more in self.db.execute(
                "SELECT name, facts, more FROM pending") if name in names]
            return _touched(store, [], rows, names)
        except (sqlite3.Error, OSError, ValueError, EOFError, TypeError):
            return None  # the answers go: right, only slower to ask next time

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
