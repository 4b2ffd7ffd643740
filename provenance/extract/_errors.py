"""Errors of the extractor: all are bad input, so all are :class:`InputError` (exit 2)."""

from __future__ import annotations

from ..errors import InputError

__all__ = ["ExtractionError", "EmptyTextError", "InvalidIdError", "BackendUnavailableError"]


class ExtractionError(InputError):
    """Base class of the extractor's errors."""


class EmptyTextError(ExtractionError):
    """The article has no text to extract from."""


class InvalidIdError(ExtractionError):
    """A document or publisher id that is not a slug."""


class BackendUnavailableError(ExtractionError):
    """An unknown backend, or one whose optional dependencies are not installed."""
