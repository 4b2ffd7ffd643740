"""How nodes and edges look, as tables: one base style per kind, then modifiers.

The drawing formats (DOT, SVG, HTML) and GEXF take their colours from here, and
the classes of :func:`node_classes` name the same modifiers in SVG, Cytoscape.js
and the HTML view, so a single-source statement looks the same everywhere.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "NODE_STYLES",
    "EDGE_STYLES",
    "GRAPH_ATTRIBUTES",
    "node_classes",
    "edge_classes",
    "node_style",
    "edge_style",
]

FONT = "DejaVu Sans"

GRAPH_ATTRIBUTES: dict[str, str] = {
    "rankdir": "LR",
    "nodesep": "0.18",
    "ranksep": "0.45",
    "fontname": FONT,
    "bgcolor": "white",
    "pad": "0.3",
}

#: kind (or ``kind.modifier``) -> Graphviz attributes, applied in the order of the classes.
NODE_STYLES: dict[str, dict[str, str]] = {
    "statement": {
        "shape": "box",
        "style": "rounded,filled",
        "fillcolor": "#f1f3f5",
        "color": "#868e96",
        "penwidth": "1.2",
        "fontsize": "11",
        "fontname": FONT,
        "margin": "0.12,0.06",
    },
    "statement.single": {"fillcolor": "#ffe8cc", "color": "#e8590c", "penwidth": "2.2"},
    "statement.confirmed": {"fillcolor": "#d3f9d8", "color": "#2f9e44", "penwidth": "1.6"},
    "statement.circular": {"color": "#c92a2a"},
    "report": {
        "shape": "box",
        "style": "filled",
        "fillcolor": "#ffffff",
        "color": "#495057",
        "penwidth": "1",
        "fontsize": "10",
        "fontname": FONT,
        "margin": "0.08,0.03",
        "height": "0.3",
    },
    "report.entry": {"fillcolor": "#f8f9fa", "color": "#adb5bd", "fontcolor": "#495057"},
    "report.origin": {"penwidth": "1.8", "color": "#212529"},
    "report.critical": {"fillcolor": "#fff4e6", "color": "#e8590c", "penwidth": "2.2"},
    "report.circular": {
        "fillcolor": "#ffe3e3",
        "color": "#c92a2a",
        "style": "filled,dashed",
        "penwidth": "2",
    },
    "source": {
        "shape": "ellipse",
        "style": "filled",
        "fillcolor": "#e7f5ff",
        "color": "#1c7ed6",
        "penwidth": "1.2",
        "fontsize": "10",
        "fontname": FONT,
        "margin": "0.06,0.03",
        "height": "0.3",
    },
    "source.anonymous": {"fillcolor": "#f3f0ff", "color": "#7048e8", "style": "filled,dashed"},
}

EDGE_STYLES: dict[str, dict[str, str]] = {
    "asserts": {"color": "#868e96", "arrowsize": "0.6"},
    "cites": {"color": "#343a40", "penwidth": "1.3", "arrowsize": "0.7"},
    "cites.circular": {"color": "#c92a2a", "penwidth": "2.4"},
    "said_by": {"color": "#a5d8ff", "style": "dashed", "arrowsize": "0.5", "constraint": "false"},
    "acts_for": {"color": "#1c7ed6", "style": "dotted", "arrowsize": "0.6", "constraint": "false"},
}


def node_classes(data: dict[str, Any]) -> list[str]:
    """The kind and the modifiers that apply, e.g. ``["statement", "single"]``."""
    kind = data["kind"]
    classes = [kind]
    if kind == "statement":
        classes.append("single" if data["single_source"] else "confirmed")
        if data["circular"]:
            classes.append("circular")
    elif kind == "report":
        for flag in ("entry", "origin", "critical", "circular"):
            if data[flag]:
                classes.append(flag)
        if data["anonymous"]:
            classes.append("anonymous")
    elif data["anonymous"]:
        classes.append("anonymous")
    return classes


def edge_classes(data: dict[str, Any]) -> list[str]:
    """The edge kind and its modifiers, e.g. ``["cites", "circular"]``."""
    return [data["kind"], *(["circular"] if data["circular"] else [])]


def _merge(table: dict[str, dict[str, str]], classes: list[str]) -> dict[str, str]:
    kind, *mods = classes
    style = dict(table.get(kind, {}))
    for mod in mods:
        style.update(table.get(f"{kind}.{mod}", {}))
    return style


def node_style(data: dict[str, Any]) -> dict[str, str]:
    """Graphviz attributes of a node of the export graph."""
    return _merge(NODE_STYLES, node_classes(data))


def edge_style(data: dict[str, Any]) -> dict[str, str]:
    """Graphviz attributes of an edge of the export graph."""
    return _merge(EDGE_STYLES, edge_classes(data))
