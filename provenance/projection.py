"""The networkx projection of a store: statements, reports and citations.

One SPARQL query per kind of fact, over any :class:`~provenance.store.Backend`
(embedded or remote); either the whole store or only the provenance subgraphs of
some statements (what a question about one statement needs, never more).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._names import PREFIXES
from .store import Backend, Row

if TYPE_CHECKING:  # networkx is slow to import: only the networkx builders need it
    import networkx as nx

    from .fastgraph import Citations

__all__ = [
    "SourceInfo",
    "StatementInfo",
    "Projection",
    "load_projection",
    "load_citations",
    "load_sources",
]


@dataclass(slots=True)
class SourceInfo:
    """What the store says about one source."""

    iri: str
    label: str
    type: str = "agent"
    anonymous: bool = False
    kind: str | None = None
    principals: list[str] = field(default_factory=list)


@dataclass(slots=True)  # a million of them live as long as the whole store's tables
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
        from .graph import organization_map

        return organization_map({iri: info.principals for iri, info in self.sources.items()})


def _values(var: str, iris: Iterable[str]) -> str:
    return f"VALUES ?{var} {{ {' '.join(f'<{i}>' for i in iris)} }}"


_CITES = "prov:wasDerivedFrom|prov:wasQuotedFrom"
_PROV_TYPES = {
    "http://www.w3.org/ns/prov#Person": "person",
    "http://www.w3.org/ns/prov#Organization": "organization",
}


def load_sources(backend: Backend, only: Iterable[str] | None = None) -> dict[str, SourceInfo]:
    """Every source (agent with a label, or anything a report is attributed to).

    With *only*, just those of these IRIs that are sources (what one statement needs).
    """
    sources: dict[str, SourceInfo] = {}
    if only is not None:
        return _load_some_sources(backend, sorted(set(only)))
    built = getattr(backend, "_indexed", None)  # the whole-store tables, if built already
    if built is not None:
        return built[2]
    found = _indexed_source_iris(backend)
    if found is not None:
        return _load_some_sources(backend, sorted(found), all_sources=True)
    rows = backend.select(
        "SELECT DISTINCT ?a WHERE { { ?r prov:wasAttributedTo ?a } UNION { ?a a pt:Source } "
        "UNION { ?x prov:actedOnBehalfOf ?a } FILTER(isIRI(?a)) }"
    )
    for row in rows:
        sources[row["a"]] = SourceInfo(iri=row["a"], label=row["a"])
    labelled = backend.select("SELECT DISTINCT ?a ?l WHERE { ?a a pt:Source ; rdfs:label ?l }")
    attributed_labels = backend.select(
        "SELECT DISTINCT ?a ?l WHERE { ?a rdfs:label ?l "
        "FILTER EXISTS { ?r prov:wasAttributedTo ?a } }"
    )
    facts = [(row["a"], "label", row["l"]) for row in labelled + attributed_labels]
    facts += [(row["a"], "anonymous", row["v"])
              for row in backend.select("SELECT ?a ?v WHERE { ?a pt:anonymous ?v }")]
    facts += [(row["a"], "kind", row["k"])
              for row in backend.select("SELECT ?a ?k WHERE { ?a pt:kind ?k }")]
    facts += [(row["a"], "type", row["t"]) for row in backend.select(
        "SELECT ?a ?t WHERE { ?a a ?t VALUES ?t { prov:Person prov:Organization } }")]
    facts += [(row["a"], "actedOnBehalfOf", row["b"]) for row in backend.select(
        "SELECT ?a ?b WHERE { ?a prov:actedOnBehalfOf ?b FILTER(isIRI(?b)) }")]
    _apply_source_facts(sources, facts)
    return sources


def _indexed_source_iris(backend: Backend) -> set[str] | None:
    """Every source of an embedded store, read from the citation index: what is
    attributed, typed pt:Source, or acted for (None for other stores).

    The store's own query for them goes through every attribution (a million
    statements: five million), and building the whole-store tables for them takes
    half a minute; this reads only the index's rows, in seconds. What the sources
    are is then read for them alone (:func:`_load_some_sources`).
    """
    from .store import EmbeddedStore

    if not isinstance(backend, EmbeddedStore):
        return None
    from .index import PREDICATES, feed, pairs

    found: set[str] = set()
    prov, rdf = PREFIXES["prov"], PREFIXES["rdf"]
    attributed = PREDICATES.index(prov + "wasAttributedTo")
    acts = PREDICATES.index(prov + "actedOnBehalfOf")
    types = PREDICATES.index(rdf + "type")
    source = PREFIXES["pt"] + "Source"

    def add(row: tuple[list[str], ...]) -> None:
        found.update(row[attributed][1::2])  # objects: the index keeps IRIs alone there
        found.update(row[acts][1::2])
        found.update(a for a, t in pairs(row[types]) if t == source)

    feed(backend.raw(), backend.path, backend._visible, add, found.clear,
         backend.index_hashes(), whole=False)
    return found


def _apply_source_facts(sources: dict[str, SourceInfo],
                        facts: Iterable[tuple[str, str, str]]) -> None:
    """Set labels, flags, types and principals from (source, property, value) facts.

    A source described differently in several documents gets the same answer
    whichever way it is read: its least label, its greatest kind and type IRI,
    anonymous if any document says so, and its principals in order.
    """
    for a, p, v in sorted(set(facts)):
        info = sources.get(a)
        if info is None:
            continue
        if p == "label":
            if info.label == info.iri:
                info.label = v
        elif p == "anonymous":
            info.anonymous = info.anonymous or v in ("true", "1")
        elif p == "kind":
            info.kind = v
        elif p == "type" and v in _PROV_TYPES:
            info.type = _PROV_TYPES[v]
        elif p == "actedOnBehalfOf" and "://" in v and v not in info.principals:
            info.principals.append(v)


def _load_some_sources(backend: Backend, iris: list[str],
                       all_sources: bool = False) -> dict[str, SourceInfo]:
    """:func:`load_sources` restricted to *iris*, in a few queries with VALUES
    (*all_sources*: every one of them is known to be a source)."""
    if not iris:
        return {}
    values = _values("a", iris)
    sources = {iri: SourceInfo(iri=iri, label=iri) for iri in iris} if all_sources else {
        row["a"]: SourceInfo(iri=row["a"], label=row["a"])
        for row in backend.select(
            f"SELECT DISTINCT ?a WHERE {{ {values} FILTER(EXISTS {{ ?r prov:wasAttributedTo ?a }}"
            " || EXISTS { ?a a pt:Source } || EXISTS { ?x prov:actedOnBehalfOf ?a }) }"
        )
    }
    facts = [(row["a"], "label", row["l"]) for row in backend.select(
        f"SELECT DISTINCT ?a ?l WHERE {{ {values} ?a rdfs:label ?l . "
        "FILTER(EXISTS { ?a a pt:Source } || EXISTS { ?r prov:wasAttributedTo ?a }) }"
    )]
    facts += [(row["a"], row["p"].rsplit("#", 1)[-1], row["v"]) for row in backend.select(
        # FILTER, not VALUES ?p: Oxigraph would scan every rdf:type triple of the store.
        f"SELECT ?a ?p ?v WHERE {{ {values} ?a ?p ?v "
        "FILTER(?p IN (pt:anonymous, pt:kind, rdf:type, prov:actedOnBehalfOf)) }"
    )]
    _apply_source_facts(sources, facts)
    return sources


def _all_statement_infos(backend: Backend) -> dict[str, StatementInfo]:
    """Every statement's text and triple: one query per property, each DISTINCT.

    One query joining the four optional properties would return, for a statement
    stated in k documents, k to the fifth power rows (one per graph and pattern).
    """
    infos = {
        row["s"]: StatementInfo(row["s"], "", None)
        for row in backend.select("SELECT DISTINCT ?s WHERE { ?s a pt:Statement }")
    }
    values: dict[str, dict[str, str]] = {}
    for name, prop in (("text", "pt:text"), ("subj", "rdf:subject"),
                       ("pred", "rdf:predicate"), ("obj", "rdf:object")):
        seen = values.setdefault(name, {})
        for row in backend.select(f"SELECT DISTINCT ?s ?o WHERE {{ ?s {prop} ?o }}"):
            # the least of several values (stated differently in several documents)
            if row["s"] in infos and (row["s"] not in seen or row["o"] < seen[row["s"]]):
                seen[row["s"]] = row["o"]
    for s, info in infos.items():
        info.text = values["text"].get(s, "")
        if s in values["obj"]:
            info.triple = (values["subj"].get(s, ""), values["pred"].get(s, ""),
                           values["obj"][s])
    return infos


def _some_statement_infos(backend: Backend, restrict: str) -> dict[str, StatementInfo]:
    """The texts and triples of the statements *restrict* names (a VALUES block).

    One query, its facts DISTINCT: one joining the four optional properties gave,
    for a statement stated in k documents, k to the fifth power rows (3,125 at five
    documents; a minute for 2,000 statements of a million-statement store). Each
    value is the least of several, as the whole-store loaders take it.
    """
    typed: set[str] = set()
    least: dict[str, dict[str, str]] = {}
    statement, rdf_type = PREFIXES["pt"] + "Statement", PREFIXES["rdf"] + "type"
    for row in backend.select(
        # ?p unbound, then FILTER: Oxigraph looks each ?s up. With `?s a pt:Statement`
        # (or VALUES ?p) it scans every such fact of the store instead, for each
        # ?s: 50 s for 2,000 statements of a million-statement store.
        f"SELECT DISTINCT ?s ?p ?o WHERE {{ {restrict} ?s ?p ?o "
        "FILTER(?p IN (rdf:type, pt:text, rdf:subject, rdf:predicate, rdf:object)) }"
    ):
        s, p, o = row["s"], row["p"], row["o"]
        if p == rdf_type:
            if o == statement:
                typed.add(s)
            continue
        mine = least.setdefault(s, {})
        old = mine.get(p)
        if old is None or o < old:
            mine[p] = o
    text, subj, pred, obj = (PREFIXES["pt"] + "text", *(PREFIXES["rdf"] + name for name in (
        "subject", "predicate", "object")))
    infos = {}
    for s in typed:
        v = least.get(s, {})
        triple = (v.get(subj, ""), v.get(pred, ""), v[obj]) if obj in v else None
        infos[s] = StatementInfo(s, v.get(text, ""), triple)
    return infos


def load_projection(backend: Backend, statements: Iterable[str] | None = None) -> Projection:
    """Project the store (or the provenance subgraphs of *statements*) into a DiGraph."""
    import networkx as nx

    wanted = sorted(set(statements)) if statements is not None else None
    if wanted is not None and not wanted:
        return Projection(nx.DiGraph(), {}, load_sources(backend))
    infos, report_rows, cite_rows, entry_rows = _fetch(backend, wanted)
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


def load_citations(
    backend: Backend, statements: Iterable[str] | None = None, keep_tables: bool = False
) -> tuple[Citations, dict[str, StatementInfo]]:
    """What :func:`load_projection` fetches, as plain :class:`~provenance.fastgraph.Citations`.

    The same queries and the same roots, without networkx: the fast path of the
    questions about one statement, and of the whole-store questions. The whole
    store's statement infos, read from the citation index, have texts but no triples
    (:func:`statement_infos` has both). *keep_tables*: the whole store's tables, if
    they are built, are kept on disk for the next process (:mod:`provenance.tables`).
    """
    from .fastgraph import Citations

    wanted = sorted(set(statements)) if statements is not None else None
    c = Citations()
    if wanted is not None and not wanted:
        return c, {}
    if wanted is None:
        built = _indexed_facts(backend, keep_tables)
        if built is not None:
            return built[0], built[1]
        return _stream_citations(backend, c)
    infos, report_rows, cite_rows, entry_rows = _fetch(backend, wanted)
    entries = {row["r"] for row in entry_rows}
    for row in report_rows:
        c.add_report(row["r"], source=row["src"], statement=row["s"], entry=row["r"] in entries)
    for row in cite_rows:
        if row["r"] in c.source and row["c"] in c.source:
            c.cite(row["r"], row["c"])
    c.add_roots(infos)
    return c, infos


_Built = tuple["Citations", dict[str, StatementInfo], dict[str, SourceInfo]]


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside (as it was enabled or not after).

    For loops that make millions of objects, none of them in a reference cycle: the
    collector's passes over them find nothing and cost a tenth to a third of the loop
    (the whole store's tables, and every statement's answer); reference counts free
    them all the same.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _indexed_facts(backend: Backend, keep: bool = False) -> _Built | None:
    """The whole store's citations, statements and sources, built from the citation
    index (embedded stores) once per open store, or read back where they were kept for
    the store as it is (:mod:`provenance.tables`). *keep*: built ones are kept.

    Only the questions whose answers are not kept keep them (``impact``): writing them
    costs seconds (a million statements: 7 to 10 s for marshal, then 2 s to write on
    another thread), which the questions with kept answers would pay for nothing."""
    from . import tables
    from .store import EmbeddedStore

    if not isinstance(backend, EmbeddedStore):
        return None
    built = getattr(backend, "_indexed", None)
    if built is None:
        from .index import feed

        # Millions of objects that live as long as the store is open, none of them
        # garbage: the cyclic collector's full passes over them were a third of
        # building the tables at a million statements (44 s of 82), and later passes
        # slowed every question. So no collection while building, and the tables are
        # then frozen (out of the collector's sight; freed by reference counts) until
        # the store is closed (EmbeddedStore.close), unless the program froze objects
        # of its own (gc.freeze is the process's, not ours to undo then).
        with collector_paused():
            hashes = backend.index_hashes()
            stamp = tables.stamp(backend.raw(), hashes)
            built = tables.load(backend.path, stamp)
            if built is None:
                builder = _Builder()
                feed(backend.raw(), backend.path, backend._visible, builder.add,
                     builder.clear, hashes, whole=False)
                built = builder.result()
                if builder.unsure:
                    _relabel(backend, builder.unsure, built[2])
                del builder
                backend._unkept = stamp  # type: ignore[attr-defined]
            if gc.get_freeze_count() == 0:
                gc.freeze()
                backend._froze = True  # type: ignore[attr-defined]
        backend._indexed = built  # type: ignore[attr-defined]
    stamp = getattr(backend, "_unkept", None)
    if keep and stamp is not None:
        backend._unkept = None  # type: ignore[attr-defined]
        backend._tables_writer = tables.save(  # type: ignore[attr-defined]
            backend.path, stamp, built)
    return built


def _relabel(backend: Backend, iris: set[str], sources: dict[str, SourceInfo]) -> None:
    """Give each source of *iris* its least label over the whole rows of the index
    (what :class:`_Builder` read lacked the labels of some subjects, these among them
    perhaps: rare, and a second reading of the index)."""
    from .index import PREDICATES, feed, pairs

    slot = PREDICATES.index(PREFIXES["rdfs"] + "label")
    labels: dict[str, str] = {}

    def add(row: tuple[list[str], ...]) -> None:
        for a, label in pairs(row[slot]):
            if a in iris and (a not in labels or label < labels[a]):
                labels[a] = label

    feed(backend.raw(), backend.path, backend._visible, add, labels.clear,
         backend.index_hashes())
    for a, label in labels.items():
        sources[a].label = label


def _named_elsewhere(iris: set[str], digests: list[bytes]) -> set[str]:
    """Those of *iris* whose digest (:func:`provenance.index.name_digest`) is among
    *digests*, each a run of them laid end to end: the subjects that may have a label
    in rows read without it (a digest met by chance only costs a second reading)."""
    if not digests or not iris:
        return set()
    import numpy as np

    from .index import name_digest

    known = np.frombuffer(b"".join(digests), dtype=np.uint64)
    order = sorted(iris)
    mine = np.frombuffer(b"".join(map(name_digest, order)), dtype=np.uint64)
    # Each of the millions known looked up among the thousands of sources (binary
    # search): 0.3 s at a million statements, where np.isin sorts them all (0.8 s)
    ordered = np.sort(mine)
    at = np.searchsorted(ordered, known)
    at[at == len(ordered)] = 0
    met = known[ordered[at] == known]
    return {iri for iri, hit in zip(order, np.isin(mine, met).tolist(), strict=True) if hit}


def _merge_least(table: dict[str, str], flat: list[str]) -> None:
    """Each subject's least value, over *table* and one slot of an index row (its
    pairs laid flat, as :func:`provenance.index.pairs` reads them)."""
    get = table.get
    it = iter(flat)
    for a, v in zip(it, it, strict=False):
        old = get(a)
        if old is None or v < old:
            table[a] = v


def _statement_infos(typed: Iterable[str], values: list[dict[str, str]]
                     ) -> dict[str, StatementInfo]:
    """The statements' infos from their least text, subject, predicate and object."""
    text, subj, pred, obj = values
    infos = {s: StatementInfo(s, text.get(s, ""), None) for s in typed}
    for s, info in infos.items():
        if s in obj:
            info.triple = (subj.get(s, ""), pred.get(s, ""), obj[s])
    return infos


class _Texts:
    """Only the statements' texts and triples, from the index's rows (what ``statements``
    lists): a million statements in seconds, where the store's five DISTINCT queries
    took a minute and a half."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.typed: set[str] = set()
        self.values: list[dict[str, str]] = [{}, {}, {}, {}]  # text, subject, predicate, object

    def add(self, row: tuple[list[str], ...]) -> None:
        from .index import pairs

        statement = PREFIXES["pt"] + "Statement"
        self.typed.update(a for a, t in pairs(row[6]) if t == statement)
        for table, flat in zip(self.values, row[7:11], strict=True):
            _merge_least(table, flat)


def statement_infos(backend: Backend) -> dict[str, StatementInfo]:
    """Every statement's text and triple (the least of several), for listing them:
    from the citation index where there is one (embedded stores), else the store."""
    from .store import EmbeddedStore

    if not isinstance(backend, EmbeddedStore):
        return _all_statement_infos(backend)
    from .index import feed

    texts = _Texts()
    with collector_paused():
        feed(backend.raw(), backend.path, backend._visible, texts.add, texts.clear,
             backend.index_hashes())
    return _statement_infos(texts.typed, texts.values)


def feed_appearances(backend: Backend, add: Callable[[str, str], None],
                     clear: Callable[[], None]) -> bool:
    """Give *add* every (report, document) pair of ``pt:appearsIn`` in the store (the
    union of its graphs; a pair may come more than once), from the citation index:
    False, giving nothing, where there is none (not an embedded store). *clear*: forget
    the pairs given so far (the index was corrupt and is read again from the store).
    Five million pairs at a million statements: seconds, where SPARQL took a minute."""
    from .store import EmbeddedStore

    if not isinstance(backend, EmbeddedStore):
        return False
    from .index import PREDICATES, feed, pairs

    slot = PREDICATES.index(PREFIXES["pt"] + "appearsIn")

    def each(row: tuple[list[str], ...]) -> None:
        for r, d in pairs(row[slot]):
            add(r, d)

    with collector_paused():
        feed(backend.raw(), backend.path, backend._visible, each, clear, backend.index_hashes(),
             whole=False)
    return True


class _Builder:
    """What :func:`_stream_citations` and :func:`load_sources` read, built from the
    index's rows one graph at a time (the same joins over the union of the graphs).

    Nothing holds the union of the facts: each fact goes straight into the table it
    feeds, where repeats merge (a million statements: about half the memory of a set
    of every fact). Where the union holds several values, the least is taken (the
    greatest for a source's kind and type), so that no answer depends on the order
    the graphs are read in.
    """

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.one: dict[str, str] = {}  # one string object per statement, source, document
        self.typed: set[str] = set()  # pt:Statement
        # Only the texts: no whole-store question shows a statement's triple (a
        # million statements: 5 million facts fewer, a 0.25 GB lower peak; `statements`
        # reads them)
        self.values: list[dict[str, str]] = [{}]
        self.src_of: dict[str, str] = {}
        self.attributed: set[str] = set()
        self.statement_of: dict[str, str] = {}
        self.publishers: dict[str, set[str]] = {}
        # (report, document) and (report, cited) pairs, as the rows lay them flat: a
        # list per row, not a tuple per pair (eight million at a million statements)
        self.appears: list[list[str]] = []
        self.cites: list[list[str]] = []
        self.sources: set[str] = set()  # pt:Source
        self.labels: dict[str, str] = {}
        self.anonymous: set[str] = set()
        self.kind: dict[str, str] = {}
        self.prov_type: dict[str, str] = {}
        self.principals: dict[str, set[str]] = {}
        self.agents: set[str] = set()  # anyone acted for
        # Digests of the subjects whose labels the rows came without (index.UNNAMED),
        # and after result(), the sources among them: their labels are not known yet
        self.unnamed: list[bytes] = []
        self.unsure: set[str] = set()

    def add(self, row: tuple[Any, ...]) -> None:
        """One graph's row of the index (each slot's pairs laid flat), whole or not
        (see :func:`provenance.index.feed`)."""
        from .index import UNNAMED, pairs  # not at the top: one statement never needs it

        (statement, attributed, appears, publisher, derived, quoted, types, text, subj, pred,
         obj, label, anonymous, kind, acts) = row[:UNNAMED]
        if len(row) > UNNAMED and row[UNNAMED]:
            self.unnamed.append(row[UNNAMED])
        one = self.one
        statement_of, src_of = self.statement_of, self.src_of
        for r, s in pairs(statement):
            old = statement_of.get(r)
            if old is None or s < old:
                statement_of[r] = one.setdefault(s, s)
        for r, src in pairs(attributed):
            src = one.setdefault(src, src)
            self.attributed.add(src)
            old = src_of.get(r)
            if old is None or src < old:
                src_of[r] = src
        if appears:
            self.appears.append(appears)
        for d, p in pairs(publisher):
            self.publishers.setdefault(one.setdefault(d, d), set()).add(one.setdefault(p, p))
        if derived:
            self.cites.append(derived)
        if quoted:
            self.cites.append(quoted)
        pt = PREFIXES["pt"]
        for a, t in pairs(types):
            if t == pt + "Statement":
                self.typed.add(one.setdefault(a, a))
            elif t == pt + "Source":
                self.sources.add(one.setdefault(a, a))
            elif t in _PROV_TYPES:
                old = self.prov_type.get(a)
                if old is None or t > old:
                    self.prov_type[one.setdefault(a, a)] = t
        _merge_least(self.values[0], text)
        _merge_least(self.labels, label)
        self.anonymous.update(a for a, v in pairs(anonymous) if v in ("true", "1"))
        for a, k in pairs(kind):
            if a not in self.kind or k > self.kind[a]:
                self.kind[a] = k
        for a, b in pairs(acts):
            b = one.setdefault(b, b)
            self.agents.add(b)
            if "://" in b:
                self.principals.setdefault(one.setdefault(a, a), set()).add(b)

    def result(self) -> _Built:
        from .fastgraph import NONE, Citations
        from .index import pairs

        self.one = {}  # what is not needed any more goes as soon as it can
        text = self.values[0]
        infos = {s: StatementInfo(s, text.get(s, ""), None) for s in self.typed}
        self.values = []
        # A report is a subject with both a statement and a source. The builder's two
        # tables become the citations' own (a million statements: two dicts of four
        # million entries not copied); the builder is not used afterwards.
        statement_of, src_of = self.statement_of, self.src_of
        for r in statement_of.keys() - src_of.keys():  # set operations run in C
            del statement_of[r]
        for r in src_of.keys() - statement_of.keys():
            del src_of[r]
        c = Citations(source=src_of, statement=statement_of,
                      succ=dict.fromkeys(statement_of, NONE))
        self.statement_of, self.src_of = {}, {}
        succ = c.succ
        no: set[str] = set()
        publishers = self.publishers
        # One lookup in the tables of millions per fact, where there were two (each is
        # a cache miss or two) and no call per citation: seconds at a million statements
        get = src_of.get
        for flat in self.appears:
            c.entry.update(r for r, d in pairs(flat)
                           if (p := get(r)) is not None and p in publishers.get(d, no))
        self.appears = []
        # succ has a key for each report (and only those): two look-ups a citation
        # where there were three (2.0 s instead of 2.7 s at a million statements)
        get_cited = succ.get
        for flat in self.cites:
            for r, cited in pairs(flat):
                old = get_cited(r)
                if old is None or cited not in succ:
                    continue
                if not old:
                    succ[r] = [cited]
                elif cited not in old:
                    old.append(cited)  # type: ignore[attr-defined]  # a list once it holds one
        self.cites = []
        c.add_roots(infos)
        sources = {a: SourceInfo(iri=a, label=a)
                   for a in self.sources | self.attributed | self.agents}
        labelled = self.sources | self.attributed
        self.unsure = _named_elsewhere(labelled, self.unnamed)
        self.unnamed = []
        for a, info in sources.items():
            if a in labelled and a in self.labels:
                info.label = self.labels[a]
            info.anonymous = a in self.anonymous
            info.kind = self.kind.get(a)
            if a in self.prov_type:
                info.type = _PROV_TYPES[self.prov_type[a]]
            info.principals = sorted(self.principals.get(a, ()))
        return c, infos, sources


def _stream_citations(
    backend: Backend, c: Citations
) -> tuple[Citations, dict[str, StatementInfo]]:
    """The whole store's citations, read as streams (the queries of :func:`_fetch`)."""
    infos = _all_statement_infos(backend)
    entries = {
        r for (r,) in backend.select_iter(
            "SELECT DISTINCT ?r WHERE { ?r pt:appearsIn ?d ; prov:wasAttributedTo ?p . "
            "?d schema:publisher ?p }", ("r",))
    }
    one = {s: s for s in infos}  # one string object per statement and per source, not per row
    for r, s, src in backend.select_iter(
        "SELECT DISTINCT ?r ?s ?src WHERE { ?r pt:statement ?s ; prov:wasAttributedTo ?src }",
        ("r", "s", "src"),
    ):
        s, src = one.setdefault(s, s), one.setdefault(src, src)  # type: ignore[arg-type]
        c.add_report(r, source=src, statement=s, entry=r in entries)  # type: ignore[arg-type]
    del entries
    del one
    reports = c.source
    for r, cited in backend.select_iter(
        f"SELECT DISTINCT ?r ?c WHERE {{ ?r {_CITES} ?c . "
        "FILTER EXISTS { ?r pt:statement ?x } FILTER EXISTS { ?c pt:statement ?y } }",
        ("r", "c"),
    ):
        if r in reports and cited in reports:
            c.cite(r, cited)  # type: ignore[arg-type]
    c.add_roots(infos)
    return c, infos


def _fetch(
    backend: Backend, wanted: list[str] | None
) -> tuple[dict[str, StatementInfo], list[Row], list[Row], list[Row]]:
    """Statements, reports, citations and entry reports (the whole store or *wanted*)."""
    restrict = _values("s", wanted) if wanted is not None else ""

    if wanted is None:
        infos = _all_statement_infos(backend)
    else:
        infos = _some_statement_infos(backend, restrict)

    if wanted is None:
        # DISTINCT: with the union of the document graphs, a fact stated in k documents
        # comes back k times (and a join of two such patterns k * k times).
        report_rows = backend.select(
            "SELECT DISTINCT ?r ?s ?src WHERE { ?r pt:statement ?s ; prov:wasAttributedTo ?src }"
        )
        cite_rows = backend.select(
            f"SELECT DISTINCT ?r ?c WHERE {{ ?r {_CITES} ?c . "
            "FILTER EXISTS { ?r pt:statement ?x } FILTER EXISTS { ?c pt:statement ?y } }"
        )
        entry_rows = backend.select(
            "SELECT DISTINCT ?r WHERE { ?r pt:appearsIn ?d ; prov:wasAttributedTo ?p . "
            "?d schema:publisher ?p }"
        )
    else:
        # Every report of ?s, and what is reachable from a citation that leaves them.
        # Not `?r0 pt:statement ?s . ?r0 (cites)* ?r`: that walks the path again from
        # every report of ?s, quadratic in a chain's length (minutes at 3,000 relays).
        reach = (
            f"{restrict} {{ ?r pt:statement ?s }} UNION {{ ?r0 pt:statement ?s ; "
            f"({_CITES}) ?r1 . FILTER NOT EXISTS {{ ?r1 pt:statement ?s }} "
            f"?r1 ({_CITES})* ?r }}"
        )
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
    return infos, report_rows, cite_rows, entry_rows


def _add_roots(G: nx.DiGraph, infos: dict[str, StatementInfo]) -> None:
    """Link each statement to the reports by which it enters the graph.

    Those are its entry reports, its reports that no other report of it cites,
    and, for a cycle that nothing leads into, the cycle's members.
    """
    import networkx as nx
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
