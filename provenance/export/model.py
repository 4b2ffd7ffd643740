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

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import networkx as nx

from .. import graph as g
from ..vocab import ID, PT, local_id

if TYPE_CHECKING:
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

    @cached_property
    def _projection(self) -> Projection:
        return self.tracker.projection(self.statements, self.by)

    @cached_property
    def _analysed(self) -> list[tuple[g.StatementAnalysis, dict[str, Any]]]:
        proj = self._projection
        wanted = self.statements if self.statements is not None else g.statements(proj.graph)
        out = []
        for s in wanted:
            if s in proj.graph:
                a = g.analyse(proj.graph, s)
                # The tracker renders the design's origin object; reusing it keeps the
                # HTML side panel and `provenance origin --format json` identical.
                out.append((a, self.tracker._origin_object(proj, a)))
        return out

    @cached_property
    def details(self) -> dict[str, dict[str, Any]]:
        """Statement IRI -> the ``origin`` object of design section 5."""
        return {a.statement: obj for a, obj in self._analysed}

    def _report_facts(self, reports: set[str]) -> dict[str, _ReportFacts]:
        backend = self.tracker.backend
        facts: dict[str, _ReportFacts] = {}
        query = (
            "SELECT ?r ?d ?cue ?ev WHERE { ?r pt:statement ?s . "
            "OPTIONAL { ?r pt:appearsIn ?d } OPTIONAL { ?r pt:cue ?cue } "
            "OPTIONAL { ?r pt:evidence ?ev } }"
        )
        if not self.whole_store:
            # Bounded by the selection, which is small when it is not the store.
            values = " ".join(f"<{r}>" for r in sorted(reports))
            query = query.replace("{ ?r", f"{{ VALUES ?r {{ {values} }} ?r", 1)
        for row in backend.select(query):
            if row["r"] not in reports:
                continue
            f = facts.setdefault(row["r"], _ReportFacts(set()))
            if "d" in row:
                f.documents.add(row["d"])
            f.cue = f.cue or row.get("cue", "")
            f.evidence = f.evidence or row.get("ev", "")
        return facts

    @cached_property
    def graph(self) -> nx.DiGraph:
        """Statements, reports and sources with scalar attributes (see the module doc)."""
        proj = self._projection
        P = proj.graph
        X = nx.DiGraph()
        analysed = {a.statement: (a, obj) for a, obj in self._analysed}
        cycle_of = {n: i for i, cycle in enumerate(g.circular_citations(P)) for n in cycle}
        reports = sorted(n for n, k in P.nodes(data="kind") if k == "report")
        facts = self._report_facts(_members(P, reports))
        no_facts = _ReportFacts(set())

        origin_reports: set[str] = set()
        critical: set[str] = set()
        for a, _ in analysed.values():
            for o in a.origins:
                origin_reports.update(a.subgraph.nodes[o].get("members") or [o])
            if a.rests_on:
                critical.add(a.rests_on)

        def marks(statement: str) -> dict[str, Any]:
            a = analysed[statement][0] if statement in analysed else None
            if a is None:
                return {"single_source": False, "independent_sources": 0}
            return {"single_source": a.single_source, "independent_sources": a.independent_sources}

        report_docs: dict[str, set[str]] = {}
        statement_docs: dict[str, set[str]] = {}
        for r in reports:
            members = _members_of(P, r)
            docs = set().union(*(facts.get(m, no_facts).documents for m in members))
            report_docs[r] = docs
            statement_docs.setdefault(P.nodes[r].get("statement", ""), set()).update(docs)

        for s, (a, obj) in analysed.items():
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
                    single_source=a.single_source,
                    independent_sources=a.independent_sources,
                    rests_on=obj["rests_on"] or "",
                    circular=a.circular,
                ),
            )

        sources_used: set[str] = set()
        for r in reports:
            data = P.nodes[r]
            src = data.get("source", r)
            sources_used.add(src)
            src_info = proj.sources.get(src)
            member_facts = [facts[m] for m in _members_of(P, r) if m in facts]
            X.add_node(
                node_key(r),
                **_node(
                    kind="report",
                    label=src_info.label if src_info else _source_id(src),
                    name=local_id(r),
                    iri=r,
                    statement=local_id(data.get("statement", "")),
                    source=_source_id(src),
                    document=_doc_ids(report_docs[r]),
                    cue=next((f.cue for f in member_facts if f.cue), ""),
                    evidence=next((f.evidence for f in member_facts if f.evidence), ""),
                    circular=r in cycle_of,
                    origin=r in origin_reports or P.out_degree(r) == 0,
                    critical=r in critical,
                    entry=bool(data.get("entry")),
                    anonymous=bool(src_info and src_info.anonymous),
                    **marks(data.get("statement", "")),
                ),
            )

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

        for u, v in P.edges():
            if u not in X or v not in X:
                continue
            ud, vd = X.nodes[u], X.nodes[v]
            asserts = ud["kind"] == "statement"
            stmt = u if asserts else P.nodes[u].get("statement", "")
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
                P.nodes[r].get("source", r),
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


def _members_of(P: nx.DiGraph, r: str) -> list[str]:
    """The original reports merged into *r* (by organisation), else [r]."""
    return list(P.nodes[r].get("members") or [r])


def _members(P: nx.DiGraph, reports: Iterable[str]) -> set[str]:
    return {m for r in reports for m in _members_of(P, r)}
