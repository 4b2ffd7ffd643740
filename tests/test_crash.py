"""An ingest killed (SIGKILL) at a random moment leaves the whole document or none of it.

For each ingest path (the ordinary one, one SPARQL update; the bulk one, a bulk load
made visible by a commit record), an ingest of a generated batch into a store holding
the seed is started in a fresh process and killed after a random delay. A fresh
process then opens the store: its canonical digest (sorted N-Quads, sha256) must be
the digest before the ingest or the digest after an uninterrupted one, ``statements``
and ``report`` must work and agree, and ingesting the batch again must give the
"after" digest.

The ingest runs with two markers on stderr, written just before and just after the
store is written, so each kill is counted as landing before, during or after the
write. Half the delays are drawn uniformly over an uninterrupted ingest's duration,
half within its measured write window (else few kills would land during the write,
which is short next to parsing and validation).

``PROVENANCE_KILL_RUNS`` (default 3, so 6 kills in all) sets the kills per path
(``PROVENANCE_KILL_RUNS=25`` for the on-demand run of 50); ``PROVENANCE_KILL_SEED``
replays a run (the seed used is printed with the figures).
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from cliproc import SEEDS, command, digest, env, run

from provenance import bulk
from provenance.generate import generate_corpus

RUNS = int(os.environ.get("PROVENANCE_KILL_RUNS") or 3)  # per path: 6 kills in CI

# `provenance ingest ...` with markers around the store's write: the ordinary path's
# one update (EmbeddedStore.write_graphs) and the bulk path's pending record, load
# and commit (bulk._write).
_MARKED = """
import os, sys, time
from provenance import bulk, store

def marked(owner, name):
    inner = getattr(owner, name)
    def write(*args, **kwargs):
        os.write(2, f"@write-start {time.time()}\\n".encode())
        result = inner(*args, **kwargs)
        os.write(2, f"@write-end {time.time()}\\n".encode())
        return result
    setattr(owner, name, write)

marked(store.EmbeddedStore, "write_graphs")
marked(bulk, "_write")
from provenance.cli import main
sys.argv[0] = "provenance"
main()
"""


def _statements(store: Path) -> int:
    done = run(store, "statements", "--format", "json")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    return len(json.loads(done.stdout))


def _report(store: Path) -> int:
    done = run(store, "report", "--format", "json")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    return len(json.loads(done.stdout))


def _leftovers(store: Path) -> list[str]:
    return sorted(p.name for p in [*store.glob("bulk-*"), *(store / "oxigraph").glob("bulk-*")])


def _ingest(store: Path, files: list[Path], delay: float | None, log: Path
            ) -> tuple[int, dict[str, float], float, float]:
    """(exit code, marker -> time, launch time, end time) of a marked ingest."""
    cmd = command(store, "ingest", *map(str, files))
    cmd[1:3] = ["-c", _MARKED]  # python -c MARKED --store ... ingest ...
    with log.open("w") as err:
        started = time.time()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env())
        if delay is not None:
            try:
                proc.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
        code = proc.wait(timeout=300)
        ended = time.time()
    text = log.read_text()
    assert "Traceback" not in text, text
    marks = {m.group(1): float(m.group(2)) for m in re.finditer(r"@(write-\w+) ([\d.]+)", text)}
    return code, marks, started, ended


@pytest.fixture(scope="module")
def batches(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    out = tmp_path_factory.mktemp("kill-batches")
    generate_corpus(out / "small", 150, seed=7, formats=("yaml",))
    generate_corpus(out / "large", 240, seed=8, formats=("nquads",))
    large = out / "large" / "nquads" / "corpus.nq"
    assert large.stat().st_size >= bulk.BULK_MIN_BYTES  # so it takes the bulk path
    assert (out / "small" / "yaml").stat().st_size < bulk.BULK_MIN_BYTES
    return {"ordinary": [out / "small" / "yaml"], "bulk": [large]}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("kill-seeded") / "store"
    done = run(path, "ingest", str(SEEDS))
    assert done.returncode == 0, done.stderr
    return path


@pytest.mark.parametrize("way", ["ordinary", "bulk"])
def test_a_killed_ingest_leaves_the_whole_batch_or_none_of_it(
    way: str, batches: dict[str, list[Path]], seeded: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    files = batches[way]
    before, before_n = digest(seeded), _statements(seeded)

    # An uninterrupted ingest: the "after" state, the duration and the write window.
    whole = tmp_path / "whole"
    shutil.copytree(seeded, whole)
    code, marks, started, ended = _ingest(whole, files, None, tmp_path / "whole.log")
    assert code == 0 and set(marks) == {"write-start", "write-end"}, (tmp_path / "whole.log"
                                                                      ).read_text()
    after, after_n = digest(whole), _statements(whole)
    assert after != before and after_n > before_n
    duration = ended - started
    window = (marks["write-start"] - started, marks["write-end"] - started)

    seed = int(os.environ.get("PROVENANCE_KILL_SEED") or time.time_ns() % 10**9)
    rng = random.Random(f"{seed}:{way}")
    landed: Counter[str] = Counter()
    outcome: Counter[str] = Counter()
    left = 0
    for i in range(RUNS):
        store = tmp_path / f"kill-{i}"
        shutil.copytree(seeded, store)
        if rng.random() < 0.5:
            delay = rng.uniform(0, duration)
        else:
            delay = rng.uniform(max(0.0, window[0] - 0.05), min(duration, window[1] + 0.05))
        code, marks, launched, ended = _ingest(store, files, delay, tmp_path / f"kill-{i}.log")
        where = ("after" if "write-end" in marks else "during" if "write-start" in marks
                 else "before")
        if code == 0:  # it finished before the kill: the machine runs faster than measured
            duration = ended - launched
        if where == "after":  # follow the machine's pace (other work may share it)
            window = (marks["write-start"] - launched, marks["write-end"] - launched)
        landed[where] += 1
        state = digest(store)
        what = {before: "none", after: "whole"}.get(state, "partial")
        outcome[what] += 1
        context = f"{way} kill {i} (seed {seed}, delay {delay:.3f} s, landed {where}, exit {code})"
        assert what != "partial", f"{context}: the store holds part of the batch"
        if where == "before":
            assert what == "none", context
        if where == "after":  # the write returned: it must have been committed
            assert what == "whole", context
        n = _statements(store)
        assert n == (after_n if what == "whole" else before_n), context
        assert _report(store) == n, context
        left += bool(_leftovers(store))  # a killed bulk load's files, removed by the next ingest
        # The same ingest again lands whole.
        again = run(store, "ingest", *map(str, files))
        assert again.returncode == 0, f"{context}: {again.stderr}"
        assert digest(store) == after, context
        assert _leftovers(store) == [], f"{context}: {_leftovers(store)}"
        shutil.rmtree(store)
    with capsys.disabled():
        print(f"\n[kill {way}] {RUNS} kills (seed {seed}, ingest {duration:.2f} s, write "
              f"{window[0]:.2f}-{window[1]:.2f} s): landed before {landed['before']}, during "
              f"{landed['during']}, after {landed['after']}; store held none "
              f"{outcome['none']}, whole {outcome['whole']}, partial {outcome['partial']}; "
              f"{left} left temporary files that the next ingest removed")
    assert sum(landed.values()) == RUNS and outcome["partial"] == 0


def test_the_marked_ingest_is_the_ordinary_command(tmp_path: Path) -> None:
    """The markers change nothing: the marked ingest writes what the command writes."""
    a, b = tmp_path / "a", tmp_path / "b"
    code, marks, _, _ = _ingest(a, [SEEDS], None, tmp_path / "a.log")
    assert code == 0 and set(marks) == {"write-start", "write-end"}
    assert run(b, "ingest", str(SEEDS)).returncode == 0
    assert digest(a) == digest(b)
