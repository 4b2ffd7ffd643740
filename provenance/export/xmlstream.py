"""GraphML and GEXF written as a stream, byte for byte what networkx's writers give.

networkx's ``write_graphml`` and ``write_gexf`` build the whole document as an
ElementTree before writing it: some twenty XML elements per node and edge, which
at a store of 100,000 statements (half a million nodes) is tens of gigabytes and
many minutes. The export graph has scalar attributes only (str, bool, int), so
the two documents are simple to write line by line; these functions do that with
the same declarations, order, escaping and indentation as networkx (pretty-printed,
GraphML with named keys, GEXF 1.2draft), which ``tests/test_export.py`` checks by
comparing the bytes on several graphs.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

import networkx as nx

__all__ = ["write_graphml", "write_gexf", "write_graphml_elements", "write_gexf_elements",
           "graphml_keys"]

_GRAPHML_NS = (
    'xmlns="http://graphml.graphdrawing.org/xmlns" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
    'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd"'
)
_GEXF_NS = (
    'xmlns:viz="http://www.gexf.net/1.2draft/viz" xmlns="http://www.gexf.net/1.2draft" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd" '
    'version="1.2"'
)
#: networkx's names of the attribute types (the last of its table wins: int is "long").
_TYPES = {str: "string", bool: "boolean", int: "long", float: "double"}
_BUFFER = 1 << 16


#: ElementTree's escapes: of character data, and of attribute values.
_TEXT_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))
_ATTR_ESCAPES = (*_TEXT_ESCAPES, ('"', "&quot;"), ("\r", "&#13;"), ("\n", "&#10;"), ("\t", "&#09;"))


def _escape(value: str, table: tuple[tuple[str, str], ...]) -> str:
    for char, entity in table:
        if char in value:
            value = value.replace(char, entity)
    return value


def _text(value: str) -> str:
    """Character data escaped as ElementTree escapes it."""
    return _escape(value, _TEXT_ESCAPES)


def _attr(value: str) -> str:
    """An attribute value escaped as ElementTree escapes it."""
    return _escape(value, _ATTR_ESCAPES)


def _type(value: Any) -> str:
    try:
        return _TYPES[type(value)]
    except KeyError:
        raise TypeError(f"attribute value type is not allowed: {type(value)}") from None


class _Out:
    """Lines collected and written to a binary stream in large pieces."""

    def __init__(self, out: IO[bytes]):
        self.out = out
        self.parts: list[str] = []
        self.size = 0

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)
        if self.size > _BUFFER:
            self.flush()

    def flush(self) -> None:
        self.out.write("".join(self.parts).encode("utf-8"))
        self.parts.clear()
        self.size = 0


def _key_order(G: nx.DiGraph) -> list[tuple[str, str, str]]:
    """(name, type, scope) of every GraphML key, in the order networkx declares them."""
    if G.graph:
        raise ValueError("graph attributes are not written by this writer")
    return graphml_keys(G.nodes.values(), (d for *_, d in G.edges(data=True)))


def graphml_keys(
    nodes: Iterable[dict[str, Any]], edges: Iterable[dict[str, Any]]
) -> list[tuple[str, str, str]]:
    """(name, type, scope) of the GraphML keys of these node and edge attributes, in
    the order networkx declares them (for a stream: one of each kind, if every node and
    every edge has the same keys with values of the same types)."""
    seen: dict[tuple[str, str, str], None] = {}
    for scope, items in (("node", nodes), ("edge", edges)):
        for data in items:
            for k, v in data.items():
                seen.setdefault((str(k), _type(v), scope), None)
    # networkx inserts each new key before the others: the last one met comes first.
    return list(reversed(seen))


def write_graphml(G: nx.DiGraph, out: IO[bytes]) -> None:
    """``nx.write_graphml(G, out, prettyprint=True, named_key_ids=True)``, streamed."""
    write_graphml_elements(_key_order(G), G.nodes(data=True), G.edges(data=True), out,
                           directed=G.is_directed())


def write_graphml_elements(
    keys: list[tuple[str, str, str]],
    nodes: Iterable[tuple[Any, dict[str, Any]]],
    edges: Iterable[tuple[Any, Any, dict[str, Any]]],
    out: IO[bytes],
    directed: bool = True,
) -> None:
    """What :func:`write_graphml` writes for a graph whose nodes (id, data) and edges
    (source, target, data) come in this order, networkx's (each node's edges after
    the nodes, node by node), and whose keys are *keys* (:func:`graphml_keys`): a
    graph too large to hold is written as it is made."""
    w = _Out(out)
    w.add(f"<?xml version='1.0' encoding='utf-8'?>\n<graphml {_GRAPHML_NS}>\n")
    for name, type_, scope in keys:
        n = _attr(name)
        w.add(f'  <key id="{n}" for="{scope}" attr.name="{n}" attr.type="{type_}" />\n')

    def data(d: dict[str, Any], close: str) -> None:
        for k, v in d.items():
            text = str(v)
            if text:
                w.add(f'      <data key="{_attr(str(k))}">{_text(text)}</data>\n')
            else:
                w.add(f'      <data key="{_attr(str(k))}" />\n')
        w.add(close)

    edgedefault = "directed" if directed else "undirected"
    node_items = iter(nodes)
    first = next(node_items, None)
    if first is None:
        w.add(f'  <graph edgedefault="{edgedefault}" />\n</graphml>\n')
        w.flush()
        return
    w.add(f'  <graph edgedefault="{edgedefault}">\n')
    for node, d in itertools.chain((first,), node_items):
        if d:
            w.add(f'    <node id="{_attr(str(node))}">\n')
            data(d, "    </node>\n")
        else:
            w.add(f'    <node id="{_attr(str(node))}" />\n')
    for u, v, d in edges:
        head = f'    <edge source="{_attr(str(u))}" target="{_attr(str(v))}"'
        if d:
            w.add(head + ">\n")
            data(d, "    </edge>\n")
        else:
            w.add(head + " />\n")
    w.add("  </graph>\n</graphml>\n")
    w.flush()


def _attributes(
    items: Iterable[dict[str, Any]], skip: tuple[str, ...], first_id: int
) -> dict[str, tuple[str, str]]:
    """GEXF attribute title -> (id, type), numbered in the order networkx numbers them."""
    found: dict[str, tuple[str, str]] = {}
    for data in items:
        for k, v in data.items():
            if k not in skip and str(k) not in found:
                found[str(k)] = (str(first_id + len(found)), _type(v))
    return found


def write_gexf(
    G: nx.DiGraph, out: IO[bytes], viz: Callable[[dict[str, Any]], dict[str, Any]]
) -> None:
    """``nx.write_gexf`` (GEXF 1.2draft, pretty-printed) of *G* with ``viz(data)`` per node.

    The node colours are computed as the nodes are written, not stored in a copy.
    """
    write_gexf_elements(
        G.nodes.values(), (d for *_, d in G.edges(data=True)), G.nodes(data=True),
        G.edges(data=True), out, viz,
        colours=any(viz(d).get("color") is not None for d in G.nodes.values()),
        directed=G.is_directed(),
    )


def write_gexf_elements(
    node_data: Iterable[dict[str, Any]],
    edge_data: Iterable[dict[str, Any]],
    nodes: Iterable[tuple[Any, dict[str, Any]]],
    edges: Iterable[tuple[Any, Any, dict[str, Any]]],
    out: IO[bytes],
    viz: Callable[[dict[str, Any]], dict[str, Any]],
    colours: bool,
    directed: bool = True,
) -> None:
    """What :func:`write_gexf` writes for a graph whose nodes and edges come in this
    order (as for :func:`write_graphml_elements`). The attributes are numbered from
    *node_data* and *edge_data* (every node's and edge's, or for a stream one of each
    kind); *colours*: whether any node has a ``viz`` colour."""
    node_skip = ("label",)
    edge_skip = ("label", "weight", "type", "id", "start", "end", "spells")
    node_attrs = _attributes(node_data, node_skip, 0)
    edge_attrs = _attributes(edge_data, edge_skip, len(node_attrs))
    w = _Out(out)
    # ElementTree declares the viz namespace only if an element of it is written.
    header = _GEXF_NS if colours else _GEXF_NS.split(" ", 1)[1]
    w.add(f"<?xml version='1.0' encoding='utf-8'?>\n<gexf {header}>\n")
    w.add(f'  <meta lastmodifieddate="{time.strftime("%Y-%m-%d")}">\n')
    w.add(f"    <creator>NetworkX {_text(nx.__version__)}</creator>\n  </meta>\n")
    edgetype = "directed" if directed else "undirected"
    w.add(f'  <graph defaultedgetype="{edgetype}" mode="static" name="">\n')
    # networkx inserts each class's <attributes> first: the edges' come before the nodes'.
    for cls, attrs in (("edge", edge_attrs), ("node", node_attrs)):
        if attrs:
            w.add(f'    <attributes mode="static" class="{cls}">\n')
            for title, (ident, type_) in attrs.items():
                w.add(f'      <attribute id="{ident}" title="{_attr(title)}" type="{type_}" />\n')
            w.add("    </attributes>\n")

    def values(d: dict[str, Any], attrs: dict[str, tuple[str, str]]) -> Iterator[str]:
        for k, v in d.items():
            text = str(v).lower() if isinstance(v, bool) else str(v)
            yield f'          <attvalue for="{attrs[str(k)][0]}" value="{_attr(text)}" />\n'

    def element(head: str, inner: list[str], close: str) -> None:
        if inner:
            w.add(f"{head}>\n")
            for part in inner:
                w.add(part)
            w.add(close)
        else:
            w.add(f"{head} />\n")

    node_items = iter(nodes)
    first_node = next(node_items, None)
    w.add("    <nodes>\n" if first_node is not None else "    <nodes />\n")
    for node, d in itertools.chain((first_node,) if first_node is not None else (), node_items):
        rest = {k: v for k, v in d.items() if k not in node_skip}
        color = viz(d).get("color")
        inner = []
        if color is not None:
            inner.append(
                f'        <viz:color r="{color["r"]}" g="{color["g"]}" b="{color["b"]}" '
                f'a="{color.get("a", 1.0)}" />\n'
            )
        if rest:
            inner.extend(["        <attvalues>\n", *values(rest, node_attrs),
                          "        </attvalues>\n"])
        label = _attr(str(d.get("label", node)))
        element(f'      <node id="{_attr(str(node))}" label="{label}"', inner,
                "      </node>\n")
    if first_node is not None:
        w.add("    </nodes>\n")
    edge_items = iter(edges)
    first_edge = next(edge_items, None)
    w.add("    <edges>\n" if first_edge is not None else "    <edges />\n")
    if first_edge is not None:
        for i, (u, v, d) in enumerate(itertools.chain((first_edge,), edge_items)):
            if any(k in d for k in edge_skip[1:]):
                raise ValueError("edge attributes weight, type, id, start, end are not written")
            rest = {k: val for k, val in d.items() if k not in edge_skip}
            head = f'      <edge source="{_attr(str(u))}" target="{_attr(str(v))}" id="{i}"'
            if "label" in d:
                head += f' label="{_attr(str(d["label"]))}"'
            inner = (["        <attvalues>\n", *values(rest, edge_attrs),
                      "        </attvalues>\n"] if rest else [])
            element(head, inner, "      </edge>\n")
        w.add("    </edges>\n")
    w.add("  </graph>\n</gexf>\n")
    w.flush()
