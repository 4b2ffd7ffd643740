"""The text extractor (provenance.extract) and `provenance extract`: one test per pattern,
schema validity, the YAML writer, bad input, and the targets on the gold set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from provenance.evaluate import evaluate, load_annotations
from provenance.extract import (
    BackendUnavailableError,
    EmptyTextError,
    InvalidIdError,
    extract,
    extract_full,
    to_yaml,
)
from provenance.extract_cli import evaluate_command, extract_command
from provenance.resources import schema_path
from provenance.vocab import SLUG_PATTERN

GOLD = Path(__file__).parent / "data" / "extraction"
SCHEMA = json.loads(schema_path().read_text(encoding="utf-8"))


def run(text: str, publisher: str = "the-paper") -> dict[str, Any]:
    return extract(text, document_id="doc", publisher=publisher)


def labels(annotation: dict[str, Any], statement: dict[str, Any]) -> list[list[str]]:
    """The chains of *statement* as lists of source labels."""
    sources = annotation["sources"]
    return [[sources[i]["label"] for i in chain] for chain in statement.get("according_to", [])]


def only(annotation: dict[str, Any]) -> dict[str, Any]:
    [statement] = annotation["statements"]
    return statement


def by_evidence(annotation: dict[str, Any], words: str) -> list[dict[str, Any]]:
    return [s for s in annotation["statements"] if words in s["evidence"]]


def gold_pairs() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    pairs = []
    for path in sorted(GOLD.glob("*.yaml")):
        [gold] = load_annotations(path)
        text = (path.parent / gold["document"]["text"]).read_text(encoding="utf-8")
        predicted = extract(
            text, document_id=gold["document"]["id"], publisher=gold["document"]["publisher"]
        )
        pairs.append((gold, predicted))
    return pairs


# ------------------------------------------------------------------- reporting verbs


@pytest.mark.parametrize(
    ("sentence", "cue"),
    [
        ("The ministry said that the bridge will reopen in May.", "say"),
        ("The ministry told reporters that the bridge will reopen in May.", "tell"),
        ("The ministry confirmed that the bridge will reopen in May.", "confirm"),
        ("The ministry noted that the bridge will reopen in May.", "note"),
        ("The ministry reiterated that the bridge will reopen in May.", "reiterate"),
        ("The ministry emphasized that the bridge will reopen in May.", "emphasize"),
        ("The ministry indicated that the bridge will reopen in May.", "indicate"),
        ("The ministry acknowledged that the bridge will reopen in May.", "acknowledge"),
        ("The ministry announced that the bridge will reopen in May.", "announce"),
        ("The ministry said on Monday the bridge will reopen in May.", "say"),
    ],
)
def test_reporting_verb_attributes_the_clause_to_its_subject(sentence: str, cue: str) -> None:
    a = run(sentence)
    statement = only(a)
    assert labels(a, statement) == [["ministry"]]
    assert statement["cue"] == cue
    assert statement["text"] == "the bridge will reopen in May"


def test_weak_cue_with_a_plain_object_is_not_an_attribution() -> None:
    a = run("In Kyiv, a contrasting voice has highlighted the realities on the ground.")
    assert "according_to" not in only(a)


def test_negated_cue_is_not_an_attribution() -> None:
    a = run("The customs service has not said whether the border will reopen.")
    assert "according_to" not in only(a)


def test_according_to_at_the_end_attributes_the_clause_before_it() -> None:
    a = run("Traffic fell by 12 percent, according to the Veldhaven Port Authority.")
    statement = only(a)
    assert labels(a, statement) == [["Veldhaven Port Authority"]]
    assert statement["cue"] == "according to"
    assert statement["text"] == "Traffic fell by 12 percent"


def test_according_to_at_the_start_attributes_the_clause_after_it() -> None:
    a = run("According to Norrland Bank, the slump reflects higher canal fees.")
    assert labels(a, only(a)) == [["Norrland Bank"]]
    assert only(a)["text"] == "the slump reflects higher canal fees"


# ------------------------------------------------------------------------ relays


def test_citing_clause_gives_a_two_source_chain() -> None:
    a = run(
        "The Meridian News Agency, citing the Interior Ministry, reported on Thursday "
        "that checkpoints will reopen at the weekend."
    )
    assert labels(a, only(a)) == [["Meridian News Agency", "Interior Ministry"]]


def test_reports_from_x_citing_y_confirm_gives_a_two_source_chain() -> None:
    a = run(
        "Reports from the Russian news agency TASS, citing the Ministry of Foreign Affairs "
        "press service, confirm his attendance."
    )
    assert labels(a, only(a)) == [["TASS", "Ministry of Foreign Affairs press service"]]
    assert only(a)["cue"] == "confirm"


def test_x_quoted_y_as_saying_gives_a_relay_chain_of_a_quotation() -> None:
    a = run(
        "The Northern Ledger quoted Energy Minister Pavel Ostrov as saying that the "
        "country will stop importing coal by 2030."
    )
    statement = only(a)
    assert labels(a, statement) == [["Northern Ledger", "Pavel Ostrov"]]
    assert statement["quoted"] is True
    assert a["sources"]["pavel-ostrov"]["kind"] == "energy minister"


def test_wire_copy_relayed_through_several_outlets_gives_one_long_chain() -> None:
    a = run(
        "A fire forced the evacuation of 2,000 residents, the Eastern Gazette reported, "
        "citing Nordwire, which quoted a regional police spokesman."
    )
    assert labels(a, only(a)) == [["Eastern Gazette", "Nordwire", "regional police spokesman"]]


def test_telling_a_news_outlet_makes_the_outlet_the_nearest_relay() -> None:
    a = run("Ines Moor told the Aldren Courier that her client would plead not guilty.")
    assert labels(a, only(a)) == [["Aldren Courier", "Ines Moor"]]


def test_telling_the_publisher_itself_adds_no_relay() -> None:
    a = run("Ines Moor told the Aldren Courier that her client would plead not guilty.",
            publisher="aldren-courier")
    assert labels(a, only(a)) == [["Ines Moor"]]


def test_leading_citing_clause_is_attached_to_the_source() -> None:
    a = run("Citing local media, the Polar News Agency reported that a ferry ran aground.")
    assert labels(a, only(a)) == [["Polar News Agency", "local media"]]


# --------------------------------------------------------------------- documents


def test_statement_attributed_to_a_document_goes_to_its_author_named_elsewhere() -> None:
    a = run(
        "Reports from TASS, citing the Ministry of Foreign Affairs press service, confirm "
        "the visit. The talks will focus on aid. The discussions will address the "
        "Balkans. These points were outlined in the foreign ministry statement."
    )
    last_two = a["statements"][-2:]
    for statement in last_two:
        assert labels(a, statement) == [["Ministry of Foreign Affairs"]]
        assert statement["cue"] == "outline"
    press = a["sources"]["ministry-of-foreign-affairs-press-service"]
    assert press["acted_on_behalf_of"] == "ministry-of-foreign-affairs"


def test_document_without_a_named_author_is_attributed_to_its_issuer() -> None:
    a = run("The government briefing indicates Blinken will be in Brussels on Monday.")
    assert labels(a, only(a)) == [["government"]]


def test_the_report_points_back_to_the_author_of_an_earlier_report() -> None:
    a = run(
        "Waiting times have doubled, a report by the national health watchdog found. "
        "The report said that one in four patients waited eight hours."
    )
    assert [labels(a, s) for s in a["statements"]] == [[["national health watchdog"]]] * 2


# ---------------------------------------------------------------------- quotations


def test_direct_quote_with_the_speaker_after() -> None:
    a = run('"We will keep digging through the night," said Marta Kell, who leads the brigade.')
    statement = only(a)
    assert labels(a, statement) == [["Marta Kell"]]
    assert statement["quoted"] is True
    assert statement["text"] == "We will keep digging through the night"


def test_direct_quote_with_the_speaker_before() -> None:
    a = run('The mayor, Oskar Lind, told a news conference: "Every family will be housed. '
            'The city will pay."')
    statement = only(a)
    assert labels(a, statement) == [["Oskar Lind"]]
    assert statement["quoted"] is True
    assert a["sources"]["oskar-lind"]["kind"] == "mayor"


def test_a_quotation_standing_alone_continues_the_previous_speaker() -> None:
    a = run('"The building passed its inspection," Oskar Lind said. '
            '"We need to know what went wrong."')
    assert [labels(a, s) for s in a["statements"]] == [[["Oskar Lind"]]] * 2


# ------------------------------------------------------------------ carried over


def test_he_added_carries_the_attribution_to_the_next_sentence() -> None:
    a = run("Health Minister Agnes Roth said the change would save money. "
            "She added that the cap will be reviewed.")
    assert [labels(a, s) for s in a["statements"]] == [[["Agnes Roth"]]] * 2


def test_the_ministry_also_said_resolves_to_the_ministry_named_before() -> None:
    a = run("The Ministry of Health announced that pharmacies must stock insulin. "
            "The ministry also said that prices will be capped.")
    assert [labels(a, s) for s in a["statements"]] == [[["Ministry of Health"]]] * 2
    assert list(a["sources"]) == ["the-paper", "ministry-of-health"]


def test_same_source_named_twice_in_different_words_is_one_source() -> None:
    a = run("The Russian news agency TASS reported that talks began. "
            "TASS said the talks would last two days.")
    assert [labels(a, s) for s in a["statements"]] == [[["TASS"]]] * 2
    assert a["sources"]["tass"] == {"label": "TASS", "type": "organization",
                                    "kind": "news agency"}


def test_a_description_named_later_becomes_the_name() -> None:
    a = run("The former official denies wrongdoing, his lawyer said. "
            "The lawyer, Ines Moor, said her client would plead not guilty.")
    assert [labels(a, s) for s in a["statements"]] == [[["Ines Moor"]]] * 2


# --------------------------------------------------------------- other shapes


def test_passive_confirmed_by_attributes_the_claim_to_the_agent() -> None:
    a = run("The job cuts were confirmed by the communications workers' union, which said "
            "it would fight them.")
    assert [labels(a, s) for s in a["statements"]] == [[["communications workers' union"]]] * 2
    assert [s["cue"] for s in a["statements"]] == ["confirm", "say"]


def test_an_opinion_quoted_after_called_is_attributed() -> None:
    a = run('Passenger groups called the increase "unacceptable".')
    assert labels(a, only(a)) == [["Passenger groups"]]
    assert only(a)["cue"] == "call"


def test_one_of_the_people_points_back_to_the_group() -> None:
    a = run("Baltic Steel is in talks to buy Ferrox, according to two people familiar with "
            "the matter. The deal could value Ferrox at 1.2 billion euros, one of the people "
            "said.")
    assert [labels(a, s) for s in a["statements"]] == [
        [["two people familiar with the matter"]]] * 2


def test_an_infinitive_after_a_cue_is_not_a_claim() -> None:
    a = run("The government has promised to publish an updated budget next month.")
    assert "according_to" not in only(a)


def test_sentence_final_attribution() -> None:
    a = run("Negotiators are close to a deal, officials said on Friday.")
    assert labels(a, only(a)) == [["officials"]]
    assert only(a)["text"] == "Negotiators are close to a deal"


def test_parenthetical_attribution_joins_the_claim_around_it() -> None:
    a = run("Core inflation, the statistics bureau added, eased to 2.9 percent.")
    assert labels(a, only(a)) == [["statistics bureau"]]
    assert only(a)["text"] == "Core inflation eased to 2.9 percent"


def test_two_reporting_verbs_give_two_statements_with_the_same_source() -> None:
    a = run("Ukraine's security leadership reiterated that support is essential, but "
            "acknowledged that aid faces hurdles.")
    assert [s["cue"] for s in a["statements"]] == ["reiterate", "acknowledge"]
    assert [s["text"] for s in a["statements"]] == ["support is essential", "aid faces hurdles"]


def test_several_independent_origins_give_several_chains() -> None:
    a = run("At least four people were killed, according to both the provincial "
            "governor's office and the Red Crescent.")
    assert labels(a, only(a)) == [["provincial governor's office"], ["Red Crescent"]]


@pytest.mark.parametrize(
    ("sentence", "label"),
    [
        ("Officials emphasize that the plan is sound.", "Officials"),
        ("A senior European official said the plan is sound.", "senior European official"),
        ("Sources familiar with the talks said the plan is sound.",
         "Sources familiar with the talks"),
        ("People close to the board cautioned that the plan is sound.",
         "People close to the board"),
    ],
)
def test_unnamed_sources_are_flagged_anonymous(sentence: str, label: str) -> None:
    a = run(sentence)
    [sid] = only(a)["according_to"][0]
    assert a["sources"][sid] == {"label": label, "type": "person", "anonymous": True}


def test_named_sources_are_not_anonymous() -> None:
    a = run("Governor Viktor Nemec said the rate will stay at 4 percent.")
    assert "anonymous" not in a["sources"]["viktor-nemec"]


def test_sentence_without_attribution_is_the_publishers_own_voice() -> None:
    a = run("The city opened its first electric bus depot on Friday.")
    statement = only(a)
    assert "according_to" not in statement
    assert statement["text"] == "The city opened its first electric bus depot on Friday"


def test_a_press_release_publisher_speaking_for_itself_is_unattributed() -> None:
    a = run("Northwind Energy today announced that it will build a storage plant. "
            "The plant will create 120 jobs, the company said.", publisher="northwind-energy")
    assert all("according_to" not in s for s in a["statements"])
    assert a["sources"]["northwind-energy"]["label"] == "Northwind Energy"


def test_dateline_credit_relays_every_statement_through_the_wire() -> None:
    a = run("TESSEL (Nordwire) - Parliament approved the ban on Thursday. "
            "Minister Lea Koss said the law would cut waste.")
    assert [labels(a, s) for s in a["statements"]] == [[["Nordwire"]],
                                                        [["Nordwire", "Lea Koss"]]]


def test_headline_is_the_title_not_a_statement() -> None:
    a = run("Plant to open in Hallberg\n\nThe plant opens in May, the council said.")
    assert a["document"]["title"] == "Plant to open in Hallberg"
    assert len(a["statements"]) == 1


# ------------------------------------------------------------------- output shape


@pytest.mark.parametrize("path", sorted(GOLD.glob("*.txt")), ids=lambda p: p.stem)
def test_extraction_validates_against_the_schema(path: Path) -> None:
    a = extract(path.read_text(encoding="utf-8"), document_id="d", publisher="harbor-times",
                text_path=path.name)
    jsonschema.Draft202012Validator(SCHEMA).validate(a)
    text = path.read_text(encoding="utf-8")
    for statement in a["statements"]:
        assert text[statement["evidence_start"]:statement["evidence_end"]] == statement[
            "evidence"]
        assert len(statement["triple"]) == 3 and all(m.strip() for m in statement["triple"])
        assert 0 <= statement["confidence"] <= 1
        for chain in statement.get("according_to", []):
            assert all(sid in a["sources"] for sid in chain)


def test_source_ids_are_slugs_and_unique() -> None:
    a = run("Ministry of Health said that X is true. The ministry's health office said "
            "that Y is true. Officials at the Ministry of Health noted that Z is true.")
    import re

    assert all(re.match(SLUG_PATTERN, sid) for sid in a["sources"])


def test_yaml_keeps_the_design_key_order_and_round_trips() -> None:
    result = extract_full("TASS, citing the press service, reported that talks began. "
                          "The talks lasted two days.", document_id="doc", publisher="wire")
    text = to_yaml(result.annotation, aliases=result.aliases, header="a header")
    assert yaml.safe_load(text) == result.annotation
    assert text.startswith("# a header\ndocument:\n  id: doc\n  publisher: wire\n")
    assert text.index("sources:") < text.index("statements:")
    assert "# unattributed: the publisher's own voice" in text
    statement = text[text.index("  - id: doc.s01"):]
    keys = [line.split(":")[0].strip(" -") for line in statement.splitlines()[:8]]
    assert keys == ["id", "text", "triple", "evidence", "evidence_start", "evidence_end",
                    "cue", "confidence"]


def test_yaml_quotes_values_that_would_change_type() -> None:
    annotation = {"document": {"id": "no", "publisher": "yes"},
                  "sources": {"on": {"label": "2024", "type": "organization"}},
                  "statements": [{"id": "s", "text": "a: b, [c]", "triple": ["1", "x, y", "z"]}]}
    assert yaml.safe_load(to_yaml(annotation)) == annotation


def test_aliases_are_written_as_comments() -> None:
    result = extract_full("The Russian news agency TASS reported that talks began. "
                          "TASS said they would last.", document_id="d", publisher="wire")
    assert "# also: Russian news agency TASS" in to_yaml(result.annotation,
                                                         aliases=result.aliases)


def test_the_library_never_prints(capsys: pytest.CaptureFixture[str]) -> None:
    run("Officials said that the plan is sound. The plan was approved.")
    assert capsys.readouterr() == ("", "")


# --------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"text": "   \n"}, EmptyTextError),
        ({"document_id": "Bad Id"}, InvalidIdError),
        ({"publisher": "-dash"}, InvalidIdError),
        ({"backend": "neural"}, BackendUnavailableError),
    ],
)
def test_bad_input_raises_a_value_error(kwargs: dict[str, Any], error: type) -> None:
    args = {"text": "Officials said it.", "document_id": "d", "publisher": "p", **kwargs}
    with pytest.raises(error) as info:
        extract(**args)
    assert isinstance(info.value, ValueError)


def test_spacy_backend_without_spacy_says_what_to_install() -> None:
    pytest.importorskip("yaml")
    try:
        import spacy  # noqa: F401
    except ImportError:
        with pytest.raises(BackendUnavailableError, match="spacy"):
            extract("Officials said it works.", document_id="d", backend="spacy")
    else:  # pragma: no cover - depends on the machine
        pytest.skip("spaCy is installed")


# ----------------------------------------------------------------------- gold set


def test_gold_annotations_are_consistent_with_their_texts() -> None:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    paths = sorted(GOLD.glob("*.yaml"))
    assert len(paths) >= 16
    for path in paths:
        [gold] = load_annotations(path)
        validator.validate(gold)
        text = (path.parent / gold["document"]["text"]).read_text(encoding="utf-8")
        for statement in gold["statements"]:
            span = text[statement["evidence_start"]:statement["evidence_end"]]
            assert span == statement["evidence"], (path.name, statement["id"])
            for chain in statement.get("according_to", []):
                assert all(sid in gold["sources"] for sid in chain), (path.name, chain)


def test_gold_set_meets_the_targets() -> None:
    gold, predicted = zip(*gold_pairs(), strict=True)
    scores = evaluate(list(gold), list(predicted))
    assert scores["documents"]["paired"] == len(gold)
    assert scores["sources"]["f1"] >= 0.90
    assert scores["chains"]["f1"] >= 0.75
    assert scores["statements"]["f1"] >= 0.80


def test_seed_chain_tass_to_the_press_service_is_found() -> None:
    text = (GOLD / "000_49eb005a14291dad.txt").read_text(encoding="utf-8")
    a = extract(text, document_id="blinken-brussels", publisher="example-wire")
    [statement] = by_evidence(a, "TASS")
    assert labels(a, statement) == [["TASS", "Ministry of Foreign Affairs press service"]]
    chains = {tuple(c) for s in a["statements"] for c in labels(a, s)}
    assert chains == {
        ("TASS", "Ministry of Foreign Affairs press service"), ("government",),
        ("Officials",), ("Ministry of Foreign Affairs",), ("Ukraine’s security leadership",),
        ("senior European officials",),
    }


# ----------------------------------------------------------------------------- CLI


def test_extract_command_writes_yaml_that_validates(tmp_path: Path) -> None:
    out = tmp_path / "seed.yaml"
    result = CliRunner().invoke(extract_command, [
        str(GOLD / "000_49eb005a14291dad.txt"), "-o", str(out), "--publisher", "example-wire",
    ])
    assert result.exit_code == 0, result.output
    annotation = yaml.safe_load(out.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(SCHEMA).validate(annotation)
    assert annotation["document"]["id"] == "000-49eb005a14291dad"
    assert (out.parent / annotation["document"]["text"]).resolve() == (
        GOLD / "000_49eb005a14291dad.txt").resolve()


def test_extract_command_prints_json_to_standard_output() -> None:
    result = CliRunner().invoke(extract_command, [
        str(GOLD / "01_dam_repairs.txt"), "--format", "json", "--document-id", "dam",
    ])
    assert result.exit_code == 0
    assert json.loads(result.output)["document"]["id"] == "dam"


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such file"), (b"\xff\xfe\x00bad", "not UTF-8")],
)
def test_extract_command_bad_file_is_a_one_line_error_with_exit_2(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "article.txt"
    if content is not None:
        path.write_bytes(content)
    result = CliRunner().invoke(extract_command, [str(path)])
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_extract_command_bad_id_exits_2() -> None:
    result = CliRunner().invoke(extract_command, [str(GOLD / "01_dam_repairs.txt"),
                                                  "--publisher", "Not A Slug"])
    assert result.exit_code == 2
    assert "not a valid id" in result.output


@pytest.mark.parametrize("command", [extract_command, evaluate_command])
def test_each_command_help_has_an_example(command: Any) -> None:
    result = CliRunner().invoke(command, ["--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
