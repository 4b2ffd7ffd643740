"""The bulk ingest path: the same store as the ordinary path, checked, atomic."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance import bulk
from provenance.errors import InputError, StoreError, ValidationError
from provenance.generate import generate_corpus
from provenance.ingest import ingest_files
from provenance.store import EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bulk-corpus")
    generate_corpus(out, 300, seed=4, docs_per_file=25)
    return out


def _quads(path: Path, hashes: bool = True) -> set[str]:
    import pyoxigraph as ox

    store = ox.Store.read_only(str(path / "oxigraph"))
    return {str(q) for q in store if hashes or "contentHash" not in str(q.predicate)}


def _ingest(path: Path, files: list[Path], bulk_on: bool, monkeypatch: pytest.MonkeyPatch) -> list:
    monkeypatch.setattr(bulk, "BULK_MIN_BYTES", 0 if bulk_on else 10**15)
    with EmbeddedStore.open_write(path) as store:
        return ingest_files(store, files)


@pytest.mark.parametrize("what", ["yaml", "nquads"])
def test_bulk_writes_what_the_ordinary_path_writes(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, what: str
) -> None:
    files = [corpus / "yaml"] if what == "yaml" else [corpus / "yaml" / "sources.yaml",
                                                     corpus / "nquads" / "corpus.nq"]
    fast = _ingest(tmp_path / "fast", [corpus / what], True, monkeypatch) if what == "yaml" \
        else None
    ref = _ingest(tmp_path / "ref", [corpus / "yaml"], False, monkeypatch)
    if what == "yaml":
        assert _quads(tmp_path / "fast") == _quads(tmp_path / "ref")
        assert [(r.graph, r.status) for r in fast] == [(r.graph, r.status) for r in ref]
    else:
        _ingest(tmp_path / "fast", [corpus / "nquads" / "corpus.nq"], True, monkeypatch)
        assert _quads(tmp_path / "fast", hashes=False) == _quads(tmp_path / "ref", hashes=False)
    assert files  # both inputs exist


def test_bulk_nquads_records_the_content_hashes_the_ordinary_path_does(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The graphs' hashes come from the file's digest, read while the file is parsed:
    the same as the ordinary path's, so a second ingest finds every graph unchanged."""
    files = [corpus / "nquads" / "corpus.nq"]
    fast = _ingest(tmp_path / "fast", files, True, monkeypatch)
    _ingest(tmp_path / "ref", files, False, monkeypatch)
    assert {r.status for r in fast} == {"added"}
    assert _quads(tmp_path / "fast") == _quads(tmp_path / "ref")
    again = _ingest(tmp_path / "fast", files, True, monkeypatch)
    assert {r.status for r in again} == {"unchanged"}
    assert len(again) == len(fast)


def test_reingest_is_unchanged_and_a_changed_document_replaces(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "s"
    _ingest(store, [corpus / "yaml"], True, monkeypatch)
    before = _quads(store)
    again = _ingest(store, [corpus / "yaml"], True, monkeypatch)
    assert {r.status for r in again} == {"unchanged"}
    assert _quads(store) == before
    changed = tmp_path / "changed"
    changed.mkdir()
    first = sorted((corpus / "yaml").glob("docs-*.yaml"))[0]
    text = first.read_text().replace('title: "', 'title: "Updated: ', 1)
    (changed / first.name).write_text(text)
    results = _ingest(store, [changed / first.name], True, monkeypatch)
    statuses = {r.status for r in results}
    assert statuses == {"replaced", "unchanged"}
    assert any("Updated: " in q for q in _quads(store))


def _edited_dump(corpus: Path, out: Path, scatter: bool = False,
                 what: str = "schema.org/headline") -> tuple[Path, str]:
    """The corpus's N-Quads dump with the first document's *what* facts changed (and,
    with *scatter*, its graphs' quads interleaved); returns it and the changed graph."""
    lines = (corpus / "nquads" / "corpus.nq").read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if what in line)
    changed = lines[at].rsplit(" <", 1)[1].rstrip(" .\n").rstrip(">")
    for i, line in enumerate(lines):
        if what in line and line.endswith(f"<{changed}> .\n"):
            lines[i] = line.replace('> "', '> "Updated: ', 1)
    if scatter:  # every other line to the end: graphs come back after others
        lines = lines[::2] + lines[1::2]
    out.mkdir()
    (out / "corpus.nq").write_text("".join(lines))
    return out / "corpus.nq", changed


@pytest.mark.parametrize("scatter,bulk_on", [(False, True), (True, True), (False, False)],
                         ids=["bulk-graphs-together", "bulk-graphs-mixed", "ordinary"])
def test_a_dump_with_one_changed_document_replaces_that_document_alone(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scatter: bool, bulk_on: bool
) -> None:
    """An N-Quads graph's hash is its file's: one changed headline changes them all.
    Both paths compare such graphs with the store: one is replaced, the others are
    unchanged (their hash is brought up to date), and the store holds what a fresh
    ingest of the edited dump holds."""
    store = tmp_path / "s"
    _ingest(store, [corpus / "nquads" / "corpus.nq"], True, monkeypatch)
    edited, changed = _edited_dump(corpus, tmp_path / "edited", scatter)
    results = _ingest(store, [edited], bulk_on, monkeypatch)
    assert [r.graph for r in results if r.status == "replaced"] == [changed]
    assert {r.status for r in results if r.graph != changed} == {"unchanged"}
    _ingest(tmp_path / "fresh", [edited], True, monkeypatch)
    assert _quads(store) == _quads(tmp_path / "fresh")
    again = _ingest(store, [edited], True, monkeypatch)
    assert {r.status for r in again} == {"unchanged"}


def test_the_index_follows_a_dump_whose_graphs_were_rehashed(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The citation index keeps the rows of graphs that only changed hash: the report
    after the edit is the report of a store made from the edited dump, and the kept
    answers of the unchanged statements survive the edit."""
    from provenance.index import FILE
    from provenance.tracker import Tracker

    store = tmp_path / "s"
    _ingest(store, [corpus / "nquads" / "corpus.nq"], True, monkeypatch)
    backend = EmbeddedStore.open_read(store)
    before = {r["statement"]["id"]: r for r in Tracker(backend).report()}
    backend.close()
    edited, changed = _edited_dump(corpus, tmp_path / "edited", what="rdf-schema#label")
    assert changed.endswith("file/sources")  # every source's label: the report changes
    results = _ingest(store, [edited], True, monkeypatch)
    assert [r.graph for r in results if r.status == "replaced"] == [changed]
    import sqlite3

    db = sqlite3.connect(store / FILE)
    kept = db.execute("SELECT COUNT(*) FROM answer WHERE kind = 'report'").fetchone()[0]
    indexed = dict(db.execute("SELECT name, hash FROM graph"))
    db.close()
    backend = EmbeddedStore.open_read(store)
    hashes = backend.graph_hashes()
    backend.close()
    # the rows of the graphs that only changed hash follow it (not read again)
    assert {g: h for g, h in indexed.items() if g != changed} == {
        g: h for g, h in hashes.items() if g != changed}
    assert kept == len(before)  # the ingest kept them; the next question redoes some
    _ingest(tmp_path / "fresh", [edited], True, monkeypatch)
    reports = []
    for path in (store, tmp_path / "fresh"):
        backend = EmbeddedStore.open_read(path)
        reports.append(Tracker(backend).report())
        backend.close()
    assert reports[0] == reports[1]
    assert reports[0] != list(before.values())


def _bad_batch(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "bad.nq"
    path.write_text(body, encoding="utf-8")
    return path


PT = "https://w3id.org/provenance-tracker/ns#"
ID = "https://w3id.org/provenance-tracker/id/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PROV = "http://www.w3.org/ns/prov#"


def _doc(extra: str = "", text: str = "A claim") -> str:
    g = f"<{ID}document/d1>"
    st, rep, src = f"<{ID}statement/s1>", f"<{ID}report/s1/pub>", f"<{ID}source/pub>"
    return "\n".join([
        f"{src} <{RDF}type> <{PT}Source> {g} .",
        f'{src} <http://www.w3.org/2000/01/rdf-schema#label> "Publisher" {g} .',
        f"{g} <{RDF}type> <{PT}Document> {g} .",
        f"{g} <https://schema.org/publisher> {src} {g} .",
        f"{st} <{RDF}type> <{PT}Statement> {g} .",
        f'{st} <{PT}text> "{text}" {g} .',
        f"{st} <{RDF}subject> <{ID}entity/a> {g} .",
        f"{st} <{RDF}predicate> <{ID}relation/b> {g} .",
        f"{st} <{RDF}object> <{ID}entity/c> {g} .",
        f"{rep} <{RDF}type> <{PT}Report> {g} .",
        f"{rep} <{PROV}wasAttributedTo> {src} {g} .",
        f"{rep} <{PT}statement> {st} {g} .",
        f"{rep} <{PT}appearsIn> {g} {g} .",
        extra,
    ]) + "\n"


def _seed_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The seed article's graph as N-Quads lines, without its content hash."""
    import pyoxigraph as ox

    _ingest(tmp_path / "seed-store", [ROOT / "seeds"], False, monkeypatch)
    raw = ox.Store.read_only(str(tmp_path / "seed-store" / "oxigraph"))
    return sorted(f"{q} .\n" for q in raw if "contentHash" not in str(q.predicate))


@pytest.mark.parametrize("block", [97, 4096, bulk._BLOCK],
                         ids=["lines-longer-than-a-block", "many-blocks", "one-block"])
def test_nquads_read_in_blocks_store_what_the_ordinary_path_stores(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    """A block of lines goes to the loader as it was read, unless it holds a graph the
    store has already (sent line by line, less that graph) or a content hash (left
    out). A file's last line without a newline does not run into the next file's."""
    monkeypatch.setattr(bulk, "_BLOCK", block)
    corpus_lines = (corpus / "nquads" / "corpus.nq").read_text().splitlines(keepends=True)
    seed = _seed_lines(tmp_path, monkeypatch)
    half = len(corpus_lines) // 2
    hashed = f'<{ID}document/d9> <{PT}contentHash> "from another store" <{ID}document/d9> .\n'
    (tmp_path / "in").mkdir()
    first, second = tmp_path / "in" / "a.nq", tmp_path / "in" / "b.nq"
    # the seed's graph in the middle of the corpus: the store holds it already
    first.write_text("".join(corpus_lines[:half] + seed + corpus_lines[half:]).rstrip("\n"))
    second.write_text(hashed + _doc().replace("document/d1", "document/d9"))
    stores = {}
    for name, bulk_on in (("bulk", True), ("ordinary", False)):
        stores[name] = tmp_path / name
        _ingest(stores[name], [ROOT / "seeds"], False, monkeypatch)
        results = _ingest(stores[name], [first, second], bulk_on, monkeypatch)
        statuses = {r.graph.rsplit("/", 1)[1]: r.status for r in results}
        assert statuses.pop("blinken-brussels") == "unchanged"
        assert set(statuses.values()) == {"added"}
        assert len(statuses) == 1 + len({line.rsplit(" <", 1)[1] for line in corpus_lines})
    assert _quads(stores["bulk"], hashes=False) == _quads(stores["ordinary"], hashes=False)
    assert "from another store" not in " ".join(_quads(stores["bulk"]))


@pytest.mark.parametrize("block", [64, bulk._BLOCK], ids=["small-blocks", "one-block"])
def test_an_nquads_syntax_error_names_the_line_of_the_file_in_any_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    monkeypatch.setattr(bulk, "_BLOCK", block)
    good = _doc().splitlines(keepends=True)
    path = _bad_batch(tmp_path, "".join(good * 3) + "<http://e.org/a> b <http://e.org/c> "
                      f"<{ID}document/d1> .\n" + "".join(good))
    line = 3 * len(good) + 1
    with pytest.raises(InputError) as info:
        _ingest(tmp_path / "s", [path], True, monkeypatch)
    assert str(info.value) == (f"{path}:{line}: nquads syntax error: Parser error at line "
                               f"{line} column 18: The predicate of a triple must be an IRI")
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize("bulk_on", [True, False], ids=["bulk", "ordinary"])
def test_a_graph_with_a_blank_node_is_rewritten_whole_when_its_dump_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bulk_on: bool
) -> None:
    """The store names blank nodes its own way, so a graph holding one never compares
    equal: it is replaced, and replaced whole (its facts are not doubled)."""
    d2 = _doc(text="Another claim").replace("document/d1", "document/d2").replace(
        "statement/s1", "statement/s2").replace("report/s1", "report/s2")
    blank = f'<{ID}document/d1> <https://schema.org/about> _:topic <{ID}document/d1> .'
    (tmp_path / "in").mkdir()
    dump = tmp_path / "in" / "dump.nq"
    dump.write_text(_doc(blank) + d2)
    _ingest(tmp_path / "s", [dump], True, monkeypatch)
    before = len(_quads(tmp_path / "s", hashes=False))
    dump.write_text(_doc(blank) + d2.replace("Another claim", "A changed claim"))
    results = {r.graph.rsplit("/", 1)[1]: r.status
               for r in _ingest(tmp_path / "s", [dump], bulk_on, monkeypatch)}
    assert results == {"d1": "replaced", "d2": "replaced"}
    assert len(_quads(tmp_path / "s", hashes=False)) == before


def _checker_variant(monkeypatch: pytest.MonkeyPatch, variant: str) -> None:
    if variant == "spilled":  # every column goes to its file before the checks read it back
        monkeypatch.setattr(bulk.ShapeChecker, "SPILL_AT", 1)
    elif variant == "colliding":  # facts of two subjects with one value share a sort key:
        monkeypatch.setattr(bulk, "_MIX", 0)  # the counts take the exact two-key sort


@pytest.mark.parametrize(
    ("extra", "refused"),
    [
        # an IRI and a literal of the same text are two values, as SHACL counts them
        (f'<{ID}statement/s1> <{RDF}object> "{ID}entity/c" <{ID}document/d1> .',
         ": s1: a statement needs exactly one rdf:object"),
        # so are a plain literal and one with a language
        (f'<{ID}report/s1/pub> <{PT}cue> "said" <{ID}document/d1> .\n'
         f'<{ID}report/s1/pub> <{PT}cue> "said"@en <{ID}document/d1> .', "pt:cue must be one"),
        # the same value twice is one value
        (f'<{ID}report/s1/pub> <{PT}cue> "said" <{ID}document/d1> .\n'
         f'<{ID}report/s1/pub> <{PT}cue> "said" <{ID}document/d1> .', None),
        # a citation of a report typed further down the file is checked at the end
        (f"<{ID}report/s1/pub> <{PROV}wasDerivedFrom> <{ID}report/s1/later> <{ID}document/d1> .\n"
         f"<{ID}report/s1/later> <{RDF}type> <{PT}Report> <{ID}document/d1> .\n"
         f"<{ID}report/s1/later> <{PROV}wasAttributedTo> <{ID}source/pub> <{ID}document/d1> .\n"
         f"<{ID}report/s1/later> <{PT}statement> <{ID}statement/s1> <{ID}document/d1> .", None),
        # one it never types is refused, and the citing report is named
        (f"<{ID}report/s1/pub> <{PROV}wasDerivedFrom> <{ID}report/s1/never> <{ID}document/d1> .",
         ": s1/pub: a report can only cite"),
    ],
    ids=["iri-and-literal", "plain-and-language", "same-value-twice", "typed-later",
         "never-typed"],
)
@pytest.mark.parametrize("variant", ["in-memory", "spilled", "colliding"])
def test_the_shape_checker_counts_values_as_shacl_does_and_names_the_node(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: str, refused: str | None,
    variant: str
) -> None:
    _checker_variant(monkeypatch, variant)
    path = _bad_batch(tmp_path, _doc(extra))
    if refused is None:
        assert [r.status for r in _ingest(tmp_path / "s", [path], True, monkeypatch)] == ["added"]
        return
    with pytest.raises(ValidationError) as info:
        _ingest(tmp_path / "s", [path], True, monkeypatch)
    assert str(info.value).startswith(f"{path}: ")
    assert refused in str(info.value)


@pytest.mark.parametrize("body", [
    _doc(f"<{ID}report/s1/pub> <{PROV}wasAttributedTo> <{ID}source/ghost> <{ID}document/d1> ."),
    _doc() + "this is not N-Quads\n",
], ids=["refused-by-the-checks", "syntax-error"])
def test_a_refused_first_bulk_ingest_leaves_no_store_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str
) -> None:
    path = _bad_batch(tmp_path, body)
    with pytest.raises(InputError):
        _ingest(tmp_path / "new", [path], True, monkeypatch)
    assert not (tmp_path / "new").exists()  # the citation index's file included


def test_a_valid_hand_written_file_goes_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _bad_batch(tmp_path, _doc())
    results = _ingest(tmp_path / "s", [path], True, monkeypatch)
    assert [r.status for r in results] == ["added"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (f"<{ID}report/s1/pub> <{PROV}wasDerivedFrom> <{ID}report/s1/nobody> "
         f"<{ID}document/d1> .", "can only cite"),
        (f"<{ID}statement/s1> <{RDF}subject> <{ID}entity/z> <{ID}document/d1> .",
         "exactly one rdf:subject"),
        (f"<{ID}report/s1/pub> <{PROV}wasAttributedTo> <{ID}source/ghost> <{ID}document/d1> .",
         "'ghost' is not declared"),
        (f'<{ID}report/s1/pub> <{PT}cue> "a" <{ID}document/d1> .\n'
         f'<{ID}report/s1/pub> <{PT}cue> "b" <{ID}document/d1> .', "pt:cue"),
        (f"<{ID}document/d1> <https://schema.org/publisher> <{ID}source/pub2> "
         f"<{ID}document/d1> .\n<{ID}source/pub2> <http://www.w3.org/2000/01/rdf-schema#label> "
         f'"P2" <{ID}document/d1> .', "exactly one publisher"),
    ],
)
def test_invalid_input_is_refused_and_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: str, message: str
) -> None:
    store = tmp_path / "s"
    _ingest(store, [ROOT / "seeds"], False, monkeypatch)
    before = _quads(store)
    path = _bad_batch(tmp_path, _doc(extra))
    with pytest.raises(ValidationError, match=message):
        _ingest(store, [path], True, monkeypatch)
    assert _quads(store) == before
    # The ordinary path (pyshacl) refuses it too.
    with pytest.raises(InputError):
        _ingest(store, [path], False, monkeypatch)


def test_an_uncommitted_bulk_load_is_invisible_and_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyoxigraph as ox

    store = tmp_path / "s"
    _ingest(store, [ROOT / "seeds"], False, monkeypatch)
    before = _quads(store)
    # What a crash between the pending record and the commit leaves behind.
    raw = ox.Store(str(store / "oxigraph"))
    half = _doc()
    record = f'<{ID}document/d1> <{PT}contentHash> "x"'
    raw.update(f"INSERT DATA {{ GRAPH <{bulk.PENDING}> {{ {record} }} }}")
    raw.load(half.encode(), format=ox.RdfFormat.N_QUADS)
    raw.flush()
    del raw
    from provenance.tracker import Tracker

    reader = Tracker(EmbeddedStore.open_read(store))
    assert "s1" not in {s["id"] for s in reader.statements()}
    assert reader.backend.graph_hashes().keys() == {
        g for g in reader.backend.graph_hashes()} and f"{ID}document/d1" not in (
        reader.backend.graph_hashes())
    with EmbeddedStore.open_write(store):
        pass  # opening for writing drops what never committed
    assert _quads(store) == before


class _StoppingStore:
    """A pyoxigraph store whose updates can be counted, and stopped after some."""

    def __init__(self, raw: object, stop_after: int | None = None) -> None:
        self.raw, self.stop_after, self.updates = raw, stop_after, []
        self.flushed: list[int] = []  # the updates made before each flush

    def flush(self) -> None:
        self.flushed.append(len(self.updates))
        self.raw.flush()

    def update(self, text: str) -> None:
        if self.stop_after is not None and len(self.updates) == self.stop_after:
            raise OSError("the process died here")
        self.updates.append(text)
        self.raw.update(text)

    def __getattr__(self, name: str) -> object:
        return getattr(self.raw, name)


def _pending_documents(store: Path, n: int, everything: bool) -> list[str]:
    """What a crash midway through a bulk load of *n* documents leaves in *store*."""
    import pyoxigraph as ox

    names = [f"{ID}document/d{i}" for i in range(n)]
    raw = ox.Store(str(store / "oxigraph"))
    listed = [f"<{bulk.EVERYTHING}> <{PT}contentHash> \"\""] if everything else [
        f'<{g}> <{PT}contentHash> "x"' for g in names]
    raw.update(f"INSERT DATA {{ GRAPH <{bulk.PENDING}> {{ {' . '.join(listed)} }} }}")
    for g in names:
        raw.load(_doc().replace(f"<{ID}document/d1>", f"<{g}>").encode(),
                 format=ox.RdfFormat.N_QUADS)
    raw.flush()
    return names


@pytest.mark.parametrize("everything", [False, True], ids=["into a store", "into an empty one"])
def test_a_load_that_never_committed_is_dropped_a_few_graphs_per_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, everything: bool
) -> None:
    """One transaction holds every quad it drops until it commits: a million statements
    would need tens of gigabytes. The graphs go a few at a time, the pending graph last."""
    import pyoxigraph as ox

    if everything:
        store, before = tmp_path / "s", set()
        with EmbeddedStore.open_write(store) as s:
            s.raw()
    else:
        store, before = _seeded(tmp_path, monkeypatch)
    names = _pending_documents(store, 7, everything)
    monkeypatch.setattr(bulk, "_DROP_GROUP", 3)
    monkeypatch.setattr(bulk, "_DROP_FLUSH", 2)
    raw = _StoppingStore(ox.Store(str(store / "oxigraph")))
    assert sorted(bulk.recover(raw)) == sorted(names)
    drops = [text.count("DROP SILENT GRAPH") for text in raw.updates]
    assert drops == [3, 3, 1, 1]  # 7 documents in groups of 3, then the pending graph
    assert raw.flushed == [2]  # RocksDB writes the removals out every second group
    assert f"<{bulk.PENDING}>" in raw.updates[-1]
    assert all(bulk.PENDING not in text for text in raw.updates[:-1])
    del raw
    assert _quads(store) == before


def test_a_drop_stopped_midway_hides_the_rest_and_the_next_writer_ends_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyoxigraph as ox

    from provenance.tracker import Tracker

    store, before = _seeded(tmp_path, monkeypatch)
    _pending_documents(store, 7, everything=False)
    monkeypatch.setattr(bulk, "_DROP_GROUP", 3)
    raw = _StoppingStore(ox.Store(str(store / "oxigraph")), stop_after=1)
    with pytest.raises(OSError, match="died"):
        bulk.recover(raw)
    del raw
    left = _quads(store) - before
    assert left and all(bulk.PENDING in q or "/document/d" in q for q in left)
    reader = EmbeddedStore.open_read(store, repair=False)
    try:  # the documents left are still pending: not there for readers
        assert "s1" not in {s["id"] for s in Tracker(reader).statements()}
        assert not any("/document/d" in g for g in reader.graph_hashes())
    finally:
        reader.close()
    with EmbeddedStore.open_write(store):
        pass  # opening for writing drops what is still pending
    assert _quads(store) == before


def _seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, set[str]]:
    """A store holding the seed article, and its quads."""
    store = tmp_path / "s"
    _ingest(store, [ROOT / "seeds"], False, monkeypatch)
    return store, _quads(store)


def _loads_counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Send small chunks to the bulk loader, and count the loaders started."""
    started: list[int] = []
    start = bulk._Loader._start

    def counted(self: bulk._Loader) -> None:
        started.append(1)
        start(self)

    monkeypatch.setattr(bulk._Loader, "CHUNK", 4000)
    monkeypatch.setattr(bulk._Loader, "_start", counted)
    return started


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        # found by the checks at the end, once every new graph is loaded
        (f"<{ID}report/s1/pub> <{PROV}wasAttributedTo> <{ID}source/ghost> <{ID}document/d1> .",
         "'ghost' is not declared"),
        # found while the batch streams, after earlier files were sent to the loader
        (f'<{ID}statement/st-0000001> <{PT}text> "Another text" <{ID}document/d1> .',
         "has another text"),
    ],
)
def test_a_batch_refused_after_part_of_it_was_loaded_leaves_the_store_as_it_was(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: str, message: str
) -> None:
    store, before = _seeded(tmp_path, monkeypatch)
    started = _loads_counted(monkeypatch)
    with pytest.raises(ValidationError, match=message):
        _ingest(store, [corpus / "yaml", _bad_batch(tmp_path, _doc(extra))], True, monkeypatch)
    assert started == [1]  # the corpus's documents were being loaded when it failed
    assert _quads(store) == before
    assert not list(store.glob("bulk-*")) and not list((store / "oxigraph").glob("bulk-*"))


@pytest.mark.parametrize("into", ["a store with the seed", "a new store"])
def test_a_refused_bulk_load_is_removed_from_a_store_that_held_documents_not_from_a_new_one(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, into: str
) -> None:
    """A new store is removed whole once the ingest fails: removing the quads loaded
    into it first (quad by quad) only made Ctrl-C wait (26 s instead of 0.5 s at 100k)."""
    if into == "a new store":
        store, before = tmp_path / "new", None
    else:
        store, before = _seeded(tmp_path, monkeypatch)
    started = _loads_counted(monkeypatch)
    monkeypatch.setattr(bulk, "BULK_MIN_BYTES", 0)
    recovered: list[list[str]] = []
    recover = bulk.recover
    monkeypatch.setattr(bulk, "recover", lambda raw: recovered.append(recover(raw)) or [])
    said: list[str] = []
    bad = _bad_batch(tmp_path, _doc(f'<{ID}statement/st-0000001> <{PT}text> "Another" '
                                    f"<{ID}document/d1> ."))
    with pytest.raises(ValidationError), EmbeddedStore.open_write(store) as opened:
        ingest_files(opened, [corpus / "yaml", bad], lambda done, total, what: said.append(what))
    assert started == [1]  # documents were being loaded
    dropped = [names for names in recovered if names]  # (opening a store recovers too)
    if before is None:
        assert dropped == [] and not store.exists()
        assert not any(what.startswith("stopped") for what in said)
    else:
        assert len(dropped) == 1  # the graphs loaded, dropped
        assert "stopped: removing what was loaded" in said[-1]
        assert _quads(store) == before


def test_a_failing_bulk_loader_is_reported_in_one_line_and_writes_nothing(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, before = _seeded(tmp_path, monkeypatch)
    _loads_counted(monkeypatch)
    line, calls = bulk._line, []

    def broken(q: bulk.Quad, graph: str) -> str:
        calls.append(1)
        return "this is not N-Quads\n" if len(calls) == 100 else line(q, graph)

    monkeypatch.setattr(bulk, "_line", broken)
    with pytest.raises(StoreError, match="the store refused the ingest") as info:
        _ingest(store, [corpus / "yaml"], True, monkeypatch)
    assert "\n" not in str(info.value)
    assert _quads(store) == before
    monkeypatch.setattr(bulk, "_line", line)
    assert {r.status for r in _ingest(store, [corpus / "yaml"], True, monkeypatch)} == {"added"}


class _CommitRefused:
    """A store whose commit of a bulk load fails (a full disk, say), once."""

    refused = False

    def __init__(self, raw: object) -> None:
        self.raw = raw

    def __getattr__(self, name: str) -> object:
        return getattr(self.raw, name)

    def update(self, text: str) -> None:
        # the commit: the first update that empties the pending graph (recover's last
        # update does too)
        if f"DROP SILENT GRAPH <{bulk.PENDING}>" in text and not _CommitRefused.refused:
            _CommitRefused.refused = True
            raise OSError("IO error: No space left on device")
        self.raw.update(text)


def test_a_commit_the_store_refuses_leaves_the_store_and_its_answers_as_they_were(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The citation index commits while the store does (bulk._write): when the store's
    commit then fails, the rows the index took name no graph of the store, and the
    questions answer as before."""
    from click.testing import CliRunner

    from provenance.cli import cli

    store, before = _seeded(tmp_path, monkeypatch)

    def report() -> str:
        done = CliRunner().invoke(cli, ["--store", str(store), "report", "--format", "json"])
        assert done.exit_code == 0, done.output
        return done.output

    expected = report()
    raw = EmbeddedStore.raw
    monkeypatch.setattr(_CommitRefused, "refused", False)
    monkeypatch.setattr(EmbeddedStore, "raw", lambda self: _CommitRefused(raw(self)))
    with pytest.raises(StoreError, match="the store refused the ingest .*No space left") as info:
        _ingest(store, [corpus / "nquads" / "corpus.nq"], True, monkeypatch)
    monkeypatch.setattr(EmbeddedStore, "raw", raw)
    assert _quads(store) == before
    import sqlite3

    db = sqlite3.connect(store / "citations.sqlite")
    names = {name for (name,) in db.execute("SELECT name FROM graph")}
    db.close()
    assert any("/document/" in n and "doc-" in n for n in names)  # the refused documents'
    assert report() == expected
    # ingested again while the error is still held: it holds no open database
    assert {r.status for r in _ingest(store, [corpus / "nquads" / "corpus.nq"], True,
                                      monkeypatch)} == {"added"}
    assert report() != expected
    assert "\n" not in str(info.value)


_EXTRA = [
    f"<{ID}statement/s1> <{RDF}object> \"lit\" <{ID}document/d1> .",
    f"<{ID}statement/s1> <{RDF}predicate> \"notiri\" <{ID}document/d1> .",
    f"<{ID}report/s1/pub> <{PROV}wasAttributedTo> <{ID}source/pub> <{ID}document/d2> .",
    f"<{ID}report/s1/x> <{PT}statement> <{ID}statement/s1> <{ID}document/d1> .",
    f"<{ID}report/s1/pub> <{PT}appearsIn> <{ID}document/zz> <{ID}document/d1> .",
    f"<{ID}report/s1/pub> <{PT}confidence> \"2\"^^<http://www.w3.org/2001/XMLSchema#decimal> "
    f"<{ID}document/d1> .",
    f"<{ID}report/s1/pub> <{PT}confidence> \"0.5\"^^<http://www.w3.org/2001/XMLSchema#decimal> "
    f"<{ID}document/d1> .",
    f"<{ID}source/pub> <{PT}anonymous> \"yes\" <{ID}document/d1> .",
    f"<{ID}source/pub> <{PT}anonymous> \"true\"^^<http://www.w3.org/2001/XMLSchema#boolean> "
    f"<{ID}document/d1> .",
    f"<{ID}source/pub> <{PROV}actedOnBehalfOf> \"boss\" <{ID}document/d1> .",
    f"<{ID}source/pub> <{PT}anonymous> \"maybe\"^^<http://www.w3.org/2001/XMLSchema#boolean> "
    f"<{ID}document/d1> .",
    f"<{ID}statement/s2> <{RDF}type> <{PT}Statement> <{ID}document/d1> .",
    f"<{ID}report/s1/pub> <{PT}cue> \"said\"@en <{ID}document/d1> .",
]


def _check_only(path: Path, bulk_on: bool, monkeypatch: pytest.MonkeyPatch, tmp: Path) -> bool:
    import shutil

    shutil.rmtree(tmp, ignore_errors=True)
    try:
        _ingest(tmp, [path], bulk_on, monkeypatch)
    except InputError:
        return False
    return True


def test_the_shape_checker_agrees_with_pyshacl(tmp_path: Path) -> None:
    """Random deletions and additions: the bulk path accepts exactly what pyshacl accepts."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    base = [line for line in _doc().splitlines() if line.strip()]

    @settings(max_examples=40, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.sets(st.integers(0, len(base) - 1), max_size=2),
           st.sets(st.integers(0, len(_EXTRA) - 1), max_size=2),
           st.sampled_from(["in-memory", "spilled", "colliding"]))
    def check(drop: set[int], add: set[int], variant: str) -> None:
        lines = [line for i, line in enumerate(base) if i not in drop]
        lines += [_EXTRA[i] for i in sorted(add)]
        path = tmp_path / "case.nq"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        with pytest.MonkeyPatch.context() as mp:
            _checker_variant(mp, variant)
            fast = _check_only(path, True, mp, tmp_path / "a")
            ref = _check_only(path, False, mp, tmp_path / "b")
        assert fast == ref, (drop, add)

    check()


@pytest.mark.parametrize("what", ["yaml", "nquads"])
def test_checks_spilled_to_files_write_the_same_store_and_leave_no_file_behind(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, what: str
) -> None:
    files = [corpus / "yaml"] if what == "yaml" else [corpus / "nquads" / "corpus.nq"]
    _ingest(tmp_path / "memory", files, True, monkeypatch)
    spills: list[int] = []
    spill = bulk.ShapeChecker.spill

    def counted(self: bulk.ShapeChecker) -> None:
        spill(self)
        spills.append(len(self._spilled))

    monkeypatch.setattr(bulk.ShapeChecker, "SPILL_AT", 64)
    monkeypatch.setattr(bulk.ShapeChecker, "spill", counted)
    _ingest(tmp_path / "spilled", files, True, monkeypatch)
    assert max(spills) > 10  # most columns went to files, many times over
    assert _quads(tmp_path / "spilled") == _quads(tmp_path / "memory")

    def names(store: Path) -> list[str]:
        return sorted(p.name for p in store.iterdir() if p.name != "oxigraph")

    assert names(tmp_path / "spilled") == names(tmp_path / "memory")
    # a refused batch, spilled as well: the store is as it was, with no file more
    before = _quads(tmp_path / "spilled")
    bad = _bad_batch(tmp_path, _doc(f"<{ID}report/s1/pub> <{PROV}wasAttributedTo> "
                                    f"<{ID}source/ghost> <{ID}document/d1> ."))
    with pytest.raises(ValidationError, match="'ghost' is not declared"):
        _ingest(tmp_path / "spilled", [*files, bad], True, monkeypatch)
    assert _quads(tmp_path / "spilled") == before
    assert names(tmp_path / "spilled") == names(tmp_path / "memory")


def test_a_disk_too_full_for_the_checks_files_is_one_line_and_leaves_the_store_as_it_was(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import tempfile

    store, before = _seeded(tmp_path, monkeypatch)

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(bulk.ShapeChecker, "SPILL_AT", 64)
    monkeypatch.setattr(tempfile, "TemporaryFile", full)
    with pytest.raises(StoreError) as info:
        _ingest(store, [corpus / "yaml"], True, monkeypatch)
    assert str(info.value) == (
        f"{store}: cannot write the checks' temporary files there (No space left on device); "
        "free some space on its disk and ingest again")
    assert _quads(store) == before


@pytest.mark.parametrize("case", ["two-files", "against-the-store"])
def test_a_bulk_batch_giving_a_statement_another_text_is_refused_as_the_ordinary_path_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    """The bulk path keeps only a hash of each statement's text, then reads the files
    again to quote the first text: the message is the ordinary path's, word for word."""
    bad = ROOT / "tests" / "data" / "bad"
    files = [bad / "dirs" / "dup-statement-two-texts"] if case == "two-files" else [
        bad / "yaml" / "dup-statement-text-vs-store.yaml"]
    messages = []
    for bulk_on in (False, True):
        store = tmp_path / f"store-{bulk_on}"
        if case == "against-the-store":
            _ingest(store, [ROOT / "seeds"], False, monkeypatch)
        before = _quads(store) if store.exists() else set()
        with pytest.raises(ValidationError) as info:
            _ingest(store, files, bulk_on, monkeypatch)
        messages.append(str(info.value))
        assert (_quads(store) if store.exists() else set()) == before
    assert messages[0] == messages[1]
    assert ("('The minister resigned')" if case == "two-files" else
            "('Blinken will take part in the first Ukraine-NATO Council meeting')") in messages[1]


def test_a_statement_given_two_texts_in_two_nquads_files_names_both_files_and_the_first_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "first.nq", tmp_path / "second.nq"
    first.write_text(_doc(text="The first text") + "\n", encoding="utf-8")
    second.write_text(_doc(text="The second text").replace("document/d1", "document/d2") + "\n",
                      encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        _ingest(tmp_path / "s", [first, second], True, monkeypatch)
    assert str(info.value) == (
        f"{second}: statement 's1' has another text in {first} ('The first text'); the same "
        "id must be the same claim: use the same text or another id")


def test_two_statements_whose_iris_hash_alike_are_no_text_clash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Into an empty store, statements are told apart by the hash of their IRI: two
    IRIs with one hash are read again before a clash is reported."""
    second = _doc(text="Another claim").replace("statement/s1", "statement/s2").replace(
        "report/s1", "report/s2").replace("document/d1", "document/d2")
    path = _bad_batch(tmp_path, _doc(text="A claim") + "\n" + second + "\n")

    def colliding(value: object) -> int:
        text = str(value)
        return 7 if text.endswith(("statement/s1", "statement/s2")) else hash(value)

    monkeypatch.setattr(bulk, "hash", colliding, raising=False)
    _ingest(tmp_path / "s", [path], True, monkeypatch)
    texts = {q for q in _quads(tmp_path / "s") if "#text>" in q}
    assert len(texts) == 2 and any("Another claim" in q for q in texts)


def _whole_loads_counted(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The files each whole-file load was given (bulk._Loader.load_files)."""
    calls: list[list[str]] = []
    load_files = bulk._Loader.load_files

    def counted(self: bulk._Loader, paths: list[Path]) -> None:
        calls.append([p.name for p in paths])
        load_files(self, paths)

    monkeypatch.setattr(bulk._Loader, "load_files", counted)
    return calls


def test_nquads_files_into_an_empty_store_are_loaded_whole_as_streaming_them_would(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two files: the corpus, with content hashes of its own (skipped, the store writes
    its own), and a document whose last line has no newline. Loaded whole into an empty
    store, they give exactly the store that streaming them into one gives."""
    lines = (corpus / "nquads" / "corpus.nq").read_text(encoding="utf-8").splitlines()
    graphs = sorted({line.rsplit(" ", 2)[-2] for line in lines})
    own = [f'{g} <{PT}contentHash> "theirs" {g} .' for g in graphs[:3]]
    first = tmp_path / "a.nq"
    first.write_text("\n".join(lines[:50] + own + lines[50:]) + "\n", encoding="utf-8")
    second = tmp_path / "b.nq"
    second.write_text(_doc().rstrip("\n"), encoding="utf-8")
    calls = _whole_loads_counted(monkeypatch)
    whole = _ingest(tmp_path / "whole", [first, second], True, monkeypatch)
    assert calls == [["a.nq", "b.nq"]]
    # Streamed: the same files into a store that is not empty, then the extra graph dropped.
    streamed = tmp_path / "streamed"
    _ingest(streamed, [_bad_batch(tmp_path, f"<urn:x> <urn:y> <urn:z> <{ID}document/x> .\n")],
            True, monkeypatch)
    assert calls == [["a.nq", "b.nq"], ["bad.nq"]]  # it was empty then
    assert [r.status for r in _ingest(streamed, [first, second], True, monkeypatch)] == [
        r.status for r in whole]
    assert len(calls) == 2  # not empty: streamed
    with EmbeddedStore.open_write(streamed) as store:
        store.drop_graphs([f"{ID}document/x"])
    assert _quads(tmp_path / "whole") == _quads(streamed)
    assert '"theirs"' not in " ".join(_quads(streamed))


def test_a_batch_refused_while_loaded_whole_leaves_the_empty_store_empty(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "s"
    calls = _whole_loads_counted(monkeypatch)
    ghost = f"<{ID}report/s1/pub> <{PROV}wasAttributedTo> <{ID}source/ghost> <{ID}document/d1> ."
    with pytest.raises(ValidationError, match="'ghost' is not declared"):
        _ingest(store, [corpus / "nquads" / "corpus.nq", _bad_batch(tmp_path, _doc(ghost))],
                True, monkeypatch)
    assert calls == [["corpus.nq", "bad.nq"]]
    assert not (store / "oxigraph").exists() or _quads(store) == set()


def test_a_whole_file_load_that_never_committed_is_invisible_and_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a crash during a whole-file load leaves: its marker and some of its quads.
    Readers see an empty store; the next writer empties it."""
    import pyoxigraph as ox

    store = tmp_path / "s"
    with EmbeddedStore.open_write(store) as s:
        s.raw()  # created, empty
    raw = ox.Store(str(store / "oxigraph"))
    raw.update(f'INSERT DATA {{ GRAPH <{bulk.PENDING}> {{ <{bulk.EVERYTHING}> '
               f'<{PT}contentHash> "" }} }}')
    raw.load(_doc().encode(), format=ox.RdfFormat.N_QUADS)
    raw.flush()
    del raw
    from provenance.tracker import Tracker

    reader = EmbeddedStore.open_read(store, repair=False)
    try:
        assert Tracker(reader).statements() == []
        assert reader.graph_hashes() == {}
    finally:
        reader.close()
    with EmbeddedStore.open_write(store):
        pass  # opening for writing drops what never committed
    assert _quads(store) == set()


@pytest.mark.parametrize("fault", ["an I/O error", "the file cut short"])
def test_a_file_the_feeder_cannot_send_whole_refuses_the_batch_and_writes_nothing(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    """Loaded whole, a file must reach the loader whole: a load cut short is refused,
    never committed as if the rest of the file were not there."""
    import os

    pread, calls = os.pread, []
    whole_lines = (corpus / "nquads" / "corpus.nq").read_bytes()[:60_000].rfind(b"\n") + 1

    def failing(fd: int, count: int, offset: int) -> bytes:
        calls.append(offset)
        if len(calls) < 2:  # whole lines: valid N-Quads so far, loaded as chunks
            return pread(fd, min(count, whole_lines), offset)
        if fault == "an I/O error":
            raise OSError(5, "Input/output error")
        return b""  # the end of a file that was longer when it was measured

    store = tmp_path / "s"
    with EmbeddedStore.open_write(store) as s:
        s.raw()  # created, empty
    monkeypatch.setattr(bulk._Loader, "CHUNK", 4000)
    monkeypatch.setattr(os, "pread", failing)
    with pytest.raises(StoreError, match="the store refused the ingest"):
        _ingest(store, [corpus / "nquads" / "corpus.nq"], True, monkeypatch)
    assert len(calls) == 2
    assert _quads(store) == set()


def test_a_file_that_grows_while_it_is_loaded_whole_refuses_the_batch(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checks read more of a file than the loader was given (the file grew): the
    batch is refused, since what was checked is not what was loaded."""
    checked_bytes = bulk._Loader.checked_bytes

    def more(self: bulk._Loader, n: int) -> None:
        checked_bytes(self, n + 1)

    monkeypatch.setattr(bulk._Loader, "checked_bytes", more)
    store = tmp_path / "s"
    with EmbeddedStore.open_write(store) as s:
        s.raw()  # created, empty
    with pytest.raises(StoreError, match="did a file change"):
        _ingest(store, [corpus / "nquads" / "corpus.nq"], True, monkeypatch)
    assert _quads(store) == set()


def _chunks_counted(monkeypatch: pytest.MonkeyPatch, size: int) -> list[int]:
    """Give the loader chunks of about *size* bytes; list the bytes of each chunk."""
    chunks: list[int] = []
    put = bulk._Loader._put

    def counted(self: bulk._Loader, chunk: bytes | None) -> None:
        if chunk is not None:
            chunks.append(len(chunk))
        put(self, chunk)

    monkeypatch.setattr(bulk._Loader, "CHUNK", size)
    monkeypatch.setattr(bulk, "_BLOCK", 8192)  # blocks of the files read, smaller than that
    monkeypatch.setattr(bulk._Loader, "_put", counted)
    return chunks


@pytest.mark.parametrize("into", ["a new store (files whole)", "a store with the seed"])
@pytest.mark.parametrize("what", ["yaml", "nquads"])
def test_a_batch_loaded_in_many_chunks_stores_what_the_ordinary_path_stores(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, what: str, into: str
) -> None:
    """Many small bulk_load calls, two at a time, add up to the same store."""
    files = [corpus / "yaml"] if what == "yaml" else [corpus / "nquads" / "corpus.nq"]
    ref, fast = tmp_path / "ref", tmp_path / "fast"
    if into == "a store with the seed":
        _ingest(ref, [ROOT / "seeds"], False, monkeypatch)
        _ingest(fast, [ROOT / "seeds"], False, monkeypatch)
    _ingest(ref, files, False, monkeypatch)
    chunks = _chunks_counted(monkeypatch, 50_000)
    _ingest(fast, files, True, monkeypatch)
    assert len(chunks) > 10 and max(chunks) < 2 * 50_000
    if what == "nquads":
        assert sum(chunks) > files[0].stat().st_size  # the file, then its graphs' hashes
    assert _quads(fast, hashes=False) == _quads(ref, hashes=False)


def _blank_graph(graph: str, topics: int) -> str:
    """A document whose statement is about a blank node named in its first and last
    lines, with *topics* filler lines between them."""
    doc = _doc(f"<{ID}{graph}> <https://schema.org/about> _:topic <{ID}{graph}> .")
    doc = doc.replace("document/d1", graph).replace("statement/s1", f"statement/{graph}")
    doc = doc.replace("report/s1", f"report/{graph}")
    filler = "".join(f'_:topic <http://www.w3.org/2000/01/rdf-schema#comment> "note {i}" '
                     f"<{ID}{graph}> .\n" for i in range(topics))
    return doc + filler


@pytest.mark.parametrize("into", ["a new store (files whole)", "a store with the seed"])
def test_a_graph_whose_blank_node_spans_several_chunks_keeps_it_one_node(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, into: str
) -> None:
    """Each bulk_load call names blank nodes afresh: the chunks end where graphs end, so
    a document's blank node stays one node, even in a document larger than a chunk."""
    import pyoxigraph as ox

    (tmp_path / "in").mkdir()
    dump = tmp_path / "in" / "dump.nq"
    dump.write_text(_blank_graph("document/d1", 30) + _blank_graph("document/d2", 400)
                    + _blank_graph("document/d3", 30))
    store = tmp_path / "s"
    if into == "a store with the seed":
        _ingest(store, [ROOT / "seeds"], False, monkeypatch)
    chunks = _chunks_counted(monkeypatch, 4_000)
    _ingest(store, [dump], True, monkeypatch)
    assert len(chunks) >= 2  # d2 (40 kB) is held until it ends, never cut
    raw = ox.Store.read_only(str(store / "oxigraph"))
    for graph, lines in (("d1", 32), ("d2", 402), ("d3", 32)):
        g = ox.NamedNode(f"{ID}document/{graph}")
        blanks = [q.subject for q in raw.quads_for_pattern(None, None, None, g)
                  if isinstance(q.subject, ox.BlankNode)]
        blanks += [q.object for q in raw.quads_for_pattern(None, None, None, g)
                   if isinstance(q.object, ox.BlankNode)]
        assert len(blanks) == lines - 1 and len(set(blanks)) == 1, graph


def test_a_chunk_ends_at_its_last_line_unless_it_names_a_blank_node_then_where_a_graph_ends(
) -> None:
    a = b"<http://e/s> <http://e/p> <http://e/o> <http://e/a> .\n"
    b = b"<http://e/s> <http://e/p> <http://e/o> <http://e/b> .\n"
    blank_b = b"_:x <http://e/p> <http://e/o> <http://e/b> .\n"
    assert bulk._graph_cut(a + b + b) == len(a + b + b)  # no blank node: anywhere
    assert bulk._graph_cut(a + a + blank_b + b) == len(a + a)  # before graph b's lines
    assert bulk._graph_cut(blank_b + b + b"# a comment\n" + b) == 0  # all graph b
    assert bulk._graph_cut(a + blank_b + b"\n" + b) == len(a)  # blank lines are no graph


def test_the_converting_processes_have_ended_before_the_batch_is_checked_and_committed(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The YAML files are converted in two processes; once the last file is read they
    end, instead of holding their memory while the batch is checked and committed."""
    import multiprocessing
    import os

    if (os.cpu_count() or 1) < 2:
        pytest.skip("the conversion runs in this process with one core")
    seen: list[int] = []
    check = bulk._check_batch

    def counted(*args: object) -> None:
        seen.append(len(multiprocessing.active_children()))
        check(*args)

    monkeypatch.setattr(bulk, "_check_batch", counted)
    files = sorted((corpus / "yaml").glob("*.yaml"))
    assert len(files) >= 3  # enough for the converting processes
    converting: list[int] = []
    graphs = bulk._yaml_graphs

    def reading(*args: object) -> object:
        converting.append(len(multiprocessing.active_children()))
        return graphs(*args)

    monkeypatch.setattr(bulk, "_yaml_graphs", reading)
    _ingest(tmp_path / "s", files, True, monkeypatch)
    assert converting and min(converting) == 2  # converted in two other processes
    assert seen == [0]  # which had ended when the batch was checked


@pytest.mark.parametrize("into", ["a new store", "a store with the seed"])
@pytest.mark.parametrize("what", ["yaml", "nquads"])
def test_a_batch_is_loaded_with_its_hashes_and_pending_as_a_whole_only_into_an_empty_store(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, into: str, what: str
) -> None:
    """Before the commit, the new graphs hold their content hashes already (the commit's
    transaction need not insert them), and an empty store's load is pending as a whole
    (the commit need not remove a list of its graphs)."""
    import pyoxigraph as ox

    store = tmp_path / "s"
    if into == "a store with the seed":
        _ingest(store, [ROOT / "seeds"], False, monkeypatch)
    seen: dict[str, object] = {}
    write = bulk._write

    def committing(opened: EmbeddedStore, graphs: list, *args: object) -> list:
        raw = opened.raw()
        pending = ox.NamedNode(bulk.PENDING)
        seen["pending"] = {q.subject.value for q in raw.quads_for_pattern(None, None, None,
                                                                          pending)}
        seen["hashed"] = {q.graph_name.value for q in raw.quads_for_pattern(
            None, ox.NamedNode(PT + "contentHash"), None, None)}
        seen["new"] = {g.name for g in graphs}
        return write(opened, graphs, *args)

    monkeypatch.setattr(bulk, "_write", committing)
    results = _ingest(store, [corpus / "yaml" if what == "yaml" else corpus / "nquads"], True,
                      monkeypatch)
    new = seen["new"]
    assert {r.status for r in results} == {"added"}
    assert seen["hashed"] >= new  # type: ignore[operator]
    assert seen["pending"] == ({bulk.EVERYTHING} if into == "a new store" else new)
    ref = tmp_path / "ref"  # the hashes are those the ordinary path writes
    if into == "a store with the seed":
        _ingest(ref, [ROOT / "seeds"], False, monkeypatch)
    _ingest(ref, [corpus / what], False, monkeypatch)
    assert _quads(store) == _quads(ref)
