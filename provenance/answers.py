"""Whole-store answers kept between runs, so that a question over a million statements
is not recomputed from scratch after a small change (design section 3).

``single-source``, ``report`` and ``sources`` analyse every statement's subgraph G(s).
Each answer depends only on a few terms: the statement, the reports of G(s) and their
sources.
So each statement's answer is kept in the citation index (``answer`` table of
``<store>/citations.sqlite``) with those terms. When graphs change, the index notes
every subject and object of their facts, before and after (``touched``); an answer
sharing a term with them is computed again, for its statement alone, and so is any
statement the changed facts name. Everything else is read back as it was.

Why the terms suffice: every fact that shapes G(s) or its rendering has a term of
G(s) as its subject (a report's statement, source, citations and appearances; a
source's label and flags; the statement's text), except a document's publisher,
which decides whether a report is transparent only when it is the report's own
source (a term of G(s)), and a citation of a term that was not a report yet: the
reports citing a touched term are therefore touched too (one query).

The answers are used only for an embedded store whose every fact sits in a hashed
graph (:func:`provenance.index.sync`); anything else is computed as before. A bulk
load notes the terms its graphs touch as it commits (or drops the answers, when it
states more statements than would be recomputed one by one); ``sparql --update`` or a
rebuilt index drops them. Tests compare them with
answers computed from scratch after random sequences of changes
(``tests/test_answers.py``).

No library keeps such a cache of derived answers, hence this module.
"""

from __future__ import annotations

import marshal
import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

from ._names import IRI
from .output import JSONText, row_text, text_row

__all__ = ["Answers", "terms_of", "LIMIT", "SHARE", "recompute_limit"]

#: Beyond this share of the statements to recompute (and at least LIMIT of them),
#: everything is computed again at once. A statement fetched alone costs about 2 ms
#: (at a million statements: 20,000 in 38 s); one of the whole store, 80 to 115 us.
SHARE = 50
LIMIT = 200


def recompute_limit(kept: int) -> int:
    """How many of *kept* answers may be recomputed one by one (not all at once)."""
    return max(LIMIT, kept // SHARE)

_NAMED = 50_000  # touched terms checked for statements before other kinds are dropped
_REDO = b""  # an answer to compute again (not a marshal blob)
_CHUNK = 500  # terms per VALUES block
#: Kinds whose rows are counted, never printed: kept as they are (marshal), not as
#: JSON text (a million rows: seconds less to keep and to read back).
_PLAIN = frozenset({"sources"})
#: From this many answers on, a whole store's are written by a process of their own
#: (:class:`_Writer`) while the rest are computed.
CHILD = 20_000
_FRAME = 500  # rows per frame sent to that writer (about 0.7 MB of report rows)
_PIPE = 1 << 20  # its pipe's size: a frame goes in at once (Linux allows 1 MB unprivileged)
_KEEPER = ("-m", "provenance.keeper")  # how the writer is started (tests replace it)


def terms_of(a: Any) -> list[str]:
    """The terms an analysis (of :mod:`provenance.fastgraph`) was drawn from, in no
    particular order: they are only tested for overlap with the touched terms (sorting
    them was a second of a million statements). A list, not the set: a set is hashed
    again, term by term, wherever it is read back."""
    return list(a.subgraph.terms())  # the statement's own terms, with it


def _this_code(db: sqlite3.Connection) -> bool:
    """Whether the answers kept in *db* are this code's. Answers another version
    computed (an upgrade, a fix) would be served as this one's while the graphs stay
    the same: they are dropped, every kind, and this code noted. False where that
    cannot be done (a folder that cannot be written): the answers are then computed,
    not read."""
    from ._code import digest

    mine = digest()
    try:
        noted = db.execute("SELECT value FROM meta WHERE key = 'answers'").fetchone()
        if noted is not None and noted[0] == mine:
            return True
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("DELETE FROM answer")
            db.execute("DELETE FROM touched")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('answers', ?)", (mine,))
            db.execute("COMMIT")
        except sqlite3.Error:
            db.execute("ROLLBACK")
            raise
    except sqlite3.Error:
        return False
    return True


class Answers:
    """One kind of whole-store answer (``single`` or ``report``) of an embedded store."""

    def __init__(self, db: sqlite3.Connection, kind: str, backend: Any = None,
                 path: Path | None = None) -> None:
        self.db, self.kind, self.backend = db, kind, backend
        self.path = path  # the index's file (None: in memory only)
        self.plain = kind in _PLAIN
        self.writer: _Writer | None = None  # has every row, its commit not waited for
        self.kept: bool | None = None  # whether the answers computed were kept (None: none)

    @classmethod
    def open(cls, backend: Any, kind: str) -> Answers | None:
        """The kept answers of *backend*, or None where they cannot be used."""
        from .index import sync
        from .store import EmbeddedStore

        if not isinstance(backend, EmbeddedStore) or backend._visible is not None:
            return None
        try:
            # kept for the citation tables, if every answer must be computed
            db = sync(backend.raw(), backend.path, backend.index_hashes(keep=True))
        except sqlite3.Error:
            backend.drop_index_hashes()
            return None
        if db is None:
            backend.drop_index_hashes()
            return None
        if not _this_code(db):
            db.close()
            backend.drop_index_hashes()
            return None
        file = db.execute("PRAGMA database_list").fetchone()[2]  # '' for one in memory
        return cls(db, kind, backend, Path(file) if file else None)

    def close(self, keep_hashes: bool = False, settle: bool = True) -> None:
        """Close the index; the store's hashes are dropped unless the caller reads
        the index again (and drops them then). Unless *settle* is false, wait until
        the writer process has kept the answers (:meth:`settle`)."""
        self.db.close()
        if self.backend is not None and not keep_hashes:
            self.backend.drop_index_hashes()
        if settle:
            self.settle()

    def settle(self) -> bool | None:
        """Wait for the writer process, if one has every row, to commit them (at a
        million report rows, 2 to 3 s after the last: a caller may print the rows
        meanwhile); whether the answers computed were kept (None: none was computed)."""
        writer, self.writer = self.writer, None
        if writer is not None:
            self.kept = writer.wait()
        return self.kept

    def rows(
        self,
        backend: Any,
        compute: Callable[[list[str] | None], Iterable[tuple[str, Collection[str], Any]]],
        decode: bool = True,
    ) -> list[Any]:
        """Every statement's row (None rows left out), in statement order.

        *compute(None)* yields ``(statement, terms, row)`` for the whole store,
        *compute(statements)* for those statements (the ones still in the store).
        Without *decode*, rows read back are :class:`~provenance.output.JSONText`
        (for printing as JSON), not dicts.
        """
        try:
            touched = {t for (t,) in self.db.execute("SELECT term FROM touched")}
            kept: dict[str, bytes] = dict(self.db.execute(
                "SELECT statement, row FROM answer WHERE kind = ? ORDER BY statement",
                (self.kind,)))
            redo = {s for s, row in kept.items() if row == _REDO}
            named: set[str] = set()
            if touched and kept:
                touched |= _citers(backend, touched)
                redo.update(s for s, terms in self.db.execute(
                    "SELECT statement, terms FROM answer WHERE kind = ?", (self.kind,))
                    if s in touched or not touched.isdisjoint(marshal.loads(terms)))
                named = touched & _statements(backend, touched)
                redo |= named
        except sqlite3.Error:
            return self._all(backend, compute, keep=False, decode=decode)
        if not kept or len(redo) > recompute_limit(len(kept)):
            return self._all(backend, compute, keep=True, touched=touched, decode=decode)
        fresh: dict[str, Any] = {}
        if redo:
            new = []
            for s, terms, row in compute(sorted(redo)):
                fresh[s] = kept_row = row if self.plain else _kept(row, decode)
                new.append((s, terms, kept_row))
            self.kept = self._save(new, drop=redo, touched=touched, named=named)
        load = marshal.loads if self.plain else lambda blob: _load(blob, decode)
        pairs = []
        for s in list(kept):  # each blob let go once read: a million rows, 0.8 GB
            blob = kept.pop(s)
            if s not in redo:
                pairs.append((s, load(blob)))
        if fresh:
            pairs += fresh.items()
            pairs.sort(key=lambda pair: pair[0])  # kept rows come sorted: a merge, in effect
        return [row for _, row in pairs if row is not None]

    def _all(self, backend: Any,
             compute: Callable[[list[str] | None], Iterable[tuple[str, Collection[str], Any]]],
             keep: bool, touched: set[str] | None = None, decode: bool = True) -> list[Any]:
        out: list[tuple[str, Any]] = []
        new: list[tuple[str, Collection[str], Any]] = []
        writer: _Writer | None = None
        try:
            for s, terms, row in compute(None):
                if keep:
                    if not self.plain:
                        row = _kept(row, decode)
                    if writer is not None:
                        writer.add(s, terms, row)
                    else:
                        new.append((s, terms, row))  # made into blobs one at a time, as written
                        if len(new) == CHILD and self.path is not None:
                            # the rows so far go to the writer, then each as it comes
                            # (tried once: if it cannot start, they are written here)
                            writer = _Writer.start(self.path, self.kind, self.plain)
                            if writer is not None:
                                for item in new:
                                    writer.add(*item)
                                new = []
                out.append((s, row))
            if keep:
                touched = touched or set()
                named = None  # too many to look at: the other kinds are dropped
                if len(touched) <= _NAMED:
                    touched |= _citers(backend, touched)  # as rows() widens it
                    named = _statements(backend, touched)
                if writer is not None:
                    writer.finish(touched, named)
                    self.writer, writer = writer, None  # it commits on its own
                else:
                    self.kept = self._save(new, drop=None, touched=touched, named=named)
        finally:
            if writer is not None:  # interrupted, or an error: nothing is kept
                writer.abandon()
        out.sort(key=lambda pair: pair[0])
        return [row for _, row in out if row is not None]

    def _save(self, new: list[tuple[str, Collection[str], Any]], drop: set[str] | None,
              touched: set[str], named: set[str] | None) -> bool:
        """Write this kind's answers (all of them when *drop* is None) and retire
        *touched* (:func:`write_answers`); whether SQLite took them."""
        return write_answers(self.db, self.kind, blobs(new, self.plain), drop,
                      lambda: (touched, named))


Blobs = tuple[str, bytes, bytes]  # a statement, its terms and its row, as they are kept


def write_answers(db: sqlite3.Connection, kind: str, rows: Iterable[Blobs],
                  drop: set[str] | None,
                  tail: Callable[[], tuple[set[str], set[str] | None]],
                  staged: bool = False) -> bool:
    """Write *kind*'s answers *rows* (all of them when *drop* is None, else in place of
    those of the statements *drop*), then retire the touched terms *tail* gives once
    the rows are written: the other kinds' answers that share a term with them, and
    those of the statements *named* (the touched terms that are statements), are
    marked to be computed again; with *named* None, the other kinds are dropped.

    One transaction: False, with nothing written, where SQLite refuses (a read-only
    folder, a full disk: answered, not kept); any other error is raised after the
    rollback (the rows could not be read).

    *staged*: the rows come slowly (as they are computed), so they first go to a
    temporary table of this connection, which locks nothing. Written straight to the
    index, they would hold its lock as long as the question runs (a minute at a million
    statements): SQLite writes its pages out long before the commit, and no other
    process could read the index meanwhile. Copied at the end instead, a million rows
    hold it for a second or two.
    """
    try:
        if staged:
            # Pages of 64 kB, not SQLite's 4 kB: a million report rows staged in 3.2 s
            # instead of 4.0 s, copied in 1.26 s instead of 1.45 s, with a quarter of the
            # system calls (it applies only to a temporary database not made yet)
            db.execute("PRAGMA temp.page_size = 65536")
            db.execute("CREATE TEMP TABLE IF NOT EXISTS staged (statement TEXT NOT NULL, "
                       "terms BLOB NOT NULL, row BLOB NOT NULL)")
            db.execute("BEGIN")
            db.executemany("INSERT INTO temp.staged VALUES (?, ?, ?)", rows)
            db.execute("COMMIT")
        touched, named = tail()
        db.execute("BEGIN IMMEDIATE")
        if drop is None:
            db.execute("DELETE FROM answer WHERE kind = ?", (kind,))
        else:
            db.executemany("DELETE FROM answer WHERE kind = ? AND statement = ?",
                           ((kind, s) for s in drop))
        if staged:
            db.execute(f"INSERT OR REPLACE INTO answer SELECT '{kind}', statement, terms, row "
                       "FROM temp.staged ORDER BY rowid")
        else:
            db.executemany(f"INSERT OR REPLACE INTO answer VALUES ('{kind}', ?, ?, ?)", rows)
        if touched and named is None:
            db.execute("DELETE FROM answer WHERE kind != ?", (kind,))
        elif touched:
            kinds: set[str] = set()
            stale = []
            for other, s, terms in db.execute(
                "SELECT kind, statement, terms FROM answer WHERE kind != ?", (kind,)
            ):
                kinds.add(other)
                if s in touched or not touched.isdisjoint(marshal.loads(terms)):
                    stale.append((other, s))
            stale += [(other, s) for other in kinds for s in named]  # type: ignore[union-attr]
            db.executemany("INSERT OR REPLACE INTO answer VALUES (?, ?, ?, ?)",
                           ((other, s, marshal.dumps([s]), _REDO) for other, s in stale))
        if touched:
            db.executemany("DELETE FROM touched WHERE term = ?", ((t,) for t in touched))
        db.execute("COMMIT")
        return True
    except BaseException as exc:
        with suppress(sqlite3.Error):
            db.execute("ROLLBACK")
        if isinstance(exc, sqlite3.Error):
            return False
        raise


class _Writer:
    """A process of its own (:mod:`provenance.keeper`) writing a whole store's answers
    while the rest are computed.

    Making the blobs of a million answers and writing them (1.4 GB) took 7 s of one
    core, after the answers, and the machine has two: the rows now go to the writer
    through a pipe as they come, in frames of marshal data (a million report rows:
    0.16 GB less held here; with the staging below, about as fast as writing them
    here, 75 s written straight into the index). A thread would not do: each
    row it binds needs the interpreter's lock, which the computing thread holds for
    milliseconds at a time. The writer stages the rows in a temporary table and copies
    them into the index only when it has the last frame (the touched terms to retire):
    the index is not locked while the question runs, and if this process dies or is
    interrupted first, the writer sees the pipe close and writes nothing.
    """

    def __init__(self, proc: Any, plain: bool) -> None:
        self.proc, self.plain = proc, plain
        self.batch: list[tuple[str, Collection[str], Any]] = []
        self.failed = False

    @classmethod
    def start(cls, path: Path, kind: str, plain: bool) -> _Writer | None:
        """The writer of *kind*'s answers into the index at *path* (None if it cannot
        be started: the answers are then written here)."""
        import os
        import subprocess
        import sys

        if not sys.executable:  # an embedded interpreter: nothing to start
            return None
        # the writer imports this very package, wherever it was imported from
        package_dir = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (package_dir, env.get("PYTHONPATH")) if p)
        # its staged rows (a temporary table: 1.4 GB at a million report rows) go
        # beside the index, not to /tmp, which may be memory
        env["SQLITE_TMPDIR"] = str(path.parent)
        try:
            proc = subprocess.Popen(
                [sys.executable, *_KEEPER, str(path), kind, "plain" if plain else "text"],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, env=env)
        except OSError:
            return None
        with suppress(ImportError, OSError, AttributeError):  # Linux only; a smaller pipe works
            # Without it (64 kB), this process would wait for the writer at every frame
            # (a third of a second at 100k statements)
            import fcntl

            fcntl.fcntl(proc.stdin.fileno(), fcntl.F_SETPIPE_SZ, _PIPE)
        return cls(proc, plain)

    def add(self, s: str, terms: Collection[str], row: Any) -> None:
        # as they are: the writer makes their blobs (:func:`blobs`), on its own core
        self.batch.append((s, terms, row.text if isinstance(row, JSONText) else row))
        if len(self.batch) >= _FRAME:
            self._send(self.batch)
            self.batch = []

    def _send(self, data: Any) -> None:
        if self.failed:
            return
        frame = marshal.dumps(data)
        try:
            self.proc.stdin.write(len(frame).to_bytes(8, "little"))
            self.proc.stdin.write(frame)
        except OSError:  # the writer is gone (a full disk, say): answered, not kept
            self.failed = True

    def finish(self, touched: set[str], named: set[str] | None) -> None:
        """Send the last rows and the touched terms: the writer then commits them on
        its own (:meth:`wait`). If this is interrupted, :meth:`abandon` it."""
        if self.batch:
            self._send(self.batch)
            self.batch = []
        self._send({"touched": sorted(touched),
                    "named": None if named is None else sorted(named)})
        with suppress(OSError):
            self.proc.stdin.close()

    def wait(self) -> bool:
        """Wait for the writer to end, after :meth:`finish`; whether it kept the answers."""
        code = self.proc.wait()
        return not self.failed and code == 0

    def abandon(self) -> None:
        """Let the writer go without its last frame: it rolls back, and nothing is kept."""
        with suppress(OSError):
            self.proc.stdin.close()
        self.proc.wait()


def blobs(rows: Iterable[tuple[str, Collection[str], Any]], plain: bool) -> Iterator[Blobs]:
    """The blobs of rows as they are kept: each ``(statement, terms, row)``, the row a
    plain one (*plain*), a dict, None, a :class:`~provenance.output.JSONText` or (as a
    :class:`_Writer` sends it) a row's JSON text alone."""
    dumps = marshal.dumps
    for s, terms, row in rows:
        if plain:
            yield s, dumps(terms), dumps(row)
        else:
            yield s, dumps(terms), dumps((None, row)) if type(row) is str else _blob(row)


def _kept(row: dict[str, Any] | None, decode: bool) -> dict[str, Any] | JSONText | None:
    """A computed row as it is returned: for printing as JSON (*decode* false), its text,
    made now and written as it is; else the row alone, whose text :func:`_blob` makes
    as it writes it (a million report rows held with their text as well: 0.8 GB more
    at the peak)."""
    if row is None or decode:
        return row
    return JSONText(row_text(row))


def _blob(kept: dict[str, Any] | JSONText | None) -> bytes:
    """A row as it is kept in the index: ``(depth, text)``, its JSON text and how deep
    it nests. The depth is None (unknown) since 29 November: printing needs it only
    for a row nearly as deep as JSON is written compact from, which its text shows
    (:class:`~provenance.output.JSONText`); counting it was 2 us a row."""
    if kept is None:
        return marshal.dumps(None)
    if isinstance(kept, JSONText):
        return marshal.dumps((kept.depth, kept.text))
    return marshal.dumps((None, row_text(kept)))


def _load(blob: bytes, decode: bool) -> dict[str, Any] | JSONText | None:
    """A kept row: its text (for printing as JSON), or (*decode*) its dict alone."""
    kept = marshal.loads(blob)
    if kept is None:
        return None
    depth, text = kept
    if not decode:
        return JSONText(text, depth)
    return text_row(text)  # type: ignore[no-any-return]  # the indentation is whitespace


def _chunks(terms: set[str]) -> Iterable[str]:
    ordered = sorted(t for t in terms if IRI.fullmatch(t))  # touched terms hold texts too
    for i in range(0, len(ordered), _CHUNK):
        yield " ".join(f"<{t}>" for t in ordered[i:i + _CHUNK])


def _citers(backend: Any, terms: set[str]) -> set[str]:
    """The terms that cite one of *terms* (a citation of a term that became a report)."""
    # a UNION, not the path prov:wasDerivedFrom|prov:wasQuotedFrom: Oxigraph evaluates
    # that five times slower (a million statements: 65 ms a block)
    return _select_each(backend, terms, "SELECT DISTINCT ?x WHERE { VALUES ?t { %s } "
                        "{ ?x prov:wasDerivedFrom ?t } UNION { ?x prov:wasQuotedFrom ?t } }")


def _statements(backend: Any, terms: set[str]) -> set[str]:
    """Those of *terms* that are statements in the store now."""
    # ?p and ?o bound by FILTER: `?s a pt:Statement` makes Oxigraph scan every statement
    # of the store for a large VALUES block (see projection.py)
    return _select_each(backend, terms, "SELECT DISTINCT ?x WHERE { VALUES ?x { %s } "
                        "?x ?p ?o FILTER(?p = rdf:type && ?o = pt:Statement) }")


def _select_each(backend: Any, terms: set[str], query: str) -> set[str]:
    """The ``?x`` that *query* selects with its ``%s`` replaced by each block of *terms*."""
    found: set[str] = set()
    for values in _chunks(terms):
        found.update(x for (x,) in backend.select_iter(query % values, ("x",)))
    return found
