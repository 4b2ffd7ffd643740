"""Helper processes end with the command that started them, even when it is killed.

A YAML ingest converts its files in two helper processes, and ``sparql --timeout``
runs its query in one. Killed (SIGKILL, or the SIGTERM of a job's time limit), the
command used to leave them behind: the converters idle for good, the query worker
running to the end of its query with the store locked. Each test kills the command
once its helpers run, and then waits (at most 20 s) for them to be gone. Interrupted
(Ctrl-C, which reaches every process of the terminal's group), the command says so in
one line, without a helper's traceback, and leaves the store as it was.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from cliproc import SEEDS, command, digest, env, run

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


def _once_helpers_run(proc: subprocess.Popen[str], helpers: int) -> list[int]:
    """The ids of *proc*'s helpers, once it runs *helpers* of them."""
    deadline = time.monotonic() + 60
    while len(kids := _helpers(proc.pid)) < helpers:
        assert proc.poll() is None, "ended before its helpers were seen"
        assert time.monotonic() < deadline, "its helpers did not start"
        time.sleep(0.02)
    return kids


def _kill_once_helpers_run(args: list[str], helpers: int, **environ: str) -> list[int]:
    """Start *args*, SIGKILL it once it runs *helpers* helpers; their ids."""
    proc = subprocess.Popen(args, env=env(**environ), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        kids = _once_helpers_run(proc, helpers)
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


def test_the_yaml_converters_of_a_killed_ingest_end_with_it(corpus: Path, tmp_path: Path
                                                             ) -> None:
    # converted by the bulk path (the ordinary one, for small batches, has no helpers)
    kids = _kill_once_helpers_run(command(tmp_path / "store", "ingest", str(corpus)), 2,
                                  PROVENANCE_BULK_MIN_BYTES="1")
    assert _gone(kids) == []


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough YAML files for the two converters to run a while."""
    out = tmp_path_factory.mktemp("lifeline")
    generate_corpus(out, 4000, seed=3, formats=("yaml",), docs_per_file=50)
    assert len(list((out / "yaml").glob("*.yaml"))) > 4
    return out / "yaml"


def _interruptible() -> None:
    # as a terminal's command gets it (a test run in the background may ignore SIGINT)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize(("stop", "code"), [(signal.SIGINT, 1), (signal.SIGTERM, 143)],
                         ids=["ctrl-c", "sigterm"])
@pytest.mark.parametrize("into", ["a new store", "a store with the seed"])
def test_a_bulk_ingest_stopped_says_so_in_one_line_and_leaves_the_store_as_it_was(
    corpus: Path, tmp_path: Path, into: str, stop: signal.Signals, code: int
) -> None:
    """Ctrl-C, or the SIGTERM of `timeout` or of a job's time limit, sent to the whole
    group: before, a SIGTERM ended the command on the spot (exit code -15), its bulk load
    left pending in the store (dropped only when the store was next opened for writing)
    and a new store left behind."""
    store = tmp_path / "store"
    if into != "a new store":
        assert run(store, "ingest", str(SEEDS)).returncode == 0
        before = digest(store)
    proc = subprocess.Popen(command(store, "ingest", str(corpus)),
                            env=env(PROVENANCE_BULK_MIN_BYTES="1"), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=_interruptible)
    try:
        kids = _once_helpers_run(proc, 2)
        os.killpg(proc.pid, stop)  # as a terminal's Ctrl-C: the whole group
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == code  # 128 + 15 for SIGTERM, as a shell expects
    assert err.strip() == "Aborted!"  # click's word for an interrupt; no traceback
    assert _gone(kids) == []
    if into == "a new store":
        assert not store.exists()  # a first ingest that fails leaves nothing behind
    else:
        assert digest(store) == before


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
