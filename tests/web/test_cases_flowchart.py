"""The procedure flowchart: drawn from the definition alone, the same every time, every stage
and step on it, the current stage highlighted, the final stages marked, all text escaped."""

import re

import pytest
from django.utils import translation

from zhifa.cases.flowchart import procedure_svg, stage_order
from zhifa.cases.procedures import builtin_codes, parse, procedure_get


@pytest.fixture(autouse=True)
def _chinese():  # type: ignore[no-untyped-def]
    with translation.override("zh-hans"):
        yield


def stage_group(svg: str, code: str) -> str:
    start = svg.index(f'data-stage="{code}"')
    return svg[start:svg.index("</g>", start)]


@pytest.mark.parametrize("code", builtin_codes())
def test_every_stage_and_step_is_drawn(code):
    proc = procedure_get(code)
    current = proc.stages[1].code
    svg = procedure_svg(proc, current=current)
    assert svg == procedure_svg(proc, current=current)  # deterministic
    assert svg.startswith('<svg class="flowchart"') and svg.endswith("</svg>")
    assert svg.count('class="fc-stage') == len(proc.stages)
    for stage in proc.stages:
        group = stage_group(svg, stage.code)
        assert f">{stage.label}</text>" in group
        assert ("fc-terminal" in svg[svg.rindex("<g", 0, svg.index(f'data-stage="{stage.code}"')):
                                     svg.index(f'data-stage="{stage.code}"')]) == stage.terminal
    # one highlighted stage: the current one
    assert re.findall(r'class="fc-stage fc-current[^"]*" data-stage="([a-z_]+)"', svg) == [
        current]
    for action in proc.actions:
        for source in action.sources:
            if source == "*":
                assert f"· {action.label}" in svg  # listed under the chart
            elif action.target in (None, source):
                assert f"· {action.label}" in stage_group(svg, source)  # listed in its box
            else:
                assert f">{action.label}<" in svg  # an arrow with its label


def test_order_runs_the_usual_path_straight_down():
    # the side exit (not registered) is listed after the main path, not between its stages
    proc = parse({
        "code": "demo_order",
        "stages": [{"code": "source"}, {"code": "registered"}, {"code": "report"},
                   {"code": "decided"}, {"code": "refused", "terminal": True},
                   {"code": "closed", "terminal": True}],
        "actions": [
            {"code": "register", "from": "source", "to": "registered"},
            {"code": "decline", "from": "source", "to": "refused"},
            {"code": "report", "from": "registered", "to": "report"},
            {"code": "again", "from": "report", "to": "registered"},
            {"code": "decide", "from": ["registered", "report"], "to": "decided"},
            {"code": "close", "from": "decided", "to": "closed"},
        ],
    })
    assert stage_order(proc) == ["source", "registered", "report", "decided", "closed",
                                 "refused"]
    svg = procedure_svg(proc)
    assert "fc-current" not in svg
    back = re.findall(r"<g class=\"fc-step fc-back\">.*?</g>", svg)
    assert len(back) == 1 and ">again<" in back[0]
    # four arrows between neighbours (register, report, decide from the report, close) and
    # two forward steps in lanes (decline, decide straight from registration)
    steps = re.findall(r'<g class="fc-step">.*?</g>', svg)
    assert len(steps) == 6
    lanes = [g for g in steps if "stroke-dasharray=\"1 3\"" in g]
    assert len(lanes) == 2
    assert any(">decline<" in g for g in lanes) and any(">decide<" in g for g in lanes)


def test_general_procedure_back_steps_are_dashed():
    proc = procedure_get("general")
    order = stage_order(proc)
    assert order[0] == proc.initial and sorted(order) == sorted(s.code for s in proc.stages)
    position = {code: i for i, code in enumerate(order)}
    expected = sum(1 for a in proc.actions for s in a.sources
                   if s != "*" and a.target not in (None, s) and position[a.target] < position[s])
    svg = procedure_svg(proc)
    back = re.findall(r"<g class=\"fc-step fc-back\">.*?</g>", svg)
    assert len(back) == expected >= 3
    assert any("补充调查" in g for g in back)  # investigate further
    assert "任一未结阶段均可：" in svg and "· 中止案件调查（中止）" in svg


def test_text_is_escaped():
    proc = parse({
        "code": "odd", "label": 'A <b>"&" procedure',
        "stages": [{"code": "one", "label": "<script>x</script>"},
                   {"code": "two", "label": "two & done", "terminal": True}],
        "actions": [{"code": "go", "label": "go <now>", "from": "one", "to": "two"},
                    {"code": "note", "label": "note's", "from": "one"}],
    })
    svg = procedure_svg(proc, current="one")
    assert "<script>" not in svg and "&lt;script&gt;x&lt;/script&gt;" in svg
    assert "two &amp; done" in svg and "go &lt;now&gt;" in svg and "note&#x27;s" in svg
    assert "<title id=\"fc-title-odd\">A &lt;b&gt;&quot;&amp;&quot; procedure</title>" in svg
    assert "当前阶段：&lt;script&gt;x&lt;/script&gt;。" in svg
