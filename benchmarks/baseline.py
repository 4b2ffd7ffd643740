"""The naive baseline: rdflib's in-memory Dataset, SPARQL, and networkx over it.

:class:`RdflibBackend` is a :class:`provenance.store.Backend` over an rdflib
``Dataset``, so the baseline answers each question with the same queries and the
same graph layer (:mod:`provenance.graph`, networkx) as the reference path, only
on rdflib's store instead of Oxigraph.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from provenance.store import Backend, GraphWrite, Row, _prologue

__all__ = ["RdflibBackend", "load_nquads", "load_yaml"]


class RdflibBackend(Backend):
    """Answers :meth:`select` with rdflib's SPARQL engine over an in-memory Dataset."""

    def __init__(self, dataset: Any):
        self.dataset = dataset
        self.location = "rdflib:memory"

    def select(self, query: str, union: bool = True) -> list[Row]:
        result = self.dataset.query(_prologue() + query)
        names = [str(v) for v in result.vars]
        return [
            {n: str(v) for n, v in zip(names, row, strict=True) if v is not None}
            for row in result
        ]

    def write_graphs(self, writes: list[GraphWrite]) -> None:  # pragma: no cover
        raise NotImplementedError("the baseline is read-only after loading")


def _dataset() -> Any:
    from rdflib import Dataset

    return Dataset(default_union=True)


def load_nquads(path: Path) -> Any:
    """rdflib's own N-Quads parser into an in-memory Dataset."""
    ds = _dataset()
    ds.parse(path, format="nquads")
    return ds


def load_yaml(folder: Path) -> Any:
    """The YAML annotations converted by the reference code, added to a Dataset."""
    from rdflib import URIRef

    from provenance.ingest import collect_files, load_units

    ds = _dataset()
    for file in collect_files([folder]):
        for unit in load_units([file]):
            graph = ds.graph(URIRef(unit.graph))
            for triple in unit.triples:
                graph.add(triple)
    return ds
