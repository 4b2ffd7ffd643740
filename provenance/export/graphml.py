"""``graphml``: the export graph for Gephi, yEd and Cytoscape desktop (networkx's writer).

Every node and edge carries the attributes of :mod:`provenance.export.model`, all
scalars, so that the GraphML keys have one type each.
"""

from __future__ import annotations

from typing import IO

import networkx as nx

from .model import ExportSource

__all__ = ["write"]


def write(source: ExportSource, out: IO[bytes], fmt: str) -> None:
    """Write GraphML (named keys, so readers show ``label``, ``kind``... as columns)."""
    nx.write_graphml(source.graph, out, encoding="utf-8", prettyprint=True, named_key_ids=True)
