"""The per-statement analysis of :mod:`provenance.graph`, in plain Python.

:mod:`provenance.graph` is the reference: it works on a networkx ``DiGraph``. This
module answers the same questions (origins, chains, independent sources, dominators,
rests_on, circular) for one statement's small subgraph held in dicts and lists, so
that a question about one statement neither imports networkx (slow to start) nor
builds a graph object per statement (slow over a million statements). Property
tests (``tests/test_fastgraph.py``) check that :func:`analyse` gives exactly what
:func:`provenance.graph.analyse` gives, on random graphs with cycles, self-loops and
entry reports.

A graph here is a :class:`Citations`: report attributes, ``report -> cited reports``
adjacency lists, and ``statement -> root reports``.

Examples
--------
>>> c = Citations()
>>> c.add_report("p", source="wire", statement="s", entry=True)
>>> c.add_report("a", source="tass", statement="s")
>>> c.add_report("b", source="mfa", statement="s")
>>> c.cite("p", "a"); c.cite("a", "b")
>>> c.add_roots(["s"])
>>> a = analyse(c, "s")
>>> a.independent_sources, a.rests_on, a.chains
(1, 'b', [['a', 'b']])
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, filterfalse
from operator import is_
from typing import Any

__all__ = ["Citations", "Sub", "FastAnalysis", "analyse", "subgraph", "cite", "NONE"]


NONE: tuple[str, ...] = ()


def cite(succ: dict[str, Sequence[str]], r: str, c: str) -> None:
    """Add the citation r -> c to *succ* (once)."""
    cited = succ.get(r)
    if not cited:
        succ[r] = [c]
    elif c not in cited:  # a report cites a handful of reports at most
        cited.append(c)  # type: ignore[attr-defined]  # a list once it holds one


@dataclass
class Citations:
    """Reports (with ``source``, ``statement``, ``entry``), citations and statement roots."""

    source: dict[str, str] = field(default_factory=dict)
    statement: dict[str, str] = field(default_factory=dict)
    entry: set[str] = field(default_factory=set)
    # A report that cites nothing holds the shared empty tuple (NONE), not a list of
    # its own: four million empty lists at a million statements.
    succ: dict[str, Sequence[str]] = field(default_factory=dict)
    roots: dict[str, list[str]] = field(default_factory=dict)

    def add_report(self, r: str, *, source: str, statement: str, entry: bool = False) -> None:
        self.source[r] = source
        self.statement[r] = statement
        if entry:
            self.entry.add(r)
        else:
            self.entry.discard(r)
        self.succ.setdefault(r, NONE)

    def cite(self, r: str, c: str) -> None:
        cite(self.succ, r, c)
        self.succ.setdefault(c, NONE)

    def add_roots(self, statements: Iterable[str]) -> None:
        """Link each statement to its root reports, as :mod:`provenance.projection` does.

        Roots: entry reports, reports no other report of the statement cites, and for
        a cycle nothing leads into, the cycle's members; in no particular order (those
        who read them sort them or test membership).
        """
        # Measured at a million statements (4.1M reports, 2.9M of them citing; best of
        # 3): 7.3 s before, 5.5 s now. Memory, not Python, is the cost: a look-up in a
        # table of millions (succ, statement, entry) misses the cache, a few tenths of a
        # microsecond, where reading the tables in order costs little. So one pass reads
        # each report beside its citations (succ and statement list the reports in the
        # same order, as add_report and the index's builder make them) into a small dict
        # per statement, and each statement is worked out in its own. Measured and
        # dropped: a pass over all citations for those within a statement (4 s: a
        # look-up of the cited report's statement each), then a walk from all roots at
        # once (5 s more); the same with set operations in C (10 s in all).
        wanted = set(statements)
        succ, statement, entry = self.succ, self.statement, self.entry
        grouped: defaultdict[str, dict[str, Sequence[str]]] = defaultdict(dict)
        rows: Iterable[tuple[str, Sequence[str], str]]
        if len(succ) == len(statement) and all(map(is_, succ, statement)):
            rows = zip(succ, succ.values(), statement.values(), strict=True)
        else:
            rows = ((r, succ[r], s) for r, s in statement.items())
        for r, cited, s in rows:
            grouped[s][r] = cited  # the statement's reports -> those they cite
        for s in grouped.keys() - wanted:
            del grouped[s]
        for s, own in grouped.items():
            # Cited by a report of the statement (self-loops too, see below), no entry.
            # (below - entry, not below -= entry: that iterates over the whole of entry.)
            below = own.keys() & chain.from_iterable(own.values())
            if below:
                below = below - entry
            roots = list(filterfalse(below.__contains__, own)) if below else list(own)
            if below:
                # A walk from the roots through the statement's own citations reaches
                # reports another report of it cites (never by a self-loop): not roots.
                # Only if some are left (a cycle nothing leads into, or a report cited
                # only by itself) is the statement worked out in full.
                stack = roots.copy()
                while stack:
                    for v in own[stack.pop()]:
                        if v in below:
                            below.discard(v)
                            stack.append(v)
                if below:
                    roots = self._all_roots(list(own))
            self.roots[s] = roots

    def _all_roots(self, reports: list[str]) -> list[str]:
        """The roots of the statement whose reports are *reports*, by the definition:
        those it would have without any cycle, then the members of each strongly
        connected component of the reports not reachable from them (through any
        report) that no other such report cites."""
        succ, entry = self.succ, self.entry
        mine = set(reports)
        # cited by another report of the statement (the only predecessors that count)
        cited = {v for r in reports for v in succ[r] if v != r and v in mine}
        roots = [r for r in reports if r in entry or r not in cited]
        root_set = set(roots)
        reached = _reach(succ, roots)
        left = mine - reached
        if left:
            preds: dict[str, set[str]] = {}
            for u in reports:
                for v in succ[u]:
                    preds.setdefault(v, set()).add(u)

            def inside(n: str, left: set[str] = left) -> list[str]:
                return [v for v in succ[n] if v in left]

            for component in _sccs(left, inside):
                members = set(component)
                if not any(p in left and p not in members
                           for m in members for p in preds.get(m, ())):
                    root_set.update(members)
        return list(root_set)


def _reach(succ: dict[str, list[str]], starts: Iterable[str]) -> set[str]:
    seen = set(starts)
    stack = list(seen)
    while stack:
        for v in succ.get(stack.pop(), ()):
            if v not in seen:
                seen.add(v)
                stack.append(v)
    return seen


def _acyclic(succ: dict[str, Sequence[str]]) -> bool:
    """Whether *succ* (every successor a key) has no cycle: Kahn's peeling, a third of
    the strongly connected components' cost on the DAGs most subgraphs that are not
    trees are (a citation cycle is rare)."""
    return not _unpeeled(succ)


def _unpeeled(succ: Mapping[str, Sequence[str]]) -> list[str]:
    """The nodes of *succ* (every successor a key) left once those without a
    predecessor are peeled off, again and again (Kahn): the cycles' members and the
    nodes below them."""
    indegree = dict.fromkeys(succ, 0)
    for vs in succ.values():
        for v in vs:
            indegree[v] += 1
    free = [n for n, d in indegree.items() if d == 0]
    while free:
        for v in succ[free.pop()]:
            indegree[v] -= 1
            if not indegree[v]:
                free.append(v)
    return [n for n, d in indegree.items() if d]


def _sccs(nodes: Iterable[str], succ: Any) -> list[list[str]]:
    """Strongly connected components (iterative Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(succ(root)))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            node, it = work[-1]
            advanced = False
            for v in it:
                if v not in index:
                    index[v] = low[v] = counter
                    counter += 1
                    stack.append(v)
                    on.add(v)
                    work.append((v, iter(succ(v))))
                    advanced = True
                    break
                if v in on:
                    low[node] = min(low[node], index[v])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                out.append(comp)
    return out


class _Attrs(Mapping[str, dict[str, Any]]):
    """A subgraph's report attributes, like networkx's ``H.nodes``, each made when it is
    asked for: the analysis reads the citation tables directly, and only the rendering
    of a few nodes (origins, rests_on) wants these dicts. Making one for every visited
    report was a fifth of the subgraphs' time over a million statements."""

    __slots__ = ("_h",)

    def __init__(self, h: Sub) -> None:
        self._h = h

    def __getitem__(self, n: str) -> dict[str, Any]:
        h = self._h
        if n == h.s or n not in h.succ:
            raise KeyError(n)
        return h.contracted.get(n) or h.attrs(n)

    def __iter__(self) -> Iterator[str]:
        s = self._h.s
        return (n for n in self._h.succ if n != s)

    def __len__(self) -> int:
        return len(self._h.succ) - 1


@dataclass(slots=True)  # one per statement: made a million times
class Sub:
    """``G(s)``: the statement's subgraph after contracting sink cycles."""

    s: str
    succ: dict[str, Sequence[str]]  # node -> successors (s included)
    c: Citations  # the reports' attributes are read there
    contracted: dict[str, dict[str, Any]] = field(default_factory=dict)  # cycle -> attrs
    cyclic: bool = False  # a citation cycle among the reports (contracted or not)
    parent: dict[str, str] | None = None  # report -> its one predecessor, for a tree

    @property
    def tree(self) -> bool:
        return self.parent is not None

    def out_degree(self, n: str) -> int:
        return len(self.succ.get(n, ()))

    def transparent(self, n: str) -> bool:
        return n in self.c.entry and n not in self.contracted and bool(self.succ.get(n))

    def node_sources(self, n: str) -> list[str]:
        """The sources of node *n*: a contracted cycle's, or its report's (without
        making its attribute dict: the rendering asks this of every node of a chain)."""
        if n in self.contracted:
            return list(self.contracted[n]["sources"])
        return [self.c.source.get(n, n)]

    def attrs(self, n: str) -> dict[str, Any]:
        """Report *n*'s attributes as :mod:`provenance.graph` has them (not contracted)."""
        c = self.c
        return {"kind": "report", "source": c.source.get(n, n),
                "statement": c.statement.get(n), "entry": n in c.entry}

    @property
    def data(self) -> Mapping[str, dict[str, Any]]:
        """Report node -> attributes, like networkx's ``H.nodes``."""
        return _Attrs(self)

    @property
    def nodes(self) -> Mapping[str, dict[str, Any]]:
        return self.data

    def terms(self) -> set[str]:
        """The statement, its reports, the contracted cycles' members, and the sources
        of both."""
        succ, source = self.succ, self.c.source
        found = set(succ)
        found.update(map(source.get, succ, succ))  # the statement has no source: itself
        for attrs in self.contracted.values():
            found.update(attrs["members"])
            found.update(attrs["sources"])
        return found


def subgraph(c: Citations, s: str) -> Sub:
    """``G(s)`` as :func:`provenance.graph.provenance_subgraph` builds it."""
    # Lists of c.succ are shared, never changed in place (contraction below assigns new
    # ones); they hold no repeats (Citations.cite), so only a self-loop or an edge back
    # to s makes a copy. Over a million statements, copying every list was a tenth of
    # the time.
    roots = c.roots.get(s, [])
    csucc = c.succ
    first = [r for r in roots if r != s]
    succ: dict[str, Sequence[str]] = {s: first}
    stack = list(first)
    edges = len(first)
    while stack:
        n = stack.pop()
        if n in succ:
            continue
        vs = csucc.get(n, ())
        if n in vs or s in vs:
            vs = [v for v in vs if v != n and v != s]
        succ[n] = vs
        edges += len(vs)
        stack += vs  # those seen already are skipped when popped (no test per push)
    if edges == len(succ) - 1:
        # Every report has exactly one predecessor (each is reached from s): a tree,
        # so no cycle (a cycle's first node on a path from s has two). Most statements.
        return Sub(s, succ, c, parent={v: u for u, vs in succ.items() for v in vs})
    h = Sub(s, succ, c)
    if _acyclic(succ):
        return h
    reports = [n for n in succ if n != s]
    for component in _sccs(reports, lambda n: succ[n]):
        if len(component) < 2:
            continue
        h.cyclic = True
        members = set(component)
        if any(v not in members for u in component for v in succ[u]):
            continue
        rep = min(component)
        attrs = h.attrs(rep)
        attrs.update(circular=True, entry=False, members=sorted(component),
                     sources=sorted({c.source.get(m, m) for m in component}))
        for m in component:
            del succ[m]
        for u, vs in succ.items():
            if any(v in members for v in vs):
                kept = [v for v in vs if v not in members]
                succ[u] = [*kept, rep]
        succ[rep] = []
        h.contracted[rep] = attrs
    return h


def _origins(h: Sub) -> list[str]:
    s = h.s
    return sorted(n for n, vs in h.succ.items() if not vs and n != s)


def _chains(h: Sub, limit: int, origins: list[str],
            walked: set[tuple[str, ...]] | None = None) -> list[list[str]]:
    # Paths that differ only in their transparent head are one chain (as graph.py).
    # *walked*: what _all_chains found already.
    if walked is not None:
        return sorted((list(p) for p in walked), key=_by_length)
    if h.parent is not None:  # a tree: one path to each origin, walked up from it
        # (distinct origins end distinct paths: no set needed to merge repeats)
        parent, s, transparent = h.parent, h.s, h.transparent
        paths = []
        for target in origins[:limit]:
            nodes = [target]
            node = parent[target]
            while node != s:
                nodes.append(node)
                node = parent[node]
            nodes.reverse()
            if len(nodes) > 1 and transparent(nodes[0]):
                del nodes[0]
            paths.append(nodes)
        if len(paths) > 1:
            paths.sort(key=_by_length)
        return paths
    found: set[tuple[str, ...]] = set()
    for target in origins:
        # Depth-first over simple paths from s to target (networkx's all_simple_paths).
        path = [h.s]
        on_path = {h.s}
        stack = [iter(h.succ[h.s])]
        while stack and len(found) < limit:
            child = next(stack[-1], None)
            if child is None:
                stack.pop()
                on_path.discard(path.pop())
                continue
            if child in on_path:
                continue
            if child == target:
                nodes = path[1:] + [child]
                if len(nodes) > 1 and h.transparent(nodes[0]):
                    nodes = nodes[1:]
                found.add(tuple(nodes))
                continue
            path.append(child)
            on_path.add(child)
            stack.append(iter(h.succ[child]))
        if len(found) >= limit:
            break
    return sorted((list(p) for p in found), key=_by_length)


def _all_chains(h: Sub, limit: int, origins: list[str]) -> set[tuple[str, ...]] | None:
    """The chains of :func:`_chains` found in one walk over the simple paths from s
    (each origin's own walk explores every simple path from s again: as many walks
    as origins), or None if there are *limit* of them or more: which of them are
    listed then depends on the order of the walks, so those are walked one by one."""
    s, succ = h.s, h.succ
    ends = set(origins)
    found: set[tuple[str, ...]] = set()
    path = [s]
    on_path = {s}
    stack = [iter(succ[s])]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            on_path.discard(path.pop())
        elif child in ends:  # an origin cites nothing: its path ends there
            nodes = path[1:]
            nodes.append(child)
            if len(nodes) > 1 and h.transparent(nodes[0]):
                del nodes[0]
            found.add(tuple(nodes))
            if len(found) >= limit:
                return None
        elif child not in on_path:
            path.append(child)
            on_path.add(child)
            stack.append(iter(succ[child]))
    return found


def _by_length(path: Sequence[str]) -> tuple[int, Sequence[str]]:
    return len(path), path


def _count(h: Sub, removed: frozenset[str] = frozenset(), cutoff: int | None = None) -> int:
    """Max number of paths s -> T, unit capacity through non-transparent reports."""
    if h.parent is not None:
        count = _tree_count(h, removed)
        return count if cutoff is None else min(count, cutoff)
    INF = 1 << 30
    cap: dict[Any, dict[Any, int]] = {}

    def edge(u: Any, v: Any, c: int) -> None:
        cap.setdefault(u, {})
        cap.setdefault(v, {})
        cap[u][v] = cap[u].get(v, 0) + c
        cap[v].setdefault(u, 0)

    s, sink = h.s, ("\x00T",)
    for n in h.succ:
        if n == s or n in removed or h.transparent(n):
            continue
        edge((n, 0), (n, 1), 1)
    for u, vs in h.succ.items():
        if u in removed:
            continue
        tail = s if u == s else ((u, 0) if h.transparent(u) else (u, 1))
        for v in vs:
            if v not in removed:
                edge(tail, (v, 0), INF)
    has_sink = False
    for n in _origins(h):
        if n not in removed:
            edge((n, 1), sink, INF)
            has_sink = True
    if not has_sink or s not in cap:
        return 0
    flow = 0
    while cutoff is None or flow < cutoff:
        parent: dict[Any, Any] = {s: None}
        queue = [s]
        for u in queue:
            if sink in parent:
                break
            for v, c in cap[u].items():
                if c > 0 and v not in parent:
                    parent[v] = u
                    queue.append(v)
        if sink not in parent:
            break
        v = sink
        while parent[v] is not None:
            u = parent[v]
            cap[u][v] -= 1
            cap[v][u] += 1
            v = u
        flow += 1
    return flow


def _tree_count(h: Sub, removed: frozenset[str] = frozenset()) -> int:
    """:func:`_count` on a tree, without a flow: each branch below s adds one path for
    its first report that is not transparent (that report is on all of the branch's
    paths), if a path from it to an origin avoids the *removed* reports (without any,
    every report leads to an origin); transparent ones pass their branches' paths on."""
    count = 0
    succ = h.succ
    stack = list(succ[h.s])
    while stack:
        n = stack.pop()
        if n in removed:
            continue
        if h.transparent(n):
            stack.extend(succ[n])
        elif not removed or _reaches_a_leaf(succ, n, removed):
            count += 1
    return count


def _reaches_a_leaf(succ: dict[str, Sequence[str]], n: str, removed: frozenset[str]) -> bool:
    """Whether a path of the tree *succ* leads from *n* to an origin (a report citing
    nothing) through no removed report."""
    stack = [n]
    while stack:
        m = stack.pop()
        below = succ[m]
        if not below:
            return True
        stack.extend(v for v in below if v not in removed)
    return False


def _tree_dominators(h: Sub, origins: list[str]) -> list[str] | None:
    """:func:`_dominators` when every report has one predecessor (most statements: their
    chains meet nowhere): the reports on every path to the origins are the ancestors
    the origins share. None when the subgraph is not such a tree."""
    parent = h.parent
    if parent is None:  # not known to be a tree: perhaps one after contracting a cycle
        parent = {}
        for u, vs in h.succ.items():
            for v in vs:
                if v in parent:
                    return None
                parent[v] = u
    chain = []  # the first origin and its ancestors, up to s
    node = origins[0]
    while node != h.s:
        chain.append(node)
        node = parent[node]
    index = {n: i for i, n in enumerate(chain)}
    lowest = 0
    for node in origins[1:]:
        while node not in index:
            if node == h.s:
                return []
            node = parent[node]
        lowest = max(lowest, index[node])
    entry = h.c.entry  # most reports are no entry: tested here, not by a call each
    return [n for n in chain[lowest:] if n not in entry or not h.transparent(n)]


def _dominators(h: Sub, origins: list[str],
                walked: set[tuple[str, ...]] | None = None) -> list[str]:
    if not origins:
        return []
    if walked:
        # Every chain, found already (walked: see _all_chains): the reports on all
        # of them, as near the origins first as idom's order has them (any path
        # meets the dominators of the origins in the same order). A transparent head
        # left out of a chain is no dominator anyway. (With the one walk for the
        # chains: a million statements' loop in 22 s instead of 29 s.)
        chains = iter(walked)
        first = next(chains)
        common = set(first)
        for chain in chains:
            common.intersection_update(chain)
        return [n for n in reversed(first) if n in common and not h.transparent(n)]
    tree = _tree_dominators(h, origins)
    if tree is not None:
        return tree
    sink = "\x00T"
    succ = {n: list(vs) for n, vs in h.succ.items()}
    for o in origins:
        succ[o] = [*succ[o], sink]
    succ[sink] = []
    # Reverse postorder from s, then Cooper-Harvey-Kennedy.
    order: list[str] = []
    seen = {h.s}
    stack = [(h.s, iter(succ[h.s]))]
    while stack:
        node, it = stack[-1]
        for v in it:
            if v not in seen:
                seen.add(v)
                stack.append((v, iter(succ[v])))
                break
        else:
            stack.pop()
            order.append(node)
    order.reverse()
    rank = {n: i for i, n in enumerate(order)}
    preds: dict[str, list[str]] = {n: [] for n in order}
    for u in order:
        for v in succ[u]:
            preds[v].append(u)
    idom = {h.s: h.s}
    changed = True
    while changed:
        changed = False
        for n in order[1:]:
            new = None
            for p in preds[n]:
                if p not in idom:
                    continue
                if new is None:
                    new = p
                    continue
                a, b = p, new
                while a != b:
                    while rank[a] > rank[b]:
                        a = idom[a]
                    while rank[b] > rank[a]:
                        b = idom[b]
                new = a
            if new is not None and idom.get(n) != new:
                idom[n] = new
                changed = True
        if not h.cyclic:
            # Acyclic: in reverse postorder every predecessor comes before its node,
            # so the first pass is final (the second would only confirm it).
            break
    found: list[str] = []
    node = idom[sink]
    while node != h.s:
        if not h.transparent(node):
            found.append(node)
        node = idom[node]
    return found


@dataclass(slots=True)  # one per statement: made a million times
class FastAnalysis:
    """What :class:`provenance.graph.StatementAnalysis` holds, for one statement."""

    statement: str
    origins: list[str]
    chains: list[list[str]]
    independent_sources: int
    rests_on: str | None
    dominators: list[str]
    circular: bool
    subgraph: Sub = field(repr=False)

    @property
    def single_source(self) -> bool:
        return self.independent_sources <= 1


def analyse(c: Citations, s: str, chain_limit: int = 1000, cutoff: int | None = None,
            chains: bool = True) -> FastAnalysis:
    """:func:`provenance.graph.analyse` for statement *s* of *c*.

    With *cutoff*, the count stops there (``single_source`` needs only ``cutoff=2``);
    with ``chains=False`` no chain is listed.
    """
    h = subgraph(c, s)
    origins = _origins(h)
    # Not a tree: the chains are listed anyway, and give the dominators
    walked = (_all_chains(h, chain_limit, origins)
              if chains and h.parent is None and origins else None)
    dominators = _dominators(h, origins, walked)
    # Menger: two vertex-disjoint paths exist unless one report (not transparent:
    # origins never are) lies on every path to the origins, i.e. dominates them. So
    # only a statement with two or more independent sources needs the flow, and
    # single_source (cutoff 2) needs none. Nor does a statement with two origins: a
    # path ends at an origin, which (never transparent) carries one path at most.
    if not origins or dominators:
        count = 1 if origins else 0
    elif cutoff == 2 or len(origins) == 2:
        count = 2 if cutoff is None else min(2, cutoff)
    else:
        count = _count(h, cutoff=cutoff)
    return FastAnalysis(
        statement=s,
        origins=origins,
        chains=_chains(h, chain_limit, origins, walked) if chains else [],
        independent_sources=count,
        rests_on=dominators[0] if count == 1 and dominators else None,
        dominators=dominators,
        circular=h.cyclic,
        subgraph=h,
    )


def impact_counts(c: Citations, s: str, source: str) -> tuple[int, int] | None:
    """(count before, count without *source*'s reports), as :func:`provenance.graph.impact`."""
    h = subgraph(c, s)
    own = c.source
    mine = frozenset(
        n for n in h.succ
        if n != s and not h.transparent(n) and (
            source in h.contracted[n]["sources"] if n in h.contracted
            else own.get(n, n) == source)
    )
    if not mine:
        return None
    before = _count(h)
    after = _count(h, mine)
    return (before, after) if after < before else None


def circular_citations(c: Citations) -> list[list[str]]:
    """Every citation cycle of *c*, as :func:`provenance.graph.circular_citations` lists them.

    Reports no cycle leads into are peeled off first (Kahn's algorithm): a cycle's
    members never lose their last citer, so the components are sought among the few
    reports left (at a million statements, 13 s for the components of four million
    reports).
    """
    succ = c.succ
    left = _unpeeled(succ)
    kept = set(left)

    def inside(n: str) -> list[str]:
        return [v for v in succ[n] if v in kept]

    cycles = [sorted(comp) for comp in _sccs(left, inside) if len(comp) > 1]
    return sorted(cycles)


__all__ += ["impact_counts", "circular_citations"]
