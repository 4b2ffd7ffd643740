"""Measure the candidate embedded stores on the same synthetic data (design note input).

Compares, for N statements (default 10,000; about 20 triples each):
  * rdflib's in-memory Graph, with rdflib's SPARQL engine;
  * rdflib over Oxigraph through oxrdflib (the "reach Oxigraph through rdflib" option);
  * pyoxigraph used directly (on disk).
Loads the same N-Triples, then runs the "count origins per statement" aggregate.

    python benchmarks/store_choice.py --statements 10000
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from provenance.annotation import annotation_to_unit

QUERY = """
PREFIX pt: <https://w3id.org/provenance-tracker/ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?s (COUNT(DISTINCT ?o) AS ?n) WHERE {
  ?r pt:statement ?s .
  ?r (prov:wasDerivedFrom|prov:wasQuotedFrom)* ?o .
  FILTER NOT EXISTS { ?o prov:wasDerivedFrom|prov:wasQuotedFrom ?x }
} GROUP BY ?s
"""


def synthetic_ntriples(n: int, seed: int = 1) -> str:
    rnd = random.Random(seed)
    sources = {f"src{i}": {"label": f"Source {i}", "type": "organization"} for i in range(200)}
    lines: list[str] = []
    per_doc = 10
    for d in range(0, n, per_doc):
        statements = []
        for k in range(d, min(d + per_doc, n)):
            chain = rnd.sample(sorted(sources), rnd.randint(1, 4))
            statements.append(
                {"id": f"s{k}", "text": f"claim {k}", "triple": ["a", "b", f"c{k}"],
                 "according_to": [chain]}
            )
        data = {"document": {"id": f"d{d}", "publisher": "src0"}, "sources": sources,
                "statements": statements}
        unit = annotation_to_unit(data, Path("synthetic.yaml"))
        lines.extend(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in unit.triples)
    return "\n".join(sorted(set(lines))) + "\n"


def timed(fn, repeat: int = 3) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=10_000)
    args = parser.parse_args()
    import pyoxigraph as ox
    import rdflib

    data = synthetic_ntriples(args.statements)
    triples = data.count("\n")
    print(f"{args.statements} statements, {triples} triples")
    with tempfile.TemporaryDirectory() as tmp:
        nt = Path(tmp) / "data.nt"
        nt.write_text(data)

        def rdflib_load():
            g = rdflib.Graph()
            g.parse(nt, format="nt")
            return g

        def oxrdflib_load():
            g = rdflib.Graph(store="Oxigraph")
            g.parse(nt, format="ox-nt")
            return g

        def ox_load():
            s = ox.Store(tempfile.mkdtemp(dir=tmp))
            s.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
            return s

        rows = []
        g = rdflib_load()
        rows.append(("rdflib Memory", timed(rdflib_load, 1),
                     timed(lambda: list(g.query(QUERY)), 1)))
        g = oxrdflib_load()
        rows.append(
            ("rdflib + oxrdflib", timed(oxrdflib_load), timed(lambda: list(g.query(QUERY))))
        )
        s = ox_load()
        rows.append(("pyoxigraph (disk)", timed(ox_load), timed(lambda: list(s.query(QUERY)))))
    print(f"{'engine':<20} {'load s':>8} {'aggregate s':>12}")
    for name, load, query in rows:
        print(f"{name:<20} {load:8.2f} {query:12.3f}")


if __name__ == "__main__":
    main()
