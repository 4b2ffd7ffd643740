"""``provenance sparql`` on the embedded store: formats, safety, errors, timeouts, parameters."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from provenance import sparql
from provenance.cli import cli
from provenance.errors import InputError
from provenance.store import EmbeddedStore
from provenance.vocab import PREFIXES, PT, statement_iri

ROOT = Path(__file__).resolve().parent.parent
STATEMENTS = "SELECT ?s WHERE { ?s a pt:Statement } ORDER BY ?s"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed in an embedded store, shared by the read-only tests of this module."""
    from provenance.ingest import ingest_files

    path = tmp_path_factory.mktemp("sparql") / "store"
    with EmbeddedStore.open_write(path) as s:
        ingest_files(s, [ROOT / "seeds"])
    return path


def run(store: Path, *args: str, input: str | None = None):
    return CliRunner().invoke(cli, ["--store", str(store), "sparql", *args], input=input)


def one_line_error(result) -> str:
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    return lines[0]


# ----------------------------------------------------------------- reading the query


def test_query_as_argument_file_and_stdin_give_the_same_answer(store: Path, tmp_path: Path
                                                               ) -> None:
    path = tmp_path / "q.rq"
    path.write_text(STATEMENTS)
    outs = [
        run(store, STATEMENTS, "--format", "json"),
        run(store, "-f", str(path), "--format", "json"),
        run(store, "--format", "json", input=STATEMENTS),
        run(store, "-f", "-", "--format", "json", input=STATEMENTS),
    ]
    assert all(o.exit_code == 0 for o in outs), [o.output for o in outs]
    assert len({o.output for o in outs}) == 1
    rows = json.loads(outs[0].output)["results"]["bindings"]
    assert {"type": "uri", "value": str(statement_iri("blinken-attends"))} in [r["s"] for r in rows]


def test_the_project_prefixes_are_declared_and_a_query_may_declare_its_own(store: Path) -> None:
    mine = "PREFIX pt: <https://w3id.org/provenance-tracker/ns#>\nPREFIX ex: <http://example.org/>\n"
    for text in (STATEMENTS, mine + STATEMENTS):
        result = run(store, text, "--format", "csv")
        assert result.exit_code == 0, result.output
        assert len(result.output.splitlines()) == 14


def test_two_ways_of_giving_the_query_at_once_are_refused(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text(STATEMENTS)
    result = run(store, STATEMENTS, "-f", str(path))
    assert result.exit_code == 2
    assert "one way" in one_line_error(result)


# ----------------------------------------------------------------- formats


def test_select_as_sparql_results_json(store: Path) -> None:
    result = run(store, "SELECT ?s ?text WHERE { ?s pt:text ?text } ORDER BY ?s LIMIT 2",
                 "--format", "json")
    doc = json.loads(result.output)
    assert doc["head"]["vars"] == ["s", "text"]
    first = doc["results"]["bindings"][0]
    assert first["s"]["type"] == "uri"
    assert first["text"]["type"] == "literal" and first["text"]["value"].startswith("Providing")


@pytest.mark.parametrize(
    ("fmt", "head"),
    [("csv", "s,text"), ("tsv", "?s\t?text"), ("xml", "<?xml"), ("table", "S")],
)
def test_select_in_every_results_format(store: Path, fmt: str, head: str) -> None:
    result = run(store, "SELECT ?s ?text WHERE { ?s pt:text ?text } ORDER BY ?s LIMIT 2",
                 "--format", fmt)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(head)
    if fmt == "table":
        assert "ptid:statement/aid-tranches-face-hurdles" in result.output
        assert result.output.rstrip().endswith("(2 rows)")
    if fmt == "xml":
        parsed = ox.parse_query_results(result.output.encode(), format=ox.QueryResultsFormat.XML)
        assert len(list(parsed)) == 2


@pytest.mark.parametrize(("fmt", "expected"), [("json", '"boolean": true'), ("table", "yes"),
                                               ("csv", "true"), ("xml", "<boolean>true")])
def test_ask(store: Path, fmt: str, expected: str) -> None:
    result = run(store, "ASK { ?s a pt:Statement }", "--format", fmt)
    assert result.exit_code == 0, result.output
    assert expected in result.output


@pytest.mark.parametrize(("fmt", "oxfmt"), [("ttl", "TURTLE"), ("nt", "N_TRIPLES"),
                                            ("jsonld", "JSON_LD"), ("trig", "TRIG")])
def test_construct_and_describe_print_rdf(store: Path, fmt: str, oxfmt: str) -> None:
    for query in ("CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s a pt:Source ; rdfs:label ?l }",
                  "DESCRIBE <https://w3id.org/provenance-tracker/id/source/tass>"):
        result = run(store, query, "--format", fmt)
        assert result.exit_code == 0, result.output
        triples = list(ox.parse(result.output.encode(), format=getattr(ox.RdfFormat, oxfmt)))
        assert any(getattr(t, "object", None) == ox.Literal("TASS") for t in triples)


def test_construct_defaults_to_turtle_and_refuses_a_results_format(store: Path) -> None:
    query = "CONSTRUCT WHERE { ?s rdfs:label ?l }"
    assert run(store, query).output.startswith("@prefix")
    result = run(store, query, "--format", "csv")
    assert result.exit_code == 2
    assert "ttl, nt, jsonld, trig" in one_line_error(result)
    result = run(store, STATEMENTS, "--format", "ttl")
    assert result.exit_code == 2


# ----------------------------------------------------------------- syntax errors


@pytest.mark.parametrize(
    ("query", "position"),
    [
        ("SELECT * WHERE { ?s ?p }", "1:18"),
        ("SELECT *\nWHERE {\n  ?s ?p ?o\n  ?a ?b\n}", "4:3"),
        ("SELECT ?x WHERE { ?x nope:thing ?y }", "1:22"),
        ("SELEC ?x WHERE { ?x ?y ?z }", "1:1"),
    ],
)
def test_a_syntax_error_is_one_line_with_line_and_column_and_exit_2(
    store: Path, query: str, position: str
) -> None:
    result = run(store, query)
    assert result.exit_code == 2
    line = one_line_error(result)
    assert line.startswith(f"Error: query:{position}: SPARQL syntax error"), line


def test_a_syntax_error_in_a_file_names_the_file(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "broken.rq"
    path.write_text("# a comment\nSELECT ?s WHERE {\n  ?s a pt:Statement\n  FILTER(\n}\n")
    result = run(store, "-f", str(path))
    assert result.exit_code == 2
    assert one_line_error(result).startswith(f"Error: {path}:")


def test_an_unknown_prefix_is_pointed_at_exactly() -> None:
    with pytest.raises(sparql.SparqlSyntaxError) as err:
        sparql.prepare("SELECT ?x\nWHERE { ?x a  foo:Bar }")
    assert (err.value.line, err.value.column) == (2, 15)
    assert "unknown prefix 'foo:'" in str(err.value)


# ----------------------------------------------------------------- read-only by default


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }",
        "DELETE WHERE { ?s ?p ?o }",
        "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "CLEAR ALL",
        "DROP ALL",
        "drop graph <https://w3id.org/provenance-tracker/id/document/blinken-brussels>",
        "CREATE GRAPH <urn:x>",
        "ADD DEFAULT TO <urn:x>",
        "MOVE DEFAULT TO <urn:x>",
        "COPY DEFAULT TO <urn:x>",
        "WITH <urn:x> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "PREFIX ex: <http://example.org/>\nINSERT { ex:a ex:b ?s } WHERE { ?s a pt:Statement }",
    ],
)
def test_an_update_is_refused_without_update_and_changes_nothing(store: Path, update: str
                                                                 ) -> None:
    before = run(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                 "--format", "csv").output
    result = run(store, update)
    assert result.exit_code == 2
    assert "read-only unless you pass --update" in one_line_error(result)
    after = run(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                "--format", "csv").output
    assert before == after


def test_update_with_update_changes_the_store(tmp_path: Path) -> None:
    path = tmp_path / "store"
    insert = "INSERT DATA { GRAPH <urn:mine> { <http://example.org/a> rdfs:label \"x\" } }"
    result = CliRunner().invoke(cli, ["--store", str(path), "sparql", "--update", insert])
    assert result.exit_code == 0, result.output
    ask = run(path, 'ASK { <http://example.org/a> rdfs:label "x" }', "--format", "csv")
    assert ask.output.strip() == "true"


# ----------------------------------------------------------------- no network unless asked


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 that records every request (and answers empty results)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            hits.append(self.path)
            body = b'{"head":{"vars":["s"]},"results":{"bindings":[]}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql", hits
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "select * where {{ ?x ?y ?z OPTIONAL {{ service silent <{url}> {{ ?s ?p ?o }} }} }}",
        "SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
        "SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    ],
)
def test_service_and_from_url_never_reach_the_network_without_allow_network(
    store: Path, listener: tuple[str, list[str]], template: str
) -> None:
    url, hits = listener
    result = run(store, template.format(url=url))
    assert result.exit_code == 2
    assert "--allow-network" in one_line_error(result)
    assert hits == []


def test_load_needs_allow_network_even_with_update(store: Path, listener) -> None:
    url, hits = listener
    result = run(store, "--update", f"LOAD <{url}>")
    assert result.exit_code == 2 and "--allow-network" in result.output
    assert hits == []


def test_with_allow_network_service_is_run(store: Path, listener) -> None:
    url, hits = listener
    result = run(store, "--allow-network", f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    assert len(hits) == 1


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ?service WHERE { ?service rdfs:label "SERVICE <http://example.org/>" }',
        "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o } # SERVICE <http://x/>",
        "SELECT * FROM <https://w3id.org/provenance-tracker/id/document/blinken-brussels> "
        "WHERE { ?s ?p ?o } LIMIT 1",
        "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:from ?load }",
    ],
)
def test_the_words_in_strings_iris_comments_and_names_are_not_keywords(query: str) -> None:
    assert sparql.prepare(query).form == "SELECT"


def test_virtuoso_sql_functions_are_refused_without_allow_network() -> None:
    with pytest.raises(InputError, match="SQL on a Virtuoso server"):
        sparql.prepare("PREFIX bif: <bif:> SELECT (bif:http_get('http://x/') AS ?x) WHERE {}")


# ----------------------------------------------------------------- timeouts


def test_timeout_stops_a_runaway_query(store: Path) -> None:
    started = time.monotonic()
    result = run(store, RUNAWAY, "--timeout", "1")
    assert time.monotonic() - started < 15
    assert result.exit_code == 1
    line = one_line_error(result)
    assert "ran for more than 1 s and was stopped" in line


def test_timeout_stops_a_runaway_update_and_nothing_is_written(tmp_path: Path) -> None:
    from provenance.ingest import ingest_files

    path = tmp_path / "store"
    with EmbeddedStore.open_write(path) as s:
        ingest_files(s, [ROOT / "seeds"])
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    before = run(path, count, "--format", "csv").output
    # (an update sees the store's real default graph: the documents are named graphs)
    update = ("INSERT { GRAPH <urn:junk> { ?a ?b ?x } } WHERE { GRAPH ?g1 { ?a ?b ?c } "
              "GRAPH ?g2 { ?d ?e ?f } GRAPH ?g3 { ?g ?h ?i } GRAPH ?g4 { ?j ?k ?l } "
              "BIND(CONCAT(STR(?c), STR(?f), STR(?i), STR(?l)) AS ?x) }")
    result = run(path, "--update", "--timeout", "1", update)
    assert result.exit_code == 1
    assert "nothing was written" in one_line_error(result)
    assert run(path, count, "--format", "csv").output == before
    # the writer's lock went with the worker: the store can be written again
    with EmbeddedStore.open_write(path, wait=5):
        pass


def test_a_quick_query_with_a_timeout_answers_as_without(store: Path) -> None:
    fast = run(store, STATEMENTS, "--format", "json", "--timeout", "30")
    assert fast.exit_code == 0, fast.output
    assert fast.output == run(store, STATEMENTS, "--format", "json").output


# ----------------------------------------------------------------- parameters


def test_a_library_query_by_name_with_an_id_an_iri_or_words(store: Path) -> None:
    outs = [
        run(store, "--query", "origins", "--param", f"statement={arg}", "--format", "json")
        for arg in ("blinken-attends", str(statement_iri("blinken-attends")),
                    "Blinken will take part")
    ]
    assert all(o.exit_code == 0 for o in outs), [o.output for o in outs]
    assert len({o.output for o in outs}) == 1
    rows = json.loads(outs[0].output)["results"]["bindings"]
    assert [r["source"]["value"].rsplit("/", 1)[-1] for r in rows] == ["us-official"]


@pytest.mark.parametrize(
    "nasty",
    [
        'x" } ?s ?p ?o . { "',
        "x' } . ?s ?p ?o {",
        '"""} } DROP ALL ; {{',
        "\\\" } UNION { ?s ?p ?o }",
        "ptid:statement/x> } ?s ?p ?o { <",
    ],
)
def test_a_parameter_with_quotes_or_braces_does_not_change_the_query(store: Path, nasty: str
                                                                      ) -> None:
    # a library query: the entity is minted into one IRI, nothing matches
    result = run(store, "--query", "statements-about", "--param", f"entity={nasty}",
                 "--format", "json")
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 0:
        assert json.loads(result.output)["results"]["bindings"] == []
    # an ad-hoc query: bound as one literal, which no text equals
    adhoc = run(store, "SELECT ?s ?text WHERE { ?s pt:text ?text }", "--param", f"text={nasty}",
                "--format", "json")
    assert adhoc.exit_code == 0, adhoc.output
    assert json.loads(adhoc.output)["results"]["bindings"] == []
    # the same through VALUES injection (what remote stores get)
    prepared = sparql.prepare("SELECT ?s ?text WHERE { ?s pt:text ?text }")
    text = sparql.inject_values(prepared, {"text": ox.Literal(nasty)})
    reparsed = sparql.prepare(text)
    backend = EmbeddedStore.open_read(store)
    assert sparql.execute(backend, reparsed).rows() == []


def test_an_ad_hoc_parameter_binds_like_a_constant(store: Path) -> None:
    text = "Blinken will take part in the first Ukraine-NATO Council meeting"
    result = run(store, "SELECT ?s ?text WHERE { ?s pt:text ?text }", "--param", f"text={text}",
                 "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1].startswith(str(statement_iri("blinken-attends")))


def test_library_errors_name_what_to_do(store: Path) -> None:
    unknown = run(store, "--query", "nope")
    assert unknown.exit_code == 2 and "origins" in one_line_error(unknown)
    missing = run(store, "--query", "origins")
    assert missing.exit_code == 2 and "--param statement=VALUE" in one_line_error(missing)
    extra = run(store, "--query", "origins", "--param", "statement=blinken-attends",
                "--param", "source=tass")
    assert extra.exit_code == 2 and "no parameter 'source'" in one_line_error(extra)
    bad = run(store, "--query", "origins", "--param", "statement=no-such-statement")
    assert bad.exit_code == 2


def test_list_shows_every_library_query(store: Path) -> None:
    result = run(store, "--list")
    assert result.exit_code == 0
    for name in sparql.library():
        assert name in result.output


def test_values_injection_answers_as_substitutions_for_every_library_query(store: Path) -> None:
    """What a remote store is sent answers exactly as what the embedded store runs."""
    from provenance.tracker import Tracker

    backend = EmbeddedStore.open_read(store)
    tracker = Tracker(backend)
    values = {"statement": "blinken-attends", "source": "tass", "entity": "Antony Blinken"}
    for query in sparql.library().values():
        bindings = {p.name: sparql.parse_param_value(p.kind, values[p.name], tracker)
                    for p in query.params}
        prepared = sparql.prepare(query.text, name=query.name)
        substituted = sparql.execute(backend, prepared, bindings).rows()
        injected = sparql.execute(
            backend, sparql.prepare(sparql.inject_values(prepared, bindings))).rows()
        key = lambda r: json.dumps(r, sort_keys=True)  # noqa: E731
        assert sorted(substituted, key=key) == sorted(injected, key=key), query.name
        if query.params:
            assert substituted, f"{query.name} found nothing for {values}"


def test_term_to_sparql_escapes_literals_and_refuses_bad_iris() -> None:
    assert sparql.term_to_sparql(ox.Literal('a"b\\c\nd')) == '"a\\"b\\\\c\\nd"'
    assert sparql.term_to_sparql(ox.Literal("x", language="en")) == '"x"@en'
    with pytest.raises(InputError, match="not an IRI"):
        sparql.parse_param_value("iri", "http://example.org/a b>", None)


# ----------------------------------------------------------------- the library files


def test_examples_queries_mirror_the_packaged_library() -> None:
    packaged = sorted(p.name for p in sparql.QUERIES_DIR.glob("*.rq"))
    examples = ROOT / "examples" / "queries"
    assert sorted(p.name for p in examples.glob("*.rq")) == packaged
    for name in packaged:
        assert (examples / name).read_bytes() == (sparql.QUERIES_DIR / name).read_bytes()


def test_every_library_query_says_what_it_answers_and_declares_its_parameters() -> None:
    queries = sparql.library()
    assert len(queries) == 10
    for query in queries.values():
        assert query.title and query.description, query.name
        projection = query.text.split("WHERE", 1)[0]
        for param in query.params:
            # pyoxigraph substitutes projected variables only
            assert f"?{param.name}" in projection, (query.name, param.name)
        prepared = sparql.prepare(query.text, name=query.name)
        assert prepared.form == "SELECT"


def test_every_pt_term_in_the_library_is_a_vocabulary_term() -> None:
    import re

    for query in sparql.library().values():
        for term in re.findall(r"\bpt:([A-Za-z]\w*)", query.text):
            getattr(PT, term)  # raises for a term the ontology does not declare


def test_prefixes_match_the_vocabulary() -> None:
    assert {"pt", "prov", "rdf", "rdfs", "xsd", "owl", "schema"} <= set(PREFIXES)
