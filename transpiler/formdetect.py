"""Which names of a template may hold WTForms forms or fields.

A printed WTForms field or label is Markup in Jinja (``__html__``): ``{{ form.name }}`` writes
``<input ...>`` unescaped. Context values arrive as JSON and are otherwise never Markup, so the
lowering must know which variables may hold form objects (revived from ``form_to_json`` JSON by
the runtime) to print what they yield as "maybe Markup" — decided at run time — instead of text.

A name is taken for a form (or field) when the template uses it the way only WTForms objects are
used — calling something JSON cannot carry:

* ``x.hidden_tag()``, ``x.csrf_token``, ``x.form_errors`` (a form);
* ``x.widget``, ``x.flags``, ``x.short_name``, ``x.render_kw``, ``x.raw_data``, or both
  ``x.label`` and ``x.errors`` on the same object (a field), at any depth (``form.email.flags``);
* an object printed whole that also has a ``.label`` or ``.errors`` (``{{ form.q.label }}
  {{ form.q }}``: JSON objects are not printed whole);
* rendering a field: a call with HTML attributes as keyword arguments or ``**kwargs``
  (``form.email(class_="x", placeholder="...")``), ``x.label(...)``, ``x._value()``, or a call
  of a bound variable itself (``field(**kwargs)`` with ``field`` a macro parameter or loop
  variable); a bare ``form.email()`` is not enough (``task.get_progress()`` looks the same);
* flowing into one: ``{% for field in fields %}`` / ``{% set f = form.x %}`` where the loop
  variable or set name is a field, and macro arguments for parameters that are fields (macros of
  this template and imported ones).

Names are matched without regard to scope. Over-approximation makes more outputs decide
Markup-ness at run time (identical HTML, but raw-HTML rendering may refuse a template that
converted before), so the evidence is kept specific. A form the analysis misses is not silently
misprinted: the runtime refuses to print as text an object with ``__html__`` or HTML that
would read differently as text (``rt.text``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from jinja2 import nodes

from .treeindex import index_of

# attributes only a WTForms form or field has
FORM_ATTRS = frozenset({"hidden_tag", "csrf_token", "form_errors"})
FIELD_ATTRS = frozenset({"widget", "flags", "short_name", "render_kw", "raw_data"})
FIELD_PAIR = frozenset({"label", "errors"})

# methods of the values JSON carries (str, list, dict, numbers): calling them proves nothing
BUILTIN_METHODS = frozenset(
    """capitalize casefold center count encode endswith expandtabs find format format_map index
    isalnum isalpha isascii isdecimal isdigit isidentifier islower isnumeric isprintable isspace
    istitle isupper join ljust lower lstrip maketrans partition removeprefix removesuffix replace
    rfind rindex rjust rpartition rsplit rstrip split splitlines startswith strip swapcase title
    translate upper zfill append clear copy extend insert pop remove reverse sort fromkeys get
    items keys popitem setdefault update values as_integer_ratio bit_length bit_count conjugate
    is_integer hex real imag cycle changed next reset striptags unescape""".split()
)
# keyword arguments that are HTML attributes (after WTForms' clean_key), or Label's text
WIDGET_KWARGS = frozenset(
    """class id name value type placeholder size rows cols style title disabled required
    readonly autofocus autocomplete checked selected multiple min max step maxlength minlength
    pattern for tabindex accept form list spellcheck inputmode hidden lang dir text label""".split()
)
# names that are never context values
SPECIAL = frozenset(
    {"loop", "self", "caller", "super", "varargs", "kwargs", "range", "dict", "namespace"}
    | {"cycler", "joiner", "lipsum", "_", "gettext", "ngettext", "pgettext", "npgettext"}
)

MacroParams = Callable[[nodes.Call], "tuple[tuple[str, ...], frozenset[str]] | None"]


def root_name(e: nodes.Node | None) -> str | None:
    """``form`` for ``form``, ``form.a.b``, ``form['a'].b``, ``form|list``."""
    while True:
        if isinstance(e, nodes.Name):
            return e.name
        if isinstance(e, (nodes.Getattr, nodes.Getitem)):
            e = e.node
        elif isinstance(e, nodes.Filter) and e.node is not None:
            e = e.node
        else:
            return None


def _chain_key(e: nodes.Node) -> str | None:
    if isinstance(e, nodes.Name):
        return e.name
    if isinstance(e, nodes.Getattr):
        inner = _chain_key(e.node)
        return None if inner is None else f"{inner}.{e.attr}"
    if isinstance(e, nodes.Getitem):
        inner = _chain_key(e.node)
        if inner is None:
            return None
        arg = e.arg
        return f"{inner}[{arg.value!r}]" if isinstance(arg, nodes.Const) else f"{inner}[?]"
    return None


def _target_names(t: nodes.Node) -> Iterator[str]:
    if isinstance(t, nodes.Name):
        yield t.name
    elif isinstance(t, (nodes.Tuple, nodes.List)):
        for item in t.items:
            yield from _target_names(item)


def _arg_roots(e: nodes.Node) -> Iterator[str]:
    """Names whose objects an argument may pass on (``[form.a, form.b]`` passes form's)."""
    if isinstance(e, (nodes.List, nodes.Tuple)):
        for item in e.items:
            yield from _arg_roots(item)
        return
    if isinstance(e, nodes.CondExpr):
        yield from _arg_roots(e.expr1)
        if e.expr2 is not None:
            yield from _arg_roots(e.expr2)
        return
    r = root_name(e)
    if r is not None:
        yield r


def form_names(tree: nodes.Template, macro_params: MacroParams | None = None) -> frozenset[str]:
    """The names of ``tree`` that may hold WTForms forms or fields. ``macro_params`` resolves a
    call of an imported macro to (its parameters, those that take fields)."""
    by_type: dict[type, list[Any]] = defaultdict(list)
    by_type.update(index_of(tree).by_type)
    macros: dict[str, nodes.Macro] = {m.name: m for m in by_type[nodes.Macro]}
    not_values = set(SPECIAL) | set(macros)
    for imp in by_type[nodes.Import]:
        not_values.add(imp.target)
    for fimp in by_type[nodes.FromImport]:
        for item in fimp.names:
            not_values.add(item if isinstance(item, str) else item[1])
    bound: set[str] = set()
    for m in by_type[nodes.Macro] + by_type[nodes.CallBlock]:
        bound.update(a.name for a in m.args)
    for a in by_type[nodes.For] + by_type[nodes.Assign] + by_type[nodes.AssignBlock]:
        bound.update(_target_names(a.target))
    for w in by_type[nodes.With]:
        for t in w.targets:
            bound.update(_target_names(t))

    marked: set[str] = set()

    def mark(name: str | None) -> bool:
        if name is None or name in not_values or name in marked:
            return False
        marked.add(name)
        return True

    # direct evidence
    used: dict[str, set[str]] = defaultdict(set)
    for g in by_type[nodes.Getattr]:
        key = _chain_key(g.node)
        if key is not None:
            used[key].add(g.attr)
    printed = {
        k
        for out in by_type[nodes.Output]
        for e in out.nodes
        if not isinstance(e, nodes.TemplateData) and (k := _chain_key(e)) is not None
    }
    for key, attrs in used.items():
        if (
            attrs & (FORM_ATTRS | FIELD_ATTRS)
            or FIELD_PAIR <= attrs
            or (key in printed and attrs & FIELD_PAIR)
        ):
            mark(key.split(".", 1)[0].split("[", 1)[0])
    calls: list[nodes.Call] = by_type[nodes.Call]
    for call in calls:
        func = call.node
        if isinstance(func, nodes.Name):
            if func.name in bound:
                mark(func.name)
        elif isinstance(func, (nodes.Getattr, nodes.Getitem)) and _renders_field(call):
            mark(root_name(func))

    # flow: into loop variables, set names, macro parameters that hold fields
    imported: dict[int, tuple[tuple[str, ...], frozenset[str]] | None] = {}
    for call in calls:
        if macro_params is not None and _maybe_imported(call, macros):
            imported[id(call)] = macro_params(call)
    flows: list[tuple[list[str], list[str]]] = []  # (names that receive, roots that give)
    for f in by_type[nodes.For]:
        flows.append((list(_target_names(f.target)), [r for r in [root_name(f.iter)] if r]))
    for a in by_type[nodes.Assign]:
        flows.append((list(_target_names(a.target)), list(_arg_roots(a.node))))
    for w in by_type[nodes.With]:
        for t, v in zip(w.targets, w.values):
            flows.append((list(_target_names(t)), list(_arg_roots(v))))
    changed = True
    while changed:
        changed = False
        for receivers, givers in flows:
            if any(n in marked for n in receivers):
                changed |= any([mark(r) for r in givers])
        for call in calls:
            sig = _local_params(call, macros, marked) or imported.get(id(call))
            if sig is None:
                continue
            params, fields = sig
            for i, arg in enumerate(call.args):
                if i < len(params) and params[i] in fields:
                    changed |= any([mark(r) for r in _arg_roots(arg)])
            for kw in call.kwargs:
                if kw.key in fields:
                    changed |= any([mark(r) for r in _arg_roots(kw.value)])
    return frozenset(marked)


def _renders_field(call: nodes.Call) -> bool:
    """``x.y(class_="a")``, ``x[k](**kw)``, ``x.label(...)``, ``x._value()``."""
    func = call.node
    if isinstance(func, nodes.Getattr):
        if func.attr in ("label", "_value"):
            return True
        if func.attr in BUILTIN_METHODS:
            return False
    if call.dyn_kwargs is not None:
        return True
    for kw in call.kwargs:
        key = kw.key.rstrip("_")
        if key in WIDGET_KWARGS or key.startswith(("data_", "aria_")):
            return True
    return False


def _local_params(
    call: nodes.Call, macros: dict[str, nodes.Macro], marked: set[str]
) -> tuple[tuple[str, ...], frozenset[str]] | None:
    if isinstance(call.node, nodes.Name) and call.node.name in macros:
        params = tuple(a.name for a in macros[call.node.name].args)
        return params, frozenset(p for p in params if p in marked)
    return None


def _maybe_imported(call: nodes.Call, macros: dict[str, nodes.Macro]) -> bool:
    func = call.node
    if isinstance(func, nodes.Name):
        return func.name not in macros
    return isinstance(func, nodes.Getattr) and isinstance(func.node, nodes.Name)


def imported_macro_params(
    tree: nodes.Template, load: Callable[[str, int], "object | None"]
) -> MacroParams:
    """Resolve calls of macros imported by ``tree`` (``{% from "f.html" import m %}``,
    ``{% import "f.html" as lib %}``) to their parameters and field parameters; ``load(name,
    line)`` returns the lowered template (an ``ir.Template``) or None when it does not load."""
    from_names: dict[str, tuple[str, str]] = {}
    aliases: dict[str, str] = {}
    index = index_of(tree)
    for fimp in index.of(nodes.FromImport):
        if isinstance(fimp.template, nodes.Const) and isinstance(fimp.template.value, str):
            for item in fimp.names:
                src, local = (item, item) if isinstance(item, str) else item
                from_names[local] = (fimp.template.value, src)
    for imp in index.of(nodes.Import):
        if isinstance(imp.template, nodes.Const) and isinstance(imp.template.value, str):
            aliases[imp.target] = imp.template.value

    def resolve(call: nodes.Call) -> tuple[tuple[str, ...], frozenset[str]] | None:
        func = call.node
        if isinstance(func, nodes.Name) and func.name in from_names:
            template, macro = from_names[func.name]
        elif (
            isinstance(func, nodes.Getattr)
            and isinstance(func.node, nodes.Name)
            and func.node.name in aliases
        ):
            template, macro = aliases[func.node.name], func.attr
        else:
            return None
        module = load(template, call.lineno or 1)
        for info in getattr(module, "macros", ()):
            if info.name == macro:
                return tuple(info.params), frozenset(info.markup_params)
        return None

    return resolve
