"""One renderer for every command: table, JSON, CSV."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.output import FORMATS, cell, render, render_pieces, render_table

ROWS = [
    {"id": "s1", "single_source": True, "chains": [["tass", "mfa-press"]], "n": 1},
    {"id": "s2", "single_source": False, "chains": [["a"], ["b", "c"]], "n": 2},
]


def test_the_formats_are_table_json_and_csv() -> None:
    assert FORMATS == ("table", "json", "csv")


def test_json_is_the_data_as_it_is() -> None:
    data = {"statement": {"id": "s1", "text": "Блинкен"}, "origins": [], "rests_on": None}
    out = render(data, "json", rows=lambda d: [{"x": 1}])
    assert json.loads(out) == data
    assert "Блинкен" in out  # not \u-escaped


def test_csv_has_a_header_and_one_line_per_row_in_the_given_columns() -> None:
    out = render(ROWS, "csv", columns=["id", "single_source", "chains"])
    parsed = list(csv.reader(io.StringIO(out)))
    assert parsed == [
        ["id", "single_source", "chains"],
        ["s1", "yes", "tass > mfa-press"],
        ["s2", "no", "a | b > c"],
    ]


def test_csv_quotes_commas_and_joins_plain_lists_with_semicolons() -> None:
    rows = [{"text": "one, two", "origins": ["a", "b"]}]
    parsed = list(csv.reader(io.StringIO(render(rows, "csv"))))
    assert parsed == [["text", "origins"], ["one, two", "a; b"]]


def test_csv_of_no_rows_with_columns_is_just_the_header() -> None:
    assert render([], "csv", columns=["id", "text"]) == "id,text"


def test_a_table_aligns_columns_under_upper_case_headers() -> None:
    out = render_table(ROWS, ["id", "n"])
    assert out.splitlines() == ["ID  N", "s1  1", "s2  2"]


def test_a_table_of_nothing_says_so() -> None:
    assert render_table([]) == "(nothing)"


def test_a_table_clips_long_text_to_the_terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    rows = [{"id": "s1", "text": "word " * 60}]
    lines = render_table(rows, ["id", "text"]).splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert lines[1].endswith("…")


def test_table_uses_the_human_renderer_when_given() -> None:
    assert render({"a": 1}, "table", human=lambda d: f"a is {d['a']}") == "a is 1"


def test_table_and_csv_use_the_rows_function_for_non_list_data() -> None:
    data = {"chains": [["x", "y"]]}
    rows = lambda d: [{"chain": " > ".join(c)} for c in d["chains"]]  # noqa: E731
    assert render(data, "csv", rows=rows) == "chain\nx > y"
    assert render(data, "table", rows=rows) == "CHAIN\nx > y"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "yes"),
        (False, "no"),
        (3, "3"),
        (["a", "b"], "a, b"),
        ([["a", "b"], ["c"]], "a > b | c"),
        ({"source": "tass", "label": "TASS"}, "tass"),
        ({"id": "s1"}, "s1"),
    ],
)
def test_a_cell_is_one_line_of_text(value: object, text: str) -> None:
    assert cell(value) == text


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=3), children, max_size=3),
    max_leaves=12,
)


@given(st.lists(_JSON, max_size=4))
def test_a_list_is_written_item_by_item_as_json_dumps_writes_it(data: list) -> None:
    assert render(data, "json") == json.dumps(data, indent=2, ensure_ascii=False)


def test_rows_known_by_their_json_text_print_as_the_rows_do() -> None:
    from provenance.output import JSONText, Rendered

    shallow = {"id": "s1", "chains": [["a", "b"]]}
    deep: object = "leaf"
    for _ in range(70):  # deeper than the indented form goes: written compact
        deep = [deep]
    for rows in ([shallow, {"id": "s2"}], [shallow, {"id": "deep", "x": deep}]):
        texts = [JSONText(Rendered(r).text, Rendered(r).depth) for r in rows]
        assert "".join(render_pieces(texts, "json")) == render(rows, "json")
        assert render(rows, "json") == "".join(render_pieces(rows, "json"))


@pytest.mark.parametrize("inner", ["leaf", [], {}])
@pytest.mark.parametrize("levels", [1, 60, 61, 62, 63, 64, 65])
def test_rows_whose_depth_is_unknown_print_as_the_rows_do_around_the_compact_threshold(
    levels: int, inner: object
) -> None:
    """A row computed for printing is known by its text alone (its depth is not counted:
    2 us a row): its indentation tells whether it may nest as deep as JSON is written
    compact from (a list 64 deep), and only then is its depth counted."""
    from provenance.output import JSONText, nesting, row_text

    deep: object = inner
    for _ in range(levels):
        deep = [deep]
    rows = [{"id": "s1", "chains": [["a", "b"]]}, {"id": "deep", "x": deep}]
    texts = [JSONText(row_text(r)) for r in rows]
    assert "".join(render_pieces(texts, "json")) == render(rows, "json")
    assert texts[0].depth is None  # far from the threshold: never counted
    counted = texts[1].depth
    assert counted is None or counted == nesting(rows[1]) >= 63  # exact, and only near
    assert counted is not None or levels <= 62
    assert counted is None or levels >= 62


def _rows(integers: st.SearchStrategy[int]) -> st.SearchStrategy[object]:
    """JSON-like rows (no floats) whose integers come from *integers*."""
    return st.recursive(
        st.none() | st.booleans() | integers | st.text(),
        lambda children: st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=6), children, max_size=4),
        max_leaves=30,
    )


_ROW_VALUES = _rows(st.integers())


@settings(max_examples=500)
@given(_ROW_VALUES)
def test_a_row_without_floats_is_written_as_pythons_encoder_writes_it(row: object) -> None:
    """orjson writes kept answers; Python's encoder is the reference (integers beyond 64
    bits, which orjson refuses, fall back to it)."""
    from provenance.output import item_text, row_text

    assert row_text(row) == item_text(row)


@pytest.mark.parametrize("row", [
    {}, [], "text", None, {"a": []}, {"a": [{}], "b": [[1]]},  # one line, or many
    {"text": "a lone surrogate \ud800 in a literal"},
    {"n": 2**70},
    {"control": "tab\tnewline\nbell\x07 quote\" backslash\\ \u2028"},
    {"deep": [[[[[[[[[[[[[[[[[[[["x"]]]]]]]]]]]]]]]]]]]]},
])
def test_rows_orjson_refuses_or_escapes_read_the_same(row: object) -> None:
    from provenance.output import item_text, row_text

    assert row_text(row) == item_text(row)


_ANSWER_VALUES = _rows(st.integers(-(2**63), 2**63 - 1))  # an answer's integers: counts


@settings(max_examples=500)
@given(_ANSWER_VALUES)
def test_a_kept_rows_text_reads_back_as_pythons_decoder_reads_it(row: object) -> None:
    """Kept answers are read back by orjson (one string per key name: less memory);
    Python's decoder is the reference, for what either encoder wrote. (Their integers
    are counts: orjson reads one beyond 64 bits as a float.)"""
    from provenance.output import item_text, row_text, text_row

    for text in (row_text(row), item_text(row)):
        assert text_row(text) == json.loads(text) == row


@pytest.mark.parametrize("text", [
    '{"text": "a lone surrogate \\ud800 in a literal"}',
    '{"text": "a lone surrogate \ud800 as it is"}',
])
def test_a_row_orjson_refuses_to_read_is_read_by_python(text: str) -> None:
    from provenance.output import text_row

    assert text_row(text) == json.loads(text)


def _depth(value: object) -> int:
    """How deep lists and objects nest, by recursion (the reference)."""
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


@settings(max_examples=300)
@given(_ROW_VALUES)
def test_nesting_counts_the_levels_of_lists_and_objects(value: object) -> None:
    from provenance.output import nesting

    assert nesting(value) == _depth(value)


def test_nesting_of_ten_thousand_levels_does_not_recurse() -> None:
    from provenance.output import nesting

    deep: object = {"leaf": []}
    for _ in range(10_000):
        deep = [deep]
    assert nesting(deep) == 10_002
    assert (nesting("text"), nesting([]), nesting({"a": [[], {}]}), nesting([1, [2]])) == (
        0, 1, 3, 2)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_status_line_shows_steps_and_counts_then_wipes_itself() -> None:
    from provenance.output import StatusLine

    term = _Terminal()
    status = StatusLine(term, delay=0, every=3600)
    status(0, 0, "reading the store's citations")
    status(0, 10, "statements answered")
    status(5, 10, "statements answered")  # within `every` of the last: not shown
    status(10, 10, "statements answered")  # the last count always is
    status(0, 0, "keeping")
    status.clear()
    status.clear()  # twice is harmless
    assert term.getvalue().split("\r") == [
        "",
        "reading the store's citations...",
        "statements answered: 0 of 10 (0%)",
        "statements answered: 10 of 10 (100%)",
        "keeping..." + " " * 26,  # blanks over the longer text before
        " " * len("keeping..."),
        "",
    ]


def test_a_quick_question_shows_no_status_line() -> None:
    import time

    from provenance.output import StatusLine

    term = _Terminal()
    status = StatusLine(term, delay=0.2)
    status(0, 0, "reading the store's citations")
    status(3, 3, "statements answered")
    status.clear()
    time.sleep(0.4)  # the step's timer was cancelled: it never writes
    assert term.getvalue() == ""


def test_a_step_named_early_is_shown_when_the_delay_is_up() -> None:
    import time

    from provenance.output import StatusLine

    term = _Terminal()
    status = StatusLine(term, delay=0.1)
    status(0, 0, "reading the store's citations")
    deadline = time.monotonic() + 10
    while not term.getvalue() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert term.getvalue() == "\rreading the store's citations..."
    status.clear()
    assert term.getvalue().endswith("\r")
