"""provenance._names (rdflib-free, for fast start-up) agrees with provenance.vocab."""

from __future__ import annotations

import subprocess
import sys

import pytest

from provenance import _names, vocab


def test_constants_agree() -> None:
    assert _names.NS == vocab.NS
    assert _names.ID == vocab.ID
    assert _names.PREFIXES == vocab.PREFIXES
    assert _names._SLUG_RE.pattern == vocab.SLUG_PATTERN


@pytest.mark.parametrize("ident", ["tass", "mfa-press", "a.b_c~d", "st-0000001"])
def test_minting_agrees(ident: str) -> None:
    for name in ("source_iri", "statement_iri", "document_iri"):
        assert getattr(_names, name)(ident) == str(getattr(vocab, name)(ident))
    for iri in (str(vocab.source_iri(ident)), str(vocab.report_iri(ident, "x")), "http://e/x"):
        assert _names.local_id(iri) == vocab.local_id(iri)


@pytest.mark.parametrize("bad", ["", "-x", "a b", "a/b"])
def test_bad_ids_are_refused_alike(bad: str) -> None:
    with pytest.raises(ValueError):
        vocab.source_iri(bad)
    with pytest.raises(ValueError):
        _names.source_iri(bad)


def test_the_origin_path_imports_neither_rdflib_nor_networkx() -> None:
    code = (
        "import sys\n"
        "import provenance.cli, provenance.tracker, provenance.store, provenance.fastgraph\n"
        "print(sorted(m for m in ('rdflib', 'networkx') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
