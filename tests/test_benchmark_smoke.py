"""A small run of the benchmark (no timing assertions): it runs end to end and writes results."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_benchmark_runs_end_to_end(tmp_path: Path) -> None:
    results = tmp_path / "results"
    cmd = [
        sys.executable, str(ROOT / "benchmarks" / "run.py"), "--statements", "300",
        "--runs", "2", "--ingest-runs", "1", "--sample", "5", "--cli-sample", "2",
        "--baseline-timeout", "60",
        "--work", str(tmp_path / "work"), "--results", str(results),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "| question | provenance |" in out.stdout
    (md,) = results.glob("bench-300-*.md")
    (js,) = results.glob("bench-300-*.json")
    data = json.loads(js.read_text())
    rows = data["rows"]
    for key in ("ingest_yaml", "ingest_nq", "bulk_load", "bulk_load_process", "bulk_load_unflushed",
                "incremental", "origin", "origin_cli", "chain_cli", "impact", "single_source",
                "report",
                "single_source_kept", "single_source_changed", "report_kept", "report_changed"):
        assert rows[key]["seconds"] is not None and rows[key]["seconds"] > 0, key
    for key in ("ingest_nq", "origin", "single_source"):
        assert rows[key].get("baseline_seconds"), key
    # the same answers: the baseline and provenance count the same single-source statements
    assert rows["single_source"]["rows"] >= 1
    # kept answers read back give as many rows as computed ones
    for key in ("single_source", "report"):
        assert rows[f"{key}_kept"]["rows"] == rows[key]["rows"], key
    # one new statement per document added: one in each of the two single-source
    # runs after a document, then one before the first such report run
    assert rows["report_changed"]["rows"] == rows["report"]["rows"] + 3
    assert md.read_text().startswith("## 300 statements")
    # --ingest-runs counts the ingests and bare loads, --runs the questions
    assert data["ingest_runs"] == 1 and len(rows["ingest_nq"]["runs"]) == 1
    assert "commit" in data  # what benchmarks/compare.py names the runs by
    assert len(rows["bulk_load_unflushed"]["runs"]) == 1 and len(rows["report"]["runs"]) == 2
    assert not (tmp_path / "work" / "ingest-ingest_yaml").exists()  # nothing asks it


def test_benchmark_smoke_run_at_ten_thousand_statements(tmp_path: Path) -> None:
    """The issue's smoke run: every measurement at 10k, one run each, no baseline (the
    run above checks the baseline at 300 statements; here it would take minutes)."""
    results = tmp_path / "results"
    cmd = [
        sys.executable, str(ROOT / "benchmarks" / "run.py"), "--statements", "10000",
        "--seed", "3", "--runs", "1", "--no-baseline", "--skip", "export",
        "--cli-sample", "2", "--work", str(tmp_path / "work"), "--results", str(results),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    data = json.loads(next(results.glob("bench-10000-*.json")).read_text())
    assert data["complete"] and data["corpus"]["statements"] == 10_000
    assert data["corpus"]["quads"] > 10 * 10_000  # a realistic density, not a stub
    rows = data["rows"]
    for key in ("ingest_yaml", "ingest_nq", "bulk_load", "incremental", "origin",
                "origin_cli", "index_build", "impact", "single_source", "report",
                "report_kept", "report_cli", "report_cli_kept", "single_source_cli",
                "report_changed"):
        assert rows[key]["seconds"] > 0 and rows[key]["rss_mb"] > 0, key
    assert rows["report"]["rows"] == 10_000  # one row per statement
    assert 0 < rows["single_source"]["rows"] < 10_000
    for key in ("single_source", "report"):
        assert rows[f"{key}_kept"]["rows"] == rows[key]["rows"], key
    assert "baseline_seconds" not in rows["report"]


def test_benchmark_generate_wrapper(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--statements", "20",
         "--seed", "2", "-o", str(tmp_path / "c")], capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "c" / "nquads" / "corpus.nq").is_file()


def test_export_benchmark_runs_end_to_end(tmp_path: Path) -> None:
    cmd = [sys.executable, str(ROOT / "benchmarks" / "export_bench.py"), "--statements", "60",
           "--formats", "ttl", "graphml", "dot", "html", "--json"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=240, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    rows = {r["format"]: r for r in json.loads(out.stdout)}
    # graphml is streamed: a process of its own; dot shares the worker's analysis
    assert set(rows) == {"ttl", "html", "graphml", "analysis", "dot"}
    assert rows["analysis"]["nodes"] > 60
    for fmt in ("ttl", "graphml", "dot"):
        assert rows[fmt]["bytes"] > 0 and rows[fmt]["peak_mb"] > 0 and rows[fmt]["cpu"] > 0
    assert rows["dot"]["seconds"] >= rows["analysis"]["seconds"]


def _bench_run_module():  # type: ignore[no-untyped-def]
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_a_measured_process_reports_its_own_peak_memory_not_the_benchmark_s() -> None:
    """Linux starts a child's ru_maxrss from its parent's memory: measured straight from
    a benchmark holding 300 MB, `python -c pass` (about 10 MB) reported 300 MB."""
    run = _bench_run_module()
    held = b"x" * (300 << 20)  # the benchmark's own memory (a corpus it generated)
    wall, peak_mb, code = run._run_rss([sys.executable, "-c", "pass"])
    assert len(held) and code == 0 and 0 < wall < 60
    assert 0 < peak_mb < 100


def test_a_measured_command_s_peak_counts_the_memory_of_its_helper_processes() -> None:
    """`ru_maxrss` is the largest process's peak: a command that holds 200 MB in each of
    two helpers at once, and little itself, holds 400 MB."""
    run = _bench_run_module()
    helper = ("import sys, time; held = bytearray(200 << 20); sys.stdout.write('ok\\n'); "
              "sys.stdout.flush(); time.sleep(1)")
    command = ("import subprocess, sys; "
               f"helpers = [subprocess.Popen([sys.executable, '-c', {helper!r}], "
               "stdout=subprocess.PIPE) for _ in range(2)]; "
               "[h.stdout.readline() for h in helpers]; [h.wait() for h in helpers]")
    wall, peak_mb, code = run._run_rss([sys.executable, "-c", command])
    assert code == 0
    assert 400 < peak_mb < 600  # each helper alone: about 210 MB


def test_a_measured_process_is_killed_at_its_timeout_and_a_worker_s_failure_raises() -> None:
    run = _bench_run_module()
    assert run._run_rss([sys.executable, "-c", "import time; time.sleep(30)"],
                        timeout=0.5) == (float("inf"), 0.0, -9)
    assert run._run_rss([sys.executable, "-c", "raise SystemExit(4)"])[2] == 4
    with pytest.raises(RuntimeError, match="no_such_op"):
        run._worker("no_such_op", {})
