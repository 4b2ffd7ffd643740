"""The digest of this package's code: what kept derived data (whole-store answers,
:mod:`provenance.answers`; tables, :mod:`provenance.tables`) records, so that data
another version computed (an upgrade, a fix, a local change) is computed again rather
than served as this version's answer."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

__all__ = ["digest"]


@functools.cache
def digest() -> bytes:
    """32 bytes: every module of the package, read once a process (about 0.5 MB).
    Where there are no sources (a frozen build), the package's version."""
    h = hashlib.blake2b(digest_size=32)
    root = Path(__file__).resolve().parent
    sources = sorted(root.rglob("*.py"))
    for path in sources:
        try:
            h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
        except OSError:
            sources = []
            break
    if not sources:
        from importlib.metadata import PackageNotFoundError, version

        try:
            h.update(version("provenance-tracker").encode())
        except PackageNotFoundError:
            pass
    return h.digest()
