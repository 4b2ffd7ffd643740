"""Export time and file size per format at N statements of a generated corpus.

For each N, the corpus of :mod:`provenance.generate` (or, if that module is not
installed, a small synthetic one made here) is bulk-loaded into a fresh Oxigraph
store; then every format is exported from the whole store to a file.

The graph formats share one analysis (the projection plus, per statement,
independent sources, chains and single-source flags, from the tracker): it is timed
once (``analysis``) and each graph format's time is then its own writing (``write``),
with ``total`` = analysis + write, what ``provenance export`` costs for that format.
The RDF formats need no analysis.

    python benchmarks/export_bench.py --statements 10000 100000
    python benchmarks/export_bench.py --statements 2000 --formats graphml html --json
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from provenance.export import FORMATS, export, select
from provenance.store import EmbeddedStore
from provenance.tracker import Tracker


def _synthetic_nquads(path: Path, n: int, seed: int) -> None:
    """A plain corpus: documents of 10 statements, chains of 1 to 3 relays, 200 sources."""
    from provenance.annotation import annotation_to_unit

    rnd = random.Random(seed)
    sources = {f"src{i}": {"label": f"Source {i}", "type": "organization"} for i in range(200)}
    with path.open("w", encoding="utf-8") as out:
        for d in range(0, n, 10):
            statements = []
            for i in range(d, min(d + 10, n)):
                chains = [
                    [f"src{rnd.randrange(200)}" for _ in range(rnd.randint(1, 3))]
                    for _ in range(rnd.randint(1, 2))
                ]
                statements.append(
                    {
                        "id": f"s{i}",
                        "text": f"Statement number {i}",
                        "triple": [f"thing {i}", "relates to", f"other {i}"],
                        "according_to": chains,
                    }
                )
            doc = {
                "document": {"id": f"doc{d}", "title": f"Document {d}", "publisher": "src0"},
                "sources": sources,
                "statements": statements,
            }
            unit = annotation_to_unit(doc, path)
            g = f"<{unit.graph}>"
            out.writelines(f"{s.n3()} {p.n3()} {o.n3()} {g} .\n" for s, p, o in unit.triples)


def build_store(folder: Path, n: int, seed: int = 1) -> tuple[Path, str]:
    """A store of *n* generated statements in *folder*; returns it and the generator used."""
    import pyoxigraph as ox

    try:
        from provenance.generate import generate_corpus
    except ImportError:
        generate_corpus = None  # type: ignore[assignment]
    if generate_corpus is not None:
        generate_corpus(folder / "corpus", n, seed=seed, formats=("nquads",))
        quads, how = folder / "corpus" / "nquads" / "corpus.nq", "provenance.generate"
    else:
        quads, how = folder / "corpus.nq", "synthetic"
        _synthetic_nquads(quads, n, seed)
    store_path = folder / "store"
    (store_path / "oxigraph").mkdir(parents=True)
    store = ox.Store(str(store_path / "oxigraph"))
    store.bulk_load(path=str(quads), format=ox.RdfFormat.N_QUADS)
    store.flush()
    del store
    return store_path, how


def bench(n: int, formats: list[str], keep: Path | None) -> list[dict[str, Any]]:
    folder = Path(tempfile.mkdtemp(prefix=f"export-bench-{n}-"))
    try:
        t = time.perf_counter()
        store_path, how = build_store(folder, n)
        print(
            f"# {n:,} statements ({how}): store built in {time.perf_counter() - t:.1f} s",
            file=sys.stderr,
        )
        tracker = Tracker(EmbeddedStore.open_read(store_path))
        source = select(tracker)
        rows: list[dict[str, Any]] = []
        analysis = 0.0
        if any(not FORMATS[f].rdf for f in formats):
            t = time.perf_counter()
            graph = source.graph
            analysis = time.perf_counter() - t
            rows.append(
                {
                    "statements": n,
                    "format": "analysis",
                    "write_s": None,
                    "total_s": round(analysis, 2),
                    "bytes": None,
                    "nodes": graph.number_of_nodes(),
                    "edges": graph.number_of_edges(),
                }
            )
            print(
                f"  analysis   {analysis:8.2f} s  ({graph.number_of_nodes():,} nodes, "
                f"{graph.number_of_edges():,} edges)",
                file=sys.stderr,
            )
        out_dir = keep or folder / "out"
        out_dir.mkdir(parents=True, exist_ok=True)
        for fmt in formats:
            target = out_dir / f"n{n}{FORMATS[fmt].suffix}"
            if fmt == "prov-json":
                target = out_dir / f"n{n}.prov.json"
            t = time.perf_counter()
            with target.open("wb") as out:
                export(source, fmt, out)
            write = time.perf_counter() - t
            total = write + (0.0 if FORMATS[fmt].rdf else analysis)
            size = target.stat().st_size
            rows.append(
                {
                    "statements": n,
                    "format": fmt,
                    "write_s": round(write, 2),
                    "total_s": round(total, 2),
                    "bytes": size,
                }
            )
            print(f"  {fmt:<10} {total:8.2f} s  {size / 1e6:10.1f} MB", file=sys.stderr)
            if keep is None:
                target.unlink()
        return rows
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| statements | format | total (s) | write (s) | size (MB) |",
        "|---:|---|---:|---:|---:|",
    ]
    for r in rows:
        size = f"{r['bytes'] / 1e6:.1f}" if r["bytes"] is not None else ""
        write = f"{r['write_s']:.2f}" if r["write_s"] is not None else ""
        lines.append(
            f"| {r['statements']:,} | {r['format']} | {r['total_s']:.2f} | {write} | {size} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--formats", nargs="+", default=list(FORMATS), choices=list(FORMATS))
    parser.add_argument("--keep", type=Path, help="keep the exported files in this folder")
    parser.add_argument("--json", action="store_true", help="print JSON rows instead of a table")
    args = parser.parse_args()
    rows = [row for n in args.statements for row in bench(n, args.formats, args.keep)]
    print(json.dumps(rows, indent=1) if args.json else _table(rows))


if __name__ == "__main__":
    main()
