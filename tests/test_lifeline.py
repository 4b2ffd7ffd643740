"""Helper processes end with the command that started them, even when it is killed.

A YAML ingest converts its files in two helper processes, and ``sparql --timeout``
runs its query in one. Killed (SIGKILL, or the SIGTERM of a job's time limit), the
command used to leave them behind: the converters idle for good, the query worker
running to the end of its query with the store locked. Each test kills the command
once its helpers run, and then waits (at most 20 s) for them to be gone.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from cliproc import SEEDS, command, env, run

from provenance.generate import generate_corpus

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                                reason="reads the process table in /proc (Linux)")


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")  # not a zombie


def _helpers(pid: int) -> list[int]:
    """The helper processes *pid* started with multiprocessing's "spawn" (read from
    /proc: no library needed for two fields)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
                spawned = b"spawn_main" in (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(fields[1]) == pid and spawned and _alive(int(entry.name)):
                found.append(int(entry.name))
    return found


def _kill_once_helpers_run(args: list[str], helpers: int, **environ: str) -> list[int]:
    """Start *args*, SIGKILL it once it runs *helpers* helpers; their ids."""
    proc = subprocess.Popen(args, env=env(**environ), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(kids := _helpers(proc.pid)) < helpers:
            assert proc.poll() is None, "ended before its helpers were seen"
            assert time.monotonic() < deadline, "its helpers did not start"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    return kids


def _gone(pids: list[int], within: float = 20) -> list[int]:
    """Those of *pids* still running after *within* seconds (none, as soon as possible)."""
    deadline = time.monotonic() + within
    while (left := [p for p in pids if _alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    for p in left:  # the test's own cleanup
        os.kill(p, signal.SIGKILL)
    return left


def test_the_yaml_converters_of_a_killed_ingest_end_with_it(tmp_path: Path) -> None:
    generate_corpus(tmp_path / "corpus", 4000, seed=3, formats=("yaml",), docs_per_file=50)
    files = tmp_path / "corpus" / "yaml"
    assert len(list(files.glob("*.yaml"))) > 4  # enough for the two converters
    # converted by the bulk path (the ordinary one, for small batches, has no helpers)
    kids = _kill_once_helpers_run(command(tmp_path / "store", "ingest", str(files)), 2,
                                  PROVENANCE_BULK_MIN_BYTES="1")
    assert _gone(kids) == []


def test_the_query_worker_of_a_killed_sparql_command_ends_and_frees_the_store(
    tmp_path: Path
) -> None:
    store = tmp_path / "store"
    assert run(store, "ingest", str(SEEDS)).returncode == 0
    endless = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
               "?m ?n2 ?o }")  # about 10^12 rows on the seed
    kids = _kill_once_helpers_run(command(store, "sparql", "--timeout", "3600", endless), 1)
    assert _gone(kids) == []
    # the store is free: an ingest that writes does not wait for a reader still there
    again = run(store, "ingest", str(SEEDS.parent / "examples" / "annotations"),
                env=env(PROVENANCE_LOCK_WAIT="2"))
    assert again.returncode == 0, again.stderr
