/**
 * jinja2tsx runtime — Flask: werkzeug's URL building for `url_for`, and the Flask context objects templates
 * read (`request`, `current_user`, `get_flashed_messages()`, `csrf_token()`, `session`, `g`, `config`).
 *
 * URL building follows werkzeug 3 exactly (`MapAdapter.build`, `Rule.suitable_for`, `Rule._compile_builder`,
 * the builtin converters' `to_url`, `urllib.parse.quote`/`urlencode` as `werkzeug.urls._urlencode` calls
 * them) and Flask's `App.url_for` (`_anchor`, `_method`, `_scheme`, `_external`, relative `.endpoint`s). The
 * route table is data the converter extracted from the app with werkzeug itself (rule order, quoted static
 * parts, defaults already resolved): see `RouteTableData`, written to `DEST/_jinja2tsx/routes.ts`.
 *
 * The Flask objects arrive as JSON props (README "Flask context"; `transpiler.flask_context` builds them in
 * a view); the wrappers here give them Python's attribute/item semantics (`request.args.get('page', 1)`,
 * `request.headers['User-Agent']`, `current_user.get_id()`). A prop the template needs but the view did not
 * send throws instead of rendering as Undefined: Flask always defines these names.
 */

import {
  DictView,
  type Kwargs,
  LazyIter,
  MARKUP_FROM_PROP,
  PyCallable,
  PyFloat,
  SafeHtml,
  TemplateRuntimeError,
  TemplateTypeError,
  UndefinedError,
  contains,
  dictSet,
  floatRepr,
  isDict,
  isTuple,
  markup,
  ne,
  repr,
  str,
  truthy,
  tuple,
  typeName,
} from "./core";
import { parseFloatStr, parseIntStr } from "./filters";

// ================================================================================================ errors

/** werkzeug's BuildError (no rule of the endpoint can be built from the values). */
export class BuildError extends TemplateRuntimeError {}

function valueError(msg: string): never {
  throw new TemplateTypeError(msg);
}

function typeError(msg: string): never {
  throw new TemplateTypeError(msg);
}

function isStrLike(v: unknown): v is string | SafeHtml {
  return typeof v === "string" || v instanceof SafeHtml;
}

function text(v: string | SafeHtml): string {
  return typeof v === "string" ? v : v.html;
}

// ================================================================================================ quoting

const ALWAYS_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~";
/** werkzeug's safe set for path segments (https://url.spec.whatwg.org/#url-path-segment-string). */
export const PATH_SAFE = "!$&'()*+,/:;=@";
/** werkzeug.urls._urlencode's safe set for query keys and values. */
export const QUERY_SAFE = "!$'()*,/:;?@";
/** Flask's safe set for `_anchor`. */
export const ANCHOR_SAFE = "%!#$&'()*+,/:;=?@";

/**
 * `urllib.parse.quote(s, safe)` (`plus`: `quote_plus`): UTF-8, uppercase hex escapes. A lone surrogate
 * raises, as Python's strict UTF-8 encoding does.
 */
export function quote(s: string, safe: string, plus = false): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      const ch = s[i];
      if (plus && ch === " ") out += "+";
      else if (ALWAYS_SAFE.includes(ch) || safe.includes(ch)) out += ch;
      else out += pct(c);
      continue;
    }
    let cp = c;
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (!(d >= 0xdc00 && d <= 0xdfff)) surrogateError(s, i);
      cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      surrogateError(s, i);
    }
    if (cp < 0x800) out += pct(0xc0 | (cp >> 6)) + pct(0x80 | (cp & 0x3f));
    else if (cp < 0x10000) out += pct(0xe0 | (cp >> 12)) + pct(0x80 | ((cp >> 6) & 0x3f)) + pct(0x80 | (cp & 0x3f));
    else
      out +=
        pct(0xf0 | (cp >> 18)) + pct(0x80 | ((cp >> 12) & 0x3f)) + pct(0x80 | ((cp >> 6) & 0x3f)) + pct(0x80 | (cp & 0x3f));
  }
  return out;
}

function pct(byte: number): string {
  return "%" + byte.toString(16).toUpperCase().padStart(2, "0");
}

function surrogateError(s: string, i: number): never {
  throw new TemplateTypeError(
    `'utf-8' codec can't encode character '\\u${s.charCodeAt(i).toString(16)}' in position ${i}: surrogates not allowed`,
  );
}

// ================================================================================================ route table

/** How a rule variable's value becomes URL text (the builtin werkzeug converters' `to_url`). */
export type ConverterData =
  | { kind: "quote" } // BaseConverter: string, default, path and converters inheriting its to_url
  | { kind: "int"; fixed_digits: number }
  | { kind: "float"; fixed_digits: number }
  | { kind: "uuid" }
  | { kind: "any"; items: readonly string[] };

/** One werkzeug Rule, as `Rule._compile_builder` sees it. */
export interface RuleData {
  /** the rule as written (messages only) */
  rule: string;
  /** allowed methods (uppercase), or null for any */
  methods: readonly string[] | null;
  defaults: Readonly<Record<string, unknown>> | null;
  /** the rule's variable names */
  arguments: readonly string[];
  /** URL parts in order: static text (already quoted, defaults resolved) or `[variable]` */
  parts: readonly (string | readonly [string])[];
  converters: Readonly<Record<string, ConverterData>>;
}

/** An endpoint: its rules in werkzeug's build order, or why jinja2tsx cannot build its URLs. */
export interface EndpointData {
  rules: readonly RuleData[];
  unsupported: string | null;
}

export interface RouteTableData {
  /** where the app is mounted (WSGI SCRIPT_NAME), "" at the root */
  script_root: string;
  /** host of external URLs (`_external=True`), lowercase, default port stripped; null when not configured */
  server_name: string | null;
  /** scheme of external URLs without `_scheme` */
  url_scheme: string;
  endpoints: readonly (readonly [string, EndpointData])[];
  /** endpoints whose rule choice depends on the request method (several rules with different methods) */
  method_sensitive: readonly string[];
}

/** A route table ready for building: endpoints by name. */
export class RouteTable {
  readonly endpoints: ReadonlyMap<string, EndpointData>;
  readonly methodSensitive: ReadonlySet<string>;
  constructor(readonly data: RouteTableData) {
    this.endpoints = new Map(data.endpoints.map(([k, v]) => [k, v] as [string, EndpointData]));
    this.methodSensitive = new Set(data.method_sensitive);
  }
}

/** The object `make` builds over a JSON prop, built once per prop object (renders read props often). */
function onceFor<V>(cache: WeakMap<object, V>, data: object, make: () => V): V {
  let v = cache.get(data);
  if (v === undefined) {
    v = make();
    cache.set(data, v);
  }
  return v;
}

const TABLES = new WeakMap<object, RouteTable>();

/** The RouteTable for `data` (built once per data object). */
export function routeTable(data: RouteTableData | RouteTable): RouteTable {
  if (data instanceof RouteTable) return data;
  return onceFor(TABLES, data, () => new RouteTable(data));
}

// ================================================================================================ converters

/** Python `int(v)`. */
function pyInt(v: unknown): number | bigint {
  if (v === undefined) throw new UndefinedError("value is undefined");
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "bigint") return v;
  if (typeof v === "number" || v instanceof PyFloat) {
    const x = typeof v === "number" ? v : v.value;
    if (Number.isNaN(x)) return valueError("cannot convert float NaN to integer");
    if (!Number.isFinite(x)) return typeError("cannot convert float infinity to integer");
    const t = Math.trunc(x);
    return Number.isSafeInteger(t) ? t : BigInt(t);
  }
  if (isStrLike(v)) {
    const n = parseIntStr(text(v), 10);
    if (n === null) return valueError(`invalid literal for int() with base 10: ${repr(text(v))}`);
    return n;
  }
  return typeError(`int() argument must be a string, a bytes-like object or a real number, not '${typeName(v)}'`);
}

/** Python `float(v)`. */
function pyFloat(v: unknown): number {
  if (v === undefined) throw new UndefinedError("value is undefined");
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number") return v;
  if (v instanceof PyFloat) return v.value;
  if (typeof v === "bigint") {
    const f = Number(v);
    if (!Number.isFinite(f)) return typeError("int too large to convert to float");
    return f;
  }
  if (isStrLike(v)) {
    const f = parseFloatStr(text(v));
    if (f === null) return valueError(`could not convert string to float: ${repr(text(v))}`);
    return f;
  }
  return typeError(`float() argument must be a string or a real number, not '${typeName(v)}'`);
}

function intText(n: number | bigint): string {
  if (typeof n === "bigint") return n.toString();
  return Number.isSafeInteger(n) ? String(n === 0 ? 0 : n) : BigInt(n).toString();
}

/** Python `str.zfill(width)`. */
function zfill(s: string, width: number): string {
  if (s.length >= width) return s;
  const sign = s[0] === "+" || s[0] === "-" ? s[0] : "";
  return sign + "0".repeat(width - s.length) + s.slice(sign.length);
}

/** The converter's `to_url(value)`. */
export function toUrl(conv: ConverterData, value: unknown): string {
  switch (conv.kind) {
    case "quote":
      return quote(str(value), PATH_SAFE);
    case "int":
    case "float": {
      const s = conv.kind === "int" ? intText(pyInt(value)) : floatRepr(pyFloat(value));
      return conv.fixed_digits ? zfill(s, conv.fixed_digits) : s;
    }
    case "uuid":
      return str(value);
    case "any": {
      if (isStrLike(value) && conv.items.includes(text(value))) return text(value);
      if ((Array.isArray(value) && !isTuple(value)) || isDict(value)) typeError(`unhashable type: '${typeName(value)}'`);
      const valid = [...conv.items]
        .sort()
        .map((i) => `'${i}'`)
        .join(", ");
      return valueError(`'${str(value)}' is not one of ${valid}`);
    }
  }
}

// ================================================================================================ building

/** Ordered keyword values (Python's **values dict). */
type Values = Map<string, unknown>;

/** `Rule.suitable_for(values, method)`. */
function suitableFor(rule: RuleData, values: Values, method: unknown): boolean {
  if (method !== null && rule.methods !== null) {
    if (!(isStrLike(method) && rule.methods.includes(text(method)))) return false;
  }
  const defaults = rule.defaults ?? {};
  for (const key of rule.arguments) {
    if (!Object.prototype.hasOwnProperty.call(defaults, key) && !values.has(key)) return false;
  }
  for (const key of Object.keys(defaults)) {
    if (values.has(key) && ne(defaults[key], values.get(key))) return false;
  }
  return true;
}

/** werkzeug's `iter_multi_items` over the query values: list/tuple items repeat the key. */
function* multiItems(values: Values): Generator<[string, unknown]> {
  for (const [k, v] of values) {
    if (Array.isArray(v)) {
      for (const x of v) yield [k, x];
    } else {
      yield [k, v];
    }
  }
}

/** `werkzeug.urls._urlencode`: `urlencode(items, safe="!$'()*,/:;?@")` without None values. */
export function urlencode(values: Values): string {
  const parts: string[] = [];
  for (const [k, v] of multiItems(values)) {
    if (v === null) continue;
    parts.push(quote(k, QUERY_SAFE, true) + "=" + quote(str(v), QUERY_SAFE, true));
  }
  return parts.join("&");
}

/** The compiled builder of `rule`, called as `builder(**values)`: path with query string. */
function buildRule(rule: RuleData, values: Values): string {
  const defaults = rule.defaults ?? {};
  const used = new Set<string>(Object.keys(defaults));
  let url = "";
  for (const part of rule.parts) {
    if (typeof part === "string") {
      url += part;
    } else {
      const name = part[0];
      used.add(name);
      url += toUrl(rule.converters[name], values.get(name));
    }
  }
  const query: Values = new Map();
  for (const [k, v] of values) if (!used.has(k)) query.set(k, v);
  if (query.size) {
    const params = urlencode(query);
    if (params) url += "?" + params;
  }
  return url;
}

function partialBuild(ep: EndpointData, values: Values, method: unknown): string | null {
  for (const rule of ep.rules) {
    if (suitableFor(rule, values, method)) return buildRule(rule, values);
  }
  return null;
}

/** Python's `str.lstrip("/")`. */
function lstripSlash(s: string): string {
  let i = 0;
  while (s[i] === "/") i++;
  return s.slice(i);
}

/** The part of `request` that URL building reads (the JSON `request` prop, or the wrapper). */
function requestField(request: unknown, name: "method" | "blueprint", why: string): unknown {
  if (request === undefined || request === null) {
    throw new TemplateRuntimeError(`url_for(): ${why} needs the request prop (send it from the Flask view)`);
  }
  const data = request instanceof FlaskRequest ? request.data : (request as Record<string, unknown>);
  if (!Object.prototype.hasOwnProperty.call(data, name)) {
    throw new TemplateRuntimeError(`url_for(): ${why} needs request.${name} in the request prop`);
  }
  return data[name];
}

/**
 * Flask's `url_for(endpoint, **values)` in a request: `kwargs` are the keyword arguments in call order
 * (a `**mapping` spread with `mappingItems`), `request` the request prop, needed for relative `.endpoint`s and
 * for endpoints whose rule choice depends on the request method.
 */
export function urlFor(
  table: RouteTableData | RouteTable,
  endpoint: unknown,
  kwargs: readonly (readonly [string, unknown])[] = [],
  request?: unknown,
): string {
  const routes = routeTable(table);
  const values: Values = new Map();
  for (const [k, v] of kwargs) {
    if (values.has(k) || k === "endpoint") typeError(`url_for() got multiple values for keyword argument '${k}'`);
    values.set(k, v);
  }
  const take = (name: string): unknown => {
    if (!values.has(name)) return null;
    const v = values.get(name);
    values.delete(name);
    return v;
  };
  const anchor = take("_anchor");
  const method = take("_method");
  const scheme = take("_scheme");
  let external = take("_external");

  if (!isStrLike(endpoint)) {
    if (endpoint === undefined) throw new UndefinedError("url_for() endpoint is undefined");
    typeError(`url_for() endpoint must be a string, not '${typeName(endpoint)}'`);
  }
  let name = text(endpoint);
  if (name.startsWith(".")) {
    const bp = requestField(request, "blueprint", `the relative endpoint '${name}'`);
    name = bp === null ? name.slice(1) : `${str(bp)}${name}`;
  }
  // In a request: internal URLs unless a scheme is given.
  if (external === null) external = scheme !== null;
  if (scheme !== null && !truthy(external)) valueError("When specifying '_scheme', '_external' must be True.");

  // MapAdapter.build: None values are dropped.
  for (const [k, v] of [...values]) if (v === null) values.delete(k);
  const ep = routes.endpoints.get(name);
  let path: string | null = null;
  if (ep !== undefined) {
    if (ep.unsupported !== null) {
      throw new TemplateRuntimeError(`url_for('${name}'): jinja2tsx cannot build this endpoint's URLs (${ep.unsupported})`);
    }
    if (method === null) {
      const dflt = routes.methodSensitive.has(name)
        ? requestField(request, "method", `the endpoint '${name}' (rules for different methods)`)
        : "GET";
      path = partialBuild(ep, values, dflt);
    }
    if (path === null) path = partialBuild(ep, values, method);
  }
  if (path === null) {
    const shown = [...values.keys()].map((k) => `'${k}'`).join(", ");
    throw new BuildError(
      `Could not build url for endpoint '${name}'${ep === undefined ? "" : ` with values [${shown}]`}.` +
        (ep === undefined ? " The endpoint is not in the route table." : ""),
    );
  }
  const data = routes.data;
  let url: string;
  if (!truthy(external)) {
    url = `${data.script_root.replace(/\/+$/, "")}/${lstripSlash(path)}`;
  } else {
    if (data.server_name === null) {
      throw new TemplateRuntimeError(
        "url_for(..., _external=True) needs server-name in [tool.jinja2tsx] (the host external URLs use)",
      );
    }
    let s: unknown = scheme === null ? data.url_scheme : scheme;
    const secure = isStrLike(s) && (text(s) === "https" || text(s) === "wss");
    if (truthy(s)) s = secure ? "https" : "http";
    const prefix = truthy(s) ? `${str(s)}:` : "";
    const root = data.script_root.endsWith("/") ? data.script_root : data.script_root + "/";
    url = `${prefix}//${data.server_name}${root.slice(0, -1)}/${lstripSlash(path)}`;
  }
  if (anchor !== null) {
    if (!isStrLike(anchor)) {
      if (anchor === undefined) throw new UndefinedError("_anchor is undefined");
      typeError(`quote() doesn't support '${typeName(anchor)}' objects`);
    }
    url = `${url}#${quote(text(anchor), ANCHOR_SAFE)}`;
  }
  return url;
}

/** Options of the typed `urlFor` in the generated routes module (Flask's underscore arguments). */
export interface UrlOptions {
  anchor?: string;
  method?: string;
  scheme?: string;
  external?: boolean;
  /** the request, for relative endpoints and method-dependent rules */
  request?: FlaskRequestData;
}

/** `url_for` for hand-written TypeScript: values as a record, Flask's `_options` as `options`. */
export function buildUrl(
  table: RouteTableData | RouteTable,
  endpoint: string,
  values: Readonly<Record<string, unknown>> = {},
  options: UrlOptions = {},
): string {
  const kwargs: [string, unknown][] = Object.keys(values).map((k) => [k, values[k]]);
  if (options.anchor !== undefined) kwargs.push(["_anchor", options.anchor]);
  if (options.method !== undefined) kwargs.push(["_method", options.method]);
  if (options.scheme !== undefined) kwargs.push(["_scheme", options.scheme]);
  if (options.external !== undefined) kwargs.push(["_external", options.external]);
  return urlFor(table, endpoint, kwargs, options.request);
}

// ================================================================================================ context props

function missingProp(name: string): never {
  throw new TemplateRuntimeError(
    `the ${name} prop is missing: Flask always defines it, send it from the view (README "Flask context")`,
  );
}

function method(name: string, owner: string, fn: (args: unknown[], kwargs: Kwargs) => unknown): PyCallable {
  return new PyCallable(name, fn, {}, `<bound method ${owner}.${name}>`);
}

function argsOf(fname: string, args: unknown[], kwargs: Kwargs, params: string[]): unknown[] {
  if (args.length > params.length) typeError(`${fname}() takes at most ${params.length} arguments`);
  const out: unknown[] = params.map((_, i) => (i < args.length ? args[i] : null));
  for (const k of Object.keys(kwargs)) {
    const i = params.indexOf(k);
    if (i < 0) typeError(`${fname}() got an unexpected keyword argument '${k}'`);
    if (i < args.length) typeError(`${fname}() got multiple values for argument '${k}'`);
    out[i] = kwargs[k];
  }
  return out;
}

function noType(fname: string, type: unknown): void {
  if (type !== null) {
    throw new TemplateRuntimeError(`${fname}(type=...) is not supported by jinja2tsx (convert the value in the view)`);
  }
}

/** `(key, value)` pairs of a multi-valued mapping, as the view sends them. */
export type Pairs = readonly (readonly [string, string])[];

/** werkzeug's `ImmutableMultiDict` (`request.args`, `request.form`, `request.cookies`). */
export class MultiDict {
  private readonly lists = new Map<string, unknown[]>();
  constructor(
    pairs: Pairs,
    readonly typeName = "ImmutableMultiDict",
  ) {
    for (const [k, v] of pairs) {
      const l = this.lists.get(k);
      if (l) l.push(v);
      else this.lists.set(k, [v]);
    }
  }
  private key(k: unknown): string | null {
    return isStrLike(k) ? text(k) : null;
  }
  private first(k: unknown): unknown {
    const key = this.key(k);
    const l = key === null ? undefined : this.lists.get(key);
    return l === undefined ? undefined : l[0];
  }
  private firsts(): Record<string, unknown> {
    const d: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const [k, l] of this.lists) d[k] = l[0];
    return d;
  }
  __getitem__(k: unknown): unknown {
    return this.first(k);
  }
  __mapping_items__(): [string, unknown][] {
    return [...this.lists].map(([k, l]) => [k, l[0]]);
  }
  __contains__(k: unknown): boolean {
    const key = this.key(k);
    return key !== null && this.lists.has(key);
  }
  __iter__(): Iterable<unknown> {
    return [...this.lists.keys()];
  }
  __len__(): number {
    return this.lists.size;
  }
  __bool__(): boolean {
    return this.lists.size > 0;
  }
  __repr__(): string {
    const items: unknown[] = [];
    for (const [k, l] of this.lists) for (const v of l) items.push(tuple([k, v]));
    return `${this.typeName}(${repr(items)})`;
  }
  __getattr__(name: string): unknown {
    const owner = this.typeName;
    switch (name) {
      case "get":
        return method(name, owner, (a, k) => {
          const [key, dflt, type] = argsOf("get", a, k, ["key", "default", "type"]);
          noType("get", type);
          return this.__contains__(key) ? this.first(key) : dflt;
        });
      case "getlist":
        return method(name, owner, (a, k) => {
          const [key, type] = argsOf("getlist", a, k, ["key", "type"]);
          noType("getlist", type);
          const s = this.key(key);
          return [...((s === null ? undefined : this.lists.get(s)) ?? [])];
        });
      case "keys":
        return method(name, owner, () => new DictView(this.firsts(), "keys"));
      case "values":
        return method(name, owner, () => new LazyIter([...this.lists.values()].map((l) => l[0])));
      case "listvalues":
        return method(name, owner, () => new LazyIter([...this.lists.values()].map((l) => [...l])));
      case "items":
        return method(name, owner, (a, k) => {
          const [multi] = argsOf("items", a, k, ["multi"]);
          const out: unknown[] = [];
          for (const [key, l] of this.lists) {
            if (truthy(multi)) for (const v of l) out.push(tuple([key, v]));
            else out.push(tuple([key, l[0]]));
          }
          return new LazyIter(out);
        });
      case "lists":
        return method(name, owner, () => new LazyIter([...this.lists].map(([k, l]) => tuple([k, [...l]]))));
      case "to_dict":
        return method(name, owner, (a, k) => {
          const [flat] = argsOf("to_dict", a, k, ["flat"]);
          const d: Record<string, unknown> = {};
          for (const [key, l] of this.lists) {
            if (key === "__proto__")
              Object.defineProperty(d, key, { value: flat === null || truthy(flat) ? l[0] : [...l], enumerable: true, writable: true, configurable: true });
            else d[key] = flat === null || truthy(flat) ? l[0] : [...l];
          }
          return d;
        });
    }
    if (MULTIDICT_ATTRS.has(name)) {
      throw new TemplateRuntimeError(`${owner}.${name} is not supported by jinja2tsx`);
    }
    return undefined;
  }
}

/** Other attributes of werkzeug's ImmutableMultiDict (refused rather than read as items). */
const MULTIDICT_ATTRS = new Set(
  "add clear copy deepcopy fromkeys pop popitem popitemlist poplist setdefault setlist setlistdefault update".split(" "),
);

/** werkzeug's `EnvironHeaders` (`request.headers`): case-insensitive, `-` and `_` alike. */
export class Headers {
  constructor(readonly pairs: Pairs) {}
  private static norm(k: string): string {
    return k.toUpperCase().replaceAll("-", "_");
  }
  private find(k: unknown): string | undefined {
    if (!isStrLike(k)) return undefined;
    const key = Headers.norm(text(k));
    for (const [name, v] of this.pairs) if (Headers.norm(name) === key) return v;
    return undefined;
  }
  __getitem__(k: unknown): unknown {
    return this.find(k);
  }
  __contains__(k: unknown): boolean {
    return this.find(k) !== undefined;
  }
  __iter__(): Iterable<unknown> {
    return this.pairs.map(([k, v]) => tuple([k, v]));
  }
  __len__(): number {
    return this.pairs.length;
  }
  __str__(): string {
    return [...this.pairs.map(([k, v]) => `${k}: ${v}`), "\r\n"].join("\r\n");
  }
  __repr__(): string {
    return `EnvironHeaders(${repr(this.pairs.map(([k, v]) => tuple([k, v])))})`;
  }
  __getattr__(name: string): unknown {
    const owner = "EnvironHeaders";
    switch (name) {
      case "get":
        return method(name, owner, (a, k) => {
          const [key, dflt, type] = argsOf("get", a, k, ["key", "default", "type"]);
          noType("get", type);
          const v = this.find(key);
          return v === undefined ? dflt : v;
        });
      case "getlist":
        return method(name, owner, (a, k) => {
          const [key, type] = argsOf("getlist", a, k, ["key", "type"]);
          noType("getlist", type);
          const v = this.find(key);
          return v === undefined ? [] : [v];
        });
      case "keys":
        return method(name, owner, (a, k) => {
          const [lower] = argsOf("keys", a, k, ["lower"]);
          return new LazyIter(this.pairs.map(([key]) => (truthy(lower) ? key.toLowerCase() : key)));
        });
      case "values":
        return method(name, owner, () => new LazyIter(this.pairs.map(([, v]) => v)));
      case "items":
        return method(name, owner, (a, k) => {
          const [lower] = argsOf("items", a, k, ["lower"]);
          return new LazyIter(this.pairs.map(([key, v]) => tuple([truthy(lower) ? key.toLowerCase() : key, v])));
        });
    }
    if (HEADERS_ATTRS.has(name)) throw new TemplateRuntimeError(`EnvironHeaders.${name} is not supported by jinja2tsx`);
    return undefined;
  }
}

const HEADERS_ATTRS = new Set(
  "add add_header clear copy extend get_all pop popitem remove set setdefault setlist setlistdefault to_wsgi_list update environ".split(
    " ",
  ),
);

/** werkzeug's `UserAgent` without a parser (the default): `str()` is the header, other fields None. */
export class UserAgent {
  constructor(readonly string: string) {}
  __str__(): string {
    return this.string;
  }
  __repr__(): string {
    return "<UserAgent None/None>";
  }
  __bool__(): boolean {
    return false;
  }
  __getattr__(name: string): unknown {
    if (name === "string") return this.string;
    if (name === "platform" || name === "browser" || name === "version" || name === "language") return null;
    if (name === "to_header") return method(name, "UserAgent", () => this.string);
    return undefined;
  }
}

/**
 * The JSON `request` prop: the documented subset of `flask.Request` (README "Flask context";
 * `transpiler.flask_context.request_data(request)` builds it). Multi-valued mappings are `[key, value]` pairs.
 */
export interface FlaskRequestData {
  method: string;
  scheme: string;
  host: string;
  path: string;
  full_path: string;
  script_root: string;
  url: string;
  base_url: string;
  url_root: string;
  host_url: string;
  root_url: string;
  endpoint: string | null;
  blueprint: string | null;
  blueprints: readonly string[];
  view_args: Readonly<Record<string, unknown>> | null;
  args: Pairs;
  form: Pairs;
  cookies: Pairs;
  headers: Pairs;
  remote_addr: string | null;
  remote_user: string | null;
  referrer: string | null;
  origin: string | null;
  is_secure: boolean;
  is_json: boolean;
  mimetype: string;
  content_type: string | null;
  content_length: number | null;
  user_agent: string;
}

/** The request fields jinja2tsx renders with (the keys of `FlaskRequestData`). */
export const REQUEST_FIELDS: readonly string[] = [
  "method",
  "scheme",
  "host",
  "path",
  "full_path",
  "script_root",
  "url",
  "base_url",
  "url_root",
  "host_url",
  "root_url",
  "endpoint",
  "blueprint",
  "blueprints",
  "view_args",
  "args",
  "form",
  "cookies",
  "headers",
  "remote_addr",
  "remote_user",
  "referrer",
  "origin",
  "is_secure",
  "is_json",
  "mimetype",
  "content_type",
  "content_length",
  "user_agent",
];

/** Every public attribute of `flask.Request` (Flask 3.1): those not in REQUEST_FIELDS are refused. */
export const REQUEST_ATTRS: readonly string[] = (
  "accept_charsets accept_encodings accept_languages accept_mimetypes access_control_request_headers " +
  "access_control_request_method access_route application args authorization base_url blueprint blueprints " +
  "cache_control close content_encoding content_length content_md5 content_type cookies data date " +
  "dict_storage_class endpoint files form form_data_parser_class from_values full_path get_data get_json host " +
  "host_url if_match if_modified_since if_none_match if_range if_unmodified_since input_stream is_json " +
  "is_multiprocess is_multithread is_run_once is_secure json json_module list_storage_class " +
  "make_form_data_parser max_content_length max_form_memory_size max_form_parts max_forwards mimetype " +
  "mimetype_params on_json_loading_failed origin parameter_storage_class pragma range referrer remote_user " +
  "root_url routing_exception script_root stream trusted_hosts url url_root url_rule user_agent " +
  "user_agent_class values view_args want_form_data_parsed " +
  // instance attributes set in __init__
  "environ method scheme server root_path path query_string headers remote_addr shallow"
).split(" ");

const FIELDS = new Set(REQUEST_FIELDS);
const ATTRS = new Set(REQUEST_ATTRS);

/** `flask.request` over its JSON snapshot. */
export class FlaskRequest {
  private readonly cache = new Map<string, unknown>();
  constructor(readonly data: FlaskRequestData) {}
  private field(name: string): unknown {
    const d = this.data as unknown as Record<string, unknown>;
    if (!Object.prototype.hasOwnProperty.call(d, name)) {
      throw new TemplateRuntimeError(`request.${name} is missing from the request prop`);
    }
    return d[name];
  }
  __getattr__(name: string): unknown {
    if (this.cache.has(name)) return this.cache.get(name);
    let v: unknown;
    if (name === "args" || name === "form" || name === "cookies") v = new MultiDict(this.field(name) as Pairs);
    else if (name === "headers") v = new Headers(this.field(name) as Pairs);
    else if (name === "user_agent") v = new UserAgent(String(this.field(name)));
    else if (FIELDS.has(name)) v = this.field(name);
    else if (ATTRS.has(name)) {
      throw new TemplateRuntimeError(`request.${name} is not in the request prop jinja2tsx renders with`);
    } else {
      // not a flask.Request attribute: Undefined, unless the view sent its own `request` object
      const d = this.data as unknown as Record<string, unknown>;
      return Object.prototype.hasOwnProperty.call(d, name) ? d[name] : undefined;
    }
    this.cache.set(name, v);
    return v;
  }
  __repr__(): string {
    return `<Request ${repr(this.field("url"))} [${str(this.field("method"))}]>`;
  }
}

const REQUESTS = new WeakMap<object, FlaskRequest>();

/** The `request` prop as the template sees `flask.request`. */
export function flaskRequest(value: FlaskRequestData | FlaskRequest | unknown): FlaskRequest {
  // `unknown`: a macro receives the prop through its rt.MacroContext
  if (value === undefined || value === null) return missingProp("request");
  if (value instanceof FlaskRequest) return value;
  const data = propObject(value, "request") as FlaskRequestData;
  return onceFor(REQUESTS, data, () => new FlaskRequest(data));
}

/**
 * The JSON `current_user` prop (Flask-Login): `is_authenticated`, `is_active`, `is_anonymous`, `get_id`
 * (the value `get_id()` returns) and any attributes the templates read.
 */
export interface FlaskUserData {
  is_authenticated: boolean;
  is_active: boolean;
  is_anonymous: boolean;
  get_id: string | null;
  /** The names of the user's attributes not sent (reading one fails the render). */
  __unsent__?: string[];
  readonly [attribute: string]: unknown;
}

/** Flask-Login's `current_user` over its JSON snapshot. */
export class FlaskUser {
  constructor(readonly data: FlaskUserData) {}
  __getattr__(name: string): unknown {
    if (name === "get_id") {
      const id = this.data.get_id;
      return method("get_id", "User", (a, k) => {
        argsOf("get_id", a, k, []);
        return id;
      });
    }
    const data = this.data as Record<string, unknown>;
    if (name !== "__unsent__" && Object.prototype.hasOwnProperty.call(data, name)) return data[name];
    // an attribute the user has but the view did not send: Jinja would use its value
    if (Array.isArray(data.__unsent__) && data.__unsent__.includes(name)) {
      throw new TemplateRuntimeError(
        `jinja2tsx: current_user.${name} is not in the current_user prop: send it from the view ` +
          `(flask_props(user_fields=[..., ${JSON.stringify(name)}]))`,
      );
    }
    return undefined;
  }
  __str__(): string {
    throw new TemplateRuntimeError(
      "jinja2tsx: current_user printed as text: Jinja2 writes its Python repr (a memory address), which a component cannot reproduce",
    );
  }
  __repr__(): string {
    return this.__str__();
  }
}

const USERS = new WeakMap<object, FlaskUser>();

/** The `current_user` prop as the template sees Flask-Login's proxy. */
export function flaskUser(value: FlaskUserData | FlaskUser | unknown): FlaskUser {
  if (value === undefined || value === null) return missingProp("current_user");
  if (value instanceof FlaskUser) return value;
  const data = propObject(value, "current_user") as FlaskUserData;
  return onceFor(USERS, data, () => new FlaskUser(data));
}

/** A Flask prop that must be a JSON object (it may arrive untyped, through a macro's context). */
function propObject(value: unknown, name: string): object {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TemplateTypeError(`the ${name} prop must be a JSON object`);
  }
  return value;
}

/**
 * `session`, `g`, `config`, `csrf_token`: the prop, which must be present, read back as Python
 * values (`fromFlaskJson`).
 */
export function flaskValue<T>(value: T | undefined, name: string): T {
  if (value === undefined) return missingProp(name);
  if (name !== "session" && name !== "config" && name !== "g") return value;
  if (value instanceof FlaskG || READ_BACK.has(value as object)) return value; // (a macro's context)
  const data = propObject(value, name) as Record<string, unknown>;
  return onceFor(FLASK_VALUES, data, () => {
    const items = readBackMapping(data, name);
    const read = name === "g" ? new FlaskG(items) : items; // (g is no dict in Flask)
    READ_BACK.add(read);
    return read;
  }) as T;
}

const FLASK_VALUES = new WeakMap<object, object>();
const READ_BACK = new WeakSet<object>();

// ===================================================================== values as flask_json writes them

const MARK = "__jinja2tsx__";

/** An item the view sent without its value (`why`: "a timedelta", "a secret, by its name"...). */
class UnsentValue {
  constructor(readonly why: string) {}
}

/**
 * A value as `flask_context.flask_json` wrote it, read back as the Python value it stands for: a
 * tuple or Markup from its marker; at the top level of a session or config item, the marker of a
 * value not sent.
 */
function fromFlaskJson(v: unknown, prop: string, item: boolean): unknown {
  if (Array.isArray(v)) return v.map((x) => fromFlaskJson(x, prop, false));
  if (!isDict(v)) return v;
  const kind = Object.prototype.hasOwnProperty.call(v, MARK) ? v[MARK] : undefined;
  if (kind === "tuple" && Array.isArray(v.items)) return tuple(v.items.map((x) => fromFlaskJson(x, prop, false)));
  if (kind === "markup" && typeof v.html === "string") {
    const m = markup(v.html);
    MARKUP_FROM_PROP.set(m, prop);
    return m;
  }
  if (kind === "unsent" && item) return new UnsentValue(str(v.why));
  if (kind !== undefined) throw new TemplateTypeError(`the ${prop} prop holds a marker jinja2tsx cannot read: ${repr(kind)}`);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) dictSet(out, k, fromFlaskJson(v[k], prop, false));
  return out;
}

/**
 * `session`, `config` or `g`'s attributes read back. Items sent without their value keep their place,
 * so the keys, their number and `in` are Flask's; reading one's value fails the render (Jinja would
 * use it).
 */
function readBackMapping(data: Record<string, unknown>, name: string): Record<string, unknown> {
  const items: Record<string, unknown> = {};
  let unsent = false;
  for (const k of Object.keys(data)) {
    const v = fromFlaskJson(data[k], name, true);
    unsent ||= v instanceof UnsentValue;
    dictSet(items, k, v);
  }
  if (!unsent) return items;
  return new Proxy(items, {
    get(target, key, receiver) {
      const v: unknown = Reflect.get(target, key, receiver);
      if (v instanceof UnsentValue) {
        throw new TemplateRuntimeError(
          `jinja2tsx: ${name}[${repr(String(key))}] (${v.why}) is in the ${name} prop without its ` +
            `value: name it in flask_props(${name}_keys=...) to send it (a JSON value), ` +
            "or send what the template reads from it in a prop of its own",
        );
      }
      return v;
    },
  });
}

/**
 * Flask's `g` (`_AppCtxGlobals`, no dict): its attributes as read back, the ones sent without their
 * value (a database row, an extension's private `_name`) failing the render when read.
 */
export class FlaskG {
  constructor(readonly data: Record<string, unknown>) {}
  private read(name: string, otherwise: unknown): unknown {
    return Object.prototype.hasOwnProperty.call(this.data, name) ? this.data[name] : otherwise;
  }
  __getattr__(name: string): unknown {
    if (name === "get") {
      return method("get", "_AppCtxGlobals", (a, k) => {
        const [key, otherwise] = argsOf("get", a, k, ["name", "default"]);
        return this.read(str(key), otherwise ?? null);
      });
    }
    return this.read(name, undefined);
  }
  __contains__(item: unknown): boolean {
    return typeof item === "string" && Object.prototype.hasOwnProperty.call(this.data, item);
  }
  __iter__(): Iterable<unknown> {
    return Object.keys(this.data);
  }
  __str__(): string {
    throw new TemplateRuntimeError(
      "jinja2tsx: g printed as text: Jinja2 writes its Python repr (a memory address), which a component cannot reproduce",
    );
  }
}

/**
 * The flashed messages of the request, oldest first: `[category, message]`, or `[category, message, true]`
 * when the message is Markup (`flash(Markup(...))`).
 */
export type FlashData = readonly (readonly [unknown, unknown] | readonly [unknown, unknown, boolean])[];

const FLASHES = new WeakMap<object, unknown[][]>();

/** Flask's `get_flashed_messages(with_categories=False, category_filter=())`. */
export function getFlashedMessages(
  value: FlashData | unknown,
  withCategories: unknown = false,
  categoryFilter: unknown = tuple([]),
): unknown[] {
  if (value === undefined || value === null) return missingProp("_flashes");
  if (!Array.isArray(value)) throw new TemplateTypeError("the _flashes prop must be a list of [category, message]");
  const data = value as FlashData;
  let flashes = FLASHES.get(data);
  if (flashes === undefined) {
    flashes = data.map((f) => tuple([f[0], f.length > 2 && f[2] === true ? markup(str(f[1])) : f[1]]));
    FLASHES.set(data, flashes);
  }
  let list: unknown[][] = flashes;
  if (truthy(categoryFilter)) list = flashes.filter((f) => contains(categoryFilter, f[0]));
  if (!truthy(withCategories)) return list.map((f) => f[1]);
  return list;
}
