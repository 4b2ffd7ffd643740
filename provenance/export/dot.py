"""``dot``: the export graph in Graphviz's language (no Graphviz needed to write it).

Statements in a column on the left (``rank=source``), the chains of reports
running right to the origins, the sources in a column on the far right
(``rank=sink``). Styles come from
:mod:`provenance.export.style`; each node also carries ``id`` and ``class`` (which
Graphviz copies into SVG) and ``pt_*`` attributes with the analysis, so the marks
survive a trip through any DOT reader.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from typing import IO, Any

import networkx as nx

from .model import ExportSource
from .style import GRAPH_ATTRIBUTES, edge_classes, edge_style, node_classes, node_style

__all__ = ["write", "to_dot", "dot_lines", "node_label", "svg_ids"]

_DATA_KEYS = (
    "kind",
    "name",
    "single_source",
    "independent_sources",
    "rests_on",
    "circular",
    "origin",
    "critical",
)


def quote(value: Any) -> str:
    """A DOT double-quoted string (labels keep their ``\\n``/``\\l`` escapes)."""
    if isinstance(value, bool):
        value = "true" if value else "false"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'


def _label_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def node_label(data: Mapping[str, Any], source_labels: Mapping[str, str]) -> str:
    """A node's label as a DOT string body (already escaped, lines left-justified)."""
    kind = data["kind"]
    if kind == "statement":
        lines = textwrap.wrap(data["label"], 42) or [data["name"]]
        n = data["independent_sources"]
        if data["single_source"]:
            who = source_labels.get(data["rests_on"], data["rests_on"])
            verdict = f"SINGLE SOURCE: {who}" if who else "SINGLE SOURCE"
        else:
            verdict = f"{n} independent sources"
        if data["circular"]:
            verdict += " | circular citation"
        lines.extend(textwrap.wrap(verdict, 42))
        return "".join(f"{_label_text(line)}\\l" for line in lines)
    lines = textwrap.wrap(data["label"], 26) or [data["name"]]
    if kind == "source" and data["anonymous"]:
        lines.append("(anonymous)")
    return "\\n".join(_label_text(line) for line in lines)


def _tooltip(data: Mapping[str, Any]) -> str:
    if data["kind"] == "statement":
        return f"{data['name']}: {data['label']}"
    if data["kind"] == "report":
        cue = f" ({data['cue']})" if data["cue"] else ""
        return f"{data['label']} on {data['statement']}{cue}"
    return f"{data['label']} [{data['name']}]"


def _attrs(pairs: Iterable[tuple[str, str]]) -> str:
    return ", ".join(f"{k}={v}" for k, v in pairs)


def svg_ids(G: nx.DiGraph) -> dict[str, str]:
    """Short, stable ids (``n0``, ``n1``...) for the SVG elements of *G*'s nodes."""
    return {n: f"n{i}" for i, n in enumerate(G)}


def to_dot(
    G: nx.DiGraph,
    nodes: Iterable[str] | None = None,
    ids: Mapping[str, str] | None = None,
    name: str = "provenance",
) -> str:
    """DOT text of *G* (or of the subgraph on *nodes*).

    *ids* gives each node's SVG ``id`` (default :func:`svg_ids`); edges get
    ``e{tail id}~{head id}``.
    """
    return "".join(dot_lines(G, nodes, ids, name))


def dot_lines(
    G: nx.DiGraph,
    nodes: Iterable[str] | None = None,
    ids: Mapping[str, str] | None = None,
    name: str = "provenance",
) -> Iterator[str]:
    """:func:`to_dot` line by line (each ending in a newline)."""
    H = G if nodes is None else G.subgraph(nodes)
    ids = ids or svg_ids(H)
    source_labels = {d["name"]: d["label"] for _, d in G.nodes(data=True) if d["kind"] == "source"}
    yield f"digraph {quote(name)} {{\n"
    yield (f"  graph [{_attrs((k, quote(v)) for k, v in GRAPH_ATTRIBUTES.items())}];\n")
    sources, statements = [], []
    for n, data in H.nodes(data=True):
        pairs = [
            ("id", quote(ids[n])),
            ("class", quote(" ".join(node_classes(data)))),
            ("label", f'"{node_label(data, source_labels)}"'),
            ("tooltip", quote(_tooltip(data))),
            *((k, quote(v)) for k, v in node_style(data).items()),
            *((f"pt_{k}", quote(data[k])) for k in _DATA_KEYS),
        ]
        yield f"  {quote(n)} [{_attrs(pairs)}];\n"
        if data["kind"] == "source":
            sources.append(n)
        elif data["kind"] == "statement":
            statements.append(n)
    for rank, members in (("source", statements), ("sink", sources)):
        if members:
            yield f"  {{ rank={rank}; {' '.join(quote(n) for n in members)} }}\n"
    for u, v, data in H.edges(data=True):
        pairs = [
            ("id", quote(f"e{ids[u]}~{ids[v]}")),
            ("class", quote(" ".join(edge_classes(data)))),
            ("tooltip", quote(data["label"])),
            *((k, quote(val)) for k, val in edge_style(data).items()),
            ("pt_kind", quote(data["kind"])),
            ("pt_circular", quote(data["circular"])),
        ]
        yield f"  {quote(u)} -> {quote(v)} [{_attrs(pairs)}];\n"
    yield "}\n"


def write(source: ExportSource, out: IO[bytes], fmt: str) -> None:
    """Write the whole selection as one DOT graph, a few thousand lines at a time."""
    lines = dot_lines(source.graph)
    while chunk := "".join(islice(lines, 4096)):
        out.write(chunk.encode("utf-8"))
