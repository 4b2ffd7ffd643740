"""The embedded store: one writer at a time, readers never blocked, atomic writes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from provenance.errors import InputError, StoreError
from provenance.ingest import ingest_files
from provenance.store import EmbeddedStore, GraphWrite, default_store_path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
G1 = "https://w3id.org/provenance-tracker/id/document/one"
G2 = "https://w3id.org/provenance-tracker/id/document/two"
TRIPLE = "<http://example.org/s> <http://example.org/p> {} ."


def count(store: EmbeddedStore) -> int:
    return len(store.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }"))


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "store"
    with EmbeddedStore.open_write(path) as store:
        ingest_files(store, [SEEDS])
    return path


@pytest.fixture
def holder(seeded: Path) -> Iterator[subprocess.Popen]:
    """Another process that holds the writer's lock until its stdin closes."""
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from provenance.store import EmbeddedStore
        with EmbeddedStore.open_write(Path({str(seeded)!r})):
            print("locked", flush=True)
            sys.stdin.read()
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        yield proc
    finally:
        if proc.stdin:
            proc.stdin.close()
        proc.wait(timeout=20)


def test_a_second_writer_with_a_tiny_wait_fails_with_a_clear_store_error(
    seeded: Path, holder: subprocess.Popen
) -> None:
    started = time.monotonic()
    with pytest.raises(StoreError) as info:
        with EmbeddedStore.open_write(seeded, wait=0.2):
            pytest.fail("the second writer got in while the first held the lock")
    message = str(info.value)
    assert "another provenance process" in message and str(seeded) in message
    assert "0.2 s" in message and "try again" in message
    assert "\n" not in message
    assert time.monotonic() - started < 5


def test_a_reader_works_while_another_process_holds_the_writers_lock(
    seeded: Path, holder: subprocess.Popen
) -> None:
    reader = EmbeddedStore.open_read(seeded)
    assert len(reader.select("SELECT ?s WHERE { ?s a pt:Statement }")) == 13


def test_a_second_writer_waits_for_the_first_and_then_writes(tmp_path: Path) -> None:
    path = tmp_path / "store"
    first_in = threading.Event()
    events: list[str] = []
    errors: list[BaseException] = []

    def first() -> None:
        with EmbeddedStore.open_write(path) as store:
            first_in.set()
            time.sleep(0.4)
            store.write_graphs([GraphWrite(G1, [TRIPLE.format('"1"')], "h1")])
            events.append("first done")

    def second() -> None:
        first_in.wait(5)
        try:
            with EmbeddedStore.open_write(path, wait=10) as store:
                events.append("second in")
                store.write_graphs([GraphWrite(G2, [TRIPLE.format('"2"')], "h2")])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert errors == []
    assert events == ["first done", "second in"]
    assert EmbeddedStore.open_read(path).graph_hashes() == {G1: "h1", G2: "h2"}


def test_a_reader_in_the_same_process_works_while_a_writer_is_open(seeded: Path) -> None:
    with EmbeddedStore.open_write(seeded):
        reader = EmbeddedStore.open_read(seeded)
        assert len(reader.select("SELECT ?s WHERE { ?s a pt:Statement }")) == 13


def test_opening_a_missing_store_for_reading_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="provenance ingest") as info:
        EmbeddedStore.open_read(tmp_path / "nowhere")
    assert "--store" in str(info.value)


def test_opening_a_store_that_cannot_be_created_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot create the store"):
        with EmbeddedStore.open_write(blocker / "store"):
            pass


def test_write_graphs_replaces_each_graph_and_records_its_hash(tmp_path: Path) -> None:
    path = tmp_path / "store"
    with EmbeddedStore.open_write(path) as store:
        store.write_graphs([GraphWrite(G1, [TRIPLE.format('"a"'), TRIPLE.format('"b"')], "h1")])
        store.write_graphs([GraphWrite(G1, [TRIPLE.format('"c"')], "h1b")])
        assert store.graph_hashes() == {G1: "h1b"}
        rows = store.select("SELECT ?o WHERE { <http://example.org/s> ?p ?o }")
        assert [r["o"] for r in rows] == ["c"]


def test_a_batch_with_one_bad_graph_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "store"
    with EmbeddedStore.open_write(path) as store:
        store.write_graphs([GraphWrite(G1, [TRIPLE.format('"keep"')], "h1")])
        before = count(store)
        with pytest.raises(StoreError, match="nothing was written"):
            store.write_graphs(
                [
                    GraphWrite(G1, [TRIPLE.format('"replaced"')], "h1b"),
                    GraphWrite(G2, ["this is not N-Triples"], "h2"),
                ]
            )
        assert count(store) == before
        assert store.graph_hashes() == {G1: "h1"}


def test_drop_graphs_removes_only_the_named_graphs(tmp_path: Path) -> None:
    path = tmp_path / "store"
    with EmbeddedStore.open_write(path) as store:
        store.write_graphs(
            [
                GraphWrite(G1, [TRIPLE.format('"1"')], "h1"),
                GraphWrite(G2, [TRIPLE.format('"2"')], "h2"),
            ]
        )
        store.drop_graphs([G1])
        assert store.graph_hashes() == {G2: "h2"}


def test_the_store_is_persistent_across_openings(tmp_path: Path) -> None:
    path = tmp_path / "store"
    with EmbeddedStore.open_write(path) as store:
        store.write_graphs([GraphWrite(G1, [TRIPLE.format('"1"')], "h1")])
    assert EmbeddedStore.open_read(path).graph_hashes() == {G1: "h1"}
    with EmbeddedStore.open_write(path) as store:
        assert store.graph_hashes() == {G1: "h1"}


def test_the_default_store_is_dot_provenance_unless_the_environment_says_otherwise(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("PROVENANCE_STORE", raising=False)
    assert default_store_path() == Path(".provenance")
    monkeypatch.setenv("PROVENANCE_STORE", str(tmp_path / "elsewhere"))
    assert default_store_path() == tmp_path / "elsewhere"
