"""Files shipped with the package: the ontology, the shapes, the JSON Schema.

In an installed wheel the ontology sits in ``provenance/_data/ontology``; in a
source checkout (editable install, tests) it is the top-level ``ontology/``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

__all__ = ["ontology_path", "shapes_path", "schema_path"]

_PACKAGE = Path(__file__).resolve().parent


@cache
def _ontology_dir() -> Path:
    for candidate in (_PACKAGE / "_data" / "ontology", _PACKAGE.parent / "ontology"):
        if (candidate / "provenance.ttl").is_file():
            return candidate
    raise FileNotFoundError("the ontology files are missing from this installation")


def ontology_path() -> Path:
    """Path of ``provenance.ttl``, the OWL ontology."""
    return _ontology_dir() / "provenance.ttl"


def shapes_path() -> Path:
    """Path of ``shapes.ttl``, the SHACL shapes."""
    return _ontology_dir() / "shapes.ttl"


def schema_path() -> Path:
    """Path of the JSON Schema of the YAML annotation format."""
    return _PACKAGE / "schemas" / "annotation.schema.json"
