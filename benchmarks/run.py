"""Benchmark provenance against the rdflib in-memory baseline: one table.

    python benchmarks/run.py --statements 10000 [--runs 3] [--seed 1]

Generates (or reuses) a corpus, then measures, each in fresh processes and as the
median of ``--runs`` runs, with the peak RSS of the measured process: ingest from
YAML and from N-Quads (with a bare ``pyoxigraph`` bulk load of the same file beside
it), ``origin`` for 100 random statements (in-process latency, and the whole
``provenance origin`` process), ``chain``, ``impact`` on the most cited source,
``single-source`` and ``report`` over the whole store (computed as the first question
after an ingest, computed again from the tables an ``impact`` keeps, read back from
kept answers, and after one more document), and ``export --format graphml`` where the
command exists. ``--skip ingest`` asks the questions of the store an earlier run left
in ``--work``. Beside each figure: the same question answered
with rdflib's in-memory Dataset, SPARQL and networkx, where it finishes within
``--baseline-timeout`` seconds, and the ratio. Writes Markdown and JSON into
``benchmarks/results/`` and prints the table.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable


# ---------------------------------------------------------------- processes


def _spawned(cmd: list[str], timeout: float | None, **popen: Any
             ) -> tuple[subprocess.Popen[Any], Callable[[], dict[str, Any]]]:
    """Start *cmd* through ``spawn.py`` (so that its peak memory is its own, not this
    process's); the process, and what to call once it is done: its wall time, peak
    memory (kB), exit code and whether it was killed at *timeout*."""
    read, write = os.pipe()
    try:
        proc = subprocess.Popen(
            [PYTHON, "-I", "-S", str(HERE / "spawn.py"), str(write), str(timeout or 0), *cmd],
            pass_fds=(write,), **popen)
    finally:
        os.close(write)

    def report() -> dict[str, Any]:
        with os.fdopen(read, "rb") as pipe:
            data = pipe.read()
        proc.wait()
        if not data:  # the spawner itself failed (it reports nothing)
            return {"wall": float("inf"), "peak_kb": 0, "code": proc.returncode or -1,
                    "timed_out": False}
        return json.loads(data)  # type: ignore[no-any-return]

    return proc, report


def _run_rss(cmd: list[str], timeout: float | None = None) -> tuple[float, float, int]:
    """Run *cmd* with its output discarded; (wall seconds, peak RSS MB, exit code).

    On a timeout: (inf, 0, -9).
    """
    proc, report = _spawned(cmd, timeout, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read().decode() if proc.stderr else ""
    done = report()
    if done["timed_out"]:
        return float("inf"), 0.0, -9
    if done["code"] != 0:
        sys.stderr.write(f"command failed ({done['code']}): {' '.join(cmd)}\n{err[-2000:]}\n")
    return done["wall"], done["peak_kb"] / 1024, done["code"]


def _worker(op: str, args: dict[str, Any], timeout: float | None = None) -> dict[str, Any]:
    """Run one op of :mod:`worker` in a fresh process; its result (partial on timeout)."""
    cmd = [PYTHON, str(HERE / "worker.py"), op, json.dumps(args)]
    proc, report = _spawned(cmd, timeout, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    out, err = proc.communicate()
    done = report()
    timed_out = done["timed_out"]
    result: dict[str, Any] = {}
    for line in (out or "").splitlines():
        if line.startswith("{"):
            data = json.loads(line)
            result = data.get("result") or data.get("partial") or result
    if done["code"] not in (0, -9) and not timed_out:  # -9: killed (as before)
        sys.stderr.write(f"worker {op} failed:\n{(err or '')[-3000:]}\n")
        raise RuntimeError(f"worker {op} failed")
    result["timed_out"] = timed_out
    if done.get("peak_kb"):  # the op's processes together (spawn.py), not the worker's alone
        result["rss_mb"] = done["peak_kb"] / 1024
    return result


def _cli(*args: str) -> list[str]:
    """The installed console script, as a user runs it."""
    return [shutil.which("provenance") or "provenance", *args]


# ---------------------------------------------------------------- measurements


class Bench:
    def __init__(self, opts: argparse.Namespace, corpus: Path, work: Path):
        self.opts = opts
        self.corpus = corpus
        self.work = work
        self.yaml = corpus / "yaml"
        self.nquads = corpus / "nquads" / "corpus.nq"
        self.rows: dict[str, dict[str, Any]] = {}
        self.store = work / "store"
        self.on_progress: Any = None

    def log(self, msg: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    def record(self, key: str, label: str, values: list[float], rss: list[float],
               unit: str = "s", **extra: Any) -> None:
        finite = [v for v in values if v != float("inf")]
        self.rows.setdefault(key, {"label": label})
        self.rows[key].update(
            seconds=statistics.median(finite) if finite else None,
            runs=values, rss_mb=max(rss) if rss else None, unit=unit, **extra,
        )

    def baseline(self, key: str, seconds: float | None, rss: float | None, note: str = "") -> None:
        row = self.rows.setdefault(key, {"label": key})
        row["baseline_seconds"] = seconds
        row["baseline_rss_mb"] = rss
        row.pop("baseline_note", None)
        if note:
            row["baseline_note"] = note

    # -- ingest ----------------------------------------------------------------

    def ingest(self) -> None:
        runs = self.opts.ingest_runs
        todo = [("ingest_yaml", "ingest YAML", self.yaml), ("ingest_nq", "ingest N-Quads",
                                                           self.nquads)]
        if "yaml" in self.opts.skip:
            todo = todo[1:]
        for key, label, source in todo:
            store = self.work / f"ingest-{key}"
            self._processes(key, label, _cli("--store", str(store), "ingest", str(source)),
                            runs, before=lambda store=store: shutil.rmtree(store, True))
            if key == "ingest_yaml":  # not asked anything: its disk (17 GB at 1M) back now
                shutil.rmtree(store, ignore_errors=True)
        times, rss = [], []
        for i in range(runs):
            store = self.work / "bulk"
            shutil.rmtree(store, ignore_errors=True)
            self.log(f"bare pyoxigraph bulk_load run {i + 1}/{runs}")
            res = _worker("bulk_load", {"store": str(store), "file": str(self.nquads)})
            times.append(res["seconds"])
            rss.append(res["rss_mb"])
        self.record("bulk_load", "bare pyoxigraph bulk_load (same .nq)", times, rss)
        # The same load as a whole process, as the ingest is timed: Python's start-up
        # and imports counted on both sides (a few tenths of a second at 10k).
        load = ("import sys, pyoxigraph as ox; s = ox.Store(sys.argv[1]); "
                "s.bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_QUADS)")
        self._bare_process("bulk_load_process", "bare pyoxigraph bulk_load, whole process",
                           load + "; s.flush()", runs)
        # The same without the flush. The bulk loader hands RocksDB its files as they
        # are (dozens at level 0 at a million statements), and the flush, like any
        # write after it, waits for their compaction (107 s at 1M): left out, it
        # falls to the store's next writer. An ingest commits with a write, so it
        # pays it; this row is the load alone, the lower bound.
        self._bare_process("bulk_load_unflushed", "bare pyoxigraph bulk_load, whole process, "
                           "not flushed (compaction left to the next write)", load, runs)
        shutil.rmtree(self.work / "bulk", ignore_errors=True)
        # The store the questions are asked of: ingested from N-Quads (the fast path).
        shutil.rmtree(self.store, ignore_errors=True)
        shutil.move(str(self.work / "ingest-ingest_nq"), str(self.store))
        shutil.rmtree(self.work / "ingest-ingest_yaml", ignore_errors=True)

    def _bare_process(self, key: str, label: str, script: str, runs: int) -> None:
        """Time *script* (``python -c``, given a fresh store and the N-Quads file)."""
        store = self.work / "bulk"
        self._processes(key, label, [sys.executable, "-c", script, str(store), str(self.nquads)],
                        runs, before=lambda: shutil.rmtree(store, True))

    def _processes(self, key: str, label: str, cmd: list[str], runs: int,
                   before: Callable[[], Any] | None = None) -> None:
        """Time *cmd* as a whole process, *runs* times (after *before*, each time)."""
        times, rss = [], []
        for i in range(runs):
            if before is not None:
                before()
            self.log(f"{label}, run {i + 1}/{runs}")
            wall, peak, code = _run_rss(cmd)
            if code != 0:
                raise SystemExit(f"{label} failed")
            times.append(wall)
            rss.append(peak)
        self.record(key, label, times, rss)

    def _one_more(self, name: str) -> Path:
        """A small document: a new statement, and another chain for a stored one."""
        doc = self.work / f"one-more-{name}.yaml"
        relayed = getattr(self, "statements", None) or []
        again = ""
        if relayed:  # its text and triple as stored, so that nothing conflicts
            sid = relayed[0].rsplit("/", 1)[-1]
            stored = getattr(self, "_relayed", None)
            if stored is None:
                out = subprocess.run(_cli("--store", str(self.store), "statements", "--format",
                                          "json"), capture_output=True, text=True, check=True)
                stored = self._relayed = next(
                    st for st in json.loads(out.stdout) if st["id"] == sid)
            again = (f"  - id: {sid}\n    text: {json.dumps(stored['text'])}\n"
                     f"    triple: {json.dumps(stored['triple'])}\n"
                     f"    according_to: [[official-bench-{name}]]\n")
        doc.write_text(
            f"document: {{id: bench-one-more-{name}, publisher: outlet-0001, title: One more}}\n"
            f"sources: {{official-bench-{name}: {{label: Benchmark official {name}}}}}\n"
            "statements:\n"
            f"  - id: bench-one-more-{name}\n"
            "    text: One more statement for the incremental benchmark\n"
            "    triple: [benchmark, adds, one more document]\n"
            "    according_to: [[agency-1, press-01, ministry-01]]\n" + again,
            encoding="utf-8",
        )
        return doc

    def incremental(self) -> None:
        """Ingest one more document into the full store (a copy, so runs are alike)."""
        doc = self._one_more("copy")
        copy = self.work / "incremental"

        def fresh_copy() -> None:
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(self.store, copy)

        self._processes("incremental", "ingest 1 more document (whole process)",
                        _cli("--store", str(copy), "ingest", str(doc)), self.opts.runs,
                        before=fresh_copy)
        shutil.rmtree(copy, ignore_errors=True)

    # -- questions -------------------------------------------------------------

    def questions(self) -> None:
        facts = _worker("facts", {"store": str(self.store)})
        self.statements = _sample_ids(facts["statements"], self.opts.sample, self.opts.seed)
        self.source = facts["source"]
        runs = self.opts.runs
        store = str(self.store)

        res = [_worker("origin", {"store": store, "statements": self.statements})
               for _ in range(runs)]
        self.record("origin", f"origin, in-process (mean of {len(self.statements)})",
                    [r["seconds"] for r in res], [r["rss_mb"] for r in res], unit="ms",
                    p95=statistics.median(r["p95"] for r in res))

        cli_ids = self.statements[: self.opts.cli_sample]
        for key, cmd in (("origin_cli", "origin"), ("chain_cli", "chain")) * (
                "cli" not in self.opts.skip):
            per_run, rss = [], []
            for i in range(runs):
                self.log(f"{cmd} CLI run {i + 1}/{runs} ({len(cli_ids)} processes)")
                walls = []
                for sid in cli_ids:
                    wall, peak, code = _run_rss(
                        _cli("--store", store, cmd, sid, "--format", "json"))
                    if code != 0:
                        raise SystemExit(f"provenance {cmd} failed")
                    walls.append(wall)
                    rss.append(peak)
                per_run.append(statistics.median(walls))
            label = f"{cmd}, whole `provenance {cmd}` process (median of {len(cli_ids)})"
            self.record(key, label, per_run, rss, unit="ms")

        whole_store = (
            ("impact", "impact", f"impact on the most cited source ({self.source})",
             {"source": self.source}),
            ("single_source", "single_source", "single-source over the whole store", {}),
            ("report", "report", "report over the whole store", {}),
        ) * ("whole-store" not in self.opts.skip)
        for key, op, label, extra in whole_store:
            res = []
            for i in range(runs):
                self.log(f"{label} run {i + 1}/{runs}")
                # computed, not read back (provenance/answers.py), from tables built
                # from the index (none kept by an impact: provenance/tables.py), as
                # the first question after an ingest
                _forget_answers(self.store, _KINDS.get(op))
                res.append(_worker(op, {"store": store, **extra}))
            self.record(key, label, [r["seconds"] for r in res], [r["rss_mb"] for r in res],
                        rows=res[0].get("rows"))
            if op == "impact":
                continue
            # The answers the last run kept: read back, then after one more document.
            res = []
            for i in range(runs):
                self.log(f"{label}, kept answers, run {i + 1}/{runs}")
                res.append(_worker(op, {"store": store, **extra}))
            self.record(f"{key}_kept", f"{label}, answers kept from the run before",
                        [r["seconds"] for r in res], [r["rss_mb"] for r in res],
                        rows=res[0].get("rows"))
            # As users ask it: a whole `provenance` process printing JSON (the rows'
            # JSON text, not a dict per row, in memory), computed and then kept.
            command = op.replace("_", "-")
            cmd = _cli("--store", store, command, "--format", "json")
            whole = f"{label}, whole `provenance {command} --format json` process"
            self._processes(f"{key}_cli", whole, cmd, runs,
                            before=lambda op=op: _forget_answers(self.store, _KINDS[op]))
            self._processes(f"{key}_cli_kept", f"{whole}, answers kept", cmd, runs)
            if self.on_progress:
                self.on_progress()
        from provenance.tables import MIN_REPORTS

        if whole_store:
            # Computed again, from the whole-store tables an impact keeps
            # (provenance/tables.py): what follows an impact, another source's included.
            self.log("impact once, to keep the whole-store tables")
            _worker("impact", {"store": store, "source": self.source})
        for key, op, label, extra in whole_store:
            res = []
            for i in range(runs):
                self.log(f"{label}, tables kept, run {i + 1}/{runs}")
                _forget_answers(self.store, _KINDS.get(op), tables=False)
                res.append(_worker(op, {"store": store, **extra}))
            self.record(f"{key}_tables", f"{label}, computed after an impact (which keeps "
                        f"the whole-store tables of {MIN_REPORTS:,} reports or more)",
                        [r["seconds"] for r in res],
                        [r["rss_mb"] for r in res], rows=res[0].get("rows"))
        # Last, as they change the store (the rows above are compared with the baseline's).
        for key, op, label in (
            ("single_source", "single_source", "single-source over the whole store"),
            ("report", "report", "report over the whole store"),
        ) * ("whole-store" not in self.opts.skip):
            res = []
            for i in range(runs):
                self.log(f"{label} after one more document, run {i + 1}/{runs}")
                doc = self._one_more(f"{key}-{i}")
                if _run_rss(_cli("--store", store, "ingest", str(doc)))[2] != 0:
                    raise SystemExit("ingesting one more document failed")
                res.append(_worker(op, {"store": store}))
            self.record(f"{key}_changed", f"{label}, after one more document (kept answers)",
                        [r["seconds"] for r in res], [r["rss_mb"] for r in res],
                        rows=res[0].get("rows"))
        if not {"whole-store", "rebuild"} & set(self.opts.skip):
            # A bulk load writes the citation index (provenance/index.py) as it goes; a
            # store whose index was lost rebuilds it from the store on its first
            # whole-store question. That case, once, after the questions above: they
            # time the index as an ingest writes it, the one users have (on 29 November
            # they ran on the rebuilt one, whose rows then came in another order).
            (self.store / "citations.sqlite").unlink(missing_ok=True)
            (self.store / "citations.tables").unlink(missing_ok=True)
            self.log("single-source with no citation index (builds it)")
            cold = _worker("single_source", {"store": store})
            self.record("index_build", "single-source with the citation index lost "
                        "(rebuilt from the store)", [cold["seconds"]], [cold["rss_mb"]])
        if "export" not in self.opts.skip:
            self.export()

    def export(self) -> None:
        from click.testing import CliRunner

        from provenance.cli import cli

        probe = CliRunner().invoke(cli, ["export", "--help"])
        if probe.exit_code != 0:
            self.rows["export"] = {"label": "export --format graphml", "seconds": None,
                                   "note": "n/a: no `provenance export` command yet"}
            return
        times, rss = [], []
        target = self.work / "export.graphml"
        for i in range(self.opts.runs):
            self.log(f"export graphml run {i + 1}/{self.opts.runs}")
            args = ["--store", str(self.store), "export", "--format", "graphml"]
            if "--output" in probe.output or "-o," in probe.output:
                args += ["-o", str(target)]
            wall, peak, code = _run_rss(_cli(*args), timeout=self.opts.baseline_timeout)
            if code != 0:
                self.rows["export"] = {"label": "export --format graphml", "seconds": None,
                                       "note": f"failed (exit {code})"}
                return
            times.append(wall)
            rss.append(peak)
        self.record("export", "export --format graphml (whole process)", times, rss)

    # -- baseline --------------------------------------------------------------

    def baselines(self) -> None:
        if self.opts.no_baseline:
            return
        runs = self.opts.baseline_runs
        got: dict[str, list[float]] = {}
        rss: dict[str, list[float]] = {}
        answers: dict[str, int] = {}
        origin_n: list[int] = []
        for i in range(runs):
            self.log(f"rdflib baseline run {i + 1}/{runs}")
            res = _worker("baseline", {
                "nquads": str(self.nquads), "statements": self.statements,
                "source": self.source, "budget": self.opts.baseline_timeout,
            }, timeout=self.opts.baseline_timeout * 6 + 1800)
            if "origin_n" in res:
                origin_n.append(res["origin_n"])
            for key in ("impact", "single_source", "report"):
                if key + "_rows" in res:
                    answers[key] = res[key + "_rows"]
            for key in ("ingest_nq", "origin", "impact", "single_source", "report"):
                if key in res:
                    got.setdefault(key, []).append(res[key])
                    rss.setdefault(key, []).append(res.get(key + "_rss", res.get("rss_mb", 0)))
            res = _worker("baseline_yaml", {"yaml": str(self.yaml)},
                          timeout=self.opts.baseline_timeout)
            if "seconds" in res:
                got.setdefault("ingest_yaml", []).append(res["seconds"])
                rss.setdefault("ingest_yaml", []).append(res["rss_mb"])
        for key in ("impact", "single_source", "report"):
            theirs, mine = answers.get(key), self.rows.get(key, {}).get("rows")
            if theirs is not None and mine is not None:
                self.rows[key]["same_answer_count"] = theirs == mine
                if theirs != mine:
                    self.log(f"WARNING: {key}: baseline answered {theirs} rows, provenance {mine}")
        for key in ("ingest_yaml", "ingest_nq", "origin", "impact", "single_source", "report"):
            if key in got:
                self.baseline(key, statistics.median(got[key]), max(rss[key]))
                if key == "origin" and origin_n:
                    self.rows[key]["baseline_note"] = f"mean of {min(origin_n)} statements"
            else:
                self.baseline(key, None, None,
                              f"did not finish within {self.opts.baseline_timeout:.0f} s")


#: the kinds of answer provenance/answers.py keeps, by benchmark op
_KINDS = {"single_source": "single", "report": "report", "impact": None}


def _forget_answers(store: Path, kind: str | None, tables: bool = True) -> None:
    """Drop the whole-store answers of *kind* kept in the citation index (its facts
    stay), or of every kind (None), and with *tables* the whole-store tables an impact
    keeps. Only the answers measured: the rows "after one more document" read the others
    back, as they would be."""
    import sqlite3

    if tables:
        (store / "citations.tables").unlink(missing_ok=True)
    path = store / "citations.sqlite"
    if path.exists():
        # an older index may have no such table
        with sqlite3.connect(path) as db, contextlib.suppress(sqlite3.OperationalError):
            if kind is None:
                db.execute("DELETE FROM answer")
            else:
                db.execute("DELETE FROM answer WHERE kind = ?", (kind,))


def _sample_ids(ids: list[str], n: int, seed: int) -> list[str]:
    import random

    return random.Random(seed).sample(ids, min(n, len(ids)))


# ---------------------------------------------------------------- the table


def _fmt_time(seconds: float | None, unit: str) -> str:
    if seconds is None:
        return "n/a"
    if unit == "ms" or seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def _fmt_mb(mb: float | None) -> str:
    return "" if not mb else f"{mb:,.0f} MB"


def table(rows: dict[str, dict[str, Any]], statements: int) -> str:
    head = ("| question | provenance | peak RSS | rdflib baseline | peak RSS | speed-up |\n"
            "|---|---:|---:|---:|---:|---:|")
    lines = [head]
    for key, row in rows.items():
        mine = _fmt_time(row.get("seconds"), row.get("unit", "s"))
        if row.get("note"):
            mine = row["note"]
        base = row.get("baseline_seconds")
        base_s = _fmt_time(base, row.get("unit", "s")) if base is not None else (
            row.get("baseline_note", "—"))
        if base is not None and row.get("baseline_note"):
            base_s += f" ({row['baseline_note']})"
        ratio = ""
        if base and row.get("seconds"):
            ratio = f"{base / row['seconds']:,.1f}x"
        if key == "ingest_nq" and rows.get("bulk_load", {}).get("seconds") and row.get("seconds"):
            ratio += f" ({row['seconds'] / rows['bulk_load']['seconds']:.2f}x bare bulk_load"
            whole = rows.get("bulk_load_process", {}).get("seconds")
            ratio += f", {row['seconds'] / whole:.2f}x as a process" if whole else ""
            alone = rows.get("bulk_load_unflushed", {}).get("seconds")
            ratio += f", {row['seconds'] / alone:.2f}x not flushed)" if alone else ")"
        if key == "ingest_yaml" and row.get("seconds"):
            ratio += f" ({statements / row['seconds']:,.0f} statements/s)"
        lines.append(
            f"| {row['label']} | {mine} | {_fmt_mb(row.get('rss_mb'))} | {base_s} | "
            f"{_fmt_mb(row.get('baseline_rss_mb'))} | {ratio} |"
        )
    return "\n".join(lines)


def commit() -> str | None:
    """The commit measured (``-dirty`` with changes not committed), if this is a clone."""
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
                             capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip() or None


def machine() -> str:
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            mem = f"{int(f.readline().split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    import pyoxigraph
    import rdflib

    return (f"{platform.machine()}, {os.cpu_count()} cores, {mem} RAM, "
            f"Python {platform.python_version()}, pyoxigraph {pyoxigraph.__version__}, "
            f"rdflib {rdflib.__version__}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--statements", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--ingest-runs", type=int, default=None,
                        help="runs of each ingest and bare load (default: --runs; "
                             "at 1M one run of them all takes about 35 minutes)")
    parser.add_argument("--baseline-runs", type=int, default=None,
                        help="runs of the rdflib baseline (default: --runs)")
    parser.add_argument("--baseline-timeout", type=float, default=600.0,
                        help="seconds each baseline question may take")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--sample", type=int, default=100, help="statements asked about")
    parser.add_argument("--cli-sample", type=int, default=20,
                        help="of which asked through a whole CLI process")
    parser.add_argument("--corpus", type=Path, help="reuse (or write) the corpus here")
    parser.add_argument("--work", type=Path, help="folder for the stores (default: a temp dir)")
    parser.add_argument("--results", type=Path, default=HERE / "results")
    parser.add_argument("--baseline-only", type=Path, metavar="JSON",
                        help="measure only the baseline, beside the figures of this result "
                             "file (its --work store must still be there)")
    parser.add_argument("--skip", action="append", default=[],
                        choices=["ingest", "yaml", "incremental", "cli", "export", "whole-store",
                                 "rebuild"],
                        help="leave a measurement out (repeatable); `ingest` asks the "
                             "questions of the store an earlier run left in --work")
    opts = parser.parse_args(argv)
    opts.baseline_runs = opts.baseline_runs or opts.runs
    opts.ingest_runs = opts.ingest_runs or opts.runs

    work = opts.work or Path(tempfile.mkdtemp(prefix="provenance-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus = opts.corpus or work / f"corpus-{opts.statements}-{opts.seed}"
    started = time.time()
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    opts.results.mkdir(parents=True, exist_ok=True)
    base = opts.results / f"bench-{opts.statements}-{stamp}"
    command = "python benchmarks/run.py " + " ".join(argv or sys.argv[1:])
    measured = commit()

    def save(bench: Bench, manifest: dict[str, Any], final: bool = False) -> str:
        """Write the table so far (a long run that is stopped keeps what it measured)."""
        info = {
            # a corpus given with --corpus has its own seed
            "statements": opts.statements, "seed": manifest.get("seed", opts.seed),
            "runs": opts.runs,
            "ingest_runs": opts.ingest_runs, "commit": measured,
            "baseline_runs": opts.baseline_runs, "corpus": manifest, "machine": machine(),
            "command": command, "date": stamp, "complete": final,
            "elapsed_s": round(time.time() - started, 1), "rows": bench.rows,
        }
        md = (f"## {opts.statements:,} statements ({manifest['quads']:,} quads, "
              f"{manifest['documents']:,} documents, {manifest['sources']:,} sources)\n\n"
              f"`{command}` — {info['machine']}; median of {opts.runs} runs "
              f"(ingest: {opts.ingest_runs}; baseline: {opts.baseline_runs}).\n\n"
              f"{table(bench.rows, opts.statements)}\n")
        base.with_suffix(".md").write_text(md, encoding="utf-8")
        base.with_suffix(".json").write_text(json.dumps(info, indent=2), encoding="utf-8")
        return md

    try:
        if not (corpus / "manifest.json").is_file():
            print(f"generating {opts.statements} statements into {corpus}", file=sys.stderr)
            from provenance.generate import generate_corpus

            generate_corpus(corpus, opts.statements, opts.seed)
        manifest = json.loads((corpus / "manifest.json").read_text())
        bench = Bench(opts, corpus, work)
        bench.on_progress = lambda: save(bench, manifest)
        if opts.baseline_only:
            bench.rows = json.loads(opts.baseline_only.read_text())["rows"]
            facts = _worker("facts", {"store": str(bench.store)})
            bench.statements = _sample_ids(facts["statements"], opts.sample, opts.seed)
            bench.source = facts["source"]
        else:
            if "ingest" not in opts.skip:
                bench.ingest()
            elif not (bench.store / "oxigraph").is_dir():
                raise SystemExit(f"--skip ingest: no store in {bench.store}; give the --work "
                                 "folder of an earlier run")
            save(bench, manifest)
            if "incremental" not in opts.skip:
                bench.incremental()
            bench.questions()
            save(bench, manifest)
        bench.baselines()
        md = save(bench, manifest, final=True)
    finally:
        if opts.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print(md)
    print(f"written: {base}.md, {base}.json", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
