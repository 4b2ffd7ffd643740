"""Export time, file size and peak memory per format at N statements of a generated corpus.

For each N, the corpus of :mod:`provenance.generate` (or, if that module is not
installed, a small synthetic one made here) is bulk-loaded into a fresh Oxigraph
store (or ``--store`` names an existing one, only read); then every format is
exported from the whole store to a file:

* the RDF formats, ``html`` (which refuses a large store before any work), and the
  streamed graph formats (``graphml``, ``gexf``, ``cytoscape``: written as their nodes
  and edges are made, without the graph), each by its own ``provenance export``
  process: the row is what a user waits for;
* the other graph formats share one analysis (the projection, and per statement
  its independent sources, chains and flags): one process builds it (row
  ``analysis``), then forks one child per format that writes the file. A format's
  time is the analysis plus its own writing; its peak memory is the larger of the
  analysis's and the writing child's (which holds the analysed graph it inherited).

Each row has the wall time and the CPU time (user + system) of the processes: on a
shared machine the wall time grows with the load and the CPU time much less. Peak
memory is the kernel's ``ru_maxrss``; it counts a child from the size of this
(small) process when it was started.

    python benchmarks/export_bench.py --statements 10000 100000
    python benchmarks/export_bench.py --statements 2000 --formats graphml html --json
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the working tree's package, also in the child processes

from provenance.export import FORMATS  # noqa: E402


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
    # Ingested as users ingest (content hashes, citation index): a bare bulk load has
    # neither, and every whole-store question would read the whole store instead.
    from provenance.ingest import ingest_files
    from provenance.store import EmbeddedStore

    with EmbeddedStore.open_write(store_path) as store:
        ingest_files(store, [quads])
    return store_path, how


# Besides the RDF formats, each run as its own process: html (it refuses a large store
# before analysing), and the formats written as their nodes and edges are made (they
# never hold the graph the worker below builds, so sharing it would misstate them).
_STANDALONE = {"html", "graphml", "gexf", "cytoscape"}


def _run(cmd: list[str]) -> tuple[float, float, float, int, str, str]:
    """Run *cmd*: wall time (s), CPU time (s), peak resident memory (MB), exit code, output."""
    t = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        child = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        try:
            _, status, usage = os.wait4(child.pid, 0)
        except BaseException:
            child.kill()
            raise
        child.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t
        out.seek(0)
        err.seek(0)
        return (wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, child.returncode,
                out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))


def _target(out_dir: Path, n: int, fmt: str) -> Path:
    return out_dir / (f"n{n}.prov.json" if fmt == "prov-json" else f"n{n}{FORMATS[fmt].suffix}")


def graph_worker(store: Path, out_dir: Path, n: int, formats: list[str]) -> None:
    """Analyse once, then fork a child per format; print one JSON row per line."""
    import resource

    from provenance.export import export, select
    from provenance.store import EmbeddedStore
    from provenance.tracker import Tracker

    t = time.perf_counter()
    source = select(Tracker(EmbeddedStore.open_read(store)))
    graph = source.graph
    _ = source.details
    analysis = time.perf_counter() - t
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"format": "analysis", "seconds": analysis,
                      "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024,
                      "nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}),
          flush=True)
    for fmt in formats:
        target = _target(out_dir, n, fmt)
        t = time.perf_counter()
        pid = os.fork()
        if pid == 0:  # the child writes one format and leaves without cleaning up
            code = 0
            try:
                with target.open("wb") as out:
                    export(source, fmt, out)
            except Exception as exc:  # reported as the row's error
                print(f"{type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
                code = 2
            os._exit(code)
        _, status, child = os.wait4(pid, 0)
        print(json.dumps({"format": fmt, "seconds": time.perf_counter() - t,
                          "cpu": child.ru_utime + child.ru_stime,
                          "peak_mb": child.ru_maxrss / 1024,
                          "exit": os.waitstatus_to_exitcode(status)}), flush=True)


def _show(row: dict[str, Any]) -> None:
    size = f"{row['bytes'] / 1e6:10.1f} MB" if row.get("bytes") is not None else f"{'':>13}"
    extra = f"  ({row['nodes']:,} nodes, {row['edges']:,} edges)" if row.get("nodes") else ""
    error = f"  exit {row['exit']}: {row['error']}" if row.get("error") else ""
    print(f"  {row['format']:<10} {row['seconds']:8.1f} s  {row['cpu']:8.1f} s cpu  {size}"
          f"  {row['peak_mb']:8,} MB peak{extra}{error}", file=sys.stderr, flush=True)


def bench(
    n: int, formats: list[str], keep: Path | None, store: Path | None = None
) -> list[dict[str, Any]]:
    folder = Path(tempfile.mkdtemp(prefix=f"export-bench-{n}-"))
    try:
        if store is None:
            # In a child process: a Linux child's peak memory starts from its parent's
            # size when it was forked, so this process stays small.
            t = time.perf_counter()
            _, _, _, code, out, err = _run(
                [sys.executable, __file__, "--build-store", str(folder), str(n)]
            )
            if code:
                raise SystemExit(f"building the store failed: {err.strip()[-1000:]}")
            built, how = json.loads(out)
            store_path = Path(built)
            print(
                f"# {n:,} statements ({how}): store built in {time.perf_counter() - t:.1f} s",
                file=sys.stderr,
            )
        else:
            store_path = store
            print(f"# {n:,} statements: the store {store}", file=sys.stderr)
        out_dir = keep or folder / "out"
        out_dir.mkdir(parents=True, exist_ok=True)
        rows: list[dict[str, Any]] = []

        def finish(row: dict[str, Any]) -> None:
            target = _target(out_dir, n, row["format"]) if row["format"] in FORMATS else None
            ok = row.get("exit", 0) == 0 and target is not None and target.exists()
            row.update(statements=n, bytes=target.stat().st_size if ok else None)
            row.update(seconds=round(row["seconds"], 2), cpu=round(row["cpu"], 2),
                       peak_mb=round(row["peak_mb"]))
            rows.append(row)
            _show(row)
            if keep is None and target is not None:
                target.unlink(missing_ok=True)

        for fmt in [f for f in formats if FORMATS[f].rdf or f in _STANDALONE]:
            target = _target(out_dir, n, fmt)
            cmd = [sys.executable, "-m", "provenance", "--store", str(store_path), "export",
                   "--format", fmt, "-o", str(target)]
            wall, cpu, peak, code, _, err = _run(cmd)
            message = None if code == 0 else (err.strip().splitlines() or [f"exit {code}"])[-1]
            finish({"format": fmt, "seconds": wall, "cpu": cpu, "peak_mb": peak, "exit": code,
                    "error": message})
        forked = [f for f in formats if not FORMATS[f].rdf and f not in _STANDALONE]
        if forked:
            cmd = [sys.executable, __file__, "--graph-worker", str(store_path), str(out_dir),
                   str(n), *forked]
            _, _, _, code, out, err = _run(cmd)
            analysis: dict[str, Any] = {"seconds": 0.0, "cpu": 0.0, "peak_mb": 0.0}
            for line in out.splitlines():
                row = json.loads(line)
                if row["format"] == "analysis":
                    analysis = dict(row)
                else:
                    # What one `provenance export` process costs: the analysis, then the
                    # writing; its peak is the analysis's or the writer's (which holds
                    # the analysed graph), whichever is larger.
                    row["write_s"] = round(row["seconds"], 2)
                    row["seconds"] += analysis["seconds"]
                    row["cpu"] += analysis["cpu"]
                    row["peak_mb"] = max(row["peak_mb"], analysis["peak_mb"])
                    if row["exit"]:
                        row["error"] = err.strip().splitlines()[-1:] or None
                finish(row)
            if code:
                print(f"  graph worker failed (exit {code}): {err.strip()[-500:]}",
                      file=sys.stderr)
        return rows
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| statements | format | time (s) | CPU (s) | size (MB) | peak memory (MB) |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        if r["format"] == "analysis":
            size = f"({r['nodes']:,} nodes, {r['edges']:,} edges)"
        elif r["bytes"] is not None:
            size = f"{r['bytes'] / 1e6:,.1f}"
        else:
            size = f"not written: {r['error']}"
        lines.append(
            f"| {r['statements']:,} | {r['format']} | {r['seconds']:,.1f} | {r['cpu']:,.1f} "
            f"| {size} | {r['peak_mb']:,} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--formats", nargs="+", default=list(FORMATS), choices=list(FORMATS))
    parser.add_argument("--keep", type=Path, help="keep the exported files in this folder")
    parser.add_argument("--json", action="store_true", help="print JSON rows instead of a table")
    parser.add_argument(
        "--store", type=Path, help="export this existing store (only read) instead of a new one"
    )
    parser.add_argument("--graph-worker", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--build-store", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_store:
        folder, n = args.build_store
        built, how = build_store(Path(folder), int(n))
        print(json.dumps([str(built), how]))
        return
    if args.graph_worker:
        store, out_dir, n, *formats = args.graph_worker
        graph_worker(Path(store), Path(out_dir), int(n), formats)
        return
    if args.store and len(args.statements) != 1:
        parser.error("--store goes with one --statements N (the size of that store)")
    rows = [row for n in args.statements for row in bench(n, args.formats, args.keep, args.store)]
    print(json.dumps(rows, indent=1) if args.json else _table(rows))


if __name__ == "__main__":
    main()
