"""The ontology (ontology/*.ttl) and the vocabulary of the code stay in step."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import PROV, XSD

from provenance.annotation import load_yaml_units
from provenance.resources import ontology_path, shapes_path
from provenance.vocab import NS, PT, local_id, report_iri, slugify, source_iri

SH = Namespace("http://www.w3.org/ns/shacl#")
PACKAGE = Path(__file__).resolve().parent.parent / "provenance"
SEED = Path(__file__).resolve().parent.parent / "seeds" / "blinken-brussels.yaml"
PT_TERMS = sorted(PT.__annotations__)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ontology_path(), format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(shapes_path(), format="turtle")


@pytest.fixture(scope="module")
def seed_graph() -> Graph:
    graph = Graph()
    for unit in load_yaml_units(SEED):
        for triple in unit.triples:
            graph.add(triple)
    return graph


def _declared(ontology: Graph) -> set[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    return {s for k in kinds for s in ontology.subjects(RDF.type, k) if isinstance(s, URIRef)}


def test_ontology_parses_and_declares_itself_as_an_owl_ontology(ontology: Graph) -> None:
    assert (URIRef(NS.rstrip("#")), RDF.type, OWL.Ontology) in ontology


@pytest.mark.parametrize("name", PT_TERMS)
def test_every_term_of_the_code_vocabulary_is_declared_with_label_and_comment(
    ontology: Graph, name: str
) -> None:
    term = PT[name]
    assert term in _declared(ontology), f"pt:{name} is used in code but not declared"
    assert isinstance(ontology.value(term, RDFS.label), Literal), f"pt:{name} has no rdfs:label"
    assert isinstance(ontology.value(term, RDFS.comment), Literal), f"pt:{name} has no comment"


def test_every_term_of_the_ontology_namespace_is_in_the_code_vocabulary(ontology: Graph) -> None:
    ours = {t for t in _declared(ontology) if str(t).startswith(NS)}
    assert {str(t)[len(NS) :] for t in ours} == set(PT_TERMS)


def test_a_misspelt_vocabulary_term_raises_instead_of_minting_an_iri() -> None:
    with pytest.raises(AttributeError):
        PT.Statment  # noqa: B018


def test_every_pt_term_written_in_sparql_strings_of_the_package_is_a_vocabulary_term() -> None:
    used: set[str] = set()
    for path in PACKAGE.glob("*.py"):
        used |= set(re.findall(r"\bpt:([A-Za-z]\w*)", path.read_text(encoding="utf-8")))
    assert used, "expected SPARQL using pt: terms in the package"
    assert used <= set(PT_TERMS), f"undeclared pt: terms in code: {sorted(used - set(PT_TERMS))}"


def test_statement_is_a_subclass_of_rdf_statement_and_report_of_prov_entity(
    ontology: Graph,
) -> None:
    assert (PT.Statement, RDFS.subClassOf, RDF.Statement) in ontology
    assert (PT.Report, RDFS.subClassOf, PROV.Entity) in ontology
    assert (PT.Source, RDFS.subClassOf, PROV.Agent) in ontology


def test_shapes_parse_and_every_pt_term_they_mention_is_declared(
    shapes: Graph, ontology: Graph
) -> None:
    mentioned = {
        t for triple in shapes for t in triple if isinstance(t, URIRef) and str(t).startswith(NS)
    }
    assert mentioned, "the shapes should constrain pt: classes and properties"
    assert mentioned <= _declared(ontology), sorted(map(str, mentioned - _declared(ontology)))


def _superclasses(ontology: Graph, cls: URIRef) -> set[URIRef]:
    out = {cls}
    out |= set(ontology.transitive_objects(cls, RDFS.subClassOf))
    return out


def _property_shapes(shapes: Graph):
    for node_shape in shapes.subjects(RDF.type, SH.NodeShape):
        target = shapes.value(node_shape, SH.targetClass)
        for prop_shape in shapes.objects(node_shape, SH.property):
            path = shapes.value(prop_shape, SH.path)
            if isinstance(path, URIRef) and str(path).startswith(NS):
                yield target, path, prop_shape


def test_shapes_agree_with_the_domains_and_ranges_of_the_ontology(
    shapes: Graph, ontology: Graph
) -> None:
    checked = 0
    for target, path, prop_shape in _property_shapes(shapes):
        domain = ontology.value(path, RDFS.domain)
        if target is not None and domain is not None:
            assert domain in _superclasses(ontology, target), (
                f"a shape on {target} constrains {path}, whose domain is {domain}"
            )
        cls = shapes.value(prop_shape, SH["class"])
        datatype = shapes.value(prop_shape, SH.datatype)
        rng = ontology.value(path, RDFS.range)
        if cls is not None:
            assert rng == cls, f"{path}: shape requires class {cls}, ontology range is {rng}"
        if datatype is not None:
            assert rng == datatype, f"{path}: shape requires {datatype}, ontology range is {rng}"
        checked += 1
    assert checked >= 5


def _validate(data: Graph, shapes: Graph, ontology: Graph | None = None) -> tuple[bool, str]:
    import pyshacl

    conforms, _, text = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="rdfs" if ontology is not None else "none",
        allow_warnings=True,
    )
    return conforms, text


def test_the_seed_graph_conforms_to_the_shapes(seed_graph: Graph, shapes: Graph) -> None:
    conforms, text = _validate(seed_graph, shapes)
    assert conforms, text


def test_the_seed_graph_conforms_with_the_ontology_entailments(
    seed_graph: Graph, shapes: Graph, ontology: Graph
) -> None:
    # RDFS inference over the ontology adds types from domains and ranges; the shapes
    # must still hold, so the ontology and the shapes do not contradict each other.
    conforms, text = _validate(seed_graph, shapes, ontology)
    assert conforms, text


def test_the_ontology_itself_satisfies_the_shapes(ontology: Graph, shapes: Graph) -> None:
    conforms, text = _validate(ontology, shapes)
    assert conforms, text


def test_a_report_without_a_source_violates_the_shapes(seed_graph: Graph, shapes: Graph) -> None:
    broken = Graph()
    for triple in seed_graph:
        broken.add(triple)
    report = report_iri("blinken-attends", "tass")
    broken.remove((report, PROV.wasAttributedTo, None))
    conforms, text = _validate(broken, shapes)
    assert not conforms
    assert "exactly one source" in text


def test_a_citation_of_something_that_is_not_a_report_violates_the_shapes(
    seed_graph: Graph, shapes: Graph
) -> None:
    broken = Graph()
    for triple in seed_graph:
        broken.add(triple)
    broken.add((report_iri("blinken-attends", "tass"), PROV.wasDerivedFrom, source_iri("mfa")))
    conforms, _ = _validate(broken, shapes)
    assert not conforms


def test_confidence_outside_zero_to_one_violates_the_shapes(
    seed_graph: Graph, shapes: Graph
) -> None:
    broken = Graph()
    for triple in seed_graph:
        broken.add(triple)
    report = report_iri("blinken-attends", "tass")
    broken.add((report, PT.confidence, Literal("1.5", datatype=XSD.decimal)))
    conforms, _ = _validate(broken, shapes)
    assert not conforms


def test_slugify_makes_readable_iri_safe_slugs() -> None:
    assert slugify("Ukraine-NATO Council meeting") == "ukraine-nato-council-meeting"
    assert re.fullmatch(r"[a-z0-9-]+", slugify("Ukraine’s sovereignty, 24 Nov."))
    assert slugify("Москва") != ""  # text without ASCII letters keeps its characters


def test_an_invalid_id_is_refused_when_minting_an_iri() -> None:
    with pytest.raises(ValueError, match="not a valid id"):
        source_iri("has space")


def test_local_id_gives_back_the_id_of_our_iris_and_leaves_others_alone() -> None:
    assert local_id(str(source_iri("tass"))) == "tass"
    assert local_id(str(report_iri("s1", "tass"))) == "s1/tass"
    assert local_id("http://example.org/x") == "http://example.org/x"
