"""The questions users ask, answered from a store: the library behind the CLI.

Every method returns plain data (dicts and lists in the JSON shapes of design
section 5) and raises :class:`~provenance.errors.InputError` for bad arguments;
nothing here prints.

>>> from provenance.tracker import Tracker          # doctest: +SKIP
>>> Tracker(store).origin("blinken-attends")["rests_on"]  # doctest: +SKIP
'us-official'
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from ._names import ID, IRI, document_iri, local_id, source_iri, statement_iri  # no rdflib
from .errors import AmbiguousIdError, UnknownIdError
from .projection import Projection, SourceInfo, load_citations, load_projection, load_sources
from .store import Backend, EmbeddedStore, Row

if TYPE_CHECKING:
    from .fastgraph import Citations

__all__ = ["Tracker", "By"]

By = Literal["source", "organization"]


#: Text matches beyond which a statement search is left to one (slower) query.
_TEXT_CANDIDATES = 1000
_FETCH = 1000  # statements fetched together when many are wanted


def _literal(text: str) -> str:
    """A SPARQL string literal for *text* (safe against quotes and braces)."""
    from rdflib import Literal

    return Literal(text).n3()


class Tracker:
    """Answers provenance questions about the statements in *backend*."""

    def __init__(self, backend: Backend, fast: bool = True,
                 progress: Callable[[int, int, str], None] | None = None):
        self.backend = backend
        #: answer ``--by source`` questions with :mod:`provenance.fastgraph` (same answers);
        #: False uses the networkx reference throughout (the tests compare the two)
        self.fast = fast
        #: told (done, total, what) as a whole-store computation goes (total 0: a step),
        #: e.g. :class:`provenance.output.StatusLine`
        self.progress = progress
        #: inside ``with``: the kept answers whose writer commits while the caller
        #: goes on (:meth:`settle`); outside, each question waits for its own
        self._unsettled: list[tuple[str, Any]] | None = None
        #: the kinds of whole-store answers whose writer failed to keep them (a full
        #: disk, an index that cannot be written or stayed locked): each is computed
        #: again the next time it is asked
        self.unkept: list[str] = []

    def __enter__(self) -> Tracker:
        """Questions asked in the block return before their answers are kept: a whole
        store's are committed by a process of their own while the caller prints them
        (2 to 3 s of a million report rows), and leaving the block waits for it. It
        also lets go of the whole-store tables the store keeps (built again if a
        question needs them)."""
        self._unsettled = []
        return self

    def __exit__(self, *exc: object) -> None:
        # The tables go first: freeing millions of objects (half a second at a million
        # statements) overlaps the writer's commit.
        self.backend.drop_tables()
        self.settle()
        self._unsettled = None  # questions asked after the block wait for their own

    def settle(self) -> None:
        """Wait until the answers of the questions asked so far are kept."""
        pending = self._unsettled or []
        if self._unsettled is not None:
            self._unsettled = []
        while pending:
            self._settled(*pending.pop(0))

    def _settled(self, kind: str, answers: Any) -> None:
        if answers.settle() is False:
            self.unkept.append(kind)

    def _progress(self, done: int, total: int, what: str) -> None:
        if self.progress is not None:
            self.progress(done, total, what)

    def _counted(self, items: list[str], what: str) -> Iterator[str]:
        """*items*, telling :attr:`progress` how many are done now and then."""
        for i, item in enumerate(items):
            if not i & 0xFFF:
                self._progress(i, len(items), what)
            yield item
        self._progress(len(items), len(items), what)

    # ------------------------------------------------------------ resolving names

    def _exists(self, iri: str, pattern: str) -> bool:
        query = f"SELECT ?x WHERE {{ BIND(<{iri}> AS ?x) {pattern} }} LIMIT 1"
        return bool(self.backend.select(query))

    def resolve_statement(self, arg: str) -> str:
        """A statement IRI from an id, an IRI, or words found in exactly one statement's text."""
        arg = arg.strip()
        candidates = [arg] if "://" in arg else []
        try:
            candidates.append(str(statement_iri(arg)))
        except ValueError:
            pass
        for iri in candidates:
            if self._exists(iri, "?x a pt:Statement"):
                return iri
        rows = self._texts_containing(arg)
        if len(rows) == 1:
            return rows[0]["s"]
        if not rows:
            raise UnknownIdError(
                f"no statement has the id, IRI or text {arg!r}; "
                "list them with `provenance statements`"
            )
        found = [(local_id(r["s"]), r["text"]) for r in rows[:20]]
        raise AmbiguousIdError(
            f"{arg!r} occurs in {len(rows) if len(rows) <= 20 else 'more than 20'} statements; "
            "give more words or the id", found
        )

    def _texts_containing(self, words: str) -> list[Row]:
        """The first 21 statements (by IRI) whose text contains *words*, any case.

        Asked in one query (type, text, DISTINCT, ORDER BY), Oxigraph joined every
        statement's type before filtering: 25 s at a million statements for a mistyped
        id. The texts are filtered alone first (4 s there); when fewer than
        :data:`_TEXT_CANDIDATES` match, their types are checked for those alone and
        they are sorted here, else the one query answers (the same rows either way).
        """
        match = f"FILTER(CONTAINS(LCASE(STR(?text)), LCASE({_literal(words)})))"
        found = self.backend.select(
            f"SELECT ?s ?text WHERE {{ ?s pt:text ?text {match} }} LIMIT {_TEXT_CANDIDATES}")
        pairs = sorted({(r["s"], r["text"]) for r in found})
        if len(found) < _TEXT_CANDIDATES and all(IRI.fullmatch(s) for s, _ in pairs):
            if not pairs:
                return []
            values = " ".join(dict.fromkeys(f"<{s}>" for s, _ in pairs))
            typed = {r["s"] for r in self.backend.select(
                f"SELECT DISTINCT ?s WHERE {{ VALUES ?s {{ {values} }} ?s a pt:Statement }}")}
            return [{"s": s, "text": text} for s, text in pairs if s in typed][:21]
        return self.backend.select(
            f"SELECT DISTINCT ?s ?text WHERE {{ ?s a pt:Statement ; pt:text ?text {match} }} "
            "ORDER BY ?s LIMIT 21")

    def resolve_source(self, arg: str) -> str:
        """A source IRI from an id, an IRI, or words found in exactly one source's label."""
        arg = arg.strip()
        candidates = [arg] if "://" in arg else []
        try:
            candidates.append(str(source_iri(arg)))
        except ValueError:
            pass
        for iri in candidates:
            if self._exists(iri, "{ ?r prov:wasAttributedTo ?x } UNION { ?x a pt:Source }"):
                return iri
        rows = self.backend.select(
            "SELECT DISTINCT ?a ?l WHERE { ?a a pt:Source ; rdfs:label ?l "
            f"FILTER(CONTAINS(LCASE(STR(?l)), LCASE({_literal(arg)}))) }} ORDER BY ?a LIMIT 21"
        )
        if len(rows) == 1:
            return rows[0]["a"]
        if not rows:
            raise UnknownIdError(
                f"no source has the id, IRI or label {arg!r}; list them with `provenance sources`"
            )
        found = [(local_id(r["a"]), r["l"]) for r in rows[:20]]
        raise AmbiguousIdError(f"{arg!r} matches several sources; give the id", found)

    def resolve_document(self, arg: str) -> str:
        """A document IRI from an id or an IRI."""
        arg = arg.strip()
        candidates = [arg] if "://" in arg else []
        try:
            candidates.append(str(document_iri(arg)))
        except ValueError:
            pass
        for iri in candidates:
            if self._exists(iri, "?x a pt:Document"):
                return iri
        raise UnknownIdError(
            f"no document has the id or IRI {arg!r}; see the ids with "
            "`provenance sparql 'SELECT ?d WHERE { ?d a pt:Document }'`"
        )

    # ------------------------------------------------------------ projections

    def projection(self, statements: Iterable[str] | None = None, by: By = "source") -> Projection:
        """The graph of the whole store (or of *statements*), merged by organisation if asked."""
        proj = load_projection(self.backend, statements)
        if by == "organization":
            from . import graph as g

            proj.graph = g.merge_by_organization(proj.graph, proj.organization_of())
        return proj

    def statements_in_document(self, document: str) -> list[str]:
        """IRIs of the statements a document relays."""
        rows = self.backend.select(
            f"SELECT DISTINCT ?s WHERE {{ ?r pt:appearsIn <{document}> ; pt:statement ?s }}"
        )
        return sorted(r["s"] for r in rows)

    # ------------------------------------------------------------ rendering

    @staticmethod
    @lru_cache(maxsize=1 << 16)  # a few sources, named in a million rows
    def source_id(iri: str) -> str:
        """The id users type for a source (its slug, or the IRI if it is not ours)."""
        return local_id(iri) if iri.startswith(f"{ID}source/") else iri

    def _source_ref(self, proj: Projection, iri: str) -> dict[str, Any]:
        info = proj.sources.get(iri) or SourceInfo(iri, local_id(iri))
        return {"source": self.source_id(iri), "label": info.label, "anonymous": info.anonymous}

    def _node_sources(self, H: Any, node: str) -> list[str]:
        if hasattr(H, "node_sources"):  # fastgraph's Sub (not a networkx graph)
            return H.node_sources(node)  # type: ignore[no-any-return]
        data = H.nodes[node]
        return list(data["sources"]) if data.get("circular") else [data.get("source", node)]

    def _rests_on(self, proj: Projection, a: Any) -> tuple[str | None, str | None]:
        """The source a statement rests on (an IRI), and its label."""
        if not a.rests_on:
            return None, None
        rests = self._node_sources(a.subgraph, a.rests_on)[0]
        return rests, proj.sources[rests].label if rests in proj.sources else None

    def _origin_object(self, proj: Projection, a: Any) -> dict[str, Any]:
        H = a.subgraph
        info = proj.statements[a.statement]
        origins: list[dict[str, Any]] = []
        # fastgraph's Sub: a report's flags read from its tables (a networkx graph's
        # node attributes are dicts; making one per origin was a tenth of a report row)
        contracted = getattr(H, "contracted", None)
        for node in a.origins:
            srcs = self._node_sources(H, node)
            ref = self._source_ref(proj, srcs[0])
            if contracted is not None and node not in contracted:
                ref["circular"] = False
                ref["unattributed"] = node in H.c.entry
                origins.append(ref)
                continue
            data = H.nodes[node]
            ref["circular"] = bool(data.get("circular"))
            if ref["circular"]:
                ref["cycle"] = [self.source_id(s) for s in srcs]
                ref["anonymous"] = all(
                    proj.sources.get(s, SourceInfo(s, s)).anonymous for s in srcs
                )
            ref["unattributed"] = bool(data.get("entry")) and not ref["circular"]
            origins.append(ref)
        if contracted is not None and not contracted:  # each node one report: its source
            source, sid = H.c.source, self.source_id
            chains = [[sid(source.get(n, n)) for n in chain] for chain in a.chains]
        else:
            chains = [
                [self.source_id(s) for node in chain for s in self._node_sources(H, node)]
                for chain in a.chains
            ]
        rests, rests_label = self._rests_on(proj, a)
        return {
            "statement": {"id": local_id(a.statement), "iri": a.statement, "text": info.text},
            "origins": origins,
            "chains": chains,
            "independent_sources": a.independent_sources,
            "single_source": a.single_source,
            "rests_on": self.source_id(rests) if rests else None,
            "rests_on_label": rests_label,
            "circular": a.circular,
        }

    # ------------------------------------------------------------ questions

    def _analyses(
        self, statements: Iterable[str] | None, by: By, cutoff: int | None = None
    ) -> Iterator[tuple[Projection, Any]]:
        wanted = list(statements) if statements is not None else None
        if by == "source" and self.fast:
            yield from self._fast_analyses(wanted, cutoff)
            return
        from . import graph as g

        proj = self.projection(wanted, by)
        for s in wanted if wanted is not None else g.statements(proj.graph):
            if s in proj.graph:
                yield proj, g.analyse(proj.graph, s)

    def _fast_analyses(
        self, wanted: list[str] | None, cutoff: int | None = None
    ) -> Iterator[tuple[Projection, Any]]:
        """The fast path (plain Python, :mod:`provenance.fastgraph`); same answers.

        One statement: only its subgraph and its sources are fetched. The whole
        store: its citations are fetched once, then each statement's small subgraph
        is analysed in turn (no whole-graph flow, no networkx).
        """
        from . import fastgraph as fg

        if wanted is not None and len(wanted) > _FETCH:
            # Oxigraph's time for a VALUES block grows faster than its length (20,000
            # statements of the 1M store: 51 s at once, 38 s a thousand at a time)
            for i in range(0, len(wanted), _FETCH):
                yield from self._fast_analyses(wanted[i:i + _FETCH], cutoff)
            return
        if wanted is None:
            self._progress(0, 0, "reading the store's citations")
        proj, cits = self.citations(wanted)
        order = (wanted if wanted is not None
                 else self._counted(sorted(proj.statements), "statements answered"))
        for s in order:
            if s in proj.statements:
                yield proj, fg.analyse(cits, s, cutoff=cutoff, chains=cutoff is None)

    def citations(
        self, wanted: list[str] | None, all_sources: bool = False
    ) -> tuple[Projection, Citations]:
        """The fast path's input: the citations of *wanted* (or of the store) and the tables.

        The projection has no networkx graph (``graph`` is None). Its sources are those
        the citations name, or every source with *all_sources* (or for the whole store).
        """
        cits, infos = load_citations(self.backend, wanted)
        if wanted is not None and not all_sources:
            sources = load_sources(self.backend, _subgraph_sources(cits))
        else:
            sources = load_sources(self.backend)
        return Projection(None, infos, sources), cits  # type: ignore[arg-type]

    def source_labels(self, ids: Iterable[str]) -> dict[str, str]:
        """Labels of the sources with these ids (or IRIs), fetched for these only."""
        iris = {i: (i if "://" in i else str(source_iri(i))) for i in ids}
        found = load_sources(self.backend, iris.values())
        return {i: found[iri].label for i, iri in iris.items() if iri in found}

    def origin(self, statement: str, by: By = "source") -> dict[str, Any]:
        """Who originally said *statement* (id, IRI or words), with its chains."""
        iri = self.resolve_statement(statement)
        for proj, a in self._analyses([iri], by):
            return self._origin_object(proj, a)
        raise UnknownIdError(f"statement {statement!r} is not in the store")

    def report(self, document: str | None = None, by: By = "source",
               text_only: bool = False) -> list[dict[str, Any]]:
        """The main job: every statement (of one document, or all) with its provenance.

        With *text_only*, rows may come as :class:`~provenance.output.JSONText` (only
        to be printed as JSON: kept answers are then not decoded).
        """
        if document is not None:
            wanted = self.statements_in_document(self.resolve_document(document))
            return [self._report_row(proj, a) for proj, a in self._analyses(wanted, by)]
        return self._whole_store("report", by, None, self._report_row, text_only)

    def _report_row(self, proj: Projection, a: Any) -> dict[str, Any]:
        row = self._origin_object(proj, a)
        origins = row["origins"]
        row["anonymous"] = bool(origins) and all(o["anonymous"] for o in origins)
        row["unattributed"] = bool(origins) and all(o["unattributed"] for o in origins)
        return row

    def single_source(self, by: By = "source", text_only: bool = False
                      ) -> list[dict[str, Any]]:
        """Every statement that rests on one source, and that source (*text_only*: as
        for :meth:`report`)."""
        return self._whole_store("single", by, 2, self._single_row, text_only)

    def _single_row(self, proj: Projection, a: Any) -> dict[str, Any] | None:
        if not a.single_source:
            return None
        rests, label = self._rests_on(proj, a)  # not the whole origin object: 1M rows
        return {
            "statement": local_id(a.statement),
            "text": proj.statements[a.statement].text,
            "rests_on": self.source_id(rests) if rests else None,
            "label": label,
            "independent_sources": a.independent_sources,
        }

    def _whole_store(self, kind: str, by: By, cutoff: int | None,
                     render: Callable[[Projection, Any], dict[str, Any] | None],
                     text_only: bool = False, keep_hashes: bool = False) -> list[Any]:
        """Rows of every statement: from the answers kept for an embedded store where it
        has them (:mod:`provenance.answers`), else computed. *keep_hashes*: the caller
        reads the citation index next, and drops the store's hashes then."""
        answers = None
        if by == "source" and self.fast:
            from .answers import Answers

            answers = Answers.open(self.backend, kind)
        if answers is None:
            return [row for proj, a in self._analyses(None, by, cutoff)
                    if (row := render(proj, a)) is not None]
        from .answers import terms_of
        from .projection import collector_paused

        def compute(wanted: list[str] | None) -> Iterator[tuple[str, Collection[str], Any]]:
            for proj, a in self._fast_analyses(wanted, cutoff):
                yield a.statement, terms_of(a), render(proj, a)
            if wanted is None:
                self._progress(0, 0, "keeping the answers for the next question")

        try:
            with collector_paused():  # a million statements: millions of rows
                return answers.rows(self.backend, compute, decode=not text_only)
        finally:
            answers.close(keep_hashes, settle=False)
            if self._unsettled is None:
                self._settled(kind, answers)
            else:
                self._unsettled.append((kind, answers))

    def impact(self, source: str, by: By = "source") -> list[dict[str, Any]]:
        """The statements that rest on *source* or lose independence without it."""
        iri = self.resolve_source(source)
        if by == "source" and self.fast:
            proj, effects = self._fast_impact(iri)
        else:
            from . import graph as g

            proj = self.projection(None, by)
            target = proj.organization_of().get(iri, iri) if by == "organization" else iri
            effects = g.impact(proj.graph, target)
        rows = []
        for s, (before, after) in effects.items():
            rows.append(
                {
                    "statement": local_id(s),
                    "text": proj.statements[s].text,
                    "single_source": after == 0,
                    "effect": "rests on it" if after == 0 else "loses independence",
                    "independent_sources": before,
                    "without_source": after,
                }
            )
        rows.sort(key=lambda r: (not r["single_source"], r["statement"]))
        return rows

    def _fast_impact(self, source: str) -> tuple[Projection, dict[str, tuple[int, int]]]:
        from . import fastgraph as fg

        self._progress(0, 0, "reading the store's citations")
        # No answers are kept for impact (each source is a question of its own): the
        # tables are, so the next source's impact reads them back (a million
        # statements: 28 s instead of 50 s)
        cits, infos = load_citations(self.backend, None, keep_tables=True)
        # Only statements whose subgraph holds a report by the source can change.
        mine = {r for r, src in cits.source.items() if src == source}
        local = all(
            cits.statement.get(c) == cits.statement.get(r)
            for r, cs in cits.succ.items() for c in cs
        )
        if local:
            candidates = sorted({cits.statement[r] for r in mine} & set(infos))
        else:
            candidates = sorted(infos)
        effects: dict[str, tuple[int, int]] = {}
        for s in self._counted(candidates, "statements weighed"):
            counts = fg.impact_counts(cits, s, source)
            if counts is not None:
                effects[s] = counts
        return Projection(None, infos, {}), effects  # type: ignore[arg-type]

    def statements(self) -> list[dict[str, Any]]:
        """Every statement with its text and triple."""
        from .projection import statement_infos  # no graph is needed to list them

        self._progress(0, 0, "reading the statements")  # half a minute at 1M
        infos = statement_infos(self.backend)
        return [
            {
                "id": local_id(info.iri),
                "iri": info.iri,
                "text": info.text,
                "triple": list(info.triple) if info.triple else None,
            }
            for info in sorted(infos.values(), key=lambda i: i.iri)
        ]

    def sources(self, by: By = "source") -> list[dict[str, Any]]:
        """Every source with how many statements rest on it (it is a cut vertex), and
        how many it is an origin of."""
        # Only dominators and origins are counted: no chains, no flow (cutoff=2).
        if by == "source" and self.fast and isinstance(self.backend, EmbeddedStore):
            # (another store keeps no answers, and its sources would be read twice)
            rows = self._whole_store("sources", by, 2, self._sources_row, keep_hashes=True)
            # the tables' if they were built for the answers, else from the index
            self._progress(0, 0, "reading the sources")
            try:
                shown = load_sources(self.backend)
            finally:
                self.backend.drop_index_hashes()
        else:
            proj = None
            rows = []
            for proj, a in self._analyses(None, by, 2):  # noqa: B007 - proj is used below
                if (row := self._sources_row(proj, a)) is not None:
                    rows.append(row)
            if proj is None:
                proj = self.projection(None, by)
            shown = proj.sources
            if by == "organization":
                orgs = set(proj.organization_of().get(i, i) for i in shown)
                shown = {i: info for i, info in shown.items() if i in orgs}
        counts: Counter[str] = Counter()
        origin_counts: Counter[str] = Counter()
        for row in rows:
            counts.update(row["rests_on"])
            origin_counts.update(row["origins"])
        return self._source_rows(shown, counts, origin_counts)

    def _sources_row(self, proj: Projection, a: Any) -> dict[str, Any] | None:
        """What :meth:`sources` counts of one statement (kept as its answer): the
        sources of its dominators and of its origins (None: neither)."""
        H = a.subgraph
        rests = [src for node in a.dominators for src in self._node_sources(H, node)]
        origins = [src for node in a.origins for src in self._node_sources(H, node)]
        return {"rests_on": rests, "origins": origins} if rests or origins else None

    def _source_rows(self, shown: dict[str, Any], counts: Counter[str],
                     origin_counts: Counter[str]) -> list[dict[str, Any]]:
        rows = [
            {
                "id": self.source_id(iri),
                "label": info.label,
                "type": info.type,
                "anonymous": info.anonymous,
                "statements": counts.get(iri, 0),
                "origin_of": origin_counts.get(iri, 0),
            }
            for iri, info in shown.items()
        ]
        rows.sort(key=lambda r: (-r["statements"], r["id"]))
        return rows


def _subgraph_sources(cits: Any) -> set[str]:
    """Every source of the reports of *cits* (what rendering an answer needs to label)."""
    return set(cits.source.values())
