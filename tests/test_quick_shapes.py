"""The quick shape check of small ingests accepts exactly what pyshacl accepts.

Small ingests skip pyshacl when the bulk path's checker accepts the batch; a batch it
refuses goes to pyshacl, which decides and words the message. So a false refusal
only costs time, but a false acceptance would let bad data in: these tests compare
the two on the seed and the examples, whole and with triples removed or changed.
"""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef

from provenance.annotation import Unit
from provenance.ingest import _conforms_quickly, _shapes, collect_files, load_units
from provenance.vocab import PT

ROOT = Path(__file__).resolve().parent.parent
UNITS = load_units(collect_files([ROOT / "seeds", ROOT / "examples" / "annotations"]))
TRIPLES = [t for u in UNITS for t in u.triples]

# Changes that break a shape when they land on the right node.
ODD_OBJECTS = [
    Literal(""),
    Literal("2", datatype=XSD.decimal),
    Literal("yes"),
    Literal("0.5", datatype=XSD.decimal),
    Literal("maybe", datatype=XSD.boolean),
    Literal("1", datatype=XSD.boolean),
    Literal("1e-1", datatype=XSD.decimal),
    Literal("NaN", datatype=XSD.decimal),
    Literal(".5", datatype=XSD.decimal),
    Literal("x", lang="en"),
    BNode("b0"),
    URIRef("https://example.org/nowhere"),
    PT.Report,
    PT.Statement,
]


def _pyshacl_conforms(units: list[Unit]) -> bool:
    data = Graph()
    for u in units:
        for t in u.triples:
            data.add(t)
    conforms, _, _ = pyshacl.validate(
        data, shacl_graph=_shapes(), advanced=False, inference="none", allow_warnings=True
    )
    return bool(conforms)


def _one_unit(triples: list) -> list[Unit]:
    return [Unit(URIRef("https://example.org/g"), triples, "case", "hash")]


def test_the_seed_and_the_examples_pass_the_quick_check() -> None:
    assert _conforms_quickly(UNITS, Graph())
    assert _pyshacl_conforms(UNITS)


@pytest.mark.parametrize("drop", [RDF.subject, PT.text, PT.statement, RDF.type])
def test_a_missing_required_property_is_refused_by_both(drop: URIRef) -> None:
    triples = [t for t in TRIPLES if t[1] != drop]
    assert not _pyshacl_conforms(_one_unit(triples))
    assert not _conforms_quickly(_one_unit(triples), Graph())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    drop=st.sets(st.integers(0, len(TRIPLES) - 1), max_size=3),
    change=st.lists(
        st.tuples(st.integers(0, len(TRIPLES) - 1), st.sampled_from(ODD_OBJECTS)), max_size=2
    ),
)
def test_the_quick_check_accepts_what_pyshacl_accepts_and_nothing_else(
    drop: set[int], change: list[tuple[int, object]]
) -> None:
    triples = list(TRIPLES)
    for i, obj in change:
        s, p, _ = triples[i]
        triples[i] = (s, p, obj)
    triples = [t for i, t in enumerate(triples) if i not in drop]
    units = _one_unit(triples)
    quick, reference = _conforms_quickly(units, Graph()), _pyshacl_conforms(units)
    if any(isinstance(o, Literal) and o.ill_typed for _, _, o in triples):
        # rdflib has rewritten an ill-typed literal's lexical form: pyshacl judges alone
        assert not quick
    else:
        assert quick == reference
