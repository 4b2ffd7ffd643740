"""``gexf``: the export graph for Gephi (networkx's GEXF 1.2 writer).

Besides the attributes, nodes get a GEXF colour (``viz``) so that single-source
statements, circular citations and sources stand out when Gephi opens the file.
"""

from __future__ import annotations

from typing import IO, Any

import networkx as nx

from .model import ExportSource
from .style import node_style

__all__ = ["write"]


def _viz(data: dict[str, Any]) -> dict[str, Any]:
    style = node_style(data)
    r, g, b = (int(style["fillcolor"][i : i + 2], 16) for i in (1, 3, 5))
    return {"color": {"r": r, "g": g, "b": b, "a": 1.0}}


def write(source: ExportSource, out: IO[bytes], fmt: str) -> None:
    """Write GEXF 1.2 with the attributes and a colour per node."""
    G = source.graph.copy()
    for _, data in G.nodes(data=True):
        data["viz"] = _viz(data)
    nx.write_gexf(G, out, encoding="utf-8", prettyprint=True, version="1.2draft")
