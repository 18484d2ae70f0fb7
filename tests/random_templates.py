"""Seeded generators of random templates for the randomised differential tests: expressions
(filters, tests, operators, literals, methods over JSON values of every type) and markup
(nested elements with omitted end tags, void elements, entities, attributes, ifs and loops).
Each template is data: the tests convert it, render it with Jinja2 and with React, and compare."""

from __future__ import annotations

import json
import random


class _Seeded:
    """A generator of random template text from one seed; ``VALUES`` are the expressions it
    prints and tests."""

    VALUES: list[str] = []

    def __init__(self, seed: int):
        self.r = random.Random(seed)

    def value(self) -> str:
        return self.r.choice(self.VALUES)


EXPRESSION_CONTEXTS = [
    json.dumps(
        {
            "n": None,
            "t": True,
            "f": False,
            "z": 0,
            "i": 7,
            "neg": -3,
            "fl": 2.5,
            "fz": 0.0,
            "s": "Ab <c> d",
            "es": "",
            "l": [3, 1, 2],
            "el": [],
            "ls": ["b", "A", "a"],
            "d": {"k": 1, "b": None, "s": "x"},
            "ed": {},
            "ld": [{"a": 1, "b": "q"}, {"a": 2, "b": None}],
            "big": 12345678,
            "half": 0.5,
        }
    ),
    json.dumps(
        {
            "n": None,
            "t": True,
            "f": False,
            "z": 0,
            "i": 0,
            "neg": -3,
            "fl": -0.0,
            "fz": 0.0,
            "s": "",
            "es": "",
            "l": [],
            "el": [],
            "ls": [],
            "d": {},
            "ed": {},
            "ld": [],
            "big": 1,
            "half": 0.5,
        }
    ),
]
NAMES = list(json.loads(EXPRESSION_CONTEXTS[0]))
LITERALS = [
    "1",
    "0",
    "-1",
    "2.0",
    "0.1",
    "'x'",
    "''",
    "'<&>'",
    "none",
    "true",
    "false",
    "[]",
    "[1, 'a']",
    "{}",
    "{'a': 1}",
    "(1, 2)",
    "3",
    "1e3",
    "'10'",
]
SPECIAL_ATOMS = [
    "s.upper()",
    "s.split()",
    "s.startswith('A')",
    "d.get('k')",
    "d.get('zz', 5)",
    "d.keys()|list",
    "d.values()|list",
    "d.items()|list",
    "s.replace('A', 'z')",
    "'%s-%d'|format(s, i)",
    "'{}!'.format(i)",
    "s.strip()",
    "s * 2",
    "l + l",
    "{'a': i}",
    "{'a': {'b': s}}",
    "(n or {}).x",
    "(d or {'k': 2}).k",
    "s.title()",
    "s.count('d')",
    "ls|join",
    "i // 2",
    "fl * 2",
    "l.count(1)",
    "'x' in s",
    "1 in l",
    "'k' in d",
    "s[1:4]",
    "s|list",
    "d|list",
    "(l|sort)[0]",
    "s.find('c')",
    "i|string",
    "fl|string",
    "big|filesizeformat",
    "(i, s)",
    "d.k is defined",
    "d.zz is defined",
    "l|first",
    "half|round",
    "2.675|round(2)",
    "-0.5|round",
    "1.5|round",
    "0.1 + 0.2",
    "1e20",
    "1/3",
    "10**20",
    "2**-1",
    "-7 // 2",
    "-7 % 3",
    "7.5 % 2",
    "'a' < 'b'",
    "[1, 2] < [1, 3]",
    "(1, 2) == [1, 2]",
    "1 == 1.0",
    "true == 1",
    "none == none",
    "range(3)",
    "range(i)",
    "range(1, 10, 3)",
    "dict(a=1)",
    "namespace(a=1).a",
]
FILTERS = [
    "length",
    "upper",
    "lower",
    "title",
    "capitalize",
    "first",
    "last",
    "sort",
    "reverse",
    "sum",
    "abs",
    "int",
    "float",
    "string",
    "trim",
    "round",
    "list",
    "unique",
    "min",
    "max",
    "wordcount",
    "e",
    "tojson",
    "count",
    "center",
    "indent",
    "striptags",
    "urlencode",
    "dictsort",
    "items",
    "join",
    "default",
    "d",
    "safe",
]
FILTERS_WITH_ARGS = [
    ("default", "E"),
    ("join", "'-'"),
    ("replace", "'a', 'b'"),
    ("truncate", "5"),
    ("round", "1"),
    ("round", "0, 'floor'"),
    ("int", "9"),
    ("float", "1.5"),
    ("batch", "2"),
    ("slice", "2"),
    ("map", "attribute='a'"),
    ("selectattr", "'a'"),
    ("rejectattr", "'b'"),
    ("select", "'odd'"),
    ("reject", "'none'"),
    ("sort", "attribute='a'"),
    ("sort", "reverse=true"),
    ("groupby", "'a'"),
    ("sum", "attribute='a'"),
    ("center", "9"),
    ("indent", "2, true"),
    ("default", "E, true"),
    ("format", "E"),
    ("wordwrap", "5"),
    ("truncate", "4, true, '..', 0"),
    ("map", "'upper'"),
    ("attr", "'k'"),
    ("min", "attribute='a'"),
    ("xmlattr", ""),
    ("unique", "attribute='a'"),
    ("join", "', ', attribute='b'"),
    ("pprint", ""),
]
TESTS = [
    "defined",
    "undefined",
    "none",
    "even",
    "odd",
    "number",
    "string",
    "sequence",
    "mapping",
    "iterable",
    "true",
    "false",
    "integer",
    "float",
    "lower",
    "upper",
    "callable",
    "divisibleby 3",
    "eq 1",
    "in l",
    "sameas none",
    "boolean",
    "gt 2",
    "le 'b'",
]
OPERATORS = [
    "+",
    "-",
    "*",
    "/",
    "//",
    "%",
    "~",
    "and",
    "or",
    "==",
    "!=",
    "<",
    ">=",
    "in",
    "not in",
    "**",
]


class ExpressionTemplates(_Seeded):
    def atom(self) -> str:
        r = self.r
        k = r.random()
        if k < 0.04:
            return "nope"  # undefined in every context: Jinja's Undefined, as a value or argument
        if k < 0.5:
            return r.choice(NAMES)
        if k < 0.75:
            return r.choice(LITERALS)
        if k < 0.85:
            base = r.choice(["l", "s", "ls", "d", "ld", "es", "el", "n"])
            return base + r.choice(
                ["[0]", "[-1]", "[1:]", "[:2]", "[::-1]", ".k", "['b']", "[0].a", ".s", "|length"]
            )
        return r.choice(SPECIAL_ATOMS)

    def expr(self, depth: int = 0) -> str:
        r = self.r
        k = r.random()
        if depth >= 3 or k < 0.3:
            return self.atom()
        if k < 0.55:
            e = self.group(self.expr(depth + 1))
            if r.random() < 0.5:
                return f"{e}|{r.choice(FILTERS)}"
            name, args = r.choice(FILTERS_WITH_ARGS)
            args = args.replace("E", self.atom())
            return f"{e}|{name}({args})" if args else f"{e}|{name}"
        if k < 0.7:
            a, b = self.group(self.expr(depth + 1)), self.group(self.expr(depth + 1))
            return f"{a} {r.choice(OPERATORS)} {b}"
        if k < 0.8:
            negate = r.choice(["", "not "])
            return f"{self.group(self.expr(depth + 1))} is {negate}{r.choice(TESTS)}"
        if k < 0.88:
            a, b, c = (self.group(self.expr(depth + 1)) for _ in range(3))
            return f"{a} if {b} else {c}"
        if k < 0.94:
            return f"not {self.group(self.expr(depth + 1))}"
        return f"-{self.group(self.expr(depth + 1))}"

    @staticmethod
    def group(e: str) -> str:
        return e if all(c.isalnum() or c in "_.[]'" for c in e) else f"({e})"

    def template(self) -> str:
        r = self.r
        parts = []
        for _ in range(r.randint(1, 3)):
            e = self.expr()
            form = r.random()
            if form < 0.5:
                parts.append(f"<p>{{{{ {e} }}}}</p>")
            elif form < 0.7:
                parts.append(f"<p>{{% if {e} %}}yes{{% else %}}no{{% endif %}}</p>")
            elif form < 0.8:
                parts.append(f'<a title="{{{{ {e} }}}}">x</a>')
            elif form < 0.9:
                parts.append(f"{{% set v = {e} %}}<p>{{{{ v }}}}</p>")
            else:
                parts.append(f"<ul>{{% for v in {e} %}}<li>{{{{ v }}}}</li>{{% endfor %}}</ul>")
        return "<div>" + "".join(parts) + "</div>"


MARKUP_CONTEXTS = [
    json.dumps({"c": True, "x": "<x&y>", "l": [1, 2], "e": ""}),
    json.dumps({"c": False, "x": "", "l": [], "e": " "}),
]
FLOW = ["div", "p", "ul", "ol", "li", "section", "pre", "dl", "dt", "dd", "select", "option",
        "h1", "form", "blockquote", "table", "tr", "td", "tbody"]  # fmt: skip
PHRASING = ["span", "a", "b", "i", "em", "label", "code", "small", "button", "strong"]
OMITTABLE = {"p", "li", "td", "tr", "option", "dt", "dd"}
VOID = ["br", "img src='a.png'", "input value='{{ x }}'", "hr", "wbr",
        "input type=checkbox checked"]  # fmt: skip
TEXTS = ["t", " ", "\n  ", "a &amp; b", "&lt;", "&nbsp;", "x\ny", "&copy;", "{{ x }}",
         "{{ l|length }}", "  {{ x }}  ", "{{ e }}", "&#39;", "\u00a0", "{{ c }}"]  # fmt: skip
ATTRIBUTES = ["", " class='k'", ' id="{{ x }}"', " title='{{ c }}'", " data-x='{{ l }}'",
              " class=\"a {{ 'b' if c }}\"", " hidden", " size='0'", " start='2'"]  # fmt: skip
OTHERS = ["{%- if c %} - {% endif -%}", "{# c #}", "<!-- k -->", "{{ '<b>b</b>'|safe }}",
          "{% set x = x ~ '!' %}"]  # fmt: skip


class MarkupTemplates(_Seeded):
    def nodes(self, depth: int) -> str:
        r = self.r
        out = []
        for _ in range(r.randint(0, 4)):
            k = r.random()
            if k < 0.3:
                out.append(r.choice(TEXTS))
            elif k < 0.55 and depth < 4:
                tag = r.choice(FLOW + PHRASING)
                inner = self.nodes(depth + 1)
                omit = tag in OMITTABLE and r.random() < 0.15
                out.append(f"<{tag}{r.choice(ATTRIBUTES)}>{inner}" + ("" if omit else f"</{tag}>"))
            elif k < 0.65:
                out.append("<" + r.choice(VOID) + ">")
            elif k < 0.8 and depth < 4:
                s = "{% if c %}" + self.nodes(depth + 1)
                if r.random() < 0.5:
                    s += "{% else %}" + self.nodes(depth + 1)
                out.append(s + "{% endif %}")
            elif k < 0.9 and depth < 4:
                out.append("{% for v in l %}" + self.nodes(depth + 1) + "{{ v }}{% endfor %}")
            else:
                out.append(r.choice(OTHERS))
        return "".join(out)

    def template(self) -> str:
        return "<div>" + self.nodes(0) + "</div>"


STATEMENT_CONTEXTS = [
    json.dumps(
        {
            "items": [1, 2, 3],
            "name": "<N&>",
            "flag": True,
            "d": {"a": 1, "b": [1, 2]},
            "none": None,
            "s": "abc",
        }
    ),
    json.dumps({"items": [], "name": "", "flag": False, "d": {}, "none": None, "s": ""}),
]
STATEMENT_VALUES = [
    "items",
    "name",
    "flag",
    "d",
    "none",
    "s",
    "items|length",
    "name|upper",
    "d.a",
    "items[0]",
    "ns.count",
    "x",
    "y",
    "caller_val",
    "1",
    "'lit'",
    "name ~ '!'",
    "items|sum",
    "none is none",
]
STATEMENT_BITS = [
    "{{- ' ws ' -}}",
    "  {%- if flag %} A {% endif -%}  ",
    "{# c #}",
    "{{ x|default('dx') }}",
    "{{ y is defined }}",
    "{% set x, y = (name, items) %}",
    "{% set y | upper %}<b>{{ name }}</b>{% endset %}",
    "{% for v in items if v %}{{ loop.changed(v) }}{{ loop.previtem }}{% endfor %}",
    "{% with x = name, y = x %}{{ x }}{{ y }}{% endwith %}",
    "{% for k, v in d|dictsort %}{{ k }}={{ v }}{% endfor %}",
    "{{ x if x is defined else 'nx' }}",
    "{% set ns.count = ns.count + items|length %}",
]


class StatementTemplates(_Seeded):
    """Macros (defaults, caller, varargs/kwargs), call blocks, with, set and filter blocks,
    namespaces, loops with loop.* and else, over variables set in every kind of scope."""

    VALUES = STATEMENT_VALUES

    def __init__(self, seed: int):
        super().__init__(seed)
        self.macros: list[str] = []

    def body(self, depth: int) -> str:
        r = self.r
        out = []
        for _ in range(r.randint(1, 4)):
            k = r.random()
            deeper = depth < 3
            if k < 0.2:
                out.append(
                    r.choice([" text ", "\n", "<b>t</b>"] + [f"<i>{{{{ {self.value()} }}}}</i>"])
                )
            elif k < 0.3 and deeper:
                body, other = self.body(depth + 1), self.body(depth + 1)
                out.append(f"{{% if {self.value()} %}}{body}{{% else %}}{other}{{% endif %}}")
            elif k < 0.4 and deeper:
                var = r.choice(["v", "x"])
                iterable = r.choice(["items", "s", "d", "d.b", "items|reverse", "range(2)"])
                out.append(
                    f"<ul>{{% for {var} in {iterable} %}}<li>{{{{ {var} }}}} {{{{ loop.index }}}}"
                    f"{{{{ loop.cycle('a', 'b') }}}}{self.body(depth + 1)}</li>"
                    "{% else %}<li>none</li>{% endfor %}</ul>"
                )
            elif k < 0.5:
                out.append(f"{{% set x = {self.value()} %}}")
            elif k < 0.55:
                out.append("{% set y %}<em>{{ name }}</em>{% endset %}{{ y }}")
            elif k < 0.6:
                out.append("{% set ns.count = ns.count + 1 %}")
            elif k < 0.67 and self.macros:
                m = r.choice(self.macros)
                args = r.choice(["", "1", "name", "a=2", "1, 2", "b=name"])
                if r.random() < 0.3:
                    out.append(
                        f"{{% call(caller_val) {m}({args}) %}}[{{{{ caller_val }}}}|"
                        f"{{{{ {self.value()} }}}}]{{% endcall %}}"
                    )
                else:
                    out.append(f"<span>{{{{ {m}({args}) }}}}</span>")
            elif k < 0.72 and deeper:
                out.append(
                    f"{{% with x = {self.value()} %}}{{{{ x }}}}{self.body(depth + 1)}"
                    "{% endwith %}"
                )
            elif k < 0.77 and deeper:
                name = r.choice(["upper", "trim", "striptags", "title", "e", "center(20)"])
                out.append(f"<p>{{% filter {name} %}}{self.body(depth + 1)}{{% endfilter %}}</p>")
            elif k < 0.82:
                out.append(r.choice(STATEMENT_BITS))
            else:
                out.append(f"<div>{self.body(depth + 1) if deeper else 'z'}</div>")
        return "".join(out)

    def macro(self, i: int) -> str:
        r = self.r
        params = r.choice(["", "a", "a=1", "a, b=none", "a='<x>', b=[]"])
        name = f"m{i}"
        body = self.body(2)
        extra = r.choice(
            [
                "",
                "{{ a }}" if "a" in params else "",
                "{{ varargs }}",
                "{{ kwargs }}",
                "{% if caller %}{{ caller(7) }}{% endif %}",
            ]
        )
        self.macros.append(name)
        return f"{{% macro {name}({params}) %}}{body}{extra}{{% endmacro %}}"

    def template(self) -> str:
        out = ["{% set ns = namespace(count=0) %}"]
        for i in range(self.r.randint(0, 2)):
            out.append(self.macro(i))
        out.append("<div>" + self.body(0) + "<p>{{ ns.count }}</p></div>")
        return "".join(out)


PROJECT_CONTEXTS = [
    json.dumps({"items": [1, 2], "name": "<N>", "flag": True, "title": "T"}),
    json.dumps({"items": [], "name": "", "flag": False}),
]
PROJECT_VALUES = ["name", "items|length", "title", "flag", "x", "v", "'k'", "title|default('dt')"]
PROJECT_LIBRARY = (
    "{% macro m(a) %}<em>{{ a }}|{{ caller() if caller }}</em>{% endmacro %}"
    "{% macro m2(a) %}<u>{{ a }}{{ name }}</u>{% endmacro %}"
)
PROJECT_IMPORTS = '{% import "lib.html" as lib %}{% from "lib.html" import m2 with context %}'


class ProjectTemplates(_Seeded):
    """A layout with (scoped, nested) blocks, a page extending it with overrides (super()), a
    partial included with and without context, and a macro library imported both ways."""

    VALUES = PROJECT_VALUES

    def bits(self, depth: int, blocks: list[str] | None) -> str:
        r = self.r
        out = []
        for _ in range(r.randint(1, 3)):
            k = r.random()
            deeper = depth < 3
            if k < 0.25:
                out.append(r.choice(["<b>t</b>", " txt ", f"<i>{{{{ {self.value()} }}}}</i>"]))
            elif k < 0.4 and blocks is not None and deeper:
                name = f"b{len(blocks)}"
                blocks.append(name)
                scoped = " scoped" if r.random() < 0.3 else ""
                inner = self.bits(depth + 1, blocks)
                out.append(f"{{% block {name}{scoped} %}}<span>{inner}</span>{{% endblock %}}")
            elif k < 0.5 and deeper:
                out.append(f"{{% if {self.value()} %}}{self.bits(depth + 1, blocks)}{{% endif %}}")
            elif k < 0.6 and deeper:
                out.append(
                    f"<ul>{{% for v in items %}}<li>{self.bits(depth + 1, blocks)}"
                    "{{ loop.index }}</li>{% endfor %}</ul>"
                )
            elif k < 0.7 and blocks is not None:
                out.append(
                    r.choice(
                        [
                            '{% include "part.html" %}',
                            '{% include "part.html" without context %}',
                            '{% include "missing.html" ignore missing %}',
                        ]
                    )
                )
            elif k < 0.8:
                out.append(
                    r.choice(
                        [
                            "{{ lib.m(name) }}",
                            "{{ m2(1) }}",
                            "{% call lib.m(title) %}[{{ name }}]{% endcall %}",
                        ]
                    )
                )
            elif k < 0.9:
                out.append(f"{{% set x = {self.value()} %}}")
            else:
                out.append(f"<p>{{{{ {self.value()} }}}}</p>")
        return "".join(out)

    def project(self) -> dict[str, str]:
        r = self.r
        blocks: list[str] = []
        part = "<aside>{{ name }}{{ x|default('nx') }}" + self.bits(2, None) + "</aside>"
        top = r.choice(["", "{% set x = 'base' %}"])
        base = PROJECT_IMPORTS + top + "<main>" + self.bits(0, blocks) + "</main>"
        overrides = []
        for b in blocks:
            if r.random() < 0.6:
                parent = r.choice(["", "{{ super() }}"])
                overrides.append(
                    f"{{% block {b} %}}<s>{parent}{self.bits(2, None)}</s>{{% endblock %}}"
                )
        main = (
            PROJECT_IMPORTS
            + '{% extends "base.html" %}'
            + r.choice(["", "{% set x = 'child' %}"])
            + "".join(overrides)
        )
        return {
            "lib.html": PROJECT_LIBRARY,
            "part.html": part,
            "base.html": base,
            "main.html": main,
        }


SOUP_CONTEXTS = [
    json.dumps(
        {
            "x": "<x&>",
            "y": True,
            "l": [1, 2],
            "d": {"a": 1, "b": [2]},
            "t": "span",
            "a": "k",
            "e": "click",
        }
    ),
    json.dumps({"x": "", "y": False, "l": [], "d": {}, "t": "b", "a": "", "e": ""}),
    # quotes and white space that end attribute values where the template writes them
    json.dumps(
        {"x": "a \"b\" 'c'", "y": True, "l": [1], "d": {"a": 1}, "t": "i", "a": "", "e": "x"}
    ),
]
SOUP_EXTENSIONS = ("jinja2.ext.do", "jinja2.ext.loopcontrols")
SOUP_HTML = [
    "<div>", "</div>", "<p>", "</p>", "<ul>", "<li>", "</li>", "</ul>", "<table>", "<tr>", "<td>",
    "</td>", "</table>", "<a href='{{ x }}'>", "</a>", "<input {{ a }}>", "<img src=x>", "<br/>",
    "<select>", "<option>", "</select>", "<textarea>", "</textarea>", "<script>", "</script>",
    "<style>", "</style>", "<!--", "-->", "<title>", "</title>", "<pre>", "</pre>", "text", " ",
    "\n", "&amp;", "&", "<", ">", '"', "'", "=", "{{ x }}", "{{ y|upper }}", "{{ x ~ y }}",
    "{{ loop.index }}", "{{ m(1) }}", "{{ x|safe }}", "<div class='{{ x }}'>",
    "<div {% if x %}hidden{% endif %}>", "<{{ t }}>", "<div on{{ e }}='1'>", "{{ ns.a }}",
    "{% set x = 1 %}", "{% set ns.a = 2 %}", "{{ range(3)|list }}", "{{ l|map('upper')|join }}",
    "{{ x if y }}", "{{ x[1:] }}", "{% break %}", "{% continue %}", "{% do l.append(1) %}",
    "{{ _('hi') }}", "{# c #}", "<p {{ x }}>", "<svg>", "</svg>", "<template>", "</template>",
    "{{ caller() }}", "{{ super() }}", "{% include 'p.html' ignore missing %}", "<b>", "</b>",
    "<i>", "</i>", "<form>", "</form>", "<h1>", "</h1>", "<dl>", "<dt>", "<dd>",
    "<option selected>", "<button>", "</button>", "<label for='{{ x }}'>", "</label>",
    "<p title={{ x }}>", "<p title='{{ x|safe }}'>", '<i data-a="{{ x|safe }}" b>',
    "<b c={{ a }}{{ x }} d=1>", "<u e={{ x|safe }}>",
]  # fmt: skip
SOUP_BLOCKS = [
    ("{% if x %}", "{% else %}", "{% endif %}"), ("{% if y %}", "{% elif x %}", "{% endif %}"),
    ("{% for i in l %}", "{% else %}", "{% endfor %}"), ("{% with a = x %}", None, "{% endwith %}"),
    ("{% filter upper %}", None, "{% endfilter %}"), ("{% set y %}", None, "{% endset %}"),
    ("{% macro m(a, b=1) %}", None, "{% endmacro %}"), ("{% call m(1) %}", None, "{% endcall %}"),
    ("{% block b# %}", None, "{% endblock %}"), ("{% block c# scoped %}", None, "{% endblock %}"),
    ("{% autoescape false %}", None, "{% endautoescape %}"), ("{% trans %}", None, "{% endtrans %}"),
    ("{% raw %}", None, "{% endraw %}"),
    ("{% for k, v in d.items() recursive %}", None, "{% endfor %}"),
]  # fmt: skip


class SoupTemplates(_Seeded):
    """Jinja statements nested at random (balanced) around random HTML fragments, most of them
    not well-formed markup: what the converter must survive (a diagnostic, never a crash), and
    what it converts must still render like Jinja2."""

    def __init__(self, seed: int):
        super().__init__(seed)
        self.blocks = 0

    def body(self, depth: int) -> str:
        r = self.r
        out = []
        for _ in range(r.randint(1, 6)):
            if depth < 3 and r.random() < 0.35:
                start, middle, end = r.choice(SOUP_BLOCKS)
                if "#" in start:
                    self.blocks += 1
                    start = start.replace("#", str(self.blocks))
                inner = self.body(depth + 1)
                if middle and r.random() < 0.5:
                    inner += middle + self.body(depth + 1)
                out.append(start + inner + end)
            else:
                out.append(r.choice(SOUP_HTML))
        return "".join(out)

    def template(self) -> str:
        return self.body(0)


CHAIN_CONTEXTS = [
    json.dumps(
        {"x": "<x&>", "h": "<b>H</b>", "y": True, "n": "Tom & Jerry", "lt": "a < b", "l": [1, 2]}
    ),
    json.dumps({"x": "", "h": "", "y": False, "n": "", "lt": "", "l": []}),
]


CHAIN_IMPORT = '{% from "lib.html" import m %}'
CHAIN_STATEMENTS = [
    '{% include "part.html" %}',
    "{{ m(n) }}",
    "{% call m(x) %}[{{ n }}]{% endcall %}",
    "{% set v = n ~ '!' %}{{ v }}",
    "{{ self.b0() }}",
]


class ChainTemplates(_Seeded):
    """Three-level layout chains (base ← mid ← main): base places its blocks (some scoped, some
    in a loop) in element content, beside raw HTML, in <title>, in an attribute value, at its
    top level; mid's overrides place base's other blocks again, in those places too; main
    overrides any; contents mix text, raw HTML, super(), includes, macro calls and call blocks,
    sets and self.b0(); sometimes ``html_blocks`` lists some of base's blocks."""

    def content(self, allow_super: bool = False, depth: int = 0) -> str:
        r = self.r
        parts = []
        for _ in range(r.randint(0, 2)):
            k = r.random()
            if k < 0.2:
                parts.append(r.choice(["txt", " t & u ", "&amp;", "a&lt;b"]))
            elif k < 0.35:
                parts.append(r.choice(["{{ x }}", "{{ n }}", "{{ lt }}"]))
            elif k < 0.5:
                parts.append(r.choice(["{{ h|safe }}", "{{ x|safe }}"]))
            elif k < 0.65:
                parts.append(r.choice(["<b>e</b>", "<i>{{ n }}</i>", "<!-- c -->"]))
            elif k < 0.75 and allow_super:
                parts.append("{{ super() }}")
            elif k < 0.8:
                parts.append(r.choice(CHAIN_STATEMENTS))
            elif k < 0.85 and depth < 2:
                parts.append("{% if y %}" + self.content(allow_super, depth + 1) + "{% endif %}")
            else:
                parts.append(
                    "{% for i in l %}" + self.content(allow_super, depth + 1) + "{% endfor %}"
                )
        return "".join(parts)

    def place(self, name: str, body: str) -> str:
        scoped = " scoped" if self.r.random() < 0.2 else ""
        block = "{% block " + name + scoped + " %}" + body + "{% endblock %}"
        if self.r.random() < 0.15:
            block = "{% for i in l %}" + block + "{% endfor %}"
        return self.r.choice(
            [
                "<div>" + block + "</div>",
                "<div>" + block + "</div>",
                "<div>{{ h|safe }}" + block + "</div>",
                "<title>" + block + "</title>",
                '<p title="' + block + '">p</p>',
                "<section><h1>" + block + "</h1><p>s</p></section>",
                block,
                "<ul><li>" + block + "</li></ul>",
            ]
        )

    def project(self) -> tuple[dict[str, str], dict[str, list[str]]]:
        r = self.r
        names = [f"b{i}" for i in range(r.randint(2, 4))]
        base = "".join(self.place(n, self.content()) for n in names)
        used: set[str] = set()
        mid_overrides = []
        for n in names:
            if r.random() < 0.6 and n not in used:
                used.add(n)
                inner = self.content(True)
                others = [m for m in names if m not in used]
                if others and r.random() < 0.6:
                    placed = r.choice(others)
                    used.add(placed)
                    inner += self.place(placed, self.content(True))
                mid_overrides.append("{% block " + n + " %}" + inner + "{% endblock %}")
        main_overrides = [
            "{% block " + n + " %}" + self.content(True) + "{% endblock %}"
            for n in names
            if r.random() < 0.6
        ]
        html_blocks = {}
        if r.random() < 0.3:
            html_blocks = {"base.html": r.sample(names, r.randint(1, len(names)))}
        files = {
            "base.html": CHAIN_IMPORT + base,
            "mid.html": '{% extends "base.html" %}' + CHAIN_IMPORT + "".join(mid_overrides),
            "main.html": '{% extends "mid.html" %}' + CHAIN_IMPORT + "".join(main_overrides),
            "part.html": "<em>{{ n }}</em>",
            "lib.html": "{% macro m(a) %}<u>{{ a }}{{ caller() if caller }}</u>{% endmacro %}",
        }
        return files, html_blocks
