"""The networkx projection of a store: statements, reports and citations.

One SPARQL query per kind of fact, over any :class:`~provenance.store.Backend`
(embedded or remote); either the whole store or only the provenance subgraphs of
some statements (what a question about one statement needs, never more).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx

from .graph import organization_map
from .store import Backend, Row

__all__ = ["SourceInfo", "StatementInfo", "Projection", "load_projection", "load_sources"]


@dataclass
class SourceInfo:
    """What the store says about one source."""

    iri: str
    label: str
    type: str = "agent"
    anonymous: bool = False
    kind: str | None = None
    principals: list[str] = field(default_factory=list)


@dataclass
class StatementInfo:
    """A statement's text and triple."""

    iri: str
    text: str
    triple: tuple[str, str, str] | None


@dataclass
class Projection:
    """The graph plus the tables its node attributes refer to."""

    graph: nx.DiGraph
    statements: dict[str, StatementInfo]
    sources: dict[str, SourceInfo]

    def organization_of(self) -> dict[str, str]:
        """Source IRI -> IRI of the organisation it is merged into by organisation."""
        return organization_map({iri: info.principals for iri, info in self.sources.items()})


def _values(var: str, iris: Iterable[str]) -> str:
    return f"VALUES ?{var} {{ {' '.join(f'<{i}>' for i in iris)} }}"


_CITES = "prov:wasDerivedFrom|prov:wasQuotedFrom"
_PROV_TYPES = {
    "http://www.w3.org/ns/prov#Person": "person",
    "http://www.w3.org/ns/prov#Organization": "organization",
}


def load_sources(backend: Backend) -> dict[str, SourceInfo]:
    """Every source (agent with a label, or anything a report is attributed to)."""
    sources: dict[str, SourceInfo] = {}
    rows = backend.select(
        "SELECT DISTINCT ?a WHERE { { ?r prov:wasAttributedTo ?a } UNION { ?a a pt:Source } "
        "UNION { ?x prov:actedOnBehalfOf ?a } FILTER(isIRI(?a)) }"
    )
    for row in rows:
        sources[row["a"]] = SourceInfo(iri=row["a"], label=row["a"])
    for row in backend.select("SELECT ?a ?l WHERE { ?a a pt:Source ; rdfs:label ?l }") + backend.select(
        "SELECT ?a ?l WHERE { ?r prov:wasAttributedTo ?a . ?a rdfs:label ?l }"
    ):
        info = sources.get(row["a"])
        if info and info.label == info.iri:
            info.label = row["l"]
    for row in backend.select("SELECT ?a ?v WHERE { ?a pt:anonymous ?v }"):
        if row["a"] in sources:
            sources[row["a"]].anonymous = sources[row["a"]].anonymous or row["v"] in ("true", "1")
    for row in backend.select("SELECT ?a ?k WHERE { ?a pt:kind ?k }"):
        if row["a"] in sources:
            sources[row["a"]].kind = row["k"]
    for row in backend.select(
        "SELECT ?a ?t WHERE { ?a a ?t VALUES ?t { prov:Person prov:Organization } }"
    ):
        if row["a"] in sources:
            sources[row["a"]].type = _PROV_TYPES[row["t"]]
    for row in backend.select("SELECT ?a ?b WHERE { ?a prov:actedOnBehalfOf ?b FILTER(isIRI(?b)) }"):
        if row["a"] in sources and row["b"] not in sources[row["a"]].principals:
            sources[row["a"]].principals.append(row["b"])
    return sources


def _statement_rows(backend: Backend, restrict: str) -> list[Row]:
    return backend.select(
        f"SELECT ?s ?text ?subj ?pred ?obj WHERE {{ {restrict} ?s a pt:Statement . "
        "OPTIONAL { ?s pt:text ?text } OPTIONAL { ?s rdf:subject ?subj } "
        "OPTIONAL { ?s rdf:predicate ?pred } OPTIONAL { ?s rdf:object ?obj } }"
    )


def load_projection(backend: Backend, statements: Iterable[str] | None = None) -> Projection:
    """Project the store (or the provenance subgraphs of *statements*) into a DiGraph."""
    wanted = sorted(set(statements)) if statements is not None else None
    if wanted is not None and not wanted:
        return Projection(nx.DiGraph(), {}, load_sources(backend))
    restrict = _values("s", wanted) if wanted is not None else ""

    infos: dict[str, StatementInfo] = {}
    for row in _statement_rows(backend, restrict):
        if row["s"] in infos:
            continue
        triple = (row["subj"], row["pred"], row["obj"]) if "obj" in row else None
        infos[row["s"]] = StatementInfo(row["s"], row.get("text", ""), triple)

    if wanted is None:
        report_rows = backend.select(
            "SELECT ?r ?s ?src WHERE { ?r pt:statement ?s ; prov:wasAttributedTo ?src }"
        )
        cite_rows = backend.select(
            f"SELECT ?r ?c WHERE {{ ?r {_CITES} ?c . ?r pt:statement ?x . ?c pt:statement ?y }}"
        )
        entry_rows = backend.select(
            "SELECT DISTINCT ?r WHERE { ?r pt:appearsIn ?d ; prov:wasAttributedTo ?p . "
            "?d schema:publisher ?p }"
        )
    else:
        reach = f"{restrict} ?r0 pt:statement ?s . ?r0 ({_CITES})* ?r ."
        report_rows = backend.select(
            f"SELECT DISTINCT ?r ?src ?rs WHERE {{ {reach} "
            "?r pt:statement ?rs ; prov:wasAttributedTo ?src }"
        )
        for row in report_rows:
            row["s"] = row.pop("rs")
        cite_rows = backend.select(
            f"SELECT DISTINCT ?r ?c WHERE {{ {reach} ?r {_CITES} ?c . ?c pt:statement ?y }}"
        )
        entry_rows = backend.select(
            f"SELECT DISTINCT ?r WHERE {{ {reach} ?r pt:appearsIn ?d ; "
            "prov:wasAttributedTo ?p . ?d schema:publisher ?p }"
        )
    G = nx.DiGraph()
    for iri, info in infos.items():
        G.add_node(iri, kind="statement", label=info.text)
    entries = {row["r"] for row in entry_rows}
    for row in report_rows:
        G.add_node(row["r"], kind="report", source=row["src"], statement=row["s"],
                   entry=row["r"] in entries)
    for row in cite_rows:
        if row["r"] in G and row["c"] in G:
            G.add_edge(row["r"], row["c"])
    _add_roots(G, infos)
    return Projection(G, infos, load_sources(backend))


def _add_roots(G: nx.DiGraph, infos: dict[str, StatementInfo]) -> None:
    """Link each statement to the reports by which it enters the graph.

    Those are its entry reports, its reports that no other report of it cites,
    and, for a cycle that nothing leads into, the cycle's members.
    """
    by_statement: dict[str, list[str]] = {}
    for n, data in G.nodes(data=True):
        if data.get("kind") == "report" and data.get("statement") in infos:
            by_statement.setdefault(data["statement"], []).append(n)
    for s, reports in by_statement.items():
        mine = set(reports)
        roots = {
            r
            for r in reports
            if G.nodes[r]["entry"] or not any(p in mine and p != r for p in G.predecessors(r))
        }
        G.add_edges_from((s, r) for r in roots)
        reached = nx.descendants(G, s)
        left = mine - reached
        if left:
            sub = G.subgraph(left)
            C = nx.condensation(sub)
            for c in C:
                if C.in_degree(c) == 0:
                    G.add_edges_from((s, r) for r in C.nodes[c]["members"])
