/**
 * jinja2tsx runtime — builtin filters.
 *
 * Owns `filters`: the 54 entries of `jinja2.filters.FILTERS` (Jinja2 3.1.6, MarkupSafe 3.0.3, Flask 3.1
 * `tojson`, CPython 3.11 semantics), each `filters.<name>(value, ...params)` with Python's parameters
 * positional in Python's order (no environment/context/eval_ctx); a parameter left `undefined` takes Python's
 * default. `*args`/`**kwargs` filters take arrays/records. Filters whose result depends on autoescape take a
 * final `autoescape = true` (`join replace urlize xmlattr wordwrap tojson indent`, and `map`, which passes it
 * on to the filter it calls). Also owns the Python algorithms they need: CPython's list sort (timsort with the
 * 3.11 powersort merge policy, so comparison errors and NaN orderings match), exact half-even decimal
 * rounding, `int()`/`float()` string parsing, `textwrap`, `pprint.pformat`, `json.dumps` and `utils.urlize`.
 *
 * Undefined is `undefined`, None is `null` (README value model). Lazy results (`map select reject selectattr
 * rejectattr unique batch slice items`, `reverse` of a list/tuple/dict) are `LazyIter`s whose generator runs on
 * first use, as Python's generators do.
 */

import {
  DictView,
  type Kwargs,
  LazyIter,
  LoopContext,
  PyFloat,
  SafeHtml,
  TemplateError,
  TemplateRuntimeError,
  TemplateTypeError,
  UndefinedError,
  add,
  eq,
  escape,
  floatRepr,
  getattr,
  getitem,
  gt,
  isDict,
  isFloat,
  isInt,
  isSafe,
  isRange,
  isTuple,
  bigintText,
  cpLen,
  iter,
  len,
  lt,
  markup,
  mod,
  pyIterator,
  pyfloat,
  repr,
  str,
  strKeep,
  truthy,
  tuple,
  typeName,
  unpack,
} from "./core";
import { decodeEntities } from "./html";
import { callTest } from "./tests";

// ============================================================================================ errors

/** Jinja's `FilterArgumentError` (a `TemplateRuntimeError`). */
function argError(msg: string): never {
  throw new TemplateRuntimeError(msg);
}

/** Python TypeError / ValueError / OverflowError / ZeroDivisionError raised inside a filter. */
function typeError(msg: string): never {
  throw new TemplateTypeError(msg);
}

function undefinedError(what: string): never {
  throw new UndefinedError(`${what} is undefined`);
}

/** A Python protocol method of a host object (core's `PyProtocol`: `__html__`, `__iter__`, …), or undefined. */
export function pyHook(v: unknown, name: string): ((...args: unknown[]) => unknown) | undefined {
  if (v === null || typeof v !== "object" || isDict(v)) return undefined;
  const f = (v as Record<string, unknown>)[name];
  return typeof f === "function" ? (f.bind(v) as (...args: unknown[]) => unknown) : undefined;
}

/** The `__html__()` text of Markup or of a host object that defines it, else null. */
function htmlOf(v: unknown): string | null {
  if (isSafe(v)) return v.html;
  const h = pyHook(v, "__html__");
  return h ? String(h()) : null;
}

// ============================================================================================ strings

/** A Python `str` value: plain string or Markup. */
type PyStr = string | SafeHtml;

const isStr = (v: unknown): v is PyStr => typeof v === "string" || isSafe(v);
const raw = (s: PyStr): string => (typeof s === "string" ? s : s.html);
/** Rewrap `text` as Markup when `like` is Markup (MarkupSafe's `self.__class__(...)`). */
const asLike = (like: unknown, text: string): PyStr => (isSafe(like) ? markup(text) : text);

/** Python `str(v)` (Undefined → ""). Markup gives its HTML. */
function pyStr(v: unknown): string {
  return v === undefined ? "" : isSafe(v) ? v.html : str(v);
}

/** MarkupSafe `soft_str`: Markup stays Markup, anything else becomes `str(v)`. */
function softStr(v: unknown): PyStr {
  return isSafe(v) ? v : v === undefined ? "" : strKeep(v);
}

/** `a + b` on str/Markup operands (Markup escapes the plain side). */
function strAdd(a: PyStr, b: PyStr): PyStr {
  if (isSafe(a)) return markup(a.html + escape(b).html);
  if (isSafe(b)) return markup(escape(a).html + b.html);
  return a + b;
}

/** `sep.join(items)`: a Markup separator escapes plain items; a plain one concatenates raw text. */
function strJoin(sep: PyStr, items: readonly PyStr[]): PyStr {
  if (isSafe(sep)) return markup(items.map((i) => escape(i).html).join(sep.html));
  return items.map(raw).join(sep);
}

const cps = (s: string): string[] => Array.from(s);

/** `s[start:end]` by code points with Python clamping (non-negative bounds). */
function cpSlice(s: string, start: number, end?: number): string {
  return cps(s).slice(start, end).join("");
}

/** Python whitespace (`str.isspace()`, `re` `\s` on str patterns). */
const WS = "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const WS_RUN = new RegExp(`[${WS}]+`, "u");
const IS_WS = new RegExp(`^[${WS}]$`, "u");
const isSpaceChar = (c: string): boolean => IS_WS.test(c);

/** `str.split()` with no arguments. */
function splitWs(s: string): string[] {
  return s.split(WS_RUN).filter((p) => p !== "");
}

/** `str.strip(chars)`; `chars` null → whitespace. */
function pyStrip(s: string, chars: string | null, left = true, right = true): string {
  const a = cps(s);
  const inSet = chars === null ? isSpaceChar : (c: string) => chars.includes(c);
  let i = 0;
  let j = a.length;
  if (left) while (i < j && inSet(a[i]!)) i++;
  if (right) while (j > i && inSet(a[j - 1]!)) j--;
  return a.slice(i, j).join("");
}

/** `str.splitlines(keepends)`. */
function splitlines(s: string, keepends = false): string[] {
  const out: string[] = [];
  const re = /\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]/g;
  let start = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    out.push(s.slice(start, keepends ? m.index + m[0].length : m.index));
    start = m.index + m[0].length;
  }
  if (start < s.length) out.push(s.slice(start));
  return out;
}

/** `str.replace(old, new, count)` (count < 0: all), by code points for an empty `old`. */
function pyReplace(s: string, old: string, rep: string, count: number): string {
  if (count < 0) count = Infinity;
  if (count === 0) return s;
  if (old === "") {
    const a = cps(s);
    let out = "";
    let n = 0;
    for (let i = 0; i <= a.length; i++) {
      if (n < count) {
        out += rep;
        n++;
      }
      if (i < a.length) out += a[i];
    }
    return out;
  }
  let out = "";
  let pos = 0;
  let n = 0;
  while (n < count) {
    const i = s.indexOf(old, pos);
    if (i < 0) break;
    out += s.slice(pos, i) + rep;
    pos = i + old.length;
    n++;
  }
  return out + s.slice(pos);
}

/** Non-overlapping occurrence count (`str.count`). */
function countOf(s: string, sub: string): number {
  let n = 0;
  let pos = 0;
  for (;;) {
    const i = s.indexOf(sub, pos);
    if (i < 0) return n;
    n++;
    pos = i + sub.length;
  }
}

/**
 * Characters whose Python title case differs from their upper case (`str.capitalize` uses title case for
 * the first character since Python 3.8). Generated from CPython 3.11's Unicode 14 database.
 */
const TITLE_CASE: Record<number, string> = (() => {
  const t: Record<number, string> = {
    0xdf: "Ss", 0x1c4: "\u01c5", 0x1c5: "\u01c5", 0x1c6: "\u01c5", 0x1c7: "\u01c8", 0x1c8: "\u01c8", 0x1c9: "\u01c8",
    0x1ca: "\u01cb", 0x1cb: "\u01cb", 0x1cc: "\u01cb", 0x1f1: "\u01f2", 0x1f2: "\u01f2", 0x1f3: "\u01f2",
    0x587: "\u0535\u0582", 0x1fb2: "\u1fba\u0345", 0x1fb3: "\u1fbc", 0x1fb4: "\u0386\u0345",
    0x1fb7: "\u0391\u0342\u0345", 0x1fbc: "\u1fbc", 0x1fc2: "\u1fca\u0345", 0x1fc3: "\u1fcc",
    0x1fc4: "\u0389\u0345", 0x1fc7: "\u0397\u0342\u0345", 0x1fcc: "\u1fcc", 0x1ff2: "\u1ffa\u0345",
    0x1ff3: "\u1ffc", 0x1ff4: "\u038f\u0345", 0x1ff7: "\u03a9\u0342\u0345", 0x1ffc: "\u1ffc", 0xfb00: "Ff",
    0xfb01: "Fi", 0xfb02: "Fl", 0xfb03: "Ffi", 0xfb04: "Ffl", 0xfb05: "St", 0xfb06: "St", 0xfb13: "\u0544\u0576",
    0xfb14: "\u0544\u0565", 0xfb15: "\u0544\u056b", 0xfb16: "\u054e\u0576", 0xfb17: "\u0544\u056d",
  };
  // Georgian Mkhedruli letters are their own title case (upper case is Mtavruli).
  for (let c = 0x10d0; c <= 0x10ff; c++) if (c !== 0x10fb && c !== 0x10fc) t[c] = String.fromCodePoint(c);
  // Greek letters with ypogegrammeni: title case is the prosgegrammeni capital.
  for (let b = 0; b < 3; b++) {
    const base = [0x1f80, 0x1f90, 0x1fa0][b]!;
    for (let i = 0; i < 16; i++) t[base + i] = String.fromCodePoint(base + 8 + (i & 7));
  }
  return t;
})();

/** Python `str.capitalize()`: title-case first character, lower-case the rest (final sigma in context). */
function pyCapitalize(s: string): string {
  const a = cps(s);
  if (a.length === 0) return s;
  const first = a[0]!;
  const head = TITLE_CASE[first.codePointAt(0)!] ?? first.toUpperCase();
  const lowerAll = s.toLowerCase();
  const lowerFirst = first.toLowerCase();
  const rest = lowerAll.startsWith(lowerFirst) ? lowerAll.slice(lowerFirst.length) : a.slice(1).join("").toLowerCase();
  return head + rest;
}

/** Python `str.center(width)` (fill " "). */
function pyCenter(s: string, width: number, fill: string): string {
  const len = cpLen(s);
  const marg = width - len;
  if (marg <= 0) return s;
  const left = Math.floor(marg / 2) + (marg & width & 1);
  return fill.repeat(left) + s + fill.repeat(marg - left);
}

const RE_LOWER = /\p{Lowercase}/u;
const RE_UPPER = /\p{Uppercase}/u;
const RE_TITLE = /\p{Lt}/u;

/** Python `str.islower()`. */
export function pyIsLower(s: string): boolean {
  let cased = false;
  for (const c of s) {
    if (RE_UPPER.test(c) || RE_TITLE.test(c)) return false;
    if (!cased && RE_LOWER.test(c)) cased = true;
  }
  return cased;
}

/** Python `str.isupper()`. */
export function pyIsUpper(s: string): boolean {
  let cased = false;
  for (const c of s) {
    if (RE_LOWER.test(c) || RE_TITLE.test(c)) return false;
    if (!cased && RE_UPPER.test(c)) cased = true;
  }
  return cased;
}

// ============================================================================================ numbers

/** Python int (JS integral number, or bool used as int). */
const isIntLike = (v: unknown): v is number | boolean | bigint => typeof v === "boolean" || isInt(v);
/** Python float (PyFloat box or non-integral/non-finite number). */
const isPyFloat = (v: unknown): boolean => isFloat(v);
/** Any Python real number (bool, int, float). */
const isNumber = (v: unknown): boolean =>
  typeof v === "boolean" || typeof v === "number" || typeof v === "bigint" || v instanceof PyFloat;

/** Numeric value of a bool/int/float. */
function numVal(v: unknown): number {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number") return v;
  if (v instanceof PyFloat) return v.value;
  if (typeof v === "bigint") {
    // Python float(int): correctly rounded; OverflowError beyond the float range
    const f = Number(v);
    return Number.isFinite(f) ? f : typeError("int too large to convert to float");
  }
  return typeError(`expected a number, got ${typeName(v)}`);
}

/** An argument Python requires to be an integer (`__index__`): int or bool. */
function toIndex(v: unknown, what: string): number {
  if (isIntLike(v)) return numVal(v);
  if (v === undefined) return undefinedError(what);
  return typeError(`'${typeName(v)}' object cannot be interpreted as an integer`);
}

/** `sorted(..., reverse=r)` only accepts ints/bools. */
function reverseFlag(v: unknown): boolean {
  if (v === undefined) return false;
  return toIndex(v, "reverse") !== 0;
}

/** Exact decimal expansion of a finite double: |x| = digits × 10^exp. */
function exactDecimal(x: number): { neg: boolean; digits: bigint; exp: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const neg = hi >>> 31 === 1;
  const e = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp2: number;
  if (e === 0) exp2 = -1074;
  else {
    mant |= 1n << 52n;
    exp2 = e - 1075;
  }
  if (exp2 >= 0) return { neg, digits: mant << BigInt(exp2), exp: 0 };
  return { neg, digits: mant * 5n ** BigInt(-exp2), exp: exp2 };
}

/** round(|x| × 10^nd) half-to-even on the exact binary value. */
function scaledHalfEven(x: number, nd: number): { neg: boolean; q: bigint } {
  const { neg, digits, exp } = exactDecimal(x);
  const s = exp + nd;
  if (s >= 0) return { neg, q: digits * 10n ** BigInt(s) };
  const div = 10n ** BigInt(-s);
  let q = digits / div;
  const twice = (digits % div) * 2n;
  if (twice > div || (twice === div && (q & 1n) === 1n)) q += 1n;
  return { neg, q };
}

/** Python `'%.{nd}f' % x`. */
function formatFixed(x: number, nd: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const { neg, q } = scaledHalfEven(x, nd);
  let digits = q.toString();
  if (nd > 0) {
    digits = digits.padStart(nd + 1, "0");
    digits = `${digits.slice(0, -nd)}.${digits.slice(-nd)}`;
  }
  return (neg ? "-" : "") + digits;
}

/** Python `round(x, nd)` for a float x (correctly rounded, half-to-even). */
function roundFloat(x: number, nd: number): number {
  if (!Number.isFinite(x) || nd > 323) return x;
  if (nd < -308) return 0 * x;
  const { neg, q } = scaledHalfEven(x, nd);
  return Number(`${neg ? "-" : ""}${q}e${-nd}`);
}

/** Python `round(n, nd)` for an int n and nd < 0 (half-to-even). */
function roundInt(n: number | bigint, nd: number): number | bigint {
  const b = BigInt(n);
  const neg = b < 0n;
  const v = neg ? -b : b;
  const div = 10n ** BigInt(-nd);
  let q = v / div;
  const twice = (v % div) * 2n;
  if (twice > div || (twice === div && (q & 1n) === 1n)) q += 1n;
  return pyInt(neg ? -(q * div) : q * div);
}

/** A Python int result: a number within 2^53, a bigint beyond (never -0). */
function pyInt(v: number | bigint): number | bigint {
  if (typeof v === "bigint") return v >= -MAX_SAFE_BIG && v <= MAX_SAFE_BIG ? Number(v) : v;
  return Number.isSafeInteger(v) ? v || 0 : BigInt(v);
}

const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

const ND = /\p{Nd}/u;

/** Value of a Unicode decimal digit (Nd characters come in runs of ten starting at zero). */
function decimalValue(c: string): number {
  let start = c.codePointAt(0)!;
  const cp = start;
  while (start > 0 && ND.test(String.fromCodePoint(start - 1))) start--;
  return (cp - start) % 10;
}

/**
 * CPython's `_PyUnicode_TransformDecimalAndSpaceToASCII`: Unicode digits → ASCII digits, Unicode spaces →
 * " "; any other non-ASCII character makes the number invalid (null).
 */
function toAsciiNumber(s: string): string | null {
  let out = "";
  for (const c of s) {
    if (c.charCodeAt(0) < 128) out += c;
    else if (isSpaceChar(c)) out += " ";
    else if (ND.test(c)) out += String(decimalValue(c));
    else return null;
  }
  return out;
}

const ASCII_WS = /^[ \t\n\x0b\x0c\r]+|[ \t\n\x0b\x0c\r]+$/g;

/** Python `float(str)`; null when Python raises ValueError. */
export function parseFloatStr(s: string): number | null {
  const a = toAsciiNumber(s);
  if (a === null) return null;
  const t = a.replace(ASCII_WS, "");
  // _Py_string_to_number_with_underscores: "_" only between digits.
  if (t.includes("_")) {
    if (!/^[^_]*(?:(?<=[0-9])_(?=[0-9])[^_]*)*$/.test(t)) return null;
  }
  const u = t.replaceAll("_", "");
  const m = /^([+-]?)(?:(inf|infinity)|(nan))$/i.exec(u);
  if (m) return m[3] ? NaN : m[1] === "-" ? -Infinity : Infinity;
  if (!/^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(u)) return null;
  return Number(u);
}

/** Python `int(str, base)`; null when Python raises ValueError. */
export function parseIntStr(s: string, base: number): number | bigint | null {
  if (!(base === 0 || (base >= 2 && base <= 36))) return null;
  const a = toAsciiNumber(s);
  if (a === null) return null;
  let t = a.replace(ASCII_WS, "");
  let sign = 1;
  if (t[0] === "+" || t[0] === "-") {
    if (t[0] === "-") sign = -1;
    t = t.slice(1);
  }
  let errorIfNonzero = false;
  const p = t[1]?.toLowerCase();
  if (base === 0) {
    if (t[0] !== "0") base = 10;
    else if (p === "x") base = 16;
    else if (p === "o") base = 8;
    else if (p === "b") base = 2;
    else {
      errorIfNonzero = true;
      base = 10;
    }
  }
  if (t[0] === "0" && ((base === 16 && p === "x") || (base === 8 && p === "o") || (base === 2 && p === "b"))) {
    t = t.slice(2);
    if (t[0] === "_") t = t.slice(1);
  }
  if (t === "" || t[0] === "_" || t.endsWith("_") || t.includes("__")) return null;
  let value = 0n;
  const b = BigInt(base);
  for (const c of t) {
    if (c === "_") continue;
    const d = parseInt(c, 36);
    if (Number.isNaN(d) || d >= base) return null;
    value = value * b + BigInt(d);
  }
  if (errorIfNonzero && value !== 0n) return null;
  // beyond 2**53 a Python int stays exact: keep it a bigint
  if (value > 9007199254740992n) return sign < 0 ? -value : value;
  return sign * Number(value);
}

/** Python `float(v)` as `do_float`/`filesizeformat` see it: number, or null for TypeError/ValueError. */
function toPyFloat(v: unknown): number | null {
  if (v === undefined) return undefinedError("value");
  if (isStr(v)) return parseFloatStr(raw(v));
  if (isNumber(v)) return numVal(v);
  return null;
}

// ============================================================================================ iteration

/** A lazy result: the generator body runs on first use, like a Python generator. */
function lazy(gen: () => Generator<unknown>, kind = "generator"): LazyIter {
  return new LazyIter(
    {
      [Symbol.iterator]: () => gen(),
    },
    kind,
  );
}

/** Items of a Python iterable (core `iter`, which drains a LazyIter). */
function items(v: unknown): unknown[] {
  return iter(v);
}

/** Iterate a Python iterable item by item (a LazyIter source is pulled lazily, as Python generators chain). */
function* each(v: unknown): Generator<unknown> {
  const it = pyIterator(v);
  for (let r = it.next(); !r.done; r = it.next()) yield r.value;
}

/** `next(iter(v))`, or `undefined` when empty; a LazyIter gives up only one item. */
function firstOf(v: unknown): unknown {
  if (typeof v === "string") return v === "" ? undefined : String.fromCodePoint(v.codePointAt(0)!);
  if (isSafe(v)) return v.html === "" ? undefined : String.fromCodePoint(v.html.codePointAt(0)!);
  if (Array.isArray(v)) return v[0];
  if (isDict(v)) {
    for (const k in v) if (Object.hasOwn(v, k)) return k;
    return undefined;
  }
  const r = pyIterator(v).next();
  return r.done ? undefined : r.value;
}

// ============================================================================================ attribute paths

type Getter = (item: unknown) => unknown;

/** `_prepare_attribute_parts`: "a.b.0" → ["a", "b", 0]; an int stays one part; None → []. */
function attributeParts(attribute: unknown): unknown[] {
  if (attribute === null || attribute === undefined) return [];
  if (isStr(attribute)) {
    return raw(attribute)
      .split(".")
      .map((x) => (/^\p{Nd}+$/u.test(x) ? Number(toAsciiNumber(x)) : x));
  }
  return [attribute];
}

/** `ignore_case`: lower-case strings (Markup stays Markup). */
function ignoreCase(v: unknown): unknown {
  if (typeof v === "string") return v.toLowerCase();
  if (isSafe(v)) return markup(v.html.toLowerCase());
  return v;
}

/** `make_attrgetter`: getitem-first lookup along the path, `default` for an Undefined result. */
function makeAttrGetter(attribute: unknown, postprocess: Getter | null = null, dflt: unknown = null): Getter {
  const parts = attributeParts(attribute);
  return (item) => {
    for (const part of parts) {
      item = getitem(item, part);
      if (dflt !== null && dflt !== undefined && item === undefined) item = dflt;
    }
    return postprocess ? postprocess(item) : item;
  };
}

/** `make_multi_attrgetter`: "age,name" → a list of keys (always a list, even for one attribute). */
function makeMultiAttrGetter(attribute: unknown, postprocess: Getter | null): (item: unknown) => unknown[] {
  const split = isStr(attribute) ? raw(attribute).split(",") : [attribute];
  const parts = split.map(attributeParts);
  return (item) =>
    parts.map((path) => {
      let v = item;
      for (const part of path) v = getitem(v, part);
      return postprocess ? postprocess(v) : v;
    });
}

// ============================================================================================ sorting

type Less<K> = (a: K, b: K) => boolean;

/** Python list `<` (first unequal items compared with `<`, else lengths). */
function listLt(a: unknown[], b: unknown[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (!eq(a[i], b[i])) return lt(a[i], b[i]);
  return a.length < b.length;
}

const MIN_GALLOP = 7;

/**
 * CPython 3.11 `list.sort` (Objects/listobject.c): count_run + binary insertion + powersort merging with
 * galloping. Porting it exactly keeps which pairs get compared — hence TypeErrors for incomparable items
 * and the placement of NaNs — identical to Python. `keys[i]` is the sort key of `values[i]`.
 */
function timsort<V, K>(values: readonly V[], keys: readonly K[], less: Less<K>, reverse: boolean): V[] {
  const ks = keys.slice();
  const vs = values.slice();
  const n = vs.length;
  if (n < 2) return vs;
  if (reverse) {
    ks.reverse();
    vs.reverse();
  }
  let minGallop = MIN_GALLOP;
  const pending: { base: number; len: number; power: number }[] = [];

  const reverseRange = (lo: number, hi: number): void => {
    for (hi--; lo < hi; lo++, hi--) {
      [ks[lo], ks[hi]] = [ks[hi]!, ks[lo]!];
      [vs[lo], vs[hi]] = [vs[hi]!, vs[lo]!];
    }
  };

  const binarysort = (lo: number, hi: number, start: number): void => {
    if (lo === start) start++;
    for (; start < hi; start++) {
      let l = lo;
      let r = start;
      const pk = ks[r]!;
      const pv = vs[r]!;
      do {
        const p = l + ((r - l) >> 1);
        if (less(pk, ks[p]!)) r = p;
        else l = p + 1;
      } while (l < r);
      for (let p = start; p > l; p--) {
        ks[p] = ks[p - 1]!;
        vs[p] = vs[p - 1]!;
      }
      ks[l] = pk;
      vs[l] = pv;
    }
  };

  const countRun = (lo: number, hi: number): [number, boolean] => {
    if (lo + 1 === hi) return [1, false];
    let n2 = 2;
    let i = lo + 1;
    if (less(ks[i]!, ks[i - 1]!)) {
      for (i++; i < hi; i++, n2++) if (!less(ks[i]!, ks[i - 1]!)) break;
      return [n2, true];
    }
    for (i++; i < hi; i++, n2++) if (less(ks[i]!, ks[i - 1]!)) break;
    return [n2, false];
  };

  const gallopLeft = (key: K, a: K[], base: number, len: number, hint: number): number => {
    let lastofs = 0;
    let ofs = 1;
    if (less(a[base + hint]!, key)) {
      const maxofs = len - hint;
      while (ofs < maxofs) {
        if (less(a[base + hint + ofs]!, key)) {
          lastofs = ofs;
          ofs = ofs * 2 + 1;
        } else break;
      }
      if (ofs > maxofs) ofs = maxofs;
      lastofs += hint;
      ofs += hint;
    } else {
      const maxofs = hint + 1;
      while (ofs < maxofs) {
        if (less(a[base + hint - ofs]!, key)) break;
        lastofs = ofs;
        ofs = ofs * 2 + 1;
      }
      if (ofs > maxofs) ofs = maxofs;
      const k = lastofs;
      lastofs = hint - ofs;
      ofs = hint - k;
    }
    lastofs++;
    while (lastofs < ofs) {
      const m = lastofs + ((ofs - lastofs) >> 1);
      if (less(a[base + m]!, key)) lastofs = m + 1;
      else ofs = m;
    }
    return ofs;
  };

  const gallopRight = (key: K, a: K[], base: number, len: number, hint: number): number => {
    let lastofs = 0;
    let ofs = 1;
    if (less(key, a[base + hint]!)) {
      const maxofs = hint + 1;
      while (ofs < maxofs) {
        if (less(key, a[base + hint - ofs]!)) {
          lastofs = ofs;
          ofs = ofs * 2 + 1;
        } else break;
      }
      if (ofs > maxofs) ofs = maxofs;
      const k = lastofs;
      lastofs = hint - ofs;
      ofs = hint - k;
    } else {
      const maxofs = len - hint;
      while (ofs < maxofs) {
        if (less(key, a[base + hint + ofs]!)) break;
        lastofs = ofs;
        ofs = ofs * 2 + 1;
      }
      if (ofs > maxofs) ofs = maxofs;
      lastofs += hint;
      ofs += hint;
    }
    lastofs++;
    while (lastofs < ofs) {
      const m = lastofs + ((ofs - lastofs) >> 1);
      if (less(key, a[base + m]!)) ofs = m;
      else lastofs = m + 1;
    }
    return ofs;
  };

  /** merge_lo: na <= nb; run A is copied to a temp array. */
  const mergeLo = (pa: number, na: number, pb: number, nb: number): void => {
    const tk = ks.slice(pa, pa + na);
    const tv = vs.slice(pa, pa + na);
    let dest = pa;
    let ia = 0;
    let ib = pb;
    const fromB = (): void => {
      ks[dest] = ks[ib]!;
      vs[dest] = vs[ib]!;
      dest++;
      ib++;
    };
    const fromA = (): void => {
      ks[dest] = tk[ia]!;
      vs[dest] = tv[ia]!;
      dest++;
      ia++;
    };
    let copyB = false;
    fromB();
    nb--;
    main: {
      if (nb === 0) break main;
      if (na === 1) {
        copyB = true;
        break main;
      }
      let mg = minGallop;
      for (;;) {
        let acount = 0;
        let bcount = 0;
        for (;;) {
          if (less(ks[ib]!, tk[ia]!)) {
            fromB();
            bcount++;
            acount = 0;
            nb--;
            if (nb === 0) break main;
            if (bcount >= mg) break;
          } else {
            fromA();
            acount++;
            bcount = 0;
            na--;
            if (na === 1) {
              copyB = true;
              break main;
            }
            if (acount >= mg) break;
          }
        }
        mg++;
        do {
          mg -= mg > 1 ? 1 : 0;
          minGallop = mg;
          let k = gallopRight(ks[ib]!, tk, ia, na, 0);
          acount = k;
          if (k) {
            for (let i = 0; i < k; i++) fromA();
            na -= k;
            if (na === 1) {
              copyB = true;
              break main;
            }
            if (na === 0) break main;
          }
          fromB();
          nb--;
          if (nb === 0) break main;
          k = gallopLeft(tk[ia]!, ks, ib, nb, 0);
          bcount = k;
          if (k) {
            for (let i = 0; i < k; i++) fromB();
            nb -= k;
            if (nb === 0) break main;
          }
          fromA();
          na--;
          if (na === 1) {
            copyB = true;
            break main;
          }
        } while (acount >= MIN_GALLOP || bcount >= MIN_GALLOP);
        mg++;
        minGallop = mg;
      }
    }
    if (copyB) {
      for (let i = 0; i < nb; i++) fromB();
      fromA();
    } else {
      while (na-- > 0) fromA();
    }
  };

  /** merge_hi: na >= nb; run B is copied to a temp array, merging from the right. */
  const mergeHi = (pa: number, na: number, pb: number, nb: number): void => {
    const tk = ks.slice(pb, pb + nb);
    const tv = vs.slice(pb, pb + nb);
    let dest = pb + nb - 1;
    let ia = pa + na - 1;
    let ib = nb - 1;
    const fromA = (): void => {
      ks[dest] = ks[ia]!;
      vs[dest] = vs[ia]!;
      dest--;
      ia--;
    };
    const fromB = (): void => {
      ks[dest] = tk[ib]!;
      vs[dest] = tv[ib]!;
      dest--;
      ib--;
    };
    let copyA = false;
    fromA();
    na--;
    main: {
      if (na === 0) break main;
      if (nb === 1) {
        copyA = true;
        break main;
      }
      let mg = minGallop;
      for (;;) {
        let acount = 0;
        let bcount = 0;
        for (;;) {
          if (less(tk[ib]!, ks[ia]!)) {
            fromA();
            acount++;
            bcount = 0;
            na--;
            if (na === 0) break main;
            if (acount >= mg) break;
          } else {
            fromB();
            bcount++;
            acount = 0;
            nb--;
            if (nb === 1) {
              copyA = true;
              break main;
            }
            if (bcount >= mg) break;
          }
        }
        mg++;
        do {
          mg -= mg > 1 ? 1 : 0;
          minGallop = mg;
          let k = gallopRight(tk[ib]!, ks, pa, na, na - 1);
          k = na - k;
          acount = k;
          if (k) {
            for (let i = 0; i < k; i++) fromA();
            na -= k;
            if (na === 0) break main;
          }
          fromB();
          nb--;
          if (nb === 1) {
            copyA = true;
            break main;
          }
          k = gallopLeft(ks[ia]!, tk, 0, nb, nb - 1);
          k = nb - k;
          bcount = k;
          if (k) {
            for (let i = 0; i < k; i++) fromB();
            nb -= k;
            if (nb === 1) {
              copyA = true;
              break main;
            }
            if (nb === 0) break main;
          }
          fromA();
          na--;
          if (na === 0) break main;
        } while (acount >= MIN_GALLOP || bcount >= MIN_GALLOP);
        mg++;
        minGallop = mg;
      }
    }
    if (copyA) {
      for (let i = 0; i < na; i++) fromA();
      fromB();
    } else {
      while (nb-- > 0) fromB();
    }
  };

  const mergeAt = (i: number): void => {
    let pa = pending[i]!.base;
    let na = pending[i]!.len;
    const pb = pending[i + 1]!.base;
    let nb = pending[i + 1]!.len;
    pending[i]!.len = na + nb;
    if (i === pending.length - 3) pending[i + 1] = pending[i + 2]!;
    pending.pop();
    const k = gallopRight(ks[pb]!, ks, pa, na, 0);
    pa += k;
    na -= k;
    if (na === 0) return;
    nb = gallopLeft(ks[pa + na - 1]!, ks, pb, nb, nb - 1);
    if (nb <= 0) return;
    if (na <= nb) mergeLo(pa, na, pb, nb);
    else mergeHi(pa, na, pb, nb);
  };

  const powerloop = (s1: number, n1: number, n2: number): number => {
    let result = 0;
    let a = 2 * s1 + n1;
    let b = a + n1 + n2;
    for (;;) {
      result++;
      if (a >= n) {
        a -= n;
        b -= n;
      } else if (b >= n) break;
      a *= 2;
      b *= 2;
    }
    return result;
  };

  const foundNewRun = (n2: number): void => {
    if (pending.length) {
      const top = pending[pending.length - 1]!;
      const power = powerloop(top.base, top.len, n2);
      while (pending.length > 1 && pending[pending.length - 2]!.power > power) mergeAt(pending.length - 2);
      pending[pending.length - 1]!.power = power;
    }
  };

  let minrun = n;
  let r = 0;
  while (minrun >= 64) {
    r |= minrun & 1;
    minrun >>= 1;
  }
  minrun += r;

  let lo = 0;
  let remaining = n;
  do {
    let [runLen, descending] = countRun(lo, lo + remaining);
    if (descending) reverseRange(lo, lo + runLen);
    if (runLen < minrun) {
      const force = remaining <= minrun ? remaining : minrun;
      binarysort(lo, lo + force, lo + runLen);
      runLen = force;
    }
    foundNewRun(runLen);
    pending.push({ base: lo, len: runLen, power: 0 });
    lo += runLen;
    remaining -= runLen;
  } while (remaining);
  while (pending.length > 1) {
    let i = pending.length - 2;
    if (i > 0 && pending[i - 1]!.len < pending[i + 1]!.len) i--;
    mergeAt(i);
  }
  if (reverse) vs.reverse();
  return vs;
}

// ============================================================================================ hashing

let nanCounter = 0;

/** A Python hash-equality key for `unique` (`1`, `1.0`, `True` are one value); unhashables raise. */
function hashKey(v: unknown, ids: Map<object, number>): string {
  if (v === undefined) return "U";
  if (v === null) return "N";
  if (typeof v === "bigint") return `n${v}`;
  if (isNumber(v)) {
    const n = numVal(v);
    if (Number.isNaN(n)) return `nan${++nanCounter}`; // a NaN equals nothing, itself included
    return `n${n === 0 ? 0 : n}`;
  }
  if (isStr(v)) return `s${raw(v)}`;
  if (Array.isArray(v)) {
    if (!isTuple(v)) typeError("unhashable type: 'list'");
    return `t${JSON.stringify(v.map((x) => hashKey(x, ids)))}`;
  }
  if (isDict(v)) return typeError("unhashable type: 'dict'");
  if (typeof v === "object" || typeof v === "function") {
    let id = ids.get(v as object);
    if (id === undefined) ids.set(v as object, (id = ids.size));
    return `o${id}`;
  }
  return `x${String(v)}`;
}

// ============================================================================================ group tuples

const GROUP_TUPLES = new WeakSet<object>();

/**
 * `_GroupTuple(grouper, list)`: a tuple (so it prints, compares and unpacks as `(grouper, list)`) carrying the
 * namedtuple fields `grouper` and `list` as own non-enumerable properties, which core `getattr` returns.
 */
function groupTuple(grouper: unknown, list: unknown[]): unknown[] {
  const t = tuple([grouper, list]);
  Object.defineProperty(t, "grouper", { value: grouper, enumerable: false });
  Object.defineProperty(t, "list", { value: list, enumerable: false });
  GROUP_TUPLES.add(t);
  return t;
}

/** Is `v` a `groupby` result tuple (a namedtuple: `pprint` does not re-layout it)? */
export function isGroupTuple(v: unknown): boolean {
  return typeof v === "object" && v !== null && GROUP_TUPLES.has(v);
}

// ============================================================================================ filters

/** `abs(x)` */
function doAbs(value: unknown): unknown {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "bigint") return value < 0n ? -value : value;
  if (isInt(value)) return Math.abs(value as number);
  if (isPyFloat(value)) return pyfloat(Math.abs(numVal(value)));
  return typeError(`bad operand type for abs(): '${typeName(value)}'`);
}

const PY_METHODS = {
  str: new Set(
    (
      "capitalize casefold center count encode endswith expandtabs find format format_map index isalnum isalpha " +
      "isascii isdecimal isdigit isidentifier islower isnumeric isprintable isspace istitle isupper join ljust " +
      "lower lstrip maketrans partition removeprefix removesuffix replace rfind rindex rjust rpartition rsplit " +
      "rstrip split splitlines startswith strip swapcase title translate upper zfill"
    ).split(" "),
  ),
  markup: new Set(["escape", "striptags", "unescape", "__html__", "__html_format__"]),
  list: new Set("append clear copy count extend index insert pop remove reverse sort".split(" ")),
  tuple: new Set(["count", "index"]),
  dict: new Set("clear copy fromkeys get items keys pop popitem setdefault update values".split(" ")),
  int: new Set(
    "as_integer_ratio bit_count bit_length conjugate denominator from_bytes imag numerator real to_bytes".split(" "),
  ),
  float: new Set("as_integer_ratio conjugate fromhex hex imag is_integer real".split(" ")),
};

/** `attr(obj, name)`: attribute lookup only (dict keys are not attributes). */
function doAttr(obj: unknown, name: unknown): unknown {
  if (obj === undefined) return undefinedError("value");
  if (!isStr(name)) return typeError(`attribute name must be string, not '${typeName(name)}'`);
  if (obj === null) return undefined;
  const n = raw(name);
  let methods: Set<string> | null = null;
  if (typeof obj === "string") methods = PY_METHODS.str;
  else if (isSafe(obj)) methods = PY_METHODS.markup.has(n) ? PY_METHODS.markup : PY_METHODS.str;
  else if (Array.isArray(obj)) methods = isTuple(obj) ? PY_METHODS.tuple : PY_METHODS.list;
  else if (isDict(obj)) methods = PY_METHODS.dict;
  else if (isIntLike(obj)) methods = PY_METHODS.int;
  else if (isPyFloat(obj)) methods = PY_METHODS.float;
  if (methods) {
    if (isGroupTuple(obj) && (n === "grouper" || n === "list")) return getattr(obj, n);
    return methods.has(n) ? getattr(obj, n) : undefined;
  }
  // host objects: their own attribute hook only (core getattr would fall back to item lookup)
  const hook = pyHook(obj, "__getattr__");
  if (hook) return hook(n);
  return getattr(obj, n);
}

/** `batch(value, linecount, fill_with=None)` → generator of lists. */
function doBatch(value: unknown, linecount: unknown, fillWith: unknown = null): LazyIter {
  return lazy(function* () {
    let tmp: unknown[] = [];
    for (const item of each(value)) {
      if (eq(tmp.length, linecount)) {
        yield tmp;
        tmp = [];
      }
      tmp.push(item);
    }
    if (tmp.length) {
      if (fillWith !== null && fillWith !== undefined && lt(tmp.length, linecount)) {
        const missing = toIndex(linecount, "linecount") - tmp.length;
        for (let i = 0; i < missing; i++) tmp.push(fillWith);
      }
      yield tmp;
    }
  });
}

/** `capitalize(s)` */
function doCapitalize(s: unknown): PyStr {
  const v = softStr(s);
  return asLike(v, pyCapitalize(raw(v)));
}

/** `center(value, width=80)` */
function doCenter(value: unknown, width: unknown = 80): PyStr {
  const v = softStr(value);
  return asLike(v, pyCenter(raw(v), toIndex(width, "width"), " "));
}

/** `count` / `length`: Python `len()` (generators raise). */
function doLength(obj: unknown): number {
  return len(obj);
}

/** `default(value, default_value='', boolean=False)` / `d` */
function doDefault(value: unknown, defaultValue: unknown = "", boolean: unknown = false): unknown {
  if (value === undefined || (truthy(boolean) && !truthy(value))) return defaultValue;
  return value;
}

/** `dictsort(value, case_sensitive=False, by='key', reverse=False)` → list of (key, value) tuples. */
function doDictsort(value: unknown, caseSensitive: unknown = false, by: unknown = "key", reverse: unknown = false): unknown[] {
  let pos: 0 | 1;
  if (eq(by, "key")) pos = 0;
  else if (eq(by, "value")) pos = 1;
  else return argError('You can only sort by either "key" or "value"');
  if (value === undefined) return undefinedError("value");
  if (!isDict(value)) return typeError(`'${typeName(value)}' object has no attribute 'items'`);
  const pairs = Object.keys(value).map((k) => tuple([k, value[k]]));
  const keys = pairs.map((p) => (truthy(caseSensitive) ? p[pos] : ignoreCase(p[pos])));
  return timsort(pairs, keys, lt, reverseFlag(reverse));
}

/** `escape` / `e`: MarkupSafe `escape` (no-op on Markup). */
function doEscape(s: unknown): SafeHtml {
  return escape(s);
}

const SIZE_PREFIXES = ["k", "M", "G", "T", "P", "E", "Z", "Y"];

/** `filesizeformat(value, binary=False)` */
function doFilesizeformat(value: unknown, binary: unknown = false): string {
  const bytes = toPyFloat(value);
  if (bytes === null) return typeError(`could not convert ${typeName(value)} to float: ${repr(value)}`);
  const bin = truthy(binary);
  const base = bin ? 1024 : 1000;
  if (bytes === 1) return "1 Byte";
  if (bytes < base) {
    if (!Number.isFinite(bytes)) return typeError("cannot convert float infinity to integer");
    return `${pyInt(Math.trunc(bytes))} Bytes`;
  }
  let text = "";
  for (let i = 0; i < SIZE_PREFIXES.length; i++) {
    const unit = bin ? 2 ** (10 * (i + 2)) : Number(`1e${3 * (i + 2)}`);
    const prefix = bin ? `${SIZE_PREFIXES[i]!.toUpperCase()}iB` : i === 0 ? "kB" : `${SIZE_PREFIXES[i]}B`;
    text = `${formatFixed((base * bytes) / unit, 1)} ${prefix}`;
    // Python compares the float with the exact int base ** (i + 2)
    const below = bin || 3 * (i + 2) <= 22 || !Number.isFinite(bytes) ? bytes < unit : BigInt(bytes) < 10n ** BigInt(3 * (i + 2));
    if (below) return text;
  }
  return text;
}

/** `first(seq)`; empty → Undefined. */
function doFirst(seq: unknown): unknown {
  if (seq === undefined) return undefined;
  return firstOf(seq);
}

/** `float(value, default=0.0)` */
function doFloat(value: unknown, dflt: unknown = undefined): unknown {
  const f = toPyFloat(value);
  if (f === null) return dflt === undefined ? pyfloat(0) : dflt;
  return pyfloat(f);
}

/** `forceescape(value)`: `__html__()` then escape again. */
function doForceescape(value: unknown): SafeHtml {
  return escape(htmlOf(value) ?? pyStr(value));
}

/** `format(value, *args, **kwargs)`: printf-style `value % args` (or `% kwargs`). */
function doFormat(value: unknown, args: readonly unknown[] = [], kwargs: Kwargs = {}): unknown {
  const hasKw = Object.keys(kwargs).length > 0;
  if (args.length && hasKw) return argError("can't handle positional and keyword arguments at the same time");
  const operand = hasKw ? Object.assign(Object.create(null) as Record<string, unknown>, kwargs) : tuple([...args]);
  return mod(softStr(value), operand);
}

/** `groupby(value, attribute, default=None, case_sensitive=False)` → list of `(grouper, list)` tuples. */
function doGroupby(value: unknown, attribute: unknown, dflt: unknown = null, caseSensitive: unknown = false): unknown[] {
  const cs = truthy(caseSensitive);
  const expr = makeAttrGetter(attribute, cs ? null : ignoreCase, dflt);
  const seq = items(value);
  const sorted = timsort(seq, seq.map(expr), lt, false);
  const groups: { key: unknown; list: unknown[] }[] = [];
  for (const item of sorted) {
    const k = expr(item);
    const last = groups[groups.length - 1];
    if (last && eq(last.key, k)) last.list.push(item);
    else groups.push({ key: k, list: [item] });
  }
  const output = cs ? null : makeAttrGetter(attribute, null, dflt);
  return groups.map((g) => groupTuple(output ? output(g.list[0]) : g.key, g.list));
}

/** `indent(s, width=4, first=False, blank=False)`; `autoescape` is accepted for the calling convention only. */
function doIndent(s: unknown, width: unknown = 4, first: unknown = false, blank: unknown = false, _autoescape = true): PyStr {
  if (s === undefined) return undefinedError("value");
  if (!isStr(s)) return typeError(`unsupported operand type(s) for +: '${typeName(s)}' and 'str'`);
  let indention: PyStr = isStr(width) ? width : " ".repeat(Math.max(0, toIndex(width, "width")));
  let newline: PyStr = "\n";
  if (isSafe(s)) {
    indention = isSafe(indention) ? indention : markup(indention);
    newline = markup("\n");
  }
  const text = strAdd(s, newline);
  const lines = splitlines(raw(text)).map((l) => asLike(text, l));
  let rv: PyStr;
  if (truthy(blank)) {
    rv = strJoin(strAdd(newline, indention), lines);
  } else {
    rv = lines.shift()!;
    if (lines.length) {
      rv = strAdd(rv, strAdd(newline, strJoin(newline, lines.map((l) => (raw(l) ? strAdd(indention, l) : l)))));
    }
  }
  if (truthy(first)) rv = strAdd(indention, rv);
  return rv;
}

/** `int(value, default=0, base=10)` */
function doInt(value: unknown, dflt: unknown = 0, base: unknown = 10): unknown {
  if (value === undefined) return undefinedError("value");
  if (isStr(value)) {
    const text = raw(value);
    const b = isIntLike(base) ? numVal(base) : NaN;
    const n = Number.isNaN(b) ? null : parseIntStr(text, b);
    if (n !== null) return n === 0 ? 0 : n;
    // "this quirk is necessary so that "42.23"|int gives 42": int(float(value))
    const f = parseFloatStr(text);
    if (f === null || !Number.isFinite(f)) return dflt;
    return pyInt(Math.trunc(f));
  }
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "bigint") return value;
  if (isNumber(value)) {
    const f = numVal(value);
    if (Number.isNaN(f)) return dflt;
    if (!Number.isFinite(f)) return typeError("cannot convert float infinity to integer");
    return pyInt(Math.trunc(f));
  }
  return dflt;
}

/** `join(value, d='', attribute=None)` with Jinja's Markup rules under autoescape. */
function doJoin(value: unknown, d: unknown = "", attribute: unknown = null, autoescape = true): PyStr {
  let seq = items(value);
  if (attribute !== null && attribute !== undefined) seq = seq.map(makeAttrGetter(attribute));
  if (!autoescape) return seq.map(pyStr).join(pyStr(d));
  if (!isSafe(d)) {
    const doEsc = seq.some((x) => isSafe(x));
    const parts = seq.map((x) => (isSafe(x) ? x : pyStr(x)));
    return strJoin(doEsc ? escape(d) : pyStr(d), parts);
  }
  return strJoin(d, seq.map(softStr));
}

/** `last(seq)`: needs a reversible sequence (a generator raises). */
function doLast(seq: unknown): unknown {
  if (seq === undefined) return undefined;
  if (typeof seq === "string" || isSafe(seq)) {
    // reversed() indexes the str: Markup.__getitem__ keeps Markup (iter() would give plain chars)
    const a = cps(raw(seq));
    return a.length ? asLike(seq, a[a.length - 1]!) : undefined;
  }
  if (Array.isArray(seq)) return seq[seq.length - 1];
  if (isDict(seq)) {
    const keys = Object.keys(seq);
    return keys[keys.length - 1];
  }
  if (seq instanceof DictView) {
    const a = seq.toArray();
    return a[a.length - 1];
  }
  return typeError(`'${typeName(seq)}' object is not reversible`);
}

/** `list(value)` */
function doList(value: unknown): unknown[] {
  return [...items(value)];
}

/** `lower(s)` */
function doLower(s: unknown): PyStr {
  const v = softStr(s);
  return asLike(v, raw(v).toLowerCase());
}

/** `items(value)` → generator of (key, value) tuples. */
function doItems(value: unknown): LazyIter {
  return lazy(function* () {
    if (value === undefined) return;
    if (!isDict(value)) return typeError("Can only get item pairs from a mapping.");
    for (const k of Object.keys(value)) yield tuple([k, value[k]]);
  });
}

/**
 * `map(value, *args, **kwargs)`: `map("filter", ...args)` or `map(attribute=..., default=...)`; a generator.
 * `autoescape` (an addition to Jinja's signature) is the autoescape state the mapped filter sees.
 */
function doMap(value: unknown, args: readonly unknown[] = [], kwargs: Kwargs = {}, autoescape = true): LazyIter {
  return lazy(function* () {
    if (!truthy(value)) return;
    let func: Getter;
    const kw: Kwargs = { ...kwargs };
    if (args.length === 0 && "attribute" in kw) {
      const attribute = kw["attribute"];
      const dflt = "default" in kw ? kw["default"] : null;
      delete kw["attribute"];
      delete kw["default"];
      const extra = Object.keys(kw);
      if (extra.length) argError(`Unexpected keyword argument ${repr(extra[0])}`);
      func = makeAttrGetter(attribute, null, dflt);
    } else {
      if (args.length === 0) argError("map requires a filter argument");
      const [name, ...rest] = args;
      func = (item) => callFilter(name, item, rest, kw, autoescape);
    }
    for (const item of each(value)) yield func(item);
  });
}

function minOrMax(value: unknown, op: (a: unknown, b: unknown) => boolean, caseSensitive: unknown, attribute: unknown): unknown {
  const seq = items(value);
  if (seq.length === 0) return undefined;
  const key = makeAttrGetter(attribute, truthy(caseSensitive) ? null : ignoreCase);
  let best = seq[0];
  let bestKey = key(best);
  for (let i = 1; i < seq.length; i++) {
    const k = key(seq[i]);
    if (op(k, bestKey)) {
      best = seq[i];
      bestKey = k;
    }
  }
  return best;
}

/** `min(value, case_sensitive=False, attribute=None)`; empty → Undefined. */
function doMin(value: unknown, caseSensitive: unknown = false, attribute: unknown = null): unknown {
  return minOrMax(value, lt, caseSensitive, attribute);
}

/** `max(value, case_sensitive=False, attribute=None)`; empty → Undefined. */
function doMax(value: unknown, caseSensitive: unknown = false, attribute: unknown = null): unknown {
  return minOrMax(value, gt, caseSensitive, attribute);
}

/** `random(seq)`: not reproducible; the converter rejects it at compile time. */
function doRandom(_seq: unknown): never {
  throw new TemplateRuntimeError("the |random filter is not reproducible and is not supported");
}

/** `select`/`reject`/`selectattr`/`rejectattr` (`select_or_reject`): generators. */
function selectOrReject(value: unknown, args: readonly unknown[], kwargs: Kwargs, negate: boolean, lookupAttr: boolean): LazyIter {
  return lazy(function* () {
    if (!truthy(value)) return;
    let trans: Getter = (x) => x;
    let off = 0;
    if (lookupAttr) {
      if (args.length < 1) argError("Missing parameter for attribute name");
      trans = makeAttrGetter(args[0]);
      off = 1;
    }
    let test: Getter = truthy;
    if (args.length > off) {
      const name = args[off];
      const rest = args.slice(off + 1);
      test = (item) => callTest(name, item, rest, kwargs);
    }
    for (const item of each(value)) {
      const ok = truthy(test(trans(item)));
      if (ok !== negate) yield item;
    }
  });
}

/** `reject(value, *args)` */
function doReject(value: unknown, args: readonly unknown[] = [], kwargs: Kwargs = {}): LazyIter {
  return selectOrReject(value, args, kwargs, true, false);
}

/** `rejectattr(value, attribute, *args)` */
function doRejectattr(value: unknown, args: readonly unknown[] = [], kwargs: Kwargs = {}): LazyIter {
  return selectOrReject(value, args, kwargs, true, true);
}

/** `select(value, *args)` */
function doSelect(value: unknown, args: readonly unknown[] = [], kwargs: Kwargs = {}): LazyIter {
  return selectOrReject(value, args, kwargs, false, false);
}

/** `selectattr(value, attribute, *args)` */
function doSelectattr(value: unknown, args: readonly unknown[] = [], kwargs: Kwargs = {}): LazyIter {
  return selectOrReject(value, args, kwargs, false, true);
}

/** `replace(s, old, new, count=None)` with Jinja's Markup rules under autoescape. */
function doReplace(s: unknown, old: unknown, rep: unknown, count: unknown = null, autoescape = true): PyStr {
  const n = count === null || count === undefined ? -1 : toIndex(count, "count");
  if (!autoescape) return pyReplace(pyStr(s), pyStr(old), pyStr(rep), n);
  const subject: PyStr = isSafe(old) || (isSafe(rep) && !isSafe(s)) ? escape(s) : softStr(s);
  if (isSafe(subject)) return markup(pyReplace(subject.html, raw(softStr(old)), escape(softStr(rep)).html, n));
  return pyReplace(subject, raw(softStr(old)), raw(softStr(rep)), n);
}

/** `reverse(value)`: reversed str, a reverse iterator for sequences, else a reversed list. */
function doReverse(value: unknown): unknown {
  if (typeof value === "string") return cps(value).reverse().join("");
  if (isSafe(value)) return markup(cps(value.html).reverse().join(""));
  if (Array.isArray(value)) {
    const src = value;
    return lazy(function* () {
      for (let i = src.length - 1; i >= 0; i--) if (i < src.length) yield src[i];
    }, isTuple(src) ? "reversed" : "list_reverseiterator");
  }
  if (isDict(value)) {
    const keys = Object.keys(value);
    return lazy(function* () {
      yield* keys.reverse();
    }, "dict_reversekeyiterator");
  }
  if (value instanceof DictView) {
    const a = value.toArray();
    return lazy(function* () {
      yield* a.reverse();
    }, `dict_reverse${value.kind === "keys" ? "key" : value.kind === "values" ? "value" : "item"}iterator`);
  }
  if (value === undefined) return lazy(function* () {}, "reversed");
  if (value === null || isNumber(value)) return argError("argument must be iterable");
  try {
    return items(value).slice().reverse();
  } catch (e) {
    if (e instanceof TemplateTypeError) return argError("argument must be iterable");
    throw e;
  }
}

/** `round(value, precision=0, method='common')` */
function doRound(value: unknown, precision: unknown = 0, method: unknown = "common"): unknown {
  const m = isStr(method) ? raw(method) : null;
  if (m !== "common" && m !== "ceil" && m !== "floor") return argError("method must be common, ceil or floor");
  if (value === undefined) return undefinedError("value");
  if (m === "common") {
    if (!isNumber(value)) return typeError(`type ${typeName(value)} doesn't define __round__ method`);
    if (precision === null) {
      // round(x, None) == round(x): an int
      if (typeof value === "bigint") return value;
      const x = numVal(value);
      if (!Number.isFinite(x)) return typeError("cannot convert float NaN or infinity to integer");
      return pyInt(roundFloat(x, 0));
    }
    const nd = toIndex(precision, "precision");
    if (isIntLike(value)) {
      const n = typeof value === "boolean" ? Number(value) : value;
      return nd >= 0 ? n : roundInt(n, nd);
    }
    return pyfloat(roundFloat(numVal(value), nd));
  }
  if (!isNumber(value)) return typeError(`must be real number, not ${typeName(value)}`);
  // math.ceil/floor(value * 10**precision) / 10**precision, with Python's int/float typing
  if (isIntLike(precision) && numVal(precision) >= 0) {
    const p = numVal(precision);
    // int * int is exact and ceil/floor of it is itself: int / int gives float(value)
    if (isIntLike(value)) return pyfloat(numVal(value));
    const product = numVal(value) * Number(`1e${p}`);
    if (Number.isNaN(product)) return typeError("cannot convert float NaN to integer");
    if (!Number.isFinite(product)) return typeError("cannot convert float infinity to integer");
    const r = m === "ceil" ? Math.ceil(product) : Math.floor(product);
    // int / int: the correctly rounded quotient of the exact integers
    return pyfloat(p <= 22 ? (r || 0) / Number(`1e${p}`) : bigDiv(BigInt(r), 10n ** BigInt(p)));
  }
  let scale: number;
  if (isIntLike(precision)) scale = Number(`1e${numVal(precision)}`);
  else if (isNumber(precision)) scale = 10 ** numVal(precision);
  else return typeError(`unsupported operand type(s) for ** or pow(): 'int' and '${typeName(precision)}'`);
  const product = numVal(value) * scale;
  if (Number.isNaN(product)) return typeError("cannot convert float NaN to integer");
  if (!Number.isFinite(product)) return typeError("cannot convert float infinity to integer");
  const r = m === "ceil" ? Math.ceil(product) : Math.floor(product);
  return pyfloat((r || 0) / scale);
}

/** Python `int / int`: the exact quotient rounded to the nearest double (ties to even). */
function bigDiv(a: bigint, b: bigint): number {
  if (b < 0n) {
    a = -a;
    b = -b;
  }
  const neg = a < 0n;
  if (neg) a = -a;
  if (a === 0n) return 0;
  const shift = b.toString(2).length - a.toString(2).length + 55;
  const num = shift >= 0 ? a << BigInt(shift) : a;
  const den = shift >= 0 ? b : b << BigInt(-shift);
  const q = ((num / den) << 1n) | (num % den === 0n ? 0n : 1n);
  const r = Number(q) * 2 ** -(shift + 1);
  return neg ? -r : r;
}

/** `safe(value)`: Markup without escaping. */
function doSafe(value: unknown): SafeHtml {
  return isSafe(value) ? value : markup(htmlOf(value) ?? pyStr(value));
}

/** `slice(value, slices, fill_with=None)` → generator of `slices` lists. */
function doSlice(value: unknown, slices: unknown, fillWith: unknown = null): LazyIter {
  return lazy(function* () {
    const seq = items(value);
    const length = seq.length;
    const n = toIndex(slices, "slices");
    if (n === 0) typeError("integer division or modulo by zero");
    const perSlice = Math.floor(length / n);
    const withExtra = length - perSlice * n;
    let offset = 0;
    for (let i = 0; i < n; i++) {
      const start = offset + i * perSlice;
      if (i < withExtra) offset += 1;
      const end = offset + (i + 1) * perSlice;
      const tmp = seq.slice(start, end);
      if (fillWith !== null && fillWith !== undefined && i >= withExtra) tmp.push(fillWith);
      yield tmp;
    }
  });
}

/** `sort(value, reverse=False, case_sensitive=False, attribute=None)`: stable, Python ordering. */
function doSort(value: unknown, reverse: unknown = false, caseSensitive: unknown = false, attribute: unknown = null): unknown[] {
  const key = makeMultiAttrGetter(attribute, truthy(caseSensitive) ? null : ignoreCase);
  const seq = items(value);
  return timsort(seq, seq.map(key), listLt, reverseFlag(reverse));
}

/** `string(value)`: `str()` that keeps Markup. */
function doString(s: unknown): PyStr {
  return softStr(s);
}

/** Windows-1252 replacements of `html._invalid_charrefs` for &#128;–&#159; (index 0 = 0x80). */
const CP1252 = "\u20ac\x81\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\x8d\u017d\x8f" +
  "\x90\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\x9d\u017e\u0178";

/** `html._replace_charref` for a numeric reference (`#65;`, `#x41`). */
function numericCharref(ref: string): string {
  const hex = ref[1] === "x" || ref[1] === "X";
  const digits = ref.slice(hex ? 2 : 1).replace(/;$/, "").replace(/^0+/, "");
  const n = digits.length > 8 ? Infinity : parseInt(digits || "0", hex ? 16 : 10);
  if (n === 0) return "\ufffd";
  if (n === 0x0d) return "\r";
  if (n >= 0x80 && n <= 0x9f) return CP1252[n - 0x80]!;
  if ((n >= 0xd800 && n <= 0xdfff) || n > 0x10ffff) return "\ufffd";
  if ((n >= 0x1 && n <= 0x8) || n === 0xb || (n >= 0xe && n <= 0x1f) || n === 0x7f || (n >= 0xfdd0 && n <= 0xfdef) || (n & 0xfffe) === 0xfffe) {
    return "";
  }
  return String.fromCodePoint(n);
}

const CHARREF = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/g;

/**
 * Python `html.unescape`: numeric references as Python maps them (invalid code points dropped), named ones
 * through the HTML5 table with the longest-prefix rule (`&notit;` → `¬it;`), which `decodeEntities` implements.
 */
function htmlUnescape(s: string): string {
  if (!s.includes("&")) return s;
  return s.replace(CHARREF, (m: string, ref: string) => (ref[0] === "#" ? numericCharref(ref) : decodeEntities(m, false)));
}

/** `striptags(value)`: drop comments and tags, collapse whitespace, unescape entities → plain str. */
function doStriptags(value: unknown): string {
  let v = htmlOf(value) ?? pyStr(value);
  for (;;) {
    const start = v.indexOf("<!--");
    if (start < 0) break;
    const end = v.indexOf("-->", start);
    if (end < 0) break;
    v = v.slice(0, start) + v.slice(end + 3);
  }
  for (;;) {
    const start = v.indexOf("<");
    if (start < 0) break;
    const end = v.indexOf(">", start);
    if (end < 0) break;
    v = v.slice(0, start) + v.slice(end + 1);
  }
  return htmlUnescape(splitWs(v).join(" "));
}

/**
 * `sum(iterable, attribute=None, start=0)`: Python `sum`, i.e. plain left-to-right `+` as in CPython 3.11.
 * (CPython ≥ 3.12 compensates float sums — `[0.1]*10` gives `1.0` there, `0.9999999999999999` here and on 3.11.)
 */
function doSum(iterable: unknown, attribute: unknown = null, start: unknown = 0): unknown {
  let seq = items(iterable);
  if (isStr(start)) return typeError("sum() can't sum strings [use ''.join(seq) instead]");
  if (attribute !== null && attribute !== undefined) seq = seq.map(makeAttrGetter(attribute));
  let rv = start;
  for (const x of seq) rv = add(rv, x);
  return rv;
}

const TITLE_SPLIT = new RegExp(`([-${WS}({\\[<]+)`, "u");

/** `title(s)`: `w[0].upper() + w[1:].lower()` per piece of `([-\s({\[<]+)`; returns a plain str. */
function doTitle(s: unknown): string {
  return raw(softStr(s))
    .split(TITLE_SPLIT)
    .filter((item) => item !== "")
    .map((item) => {
      const a = cps(item);
      return a[0]!.toUpperCase() + a.slice(1).join("").toLowerCase();
    })
    .join("");
}

/** `trim(value, chars=None)`: `str.strip(chars)`. */
function doTrim(value: unknown, chars: unknown = null): PyStr {
  const v = softStr(value);
  const set = chars === null || chars === undefined ? null : isStr(chars) ? raw(chars) : typeError("strip arg must be None or str");
  return asLike(v, pyStrip(raw(v), set));
}

/** `truncate(s, length=255, killwords=False, end='...', leeway=None)` (leeway policy 5). */
function doTruncate(s: unknown, length: unknown = 255, killwords: unknown = false, end: unknown = "...", leeway: unknown = null): unknown {
  const lw = leeway === null || leeway === undefined ? 5 : numVal(leeway);
  const len = numVal(length);
  const endLen = doLength(end);
  if (!(len >= endLen)) throw new TemplateError(`expected length >= ${endLen}, got ${len}`);
  if (!(lw >= 0)) throw new TemplateError(`expected leeway >= 0, got ${lw}`);
  if (doLength(s) <= len + lw) return s;
  if (!isStr(s)) return typeError(`cannot truncate a ${typeName(s)}`);
  if (!isStr(end)) return typeError(`can only concatenate str (not "${typeName(end)}") to str`);
  const cut = cpSlice(raw(s), 0, toIndex(length, "length") - endLen);
  if (truthy(killwords)) return strAdd(asLike(s, cut), end);
  const i = cut.lastIndexOf(" ");
  return strAdd(asLike(s, i < 0 ? cut : cut.slice(0, i)), end);
}

/** `unique(value, case_sensitive=False, attribute=None)`: generator, first occurrence kept. */
function doUnique(value: unknown, caseSensitive: unknown = false, attribute: unknown = null): LazyIter {
  return lazy(function* () {
    const key = makeAttrGetter(attribute, truthy(caseSensitive) ? null : ignoreCase);
    const seen = new Set<string>();
    const ids = new Map<object, number>();
    for (const item of each(value)) {
      const h = hashKey(key(item), ids);
      if (!seen.has(h)) {
        seen.add(h);
        yield item;
      }
    }
  });
}

/** `upper(s)` */
function doUpper(s: unknown): PyStr {
  const v = softStr(s);
  return asLike(v, raw(v).toUpperCase());
}

const URL_SAFE = /[A-Za-z0-9_.\-~]/;

/** `jinja2.utils.url_quote`: UTF-8 percent-encoding; `for_qs` quotes "/" and turns spaces into "+". */
function urlQuote(obj: unknown, forQs: boolean): string {
  const s = pyStr(obj);
  if (/[\ud800-\udfff]/u.test(s)) typeError("'utf-8' codec can't encode character: surrogates not allowed");
  let out = "";
  for (const byte of new TextEncoder().encode(s)) {
    const c = String.fromCharCode(byte);
    if (byte < 128 && (URL_SAFE.test(c) || (!forQs && c === "/"))) out += c;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return forQs ? out.replaceAll("%20", "+") : out;
}

/** `urlencode(value)`: a str is path-quoted; a dict or iterable of pairs becomes a query string. */
function doUrlencode(value: unknown): string {
  const iterable =
    value === undefined || Array.isArray(value) || isDict(value) || value instanceof LazyIter ||
    value instanceof LoopContext || value instanceof DictView || pyHook(value, "__iter__") !== undefined;
  if (isStr(value) || !iterable) return urlQuote(value, false);
  const pairs = isDict(value) ? Object.keys(value).map((k) => [k, value[k]]) : items(value).map((p) => unpack(p, 2));
  return pairs.map(([k, v]) => `${urlQuote(k, true)}=${urlQuote(v, true)}`).join("&");
}

// ---------------------------------------------------------------------------- urlize (jinja2.utils.urlize)

const W = "\\p{L}\\p{N}_";
const D = "\\p{Nd}";
const HTTP_RE = new RegExp(
  "^(" +
    `(https?://|www\\.)(([${W}%-]+\\.)+)?([a-z]{2,63}|xn--[${W}%]{2,59})` +
    `|([${W}%-]{2,63}\\.)+(com|net|int|edu|gov|org|info|mil)` +
    `|(https?://)((([${D}]{1,3})(\\.[${D}]{1,3}){3})|(\\[([${D}a-f]{0,4}:){2}([${D}a-f]{0,4}:?){1,6}\\]))` +
    `)(?::[${D}]{1,5})?(?:[/?#][^${WS}]*)?$`,
  "iu",
);
const EMAIL_RE = new RegExp(`^[^${WS}]+@[${W}][${W}.\\-]*\\.[${W}]+$`, "u");
const URI_SCHEME_RE = new RegExp(`^([${W}.+\\-]{2,}:(/){0,2})$`, "u");
const URLIZE_SPLIT = new RegExp(`([${WS}]+)`, "u");

function urlizeText(
  text: string,
  trimUrlLimit: unknown,
  rel: string | null,
  target: PyStr | null,
  extraSchemes: string[] | null,
): string {
  const trimUrl = (x: string): string =>
    trimUrlLimit !== null && trimUrlLimit !== undefined && gt(cpLen(x), trimUrlLimit)
      ? `${cpSlice(x, 0, toIndex(trimUrlLimit, "trim_url_limit"))}...`
      : x;
  const words = text.split(URLIZE_SPLIT);
  const relAttr = rel ? ` rel="${escape(rel).html}"` : "";
  const targetAttr = target ? ` target="${escape(target).html}"` : "";
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    let head = "";
    let middle = word;
    let tail = "";
    let m = /^([(<]|&lt;)+/.exec(middle);
    if (m) {
      head = m[0];
      middle = middle.slice(m[0].length);
    }
    if ([")", ">", ".", ",", "\n", "&gt;"].some((e) => middle.endsWith(e))) {
      m = /([)>.,\n]|&gt;)+$/.exec(middle);
      if (m) {
        tail = m[0];
        middle = middle.slice(0, m.index);
      }
    }
    for (const [startChar, endChar] of [["(", ")"], ["<", ">"], ["&lt;", "&gt;"]] as const) {
      const startCount = countOf(middle, startChar);
      if (startCount <= countOf(middle, endChar)) continue;
      const times = Math.min(startCount, countOf(tail, endChar));
      for (let t = 0; t < times; t++) {
        const endIndex = tail.indexOf(endChar) + endChar.length;
        middle += tail.slice(0, endIndex);
        tail = tail.slice(endIndex);
      }
    }
    if (HTTP_RE.test(middle)) {
      if (middle.startsWith("https://") || middle.startsWith("http://")) {
        middle = `<a href="${middle}"${relAttr}${targetAttr}>${trimUrl(middle)}</a>`;
      } else {
        middle = `<a href="https://${middle}"${relAttr}${targetAttr}>${trimUrl(middle)}</a>`;
      }
    } else if (middle.startsWith("mailto:") && EMAIL_RE.test(middle.slice(7))) {
      middle = `<a href="${middle}">${middle.slice(7)}</a>`;
    } else if (
      middle.includes("@") &&
      !middle.startsWith("www.") &&
      !middle.startsWith("@") &&
      !middle.includes(":") &&
      EMAIL_RE.test(middle)
    ) {
      middle = `<a href="mailto:${middle}">${middle}</a>`;
    } else if (extraSchemes !== null) {
      for (const scheme of extraSchemes) {
        if (middle !== scheme && middle.startsWith(scheme)) {
          middle = `<a href="${middle}"${relAttr}${targetAttr}>${middle}</a>`;
        }
      }
    }
    words[i] = `${head}${middle}${tail}`;
  }
  return words.join("");
}

/** `urlize(value, trim_url_limit=None, nofollow=False, target=None, rel=None, extra_schemes=None)` */
function doUrlize(
  value: unknown,
  trimUrlLimit: unknown = null,
  nofollow: unknown = false,
  target: unknown = null,
  rel: unknown = null,
  extraSchemes: unknown = null,
  autoescape = true,
): PyStr {
  // Python: `(rel or "").split()`: a truthy non-string has no `split`
  if (truthy(rel) && !isStr(rel)) typeError(`'${typeName(rel)}' object has no attribute 'split'`);
  const relParts = new Set(truthy(rel) ? splitWs(raw(rel as PyStr)) : []);
  if (truthy(nofollow)) relParts.add("nofollow");
  relParts.add("noopener"); // policies["urlize.rel"]
  const relText = [...relParts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join(" ") || null;
  const schemes = extraSchemes === null || extraSchemes === undefined ? [] : items(extraSchemes).map(pyStr);
  for (const scheme of schemes) {
    if (!URI_SCHEME_RE.test(scheme)) argError(`${repr(scheme)} is not a valid URI scheme prefix.`);
  }
  const rv = urlizeText(
    escape(value).html,
    trimUrlLimit,
    relText,
    target === null || target === undefined || !truthy(target) ? null : softStr(target),
    schemes,
  );
  return autoescape ? markup(rv) : rv;
}

/** `wordcount(s)`: number of Unicode `\w+` runs. */
function doWordcount(s: unknown): number {
  return (raw(softStr(s)).match(/[\p{L}\p{N}_]+/gu) ?? []).length;
}

// ---------------------------------------------------------------------------- wordwrap (textwrap.TextWrapper)

const TW_WS = "[\\t\\n\\x0b\\x0c\\r ]";
const TW_NWS = "[^\\t\\n\\x0b\\x0c\\r ]";
const TW_WORD = `[${W}]`;
const TW_PUNCT = `[${W}!"'&.,?]`;
const TW_LETTER = "[\\p{L}\\p{Nl}\\p{No}_]"; // [^\d\W]
const WORDSEP_RE = new RegExp(
  `(${TW_WS}+` +
    `|(?<=${TW_PUNCT})-{2,}(?=${TW_WORD})` +
    `|${TW_NWS}+?(?:` +
    `-(?:(?<=${TW_LETTER}{2}-)|(?<=${TW_LETTER}-${TW_LETTER}-))(?=${TW_LETTER}-?${TW_LETTER})` +
    `|(?=${TW_WS}|$)` +
    `|(?<=${TW_PUNCT})(?=-{2,}${TW_WORD})` +
    "))",
  "u",
);
const WORDSEP_SIMPLE_RE = new RegExp(`(${TW_WS}+)`, "u");

/** `textwrap.wrap(text, width, expand_tabs=False, replace_whitespace=False, ...)` */
function textwrap(text: string, width: number, breakLongWords: boolean, breakOnHyphens: unknown): string[] {
  const sliceIndex = (n: number): number => (Number.isInteger(n) ? n : typeError("slice indices must be integers or None"));
  const chunks = text.split(breakOnHyphens === true ? WORDSEP_RE : WORDSEP_SIMPLE_RE).filter((c) => c !== "");
  const lines: string[] = [];
  if (width <= 0) typeError(`invalid width ${width} (must be > 0)`);
  const isBlank = (c: string): boolean => pyStrip(c, null) === "";
  chunks.reverse();
  while (chunks.length) {
    const curLine: string[] = [];
    let curLen = 0;
    if (isBlank(chunks[chunks.length - 1]!) && lines.length) chunks.pop();
    while (chunks.length) {
      const l = cpLen(chunks[chunks.length - 1]!);
      if (curLen + l <= width) {
        curLine.push(chunks.pop()!);
        curLen += l;
      } else break;
    }
    if (chunks.length && cpLen(chunks[chunks.length - 1]!) > width) {
      // _handle_long_word
      const spaceLeft = width < 1 ? 1 : width - curLen;
      if (breakLongWords) {
        let end = spaceLeft;
        const chunk = cps(chunks[chunks.length - 1]!);
        if (truthy(breakOnHyphens) && chunk.length > spaceLeft) {
          const hyphen = chunk.slice(0, Math.max(0, sliceIndex(spaceLeft))).lastIndexOf("-");
          if (hyphen > 0 && chunk.slice(0, hyphen).some((c) => c !== "-")) end = hyphen + 1;
        }
        end = sliceIndex(end);
        curLine.push(chunk.slice(0, end < 0 ? Math.max(0, chunk.length + end) : end).join(""));
        chunks[chunks.length - 1] = chunk.slice(end < 0 ? Math.max(0, chunk.length + end) : end).join("");
      } else if (!curLine.length) {
        curLine.push(chunks.pop()!);
      }
      curLen = curLine.reduce((n, c) => n + cpLen(c), 0);
    }
    if (curLine.length && isBlank(curLine[curLine.length - 1]!)) {
      curLen -= cpLen(curLine[curLine.length - 1]!);
      curLine.pop();
    }
    if (curLine.length) lines.push(curLine.join(""));
  }
  return lines;
}

/** `wordwrap(s, width=79, break_long_words=True, wrapstring=None, break_on_hyphens=True)` */
function doWordwrap(
  s: unknown,
  width: unknown = 79,
  breakLongWords: unknown = true,
  wrapstring: unknown = null,
  breakOnHyphens: unknown = true,
  _autoescape = true,
): PyStr {
  if (s === undefined) return undefinedError("value");
  if (!isStr(s)) return typeError(`'${typeName(s)}' object has no attribute 'splitlines'`);
  const sep: PyStr = wrapstring === null || wrapstring === undefined ? "\n" : isStr(wrapstring) ? wrapstring : typeError("wrapstring must be a str");
  // the width is only looked at when there is a line to wrap
  const paragraphs = splitlines(raw(s)).map((line) => strJoin(sep, textwrap(line, numVal(width), truthy(breakLongWords), breakOnHyphens)));
  return strJoin(sep, paragraphs);
}

/** `xmlattr(d, autospace=True)`: ` k="v"` pairs, None/Undefined values skipped. */
function doXmlattr(d: unknown, autospace: unknown = true, autoescape = true): PyStr {
  if (d === undefined) return undefinedError("value");
  if (!isDict(d)) return typeError(`'${typeName(d)}' object has no attribute 'items'`);
  const out: string[] = [];
  for (const key of Object.keys(d)) {
    const value = d[key];
    if (value === null || value === undefined) continue;
    if (/[ \t\n\r\f\v/>=]/.test(key)) typeError(`Invalid character in attribute name: ${repr(key)}`);
    out.push(`${escape(key).html}="${escape(value).html}"`);
  }
  let rv = out.join(" ");
  if (truthy(autospace) && rv) rv = ` ${rv}`;
  return autoescape ? markup(rv) : rv;
}

// ---------------------------------------------------------------------------- tojson (Flask app.json.dumps)

function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i]!;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else out += `\\u${c.toString(16).padStart(4, "0")}`;
  }
  return `${out}"`;
}

/** Python `int.__repr__` of an integral JS number. */
function intRepr(n: number): string {
  return Number.isSafeInteger(n) ? String(n === 0 ? 0 : n) : BigInt(n).toString();
}

/** `json.dumps(obj, sort_keys=True, ensure_ascii=True, indent=indent, default=flask_default)` */
function jsonDumps(obj: unknown, indent: string | null): string {
  const itemSep = indent === null ? ", " : ",";
  const stack = new Set<object>();
  const enc = (v: unknown, level: number): string => {
    if (v === null) return "null";
    if (v === true) return "true";
    if (v === false) return "false";
    if (typeof v === "string") return jsonString(v);
    if (isSafe(v)) return jsonString(v.html);
    if (typeof v === "bigint") return bigintText(v);
    if (isNumber(v)) {
      const n = numVal(v);
      if (isInt(v)) return intRepr(n);
      if (Number.isNaN(n)) return "NaN";
      if (!Number.isFinite(n)) return n > 0 ? "Infinity" : "-Infinity";
      return floatRepr(n);
    }
    let entries: string[];
    let open: string;
    let close: string;
    if (isRange(v)) typeError("Object of type range is not JSON serializable");
    if (Array.isArray(v) || isDict(v)) {
      if (stack.has(v)) typeError("Circular reference detected");
      stack.add(v);
      const inner = indent === null ? null : `\n${indent.repeat(level + 1)}`;
      if (Array.isArray(v)) {
        [open, close] = ["[", "]"];
        entries = v.map((x) => enc(x, level + 1));
      } else {
        [open, close] = ["{", "}"];
        const keys = Object.keys(v).sort(codePointCompare);
        entries = keys.map((k) => `${jsonString(k)}: ${enc(v[k], level + 1)}`);
      }
      stack.delete(v);
      if (!entries.length) return open + close;
      if (inner === null) return open + entries.join(itemSep) + close;
      return `${open}${inner}${entries.join(itemSep + inner)}\n${indent!.repeat(level)}${close}`;
    }
    // Flask's default(): objects with __html__ serialise as that string
    const h = htmlOf(v);
    if (h !== null) return jsonString(h);
    return typeError(`Object of type ${typeName(v)} is not JSON serializable`);
  };
  return enc(obj, 0);
}

/** Compare strings by code point (Python `str` ordering). */
function codePointCompare(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/** `tojson(value, indent=None)`: Flask's JSON with `< > & '` escaped; always Markup. */
function doTojson(value: unknown, indent: unknown = null, _autoescape = true): SafeHtml {
  if (value === undefined) return typeError("Object of type Undefined is not JSON serializable");
  let ind: string | null = null;
  // JSONEncoder.encode() returns a top-level str before looking at `indent`.
  if (indent !== null && indent !== undefined && !isStr(value)) {
    ind = isStr(indent) ? raw(indent) : " ".repeat(Math.max(0, toIndex(indent, "indent")));
  }
  const text = jsonDumps(value, ind)
    .replaceAll("<", "\\u003c")
    .replaceAll(">", "\\u003e")
    .replaceAll("&", "\\u0026")
    .replaceAll("'", "\\u0027");
  return markup(text);
}

// ---------------------------------------------------------------------------- pprint (pprint.pformat)

const PP_WIDTH = 80;

/** `PrettyPrinter._safe_repr` with sorted dict keys (other objects use their `repr`). */
function ppRepr(v: unknown): string {
  if (isDict(v)) {
    const keys = Object.keys(v).sort(codePointCompare);
    if (!keys.length) return "{}";
    return `{${keys.map((k) => `${repr(k)}: ${ppRepr(v[k])}`).join(", ")}}`;
  }
  if (Array.isArray(v) && !isGroupTuple(v) && !isRange(v)) {
    const inner = v.map(ppRepr).join(", ");
    if (!isTuple(v)) return `[${inner}]`;
    return v.length === 1 ? `(${inner},)` : `(${inner})`;
  }
  return repr(v);
}

function ppFormat(v: unknown, out: string[], indent: number, allowance: number, level: number): void {
  const rep = ppRepr(v);
  if (cpLen(rep) > PP_WIDTH - indent - allowance) {
    if (isDict(v)) return ppDict(v, out, indent, allowance, level + 1);
    if (Array.isArray(v) && !isGroupTuple(v) && !isRange(v)) {
      if (isTuple(v)) {
        const endchar = v.length === 1 ? ",)" : ")";
        out.push("(");
        ppItems(v, out, indent, allowance + endchar.length, level + 1);
        out.push(endchar);
      } else {
        out.push("[");
        ppItems(v, out, indent, allowance + 1, level + 1);
        out.push("]");
      }
      return;
    }
    if (typeof v === "string") return ppStr(v, out, indent, allowance, level + 1);
  }
  out.push(rep);
}

function ppDict(v: Record<string, unknown>, out: string[], indent: number, allowance: number, level: number): void {
  out.push("{");
  const keys = Object.keys(v).sort(codePointCompare);
  indent += 1;
  allowance += 1;
  keys.forEach((k, i) => {
    const last = i === keys.length - 1;
    const rep = repr(k);
    out.push(rep, ": ");
    ppFormat(v[k], out, indent + cpLen(rep) + 2, last ? allowance : 1, level);
    if (!last) out.push(`,\n${" ".repeat(indent)}`);
  });
  out.push("}");
}

function ppItems(v: unknown[], out: string[], indent: number, allowance: number, level: number): void {
  indent += 1;
  v.forEach((x, i) => {
    const last = i === v.length - 1;
    if (i) out.push(`,\n${" ".repeat(indent)}`);
    ppFormat(x, out, indent, last ? allowance : 1, level);
  });
}

function ppStr(v: string, out: string[], indent: number, allowance: number, level: number): void {
  if (!v.length) {
    out.push(repr(v));
    return;
  }
  const chunks: string[] = [];
  const lines = splitlines(v, true);
  if (level === 1) {
    indent += 1;
    allowance += 1;
  }
  const maxWidth = PP_WIDTH - indent;
  let maxWidth1 = maxWidth;
  let rep = "";
  lines.forEach((line, i) => {
    rep = repr(line);
    if (i === lines.length - 1) maxWidth1 -= allowance;
    if (cpLen(rep) <= maxWidth1) {
      chunks.push(rep);
      return;
    }
    const parts = line.match(new RegExp(`[^${WS}]*[${WS}]*`, "gu"))!.filter((p) => p !== "");
    let maxWidth2 = maxWidth;
    let current = "";
    parts.forEach((part, j) => {
      const candidate = current + part;
      if (j === parts.length - 1 && i === lines.length - 1) maxWidth2 -= allowance;
      if (cpLen(repr(candidate)) > maxWidth2) {
        if (current) chunks.push(repr(current));
        current = part;
      } else current = candidate;
    });
    if (current) chunks.push(repr(current));
  });
  if (chunks.length === 1) {
    out.push(rep);
    return;
  }
  if (level === 1) out.push("(");
  chunks.forEach((c, i) => {
    if (i > 0) out.push(`\n${" ".repeat(indent)}`);
    out.push(c);
  });
  if (level === 1) out.push(")");
}

/** `pprint(value)`: `pprint.pformat(value)` (width 80, sorted dict keys). */
function doPprint(value: unknown): string {
  if (value === undefined) return "Undefined";
  const out: string[] = [];
  ppFormat(value, out, 0, 0, 0);
  return out.join("");
}

// ============================================================================================ the table

/** Python parameter names after the value (for binding `map(...)` keyword arguments), as in `FILTERS`. */
interface FilterSig {
  params: readonly string[];
  required: number;
  /** C builtins / markupsafe functions: no keyword arguments. */
  positionalOnly?: boolean;
  /** takes `(value, args, kwargs)` */
  varargs?: boolean;
  /** takes a trailing `autoescape` */
  autoescape?: boolean;
}

const P = (params: string, required = 0, extra: Partial<FilterSig> = {}): FilterSig => ({
  params: params ? params.split(" ") : [],
  required,
  ...extra,
});
const VARARGS: FilterSig = { params: [], required: 0, varargs: true };

const FILTER_SIGS: Record<string, FilterSig> = {
  abs: P("", 0, { positionalOnly: true }),
  attr: P("name", 1),
  batch: P("linecount fill_with", 1),
  capitalize: P(""),
  center: P("width"),
  count: P("", 0, { positionalOnly: true }),
  d: P("default_value boolean"),
  default: P("default_value boolean"),
  dictsort: P("case_sensitive by reverse"),
  e: P("", 0, { positionalOnly: true }),
  escape: P("", 0, { positionalOnly: true }),
  filesizeformat: P("binary"),
  first: P(""),
  float: P("default"),
  forceescape: P(""),
  format: VARARGS,
  groupby: P("attribute default case_sensitive", 1),
  indent: P("width first blank", 0, { autoescape: true }),
  int: P("default base"),
  join: P("d attribute", 0, { autoescape: true }),
  last: P(""),
  length: P("", 0, { positionalOnly: true }),
  list: P(""),
  lower: P(""),
  items: P(""),
  map: VARARGS,
  min: P("case_sensitive attribute"),
  max: P("case_sensitive attribute"),
  pprint: P(""),
  random: P(""),
  reject: VARARGS,
  rejectattr: VARARGS,
  replace: P("old new count", 2, { autoescape: true }),
  reverse: P(""),
  round: P("precision method"),
  safe: P(""),
  select: VARARGS,
  selectattr: VARARGS,
  slice: P("slices fill_with", 1),
  sort: P("reverse case_sensitive attribute"),
  string: P("", 0, { positionalOnly: true }),
  striptags: P(""),
  sum: P("attribute start"),
  title: P(""),
  trim: P("chars"),
  truncate: P("length killwords end leeway"),
  unique: P("case_sensitive attribute"),
  upper: P(""),
  urlencode: P(""),
  urlize: P("trim_url_limit nofollow target rel extra_schemes", 0, { autoescape: true }),
  wordcount: P(""),
  wordwrap: P("width break_long_words wrapstring break_on_hyphens", 0, { autoescape: true }),
  xmlattr: P("autospace", 0, { autoescape: true }),
  tojson: P("indent", 0, { autoescape: true }),
};

// ============================================================================ arguments given as Undefined

/**
 * An argument left out before one that is given (`|sort(attribute="name")` is
 * `filters.sort(items, rt.DEFAULT, rt.DEFAULT, "name")`): the parameter takes its default. A JS `undefined`
 * in an argument position is Jinja's Undefined passed explicitly, which Python does not replace by the
 * default.
 */
export const DEFAULT: unique symbol = Symbol("jinja2tsx.default");

/**
 * What each filter's optional parameter does with an explicit Undefined (Jinja2 3.1, checked by running):
 * "raise" (used in arithmetic, len or a comparison: UndefinedError/TypeError), "falsy" (only its truth
 * counts), "flow" (becomes the result: `x|default(undefined_name)` is Undefined), ["as", v] (behaves as `v`),
 * "unsupported" (a use the runtime does not reproduce: a `jinja2tsx:` error); `null` for a required one.
 */
type UndefinedArg = "raise" | "falsy" | "flow" | "unsupported" | ["as", unknown] | null;
const UNDEFINED_ARGS: Record<string, readonly UndefinedArg[]> = {
  batch: [null, "unsupported"],
  center: ["raise"],
  d: ["flow", "falsy"],
  default: ["flow", "falsy"],
  dictsort: ["falsy", "raise", "raise"],
  filesizeformat: ["falsy"],
  float: ["flow"],
  groupby: [null, "unsupported", "falsy"],
  indent: ["raise", "falsy", "falsy"],
  int: ["flow", ["as", null]],
  join: [["as", ""], "unsupported"],
  min: ["falsy", "raise"],
  max: ["falsy", "raise"],
  replace: [null, null, "raise"],
  round: ["raise", "raise"],
  slice: [null, "unsupported"],
  sort: ["raise", "falsy", "unsupported"],
  sum: ["unsupported", "flow"],
  trim: ["raise"],
  truncate: ["raise", "falsy", "unsupported", "raise"],
  unique: ["falsy", "unsupported"],
  urlize: ["unsupported", "falsy", "falsy", "falsy", ["as", []]],
  wordwrap: ["raise", "falsy", "raise", "falsy"],
  xmlattr: ["falsy"],
  tojson: ["raise"],
};

/** Stands for an explicit Undefined of a "flow" parameter while the filter runs: returned as Undefined. */
const FLOW: unique symbol = Symbol("jinja2tsx.undefinedArgument");

/** `fn` taking `DEFAULT` for a left-out argument and an explicit Undefined as Jinja2 does (`UNDEFINED_ARGS`). */
function explicitArgs<F extends AnyFn>(name: string, fn: F): F {
  const rules = UNDEFINED_ARGS[name];
  if (!rules) return fn;
  const params = FILTER_SIGS[name]!.params;
  return ((value: unknown, ...args: unknown[]) => {
    let flow = false;
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a === DEFAULT) args[i] = undefined;
      else if (a === undefined && i < rules.length) {
        const rule = rules[i];
        if (rule === "raise") undefinedError(`the argument ${params[i]} of |${name}`);
        else if (rule === "falsy") args[i] = false;
        else if (rule === "flow") {
          args[i] = FLOW;
          flow = true;
        } else if (rule === "unsupported") {
          throw new TemplateRuntimeError(`jinja2tsx: an undefined value for the argument ${params[i]} of |${name}`);
        } else if (rule !== null) args[i] = rule[1];
      }
    }
    const result = fn(value, ...args);
    return flow && result === FLOW ? undefined : result;
  }) as F;
}

/**
 * The builtin filters, keyed by their Jinja names (aliases included). Each entry is typed precisely; the
 * object satisfies the README's `{ [name: string]: (...args: any) => unknown }` table type.
 */
export const filters = {
  abs: doAbs,
  attr: doAttr,
  batch: explicitArgs("batch", doBatch),
  capitalize: doCapitalize,
  center: explicitArgs("center", doCenter),
  count: doLength,
  d: explicitArgs("d", doDefault),
  default: explicitArgs("default", doDefault),
  dictsort: explicitArgs("dictsort", doDictsort),
  e: doEscape,
  escape: doEscape,
  filesizeformat: explicitArgs("filesizeformat", doFilesizeformat),
  first: doFirst,
  float: explicitArgs("float", doFloat),
  forceescape: doForceescape,
  format: doFormat,
  groupby: explicitArgs("groupby", doGroupby),
  indent: explicitArgs("indent", doIndent),
  int: explicitArgs("int", doInt),
  join: explicitArgs("join", doJoin),
  last: doLast,
  length: doLength,
  list: doList,
  lower: doLower,
  items: doItems,
  map: doMap,
  min: explicitArgs("min", doMin),
  max: explicitArgs("max", doMax),
  pprint: doPprint,
  random: doRandom,
  reject: doReject,
  rejectattr: doRejectattr,
  replace: explicitArgs("replace", doReplace),
  reverse: doReverse,
  round: explicitArgs("round", doRound),
  safe: doSafe,
  select: doSelect,
  selectattr: doSelectattr,
  slice: explicitArgs("slice", doSlice),
  sort: explicitArgs("sort", doSort),
  string: doString,
  striptags: doStriptags,
  sum: explicitArgs("sum", doSum),
  title: doTitle,
  trim: explicitArgs("trim", doTrim),
  truncate: explicitArgs("truncate", doTruncate),
  unique: explicitArgs("unique", doUnique),
  upper: doUpper,
  urlencode: doUrlencode,
  urlize: explicitArgs("urlize", doUrlize),
  wordcount: doWordcount,
  wordwrap: explicitArgs("wordwrap", doWordwrap),
  xmlattr: explicitArgs("xmlattr", doXmlattr),
  tojson: explicitArgs("tojson", doTojson),
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
} satisfies { [name: string]: (...args: any) => unknown };

/** The 54 builtin filter names (`jinja2.filters.FILTERS` keys). */
export const FILTER_NAMES: readonly string[] = Object.keys(filters);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFn = (...args: any[]) => unknown;

/**
 * `environment.call_filter(name, value, args, kwargs)`: the filter named at run time (by `map`), with Python's
 * argument binding (unknown keyword, duplicate or missing arguments → TypeError).
 */
export function callFilter(name: unknown, value: unknown, args: readonly unknown[], kwargs: Kwargs, autoescape = true): unknown {
  const key = isStr(name) ? raw(name) : null;
  const sig = key !== null && Object.hasOwn(FILTER_SIGS, key) ? FILTER_SIGS[key]! : null;
  if (key === null || sig === null) throw new TemplateRuntimeError(`No filter named ${repr(name)}.`);
  const fn = (filters as Record<string, AnyFn>)[key]!;
  if (sig.varargs) {
    if (key === "map") return fn(value, args, kwargs, autoescape);
    return fn(value, args, kwargs);
  }
  const bound = bindArgs(`${key}()`, sig, args, kwargs, DEFAULT);
  if (sig.autoescape) bound.push(autoescape);
  return fn(value, ...bound);
}

/** Bind positional and keyword arguments to a positional list (`missing` where not given → default). */
export function bindArgs(
  what: string,
  sig: { params: readonly string[]; required: number; positionalOnly?: boolean },
  args: readonly unknown[],
  kwargs: Kwargs,
  missing: unknown = undefined,
): unknown[] {
  if (args.length > sig.params.length) {
    typeError(`${what} takes ${sig.params.length + 1} positional arguments but ${args.length + 1} were given`);
  }
  const bound: unknown[] = sig.params.map((_, i) => args[i]);
  const given = new Set<number>(args.map((_, i) => i));
  for (const [k, v] of Object.entries(kwargs)) {
    if (sig.positionalOnly) typeError(`${what} takes no keyword arguments`);
    const i = sig.params.indexOf(k);
    if (i < 0) typeError(`${what} got an unexpected keyword argument ${repr(k)}`);
    if (given.has(i)) typeError(`${what} got multiple values for argument ${repr(k)}`);
    bound[i] = v;
    given.add(i);
  }
  for (let i = 0; i < sig.required; i++) {
    if (!given.has(i)) typeError(`${what} missing required argument: ${repr(sig.params[i])}`);
  }
  if (missing !== undefined) for (let i = 0; i < bound.length; i++) if (!given.has(i)) bound[i] = missing;
  return bound;
}
