"""``gexf``: the export graph for Gephi (networkx's GEXF 1.2 writer).

Besides the attributes, nodes get a GEXF colour (``viz``) so that single-source
statements, circular citations and sources stand out when Gephi opens the file.
The file is what networkx's ``write_gexf`` writes, streamed
(:mod:`provenance.export.xmlstream`): a store's graph does not fit an ElementTree.
"""

from __future__ import annotations

from typing import IO, Any

from .model import ExportSource
from .style import node_style
from .xmlstream import write_gexf

__all__ = ["write"]


def _viz(data: dict[str, Any]) -> dict[str, Any]:
    style = node_style(data)
    r, g, b = (int(style["fillcolor"][i : i + 2], 16) for i in (1, 3, 5))
    return {"color": {"r": r, "g": g, "b": b, "a": 1.0}}


def write(source: ExportSource, out: IO[bytes], fmt: str) -> None:
    """Write GEXF 1.2 with the attributes and a colour per node."""
    write_gexf(source.graph, out, _viz)
