"""The ``provenance`` command: every command, its formats, its JSON contract, its errors."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from provenance.cli import cli
from provenance.ingest import ingest_files
from provenance.store import EmbeddedStore
from provenance.vocab import statement_iri

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_YAML = SEEDS / "blinken-brussels.yaml"
BLINKEN = "blinken-attends"
BLINKEN_TEXT = "Blinken will take part in the first Ukraine-NATO Council meeting"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the seed, shared by the read-only tests of this module."""
    path = tmp_path_factory.mktemp("cli") / "store"
    with EmbeddedStore.open_write(path) as backend:
        ingest_files(backend, [SEEDS])
    return path


def run(store: Path | None, *args: str, env: dict[str, str] | None = None) -> Result:
    prefix = ["--store", str(store)] if store is not None else []
    return CliRunner().invoke(cli, [*prefix, *args], env=env)


def ok(store: Path | None, *args: str, env: dict[str, str] | None = None) -> Result:
    result = run(store, *args, env=env)
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def as_json(store: Path, *args: str) -> object:
    return json.loads(ok(store, *args, "--format", "json").stdout)


def refused(result: Result, *fragments: str, lines: int | None = 1) -> str:
    """Exit 2, no traceback, the message on stderr (one line unless told)."""
    assert result.exit_code == 2, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    err = result.stderr.strip()
    if lines is not None:
        assert len(err.splitlines()) == lines, err
    for fragment in fragments:
        assert fragment in err, err
    return err


# ------------------------------------------------------------------ ingest and validate


def test_ingest_reports_each_document_and_reingest_is_unchanged(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = ok(store, "ingest", str(SEEDS))
    assert first.stdout.startswith("added     blinken-brussels")
    assert "1 of 1 document(s) written" in first.stderr
    again = ok(store, "ingest", str(SEED_YAML))
    assert again.stdout.startswith("unchanged blinken-brussels")
    assert "0 of 1 document(s) written" in again.stderr


def test_a_quiet_ingest_prints_only_its_summary_and_writes_as_much(tmp_path: Path) -> None:
    quiet, loud = tmp_path / "quiet", tmp_path / "loud"
    examples = ROOT / "examples" / "annotations"
    done = ok(quiet, "ingest", "--quiet", str(SEEDS), str(examples))
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [f"5 of 5 document(s) written to {quiet}"]
    listed = ok(loud, "ingest", str(SEEDS), str(examples))
    assert len(listed.stdout.splitlines()) == 5
    assert ok(quiet, "statements", "--format", "json").stdout == \
        ok(loud, "statements", "--format", "json").stdout
    article = tmp_path / "article.txt"  # an extracted text keeps its hint, with its id
    shutil.copy(SEEDS / "000_49eb005a14291dad.txt", article)
    done = ok(tmp_path / "text", "ingest", "-q", str(article))
    assert done.stdout == ""
    hint, summary = done.stderr.strip().splitlines()
    assert hint.startswith("article: extracted ") and "provenance extract" in hint
    assert summary.startswith("1 of 1 document(s) written")


def test_validate_accepts_the_seed_without_writing_anything(tmp_path: Path) -> None:
    store = tmp_path / "store"
    result = ok(store, "validate", str(SEED_YAML))
    assert result.stdout.startswith("ok: 1 document(s)")
    assert not store.exists()


def test_validate_counts_sources_declared_in_the_store(store: Path, tmp_path: Path) -> None:
    doc = tmp_path / "more.yaml"
    doc.write_text(
        "document: {id: more, publisher: tass}\n"
        "statements:\n"
        "  - {id: more-1, text: More news, triple: [a, b, c], according_to: [[mfa-press]]}\n",
        encoding="utf-8",
    )
    ok(store, "validate", str(doc))
    refused(run(store.parent / "empty", "validate", str(doc)), "more.yaml", "not declared")


def test_validate_refuses_a_bad_file_in_one_line(store: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("document: {id: x, publisher: p\n", encoding="utf-8")
    refused(run(store, "validate", str(bad)), "bad.yaml:", "YAML syntax error")


# ------------------------------------------------------------------ every command, every format

LISTINGS = [
    ("report",),
    ("report", "blinken-brussels"),
    ("statements",),
    ("sources",),
    ("origin", BLINKEN),
    ("chain", BLINKEN),
    ("single-source",),
    ("impact", "tass"),
]


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
@pytest.mark.parametrize("command", LISTINGS, ids=lambda c: " ".join(c))
def test_every_question_command_renders_every_format(
    store: Path, command: tuple[str, ...], fmt: str
) -> None:
    out = ok(store, *command, "--format", fmt).stdout
    assert out.strip()
    if fmt == "json":
        json.loads(out)
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(out)))
        assert len(rows) >= 2 and all(len(r) == len(rows[0]) for r in rows)
    else:
        with pytest.raises(json.JSONDecodeError):
            json.loads(out)


def test_without_format_a_pipe_gets_json(store: Path) -> None:
    assert isinstance(json.loads(ok(store, "statements").stdout), list)


def test_a_bad_format_is_a_usage_error(store: Path) -> None:
    result = run(store, "statements", "--format", "xml")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_origin_as_a_table_names_origin_chain_and_verdict(store: Path) -> None:
    out = ok(store, "origin", BLINKEN, "--format", "table").stdout
    assert "origin: us-official - US official (anonymous)" in out
    assert "chain:  tass > mfa-press > us-official" in out
    assert "independent sources: 1 (single source, rests on us-official)" in out


def test_chain_draws_the_chains_as_a_tree(store: Path) -> None:
    out = ok(store, "chain", BLINKEN, "--format", "table").stdout.splitlines()
    assert out[0] == f"{BLINKEN}: {BLINKEN_TEXT}"
    assert out[1].endswith("tass (TASS)")
    assert "mfa-press" in out[2] and out[3].endswith("us-official (US official) [origin]")


def test_chain_as_json_nests_the_cited_sources(store: Path) -> None:
    data = as_json(store, "chain", BLINKEN)
    (tass,) = data["tree"]
    assert tass["source"] == "tass"
    assert tass["cites"][0]["source"] == "mfa-press"
    assert tass["cites"][0]["cites"][0] == {
        "source": "us-official",
        "label": "US official",
        "cites": [],
    }


def test_report_of_a_document_covers_its_statements(store: Path) -> None:
    everything = as_json(store, "report")
    of_document = as_json(store, "report", "blinken-brussels")
    assert of_document == everything
    assert len(everything) == 13


def test_report_as_csv_has_one_row_per_statement(store: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(ok(store, "report", "--format", "csv").stdout)))
    assert len(rows) == 13
    blinken = next(r for r in rows if r["id"] == BLINKEN)
    assert blinken["rests_on"] == "us-official"
    assert blinken["chains"] == "tass > mfa-press > us-official"
    assert blinken["flags"] == "anonymous"


# ------------------------------------------------------------------ the JSON contract


def test_origin_json_has_the_contract_keys_and_types(store: Path) -> None:
    data = as_json(store, "origin", BLINKEN)
    assert {
        "statement",
        "origins",
        "chains",
        "independent_sources",
        "single_source",
        "rests_on",
        "circular",
    } <= set(data)
    assert data["statement"] == {
        "id": BLINKEN,
        "iri": str(statement_iri(BLINKEN)),
        "text": BLINKEN_TEXT,
    }
    assert {"source", "label"} <= set(data["origins"][0])
    assert data["origins"][0]["source"] == "us-official"
    assert data["origins"][0]["label"] == "US official"
    assert data["chains"] == [["tass", "mfa-press", "us-official"]]
    assert data["independent_sources"] == 1 and type(data["independent_sources"]) is int
    assert data["single_source"] is True
    assert data["rests_on"] == "us-official"
    assert data["circular"] is False


def test_report_json_is_the_origin_object_plus_anonymous_and_unattributed(store: Path) -> None:
    rows = as_json(store, "report")
    origin = as_json(store, "origin", BLINKEN)
    (row,) = [r for r in rows if r["statement"]["id"] == BLINKEN]
    assert {k: row[k] for k in origin} == origin
    assert row["anonymous"] is True and row["unattributed"] is False
    for r in rows:
        assert type(r["anonymous"]) is bool and type(r["unattributed"]) is bool


def test_single_source_json_has_statement_text_rests_on_and_label(store: Path) -> None:
    rows = as_json(store, "single-source")
    assert all({"statement", "text", "rests_on", "label"} <= set(r) for r in rows)
    (row,) = [r for r in rows if r["statement"] == BLINKEN]
    assert (row["text"], row["rests_on"], row["label"]) == (
        BLINKEN_TEXT,
        "us-official",
        "US official",
    )


def test_impact_json_has_statement_text_and_single_source(store: Path) -> None:
    rows = as_json(store, "impact", "us-official")
    assert [{k: r[k] for k in ("statement", "text", "single_source")} for r in rows] == [
        {"statement": BLINKEN, "text": BLINKEN_TEXT, "single_source": True}
    ]


def test_statements_json_has_id_iri_text_and_triple(store: Path) -> None:
    rows = as_json(store, "statements")
    assert len(rows) == 13
    (row,) = [r for r in rows if r["id"] == BLINKEN]
    assert set(row) == {"id", "iri", "text", "triple"}
    assert row["iri"] == str(statement_iri(BLINKEN)) and row["text"] == BLINKEN_TEXT
    assert len(row["triple"]) == 3 and row["triple"][0].endswith("/entity/antony-blinken")


def test_sources_json_has_id_label_type_anonymous_and_statements(store: Path) -> None:
    rows = as_json(store, "sources")
    assert all({"id", "label", "type", "anonymous", "statements"} <= set(r) for r in rows)
    by_id = {r["id"]: r for r in rows}
    assert by_id["us-official"]["type"] == "person"
    assert by_id["us-official"]["anonymous"] is True
    assert by_id["tass"]["type"] == "organization" and by_id["tass"]["anonymous"] is False
    assert by_id["foreign-ministry-statement"]["statements"] == 3
    assert all(type(r["statements"]) is int for r in rows)


# ------------------------------------------------------------------ arguments and options


@pytest.mark.parametrize(
    "argument",
    [
        BLINKEN,
        str(statement_iri(BLINKEN)),
        "blinken WILL take part",
        "  Ukraine-NATO Council meeting ",
    ],
    ids=["id", "iri", "words-any-case", "words-with-spaces"],
)
def test_a_statement_argument_is_an_id_an_iri_or_a_unique_text_match(
    store: Path, argument: str
) -> None:
    assert as_json(store, "origin", argument)["statement"]["id"] == BLINKEN


@pytest.mark.parametrize(
    "argument",
    ["mfa-press", "https://w3id.org/provenance-tracker/id/source/mfa-press", "press service"],
    ids=["id", "iri", "label-words"],
)
def test_a_source_argument_is_an_id_an_iri_or_a_unique_label_match(
    store: Path, argument: str
) -> None:
    rows = as_json(store, "impact", argument)
    assert [r["statement"] for r in rows] == [BLINKEN]


def test_by_organization_merges_the_press_service_into_the_ministry(store: Path) -> None:
    origin = as_json(store, "origin", BLINKEN, "--by", "organization")
    assert origin["chains"] == [["tass", "mfa", "us-official"]]
    report = as_json(store, "report", "--by", "organization")
    assert any(r["rests_on"] == "mfa" for r in report)
    single = as_json(store, "single-source", "--by", "organization")
    assert {r["rests_on"] for r in single} >= {"mfa", "us-official"}
    assert not {r["rests_on"] for r in single} & {"mfa-press", "foreign-ministry-statement"}
    impact = as_json(store, "impact", "mfa", "--by", "organization")
    assert BLINKEN in {r["statement"] for r in impact}
    sources = as_json(store, "sources", "--by", "organization")
    assert "mfa-press" not in {s["id"] for s in sources}


def test_the_store_comes_from_the_environment_when_not_given(store: Path) -> None:
    result = ok(None, "statements", "--format", "json", env={"PROVENANCE_STORE": str(store)})
    assert len(json.loads(result.stdout)) == 13


def test_the_store_option_wins_over_the_environment(store: Path, tmp_path: Path) -> None:
    env = {"PROVENANCE_STORE": str(tmp_path / "nothing-here")}
    result = ok(store, "statements", "--format", "json", env=env)
    assert len(json.loads(result.stdout)) == 13


def test_ingest_writes_to_the_store_named_in_the_environment(tmp_path: Path) -> None:
    target = tmp_path / "from-env"
    ok(None, "ingest", str(SEED_YAML), env={"PROVENANCE_STORE": str(target)})
    assert (target / "oxigraph").is_dir()


def _commands() -> list[str]:
    ctx = click.Context(cli)
    return cli.list_commands(ctx)


def test_the_issue_commands_are_all_there() -> None:
    expected = {"ingest", "report", "statements", "sources", "origin", "chain"}
    assert expected | {"single-source", "impact", "validate"} <= set(_commands())


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.stdout
    assert f"provenance {command}" in result.stdout


def test_the_top_level_help_shows_how_to_start() -> None:
    out = ok(None, "--help").stdout
    assert "provenance ingest seeds/" in out and "provenance report" in out


# ------------------------------------------------------------------ user errors


def test_an_unknown_statement_is_one_line_with_a_hint_and_exit_2(store: Path) -> None:
    refused(run(store, "origin", "no-such-claim"), "'no-such-claim'", "provenance statements")


@pytest.mark.parametrize("command", ["origin", "chain"])
def test_every_statement_command_refuses_an_unknown_statement(store: Path, command: str) -> None:
    refused(run(store, command, "no-such-claim"), "no statement")


def test_an_unknown_source_is_one_line_with_a_hint_and_exit_2(store: Path) -> None:
    refused(run(store, "impact", "no-such-source"), "'no-such-source'", "provenance sources")


def test_an_unknown_document_is_one_line_with_exit_2(store: Path) -> None:
    refused(run(store, "report", "no-such-document"), "'no-such-document'")


def test_ambiguous_words_list_the_candidates_and_exit_2(store: Path) -> None:
    err = refused(run(store, "origin", "Blinken"), "'Blinken'", lines=None)
    lines = err.splitlines()
    assert "3 statements" in lines[0]
    assert sorted(line.split(":")[0].strip() for line in lines[1:]) == [
        "blinken-attends",
        "blinken-in-brussels-nov-27-29",
        "blinken-joins-nato-foreign-ministers",
    ]


def test_ambiguous_source_words_list_the_candidates_and_exit_2(store: Path) -> None:
    err = refused(run(store, "impact", "European"), "'European'", lines=None)
    assert "european-leaders" in err and "senior-european-officials" in err


@pytest.mark.parametrize(
    "command",
    [
        ("report",),
        ("statements",),
        ("sources",),
        ("origin", BLINKEN),
        ("chain", BLINKEN),
        ("single-source",),
        ("impact", "tass"),
    ],
    ids=lambda c: c[0],
)
def test_a_read_command_without_a_store_says_how_to_make_one(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    result = run(tmp_path / "no-store", *command)
    refused(result, "no provenance store", "provenance ingest")
    assert not (tmp_path / "no-store").exists()


# ------------------------------------------------------------------ the installed script


@pytest.mark.parametrize("command", [
    ["report"], ["report", "--format", "csv"], ["single-source"], ["statements"], ["sources"],
    ["origin", BLINKEN], ["chain", BLINKEN], ["impact", "mfa-press"],
    ["sparql", "SELECT * WHERE { ?s ?p ?o }"], ["export", "--format", "trig"],
])
def test_a_reader_that_stops_reading_ends_every_command_quietly_with_exit_0(
    store: Path, command: list[str]
) -> None:
    """`provenance report | head`: the reader had what it wanted, which is no failure
    (a pipeline under `set -o pipefail` must not fail for it), and no traceback."""
    import cliproc

    proc = subprocess.Popen(cliproc.command(store, *command), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=cliproc.env())
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # gone before the first row: the first write fails
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0, err
    assert err == ""


def test_the_installed_console_script_answers_from_an_on_disk_store(tmp_path: Path) -> None:
    script = shutil.which("provenance")
    if script is None:
        pytest.skip("the provenance console script is not installed")
    env = {**os.environ, "PROVENANCE_STORE": str(tmp_path / "store")}
    ingest = subprocess.run(
        [script, "ingest", str(SEEDS)], capture_output=True, text=True, env=env, timeout=60
    )
    assert ingest.returncode == 0, ingest.stderr
    origin = subprocess.run(
        [script, "origin", BLINKEN, "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert origin.returncode == 0, origin.stderr
    data = json.loads(origin.stdout)
    assert data["chains"] == [["tass", "mfa-press", "us-official"]]
    assert data["rests_on"] == "us-official"
    bad = subprocess.run(
        [script, "origin", "no-such-claim"], capture_output=True, text=True, env=env, timeout=60
    )
    assert bad.returncode == 2
    assert len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr


def test_words_found_in_many_texts_list_the_same_candidates_past_the_quick_search(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Texts are searched alone first and their types checked after; past a number of
    matches one query answers. Both ways list the same candidates, in the same order."""
    from provenance import tracker

    quick = refused(run(store, "origin", "Blinken"), "'Blinken'", lines=None)
    monkeypatch.setattr(tracker, "_TEXT_CANDIDATES", 2)
    assert refused(run(store, "origin", "Blinken"), "'Blinken'", lines=None) == quick
    assert as_json(store, "origin", "blinken WILL take part")["statement"]["id"] == BLINKEN


def _on_terminal(path: Path, cwd: Path, *args: str,
                 env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run the CLI with stderr a terminal (the status line shown at once): exit code,
    stdout, and what the terminal received."""
    import pty
    import sys

    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "provenance", "--store", str(path), *args],
            stdout=subprocess.PIPE, stderr=follower, timeout=300, cwd=cwd,
            env={**os.environ, "PROVENANCE_STATUS_DELAY": "0", **(env or {})},
        )
        os.close(follower)
        follower = -1
        err = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed
                break
            if not chunk:
                break
            err += chunk
    finally:
        if follower >= 0:
            os.close(follower)
        os.close(leader)
    return done.returncode, done.stdout.decode(), err.decode().replace("\r\n", "\n")


def test_on_a_terminal_a_bulk_ingest_shows_how_far_it_is_then_wipes_the_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "store"
    code, out, err = _on_terminal(path, tmp_path, "ingest", str(SEEDS),
                                  env={"PROVENANCE_BULK_MIN_BYTES": "0"})  # the bulk path
    assert code == 0
    assert out.startswith("added     blinken-brussels")
    assert "MB of the files checked and loaded: 1 of 1 (100%)" in err
    assert "checking the batch as a whole" in err and "\rcommitting" in err
    shown, summary = err.rsplit("\r", 1)
    assert summary == f"1 of 1 document(s) written to {path}\n"
    assert shown.rsplit("\r", 1)[-1].strip() == ""  # the status line was wiped before it


def test_on_a_terminal_the_status_line_is_wiped_before_the_answer_and_errors(
    tmp_path: Path,
) -> None:
    """stderr a terminal: the status line of a whole-store question (shown at once here)
    is wiped, and stdout holds the same answer as without a terminal."""
    path = tmp_path / "store"
    with EmbeddedStore.open_write(path) as backend:
        ingest_files(backend, [SEEDS])

    def on_terminal(*args: str) -> tuple[int, str, str]:
        return _on_terminal(path, tmp_path, *args)

    code, out, err = on_terminal("report", "--format", "json")
    assert code == 0
    assert json.loads(out) == as_json(path, "report")
    assert "statements answered: " in err  # every answer computed: the status shown
    assert err.endswith("\r") and err.rsplit("\r", 2)[-2].strip() == ""  # then wiped
    code, out, err = on_terminal("impact", "no-such-source")
    assert code == 2 and out == ""
    assert "no-such-source" in err.rsplit("\r", 1)[-1]  # the error, on a clean line
