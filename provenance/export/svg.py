"""``svg``: the graph drawn by Graphviz (see :mod:`provenance.export.layout`).

A graph drawn in one piece is ``dot -Tsvg``'s output as it is. A large graph drawn
in chunks becomes one SVG with each chunk's drawing stacked below the previous one.
"""

from __future__ import annotations

import re
from typing import IO

from .layout import render_svgs
from .model import ExportSource

__all__ = ["write"]

_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')


def write(source: ExportSource, out: IO[bytes], fmt: str) -> None:
    """Write the drawing; chunks are nested ``<svg>`` elements stacked vertically."""
    drawn = list(render_svgs(source.graph))
    if len(drawn) == 1:
        out.write(drawn[0][1].encode("utf-8"))
        return
    bodies: list[str] = []
    y = width = 0.0
    for _, svg in drawn:
        m = _SIZE.search(svg)
        w, h = (float(m.group(1)), float(m.group(2))) if m else (0.0, 0.0)
        place = f'<svg x="0" y="{y:.2f}" width="{w}" height="{h}"'
        bodies.append(_SIZE.sub(place, svg[svg.index("<svg") :], 1))
        y += h
        width = max(width, w)
    out.write(
        (
            '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
            f'<svg width="{width:.0f}pt" height="{y:.0f}pt" viewBox="0 0 {width:.0f} {y:.0f}" '
            'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">\n'
            + "\n".join(bodies)
            + "\n</svg>\n"
        ).encode("utf-8")
    )
