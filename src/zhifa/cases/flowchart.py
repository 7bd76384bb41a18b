"""A procedure drawn as an SVG flowchart, from its definition (``cases.procedures``).

The stages stand in one column, in the order a depth-first walk from the initial stage
finishes them, reversed (a topological order of the forward steps in which the usual path runs
straight down). A step to the next stage in the column is a short arrow between the two boxes;
every other step leaves its box on the right, runs down (or, dashed, back up) in a lane of its
own, and enters the target box on the right; its label stands at its exit, beyond the lanes.
Steps that keep the stage are listed inside their stage's box; steps allowed from any stage are
listed under the chart.

The output depends only on the definition, the current stage and the active language, so it can
be cached, compared in tests and reused by the public portal. Every text is escaped.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from zhifa.cases.procedures import Procedure

FONT = 13  # px, labels
SMALL = 12  # px, steps listed in a box
PAD = 10  # inside a box
BOX_MIN = 150
HEAD = 28  # a box's title row
LOOP_LINE = 17
PORT_GAP = 18  # between the lane ports on a box's right side
GAP_PLAIN = 26
GAP_LABELLED = 38
LANE_GAP = 14
MARGIN = 14


def text_width(text: str, size: int = FONT) -> float:
    """Estimated width: CJK characters are a full em, the rest a little over half."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else size * 0.6 for c in text)


@dataclass
class Edge:
    index: int
    source: str
    target: str
    label: str
    back: bool = False
    lane: int = 0
    y_exit: float = 0.0
    y_entry: float = 0.0


@dataclass
class Box:
    code: str
    label: str
    terminal: bool
    loops: list[str] = field(default_factory=list)
    ports: list[tuple[Edge, str]] = field(default_factory=list)  # (edge, "exit" | "entry")
    y: float = 0.0
    height: float = 0.0


def stage_order(proc: Procedure) -> list[str]:
    """Reverse finishing order of a depth-first walk from the initial stage, successors taken
    in reverse definition order; stages it cannot reach follow in definition order."""
    successors: dict[str, list[str]] = {s.code: [] for s in proc.stages}
    for action in proc.actions:
        if not action.target:
            continue
        for source in action.sources:
            if source != "*" and action.target != source \
                    and action.target not in successors[source]:
                successors[source].append(action.target)
    finished: list[str] = []
    seen: set[str] = set()

    def walk(stage: str) -> None:
        seen.add(stage)
        for nxt in reversed(successors[stage]):
            if nxt not in seen:
                walk(nxt)
        finished.append(stage)

    walk(proc.initial)
    order = list(reversed(finished))
    return order + [s.code for s in proc.stages if s.code not in seen]


def _layout(proc: Procedure) -> tuple[list[Box], list[Edge], dict[tuple[str, str], list[str]],
                                      list[str]]:
    order = stage_order(proc)
    position = {code: i for i, code in enumerate(order)}
    boxes = {s.code: Box(code=s.code, label=str(s.label), terminal=s.terminal)
             for s in proc.stages}
    stage_labels = {s.code: str(s.label) for s in proc.stages}
    edges: list[Edge] = []
    adjacent: dict[tuple[str, str], list[str]] = {}
    anywhere: list[str] = []
    for action in proc.actions:
        label = str(action.label)
        if "*" in action.sources:
            anywhere.append(label if not action.target
                            else f"{label} → {stage_labels[action.target]}")
        for source in action.sources:
            if source == "*":
                continue
            if not action.target or action.target == source:
                boxes[source].loops.append(label)
                continue
            if position[action.target] == position[source] + 1:
                adjacent.setdefault((source, action.target), []).append(label)
                continue
            edge = Edge(index=len(edges), source=source, target=action.target, label=label,
                        back=position[action.target] < position[source])
            edges.append(edge)
            boxes[source].ports.append((edge, "exit"))
            boxes[action.target].ports.append((edge, "entry"))
    ordered = [boxes[code] for code in order]
    y = float(MARGIN)
    for i, box in enumerate(ordered):
        # ports facing up first, so lines leaving upwards do not cross those going down
        box.ports.sort(key=lambda p: (
            position[p[0].target if p[1] == "exit" else p[0].source], p[0].index, p[1]))
        box.height = max(HEAD + len(box.loops) * LOOP_LINE + (PAD if box.loops else 0),
                         (len(box.ports) + 1) * PORT_GAP)
        box.y = y
        for k, (edge, end) in enumerate(box.ports):
            port_y = box.y + (k + 1) * box.height / (len(box.ports) + 1)
            if end == "exit":
                edge.y_exit = port_y
            else:
                edge.y_entry = port_y
        nxt = order[i + 1] if i + 1 < len(order) else None
        labels = adjacent.get((box.code, nxt or ""), [])
        gap = GAP_LABELLED + (len(labels) - 1) * LOOP_LINE if labels else GAP_PLAIN
        y += box.height + gap
    # lanes: shortest spans innermost; a lane holds spans that do not overlap
    lanes: list[list[tuple[float, float]]] = []
    for edge in sorted(edges, key=lambda e: (abs(e.y_entry - e.y_exit), e.y_exit, e.index)):
        span = (min(edge.y_exit, edge.y_entry) - 4, max(edge.y_exit, edge.y_entry) + 4)
        for lane_no, taken in enumerate(lanes):
            if all(span[1] < lo or span[0] > hi for lo, hi in taken):
                taken.append(span)
                edge.lane = lane_no
                break
        else:
            lanes.append([span])
            edge.lane = len(lanes) - 1
    return ordered, edges, adjacent, anywhere


def procedure_svg(proc: Procedure, *, current: str | None = None) -> SafeString:
    boxes, edges, adjacent, anywhere = _layout(proc)
    box_w = max([BOX_MIN, *(text_width(b.label) + 2 * PAD + 8 for b in boxes),
                 *(text_width("· " + loop, SMALL) + 2 * PAD for b in boxes for loop in b.loops)])
    left = float(MARGIN)
    right = left + box_w
    n_lanes = 1 + max((e.lane for e in edges), default=-1)
    lane_x = [right + 18 + k * LANE_GAP for k in range(n_lanes)]
    label_x = (lane_x[-1] if lane_x else right) + 14
    stage_labels = {b.code: b.label for b in boxes}
    edge_texts = [f"{e.label} → {stage_labels[e.target]}" for e in edges]
    width = label_x + max([0.0, *(text_width(t) for t in edge_texts)]) + MARGIN
    arrow_x = left + 22
    adjacent_widths = [arrow_x + 10 + text_width(label) + MARGIN
                       for v in adjacent.values() for label in v]
    width = max(width, *adjacent_widths, right + MARGIN)
    bottom = boxes[-1].y + boxes[-1].height if boxes else MARGIN
    footer = []
    if anywhere:
        footer = [_("At any open stage:")] + [f"· {a}" for a in anywhere]
        width = max(width, left + max(text_width(t, SMALL) for t in footer) + MARGIN)
    height = bottom + MARGIN + len(footer) * LOOP_LINE + (8 if footer else 0)
    width, height = round(width), round(height)

    ident = "".join(c if c.isalnum() else "-" for c in proc.code)
    marker = f"fc-arrow-{ident}"
    title = str(proc.label)
    current_label = stage_labels.get(current or "", "")
    desc = _("Stages in order: %(stages)s.") % {"stages": "、".join(b.label for b in boxes)}
    if current_label:
        desc += " " + _("Current stage: %(stage)s.") % {"stage": current_label}
    out: list[str] = [
        f'<svg class="flowchart" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="fc-title-{ident} fc-desc-{ident}" '
        f'font-family="system-ui, \'PingFang SC\', \'Noto Sans CJK SC\', sans-serif" '
        f'font-size="{FONT}">',
        f'<title id="fc-title-{ident}">{escape(title)}</title>',
        f'<desc id="fc-desc-{ident}">{escape(desc)}</desc>',
        f'<defs><marker id="{marker}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        f'fill="#556070"/></marker></defs>',
    ]
    halo = 'paint-order="stroke" stroke="#ffffff" stroke-width="3" stroke-linejoin="round"'
    # arrows to the next stage in the column
    for i, box in enumerate(boxes[:-1]):
        labels = adjacent.get((box.code, boxes[i + 1].code))
        if not labels:
            continue
        y0, y1 = box.y + box.height, boxes[i + 1].y
        first = (y0 + y1) / 2 + 4 - (len(labels) - 1) * LOOP_LINE / 2
        texts = "".join(
            f'<text x="{arrow_x + 10:.1f}" y="{first + k * LOOP_LINE:.1f}" fill="#1d2430" '
            f'{halo}>{escape(label)}</text>' for k, label in enumerate(labels))
        out.append(f'<g class="fc-step"><path d="M{arrow_x:.1f},{y0:.1f} V{y1 - 1:.1f}" '
                   f'stroke="#556070" stroke-width="1.5" fill="none" '
                   f'marker-end="url(#{marker})"/>{texts}</g>')
    # steps in lanes, then their labels beyond the lanes
    for edge in edges:
        x = lane_x[edge.lane]
        dash = ' stroke-dasharray="5 3"' if edge.back else ""
        kind = "fc-step fc-back" if edge.back else "fc-step"
        out.append(
            f'<g class="{kind}"><path d="M{right:.1f},{edge.y_exit:.1f} H{x:.1f} '
            f'V{edge.y_entry:.1f} H{right + 1:.1f}" stroke="#556070" stroke-width="1.3" '
            f'fill="none"{dash} marker-end="url(#{marker})"/>'
            f'<path d="M{x:.1f},{edge.y_exit:.1f} H{label_x - 3:.1f}" stroke="#aab3c0" '
            f'stroke-width="1" stroke-dasharray="1 3" fill="none"/>'
            f'<text x="{label_x:.1f}" y="{edge.y_exit + 4:.1f}" fill="#1d2430" {halo}>'
            f'{escape(edge.label)}<tspan fill="#556070"> → '
            f'{escape(stage_labels[edge.target])}</tspan></text></g>')
    # the stages, drawn last so that lines end at their borders
    for box in boxes:
        is_current = box.code == current
        classes = ["fc-stage"]
        if is_current:
            classes.append("fc-current")
        if box.terminal:
            classes.append("fc-terminal")
        if is_current:
            fill, stroke, sw = "#fff4d6", "#b3261e", 3.0
        elif box.terminal:
            fill, stroke, sw = "#eef2f7", "#556070", 1.5
        else:
            fill, stroke, sw = "#ffffff", "#173d73", 1.5
        radius = 14 if box.terminal else 6
        parts = [f'<g class="{" ".join(classes)}" data-stage="{escape(box.code)}">',
                 f'<rect x="{left:.1f}" y="{box.y:.1f}" width="{box_w:.1f}" '
                 f'height="{box.height:.1f}" rx="{radius}" fill="{fill}" stroke="{stroke}" '
                 f'stroke-width="{sw}"/>']
        if box.terminal:
            parts.append(f'<rect x="{left + 3:.1f}" y="{box.y + 3:.1f}" '
                         f'width="{box_w - 6:.1f}" height="{box.height - 6:.1f}" '
                         f'rx="{radius - 3}" fill="none" stroke="{stroke}" stroke-width="1"/>')
        weight = "700" if is_current else "600"
        parts.append(f'<text x="{left + PAD:.1f}" y="{box.y + 19:.1f}" font-weight="{weight}" '
                     f'fill="#1d2430">{escape(box.label)}</text>')
        for k, loop in enumerate(box.loops):
            parts.append(f'<text x="{left + PAD:.1f}" y="{box.y + HEAD + 10 + k * LOOP_LINE:.1f}"'
                         f' font-size="{SMALL}" fill="#556070">· {escape(loop)}</text>')
        parts.append("</g>")
        out.append("".join(parts))
    for k, line in enumerate(footer):
        weight = ' font-weight="600"' if k == 0 else ""
        out.append(f'<text x="{left:.1f}" y="{bottom + MARGIN + 10 + k * LOOP_LINE:.1f}" '
                   f'font-size="{SMALL}" fill="#556070"{weight}>{escape(line)}</text>')
    out.append("</svg>")
    return mark_safe("".join(out))  # every text above is escaped
