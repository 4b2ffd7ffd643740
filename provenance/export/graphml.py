"""``graphml``: the export graph for Gephi, yEd and Cytoscape desktop.

Every node and edge carries the attributes of :mod:`provenance.export.model`, all
scalars, so that the GraphML keys have one type each. The file is what networkx's
``write_graphml`` (named keys, pretty-printed) writes, streamed
(:mod:`provenance.export.xmlstream`) as the nodes and edges are made: a store's graph
does not fit an ElementTree, and at a million statements not even a networkx graph.
"""

from __future__ import annotations

from typing import IO

from .model import ExportSource, first_elements
from .xmlstream import graphml_keys, write_graphml_elements

__all__ = ["write"]


def write(source: ExportSource, out: IO[bytes], fmt: str) -> None:
    """Write GraphML (named keys, so readers show ``label``, ``kind``... as columns)."""
    nodes, edges, node, edge = first_elements(source)
    keys = graphml_keys(node, edge)
    write_graphml_elements(keys, nodes, edges, out)
