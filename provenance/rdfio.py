"""Reading RDF files in the project's vocabulary, safely and with clear errors.

Formats are chosen by file extension. Nothing here touches the network: a JSON-LD
file that names a remote ``@context`` is refused (rdflib would fetch it), and an
RDF/XML file that declares external entities is refused (XXE).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from rdflib import RDF, RDFS, BNode, Dataset, Graph, URIRef
from rdflib.namespace import PROV, SDO

from .annotation import Unit
from .errors import InputError
from .vocab import ID, PT

__all__ = ["RDF_FORMATS", "QUAD_FORMATS", "rdf_format", "load_rdf_units", "SUPPORTED_SUFFIXES"]

#: file suffix -> rdflib parser name
RDF_FORMATS: dict[str, str] = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".trig": "trig",
    ".nt": "nt",
    ".ntriples": "nt",
    ".nq": "nquads",
    ".nquads": "nquads",
    ".jsonld": "json-ld",
    ".json-ld": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}
QUAD_FORMATS = {"trig", "nquads", "json-ld"}
YAML_SUFFIXES = {".yaml", ".yml"}
SUPPORTED_SUFFIXES = set(RDF_FORMATS) | YAML_SUFFIXES

# rdflib parser name -> pyoxigraph format, used for precise syntax error locations.
_OXIGRAPH_FORMATS = {
    "turtle": "TURTLE",
    "trig": "TRIG",
    "nt": "N_TRIPLES",
    "nquads": "N_QUADS",
    "xml": "RDF_XML",
}


def rdf_format(path: Path) -> str | None:
    """The rdflib parser name for *path*, or None if it is not an RDF file."""
    return RDF_FORMATS.get(path.suffix.lower())


def _remote_contexts(node: Any) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("@context", "@import"):
                values = value if isinstance(value, list) else [value]
                found.extend(v for v in values if isinstance(v, str))
                found.extend(c for v in values if isinstance(v, dict) for c in _remote_contexts(v))
            else:
                found.extend(_remote_contexts(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_remote_contexts(value))
    return found


def _check_syntax(path: Path, data: bytes, fmt: str) -> None:
    """Raise InputError with line and column for a syntax error, before rdflib sees it."""
    if fmt == "json-ld":
        try:
            doc = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            where = f":{exc.lineno}:{exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
            raise InputError(f"{path}{where}: JSON-LD syntax error: {exc}") from None
        remote = _remote_contexts(doc)
        if remote:
            raise InputError(
                f"{path}: the JSON-LD names a remote @context ({remote[0]}), which is never "
                "fetched; inline the context in the file"
            )
        return
    if fmt == "xml" and b"<!ENTITY" in data and (b"SYSTEM" in data or b"PUBLIC" in data):
        raise InputError(
            f"{path}: the RDF/XML declares external entities, which are refused; remove them"
        )
    import pyoxigraph as ox

    try:
        # The file's own URI as base, as rdflib uses: relative IRIs are valid RDF.
        for _ in ox.parse(
            data,
            format=getattr(ox.RdfFormat, _OXIGRAPH_FORMATS[fmt]),
            base_iri=path.resolve().as_uri(),
        ):
            pass
    except SyntaxError as exc:
        text = exc.msg or str(exc) or "invalid syntax"
        message = text.splitlines()[0]
        line = f":{exc.lineno}" if exc.lineno else ""
        raise InputError(f"{path}{line}: {fmt} syntax error: {message}") from None


def _default_graph(dataset: Dataset) -> Graph:
    # rdflib >= 7.1 names it default_graph and deprecates default_context.
    graph = getattr(dataset, "default_graph", None)
    return graph if isinstance(graph, Graph) else dataset.default_context


def _parse(path: Path, data: bytes, fmt: str) -> Dataset:
    _check_syntax(path, data, fmt)
    dataset = Dataset(default_union=False)
    try:
        if fmt in QUAD_FORMATS:
            dataset.parse(data=data, format=fmt, publicID=path.resolve().as_uri())
        else:
            _default_graph(dataset).parse(data=data, format=fmt, publicID=path.resolve().as_uri())
    except Exception as exc:  # rdflib raises many unrelated types for bad input
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"{path}: cannot read it as {fmt}: {message}") from None
    return dataset


def _graph_name(graph: Graph, path: Path) -> URIRef:
    documents = set(graph.subjects(RDF.type, PT.Document))
    if len(documents) == 1:
        (doc,) = documents
        if isinstance(doc, URIRef):
            return doc
    return URIRef(f"{ID}file/{path.stem}")


def _unit(graph: Graph, name: URIRef, path: Path, digest: str) -> Unit:
    needs: dict[URIRef, str] = {}
    for prop in (PROV.wasAttributedTo, SDO.publisher, PROV.actedOnBehalfOf):
        for obj in graph.objects(None, prop):
            if isinstance(obj, URIRef):
                needs.setdefault(obj, str(path))
    # Every labelled subject counts as declared: a sources-only graph declares the
    # sources that other graphs of the batch (or later ingests) refer to.
    declares = {s for s in graph.subjects(RDFS.label, None) if isinstance(s, URIRef)}
    # The store writes its own pt:contentHash; one read from the file (a store
    # export) would sit next to it and make every re-ingest look changed.
    return Unit(
        graph=name,
        triples=[t for t in graph.triples((None, None, None)) if t[1] != PT.contentHash],
        where=str(path),
        content_hash=hashlib.sha256(digest.encode() + name.encode()).hexdigest(),
        declares={d for d in declares if isinstance(d, URIRef)},
        needs=needs,
    )


def load_rdf_units(path: Path) -> list[Unit]:
    """Parse an RDF file into units: one per named graph, one for the default graph."""
    fmt = rdf_format(path)
    if fmt is None:
        raise InputError(f"{path}: not an RDF file extension ({', '.join(sorted(RDF_FORMATS))})")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read it: {exc.strerror}") from None
    digest = hashlib.sha256(data).hexdigest()
    dataset = _parse(path, data, fmt)
    units: list[Unit] = []
    for graph in dataset.graphs():
        if len(graph) == 0:
            continue
        if graph.identifier == _default_graph(dataset).identifier or isinstance(
            graph.identifier, BNode
        ):
            name = _graph_name(graph, path)
        else:
            name = URIRef(str(graph.identifier))
        units.append(_unit(graph, name, path, digest))
    if not units:
        raise InputError(f"{path}: holds no triples")
    return units
