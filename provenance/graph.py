"""The graph layer: who originally said a statement, and how many independent sources it has.

The input is a networkx ``DiGraph`` whose nodes are plain strings (IRIs):

* statement nodes (``kind="statement"``) with an edge ``statement -> report`` to
  each report by which the statement enters the graph (its *root* reports);
* report nodes (``kind="report"``) with ``source`` (the source's IRI), ``entry``
  (True if it is an entry report: a document's publisher relaying the statement),
  and edges ``report -> cited report``.

:func:`provenance.projection.load_projection` builds such a graph from a store;
any graph of this shape will do (the tests build small ones by hand).

For a statement ``s`` (design section 3), ``G(s)`` is ``s`` and every report
reachable from it. Self-citations are ignored. A citation cycle with no way out is
contracted into one *circular origin*. An entry report that cites someone is
*transparent*: it may be shared by several paths and is never a cut vertex.
``independent_sources(s)`` is the maximum number of internally vertex-disjoint
paths from ``s`` to a virtual sink ``T`` fed by every origin (Menger: the size of
the smallest cut of non-transparent reports).

Every function terminates on cycles, self-citations and disconnected input.

Examples
--------
>>> import networkx as nx
>>> G = nx.DiGraph()
>>> G.add_node("s", kind="statement")
>>> for r, src, entry in [("p", "wire", True), ("a", "tass", False), ("b", "mfa", False)]:
...     G.add_node(r, kind="report", source=src, entry=entry)
>>> G.add_edges_from([("s", "p"), ("p", "a"), ("a", "b")])
>>> independent_sources(G, "s"), rests_on(G, "s")
(1, 'b')
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import networkx as nx

__all__ = [
    "SINK",
    "StatementAnalysis",
    "provenance_subgraph",
    "origins",
    "chains",
    "independent_sources",
    "is_single_source",
    "rests_on",
    "dominating_reports",
    "analyse",
    "impact",
    "circular_citations",
    "merge_by_organization",
    "organization_map",
    "statements",
]

SINK = "\x00T"  # the virtual sink; no IRI can collide with it


def statements(G: nx.DiGraph) -> list[str]:
    """The statement nodes of *G*, sorted."""
    return sorted(n for n, kind in G.nodes(data="kind") if kind == "statement")


def _check_statement(G: nx.DiGraph, s: str) -> None:
    if s not in G or G.nodes[s].get("kind") != "statement":
        raise nx.NodeNotFound(f"statement {s!r} is not in the graph")


def provenance_subgraph(G: nx.DiGraph, s: str) -> nx.DiGraph:
    """``G(s)``: *s*, every report reachable from it, their citations; no self-loops.

    Citation cycles with no way out are contracted into one node (the member with
    the smallest IRI) marked ``circular=True`` with ``members`` (sorted) and
    ``sources`` (the members' sources, sorted).
    """
    _check_statement(G, s)
    # Walk citations only: another statement's node is not a report, so nothing
    # behind it belongs to G(s) (it would otherwise show up as a stray origin).
    H = nx.DiGraph()
    H.add_node(s, **G.nodes[s])
    stack = [s]
    while stack:
        for n in G.successors(stack.pop()):
            if n not in H and G.nodes[n].get("kind") != "statement":
                H.add_node(n, **G.nodes[n])
                stack.append(n)
    for u in H:
        for v in G.successors(u):
            if v in H and v != u and v != s and (u == s or G.nodes[v].get("kind") != "statement"):
                H.add_edge(u, v)
    _contract_sink_cycles(H, s)
    return H


def _contract_sink_cycles(H: nx.DiGraph, s: str) -> None:
    reports = H.subgraph(n for n in H if n != s)
    for component in list(nx.strongly_connected_components(reports)):
        if len(component) < 2:
            continue
        if any(v not in component for u in component for v in H.successors(u)):
            continue  # the cycle has a way out: its members are ordinary relays
        rep = min(component)
        members = sorted(component)
        preds = {u for m in component for u in H.predecessors(m) if u not in component}
        attrs = dict(H.nodes[rep])
        # Read the members' sources before removing them: ``reports`` is a view of H.
        sources = sorted({H.nodes[m].get("source", m) for m in members})
        H.remove_nodes_from(component)
        attrs.update(circular=True, entry=False, members=members, sources=sources)
        H.add_node(rep, **attrs)
        H.add_edges_from((u, rep) for u in preds)


def _transparent(H: nx.DiGraph, n: str) -> bool:
    data = H.nodes[n]
    return bool(data.get("entry")) and not data.get("circular") and H.out_degree(n) > 0


def _origins_of(H: nx.DiGraph, s: str) -> list[str]:
    return sorted(n for n in H if n != s and H.out_degree(n) == 0)


def origins(G: nx.DiGraph, s: str) -> list[str]:
    """The origin reports of *s*: reachable reports that cite nobody (or circular origins).

    >>> G = nx.DiGraph([("s", "p"), ("p", "a"), ("p", "b")])
    >>> kinds = {"s": "statement", "p": "report", "a": "report", "b": "report"}
    >>> nx.set_node_attributes(G, kinds, "kind")
    >>> origins(G, "s")
    ['a', 'b']
    """
    return _origins_of(provenance_subgraph(G, s), s)


def chains(G: nx.DiGraph, s: str, limit: int = 1000) -> list[list[str]]:
    """Every simple path from *s* to an origin, as report nodes (at most *limit* chains).

    A transparent entry report at the head of a path is left out: it is the
    reader's point of entry, not a relay. Paths that then read the same are one
    chain. Chains are sorted, shortest first.
    """
    return _chains_of(provenance_subgraph(G, s), s, limit)


def _chains_of(H: nx.DiGraph, s: str, limit: int) -> list[list[str]]:
    # Paths that differ only in their transparent head are one chain.
    found: set[tuple[str, ...]] = set()
    for target in _origins_of(H, s):
        for path in nx.all_simple_paths(H, s, target):
            nodes = path[1:]
            if len(nodes) > 1 and _transparent(H, nodes[0]):
                nodes = nodes[1:]
            found.add(tuple(nodes))
            if len(found) >= limit:
                break
        if len(found) >= limit:
            break
    return sorted((list(p) for p in found), key=lambda p: (len(p), p))


def _flow_network(H: nx.DiGraph, s: str, removed: frozenset[str] = frozenset()) -> nx.DiGraph:
    """Node-split network: capacity 1 through each non-transparent report.

    A report ``n`` becomes ``(n, 0) -> (n, 1)`` with capacity 1; a transparent one
    stays the single uncuttable node ``(n, 0)``. Edges without a capacity are
    unbounded (networkx's convention).
    """
    F = nx.DiGraph()
    for n in H:
        if n == s or n in removed:
            continue
        if not _transparent(H, n):
            F.add_edge((n, 0), (n, 1), capacity=1)
    for u, v in H.edges():
        if u in removed or v in removed:
            continue
        tail = s if u == s else (u, 1) if not _transparent(H, u) else (u, 0)
        head = (v, 0)
        F.add_edge(tail, head)
    for n in _origins_of(H, s):
        if n not in removed:
            F.add_edge((n, 1), SINK)
    return F


def _count(H: nx.DiGraph, s: str, removed: frozenset[str] = frozenset()) -> int:
    F = _flow_network(H, s, removed)
    if s not in F or SINK not in F:
        return 0
    return int(nx.maximum_flow_value(F, s, SINK))


def independent_sources(G: nx.DiGraph, s: str) -> int:
    """The number of internally vertex-disjoint paths from *s* to its origins.

    Transparent entry reports may be shared; a circular origin counts once.
    """
    return _count(provenance_subgraph(G, s), s)


def is_single_source(G: nx.DiGraph, s: str) -> bool:
    """True if *s* rests on at most one independent source."""
    return independent_sources(G, s) <= 1


def _dominators(H: nx.DiGraph, s: str) -> list[str]:
    """Non-transparent reports every path from *s* to ``T`` goes through, deepest first."""
    origins_ = _origins_of(H, s)
    if not origins_:
        return []
    D = H.copy()
    D.add_edges_from((o, SINK) for o in origins_)
    idom = nx.immediate_dominators(D, s)
    found: list[str] = []
    node = idom[SINK]
    while node != s:
        if not _transparent(H, node):
            found.append(node)
        node = idom[node]
    return found


def dominating_reports(G: nx.DiGraph, s: str) -> list[str]:
    """Reports whose removal cuts *s* off from every origin (deepest first)."""
    return _dominators(provenance_subgraph(G, s), s)


def rests_on(G: nx.DiGraph, s: str) -> str | None:
    """For a single-source statement, the deepest report everything depends on, else None."""
    H = provenance_subgraph(G, s)
    if _count(H, s) != 1:
        return None
    found = _dominators(H, s)
    return found[0] if found else None


@dataclass
class StatementAnalysis:
    """Everything the graph layer says about one statement (nodes are report IRIs)."""

    statement: str
    origins: list[str]
    chains: list[list[str]]
    independent_sources: int
    rests_on: str | None
    dominators: list[str]
    circular: bool
    subgraph: nx.DiGraph = field(repr=False)

    @property
    def single_source(self) -> bool:
        return self.independent_sources <= 1


def analyse(G: nx.DiGraph, s: str, chain_limit: int = 1000) -> StatementAnalysis:
    """Compute origins, chains, counts and the dominators of *s* in one pass over ``G(s)``."""
    H = provenance_subgraph(G, s)
    count = _count(H, s)
    dominators = _dominators(H, s)
    reports = H.subgraph(n for n in H if n != s)
    circular = any(H.nodes[n].get("circular") for n in H) or any(
        len(c) > 1 for c in nx.strongly_connected_components(reports)
    )
    return StatementAnalysis(
        statement=s,
        origins=_origins_of(H, s),
        chains=_chains_of(H, s, chain_limit),
        independent_sources=count,
        rests_on=dominators[0] if count == 1 and dominators else None,
        dominators=dominators,
        circular=circular,
        subgraph=H,
    )


def impact(
    G: nx.DiGraph, source: str, candidates: Iterable[str] | None = None
) -> dict[str, tuple[int, int]]:
    """What falls if *source* is discredited.

    Returns, for each statement with a non-transparent report by *source* on a path
    to an origin, ``(independent sources before, after removing source's reports)``.
    ``after == 0`` means the statement rests on *source*; ``after < before`` means it
    loses independence. Statements whose count does not change are left out.
    """
    out: dict[str, tuple[int, int]] = {}
    for s in candidates if candidates is not None else statements(G):
        H = provenance_subgraph(G, s)
        mine = frozenset(
            n
            for n in H
            if n != s
            and not _transparent(H, n)
            and (H.nodes[n].get("source") == source or source in H.nodes[n].get("sources", ()))
        )
        if not mine:
            continue
        before = _count(H, s)
        after = _count(H, s, mine)
        if after < before:
            out[s] = (before, after)
    return out


def circular_citations(G: nx.DiGraph) -> list[list[str]]:
    """Every citation cycle (strongly connected set of more than one report), sorted."""
    reports = G.subgraph(n for n, k in G.nodes(data="kind") if k != "statement")
    cycles = [sorted(c) for c in nx.strongly_connected_components(reports) if len(c) > 1]
    return sorted(cycles)


def organization_map(principals: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Map each source to its organisation: sources linked by acting on behalf are one.

    *principals* maps a source to the sources it acts on behalf of. Each connected
    group is represented by its top organisation (one acting for nobody; the
    smallest IRI if there are several).

    >>> organization_map({"press": ["ministry"], "spokesperson": ["ministry"]})["press"]
    'ministry'
    """
    U = nx.Graph()
    acts_for: set[str] = set()
    for source, bosses in principals.items():
        U.add_node(source)
        for boss in bosses:
            if boss != source:
                U.add_edge(source, boss)
                acts_for.add(source)
    mapping: dict[str, str] = {}
    for component in nx.connected_components(U):
        tops = sorted(n for n in component if n not in acts_for) or sorted(component)
        for n in component:
            mapping[n] = tops[0]
    return mapping


def merge_by_organization(
    G: nx.DiGraph, org_of: Callable[[str], str] | Mapping[str, str]
) -> nx.DiGraph:
    """Merge, per statement, the reports whose sources belong to one organisation.

    The merged report keeps the id of the member whose source is the organisation
    itself if there is one (else the smallest id), takes the organisation as its
    source, and is an entry report if any member was.
    """
    lookup = org_of.get if isinstance(org_of, Mapping) else org_of
    groups: dict[tuple[str, str], list[str]] = {}
    for n, data in G.nodes(data=True):
        if data.get("kind") == "statement":
            continue
        src = data.get("source", n)
        org = lookup(src) or src  # type: ignore[operator]
        groups.setdefault((data.get("statement", ""), org), []).append(n)
    rename: dict[str, str] = {}
    M = nx.DiGraph()
    for n, data in G.nodes(data=True):
        if data.get("kind") == "statement":
            M.add_node(n, **data)
    for (_, org), members in groups.items():
        own = [m for m in members if G.nodes[m].get("source") == org]
        rep = min(own) if own else min(members)
        attrs = dict(G.nodes[rep])
        attrs.update(
            source=org,
            entry=any(G.nodes[m].get("entry") for m in members),
            members=sorted(members),
        )
        M.add_node(rep, **attrs)
        for m in members:
            rename[m] = rep
    for u, v in G.edges():
        a, b = rename.get(u, u), rename.get(v, v)
        if a != b:
            M.add_edge(a, b)
    return M
