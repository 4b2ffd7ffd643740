"""Store folders that are missing, files, other things' folders, damaged or read-only.

Each command run on one gives one line on stderr naming the path and what to do, exit
code 2 for "no store here" and 1 for a store that fails, no traceback, and leaves the
folder exactly as it was. Run in fresh processes, where a traceback would show.

Permissions: root is not denied by ``chmod``, so under root the commands of the
read-only tests run without the capabilities that bypass file permissions
(``CAP_DAC_OVERRIDE``, ``CAP_DAC_READ_SEARCH``, dropped from the bounding set before
``exec``); where that cannot be done the tests skip and say why.
"""

from __future__ import annotations

import ctypes
import os
import stat
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cliproc import SEEDS, command, env, one_line_error, run, snapshot

READS = [
    ("statements",),
    ("report",),
    ("sparql", "ASK { ?s ?p ?o }"),
    ("export", "--format", "nq"),
]
INGEST = ("ingest", str(SEEDS))


def _foreign(path: Path) -> Path:
    """A folder of somebody's files (no store in it)."""
    (path / "notes").mkdir(parents=True)
    (path / "notes" / "a.txt").write_text("keep me\n")
    (path / "data.bin").write_bytes(os.urandom(2048))
    return path


def _file(path: Path) -> Path:
    path.write_text("not a folder\n")
    return path


def _garbage(path: Path) -> Path:
    """A folder whose oxigraph/ holds random bytes under RocksDB's file names."""
    (path / "oxigraph").mkdir(parents=True)
    for name in ("CURRENT", "IDENTITY", "MANIFEST-000001", "000004.sst", "000003.log"):
        (path / "oxigraph" / name).write_bytes(os.urandom(4096))
    return path


def _empty_database(path: Path) -> Path:
    (path / "oxigraph").mkdir(parents=True)
    return path


def _truncated(path: Path) -> Path:
    """A real store whose database lost its table files."""
    assert run(path, *INGEST).returncode == 0
    for sst in (path / "oxigraph").glob("*.sst"):
        sst.unlink()
    (path / "oxigraph" / "CURRENT").write_text("MANIFEST-999999\n")
    return path


# (how to make it, exit code and words of a read, exit code and words of an ingest)
CASES: dict[str, tuple[Callable[[Path], Path], tuple[int, str], tuple[int, str]]] = {
    "a file": (_file, (2, "is a file, not a store folder"), (2, "is a file, not a store folder")),
    "a folder of other files": (_foreign, (2, "no provenance store at"),
                                (2, "not a provenance store")),
    "garbage in oxigraph/": (_garbage, (1, "cannot open the store at"),
                             (1, "cannot open the store at")),
    "an empty oxigraph/": (_empty_database, (1, "cannot open the store at"),
                           (1, "cannot open the store at")),
    "a database without its files": (_truncated, (1, "cannot open the store at"),
                                      (1, "cannot open the store at")),
}


def _check_error(done: subprocess.CompletedProcess[str], code: int, words: str, path: Path
                 ) -> None:
    assert done.returncode == code, done.stderr
    message = one_line_error(done)
    assert words in message and str(path) in message, message


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_store_folder_gives_one_line_and_is_left_as_it_was(case: str, tmp_path: Path
                                                                 ) -> None:
    make, (read_code, read_words), (write_code, write_words) = CASES[case]
    path = make(tmp_path / "store")
    before = snapshot(path)
    for args in READS:
        _check_error(run(path, *args), read_code, read_words, path)
        assert snapshot(path) == before, args
    _check_error(run(path, *INGEST), write_code, write_words, path)
    _check_error(run(path, "sparql", "--update", "INSERT DATA { <x:a> <x:b> <x:c> }"),
                 write_code, write_words, path)
    assert snapshot(path) == before


@pytest.mark.parametrize("args", READS, ids=lambda a: a[0])
def test_reading_a_missing_store_says_how_to_make_one_and_makes_nothing(
    args: tuple[str, ...], tmp_path: Path
) -> None:
    path = tmp_path / "nowhere"
    done = run(path, *args)
    _check_error(done, 2, "no provenance store at", path)
    assert "provenance ingest" in done.stderr and "--store" in done.stderr
    assert not path.exists()


def test_the_store_named_by_the_environment_is_checked_the_same_way(tmp_path: Path) -> None:
    path = _file(tmp_path / "store")
    done = subprocess.run(
        [*command(path, "report")[:3], "report"], capture_output=True,
        text=True, env=env(PROVENANCE_STORE=str(path)), timeout=60)
    _check_error(done, 2, "is a file", path)


@pytest.mark.parametrize("where", ["a new folder", "an empty folder"])
def test_a_refused_first_ingest_leaves_nothing_behind(where: str, tmp_path: Path) -> None:
    path = tmp_path / "store"
    if where == "an empty folder":
        path.mkdir()
    before = snapshot(path)
    bad = tmp_path / "bad.yaml"
    bad.write_text("document: [\n")
    done = run(path, "ingest", str(bad))
    assert done.returncode == 2
    one_line_error(done)
    assert snapshot(path) == before


def test_an_empty_folder_becomes_a_store(tmp_path: Path) -> None:
    path = tmp_path / "store"
    path.mkdir()
    assert run(path, *INGEST).returncode == 0
    assert run(path, "statements").returncode == 0


# ------------------------------------------------------------------ permissions


def _without_dac_override() -> Callable[[], None] | None:
    """A preexec_fn that makes a root child subject to file permissions (None: not root)."""
    if os.geteuid() != 0:
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    pr_capbset_drop, cap_dac_override, cap_dac_read_search = 24, 1, 2

    def drop() -> None:
        for cap in (cap_dac_override, cap_dac_read_search):
            if libc.prctl(pr_capbset_drop, cap, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")

    return drop


@pytest.fixture
def as_a_user(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """run(), denied what file permissions deny (also under root)."""
    preexec = _without_dac_override()
    if preexec is not None:
        probe_dir = tmp_path / "probe"
        probe_dir.mkdir(mode=0o555)
        try:
            probe = subprocess.run(["touch", str(probe_dir / "x")], preexec_fn=preexec,
                                   capture_output=True, timeout=30)
        except (OSError, subprocess.SubprocessError) as exc:
            pytest.skip(f"running as root and cannot drop CAP_DAC_OVERRIDE: {exc}")
        finally:
            probe_dir.chmod(0o755)
        if probe.returncode == 0:
            pytest.skip("running as root and file permissions still do not deny writing")

    def call(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return run(path, *args, preexec_fn=preexec)

    return call


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Callable[[Path], None]]:
    """chmod a-w over a tree, undone at the end (so the tree can be removed)."""
    done: list[Path] = []

    def make(path: Path) -> None:
        for p in [path, *path.rglob("*")]:
            p.chmod(p.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
            done.append(p)

    yield make
    for p in done:
        p.chmod(p.stat().st_mode | stat.S_IWUSR)


def test_a_read_only_store_can_be_read_but_not_written(
    tmp_path: Path, as_a_user: Callable[..., subprocess.CompletedProcess[str]],
    read_only: Callable[[Path], None],
) -> None:
    path = tmp_path / "store"
    assert run(path, *INGEST).returncode == 0
    expected = run(path, "statements", "--format", "json").stdout
    read_only(path)
    before = snapshot(path)
    done = as_a_user(path, "statements", "--format", "json")
    assert done.returncode == 0 and done.stdout == expected, done.stderr
    for args in READS:
        done = as_a_user(path, *args)
        assert done.returncode == 0 and "Traceback" not in done.stderr, (args, done.stderr)
    other = tmp_path / "other.yaml"
    other.write_text(SEEDS.joinpath("blinken-brussels.yaml").read_text().replace(
        "id: blinken-brussels", "id: blinken-brussels-copy", 1))
    for args in (("ingest", str(other)), ("sparql", "--update", "CLEAR ALL")):
        done = as_a_user(path, *args)
        _check_error(done, 1, "cannot write to the store at", path)
        assert "may write to" in done.stderr
    assert snapshot(path) == before


def test_a_store_in_a_folder_that_cannot_be_written_is_a_clear_error(
    tmp_path: Path, as_a_user: Callable[..., subprocess.CompletedProcess[str]],
    read_only: Callable[[Path], None],
) -> None:
    parent = tmp_path / "parent"
    parent.mkdir()
    read_only(parent)
    before = snapshot(parent)
    path = parent / "store"
    done = as_a_user(path, *INGEST)
    _check_error(done, 1, "cannot create the store at", path)
    assert f"check that {parent} is a folder you may write to" in done.stderr
    _check_error(as_a_user(path, "report"), 2, "no provenance store at", path)
    assert snapshot(parent) == before
