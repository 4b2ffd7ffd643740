"""The seed article and its hand annotation give the answers a careful reader gives."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from provenance.ingest import ingest_files
from provenance.store import EmbeddedStore
from provenance.tracker import Tracker

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED = yaml.safe_load((SEEDS / "blinken-brussels.yaml").read_text(encoding="utf-8"))
STATEMENTS = {s["id"]: s for s in SEED["statements"]}
PUBLISHER = SEED["document"]["publisher"]


@pytest.fixture(scope="module")
def tracker(tmp_path_factory: pytest.TempPathFactory) -> Tracker:
    path = tmp_path_factory.mktemp("seed") / "store"
    with EmbeddedStore.open_write(path) as store:
        ingest_files(store, [SEEDS])
    return Tracker(EmbeddedStore.open_read(path))


def expected_origin(statement: dict) -> str:
    """With one chain the origin is its last source; without, the publisher."""
    chains = statement.get("according_to") or []
    assert len(chains) <= 1, "the seed relays each claim through at most one chain"
    return chains[0][-1] if chains else PUBLISHER


# ------------------------------------------------------------------ the annotation


def test_the_seed_annotates_at_least_eight_statements() -> None:
    assert len(STATEMENTS) >= 8


def test_every_evidence_is_the_exact_span_of_the_article_it_points_at() -> None:
    text = (SEEDS / SEED["document"]["text"]).read_text(encoding="utf-8")
    for sid, st in STATEMENTS.items():
        assert st.get("evidence"), f"{sid} has no evidence"
        assert text[st["evidence_start"] : st["evidence_end"]] == st["evidence"], sid


def test_every_attributed_statement_has_a_cue() -> None:
    for sid, st in STATEMENTS.items():
        if st.get("according_to"):
            assert st.get("cue"), f"{sid} is attributed but has no cue"


@pytest.mark.parametrize(
    ("statement", "chain"),
    [
        ("blinken-attends", ["tass", "mfa-press", "us-official"]),
        ("blinken-in-brussels-nov-27-29", ["government-briefing"]),
        ("us-committed-to-ukraine-sovereignty", ["officials"]),
        ("western-support-essential", ["ukraine-security-leadership"]),
        ("military-aid-cornerstone", ["senior-european-officials"]),
    ],
)
def test_the_seed_holds_the_chains_the_issue_asks_for(statement: str, chain: list[str]) -> None:
    assert STATEMENTS[statement]["according_to"] == [chain]


# ------------------------------------------------------------------ the answers


def test_origin_of_blinkens_attendance_names_the_us_official_at_the_end_of_the_tass_chain(
    tracker: Tracker,
) -> None:
    origin = tracker.origin("blinken-attends")
    assert origin["chains"] == [["tass", "mfa-press", "us-official"]]
    assert [o["source"] for o in origin["origins"]] == ["us-official"]
    assert origin["origins"][0]["label"] == "US official"
    assert origin["rests_on"] == "us-official"
    assert origin["independent_sources"] == 1
    assert origin["single_source"] is True
    assert origin["circular"] is False


def test_single_source_lists_every_claim_that_rests_on_one_source(tracker: Tracker) -> None:
    rows = tracker.single_source()
    expected = {sid: expected_origin(st) for sid, st in STATEMENTS.items()}
    assert {r["statement"]: r["rests_on"] for r in rows} == expected


def test_single_source_gives_the_label_and_text_of_each_claim(tracker: Tracker) -> None:
    labels = {sid: spec["label"] for sid, spec in SEED["sources"].items()}
    for row in tracker.single_source():
        assert row["label"] == labels[row["rests_on"]]
        assert row["text"] == STATEMENTS[row["statement"]]["text"]


def test_by_organization_the_press_service_collapses_into_the_ministry(tracker: Tracker) -> None:
    origin = tracker.origin("blinken-attends", by="organization")
    assert origin["chains"] == [["tass", "mfa", "us-official"]]
    assert origin["rests_on"] == "us-official"
    rows = {r["statement"]: r["rests_on"] for r in tracker.single_source(by="organization")}
    assert rows["talks-address-western-balkans"] == "mfa"
    ids = {s["id"] for s in tracker.sources(by="organization")}
    assert "mfa" in ids
    assert not {"mfa-press", "foreign-ministry-statement"} & ids


def test_claims_in_the_publishers_own_voice_are_unattributed(tracker: Tracker) -> None:
    rows = {r["statement"]["id"]: r for r in tracker.report()}
    for sid, st in STATEMENTS.items():
        assert rows[sid]["unattributed"] is (not st.get("according_to")), sid


def test_claims_resting_on_unnamed_sources_are_flagged_anonymous(tracker: Tracker) -> None:
    anonymous = {sid for sid, spec in SEED["sources"].items() if spec.get("anonymous")}
    rows = {r["statement"]["id"]: r for r in tracker.report()}
    for sid, st in STATEMENTS.items():
        assert rows[sid]["anonymous"] is (expected_origin(st) in anonymous), sid


def test_the_seed_has_no_circular_reporting(tracker: Tracker) -> None:
    assert not any(r["circular"] for r in tracker.report())


def test_impact_of_tass_is_blinkens_attendance_only(tracker: Tracker) -> None:
    rows = tracker.impact("tass")
    assert [(r["statement"], r["single_source"]) for r in rows] == [("blinken-attends", True)]


def test_the_foreign_ministry_statement_carries_the_three_agenda_claims(
    tracker: Tracker,
) -> None:
    rows = tracker.impact("foreign-ministry-statement")
    assert sorted(r["statement"] for r in rows) == [
        "talks-address-nato-summit-preparations",
        "talks-address-western-balkans",
        "talks-emphasize-alliance-messaging",
    ]
