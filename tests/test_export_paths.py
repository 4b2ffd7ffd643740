"""Exports of the whole store take the tracker's fast path and stream GraphML and GEXF:
the files are the same as the networkx reference path and networkx's writers give."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import networkx as nx
import pytest
from conftest import SEEDS

from provenance.export import FORMATS, export, select
from provenance.export.gexf import _viz
from provenance.export.model import ExportSource
from provenance.export.xmlstream import write_gexf, write_graphml
from provenance.generate import generate_corpus
from provenance.ingest import ingest_files
from provenance.store import EmbeddedStore
from provenance.tracker import Tracker

LOOP_YAML = """\
document: {id: loop-doc, title: A loop, publisher: wire}
sources:
  wire: {label: Wire, type: organization}
  alpha: {label: Alpha Agency, type: organization}
  beta: {label: Beta Daily, type: organization, acted_on_behalf_of: gamma}
  gamma: {label: "Gamma <official> & \\"co\\"", type: person, anonymous: true}
statements:
  - id: loop-claim
    text: "The bridge will reopen in May & June <maybe>"
    triple: [the bridge, reopens in, May]
    according_to: [[alpha, beta], [beta, alpha]]
  - id: plain-claim
    text: The mayor confirmed the budget
    triple: [the mayor, confirmed, the budget]
    according_to: [[alpha, gamma], [beta], [wire, gamma]]
"""

GRAPH_FORMATS = [f for f, spec in FORMATS.items() if not spec.rdf]


@pytest.fixture(scope="module", params=["seeds", "loop", "generated"])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp(f"paths-{request.param}")
    if request.param == "seeds":
        files = [SEEDS]
    elif request.param == "loop":
        (folder / "loop.yaml").write_text(LOOP_YAML, encoding="utf-8")
        files = [folder / "loop.yaml"]
    else:
        generate_corpus(folder / "corpus", 150, seed=7, formats=["yaml"])
        files = [folder / "corpus" / "yaml"]
    with EmbeddedStore.open_write(folder / "store") as s:
        ingest_files(s, files)
    return folder / "store"


def _export(store: Path, fmt: str, fast: bool, by: str = "source", **selection: object) -> bytes:
    tracker = Tracker(EmbeddedStore.open_read(store), fast=fast)
    out = io.BytesIO()
    export(select(tracker, by=by, **selection), fmt, out)  # type: ignore[arg-type]
    return out.getvalue()


@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_fast_and_reference_paths_export_the_same_bytes(store: Path, fmt: str) -> None:
    if fmt in ("svg", "html") and shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    assert _export(store, fmt, fast=True) == _export(store, fmt, fast=False)


def test_fast_and_reference_paths_agree_on_a_selection(store: Path) -> None:
    tracker = Tracker(EmbeddedStore.open_read(store))
    some = [row["id"] for row in tracker.statements()[:3]]
    for fmt in ("graphml", "cytoscape"):
        fast = _export(store, fmt, fast=True, statements=some)
        assert fast == _export(store, fmt, fast=False, statements=some)


def test_whole_store_export_does_not_build_the_networkx_projection(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the fast path should not build the networkx projection")

    monkeypatch.setattr(Tracker, "projection", refuse)
    assert select(Tracker(EmbeddedStore.open_read(store))).graph.number_of_nodes() > 0


@pytest.mark.parametrize("by", ["source", "organization"])
def test_streamed_graphml_and_gexf_are_networkx_bytes(store: Path, by: str) -> None:
    G = select(Tracker(EmbeddedStore.open_read(store)), by=by).graph  # type: ignore[arg-type]
    ours, theirs = io.BytesIO(), io.BytesIO()
    write_graphml(G, ours)
    nx.write_graphml(G, theirs, encoding="utf-8", prettyprint=True, named_key_ids=True)
    assert ours.getvalue() == theirs.getvalue()
    coloured = G.copy()
    for _, data in coloured.nodes(data=True):
        data["viz"] = _viz(data)
    ours, theirs = io.BytesIO(), io.BytesIO()
    write_gexf(G, ours, _viz)
    nx.write_gexf(coloured, theirs, encoding="utf-8", prettyprint=True, version="1.2draft")
    assert ours.getvalue() == theirs.getvalue()


@pytest.mark.parametrize("by", ["source", "organization"])
@pytest.mark.parametrize("fast", [True, False])
def test_graphml_and_gexf_written_without_the_graph_are_networkx_bytes_of_it(
    store: Path, by: str, fast: bool
) -> None:
    """The export writes nodes and edges as they are made (no networkx graph): the bytes
    are those networkx's writers give for the graph the other formats get."""
    streamed = {fmt: _export(store, fmt, fast=fast, by=by) for fmt in ("graphml", "gexf")}
    G = select(Tracker(EmbeddedStore.open_read(store), fast=fast), by=by).graph  # type: ignore[arg-type]
    theirs = io.BytesIO()
    nx.write_graphml(G, theirs, encoding="utf-8", prettyprint=True, named_key_ids=True)
    assert streamed["graphml"] == theirs.getvalue()
    coloured = G.copy()
    for _, data in coloured.nodes(data=True):
        data["viz"] = _viz(data)
    theirs = io.BytesIO()
    nx.write_gexf(coloured, theirs, encoding="utf-8", prettyprint=True, version="1.2draft")
    assert streamed["gexf"] == theirs.getvalue()


def test_a_selection_written_without_its_graph_is_networkx_bytes_of_it(store: Path) -> None:
    tracker = Tracker(EmbeddedStore.open_read(store))
    some = [row["id"] for row in tracker.statements()[:3]]
    streamed = _export(store, "graphml", fast=True, statements=some)
    G = select(tracker, statements=some).graph  # type: ignore[arg-type]
    theirs = io.BytesIO()
    nx.write_graphml(G, theirs, encoding="utf-8", prettyprint=True, named_key_ids=True)
    assert G.number_of_nodes() and streamed == theirs.getvalue()


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "cytoscape"])
def test_whole_store_graphml_gexf_and_cytoscape_never_build_the_export_graph(
    store: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: object) -> None:
        raise AssertionError("a streamed export should not build the networkx graph")

    expected = _export(store, fmt, fast=True)
    monkeypatch.setattr(ExportSource, "graph", property(refuse))
    assert _export(store, fmt, fast=True) == expected


def test_a_node_that_is_two_things_is_written_from_the_merged_graph(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where a node would be two things (odd data: a source that is also a report),
    networkx merges them and the export writes that graph: the same bytes here."""
    from provenance.export import model

    expected = _export(store, "graphml", fast=True)
    built = []
    monkeypatch.setattr(model._Elements, "shared", lambda self: True)
    original = model.ExportSource.graph.func  # type: ignore[attr-defined]

    def graph(self: ExportSource) -> nx.DiGraph:
        built.append(True)
        return original(self)

    monkeypatch.setattr(model.ExportSource, "graph", property(graph))
    assert _export(store, "graphml", fast=True) == expected
    assert built


def test_reports_documents_read_from_the_citation_index_are_those_sparql_finds(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from provenance import projection

    indexed = _export(store, "graphml", fast=True)
    monkeypatch.setattr(projection, "feed_appearances", lambda backend, add, clear: False)
    assert _export(store, "graphml", fast=True) == indexed


def test_a_selection_exported_after_its_graph_was_built_writes_the_same_bytes(
    store: Path,
) -> None:
    tracker = Tracker(EmbeddedStore.open_read(store))
    for fmt in ("graphml", "gexf"):
        source = select(tracker)
        assert source.graph.number_of_nodes()  # built first: written from it
        out = io.BytesIO()
        export(source, fmt, out)
        assert out.getvalue() == _export(store, fmt, fast=True)


@pytest.mark.parametrize(
    "G",
    [
        nx.DiGraph(),
        nx.DiGraph([("a", "b")]),
        nx.DiGraph([('a<&"\n\t\r', "b", {"label": "x&y", "n": 3, "ok": True, "t": ""})]),
    ],
    ids=["empty", "bare", "escapes"],
)
def test_streamed_writers_on_odd_graphs(G: nx.DiGraph) -> None:
    ours, theirs = io.BytesIO(), io.BytesIO()
    write_graphml(G, ours)
    nx.write_graphml(G, theirs, encoding="utf-8", prettyprint=True, named_key_ids=True)
    assert ours.getvalue() == theirs.getvalue()
    ours, theirs = io.BytesIO(), io.BytesIO()
    write_gexf(G, ours, lambda data: {})
    nx.write_gexf(G, theirs, encoding="utf-8", prettyprint=True, version="1.2draft")
    assert ours.getvalue() == theirs.getvalue()


def test_streamed_cytoscape_json_is_json_dumps_of_the_elements(store: Path) -> None:
    import json

    from provenance.export.cytoscape import to_elements

    source = select(Tracker(EmbeddedStore.open_read(store)))
    out = io.BytesIO()
    export(source, "cytoscape", out)
    expected = json.dumps(to_elements(source), ensure_ascii=False, indent=1)
    assert out.getvalue() == expected.encode("utf-8")


def test_html_refuses_a_graph_too_large_to_view(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from provenance.cli import cli
    from provenance.export import html

    monkeypatch.setattr(html, "MAX_NODES", 3)
    target = tmp_path / "big.html"
    result = CliRunner().invoke(
        cli, ["--store", str(store), "export", "--format", "html", "-o", str(target)]
    )
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1
    assert "at most 3 nodes" in message and "--statement" in message and "--document" in message
    assert not target.exists()


@pytest.mark.parametrize("fmt", ["prov-json", "provn"])
def test_a_prov_export_larger_than_the_memory_available_is_refused_before_any_work(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    """The prov package holds the whole document: one that would not fit is refused with
    one line that says how much it needs and what to export instead; nothing is written."""
    from click.testing import CliRunner

    from provenance.cli import cli
    from provenance.export import provdoc

    nodes = select(Tracker(EmbeddedStore.open_read(store))).node_count()
    monkeypatch.setattr(provdoc, "available_memory", lambda: nodes * provdoc.BYTES_PER_NODE - 1)
    monkeypatch.setattr(provdoc, "to_prov", lambda source: pytest.fail("work was done"))
    target = tmp_path / f"big.{fmt}"
    result = CliRunner().invoke(
        cli, ["--store", str(store), "export", "--format", fmt, "-o", str(target)]
    )
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1
    assert f"{nodes:,} nodes" in message and "GB" in message
    assert "--statement" in message and "--format nq" in message
    assert not target.exists() and not list(tmp_path.iterdir())


def test_a_prov_export_that_fits_is_written(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from provenance.export import provdoc

    nodes = select(Tracker(EmbeddedStore.open_read(store))).node_count()
    expected = _export(store, "provn", fast=True)
    monkeypatch.setattr(provdoc, "available_memory", lambda: nodes * provdoc.BYTES_PER_NODE)
    assert _export(store, "provn", fast=True) == expected
    monkeypatch.setattr(provdoc, "available_memory", lambda: None)  # not known: tried
    assert _export(store, "provn", fast=True) == expected
