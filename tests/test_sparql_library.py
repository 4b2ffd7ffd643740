"""The SPARQL query library cross-checked against the graph layer.

On the seed and on generated annotations (random chains, shared origins, diamonds,
cycles with and without a way out, self-citations, publishers inside their own
chains), every library query's answer is compared with what the graph layer
(:mod:`provenance.graph`, through the projection) and the tracker say. Where SPARQL
cannot express a notion exactly (vertex-disjoint paths, vertex cuts), the test
checks what the query file says it computes instead, and how it relates to the
exact answer.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import yaml

from provenance import graph, sparql
from provenance.ingest import collect_files, load_units
from provenance.projection import load_projection
from provenance.store import EmbeddedStore, GraphWrite
from provenance.tracker import Tracker
from provenance.vocab import local_id

ROOT = Path(__file__).resolve().parent.parent


# ----------------------------------------------------------------- generated annotations


def _statement(sid: str, according_to: list[list[str]] | None) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "id": sid,
        "text": f"Claim {sid} is reported",
        "triple": [f"entity {sid[-1]}", "relates to", f"thing {sid}"],
    }
    if according_to:
        spec["according_to"] = according_to
    return spec


def _sources(ids: Iterable[str], rng: random.Random | None = None) -> dict[str, Any]:
    out = {}
    for i, sid in enumerate(sorted(ids)):
        anonymous = rng.random() < 0.35 if rng else sid.startswith("anon")
        out[sid] = {"label": f"Source {sid}", "type": "person" if i % 2 else "organization",
                    "anonymous": anonymous}
    return out


def _document(doc_id: str, publisher: str, statements: list[dict[str, Any]],
              sources: dict[str, Any]) -> dict[str, Any]:
    return {"document": {"id": doc_id, "title": doc_id, "publisher": publisher},
            "sources": sources, "statements": statements}


def random_corpus(seed: int) -> list[dict[str, Any]]:
    """A few documents relaying statements from a small pool of sources.

    The pool is small, so chains repeat sources: the same report (source, statement)
    is reached from several chains (diamonds, shared origins across documents), a
    chain that names a source twice closes a cycle, twice in a row is a
    self-citation, and a publisher may appear in its own chain.
    """
    rng = random.Random(seed)
    pool = [f"src{i}" for i in range(rng.randint(3, 7))]
    publishers = [f"pub{i}" for i in range(rng.randint(1, 3))]
    sources = _sources(pool + publishers, rng)
    statement_ids = [f"st{seed}x{i}" for i in range(rng.randint(2, 6))]
    docs = []
    for d in range(rng.randint(1, 4)):
        publisher = rng.choice(publishers)
        specs = []
        for sid in rng.sample(statement_ids, rng.randint(1, len(statement_ids))):
            chains = []
            for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
                names = pool + ([publisher] if rng.random() < 0.15 else [])
                chains.append([rng.choice(names) for _ in range(rng.randint(1, 4))])
            specs.append(_statement(sid, chains))
        docs.append(_document(f"doc{seed}x{d}", publisher, specs, sources))
    return docs


SHAPES: dict[str, list[tuple[str, str, list[list[str]] | None]]] = {
    # name: [(document publisher, statement id, according_to)]
    "chain": [("wire", "s", [["tass", "press", "anon-official"]])],
    "two-officials": [("wire", "s", [["o1"], ["o2"]])],
    "shared-press-service": [("wire", "s", [["press"]]), ("paper", "s", [["press"]])],
    "tass-citing-two": [("wire", "s", [["tass", "o1"], ["tass", "o2"]])],
    "diamond": [("wire", "s", [["a", "c"], ["b", "c"]])],
    "cycle-no-exit": [("wire", "s", [["a", "b", "a"]])],
    "cycle-with-exit": [("wire", "s", [["a", "b", "a"], ["b", "c"]])],
    "two-cycles": [("wire", "s", [["a", "b", "a"], ["c", "d", "c"]])],
    "self-citation": [("wire", "s", [["a", "a"]])],
    "publisher-in-its-chain": [("wire", "s", [["a", "wire"]])],
    "unattributed": [("wire", "s", None)],
    "unattributed-and-quoted": [("wire", "s", None), ("paper", "s", [["o1"]])],
    "anonymous-only": [("wire", "s", [["anon-a"], ["anon-b"]])],
}


def shaped_corpus(name: str) -> list[dict[str, Any]]:
    docs = []
    for i, (publisher, sid, according_to) in enumerate(SHAPES[name]):
        names = {publisher} | {s for chain in according_to or [] for s in chain}
        docs.append(_document(f"{name}-{i}", publisher, [_statement(f"{name}-{sid}", according_to)],
                              _sources(names)))
    return docs


def build_store(folder: Path, docs: list[dict[str, Any]]) -> EmbeddedStore:
    """Write the annotations as YAML, load them as ingest does, and store them.

    (SHACL validation is left to the ingest tests: it would dominate the run time.)
    """
    yaml_dir = folder / "yaml"
    yaml_dir.mkdir(parents=True)
    for i, doc in enumerate(docs):
        (yaml_dir / f"{i:02d}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    units = load_units(collect_files([yaml_dir]))
    path = folder / "store"
    with EmbeddedStore.open_write(path) as store:
        store.write_graphs([
            GraphWrite(str(u.graph), [f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in u.triples],
                       u.content_hash)
            for u in units
        ])
    return EmbeddedStore.open_read(path)


# ----------------------------------------------------------------- the checks


def run_query(backend: EmbeddedStore, name: str, **params: str) -> list[dict[str, str]]:
    query = sparql.library_query(name)
    tracker = Tracker(backend)
    bindings = sparql.bind_params(query, params, tracker) if params else {}
    return sparql.execute(backend, sparql.prepare(query.text, name=name), bindings).rows()


def graph_origins(G: nx.DiGraph, s: str) -> list[set[tuple[str, bool, bool]]]:
    """Each origin of *s* as the set of (source, circular, unattributed) of its members."""
    H = graph.provenance_subgraph(G, s)
    out = []
    for node in graph.origins(G, s):
        data = H.nodes[node]
        if data.get("circular"):
            out.append({(src, True, False) for src in data["sources"]})
        else:
            out.append({(data["source"], False, bool(data.get("entry")))})
    return out


def by_statement(rows: list[dict[str, str]], *cols: str) -> dict[str, set[tuple[str, ...]]]:
    out: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for row in rows:
        out[row["statement"]].add(tuple(row.get(c, "") for c in cols))
    return dict(out)


def check_library(backend: EmbeddedStore) -> None:
    proj = load_projection(backend)
    G = proj.graph
    statements = graph.statements(G)
    origins = {s: graph_origins(G, s) for s in statements}
    independent = {s: graph.independent_sources(G, s) for s in statements}
    tracker = Tracker(backend)
    report = {r["statement"]["iri"]: r for r in tracker.report()}

    # origins.rq, unbound (every statement) and bound to each statement
    expected = {
        s: {(src, str(c).lower(), str(u).lower()) for o in origins[s] for src, c, u in o}
        for s in statements
    }
    assert by_statement(run_query(backend, "origins"), "source", "circular",
                        "unattributed") == expected
    for s in statements[:3]:
        bound = run_query(backend, "origins", statement=s)
        assert by_statement(bound, "source", "circular", "unattributed") == {s: expected[s]}

    # single-origin.rq: exactly the statements with one origin; all single-source
    single = by_statement(run_query(backend, "single-origin"), "source")
    assert single == {
        s: {(src,) for src, _, _ in o[0]} for s, o in origins.items() if len(o) == 1
    }
    assert all(independent[s] <= 1 for s in single)

    # several-origins.rq: two or more origins; a superset of independent confirmation
    several = {r["statement"]: int(r["origins"]) for r in run_query(backend, "several-origins")}
    assert several == {s: len(o) for s, o in origins.items() if len(o) >= 2}
    assert {s for s, n in independent.items() if n >= 2} <= set(several)

    # chains.rq: the hops of G(s), self-citations left out
    hops = by_statement(run_query(backend, "chains"), "relaySource", "citedSource")
    for s in statements:
        reach = {n for n in nx.descendants(G, s) if G.nodes[n].get("kind") == "report"}
        edges = {(G.nodes[u]["source"], G.nodes[v]["source"])
                 for u in reach for v in G.successors(u) if v != u and v in reach}
        assert hops.get(s, set()) == edges, local_id(s)

    # circular-citations.rq: the statements flagged circular, the reports in cycles
    circular_rows = run_query(backend, "circular-citations")
    assert {r["statement"] for r in circular_rows} == {s for s, r in report.items()
                                                       if r["circular"]}
    assert {r["report"] for r in circular_rows} == {
        n for cycle in graph.circular_citations(G) for n in cycle
    }

    # anonymous-origins.rq and unattributed.rq: the flags of `provenance report`
    assert {r["statement"] for r in run_query(backend, "anonymous-origins")} == {
        s for s, r in report.items() if r["anonymous"]
    }
    assert {r["statement"] for r in run_query(backend, "unattributed")} == {
        s for s, r in report.items() if r["unattributed"]
    }

    # rests-on-source.rq: sole origins <= impact's "rests on it" <= impact <= the rows
    sources = sorted({data["source"] for _, data in G.nodes(data=True) if "source" in data})
    ranked = {r["source"]: r for r in run_query(backend, "sources-ranked")}
    tracked = {r["id"]: r for r in tracker.sources()}
    for src in sources:
        rows = run_query(backend, "rests-on-source", source=src)
        listed = {r["statement"] for r in rows}
        sole = {r["statement"] for r in rows if r["soleOrigin"] == "true"}
        assert sole == {
            s for s, o in origins.items() if len(o) == 1 and src in {m[0] for m in o[0]}
        }
        impact = {r["statement"]: r for r in tracker.impact(src)}
        ids = {local_id(s): s for s in statements}
        falls = {ids[k] for k, r in impact.items() if r["single_source"]}
        assert sole <= falls <= {ids[k] for k in impact} <= listed, local_id(src)

        # sources-ranked.rq: ORIGIN_OF exactly, STATEMENTS from below
        origin_of = sum(any(src in {m[0] for m in o} for o in origins[s]) for s in statements)
        row = ranked.get(src)
        assert (int(row["originOf"]) if row else 0) == origin_of
        assert tracked[tracker.source_id(src)]["origin_of"] == origin_of
        if row:
            assert int(row["restsOn"]) == len(sole)
            assert int(row["restsOn"]) <= tracked[tracker.source_id(src)]["statements"]

    # statements-about.rq: subject or object
    members = defaultdict(set)
    for s in statements:
        subject, _, obj = proj.statements[s].triple or ("", "", "")
        members[subject].add(s)
        members[obj].add(s)
    for entity, expected_statements in list(members.items())[:6]:
        rows = run_query(backend, "statements-about", entity=f"<{entity}>")
        assert {r["statement"] for r in rows} == expected_statements


# ----------------------------------------------------------------- the tests


def test_the_library_on_the_seed(tmp_path: Path) -> None:
    from provenance.ingest import ingest_files

    with EmbeddedStore.open_write(tmp_path / "store") as store:
        ingest_files(store, [ROOT / "seeds"])
    check_library(EmbeddedStore.open_read(tmp_path / "store"))


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_the_library_on_a_shaped_graph(tmp_path: Path, name: str) -> None:
    check_library(build_store(tmp_path, shaped_corpus(name)))


@pytest.mark.parametrize("seed", range(24))
def test_the_library_on_a_random_graph(tmp_path: Path, seed: int) -> None:
    check_library(build_store(tmp_path, random_corpus(seed)))


def test_tass_citing_two_officials_shows_what_sparql_cannot_count(tmp_path: Path) -> None:
    """Two origins behind one shared relay: two origins for SPARQL, one source for the graph."""
    backend = build_store(tmp_path, shaped_corpus("tass-citing-two"))
    statement = next(iter(run_query(backend, "several-origins")))
    assert statement["origins"] == "2"
    assert run_query(backend, "single-origin") == []
    origin = Tracker(backend).origin("tass-citing-two-s")
    assert origin["independent_sources"] == 1 and origin["rests_on"] == "tass"
    rows = run_query(backend, "rests-on-source", source="tass")
    assert [(r["role"], r["soleOrigin"]) for r in rows] == [("relay", "false")]


def test_the_random_corpora_cover_the_hard_shapes(tmp_path: Path) -> None:
    """The generator does make cycles, self-citations, diamonds and shared origins."""
    seen = defaultdict(int)
    for seed in range(24):
        for doc in random_corpus(seed):
            for spec in doc["statements"]:
                chains = spec.get("according_to") or []
                for chain in chains:
                    seen["self"] += any(a == b for a, b in zip(chain, chain[1:], strict=False))
                    seen["cycle"] += len(set(chain)) < len(chain)
                seen["shared"] += len({c[-1] for c in chains}) < len(chains)
                seen["unattributed"] += not chains
    assert all(seen[k] > 0 for k in ("self", "cycle", "shared", "unattributed")), seen
