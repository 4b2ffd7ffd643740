"""What every exporter reads: the selection, its analysed graph, and its RDF.

:class:`ExportSource` is built once per export from a :class:`~provenance.tracker.Tracker`
and a selection (the whole store, some statements, a document). It computes lazily,
so an RDF export never builds the graph and a graph export never reads the quads:

* :attr:`ExportSource.graph`: a ``networkx.DiGraph`` of statements, reports and
  sources whose node and edge attributes are all scalars (str, bool, int), the same
  keys on every node and on every edge, so that GraphML, GEXF and JSON take it as it
  is. The analysis (independent sources, single-source flags, circular citations)
  comes from the graph layer through the tracker; nothing is recomputed here.
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

from collections.abc import Callable, Iterable, Iterator
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

__all__ = ["ExportSource", "NODE_DEFAULTS", "EDGE_DEFAULTS", "node_key"]

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


@dataclass
class _ReportFacts:
    documents: set[str]
    cue: str = ""
    evidence: str = ""


@dataclass
class _Verdict:
    """What the export graph marks on a statement (its analysis is not kept)."""

    single_source: bool
    independent_sources: int
    circular: bool
    rests_on: str


@dataclass
class _Analysed:
    verdicts: dict[str, _Verdict] = field(default_factory=dict)
    details: dict[str, dict[str, Any]] = field(default_factory=dict)
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

    @cached_property
    def _analysed(self) -> _Analysed:
        """Each statement's verdict and origin object, in one pass (analyses not kept)."""
        proj, cited = self._projected
        out = _Analysed()
        if self._fast:
            from .. import fastgraph as fg

            cits = cited.citations
            wanted = self.statements if self.statements is not None else sorted(proj.statements)
            present = proj.statements
            analyse: Any = lambda s: fg.analyse(cits, s)  # noqa: E731
        else:
            wanted = self.statements if self.statements is not None else g.statements(proj.graph)
            present = proj.graph
            analyse = lambda s: g.analyse(proj.graph, s)  # noqa: E731
        for s in wanted:
            if s not in present:
                continue
            a = analyse(s)
            # The tracker renders the design's origin object; reusing it keeps the
            # HTML side panel and `provenance origin --format json` identical.
            obj = self.tracker._origin_object(proj, a)
            out.details[s] = obj
            out.verdicts[s] = _Verdict(
                a.single_source, a.independent_sources, a.circular, obj["rests_on"] or ""
            )
            for o in a.origins:
                out.origin_reports.update(a.subgraph.nodes[o].get("members") or [o])
            if a.rests_on:
                out.critical.add(a.rests_on)
        return out

    @property
    def details(self) -> dict[str, dict[str, Any]]:
        """Statement IRI -> the ``origin`` object of design section 5."""
        return self._analysed.details

    def _report_facts(self, reports: set[str]) -> dict[str, _ReportFacts]:
        """Documents, cue and evidence of *reports*: one DISTINCT query per property.

        One query with an OPTIONAL per property would return, for a report stated in
        k documents, k to the third power rows (one per graph and pattern).
        """
        backend = self.tracker.backend
        restrict = ""
        if not self.whole_store:
            # Bounded by the selection, which is small when it is not the store.
            restrict = "VALUES ?r { " + " ".join(f"<{r}>" for r in sorted(reports)) + " } "
        facts: dict[str, _ReportFacts] = {}
        for prop, field_ in (("pt:appearsIn", "documents"), ("pt:cue", "cue"),
                             ("pt:evidence", "evidence")):
            rows = backend.select_iter(
                f"SELECT DISTINCT ?r ?o WHERE {{ {restrict}?r {prop} ?o }}", ("r", "o")
            )
            for r, o in rows:
                if r not in reports:
                    continue
                f = facts.get(r)  # type: ignore[call-overload]
                if f is None:
                    f = facts[r] = _ReportFacts(set())  # type: ignore[index]
                if field_ == "documents":
                    f.documents.add(o)  # type: ignore[arg-type]
                elif not getattr(f, field_):
                    setattr(f, field_, o)
        return facts

    @cached_property
    def graph(self) -> nx.DiGraph:
        """Statements, reports and sources with scalar attributes (see the module doc)."""
        proj, P = self._projected
        X = nx.DiGraph()
        analysed = self._analysed
        verdicts = analysed.verdicts
        cycle_of = {n: i for i, cycle in enumerate(P.cycles) for n in cycle}
        reports = sorted(P.source)
        facts = self._report_facts({m for r in reports for m in P.members_of(r)})
        no_facts = _ReportFacts(set())
        unanalysed = _Verdict(False, 0, False, "")

        def marks(statement: str) -> dict[str, Any]:
            v = verdicts.get(statement, unanalysed)
            return {"single_source": v.single_source, "independent_sources": v.independent_sources}

        report_docs: dict[str, str] = {}
        statement_docs: dict[str, set[str]] = {}
        for r in reports:
            docs = set().union(*(facts.get(m, no_facts).documents for m in P.members_of(r)))
            report_docs[r] = _doc_ids(docs)
            statement_docs.setdefault(P.statement.get(r, ""), set()).update(docs)

        for s, v in verdicts.items():
            info = proj.statements[s]
            X.add_node(
                node_key(s),
                **_node(
                    kind="statement",
                    label=info.text or local_id(s),
                    name=local_id(s),
                    iri=s,
                    statement=local_id(s),
                    document=_doc_ids(statement_docs.get(s, ())),
                    single_source=v.single_source,
                    independent_sources=v.independent_sources,
                    rests_on=v.rests_on,
                    circular=v.circular,
                ),
            )
        del statement_docs

        sources_used: set[str] = set()
        for r in reports:
            src = P.source[r]
            stmt = P.statement.get(r, "")
            sources_used.add(src)
            src_info = proj.sources.get(src)
            member_facts = [facts[m] for m in P.members_of(r) if m in facts]
            X.add_node(
                node_key(r),
                **_node(
                    kind="report",
                    label=src_info.label if src_info else _source_id(src),
                    name=local_id(r),
                    iri=r,
                    statement=local_id(stmt),
                    source=_source_id(src),
                    document=report_docs[r],
                    cue=next((f.cue for f in member_facts if f.cue), ""),
                    evidence=next((f.evidence for f in member_facts if f.evidence), ""),
                    circular=r in cycle_of,
                    origin=r in analysed.origin_reports or not P.successors(r),
                    critical=r in analysed.critical,
                    entry=r in P.entry,
                    anonymous=bool(src_info and src_info.anonymous),
                    **marks(stmt),
                ),
            )
        del facts, report_docs

        # Sources, and (counting by source) the organisations they act for, transitively.
        todo = sorted(sources_used)
        seen: set[str] = set()
        while todo:
            src = todo.pop()
            if src in seen:
                continue
            seen.add(src)
            src_info = proj.sources.get(src)
            X.add_node(
                node_key(src),
                **_node(
                    kind="source",
                    label=src_info.label if src_info else _source_id(src),
                    name=_source_id(src),
                    iri=src,
                    source=_source_id(src),
                    type=src_info.type if src_info else "agent",
                    anonymous=bool(src_info and src_info.anonymous),
                ),
            )
            if self.by == "source" and src_info:
                todo.extend(p for p in src_info.principals if p not in seen)

        # Edges in a stable order: statements' roots, then citations, each sorted.
        for u in [*verdicts, *reports]:
            if u not in X:
                continue
            ud = X.nodes[u]
            asserts = ud["kind"] == "statement"
            stmt = u if asserts else P.statement.get(u, "")
            for v in sorted(P.successors(u)):
                if v not in X:
                    continue
                vd = X.nodes[v]
                X.add_edge(
                    u,
                    v,
                    **_edge(
                        kind="asserts" if asserts else "cites",
                        statement=local_id(stmt),
                        source=vd["source"],
                        document=vd["document"] if asserts else ud["document"],
                        cue=vd["cue"] if asserts else ud["cue"],
                        circular=not asserts and u in cycle_of and cycle_of[u] == cycle_of.get(v),
                        **marks(stmt),
                    ),
                )
        for r in reports:
            rd = X.nodes[r]
            X.add_edge(
                r,
                P.source[r],
                **_edge(
                    kind="said_by",
                    statement=rd["statement"],
                    source=rd["source"],
                    document=rd["document"],
                    cue=rd["cue"],
                    single_source=rd["single_source"],
                    independent_sources=rd["independent_sources"],
                ),
            )
        if self.by == "source":
            for src in sorted(seen):
                src_info = proj.sources.get(src)
                for p in src_info.principals if src_info else []:
                    if p in X and p != src:
                        X.add_edge(src, p, **_edge(kind="acts_for", source=_source_id(p)))
        return X

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


def _node(**attrs: Any) -> dict[str, Any]:
    return {**NODE_DEFAULTS, **attrs}


def _edge(**attrs: Any) -> dict[str, Any]:
    out = {**EDGE_DEFAULTS, **attrs}
    out["label"] = out["label"] or _EDGE_LABELS.get(out["kind"], out["kind"])
    return out
