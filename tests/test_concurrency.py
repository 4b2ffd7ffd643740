"""Processes that share a store: writers one at a time, readers see before or after.

Two ``provenance ingest`` processes of different documents started together into a
new store: both land (the second waits for the first), or one fails with a one-line
"store is busy" error and exit code 1; the store is then exactly what the ingests that
succeeded make, never something else. Readers (``statements``, ``report``,
``sparql``) started while an ingest runs see the store before it or after it, and
never fail. ``PROVENANCE_CONCURRENCY_ROUNDS`` sets the rounds of both (default 5 of
two writers and 3 of readers per ingest path).
"""

from __future__ import annotations

import fcntl
import json
import os
import random
import shutil
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from cliproc import SEEDS, command, digest, env, one_line_error, run

from provenance.generate import generate_corpus

_ON_DEMAND = os.environ.get("PROVENANCE_CONCURRENCY_ROUNDS")
ROUNDS = int(_ON_DEMAND or 5)  # two writers at once
READ_ROUNDS = int(_ON_DEMAND or 3)  # ingests watched by readers, per ingest path


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("concurrency")
    generate_corpus(out / "small", 60, seed=11, formats=("yaml",))
    generate_corpus(out / "large", 240, seed=12, formats=("nquads",))
    return {"seed": SEEDS, "generated": out / "small" / "yaml",
            "bulk": out / "large" / "nquads" / "corpus.nq"}


def _expected(tmp: Path, *batches: Path) -> tuple[str, int]:
    store = tmp / ("expected-" + "-".join(b.parent.name + b.name for b in batches))
    if not store.exists():
        for batch in batches:
            done = run(store, "ingest", str(batch))
            assert done.returncode == 0, done.stderr
    return digest(store)


def test_two_writers_at_once_both_land_or_one_is_told_the_store_is_busy(
    documents: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = documents["seed"], documents["generated"]
    both = _expected(tmp_path, a, b)
    assert _expected(tmp_path, b, a) == both  # the order does not matter
    alone = {a: _expected(tmp_path, a), b: _expected(tmp_path, b)}
    rng = random.Random(7)
    results = {"both landed": 0, "one busy": 0}
    for i in range(ROUNDS):
        store = tmp_path / f"round-{i}"  # a new store: the two also race to create it
        procs = {}
        for batch in (a, b) if i % 2 == 0 else (b, a):
            procs[batch] = subprocess.Popen(
                command(store, "ingest", str(batch)), stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True, env=env())
            time.sleep(rng.uniform(0, 0.3))
        done = {batch: (p.wait(timeout=300), *p.communicate()) for batch, p in procs.items()}
        landed = [batch for batch, (code, _, _) in done.items() if code == 0]
        for code, _, err in done.values():
            assert "Traceback" not in err, err
            if code != 0:
                assert code == 1 and "busy" in one_line_error(
                    subprocess.CompletedProcess([], code, "", err)), err
        assert landed, done
        assert digest(store) == (both if len(landed) == 2 else alone[landed[0]]), i
        results["both landed" if len(landed) == 2 else "one busy"] += 1
    with capsys.disabled():
        print(f"\n[concurrency] {ROUNDS} rounds of two writers: {results}")


@contextmanager
def _holding(file: Path, how: int) -> Iterator[None]:
    """flock *file* as another process would (this test's process is one)."""
    fd = os.open(file, os.O_RDONLY)
    try:
        fcntl.flock(fd, how)
        yield
    finally:
        os.close(fd)


def _short(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A command that waits at most half a second for the store's locks."""
    return run(store, *args, env=env(PROVENANCE_LOCK_WAIT="0.5"))


@pytest.fixture
def seeded(documents: dict[str, Path], tmp_path: Path) -> Path:
    store = tmp_path / "store"
    assert run(store, "ingest", str(documents["seed"])).returncode == 0
    return store


def test_a_writer_that_cannot_get_the_store_says_it_is_busy_and_changes_nothing(
    documents: dict[str, Path], seeded: Path
) -> None:
    before = digest(seeded)
    with _holding(seeded / "lock", fcntl.LOCK_EX):  # as an ingest in progress holds it
        started = time.monotonic()
        done = _short(seeded, "ingest", str(documents["generated"]))
        assert time.monotonic() - started < 30
    assert done.returncode == 1
    message = one_line_error(done)
    assert "busy" in message and str(seeded) in message and "try again" in message
    assert digest(seeded) == before


def test_a_reader_waits_only_while_a_writer_writes_and_then_says_it_is_busy(seeded: Path
                                                                           ) -> None:
    with _holding(seeded / "lock", fcntl.LOCK_EX):  # an ingest parsing and checking its files
        assert _short(seeded, "statements").returncode == 0
    with _holding(seeded / "db.lock", fcntl.LOCK_EX):  # an ingest writing
        done = _short(seeded, "statements")
    assert done.returncode == 1
    assert "busy" in one_line_error(done)


@contextmanager
def _index_locked(store: Path) -> Iterator[None]:
    """The citation index locked as another process writing it (kept answers) locks it."""
    db = sqlite3.connect(store / "citations.sqlite", isolation_level=None)
    try:
        db.execute("BEGIN EXCLUSIVE")
        yield
    finally:
        db.close()  # rolls back


def test_a_question_waits_for_the_index_while_another_process_writes_it(seeded: Path) -> None:
    first = run(seeded, "report", "--format", "json")  # builds the index, keeps the answers
    assert first.returncode == 0, first.stderr
    with _index_locked(seeded):
        waiting = subprocess.Popen(command(seeded, "report", "--format", "json"), env=env(),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            out, err = waiting.communicate(timeout=2)  # cannot end: it needs the index
        except subprocess.TimeoutExpired:
            pass
        else:
            pytest.fail(f"ended while the index was locked: {waiting.returncode} {err}")
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert out == first.stdout


def test_a_question_that_finds_the_index_locked_too_long_says_so_and_keeps_it(
    seeded: Path
) -> None:
    first = run(seeded, "report", "--format", "json")
    assert first.returncode == 0, first.stderr
    index = seeded / "citations.sqlite"
    before = index.stat().st_ino, index.read_bytes(), digest(seeded)
    with _index_locked(seeded):
        done = _short(seeded, "report", "--format", "json")
    assert done.returncode == 1
    message = one_line_error(done)
    assert "busy" in message and str(index) in message and "PROVENANCE_LOCK_WAIT" in message
    assert (index.stat().st_ino, index.read_bytes(), digest(seeded)) == before
    assert run(seeded, "report", "--format", "json").stdout == first.stdout


def test_a_writer_waits_for_readers_only_to_write_and_then_says_the_store_is_busy(
    documents: dict[str, Path], seeded: Path
) -> None:
    before = digest(seeded)
    with _holding(seeded / "db.lock", fcntl.LOCK_SH):  # a reader in another process
        same = _short(seeded, "ingest", str(documents["seed"]))
        new = _short(seeded, "ingest", str(documents["generated"]))
    assert same.returncode == 0, same.stderr  # nothing to write: no need to wait
    assert "unchanged" in same.stdout
    assert new.returncode == 1
    message = one_line_error(new)
    assert "busy" in message and "reading it" in message and "nothing was written" in message
    assert digest(seeded) == before


def _count(store: Path, what: str) -> tuple[int, str]:
    """How many statements a reader of *what* kind sees, and its stderr."""
    if what == "sparql":
        done = run(store, "sparql", "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE "
                   "{ ?s a pt:Statement }", "--format", "json")
        assert done.returncode == 0, done.stderr
        return int(json.loads(done.stdout)["results"]["bindings"][0]["n"]["value"]), done.stderr
    done = run(store, what, "--format", "json")
    assert done.returncode == 0, done.stderr
    return len(json.loads(done.stdout)), done.stderr


def _read_while(writer: subprocess.Popen, store: Path, what: str, states: tuple[int, int],
                counts: list[tuple[int, bool]], failures: list[str]) -> None:
    """Read *store* again and again while *writer* runs; record what was seen."""
    while writer.poll() is None:
        try:
            n, _ = _count(store, what)
        except AssertionError as exc:  # reported by the test, with the others
            failures.append(f"{what}: {exc}")
            return
        counts.append((n, writer.poll() is None))
        if n not in states:
            failures.append(f"{what} saw {n} statements (before, after: {states})")


@pytest.mark.parametrize("way", ["generated", "bulk"])
def test_readers_during_an_ingest_see_the_store_before_or_after_it(
    way: str, documents: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = tmp_path / "base"
    assert run(base, "ingest", str(documents["seed"])).returncode == 0
    before = _count(base, "statements")[0]
    whole = tmp_path / "whole"
    shutil.copytree(base, whole)
    assert run(whole, "ingest", str(documents[way])).returncode == 0
    after = _count(whole, "statements")[0]
    seen: dict[str, int] = {"before": 0, "after": 0}
    during = 0
    for i in range(READ_ROUNDS):
        store = tmp_path / f"round-{i}"
        shutil.copytree(base, store)
        writer = subprocess.Popen(command(store, "ingest", str(documents[way])),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                  env=env())
        failures: list[str] = []
        counts: list[tuple[int, bool]] = []
        readers = [threading.Thread(target=_read_while, args=(
            writer, store, w, (before, after), counts, failures))
            for w in ("statements", "report", "sparql")]
        for t in readers:
            t.start()
        for t in readers:
            t.join(300)
        assert writer.wait(timeout=300) == 0, writer.stderr.read() if writer.stderr else ""
        assert failures == []
        during += sum(1 for _, running in counts if running)
        for n, _ in counts:
            seen["before" if n == before else "after"] += 1
        assert _count(store, "statements")[0] == after
    with capsys.disabled():
        print(f"\n[readers {way}] {READ_ROUNDS} ingests, {sum(seen.values())} reads while they "
              f"ran ({during} ended before the ingest did): saw before {seen['before']}, "
              f"after {seen['after']}, anything else 0")
    assert sum(seen.values()) > 0


def test_a_wait_that_is_not_a_number_is_a_usage_error(
    documents: dict[str, Path], tmp_path: Path
) -> None:
    store = tmp_path / "store"
    done = run(store, "ingest", str(documents["seed"]), env=env(PROVENANCE_LOCK_WAIT="soon"))
    assert done.returncode == 2
    assert "PROVENANCE_LOCK_WAIT='soon'" in one_line_error(done)
    assert not store.exists()
