"""The plain-Python fast path gives exactly what the reference graph layer gives."""

from __future__ import annotations

import networkx as nx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provenance import fastgraph as fg
from provenance import graph as g


@st.composite
def graphs(draw: st.DrawFn) -> nx.DiGraph:
    """A statement "s" and up to 8 reports with random citations, self-loops and cycles."""
    n = draw(st.integers(1, 8))
    reports = [f"r{i}" for i in range(n)]
    G = nx.DiGraph()
    G.add_node("s", kind="statement")
    for r in reports:
        G.add_node(r, kind="report", statement="s",
                   source=draw(st.sampled_from(["a", "b", "c", "d", "e"])),
                   entry=draw(st.booleans()))
    roots = draw(st.lists(st.sampled_from(reports), max_size=4, unique=True))
    G.add_edges_from(("s", r) for r in roots)
    pairs = st.tuples(st.sampled_from(reports), st.sampled_from(reports))
    G.add_edges_from(draw(st.lists(pairs, max_size=14)))
    return G


def _citations(G: nx.DiGraph) -> fg.Citations:
    c = fg.Citations()
    for n, d in G.nodes(data=True):
        if d.get("kind") == "report":
            c.add_report(n, source=d["source"], statement=d["statement"], entry=d["entry"])
    for u, v in G.edges():
        if u == "s":
            c.roots.setdefault("s", []).append(v)
        else:
            c.cite(u, v)
    return c


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs())
def test_analyse_matches_the_reference(G: nx.DiGraph) -> None:
    ref = g.analyse(G, "s")
    fast = fg.analyse(_citations(G), "s")
    assert fast.origins == ref.origins
    assert fast.chains == ref.chains
    assert fast.independent_sources == ref.independent_sources
    assert fast.dominators == ref.dominators
    assert fast.rests_on == ref.rests_on
    assert fast.circular == ref.circular
    assert fast.single_source == ref.single_source
    H, h = ref.subgraph, fast.subgraph
    assert sorted(h.nodes) == sorted(n for n in H if n != "s")
    assert len(h.nodes) == H.number_of_nodes() - 1
    terms = set()
    for node in H:
        if node == "s":
            continue
        want = {k: v for k, v in H.nodes[node].items() if k != "kind"}
        got = {k: v for k, v in h.nodes[node].items() if k != "kind"}
        assert got == want
        assert h.transparent(node) == (bool(want.get("entry")) and not want.get("circular")
                                       and H.out_degree(node) > 0)
        terms |= {node, *want.get("members", ()), *want.get("sources", ()), want["source"]}
    assert h.terms() == terms | {"s"}
    assert "s" not in h.nodes


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs(), st.integers(1, 4))
def test_chains_up_to_a_limit_are_the_ones_the_reference_lists(G: nx.DiGraph, limit: int) -> None:
    """All chains come from one walk; at the limit, which ones are listed depends on
    the order of the reference's walks (one per origin), so those are made then."""
    assert fg.analyse(_citations(G), "s", chain_limit=limit).chains == g.analyse(
        G, "s", chain_limit=limit).chains


@settings(max_examples=200, deadline=None)
@given(graphs(), st.integers(1, 3))
def test_the_cutoff_only_caps_the_count(G: nx.DiGraph, cutoff: int) -> None:
    ref = g.independent_sources(G, "s")
    assert fg.analyse(_citations(G), "s", cutoff=cutoff).independent_sources == min(ref, cutoff)


@settings(max_examples=200, deadline=None)
@given(graphs(), st.sampled_from(["a", "b", "c"]))
def test_impact_matches_the_reference(G: nx.DiGraph, source: str) -> None:
    ref = g.impact(G, source, ["s"]).get("s")
    assert fg.impact_counts(_citations(G), "s", source) == ref


@settings(max_examples=200, deadline=None)
@given(graphs())
def test_roots_match_the_projection(G: nx.DiGraph) -> None:
    """Citations.add_roots links a statement as provenance.projection._add_roots does."""
    from provenance.projection import StatementInfo, _add_roots

    H = G.copy()
    H.remove_edges_from(list(H.out_edges("s")))
    c = _citations(H)
    c.add_roots(["s"])
    _add_roots(H, {"s": StatementInfo("s", "", None)})
    assert sorted(c.roots.get("s", [])) == sorted(H.successors("s"))


@st.composite
def stores(draw: st.DrawFn) -> tuple[fg.Citations, list[str]]:
    """Several statements, each a random graph of :func:`graphs` (cycles, self-loops,
    entry reports), citations between their reports, and the statements asked for: some
    of them and perhaps one with no report (which may hold stale roots)."""
    k = draw(st.integers(1, 4))
    c = fg.Citations()
    for i in range(k):
        G = draw(graphs())
        for n, d in G.nodes(data=True):
            if d.get("kind") == "report":
                c.add_report(f"{n}.{i}", source=d["source"], statement=f"s{i}", entry=d["entry"])
        for u, v in G.edges():
            if u != "s":
                c.cite(f"{u}.{i}", f"{v}.{i}")
    reports = list(c.statement)
    pairs = st.tuples(st.sampled_from(reports), st.sampled_from(reports))
    for u, v in draw(st.lists(pairs, max_size=6)):  # across statements, mostly
        c.cite(u, v)
    if draw(st.booleans()):  # the tables in different orders (a slower path reads them)
        c.succ = dict(reversed(c.succ.items()))
    if draw(st.booleans()):
        c.roots[f"s{k}"] = ["stale"]
    names = [f"s{i}" for i in range(k + 1)]
    return c, draw(st.lists(st.sampled_from(names), min_size=1, unique=True))


def _roots_by_definition(c: fg.Citations, wanted: list[str]) -> dict[str, set[str]]:
    """Each wanted statement's roots, straight from the definition (with networkx)."""
    G = nx.DiGraph()
    G.add_nodes_from(c.succ)
    G.add_edges_from((u, v) for u, vs in c.succ.items() for v in vs)
    out = {s: set(rs) for s, rs in c.roots.items()}  # the others are left as they are
    for s in wanted:
        mine = {r for r, t in c.statement.items() if t == s}
        if not mine:
            continue
        roots = {r for r in mine
                 if r in c.entry or not any(p in mine and p != r for p in G.predecessors(r))}
        reached = roots.union(*(nx.descendants(G, r) for r in roots))
        C = nx.condensation(G.subgraph(mine - reached))
        for n in C:
            if C.in_degree(n) == 0:  # no other unreached report cites its members
                roots |= C.nodes[n]["members"]
        out[s] = roots
    return out


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stores())
def test_roots_match_the_definition(store: tuple[fg.Citations, list[str]]) -> None:
    """Citations.add_roots (a shortcut for statements whose reports their roots all
    reach through their own citations) gives the roots the definition gives."""
    c, wanted = store
    expected = _roots_by_definition(c, wanted)
    c.add_roots(wanted)
    assert {s: set(rs) for s, rs in c.roots.items()} == expected
    assert all(len(rs) == len(set(rs)) for rs in c.roots.values())


def test_a_cycle_reached_only_through_another_statement_holds_no_root() -> None:
    # s2: z (cites b of s1), x <-> y. Within s2 nothing leads to the cycle, but z does
    # through b, so z is s2's only root. s3: p <-> q, reached by nothing: both roots.
    c = fg.Citations()
    c.add_report("b", source="a", statement="s1")
    for r, s in (("z", "s2"), ("x", "s2"), ("y", "s2"), ("p", "s3"), ("q", "s3")):
        c.add_report(r, source=r, statement=s)
    for u, v in (("z", "b"), ("b", "x"), ("x", "y"), ("y", "x"), ("p", "q"), ("q", "p")):
        c.cite(u, v)
    c.add_roots(["s1", "s2", "s3", "s4"])
    assert {s: sorted(rs) for s, rs in c.roots.items()} == {
        "s1": ["b"], "s2": ["z"], "s3": ["p", "q"]}


@settings(max_examples=300, deadline=None)
@given(graphs())
def test_citation_cycles_match_the_reference(G: nx.DiGraph) -> None:
    """Peeling the reports no cycle leads into leaves the cycles networkx finds."""
    assert fg.circular_citations(_citations(G)) == g.circular_citations(G)


def test_hand_made_examples() -> None:
    c = fg.Citations()
    c.add_report("p", source="wire", statement="s", entry=True)
    for r in ("a", "b"):
        c.add_report(r, source=r, statement="s")
        c.cite("p", r)
    c.add_roots(["s"])
    a = fg.analyse(c, "s")
    assert (a.independent_sources, a.rests_on, a.origins) == (2, None, ["a", "b"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs())
def test_the_tree_shortcut_finds_the_dominators_the_general_algorithm_finds(
    G: nx.DiGraph,
) -> None:
    h = fg.subgraph(_citations(G), "s")
    origins = fg._origins(h)
    shortcut = fg._tree_dominators(h, origins) if origins else None
    if shortcut is not None:  # a tree: the shortcut answers, as networkx's dominators do
        assert shortcut == g.analyse(G, "s").dominators


@st.composite
def trees(draw: st.DrawFn) -> nx.DiGraph:
    """A statement "s" whose up to 10 reports each have one predecessor: a tree (most
    statements' subgraphs), which the fast path answers without a flow or a search."""
    n = draw(st.integers(1, 10))
    G = nx.DiGraph()
    G.add_node("s", kind="statement")
    for i in range(n):
        r = f"r{i}"
        G.add_node(r, kind="report", statement="s",
                   source=draw(st.sampled_from(["a", "b", "c"])),
                   entry=draw(st.booleans()))
        G.add_edge(draw(st.sampled_from(["s", *(f"r{j}" for j in range(i))])), r)
    return G


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees(), st.integers(1, 4))
def test_a_tree_is_answered_as_the_reference_answers_it(G: nx.DiGraph, limit: int) -> None:
    fast = fg.analyse(_citations(G), "s", chain_limit=limit)
    assert fast.subgraph.tree
    ref = g.analyse(G, "s", chain_limit=limit)
    assert (fast.origins, fast.chains, fast.independent_sources, fast.dominators,
            fast.rests_on, fast.circular) == (
        ref.origins, ref.chains, ref.independent_sources, ref.dominators,
        ref.rests_on, ref.circular)


def test_a_wire_relaying_two_sources_beside_a_third_report_gives_three() -> None:
    # s -> p (the publisher's own report: transparent) -> a, b; s -> c. The three
    # sources a, b, c reach s by vertex-disjoint paths: three independent sources.
    c = fg.Citations()
    c.add_report("p", source="wire", statement="s", entry=True)
    for r in ("a", "b", "c"):
        c.add_report(r, source=r, statement="s")
    c.cite("p", "a")
    c.cite("p", "b")
    c.roots["s"] = ["p", "c"]
    a = fg.analyse(c, "s")
    assert a.subgraph.tree
    assert (a.independent_sources, a.chains, a.rests_on) == (3, [["a"], ["b"], ["c"]], None)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees(), st.sampled_from(["a", "b", "c"]))
def test_a_trees_impact_is_counted_as_the_reference_counts_it(G: nx.DiGraph, source: str) -> None:
    """Without the source's reports a tree is still counted without a flow."""
    c = _citations(G)
    assert fg.subgraph(c, "s").tree
    assert fg.impact_counts(c, "s", source) == g.impact(G, source, ["s"]).get("s")


def test_a_branch_whose_every_path_runs_through_the_removed_source_counts_nothing() -> None:
    # s -> a -> b -> (c, d): a is the branch's first report; without source "x" (b and
    # d) the path a -> b is cut, a -> ... reaches no origin: 0 paths. Beside it s -> e.
    c = fg.Citations()
    for r, src in (("a", "w"), ("b", "x"), ("c", "y"), ("d", "x"), ("e", "z")):
        c.add_report(r, source=src, statement="s")
    for u, v in (("a", "b"), ("b", "c"), ("b", "d")):
        c.cite(u, v)
    c.roots["s"] = ["a", "e"]
    h = fg.subgraph(c, "s")
    assert h.tree
    assert fg._count(h) == 2
    assert fg._count(h, frozenset({"b", "d"})) == 1  # e alone
    assert fg._count(h, frozenset({"d"})) == 2  # a -> b -> c still
    assert fg.impact_counts(c, "s", "x") == (2, 1)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.integers(0, 7), st.lists(st.integers(0, 7), max_size=3, unique=True),
                       max_size=8))
def test_peeling_finds_a_cycle_exactly_when_networkx_does(edges: dict[int, list[int]]) -> None:
    """fastgraph._acyclic (Kahn's peeling, the shortcut before the strongly connected
    components) agrees with networkx on small random graphs, self-loops included."""
    succ = {str(u): [str(v) for v in vs] for u, vs in edges.items()}
    for vs in list(succ.values()):
        for v in vs:
            succ.setdefault(v, [])
    G = nx.DiGraph((u, v) for u, vs in succ.items() for v in vs)
    G.add_nodes_from(succ)
    assert fg._acyclic(succ) == nx.is_directed_acyclic_graph(G)
