"""Run the ``provenance`` command in fresh processes, for the crash, concurrency and
store-folder tests: a real traceback, a real kill and real locks show only there.

The command runs from this working tree (``python -m provenance`` with the project
first on ``PYTHONPATH``), with the environment of the test session (its no-network
guard included) but none of the store settings a developer may have exported.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

# A canonical digest of what a reader sees: every quad of the visible graphs, as sorted
# N-Quads lines. Run in a fresh process, as a user's next command would be.
_DIGEST = """
import hashlib, sys
from pathlib import Path
import pyoxigraph as ox
from provenance.store import EmbeddedStore
from provenance.bulk import PENDING

store = EmbeddedStore.open_read(Path(sys.argv[1]))
visible = store._visible
keep = None if visible is None else set(visible)
lines = sorted(
    str(q) for q in store.raw()
    if keep is None or isinstance(q.graph_name, ox.DefaultGraph) or q.graph_name in keep
)
digest = hashlib.sha256("\\n".join(lines).encode()).hexdigest()
pending = sum(1 for _ in store.raw().quads_for_pattern(None, None, None, ox.NamedNode(PENDING)))
print(digest, len(lines), pending)
"""


def env(**extra: str) -> dict[str, str]:
    """The session's environment with this tree first on the path and no store settings."""
    out = {k: v for k, v in os.environ.items()
           if k not in ("PROVENANCE_STORE", "PROVENANCE_ENDPOINT", "PROVENANCE_UPDATE_ENDPOINT",
                        "PROVENANCE_BULK_MIN_BYTES", "PROVENANCE_LOCK_WAIT")}
    out["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [out.get("PYTHONPATH")])])
    out.update(extra)
    return out


def command(store: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "provenance", "--store", str(store), *args]


def run(store: Path, *args: str, timeout: float = 120, **kwargs: Any
        ) -> subprocess.CompletedProcess[str]:
    """``provenance --store STORE ARGS...`` in a fresh process."""
    return subprocess.run(command(store, *args), capture_output=True, text=True,
                          env=kwargs.pop("env", None) or env(), timeout=timeout, **kwargs)


def digest(store: Path) -> tuple[str, int]:
    """(sha256 of the sorted N-Quads a reader sees, number of quads), from a fresh process.

    Fails the test if the store cannot be opened or still holds an uncommitted bulk load
    after a reader opened it (a reader repairs what a killed writer left).
    """
    done = subprocess.run([sys.executable, "-c", _DIGEST, str(store)], capture_output=True,
                          text=True, env=env(), timeout=120)
    assert done.returncode == 0, done.stderr
    sha, count, pending = done.stdout.split()
    assert pending == "0", f"{store}: {pending} pending quads left after a reader opened it"
    return sha, int(count)


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    """The error of a failed command, checked to be one line and no traceback."""
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("Error: "), done.stderr
    return lines[0]


def snapshot(folder: Path) -> dict[str, Any]:
    """Every entry under *folder* (itself included) with its kind, mode and content hash."""
    out: dict[str, Any] = {}
    if not folder.exists() and not folder.is_symlink():
        return out
    paths = [folder, *sorted(folder.rglob("*"))] if folder.is_dir() else [folder]
    for path in paths:
        st = path.lstat()
        key = str(path.relative_to(folder.parent))
        if path.is_file():
            out[key] = ("file", st.st_mode, hashlib.sha256(path.read_bytes()).hexdigest())
        else:
            out[key] = ("dir" if path.is_dir() else "other", st.st_mode, None)
    return out
