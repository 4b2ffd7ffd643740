"""``ttl``, ``trig``, ``nq``, ``jsonld``: the store's RDF, serialised by pyoxigraph.

The output is the data as ingested (the store's content hashes are bookkeeping and
left out), so ingesting it into a new store gives the same answers. TriG, N-Quads
and JSON-LD keep each document's named graph; Turtle has no graphs, so its triples
are merged (ingested again, they form one graph).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from ..vocab import PREFIXES
from .model import ExportSource

__all__ = ["write"]

_FORMATS = {"ttl": "TURTLE", "trig": "TRIG", "nq": "N_QUADS", "jsonld": "JSON_LD"}
_QUADS = {"trig", "nq", "jsonld"}


def _triples(quads: Iterator[Any]) -> Iterator[Any]:
    import pyoxigraph as ox

    seen: set[Any] = set()
    for q in quads:
        t = ox.Triple(q.subject, q.predicate, q.object)
        if t not in seen:
            seen.add(t)
            yield t


def write(source: ExportSource, out: IO[bytes], fmt: str) -> None:
    """Serialise the selection's quads (or, for Turtle, triples) to *out*."""
    import pyoxigraph as ox

    rdf_format = getattr(ox.RdfFormat, _FORMATS[fmt])
    data = source.quads() if fmt in _QUADS else _triples(source.quads())
    prefixes = None if fmt == "nq" else dict(PREFIXES)
    ox.serialize(data, out, format=rdf_format, prefixes=prefixes)
