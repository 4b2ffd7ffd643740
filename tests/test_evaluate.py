"""Scoring extracted annotations (provenance.evaluate) and `provenance evaluate`, on
hand-made gold/prediction pairs whose scores are computed by hand in the comments."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from provenance.evaluate import (
    EvaluationError,
    evaluate,
    evaluate_paths,
    load_annotations,
    normalise_label,
)
from provenance.extract_cli import evaluate_command


def statement(sid: str, start: int, end: int, *chains: list[str], cue: str | None = None,
              evidence: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": sid, "text": sid, "triple": ["a", "b", "c"],
                           "evidence": evidence or f"evidence {sid}",
                           "evidence_start": start, "evidence_end": end}
    if cue:
        out["cue"] = cue
    if chains:
        out["according_to"] = [list(c) for c in chains]
    return out


def annotation(doc: str, sources: dict[str, str], statements: list[dict[str, Any]],
               publisher: str = "pub") -> dict[str, Any]:
    return {
        "document": {"id": doc, "publisher": publisher},
        "sources": {sid: {"label": label} for sid, label in sources.items()},
        "statements": statements,
    }


# Gold: 3 sources besides the publisher, 4 statements, 4 chains.
GOLD = annotation(
    "g1",
    {"pub": "The Paper", "tass": "TASS", "mfa": "Ministry of Foreign Affairs", "off": "officials"},
    [
        statement("s1", 0, 50, ["tass", "mfa"]),
        statement("s2", 51, 100, ["off"]),
        statement("s3", 101, 150),
        statement("s4", 151, 200, ["tass"], ["off"]),
    ],
)
# Prediction: sources "the TASS" (= tass) and "Officials" (= officials) right, "Foreign
# Ministry" (not "Ministry of Foreign Affairs") and "analysts" wrong. p1 matches s1 but
# its chain ends in the wrong label; p2 matches s2 with the right chain; p3 overlaps s2
# too but s2 is taken; p4 overlaps nothing.
PREDICTED = annotation(
    "g1",
    {"pub": "The Paper", "t": "the TASS", "m": "Foreign Ministry", "o": "Officials",
     "x": "analysts"},
    [
        statement("p1", 10, 40, ["pub", "t", "m"]),
        statement("p2", 60, 90, ["o"]),
        statement("p3", 60, 70, ["o"]),
        statement("p4", 300, 350),
    ],
)


def test_normalise_label_ignores_case_articles_punctuation_possessives_and_order() -> None:
    assert normalise_label("The Russian News-Agency") == normalise_label("russian news agency")
    assert normalise_label("Ukraine’s security leadership") == normalise_label(
        "Ukraine's Security Leadership")
    assert normalise_label("spokesperson for the Ministry of Health") == normalise_label(
        "Ministry of Health spokesperson")
    assert normalise_label("Foreign Ministry") != normalise_label("Ministry of Foreign Affairs")
    assert normalise_label("official") != normalise_label("officials")


def test_identical_annotations_score_one_on_every_level() -> None:
    scores = evaluate([GOLD], [GOLD])
    for level in ("sources", "chains", "statements"):
        assert scores[level]["f1"] == 1.0


def test_sources_are_matched_by_normalised_label_and_the_publisher_is_left_out() -> None:
    # gold {tass, ministry of foreign affairs, officials}; predicted {tass, foreign
    # ministry, officials, analysts}: tp 2, fp 2, fn 1 -> P 2/4, R 2/3, F1 4/7.
    s = evaluate([GOLD], [PREDICTED])["sources"]
    assert (s["tp"], s["fp"], s["fn"]) == (2, 2, 1)
    assert s["precision"] == 0.5
    assert s["recall"] == pytest.approx(2 / 3, abs=1e-4)
    assert s["f1"] == pytest.approx(4 / 7, abs=1e-4)


def test_statements_match_one_to_one_by_overlapping_evidence() -> None:
    # s1-p1 and s2-p2 match (p2 overlaps s2 more than p3 does); p3 and p4 are false
    # positives, s3 and s4 are missed: tp 2, fp 2, fn 2 -> P = R = F1 = 0.5.
    s = evaluate([GOLD], [PREDICTED])["statements"]
    assert (s["tp"], s["fp"], s["fn"]) == (2, 2, 2)
    assert (s["precision"], s["recall"], s["f1"]) == (0.5, 0.5, 0.5)


def test_chains_count_only_on_matched_statements_and_ignore_the_publisher() -> None:
    # gold chains: s1 1, s2 1, s4 2 = 4; predicted: p1 1, p2 1, p3 1 = 3. Only s2-p2
    # agree (p1's chain, once "pub" is dropped, is [tass, foreign ministry], not
    # [tass, ministry of foreign affairs]): tp 1, fp 2, fn 3 -> P 1/3, R 1/4, F1 2/7.
    s = evaluate([GOLD], [PREDICTED])["chains"]
    assert (s["tp"], s["fp"], s["fn"]) == (1, 2, 3)
    assert s["precision"] == pytest.approx(1 / 3, abs=1e-4)
    assert s["recall"] == 0.25
    assert s["f1"] == pytest.approx(2 / 7, abs=1e-4)


def test_chain_order_matters() -> None:
    gold = annotation("d", {"a": "Alpha", "b": "Beta"}, [statement("s", 0, 9, ["a", "b"])])
    pred = annotation("d", {"a": "Alpha", "b": "Beta"}, [statement("s", 0, 9, ["b", "a"])])
    assert evaluate([gold], [pred])["chains"]["tp"] == 0


def test_two_statements_on_one_sentence_need_two_predictions() -> None:
    # Gold has two claims in one sentence; one prediction matches one of them.
    gold = annotation("d", {"a": "Alpha"}, [statement("s1", 0, 20, ["a"], cue="say"),
                                        statement("s2", 0, 20, ["a"], cue="warn")])
    pred = annotation("d", {"a": "Alpha"}, [statement("p", 0, 20, ["a"], cue="warn")])
    s = evaluate([gold], [pred])
    assert (s["statements"]["tp"], s["statements"]["fn"]) == (1, 1)
    assert (s["chains"]["tp"], s["chains"]["fn"]) == (1, 1)


def test_documents_are_paired_by_id_and_unpaired_ones_count_as_misses() -> None:
    other = annotation("g2", {"a": "Alpha"}, [statement("s", 0, 9, ["a"])])
    stray = annotation("g3", {"b": "Beta"}, [statement("s", 0, 9)])
    scores = evaluate([GOLD, other], [GOLD, stray])
    assert scores["documents"] == {"paired": 1, "gold_only": ["g2"], "predicted_only": ["g3"]}
    # GOLD is perfect; g2 adds 1 missed source, statement and chain; g3 adds a false
    # source and statement.
    assert (scores["sources"]["tp"], scores["sources"]["fp"], scores["sources"]["fn"]) == (
        3, 1, 1)
    assert (scores["statements"]["tp"], scores["statements"]["fp"],
            scores["statements"]["fn"]) == (4, 1, 1)
    assert (scores["chains"]["tp"], scores["chains"]["fn"]) == (4, 1)


def test_nothing_expected_and_nothing_predicted_scores_one() -> None:
    empty = annotation("d", {}, [])
    scores = evaluate([empty], [empty])
    assert scores["sources"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0,
                                 "tp": 0, "fp": 0, "fn": 0}


def test_nothing_predicted_scores_zero_recall_and_zero_f1() -> None:
    empty = annotation("g1", {}, [])
    s = evaluate([GOLD], [empty])["statements"]
    assert (s["precision"], s["recall"], s["f1"]) == (1.0, 0.0, 0.0)


def test_statements_without_offsets_match_by_evidence_text() -> None:
    gold = annotation("d", {"a": "Alpha"}, [statement("s", 0, 9, ["a"], evidence="The  Sky fell.")])
    pred = annotation("d", {"a": "Alpha"}, [statement("p", 0, 9, ["a"], evidence="the sky fell.")])
    for side in (gold, pred):
        for st in side["statements"]:
            del st["evidence_start"], st["evidence_end"]
    assert evaluate([gold], [pred])["statements"]["tp"] == 1


def test_duplicate_document_ids_are_an_error() -> None:
    with pytest.raises(EvaluationError, match="g1"):
        evaluate([GOLD, GOLD], [GOLD])


# ---------------------------------------------------------------------------- files


def write(path: Path, *docs: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump_all(list(docs), sort_keys=False), encoding="utf-8")
    return path


def test_load_annotations_reads_multi_document_yaml_and_json(tmp_path: Path) -> None:
    other = annotation("g2", {"a": "Alpha"}, [])
    assert [d["document"]["id"] for d in load_annotations(
        write(tmp_path / "both.yaml", GOLD, other))] == ["g1", "g2"]
    (tmp_path / "one.json").write_text(json.dumps(GOLD), encoding="utf-8")
    assert load_annotations(tmp_path / "one.json") == [GOLD]


def test_folders_are_paired_by_file_name(tmp_path: Path) -> None:
    (tmp_path / "gold").mkdir()
    (tmp_path / "pred").mkdir()
    write(tmp_path / "gold" / "story.yaml", GOLD)
    renamed = json.loads(json.dumps(PREDICTED))
    renamed["document"]["id"] = "some-other-id"  # one document per file: paired anyway
    (tmp_path / "pred" / "story.json").write_text(json.dumps(renamed), encoding="utf-8")
    scores = evaluate_paths(tmp_path / "gold", tmp_path / "pred")
    assert scores["documents"]["paired"] == 1
    assert scores["statements"]["tp"] == 2


def test_files_are_paired_by_document_id(tmp_path: Path) -> None:
    gold = write(tmp_path / "gold.yaml", GOLD)
    pred = write(tmp_path / "pred.yaml", annotation("zzz", {}, []), PREDICTED)
    assert evaluate_paths(gold, pred)["sources"]["tp"] == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"document: [unclosed", "not valid YAML"), (b"\xff\xfe\x00", "not UTF-8"),
     (b"- just\n- a list\n", "expected annotation mappings")],
)
def test_unreadable_files_raise_evaluation_error(tmp_path: Path, content: bytes,
                                                 message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    with pytest.raises(EvaluationError, match=message):
        load_annotations(path)


def test_missing_path_is_an_evaluation_error(tmp_path: Path) -> None:
    with pytest.raises(EvaluationError, match="no such file"):
        load_annotations(tmp_path / "missing.yaml")


# ------------------------------------------------------------------------------ CLI


def test_evaluate_command_prints_a_table(tmp_path: Path) -> None:
    gold = write(tmp_path / "gold.yaml", GOLD)
    pred = write(tmp_path / "pred.yaml", PREDICTED)
    result = CliRunner().invoke(evaluate_command, [str(gold), str(pred)])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["LEVEL", "PRECISION", "RECALL", "F1", "TP", "FP", "FN"]
    assert lines[1].split() == ["sources", "0.500", "0.667", "0.571", "2", "2", "1"]
    assert lines[2].split() == ["chains", "0.333", "0.250", "0.286", "1", "2", "3"]
    assert lines[3].split() == ["statements", "0.500", "0.500", "0.500", "2", "2", "2"]
    assert "documents paired: 1" in result.output


def test_evaluate_command_prints_json(tmp_path: Path) -> None:
    gold = write(tmp_path / "gold.yaml", GOLD)
    result = CliRunner().invoke(evaluate_command, [str(gold), str(gold), "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["chains"]["f1"] == 1.0
    assert data["per_document"][0]["document"] == "g1"


def test_evaluate_command_missing_path_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(evaluate_command, [str(tmp_path / "no"), str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert "no such file" in result.output
