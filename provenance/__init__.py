"""provenance: track where the claims in news come from.

Statements are RDF triples with their text, linked through PROV-O to the reports
that relay them and the sources behind them. The main entry points:

* :class:`provenance.tracker.Tracker`: the questions (origin, report,
  single-source, impact) over a store;
* :mod:`provenance.graph`: the networkx graph layer;
* :class:`provenance.store.EmbeddedStore` and :func:`provenance.ingest.ingest_files`.

Importing the package is cheap: the submodules load when first used.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "Tracker": "provenance.tracker",
    "EmbeddedStore": "provenance.store",
    "ingest_files": "provenance.ingest",
    "ProvenanceError": "provenance.errors",
    "InputError": "provenance.errors",
    "StoreError": "provenance.errors",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'provenance' has no attribute {name!r}")
