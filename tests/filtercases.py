"""Cases for the filter/test differential suite: hypothesis strategies of ``(value, args, kwargs)``
per Jinja2 builtin filter and test, and the observation of a call in Python's Jinja2 and in the
TypeScript runtime (one batched request to the shared Node worker).

Values are JSON data (no NaN/inf), with ``{"__markup__": html}`` standing for Markup. Dict keys
that JS objects reorder (array indices such as "2") are sent in JS order, so both sides iterate
the same order; that is the only input adjusted for a known representation limit."""

from __future__ import annotations

import json
import re
from collections import abc
from collections.abc import Sequence
from typing import Any

import flask
import jinja2
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy
from markupsafe import Markup, escape

from transpiler.convert import RUNTIME_DIR

Case = tuple[Any, list[Any], dict[str, Any]]  # value, positional args, keyword args
Observation = dict[str, Any]  # {"out", "truthy", "repr", "lazy"} or {"error"}

# ------------------------------------------------------------------------------ scalar values

# Characters whose semantics differ between naive JS and Python: case mapping (ß, ǅ, İ, Σ),
# Python-only whitespace and line breaks (\x1c-\x1f, \x85, \u2028), astral code points (length,
# slicing, sort order), digits that str.isdigit()/int() accept, combining marks. All are in both
# Unicode databases (Python's and Node's), so no version skew is being measured.
ALPHABET = (
    "abcxyzABCXYZ019 _-.,;:!?()[]{}/\\|@#$%^*+=~`'\"<>&\t\n\r\x0b\x0c\x00\x1c\x1d\x1e\x1f\x85"
    "\xa0éÉàßẞǅǆİıΣσςﬁŉ²³½١٣ⅫΩ中文日本😀🎉\u2028\u2029\u200b\u3000\ufeff\u0301\uff01"
)
FRAGMENTS = [
    "&amp;",
    "&lt;",
    "&gt;",
    "&#39;",
    "&#34;",
    "&quot;",
    "&#x41;",
    "&#65;",
    "&nbsp;",
    "&copy;",
    "&bogus;",
    "&amp",
    "<b>",
    "</b>",
    "<br/>",
    "<p class='x'>",
    "<!-- c -->",
    '<a href="/x?a=1&b=2">',
    "</a>",
    "<script>",
    "hello",
    "Hello",
    "WORLD",
    "world",
    "foo-bar",
    "ab",
    "Straße",
    " ",
    "  ",
    "\n",
    "\r\n",
    "\n\n",
    "\t",
    "42",
    "-3.5",
    "1e3",
]
chars = st.text(alphabet=ALPHABET, max_size=4)


def text(
    max_parts: int = 6, fragments: Sequence[str] = FRAGMENTS, words: bool = False
) -> SearchStrategy[str]:
    """Short strings mixing tricky characters and meaningful fragments; ``words``: mostly
    separated by spaces (prose for wrapping, truncating, linking)."""
    parts = st.lists(st.one_of(st.sampled_from(list(fragments)), chars), max_size=max_parts)
    if not words:
        return parts.map("".join)
    separators = st.sampled_from([" ", " ", " ", "", "\n", "  ", ", "])
    return st.tuples(parts, separators).map(lambda t: t[1].join(t[0]))


strings = text()
markups: SearchStrategy[Markup] = st.one_of(
    text(4).map(Markup),
    st.sampled_from(["<b>x</b>", "&amp;", "a &lt; b", "<i>Hi</i> there", ""]).map(Markup),
)

small_ints = st.integers(-20, 300)
big_ints = st.one_of(
    st.sampled_from(
        [2**53 - 1, 2**53, 2**53 + 1, -(2**53) - 1, 2**63, -(2**64), 10**20, 12345678901234567890]
    ),
    st.integers(-(2**80), 2**80),
)
ints = st.one_of(small_ints, small_ints, st.integers(-(10**6), 10**6), big_ints)
FLOATS = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    2.0,
    2.5,
    -2.5,
    0.5,
    1.5,
    0.125,
    2.675,
    1.005,
    1e-05,
    1e16,
    1e22,
    0.1 + 0.2,
    3.14159,
    123.456,
    1234567.0,
    1e300,
    5e-324,
    -7.25,
    999.5,
    1000.0,
    1023.9,
    1024.0,
]
floats = st.one_of(
    st.sampled_from(FLOATS),
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(-1000, 1000).map(lambda x: round(x, 2)),
)
numbers = st.one_of(ints, floats, st.booleans())
scalars = st.one_of(st.none(), st.booleans(), ints, floats, strings, markups)

# Dict keys. Integer-like keys ("0", "10") are allowed: encode() puts them first in ascending order,
# as JS objects hold them, so both sides see the same key order.
KEYS = [
    "a",
    "b",
    "name",
    "Name",
    "age",
    "city",
    "x",
    "B",
    "0",
    "1",
    "10",
    "01",
    "-1",
    "1.5",
    "",
    " ",
    "a b",
    "é",
    "items",
    "keys",
    "values",
    "constructor",
    "toString",
    "hasOwnProperty",
    "length",
    "__proto__",
]
keys = st.one_of(st.sampled_from(KEYS), chars)


def json_values(max_leaves: int = 10) -> SearchStrategy[Any]:
    """Nested JSON data (with Markup leaves)."""
    return st.recursive(
        scalars,
        lambda kids: st.one_of(st.lists(kids, max_size=5), st.dictionaries(keys, kids, max_size=5)),
        max_leaves=max_leaves,
    )


values = json_values()


def rarely(draw: st.DrawFn, one_in: int) -> bool:
    """True about once in ``one_in`` draws (hypothesis favours the ends of a range: avoid them)."""
    return bool(draw(st.integers(0, one_in - 1)) == one_in // 2)


def mostly(
    good: SearchStrategy[Any], bad: SearchStrategy[Any] = values, one_in: int = 10
) -> SearchStrategy[Any]:
    """``good`` values, and about once in ``one_in`` a ``bad`` one (by default anything: wrong
    types compare error behaviour)."""
    return st.integers(0, one_in - 1).flatmap(lambda i: bad if i == one_in // 2 else good)


lists_of_scalars = st.lists(scalars, max_size=8)

# Records for attribute-based filters: dicts with optional, sometimes mistyped fields.
CITIES = ["NY", "ny", "Paris", "paris", "Berlin", "berlin", "Zürich", "zürich", "ÉCOLE", "école"]
CITIES += ["", "😀", "\uff01", "b", "B", "a"]
cities = st.one_of(st.sampled_from(CITIES), st.none())
names = st.one_of(st.sampled_from(["Ann", "bob", "Bob", "<b>Eve</b>", "zoé", "Émile", ""]), markups)
ages = st.one_of(st.integers(0, 99), st.sampled_from([30, 30.0, 41.5, -1, True]), st.none())
record = st.fixed_dictionaries(
    {},
    optional={
        "name": names,
        "age": ages,
        "city": cities,
        "active": st.one_of(st.booleans(), st.none(), st.sampled_from([0, 1, "", "y"])),
        "n": st.one_of(ints, floats),
        "tags": st.lists(st.sampled_from(["a", "B", "c", "<x>"]), max_size=3),
        "address": st.fixed_dictionaries({}, optional={"city": cities, "zip": st.integers(0, 99)}),
        "a": st.fixed_dictionaries({}, optional={"b": st.one_of(small_ints, cities)}),
        "0": small_ints,
    },
)
full_record = st.fixed_dictionaries(
    {"name": names, "age": st.integers(0, 99), "city": st.sampled_from(CITIES[:10])},
    optional={"address": st.fixed_dictionaries({"city": st.sampled_from(CITIES[:10])})},
)
records = st.one_of(
    st.lists(full_record, max_size=7),
    st.lists(record, max_size=7),
    st.lists(st.lists(small_ints, min_size=1, max_size=3), max_size=5),  # integer paths
    st.lists(st.one_of(record, scalars), max_size=5),  # wrong item types
)
ATTRS = [
    "name",
    "age",
    "city",
    "active",
    "n",
    "tags",
    "tags.0",
    "address.city",
    "address.zip",
    "a.b",
    "0",
    "1",
    "missing",
    "a.b.c",
]
attributes = mostly(
    st.sampled_from(["name", "age", "city", "address.city"]),
    st.one_of(st.sampled_from(ATTRS), st.sampled_from([0, 1])),
    one_in=3,
)
multi_attributes = st.one_of(attributes, st.sampled_from(["age,name", "city,name", "name,missing"]))

# ------------------------------------------------------------------------------ call binding

Param = tuple[str, SearchStrategy[Any]]


@st.composite
def bind(
    draw: st.DrawFn, params: Sequence[Param], required: int = 0, positional_only: bool = False
) -> tuple[list[Any], dict[str, Any]]:
    """Arguments for a signature: a positional prefix, then a subset of the rest by keyword
    (the first ``required`` parameters always given); sometimes a binding error."""
    n_pos = len(params) if positional_only else draw(st.integers(0, len(params)))
    args = [draw(s) for _, s in params[:n_pos]]
    kwargs: dict[str, Any] = {}
    for i, (name, s) in enumerate(params[n_pos:], start=n_pos):
        if i < required or draw(st.booleans()):
            kwargs[name] = draw(s)
    if rarely(draw, 25):
        mistake = draw(st.sampled_from(["positional", "keyword", "twice"]))
        if mistake == "positional" and n_pos == len(params):
            args.append(draw(arg_junk))
        elif mistake == "keyword":
            kwargs["bogus"] = draw(arg_junk)
        elif args:
            kwargs[params[0][0]] = draw(params[0][1])
    return args, kwargs


def case(
    value: SearchStrategy[Any], *params: Param, required: int = 0, positional_only: bool = False
) -> SearchStrategy[Case]:
    """``(value, args, kwargs)`` for a builtin whose parameters after the value are ``params``."""
    arguments = bind(params, required, positional_only)
    return st.tuples(value, arguments).map(lambda t: (t[0], t[1][0], t[1][1]))


# Wrong-typed arguments. No huge ints: as sizes (widths, slice counts, indents, precisions)
# they only measure how Python and Node run out of memory or time.
arg_junk = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-50, 50),
        st.floats(-100, 100),
        strings,
        markups,
    ),
    lambda kids: st.one_of(st.lists(kids, max_size=3), st.dictionaries(keys, kids, max_size=3)),
    max_leaves=5,
)


def param(good: SearchStrategy[Any], bad: SearchStrategy[Any] = arg_junk) -> SearchStrategy[Any]:
    """An argument: ``good`` values, and one time in ten a wrong one."""
    return mostly(good, bad)


string_like = mostly(st.one_of(strings, strings, markups), st.one_of(numbers, values))
bools = param(st.booleans(), st.sampled_from([0, 1, "", "yes", None, [], [0]]))

# ------------------------------------------------------------------------------ filter cases

long_words = text(
    12,
    ["lorem", "ipsum", "dolor-sit", "amet,", "consectetur", "a", "supercalifragilistic", " "]
    + [" ", " ", "  ", "\n", "\t", "http://example.com/a/b", "é", "😀", "-", "x" * 12],
    words=True,
)
html_text = text(
    8,
    FRAGMENTS
    + ["<div>", "</div>", "<!--x-->", "<br>", "< b>", "a<b", "a > b", "<img src='a>b'>"]
    + ["&lt;b&gt;", "&#x1F600;", "&#0;", "&nbsp;x", "<p>a</p>\n<p>b</p>", "\u00a0\u00a0"],
)
url_text = text(
    8,
    ["http://example.com", "https://x.org/a?b=1&c=2", "www.example.com", "(www.x.com)", " "]
    + ["mailto:a@b.com", "a@example.com", "ftp://f.org/x", "tel:+123", "http://a.b/c.", " "]
    + ["<http://x.y>", "x.com", "https://münchen.de", "http://192.168.0.1:8080/", "see: ", "\n"]
    + ["https://example.com/a_very_long_path/segment/again", "javascript:alert(1)", "a,"]
    + ["user.name+tag@sub.example.co.uk", "http://[::1]/", "https://x.org/(a)", "(a@b.com)"]
    + ["http://example.com/?q=<b>&x='y'", "www.x.com.", "https://x.org/a?b=1&amp;c=2"],
    words=True,
)
# printf conversions and the arguments that suit them
FORMAT_SPECS: dict[str, SearchStrategy[Any]] = {
    "%s": scalars,
    "%r": scalars,
    "%a": scalars,
    "%-6s|": strings,
    "%6s|": strings,
    "%.2s": st.one_of(strings, markups),
    "%d": numbers,
    "%i": numbers,
    "%+d": numbers,
    "% 5d": numbers,
    "%05.2f": numbers,
    "%.3f": numbers,
    "%f": numbers,
    "%5.1f": numbers,
    "%e": numbers,
    "%g": numbers,
    "%G": numbers,
    "%.0e": numbers,
    "%x": st.one_of(ints, st.booleans()),
    "%X": ints,
    "%o": ints,
    "%#x": ints,
    "%c": st.one_of(st.integers(32, 0x1F600), st.sampled_from(["a", "é", "😀", 0x110000, "ab"])),
}
format_literals = st.sampled_from(["a", " ", "<b>", "&", "n=", "%%"])


@st.composite
def format_cases(draw: st.DrawFn) -> Case:
    if rarely(draw, 5):  # mapping form: format(name=..., n=...)
        fmt = draw(
            st.lists(
                st.sampled_from(["%(name)s", "%(n)d", "%(n).1f", "%(name)r", " and ", "%%"]),
                min_size=1,
                max_size=3,
            ).map("".join)
        )
        kwargs = draw(st.fixed_dictionaries({}, optional={"name": scalars, "n": numbers}))
        args = [draw(scalars)] if rarely(draw, 4) else []  # both → FilterArgumentError
        value: Any = Markup(fmt) if rarely(draw, 3) else fmt
        return value, args, kwargs
    parts: list[str] = []
    args = []
    for _ in range(draw(st.integers(0, 3))):
        if draw(st.booleans()):
            parts.append(draw(format_literals))
        spec = draw(st.sampled_from(sorted(FORMAT_SPECS)))
        parts.append(spec)
        args.append(draw(mostly(FORMAT_SPECS[spec], scalars)))
    if rarely(draw, 10):  # one argument too many or too few
        args = args[:-1] if args and draw(st.booleans()) else [*args, draw(scalars)]
    fmt = "".join(parts)
    value = Markup(fmt) if rarely(draw, 3) else fmt
    return value, args, {}


FILTER_NAMES = ["upper", "lower", "string", "int", "float", "length", "default", "e", "trim"]
FILTER_NAMES += ["title", "capitalize", "round", "abs", "first", "list", "tojson", "safe", "sum"]
map_filter_calls = st.one_of(
    st.sampled_from(FILTER_NAMES).map(lambda n: [n]),
    st.tuples(st.just("replace"), st.sampled_from(["a", "<", ""]), strings).map(list),
    st.tuples(st.just("truncate"), st.integers(3, 8), st.booleans()).map(list),
    st.tuples(st.just("default"), scalars, st.booleans()).map(list),
    st.tuples(st.just("join"), st.sampled_from(["", ", ", "<br>"])).map(list),
    st.tuples(st.just("round"), st.integers(0, 2), st.sampled_from(["floor", "ceil"])).map(list),
    st.tuples(st.just("format"), scalars).map(list),
    st.just(["nosuchfilter"]),
)


@st.composite
def map_cases(draw: st.DrawFn) -> Case:
    form = draw(st.integers(0, 9))
    if form < 5:  # map(attribute=..., default=...)
        kwargs: dict[str, Any] = {"attribute": draw(attributes)}
        if draw(st.booleans()):
            kwargs["default"] = draw(scalars)
        if form == 4 and draw(st.booleans()):
            kwargs["bogus"] = 1
        return draw(mostly(records)), [], kwargs
    if form == 9:  # no filter name
        return draw(mostly(lists_of_scalars)), [], {}
    call = draw(map_filter_calls)
    value = draw(
        mostly(
            st.one_of(
                st.lists(st.one_of(strings, markups), max_size=5),
                st.lists(numbers, max_size=5),
                st.lists(st.lists(st.one_of(small_ints, strings), max_size=3), max_size=4),
                lists_of_scalars,
                strings,
            )
        )
    )
    return value, call, {}


TEST_CALLS: list[SearchStrategy[list[Any]]] = [
    st.sampled_from(["odd", "even", "none", "string", "number", "integer", "float"]).map(
        lambda n: [n]
    ),
    st.sampled_from(["defined", "undefined", "lower", "upper", "true", "false", "boolean"]).map(
        lambda n: [n]
    ),
    st.sampled_from(["mapping", "sequence", "iterable", "escaped", "callable"]).map(lambda n: [n]),
    st.tuples(st.just("divisibleby"), st.sampled_from([2, 3, 0])).map(list),
    st.tuples(
        st.sampled_from(["gt", ">", "lt", "<", "ge", ">=", "le", "<=", "greaterthan"]),
        st.one_of(small_ints, st.sampled_from([2.5, "m", 30])),
    ).map(list),
    st.tuples(
        st.sampled_from(["eq", "==", "equalto", "ne", "!=", "sameas"]),
        st.one_of(small_ints, st.sampled_from(["a", "NY", None, True, 30.0])),
    ).map(list),
    st.tuples(st.just("in"), st.sampled_from([[1, 2, 3], "abc", ["NY", "Paris"], {"a": 1}])).map(
        list
    ),
    st.just(["nosuchtest"]),
]
test_calls = st.one_of(*TEST_CALLS)


@st.composite
def select_cases(draw: st.DrawFn) -> Case:
    value = draw(mostly(st.one_of(lists_of_scalars, st.lists(small_ints, max_size=8), strings)))
    form = draw(st.integers(0, 9))
    if form == 0:
        return value, [], {}  # truthiness
    if form == 1:  # keyword arguments to the test
        return value, ["divisibleby"], {"num": draw(st.sampled_from([2, 3]))}
    return value, draw(test_calls), {}


@st.composite
def selectattr_cases(draw: st.DrawFn) -> Case:
    value = draw(mostly(st.one_of(st.lists(full_record, max_size=6), records)))
    form = draw(st.integers(0, 9))
    if form == 5:
        return value, [], {}  # no attribute: FilterArgumentError when value is non-empty
    if form < 4:
        return value, [draw(attributes)], {}
    return value, [draw(attributes), *draw(test_calls)], {}


sortable_lists = st.one_of(
    st.lists(st.sampled_from(CITIES), max_size=8),
    st.lists(st.one_of(ints, floats, st.booleans()), max_size=8),
    st.lists(strings, max_size=6),
    st.lists(st.lists(small_ints, max_size=3), max_size=5),
    lists_of_scalars,  # mixed types: TypeError
)
uniquable = st.one_of(
    st.lists(st.sampled_from(CITIES + ["A", "a", "ß", "SS", "ss"]), max_size=8),
    st.lists(st.sampled_from([1, 1.0, True, 0, 0.0, False, -0.0, 2, "1", None]), max_size=8),
    lists_of_scalars,
    strings,
    st.lists(st.lists(small_ints, max_size=2), max_size=3),  # unhashable: TypeError
)
seqs = st.one_of(
    lists_of_scalars, strings, markups, st.dictionaries(keys, scalars, max_size=5), values
)
dicts = st.dictionaries(keys, scalars, max_size=6)
sortable_dicts = st.one_of(
    st.dictionaries(keys, st.sampled_from(CITIES), max_size=6),
    st.dictionaries(keys, st.one_of(ints, floats), max_size=6),
    dicts,
)
xml_keys = mostly(
    st.sampled_from(["class", "id", "data-x", "aria-label", "href", "title", "é", "a:b", "x_y"]),
    st.one_of(st.sampled_from(["on click", "a=b", "a/b", "a>b", "a\tb", "A", "data-<"]), chars),
    one_in=6,
)


def attribute_case(plain: SearchStrategy[Any], *params: Param) -> SearchStrategy[Case]:
    """A filter taking ``attribute=`` (one of ``params``): plain sequences without it, records
    with it, and sometimes either with anything."""
    with_attribute = [name for name, _ in params].index("attribute") + 1
    others = [p for p in params if p[0] != "attribute"]
    return st.one_of(
        case(plain, *others),
        case(
            mostly(st.lists(full_record, max_size=6), records, 4), *params, required=with_attribute
        ),
        case(values, *params),
    )


ROUND_VALUES = [2.5, 3.5, -2.5, 0.125, 2.675, 1.005, 0.5, -0.5, 1234.5678, 1e16, 1e22, 0.1 + 0.2]

FILTER_CASES: dict[str, SearchStrategy[Case]] = {
    "abs": case(mostly(numbers)),
    "attr": case(
        st.one_of(dicts, strings, numbers, lists_of_scalars, st.none()),
        (
            "name",
            param(
                st.sampled_from(["a", "name", "missing", "items", "keys", "get", "upper"])
                | st.sampled_from(["real", "imag", "numerator", "denominator", "count", "0"]),
                strings,
            ),
        ),
        required=1,
    ),
    "batch": case(
        mostly(st.one_of(lists_of_scalars, strings, dicts)),
        ("linecount", param(st.integers(-1, 5), st.sampled_from([2.5, "2", None]))),
        ("fill_with", scalars),
        required=1,
    ),
    "capitalize": case(string_like),
    "center": case(string_like, ("width", param(st.integers(-3, 25)))),
    "count": case(seqs),
    "d": case(values, ("default_value", values), ("boolean", bools)),
    "default": case(values, ("default_value", values), ("boolean", bools)),
    "dictsort": case(
        mostly(sortable_dicts),
        ("case_sensitive", bools),
        ("by", st.sampled_from(["key", "key", "value", "value", "bogus"])),
        ("reverse", bools),
    ),
    "e": case(values),
    "escape": case(values),
    "filesizeformat": case(
        mostly(
            st.one_of(
                numbers,
                st.sampled_from([1, 1.0, 999, 1000, 1023, 1024, 10**6, 1536, 10**30, 10**27]),
                st.sampled_from(["1e3", " 2048 ", "1_000", "abc", "inf", "-inf", "nan", "-5"]),
            )
        ),
        ("binary", bools),
    ),
    "first": case(seqs),
    "float": case(
        mostly(
            st.one_of(
                numbers,
                st.sampled_from(["1e3", " 3.5\n", "1_0", "0x1A", "nan", "-inf", "Infinity"]),
                st.sampled_from(["-0", "+.5", "5.", "١٢", "1,5", "", "abc", "1e400", "１２"]),
            )
        ),
        ("default", scalars),
    ),
    "forceescape": case(values),
    "format": format_cases(),
    "groupby": case(
        mostly(records),
        ("attribute", attributes),
        ("default", scalars),
        ("case_sensitive", bools),
        required=1,
    ),
    "indent": case(
        mostly(st.one_of(long_words, html_text, markups)),
        ("width", param(st.one_of(st.integers(0, 6), st.sampled_from(["> ", "\t", "", "<i>"])))),
        ("first", bools),
        ("blank", bools),
    ),
    "int": case(
        mostly(
            st.one_of(
                numbers,
                st.sampled_from(["0x1A", "0X1a", "1A", "0b101", "0o17", "017", "12", " 12\n"]),
                st.sampled_from(["1_000", "42.23", "-0", "+5", "1e3", "z", "", "١٢", "0x"]),
                st.sampled_from(["9007199254740993", "1e400", "-12.9", "inf"]),
            )
        ),
        ("default", scalars),
        ("base", param(st.sampled_from([10, 16, 2, 8, 0, 36, 1, 37]), st.sampled_from(["16"]))),
    ),
    "items": case(mostly(dicts)),
    "join": attribute_case(
        st.one_of(st.lists(st.one_of(strings, markups, numbers), max_size=5), strings),
        ("d", param(st.sampled_from(["", ", ", "<br>", "&", " | "]) | markups)),
        ("attribute", attributes),
    ),
    "last": case(seqs),
    "length": case(seqs),
    "list": case(seqs),
    "lower": case(string_like),
    "map": map_cases(),
    "max": attribute_case(sortable_lists, ("case_sensitive", bools), ("attribute", attributes)),
    "min": attribute_case(sortable_lists, ("case_sensitive", bools), ("attribute", attributes)),
    "pprint": case(
        st.one_of(
            values,
            json_values(40),
            st.lists(st.text(alphabet="abcdefghij<&'\"", max_size=15), max_size=15),
            st.dictionaries(keys, st.lists(small_ints, max_size=12), max_size=6),
        )
    ),
    "reject": select_cases(),
    "rejectattr": selectattr_cases(),
    "replace": case(
        string_like,
        ("old", param(st.one_of(st.sampled_from(["a", "", "<", "&", " ", "ab", "é"]), markups))),
        ("new", param(st.one_of(st.sampled_from(["b", "", "<i>", "&amp;", "X"]), markups))),
        ("count", param(st.one_of(st.none(), st.integers(-1, 3)))),
        required=2,
    ),
    "reverse": case(seqs),
    "round": case(
        mostly(st.one_of(numbers, st.sampled_from(ROUND_VALUES))),
        ("precision", param(st.integers(-3, 6), st.sampled_from([1.0, "1", None]))),
        ("method", param(st.sampled_from(["common", "ceil", "floor", "bogus"]))),
    ),
    "safe": case(values),
    "select": select_cases(),
    "selectattr": selectattr_cases(),
    "slice": case(
        mostly(st.one_of(lists_of_scalars, st.lists(small_ints, max_size=12), strings, dicts)),
        ("slices", param(st.integers(1, 6), st.sampled_from([0, -1, 2.0, "2", None]))),
        ("fill_with", scalars),
        required=1,
    ),
    "sort": attribute_case(
        sortable_lists,
        ("reverse", bools),
        ("case_sensitive", bools),
        ("attribute", multi_attributes),
    ),
    "string": case(values),
    "striptags": case(mostly(st.one_of(html_text, html_text.map(Markup)))),
    "sum": st.one_of(
        case(
            st.one_of(
                st.lists(st.one_of(ints, floats, st.booleans()), max_size=6),
                st.lists(st.lists(small_ints, max_size=2), max_size=3),
            ),
            ("start", param(st.one_of(ints, floats, st.just([]), st.just("")))),
        ),
        case(
            mostly(st.lists(full_record, max_size=6), records, 3),
            (
                "attribute",
                mostly(st.just("age"), st.sampled_from(["n", "a.b", "0", "1", "name"]), 3),
            ),
            ("start", param(st.one_of(ints, floats))),
            required=1,
        ),
    ),
    "title": case(
        mostly(st.one_of(text(6, FRAGMENTS + ["it's", "o'neil", "(x", "[y", "{z", "a-b"]), markups))
    ),
    "tojson": case(
        values,
        ("indent", param(st.one_of(st.none(), st.sampled_from([0, 1, 2, 4, -1, "\t", "--"])))),
    ),
    "trim": case(
        string_like,
        ("chars", param(st.one_of(st.none(), st.sampled_from(["x", " <>", "-_", "", "é😀"])))),
    ),
    "truncate": case(
        mostly(st.one_of(long_words, markups)),
        ("length", param(st.integers(0, 40))),
        ("killwords", bools),
        ("end", param(st.sampled_from(["...", "…", "", "!", " [more]"]) | markups)),
        ("leeway", param(st.one_of(st.none(), st.integers(-1, 6)))),
    ),
    "unique": attribute_case(uniquable, ("case_sensitive", bools), ("attribute", attributes)),
    "upper": case(string_like),
    "urlencode": case(
        st.one_of(
            text(6, FRAGMENTS + ["/", "?", "=", "a b", "ü", "~", "+", "%20", "#"]),
            dicts,
            st.lists(st.tuples(strings, scalars).map(list), max_size=4),
            numbers,
            values,
        )
    ),
    "urlize": case(
        mostly(st.one_of(url_text, url_text.map(Markup))),
        ("trim_url_limit", param(st.one_of(st.none(), st.integers(0, 25)))),
        ("nofollow", bools),
        ("target", param(st.one_of(st.none(), st.sampled_from(["_blank", 'a"b'])))),
        ("rel", param(st.one_of(st.none(), st.sampled_from(["noopener noreferrer", "ugc", ""])))),
        (
            "extra_schemes",
            st.one_of(st.none(), st.sampled_from([["ftp://"], ["tel:", "x-y:"], ["bad scheme"]])),
        ),
    ),
    "wordcount": case(mostly(st.one_of(long_words, html_text))),
    "wordwrap": case(
        mostly(st.one_of(long_words, markups)),
        ("width", param(st.integers(1, 25), st.sampled_from([0, -1, "5"]))),
        ("break_long_words", bools),
        ("wrapstring", param(st.one_of(st.none(), st.sampled_from(["<br>", "\n", "|", ""])))),
        ("break_on_hyphens", bools),
    ),
    "xmlattr": case(
        mostly(st.dictionaries(xml_keys, st.one_of(scalars, st.none()), max_size=5)),
        ("autospace", bools),
    ),
}

# ------------------------------------------------------------------------------ test cases

comparable_pairs = st.one_of(
    st.tuples(numbers, numbers),
    st.tuples(st.one_of(strings, markups), st.one_of(strings, markups)),
    st.tuples(st.lists(small_ints, max_size=3), st.lists(small_ints, max_size=3)),
    st.tuples(st.sampled_from([1, 1.0, True, 0, -0.0, False]), st.sampled_from([1, 1.0, True, 0])),
    st.tuples(values, values),
)
# CPython identity is only defined for singletons: None, the booleans, and the cached small ints.
singletons = st.one_of(st.none(), st.booleans(), st.integers(-5, 256))
sameas_pairs = st.one_of(
    st.tuples(singletons, singletons),
    st.tuples(singletons, values),
    st.tuples(values, singletons),
)


# ``a is <op> b``: the operator module's functions take positional arguments only.
comparisons = comparable_pairs.flatmap(
    lambda p: case(st.just(p[0]), ("b", st.just(p[1])), positional_only=True)
)


@st.composite
def in_cases(draw: st.DrawFn) -> Case:
    seq = draw(mostly(st.one_of(lists_of_scalars, strings, dicts, markups)))
    if draw(st.booleans()) and isinstance(seq, (list, dict, str)) and len(seq) > 0:
        member = draw(st.sampled_from(list(seq)))
        if isinstance(seq, str) and draw(st.booleans()):
            start = draw(st.integers(0, len(seq) - 1))
            member = seq[start : start + draw(st.integers(0, 3))]
    else:
        member = draw(mostly(st.one_of(scalars, st.sampled_from(["", "a", 1, 1.0, True]))))
    return draw(case(st.just(member), ("seq", st.just(seq)), required=1))


def unary(value: SearchStrategy[Any] = values) -> SearchStrategy[Case]:
    """A test without arguments (only the occasional binding mistake)."""
    return case(value)


any_value = st.one_of(values, scalars, strings, markups, numbers)
names_of = st.one_of(
    st.sampled_from(sorted(jinja2.filters.FILTERS) + sorted(jinja2.tests.TESTS)),
    st.sampled_from(["nope", "Upper", "", "constructor", "toString", "__proto__", "map "]),
    values,
)

TEST_CASES: dict[str, SearchStrategy[Case]] = {
    "boolean": unary(any_value),
    "callable": unary(any_value),
    "defined": unary(any_value),
    "undefined": unary(any_value),
    "divisibleby": case(
        mostly(st.one_of(ints, floats, st.booleans())),
        (
            "num",
            param(
                st.one_of(st.integers(1, 12), st.integers(-4, -1)),
                st.sampled_from([0, 2.5, 0.5, 2**70, "3", None]),
            ),
        ),
        required=1,
    ),
    "escaped": unary(any_value),
    "even": unary(mostly(numbers, st.one_of(strings, values))),
    "odd": unary(mostly(numbers, st.one_of(strings, values))),
    "false": unary(any_value),
    "true": unary(any_value),
    "none": unary(any_value),
    "float": unary(any_value),
    "integer": unary(any_value),
    "number": unary(any_value),
    "iterable": unary(any_value),
    "mapping": unary(any_value),
    "sequence": unary(any_value),
    "string": unary(any_value),
    "lower": unary(mostly(string_like)),
    "upper": unary(mostly(string_like)),
    "filter": unary(names_of),
    "test": unary(names_of),
    "in": in_cases(),
    "sameas": sameas_pairs.flatmap(lambda p: case(st.just(p[0]), ("other", st.just(p[1])))),
}
TEST_CASES.update(
    dict.fromkeys(
        ["eq", "equalto", "==", "ne", "!=", "lt", "lessthan", "<", "le", "<="]
        + ["gt", "greaterthan", ">", "ge", ">="],
        comparisons,
    )
)

# ------------------------------------------------------------------------------ observation

_INDEX_KEY = re.compile(r"0|[1-9][0-9]*")


def _js_key_order(key: str) -> tuple[int, int]:
    """JS objects keep array-index keys first, ascending; other keys in insertion order."""
    if _INDEX_KEY.fullmatch(key) and int(key) < 2**32 - 1:
        return (0, int(key))
    return (1, 0)


def encode(value: Any) -> Any:
    """The JSON form of a value: Markup as {"__markup__": ...}, dict keys in JS order."""
    if isinstance(value, Markup):
        return {"__markup__": str(value)}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        ordered = sorted(value.items(), key=lambda kv: _js_key_order(kv[0]))  # stable
        return {k: encode(v) for k, v in ordered}
    return value


def revive(value: Any) -> Any:
    """The Python value of decoded JSON: {"__markup__": ...} becomes Markup."""
    if isinstance(value, list):
        return [revive(v) for v in value]
    if isinstance(value, dict):
        if list(value) == ["__markup__"]:
            return Markup(value["__markup__"])
        return {k: revive(v) for k, v in value.items()}
    return value


_env = flask.Flask("jinja2tsx_filters").create_jinja_environment()
_context = _env.from_string("").new_context()
_context.eval_ctx.autoescape = True
_ADDRESS = re.compile(r" at 0x[0-9a-f]+")


def _normal(text: str) -> str:
    """Object addresses (in reprs of bound methods) are not reproducible: marked, to be refused."""
    return _ADDRESS.sub(" at 0x…", text)


def observe_python(kind: str, call_json: str) -> Observation:
    """Call the builtin in Python's Jinja2 (Flask's environment, autoescape on)."""
    name, value, args, kwargs = revive(json.loads(call_json))
    try:
        if kind == "filter":
            result = _env.call_filter(
                name, value, args, kwargs, context=_context, eval_ctx=_context.eval_ctx
            )
        else:
            result = _env.call_test(name, value, args, kwargs, context=_context)
        lazy = isinstance(result, abc.Iterator)  # generators, reversed(), ...
        if lazy:
            result = list(result)
        return {
            "out": _normal(str(escape(result))),
            "truthy": bool(result),
            "repr": _normal(repr(result)),
            "lazy": lazy,
        }
    except Exception as exc:  # errors are observations to compare
        return {"error": f"{type(exc).__name__}: {exc}"}


def observe_runtime(kind: str, calls_json: Sequence[str]) -> list[Observation]:
    """The same calls in the TypeScript runtime, as one request to the shared Node worker."""
    from transpiler.nodeworker import shared_worker

    fn = "callFilter" if kind == "filter" else "callTest"
    rows = shared_worker().observe(str(RUNTIME_DIR), [{"fn": fn, "args": a} for a in calls_json])
    for row in rows:
        for field in ("out", "repr"):
            if field in row:
                row[field] = _normal(row[field])
    return rows


def call_json(name: str, c: Case) -> str:
    """``[name, value, args, kwargs]`` as the JSON both sides decode."""
    value, args, kwargs = c
    return json.dumps([name, encode(value), encode(args), encode(kwargs)], ensure_ascii=False)


def mismatches(kind: str, name: str, cases: Sequence[Case]) -> list[str]:
    """Every case where the runtime's observation differs from Jinja2's, described."""
    texts = [call_json(name, c) for c in cases]
    problems = []
    for text, js in zip(texts, observe_runtime(kind, texts)):
        py = observe_python(kind, text)
        if "error" in py:
            same = "error" in js
        elif " at 0x…" in py["out"] + py["repr"]:
            # Jinja2 prints a memory address: the runtime must refuse to print it
            same = "jinja2tsx:" in js.get("error", "")
        else:
            same = js == py
        if not same:
            _, value, args, kwargs = json.loads(text)
            problems.append(
                f"{kind} {name!r}: value={json.dumps(value, ensure_ascii=False)} "
                f"args={json.dumps(args, ensure_ascii=False)} "
                f"kwargs={json.dumps(kwargs, ensure_ascii=False)}\n"
                f"  python: {py}\n  runtime: {js}"
            )
    return problems
