"""Exports for visualisation and exchange: one module per format behind one registry.

Every format is a row of :data:`FORMATS`; its module (imported only when that
format is used) has a function ``write(source, out, fmt)`` that writes bytes to
*out*. Adding a format is adding a module and a row.

>>> from provenance.export import FORMATS
>>> FORMATS["graphml"].suffix
'.graphml'

Python use, without the CLI::

    from provenance.export import export, select
    source = select(tracker, statements=["blinken-attends"])
    with open("blinken.graphml", "wb") as out:
        export(source, "graphml", out)
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from ..errors import InputError
from .model import EDGE_DEFAULTS, NODE_DEFAULTS, ExportSource

if TYPE_CHECKING:
    from ..tracker import By, Tracker

__all__ = [
    "FORMATS",
    "ExportFormat",
    "ExportSource",
    "NODE_DEFAULTS",
    "EDGE_DEFAULTS",
    "export",
    "select",
    "writer",
]

Writer = Callable[[ExportSource, IO[bytes], str], None]


@dataclass(frozen=True)
class ExportFormat:
    """One export format: its name, the module that writes it, a file suffix."""

    name: str
    module: str
    suffix: str
    description: str
    rdf: bool = False  # the store's data as it is: no analysis, so --by does not apply


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("ttl", "rdf", ".ttl", "Turtle: the store's triples", rdf=True),
        ExportFormat("trig", "rdf", ".trig", "TriG: the store's named graphs", rdf=True),
        ExportFormat("nq", "rdf", ".nq", "N-Quads: the store's named graphs", rdf=True),
        ExportFormat("jsonld", "rdf", ".jsonld", "JSON-LD: the store's named graphs", rdf=True),
        ExportFormat("prov-json", "provdoc", ".json", "PROV-JSON, through the prov package"),
        ExportFormat("provn", "provdoc", ".provn", "PROV-N, through the prov package"),
        ExportFormat("graphml", "graphml", ".graphml", "GraphML (Gephi, yEd, Cytoscape)"),
        ExportFormat("gexf", "gexf", ".gexf", "GEXF (Gephi)"),
        ExportFormat("dot", "dot", ".dot", "Graphviz DOT"),
        ExportFormat("svg", "svg", ".svg", "SVG drawn by Graphviz"),
        ExportFormat("cytoscape", "cytoscape", ".cyjs", "Cytoscape.js elements JSON"),
        ExportFormat("html", "html", ".html", "a self-contained interactive page"),
    )
}


def writer(fmt: str) -> Writer:
    """The ``write`` function of format *fmt* (its module imported on first use)."""
    try:
        spec = FORMATS[fmt]
    except KeyError:
        raise InputError(
            f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}"
        ) from None
    module = importlib.import_module(f"{__name__}.{spec.module}")
    return module.write  # type: ignore[no-any-return]


def export(source: ExportSource, fmt: str, out: IO[bytes]) -> None:
    """Write *source* to the binary stream *out* as *fmt*."""
    if FORMATS.get(fmt) and FORMATS[fmt].rdf and source.by != "source":
        raise InputError(
            f"--by {source.by} changes the analysis, which --format {fmt} does not carry "
            "(it is the store's data as it is); leave --by out"
        )
    writer(fmt)(source, out, fmt)


def select(
    tracker: Tracker,
    statements: Iterable[str] = (),
    document: str | None = None,
    by: By = "source",
) -> ExportSource:
    """Resolve the user's selection: nothing (the store), statements and/or a document.

    Statement arguments are ids, IRIs or words (as everywhere in the CLI); an unknown
    one raises :class:`~provenance.errors.UnknownIdError`.
    """
    chosen = [tracker.resolve_statement(s) for s in statements]
    documents: list[str] = []
    if document is not None:
        doc = tracker.resolve_document(document)
        documents.append(doc)
        chosen.extend(tracker.statements_in_document(doc))
    if not statements and document is None:
        return ExportSource(tracker, None, by=by)
    return ExportSource(tracker, sorted(set(chosen)), documents, by=by)
