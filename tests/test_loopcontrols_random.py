"""Randomised differential test of ``{% break %}``, ``{% continue %}`` and ``{% do %}``: loop
bodies built from nested ifs/elifs/elses, nested and filtered loops, for-else, ``loop.*``
attributes, sets and mutations, rendered by Jinja2 and by React for several contexts.

Deterministic (fixed seeds). Whitespace-only template text is limited to whitespace between
block elements: whitespace at the very edge of an ``{% if %}`` branch or loop body is a separate,
older question of the JSX layout (see ``Siblings`` in ``transpiler/emit.py``)."""

from __future__ import annotations

import json
import random

import pytest

from differential import compare, render_jinja, render_react, typecheck
from transpiler.convert import TemplateResult, convert_source
from transpiler.environment import make_environment

EXTENSIONS = ("jinja2.ext.do", "jinja2.ext.loopcontrols")
CONTROLS = ["{% break %}", "{% continue %}"]
CONDITIONS = [
    "x == 1",
    "x > 2",
    "loop.first",
    "loop.last",
    "loop.index is even",
    "log|length > 3",
    "loop.length > 2",
    "loop.changed(x)",
    "loop.previtem == 1",
    "loop.nextitem is none",
]
INLINE_TEXTS = [" _ ", "\n _", "a", "<b>b</b>", "<p>p</p>", "<li>i</li>", " c ", "<span>s</span>\n"]
INLINE_OUTPUTS = [
    "{{ x }}",
    "{{ loop.index }}/{{ loop.length }}",
    "{{ loop.cycle('o', 'e') }}",
    "<i>{{ loop.revindex }}</i>",
]
BLOCK_TEXTS = ["<p>p</p>\n  ", "\n<div>d</div>", "<li>i</li>", "<p>q</p>\n"]
BLOCK_OUTPUTS = [
    "<p>{{ x }}</p>",
    "<p>{{ loop.index }}/{{ loop.length }}</p>\n",
    "<div>{{ loop.cycle('o', 'e') }}</div>",
    "<p>{{ loop.revindex }}</p>",
]
CONTEXTS = [
    json.dumps(c)
    for c in ({"items": [1, 2, 3, 4]}, {"items": []}, {"items": [2]}, {"items": [3, 1, 1]})
]


class Generator:
    def __init__(self, seed: int, block: bool):
        self.r = random.Random(seed)
        self.texts = BLOCK_TEXTS if block else INLINE_TEXTS
        self.outputs = BLOCK_OUTPUTS if block else INLINE_OUTPUTS
        self.wrap = "<p>{}</p>" if block else "{}"

    def body(self, depth: int, in_loop: bool) -> str:
        r = self.r
        out = []
        for _ in range(r.randint(0, 4)):
            k = r.random()
            if k < 0.3:
                out.append(r.choice(self.texts))
            elif k < 0.42:
                out.append(
                    r.choice(self.outputs) if in_loop else self.wrap.format("{{ log|length }}")
                )
            elif k < 0.5:
                out.append("{% do log.append(x) %}" if in_loop else "{% do log.append(0) %}")
            elif k < 0.75 and in_loop:
                out.append(self.if_block(depth))
            elif k < 0.85 and depth < 2:
                out.append(self.for_block(depth + 1))
            elif in_loop and k < 0.9:
                out.append(r.choice(CONTROLS))
                break
            elif k < 0.95:
                out.append("{% set y = log|length %}" + self.wrap.format("[{{ y }}]"))
        return "".join(out)

    def if_block(self, depth: int) -> str:
        r = self.r
        s = "{% if " + r.choice(CONDITIONS) + " %}" + self.body(depth, True)
        if r.random() < 0.5:
            s += r.choice(CONTROLS)
        if r.random() < 0.3:
            s += "{% elif " + r.choice(CONDITIONS) + " %}" + self.body(depth, True)
            s += r.choice(["", *CONTROLS])
        if r.random() < 0.4:
            s += "{% else %}" + self.body(depth, True) + r.choice(["", *CONTROLS])
        return s + "{% endif %}"

    def for_block(self, depth: int) -> str:
        r = self.r
        iterable = r.choice(["items", "items|reverse", "[1, 2, 3]", "'ab'"])
        test = r.choice(["", "", " if x != 2"])
        s = "{% for x in " + iterable + test + " %}" + self.body(depth, True)
        if r.random() < 0.3:
            s += "{% else %}" + self.body(depth, False)
        return s + "{% endfor %}"

    def template(self) -> str:
        return "<div>{% set log = [] %}" + self.for_block(0) + "<p>{{ log }}</p>\n</div>"


def _cases() -> list[tuple[str, str]]:
    cases = []
    for seed in range(120):
        cases.append((f"inline-{seed}", Generator(seed, block=False).template()))
        cases.append((f"block-{seed}", Generator(10_000 + seed, block=True).template()))
    return cases


@pytest.fixture(scope="module")
def rendered() -> list[tuple[str, str, TemplateResult, list[object]]]:
    env = make_environment(extensions=EXTENSIONS)
    converted = [
        (name, tpl, convert_source(tpl, f"random/{name}.html", env)) for name, tpl in _cases()
    ]
    for name, tpl, result in converted:
        assert result.ok, f"{name}: {tpl}\n" + "; ".join(d.concise() for d in result.diagnostics)
    batch = [({r.output: r.tsx or ""}, r.output, CONTEXTS) for _, _, r in converted]
    return [(n, t, r, react) for (n, t, r), react in zip(converted, render_react(batch))]


def test_random_loop_bodies_render_like_jinja(
    rendered: list[tuple[str, str, TemplateResult, list[object]]],
) -> None:
    assert len(rendered) == 240
    for name, tpl, _, react in rendered:
        for i, ctx in enumerate(CONTEXTS):
            jinja = render_jinja(tpl, f"{name}.html", ctx, None, extensions=EXTENSIONS)
            compare(jinja, react[i], f"{name} context #{i}\n{tpl}")  # type: ignore[arg-type]


def test_random_loop_bodies_typecheck(
    rendered: list[tuple[str, str, TemplateResult, list[object]]],
) -> None:
    ok, output = typecheck({r.output: r.tsx or "" for _, _, r, _ in rendered})
    assert ok, output[:5000]
