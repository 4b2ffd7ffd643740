"""The citation index gives the whole-store loaders exactly what the SPARQL path gives.

Reference: the same loaders with the index switched off (one SPARQL query per kind
of fact, as for remote stores). Compared on the seed with the examples, on a
generated corpus, and after every way a store changes under an index: a replaced
document, a SPARQL update, a corrupt or unwritable index file, a hidden bulk load.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance import index, projection
from provenance.cli import cli as main
from provenance.ingest import ingest_files
from provenance.store import EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "annotations"


def _loaded(path: Path, use_index: bool, monkeypatch: pytest.MonkeyPatch) -> Any:
    """(citations, statement infos, sources) of the whole store, one way or the other;
    the sources twice: listed before the tables are built (the index's sources alone,
    then what they are read from the store), and from the tables."""
    with monkeypatch.context() as m:
        if not use_index:
            m.setattr(projection, "_indexed_facts", lambda backend, keep=False: None)
            m.setattr(projection, "_indexed_source_iris", lambda backend: None)
        store = EmbeddedStore.open_read(path)
        listed = projection.load_sources(store)
        assert getattr(store, "_indexed", None) is None  # the tables are not built for it
        cits, infos = projection.load_citations(store, None)
        sources = projection.load_sources(store)
        # what `statements` lists: the texts and the triples (the whole-store tables
        # hold the texts alone: no whole-store question shows a triple)
        statements = (projection.statement_infos(store) if use_index
                      else projection._all_statement_infos(store))
    return (
        cits.source, cits.statement, cits.entry,
        {r: sorted(cs) for r, cs in cits.succ.items()},
        {s: sorted(rs) for s, rs in cits.roots.items()},
        {s: info.text for s, info in infos.items()}, sources, listed, statements,
    )


def _assert_same(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reference = _loaded(path, False, monkeypatch)
    assert _loaded(path, True, monkeypatch) == reference
    # and again, now from the index file rather than from the store
    assert (path / index.FILE).exists()
    assert _loaded(path, True, monkeypatch) == reference


def _ingest(path: Path, *files: Path) -> None:
    with EmbeddedStore.open_write(path) as store:
        ingest_files(store, list(files))


def _report(path: Path) -> str:
    result = CliRunner().invoke(main, ["--store", str(path), "report", "--format", "json"])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "store"
    _ingest(path, ROOT / "seeds", EXAMPLES)
    return path


def test_the_index_loads_what_the_queries_load_on_the_seed_and_examples(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _assert_same(store, monkeypatch)


def test_the_index_loads_what_the_queries_load_on_a_generated_corpus(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from provenance.generate import generate_corpus

    corpus = tmp_path / "corpus"
    generate_corpus(corpus, 400, seed=7, formats=("yaml",))
    path = tmp_path / "store"
    _ingest(path, corpus / "yaml")
    _assert_same(path, monkeypatch)


def test_a_replaced_document_is_read_again_not_taken_from_the_index(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _report(store)  # builds the index
    import shutil

    folder = shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    changed = folder / "blinken-brussels.yaml"
    text = changed.read_text(encoding="utf-8")
    assert "- [tass, mfa-press, us-official]" in text
    changed.write_text(text.replace("- [tass, mfa-press, us-official]", "- [tass, us-official]"),
                       encoding="utf-8")
    _ingest(store, changed)
    after = _report(store)
    assert after != before
    _assert_same(store, monkeypatch)


def test_a_sparql_update_is_seen_by_the_whole_store_questions(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _report(store)
    # A new citation inside an existing graph: its pt:contentHash does not change.
    result = CliRunner().invoke(main, [
        "--store", str(store), "sparql", "--update",
        "DELETE WHERE { GRAPH ?g { ?r prov:wasDerivedFrom ?c } }",
    ])
    assert result.exit_code == 0, result.output
    _assert_same(store, monkeypatch)
    rows = CliRunner().invoke(main, ["--store", str(store), "single-source", "--format", "json"])
    assert rows.exit_code == 0


def test_a_corrupt_index_file_is_rebuilt(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _report(store)
    (store / index.FILE).write_bytes(b"this is not a database" * 100)
    _assert_same(store, monkeypatch)
    with sqlite3.connect(store / index.FILE) as db:
        assert db.execute("SELECT COUNT(*) FROM graph").fetchone()[0] > 0


def test_a_stale_row_with_garbage_is_rebuilt(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _report(store)
    with sqlite3.connect(store / index.FILE) as db:
        db.execute("UPDATE graph SET facts = x'00ff00'")
    _assert_same(store, monkeypatch)


def _page_size(path: Path) -> int:
    with sqlite3.connect(path / index.FILE) as db:
        return int(db.execute("PRAGMA page_size").fetchone()[0])


def test_a_new_or_rebuilt_index_has_pages_of_16_kb(store: Path) -> None:
    first = _report(store)
    assert _page_size(store) == 16384  # kept answers of a kilobyte and more
    (store / index.FILE).write_bytes(b"this is not a database" * 100)
    assert _report(store) == first
    assert _page_size(store) == 16384


def test_an_index_made_with_pages_of_4_kb_is_used_as_it_is(store: Path) -> None:
    first = _report(store)
    with sqlite3.connect(store / index.FILE, isolation_level=None) as db:
        db.execute("PRAGMA page_size = 4096")
        db.execute("VACUUM")  # as indexes made before commit a4dbf3c are
    assert _page_size(store) == 4096
    assert _report(store) == first
    assert _page_size(store) == 4096  # not rebuilt (a rebuilt index has 16 kB pages)


def _as_version(path: Path, version: int, garbage: bool = False) -> None:
    """Write the index back as *version* (4 to 6) had it: each row whole in one blob,
    its pairs as tuples before version 5; or garbage rows."""
    import marshal

    with sqlite3.connect(path / index.FILE) as db:
        for rowid, facts, more in db.execute("SELECT rowid, facts, more FROM graph").fetchall():
            row = index._whole(facts, more)
            if version < 5:
                row = tuple(list(index.pairs(flat)) for flat in row)
            old = b"\x00garbage" if garbage else marshal.dumps(row)
            db.execute("UPDATE graph SET facts = ? WHERE rowid = ?", (old, rowid))
        for table in ("graph", "pending"):
            db.execute(f"ALTER TABLE {table} DROP COLUMN more")
        db.execute(f"PRAGMA user_version = {version}")


def _assert_split(path: Path) -> None:
    """Every row of the index is kept in two blobs, as versions 7 and 8 have them."""
    import marshal

    with sqlite3.connect(path / index.FILE) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == index._VERSION == 8
        rows = db.execute("SELECT facts, more FROM graph").fetchall()
    assert rows and all(more is not None for _, more in rows)
    for facts, _ in rows:
        row = marshal.loads(facts)
        assert len(row) == index.UNNAMED + 1 and isinstance(row[index.UNNAMED], bytes)
        assert all(isinstance(x, str) for flat in row[:index.UNNAMED] for x in flat)


@pytest.mark.parametrize("garbage", [False, True])
def test_an_index_of_version_4_is_converted_and_keeps_its_answers(
    store: Path, monkeypatch: pytest.MonkeyPatch, garbage: bool
) -> None:

    from provenance.tracker import Tracker

    report = _report(store)
    _as_version(store, 4, garbage)
    computed: list[str] = []
    row = Tracker._report_row
    monkeypatch.setattr(Tracker, "_report_row",
                        lambda self, proj, a: computed.append(a.statement) or row(self, proj, a))
    assert _report(store) == report
    # converted: the kept answers are read back; damaged: the index starts again
    assert bool(computed) == garbage
    _assert_split(store)
    _assert_same(store, monkeypatch)


@pytest.mark.parametrize("version", [5, 6])
def test_an_index_of_version_5_or_6_is_split_and_keeps_its_answers(
    store: Path, monkeypatch: pytest.MonkeyPatch, version: int
) -> None:
    """Version 6 only marks that kept answers may have an unknown depth (None), which
    version 5 cannot print (an older version then rebuilds the index instead); version 7
    keeps each row in two blobs. The rows are converted, not read again from the store:
    the kept answers are read back, nothing is computed, and the tables are the same."""
    report = _report(store)
    _as_version(store, version)
    assert _report_computing(store, monkeypatch) == (report, [])
    _assert_split(store)
    _assert_same(store, monkeypatch)


@pytest.mark.parametrize("version", [5, 6])
def test_an_index_of_version_5_or_6_in_a_folder_that_cannot_be_written_is_read_as_it_is(
    store: Path, monkeypatch: pytest.MonkeyPatch, version: int
) -> None:
    """Before, marking a version 5 index version 6 failed there and the index was not
    used at all: every question read the whole store (17 minutes at 10^6 statements).
    Its rows, whole, cannot be split there either: they are read as they are."""
    report = _report(store)
    path = store / index.FILE
    _as_version(store, version)
    before = path.read_bytes()
    connect = sqlite3.connect

    def read_only(file: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        if Path(file) == path:  # as SQLite opens a file it may not write (tests run as root)
            return connect(path.as_uri() + "?mode=ro", *args, uri=True, **kwargs)
        return connect(file, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", read_only)
    assert _report_computing(store, monkeypatch) == (report, [])
    assert path.read_bytes() == before


def _report_computing(store: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, list[str]]:
    """The report, and the statements whose rows were computed for it (not kept)."""
    from provenance.tracker import Tracker

    computed: list[str] = []
    row = Tracker._report_row
    monkeypatch.setattr(Tracker, "_report_row",
                        lambda self, proj, a: computed.append(a.statement) or row(self, proj, a))
    return _report(store), computed


def test_an_index_that_cannot_be_written_still_gives_the_right_answers(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index, "_open", lambda path, retry=True: None)
    _assert_same_without_file(store, monkeypatch)


def test_an_index_locked_while_it_is_read_is_waited_for_not_taken_for_a_corrupt_one(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process writing the index (kept answers, a graph's new row) locks it. A
    reader that gave up after its wait used to delete the file and read every graph from
    the store again (17 minutes at 10^6 statements) while the writer wrote on into the
    deleted file. Now it says the index is busy, and the index stays as it was."""
    first = _report(store)
    path = store / index.FILE
    before = path.stat().st_ino, path.read_bytes()
    held: list[sqlite3.Connection] = []
    opened = index._open

    def locked_once_open(file: Path, retry: bool = True) -> sqlite3.Connection | None:
        db = opened(file, retry)
        other = sqlite3.connect(file, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")  # as a writer committing its answers
        held.append(other)
        return db

    monkeypatch.setattr(index, "_open", locked_once_open)
    monkeypatch.setenv("PROVENANCE_LOCK_WAIT", "0.2")
    result = CliRunner().invoke(main, ["--store", str(store), "report", "--format", "json"])
    for other in held:
        other.execute("ROLLBACK")
        other.close()
    assert held and result.exit_code == 1, result.output
    (line,) = result.output.strip().splitlines()
    assert "index" in line and "busy" in line and "PROVENANCE_LOCK_WAIT" in line
    assert (path.stat().st_ino, path.read_bytes()) == before
    monkeypatch.undo()
    assert _report(store) == first


def _assert_same_without_file(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _loaded(path, True, monkeypatch) == _loaded(path, False, monkeypatch)
    assert not (path / index.FILE).exists()


def test_many_new_graphs_are_read_by_predicate_with_the_same_result(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index, "_BATCH", 0)  # every graph through the per-predicate scans
    _assert_same(store, monkeypatch)


@pytest.mark.parametrize("batch", [0, 10**6], ids=["by predicate", "graph by graph"])
def test_an_index_rebuilt_from_the_store_keeps_its_rows_in_the_order_of_the_graphs_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    """The whole-store tables are faster when rows come in the order a bulk load wrote
    them (neighbours in memory); a set's order cost 3 to 10% at a million statements."""
    from provenance.generate import generate_corpus

    corpus = tmp_path / "corpus"
    generate_corpus(corpus, 200, seed=3, formats=("yaml",))
    path = tmp_path / "store"
    _ingest(path, corpus / "yaml")
    first = _report(path)
    (path / index.FILE).unlink()
    monkeypatch.setattr(index, "_BATCH", batch)
    assert _report(path) == first  # rebuilt
    with sqlite3.connect(path / index.FILE) as db:
        names = [name for (name,) in db.execute("SELECT name FROM graph ORDER BY rowid")]
    assert len(names) > 20 and names == sorted(names)


def test_graphs_of_an_uncommitted_bulk_load_stay_hidden(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyoxigraph as ox

    from provenance.bulk import PENDING

    raw = ox.Store(str(store / "oxigraph"))
    g = ox.NamedNode("https://w3id.org/provenance-tracker/id/document/half-loaded")
    raw.add(ox.Quad(g, ox.NamedNode(PENDING), ox.Literal("x"), ox.NamedNode(PENDING)))
    raw.add(ox.Quad(ox.NamedNode("https://example.org/r"),
                    ox.NamedNode("https://w3id.org/provenance-tracker/ns#statement"),
                    ox.NamedNode("https://example.org/s"), g))
    del raw
    loaded = _loaded(store, True, monkeypatch)
    assert "https://example.org/r" not in loaded[0]
    assert loaded == _loaded(store, False, monkeypatch)


# ------------------------------------------------------------------ bulk loads


def _no_store_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading a named graph from the store fails (the default graph is always read)."""
    import pyoxigraph as ox

    read_graph = index._read_graph

    def only_default(store: Any, graph: Any) -> Any:
        assert isinstance(graph, ox.DefaultGraph), f"the index should have had {graph}"
        return read_graph(store, graph)

    def refuse(*args: Any) -> Any:
        raise AssertionError("the index should have had these graphs")

    monkeypatch.setattr(index, "_read_graph", only_default)
    monkeypatch.setattr(index, "_read_by_predicate", refuse)


ODD_NQUADS = """\
<{id}document/odd> <https://schema.org/publisher> <{id}source/odd-pub> <{id}document/odd> .
<{id}document/odd> <{rdf}type> <{pt}Document> <{id}document/odd> .
<{id}source/odd-pub> <{rdf}type> <{pt}Source> <{id}document/odd> .
<{id}source/odd-pub> <http://www.w3.org/2000/01/rdf-schema#label> "Odd" <{id}document/odd> .
<{id}source/odd-pub> <{pt}anonymous> "1"^^<{xsd}boolean> <{id}document/odd> .
<{id}statement/odd> <{rdf}type> <{pt}Statement> <{id}document/odd> .
<{id}statement/odd> <{pt}text> "Odd literals \\"quoted\\"\\n" <{id}document/odd> .
<{id}statement/odd> <{rdf}subject> <{id}entity/odd> <{id}document/odd> .
<{id}statement/odd> <{rdf}predicate> <{id}relation/count> <{id}document/odd> .
<{id}statement/odd> <{rdf}object> "007"^^<{xsd}integer> <{id}document/odd> .
<{id}report/odd/odd-pub> <{rdf}type> <{pt}Report> <{id}document/odd> .
<{id}report/odd/odd-pub> <{pt}statement> <{id}statement/odd> <{id}document/odd> .
<{id}report/odd/odd-pub> <http://www.w3.org/ns/prov#wasAttributedTo> <{id}source/odd-pub> \
<{id}document/odd> .
<{id}report/odd/odd-pub> <{pt}appearsIn> <{id}document/odd> <{id}document/odd> .
"""


@pytest.mark.parametrize("what", ["yaml", "nquads"])
def test_a_bulk_load_writes_the_index_rows_as_it_streams(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, what: str
) -> None:
    from provenance import bulk
    from provenance._names import ID, PREFIXES
    from provenance.generate import generate_corpus

    corpus = tmp_path / "corpus"
    generate_corpus(corpus, 300, seed=3)
    odd = tmp_path / "odd.nq"
    odd.write_text(ODD_NQUADS.format(id=ID, rdf=PREFIXES["rdf"], pt=PREFIXES["pt"],
                                     xsd=PREFIXES["xsd"]), encoding="utf-8")
    files = ([corpus / "yaml"] if what == "yaml"
             else [corpus / "nquads" / "corpus.nq", odd])
    path = tmp_path / "store"
    monkeypatch.setattr(bulk, "BULK_MIN_BYTES", 0)
    with EmbeddedStore.open_write(path) as store:
        ingest_files(store, files)
    reference = _loaded(path, False, monkeypatch)
    with monkeypatch.context() as m:
        _no_store_reads(m)
        assert _loaded(path, True, m) == reference
    if what == "nquads":
        infos = reference[8]
        odd_info = infos[f"{ID}statement/odd"]
        assert odd_info.triple[2] == "7"  # as Oxigraph gives it back
        assert reference[6][f"{ID}source/odd-pub"].anonymous


@settings(max_examples=200)
@given(st.lists(st.lists(st.tuples(st.sampled_from("abcd"), st.sampled_from("vwxyz")),
                         max_size=6), max_size=5))
def test_each_subject_keeps_its_least_value_whatever_order_the_graphs_come_in(
    graphs: list[list[tuple[str, str]]],
) -> None:
    """A subject met in several graphs (or twice in one) with different values keeps
    the least, as the SPARQL path does: no answer depends on the order of the rows."""
    expected: dict[str, str] = {}
    for facts in graphs:
        for s, v in facts:
            expected[s] = min(expected.get(s, v), v)
    for order in (graphs, graphs[::-1]):
        builder = projection._Builder()
        for facts in order:
            flat = [x for fact in facts for x in fact]
            row = [[] for _ in index.PREDICATES]
            # pt:statement, prov:wasAttributedTo, pt:text, rdfs:label
            row[0] = row[1] = row[7] = row[11] = flat
            builder.add(tuple(row))
        assert builder.statement_of == builder.src_of == expected
        assert builder.values[0] == builder.labels == expected
        assert builder.attributed == {v for facts in graphs for _, v in facts}


def _relabelled(monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """The sources whose labels the whole-store tables read again from whole rows."""
    calls: list[set[str]] = []
    relabel = projection._relabel
    monkeypatch.setattr(projection, "_relabel",
                        lambda backend, iris, sources: calls.append(set(iris))
                        or relabel(backend, iris, sources))
    return calls


def test_the_tables_read_no_label_twice_when_every_source_is_labelled_where_it_is_cited(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows are read without the triples and the labels of what is not a source in
    their graph (the statements' entities); the sources are labelled where they are
    cited, so nothing is read twice, and the index lists no source among the others."""
    calls = _relabelled(monkeypatch)
    _report(store)
    assert calls == []
    _assert_same(store, monkeypatch)


def test_a_source_labelled_only_in_a_file_that_does_not_cite_it_keeps_its_least_label(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An authority file that names a source (and says nothing else of it) gives it a
    label the tables' rows lack: the source is found among the subjects whose labels
    were left aside, and its label read again, the least of all, as the store's
    queries have it."""
    authority = tmp_path / "authority.ttl"
    official = "https://w3id.org/provenance-tracker/id/source/us-official"
    authority.write_text(
        f'<{official}> <http://www.w3.org/2000/01/rdf-schema#label> "0 US official (authority)" .\n'
        '<https://example.org/nobody> <http://www.w3.org/2000/01/rdf-schema#label> "x" .\n',
        encoding="utf-8")
    _ingest(store, authority)
    calls = _relabelled(monkeypatch)
    report = _report(store)
    assert calls == [{official}]
    assert '"label": "0 US official (authority)"' in report
    _assert_same(store, monkeypatch)


@settings(max_examples=200, deadline=None)
@given(st.sets(st.text("abc", min_size=1, max_size=3), max_size=12),  # small alphabet: overlaps
       st.lists(st.lists(st.text("abc", min_size=1, max_size=3), max_size=5), max_size=6))
def test_the_sources_named_among_the_digests_are_exactly_those_whose_digest_is_there(
    iris: set[str], runs: list[list[str]]
) -> None:
    """The binary search over the digests finds what a set of them would (brute force)."""
    digests = [b"".join(index.name_digest(x) for x in run) for run in runs]
    listed = {x for run in runs for x in run}
    assert projection._named_elsewhere(iris, digests) == iris & listed
