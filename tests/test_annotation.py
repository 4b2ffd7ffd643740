"""The YAML annotation format: loading, checking, and the RDF it turns into."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, XSD, Literal, URIRef
from rdflib.namespace import PROV, SDO

from provenance.annotation import Unit, load_yaml_units
from provenance.errors import InputError, ValidationError
from provenance.vocab import (
    ID,
    PT,
    document_iri,
    entity_iri,
    relation_iri,
    report_iri,
    source_iri,
    statement_iri,
)

MINIMAL = """\
document: {id: doc1, publisher: wire}
sources:
  wire: {label: Wire, type: organization}
  tass: {label: TASS, type: organization, kind: news agency}
  mfa: {label: Ministry, type: organization}
  press: {label: Press service, type: organization, acted_on_behalf_of: mfa}
statements:
  - id: s1
    text: A happened
    triple: [Alice, met, Bob]
    according_to:
      - [tass, press]
"""


def write(tmp_path: Path, text: str, name: str = "a.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def one_unit(tmp_path: Path, text: str, name: str = "a.yaml") -> Unit:
    units = load_yaml_units(write(tmp_path, text, name))
    assert len(units) == 1
    return units[0]


def triples(unit: Unit) -> set[tuple]:
    return set(unit.triples)


# ------------------------------------------------------------------ the RDF


def test_a_document_becomes_one_named_graph_named_by_its_iri(tmp_path: Path) -> None:
    unit = one_unit(tmp_path, MINIMAL)
    assert unit.graph == document_iri("doc1")
    doc = document_iri("doc1")
    assert (doc, RDF.type, PT.Document) in triples(unit)
    assert (doc, SDO.publisher, source_iri("wire")) in triples(unit)
    assert (doc, PT.sourceFile, Literal("a.yaml")) in triples(unit)


def test_a_statement_is_a_reified_triple_with_its_text(tmp_path: Path) -> None:
    t = triples(one_unit(tmp_path, MINIMAL))
    s = statement_iri("s1")
    assert (s, RDF.type, PT.Statement) in t
    assert (s, RDF.type, RDF.Statement) in t
    assert (s, PT.text, Literal("A happened")) in t
    assert (s, RDF.subject, entity_iri("Alice")) in t
    assert (s, RDF.predicate, relation_iri("met")) in t
    assert (s, RDF.object, entity_iri("Bob")) in t
    assert (entity_iri("Alice"), RDFS.label, Literal("Alice")) in t


def test_the_chain_runs_from_the_publisher_through_each_relay_to_the_origin(
    tmp_path: Path,
) -> None:
    t = triples(one_unit(tmp_path, MINIMAL))
    entry, tass, press = (report_iri("s1", x) for x in ("wire", "tass", "press"))
    assert (entry, PROV.wasDerivedFrom, tass) in t
    assert (tass, PROV.wasDerivedFrom, press) in t
    assert not any(s == press and p == PROV.wasDerivedFrom for s, p, _ in t)
    for report, source in ((entry, "wire"), (tass, "tass"), (press, "press")):
        assert (report, PROV.wasAttributedTo, source_iri(source)) in t
        assert (report, PT.statement, statement_iri("s1")) in t
        assert (report, PT.appearsIn, document_iri("doc1")) in t


def test_a_quoted_chain_uses_was_quoted_from(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "    triple: [Alice, met, Bob]\n", "    triple: [Alice, met, Bob]\n    quoted: true\n"
    )
    t = triples(one_unit(tmp_path, text))
    assert (report_iri("s1", "wire"), PROV.wasQuotedFrom, report_iri("s1", "tass")) in t
    assert not any(p == PROV.wasDerivedFrom for _, p, _ in t)


def test_a_statement_without_according_to_has_only_the_publishers_report(tmp_path: Path) -> None:
    text = MINIMAL.replace("    according_to:\n      - [tass, press]\n", "")
    t = triples(one_unit(tmp_path, text))
    reports = {s for s, p, o in t if p == RDF.type and o == PT.Report}
    assert reports == {report_iri("s1", "wire")}


def test_sources_carry_type_label_anonymity_kind_and_affiliation(tmp_path: Path) -> None:
    t = triples(one_unit(tmp_path, MINIMAL))
    tass, press = source_iri("tass"), source_iri("press")
    assert {(tass, RDF.type, PT.Source), (tass, RDF.type, PROV.Organization)} <= t
    assert (tass, RDFS.label, Literal("TASS")) in t
    assert (tass, PT.anonymous, Literal(False)) in t
    assert (tass, PT.kind, Literal("news agency")) in t
    assert (press, PROV.actedOnBehalfOf, source_iri("mfa")) in t


def test_acted_on_behalf_of_may_be_a_list(tmp_path: Path) -> None:
    text = MINIMAL.replace("acted_on_behalf_of: mfa", "acted_on_behalf_of: [mfa, tass]")
    t = triples(one_unit(tmp_path, text))
    assert (source_iri("press"), PROV.actedOnBehalfOf, source_iri("mfa")) in t
    assert (source_iri("press"), PROV.actedOnBehalfOf, source_iri("tass")) in t


def test_triple_members_may_be_iris_curies_or_text(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "triple: [Alice, met, Bob]",
        "triple: ['wd:Q1', '<http://example.org/p>', 'ex:thing']",
    ).replace("document:", "prefixes: {ex: 'http://example.org/ns#'}\ndocument:")
    t = triples(one_unit(tmp_path, text))
    s = statement_iri("s1")
    assert (s, RDF.subject, URIRef("http://www.wikidata.org/entity/Q1")) in t
    assert (s, RDF.predicate, URIRef("http://example.org/p")) in t
    assert (s, RDF.object, URIRef("http://example.org/ns#thing")) in t


def test_evidence_cue_offsets_confidence_and_date_are_recorded(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "    triple: [Alice, met, Bob]\n",
        "    triple: [Alice, met, Bob]\n    evidence: TASS said A.\n    cue: said\n"
        "    evidence_start: 3\n    evidence_end: 15\n    confidence: 0.5\n",
    ).replace("{id: doc1, publisher: wire}", "{id: doc1, publisher: wire, published: 2023-11-24}")
    t = triples(one_unit(tmp_path, text))
    entry = report_iri("s1", "wire")
    assert (entry, PT.evidence, Literal("TASS said A.")) in t
    assert (entry, PT.cue, Literal("said")) in t
    assert (entry, PT.evidenceStart, Literal(3, datatype=XSD.nonNegativeInteger)) in t
    assert (entry, PT.confidence, Literal("0.5", datatype=XSD.decimal)) in t
    assert (document_iri("doc1"), SDO.datePublished, Literal("2023-11-24", datatype=XSD.date)) in t


@pytest.mark.parametrize("published", ["2023-11-24", "'2023-11-24'"])
def test_a_publication_date_quoted_or_not_is_an_xsd_date(tmp_path: Path, published: str) -> None:
    text = MINIMAL.replace("publisher: wire}", f"publisher: wire, published: {published}}}")
    t = triples(one_unit(tmp_path, text))
    assert (document_iri("doc1"), SDO.datePublished, Literal("2023-11-24", datatype=XSD.date)) in t


def test_plain_yaml_scalars_outside_typed_fields_stay_text(tmp_path: Path) -> None:
    # YAML would read these as a bool, a number and a date; they are text here.
    text = (
        MINIMAL.replace("[Alice, met, Bob]", "[Alice, turned, 40]")
        .replace("{label: Ministry,", "{label: No,")
        .replace("text: A happened", "text: 2023-11-24")
    )
    t = triples(one_unit(tmp_path, text))
    s = statement_iri("s1")
    assert (s, RDF.object, entity_iri("40")) in t
    assert (entity_iri("40"), RDFS.label, Literal("40")) in t
    assert (source_iri("mfa"), RDFS.label, Literal("No")) in t
    assert (s, PT.text, Literal("2023-11-24")) in t


def test_typed_fields_keep_their_yaml_types(tmp_path: Path) -> None:
    text = MINIMAL.replace("{label: TASS,", "{anonymous: yes, label: TASS,")
    t = triples(one_unit(tmp_path, text))
    assert (source_iri("tass"), PT.anonymous, Literal(True)) in t


def test_the_document_text_file_is_read_relative_to_the_yaml(tmp_path: Path) -> None:
    (tmp_path / "article.txt").write_text("Body of the article.", encoding="utf-8")
    text = MINIMAL.replace(
        "{id: doc1, publisher: wire}", "{id: doc1, publisher: wire, text: article.txt}"
    )
    t = triples(one_unit(tmp_path, text))
    assert (document_iri("doc1"), SDO.text, Literal("Body of the article.")) in t


def test_declares_and_needs_list_the_sources_of_the_file(tmp_path: Path) -> None:
    unit = one_unit(tmp_path, MINIMAL)
    assert unit.declares == {source_iri(x) for x in ("wire", "tass", "mfa", "press")}
    assert set(unit.needs) == {source_iri(x) for x in ("wire", "tass", "mfa", "press")}
    assert unit.needs[source_iri("tass")] == f"{tmp_path / 'a.yaml'}:12"


def test_a_file_of_sources_only_becomes_a_graph_named_after_the_file(tmp_path: Path) -> None:
    unit = one_unit(tmp_path, "sources:\n  tass: {label: TASS}\n", name="shared.yaml")
    assert unit.graph == URIRef(f"{ID}file/shared")
    assert unit.declares == {source_iri("tass")}


def test_a_yaml_file_may_hold_several_documents(tmp_path: Path) -> None:
    second = MINIMAL.replace("id: doc1", "id: doc2")
    units = load_yaml_units(write(tmp_path, MINIMAL + "---\n" + second))
    assert [u.graph for u in units] == [document_iri("doc1"), document_iri("doc2")]


def test_the_content_hash_ignores_formatting_and_follows_content(tmp_path: Path) -> None:
    a = one_unit(tmp_path, MINIMAL)
    reformatted = "# a comment\n" + MINIMAL.replace(
        "{label: TASS, type: organization, kind: news agency}",
        "\n    label: TASS\n    type: organization\n    kind: news agency",
    )
    b = one_unit(tmp_path, reformatted)
    c = one_unit(tmp_path, MINIMAL.replace("A happened", "B happened"))
    assert a.content_hash == b.content_hash
    assert a.content_hash != c.content_hash


# ------------------------------------------------------------------ errors


def error_of(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_yaml_units(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    return message[len(str(path)) :]


def test_a_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    message = error_of(tmp_path, MINIMAL.replace("{label: TASS,", "{label: TASS"))
    assert message.startswith(":4: YAML syntax error")


def test_a_missing_statement_text_names_the_line_and_the_item(tmp_path: Path) -> None:
    message = error_of(tmp_path, MINIMAL.replace("    text: A happened\n", ""))
    assert message == ":8: statements[0] has no 'text'; add it"


def test_an_empty_statement_text_is_refused(tmp_path: Path) -> None:
    message = error_of(tmp_path, MINIMAL.replace("text: A happened", "text: ''"))
    assert message.startswith(":9: statements[0].text")


@pytest.mark.parametrize("members", ["[Alice, met]", "[Alice, met, Bob, Carol]"])
def test_a_triple_that_is_not_three_items_names_the_line_and_the_count(
    tmp_path: Path, members: str
) -> None:
    message = error_of(tmp_path, MINIMAL.replace("[Alice, met, Bob]", members))
    n = members.count(",") + 1
    assert (
        message
        == f":10: statements[0].triple has {n} items; a triple is [subject, predicate, object]"
    )


def test_a_chain_that_is_not_a_list_of_lists_says_how_to_write_it(tmp_path: Path) -> None:
    message = error_of(tmp_path, MINIMAL.replace("      - [tass, press]", "      - tass"))
    assert "must be a chain" in message and ":12:" in message


def test_a_misspelt_key_is_refused_with_a_hint(tmp_path: Path) -> None:
    message = error_of(tmp_path, MINIMAL.replace("according_to:", "acording_to:"))
    assert "acording_to" in message and "spelling" in message


def test_an_invalid_id_is_refused(tmp_path: Path) -> None:
    message = error_of(tmp_path, MINIMAL.replace("id: s1", "id: 's 1'"))
    assert "not a valid id" in message


def test_a_statement_id_used_twice_in_one_document_is_refused(tmp_path: Path) -> None:
    doubled = MINIMAL + "  - id: s1\n    text: again\n    triple: [a, b, c]\n"
    message = error_of(tmp_path, doubled)
    assert message.startswith(":13: statement id 's1' is used twice")


def test_statements_without_a_document_are_refused(tmp_path: Path) -> None:
    text = MINIMAL.replace("document: {id: doc1, publisher: wire}\n", "")
    with pytest.raises(ValidationError, match="need a 'document'"):
        load_yaml_units(write(tmp_path, text))


def test_a_missing_document_text_file_names_the_line(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "{id: doc1, publisher: wire}", "{id: doc1, publisher: wire, text: nope.txt}"
    )
    message = error_of(tmp_path, text)
    assert message.startswith(":1: cannot read the document text")


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    assert "empty" in error_of(tmp_path, "# nothing here\n")


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    assert "must be a mapping" in error_of(tmp_path, "- just\n- a list\n")


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes(MINIMAL.replace("Ministry", "Minist\xe8re").encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        load_yaml_units(path)


def test_the_shipped_json_schema_is_valid_and_accepts_the_seed() -> None:
    import json

    import jsonschema
    import yaml

    from provenance.resources import schema_path

    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    seed = Path(__file__).resolve().parent.parent / "seeds" / "blinken-brussels.yaml"
    jsonschema.validate(yaml.safe_load(seed.read_text(encoding="utf-8")), schema)
