"""The whole store's tables kept beside the citation index (provenance/tables.py):
read back only for exactly the graphs they were built from, with the same answers."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from provenance import projection, tables
from provenance._names import PREFIXES
from provenance.cli import cli
from provenance.generate import generate_corpus
from provenance.ingest import ingest_files
from provenance.store import EmbeddedStore
from provenance.tracker import Tracker

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated corpus with cycles, anonymous and unattributed statements, shared
    statements and affiliations (300 statements, 63 documents)."""
    out = tmp_path_factory.mktemp("corpus")
    generate_corpus(out, 300, seed=5, formats=["yaml"])
    return out / "yaml"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Path:
    path = tmp_path_factory.mktemp("tables") / "store"
    with EmbeddedStore.open_write(path) as s:
        ingest_files(s, [corpus])
    return path


@pytest.fixture
def store(built: Path, tmp_path: Path) -> Path:
    """A copy of the generated store of this module, its tables not kept yet."""
    path = tmp_path / "store"
    shutil.copytree(built, path)
    tables.forget(path)
    return path


@pytest.fixture(autouse=True)
def kept_at_any_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables, "MIN_REPORTS", 0)


def _answers(path: Path) -> dict[str, Any]:
    """Every whole-store answer, computed (no kept answers), in a new reader."""
    backend = EmbeddedStore.open_read(path)
    try:
        tracker = Tracker(backend)
        top = [row["id"] for row in tracker.sources()[:3]]
        return {"report": tracker.report(), "single": tracker.single_source(),
                "sources": tracker.sources(),
                "impact": {s: tracker.impact(s) for s in top}}
    finally:
        backend.close()


def _no_kept_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("provenance.answers.Answers.open", classmethod(lambda *a: None))


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many times the tables were built from the index's rows."""
    count: list[int] = []
    real = projection._Builder.result

    def counted(self: Any) -> Any:
        count.append(1)
        return real(self)

    monkeypatch.setattr(projection._Builder, "result", counted)
    yield count


def test_answers_from_kept_tables_are_those_built_from_the_index(
    store: Path, builds: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_kept_answers(monkeypatch)
    first = _answers(store)
    assert len(builds) == 1 and (store / tables.FILE).is_file()
    again = _answers(store)
    assert len(builds) == 1  # read back, not built
    assert again == first == _built_afresh(store)
    assert len(first["report"]) == 300 and first["single"] and any(first["impact"].values())


def test_kept_tables_are_not_used_once_a_document_is_added(
    store: Path, builds: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_kept_answers(monkeypatch)
    before = _answers(store)
    with EmbeddedStore.open_write(store) as s:
        ingest_files(s, [SEEDS])
    after = _answers(store)
    assert len(builds) == 2
    assert len(after["report"]) == len(before["report"]) + 13  # the seeds' statements
    assert "blinken-attends" in {row["statement"]["id"] for row in after["report"]}
    assert _answers(store) == after and len(builds) == 2  # kept for the new graphs
    assert after == _built_afresh(store)


def test_kept_tables_are_not_used_once_a_document_is_replaced(
    store: Path, builds: list[int], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _no_kept_answers(monkeypatch)
    before = _answers(store)
    edited = tmp_path / "edited.yaml"
    edited.write_text(
        'document: {id: "doc-0000001", title: "Edited", publisher: "outlet-0001", '
        'published: "2024-09-06"}\n'
        "statements:\n"
        '  - {id: "st-0000008", text: "Marivia will finance the election commission '
        '(item 8)", triple: ["Marivia", "finances", "the election commission (item 8)"], '
        'according_to: [["spokesperson-01"], ["ministry-01"]]}\n')
    result = CliRunner().invoke(cli, ["--store", str(store), "ingest", str(edited)])
    assert result.exit_code == 0, result.output
    after = _answers(store)
    assert len(builds) == 2 and after != before
    assert after == _built_afresh(store)


def _built_afresh(path: Path) -> dict[str, Any]:
    """The answers with the tables built from the index, none read or kept."""
    with pytest.MonkeyPatch.context() as m:
        m.setattr(tables, "load", lambda *a: None)
        m.setattr(tables, "save", lambda *a: None)
        return _answers(path)


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "other format",
                                    "other code"])
def test_damaged_or_foreign_tables_are_built_again_with_the_same_answers(
    store: Path, builds: list[int], monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    _no_kept_answers(monkeypatch)
    expected = _answers(store)
    path = store / tables.FILE
    data = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(data[: tables._HEAD] + b"\x00\xff" * 1000)
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "other format":
        monkeypatch.setattr(tables, "_FORMAT", tables._FORMAT + 1)
    else:  # the builder changed (an upgrade), not the layout
        monkeypatch.setattr(tables._code, "digest", lambda: b"another version")
    assert _answers(store) == expected
    assert len(builds) == 2
    assert _answers(store) == expected and len(builds) == 2  # written again, then read


def test_a_sparql_update_drops_the_kept_tables(store: Path) -> None:
    """An update may change a graph without its content hash, which the tables trust."""
    _answers(store)
    assert (store / tables.FILE).exists()
    update = ('DELETE WHERE { GRAPH ?g { ?r <https://w3id.org/provenance-tracker/ns#statement> ?s '
              '} }')
    result = CliRunner().invoke(cli, ["--store", str(store), "sparql", "--update", update])
    assert result.exit_code == 0, result.output
    assert not (store / tables.FILE).exists()


def test_facts_outside_hashed_graphs_are_never_read_from_kept_tables(
    store: Path, builds: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fact written by hand, in no document graph, is not covered by the content
    hashes the tables are kept for."""
    import pyoxigraph as ox

    _no_kept_answers(monkeypatch)
    _answers(store)
    with EmbeddedStore.open_write(store) as s:
        s.raw().add(ox.Quad(ox.NamedNode("https://example.org/r"),
                            ox.NamedNode(PREFIXES["pt"] + "statement"),
                            ox.NamedNode("https://example.org/s"), ox.DefaultGraph()))
    _answers(store)
    _answers(store)
    assert len(builds) == 3


def test_questions_that_keep_their_answers_keep_no_tables(
    store: Path, builds: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writing the tables costs seconds that report, single-source and sources, whose
    answers are kept, would pay for nothing; impact keeps them, and they read them."""
    _no_kept_answers(monkeypatch)
    for command in (["report"], ["single-source"], ["sources"]):
        result = CliRunner().invoke(cli, ["--store", str(store), *command, "--format", "json"])
        assert result.exit_code == 0, result.output
    assert not (store / tables.FILE).exists() and len(builds) == 3
    result = CliRunner().invoke(cli, ["--store", str(store), "impact", "agency-1"])
    assert result.exit_code == 0, result.output
    assert (store / tables.FILE).exists() and len(builds) == 4
    result = CliRunner().invoke(cli, ["--store", str(store), "report", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert len(builds) == 4


def test_a_small_store_keeps_no_tables(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables, "MIN_REPORTS", 10**9)
    _answers(store)
    assert not (store / tables.FILE).exists()


def test_tables_left_half_written_by_a_killed_process_are_written_over(store: Path) -> None:
    (store / (tables.FILE + ".part")).write_bytes(b"half of it")
    _answers(store)
    assert (store / tables.FILE).read_bytes().startswith(tables._MAGIC)
    assert not (store / (tables.FILE + ".part")).exists()
