"""The package's exceptions: one base class, two kinds the CLI maps to exit codes.

* :class:`InputError` (exit 2): the user's input is wrong (a malformed file, an
  unknown id, a bad option). The message says what is wrong and how to fix it.
* :class:`StoreError` (exit 1): anything else that fails (a store that cannot be
  opened, an endpoint that does not answer).
"""

from __future__ import annotations

__all__ = [
    "ProvenanceError",
    "InputError",
    "ValidationError",
    "UnknownIdError",
    "AmbiguousIdError",
    "StoreError",
]


class ProvenanceError(Exception):
    """Base class of every error the package raises on purpose."""

    exit_code = 1


class InputError(ProvenanceError, ValueError):
    """Bad input from the user: a file, an id, an option."""

    exit_code = 2


class ValidationError(InputError):
    """A file that parses but does not satisfy the schema or the SHACL shapes."""


class UnknownIdError(InputError):
    """An id, IRI or text that names nothing in the store."""


class AmbiguousIdError(InputError):
    """Words that occur in more than one statement's text."""

    def __init__(self, message: str, candidates: list[tuple[str, str]]):
        super().__init__(message)
        self.candidates = candidates


class StoreError(ProvenanceError):
    """The store cannot be opened, read or written."""
