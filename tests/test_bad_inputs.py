"""The bad-input corpus (issue 7): every input of ``tests/data/bad/`` gets its error.

``tests/data/bad/expected.yaml`` says, per case, the command, the exit code and the one
line on stderr (naming the file and, where there is one, the line). For every case the
CLI must print exactly that one line and no traceback, try no network request (the
conftest blocks and records them), and leave the store exactly as it was: a store
holding the seed keeps the same quads (sha256 of its sorted N-Quads), and a store that
did not exist still holds nothing. Every case runs in-process (click's runner);
a representative subset also runs as a real ``python -m provenance`` process, where a
crash (a segfault in a C parser) or a traceback printed by Python itself would show.

The ``accepted`` cases look hostile but the design gives them answers (a citation
cycle is one circular origin, a self-citation terminates, a long chain is a chain):
they must be ingested and answered without a traceback.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import ROOT, SEEDS

from provenance.cli import cli

BAD = Path(__file__).resolve().parent / "data" / "bad"
SPEC: dict[str, Any] = yaml.safe_load((BAD / "expected.yaml").read_text(encoding="utf-8"))
ERRORS: dict[str, dict[str, Any]] = SPEC["errors"]
ACCEPTED: dict[str, dict[str, Any]] = SPEC["accepted"]

#: one of each kind, also run as a real process (a crash or a traceback shows there)
IN_A_PROCESS = [
    "yaml-syntax-unclosed-flow",
    "type-impossible-date",
    "type-deep-nesting",
    "type-deep-nesting-bulk",
    "dup-mapping-key",
    "binary-nul-yaml",
    "encoding-latin1-turtle",
    "hostile-billion-laughs",
    "hostile-python-object-apply",
    "text-dotdot-etc-passwd",
    "nquads-10mb-line",
    "jsonld-remote-context",
    "rdfxml-xxe-http",
    "rdfxml-entity-bomb",
    "sparql-service",
    "sparql-update-insert-without-update",
]
TEN_MB = 10 * 1024 * 1024


# ----------------------------------------------------------------- generated inputs
# Huge or machine-made inputs are written at test time; expected.yaml names them.


X = "x" * TEN_MB
#: generator name -> (file name, its text): huge inputs, written at test time
TEXTS: dict[str, tuple[str, Callable[[], str]]] = {
    "yaml_10mb_line": ("ten-mb-line.yaml", lambda: (  # a 10 MB label without its closing "
        f'document: {{id: big, publisher: pub}}\nsources:\n  pub: {{label: "{X}}}\n')),
    "yaml_deep_nesting": ("deep.yaml", lambda: "document: " + "[" * 30_000 + "]" * 30_000),
    "yaml_deep_nesting_bulk": (  # over 2 MB: the bulk path's fast loader
        "deep-bulk.yaml", lambda: "document: " + "[" * 1_100_000 + "]" * 1_100_000),
    "turtle_10mb_line": (
        "ten-mb-line.ttl", lambda: f'@prefix e: <http://example.org/> .\ne:s e:p "{X}" ;\n'),
    "turtle_deep_collection": (
        "deep.ttl", lambda: "<http://e.org/s> <http://e.org/p> " + "(" * 100_000
        + ")" * 100_000 + " .\n"),
    "ntriples_10mb_line": (
        "ten-mb-line.nt", lambda: f'<http://e.org/s> <http://e.org/p> "{X}" <relative> .\n'),
    "nquads_10mb_line": (
        "ten-mb-line.nq", lambda: f'<http://e.org/s> <http://e.org/p> "{X}" "graph" .\n'),
    "jsonld_10mb_line": (
        "ten-mb-line.jsonld", lambda: f'{{"@id": "http://e.org/s", "http://e.org/p": "{X}",}}'),
    "jsonld_deep_nesting": ("deep.jsonld", lambda: "[" * 100_000 + "]" * 100_000),
}


def text_symlink_out(tmp: Path) -> Path:
    folder = tmp / "symlinked"
    folder.mkdir()
    (folder / "article.txt").symlink_to("/etc/passwd")
    path = folder / "annotation.yaml"
    path.write_text("document:\n  id: symlinked\n  publisher: pub\n  text: article.txt\n"
                    "sources:\n  pub: {label: Publisher}\n", encoding="utf-8")
    return path


def chain_of_relays(tmp: Path, n: int = 10_000) -> Path:
    relays = [f"relay-{i:05d}" for i in range(n)]
    lines = [
        "document: {id: long-chain, publisher: chain-pub}",
        "sources:",
        "  chain-pub: {label: Chain publisher}",
        *(f"  {r}: {{label: Relay {r}}}" for r in relays),
        "statements:",
        "  - id: long-chain-claim",
        f"    text: A claim passed through {n} relays",
        "    triple: [the claim, passes through, many relays]",
        "    according_to:",
        f"      - [{', '.join(relays)}]",
    ]
    path = tmp / "chain-of-relays.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _text_writer(name: str) -> Callable[[Path], Path]:
    def write(tmp: Path) -> Path:
        file_name, text = TEXTS[name]
        path = tmp / file_name
        path.write_text(text(), encoding="utf-8")
        return path

    return write


GENERATORS: dict[str, Callable[[Path], Path]] = {
    **{name: _text_writer(name) for name in TEXTS},
    "text_symlink_out": text_symlink_out,
    "chain_of_relays": chain_of_relays,
}


# ----------------------------------------------------------------- helpers


def quads_digest(store: Path) -> str | None:
    """sha256 of the store's quads as sorted N-Quads lines; None if there is no store."""
    import pyoxigraph as ox

    if not (store / "oxigraph").is_dir():
        return None
    db = ox.Store.read_only(str(store / "oxigraph"))
    try:
        lines = sorted(db.dump(format=ox.RdfFormat.N_QUADS).decode("utf-8").splitlines())
    finally:
        del db
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


EMPTY_DIGEST = hashlib.sha256(b"").hexdigest()


def case_input(case: dict[str, Any], tmp: Path) -> Path | None:
    if "generate" in case:
        return GENERATORS[case["generate"]](tmp)
    return BAD / case["input"] if "input" in case else None


def expand(case: dict[str, Any], path: Path | None) -> tuple[list[str], re.Pattern[str]]:
    args = [a.replace("{input}", str(path)) for a in case.get("args", ["ingest", "{input}"])]
    pattern = re.escape(str(path)) if path is not None else ""
    return args, re.compile(r"^Error: " + case["error"].replace("{input}", pattern))


def check_refusal(code: int, stderr: str, case: dict[str, Any], expected: re.Pattern[str]
                  ) -> None:
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}: {stderr[:2000]}"
    assert len(lines[0]) < 2000, f"an error line of {len(lines[0])} characters"
    assert expected.search(lines[0]), f"{lines[0]!r} does not match {expected.pattern!r}"
    assert code == case.get("exit", 2), (code, lines[0])


def invoke(store: Path, args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--store", str(store), *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        trace = "".join(traceback.format_exception(result.exception))
        pytest.fail(f"the CLI raised {type(result.exception).__name__}:\n{trace}")
    return result.exit_code, result.stderr


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A store holding the seed, and its digest (copied for each case)."""
    from provenance.ingest import ingest_files
    from provenance.store import EmbeddedStore

    path = tmp_path_factory.mktemp("pristine") / "store"
    with EmbeddedStore.open_write(path) as store:
        ingest_files(store, [SEEDS])
    digest = quads_digest(path)
    assert digest not in (None, EMPTY_DIGEST)
    return path, digest


def seeded_copy(pristine: tuple[Path, str], tmp: Path) -> Path:
    target = tmp / "seeded"
    shutil.copytree(pristine[0], target)
    assert quads_digest(target) == pristine[1]
    return target


def assert_no_store(path: Path) -> None:
    """A store that did not exist holds nothing afterwards (at most the empty folder)."""
    assert quads_digest(path) in (None, EMPTY_DIGEST), f"{path} was written"


# ----------------------------------------------------------------- the corpus


def test_the_corpus_has_at_least_60_cases_and_every_input_file_is_used() -> None:
    assert len(ERRORS) >= 60
    used = {c["input"] for c in [*ERRORS.values(), *ACCEPTED.values()] if "input" in c}
    on_disk = {str(p.relative_to(BAD)) for p in BAD.rglob("*") if p.is_file()}
    folders = {u for u in used if (BAD / u).is_dir()}
    on_disk = {p for p in on_disk if not any(p.startswith(f + "/") for f in folders)}
    assert on_disk - used - {"expected.yaml"} == set(), "inputs without an expectation"
    assert used - on_disk - folders == set(), "expectations without an input"
    assert {c["generate"] for c in [*ERRORS.values(), *ACCEPTED.values()]
            if "generate" in c} <= set(GENERATORS)


@pytest.mark.parametrize("name", list(ERRORS))
def test_a_bad_input_is_refused_in_one_line_without_touching_store_or_network(
    name: str,
    tmp_path: Path,
    pristine: tuple[Path, str],
    network_attempts: Callable[[], list[str]],
) -> None:
    case = ERRORS[name]
    path = case_input(case, tmp_path)
    args, expected = expand(case, path)
    stores = case.get("stores", ["seeded", "missing"])
    if "seeded" in stores:
        store = seeded_copy(pristine, tmp_path)
        check_refusal(*invoke(store, args), case, expected)
        assert quads_digest(store) == pristine[1], "the store changed"
        if args[0] == "ingest" and case.get("validate", True):
            check_refusal(*invoke(store, ["validate", *args[1:]]), case, expected)
            assert quads_digest(store) == pristine[1], "validate changed the store"
    if "missing" in stores:
        missing = tmp_path / "missing"
        check_refusal(*invoke(missing, args), case, expected)
        assert_no_store(missing)
    assert network_attempts() == []


def run_process(store: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    # The conftest put the network guard on PYTHONPATH; the working tree is the cwd.
    return subprocess.run(
        [sys.executable, "-m", "provenance", "--store", str(store), *args],
        capture_output=True, text=True, cwd=ROOT, env=os.environ.copy(), timeout=300,
    )


@pytest.mark.parametrize("name", IN_A_PROCESS)
def test_a_bad_input_is_refused_the_same_way_by_a_real_process(
    name: str,
    tmp_path: Path,
    pristine: tuple[Path, str],
    network_attempts: Callable[[], list[str]],
) -> None:
    case = ERRORS[name]
    path = case_input(case, tmp_path)
    args, expected = expand(case, path)
    store = seeded_copy(pristine, tmp_path)
    done = run_process(store, args)
    assert done.returncode >= 0, f"killed by signal {-done.returncode}: {done.stderr[-2000:]}"
    check_refusal(done.returncode, done.stderr, case, expected)
    assert done.stdout == ""
    assert quads_digest(store) == pristine[1], "the store changed"
    missing = tmp_path / "missing"
    done = run_process(missing, args)
    check_refusal(done.returncode, done.stderr, case, expected)
    assert_no_store(missing)
    assert network_attempts() == []


# ----------------------------------------------------------------- accepted, not errors


def ok(store: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--store", str(store), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception)
    assert result.exit_code == 0, (result.exit_code, result.stderr[-2000:])
    assert "Traceback" not in result.output
    return result.stdout


@pytest.mark.parametrize("name", list(ACCEPTED))
def test_cycles_self_citation_and_long_chains_are_ingested_and_answered(
    name: str, tmp_path: Path, network_attempts: Callable[[], list[str]]
) -> None:
    case = ACCEPTED[name]
    path = case_input(case, tmp_path)
    store = tmp_path / "store"
    ok(store, "ingest", str(path))
    report = {r["statement"]["id"]: r for r in json.loads(ok(store, "report", "--format", "json"))}
    answer = report[case["statement"]]
    assert [o["source"] for o in answer["origins"]] == case["origins"]
    assert answer["circular"] is case["circular"]
    assert answer["independent_sources"] == case["independent_sources"]
    if "cycle" in case:
        assert answer["origins"][0]["cycle"] == case["cycle"]
    # One statement's question (the whole-store report above takes another path).
    origin = json.loads(ok(store, "origin", case["statement"], "--format", "json"))
    assert [o["source"] for o in origin["origins"]] == case["origins"]
    assert origin["circular"] is case["circular"]
    assert origin["chains"] == answer["chains"]
    if "chain_length" in case:
        assert [len(c) for c in answer["chains"]] == [case["chain_length"]]
        assert answer["rests_on"] == origin["rests_on"] == case["origins"][0]
    else:
        ok(store, "chain", case["statement"])
    single = json.loads(ok(store, "single-source", "--format", "json"))
    assert case["statement"] in {row["statement"] for row in single}
    assert network_attempts() == []


def test_the_chain_tree_of_a_statement_with_10000_relays_is_drawn(tmp_path: Path) -> None:
    """Drawn without recursion; beyond 40 levels a line says its depth instead of
    indenting further, and the JSON of so deep a tree is written compact."""
    import sys

    store = tmp_path / "store"
    ok(store, "ingest", str(chain_of_relays(tmp_path)))
    lines = ok(store, "chain", "long-chain-claim", "--format", "table").splitlines()
    assert len(lines) == 1 + 10_000
    assert lines[1] == "└── relay-00000 (Relay relay-00000)"
    assert lines[40].strip() == "└── relay-00039 (Relay relay-00039)"
    assert lines[-1].endswith("[depth 10000] └── relay-09999 (Relay relay-09999) [origin]")
    assert max(len(line) for line in lines) < 250  # 40 levels of indentation at most
    text = ok(store, "chain", "long-chain-claim", "--format", "json")
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(50_000)
    try:
        node, depth = json.loads(text)["tree"][0], 1
    finally:
        sys.setrecursionlimit(limit)
    while node["cites"]:
        node, depth = node["cites"][0], depth + 1
    assert (node["source"], depth) == ("relay-09999", 10_000)
