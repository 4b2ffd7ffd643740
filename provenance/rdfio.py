"""Reading RDF files in the project's vocabulary, safely and with clear errors.

Formats are chosen by file extension. Nothing here touches the network: a JSON-LD
file that names a remote ``@context`` is refused (rdflib would fetch it), and an
RDF/XML file that declares external entities is refused (XXE).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from rdflib import RDF, RDFS, BNode, Dataset, Graph, URIRef
from rdflib.namespace import PROV, SDO

from .annotation import Unit
from .bulk import graph_hash
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


def _check_text(path: Path, data: bytes, fmt: str) -> None:
    """Turtle, TriG, N-Triples, N-Quads and JSON-LD are UTF-8 text: say so with the line."""
    try:
        data.decode("utf-8")
        at = data.find(b"\x00")
        reason = "a NUL byte" if at >= 0 else ""
    except UnicodeDecodeError as exc:
        at, reason = exc.start, exc.reason
    if reason:
        line = data.count(b"\n", 0, at) + 1
        raise InputError(
            f"{path}:{line}: not UTF-8 text ({reason}), so not {fmt}; "
            "if it is text, convert it (iconv -t UTF-8)"
        )


_DOCTYPE_EXTERNAL = re.compile(rb"<!DOCTYPE[^>\[]*\b(?:SYSTEM|PUBLIC)\b")
_ENTITY_EXTERNAL = re.compile(rb"<!ENTITY[^>]*\b(?:SYSTEM|PUBLIC)\b")
_ENTITY = re.compile(rb"<!ENTITY\s+(%\s+)?([^\s%;]+)\s+(?:\"([^\"]*)\"|'([^']*)')\s*>")
_REFERENCE = re.compile(rb"[&%]([^\s&%;<>\"']+);")
#: What the internal entities of one RDF/XML file may expand to, in bytes.
_MAX_EXPANSION = 10_000_000


def _check_xml_entities(path: Path, data: bytes) -> None:
    """Refuse external entities (XXE) and entity-expansion bombs ("billion laughs").

    Internal entities are common in RDF/XML (``<!ENTITY owl "http://...#">``) and
    stay allowed; Oxigraph's parser expands them without a limit, so their expanded
    size is computed here first.
    """
    if _DOCTYPE_EXTERNAL.search(data) or _ENTITY_EXTERNAL.search(data):
        raise InputError(
            f"{path}: the RDF/XML declares external entities or an external DTD, which are "
            "refused (never fetched); remove them"
        )
    values = {m[2]: m[3] if m[3] is not None else m[4] for m in _ENTITY.finditer(data)}
    if not values:
        return
    sizes: dict[bytes, int] = {}
    for name in values:  # depth-first with an explicit stack: chains may be long
        stack, on_path = [name], {name}
        while stack:
            top = stack[-1]
            pending = [r for r in _REFERENCE.findall(values[top]) if r in values and r not in sizes]
            if pending:
                if pending[0] in on_path:
                    raise InputError(
                        f"{path}: the XML entity {pending[0].decode(errors='replace')} refers "
                        "to itself; remove the loop"
                    )
                stack.append(pending[0])
                on_path.add(pending[0])
                continue
            refs = _REFERENCE.findall(values[top])
            size = len(values[top]) + sum(sizes.get(r, 1) for r in refs)
            sizes[top] = min(size, _MAX_EXPANSION + 1)
            on_path.discard(stack.pop())
    end = data.find(b"]>", data.find(b"<!DOCTYPE"))
    body = data[end + 2 :] if end >= 0 else data
    total = sum(sizes.get(r, 1) for r in _REFERENCE.findall(body))
    if total > _MAX_EXPANSION or max(sizes.values()) > _MAX_EXPANSION:
        raise InputError(
            f"{path}: the XML entities expand to more than {_MAX_EXPANSION:,} bytes (an "
            "entity-expansion bomb?); write the text out instead of nesting entities"
        )


def _check_syntax(path: Path, data: bytes, fmt: str) -> None:
    """Raise InputError with line and column for a syntax error, before rdflib sees it."""
    if fmt == "json-ld":
        _check_text(path, data, fmt)
        try:
            doc = json.loads(data)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{exc.lineno}:{exc.colno}: JSON-LD syntax error: {exc}"
                             ) from None
        except RecursionError:
            raise InputError(f"{path}: JSON nested too deep to read; this is not a JSON-LD "
                             "document of statements") from None
        remote = _remote_contexts(doc)
        if remote:
            raise InputError(
                f"{path}: the JSON-LD names a remote @context ({remote[0]}), which is never "
                "fetched; inline the context in the file"
            )
        return
    if fmt == "xml":
        _check_xml_entities(path, data)
    elif fmt != "json-ld":
        _check_text(path, data, fmt)
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
        content_hash=graph_hash(digest, str(name)),
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
    _check_iris(path, units)
    return units


def _check_iris(path: Path, units: list[Unit]) -> None:
    """Refuse an IRI the store cannot hold: rdflib's JSON-LD parser (which alone reads
    JSON-LD) lets ``"@id": "http://e.org/a b"`` or a relative graph name through."""
    import pyoxigraph as ox

    seen: set[str] = set()
    for unit in units:
        terms: list[Any] = [unit.graph]
        for triple in unit.triples:
            terms.extend(t if isinstance(t, URIRef) else getattr(t, "datatype", None)
                         for t in triple)
        for term in terms:
            if term is None or str(term) in seen:
                continue
            seen.add(str(term))
            try:
                ox.NamedNode(str(term))
            except ValueError as exc:
                raise InputError(
                    f"{path}: <{term}> is not a valid IRI ({exc}); percent-encode it"
                ) from None
