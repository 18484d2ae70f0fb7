/**
 * jinja2tsx runtime — WTForms / Flask-WTF forms.
 *
 * A Flask view sends a form as `form_to_json(form)` (`transpiler/wtforms_json.py`, which documents the JSON
 * shape); `parseJSON` revives every top-level context value carrying the `__wtform__` marker into a `WTForm`
 * (`wtform(json)` does it by hand). Forms and fields implement the Python protocol of `core.ts`, so templates
 * use them as in Jinja: `{{ form.name }}`, `form.name(class_="x")`, `.label` / `.label("Text", class_="y")`,
 * `.errors`, `.data`, `.flags.required`, `for field in form`, `for option in form.radio`,
 * `form.hidden_tag()`, `form.errors`, `form.data`.
 *
 * Rendering reproduces WTForms 3.3's default widgets exactly (`wtforms/widgets/core.py`): `html_params`
 * (attributes sorted by name, `class_` → `class`, `data_x`/`aria_x` → `data-x`, True → bare attribute,
 * False → omitted), `DefaultMeta.render_field` (template keyword arguments override `render_kw`), `Input` and
 * its subclasses, `TextArea`, `Select` (optgroups), `Option`, `ListWidget`, `TableWidget`, `Button`, `Label`.
 *
 * Security: everything written is escaped except the structure the widgets themselves produce; attribute
 * names are checked, and attributes that come from the JSON (`render_kw`, flags) may not be event handlers or
 * carry script URLs. Only top-level context values are revived, so data nested in other values never renders.
 */

import {
  type Kwargs,
  PyCallable,
  SafeHtml,
  TemplateRuntimeError,
  TemplateTypeError,
  dictSet,
  escape,
  isDict,
  markup,
  registerJSONReviver,
  str,
  truthy,
  tuple,
} from "./core";

export const WTFORM_MARKER = "__wtform__";

type Json = unknown;
type Attrs = Map<string, unknown>;

interface ChoiceJson {
  value: Json;
  label: Json;
  selected: boolean;
  render_kw: Record<string, Json> | null;
}

interface WidgetJson {
  kind: string;
  [key: string]: Json;
}

interface FieldJson {
  name: string;
  short_name: string;
  id: string;
  type: string;
  label: { field_id: Json; text: Json };
  description: Json;
  data: Json;
  raw_data: Json;
  errors: Json;
  flags: Record<string, Json>;
  render_kw: Record<string, Json> | null;
  value: Json;
  widget: WidgetJson;
  choices?: Json;
  checked?: boolean;
  errors_tuple?: boolean;
  subfields?: FieldJson[];
  form?: FormJson;
  unsent?: string[];
}

interface FormJson {
  hidden_tag: boolean;
  form_errors: Json[];
  fields: FieldJson[];
  meta?: { csrf: boolean; csrf_field_name: string };
  unsent?: string[];
}

/**
 * An attribute the Python object has but `form_to_json` does not send (a view's `form.title = ...`,
 * `field.validators`): Jinja would read its value, so the render fails rather than print nothing.
 */
function unsent(list: string[] | undefined, name: string, what: string): void {
  if (Array.isArray(list) && list.includes(name)) {
    throw new TemplateRuntimeError(
      `jinja2tsx: ${what}.${name} is not in the form's JSON (form_to_json sends fields, errors, data and ` +
        "meta.csrf/csrf_field_name): pass the value as a prop of its own",
    );
  }
}

/** `form.meta`: the two settings templates read (Flask-Security's csrf macro). */
export class WTMeta {
  constructor(readonly j: { csrf: boolean; csrf_field_name: string }) {}
  __getattr__(name: string): unknown {
    if (name === "csrf") return this.j.csrf;
    if (name === "csrf_field_name") return this.j.csrf_field_name;
    throw new TemplateRuntimeError(
      `jinja2tsx: form.meta.${name} is not in the form's JSON (form_to_json sends meta.csrf and meta.csrf_field_name)`,
    );
  }
}

function malformed(what: string): never {
  throw new TemplateRuntimeError(`jinja2tsx: malformed WTForms JSON (${what}); send form_to_json(form)`);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return isDict(v);
}

function checkField(j: unknown): FieldJson {
  if (!isObj(j)) return malformed("a field is not an object");
  for (const k of ["name", "short_name", "id", "type"]) if (typeof j[k] !== "string") malformed(`field ${k}`);
  if (!isObj(j.label)) malformed("field label");
  if (!isObj(j.flags)) malformed("field flags");
  if (j.render_kw !== null && !isObj(j.render_kw)) malformed("field render_kw");
  if (!isObj(j.widget) || typeof j.widget.kind !== "string") malformed("field widget");
  if (j.subfields !== undefined && !Array.isArray(j.subfields)) malformed("field subfields");
  return j as unknown as FieldJson;
}

function checkForm(j: unknown): FormJson {
  if (!isObj(j) || !Array.isArray(j.fields) || !Array.isArray(j.form_errors)) malformed("form");
  return j as unknown as FormJson;
}

// ================================================================================================ html_params

/** WTForms `clean_key`: strip trailing `_`; `data_`/`aria_` prefixes turn every `_` into `-`. */
export function cleanKey(key: string): string {
  let k = key.replace(/_+$/, "");
  if (k.startsWith("data_") || k.startsWith("aria_")) k = k.replace(/_/g, "-");
  return k;
}

const RE_ATTR_NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*$/;

function checkName(name: string, fromJson: boolean): void {
  if (!RE_ATTR_NAME.test(name)) {
    throw new TemplateRuntimeError(`jinja2tsx: ${JSON.stringify(name)} is not an attribute name jinja2tsx writes`);
  }
  if (fromJson && /^on/i.test(name)) {
    throw new TemplateRuntimeError(`jinja2tsx: the event handler attribute ${name} may not come from JSON`);
  }
}

/** Python's `sorted()` order of str keys: by code point. */
function cmpCodePoints(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/** WTForms `html_params(**kwargs)`. */
export function htmlParams(kw: Attrs): string {
  const params: string[] = [];
  for (const k0 of [...kw.keys()].sort(cmpCodePoints)) {
    const v = kw.get(k0);
    const k = cleanKey(k0);
    checkName(k, false);
    if (v === true) params.push(k);
    else if (v === false) continue;
    else params.push(`${k}="${escape(v).html.replace(/"/g, "&quot;")}"`);
  }
  return params.join(" ");
}

const URL_ATTRS = new Set(["formaction", "action", "href", "src", "xlink:href", "srcdoc"]);
const RE_SCRIPT_URL = /^\s*(javascript|vbscript|data):/i;

/** Attributes that come from the JSON (`render_kw`, flags): names checked, no event handlers, no script URLs. */
function jsonAttrs(d: Record<string, Json> | null | undefined, clean: boolean): Attrs {
  const out: Attrs = new Map();
  if (d) {
    for (const k of Object.keys(d)) {
      const key = clean ? cleanKey(k) : k;
      const name = cleanKey(k);
      checkName(name, true);
      const v = d[k];
      if (URL_ATTRS.has(name.toLowerCase()) && typeof v === "string" && RE_SCRIPT_URL.test(v)) {
        throw new TemplateRuntimeError(`jinja2tsx: a script URL in ${name} may not come from JSON`);
      }
      out.set(key, v);
    }
  }
  return out;
}

function setdefault(kw: Attrs, k: string, v: unknown): void {
  if (!kw.has(k)) kw.set(k, v);
}

function noPositional(args: unknown[], what: string): void {
  if (args.length) throw new TemplateTypeError(`${what} takes 1 positional argument but ${args.length + 1} were given`);
}

// ================================================================================================ objects

/** `field.label`: WTForms `Label` (prints as `<label for="id">Text</label>`). */
export class WTLabel {
  constructor(
    readonly field_id: unknown,
    readonly text: unknown,
  ) {}

  render(text: unknown, kwargs: Kwargs): SafeHtml {
    const kw: Attrs = new Map(Object.entries(kwargs));
    if (kw.has("for_")) {
      const f = kw.get("for_");
      kw.delete("for_");
      kw.set("for", f);
    } else setdefault(kw, "for", this.field_id);
    let attributes = htmlParams(kw);
    attributes = attributes ? ` ${attributes}` : "";
    const t = escape(truthy(text) ? text : this.text).html;
    return markup(`<label${attributes}>${t}</label>`);
  }
  __html__(): string {
    return this.render(null, {}).html;
  }
  __str__(): SafeHtml {
    return this.render(null, {});
  }
  __repr__(): string {
    return `Label(${reprOf(this.field_id)}, ${reprOf(this.text)})`;
  }
  __call__(args: unknown[], kwargs: Kwargs): SafeHtml {
    if (args.length > 1) throw new TemplateTypeError(`Label.__call__() takes from 1 to 2 positional arguments`);
    const kw = { ...kwargs };
    let text: unknown = args.length ? args[0] : null;
    if (Object.prototype.hasOwnProperty.call(kw, "text")) {
      if (args.length) throw new TemplateTypeError("Label.__call__() got multiple values for argument 'text'");
      text = kw.text;
      delete kw.text;
    }
    return this.render(text, kw);
  }
  __getattr__(name: string): unknown {
    if (name === "field_id") return this.field_id;
    if (name === "text") return this.text;
    return undefined;
  }
}

function reprOf(v: unknown): string {
  if (typeof v === "string") return `'${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  return str(v);
}

/** `field.flags`: missing flags are None. */
export class WTFlags {
  constructor(readonly flags: Record<string, Json>) {}
  __getattr__(name: string): unknown {
    if (name.startsWith("_")) return undefined;
    return Object.prototype.hasOwnProperty.call(this.flags, name) ? this.flags[name] : null;
  }
  __contains__(name: unknown): boolean {
    return typeof name === "string" && truthy(this.__getattr__(name));
  }
  __repr__(): string {
    const items = Object.keys(this.flags)
      .sort(cmpCodePoints)
      .map((k) => `${k}=${str(this.flags[k])}`);
    return `<wtforms.fields.Flags: {${items.join(", ")}}>`;
  }
}

/** A bound WTForms field. */
export class WTField {
  readonly label: WTLabel;
  readonly flags: WTFlags;
  readonly subfields: WTField[] | undefined;
  readonly form: WTForm | undefined;

  constructor(readonly j: FieldJson) {
    checkField(j);
    this.label = new WTLabel(j.label.field_id, j.label.text);
    this.flags = new WTFlags(j.flags);
    this.subfields = j.subfields?.map((s) => new WTField(s));
    this.form = j.form === undefined ? undefined : new WTForm(j.form);
  }

  get type(): string {
    return this.j.type;
  }

  /** `field(**kwargs)`: WTForms `DefaultMeta.render_field` then the widget. */
  render(kwargs: Kwargs): SafeHtml {
    const kw: Attrs = new Map();
    for (const k of Object.keys(kwargs)) kw.set(cleanKey(k), kwargs[k]);
    let merged = kw;
    if (this.j.render_kw !== null) {
      merged = jsonAttrs(this.j.render_kw, true);
      for (const [k, v] of kw) merged.set(k, v);
    }
    return markup(this.widget(merged));
  }

  private validationAttrs(kw: Attrs): void {
    const attrs = this.j.widget.validation_attrs;
    if (!Array.isArray(attrs)) return;
    for (const k of Object.keys(this.j.flags).sort(cmpCodePoints)) {
      if (attrs.includes(k) && !kw.has(k)) {
        checkName(k, true);
        kw.set(k, this.j.flags[k]);
      }
    }
  }

  private withName(kw: Attrs): Attrs {
    if (kw.has("name")) throw new TemplateTypeError("html_params() got multiple values for keyword argument 'name'");
    kw.set("name", this.j.name);
    return kw;
  }

  private widget(kw: Attrs): string {
    const w = this.j.widget;
    switch (w.kind) {
      case "input": {
        for (const [k, v] of jsonAttrs(w.force as Record<string, Json>, false)) kw.set(k, v);
        for (const [k, v] of jsonAttrs(w.defaults as Record<string, Json>, false)) setdefault(kw, k, v);
        setdefault(kw, "id", this.j.id);
        setdefault(kw, "type", w.input_type);
        if (!kw.has("value")) kw.set("value", this.j.value);
        this.validationAttrs(kw);
        return `<input ${htmlParams(this.withName(kw))}>`;
      }
      case "textarea": {
        setdefault(kw, "id", this.j.id);
        this.validationAttrs(kw);
        const params = htmlParams(this.withName(kw));
        return `<textarea ${params}>\r\n${escape(this.j.value).html}</textarea>`;
      }
      case "select": {
        setdefault(kw, "id", this.j.id);
        if (w.multiple === true) kw.set("multiple", true);
        this.validationAttrs(kw);
        const html = [`<select ${htmlParams(this.withName(kw))}>`];
        const groups = w.groups;
        if (!Array.isArray(groups)) return malformed("select groups");
        for (const g of groups) {
          if (!Array.isArray(g) || !Array.isArray(g[1])) return malformed("select group");
          const optgroup = g[0];
          if (optgroup !== null) html.push(`<optgroup ${htmlParams(new Map([["label", optgroup]]))}>`);
          for (const c of g[1] as ChoiceJson[]) html.push(renderOption(c, new Map()));
          if (optgroup !== null) html.push("</optgroup>");
        }
        html.push("</select>");
        return html.join("");
      }
      case "option":
        return renderOption(w.choice as ChoiceJson, kw);
      case "list": {
        setdefault(kw, "id", this.j.id);
        const tag = w.html_tag === "ol" ? "ol" : "ul";
        const html = [`<${tag} ${htmlParams(kw)}>`];
        for (const sub of this.subfields ?? []) {
          const label = sub.label.render(null, {}).html;
          const field = sub.render({}).html;
          html.push(w.prefix_label === true ? `<li>${label} ${field}</li>` : `<li>${field} ${label}</li>`);
        }
        html.push(`</${tag}>`);
        return html.join("");
      }
      case "table": {
        const html: string[] = [];
        if (w.with_table_tag === true) {
          setdefault(kw, "id", this.j.id);
          html.push(`<table ${htmlParams(kw)}>`);
        }
        let hidden = "";
        for (const sub of this.subfields ?? []) {
          if (sub.j.type === "HiddenField" || sub.j.type === "CSRFTokenField") hidden += sub.render({}).html;
          else {
            const label = sub.label.render(null, {}).html;
            html.push(`<tr><th>${label}</th><td>${hidden}${sub.render({}).html}</td></tr>`);
            hidden = "";
          }
        }
        if (w.with_table_tag === true) html.push("</table>");
        if (hidden) html.push(hidden);
        return html.join("");
      }
      case "button": {
        const label = kw.has("label") ? kw.get("label") : this.j.label.text;
        kw.delete("label");
        setdefault(kw, "id", this.j.id);
        setdefault(kw, "type", w.input_type);
        setdefault(kw, "value", this.j.value);
        this.validationAttrs(kw);
        return `<button ${htmlParams(this.withName(kw))}>${escape(label).html}</button>`;
      }
      default:
        throw new TemplateRuntimeError(
          `jinja2tsx: the field ${this.j.name} uses the widget ${str(w.class ?? w.kind)}, ` +
            "which the runtime cannot render; render it in the template from its attributes",
        );
    }
  }

  __html__(): string {
    return this.render({}).html;
  }
  __str__(): SafeHtml {
    return this.render({});
  }
  __repr__(): string {
    return `<wtforms.fields.${this.j.type} object>`;
  }
  __call__(args: unknown[], kwargs: Kwargs): SafeHtml {
    noPositional(args, "Field.__call__()");
    return this.render(kwargs);
  }
  __bool__(): boolean {
    return this.j.type === "FieldList" ? (this.subfields ?? []).length > 0 : true;
  }
  __len__(): number {
    if (this.j.type === "FieldList") return (this.subfields ?? []).length;
    throw new TemplateTypeError(`object of type '${this.j.type}' has no len()`);
  }
  __iter__(): Iterable<unknown> {
    if (this.subfields === undefined) throw new TemplateTypeError(`'${this.j.type}' object is not iterable`);
    return this.subfields;
  }
  __getitem__(key: unknown): unknown {
    if (this.j.type === "FieldList" && typeof key === "number" && Number.isInteger(key)) {
      const entries = this.subfields ?? [];
      const i = key < 0 ? key + entries.length : key;
      return entries[i];
    }
    if (this.form !== undefined && typeof key === "string") return this.form.field(key);
    return undefined;
  }
  __getattr__(name: string): unknown {
    const j = this.j;
    switch (name) {
      case "name":
      case "short_name":
      case "id":
      case "type":
      case "description":
      case "data":
      case "raw_data":
      case "render_kw":
        return j[name];
      case "errors":
        return j.errors_tuple === true && Array.isArray(j.errors) ? tuple(j.errors.slice()) : j.errors;
      case "label":
        return this.label;
      case "flags":
        return this.flags;
      case "widget":
        return widgetView(j.widget);
      case "checked":
        return j.checked;
      case "choices":
        return j.choices === undefined ? undefined : choicesView(j.choices);
      case "entries":
        return j.type === "FieldList" ? this.subfields : undefined;
      case "form":
        return this.form;
      case "_value":
        return new PyCallable("_value", (a, k) => {
          noPositional(a, "_value()");
          if (Object.keys(k).length) throw new TemplateTypeError("_value() takes no keyword arguments");
          return j.value;
        });
      case "has_groups":
        return new PyCallable("has_groups", () => {
          const groups = j.widget.groups;
          return Array.isArray(groups) && groups.some((g) => Array.isArray(g) && g[0] !== null);
        });
      case "iter_choices":
        return new PyCallable("iter_choices", () => {
          const groups = j.widget.groups;
          if (!Array.isArray(groups)) throw new TemplateTypeError("iter_choices() of a field without choices");
          return groups.flatMap((g) =>
            (g[1] as ChoiceJson[]).map((c) => tuple([c.value, c.label, c.selected, c.render_kw ?? {}])),
          );
        });
    }
    unsent(j.unsent, name, j.short_name);
    if (this.form !== undefined) return this.form.__getattr__(name);
    return undefined;
  }
}

function renderOption(c: ChoiceJson, kwargs: Attrs): string {
  if (!isDict(c)) return malformed("choice");
  const value = typeof c.value === "boolean" ? str(c.value) : c.value;
  const options: Attrs = new Map([["value", value]]);
  for (const [k, v] of jsonAttrs(c.render_kw, false)) options.set(k, v);
  for (const [k, v] of kwargs) options.set(k, v);
  if (c.selected === true) options.set("selected", true);
  const label = escape(truthy(c.label) ? c.label : c.value).html;
  return `<option ${htmlParams(options)}>${label}</option>`;
}

/** `field.widget` for templates that inspect it (`field.widget.input_type`): its parameters as a dict. */
function widgetView(w: WidgetJson): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ["input_type", "multiple", "html_tag", "prefix_label", "with_table_tag"]) {
    if (Object.prototype.hasOwnProperty.call(w, k)) dictSet(out, k, w[k]);
  }
  if (w.kind === "input" && isObj(w.force) && Object.prototype.hasOwnProperty.call(w.force, "value")) {
    if (w.input_type === "password") dictSet(out, "hide_value", true);
  } else if (w.input_type === "password") dictSet(out, "hide_value", false);
  return out;
}

/** `field.choices` as declared: the pairs of a list are tuples again. */
function choicesView(choices: Json): unknown {
  if (Array.isArray(choices)) return choices.map((c) => (Array.isArray(c) ? tuple(c.slice()) : c));
  if (isDict(choices)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(choices)) dictSet(out, k, choicesView(choices[k]));
    return out;
  }
  return choices;
}

/** A WTForms `Form` / Flask-WTF `FlaskForm`. */
export class WTForm {
  readonly fields: WTField[];
  private readonly byName = new Map<string, WTField>();

  constructor(readonly j: FormJson) {
    checkForm(j);
    this.fields = j.fields.map((f) => new WTField(f));
    for (const f of this.fields) this.byName.set(f.j.short_name, f);
  }

  field(name: string): WTField | undefined {
    return this.byName.get(name);
  }

  /** Flask-WTF `hidden_tag(*fields)`: the fields using a HiddenInput widget, one per line. */
  hiddenTag(fields: unknown[]): SafeHtml {
    const out: string[] = [];
    for (let f of fields.length ? fields : this.fields) {
      if (typeof f === "string" || f instanceof SafeHtml) f = this.__getattr__(str(f));
      if (!(f instanceof WTField)) continue;
      if (f.j.widget.kind === "input" && f.j.widget.hidden === true) out.push(f.render({}).html);
    }
    return markup(out.join("\n"));
  }

  /** `form.errors`: the errors of each field that has some; form-level errors under "None". */
  errors(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of this.fields) if (truthy(f.j.errors)) dictSet(out, f.j.short_name, f.j.errors);
    if (this.j.form_errors.length) dictSet(out, "None", this.j.form_errors);
    return out;
  }

  data(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of this.fields) dictSet(out, f.j.short_name, f.j.data);
    return out;
  }

  __getattr__(name: string): unknown {
    const f = this.byName.get(name);
    if (f !== undefined) return f;
    switch (name) {
      case "errors":
        return this.errors();
      case "data":
        return this.data();
      case "form_errors":
        return this.j.form_errors;
      case "hidden_tag":
        if (this.j.hidden_tag !== true) return undefined;
        return new PyCallable("hidden_tag", (args, kwargs) => {
          if (Object.keys(kwargs).length) throw new TemplateTypeError("hidden_tag() got an unexpected keyword argument");
          return this.hiddenTag(args);
        });
      case "meta":
        if (this.j.meta !== undefined) return new WTMeta(this.j.meta);
    }
    unsent(this.j.unsent, name, "form");
    return undefined;
  }
  __getitem__(key: unknown): unknown {
    return typeof key === "string" ? this.byName.get(key) : undefined;
  }
  __iter__(): Iterable<unknown> {
    return this.fields;
  }
  __contains__(item: unknown): boolean {
    return typeof item === "string" && this.byName.has(item);
  }
  __str__(): string {
    throw new TemplateRuntimeError("jinja2tsx: printing a form object (its Python repr holds a memory address)");
  }
}

/** Revive `form_to_json(form)` (what `parseJSON` does for top-level context values); a WTForm is returned as is. */
export function wtform(json: unknown): WTForm {
  if (json instanceof WTForm) return json;
  if (!isObj(json) || json[WTFORM_MARKER] !== 1) return malformed(`no "${WTFORM_MARKER}": 1 marker`);
  return new WTForm(json as unknown as FormJson);
}

registerJSONReviver(WTFORM_MARKER, wtform);
