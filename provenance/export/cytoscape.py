"""``cytoscape``: Cytoscape.js elements JSON (``cy.add(json.elements)`` takes it as is).

Every element has ``data`` (the attributes of :mod:`provenance.export.model`, plus
``id``, ``source`` and ``target`` as Cytoscape.js wants them) and ``classes`` (the
names of :func:`provenance.export.style.node_classes`, e.g. ``statement single``),
so a stylesheet can mark single-source statements and circular citations.
Cytoscape.js reserves ``data.source`` and ``data.target`` on edges, so the edge's
source id is under ``data.source_id``; a node's is under ``data.source_id`` too.
"""

from __future__ import annotations

import json
from typing import IO, Any

from .model import ExportSource
from .style import edge_classes, node_classes

__all__ = ["write", "to_elements"]


def to_elements(source: ExportSource) -> dict[str, Any]:
    """The ``{"elements": {"nodes": [...], "edges": [...]}}`` object."""
    G = source.graph
    nodes = []
    for n, data in G.nodes(data=True):
        d = {k: v for k, v in data.items() if k != "source"}
        d.update(id=n, source_id=data["source"])
        nodes.append({"data": d, "classes": " ".join(node_classes(data))})
    edges = []
    for i, (u, v, data) in enumerate(G.edges(data=True)):
        d = {k: val for k, val in data.items() if k != "source"}
        d.update(id=f"e{i}", source=u, target=v, source_id=data["source"])
        edges.append({"data": d, "classes": " ".join(edge_classes(data))})
    return {
        "format_version": "1.0",
        "generated_by": "provenance-tracker",
        "target_cytoscapejs_version": "~3.0",
        "data": {"name": "provenance", "by": source.by},
        "elements": {"nodes": nodes, "edges": edges},
    }


def write(source: ExportSource, out: IO[bytes], fmt: str) -> None:
    """Write the elements JSON."""
    out.write(json.dumps(to_elements(source), ensure_ascii=False, indent=1).encode("utf-8"))
