"""What every exporter reads: the selection, its analysed graph, and its RDF.

:class:`ExportSource` is built once per export from a :class:`~provenance.tracker.Tracker`
and a selection (the whole store, some statements, a document). It computes lazily,
so an RDF export never builds the graph and a graph export never reads the quads:

* :attr:`ExportSource.graph`: a ``networkx.DiGraph`` of statements, reports and
  sources whose node and edge attributes are all scalars (str, bool, int), the same
  keys on every node and on every edge, so that GraphML, GEXF and JSON take it as it
  is. The analysis (independent sources, single-source flags, circular citations)
  comes from the graph layer through the tracker; nothing is recomputed here.
* :meth:`ExportSource.elements`: the same nodes and edges, in the same order, made one
  at a time without the graph (what the streaming writers read: GraphML, GEXF and
  Cytoscape JSON of a million statements without holding ten million edges).
* :attr:`ExportSource.details`: per statement, the ``origin`` object of design
  section 5 (origins, chains, counts), for views that show it.
* :meth:`ExportSource.quads`: the store's quads for the selection.

Node attributes (every node has every key):

==================== ====== ======================================================
key                  type   meaning
==================== ====== ======================================================
kind                 str    ``statement``, ``report`` or ``source``
label                str    readable: a statement's text, a report's or source's label
name                 str    the id users type (statement id, source id, ``stmt/src``)
iri                  str    the node's IRI
statement            str    id of the statement (statements and reports)
source               str    id of the source (reports and sources)
document             str    ids of the documents it appears in, space-separated
cue                  str    a report's reporting cue ("confirm", "citing")
evidence             str    a report's evidence sentence
type                 str    a source's type (``person``, ``organization``, ``agent``)
single_source        bool   a statement that rests on at most one independent source
independent_sources  int    a statement's independent source count (0 on other nodes)
rests_on             str    id of the source a single-source statement rests on
circular             bool   a report in a citation cycle; a statement that has one
origin               bool   a report that cites nobody (or a circular origin)
critical             bool   the report a single-source statement rests on
entry                bool   a document publisher's report (the reader's point of entry)
anonymous            bool   an unnamed source, or a report by one
==================== ====== ======================================================

Edge kinds: ``asserts`` (statement -> report), ``cites`` (report -> cited report),
``said_by`` (report -> its source), ``acts_for`` (source -> organisation). Every
edge has ``kind``, ``label``, ``statement``, ``source``, ``document``, ``cue``,
``single_source``, ``independent_sources`` and ``circular``.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import networkx as nx

from .. import graph as g
from ..vocab import ID, PT, local_id

if TYPE_CHECKING:
    from ..fastgraph import Citations
    from ..projection import Projection
    from ..tracker import By, Tracker

__all__ = ["ExportSource", "NODE_DEFAULTS", "EDGE_DEFAULTS", "node_key", "first_elements"]

#: Every node attribute with its default (and so its type).
NODE_DEFAULTS: dict[str, Any] = {
    "kind": "",
    "label": "",
    "name": "",
    "iri": "",
    "statement": "",
    "source": "",
    "document": "",
    "cue": "",
    "evidence": "",
    "type": "",
    "single_source": False,
    "independent_sources": 0,
    "rests_on": "",
    "circular": False,
    "origin": False,
    "critical": False,
    "entry": False,
    "anonymous": False,
}

#: Every edge attribute with its default.
EDGE_DEFAULTS: dict[str, Any] = {
    "kind": "",
    "label": "",
    "statement": "",
    "source": "",
    "document": "",
    "cue": "",
    "single_source": False,
    "independent_sources": 0,
    "circular": False,
}

_EDGE_LABELS = {
    "asserts": "asserted by",
    "cites": "cites",
    "said_by": "said by",
    "acts_for": "acts for",
}


def node_key(iri: str) -> str:
    """The graph key of a node: its IRI (plain strings, as in the graph layer)."""
    return iri


def _source_id(iri: str) -> str:
    return local_id(iri) if iri.startswith(f"{ID}source/") else iri


def _doc_ids(iris: Iterable[str]) -> str:
    return " ".join(sorted(local_id(d) for d in set(iris)))


class _ReportFacts:
    """Documents, cue and evidence of reports, in three tables (a million statements:
    four million reports, where an object per report took gigabytes). A report's
    documents are one IRI, or a set of them when it appears in several; its cue and
    evidence are the first the store returned."""

    def __init__(self) -> None:
        self.documents: dict[str, str | set[str]] = {}
        self.cue: dict[str, str] = {}
        self.evidence: dict[str, str] = {}

    def add_document(self, r: str, d: str) -> None:
        old = self.documents.setdefault(r, d)
        if old is d or old == d:
            return
        if isinstance(old, set):
            old.add(d)
        else:
            self.documents[r] = {old, d}

    def documents_of(self, r: str, pop: bool = False) -> Iterable[str]:
        """*r*'s documents (*pop*: and forget them, as they are read once)."""
        docs = self.documents.pop(r, None) if pop else self.documents.get(r)
        if docs is None:
            return ()
        return docs if isinstance(docs, set) else (docs,)


@dataclass(slots=True)  # one per statement: a million at a million statements
class _Verdict:
    """What the export graph marks on a statement (its analysis is not kept)."""

    single_source: bool
    independent_sources: int
    circular: bool
    rests_on: str


@dataclass
class _Analysed:
    verdicts: dict[str, _Verdict] = field(default_factory=dict)
    origin_reports: set[str] = field(default_factory=set)
    critical: set[str] = field(default_factory=set)


@dataclass
class _Cited:
    """The projection as the graph builder reads it: from networkx, or from the fast path.

    ``source`` and ``statement`` of each report, the entry reports, the members of a
    report merged by organisation, each node's successors (a statement's root reports,
    a report's cited reports) and the citation cycles.
    """

    source: dict[str, str]
    statement: dict[str, str]
    entry: set[str]
    successors: Callable[[str], list[str]]
    cycles: list[list[str]]
    members: dict[str, list[str]] = field(default_factory=dict)
    citations: Any = None  # the fastgraph Citations it was read from, if any

    def members_of(self, r: str) -> list[str]:
        """The original reports merged into *r* (by organisation), else [r]."""
        return self.members.get(r) or [r]

    @classmethod
    def from_citations(cls, c: Citations) -> _Cited:
        from ..fastgraph import circular_citations

        def successors(n: str) -> list[str]:
            return c.succ[n] if n in c.succ else c.roots.get(n, [])

        return cls(c.source, c.statement, c.entry, successors, circular_citations(c),
                   citations=c)

    @classmethod
    def from_graph(cls, P: nx.DiGraph) -> _Cited:
        reports = {n: d for n, d in P.nodes(data=True) if d.get("kind") == "report"}
        return cls(
            source={r: d.get("source", r) for r, d in reports.items()},
            statement={r: d.get("statement", "") for r, d in reports.items()},
            entry={r for r, d in reports.items() if d.get("entry")},
            successors=lambda n: list(P.successors(n)),
            cycles=g.circular_citations(P),
            members={r: list(d["members"]) for r, d in reports.items() if d.get("members")},
        )


class ExportSource:
    """One export's input: a tracker, the statements chosen, and the way to count.

    Parameters
    ----------
    tracker
        Answers the questions; its backend holds the data.
    statements
        Statement IRIs to export (their provenance subgraphs), or None for the store.
    documents
        Document IRIs whose named graphs RDF exports include whole.
    by
        ``"source"`` or ``"organization"`` (design section 3).

    Examples
    --------
    >>> source = ExportSource(tracker, None)              # doctest: +SKIP
    >>> source.graph.nodes[statement_iri("blinken-attends")]["single_source"]  # doctest: +SKIP
    True
    """

    def __init__(
        self,
        tracker: Tracker,
        statements: list[str] | None,
        documents: list[str] | None = None,
        by: By = "source",
    ):
        self.tracker = tracker
        self.statements = statements
        self.documents = documents or []
        self.by = by

    @property
    def whole_store(self) -> bool:
        return self.statements is None

    # ------------------------------------------------------------ analysis

    @property
    def _fast(self) -> bool:
        # The tracker's fast path answers --by source exactly as the networkx reference
        # does (tests/test_fastpath.py, tests/test_export.py); it scales to the store.
        return self.by == "source" and self.tracker.fast

    @cached_property
    def _projected(self) -> tuple[Projection, _Cited]:
        if self._fast:
            proj, cits = self.tracker.citations(self.statements, all_sources=True)
            return proj, _Cited.from_citations(cits)
        proj = self.tracker.projection(self.statements, self.by)
        return proj, _Cited.from_graph(proj.graph)

    def _analyses(self, chains: bool = True) -> Iterator[tuple[Projection, Any]]:
        """Each chosen statement's analysis, one at a time (none is kept); the fast path
        lists the chains only if asked (the reference path always does)."""
        proj, cited = self._projected
        if self._fast:
            from .. import fastgraph as fg

            cits = cited.citations
            wanted = self.statements if self.statements is not None else sorted(proj.statements)
            present = proj.statements
            analyse: Any = lambda s: fg.analyse(cits, s, chains=chains)  # noqa: E731
        else:
            wanted = self.statements if self.statements is not None else g.statements(proj.graph)
            present = proj.graph
            analyse = lambda s: g.analyse(proj.graph, s)  # noqa: E731
        for s in wanted:
            if s in present:
                yield proj, analyse(s)

    @cached_property
    def _analysed(self) -> _Analysed:
        """Each statement's verdict, its origins and the report it rests on."""
        out = _Analysed()
        for proj, a in self._analyses(chains=False):
            rests, _ = self.tracker._rests_on(proj, a)
            out.verdicts[a.statement] = _Verdict(
                a.single_source, a.independent_sources, a.circular,
                self.tracker.source_id(rests) if rests else "",
            )
            for o in a.origins:
                out.origin_reports.update(a.subgraph.nodes[o].get("members") or [o])
            if a.rests_on:
                out.critical.add(a.rests_on)
        return out

    @cached_property
    def details(self) -> dict[str, dict[str, Any]]:
        """Statement IRI -> the ``origin`` object of design section 5.

        The tracker renders it: the HTML side panel shows what ``provenance origin
        --format json`` prints.
        """
        return {a.statement: self.tracker._origin_object(proj, a)
                for proj, a in self._analyses()}

    def _report_facts(self, reports: Collection[str]) -> _ReportFacts:
        """Documents, cue and evidence of *reports*: one DISTINCT query per property.

        One query with an OPTIONAL per property would return, for a report stated in
        k documents, k to the third power rows (one per graph and pattern).
        """
        backend = self.tracker.backend
        restrict = ""
        if not self.whole_store:
            # Bounded by the selection, which is small when it is not the store.
            restrict = "VALUES ?r { " + " ".join(f"<{r}>" for r in sorted(reports)) + " } "
        facts = _ReportFacts()
        indexed = False
        if self.whole_store:
            from ..projection import feed_appearances

            def add(r: str, d: str) -> None:
                if r in reports:
                    facts.add_document(r, d)

            indexed = feed_appearances(backend, add, facts.documents.clear)
        values: dict[str, str] = {}
        for prop, table in (("pt:appearsIn", None), ("pt:cue", facts.cue),
                            ("pt:evidence", facts.evidence)):
            if table is None and indexed:
                continue
            rows = backend.select_iter(
                f"SELECT DISTINCT ?r ?o WHERE {{ {restrict}?r {prop} ?o }}", ("r", "o")
            )
            for r, o in rows:
                if r not in reports:
                    continue
                if table is None:
                    facts.add_document(r, o)  # type: ignore[arg-type]
                elif not table.get(r):  # type: ignore[call-overload]
                    # one string per distinct value (cues: a few words, millions of reports)
                    table[r] = values.setdefault(o, o)  # type: ignore[index, arg-type]
        return facts

    @cached_property
    def graph(self) -> nx.DiGraph:
        """Statements, reports and sources with scalar attributes (see the module doc)."""
        elements = _Elements(self)
        X = nx.DiGraph()
        X.add_nodes_from(elements.nodes())
        nodes = X.nodes
        X.add_edges_from(elements.edges(lambda n: _view(nodes[n]) if n in nodes else None))
        return X

    def elements(self) -> tuple[Iterator[_Node], Iterator[_EdgeItem]]:
        """:attr:`graph`'s nodes and edges, in its order, made as they are read: the
        streaming writers (GraphML, GEXF) of a whole store write them without the
        graph (at a million statements, six million nodes and ten million edges of
        attribute dicts: 12 GB). Every node has the keys of :data:`NODE_DEFAULTS`, every
        edge those of :data:`EDGE_DEFAULTS`. From the graph where it is built already,
        or where a node is two things at once (a source that is also a report, in odd
        data: networkx merges the two)."""
        if "graph" not in self.__dict__:
            elements = _Elements(self)
            if not elements.shared():
                return elements.nodes(), elements.edges(elements.view)
        G = self.graph
        return iter(G.nodes(data=True)), iter(G.edges(data=True))

    def node_count(self) -> int:
        """The number of nodes of :attr:`graph`, or for the whole store before it is built
        a lower bound (its statements and reports, counted by the store, no analysis)."""
        if not self.whole_store or "graph" in self.__dict__:
            return int(self.graph.number_of_nodes())
        rows = self.tracker.backend.select(
            "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { { ?s a pt:Statement } "
            "UNION { ?s pt:statement ?x } }"
        )
        return int(rows[0]["n"]) if rows else 0

    # ------------------------------------------------------------ RDF

    def quads(self) -> Iterator[Any]:
        """The store's quads for the selection (its bookkeeping left out), as pyoxigraph quads.

        The whole store is streamed as it is. A selection holds the named graphs of
        the chosen documents whole and, for the chosen statements, every triple about
        them, their reports, the reports' statements and documents and the sources
        involved, each in the graph it came from: ingested into a new store, it answers
        every question about those statements as the store does.
        """
        import pyoxigraph as ox

        store = self.tracker.backend.raw()
        skip = ox.NamedNode(str(PT.contentHash))
        if self.whole_store:
            for quad in store.quads_for_pattern(None, None, None, None):
                if quad.predicate != skip:
                    yield quad
            return
        seen: set[Any] = set()
        for doc in self.documents:
            for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(doc)):
                if quad.predicate != skip and quad not in seen:
                    seen.add(quad)
                    yield quad
        for subject in sorted(self._resources()):
            for quad in store.quads_for_pattern(ox.NamedNode(subject), None, None, None):
                if quad.predicate != skip and quad not in seen:
                    seen.add(quad)
                    yield quad

    def _resources(self) -> set[str]:
        """IRIs whose triples a statement selection needs (the subjects to copy)."""
        select = self.tracker.backend.select

        def values(iris: Iterable[str]) -> str:
            return " ".join(f"<{i}>" for i in sorted(iris))

        def fetch(pattern: str, iris: Iterable[str]) -> set[str]:
            iris = list(iris)
            if not iris:
                return set()
            rows = select(
                f"SELECT DISTINCT ?x WHERE {{ VALUES ?y {{ {values(iris)} }} "
                f"{pattern} FILTER(isIRI(?x)) }}"
            )
            return {r["x"] for r in rows}

        wanted = self.statements or []
        reports = fetch(
            "?r0 pt:statement ?y . ?r0 (prov:wasDerivedFrom|prov:wasQuotedFrom)* ?x", wanted
        )
        statements = set(wanted) | fetch("?y pt:statement ?x", reports)
        members = fetch("?y rdf:subject|rdf:predicate|rdf:object ?x", statements)
        documents = fetch("?y pt:appearsIn ?x", reports)
        agents = fetch("?y prov:wasAttributedTo|schema:publisher ?x", reports | documents)
        agents |= fetch("?y prov:actedOnBehalfOf+ ?x", agents)
        return reports | statements | members | documents | agents


_Node = tuple[str, dict[str, Any]]
_EdgeItem = tuple[str, str, dict[str, Any]]
# What an edge reads of a node: (kind, source, document, cue, statement, single_source,
# independent_sources); None for a node that is not in the graph.
_View = tuple[str, str, str, str, str, bool, int]
_view = operator.itemgetter("kind", "source", "document", "cue", "statement", "single_source",
                            "independent_sources")


class _Elements:
    """The export graph's nodes and edges, made one at a time in networkx's order:
    statements, reports (sorted), sources (and the organisations they act for); then
    each node's edges, node by node (a statement's ``asserts``; a report's ``cites``,
    then its ``said_by``; a source's ``acts_for``). Holds what the edges read of the
    nodes (a few strings per report), not the nodes themselves."""

    def __init__(self, source: ExportSource) -> None:
        self.proj, self.P = source._projected
        self.by = source.by
        analysed = source._analysed
        self.verdicts, self.origin_reports = analysed.verdicts, analysed.origin_reports
        self.critical = analysed.critical
        self.cycle_of = {n: i for i, cycle in enumerate(self.P.cycles) for n in cycle}
        self.reports = sorted(self.P.source)
        self.members_of = self.P.members_of
        # the reports themselves (a view, not a set of millions) unless merged by organisation
        originals: Any = (self.P.source.keys() if not self.P.members
                          else {m for r in self.reports for m in self.members_of(r)})
        self.facts: _ReportFacts | None = source._report_facts(originals)
        self.sources = self._sources()
        self.source_set = set(self.sources)
        self.report_docs: dict[str, str] = {}
        self.statement_docs: dict[str, str] = {}
        self.cue: dict[str, str] = {}
        self._documents()

    def _sources(self) -> list[str]:
        """The sources of the reports and (counting by source) the organisations they
        act for, transitively, in the order they are added."""
        proj = self.proj
        todo = sorted(set(self.P.source.values()))
        seen: dict[str, None] = {}
        while todo:
            src = todo.pop()
            if src in seen:
                continue
            seen[src] = None
            info = proj.sources.get(src)
            if self.by == "source" and info:
                todo.extend(p for p in info.principals if p not in seen)
        return list(seen)

    def _documents(self) -> None:
        """Each report's and statement's document ids, and each report's cue."""
        facts, P = self.facts, self.P
        assert facts is not None
        by_statement: dict[str, set[str]] = {}
        ids: dict[str, str] = {}  # one string per document list (most reports: one document)
        for r in self.reports:
            members = self.members_of(r)
            if len(members) == 1:
                docs: Iterable[str] = facts.documents_of(members[0], pop=True)
            else:
                docs = set().union(*(facts.documents_of(m, pop=True) for m in members))
            key = " ".join(sorted(docs))
            text = ids.get(key)
            if text is None:
                text = ids[key] = _doc_ids(docs)
            self.report_docs[r] = text
            stmt = P.statement.get(r, "")
            if docs:
                by_statement.setdefault(stmt, set()).update(docs)
            cue = next((c for m in members if (c := facts.cue.get(m))), "")
            if cue:
                self.cue[r] = cue
        self.statement_docs = {s: _doc_ids(docs) for s, docs in by_statement.items()}

    def shared(self) -> bool:
        """Whether a node is two things (networkx merges them; a stream would not)."""
        verdicts, reports = self.verdicts.keys(), self.P.source.keys()
        return (not verdicts.isdisjoint(reports) or not self.source_set.isdisjoint(reports)
                or not self.source_set.isdisjoint(verdicts))

    def _marks(self, statement: str) -> tuple[bool, int]:
        v = self.verdicts.get(statement)
        return (v.single_source, v.independent_sources) if v else (False, 0)

    def view(self, n: str) -> _View | None:
        """What an edge reads of node *n* (as ``_view(graph.nodes[n])`` gives it)."""
        P = self.P
        if n in P.source:
            stmt = P.statement.get(n, "")
            return ("report", _source_id(P.source[n]), self.report_docs[n], self.cue.get(n, ""),
                    local_id(stmt), *self._marks(stmt))
        if n in self.verdicts:
            v = self.verdicts[n]
            return ("statement", "", self.statement_docs.get(n, ""), "", local_id(n),
                    v.single_source, v.independent_sources)
        if n in self.source_set:
            return ("source", _source_id(n), "", "", "", False, 0)
        return None

    def nodes(self) -> Iterator[_Node]:
        proj, P, verdicts = self.proj, self.P, self.verdicts
        for s, v in verdicts.items():
            info = proj.statements[s]
            yield node_key(s), _node(
                kind="statement",
                label=info.text or local_id(s),
                name=local_id(s),
                iri=s,
                statement=local_id(s),
                document=self.statement_docs.get(s, ""),
                single_source=v.single_source,
                independent_sources=v.independent_sources,
                rests_on=v.rests_on,
                circular=v.circular,
            )
        facts = self.facts
        assert facts is not None
        for r in self.reports:
            src = P.source[r]
            stmt = P.statement.get(r, "")
            src_info = proj.sources.get(src)
            single, count = self._marks(stmt)
            yield node_key(r), _node(
                kind="report",
                label=src_info.label if src_info else _source_id(src),
                name=local_id(r),
                iri=r,
                statement=local_id(stmt),
                source=_source_id(src),
                document=self.report_docs[r],
                cue=self.cue.get(r, ""),
                evidence=next((e for m in self.members_of(r) if (e := facts.evidence.get(m))),
                              ""),
                circular=r in self.cycle_of,
                origin=r in self.origin_reports or not P.successors(r),
                critical=r in self.critical,
                entry=r in P.entry,
                anonymous=bool(src_info and src_info.anonymous),
                single_source=single,
                independent_sources=count,
            )
        facts = self.facts = None  # the evidence is not needed any more
        for src in self.sources:
            src_info = proj.sources.get(src)
            yield node_key(src), _node(
                kind="source",
                label=src_info.label if src_info else _source_id(src),
                name=_source_id(src),
                iri=src,
                source=_source_id(src),
                type=src_info.type if src_info else "agent",
                anonymous=bool(src_info and src_info.anonymous),
            )

    def edges(self, view: Callable[[str], _View | None]) -> Iterator[_EdgeItem]:
        """The edges, reading the nodes through *view* (the graph's, or :meth:`view`)."""
        P, cycle_of = self.P, self.cycle_of
        for u in itertools.chain(self.verdicts, self.reports):
            ud = view(u)
            if ud is None:
                continue
            asserts = ud[0] == "statement"
            stmt = u if asserts else P.statement.get(u, "")
            single, count = self._marks(stmt)
            for v in sorted(P.successors(u)):
                vd = view(v)
                if vd is None:
                    continue
                yield u, v, _edge(
                    kind="asserts" if asserts else "cites",
                    statement=local_id(stmt),
                    source=vd[1],
                    document=vd[2] if asserts else ud[2],
                    cue=vd[3] if asserts else ud[3],
                    circular=not asserts and u in cycle_of and cycle_of[u] == cycle_of.get(v),
                    single_source=single,
                    independent_sources=count,
                )
            if u in P.source:
                yield from self._said_by(u, view)
        if self.by == "source":
            for src in self.sources:
                src_info = self.proj.sources.get(src)
                for p in src_info.principals if src_info else []:
                    if p != src and view(p) is not None:
                        yield src, p, _edge(kind="acts_for", source=_source_id(p))

    def _said_by(self, r: str, view: Callable[[str], _View | None]) -> Iterator[_EdgeItem]:
        rd = view(r)
        assert rd is not None
        yield r, self.P.source[r], _edge(
            kind="said_by",
            statement=rd[4],
            source=rd[1],
            document=rd[2],
            cue=rd[3],
            single_source=rd[5],
            independent_sources=rd[6],
        )


def first_elements(
    source: ExportSource,
) -> tuple[Iterator[_Node], Iterator[_EdgeItem], list[dict[str, Any]], list[dict[str, Any]]]:
    """:meth:`ExportSource.elements`, and the attributes of the first node and of the
    first edge (none if there is none): every node has the same keys with values of the
    same types, every edge too, so a streaming writer declares its keys from these."""
    nodes, edges = source.elements()
    node, edge = next(nodes, None), next(edges, None)
    return (itertools.chain((node,) if node else (), nodes),
            itertools.chain((edge,) if edge else (), edges),
            [node[1]] if node else [], [edge[2]] if edge else [])


def _node(**attrs: Any) -> dict[str, Any]:
    return {**NODE_DEFAULTS, **attrs}


def _edge(**attrs: Any) -> dict[str, Any]:
    out = {**EDGE_DEFAULTS, **attrs}
    out["label"] = out["label"] or _EDGE_LABELS.get(out["kind"], out["kind"])
    return out
