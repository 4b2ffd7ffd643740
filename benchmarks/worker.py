"""One benchmark measurement in a fresh process: ``python benchmarks/worker.py OP JSON-ARGS``.

Prints one JSON line: the op's figures (seconds) and the process's peak RSS (MB).
Run by :mod:`benchmarks.run`; each op runs in its own process so that its peak
memory is its own.
"""

from __future__ import annotations

import json
import random
import resource
import signal
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _sample(ids: list[str], n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return rng.sample(ids, min(n, len(ids)))


# ---------------------------------------------------------------- provenance (Oxigraph)


def _tracker(store: str) -> Any:
    from provenance.store import EmbeddedStore
    from provenance.tracker import Tracker

    return Tracker(EmbeddedStore.open_read(Path(store)))


def op_bulk_load(args: dict[str, Any]) -> dict[str, Any]:
    import pyoxigraph as ox

    t = time.perf_counter()
    store = ox.Store(args["store"])
    store.bulk_load(path=args["file"], format=ox.RdfFormat.N_QUADS)
    store.flush()
    return {"seconds": time.perf_counter() - t}


def op_origin(args: dict[str, Any]) -> dict[str, Any]:
    t0 = time.perf_counter()
    tracker = _tracker(args["store"])
    opened = time.perf_counter() - t0
    times = []
    for sid in args["statements"]:
        t = time.perf_counter()
        tracker.origin(sid)
        times.append(time.perf_counter() - t)
    times.sort()
    return {"seconds": sum(times) / len(times), "median": times[len(times) // 2],
            "p95": times[int(len(times) * 0.95) - 1], "open": opened}


def op_chain(args: dict[str, Any]) -> dict[str, Any]:
    tracker = _tracker(args["store"])
    t = time.perf_counter()
    for sid in args["statements"]:
        obj = tracker.origin(sid)
        labels = getattr(tracker, "source_labels", None)
        if labels is not None:
            labels([s for chain in obj["chains"] for s in chain])
        else:
            tracker.sources()
    return {"seconds": (time.perf_counter() - t) / len(args["statements"])}


def op_impact(args: dict[str, Any]) -> dict[str, Any]:
    tracker = _tracker(args["store"])
    t = time.perf_counter()
    rows = tracker.impact(args["source"])
    return {"seconds": time.perf_counter() - t, "rows": len(rows)}


def op_single_source(args: dict[str, Any]) -> dict[str, Any]:
    tracker = _tracker(args["store"])
    t = time.perf_counter()
    rows = tracker.single_source()
    return {"seconds": time.perf_counter() - t, "rows": len(rows)}


def op_report(args: dict[str, Any]) -> dict[str, Any]:
    tracker = _tracker(args["store"])
    t = time.perf_counter()
    rows = tracker.report()
    return {"seconds": time.perf_counter() - t, "rows": len(rows)}


def op_facts(args: dict[str, Any]) -> dict[str, Any]:
    """Statement ids and the most cited source of a store (to choose what to ask)."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(Path(args["store"]) / "oxigraph"))
    pt = "https://w3id.org/provenance-tracker/ns#"
    ids = [
        row[0].value.rsplit("/", 1)[1]
        for row in store.query(
            f"SELECT ?s WHERE {{ ?s a <{pt}Statement> }}", use_default_graph_as_union=True
        )
    ]
    top = list(store.query(
        "SELECT ?src (COUNT(DISTINCT ?c) AS ?n) WHERE { ?r <http://www.w3.org/ns/prov#"
        "wasDerivedFrom>|<http://www.w3.org/ns/prov#wasQuotedFrom> ?c . "
        "?c <http://www.w3.org/ns/prov#wasAttributedTo> ?src } GROUP BY ?src "
        "ORDER BY DESC(?n) LIMIT 1", use_default_graph_as_union=True))
    source = top[0][0].value.rsplit("/", 1)[1] if top else None
    return {"statements": sorted(set(ids)), "source": source}


# ---------------------------------------------------------------- the rdflib baseline


def op_baseline(args: dict[str, Any]) -> dict[str, Any]:
    """Load into rdflib, then answer each question; every figure measured in-process."""
    import baseline

    from provenance.tracker import Tracker

    out: dict[str, Any] = {}
    t = time.perf_counter()
    ds = baseline.load_nquads(Path(args["nquads"]))
    out["ingest_nq"] = time.perf_counter() - t
    out["ingest_nq_rss"] = _rss_mb()
    tracker = Tracker(baseline.RdflibBackend(ds))

    budget = int(args.get("budget", 600))

    def alarm(signum: int, frame: Any) -> None:
        raise TimeoutError

    signal.signal(signal.SIGALRM, alarm)

    def timed(name: str, fn: Any, per: int = 1) -> None:
        """Run *fn* with at most *budget* seconds; past that the figure is "did not finish"."""
        t = time.perf_counter()
        signal.alarm(budget)
        try:
            result = fn()
        except TimeoutError:
            out[name + "_dnf"] = budget
            print(json.dumps({"partial": out}), flush=True)
            return
        finally:
            signal.alarm(0)
        out[name] = (time.perf_counter() - t) / per
        if isinstance(result, list | dict):
            out[name + "_rows"] = len(result)
        out[name + "_rss"] = _rss_mb()
        print(json.dumps({"partial": out}), flush=True)

    def origins() -> None:
        # As many of the sample as fit in the budget: the figure is the mean per statement.
        t = time.perf_counter()
        done = 0
        for s in args["statements"]:
            if done and time.perf_counter() - t > budget / 2:
                break
            tracker.origin(s)
            done += 1
        out["origin"] = (time.perf_counter() - t) / done
        out["origin_n"] = done
        out["origin_rss"] = _rss_mb()

    signal.alarm(budget)
    try:
        origins()
    except TimeoutError:
        out["origin_dnf"] = budget
    finally:
        signal.alarm(0)
    print(json.dumps({"partial": out}), flush=True)
    if args.get("source"):
        timed("impact", lambda: tracker.impact(args["source"]))
    timed("single_source", tracker.single_source)
    timed("report", tracker.report)
    return out


def op_baseline_yaml(args: dict[str, Any]) -> dict[str, Any]:
    import baseline

    t = time.perf_counter()
    baseline.load_yaml(Path(args["yaml"]))
    return {"seconds": time.perf_counter() - t}


OPS = {name[3:]: fn for name, fn in globals().items() if name.startswith("op_")}


def main() -> None:
    op, raw = sys.argv[1], sys.argv[2]
    result = OPS[op](json.loads(raw))
    result["rss_mb"] = _rss_mb()
    print(json.dumps({"result": result}), flush=True)


if __name__ == "__main__":
    main()
