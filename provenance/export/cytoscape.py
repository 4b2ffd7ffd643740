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
from collections.abc import Iterable, Iterator
from typing import IO, Any

from .model import ExportSource
from .style import edge_classes, node_classes

__all__ = ["write", "to_elements"]


def _nodes(nodes: Iterable[tuple[str, dict[str, Any]]]) -> Iterator[dict[str, Any]]:
    for n, data in nodes:
        d = {k: v for k, v in data.items() if k != "source"}
        d.update(id=n, source_id=data["source"])
        yield {"data": d, "classes": " ".join(node_classes(data))}


def _edges(edges: Iterable[tuple[str, str, dict[str, Any]]]) -> Iterator[dict[str, Any]]:
    for i, (u, v, data) in enumerate(edges):
        d = {k: val for k, val in data.items() if k != "source"}
        d.update(id=f"e{i}", source=u, target=v, source_id=data["source"])
        yield {"data": d, "classes": " ".join(edge_classes(data))}


def _envelope(source: ExportSource, nodes: Any, edges: Any) -> dict[str, Any]:
    return {
        "format_version": "1.0",
        "generated_by": "provenance-tracker",
        "target_cytoscapejs_version": "~3.0",
        "data": {"name": "provenance", "by": source.by},
        "elements": {"nodes": nodes, "edges": edges},
    }


def to_elements(source: ExportSource) -> dict[str, Any]:
    """The ``{"elements": {"nodes": [...], "edges": [...]}}`` object."""
    nodes, edges = source.elements()
    return _envelope(source, list(_nodes(nodes)), list(_edges(edges)))


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1)


def write(source: ExportSource, out: IO[bytes], fmt: str) -> None:
    """Write the elements JSON, element by element: ``json.dumps(to_elements(source),
    indent=1)`` byte for byte, without holding the whole text (or the list, or the
    graph) at once."""
    nodes, edges = source.elements()
    marks = ("\x00nodes", "\x00edges")
    text = _dumps(_envelope(source, *marks))
    head, rest = text.split(_dumps(marks[0]))
    middle, tail = rest.split(_dumps(marks[1]))
    depth = 2  # the lists are values of "elements", itself a value of the top object
    for before, items in ((head, _nodes(nodes)), (middle, _edges(edges))):
        out.write(before.encode("utf-8"))
        opened = False
        for item in items:
            lines = _dumps(item).replace("\n", "\n" + " " * (depth + 1))
            out.write(f"{',' if opened else '['}\n{' ' * (depth + 1)}{lines}".encode())
            opened = True
        out.write(f"\n{' ' * depth}]".encode() if opened else b"[]")
    out.write(tail.encode("utf-8"))
