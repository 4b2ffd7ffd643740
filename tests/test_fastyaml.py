"""The fast YAML conversion gives the reference's units, or steps aside."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.annotation import load_yaml_units
from provenance.fastyaml import Fallback, fast_units
from provenance.generate import generate_corpus

ROOT = Path(__file__).resolve().parent.parent


def _reference(path: Path) -> list[tuple]:
    out = []
    for u in load_yaml_units(path):
        quads = sorted(f"{s.n3()} {p.n3()} {o.n3()}" for s, p, o in u.triples)
        out.append((str(u.graph), u.content_hash, len(u.triples), {str(d) for d in u.declares},
                    sorted(str(n) for n in u.needs), quads))
    return out


def _fast(path: Path) -> list[tuple]:
    from rdflib import Literal, URIRef

    out = []
    for facts, quads in fast_units(path):
        lines = sorted(
            f"<{s}> <{p}> " + (URIRef(o).n3() if kind == 0 else Literal(
                o, datatype=URIRef(dt) if dt else None).n3())
            for s, p, o, kind, dt, _ in quads
        )
        out.append((facts["graph"], facts["content_hash"], facts["triples"], facts["declares"],
                    sorted(facts["needs"]), lines))
    return out


def test_generated_corpus_converts_exactly(tmp_path: Path) -> None:
    generate_corpus(tmp_path, 400, seed=9, formats=["yaml"], docs_per_file=30)
    files = sorted((tmp_path / "yaml").glob("*.yaml"))
    assert len(files) > 3
    for path in files:
        assert _fast(path) == _reference(path)


def test_a_corpus_converted_with_a_small_slug_memory_converts_exactly_and_keeps_it_small(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The remembered slugs are forgotten once there are too many (a converting process
    sees every term of a batch): the conversion is the same, the memory bounded."""
    from provenance import fastyaml

    generate_corpus(tmp_path, 200, seed=3, formats=["yaml"], docs_per_file=30)
    monkeypatch.setattr(fastyaml, "_SLUGS", {})
    monkeypatch.setattr(fastyaml, "_SLUGS_HELD", 50)
    for path in sorted((tmp_path / "yaml").glob("*.yaml")):
        assert _fast(path) == _reference(path)
        assert 0 < len(fastyaml._SLUGS) <= 50


HAND = """\
document: {id: d1, publisher: pub, title: "A \\"quoted\\" title", published: 2024-02-03,
           url: "https://example.org/a", type: PressRelease}
sources:
  pub: {label: 'Pub \\ lisher', type: organization, kind: news outlet}
  x: {label: X, type: person, anonymous: true, acted_on_behalf_of: [pub]}
  y: {label: Y}
statements:
  - id: s1
    text: It is "so"
    triple: ["<http://example.org/a>", "wdt:P31", "Plain text object"]
    cue: said
    quoted: true
    according_to: [[x, y], [y]]
  - id: s2
    text: Unattributed
    triple: [urn:x:1, "ptid:relation/r", "https://example.org/o"]
    evidence: ""
"""


def test_hand_written_document_converts_exactly(tmp_path: Path) -> None:
    path = tmp_path / "hand.yaml"
    path.write_text(HAND, encoding="utf-8")
    assert _fast(path) == _reference(path)


@pytest.mark.parametrize(
    "body",
    [
        "document: {id: d, publisher: p}\nsources: {p: {label: yes}}\n",  # YAML 1.1 boolean
        "document: {id: d, publisher: p, title: 2024-01-01}\nsources: {p: {label: P}}\n",
        "document: {id: d, publisher: p, text: t.txt}\n",
        "prefixes: {ex: 'http://e/'}\ndocument: {id: d, publisher: p}\n",
        "document: {id: d, publisher: p}\nsources: {p: &a {label: P}, q: *a}\n",
        "document: {id: d, publisher: p}\nstatements:\n  - {id: s, text: t, triple: [a, b, c],"
        " confidence: 0.5}\n",
        "document: {id: d, publisher: p}\nstatements:\n"
        "  - {id: s, text: \"a\\nb\", triple: [a, b, c]}\n",
        "sources: {p: {label: P}}\nstatements: [{id: s, text: t, triple: [a, b, c]}]\n",
    ],
)
def test_unusual_documents_fall_back(tmp_path: Path, body: str) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(Fallback):
        list(fast_units(path))


def test_the_seed_falls_back_or_converts_exactly() -> None:
    for path in sorted((ROOT / "seeds").glob("*.yaml")):
        try:
            fast = _fast(path)
        except Fallback:
            continue
        assert fast == _reference(path)
