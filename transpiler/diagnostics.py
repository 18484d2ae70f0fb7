"""Diagnostics: the rule registry (code → what / why / what to do) and the Diagnostic record.

Every template that cannot be converted exactly yields ``path:line:col: CODE message`` with a hint;
conversion stages raise :class:`ConversionError` carrying diagnostics, never a bare traceback.
Codes are grouped by stage: J (Jinja parsing), H (HTML structure), U (unsupported construct),
E (emitter), W (warnings: converted, but a documented gap may apply). T1xx and U2xx are Flask's: the
route table behind url_for() and the Flask context props.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

Severity = Literal["error", "warning"]


@dataclasses.dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    what: str
    why: str
    instead: str


RULES: dict[str, Rule] = {}


def _rule(code: str, name: str, severity: Severity, what: str, why: str, instead: str) -> None:
    RULES[code] = Rule(code, name, severity, what, why, instead)


_rule(
    "J001",
    "jinja-syntax-error",
    "error",
    "The template is not valid Jinja2 syntax for the configured environment: a block never "
    "closed (reported where it opens), an end tag or {% else %} where it cannot stand (reported "
    "with the block still open), a tag no enabled extension defines (reported with the extension "
    "it comes from and how to enable it), a {% break %} outside a loop, a malformed expression.",
    "jinja2's own parser rejects it, so Flask could not render it either.",
    "Fix the syntax where the diagnostic points: its message says what Jinja expected there.",
)
_rule(
    "J002",
    "template-not-decodable",
    "error",
    "The template file is not valid UTF-8.",
    "Flask reads templates as UTF-8.",
    "Re-encode the file as UTF-8.",
)
_rule(
    "H001",
    "html-syntax",
    "error",
    "The HTML around Jinja code could not be parsed.",
    "The converter must know where every tag and attribute starts and ends to build JSX.",
    "Make the markup well-formed around the Jinja code (quote attribute values, close tags).",
)
_rule(
    "H101",
    "tag-crosses-jinja-block",
    "error",
    "An element is opened inside a Jinja block ({% if %}, {% for %}, ...) and closed outside it "
    "(or the other way round).",
    "JSX elements must nest inside the control flow that produces them. An {% if %} whose "
    "branches leave elements open is rewritten when moving what follows into each branch gives "
    "the same output (conditional wrappers, one start tag per branch, wrappers under nested "
    "conditions); a {% for %} body, or an if whose test has effects, cannot be.",
    "Open and close the element inside the same block, e.g. put the branch-specific part in an "
    'attribute: <div class="{% if a %}x{% else %}y{% endif %}">...</div>.',
)
_rule(
    "H102",
    "stray-end-tag",
    "error",
    "An end tag has no matching start tag in this template.",
    "The element tree cannot be built; the matching start tag lives in another template or "
    "branch.",
    "Keep each element's start and end tag in the same template and the same Jinja block.",
)
_rule(
    "H103",
    "unclosed-element",
    "error",
    "An element is never closed and HTML does not allow its end tag to be omitted.",
    "The browser would close it at an arbitrary later point; JSX needs an explicit extent.",
    "Add the end tag. Where a layout's blocks open and close elements for each other (a table "
    "begun in one block and ended in another), list those blocks in "
    "[tool.jinja2tsx.html_blocks]: the layout then renders to an HTML string (W004) and the "
    "overrides' markup is written as text.",
)
_rule(
    "H104",
    "dynamic-tag-or-attribute-name",
    "error",
    "Jinja code produces part of a tag name or an attribute name.",
    "JSX element types and prop names are static.",
    "Use a conditional with literal tag names, or put dynamic attributes in a dict rendered "
    "with |xmlattr.",
)
_rule(
    "H108",
    "raw-html-at-block-root",
    "error",
    "A child template's block override has raw HTML at its top level (a Markup value such as "
    "{{ html|safe }}, a macro call that only has an HTML form, an element React cannot express) "
    "while the layout renders that block as elements.",
    "React can only insert raw HTML through dangerouslySetInnerHTML on a host element; the "
    "override has none of its own, and the layout's element around the block is JSX.",
    "Wrap the override's content in an element, e.g. <div>{{ html|safe }}</div>; or list the "
    'block in [tool.jinja2tsx.html_blocks] ("layout.html" = ["content"]): the layout then '
    "writes the element around it (siblings included) as an HTML string, and every override "
    "may hold raw HTML.",
)
_rule(
    "H109",
    "text-ends-attribute-value",
    "error",
    "An override of a block that the layout writes inside an attribute value has text that ends "
    "that value: a \" (or ' ) matching its quotes, or white space or > where it is unquoted.",
    "Jinja writes the text as it is: the browser ends the attribute there and reads the rest as "
    "other attributes. A React prop cannot end early.",
    "Write &quot; (or &#39;) for the quote; quote the layout's attribute value.",
)
_rule(
    "H106",
    "table-part-outside-table",
    "error",
    "A table part (<tr>, <td>, <th>, <tbody>, <thead>, <tfoot>, <caption>, <colgroup>, <col>) "
    "stands inside an element of this template that is not part of a table.",
    "Outside a table the HTML parser drops these tags (their content stays, unwrapped) and "
    "ignores their end tags, so elements the template closes inside them stay open in the "
    "browser: a component that writes them as elements cannot render the same document.",
    "Put the row or cell inside its <table> (or a <template>), or remove the tags.",
)
_rule(
    "H107",
    "implied-end-inside-jinja",
    "error",
    "A <p> whose end tag the template omits holds, inside a Jinja block or a nested element, a "
    "start tag that ends it in the browser (<div>, <ul>, <hr>, <h1>...).",
    "The browser ends the paragraph at that tag (when the Jinja block writes it); a component "
    "writes </p> at the end of the paragraph's content, and a </p> with no paragraph open makes "
    "a new, empty one: the two documents differ.",
    "Write the end tag before the Jinja block (or the nested element), or close the element "
    "explicitly where you mean it to end.",
)
_rule(
    "H110",
    "form-tags-the-parser-moves",
    "error",
    "A form tag the HTML parser does not nest as written: an <input>, <textarea>, <keygen> or "
    "another <select> inside an open <select>, or a <form> inside an open <form>.",
    "The parser ends the <select> at such a control (an <option> after it whose end tag the "
    "template omits is then not ended by </select>, and what follows goes inside it), and it "
    "ignores a nested <form> start tag (which then does not end a <p> before it). A component "
    "writes the elements as nested, with their end tags, and the browser builds another document.",
    "Close the <select> before the other form control (a <select> holds only <option>, "
    "<optgroup> and <hr>); do not nest forms (use the form attribute of a control instead).",
)
_rule(
    "H111",
    "omitted-end-tag-in-table",
    "error",
    "An element whose end tag the template omits (<p>, <li>, <dd>, <option>...) stands straight "
    "inside a <table>, <tbody>, <thead>, <tfoot> or <tr>, not in a cell.",
    "The HTML parser moves content a table cannot hold before the table (foster parenting); the "
    "tag that ends such an element is then found by other rules than where it is written, and a "
    "component, which writes the end tag, builds another document.",
    "Put the content in a cell (<td>) or outside the table, or write its end tag.",
)
_rule(
    "U001",
    "unsupported-tag",
    "error",
    "A Jinja statement that this version of jinja2tsx does not convert.",
    "Emitting an approximation would silently change the rendered HTML.",
    "See the README's support table; restructure the template or convert this file by hand.",
)
_rule(
    "U002",
    "unsupported-expression",
    "error",
    "A Jinja expression form that this version of jinja2tsx does not convert.",
    "Emitting an approximation would silently change the rendered HTML.",
    "Rewrite the expression with supported operations, or convert this part by hand.",
)
_rule(
    "U003",
    "unknown-filter-or-test",
    "error",
    "A filter or test that is neither a Jinja2 builtin nor declared for the app.",
    "Its behaviour is unknown to the converter.",
    "Declare app-defined filters/tests in [tool.jinja2tsx] or remove the call.",
)
_rule(
    "U004",
    "bad-filter-arguments",
    "error",
    "A builtin filter or test is called with arguments Python would reject.",
    "Jinja2 would raise a TypeError at render time.",
    "Fix the call to match the filter's signature.",
)
_rule(
    "U005",
    "reserved-prop-name",
    "error",
    "The template reads a context variable that React reserves (`key`, `__proto__`), so it can "
    "never reach the component as a prop.",
    "React removes `key` from the props object it passes to a component, and its copy of the "
    "props assigns `__proto__`, which sets the copy's prototype instead of a property.",
    "Rename the variable in the template and the view (e.g. `item_key`), or pass it inside "
    "another object.",
)
_rule(
    "U006",
    "bad-gettext-call",
    "error",
    "A call of _(), gettext(), ngettext(), pgettext() or npgettext() with arguments the "
    "installed translations reject (wrong count, *args, keyword arguments with oldstyle gettext).",
    "Jinja2 would raise a TypeError at render time.",
    "Fix the call. Keyword variables need newstyle gettext (Flask-Babel's, the default): set "
    'i18n = "newstyle" or "oldstyle" in [tool.jinja2tsx] to match the app.',
)
_rule(
    "U007",
    "macro-reads-later-set",
    "error",
    "A macro reads a variable that the template sets with a top-level {% set %} after the "
    "macro's definition.",
    "Jinja2's macro reads the render function's variable when it is called: the value of the "
    "last top-level set before the call, or undefined before the first (even when the context "
    "has the name). The generated macro reads the variable as it is where the macro is defined.",
    "Pass the value to the macro as an argument, or set the variable before the macro (and not "
    "again after it).",
)
_rule(
    "U008",
    "nested-read-before-set",
    "error",
    "A loop, with, filter, set-block or call body reads a variable before the template's "
    "top-level {% set %} of it, and the top level itself does not read it before that set.",
    "Jinja2 declares the variable for the set in the render function and the nested body reads "
    "that declaration, which is still undefined: it prints nothing where the context has a "
    "value. The component would read the context's value.",
    "Read the variable at the top level before the loop ({% set x = x %}), or give the variable "
    "the template sets another name.",
)
_rule(
    "U009",
    "macro-export-name-taken",
    "error",
    "A top-level macro whose export name is taken: a macro named like another macro's HTML form "
    "(m and m_html), or named default or rendersHtml.",
    "Each top-level macro is exported twice, as name (JSX) and name_html (an HTML string), "
    "and the module's default export is its component: two exports cannot share a name.",
    "Rename one of the macros (and its calls).",
)
_rule(
    "U101",
    "not-reproducible",
    "error",
    "A filter or global whose result is random (random, lipsum) cannot render identically.",
    "Two renders of the same context would already differ in Jinja2.",
    "Compute the value in the Flask view and pass it in the context.",
)
_rule(
    "U102",
    "prints-lazy-object",
    "error",
    "The template prints a generator or method object (e.g. {{ items|map('x') }}, {{ d.items }}).",
    "Python prints a memory address such as <generator object ... at 0x7f...>, which cannot be "
    "reproduced.",
    "Add |list (or call the method) before printing.",
)
_rule(
    "T001",
    "missing-template",
    "error",
    "An {% extends %}, {% include %} or {% import %} names a template that does not exist.",
    "The converted module would import a file that is never generated.",
    "Fix the name, or use {% include … ignore missing %} where the template is optional.",
)
_rule(
    "T002",
    "template-cycle",
    "error",
    "Templates import, include or extend each other in a cycle.",
    "Jinja2 would recurse without end; ES modules cannot express it either.",
    "Break the cycle, e.g. move shared macros into a separate library template.",
)
_rule(
    "T003",
    "dynamic-template-name",
    "error",
    "The template name of an {% extends %}, {% include %} or {% import %} is computed at run time.",
    "The converter resolves the template graph at compile time to emit static imports.",
    "Use a literal name, or a conditional with literal names in each branch.",
)
_rule(
    "T004",
    "context-dependent-import",
    "error",
    "An imported macro reads template variables (or the import says `with context`).",
    "Imported macros are module-level functions; they see only their arguments and globals.",
    "Pass the values as macro arguments.",
)
_rule(
    "T005",
    "dependency-not-convertible",
    "error",
    "A template this one imports, includes or extends cannot be converted.",
    "This module would import a module that is not generated.",
    "Fix the diagnostics of that template first.",
)
_rule(
    "T007",
    "unknown-html-block",
    "error",
    "[tool.jinja2tsx.html_blocks] lists a block that the template does not define.",
    "The setting changes how the layout writes the element around that block; a name that "
    "matches no block is a mistake (a typo, or a block moved to another template).",
    "List the block under the template that defines it, or remove the entry.",
)
_rule(
    "T006",
    "layout-variable-in-block",
    "error",
    "A block override reads a variable that a template it extends sets with a top-level "
    "{% set %}, where the block does not receive it.",
    "In Jinja2 that {% set %} writes the shared template context, so the child's block sees the "
    "value it has when the block renders. A layout that extends nothing hands the variables it "
    "has set so far to each block it renders; one set after the block, or by a template that "
    "itself extends another (its top level runs before its parent renders), is not handed on.",
    "Set the variable before the block in the outermost layout, pass the value in the view's "
    "context, or compute it in the child template under another name.",
)
_rule(
    "T101",
    "unknown-endpoint",
    "error",
    "url_for() names an endpoint that is not in the app's route table.",
    "werkzeug raises BuildError for it, so Flask cannot render the template either; the route "
    "table is read from the app (flask-app) or from [tool.jinja2tsx.routes].",
    "Fix the endpoint name (blueprint endpoints are 'blueprint.view'), or add the route.",
)
_rule(
    "T103",
    "external-url-without-server-name",
    "error",
    "url_for(..., _external=True) or _scheme=... builds an absolute URL, but no server name "
    "is configured.",
    "Flask takes the host from the request; the component needs it from the configuration.",
    'Set server-name = "www.example.com" (and url-scheme) in [tool.jinja2tsx].',
)
_rule(
    "T104",
    "endpoint-not-buildable",
    "error",
    "url_for() names an endpoint whose URLs jinja2tsx cannot build exactly (a converter with its "
    "own to_url, a subdomain or host rule, a websocket rule, a default that is not JSON, or "
    "@url_defaults hooks).",
    "The TypeScript URL builder reproduces werkzeug's builtin converters and rule building only.",
    "Compute the URL in the Flask view and pass it in the context.",
)
_rule(
    "U201",
    "flask-value-not-in-props",
    "error",
    "The template uses a Flask object in a way its JSON prop does not carry: a request attribute "
    "outside the documented subset, session/config attributes of the Python object, printing "
    "session, g, config or current_user itself.",
    'The component renders with the JSON the view sends (README "Flask context"); anything '
    "else would silently render differently.",
    "Read the documented fields (request.path, request.args.get(...), session.get(...)), or pass "
    "the value in the context.",
)
_rule(
    "E001",
    "internal-error",
    "error",
    "jinja2tsx failed on this template (a bug in jinja2tsx).",
    "The converter hit an unexpected state; nothing was written for this template.",
    "Please report it with the template; the rest of the folder is unaffected.",
)
_rule(
    "W001",
    "node-unavailable",
    "warning",
    "Node.js is not available, so the TSX was written without prettier formatting.",
    "Formatting runs prettier in one Node process.",
    "Install Node.js (or let jinja2tsx provision it) and convert again.",
)
_rule(
    "W003",
    "macro-not-converted",
    "warning",
    "A macro of the template cannot be converted (its own diagnostic is in the message); the "
    "rest of the template converts, and the module does not export that macro.",
    "A macro library is often used a few macros at a time: one macro the converter cannot "
    "express (an unsupported statement, say) should not fail every template that imports the "
    "library. A template that calls the macro is T005. (A macro whose markup only does not form "
    "elements, such as panel_begin opening <div>s for panel_end to close, is not left out: it "
    "gets its HTML form, written as text.)",
    "Fix the macro as its diagnostic says, or keep its callers on Jinja.",
)
_rule(
    "W004",
    "html-string-component",
    "warning",
    "The template's top level holds raw HTML outside any element (a Markup value, an HTML-only "
    "macro call, an include of such a template, a block that prints one): it converts to a "
    "function returning the HTML as a string (rt.SafeHtml, the module exports rendersHtml), "
    "not to a component. Templates that extend or include it render to strings too; an override "
    "in a template that extends it may then open an element that another block closes (a table "
    "begun in one block and ended in another): its markup is written as the text it is.",
    "React inserts raw HTML only through dangerouslySetInnerHTML on a host element; a wrapper "
    "element of the converter's own would change the page. Such templates are mostly partials "
    "fetched by script (modals) or rendered by Python into other pages (widgets), where a string "
    "of HTML is what is needed.",
    "Use the result's .html where a string of HTML fits (a Next.js route handler's response, "
    "dangerouslySetInnerHTML on an element of the page); or wrap the template's content in an "
    "element of its own to get a component.",
)
_rule(
    "W002",
    "app-function-not-implemented",
    "warning",
    "A template calls an app-defined filter, test or global function whose TypeScript version "
    "in DEST/_jinja2tsx/app.ts is still the generated stub (or missing).",
    "The converted template renders only once the function does what the Python one does; "
    "until then the stub throws when a render reaches it.",
    "Implement the function in DEST/_jinja2tsx/app.ts and remove its `jinja2tsx:stub` comment.",
)


@dataclasses.dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    path: str
    line: int
    column: int
    hint: str = ""

    @property
    def rule(self) -> Rule:
        return RULES[self.code]

    @property
    def severity(self) -> Severity:
        return RULES[self.code].severity

    def concise(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.code} {self.message}"

    def as_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint or RULES[self.code].instead,
        }


class ConversionError(Exception):
    """Raised by a stage when a template cannot be converted exactly."""

    def __init__(self, code: str, message: str, line: int = 1, column: int = 1, hint: str = ""):
        super().__init__(message)
        if code not in RULES:
            raise KeyError(f"unknown diagnostic code {code}")
        self.code = code
        self.message = message
        self.line = line
        self.column = column
        self.hint = hint

    def diagnostic(self, path: str) -> Diagnostic:
        return Diagnostic(self.code, self.message, path, self.line, self.column, self.hint)
