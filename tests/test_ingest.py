"""Ingest: YAML and every RDF format, named graphs, replacement, and bad input.

Bad input is checked through the CLI: one line on stderr naming the file and the
line or the item, exit code 2, no traceback, and a store whose content is exactly
what it was before (a sorted N-Quads dump compared before and after).
"""

from __future__ import annotations

import http.server
import json
import shutil
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, URIRef

from provenance.annotation import load_yaml_units
from provenance.cli import cli
from provenance.errors import InputError
from provenance.ingest import IngestResult, ingest_files, validate_files
from provenance.store import EmbeddedStore
from provenance.tracker import Tracker
from provenance.vocab import ID, document_iri, source_iri, statement_iri

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_YAML = SEEDS / "blinken-brussels.yaml"
SEED_DOC = str(document_iri("blinken-brussels"))


# ------------------------------------------------------------------ helpers


def ingest(store: Path, *files: Path) -> list[IngestResult]:
    with EmbeddedStore.open_write(store) as backend:
        return ingest_files(backend, list(files))


def dump(store: Path) -> list[str]:
    """The store's content as sorted N-Quads lines (empty if there is no store)."""
    import pyoxigraph as ox

    if not (store / "oxigraph").is_dir():
        return []
    db = ox.Store.read_only(str(store / "oxigraph"))
    try:
        return sorted(db.dump(format=ox.RdfFormat.N_QUADS).decode("utf-8").splitlines())
    finally:
        del db


def tracker(store: Path) -> Tracker:
    return Tracker(EmbeddedStore.open_read(store))


def graphs(store: Path) -> set[str]:
    rows = EmbeddedStore.open_read(store).select(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", union=False
    )
    return {r["g"] for r in rows}


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def article(doc: str, publisher: str, chains: str, declare: str = "", sid: str = "s1") -> str:
    """A small annotation: *publisher* relays statement *sid* through *chains*.

    *declare* holds more source declarations, one ``id: {label: ...}`` a line.
    """
    lines = [
        f"document: {{id: {doc}, publisher: {publisher}}}",
        "sources:",
        f"  {publisher}: {{label: {publisher.title()}, type: organization}}",
        *(f"  {line}" for line in declare.splitlines()),
        "statements:",
        f"  - id: {sid}",
        "    text: The minister resigned on Monday",
        "    triple: [the minister, resigned on, Monday]",
        f"    according_to: {chains}",
    ]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pristine") / "store"
    ingest(path, SEEDS)
    return path


@pytest.fixture
def seeded(pristine: Path, tmp_path: Path) -> Path:
    """A private copy of a store holding the seed."""
    path = tmp_path / "seeded"
    shutil.copytree(pristine, path)
    return path


@pytest.fixture(scope="module")
def seed_answers(pristine: Path) -> list[dict]:
    return tracker(pristine).report()


@pytest.fixture(scope="module")
def seed_rdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed's graph serialised by rdflib in every RDF format we read."""
    folder = tmp_path_factory.mktemp("seed-rdf")
    (unit,) = load_yaml_units(SEED_YAML)
    plain = Graph()
    dataset = Dataset()
    named = dataset.graph(unit.graph)
    for triple in unit.triples:
        plain.add(triple)
        named.add(triple)
    for fmt, suffix, graph in [
        ("turtle", "ttl", plain),
        ("nt", "nt", plain),
        ("xml", "rdf", plain),
        ("trig", "trig", dataset),
        ("nquads", "nq", dataset),
        ("json-ld", "jsonld", dataset),
    ]:
        (folder / f"seed.{suffix}").write_text(graph.serialize(format=fmt), encoding="utf-8")
    return folder


# ------------------------------------------------------------------ formats


def test_the_yaml_seed_lands_in_the_named_graph_of_its_document(pristine: Path) -> None:
    assert graphs(pristine) == {SEED_DOC}


@pytest.mark.parametrize("suffix", ["ttl", "trig", "nt", "nq", "jsonld", "rdf"])
def test_every_rdf_format_of_the_seed_gives_the_same_answers_as_the_yaml(
    seed_rdf: Path, tmp_path: Path, suffix: str, seed_answers: list[dict]
) -> None:
    store = tmp_path / "store"
    (result,) = ingest(store, seed_rdf / f"seed.{suffix}")
    assert (result.graph, result.status) == (SEED_DOC, "added")
    assert graphs(store) == {SEED_DOC}
    assert tracker(store).report() == seed_answers


def test_an_rdf_file_with_relative_iris_resolves_them_against_the_file(tmp_path: Path) -> None:
    turtle = write(
        tmp_path,
        "rel.ttl",
        """\
        @prefix pt: <https://w3id.org/provenance-tracker/ns#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <#somebody> a pt:Source ; rdfs:label "Somebody" .
        """,
    )
    (result,) = ingest(tmp_path / "store", turtle)
    assert result.status == "added"
    assert result.graph == f"{ID}file/rel"


def test_a_directory_ingests_every_supported_file_in_it(tmp_path: Path, seed_rdf: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder, "a.yaml", article("doc-a", "outlet-a", "[[press]]", "press: {label: Press}"))
    shutil.copy(seed_rdf / "seed.ttl", folder / "seed.ttl")
    write(folder, "notes.txt", "not an annotation")
    results = ingest(tmp_path / "store", folder)
    assert sorted(r.graph for r in results) == sorted([str(document_iri("doc-a")), SEED_DOC])
    assert graphs(tmp_path / "store") == {str(document_iri("doc-a")), SEED_DOC}


def test_a_file_named_twice_in_one_ingest_is_read_once(tmp_path: Path) -> None:
    results = ingest(tmp_path / "store", SEEDS, SEED_YAML, SEEDS / "." / SEED_YAML.name)
    assert [(r.graph, r.status) for r in results] == [(SEED_DOC, "added")]


def test_each_document_goes_into_a_named_graph_of_its_own(tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", article("doc-a", "outlet-a", "[[press]]", "press: {label: P}"))
    b = write(tmp_path, "b.yaml", article("doc-b", "outlet-b", "[[press]]"))
    store = tmp_path / "store"
    ingest(store, a, b)
    assert graphs(store) == {str(document_iri("doc-a")), str(document_iri("doc-b"))}
    rows = EmbeddedStore.open_read(store).select(
        f"SELECT ?g WHERE {{ GRAPH ?g {{ ?r prov:wasAttributedTo <{source_iri('outlet-b')}> }} }}",
        union=False,
    )
    assert {r["g"] for r in rows} == {str(document_iri("doc-b"))}


# ------------------------------------------------------------------ re-ingest


def test_reingesting_the_same_file_changes_nothing(seeded: Path) -> None:
    before = dump(seeded)
    (result,) = ingest(seeded, SEED_YAML)
    assert result.status == "unchanged"
    assert dump(seeded) == before


@pytest.mark.parametrize("suffix", ["ttl", "nq"])
def test_reingesting_the_same_rdf_file_changes_nothing(
    seed_rdf: Path, tmp_path: Path, suffix: str
) -> None:
    store = tmp_path / "store"
    ingest(store, seed_rdf / f"seed.{suffix}")
    before = dump(store)
    (result,) = ingest(store, seed_rdf / f"seed.{suffix}")
    assert result.status == "unchanged"
    assert dump(store) == before


def test_an_export_of_the_store_reingests_as_unchanged(seeded: Path, tmp_path: Path) -> None:
    exported = tmp_path / "export.nq"
    exported.write_text("\n".join(dump(seeded)) + "\n", encoding="utf-8")
    store = tmp_path / "copy"
    ingest(store, exported)
    first = dump(store)
    (result,) = ingest(store, exported)
    assert result.status == "unchanged"
    assert dump(store) == first
    assert sum("contentHash" in line for line in first) == 1


def test_a_changed_version_replaces_the_documents_graph(tmp_path: Path) -> None:
    store = tmp_path / "store"
    path = write(tmp_path, "a.yaml", article("doc-a", "outlet-a", "[[press]]", "press: {label: P}"))
    ingest(store, path)
    changed = article("doc-a", "outlet-a", "[[tass]]", "tass: {label: TASS}", sid="s2")
    path.write_text(changed.replace("resigned on Monday", "stayed"), encoding="utf-8")
    (result,) = ingest(store, path)
    assert result.status == "replaced"
    text = "\n".join(dump(store))
    assert str(statement_iri("s1")) not in text
    assert "resigned on Monday" not in text
    assert "source/press" not in text
    assert tracker(store).origin("s2")["chains"] == [["tass"]]


def test_replacing_one_document_leaves_the_others_alone(seeded: Path, tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", article("doc-a", "outlet-a", "[[press]]", "press: {label: P}"))
    ingest(seeded, path)
    seed_lines = [line for line in dump(seeded) if line.endswith(f"<{SEED_DOC}> .")]
    path.write_text(article("doc-a", "outlet-a", "[[other]]", "other: {label: O}"))
    ingest(seeded, path)
    assert [line for line in dump(seeded) if line.endswith(f"<{SEED_DOC}> .")] == seed_lines


# ------------------------------------------------------------------ identity across files


def test_two_documents_citing_one_press_service_have_one_independent_source(
    tmp_path: Path,
) -> None:
    a = write(tmp_path, "a.yaml", article("doc-a", "outlet-a", "[[press]]", "press: {label: P}"))
    b = write(tmp_path, "b.yaml", article("doc-b", "outlet-b", "[[press]]"))
    store = tmp_path / "store"
    ingest(store, a, b)
    origin = tracker(store).origin("s1")
    assert origin["independent_sources"] == 1
    assert origin["single_source"] is True
    assert origin["rests_on"] == "press"
    assert [o["source"] for o in origin["origins"]] == ["press"]


def test_two_documents_with_different_origins_have_two_independent_sources(
    tmp_path: Path,
) -> None:
    a = write(tmp_path, "a.yaml", article("doc-a", "outlet-a", "[[press]]", "press: {label: P}"))
    b = write(tmp_path, "b.yaml", article("doc-b", "outlet-b", "[[police]]", "police: {label: Q}"))
    store = tmp_path / "store"
    ingest(store, a, b)
    origin = tracker(store).origin("s1")
    assert origin["independent_sources"] == 2
    assert origin["rests_on"] is None


def test_chains_from_two_documents_meet_at_a_shared_relay(tmp_path: Path) -> None:
    a = write(
        tmp_path,
        "a.yaml",
        article("doc-a", "outlet-a", "[[tass, press]]", "tass: {label: T}\npress: {label: P}"),
    )
    b = write(tmp_path, "b.yaml", article("doc-b", "outlet-b", "[[tass, press]]"))
    store = tmp_path / "store"
    ingest(store, a)
    ingest(store, b)
    origin = tracker(store).origin("s1")
    assert origin["chains"] == [["tass", "press"]]
    assert origin["independent_sources"] == 1
    statements = tracker(store).statements()
    assert [s["id"] for s in statements] == ["s1"]


def test_sources_declared_in_one_file_serve_another_in_the_same_batch(tmp_path: Path) -> None:
    shared = write(tmp_path, "shared.yaml", "sources:\n  press: {label: Press service}\n")
    b = write(tmp_path, "b.yaml", article("doc-b", "outlet-b", "[[press]]"))
    store = tmp_path / "store"
    results = ingest(store, b, shared)
    assert {r.status for r in results} == {"added"}
    assert tracker(store).origin("s1")["origins"][0]["label"] == "Press service"


def test_sources_declared_in_an_earlier_batch_serve_a_later_one(tmp_path: Path) -> None:
    store = tmp_path / "store"
    ingest(store, write(tmp_path, "shared.yaml", "sources:\n  press: {label: Press service}\n"))
    ingest(store, write(tmp_path, "b.yaml", article("doc-b", "outlet-b", "[[press]]")))
    assert tracker(store).origin("s1")["rests_on"] == "press"


def test_a_source_declared_only_in_the_document_being_replaced_does_not_count(
    tmp_path: Path,
) -> None:
    store = tmp_path / "store"
    path = write(tmp_path, "a.yaml", article("doc-a", "outlet-a", "[[press]]", "press: {label: P}"))
    ingest(store, path)
    path.write_text(article("doc-a", "outlet-a", "[[press]]"), encoding="utf-8")
    before = dump(store)
    with pytest.raises(InputError, match="source 'press' is not declared"):
        ingest(store, path)
    assert dump(store) == before


def test_validate_files_checks_without_writing(tmp_path: Path) -> None:
    units = validate_files([SEED_YAML])
    assert [str(u.graph) for u in units] == [SEED_DOC]
    assert not (tmp_path / "store").exists()


# ------------------------------------------------------------------ bad input via the CLI


def run_ingest(store: Path, *files: Path):
    result = CliRunner().invoke(cli, ["--store", str(store), "ingest", *map(str, files)])
    return result


def assert_refused(result, store: Path, before: list[str], *fragments: str) -> str:
    """Exit 2, one line on stderr naming what is given, no traceback, store unchanged."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    for fragment in fragments:
        assert fragment in line, line
    assert dump(store) == before
    return line


YAML_SYNTAX = """\
document: {id: bad, publisher: wire}
sources:
  wire: {label: Wire
statements: []
"""

UNDECLARED = """\
document: {id: bad, publisher: wire}
sources:
  wire: {label: Wire}
statements:
  - id: s9
    text: Something happened
    triple: [something, happened, today]
    according_to:
      - [ghost]
"""

NO_TEXT = """\
document: {id: bad, publisher: wire}
sources:
  wire: {label: Wire}
statements:
  - id: s9
    triple: [something, happened, today]
"""

TWO_ITEMS = """\
document: {id: bad, publisher: wire}
sources:
  wire: {label: Wire}
statements:
  - id: s9
    text: Something happened
    triple: [something, happened]
"""

TURTLE_SYNTAX = """\
@prefix pt: <https://w3id.org/provenance-tracker/ns#> .
<http://example.org/s> a pt:Statement
<http://example.org/t> a pt:Statement .
"""

TURTLE_SHAPES = """\
@prefix pt: <https://w3id.org/provenance-tracker/ns#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
<http://example.org/s> a pt:Statement ;
    rdf:subject <http://example.org/a> ; rdf:predicate <http://example.org/b> ;
    rdf:object <http://example.org/c> .
"""

XXE = """\
<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="http://example.org/x"><rdfs:label>&secret;</rdfs:label>
  </rdf:Description>
</rdf:RDF>
"""


@pytest.mark.parametrize(
    ("name", "text", "fragments"),
    [
        ("bad.yaml", YAML_SYNTAX, ["bad.yaml:4:", "YAML syntax error"]),
        ("bad.yaml", UNDECLARED, ["bad.yaml:9:", "source 'ghost' is not declared"]),
        ("bad.yaml", NO_TEXT, ["bad.yaml:5:", "statements[0] has no 'text'"]),
        ("bad.yaml", TWO_ITEMS, ["bad.yaml:7:", "statements[0].triple has 2 items"]),
        ("bad.ttl", TURTLE_SYNTAX, ["bad.ttl:3:", "turtle syntax error"]),
        ("bad.ttl", TURTLE_SHAPES, ["bad.ttl", "pt:text", "(SHACL)"]),
        ("bad.rdf", XXE, ["bad.rdf", "external entities"]),
        ("bad.jsonld", '{"@id": "x",\n "a": }', ["bad.jsonld:2:", "JSON-LD syntax error"]),
        ("notes.docx", "hello", ["notes.docx", "unsupported file type"]),
    ],
    ids=[
        "yaml-syntax",
        "undeclared-source",
        "missing-text",
        "triple-of-two",
        "turtle-syntax",
        "turtle-violates-shapes",
        "xml-external-entity",
        "jsonld-syntax",
        "unknown-file-type",
    ],
)
def test_bad_input_is_refused_in_one_line_with_exit_2_and_the_store_unchanged(
    seeded: Path, tmp_path: Path, name: str, text: str, fragments: list[str]
) -> None:
    before = dump(seeded)
    path = write(tmp_path, name, text)
    assert_refused(run_ingest(seeded, path), seeded, before, *fragments)


def test_a_missing_file_is_refused(seeded: Path, tmp_path: Path) -> None:
    before = dump(seeded)
    line = assert_refused(run_ingest(seeded, tmp_path / "nope.yaml"), seeded, before)
    assert "nope.yaml" in line and "no such file" in line


def test_a_folder_without_supported_files_is_refused(seeded: Path, tmp_path: Path) -> None:
    write(tmp_path, "readme.md", "nothing")
    before = dump(seeded)
    assert_refused(run_ingest(seeded, tmp_path), seeded, before, "no supported file")


def test_a_bad_second_file_keeps_the_first_out_of_the_store(seeded: Path, tmp_path: Path) -> None:
    good = write(
        tmp_path, "good.yaml", article("doc-good", "outlet", "[[press]]", "press: {label: P}")
    )
    bad = write(tmp_path, "bad.yaml", UNDECLARED)
    before = dump(seeded)
    assert_refused(run_ingest(seeded, good, bad), seeded, before, "bad.yaml:9:")
    assert "doc-good" not in "\n".join(dump(seeded))


def test_a_failed_first_ingest_leaves_no_data_behind(tmp_path: Path) -> None:
    store = tmp_path / "fresh"
    result = run_ingest(store, write(tmp_path, "bad.yaml", NO_TEXT))
    assert result.exit_code == 2
    assert dump(store) == []


def test_a_document_id_in_two_files_of_one_batch_is_refused(seeded: Path, tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", article("same", "outlet-a", "[[press]]", "press: {label: P}"))
    b = write(tmp_path, "b.yaml", article("same", "outlet-b", "[[press]]"))
    before = dump(seeded)
    assert_refused(run_ingest(seeded, a, b), seeded, before, "b.yaml", "'same'", "a.yaml")


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        _Recorder.hits.append(self.path)
        body = json.dumps({"@context": {"name": "http://schema.org/name"}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def context_server() -> Iterator[str]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Recorder.hits = []
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/context.jsonld"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    "shape",
    [
        lambda url: {"@context": url, "@id": "http://example.org/x", "name": "x"},
        lambda url: {"@context": [url, {"a": "http://example.org/a"}], "@id": "http://e.org/x"},
        lambda url: {"@graph": [{"@context": url, "@id": "http://example.org/x"}]},
    ],
    ids=["string", "in-a-list", "nested"],
)
def test_a_remote_jsonld_context_is_refused_and_never_fetched(
    seeded: Path, tmp_path: Path, context_server: str, shape
) -> None:
    path = tmp_path / "remote.jsonld"
    path.write_text(json.dumps(shape(context_server)), encoding="utf-8")
    before = dump(seeded)
    assert_refused(run_ingest(seeded, path), seeded, before, "remote.jsonld", "remote @context")
    assert _Recorder.hits == []
    result = CliRunner().invoke(cli, ["--store", str(seeded), "validate", str(path)])
    assert result.exit_code == 2
    assert _Recorder.hits == []


def test_an_inline_jsonld_context_is_accepted(tmp_path: Path) -> None:
    doc = {
        "@context": {
            "pt": "https://w3id.org/provenance-tracker/ns#",
            "label": "http://www.w3.org/2000/01/rdf-schema#label",
        },
        "@id": "https://w3id.org/provenance-tracker/id/source/press",
        "@type": "pt:Source",
        "label": "Press service",
    }
    path = tmp_path / "inline.jsonld"
    path.write_text(json.dumps(doc), encoding="utf-8")
    (result,) = ingest(tmp_path / "store", path)
    assert result.status == "added"
    rows = EmbeddedStore.open_read(tmp_path / "store").select(
        f"SELECT ?l WHERE {{ <{source_iri('press')}> rdfs:label ?l }}"
    )
    assert rows == [{"l": "Press service"}]
    assert URIRef(result.graph) == URIRef(f"{ID}file/inline")


def test_a_statement_id_reused_with_another_text_is_refused(seeded: Path, tmp_path: Path) -> None:
    other = write(
        tmp_path,
        "other.yaml",
        article("doc-other", "outlet", "[[press]]", "press: {label: P}", sid="blinken-attends"),
    )
    before = dump(seeded)
    line = assert_refused(
        run_ingest(seeded, other), seeded, before, "other.yaml", "'blinken-attends'",
        "blinken-brussels",
    )
    assert "same claim" in line


def test_a_statement_id_with_two_texts_in_one_batch_is_refused(
    seeded: Path, tmp_path: Path
) -> None:
    a = write(tmp_path, "a.yaml", article("doc-a", "outlet-a", "[[press]]", "press: {label: P}"))
    b_text = article("doc-b", "outlet-b", "[[press]]").replace(
        "The minister resigned on Monday", "The minister resigned on Tuesday"
    )
    b = write(tmp_path, "b.yaml", b_text)
    before = dump(seeded)
    assert_refused(run_ingest(seeded, a, b), seeded, before, "b.yaml", "'s1'", "a.yaml")


def test_a_refused_first_ingest_leaves_no_store_behind(tmp_path: Path) -> None:
    store = tmp_path / "fresh"
    run_ingest(store, write(tmp_path, "bad.yaml", NO_TEXT))
    result = CliRunner().invoke(cli, ["--store", str(store), "report"])
    assert result.exit_code == 2
    assert "provenance ingest" in result.stderr


def test_an_article_text_is_extracted_then_ingested_and_says_so(tmp_path: Path) -> None:
    store = tmp_path / "store"
    article_file = SEEDS / "000_49eb005a14291dad.txt"
    result = CliRunner().invoke(cli, ["--store", str(store), "ingest", str(article_file)])
    assert result.exit_code == 0, result.output
    assert "extracted" in result.stderr and "provenance extract" in result.stderr
    answers = tracker(store).report()
    chains = [c for row in answers for c in row["chains"]]
    assert ["tass", "ministry-of-foreign-affairs-press-service"] in chains
    # The extracted publisher belongs to this article alone.
    unattributed = [row for row in answers if row["unattributed"]]
    assert unattributed
    assert {row["rests_on"] for row in unattributed} == {"000-49eb005a14291dad-publisher"}


def test_a_folder_does_not_extract_the_text_files_it_holds(tmp_path: Path) -> None:
    # seeds/ holds the article and its hand annotation: only the annotation is ingested.
    results = ingest(tmp_path / "store", SEEDS)
    assert [Path(r.where).name for r in results] == ["blinken-brussels.yaml"]
