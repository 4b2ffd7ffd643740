"""``html``: one self-contained page that draws the graph and answers clicks, offline.

The drawing is Graphviz's SVG (:mod:`provenance.export.layout`), inlined; the
interaction (pan, zoom, search, the side panel with a statement's origins, chains
and independent source count) is the project's own small script and stylesheet in
``viewer/``, inlined too, with the data as JSON. A Content-Security-Policy of
``default-src 'none'`` tells the browser that the page may load nothing at all.
"""

from __future__ import annotations

import html
import json
from importlib import resources
from typing import IO, Any

from ..errors import InputError
from .layout import render_svgs
from .model import ExportSource

__all__ = ["MAX_NODES", "write", "page_data"]

#: The largest graph the view draws. Beyond it the page would be hundreds of megabytes
#: of SVG that no browser pans or searches interactively (a store of 100,000
#: statements is half a million nodes); a part of the store is what to look at.
MAX_NODES = 100_000

_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
_NODE_KEYS = (
    "kind",
    "name",
    "label",
    "statement",
    "source",
    "document",
    "cue",
    "evidence",
    "type",
    "single_source",
    "independent_sources",
    "rests_on",
    "circular",
    "origin",
    "critical",
    "entry",
    "anonymous",
)


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("viewer", name).read_text(encoding="utf-8")


def _json(data: Any) -> str:
    # "<" escaped so that no "</script>" or "<!--" in a text can end the script element.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def page_data(source: ExportSource, keys: dict[str, str]) -> dict[str, Any]:
    """What the script needs: nodes by SVG key, statements' origin objects, counts."""
    G = source.graph
    # The script calls a node's id (the `name` attribute) `id`.
    nodes = {
        keys[n]: {("id" if k == "name" else k): d[k] for k in _NODE_KEYS}
        for n, d in G.nodes(data=True)
    }
    details = {keys[s]: obj for s, obj in source.details.items() if s in keys}
    kinds = [d["kind"] for d in G.nodes.values()]
    return {
        "by": source.by,
        "counts": {
            "statements": kinds.count("statement"),
            "single_source": sum(
                1 for d in G.nodes.values() if d["kind"] == "statement" and d["single_source"]
            ),
            "reports": kinds.count("report"),
            "sources": kinds.count("source"),
            "circular": sum(1 for d in G.nodes.values() if d["kind"] == "report" and d["circular"]),
        },
        "nodes": nodes,
        "details": details,
    }


def _svg_body(svg: str) -> str:
    """The ``<svg>`` element of Graphviz's output, without the XML prologue."""
    return svg[svg.index("<svg") :]


def write(source: ExportSource, out: IO[bytes], fmt: str) -> None:
    """Write the page (or refuse a graph of more than :data:`MAX_NODES` nodes)."""
    size = source.node_count()
    if size > MAX_NODES:
        raise InputError(
            f"the HTML view draws at most {MAX_NODES:,} nodes and this export has {size:,} or "
            "more; view a part with --statement ID or --document ID, or export the whole "
            "store as --format svg or graphml"
        )
    drawn = list(render_svgs(source.graph))
    keys = {n: f"n{i}" for i, n in enumerate(source.graph)}
    data = page_data(source, keys)
    title = "Provenance graph"
    if source.statements is not None and len(source.statements) == 1:
        title += f": {data['nodes'][keys[source.statements[0]]]['id']}"
    parts = [
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f"<title>{html.escape(title)}</title>\n<style>\n{_asset('viewer.css')}</style>\n",
        "</head>\n<body>\n",
        _asset("viewer.html").replace("{{title}}", html.escape(title)),
        '<div id="canvas">\n',
    ]
    out.write("".join(parts).encode("utf-8"))
    for i, (_, svg) in enumerate(drawn):
        out.write(f'<div class="chunk" data-chunk="{i}">\n'.encode())
        out.write(_svg_body(svg).encode("utf-8"))
        out.write(b"</div>\n")
    out.write(b"</div>\n</div>\n</main>\n")
    out.write(b'<script type="application/json" id="provenance-data">')
    out.write(_json(data).encode("utf-8"))
    out.write(f"</script>\n<script>\n{_asset('viewer.js')}</script>\n</body>\n</html>\n".encode())
