"""``provenance extract`` and ``provenance evaluate``: thin click layers over
:func:`provenance.extract.extract_full` and :func:`provenance.evaluate.evaluate_paths`.

The core CLI loads this module only when one of the two commands is used. Bad input
(a missing file, a file that is not UTF-8, an invalid id) is a one-line error with
exit code 2, whether the commands run inside ``provenance`` or on their own.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click

from .errors import InputError

__all__ = ["extract_command", "evaluate_command"]


class _BadInput(click.ClickException):
    """A one-line error for bad input; exit code 2 as the CLI contract says."""

    exit_code = 2


def _read_text(path: Path) -> str:
    if not path.exists():
        raise _BadInput(f"{path}: no such file; give the path of the article's text file")
    if not path.is_file():
        raise _BadInput(f"{path}: not a file; give the path of the article's text file")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise _BadInput(f"{path}: not UTF-8 text; convert it first (iconv -t UTF-8)") from None
    except OSError as exc:
        raise _BadInput(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _default_id(path: Path) -> str:
    from .vocab import slugify

    return slugify(path.stem) or "document"


def _text_reference(article: Path, out: Path | None) -> str:
    """The article's path as the annotation should record it: relative to the output
    file's folder, else as given."""
    if out is None:
        return str(article)
    return os.path.relpath(article.resolve(), out.resolve().parent)


@click.command(name="extract")
@click.argument("article", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--output", "out", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the annotation here instead of standard output.")
@click.option("--publisher", default="publisher", show_default=True, metavar="ID",
              help="Source id of the publisher: the document's own voice.")
@click.option("--document-id", "document_id", metavar="ID",
              help="Id of the document [default: from the file name].")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml",
              show_default=True, help="Output format.")
@click.option("--backend", type=click.Choice(["pattern", "spacy"]), default="pattern",
              show_default=True,
              help="pattern: pure Python, no model. spacy: triples from a dependency parse "
                   "(needs spaCy and an English pipeline).")
def extract_command(
    article: Path,
    out: Path | None,
    publisher: str,
    document_id: str | None,
    fmt: str,
    backend: str,
) -> None:
    """Extract sources, statements and attribution chains from a news article.

    Writes an annotation (the YAML format that `provenance ingest` reads) for a
    person to review: the sources the article names, anonymous ones flagged, and one
    statement per claim with its evidence sentence, offsets, cue, chains (nearest
    relay first) and a confidence. Sentences without attribution are the publisher's
    own voice.

    \b
    Example:
      provenance extract article.txt --publisher example-wire -o article.yaml
      provenance ingest article.yaml
    """
    from .extract import extract_full, to_yaml

    text = _read_text(article)
    try:
        result = extract_full(
            text,
            document_id=document_id or _default_id(article),
            publisher=publisher,
            text_path=_text_reference(article, out),
            backend=backend,  # type: ignore[arg-type]
        )
    except InputError as exc:
        raise _BadInput(str(exc)) from None
    if fmt == "json":
        rendered = json.dumps(result.annotation, indent=2, ensure_ascii=False) + "\n"
    else:
        header = (
            f"Extracted from {article.name} by `provenance extract` ({backend} backend).\n"
            "Review before ingesting: check each source, chain and triple against the text."
        )
        rendered = to_yaml(result.annotation, aliases=result.aliases, header=header)
    if out is None:
        click.echo(rendered, nl=False)
        return
    try:
        out.write_text(rendered, encoding="utf-8")
    except OSError as exc:
        raise _BadInput(f"{out}: cannot be written ({exc.strerror or exc})") from None
    annotation = result.annotation
    click.echo(
        f"wrote {out}: {len(annotation['sources'])} sources, "
        f"{len(annotation['statements'])} statements",
        err=True,
    )


def _rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"level": level, **{k: result[level][k] for k in ("precision", "recall", "f1", "tp",
                                                          "fp", "fn")}}
        for level in ("sources", "chains", "statements")
    ]


def _table(result: dict[str, Any]) -> str:
    from .output import render_table

    rows = [
        {k: (f"{v:.3f}" if isinstance(v, float) else v) for k, v in row.items()}
        for row in _rows(result)
    ]
    docs = result["documents"]
    lines = [render_table(rows), "", f"documents paired: {docs['paired']}"]
    if docs["gold_only"]:
        lines.append("only in gold (all missed): " + ", ".join(docs["gold_only"]))
    if docs["predicted_only"]:
        lines.append("only predicted (all wrong): " + ", ".join(docs["predicted_only"]))
    return "\n".join(lines)


@click.command(name="evaluate")
@click.argument("gold", type=click.Path(path_type=Path))
@click.argument("predicted", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="table for people; json for scripts.")
def evaluate_command(gold: Path, predicted: Path, fmt: str) -> None:
    """Score predicted annotations against gold ones: precision, recall and F1.

    GOLD and PREDICTED are annotation files (YAML, several documents allowed, or
    JSON) or folders of them. Folders are paired by file name, files by document id.
    Sources match by normalised label; chains by their ordered labels, on matched
    statements; statements one to one by overlapping evidence spans.

    \b
    Example:
      provenance extract story.txt --publisher example-wire -o predicted/story.yaml
      provenance evaluate gold/ predicted/
    """
    from .evaluate import evaluate_paths

    for path in (gold, predicted):
        if not path.exists():
            raise _BadInput(f"{path}: no such file or folder")
    try:
        result = evaluate_paths(gold, predicted)
    except InputError as exc:
        raise _BadInput(str(exc)) from None
    if fmt == "json":
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        click.echo(_table(result))
