"""Readable, hand-editable YAML for an annotation.

PyYAML's own dump sorts or scatters keys and folds long lines; a reviewer wants the
order of the design's example (document, sources, statements; id, text, triple,
evidence, ...), one source per line, chains as ``[a, b]``, and a comment where the
extractor has something to say (a source's other names, an unattributed statement).
Every scalar still goes through PyYAML, so quoting is always right, and
``yaml.safe_load(to_yaml(a)) == a``.
"""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["to_yaml"]

_DOCUMENT_KEYS = ("id", "title", "publisher", "published", "type", "url", "text")
_SOURCE_KEYS = ("label", "type", "kind", "anonymous", "acted_on_behalf_of")
_STATEMENT_KEYS = (
    "id", "text", "triple", "evidence", "evidence_start", "evidence_end", "cue", "quoted",
    "confidence", "according_to",
)


def _scalar(value: Any) -> str:
    """One value in flow style (safe in block context too), on one line."""
    dumped = yaml.safe_dump([value], default_flow_style=True, width=2**31, allow_unicode=True)
    return dumped.strip()[1:-1]


def _flow(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    return _scalar(value)


def _ordered(mapping: dict[str, Any], keys: tuple[str, ...]) -> list[tuple[str, Any]]:
    first = [(k, mapping[k]) for k in keys if k in mapping]
    rest = [(k, v) for k, v in mapping.items() if k not in keys]
    return first + rest


def _block(key: str, value: Any, indent: str) -> list[str]:
    if isinstance(value, dict) and value:
        lines = [f"{indent}{_scalar(key)}:"]
        for k, v in value.items():
            lines.extend(_block(k, v, indent + "  "))
        return lines
    if isinstance(value, list) and value and all(isinstance(v, list) for v in value):
        return [f"{indent}{_scalar(key)}:"] + [f"{indent}  - {_flow(v)}" for v in value]
    return [f"{indent}{_scalar(key)}: {_flow(value)}"]


def to_yaml(
    annotation: dict[str, Any],
    *,
    aliases: dict[str, list[str]] | None = None,
    header: str | None = None,
) -> str:
    """Write *annotation* as YAML in the design's key order, with comments.

    Parameters
    ----------
    annotation:
        An annotation dict (``document``, ``sources``, ``statements``).
    aliases:
        Other wordings of each source, written as a comment beside it.
    header:
        Comment lines for the top of the file.

    Examples
    --------
    >>> print(to_yaml({"document": {"id": "d", "publisher": "p"}}), end="")
    document:
      id: d
      publisher: p
    """
    lines: list[str] = [f"# {line}".rstrip() for line in (header or "").splitlines()]
    aliases = aliases or {}
    for key, value in annotation.items():
        if key == "document" and isinstance(value, dict):
            lines.append("document:")
            for k, v in _ordered(value, _DOCUMENT_KEYS):
                lines.extend(_block(k, v, "  "))
        elif key == "sources" and isinstance(value, dict):
            lines.append("sources:" if value else "sources: {}")
            for sid, entry in value.items():
                body = _flow(dict(_ordered(entry, _SOURCE_KEYS))) if isinstance(
                    entry, dict) else _flow(entry)
                line = f"  {_scalar(sid)}: {body}"
                names = aliases.get(sid)
                if names:
                    line += "  # also: " + "; ".join(names)
                lines.append(line)
        elif key == "statements" and isinstance(value, list):
            lines.append("statements:" if value else "statements: []")
            for statement in value:
                lines.extend(_statement(statement))
        else:
            lines.extend(_block(key, value, ""))
    return "\n".join(lines) + "\n"


def _statement(statement: dict[str, Any]) -> list[str]:
    items = _ordered(statement, _STATEMENT_KEYS)
    out: list[str] = []
    for i, (k, v) in enumerate(items):
        block = _block(k, v, "    ")
        if i == 0:
            block[0] = "  - " + block[0].lstrip()
            if "according_to" not in statement:
                block[0] += "  # unattributed: the publisher's own voice"
        out.extend(block)
    return out
