"""``graphml``: the export graph for Gephi, yEd and Cytoscape desktop.

Every node and edge carries the attributes of :mod:`provenance.export.model`, all
scalars, so that the GraphML keys have one type each. The file is what networkx's
``write_graphml`` (named keys, pretty-printed) writes, streamed
(:mod:`provenance.export.xmlstream`): a store's graph does not fit an ElementTree.
"""

from __future__ import annotations

from typing import IO

from .model import ExportSource
from .xmlstream import write_graphml

__all__ = ["write"]


def write(source: ExportSource, out: IO[bytes], fmt: str) -> None:
    """Write GraphML (named keys, so readers show ``label``, ``kind``... as columns)."""
    write_graphml(source.graph, out)
