"""Latency of the main questions on the embedded store, Virtuoso and Oxigraph server.

Run on demand (not part of the tests)::

    python benchmarks/sparql_bench.py --statements 10000 100000

For each size it generates a corpus (:func:`provenance.generate.generate_corpus`),
loads its N-Quads into each store with the store's own bulk loader (pyoxigraph
``bulk_load``, ``oxigraph load``, Virtuoso's ``ld_dir``/``rdf_loader_run``), then times:

* ``origin``: "who originally said this" for one statement (``Tracker.origin``),
  over several random statements: median and 90th percentile;
* ``single-source``: every single-source statement of the store
  (``Tracker.single_source``);
* ``single-origin.rq``: the library's SPARQL approximation of the same question,
  run by the store itself.

With ``--library``, every whole-store question of the query library (each ``.rq``
run with no parameter bound) is timed too, on each store; ``--queries DIR`` times
the ``.rq`` files of DIR instead (an older version of the library, to compare)::

    python benchmarks/sparql_bench.py --statements 2000 10000 --library --stores embedded

The servers run on 127.0.0.1 on free ports (tests/servers.py) and are stopped at
the end. Figures go to stdout as a Markdown table and to ``--json FILE``.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from servers import (  # noqa: E402
    Server,
    _isql,
    oxigraph_missing,
    oxigraph_server,
    virtuoso_missing,
    virtuoso_server,
)

from provenance import sparql  # noqa: E402
from provenance.generate import generate_corpus  # noqa: E402
from provenance.store import EmbeddedStore  # noqa: E402
from provenance.tracker import Tracker  # noqa: E402

LIBRARY_TIMEOUT = 60.0  # seconds given to each library query (--timeout)
STORES = ("embedded", "oxigraph server", "virtuoso")


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def load_embedded(nq: Path, folder: Path) -> EmbeddedStore:
    import pyoxigraph as ox

    (folder / "store").mkdir(parents=True)
    store = ox.Store(str(folder / "store" / "oxigraph"))
    store.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
    store.flush()
    del store
    return EmbeddedStore.open_read(folder / "store")


def load_oxigraph(nq: Path, folder: Path) -> None:
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    subprocess.run([binary, "load", "--location", str(folder / "data"), "--file", str(nq)],
                   check=True, capture_output=True)


def load_virtuoso(nq: Path, folder: Path, server: Server) -> None:
    port = int(_sql_port(folder))
    staging = folder / "load"
    staging.mkdir(exist_ok=True)
    shutil.copy(nq, staging / "corpus.nq")
    for statement in (
        f"ld_dir('{staging}', '*.nq', 'urn:default');",
        "rdf_loader_run();",
        "checkpoint;",
    ):
        done = _isql(port, statement, timeout=3600)
        if done.returncode != 0 or "Error" in done.stdout:
            raise RuntimeError(f"virtuoso load failed at {statement}: {done.stdout}")


def _sql_port(folder: Path) -> str:
    for line in (folder / "virtuoso.ini").read_text().splitlines():
        if line.startswith("ServerPort") and "127.0.0.1:" in line:
            return line.rsplit(":", 1)[1].strip()
    raise RuntimeError("no SQL port in virtuoso.ini")


def library_queries(folder: Path | None) -> dict[str, str]:
    """Name -> text of the library queries to time (those of *folder* if given)."""
    if folder is None:
        return {name: q.text for name, q in sparql.library().items()}
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.rq"))}


def time_library(backend: Any, queries: dict[str, str]) -> dict[str, Any]:
    """Seconds taken by each query, unbound (None when stopped at LIBRARY_TIMEOUT)."""
    out: dict[str, Any] = {}
    for name, text in queries.items():
        prepared = sparql.prepare(text, name=name)
        try:
            dt, result = timed(lambda p=prepared: sparql.execute(backend, p,
                                                                 timeout=LIBRARY_TIMEOUT))
            out[name] = {"s": dt, "rows": len(result.rows())}
        except Exception as exc:  # stopped, or refused by the store: a figure too
            out[name] = {"s": None, "error": str(exc).splitlines()[0][:200]}
        print(f"    {name}: {_secs(out[name]['s'])}", flush=True)
    return out


def _secs(value: float | None) -> str:
    return f"> {LIBRARY_TIMEOUT:.0f} (stopped)" if value is None else f"{value:.2f}"


def measure(name: str, backend: Any, statements: list[str], runs: int,
            queries: dict[str, str] | None = None) -> dict[str, Any]:
    tracker = Tracker(backend)
    origin_times = []
    for s in statements:
        dt, obj = timed(lambda s=s: tracker.origin(s))
        origin_times.append(dt)
    single_times = []
    count = 0
    for _ in range(runs):
        dt, rows = timed(tracker.single_source)
        single_times.append(dt)
        count = len(rows)
    query = sparql.prepare(sparql.library_query("single-origin").text)
    try:
        lib_time, result = timed(lambda: sparql.execute(backend, query, timeout=LIBRARY_TIMEOUT))
        lib_rows = len({r["statement"] for r in result.rows()})
    except Exception as exc:  # a store that cannot answer in time is a figure too
        lib_time, lib_rows = float("nan"), f"failed: {exc}"
    library = time_library(backend, queries) if queries else {}
    return {
        "store": name,
        "library": library,
        "origin_median_ms": 1000 * statistics.median(origin_times),
        "origin_p90_ms": 1000 * sorted(origin_times)[int(0.9 * (len(origin_times) - 1))],
        "single_source_s": min(single_times),
        "single_source_statements": count,
        "single_origin_rq_s": lib_time,
        "single_origin_rq_statements": lib_rows,
    }


def bench_size(n: int, work: Path, samples: int, runs: int, stores: set[str],
               queries: dict[str, str] | None) -> list[dict[str, Any]]:
    corpus = work / f"corpus-{n}"
    t_gen, summary = timed(lambda: generate_corpus(corpus, statements=n, seed=7,
                                                   formats=("nquads",)))
    nq = corpus / "nquads" / "corpus.nq"
    print(f"# {n} statements: {summary.quads} quads, generated in {t_gen:.1f} s", flush=True)
    ids = [f"st-{i:07d}" for i in random.Random(n).sample(range(n), samples)]
    results = []
    with ExitStack() as stack:
        if "embedded" in stores:
            t_load, store = timed(lambda: load_embedded(nq, work / f"embedded-{n}"))
            print(f"  embedded loaded in {t_load:.1f} s", flush=True)
            row = measure("embedded", store, ids, runs, queries)
            results.append({**row, "load_s": t_load, "statements": n})
            print(f"  {row}", flush=True)
            del store

        if "oxigraph server" in stores and oxigraph_missing() is None:
            folder = work / f"oxigraph-{n}"
            folder.mkdir()
            t_load, _ = timed(lambda: load_oxigraph(nq, folder))
            server = stack.enter_context(oxigraph_server(folder))
            print(f"  oxigraph server loaded in {t_load:.1f} s", flush=True)
            row = measure("oxigraph server", server.store(), ids, runs, queries)
            results.append({**row, "load_s": t_load, "statements": n})
            print(f"  {row}", flush=True)
        if "virtuoso" in stores and virtuoso_missing() is None:
            folder = work / f"virtuoso-{n}"
            folder.mkdir()
            server = stack.enter_context(virtuoso_server(folder, buffers=200000))
            t_load, _ = timed(lambda: load_virtuoso(nq, folder, server))
            print(f"  virtuoso loaded in {t_load:.1f} s", flush=True)
            row = measure("virtuoso", server.store(), ids, runs, queries)
            results.append({**row, "load_s": t_load, "statements": n})
            print(f"  {row}", flush=True)
    return results


def _lib(row: dict[str, Any]) -> str:
    if isinstance(row["single_origin_rq_statements"], str):
        return f"> {LIBRARY_TIMEOUT:.0f} (stopped)"
    return f"{row['single_origin_rq_s']:.2f}"


def _library_table(rows: list[dict[str, Any]]) -> None:
    names = sorted({name for r in rows for name in r["library"]})
    if not names:
        return
    print()
    print("| statements | store | " + " | ".join(f"{n} (s)" for n in names) + " |")
    print("|---:|---|" + "---:|" * len(names))
    for r in rows:
        cells = [_secs(r["library"][n]["s"]) if n in r["library"] else "" for n in names]
        print(f"| {r['statements']} | {r['store']} | " + " | ".join(cells) + " |")


def main() -> None:
    global LIBRARY_TIMEOUT
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--statements", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--samples", type=int, default=20, help="statements asked about")
    parser.add_argument("--runs", type=int, default=2, help="runs of single-source")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument("--library", action="store_true",
                        help="also time every library query with no parameter bound")
    parser.add_argument("--queries", type=Path, default=None,
                        help="time the .rq files of this folder instead of the library")
    parser.add_argument("--stores", default=",".join(STORES),
                        help=f"comma-separated, among: {', '.join(STORES)}")
    parser.add_argument("--timeout", type=float, default=LIBRARY_TIMEOUT,
                        help="seconds given to each library query")
    args = parser.parse_args()
    LIBRARY_TIMEOUT = args.timeout
    stores = {s.strip() for s in args.stores.split(",") if s.strip()}
    if stores - set(STORES):
        parser.error(f"unknown store(s) {sorted(stores - set(STORES))}; choose among {STORES}")
    queries = library_queries(args.queries) if args.library or args.queries else None
    work = args.work or Path(tempfile.mkdtemp(prefix="sparql-bench-"))
    rows: list[dict[str, Any]] = []
    for n in args.statements:
        rows += bench_size(n, work, args.samples, args.runs, stores, queries)
    print()
    print("| statements | store | load (s) | origin median (ms) | origin p90 (ms) "
          "| single-source (s) | single-origin.rq (s) |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['statements']} | {r['store']} | {r['load_s']:.1f} | "
              f"{r['origin_median_ms']:.1f} | {r['origin_p90_ms']:.1f} | "
              f"{r['single_source_s']:.2f} | {_lib(r)} |")
    _library_table(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
