"""Remote stores: the same answers on the embedded store, Virtuoso and Oxigraph server.

The servers are real, started on 127.0.0.1 by the fixtures of ``conftest.py``
(tests/servers.py); a test skips only when a server is not installed.
"""

from __future__ import annotations

import base64
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from provenance import sparql
from provenance.cli import cli
from provenance.errors import InputError, StoreError
from provenance.remote import QueryTimeout, RemoteStore
from provenance.store import GraphWrite
from provenance.tracker import Tracker

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
G = "https://w3id.org/provenance-tracker/id/document/remote-test"


@pytest.fixture(params=["virtuoso", "oxigraph"])
def server(request: pytest.FixtureRequest):
    """Each server in turn, emptied of the package's graphs."""
    srv = request.getfixturevalue(request.param)
    srv.reset()
    yield srv
    srv.reset()


def invoke(args: list[str], input: str | None = None):
    return CliRunner().invoke(cli, args, input=input)


def session(prefix: list[str]) -> dict[str, Any]:
    """The end-to-end session: ingest the seed, then ask the main questions."""
    out: dict[str, Any] = {}
    ingest = invoke([*prefix, "ingest", str(SEEDS)])
    assert ingest.exit_code == 0, ingest.output
    out["ingest"] = ingest.stdout.split("(")[0]
    again = invoke([*prefix, "ingest", str(SEEDS)])
    out["again"] = again.stdout.split("(")[0]
    for name, args in {
        "report": ["report", "--format", "json"],
        "origin": ["origin", "blinken-attends", "--format", "json"],
        "single-source": ["single-source", "--format", "json"],
        "impact": ["impact", "tass", "--format", "json"],
        "statements": ["statements", "--format", "json"],
        "sources": ["sources", "--format", "json"],
        "chain": ["chain", "blinken-attends", "--format", "json"],
    }.items():
        result = invoke([*prefix, *args])
        assert result.exit_code == 0, (name, result.output)
        out[name] = json.loads(result.output)
    for query, params in {
        "origins": ["--param", "statement=blinken-attends"],
        "single-origin": [],
        "rests-on-source": ["--param", "source=tass"],
        "unattributed": [],
    }.items():
        result = invoke([*prefix, "sparql", "--query", query, *params, "--format", "json"])
        assert result.exit_code == 0, (query, result.output)
        doc = json.loads(result.output)
        out[f"sparql {query}"] = sorted(
            json.dumps(row, sort_keys=True) for row in doc["results"]["bindings"]
        )
    csv = invoke([*prefix, "sparql", "SELECT ?s ?text WHERE { ?s pt:text ?text } ORDER BY ?s",
                  "--format", "csv"])
    out["sparql csv"] = csv.output
    return out


@pytest.fixture(scope="module")
def embedded_session(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    store = tmp_path_factory.mktemp("embedded") / "store"
    return session(["--store", str(store)])


def test_the_end_to_end_session_answers_as_the_embedded_store(
    server, embedded_session: dict[str, Any]
) -> None:
    remote = session(server.cli_args())
    assert remote["ingest"].startswith("added")
    assert remote["again"].startswith("unchanged")
    for key, expected in embedded_session.items():
        assert remote[key] == expected, f"{server.name}: {key} differs"
    assert remote["origin"]["rests_on"] == "us-official"


def test_the_export_reads_a_remote_store(server, tmp_path: Path) -> None:
    invoke([*server.cli_args(), "ingest", str(SEEDS)])
    store = tmp_path / "store"
    invoke(["--store", str(store), "ingest", str(SEEDS)])
    outs = []
    for prefix in (server.cli_args(), ["--store", str(store)]):
        result = invoke([*prefix, "export", "--format", "nq"])
        assert result.exit_code == 0, result.output
        # Virtuoso stores every integer type as xsd:integer (its numbers are native)
        text = result.output.replace("XMLSchema#nonNegativeInteger", "XMLSchema#integer")
        outs.append(sorted(text.splitlines()))
    assert outs[0] == outs[1]


def test_a_document_is_one_update_that_lands_whole_or_not_at_all(server) -> None:
    store = server.store()
    good = ['<http://example.org/a> <http://example.org/p> "one" .']
    store.write_graphs([GraphWrite(G, good, "h1")])
    broken = ['<http://example.org/a> <http://example.org/p> "two" .',
              '<http://example.org/b> <http://example.org/p> .']  # no object
    with pytest.raises(StoreError, match="was not written"):
        store.write_graphs([GraphWrite(G, broken, "h2")])
    rows = store.select(f"SELECT ?o WHERE {{ GRAPH <{G}> {{ <http://example.org/a> ?p ?o }} }}",
                        union=False)
    assert [r["o"] for r in rows] == ["one"]
    assert store.graph_hashes() == {G: "h1"}


def test_a_question_about_one_statement_fetches_only_its_subgraph(server, tmp_path: Path
                                                                  ) -> None:
    """With many other statements in the store, `origin` receives a handful of rows."""
    from provenance.generate import generate_corpus

    generate_corpus(tmp_path / "corpus", statements=300, seed=3, formats=("nquads",))
    nq = (tmp_path / "corpus" / "nquads" / "corpus.nq").read_text()
    store = server.store()
    store.update("INSERT DATA { " + _as_graphs(nq) + " }")
    invoke([*server.cli_args(), "ingest", str(SEEDS)])

    received: list[int] = []
    original = RemoteStore.results

    def counting(self: RemoteStore, *args: Any, **kwargs: Any) -> dict[str, Any]:
        doc = original(self, *args, **kwargs)
        received.append(len(doc.get("results", {}).get("bindings", [])))
        return doc

    total = len(store.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }"))
    RemoteStore.results = counting  # type: ignore[method-assign]
    try:
        origin = Tracker(store).origin("blinken-attends")
    finally:
        RemoteStore.results = original  # type: ignore[method-assign]
    assert origin["rests_on"] == "us-official"
    assert total > 5000
    assert sum(received) < 100, received


def _as_graphs(nquads: str) -> str:
    """N-Quads lines as the body of INSERT DATA (GRAPH blocks)."""
    by_graph: dict[str, list[str]] = {}
    for quad in ox.parse(nquads.encode(), format=ox.RdfFormat.N_QUADS):
        triple = f"{quad.subject} {quad.predicate} {quad.object} ."
        by_graph.setdefault(str(quad.graph_name), []).append(triple)
    return " ".join(f"GRAPH {g} {{ {' '.join(ts)} }}" for g, ts in by_graph.items())


def test_sparql_update_and_graph_queries_on_a_server(server) -> None:
    prefix = server.cli_args()
    refused = invoke([*prefix, "sparql", "INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> 1 } }"])
    assert refused.exit_code == 2
    insert = f'INSERT DATA {{ GRAPH <{G}> {{ <http://example.org/a> rdfs:label "x" }} }}'
    done = invoke([*prefix, "sparql", "--update", insert])
    assert done.exit_code == 0, done.output
    ask = invoke([*prefix, "sparql", 'ASK { <http://example.org/a> rdfs:label "x" }',
                  "--format", "csv"])
    assert ask.output.strip() == "true"
    construct = f"CONSTRUCT {{ ?s rdfs:label ?l }} WHERE {{ GRAPH <{G}> {{ ?s rdfs:label ?l }} }}"
    ttl = invoke([*prefix, "sparql", construct, "--format", "nt"])
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    assert ttl.output.strip() == f'<http://example.org/a> {label} "x" .'
    invoke([*prefix, "sparql", "--update", f"DROP GRAPH <{G}>"])


def test_a_parameter_with_quotes_and_braces_is_sent_as_one_term(server) -> None:
    invoke([*server.cli_args(), "ingest", str(SEEDS)])
    nasty = 'x" } ?s ?p ?o . { "'
    result = invoke([*server.cli_args(), "sparql", "SELECT ?s ?text WHERE { ?s pt:text ?text }",
                     "--param", f"text={nasty}", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["results"]["bindings"] == []


def test_a_runaway_query_on_a_server_is_stopped(server) -> None:
    invoke([*server.cli_args(), "ingest", str(SEEDS)])
    query = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
             "FILTER(STR(?c) < STR(?f) && STR(?f) < STR(?i)) }")
    result = invoke([*server.cli_args(), "sparql", query, "--timeout", "0.5"])
    assert result.exit_code == 1
    line = result.output.strip()
    assert "\n" not in line and ("stopped" in line or "did not answer" in line), line


# ----------------------------------------------------------------- failures, no server needed


def test_an_unreachable_endpoint_is_one_line_naming_it_and_exit_1() -> None:
    from servers import free_port

    url = f"http://127.0.0.1:{free_port()}/sparql"
    for args in (["report"], ["ingest", str(SEEDS)], ["sparql", "ASK {}"],
                 ["origin", "blinken-attends"]):
        result = invoke(["--endpoint", url, *args])
        assert result.exit_code == 1, result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and url in lines[0] and "Traceback" not in result.output
        assert "refused" in lines[0].lower()


def test_a_refusing_endpoint_names_the_http_status(oxigraph) -> None:
    url = oxigraph.endpoint.replace("/query", "/nowhere")
    result = invoke(["--endpoint", url, "report"])
    assert result.exit_code == 1
    line = result.output.strip()
    assert "\n" not in line and url in line and "HTTP 404" in line


def test_credentials_in_the_url_are_refused() -> None:
    with pytest.raises(InputError, match="PROVENANCE_ENDPOINT_USER"):
        RemoteStore("http://me:secret@127.0.0.1:1/sparql")
    result = invoke(["--endpoint", "ftp://127.0.0.1/sparql", "report"])
    assert result.exit_code == 2


def test_store_and_endpoint_exclude_each_other(tmp_path: Path) -> None:
    result = invoke(["--store", str(tmp_path), "--endpoint", "http://127.0.0.1:1/q", "report"])
    assert result.exit_code == 2 and "exclude each other" in result.output


class _Fake(http.server.BaseHTTPRequestHandler):
    """A SPARQL endpoint that wants Basic credentials and answers like Virtuoso."""

    headers_out: dict[str, str] = {}
    seen: list[dict[str, str]] = []

    def do_POST(self) -> None:  # noqa: N802
        type(self).seen.append(dict(self.headers))
        expected = "Basic " + base64.b64encode(b"alice:s3cret").decode()
        if self.headers.get("Authorization") != expected:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="sparql"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = json.dumps({"head": {"link": [], "vars": ["b"]}, "results": {
            "distinct": False, "bindings": [{"b": {
                "type": "typed-literal", "value": "1",
                "datatype": "http://www.w3.org/2001/XMLSchema#boolean"}}]}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        for k, v in type(self).headers_out.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def fake() -> Iterator[str]:
    _Fake.headers_out = {}
    _Fake.seen = []
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Fake)
    threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}/sparql"
    finally:
        srv.shutdown()
        srv.server_close()


def test_credentials_come_from_the_environment(fake: str) -> None:
    env = {"PROVENANCE_ENDPOINT_USER": "alice", "PROVENANCE_ENDPOINT_PASSWORD": "s3cret"}
    rows = RemoteStore(fake, environ=env).select("SELECT ?b WHERE {}")
    assert rows == [{"b": "true"}]  # Virtuoso's typed-literal 1, made canonical
    with pytest.raises(StoreError, match="HTTP 401"):
        RemoteStore(fake, environ={}).select("SELECT ?b WHERE {}")


def test_a_partial_answer_is_an_error_not_a_result(fake: str) -> None:
    env = {"PROVENANCE_ENDPOINT_USER": "alice", "PROVENANCE_ENDPOINT_PASSWORD": "s3cret"}
    _Fake.headers_out = {"X-SQL-State": "S1TAT", "X-SQL-Message": "RC...: incomplete results"}
    with pytest.raises(QueryTimeout, match="stopped the query"):
        RemoteStore(fake, environ=env).select("SELECT ?b WHERE {}")
    _Fake.headers_out = {"X-SPARQL-MaxRows": "10000"}
    with pytest.raises(StoreError, match="cut the answer at 10000 rows"):
        RemoteStore(fake, environ=env).select("SELECT ?b WHERE {}")


def test_virtuoso_digest_credentials(virtuoso) -> None:
    """Virtuoso's authenticated endpoint (/sparql-auth) speaks HTTP Digest."""
    url = virtuoso.endpoint + "-auth"
    env = {"PROVENANCE_ENDPOINT_USER": "dba", "PROVENANCE_ENDPOINT_PASSWORD": "dba"}
    assert RemoteStore(url, environ=env).select("SELECT (1 AS ?one) WHERE {}") == [{"one": "1"}]
    with pytest.raises(StoreError, match="HTTP 401"):
        RemoteStore(url, environ={}).select("SELECT (1 AS ?one) WHERE {}")


def test_values_injection_reaches_the_outer_where_of_every_form() -> None:
    term = {"x": ox.NamedNode("http://example.org/x")}
    for text, expected in [
        ("SELECT ?x WHERE { ?x ?p ?o }", "WHERE { VALUES"),
        ("SELECT ?x { ?x ?p ?o }", "SELECT ?x { VALUES"),
        ("CONSTRUCT { ?x ?p ?o } WHERE { ?x ?p ?o }", "WHERE { VALUES"),
        ("CONSTRUCT { ?x ?p ?o } { ?x ?p ?o }", "} { VALUES"),
        ("ASK { ?x ?p ?o }", "ASK { VALUES"),
    ]:
        injected = sparql.inject_values(sparql.prepare(text), term)
        assert expected in injected, injected
        sparql.prepare(injected)  # still parses
