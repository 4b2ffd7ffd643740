"""`provenance export`: every format read back by an independent reader, and the errors."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from conftest import SEEDS

from provenance.cli import cli
from provenance.cli_export import FORMAT_NAMES
from provenance.export import EDGE_DEFAULTS, FORMATS, NODE_DEFAULTS, export, select
from provenance.ingest import ingest_files
from provenance.store import EmbeddedStore
from provenance.tracker import Tracker

# The seed: 13 statements, 25 reports (13 publisher relays + 12 in chains), 11 sources;
# edges: 13 asserts, 12 cites, 25 said_by, 2 acts_for.
SEED_COUNTS = {"statement": 13, "report": 25, "source": 11}
SEED_EDGES = {"asserts": 13, "cites": 12, "said_by": 25, "acts_for": 2}
SEED_NODES = sum(SEED_COUNTS.values())
SEED_EDGE_COUNT = sum(SEED_EDGES.values())
SVG = "{http://www.w3.org/2000/svg}"

CYCLE_YAML = """\
document: {id: loop-doc, title: A loop, publisher: wire}
sources:
  wire: {label: Wire, type: organization}
  alpha: {label: Alpha Agency, type: organization}
  beta: {label: Beta Daily, type: organization}
  gamma: {label: Gamma official, type: person, anonymous: true}
statements:
  - id: loop-claim
    text: The bridge will reopen in May
    triple: [the bridge, reopens in, May]
    according_to: [[alpha, beta], [beta, alpha]]
  - id: plain-claim
    text: The mayor confirmed the budget
    triple: [the mayor, confirmed, the budget]
    according_to: [[alpha, gamma], [beta]]
"""


def _ingest(path: Path, *sources: Path) -> Path:
    with EmbeddedStore.open_write(path) as store:
        ingest_files(store, list(sources))
    return path


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _ingest(tmp_path_factory.mktemp("export") / "store", SEEDS)


@pytest.fixture(scope="module")
def cycle_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cycle")
    (folder / "loop.yaml").write_text(CYCLE_YAML, encoding="utf-8")
    return _ingest(folder / "store", folder / "loop.yaml")


@pytest.fixture(scope="module")
def exported(seed_store: Path) -> dict[str, bytes]:
    """Every format of the whole seed store, exported once through the CLI."""
    runner = CliRunner()
    out: dict[str, bytes] = {}
    for fmt in FORMATS:
        if fmt in ("svg", "html") and shutil.which("dot") is None:
            continue
        result = runner.invoke(cli, ["--store", str(seed_store), "export", "--format", fmt])
        assert result.exit_code == 0, result.output
        out[fmt] = result.stdout_bytes
    return out


def _run(store: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--store", str(store), "export", *args])
    return result.exit_code, result.stdout, result.stderr


def _tracker(store: Path) -> Tracker:
    return Tracker(EmbeddedStore.open_read(store))


def _needs_dot() -> None:
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed (apt-get install graphviz)")


# ------------------------------------------------------------------ the graph


def test_cli_lists_every_registered_format() -> None:
    assert tuple(FORMATS) == FORMAT_NAMES


def test_export_graph_has_statements_reports_and_sources(seed_store: Path) -> None:
    G = select(_tracker(seed_store)).graph
    assert Counter(k for _, k in G.nodes(data="kind")) == SEED_COUNTS
    assert Counter(k for *_, k in G.edges(data="kind")) == SEED_EDGES


def test_every_attribute_is_scalar_and_present_everywhere(seed_store: Path) -> None:
    G = select(_tracker(seed_store)).graph
    for _, data in G.nodes(data=True):
        assert set(data) == set(NODE_DEFAULTS)
        assert all(type(data[k]) is type(v) for k, v in NODE_DEFAULTS.items())
    for *_, data in G.edges(data=True):
        assert set(data) == set(EDGE_DEFAULTS)
        assert all(type(data[k]) is type(v) for k, v in EDGE_DEFAULTS.items())


def test_marks_are_the_trackers_answers(seed_store: Path) -> None:
    tracker = _tracker(seed_store)
    G = select(tracker).graph
    by_id = {d["name"]: d for _, d in G.nodes(data=True) if d["kind"] == "statement"}
    for row in tracker.report():
        node = by_id[row["statement"]["id"]]
        assert node["single_source"] == row["single_source"]
        assert node["independent_sources"] == row["independent_sources"]
        assert node["rests_on"] == (row["rests_on"] or "")
    attends = by_id["blinken-attends"]
    assert attends["rests_on"] == "us-official" and attends["single_source"]
    critical = [
        d for _, d in G.nodes(data=True) if d["critical"] and d["statement"] == "blinken-attends"
    ]
    assert [d["source"] for d in critical] == ["us-official"]


def test_statement_selection_is_its_provenance_subgraph(seed_store: Path) -> None:
    G = select(_tracker(seed_store), ["blinken-attends"]).graph
    kinds = Counter(k for _, k in G.nodes(data="kind"))
    assert kinds == {"statement": 1, "report": 4, "source": 5}  # + mfa, which mfa-press acts for
    assert Counter(k for *_, k in G.edges(data="kind")) == {
        "asserts": 1,
        "cites": 3,
        "said_by": 4,
        "acts_for": 1,
    }


def test_document_selection_of_the_seed_is_the_whole_seed(seed_store: Path) -> None:
    G = select(_tracker(seed_store), document="blinken-brussels").graph
    assert Counter(k for _, k in G.nodes(data="kind")) == SEED_COUNTS


def test_by_organization_merges_press_services_into_their_ministry(seed_store: Path) -> None:
    G = select(_tracker(seed_store), ["blinken-attends"], by="organization").graph
    sources = {d["source"] for _, d in G.nodes(data=True) if d["kind"] == "report"}
    assert "mfa" in sources and "mfa-press" not in sources
    assert not [e for *_, e in G.edges(data=True) if e["kind"] == "acts_for"]


def test_circular_citations_are_marked(cycle_store: Path) -> None:
    G = select(_tracker(cycle_store)).graph
    loop = [d for _, d in G.nodes(data=True) if d["statement"] == "loop-claim"]
    assert {d["source"] for d in loop if d["kind"] == "report" and d["circular"]} == {
        "alpha",
        "beta",
    }
    assert next(d for d in loop if d["kind"] == "statement")["circular"]
    circular_edges = [e for *_, e in G.edges(data=True) if e["circular"]]
    assert len(circular_edges) == 2 and all(e["kind"] == "cites" for e in circular_edges)
    plain = next(d for _, d in G.nodes(data=True) if d["name"] == "plain-claim")
    assert (
        not plain["circular"] and plain["independent_sources"] == 2 and not plain["single_source"]
    )


# ------------------------------------------------------------------ read back


def _single_ids(G: nx.Graph) -> set[str]:
    return {
        d["name"]
        for _, d in G.nodes(data=True)
        if d["kind"] == "statement" and d["single_source"] in (True, "true", "True")
    }


def test_graphml_is_read_back_by_networkx(exported: dict[str, bytes]) -> None:
    G = nx.read_graphml(io.BytesIO(exported["graphml"]))
    assert (G.number_of_nodes(), G.number_of_edges()) == (SEED_NODES, SEED_EDGE_COUNT)
    assert Counter(k for _, k in G.nodes(data="kind")) == SEED_COUNTS
    assert len(_single_ids(G)) == 13
    attends = next(d for _, d in G.nodes(data=True) if d["name"] == "blinken-attends")
    assert attends["single_source"] is True and attends["independent_sources"] == 1


def test_gexf_is_read_back_by_networkx(exported: dict[str, bytes]) -> None:
    G = nx.read_gexf(io.BytesIO(exported["gexf"]))
    assert (G.number_of_nodes(), G.number_of_edges()) == (SEED_NODES, SEED_EDGE_COUNT)
    assert Counter(k for _, k in G.nodes(data="kind")) == SEED_COUNTS
    assert len(_single_ids(G)) == 13
    assert all("viz" in d for _, d in G.nodes(data=True))


def _prov_counts(document: object) -> dict[str, int]:
    from prov.constants import PROV_TYPE
    from prov.model import ProvAgent, ProvAttribution, ProvDelegation, ProvDerivation, ProvEntity

    records = document.get_records()  # type: ignore[attr-defined]
    kinds: Counter[str] = Counter()
    for r in records:
        if isinstance(r, ProvEntity):
            kinds[str(next(iter(r.get_attribute(PROV_TYPE))).localpart)] += 1
        elif isinstance(r, ProvAgent):
            kinds["source"] += 1
        elif isinstance(r, ProvDerivation):
            kinds["cites"] += 1
        elif isinstance(r, ProvAttribution):
            kinds["said_by"] += 1
        elif isinstance(r, ProvDelegation):
            kinds["acts_for"] += 1
    single = sum(
        1
        for r in records
        if isinstance(r, ProvEntity)
        and any(k.localpart == "singleSource" and v is True for k, v in r.attributes)
    )
    kinds["single"] = single
    return dict(kinds)


@pytest.mark.parametrize("fmt,reader", [("prov-json", "json"), ("provn", "provn")])
def test_prov_formats_are_read_back_by_prov(
    exported: dict[str, bytes], fmt: str, reader: str
) -> None:
    from prov.model import ProvDocument

    document = ProvDocument.deserialize(content=exported[fmt].decode("utf-8"), format=reader)
    assert _prov_counts(document) == {
        "Document": 1,
        "Statement": 13,
        "Report": 25,
        "source": 11,
        "cites": 12,
        "said_by": 25,
        "acts_for": 2,
        "single": 13,
    }


def _v(term: object) -> str:
    """A term's lexical form, from pyoxigraph or rdflib (whose str() is the lexical form)."""
    if hasattr(term, "identifier"):  # an rdflib graph: its name
        term = term.identifier
    return str(term) if hasattr(term, "n3") else str(getattr(term, "value", term))


def _store_quads(store: Path) -> set[tuple[str, ...]]:
    return {
        (_v(q.subject), _v(q.predicate), _v(q.object), _v(q.graph_name))
        for q in EmbeddedStore.open_read(store).raw()
        if not _v(q.predicate).endswith("contentHash")
    }


@pytest.mark.parametrize("fmt", ["ttl", "trig", "nq", "jsonld"])
def test_rdf_is_read_by_rdflib_and_pyoxigraph(
    exported: dict[str, bytes], seed_store: Path, fmt: str
) -> None:
    import pyoxigraph as ox
    from rdflib import Dataset

    rdflib_format = {"ttl": "turtle", "trig": "trig", "nq": "nquads", "jsonld": "json-ld"}[fmt]
    ox_format = {"ttl": "TURTLE", "trig": "TRIG", "nq": "N_QUADS", "jsonld": "JSON_LD"}[fmt]
    stored = _store_quads(seed_store)
    parsed = {
        (_v(q.subject), _v(q.predicate), _v(q.object), _v(q.graph_name))
        for q in ox.parse(exported[fmt], format=getattr(ox.RdfFormat, ox_format))
    }
    ds = Dataset()
    ds.parse(data=exported[fmt], format=rdflib_format)
    by_rdflib = {(_v(s), _v(p), _v(o), _v(g)) for s, p, o, g in ds.quads()}
    if fmt == "ttl":  # Turtle has no graphs
        stored = {q[:3] for q in stored}
        parsed = {q[:3] for q in parsed}
        by_rdflib = {q[:3] for q in by_rdflib}
    assert parsed == stored
    assert by_rdflib == stored


@pytest.mark.parametrize(
    "fmt,suffix", [("ttl", ".ttl"), ("trig", ".trig"), ("nq", ".nq"), ("jsonld", ".jsonld")]
)
def test_rdf_ingested_into_a_new_store_gives_identical_answers(
    exported: dict[str, bytes], seed_store: Path, tmp_path: Path, fmt: str, suffix: str
) -> None:
    dump = tmp_path / f"dump{suffix}"
    dump.write_bytes(exported[fmt])
    copy = _ingest(tmp_path / "copy", dump)
    assert _tracker(copy).report() == _tracker(seed_store).report()
    assert _tracker(copy).sources() == _tracker(seed_store).sources()


def test_statement_subset_rdf_answers_like_the_store(seed_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "attends.trig"
    code, _, err = _run(
        seed_store, "--format", "trig", "--statement", "blinken-attends", "-o", str(out)
    )
    assert code == 0, err
    copy = _ingest(tmp_path / "copy", out)
    assert [s["id"] for s in _tracker(copy).statements()] == ["blinken-attends"]
    assert _tracker(copy).origin("blinken-attends") == _tracker(seed_store).origin(
        "blinken-attends"
    )


def test_dot_is_rendered_by_graphviz(exported: dict[str, bytes]) -> None:
    _needs_dot()
    svg = subprocess.run(["dot", "-Tsvg"], input=exported["dot"], capture_output=True, check=True)
    root = ET.fromstring(svg.stdout)
    groups = [g.get("class", "") for g in root.iter(f"{SVG}g")]
    assert sum(c.split()[0] == "node" for c in groups if c) == SEED_NODES
    assert sum(c.split()[0] == "edge" for c in groups if c) == SEED_EDGE_COUNT
    assert sum(c == "node statement single" for c in groups) == 13


def test_svg_export_draws_every_node(exported: dict[str, bytes]) -> None:
    _needs_dot()
    root = ET.fromstring(exported["svg"])
    classes = [g.get("class", "").split() for g in root.iter(f"{SVG}g")]
    assert sum(c[:1] == ["node"] for c in classes) == SEED_NODES
    assert sum(c[:3] == ["node", "statement", "single"] for c in classes) == 13


def test_cytoscape_json_has_the_shape_cytoscape_js_expects(exported: dict[str, bytes]) -> None:
    doc = json.loads(exported["cytoscape"])
    nodes, edges = doc["elements"]["nodes"], doc["elements"]["edges"]
    ids = [n["data"]["id"] for n in nodes] + [e["data"]["id"] for e in edges]
    assert len(ids) == len(set(ids))
    node_ids = {n["data"]["id"] for n in nodes}
    assert all(e["data"]["source"] in node_ids and e["data"]["target"] in node_ids for e in edges)
    assert (len(nodes), len(edges)) == (SEED_NODES, SEED_EDGE_COUNT)
    assert sum("single" in n["classes"].split() for n in nodes) == 13
    assert all(isinstance(v, str | int | bool) for n in nodes for v in n["data"].values())


@pytest.mark.parametrize("fmt", ["graphml", "cytoscape", "dot", "provn"])
def test_circular_marks_survive_the_formats(cycle_store: Path, fmt: str) -> None:
    code, out, err = _run(cycle_store, "--format", fmt)
    assert code == 0, err
    if fmt == "graphml":
        G = nx.read_graphml(io.StringIO(out))
        assert sum(d["circular"] for _, d in G.nodes(data=True) if d["kind"] == "report") == 2
        assert sum(d["circular"] for *_, d in G.edges(data=True)) == 2
    elif fmt == "cytoscape":
        elements = json.loads(out)["elements"]
        assert sum("circular" in n["classes"].split() for n in elements["edges"]) == 2
    elif fmt == "dot":
        assert len(re.findall(r'class="report [^"]*circular', out)) == 2
        assert out.count('class="cites circular"') == 2
    else:
        assert (
            out.count('pta:circular="true" %% xsd:boolean') == 5
        )  # 2 reports, 1 statement, 2 cites


def test_large_graphs_are_drawn_in_bands(seed_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _needs_dot()
    from provenance.export import layout

    monkeypatch.setattr(layout, "SINGLE_LAYOUT_NODES", 10)
    monkeypatch.setattr(layout, "CHUNK_NODES", 12)
    source = select(_tracker(seed_store))
    parts = layout.chunks(source.graph, layout.CHUNK_NODES, layout.SINGLE_LAYOUT_NODES)
    assert len(parts) > 3
    drawn = {n for c in parts for n in c.nodes}
    assert drawn == set(source.graph)
    all_ids = [i for c in parts for i in c.ids.values()]
    assert len(all_ids) == len(set(all_ids))
    buf = io.BytesIO()
    export(source, "svg", buf)
    root = ET.fromstring(buf.getvalue())
    keys = {
        g.get("id", "").split("-")[0]
        for g in root.iter(f"{SVG}g")
        if g.get("class", "").startswith("node ")
    }
    assert len(keys) == SEED_NODES


# ------------------------------------------------------------------ the HTML file


def test_html_is_one_self_contained_file(exported: dict[str, bytes]) -> None:
    _needs_dot()
    page = exported["html"].decode("utf-8")
    assert "default-src 'none'" in page
    assert "<script src" not in page and "<link" not in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
        'xmlns:xlink="http://www.w3.org/1999/xlink"', ""
    ).replace("http://www.w3.org/Graphics/SVG/1.1/DTD", "")
    assert page.count('class="node ') == SEED_NODES


# ------------------------------------------------------------------ the command


def test_output_file_and_message(seed_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "seed.graphml"
    code, stdout, err = _run(seed_store, "--format", "graphml", "-o", str(out))
    assert code == 0 and stdout == ""
    assert err.startswith(f"wrote {out} (graphml, ")
    assert nx.read_graphml(out).number_of_nodes() == SEED_NODES
    assert [p.name for p in tmp_path.iterdir()] == ["seed.graphml"]


@pytest.mark.parametrize(
    "args,message",
    [
        (["--statement", "no-such-statement"], "no statement has the id, IRI or text"),
        (["--document", "no-such-document"], "no document has the id or IRI"),
        (["--by", "organization", "--format", "trig"], "--by organization changes the analysis"),
    ],
)
def test_bad_selection_is_one_line_and_exit_2(
    seed_store: Path, args: list[str], message: str
) -> None:
    if "--format" not in args:
        args = [*args, "--format", "graphml"]
    code, stdout, err = _run(seed_store, *args)
    assert code == 2 and stdout == ""
    assert err.startswith("Error: ") and message in err and err.count("\n") == 1


def test_unwritable_output_is_one_line(seed_store: Path, tmp_path: Path) -> None:
    target = tmp_path / "missing-folder" / "out.graphml"
    code, _, err = _run(seed_store, "--format", "graphml", "-o", str(target))
    assert code == 2
    assert err == f"Error: cannot write {target}: No such file or directory\n"
    code, _, err = _run(seed_store, "--format", "graphml", "-o", str(tmp_path))
    assert code == 2 and "it is a folder" in err and err.count("\n") == 1


def test_failed_export_leaves_an_existing_file_alone(seed_store: Path, tmp_path: Path) -> None:
    target = tmp_path / "keep.svg"
    target.write_text("old")
    result = CliRunner().invoke(
        cli,
        ["--store", str(seed_store), "export", "--format", "svg", "-o", str(target)],
        env={"PATH": str(tmp_path)},
    )
    assert result.exit_code == 1
    assert "Graphviz's `dot` program is needed" in result.stderr
    assert result.stderr.count("\n") == 1
    assert target.read_text() == "old" and len(list(tmp_path.iterdir())) == 1
