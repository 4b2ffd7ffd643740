"""The tracker's fast path answers exactly as the networkx reference does."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.generate import generate_corpus
from provenance.ingest import ingest_files
from provenance.store import EmbeddedStore
from provenance.tracker import Tracker

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module", params=["seeds", "generated"])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fast") / "store"
    if request.param == "seeds":
        files = [ROOT / "seeds"]
    else:
        corpus = tmp_path_factory.mktemp("corpus")
        generate_corpus(corpus, 250, seed=11, formats=["yaml"])
        files = [corpus / "yaml"]
    with EmbeddedStore.open_write(path) as s:
        ingest_files(s, files)
    return path


def _both(store: Path) -> tuple[Tracker, Tracker]:
    backend = EmbeddedStore.open_read(store)
    return Tracker(backend, fast=True), Tracker(backend, fast=False)


def test_origin_of_every_statement(store: Path) -> None:
    fast, ref = _both(store)
    for row in ref.statements():
        assert fast.origin(row["id"]) == ref.origin(row["id"])


def test_whole_store_questions(store: Path) -> None:
    fast, ref = _both(store)
    assert fast.report() == ref.report()
    assert fast.single_source() == ref.single_source()
    assert fast.sources() == ref.sources()


def test_impact_of_every_source(store: Path) -> None:
    fast, ref = _both(store)
    for row in ref.sources()[:25]:
        assert fast.impact(row["id"]) == ref.impact(row["id"])


def test_many_statements_fetched_a_few_at_a_time_are_answered_as_all_at_once(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from provenance import tracker as tracker_module

    fast, _ = _both(store)
    wanted = sorted(fast.projection().statements)
    rows = [fast._report_row(p, a) for p, a in fast._fast_analyses(wanted)]
    monkeypatch.setattr(tracker_module, "_FETCH", 3)
    assert [fast._report_row(p, a) for p, a in fast._fast_analyses(wanted)] == rows
    assert len(rows) == len(wanted) > 3


def test_source_labels(store: Path) -> None:
    fast, _ = _both(store)
    some = fast.sources()[:3]
    assert fast.source_labels([s["id"] for s in some]) == {s["id"]: s["label"] for s in some}


def test_the_whole_store_tables_leave_the_collector_alone_until_the_store_closes(
    store: Path,
) -> None:
    """Built once per open store and frozen out of the cyclic collector's passes; the
    process gets its collector back whole when the store is closed."""
    import gc

    gc.unfreeze()  # stores the tests before left open
    backend = EmbeddedStore.open_read(store)
    Tracker(backend).citations(None)
    assert gc.get_freeze_count() > 0 and gc.isenabled()
    backend.close()
    assert gc.get_freeze_count() == 0


@pytest.mark.parametrize("question", ["single_source", "sources"])
def test_a_whole_store_question_reads_the_graph_hashes_once_and_keeps_the_collector_on(
    store: Path, monkeypatch: pytest.MonkeyPatch, question: str
) -> None:
    """A reader's view cannot change while it is open: the index and the kept answers
    (and, for ``sources``, the index's list of sources) compare the hashes of one
    reading, which is then dropped; the collector paused for the computation is back on
    after it. Asked twice: computed (and kept), then read back."""
    import gc

    from provenance import index

    calls = []
    real = index.hash_table
    monkeypatch.setattr(index, "hash_table", lambda *a: calls.append(1) or real(*a))
    reference = getattr(Tracker(EmbeddedStore.open_read(store), fast=False), question)()
    for _ in range(2):
        calls.clear()
        backend = EmbeddedStore.open_read(store)
        try:
            rows = getattr(Tracker(backend), question)()
            assert len(calls) == 1 and backend._hash_table is None
            assert rows == reference
            assert gc.isenabled()
        finally:
            backend.close()


def test_a_writer_reads_the_graph_hashes_again_after_it_writes(tmp_path: Path) -> None:
    generate_corpus(tmp_path / "corpus", 20, seed=3, formats=["yaml"])
    files = sorted((tmp_path / "corpus" / "yaml").iterdir())
    with EmbeddedStore.open_write(tmp_path / "s") as backend:
        ingest_files(backend, files[1:])  # the sources, and all documents but the first
        before, _ = backend.index_hashes()
        ingest_files(backend, files[:1])
        after, _ = backend.index_hashes()
    assert before and set(before) < set(after)


def test_a_whole_store_question_tells_its_progress_and_kept_answers_need_none(
    store: Path,
) -> None:
    from provenance.answers import Answers

    calls: list[tuple[int, int, str]] = []
    backend = EmbeddedStore.open_read(store)
    try:
        answers = Answers.open(backend, "report")
        assert answers is not None
        answers.db.execute("DELETE FROM answer")  # every answer to compute
        answers.db.commit()
        answers.close()
        tracker = Tracker(backend, progress=lambda *call: calls.append(call))
        rows = tracker.report()
        n = len(rows)
        assert calls[0] == (0, 0, "reading the store's citations")
        counts = [c for c in calls if c[2] == "statements answered"]
        assert counts[0] == (0, n, "statements answered")
        assert counts[-1] == (n, n, "statements answered")
        assert [d for d, _, _ in counts] == sorted(d for d, _, _ in counts)
        assert calls[-1] == (0, 0, "keeping the answers for the next question")
        calls.clear()
        assert tracker.report() == rows and calls == []  # read back: nothing to tell
        assert tracker.statements() and calls == [(0, 0, "reading the statements")]
    finally:
        backend.close()


def test_statements_are_listed_from_the_index_as_the_store_lists_them(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from provenance import projection

    reader = EmbeddedStore.open_read(store)
    from_index = Tracker(reader).statements()
    Tracker(reader).sources()  # the whole-store tables, built: read from them
    assert reader._indexed is not None  # type: ignore[attr-defined]
    assert Tracker(reader).statements() == from_index
    reader.close()
    monkeypatch.setattr(projection, "statement_infos", projection._all_statement_infos)
    other = EmbeddedStore.open_read(store)
    try:
        from_store = Tracker(other).statements()  # five DISTINCT queries
    finally:
        other.close()
    assert from_index == from_store and from_index


def test_a_statement_stated_in_eight_documents_is_read_a_row_per_fact_not_per_copy(
    tmp_path: Path,
) -> None:
    """One statement, eight documents, each relayed by its own outlet: its text and
    triple come back once per distinct fact. Joined as optional patterns over the union
    of the graphs they came back 8 ** 5 = 32,768 times (and 2,000 such statements of
    a million-statement store took a minute to fetch)."""
    from provenance.projection import load_citations

    pt, rdf = "https://w3id.org/provenance-tracker/ns#", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    ident, prov = "https://w3id.org/provenance-tracker/id/", "http://www.w3.org/ns/prov#"
    statement = f"{ident}statement/s1"
    lines = []
    for d in range(8):
        g, pub = f"<{ident}document/d{d}>", f"<{ident}source/pub{d}>"
        rep = f"<{ident}report/s1/pub{d}>"
        lines += [
            f"{pub} <{rdf}type> <{pt}Source> {g} .",
            f'{pub} <http://www.w3.org/2000/01/rdf-schema#label> "Outlet {d}" {g} .',
            f"{g} <{rdf}type> <{pt}Document> {g} .",
            f"{g} <https://schema.org/publisher> {pub} {g} .",
            f"<{statement}> <{rdf}type> <{pt}Statement> {g} .",
            f'<{statement}> <{pt}text> "A claim" {g} .',
            f"<{statement}> <{rdf}subject> <{ident}entity/a> {g} .",
            f"<{statement}> <{rdf}predicate> <{ident}relation/b> {g} .",
            f"<{statement}> <{rdf}object> <{ident}entity/c> {g} .",
            f"{rep} <{rdf}type> <{pt}Report> {g} .",
            f"{rep} <{prov}wasAttributedTo> {pub} {g} .",
            f"{rep} <{pt}statement> <{statement}> {g} .",
            f"{rep} <{pt}appearsIn> {g} {g} .",
        ]
    dump = tmp_path / "eight.nq"
    dump.write_text("\n".join(lines) + "\n")
    with EmbeddedStore.open_write(tmp_path / "store") as s:
        ingest_files(s, [dump])
    backend = EmbeddedStore.open_read(tmp_path / "store")
    counts: list[int] = []
    select = backend.select

    def counted(query: str, *args: object, **kwargs: object) -> list[dict[str, str]]:
        rows = select(query, *args, **kwargs)  # type: ignore[arg-type]
        counts.append(len(rows))
        return rows

    backend.select = counted  # type: ignore[method-assign]
    try:
        cits, infos = load_citations(backend, [statement])
    finally:
        backend.close()
    assert infos[statement].text == "A claim"
    assert infos[statement].triple == (f"{ident}entity/a", f"{ident}relation/b", f"{ident}entity/c")
    assert sorted(cits.source) == [f"{ident}report/s1/pub{d}" for d in range(8)]
    assert cits.entry == set(cits.source)  # each outlet publishes its own report
    assert counts and max(counts) <= 8
