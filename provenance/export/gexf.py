"""``gexf``: the export graph for Gephi (networkx's GEXF 1.2 writer).

Besides the attributes, nodes get a GEXF colour (``viz``) so that single-source
statements, circular citations and sources stand out when Gephi opens the file.
The file is what networkx's ``write_gexf`` writes, streamed
(:mod:`provenance.export.xmlstream`) as the nodes and edges are made: a store's graph
does not fit an ElementTree, and at a million statements not even a networkx graph.
"""

from __future__ import annotations

from typing import IO, Any

from .model import ExportSource, first_elements
from .style import node_style
from .xmlstream import write_gexf_elements

__all__ = ["write"]


def _viz(data: dict[str, Any]) -> dict[str, Any]:
    style = node_style(data)
    r, g, b = (int(style["fillcolor"][i : i + 2], 16) for i in (1, 3, 5))
    return {"color": {"r": r, "g": g, "b": b, "a": 1.0}}


def write(source: ExportSource, out: IO[bytes], fmt: str) -> None:
    """Write GEXF 1.2 with the attributes and a colour per node."""
    nodes, edges, node, edge = first_elements(source)
    # _viz colours every node
    write_gexf_elements(node, edge, nodes, edges, out, _viz, colours=bool(node))
