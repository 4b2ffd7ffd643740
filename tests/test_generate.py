"""The corpus generator: valid, deterministic, realistic, and YAML == N-Quads."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from provenance.cli import cli
from provenance.errors import InputError
from provenance.generate import generate_corpus, iter_documents, make_sources


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    generate_corpus(out, 600, seed=7, docs_per_file=40)
    return out


def _digest(folder: Path) -> dict[str, str]:
    import hashlib

    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_seed_writes_the_same_corpus(corpus: Path, tmp_path: Path) -> None:
    generate_corpus(tmp_path / "again", 600, seed=7, docs_per_file=40)
    assert _digest(tmp_path / "again") == _digest(corpus)


def test_another_seed_writes_another_corpus(tmp_path: Path) -> None:
    a = [d["statements"] for d in iter_documents(200, seed=1)]
    b = [d["statements"] for d in iter_documents(200, seed=2)]
    assert a != b


def test_layout_and_manifest(corpus: Path) -> None:
    manifest = json.loads((corpus / "manifest.json").read_text())
    assert manifest["statements"] == 600
    assert (corpus / "yaml" / "sources.yaml").is_file()
    files = sorted((corpus / "yaml").glob("docs-*.yaml"))
    assert len(files) == manifest["yaml_files"] > 1
    assert (corpus / "nquads" / "corpus.nq").stat().st_size > 0
    lines = (corpus / "nquads" / "corpus.nq").read_text().count("\n")
    assert lines == manifest["quads"]


def test_every_file_is_a_valid_annotation(corpus: Path) -> None:
    from provenance.ingest import load_units, validate_units

    units = load_units(sorted((corpus / "yaml").glob("*.yaml")))
    manifest = json.loads((corpus / "manifest.json").read_text())
    assert len(units) == manifest["documents"] + 1  # + the sources file
    validate_units(units[:3] + units[-2:])  # the sources file is among the last


def test_nquads_hold_exactly_what_the_yaml_ingest_produces(corpus: Path) -> None:
    from rdflib import Dataset

    from provenance.ingest import load_units

    from_yaml = {
        (s, p, o, u.graph)
        for u in load_units(sorted((corpus / "yaml").glob("*.yaml")))
        for s, p, o in u.triples
    }
    ds = Dataset()
    ds.parse(corpus / "nquads" / "corpus.nq", format="nquads")
    from_nq = {(s, p, o, g) for s, p, o, g in ds.quads((None, None, None, None))}
    assert from_nq == from_yaml


def test_the_corpus_has_the_promised_shape() -> None:
    n = 3000
    pool = make_sources(n, seed=5)
    docs = list(iter_documents(n, seed=5, pool=pool))
    per_statement: Counter[str] = Counter()
    attributed: set[str] = set()
    lengths: Counter[int] = Counter()
    origins: Counter[str] = Counter()
    cyclic: set[str] = set()
    relays: Counter[str] = Counter()
    for doc in docs:
        for st in doc["statements"]:
            per_statement[st["id"]] += 1
            for chain in st.get("according_to", []):
                attributed.add(st["id"])
                lengths[len(chain)] += 1
                if len(set(chain)) < len(chain) or chain[-1].startswith("agency-"):
                    cyclic.add(st["id"])
                else:
                    origins[chain[-1]] += 1
                relays.update(chain[:-1])
    assert len(per_statement) == n
    assert set(per_statement.values()) == {1, 2, 3, 4, 5}
    assert sum(per_statement.values()) > 1.3 * n  # statements are shared, so chains meet
    unattributed = n - len(attributed)
    assert 0.07 * n < unattributed < 0.13 * n
    assert 0.003 * n < len(cyclic) < 0.02 * n
    assert set(lengths) == {1, 2, 3, 4, 5, 6}
    anonymous = sum(c for o, c in origins.items() if pool.specs[o].get("anonymous"))
    assert 0.06 < anonymous / sum(origins.values()) < 0.15
    assert 0.05 < len(pool.anonymous) / len(pool.specs) < 0.15
    assert any("acted_on_behalf_of" in pool.specs[p] for p in pool.press)
    # power law: the most cited agency is cited far more often than the least cited
    agencies = [relays[a] for a in pool.agencies]
    assert max(agencies) > 4 * min(agencies)
    assert len(pool.outlets) >= 20


def test_documents_are_streamed() -> None:
    stream = iter_documents(10**9, seed=1)  # would never fit in memory if materialised
    first = next(stream)
    assert first["document"]["id"] == "doc-0000001"


def test_bad_arguments_raise_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        generate_corpus(tmp_path, 0)
    with pytest.raises(InputError):
        generate_corpus(tmp_path, 10, formats=["csv"])


def test_cli_generate(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "c"
    result = runner.invoke(cli, ["generate", "--statements", "50", "--seed", "3", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "50 statements" in result.output
    assert (out / "nquads" / "corpus.nq").is_file()
    only = tmp_path / "y"
    result = runner.invoke(cli, ["generate", "-n", "20", "-o", str(only), "--format", "yaml"])
    assert result.exit_code == 0
    assert not (only / "nquads").exists()
    result = runner.invoke(cli, ["generate", "--statements", "0", "-o", str(out)])
    assert result.exit_code == 2
