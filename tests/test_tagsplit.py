"""The start-tag split (transpiler/tagsplit.py) must not change what Jinja renders: each rewrite
is checked by rendering the original and the rewritten template with Jinja2 for many contexts."""

from __future__ import annotations

import itertools

import jinja2
import pytest

from transpiler.tagsplit import split_crossing_ifs

CASES = [
    '<li class="item{% if active %} active" aria-current="page{% endif %}">{{ t }}</li>',
    # Bootstrap-Flask's icon: nested ifs, elif/else, whitespace control on both sides
    '<svg class="bi{% if not color %}{% if classes %} {{ classes }}{% endif %}"\n'
    '{%- elif color in ["a", "b"] %} text-{{ color }}"{% else %}" style="color: {{ color }}"'
    '{% endif -%}\n{%- if size %} width="{{ size }}"{% endif %} fill="x"><use href="#i"/></svg>',
    "<a href='{{ u }}{% if active %}' class='on{% else %}' class='off{% endif %}'>x</a>",
    # a comment holding "%}" inside the tag is one construct, up to its own "#}"
    '<li {# note %} x #}class="item{% if active %} active" aria-current="page{% endif %}">t</li>',
    '<p data-x="1{% if a %}" data-a="{{ a }}{% elif b %}" data-b="{{ b }}{% endif %}" id="p">y</p>',
    '<div class="{{ k }}{% if a %}" hidden data-h="{% endif %}" title="t">z</div>',
]
NOT_SPLIT = [
    '<li class="a{% if x %} b{% endif %}">',  # the if stays inside the value: nothing to do
    '<div class="a{% if x %}"{% endif %} id="b">',  # the branches leave different quote states
    '{% raw %}<li class="a{% if x %} b" c="d{% endif %}">{% endraw %}',
    '<div class="a{% if x.pop() %} b" c="d{% endif %}">',  # a test with an effect
    '<div class="a{% if x %} b" c="{% set y = 1 %}d{% endif %}">',  # a statement in the tag
]
VALUES = [None, "", "a", "b", 0, 1, "x<y\"'&", True]


@pytest.mark.parametrize("source", CASES)
def test_rewrite_renders_the_same(source: str) -> None:
    split = split_crossing_ifs(source)
    assert split is not None and split != source
    env = jinja2.Environment(autoescape=True)
    before, after = env.from_string(source), env.from_string(split)
    names = ["active", "t", "color", "classes", "size", "u", "a", "b", "k"]
    for combo in itertools.islice(itertools.product(VALUES, repeat=4), 0, None, 7):
        ctx = {n: combo[i % 4] for i, n in enumerate(names)}
        assert before.render(ctx) == after.render(ctx), (split, ctx)


@pytest.mark.parametrize("source", NOT_SPLIT)
def test_left_alone(source: str) -> None:
    assert split_crossing_ifs(source) is None
