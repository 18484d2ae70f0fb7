/**
 * jinja2tsx runtime — core value model.
 *
 * Owns the JS representation of Python/Jinja2 values (README "Value model"), conversion (`str`, `repr`,
 * `escape`, `truthy`), operators with Python typing (int/float/bool, `//`, `%`, `**`, Markup propagation,
 * chained comparisons, `in`), Jinja's attribute/item lookup (`environment.getattr`/`getitem`), slicing,
 * calls and the Python methods of str/list/tuple/dict, iteration and `LoopContext` (Jinja's `runtime.py`),
 * the globals `range dict namespace cycler joiner`, `%`-formatting and `str.format` (exact half-to-even
 * decimal rounding from the binary value, as CPython does), and a lexeme-aware JSON parser.
 *
 * Reference versions: Jinja2 3.1.6, MarkupSafe 3.0.3, CPython 3.11 (Unicode 14 case tables).
 * Undefined is `undefined`, None is `null`; ints are integral `number`s (or `bigint` beyond 2^53), floats are
 * non-integral numbers or `PyFloat` boxes. Errors that Jinja2 raises are thrown as `TemplateError` subclasses.
 *
 * Host objects (runtime classes added later, e.g. Flask request snapshots or form fields) may implement
 * the optional Python protocol methods `__html__ __str__ __repr__ __getattr__ __getitem__ __iter__ __len__
 * __bool__ __call__ __eq__ __contains__` (see `PyProtocol`); every helper here honours them.
 */

import { htmlUnescape as pythonUnescape } from "./html";

// ================================================================================================ errors

export type Kwargs = Record<string, unknown>;

/** Base class of every error a render can raise (Jinja's `TemplateError` and Python errors inside it). */
export class TemplateError extends Error {
  constructor(message?: string) {
    super(message);
    this.name = new.target.name;
  }
}
/** An operation Jinja forbids on Undefined (attribute/item access, arithmetic, call, ordering). */
export class UndefinedError extends TemplateError {}
/** Python TypeError / ValueError / KeyError / IndexError / ZeroDivisionError / OverflowError. */
export class TemplateTypeError extends TemplateError {}
/** Jinja's TemplateRuntimeError (and Python RuntimeError / unsupported operations). */
export class TemplateRuntimeError extends TemplateError {}

function typeError(msg: string): never {
  throw new TemplateTypeError(msg);
}
function undefinedError(msg = "value is undefined"): never {
  throw new UndefinedError(msg);
}

// ================================================================================================ values

/** A Python float whose value is integral (`1.0`, `-0.0`, `1e20`); other floats are plain numbers. */
export class PyFloat {
  constructor(readonly value: number) {}
  /** JS coercion (template literals, `+x`) sees the number; Python printing goes through `str()`. */
  valueOf(): number {
    return this.value;
  }
  toString(): string {
    return floatRepr(this.value);
  }
}

/** The canonical Python float for `n`: a `PyFloat` box when integral (incl. `-0`), else the number. */
export function pyfloat(n: number): number | PyFloat {
  return Number.isInteger(n) ? new PyFloat(n) : n;
}

/** Python `float`? (a `PyFloat`, or a non-integral / NaN / infinite number) */
export function isFloat(v: unknown): boolean {
  return v instanceof PyFloat || (typeof v === "number" && !Number.isInteger(v));
}

/** Python `int` (not bool): an integral number or a bigint. */
export function isInt(v: unknown): boolean {
  return (typeof v === "number" && Number.isInteger(v)) || typeof v === "bigint";
}

/** Python `numbers.Number` as Jinja sees it: bool, int, float. */
export function isNumber(v: unknown): v is number | boolean | bigint | PyFloat {
  return typeof v === "number" || typeof v === "boolean" || typeof v === "bigint" || v instanceof PyFloat;
}

/** number / PyFloat / boolean / bigint → JS number; anything else → TemplateTypeError. */
export function num(v: unknown): number {
  if (typeof v === "number") return v;
  if (v instanceof PyFloat) return v.value;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "bigint") return bigToFloat(v);
  if (v === undefined) undefinedError();
  return typeError(`must be real number, not ${typeName(v)}`);
}

/** MarkupSafe `Markup`: a string of HTML that must not be escaped again. */
export class SafeHtml {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

export function markup(html: string): SafeHtml {
  return new SafeHtml(html);
}

export function isSafe(v: unknown): v is SafeHtml {
  return v instanceof SafeHtml;
}

const TUPLE = Symbol("jinja2tsx.tuple");

/** Tag `items` as a Python tuple (returns the same array). */
export function tuple<T>(items: T[]): T[] {
  if (!Object.prototype.hasOwnProperty.call(items, TUPLE)) {
    Object.defineProperty(items, TUPLE, { value: true, enumerable: false });
  }
  return items;
}

export function isTuple(v: unknown): boolean {
  return Array.isArray(v) && Object.prototype.hasOwnProperty.call(v, TUPLE);
}

/**
 * Macro arguments that are Jinja's Undefined (JS `undefined`) passed explicitly: JavaScript would give the
 * parameter its default, Jinja gives it the Undefined. Callers wrap such arguments with `given`, the macro
 * unwraps its parameters with `explicit`.
 */
const GIVEN_UNDEFINED: unique symbol = Symbol("jinja2tsx.givenUndefined");
export function given(v: unknown): unknown {
  return v === undefined ? GIVEN_UNDEFINED : v;
}
export function explicit(v: unknown): unknown {
  return v === GIVEN_UNDEFINED ? undefined : v;
}

/** A Python dict: a plain object (prototype `Object.prototype` or `null`). */
export function isDict(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Store `value` under `key` in a dict (safe for the key `__proto__`). */
export function dictSet(d: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__")
    Object.defineProperty(d, key, { value, writable: true, enumerable: true, configurable: true });
  else d[key] = value;
}

/** Optional Python protocol for host objects (runtime classes modelling Python objects). */
export interface PyProtocol {
  __html__?(): string;
  /** Python `__str__`; a SafeHtml result is a `Markup` (a str subclass), as WTForms fields return */
  __str__?(): string | SafeHtml;
  __repr__?(): string;
  /** attribute value, or `undefined` when missing (then item lookup is tried) */
  __getattr__?(name: string): unknown;
  /** item value, or `undefined` when missing (then attribute lookup is tried) */
  __getitem__?(key: unknown): unknown;
  __iter__?(): Iterable<unknown>;
  __len__?(): number;
  __bool__?(): boolean;
  __call__?(args: unknown[], kwargs: Kwargs): unknown;
  __eq__?(other: unknown): boolean;
  __contains__?(item: unknown): boolean;
  /** a Mapping that is not a dict (werkzeug's MultiDict): its items as `**mapping` unpacks them */
  __mapping_items__?(): [string, unknown][];
}

/**
 * `f(**mapping)`: the keyword arguments a mapping unpacks to, in order (a dict, or an object with the
 * `__mapping_items__` protocol); anything else is Python's TypeError.
 */
export function mappingItems(mapping: unknown): [string, unknown][] {
  if (isDict(mapping)) return Object.keys(mapping).map((k) => [k, mapping[k]]);
  const items = hook(mapping, "__mapping_items__");
  if (items) return items();
  throw new TemplateTypeError(`argument after ** must be a mapping, not ${typeName(mapping)}`);
}

function hook<K extends keyof PyProtocol>(v: unknown, name: K): NonNullable<PyProtocol[K]> | undefined {
  if (v === null || typeof v !== "object" || isDict(v)) return undefined;
  const f = (v as Record<string, unknown>)[name];
  return typeof f === "function" ? (f.bind(v) as NonNullable<PyProtocol[K]>) : undefined;
}

/**
 * A Python generator/iterator (results of `map`, `select`, `reverse`, …): always truthy, single use, no len.
 * `kind` names the Python type for printing (`generator`, `list_reverseiterator`, `reversed`, …).
 */
export class LazyIter implements Iterator<unknown> {
  private it: Iterator<unknown> | undefined;
  constructor(
    private readonly source: Iterable<unknown>,
    readonly kind: string = "generator",
  ) {}
  next(): IteratorResult<unknown> {
    if (this.it === undefined) this.it = this.source[Symbol.iterator]();
    return this.it.next();
  }
  [Symbol.iterator](): Iterator<unknown> {
    return this;
  }
  /** Drain the remaining items (Python `list(gen)`). */
  toArray(): unknown[] {
    const out: unknown[] = [];
    for (let r = this.next(); !r.done; r = this.next()) out.push(r.value);
    return out;
  }
}

/** `dict.keys()` / `.values()` / `.items()`: live views (len, `in`, repeated iteration, `dict_items([...])`). */
export class DictView {
  constructor(
    readonly dict: Record<string, unknown>,
    readonly kind: "keys" | "values" | "items",
  ) {}
  toArray(): unknown[] {
    const d = this.dict;
    const keys = Object.keys(d);
    if (this.kind === "keys") return keys;
    if (this.kind === "values") return keys.map((k) => d[k]);
    return keys.map((k) => tuple([k, d[k]]));
  }
  get length(): number {
    return Object.keys(this.dict).length;
  }
}

/** Jinja's `namespace()`: the only object whose attributes `{% set ns.a = … %}` may assign. */
export class Namespace {
  readonly attrs: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
}

export function namespace(args: unknown[] = [], kwargs: Kwargs = {}): Namespace {
  const ns = new Namespace();
  const d = dict(args, kwargs);
  for (const k of Object.keys(d)) ns.attrs[k] = d[k];
  return ns;
}

/** `{% set target.name = value %}`; returns "" so it can sit inline in JSX or string mode. */
export function setattr(target: unknown, name: string, value: unknown): "" {
  if (!(target instanceof Namespace)) throw new TemplateRuntimeError("cannot assign attribute on non-namespace object");
  target.attrs[name] = value;
  return "";
}

/** A Python callable value: bound methods, macros, functions. */
export class PyCallable {
  constructor(
    readonly name: string,
    readonly fn: (args: unknown[], kwargs: Kwargs) => unknown,
    /** attributes visible to `getattr` (e.g. a macro's `name`, `arguments`) */
    readonly attrs: Record<string, unknown> = {},
    /** Python repr, e.g. `<Macro 'm'>`; default `<function name>` */
    readonly reprText?: string,
  ) {}
  invoke(args: unknown[] = [], kwargs: Kwargs = {}): unknown {
    return this.fn(args, kwargs);
  }
}

/** Jinja's `cycler(*items)`. */
export class Cycler {
  pos = 0;
  readonly items: unknown[];
  constructor(items: unknown[]) {
    if (items.length === 0) throw new TemplateRuntimeError("at least one item has to be provided");
    this.items = tuple(items.slice());
  }
  get current(): unknown {
    return this.items[this.pos];
  }
  next(): unknown {
    const rv = this.current;
    this.pos = (this.pos + 1) % this.items.length;
    return rv;
  }
  reset(): null {
    this.pos = 0;
    return null;
  }
}

export function cycler(...items: unknown[]): Cycler {
  return new Cycler(items);
}

/** Jinja's `joiner(sep=", ")`: calling it returns "" the first time, then `sep`. */
export class Joiner {
  used = false;
  constructor(readonly sep: unknown) {}
  __call__(args: unknown[] = [], kwargs: Kwargs = {}): unknown {
    if (args.length > 0 || Object.keys(kwargs).length > 0) typeError("Joiner.__call__() takes 1 positional argument");
    if (!this.used) {
      this.used = true;
      return "";
    }
    return this.sep;
  }
}

/** `joiner(sep=", ")`; an explicit Undefined separator stays one (it prints as ""). */
export function joiner(...args: unknown[]): Joiner {
  if (args.length > 1) typeError(`joiner() takes from 0 to 1 positional arguments but ${args.length} were given`);
  return new Joiner(args.length ? args[0] : ", ");
}

/** Python's type name (for error messages and `repr`). */
export function typeName(v: unknown): string {
  if (v === undefined) return "Undefined";
  if (v === null) return "NoneType";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "bigint") return "int";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "string") return "str";
  if (v instanceof PyFloat) return "float";
  if (v instanceof SafeHtml) return "Markup";
  if (Array.isArray(v)) return isTuple(v) ? "tuple" : RANGES.has(v) ? "range" : "list";
  if (isDict(v)) return "dict";
  if (v instanceof LazyIter) return v.kind;
  if (v instanceof DictView) return `dict_${v.kind}`;
  if (v instanceof PyCallable) return "function";
  if (typeof v === "function") return "function";
  if (typeof v === "object") return (v as object).constructor?.name ?? "object";
  return typeof v;
}

// ================================================================================================ numbers

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** int-like (bool, integral number, bigint) → number | bigint */
function isIntLike(v: unknown): v is boolean | number | bigint {
  return typeof v === "boolean" || typeof v === "bigint" || (typeof v === "number" && Number.isInteger(v));
}

function intVal(v: boolean | number | bigint): number | bigint {
  return typeof v === "boolean" ? (v ? 1 : 0) : v;
}

/** Normalise an int result: bigint within the safe range → number; -0 → 0. */
function normInt(v: number | bigint): number | bigint {
  if (typeof v === "bigint") {
    return v >= -BigInt(MAX_SAFE) && v <= BigInt(MAX_SAFE) ? Number(v) : v;
  }
  return v === 0 ? 0 : v;
}

function toBig(v: number | bigint): bigint {
  return typeof v === "bigint" ? v : BigInt(v);
}

function bigToFloat(b: bigint): number {
  const f = Number(b);
  if (!Number.isFinite(f)) typeError("int too large to convert to float");
  return f;
}

/** A numeric operand as a float value. */
function fval(v: number | boolean | bigint | PyFloat): number {
  if (typeof v === "number") return v;
  if (v instanceof PyFloat) return v.value;
  if (typeof v === "boolean") return v ? 1 : 0;
  return bigToFloat(v);
}

type IntOp = "+" | "-" | "*";

function intArith(a: number | bigint, b: number | bigint, op: IntOp): number | bigint {
  if (typeof a === "number" && typeof b === "number") {
    const r = op === "+" ? a + b : op === "-" ? a - b : a * b;
    if (Number.isSafeInteger(r)) return r === 0 ? 0 : r;
  }
  const x = toBig(a);
  const y = toBig(b);
  return normInt(op === "+" ? x + y : op === "-" ? x - y : x * y);
}

function zeroDivision(msg: string): never {
  throw new TemplateTypeError(msg);
}

function intFloorDiv(a: number | bigint, b: number | bigint): number | bigint {
  if (b === 0 || b === 0n) zeroDivision("integer division or modulo by zero");
  if (typeof a === "number" && typeof b === "number" && Number.isSafeInteger(a) && Number.isSafeInteger(b)) {
    const r = a % b;
    let q = (a - r) / b;
    if (r !== 0 && r < 0 !== b < 0) q -= 1;
    return q === 0 ? 0 : q;
  }
  const x = toBig(a);
  const y = toBig(b);
  let q = x / y;
  if (x % y !== 0n && x < 0n !== y < 0n) q -= 1n;
  return normInt(q);
}

function intMod(a: number | bigint, b: number | bigint): number | bigint {
  if (b === 0 || b === 0n) zeroDivision("integer division or modulo by zero");
  if (typeof a === "number" && typeof b === "number" && Number.isSafeInteger(a) && Number.isSafeInteger(b)) {
    let r = a % b;
    if (r !== 0 && r < 0 !== b < 0) r += b;
    return r === 0 ? 0 : r;
  }
  const x = toBig(a);
  const y = toBig(b);
  let r = x % y;
  if (r !== 0n && r < 0n !== y < 0n) r += y;
  return normInt(r);
}

/** CPython float_floor_div / float_divmod. */
function floatDivmod(vx: number, wx: number): [number, number] {
  if (wx === 0) zeroDivision("float divmod()");
  let mod = vx % wx;
  let div = (vx - mod) / wx;
  if (mod !== 0) {
    if (wx < 0 !== mod < 0) {
      mod += wx;
      div -= 1.0;
    }
  } else {
    mod = wx < 0 ? -0.0 : 0.0;
  }
  let floordiv: number;
  if (div !== 0) {
    floordiv = Math.floor(div);
    if (div - floordiv > 0.5) floordiv += 1.0;
  } else {
    floordiv = vx / wx < 0 || Object.is(vx / wx, -0) ? -0.0 : 0.0;
  }
  return [floordiv, mod];
}

/** CPython float_rem. */
function floatMod(vx: number, wx: number): number {
  if (wx === 0) zeroDivision("float modulo");
  let mod = vx % wx;
  if (mod !== 0) {
    if (wx < 0 !== mod < 0) mod += wx;
  } else {
    mod = wx < 0 ? -0.0 : 0.0;
  }
  return mod;
}

function isOddInteger(x: number): boolean {
  return Number.isInteger(x) && Math.abs(x % 2) === 1;
}

/** CPython float_pow. */
function floatPow(iv: number, iw: number): number {
  if (iw === 0) return 1.0;
  if (Number.isNaN(iv)) return iv;
  if (Number.isNaN(iw)) return iv === 1.0 ? 1.0 : iw;
  if (!Number.isFinite(iw)) {
    const av = Math.abs(iv);
    if (av === 1.0) return 1.0;
    if (iw > 0 === av > 1.0) return Math.abs(iw);
    return 0.0;
  }
  if (!Number.isFinite(iv)) {
    const odd = isOddInteger(iw);
    if (iv > 0) return iw > 0 ? iv : 0.0;
    return iw > 0 ? (odd ? iv : -iv) : odd ? -0.0 : 0.0;
  }
  if (iv === 0) {
    const odd = isOddInteger(iw);
    if (iw < 0) zeroDivision("0.0 cannot be raised to a negative power");
    return odd ? iv : 0.0;
  }
  let negate = false;
  if (iv < 0) {
    if (iw !== Math.floor(iw)) {
      throw new TemplateRuntimeError(
        "negative number raised to a fractional power gives a complex number (not supported)",
      );
    }
    iv = -iv;
    negate = isOddInteger(iw);
  }
  if (iv === 1.0) return negate ? -1.0 : 1.0;
  const ix = accuratePow(iv, iw);
  if (!Number.isFinite(ix)) throw new TemplateTypeError("(34, 'Numerical result out of range')");
  return negate ? -ix : ix;
}

// ---- pow: CPython calls glibc's pow (error < 0.52 ulp); V8's Math.pow is often 1 ulp off. We round once from a
// ~100-bit double-double exp(y·log x), which agrees with glibc except where glibc itself misrounds (≈0.1%). ----

function twoSum(a: number, b: number): [number, number] {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}
function quickTwoSum(a: number, b: number): [number, number] {
  const s = a + b;
  return [s, b - (s - a)];
}
function splitDouble(a: number): [number, number] {
  const c = 134217729 * a;
  const hi = c - (c - a);
  return [hi, a - hi];
}
function twoProd(a: number, b: number): [number, number] {
  const p = a * b;
  const [ah, al] = splitDouble(a);
  const [bh, bl] = splitDouble(b);
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}
function ddAdd(ah: number, al: number, bh: number, bl: number): [number, number] {
  const [s, e] = twoSum(ah, bh);
  return quickTwoSum(s, e + al + bl);
}
function ddMul(ah: number, al: number, bh: number, bl: number): [number, number] {
  const [p, e] = twoProd(ah, bh);
  return quickTwoSum(p, e + ah * bl + al * bh);
}
function ddDivSmall(ah: number, al: number, d: number): [number, number] {
  const q = ah / d;
  const [p, pe] = twoProd(q, d);
  return quickTwoSum(q, (ah - p - pe + al) / d);
}

const LN2_HI = 0.6931471805599453;
const LN2_LO = 2.3190468138462996e-17;

/** exp(h + l) = (hi + lo) · 2^k, with hi + lo a double-double near 1 (|h| < 750). */
function expDD(h: number, l: number): [number, number, number] {
  const k = Math.round(h / LN2_HI);
  const [kh, kl] = twoProd(k, LN2_HI);
  let [rh, rl] = ddAdd(h, l, -kh, -kl);
  [rh, rl] = ddAdd(rh, rl, -k * LN2_LO, 0);
  rh /= 1024;
  rl /= 1024;
  let [sh, sl] = ddAdd(1, 0, rh, rl);
  let th = rh;
  let tl = rl;
  for (let i = 2; i <= 11; i++) {
    [th, tl] = ddMul(th, tl, rh, rl);
    [th, tl] = ddDivSmall(th, tl, i);
    [sh, sl] = ddAdd(sh, sl, th, tl);
  }
  for (let i = 0; i < 10; i++) [sh, sl] = ddMul(sh, sl, sh, sl);
  return [sh, sl, k];
}

/** x · 2^k without intermediate overflow (exact unless the result is subnormal). */
function ldexp(x: number, k: number): number {
  const a = Math.trunc(k / 2);
  return x * 2 ** a * 2 ** (k - a);
}

/** x ** y for finite x > 0 and finite y, rounded once from a ~100-bit intermediate (CPython uses libm pow). */
function accuratePow(x: number, y: number): number {
  if (y === 1) return x;
  if (y === 2) return x * x;
  if (y === -1) return 1 / x;
  // log x as a double-double: one Newton step from Math.log
  const l0 = Math.log(x);
  const [eh, el, ek] = expDD(-l0, 0);
  const [mh, ml] = ddMul(ldexp(x, ek), 0, eh, el);
  const [th, tl] = ddAdd(mh, ml, -1, 0);
  const [lh, ll] = ddAdd(l0, 0, th, tl);
  const [ph, pl] = ddMul(y, 0, lh, ll);
  if (ph > 709.8) return Infinity;
  if (ph < -745.2) return 0;
  const [rh, rl, k] = expDD(ph, pl);
  return ldexp(rh + rl, k);
}

/** Exact comparison of two numeric values: -1, 0, 1, or NaN when unordered. */
function numCmp(a: number | boolean | bigint | PyFloat, b: number | boolean | bigint | PyFloat): number {
  const x = a instanceof PyFloat ? a.value : typeof a === "boolean" ? (a ? 1 : 0) : a;
  const y = b instanceof PyFloat ? b.value : typeof b === "boolean" ? (b ? 1 : 0) : b;
  if (typeof x === "number" && typeof y === "number") {
    return x < y ? -1 : x > y ? 1 : x === y ? 0 : NaN;
  }
  if (typeof x === "bigint" && typeof y === "bigint") return x < y ? -1 : x > y ? 1 : 0;
  // one bigint, one number
  const flip = typeof x === "number";
  const big = (flip ? y : x) as bigint;
  const f = (flip ? x : y) as number;
  let r: number;
  if (Number.isNaN(f)) return NaN;
  if (f === Infinity) r = -1;
  else if (f === -Infinity) r = 1;
  else {
    const fl = Math.floor(f);
    const fb = BigInt(fl);
    if (big < fb) r = -1;
    else if (big > fb) r = 1;
    else r = f > fl ? -1 : 0;
  }
  return flip ? -r : r;
}

// ================================================================================================ float repr

/** Python float repr (shortest round-trip digits, Python layout): 1e-05, 1e+16, inf, nan, -0.0, 5.0. */
export function floatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [neg, digits, exp] = shortestDigits(x);
  return (neg ? "-" : "") + layoutRepr(digits, exp, true);
}

/** Shortest round-trip digits of x (non-zero, finite): [negative, digits, decimal exponent of first digit]. */
function shortestDigits(x: number): [boolean, string, number] {
  const s = x.toExponential();
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) throw new Error(`unexpected toExponential output ${s}`);
  return [m[1] === "-", m[2] + (m[3] ?? ""), parseInt(m[4], 10)];
}

/** Python repr layout of significant `digits` with exponent `exp` (`1.5e+16`, `0.0001`, `12.0`). */
function layoutRepr(digits: string, exp: number, addDot0: boolean): string {
  if (exp < -4 || exp >= 16) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${mant}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  if (exp < 0) return `0.${"0".repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return digits + "0".repeat(exp + 1 - digits.length) + (addDot0 ? ".0" : "");
  return `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** Python's limit on the digits `str(int)` writes (`sys.get_int_max_str_digits()`, 4300 by default). */
const INT_MAX_STR_DIGITS = 4300;

/** Python int → decimal text: a ValueError beyond 4300 digits, as CPython 3.11. */
export function bigintText(v: bigint): string {
  const text = v.toString();
  if (text.length - (v < 0n ? 1 : 0) > INT_MAX_STR_DIGITS) {
    throw new TemplateTypeError(
      `Exceeds the limit (${INT_MAX_STR_DIGITS} digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit`,
    );
  }
  return text;
}

/** Python int → decimal text. */
function intRepr(v: number | bigint): string {
  if (typeof v === "bigint") return bigintText(v);
  // integral doubles beyond 2^53 print their exact value, as Python's int does
  return Number.isSafeInteger(v) ? String(v === 0 ? 0 : v) : BigInt(v).toString();
}

// ================================================================================================ strings

const SURROGATE = /[\uD800-\uDFFF]/;

/** Python `len(str)`: number of code points. */
export function cpLen(s: string): number {
  if (!SURROGATE.test(s)) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Code points of s (lone surrogates as single items). */
function cps(s: string): string[] {
  return Array.from(s);
}

/** Python's whitespace (`str.isspace`, `split()`, `strip()`): differs from JS `\s` (no U+FEFF, adds \x1c-\x1f, \x85). */
const PY_WS_CLASS = "\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const RE_WS = new RegExp(`[${PY_WS_CLASS}]`);
const RE_WS_RUN = new RegExp(`[${PY_WS_CLASS}]+`);
const RE_ALL_WS = new RegExp(`^[${PY_WS_CLASS}]+$`);

const RE_CASED = /\p{Cased}/u;
const RE_CASE_IGNORABLE = /\p{Case_Ignorable}/u;
const RE_UPPER = /\p{Uppercase}/u;
const RE_LOWER = /\p{Lowercase}/u;
const RE_TITLECASE = /\p{Lt}/u;
const RE_ALPHA = /^\p{L}$/u;
const RE_DECIMAL = /^\p{Nd}$/u;
/** digits that are not decimal (Numeric_Type=Digit), from CPython 3.11 */
const RE_DIGIT_EXTRA =
  /^[\u00b2\u00b3\u00b9\u1369-\u1371\u19da\u2070\u2074-\u2079\u2080-\u2089\u2460-\u2468\u2474-\u247c\u2488-\u2490\u24ea\u24f5-\u24fd\u24ff\u2776-\u277e\u2780-\u2788\u278a-\u2792\u{10a40}-\u{10a43}\u{10e60}-\u{10e68}\u{11052}-\u{1105a}\u{1f100}-\u{1f10a}]$/u;
/** Numeric_Type=Numeric letters (CJK numerals) that `\p{N}` misses, from CPython 3.11 */
const RE_NUMERIC_EXTRA =
  /^[\u3405\u3483\u382a\u3b4d\u4e00\u4e03\u4e07\u4e09\u4e5d\u4e8c\u4e94\u4e96\u4ebf\u4ec0\u4edf\u4ee8\u4f0d\u4f70\u5104\u5146\u5169\u516b\u516d\u5341\u5343-\u5345\u534c\u53c1-\u53c4\u56db\u58f1\u58f9\u5e7a\u5efe\u5eff\u5f0c-\u5f0e\u5f10\u62fe\u634c\u67d2\u6f06\u7396\u767e\u8086\u842c\u8cae\u8cb3\u8d30\u9621\u9646\u964c\u9678\u96f6\uf96b\uf973\uf978\uf9b2\uf9d1\uf9d3\uf9fd\u{20001}\u{20064}\u{200e2}\u{20121}\u{2092a}\u{20983}\u{2098c}\u{2099c}\u{20aea}\u{20afd}\u{20b19}\u{22390}\u{22998}\u{23b1b}\u{2626d}\u{2f890}]$/u;
const RE_NUMERIC = /^\p{N}$/u;
const RE_NONPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

const isDecimalChar = (c: string): boolean => RE_DECIMAL.test(c);
const isDigitChar = (c: string): boolean => RE_DECIMAL.test(c) || RE_DIGIT_EXTRA.test(c);
const isNumericChar = (c: string): boolean => RE_NUMERIC.test(c) || RE_NUMERIC_EXTRA.test(c);
const isAlphaChar = (c: string): boolean => RE_ALPHA.test(c);
const isPrintableChar = (c: string): boolean => c === " " || !RE_NONPRINTABLE.test(c);

function table(spec: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const entry of spec.split(",")) {
    const i = entry.indexOf(" ");
    m.set(entry.slice(0, i), entry.slice(i + 1));
  }
  return m;
}

/** Titlecase mappings where CPython 3.11 (Unicode 14) differs from "upper-case the first code point, lower-case the rest" (generated). */
const TITLE_EXCEPTIONS = table(
  "ŉ ʼN,ƛ ƛ,Ǆ ǅ,ǅ ǅ,ǆ ǅ,Ǉ ǈ,ǈ ǈ,ǉ ǈ,Ǌ ǋ,ǋ ǋ,ǌ ǋ,Ǳ ǲ,ǲ ǲ,ǳ ǲ,ɤ ɤ,ა ა,ბ ბ,გ გ,დ დ,ე ე,ვ ვ,ზ ზ,თ თ,ი ი,კ კ,ლ ლ,მ მ,ნ ნ,ო ო,პ პ,ჟ ჟ,რ რ,ს ს,ტ ტ,უ უ,ფ ფ,ქ ქ,ღ ღ,ყ ყ,შ შ,ჩ ჩ,ც ც,ძ ძ,წ წ,ჭ ჭ,ხ ხ,ჯ ჯ,ჰ ჰ,ჱ ჱ,ჲ ჲ,ჳ ჳ,ჴ ჴ,ჵ ჵ,ჶ ჶ,ჷ ჷ,ჸ ჸ,ჹ ჹ,ჺ ჺ,ჽ ჽ,ჾ ჾ,ჿ ჿ,ᲊ ᲊ,ᾀ ᾈ,ᾁ ᾉ,ᾂ ᾊ,ᾃ ᾋ,ᾄ ᾌ,ᾅ ᾍ,ᾆ ᾎ,ᾇ ᾏ,ᾈ ᾈ,ᾉ ᾉ,ᾊ ᾊ,ᾋ ᾋ,ᾌ ᾌ,ᾍ ᾍ,ᾎ ᾎ,ᾏ ᾏ,ᾐ ᾘ,ᾑ ᾙ,ᾒ ᾚ,ᾓ ᾛ,ᾔ ᾜ,ᾕ ᾝ,ᾖ ᾞ,ᾗ ᾟ,ᾘ ᾘ,ᾙ ᾙ,ᾚ ᾚ,ᾛ ᾛ,ᾜ ᾜ,ᾝ ᾝ,ᾞ ᾞ,ᾟ ᾟ,ᾠ ᾨ,ᾡ ᾩ,ᾢ ᾪ,ᾣ ᾫ,ᾤ ᾬ,ᾥ ᾭ,ᾦ ᾮ,ᾧ ᾯ,ᾨ ᾨ,ᾩ ᾩ,ᾪ ᾪ,ᾫ ᾫ,ᾬ ᾬ,ᾭ ᾭ,ᾮ ᾮ,ᾯ ᾯ,ᾲ Ὰ\u0345,ᾳ ᾼ,ᾴ Ά\u0345,ᾷ Α\u0342\u0345,ᾼ ᾼ,ῂ Ὴ\u0345,ῃ ῌ,ῄ Ή\u0345,ῇ Η\u0342\u0345,ῌ ῌ,ῲ Ὼ\u0345,ῳ ῼ,ῴ Ώ\u0345,ῷ Ω\u0342\u0345,ῼ ῼ,ꟍ ꟍ,꟏ ꟏,ꟓ ꟓ,ꟕ ꟕ,ꟛ ꟛ,𐵰 𐵰,𐵱 𐵱,𐵲 𐵲,𐵳 𐵳,𐵴 𐵴,𐵵 𐵵,𐵶 𐵶,𐵷 𐵷,𐵸 𐵸,𐵹 𐵹,𐵺 𐵺,𐵻 𐵻,𐵼 𐵼,𐵽 𐵽,𐵾 𐵾,𐵿 𐵿,𐶀 𐶀,𐶁 𐶁,𐶂 𐶂,𐶃 𐶃,𐶄 𐶄,𐶅 𐶅,𖺻 𖺻,𖺼 𖺼,𖺽 𖺽,𖺾 𖺾,𖺿 𖺿,𖻀 𖻀,𖻁 𖻁,𖻂 𖻂,𖻃 𖻃,𖻄 𖻄,𖻅 𖻅,𖻆 𖻆,𖻇 𖻇,𖻈 𖻈,𖻉 𖻉,𖻊 𖻊,𖻋 𖻋,𖻌 𖻌,𖻍 𖻍,𖻎 𖻎,𖻏 𖻏,𖻐 𖻐,𖻑 𖻑,𖻒 𖻒,𖻓 𖻓",
);
/** str.casefold() mappings where CPython 3.11 differs from JS toLowerCase() (generated). */
const CASEFOLD_EXCEPTIONS = table(
  "µ μ,ß ss,ŉ ʼn,ſ s,ǰ j\u030c,\u0345 ι,ΐ ι\u0308\u0301,ΰ υ\u0308\u0301,ς σ,ϐ β,ϑ θ,ϕ φ,ϖ π,ϰ κ,ϱ ρ,ϵ ε,և եւ,Ꭰ Ꭰ,Ꭱ Ꭱ,Ꭲ Ꭲ,Ꭳ Ꭳ,Ꭴ Ꭴ,Ꭵ Ꭵ,Ꭶ Ꭶ,Ꭷ Ꭷ,Ꭸ Ꭸ,Ꭹ Ꭹ,Ꭺ Ꭺ,Ꭻ Ꭻ,Ꭼ Ꭼ,Ꭽ Ꭽ,Ꭾ Ꭾ,Ꭿ Ꭿ,Ꮀ Ꮀ,Ꮁ Ꮁ,Ꮂ Ꮂ,Ꮃ Ꮃ,Ꮄ Ꮄ,Ꮅ Ꮅ,Ꮆ Ꮆ,Ꮇ Ꮇ,Ꮈ Ꮈ,Ꮉ Ꮉ,Ꮊ Ꮊ,Ꮋ Ꮋ,Ꮌ Ꮌ,Ꮍ Ꮍ,Ꮎ Ꮎ,Ꮏ Ꮏ,Ꮐ Ꮐ,Ꮑ Ꮑ,Ꮒ Ꮒ,Ꮓ Ꮓ,Ꮔ Ꮔ,Ꮕ Ꮕ,Ꮖ Ꮖ,Ꮗ Ꮗ,Ꮘ Ꮘ,Ꮙ Ꮙ,Ꮚ Ꮚ,Ꮛ Ꮛ,Ꮜ Ꮜ,Ꮝ Ꮝ,Ꮞ Ꮞ,Ꮟ Ꮟ,Ꮠ Ꮠ,Ꮡ Ꮡ,Ꮢ Ꮢ,Ꮣ Ꮣ,Ꮤ Ꮤ,Ꮥ Ꮥ,Ꮦ Ꮦ,Ꮧ Ꮧ,Ꮨ Ꮨ,Ꮩ Ꮩ,Ꮪ Ꮪ,Ꮫ Ꮫ,Ꮬ Ꮬ,Ꮭ Ꮭ,Ꮮ Ꮮ,Ꮯ Ꮯ,Ꮰ Ꮰ,Ꮱ Ꮱ,Ꮲ Ꮲ,Ꮳ Ꮳ,Ꮴ Ꮴ,Ꮵ Ꮵ,Ꮶ Ꮶ,Ꮷ Ꮷ,Ꮸ Ꮸ,Ꮹ Ꮹ,Ꮺ Ꮺ,Ꮻ Ꮻ,Ꮼ Ꮼ,Ꮽ Ꮽ,Ꮾ Ꮾ,Ꮿ Ꮿ,Ᏸ Ᏸ,Ᏹ Ᏹ,Ᏺ Ᏺ,Ᏻ Ᏻ,Ᏼ Ᏼ,Ᏽ Ᏽ,ᏸ Ᏸ,ᏹ Ᏹ,ᏺ Ᏺ,ᏻ Ᏻ,ᏼ Ᏼ,ᏽ Ᏽ,ᲀ в,ᲁ д,ᲂ о,ᲃ с,ᲄ т,ᲅ т,ᲆ ъ,ᲇ ѣ,ᲈ ꙋ,Ᲊ Ᲊ,ẖ h\u0331,ẗ t\u0308,ẘ w\u030a,ẙ y\u030a,ẚ aʾ,ẛ ṡ,ẞ ss,ὐ υ\u0313,ὒ υ\u0313\u0300,ὔ υ\u0313\u0301,ὖ υ\u0313\u0342,ᾀ ἀι,ᾁ ἁι,ᾂ ἂι,ᾃ ἃι,ᾄ ἄι,ᾅ ἅι,ᾆ ἆι,ᾇ ἇι,ᾈ ἀι,ᾉ ἁι,ᾊ ἂι,ᾋ ἃι,ᾌ ἄι,ᾍ ἅι,ᾎ ἆι,ᾏ ἇι,ᾐ ἠι,ᾑ ἡι,ᾒ ἢι,ᾓ ἣι,ᾔ ἤι,ᾕ ἥι,ᾖ ἦι,ᾗ ἧι,ᾘ ἠι,ᾙ ἡι,ᾚ ἢι,ᾛ ἣι,ᾜ ἤι,ᾝ ἥι,ᾞ ἦι,ᾟ ἧι,ᾠ ὠι,ᾡ ὡι,ᾢ ὢι,ᾣ ὣι,ᾤ ὤι,ᾥ ὥι,ᾦ ὦι,ᾧ ὧι,ᾨ ὠι,ᾩ ὡι,ᾪ ὢι,ᾫ ὣι,ᾬ ὤι,ᾭ ὥι,ᾮ ὦι,ᾯ ὧι,ᾲ ὰι,ᾳ αι,ᾴ άι,ᾶ α\u0342,ᾷ α\u0342ι,ᾼ αι,ι ι,ῂ ὴι,ῃ ηι,ῄ ήι,ῆ η\u0342,ῇ η\u0342ι,ῌ ηι,ῒ ι\u0308\u0300,ΐ ι\u0308\u0301,ῖ ι\u0342,ῗ ι\u0308\u0342,ῢ υ\u0308\u0300,ΰ υ\u0308\u0301,ῤ ρ\u0313,ῦ υ\u0342,ῧ υ\u0308\u0342,ῲ ὼι,ῳ ωι,ῴ ώι,ῶ ω\u0342,ῷ ω\u0342ι,ῼ ωι,Ɤ Ɤ,Ꟍ Ꟍ,꟎ ꟎,꟒ ꟒,꟔ ꟔,Ꟛ Ꟛ,Ƛ Ƛ,ꭰ Ꭰ,ꭱ Ꭱ,ꭲ Ꭲ,ꭳ Ꭳ,ꭴ Ꭴ,ꭵ Ꭵ,ꭶ Ꭶ,ꭷ Ꭷ,ꭸ Ꭸ,ꭹ Ꭹ,ꭺ Ꭺ,ꭻ Ꭻ,ꭼ Ꭼ,ꭽ Ꭽ,ꭾ Ꭾ,ꭿ Ꭿ,ꮀ Ꮀ,ꮁ Ꮁ,ꮂ Ꮂ,ꮃ Ꮃ,ꮄ Ꮄ,ꮅ Ꮅ,ꮆ Ꮆ,ꮇ Ꮇ,ꮈ Ꮈ,ꮉ Ꮉ,ꮊ Ꮊ,ꮋ Ꮋ,ꮌ Ꮌ,ꮍ Ꮍ,ꮎ Ꮎ,ꮏ Ꮏ,ꮐ Ꮐ,ꮑ Ꮑ,ꮒ Ꮒ,ꮓ Ꮓ,ꮔ Ꮔ,ꮕ Ꮕ,ꮖ Ꮖ,ꮗ Ꮗ,ꮘ Ꮘ,ꮙ Ꮙ,ꮚ Ꮚ,ꮛ Ꮛ,ꮜ Ꮜ,ꮝ Ꮝ,ꮞ Ꮞ,ꮟ Ꮟ,ꮠ Ꮠ,ꮡ Ꮡ,ꮢ Ꮢ,ꮣ Ꮣ,ꮤ Ꮤ,ꮥ Ꮥ,ꮦ Ꮦ,ꮧ Ꮧ,ꮨ Ꮨ,ꮩ Ꮩ,ꮪ Ꮪ,ꮫ Ꮫ,ꮬ Ꮬ,ꮭ Ꮭ,ꮮ Ꮮ,ꮯ Ꮯ,ꮰ Ꮰ,ꮱ Ꮱ,ꮲ Ꮲ,ꮳ Ꮳ,ꮴ Ꮴ,ꮵ Ꮵ,ꮶ Ꮶ,ꮷ Ꮷ,ꮸ Ꮸ,ꮹ Ꮹ,ꮺ Ꮺ,ꮻ Ꮻ,ꮼ Ꮼ,ꮽ Ꮽ,ꮾ Ꮾ,ꮿ Ꮿ,ﬀ ff,ﬁ fi,ﬂ fl,ﬃ ffi,ﬄ ffl,ﬅ st,ﬆ st,ﬓ մն,ﬔ մե,ﬕ մի,ﬖ վն,ﬗ մխ,𐵐 𐵐,𐵑 𐵑,𐵒 𐵒,𐵓 𐵓,𐵔 𐵔,𐵕 𐵕,𐵖 𐵖,𐵗 𐵗,𐵘 𐵘,𐵙 𐵙,𐵚 𐵚,𐵛 𐵛,𐵜 𐵜,𐵝 𐵝,𐵞 𐵞,𐵟 𐵟,𐵠 𐵠,𐵡 𐵡,𐵢 𐵢,𐵣 𐵣,𐵤 𐵤,𐵥 𐵥,𖺠 𖺠,𖺡 𖺡,𖺢 𖺢,𖺣 𖺣,𖺤 𖺤,𖺥 𖺥,𖺦 𖺦,𖺧 𖺧,𖺨 𖺨,𖺩 𖺩,𖺪 𖺪,𖺫 𖺫,𖺬 𖺬,𖺭 𖺭,𖺮 𖺮,𖺯 𖺯,𖺰 𖺰,𖺱 𖺱,𖺲 𖺲,𖺳 𖺳,𖺴 𖺴,𖺵 𖺵,𖺶 𖺶,𖺷 𖺷,𖺸 𖺸",
);

/** Python's full titlecase mapping of one code point. */
function titleChar(c: string): string {
  const t = TITLE_EXCEPTIONS.get(c);
  if (t !== undefined) return t;
  const u = c.toUpperCase();
  if (u.length === 1 || (u.length === 2 && cpLen(u) === 1)) return u;
  const a = cps(u);
  return a[0] + a.slice(1).join("").toLowerCase();
}

/** Python's final-sigma rule (handle_capital_sigma) for the code point at index i of a code point array. */
function lowerAt(a: string[], i: number): string {
  const c = a[i];
  if (c !== "\u03a3") return c.toLowerCase();
  let j = i - 1;
  while (j >= 0 && RE_CASE_IGNORABLE.test(a[j])) j--;
  const before = j >= 0 && RE_CASED.test(a[j]);
  j = i + 1;
  while (j < a.length && RE_CASE_IGNORABLE.test(a[j])) j++;
  const after = j < a.length && RE_CASED.test(a[j]);
  return before && !after ? "\u03c2" : "\u03c3";
}

function pyTitle(s: string): string {
  const a = cps(s);
  let out = "";
  let prevCased = false;
  for (let i = 0; i < a.length; i++) {
    const c = a[i];
    out += prevCased ? lowerAt(a, i) : titleChar(c);
    prevCased = RE_CASED.test(c);
  }
  return out;
}

function pyCapitalize(s: string): string {
  const a = cps(s);
  if (a.length === 0) return "";
  let out = titleChar(a[0]);
  for (let i = 1; i < a.length; i++) out += lowerAt(a, i);
  return out;
}

function pySwapcase(s: string): string {
  const a = cps(s);
  let out = "";
  for (let i = 0; i < a.length; i++) {
    const c = a[i];
    if (RE_UPPER.test(c)) out += lowerAt(a, i);
    else if (RE_LOWER.test(c)) out += c.toUpperCase();
    else out += c;
  }
  return out;
}

function pyCasefold(s: string): string {
  let out = "";
  for (const c of s) out += CASEFOLD_EXCEPTIONS.get(c) ?? c.toLowerCase();
  return out;
}

function pyIsLower(s: string): boolean {
  let cased = false;
  for (const c of s) {
    if (RE_UPPER.test(c) || RE_TITLECASE.test(c)) return false;
    if (!cased && RE_LOWER.test(c)) cased = true;
  }
  return cased;
}

function pyIsUpper(s: string): boolean {
  let cased = false;
  for (const c of s) {
    if (RE_LOWER.test(c) || RE_TITLECASE.test(c)) return false;
    if (!cased && RE_UPPER.test(c)) cased = true;
  }
  return cased;
}

function pyIsTitle(s: string): boolean {
  let cased = false;
  let prevCased = false;
  for (const c of s) {
    if (RE_UPPER.test(c) || RE_TITLECASE.test(c)) {
      if (prevCased) return false;
      prevCased = true;
      cased = true;
    } else if (RE_LOWER.test(c)) {
      if (!prevCased) return false;
      prevCased = true;
      cased = true;
    } else prevCased = false;
  }
  return cased;
}

function allChars(s: string, pred: (c: string) => boolean): boolean {
  if (s === "") return false;
  for (const c of s) if (!pred(c)) return false;
  return true;
}

/** Python str.isspace() etc., exported for filters/tests. */
export const strPredicates = {
  isspace: (s: string): boolean => s !== "" && RE_ALL_WS.test(s),
  isalpha: (s: string): boolean => allChars(s, isAlphaChar),
  isdecimal: (s: string): boolean => allChars(s, isDecimalChar),
  isdigit: (s: string): boolean => allChars(s, isDigitChar),
  isnumeric: (s: string): boolean => allChars(s, isNumericChar),
  isalnum: (s: string): boolean => allChars(s, (c) => isAlphaChar(c) || isNumericChar(c) || isDigitChar(c)),
  isprintable: (s: string): boolean => s === "" || allChars(s, isPrintableChar),
  isascii: (s: string): boolean => /^[\x00-\x7f]*$/.test(s),
  isidentifier: (s: string): boolean => /^[\p{XID_Start}_][\p{XID_Continue}]*$/u.test(s.normalize("NFKC")),
  islower: pyIsLower,
  isupper: pyIsUpper,
  istitle: pyIsTitle,
};

/** Python str.lower/upper/title/capitalize/swapcase/casefold, exported for filters. */
export const strCase = {
  lower: (s: string): string => s.toLowerCase(),
  upper: (s: string): string => s.toUpperCase(),
  title: pyTitle,
  capitalize: pyCapitalize,
  swapcase: pySwapcase,
  casefold: pyCasefold,
};

/** Compare two strings by code point (JS `<` compares UTF-16 code units). */
export function cmpStr(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        // fix up UTF-16 order so surrogates (astral) sort above U+E000..U+FFFF
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x < y ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** Code point index → UTF-16 index (clamped to the string). */
function cuIndex(s: string, cp: number): number {
  if (!SURROGATE.test(s)) return Math.min(cp, s.length);
  let cu = 0;
  for (let i = 0; i < cp && cu < s.length; i++) {
    const c = s.charCodeAt(cu);
    cu += c >= 0xd800 && c <= 0xdbff && cu + 1 < s.length && (s.charCodeAt(cu + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
  }
  return cu;
}

/** UTF-16 index → code point index. */
function cpIndex(s: string, cu: number): number {
  if (!SURROGATE.test(s)) return cu;
  return cpLen(s.slice(0, cu));
}

// ================================================================================================ conversion

const ADDR = "0x7f0000000000";

let addressesAllowed = false;

/** Python shows these objects with their memory address (`<generator object … at 0x7f…>`), which
 * no component can reproduce: printing one is an error rather than a made-up address (but see
 * `withStandInAddresses`). */
function addressed(what: string): string {
  if (addressesAllowed) return `${what.slice(0, -1)} at ${ADDR}>`;
  throw new TemplateRuntimeError(
    `jinja2tsx: ${what} printed as text: Jinja2 writes its memory address, which a component cannot reproduce`,
  );
}

/** Run `f` with a stand-in address in such texts, where only their letter case counts
 * (`is lower`, `is upper`: an address is lower-case hex whatever its value). */
export function withStandInAddresses<T>(f: () => T): T {
  const saved = addressesAllowed;
  addressesAllowed = true;
  try {
    return f();
  } finally {
    addressesAllowed = saved;
  }
}

/** Python `str(v)`: None → "None", True → "True", floats as repr, containers as repr; Undefined → "". */
export function str(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === undefined) return "";
  if (v === null) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return Number.isInteger(v) ? intRepr(v) : floatRepr(v);
  if (typeof v === "bigint") return bigintText(v);
  if (v instanceof PyFloat) return floatRepr(v.value);
  if (v instanceof SafeHtml) return v.html;
  const s = hook(v, "__str__");
  if (s) {
    const r = s();
    return r instanceof SafeHtml ? r.html : r;
  }
  return repr(v);
}

/** Python `str(v)` keeping a `Markup` result: host objects whose `__str__` returns Markup (WTForms fields
 * and labels) give SafeHtml, as `str(field)` does in Python; everything else is `str(v)`. */
export function strKeep(v: unknown): string | SafeHtml {
  if (v instanceof SafeHtml) return v;
  const s = hook(v, "__str__");
  if (s) return s();
  return str(v);
}

/** A prop the caller passed (an own property): `props.toString` of props without one is undefined, as
 * the name is in Jinja's context, not the function every JS object inherits. */
export function ownProp(props: object, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(props, name) ? (props as Record<string, unknown>)[name] : undefined;
}

/** Has `v` an `__html__` method (MarkupSafe's test for "already HTML")? SafeHtml or a host object. */
export function hasHtml(v: unknown): boolean {
  return v instanceof SafeHtml || hook(v, "__html__") !== undefined;
}

/** Python `repr(v)`. */
export function repr(v: unknown): string {
  return reprIn(v, []);
}

function reprIn(v: unknown, seen: unknown[]): string {
  if (typeof v === "string") return reprStr(v);
  if (v === undefined) return "Undefined";
  if (v === null || typeof v === "boolean" || typeof v === "number" || typeof v === "bigint" || v instanceof PyFloat) {
    return str(v);
  }
  if (v instanceof SafeHtml) return `Markup(${reprStr(v.html)})`;
  if (isRange(v)) return rangeRepr(v);
  if (Array.isArray(v)) {
    const t = isTuple(v);
    if (seen.includes(v)) return t ? "(...)" : "[...]";
    seen.push(v);
    const items = v.map((x) => reprIn(x, seen));
    seen.pop();
    if (t) return items.length === 1 ? `(${items[0]},)` : `(${items.join(", ")})`;
    return `[${items.join(", ")}]`;
  }
  if (isDict(v)) {
    if (seen.includes(v)) return "{...}";
    seen.push(v);
    const items = Object.keys(v).map((k) => `${reprStr(k)}: ${reprIn(v[k], seen)}`);
    seen.pop();
    return `{${items.join(", ")}}`;
  }
  if (v instanceof DictView) return `dict_${v.kind}(${reprIn(v.toArray(), seen)})`;
  if (v instanceof Namespace) {
    const d: Record<string, unknown> = {};
    for (const k of Object.keys(v.attrs)) dictSet(d, k, v.attrs[k]);
    return `<Namespace ${reprIn(d, seen)}>`;
  }
  if (v instanceof LoopContext) return `<LoopContext ${v.index}/${v.length}>`;
  if (v instanceof LazyIter) return addressed(`<${v.kind} object>`);
  if (v instanceof PyCallable) {
    const text = v.reprText ?? `<function ${v.name}>`;
    return text.includes(ADDR) || v.reprText === undefined ? addressed(text.replace(` at ${ADDR}`, "")) : text;
  }
  if (v instanceof Cycler) return addressed("<jinja2.utils.Cycler object>");
  if (v instanceof Joiner) return addressed("<jinja2.utils.Joiner object>");
  const r = hook(v, "__repr__");
  if (r) return r();
  if (typeof v === "function") return addressed(`<function ${v.name || "<lambda>"}>`);
  return addressed(`<${typeName(v)} object>`);
}

/** Python repr of a str: quote choice and escapes of non-printable characters. */
function reprStr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  if (/^[\x20-\x7e]*$/.test(s) && !s.includes("\\") && !s.includes(quote)) return quote + s + quote;
  let out = quote;
  for (const c of s) {
    const cp = c.codePointAt(0)!;
    if (c === quote || c === "\\") out += "\\" + c;
    else if (c === "\t") out += "\\t";
    else if (c === "\n") out += "\\n";
    else if (c === "\r") out += "\\r";
    else if (cp < 0x20 || cp === 0x7f) out += "\\x" + hex2(cp);
    else if (cp < 0x7f) out += c;
    else if (isPrintableChar(c)) out += c;
    else if (cp <= 0xff) out += "\\x" + hex2(cp);
    else if (cp <= 0xffff) out += "\\u" + cp.toString(16).padStart(4, "0");
    else out += "\\U" + cp.toString(16).padStart(8, "0");
  }
  return out + quote;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, "0");
}

/** Python `ascii(v)`: repr with non-ASCII characters escaped. */
export function ascii(v: unknown): string {
  return asciiEscape(repr(v));
}

function asciiEscape(s: string): string {
  if (/^[\x00-\x7f]*$/.test(s)) return s;
  let out = "";
  for (const c of s) {
    const cp = c.codePointAt(0)!;
    if (cp < 0x80) out += c;
    else if (cp <= 0xff) out += "\\x" + hex2(cp);
    else if (cp <= 0xffff) out += "\\u" + cp.toString(16).padStart(4, "0");
    else out += "\\U" + cp.toString(16).padStart(8, "0");
  }
  return out;
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;" };
const RE_ESCAPE = /[&<>"']/g;

/** HTML-escape a plain string (MarkupSafe's `_escape_inner`). */
export function escapeText(s: string): string {
  RE_ESCAPE.lastIndex = 0;
  return RE_ESCAPE.test(s) ? s.replace(RE_ESCAPE, (c) => ESCAPES[c]) : s;
}

/** markupsafe.escape: `& < > " '` → `&amp; &lt; &gt; &#34; &#39;`; SafeHtml unchanged; `__html__` honoured; Undefined → "". */
export function escape(v: unknown): SafeHtml {
  if (v instanceof SafeHtml) return v;
  if (typeof v === "string") return new SafeHtml(escapeText(v));
  const h = hook(v, "__html__");
  if (h) return new SafeHtml(h());
  return new SafeHtml(escapeText(str(v)));
}

/** Python `bool(v)`. */
export function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false) return false;
  if (v === true) return true;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "string") return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isDict(v)) {
    for (const k in v) if (Object.prototype.hasOwnProperty.call(v, k)) return true;
    return false;
  }
  if (v instanceof PyFloat) return v.value !== 0;
  if (v instanceof SafeHtml) return v.html.length > 0;
  if (typeof v === "bigint") return v !== 0n;
  if (v instanceof DictView) return v.length > 0;
  if (v instanceof LoopContext) return v.length > 0;
  const b = hook(v, "__bool__");
  if (b) return b();
  const l = hook(v, "__len__");
  if (l) return l() > 0;
  return true;
}

/** Markup that arrived as data in a prop (a Flask prop's Markup item): the prop, for `text`'s error. */
export const MARKUP_FROM_PROP = new WeakMap<SafeHtml, string>();

/** JSX text child for a non-Markup value: "" for Undefined, else `str(v)`. */
export function text(v: unknown): string {
  // The converter proved this output is not Markup. If it is after all (a WTForms field it did not
  // recognise), printing it as text would differ from Jinja's raw HTML whenever the HTML has a tag or an
  // entity: fail instead (tojson's Markup has neither, and escaping-free Markup reads the same as text).
  const html = v instanceof SafeHtml ? v.html : hook(v, "__html__")?.();
  if (html !== undefined && /[<&]/.test(html)) {
    const prop = v instanceof SafeHtml ? MARKUP_FROM_PROP.get(v) : undefined;
    if (prop !== undefined) {
      throw new TemplateRuntimeError(
        `jinja2tsx: a Markup value of the ${prop} prop printed where the converter expected text ` +
          `(it takes ${prop}'s values for text): print it with |safe, which Jinja prints the same, ` +
          "so that the converter writes it as HTML",
      );
    }
    throw new TemplateRuntimeError(
      `jinja2tsx: HTML (a ${typeName(v)}) printed where the converter expected text: it did not ` +
        "recognise the variable as holding WTForms objects; render a field with an attribute " +
        "(`{{ form.name(class_=...) }}`) or print form.hidden_tag() / form.csrf_token to mark the form",
    );
  }
  return str(v);
}

/** Exactly what Jinja writes for `{{ v }}`: autoescape (default) ? escape(v) : str(v). */
export function out(v: unknown, autoescape = true): string {
  return autoescape ? escape(v).html : str(v);
}

/** Elements whose content the HTML parser reads as text up to their own end tag. */
const RAW_TEXT_ELEMENTS = new Set([
  "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
]);

/**
 * Where `html`, read by the HTML parser from content, stops being read as tags and text: the offset of
 * a start tag, end tag or comment it never finishes, or of a raw-text element (`<script>`, `<style>`,
 * `<textarea>`...) it never closes; -1 when it ends back in content.
 */
export function leavesContentAt(html: string): number {
  let i = html.indexOf("<");
  while (i !== -1) {
    const next = html.charAt(i + 1);
    let end: number;
    if (html.startsWith("<!--", i)) {
      if (html.startsWith("<!-->", i)) end = i + 5;
      else if (html.startsWith("<!--->", i)) end = i + 6;
      else {
        const close = html.indexOf("-->", i + 4);
        if (close === -1) return i;
        end = close + 3;
      }
    } else if (next === "!" || next === "?" || (next === "/" && !/[A-Za-z]/.test(html.charAt(i + 2)))) {
      // doctype, bogus comment (`<!x>`, `<?x>`, `</1>`), or `</>` (dropped): up to the next ">"
      const close = html.indexOf(">", i + 2);
      if (close === -1) return i;
      end = close + 1;
    } else if (/[A-Za-z]/.test(next) || next === "/") {
      end = tagEnd(html, i);
      if (end === -1) return i;
      const m = next === "/" ? null : /^<([^\t\n\f\r />]+)/.exec(html.slice(i, i + 40));
      const name = m ? m[1].toLowerCase() : "";
      if (name === "plaintext") return i;
      if (RAW_TEXT_ELEMENTS.has(name)) {
        // its text runs to `</name` followed by white space, "/" or ">" (any case; `<script/>`
        // is no empty element in HTML)
        const re = new RegExp(`</${name}[\\t\\n\\f\\r />]`, "gi");
        re.lastIndex = end;
        const closing = re.exec(html);
        // (a comment that opens a nested <script> inside script text changes where it ends: refused)
        const inner = closing ? html.slice(end, closing.index) : "";
        if (!closing || (name === "script" && /<!--/.test(inner) && /<script/i.test(inner))) return i;
        // (inside <svg> or <math> the element's text is read as content: what it opens counts)
        if (/<(svg|math)[\t\n\f\r />]/i.test(html) && leavesContentAt(inner) !== -1) return i;
        end = tagEnd(html, closing.index);
        if (end === -1) return i;
      }
    } else {
      end = i + 1; // "<" before anything else is text
    }
    i = html.indexOf("<", end);
  }
  return -1;
}

/**
 * Offset just past the ">" ending the tag (start or end tag) that starts at `start`, read as the HTML
 * tokenizer reads attributes (a quote only opens a value after "name="); -1 if the tag never ends.
 */
function tagEnd(html: string, start: number): number {
  const ws = (c: string) => c === " " || c === "\t" || c === "\n" || c === "\f" || c === "\r";
  let i = start + (html.charAt(start + 1) === "/" ? 2 : 1);
  while (i < html.length && !ws(html.charAt(i)) && html.charAt(i) !== "/" && html.charAt(i) !== ">") i++;
  let state: "before" | "name" | "after" | "value" | "quoted" | "unquoted" = "before";
  while (i < html.length) {
    const c = html.charAt(i);
    if (state === "value" && (c === '"' || c === "'")) {
      const close = html.indexOf(c, i + 1);
      if (close === -1) return -1;
      i = close + 1;
      state = "quoted";
      continue;
    }
    if (c === ">") return i + 1;
    if (state === "before") state = ws(c) || c === "/" ? "before" : "name";
    else if (state === "name") state = c === "=" ? "value" : ws(c) ? "after" : c === "/" ? "before" : "name";
    else if (state === "after") state = c === "=" ? "value" : ws(c) ? "after" : c === "/" ? "before" : "name";
    else if (state === "value") state = ws(c) ? "value" : "unquoted";
    else if (state === "quoted") state = ws(c) || c === "/" ? "before" : "name";
    else state = ws(c) ? "before" : "unquoted";
    i++;
  }
  return -1;
}

/**
 * What Jinja writes for `{{ v }}` in element content written as an HTML string (`out`), failing the
 * render when it is HTML that leaves the parser outside content: the browser would read the rest of
 * Jinja's page as script text, a comment or an attribute, and the component's own HTML after it is
 * written differently.
 */
export function content(v: unknown, autoescape = true): string {
  return checkedContent(out(v, autoescape), 0);
}

/**
 * A block override written as the text Jinja writes (its markup does not form elements: the layout
 * renders to an HTML string): the page after it is written as elements, read from content, so the
 * override must end there — not inside a tag, a comment or a <script>/<style>/<textarea>/<title>.
 */
export function textOverride(html: string): string {
  const at = leavesContentAt(html);
  if (at !== -1) {
    throw new TemplateRuntimeError(
      `jinja2tsx: a block written as text ends inside what ${JSON.stringify(html.slice(at, at + 40))} ` +
        "starts (a tag, comment, or <script>/<style>/<textarea>/<title> without its end tag): the " +
        "browser reads the rest of the page inside it, which the component writes otherwise",
    );
  }
  return html;
}

/**
 * `content` for a value printed inside an HTML comment: what follows a "-->" in it is content, which
 * may end in a comment of its own (the template's "-->" closes it).
 */
export function commentOut(v: unknown, autoescape = true): string {
  const html = out(v, autoescape);
  const m = /--!?>/.exec(html);
  return m === null ? html : checkedContent(html, m.index + m[0].length, true);
}

/** `html` unless its part from `from` on leaves content (in a comment, it may end in a comment). */
function checkedContent(html: string, from: number, inComment = false): string {
  const rest = html.slice(from);
  const at = rest.includes("<") ? leavesContentAt(rest) : -1;
  if (at !== -1 && !(inComment && rest.startsWith("<!--", at))) {
    throw new TemplateRuntimeError(
      `jinja2tsx: the HTML ${JSON.stringify(rest.slice(at, at + 40))}, printed in element content, ` +
        "does not end what it starts (a tag, comment, or <script>/<style>/<textarea> without its end " +
        "tag): the browser reads the rest of the page inside it, which the component writes otherwise",
    );
  }
  return html;
}

/** Python `len(v)` (Undefined → 0; generators → TemplateTypeError). */
export function len(v: unknown): number {
  if (typeof v === "string") return cpLen(v);
  if (Array.isArray(v)) return v.length;
  if (v === undefined) return 0;
  if (isDict(v)) return Object.keys(v).length;
  if (v instanceof SafeHtml) return cpLen(v.html);
  if (v instanceof DictView) return v.length;
  if (v instanceof LoopContext) return v.length;
  const l = hook(v, "__len__");
  if (l) return l();
  return typeError(`object of type '${typeName(v)}' has no len()`);
}

// ================================================================================================ comparisons

function isStrLike(v: unknown): v is string | SafeHtml {
  return typeof v === "string" || v instanceof SafeHtml;
}

function strText(v: string | SafeHtml): string {
  return typeof v === "string" ? v : v.html;
}

/** Python `a == b` (deep for list/tuple/dict; 1 == 1.0 == True; Undefined == Undefined). */
export function eq(a: unknown, b: unknown): boolean {
  if (a === b) return !(typeof a === "number" && Number.isNaN(a));
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (isNumber(a)) return isNumber(b) && numCmp(a, b) === 0;
  if (isStrLike(a)) return isStrLike(b) && strText(a) === strText(b);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || isTuple(a) !== isTuple(b) || a.length !== b.length) return false;
    if (isRange(a) !== isRange(b)) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !eq(a[i], b[i])) return false;
    return true;
  }
  if (isDict(a)) {
    if (!isDict(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) {
      if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
      if (a[k] !== b[k] && !eq(a[k], b[k])) return false;
    }
    return true;
  }
  if (a instanceof DictView && b instanceof DictView) {
    if (a.kind !== b.kind || a.kind === "values") return false;
    const xa = a.toArray();
    const xb = b.toArray();
    return xa.length === xb.length && xa.every((x) => xb.some((y) => eq(x, y)));
  }
  const e = hook(a, "__eq__");
  if (e) return e(b);
  const f = hook(b, "__eq__");
  if (f) return f(a);
  return false;
}

export function ne(a: unknown, b: unknown): boolean {
  return !eq(a, b);
}

type OrderOp = "<" | "<=" | ">" | ">=";

function applyOrder(c: number, op: OrderOp): boolean {
  switch (op) {
    case "<":
      return c < 0;
    case "<=":
      return c <= 0;
    case ">":
      return c > 0;
    default:
      return c >= 0;
  }
}

/** Python rich comparison `a op b` for ordering operators. */
function order(a: unknown, b: unknown, op: OrderOp): boolean {
  if (a === undefined || b === undefined) undefinedError();
  if (isNumber(a) && isNumber(b)) return applyOrder(numCmp(a, b), op);
  if (isStrLike(a) && isStrLike(b)) return applyOrder(cmpStr(strText(a), strText(b)), op);
  if (Array.isArray(a) && Array.isArray(b) && isTuple(a) === isTuple(b) && !isRange(a) && !isRange(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      if (a[i] !== b[i] && !eq(a[i], b[i])) return order(a[i], b[i], op);
    }
    return applyOrder(a.length - b.length, op);
  }
  return typeError(`'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
}

export function lt(a: unknown, b: unknown): boolean {
  return order(a, b, "<");
}
export function le(a: unknown, b: unknown): boolean {
  return order(a, b, "<=");
}
export function gt(a: unknown, b: unknown): boolean {
  return order(a, b, ">");
}
export function ge(a: unknown, b: unknown): boolean {
  return order(a, b, ">=");
}

/** A dict key lookup for `item`: its string key, or null when it cannot be a key of a str-keyed dict. */
function dictKey(item: unknown): string | null {
  if (typeof item === "string") return item;
  if (item instanceof SafeHtml) return item.html;
  if (Array.isArray(item) && !isTuple(item)) typeError("unhashable type: 'list'");
  if (isDict(item)) typeError("unhashable type: 'dict'");
  return null;
}

/** Python `item in container`. */
export function contains(container: unknown, item: unknown): boolean {
  if (container === undefined) return false;
  if (isStrLike(container)) {
    if (!isStrLike(item)) {
      typeError(`'in <string>' requires string as left operand, not ${typeName(item)}`);
    }
    return strText(container).includes(strText(item));
  }
  if (Array.isArray(container)) {
    for (const x of container) if (x === item || eq(x, item)) return true;
    return false;
  }
  if (isDict(container)) {
    const k = dictKey(item);
    return k !== null && Object.prototype.hasOwnProperty.call(container, k);
  }
  if (container instanceof DictView) {
    if (container.kind === "keys") return contains(container.dict, item);
    return contains(container.toArray(), item);
  }
  const c = hook(container, "__contains__");
  if (c) return c(item);
  if (container instanceof LazyIter || hook(container, "__iter__")) {
    const it = pyIterator(container);
    for (let r = it.next(); !r.done; r = it.next()) if (r.value === item || eq(r.value, item)) return true;
    return false;
  }
  return typeError(`argument of type '${typeName(container)}' is not iterable`);
}

export type CompareOp = "eq" | "ne" | "lt" | "le" | "gt" | "ge" | "in" | "notin";

function compareOp(op: CompareOp, a: unknown, b: unknown): boolean {
  switch (op) {
    case "eq":
      return eq(a, b);
    case "ne":
      return !eq(a, b);
    case "lt":
      return lt(a, b);
    case "le":
      return le(a, b);
    case "gt":
      return gt(a, b);
    case "ge":
      return ge(a, b);
    case "in":
      return contains(b, a);
    case "notin":
      return !contains(b, a);
  }
}

/** Chained comparison `a op1 b op2 c …`: each operand evaluated at most once, stops at the first false. */
export function compare(first: unknown, ...rest: [op: CompareOp, operand: () => unknown][]): boolean {
  let left = first;
  for (const [op, thunk] of rest) {
    const right = thunk();
    if (!compareOp(op, left, right)) return false;
    left = right;
  }
  return true;
}

// ================================================================================================ operators

function binopError(op: string, a: unknown, b: unknown): never {
  if (a === undefined || b === undefined) undefinedError();
  return typeError(`unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`);
}

function numBinop(a: unknown, b: unknown, op: string): unknown {
  if (!isNumber(a) || !isNumber(b)) return binopError(op, a, b);
  const ai = isIntLike(a);
  const bi = isIntLike(b);
  if (ai && bi) {
    const x = intVal(a);
    const y = intVal(b);
    switch (op) {
      case "+":
      case "-":
      case "*":
        return intArith(x, y, op);
      case "//":
        return intFloorDiv(x, y);
      case "%":
        return intMod(x, y);
      case "/": {
        if (y === 0 || y === 0n) zeroDivision("division by zero");
        return pyfloat(
          typeof x === "number" && typeof y === "number" ? x / y : bigToFloat(toBig(x)) / bigToFloat(toBig(y)),
        );
      }
      case "**":
        return intPow(x, y);
    }
  }
  const x = fval(a);
  const y = fval(b);
  switch (op) {
    case "+":
      return pyfloat(x + y);
    case "-":
      return pyfloat(x - y);
    case "*":
      return pyfloat(x * y);
    case "/":
      if (y === 0) zeroDivision("float division by zero");
      return pyfloat(x / y);
    case "//":
      return pyfloat(floatDivmod(x, y)[0]);
    case "%":
      return pyfloat(floatMod(x, y));
    case "**":
      return pyfloat(floatPow(x, y));
  }
  return binopError(op, a, b);
}

function intPow(x: number | bigint, y: number | bigint): unknown {
  if (y < 0) {
    if (x === 0 || x === 0n) zeroDivision("0.0 cannot be raised to a negative power");
    return pyfloat(floatPow(typeof x === "bigint" ? bigToFloat(x) : x, typeof y === "bigint" ? bigToFloat(y) : y));
  }
  if (typeof x === "number" && typeof y === "number") {
    if (y === 0) return 1;
    if (y === 1) return x;
    if (y === 2 && Math.abs(x) < 94906265) return x * x;
  }
  return normInt(toBig(x) ** toBig(y));
}

/** `a + b`: numbers, str + str, list + list, tuple + tuple; Markup escapes the plain side. */
export function add(a: unknown, b: unknown): unknown {
  if (typeof a === "number" && typeof b === "number" && Number.isInteger(a) && Number.isInteger(b)) {
    const r = a + b;
    if (Number.isSafeInteger(r)) return r === 0 ? 0 : r;
  }
  if (isStrLike(a) && isStrLike(b)) {
    if (a instanceof SafeHtml) return new SafeHtml(a.html + escape(b).html);
    if (b instanceof SafeHtml) return new SafeHtml(escape(a).html + b.html);
    return (a as string) + (b as string);
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (isRange(a)) typeError(`unsupported operand type(s) for +: 'range' and '${typeName(b)}'`);
    if (isTuple(a) !== isTuple(b) || isRange(b)) {
      return typeError(`can only concatenate ${typeName(a)} (not "${typeName(b)}") to ${typeName(a)}`);
    }
    const r = a.concat(b);
    return isTuple(a) ? tuple(r) : r;
  }
  return numBinop(a, b, "+");
}

export function sub(a: unknown, b: unknown): unknown {
  return numBinop(a, b, "-");
}

function repeatCount(n: boolean | number | bigint): number {
  const c = intVal(n);
  if (typeof c === "bigint") {
    if (c >= 2n ** 63n || c < -(2n ** 63n)) typeError("cannot fit 'int' into an index-sized integer");
    if (c <= 0n) return 0;
    throw new TemplateTypeError("MemoryError");
  }
  return Math.max(0, c);
}

/** `a * b`: numbers, str/list/tuple/Markup repeated by an int (either side). */
export function mul(a: unknown, b: unknown): unknown {
  let seq: unknown = a;
  let n: unknown = b;
  if (!isStrLike(a) && !Array.isArray(a)) {
    seq = b;
    n = a;
  }
  if (isRange(seq)) typeError(`unsupported operand type(s) for *: '${typeName(a)}' and '${typeName(b)}'`);
  if (isStrLike(seq) || Array.isArray(seq)) {
    if (!isIntLike(n)) {
      // Undefined raises, except `Markup * Undefined`: Markup.__mul__ calls str.__mul__ (TypeError)
      if (n === undefined && !(seq instanceof SafeHtml && seq === a)) undefinedError();
      return typeError(`can't multiply sequence by non-int of type '${typeName(n)}'`);
    }
    const count = repeatCount(n);
    if (typeof seq === "string") return seq.repeat(count);
    if (seq instanceof SafeHtml) return new SafeHtml(seq.html.repeat(count));
    const arr = seq as unknown[];
    const r: unknown[] = [];
    for (let i = 0; i < count; i++) for (const x of arr) r.push(x);
    return isTuple(arr) ? tuple(r) : r;
  }
  return numBinop(a, b, "*");
}

export function truediv(a: unknown, b: unknown): unknown {
  return numBinop(a, b, "/");
}

export function floordiv(a: unknown, b: unknown): unknown {
  return numBinop(a, b, "//");
}

/** `a % b`: Python modulo for numbers; printf formatting when `a` is a str (Markup: arguments escaped). */
export function mod(a: unknown, b: unknown): unknown {
  if (typeof a === "string") return printf(a, b);
  if (a instanceof SafeHtml) return new SafeHtml(printfImpl(a.html, markupModArgs(b), true));
  return numBinop(a, b, "%");
}

export function pow(a: unknown, b: unknown): unknown {
  return numBinop(a, b, "**");
}

export function neg(a: unknown): unknown {
  if (typeof a === "boolean") return a ? -1 : 0;
  if (typeof a === "number") return Number.isInteger(a) ? (a === 0 ? 0 : -a) : -a;
  if (typeof a === "bigint") return normInt(-a);
  if (a instanceof PyFloat) return new PyFloat(-a.value);
  if (a === undefined) undefinedError();
  return typeError(`bad operand type for unary -: '${typeName(a)}'`);
}

export function pos(a: unknown): unknown {
  if (typeof a === "boolean") return a ? 1 : 0;
  if (typeof a === "number" || typeof a === "bigint" || a instanceof PyFloat) return a;
  if (a === undefined) undefinedError();
  return typeError(`bad operand type for unary +: '${typeName(a)}'`);
}

export function not(a: unknown): boolean {
  return !truthy(a);
}

/** Python `a and b` (returns an operand; `b` evaluated only when `a` is truthy). */
export function and(a: unknown, b: () => unknown): unknown {
  return truthy(a) ? b() : a;
}

/** Python `a or b` (returns an operand; `b` evaluated only when `a` is falsy). */
export function or(a: unknown, b: () => unknown): unknown {
  return truthy(a) ? a : b();
}

/** `~` under autoescape (Jinja's `markup_join`): str of each part; SafeHtml if any part is SafeHtml (plain parts escaped). */
export function concat(...parts: unknown[]): unknown {
  let safe = false;
  for (const p of parts) {
    if (hasHtml(p)) {
      safe = true;
      break;
    }
  }
  if (safe) {
    let html = "";
    for (const p of parts) html += escape(p).html;
    return new SafeHtml(html);
  }
  let s = "";
  for (const p of parts) s += str(p);
  return s;
}

/** `~` with autoescape off (Jinja's `str_join`): always a plain str (Markup contributes its HTML). */
export function concatStr(...parts: unknown[]): string {
  let s = "";
  for (const p of parts) s += str(p);
  return s;
}

// ================================================================================================ access

const MISSING: unique symbol = Symbol("missing");
type Missing = typeof MISSING;

/** Jinja `environment.getattr(obj, name)`: Python attribute first, then item; missing → Undefined. */
export function getattr(obj: unknown, name: string): unknown {
  if (obj === undefined && name === "__class__") {
    throw new TemplateRuntimeError("jinja2tsx: the Python class of Jinja's Undefined is not modelled");
  }
  if (obj === undefined) undefinedError(`'Undefined' has no attribute '${name}'`);
  const a = pyAttr(obj, name);
  if (a !== MISSING) return a;
  const i = pyItem(obj, name);
  return i === MISSING ? undefined : i;
}

/** Jinja `environment.getitem(obj, key)`: item first (negative indexes), then attribute for str keys; missing → Undefined. */
export function getitem(obj: unknown, key: unknown): unknown {
  if (obj === undefined) undefinedError(`'Undefined' has no element ${repr(key)}`);
  const i = pyItem(obj, key);
  if (i !== MISSING) return i;
  if (typeof key === "string" || key instanceof SafeHtml) {
    const a = pyAttr(obj, strText(key));
    if (a !== MISSING) return a;
  }
  return undefined;
}

/** Python integer index value of `v` (bool/int), or null. */
function indexOf(v: unknown): number | null {
  if (typeof v === "number") return Number.isInteger(v) ? v : null;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "bigint") return Number(v);
  return null;
}

/** `obj[key]` in Python, or MISSING on LookupError/TypeError. */
function pyItem(obj: unknown, key: unknown): unknown | Missing {
  if (obj === null || obj === undefined) return MISSING;
  if (Array.isArray(obj)) {
    let i = indexOf(key);
    if (i === null) return MISSING;
    if (i < 0) i += obj.length;
    return i >= 0 && i < obj.length ? obj[i] : MISSING;
  }
  if (isDict(obj)) {
    if (typeof key === "string") return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : MISSING;
    if (key instanceof SafeHtml) return Object.prototype.hasOwnProperty.call(obj, key.html) ? obj[key.html] : MISSING;
    return MISSING;
  }
  if (isStrLike(obj)) {
    const s = strText(obj);
    let i = indexOf(key);
    if (i === null) return MISSING;
    let c: string | undefined;
    if (!SURROGATE.test(s)) {
      if (i < 0) i += s.length;
      c = i >= 0 && i < s.length ? s[i] : undefined;
    } else {
      const a = cps(s);
      if (i < 0) i += a.length;
      c = i >= 0 && i < a.length ? a[i] : undefined;
    }
    if (c === undefined) return MISSING;
    return obj instanceof SafeHtml ? new SafeHtml(c) : c;
  }
  const g = hook(obj, "__getitem__");
  if (g) {
    const r = g(key);
    return r === undefined ? MISSING : r;
  }
  return MISSING;
}

const LOOP_ATTRS = new Set([
  "index",
  "index0",
  "revindex",
  "revindex0",
  "first",
  "last",
  "length",
  "depth",
  "depth0",
  "previtem",
  "nextitem",
]);

/**
 * A Python type object (`x.__class__`), for the values whose Python class is known exactly: its
 * `__name__`, `__qualname__`, `__module__` and `__base__`; it prints as `<class 'int'>`.
 */
export class PyType {
  constructor(
    readonly name: string,
    readonly module: string,
    readonly base: PyType | null,
  ) {}
  __getattr__(name: string): unknown {
    if (name === "__name__" || name === "__qualname__") return this.name;
    if (name === "__module__") return this.module;
    if (name === "__base__") return this.base;
    // (Python has many more, and a type subscripted by a missing name is a generic alias)
    throw new TemplateRuntimeError(`jinja2tsx: the attribute ${name} of the Python type ${this.name} is not modelled`);
  }
  __str__(): string {
    return `<class '${this.module === "builtins" ? "" : this.module + "."}${this.name}'>`;
  }
  __repr__(): string {
    return this.__str__();
  }
}

/** Markup's type: printed under autoescape, Python calls its unbound `__html__` and fails. */
class MarkupType extends PyType {
  __html__(): string {
    throw new TemplateTypeError("Markup.__html__() missing 1 required positional argument: 'self'");
  }
}

const OBJECT_TYPE = new PyType("object", "builtins", null);
const INT_TYPE = new PyType("int", "builtins", OBJECT_TYPE);
const STR_TYPE = new PyType("str", "builtins", OBJECT_TYPE);
const TYPES: Record<string, PyType> = {
  NoneType: new PyType("NoneType", "builtins", OBJECT_TYPE),
  bool: new PyType("bool", "builtins", INT_TYPE),
  int: INT_TYPE,
  float: new PyType("float", "builtins", OBJECT_TYPE),
  str: STR_TYPE,
  Markup: new MarkupType("Markup", "markupsafe", STR_TYPE),
  list: new PyType("list", "builtins", OBJECT_TYPE),
  tuple: new PyType("tuple", "builtins", OBJECT_TYPE),
  dict: new PyType("dict", "builtins", OBJECT_TYPE),
};

/** `type(v)` of a value whose Python class the runtime knows exactly; other values fail the render. */
function classOf(v: unknown): PyType {
  const name = typeName(v);
  const t = Object.prototype.hasOwnProperty.call(TYPES, name) ? TYPES[name] : undefined;
  if (t === undefined || v instanceof PyType) {
    throw new TemplateRuntimeError(`jinja2tsx: the Python class of a ${typeName(v)} value is not modelled`);
  }
  return t;
}

/** Python `getattr(obj, name)`, or MISSING on AttributeError. */
function pyAttr(obj: unknown, name: string): unknown | Missing {
  if (name === "__class__" && obj !== undefined) return classOf(obj);
  if (obj === null || obj === undefined) return MISSING;
  const m = methodFor(obj, name);
  if (m)
    return new PyCallable(
      name,
      (a, k) => m.call(obj, a, k),
      {},
      `<built-in method ${name} of ${typeName(obj)} object at ${ADDR}>`,
    );
  if (typeof obj !== "object" && typeof obj !== "function") {
    if (isIntLike(obj)) {
      const v = intVal(obj);
      if (name === "real" || name === "numerator") return v;
      if (name === "imag") return 0;
      if (name === "denominator") return 1;
    } else if (typeof obj === "number") {
      if (name === "real") return obj;
      if (name === "imag") return new PyFloat(0);
    }
    return MISSING;
  }
  if (Array.isArray(obj)) {
    if (isRange(obj) && (name === "start" || name === "stop" || name === "step")) {
      return RANGES.get(obj)![name === "start" ? 0 : name === "stop" ? 1 : 2];
    }
    if (Object.prototype.hasOwnProperty.call(obj, name) && name !== "length" && !/^\d+$/.test(name)) {
      return (obj as unknown as Record<string, unknown>)[name];
    }
    return MISSING;
  }
  if (isDict(obj) || obj instanceof SafeHtml || obj instanceof LazyIter || obj instanceof DictView) return MISSING;
  if (obj instanceof PyFloat) {
    if (name === "real") return obj;
    if (name === "imag") return new PyFloat(0);
    return MISSING;
  }
  if (obj instanceof Namespace)
    return Object.prototype.hasOwnProperty.call(obj.attrs, name) ? obj.attrs[name] : MISSING;
  if (obj instanceof LoopContext)
    return LOOP_ATTRS.has(name) ? (obj as unknown as Record<string, unknown>)[name] : MISSING;
  if (obj instanceof Cycler) {
    if (name === "items") return obj.items;
    if (name === "pos") return obj.pos;
    if (name === "current") return obj.current;
    return MISSING;
  }
  if (obj instanceof Joiner) {
    if (name === "sep") return obj.sep;
    if (name === "used") return obj.used;
    return MISSING;
  }
  if (obj instanceof PyCallable)
    return Object.prototype.hasOwnProperty.call(obj.attrs, name) ? obj.attrs[name] : MISSING;
  const g = hook(obj, "__getattr__");
  if (g) {
    const r = g(name);
    return r === undefined ? MISSING : r;
  }
  // other host objects: plain JS property lookup (methods become bound callables)
  if (name in (obj as object) && !name.startsWith("__")) {
    const v = (obj as Record<string, unknown>)[name];
    if (typeof v === "function") {
      const f = v as (...a: unknown[]) => unknown;
      return new PyCallable(name, (a) => f.apply(obj, a));
    }
    return v;
  }
  return MISSING;
}

/** Python slice index: int, None/omitted, else TypeError. */
function sliceIndex(v: unknown): number | null {
  if (v === undefined || v === null) return null;
  const i = indexOf(v);
  if (i === null) typeError("slice indices must be integers or None or have an __index__ method");
  return i;
}

/** Indices selected by `[start:stop:step]` on a sequence of length n (PySlice_AdjustIndices). */
function sliceIndices(n: number, start: unknown, stop: unknown, step: unknown): number[] {
  const [a, b, st] = sliceBounds(n, start, stop, step);
  const out: number[] = [];
  if (st > 0) for (let i = a; i < b; i += st) out.push(i);
  else for (let i = a; i > b; i += st) out.push(i);
  return out;
}

/** Python `slice(start, stop, step).indices(n)`. */
function sliceBounds(n: number, start: unknown, stop: unknown, step: unknown): [number, number, number] {
  const st = sliceIndex(step) ?? 1;
  if (st === 0) typeError("slice step cannot be zero");
  let a = sliceIndex(start);
  let b = sliceIndex(stop);
  if (a === null) a = st < 0 ? n - 1 : 0;
  else if (a < 0) {
    a += n;
    if (a < 0) a = st < 0 ? -1 : 0;
  } else if (a >= n) a = st < 0 ? n - 1 : n;
  if (b === null) b = st < 0 ? -1 : n;
  else if (b < 0) {
    b += n;
    if (b < 0) b = st < 0 ? -1 : 0;
  } else if (b >= n) b = st < 0 ? n - 1 : n;
  return [a, b, st];
}

/**
 * Python `obj[start:stop:step]` (an omitted bound: `null`, or left out at the end; an Undefined one is a
 * TypeError): str by code point, list, tuple, Markup.
 */
export function slice(obj: unknown, ...bounds: unknown[]): unknown {
  if (obj === undefined) undefinedError();
  if (bounds.some((b) => b === undefined)) typeError("slice indices must be integers or None or have an __index__ method");
  const [start, stop, step] = bounds;
  if (isStrLike(obj)) {
    const s = strText(obj);
    let r: string;
    const simple = (step === undefined || step === null || step === 1) && !SURROGATE.test(s);
    if (simple) {
      const idx = sliceIndices(s.length, start, stop, 1);
      r = idx.length ? s.slice(idx[0], idx[idx.length - 1] + 1) : "";
    } else {
      const a = cps(s);
      r = sliceIndices(a.length, start, stop, step)
        .map((i) => a[i])
        .join("");
    }
    return obj instanceof SafeHtml ? new SafeHtml(r) : r;
  }
  if (isRange(obj)) return sliceRange(obj, start, stop, step);
  if (Array.isArray(obj)) {
    const r = sliceIndices(obj.length, start, stop, step).map((i) => obj[i]);
    return isTuple(obj) ? tuple(r) : r;
  }
  if (isDict(obj)) return typeError("unhashable type: 'slice'");
  return typeError(`'${typeName(obj)}' object is not subscriptable`);
}

/** Call a Python callable value (`fn(*args, **kwargs)`); plain JS functions get `(...args, kwargs?)`. */
export function call(fn: unknown, args: unknown[] = [], kwargs: Kwargs = {}): unknown {
  if (fn instanceof PyCallable) return fn.invoke(args, kwargs);
  if (fn === undefined) undefinedError("'Undefined' object is not callable");
  if (fn instanceof Joiner) return fn.__call__(args, kwargs);
  if (fn instanceof LoopContext) {
    if (args.length !== 1 || Object.keys(kwargs).length) typeError("loop() takes exactly one argument");
    return fn.call(args[0]);
  }
  if (typeof fn === "function") {
    const f = fn as (...a: unknown[]) => unknown;
    return Object.keys(kwargs).length ? f(...args, kwargs) : f(...args);
  }
  const c = hook(fn, "__call__");
  if (c) return c(args, kwargs);
  return typeError(`'${typeName(fn)}' object is not callable`);
}

/** `obj.name(*args, **kwargs)`: Python methods of str/list/tuple/dict/Markup/numbers and runtime objects. */
export function callMethod(obj: unknown, name: string, args: unknown[] = [], kwargs: Kwargs = {}): unknown {
  if (obj === undefined) undefinedError(`'Undefined' has no attribute '${name}'`);
  const m = methodFor(obj, name);
  if (m) return m.call(obj, args, kwargs);
  return call(getattr(obj, name), args, kwargs);
}

// ================================================================================================ methods

interface MethodSpec {
  call(self: unknown, args: unknown[], kwargs: Kwargs): unknown;
}

/**
 * Define a method: `params` are Python's parameter names, `required` how many are mandatory,
 * `posOnly` whether keywords are refused (most builtins). Absent arguments reach `fn` as MISSING.
 */
function method<S>(
  qualname: string,
  params: string[],
  required: number,
  posOnly: boolean,
  fn: (self: S, a: unknown[]) => unknown,
): MethodSpec {
  return {
    call(self: unknown, args: unknown[], kwargs: Kwargs): unknown {
      return fn(self as S, bind(qualname, args, kwargs, params, required, posOnly));
    },
  };
}

function bind(
  fname: string,
  args: unknown[],
  kwargs: Kwargs,
  params: string[],
  required: number,
  posOnly: boolean,
): unknown[] {
  const keys = Object.keys(kwargs);
  if (posOnly && keys.length) typeError(`${fname}() takes no keyword arguments`);
  if (args.length > params.length) {
    typeError(
      `${fname}() takes at most ${params.length} argument${params.length === 1 ? "" : "s"} (${args.length} given)`,
    );
  }
  const out: unknown[] = params.map((_, i) => (i < args.length ? args[i] : MISSING));
  for (const k of keys) {
    const i = params.indexOf(k);
    if (i < 0) typeError(`${fname}() got an unexpected keyword argument '${k}'`);
    if (out[i] !== MISSING) typeError(`argument for ${fname}() given by name ('${k}') and position (${i + 1})`);
    out[i] = kwargs[k];
  }
  for (let i = 0; i < required; i++) {
    if (out[i] === MISSING) typeError(`${fname}() missing required argument '${params[i]}' (pos ${i + 1})`);
  }
  return out;
}

function sArg(v: unknown, what = "argument"): string {
  if (typeof v === "string") return v;
  if (v instanceof SafeHtml) return v.html;
  return typeError(`${what} must be str, not ${typeName(v)}`);
}

/** str or None (absent → null) */
function sOpt(v: unknown, what?: string): string | null {
  return v === MISSING || v === null ? null : sArg(v, what);
}

function iArg(v: unknown): number {
  const i = indexOf(v);
  if (i === null) typeError(`'${typeName(v)}' object cannot be interpreted as an integer`);
  return i;
}

function iOpt(v: unknown, dflt: number): number {
  return v === MISSING || v === null ? dflt : iArg(v);
}

/** PySlice_AdjustIndices for start/end arguments of find/count/startswith. */
function adjust(start: number, end: number, n: number): [number, number] {
  if (end > n) end = n;
  else if (end < 0) {
    end += n;
    if (end < 0) end = 0;
  }
  if (start < 0) {
    start += n;
    if (start < 0) start = 0;
  }
  return [start, end];
}

/** Markup-aware result: Markup receiver → Markup. */
function wrap(self: string | SafeHtml, s: string): string | SafeHtml {
  return self instanceof SafeHtml ? new SafeHtml(s) : s;
}

/** Argument text for a Markup method that escapes it (`replace` new, fill chars, join items). */
function escArg(self: string | SafeHtml, v: unknown, what?: string): string {
  if (self instanceof SafeHtml) {
    if (!isStrLike(v) && !hook(v, "__html__")) sArg(v, what);
    return escape(v).html;
  }
  return sArg(v, what);
}

function pyStrip(s: string, chars: string | null, left: boolean, right: boolean): string {
  if (chars === null) {
    let i = 0;
    let j = s.length;
    if (left) while (i < j && RE_WS.test(s[i])) i++;
    if (right) while (j > i && RE_WS.test(s[j - 1])) j--;
    return s.slice(i, j);
  }
  const set = new Set(cps(chars));
  const a = cps(s);
  let i = 0;
  let j = a.length;
  if (left) while (i < j && set.has(a[i])) i++;
  if (right) while (j > i && set.has(a[j - 1])) j--;
  return a.slice(i, j).join("");
}

/** str.split(sep=None, maxsplit=-1) */
function pySplit(s: string, sep: string | null, maxsplit: number): string[] {
  let maxcount = maxsplit < 0 ? Infinity : maxsplit;
  const out: string[] = [];
  if (sep === null) {
    const n = s.length;
    let i = 0;
    while (maxcount-- > 0) {
      while (i < n && RE_WS.test(s[i])) i++;
      if (i === n) break;
      const j = i;
      i++;
      while (i < n && !RE_WS.test(s[i])) i++;
      out.push(s.slice(j, i));
    }
    if (i < n) {
      while (i < n && RE_WS.test(s[i])) i++;
      if (i !== n) out.push(s.slice(i));
    }
    return out;
  }
  if (sep === "") typeError("empty separator");
  if (maxcount === Infinity) return s.split(sep);
  let i = 0;
  while (maxcount-- > 0) {
    const j = s.indexOf(sep, i);
    if (j < 0) break;
    out.push(s.slice(i, j));
    i = j + sep.length;
  }
  out.push(s.slice(i));
  return out;
}

/** str.rsplit(sep=None, maxsplit=-1) */
function pyRsplit(s: string, sep: string | null, maxsplit: number): string[] {
  if (maxsplit < 0) return pySplit(s, sep, -1);
  let maxcount = maxsplit;
  const out: string[] = [];
  if (sep === null) {
    let i = s.length - 1;
    while (maxcount-- > 0) {
      while (i >= 0 && RE_WS.test(s[i])) i--;
      if (i < 0) break;
      const j = i;
      i--;
      while (i >= 0 && !RE_WS.test(s[i])) i--;
      out.push(s.slice(i + 1, j + 1));
    }
    if (i >= 0) {
      while (i >= 0 && RE_WS.test(s[i])) i--;
      if (i >= 0) out.push(s.slice(0, i + 1));
    }
    return out.reverse();
  }
  if (sep === "") typeError("empty separator");
  let end = s.length;
  while (maxcount-- > 0) {
    const j = end - sep.length < 0 ? -1 : s.lastIndexOf(sep, end - sep.length);
    if (j < 0) break;
    out.push(s.slice(j + sep.length, end));
    end = j;
  }
  out.push(s.slice(0, end));
  return out.reverse();
}

const RE_LINEBREAK = /\r\n|[\n\x0b\x0c\r\x1c-\x1e\x85\u2028\u2029]/g;

/** str.splitlines(keepends=False) */
function pySplitlines(s: string, keepends: boolean): string[] {
  const out: string[] = [];
  let i = 0;
  RE_LINEBREAK.lastIndex = 0;
  for (let m = RE_LINEBREAK.exec(s); m; m = RE_LINEBREAK.exec(s)) {
    out.push(s.slice(i, keepends ? m.index + m[0].length : m.index));
    i = m.index + m[0].length;
  }
  if (i < s.length) out.push(s.slice(i));
  return out;
}

/** str.replace(old, new, count=-1) */
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
  if (count === Infinity) return s.split(old).join(rep);
  let out = "";
  let i = 0;
  for (let n = 0; n < count; n++) {
    const j = s.indexOf(old, i);
    if (j < 0) break;
    out += s.slice(i, j) + rep;
    i = j + old.length;
  }
  return out + s.slice(i);
}

/** Code point slice s[start:end] with already-adjusted bounds. */
function cpSlice(s: string, start: number, end: number): string {
  if (!SURROGATE.test(s)) return s.slice(start, end);
  return s.slice(cuIndex(s, start), cuIndex(s, end));
}

/** str.find / rfind with optional start/end (code point indexes). */
function pyFind(s: string, sub: string, startA: unknown, endA: unknown, reverse: boolean): number {
  const n = cpLen(s);
  const [start, end] = adjust(iOpt(startA, 0), iOpt(endA, n), n);
  if (end - start < cpLen(sub)) return -1;
  const hay = cpSlice(s, start, end);
  const j = reverse ? hay.lastIndexOf(sub) : hay.indexOf(sub);
  return j < 0 ? -1 : start + cpIndex(hay, j);
}

function pyCount(s: string, sub: string, startA: unknown, endA: unknown): number {
  const n = cpLen(s);
  const [start, end] = adjust(iOpt(startA, 0), iOpt(endA, n), n);
  if (end - start < cpLen(sub)) return 0;
  const hay = cpSlice(s, start, end);
  if (sub === "") return cpLen(hay) + 1;
  return hay.split(sub).length - 1;
}

function pyTailmatch(
  s: string,
  prefix: unknown,
  startA: unknown,
  endA: unknown,
  atEnd: boolean,
  fname: string,
): boolean {
  const n = cpLen(s);
  const [start, end0] = adjust(iOpt(startA, 0), iOpt(endA, n), n);
  const test = (p: string): boolean => {
    const pl = cpLen(p);
    const end = end0 - pl;
    if (end < start) return false;
    if (pl === 0) return true;
    const hay = cpSlice(s, start, end0);
    return atEnd ? hay.endsWith(p) : hay.startsWith(p);
  };
  if (Array.isArray(prefix) && isTuple(prefix)) {
    return prefix.some((p) => test(sArg(p, `tuple for ${fname} must only contain str, not ${typeName(p)}`)));
  }
  if (!isStrLike(prefix)) typeError(`${fname} first arg must be str or a tuple of str, not ${typeName(prefix)}`);
  return test(strText(prefix));
}

function fillChar(self: string | SafeHtml, v: unknown): string {
  if (v === MISSING) return " ";
  const f = escArg(self, v);
  if (cpLen(f) !== 1) typeError("The fill character must be exactly one character long");
  return f;
}

function pyCenter(s: string, width: number, fill: string): string {
  const n = cpLen(s);
  const marg = width - n;
  if (marg <= 0) return s;
  const left = Math.floor(marg / 2) + (marg & width & 1);
  return fill.repeat(left) + s + fill.repeat(marg - left);
}

function pyZfill(s: string, width: number): string {
  const n = cpLen(s);
  if (n >= width) return s;
  const fill = width - n;
  if (s[0] === "+" || s[0] === "-") return s[0] + "0".repeat(fill) + s.slice(1);
  return "0".repeat(fill) + s;
}

function pyExpandtabs(s: string, tabsize: number): string {
  let out = "";
  let col = 0;
  for (const c of s) {
    if (c === "\t") {
      if (tabsize > 0) {
        const incr = tabsize - (col % tabsize);
        out += " ".repeat(incr);
        col += incr;
      }
    } else if (c === "\n" || c === "\r") {
      out += c;
      col = 0;
    } else {
      out += c;
      col++;
    }
  }
  return out;
}

function strJoinItems(self: string | SafeHtml, iterable: unknown): string {
  const items = iter(iterable);
  const parts: string[] = [];
  for (let i = 0; i < items.length; i++) {
    const x = items[i];
    if (self instanceof SafeHtml) parts.push(escape(x).html);
    else if (isStrLike(x)) parts.push(strText(x));
    else typeError(`sequence item ${i}: expected str instance, ${typeName(x)} found`);
  }
  return parts.join(strText(self));
}

/** Markup.striptags(): drop comments and tags, collapse whitespace, unescape entities → plain str. */
export function striptags(html: string): string {
  let value = html;
  for (let start = value.indexOf("<!--"); start !== -1; start = value.indexOf("<!--")) {
    const end = value.indexOf("-->", start);
    if (end === -1) break;
    value = value.slice(0, start) + value.slice(end + 3);
  }
  for (let start = value.indexOf("<"); start !== -1; start = value.indexOf("<")) {
    const end = value.indexOf(">", start);
    if (end === -1) break;
    value = value.slice(0, start) + value.slice(end + 1);
  }
  value = pySplit(value, null, -1).join(" ");
  return pythonUnescape(value);
}

type StrSelf = string | SafeHtml;
const T = (s: StrSelf): string => strText(s);

function strMethods(): Map<string, MethodSpec> {
  const m = new Map<string, MethodSpec>();
  const pred = (name: keyof typeof strPredicates): void => {
    m.set(
      name,
      method<StrSelf>(`str.${name}`, [], 0, true, (s) => strPredicates[name](T(s))),
    );
  };
  for (const p of Object.keys(strPredicates) as (keyof typeof strPredicates)[]) pred(p);
  const casefn = (name: keyof typeof strCase): void => {
    m.set(
      name,
      method<StrSelf>(`str.${name}`, [], 0, true, (s) => wrap(s, strCase[name](T(s)))),
    );
  };
  for (const c of Object.keys(strCase) as (keyof typeof strCase)[]) casefn(c);
  m.set(
    "center",
    method<StrSelf>("center", ["width", "fillchar"], 1, true, (s, [w, f]) =>
      wrap(s, pyCenter(T(s), iArg(w), fillChar(s, f))),
    ),
  );
  m.set(
    "ljust",
    method<StrSelf>("ljust", ["width", "fillchar"], 1, true, (s, [w, f]) => {
      const t = T(s);
      return wrap(s, t + fillChar(s, f).repeat(Math.max(0, iArg(w) - cpLen(t))));
    }),
  );
  m.set(
    "rjust",
    method<StrSelf>("rjust", ["width", "fillchar"], 1, true, (s, [w, f]) => {
      const t = T(s);
      return wrap(s, fillChar(s, f).repeat(Math.max(0, iArg(w) - cpLen(t))) + t);
    }),
  );
  m.set(
    "zfill",
    method<StrSelf>("zfill", ["width"], 1, true, (s, [w]) => wrap(s, pyZfill(T(s), iArg(w)))),
  );
  m.set(
    "count",
    method<StrSelf>("count", ["sub", "start", "end"], 1, true, (s, [x, a, b]) => pyCount(T(s), sArg(x), a, b)),
  );
  m.set(
    "find",
    method<StrSelf>("find", ["sub", "start", "end"], 1, true, (s, [x, a, b]) => pyFind(T(s), sArg(x), a, b, false)),
  );
  m.set(
    "rfind",
    method<StrSelf>("rfind", ["sub", "start", "end"], 1, true, (s, [x, a, b]) => pyFind(T(s), sArg(x), a, b, true)),
  );
  const index = (rev: boolean) =>
    method<StrSelf>(rev ? "rindex" : "index", ["sub", "start", "end"], 1, true, (s, [x, a, b]) => {
      const r = pyFind(T(s), sArg(x), a, b, rev);
      if (r < 0) typeError("substring not found");
      return r;
    });
  m.set("index", index(false));
  m.set("rindex", index(true));
  m.set(
    "startswith",
    method<StrSelf>("startswith", ["prefix", "start", "end"], 1, true, (s, [p, a, b]) =>
      pyTailmatch(T(s), p, a, b, false, "startswith"),
    ),
  );
  m.set(
    "endswith",
    method<StrSelf>("endswith", ["suffix", "start", "end"], 1, true, (s, [p, a, b]) =>
      pyTailmatch(T(s), p, a, b, true, "endswith"),
    ),
  );
  m.set(
    "strip",
    method<StrSelf>("strip", ["chars"], 0, true, (s, [c]) => wrap(s, pyStrip(T(s), sOpt(c), true, true))),
  );
  m.set(
    "lstrip",
    method<StrSelf>("lstrip", ["chars"], 0, true, (s, [c]) => wrap(s, pyStrip(T(s), sOpt(c), true, false))),
  );
  m.set(
    "rstrip",
    method<StrSelf>("rstrip", ["chars"], 0, true, (s, [c]) => wrap(s, pyStrip(T(s), sOpt(c), false, true))),
  );
  m.set(
    "split",
    method<StrSelf>("split", ["sep", "maxsplit"], 0, false, (s, [sep, n]) =>
      pySplit(T(s), sOpt(sep), iOpt(n, -1)).map((x) => wrap(s, x)),
    ),
  );
  m.set(
    "rsplit",
    method<StrSelf>("rsplit", ["sep", "maxsplit"], 0, false, (s, [sep, n]) =>
      pyRsplit(T(s), sOpt(sep), iOpt(n, -1)).map((x) => wrap(s, x)),
    ),
  );
  m.set(
    "splitlines",
    method<StrSelf>("splitlines", ["keepends"], 0, false, (s, [k]) =>
      pySplitlines(T(s), k !== MISSING && truthy(k)).map((x) => wrap(s, x)),
    ),
  );
  m.set(
    "replace",
    method<StrSelf>("replace", ["old", "new", "count"], 2, true, (s, [o, n, c]) =>
      wrap(s, pyReplace(T(s), sArg(o), escArg(s, n), iOpt(c, -1))),
    ),
  );
  const part = (rev: boolean) =>
    method<StrSelf>(rev ? "rpartition" : "partition", ["sep"], 1, true, (s, [sepA]) => {
      const t = T(s);
      const sep = sArg(sepA);
      if (sep === "") typeError("empty separator");
      const j = rev ? t.lastIndexOf(sep) : t.indexOf(sep);
      const r = j < 0 ? (rev ? ["", "", t] : [t, "", ""]) : [t.slice(0, j), sep, t.slice(j + sep.length)];
      return tuple(r.map((x) => wrap(s, x)));
    });
  m.set("partition", part(false));
  m.set("rpartition", part(true));
  m.set(
    "join",
    method<StrSelf>("join", ["iterable"], 1, true, (s, [it]) => wrap(s, strJoinItems(s, it))),
  );
  m.set(
    "removeprefix",
    method<StrSelf>("removeprefix", ["prefix"], 1, true, (s, [p]) => {
      const t = T(s);
      const x = sArg(p);
      return wrap(s, x && t.startsWith(x) ? t.slice(x.length) : t);
    }),
  );
  m.set(
    "removesuffix",
    method<StrSelf>("removesuffix", ["suffix"], 1, true, (s, [p]) => {
      const t = T(s);
      const x = sArg(p);
      return wrap(s, x && t.endsWith(x) ? t.slice(0, t.length - x.length) : t);
    }),
  );
  m.set(
    "expandtabs",
    method<StrSelf>("expandtabs", ["tabsize"], 0, false, (s, [n]) => wrap(s, pyExpandtabs(T(s), iOpt(n, 8)))),
  );
  m.set("format", {
    call: (self, args, kwargs) => {
      const s = self as StrSelf;
      return s instanceof SafeHtml
        ? new SafeHtml(formatImpl(s.html, args, kwargs, true))
        : strFormatValue(s, args, kwargs);
    },
  });
  m.set(
    "format_map",
    method<StrSelf>("format_map", ["mapping"], 1, true, (s, [mp]) => {
      if (!isDict(mp)) typeError(`'${typeName(mp)}' object is not subscriptable`);
      return s instanceof SafeHtml ? new SafeHtml(formatImpl(s.html, [], mp, true)) : strFormatValue(s, [], mp);
    }),
  );
  for (const name of ["encode", "translate", "maketrans"]) {
    m.set(name, {
      call: () => {
        throw new TemplateRuntimeError(`str.${name}() is not supported by the jinja2tsx runtime`);
      },
    });
  }
  return m;
}

const STR_METHODS = strMethods();

const MARKUP_METHODS = new Map<string, MethodSpec>([
  ["unescape", method<SafeHtml>("unescape", [], 0, true, (s) => pythonUnescape(s.html))],
  ["striptags", method<SafeHtml>("striptags", [], 0, true, (s) => striptags(s.html))],
  ["escape", method<SafeHtml>("escape", ["s"], 1, true, (_s, [x]) => escape(x))],
  ["__html__", method<SafeHtml>("__html__", [], 0, true, (s) => s)],
]);

function seqIndex(a: unknown[], x: unknown, startA: unknown, stopA: unknown, what: string): number {
  const n = a.length;
  const [start, stop] = adjust(iOpt(startA, 0), iOpt(stopA, n), n);
  for (let i = start; i < stop; i++) if (a[i] === x || eq(a[i], x)) return i;
  return typeError(what);
}

function seqCount(a: unknown[], x: unknown): number {
  let n = 0;
  for (const y of a) if (y === x || eq(y, x)) n++;
  return n;
}

/** Stable merge sort using Python `<` (raises TemplateTypeError on incomparable items). */
export function pySort<T>(items: T[], key?: (x: T) => unknown, reverse = false): T[] {
  const keys = items.map((x) => (key ? key(x) : x));
  let idx = items.map((_, i) => i);
  if (reverse) idx.reverse();
  const less = (i: number, j: number): boolean => lt(keys[i], keys[j]);
  const tmp: number[] = new Array<number>(idx.length);
  const sortRange = (a: number[], lo: number, hi: number): void => {
    if (hi - lo < 2) return;
    if (hi - lo <= 8) {
      for (let i = lo + 1; i < hi; i++) {
        const v = a[i];
        let j = i - 1;
        while (j >= lo && less(v, a[j])) {
          a[j + 1] = a[j];
          j--;
        }
        a[j + 1] = v;
      }
      return;
    }
    const mid = (lo + hi) >> 1;
    sortRange(a, lo, mid);
    sortRange(a, mid, hi);
    let i = lo;
    let j = mid;
    let k = lo;
    while (i < mid && j < hi) tmp[k++] = less(a[j], a[i]) ? a[j++] : a[i++];
    while (i < mid) tmp[k++] = a[i++];
    while (j < hi) tmp[k++] = a[j++];
    for (let x = lo; x < hi; x++) a[x] = tmp[x];
  };
  sortRange(idx, 0, idx.length);
  if (reverse) idx = idx.reverse();
  return idx.map((i) => items[i]);
}

const LIST_METHODS = new Map<string, MethodSpec>([
  [
    "append",
    method<unknown[]>("list.append", ["object"], 1, true, (l, [x]) => {
      l.push(x);
      return null;
    }),
  ],
  [
    "extend",
    method<unknown[]>("list.extend", ["iterable"], 1, true, (l, [x]) => {
      for (const y of iter(x).slice()) l.push(y);
      return null;
    }),
  ],
  [
    "insert",
    method<unknown[]>("insert", ["index", "object"], 2, true, (l, [i, x]) => {
      let k = iArg(i);
      if (k < 0) k = Math.max(0, k + l.length);
      l.splice(Math.min(k, l.length), 0, x);
      return null;
    }),
  ],
  [
    "remove",
    method<unknown[]>("list.remove", ["value"], 1, true, (l, [x]) => {
      l.splice(seqIndex(l, x, MISSING, MISSING, "list.remove(x): x not in list"), 1);
      return null;
    }),
  ],
  [
    "pop",
    method<unknown[]>("pop", ["index"], 0, true, (l, [i]) => {
      if (l.length === 0) typeError("pop from empty list");
      let k = iOpt(i, -1);
      if (k < 0) k += l.length;
      if (k < 0 || k >= l.length) typeError("pop index out of range");
      return l.splice(k, 1)[0];
    }),
  ],
  [
    "clear",
    method<unknown[]>("list.clear", [], 0, true, (l) => {
      l.length = 0;
      return null;
    }),
  ],
  ["copy", method<unknown[]>("list.copy", [], 0, true, (l) => l.slice())],
  ["count", method<unknown[]>("list.count", ["value"], 1, true, (l, [x]) => seqCount(l, x))],
  [
    "index",
    method<unknown[]>("index", ["value", "start", "stop"], 1, true, (l, [x, a, b]) =>
      seqIndex(l, x, a, b, `${repr(x)} is not in list`),
    ),
  ],
  [
    "reverse",
    method<unknown[]>("list.reverse", [], 0, true, (l) => {
      l.reverse();
      return null;
    }),
  ],
  [
    "sort",
    {
      call: (self, args, kwargs) => {
        if (args.length) typeError("sort() takes no positional arguments");
        const [key, rev] = bind("sort", [], kwargs, ["key", "reverse"], 0, false);
        const l = self as unknown[];
        const keyFn = key === MISSING || key === null ? undefined : (x: unknown) => call(key, [x]);
        const sorted = pySort(l, keyFn, rev !== MISSING && truthy(rev));
        for (let i = 0; i < sorted.length; i++) l[i] = sorted[i];
        return null;
      },
    },
  ],
]);

const TUPLE_METHODS = new Map<string, MethodSpec>([
  ["count", method<unknown[]>("tuple.count", ["value"], 1, true, (l, [x]) => seqCount(l, x))],
  [
    "index",
    method<unknown[]>("index", ["value", "start", "stop"], 1, true, (l, [x, a, b]) =>
      seqIndex(l, x, a, b, "tuple.index(x): x not in tuple"),
    ),
  ],
]);

type Dict = Record<string, unknown>;

/** A key to store into a dict (the runtime's dicts are keyed by str). */
function storeKey(k: unknown): string {
  const s = dictKey(k);
  if (s === null)
    throw new TemplateRuntimeError(`non-string dict key ${repr(k)} is not supported by the jinja2tsx runtime`);
  return s;
}

function dictUpdate(d: Dict, other: unknown, kwargs: Kwargs): void {
  if (other !== MISSING) {
    if (isDict(other)) {
      for (const k of Object.keys(other)) dictSet(d, k, other[k]);
    } else {
      const items = iter(other);
      for (let i = 0; i < items.length; i++) {
        const p = items[i];
        let pair: unknown[];
        try {
          pair = iter(p);
        } catch {
          return typeError(`cannot convert dictionary update sequence element #${i} to a sequence`);
        }
        if (pair.length !== 2) {
          typeError(`dictionary update sequence element #${i} has length ${pair.length}; 2 is required`);
        }
        dictSet(d, storeKey(pair[0]), pair[1]);
      }
    }
  }
  for (const k of Object.keys(kwargs)) dictSet(d, k, kwargs[k]);
}

const DICT_METHODS = new Map<string, MethodSpec>([
  [
    "get",
    method<Dict>("get", ["key", "default"], 1, true, (d, [k, dflt]) => {
      const s = dictKey(k);
      if (s !== null && Object.prototype.hasOwnProperty.call(d, s)) return d[s];
      return dflt === MISSING ? null : dflt;
    }),
  ],
  ["keys", method<Dict>("dict.keys", [], 0, true, (d) => new DictView(d, "keys"))],
  ["values", method<Dict>("dict.values", [], 0, true, (d) => new DictView(d, "values"))],
  ["items", method<Dict>("dict.items", [], 0, true, (d) => new DictView(d, "items"))],
  [
    "pop",
    method<Dict>("pop", ["key", "default"], 1, true, (d, [k, dflt]) => {
      const s = dictKey(k);
      if (s !== null && Object.prototype.hasOwnProperty.call(d, s)) {
        const v = d[s];
        delete d[s];
        return v;
      }
      if (dflt === MISSING) typeError(`KeyError: ${repr(k)}`);
      return dflt;
    }),
  ],
  [
    "popitem",
    method<Dict>("dict.popitem", [], 0, true, (d) => {
      const keys = Object.keys(d);
      if (keys.length === 0) typeError("'popitem(): dictionary is empty'");
      const k = keys[keys.length - 1];
      const v = d[k];
      delete d[k];
      return tuple([k, v]);
    }),
  ],
  [
    "setdefault",
    method<Dict>("setdefault", ["key", "default"], 1, true, (d, [k, dflt]) => {
      const s = storeKey(k);
      if (Object.prototype.hasOwnProperty.call(d, s)) return d[s];
      const v = dflt === MISSING ? null : dflt;
      dictSet(d, s, v);
      return v;
    }),
  ],
  [
    "update",
    {
      call: (self, args, kwargs) => {
        if (args.length > 1) typeError(`update expected at most 1 argument, got ${args.length}`);
        dictUpdate(self as Dict, args.length ? args[0] : MISSING, kwargs);
        return null;
      },
    },
  ],
  [
    "clear",
    method<Dict>("dict.clear", [], 0, true, (d) => {
      for (const k of Object.keys(d)) delete d[k];
      return null;
    }),
  ],
  [
    "copy",
    method<Dict>("dict.copy", [], 0, true, (d) => {
      const r: Dict = {};
      for (const k of Object.keys(d)) dictSet(r, k, d[k]);
      return r;
    }),
  ],
  [
    "fromkeys",
    method<Dict>("fromkeys", ["iterable", "value"], 1, true, (_d, [it, v]) => {
      const r: Dict = {};
      for (const k of iter(it)) dictSet(r, storeKey(k), v === MISSING ? null : v);
      return r;
    }),
  ],
]);

const INT_METHODS = new Map<string, MethodSpec>([
  ["conjugate", method<boolean | number | bigint>("int.conjugate", [], 0, true, (n) => intVal(n))],
  [
    "bit_length",
    method<boolean | number | bigint>("int.bit_length", [], 0, true, (n) => {
      const v = toBig(intVal(n));
      return (v < 0n ? -v : v).toString(2).replace(/^0$/, "").length;
    }),
  ],
  [
    "bit_count",
    method<boolean | number | bigint>("int.bit_count", [], 0, true, (n) => {
      const v = toBig(intVal(n));
      return (v < 0n ? -v : v).toString(2).replace(/0/g, "").length;
    }),
  ],
  [
    "as_integer_ratio",
    method<boolean | number | bigint>("int.as_integer_ratio", [], 0, true, (n) => tuple([intVal(n), 1])),
  ],
]);

const FLOAT_METHODS = new Map<string, MethodSpec>([
  ["conjugate", method<number | PyFloat>("float.conjugate", [], 0, true, (n) => n)],
  ["is_integer", method<number | PyFloat>("float.is_integer", [], 0, true, (n) => Number.isInteger(fval(n)))],
  [
    "as_integer_ratio",
    method<number | PyFloat>("float.as_integer_ratio", [], 0, true, (n) => {
      const x = fval(n);
      if (!Number.isFinite(x))
        typeError(Number.isNaN(x) ? "cannot convert NaN to integer ratio" : "cannot convert Infinity to integer ratio");
      if (x === 0) return tuple([0, 1]);
      let [mant, e2] = frexpBig(x);
      while (e2 < 0 && (mant & 1n) === 0n) {
        mant >>= 1n;
        e2++;
      }
      const sign = x < 0 ? -1n : 1n;
      if (e2 >= 0) return tuple([normInt(sign * (mant << BigInt(e2))), 1]);
      return tuple([normInt(sign * mant), normInt(1n << BigInt(-e2))]);
    }),
  ],
]);

const LOOP_METHODS = new Map<string, MethodSpec>([
  ["cycle", { call: (self, args, kwargs) => (noKwargs("cycle", kwargs), (self as LoopContext).cycle(...args)) }],
  ["changed", { call: (self, args, kwargs) => (noKwargs("changed", kwargs), (self as LoopContext).changed(...args)) }],
]);

const CYCLER_METHODS = new Map<string, MethodSpec>([
  ["next", method<Cycler>("next", [], 0, true, (c) => c.next())],
  ["reset", method<Cycler>("reset", [], 0, true, (c) => c.reset())],
]);

function noKwargs(fname: string, kwargs: Kwargs): void {
  if (Object.keys(kwargs).length)
    typeError(`${fname}() got an unexpected keyword argument '${Object.keys(kwargs)[0]}'`);
}

/** The Python method `name` of `obj`'s builtin type, if any. */
function methodFor(obj: unknown, name: string): MethodSpec | undefined {
  if (typeof obj === "string") return STR_METHODS.get(name);
  if (Array.isArray(obj)) return (isTuple(obj) || isRange(obj) ? TUPLE_METHODS : LIST_METHODS).get(name);
  if (isDict(obj)) return DICT_METHODS.get(name);
  if (obj instanceof SafeHtml) return MARKUP_METHODS.get(name) ?? STR_METHODS.get(name);
  if (isIntLike(obj)) return INT_METHODS.get(name);
  if (typeof obj === "number" || obj instanceof PyFloat) return FLOAT_METHODS.get(name);
  if (obj instanceof LoopContext) return LOOP_METHODS.get(name);
  if (obj instanceof Cycler) return CYCLER_METHODS.get(name);
  return undefined;
}

// ================================================================================================ iteration

function emptyIterator(): Iterator<unknown> {
  return [][Symbol.iterator]();
}

/** A live Python iterator over `v` (lists are iterated by index, so appends during the loop are seen). */
export function pyIterator(v: unknown): Iterator<unknown> {
  if (v === undefined) return emptyIterator();
  if (Array.isArray(v)) return v[Symbol.iterator]();
  if (typeof v === "string") return v[Symbol.iterator]();
  if (isDict(v)) return Object.keys(v)[Symbol.iterator]();
  if (v instanceof LazyIter) return v;
  if (v instanceof SafeHtml) return v.html[Symbol.iterator]();
  if (v instanceof DictView) return v.toArray()[Symbol.iterator]();
  const it = hook(v, "__iter__");
  if (it) return it()[Symbol.iterator]();
  return typeError(`'${typeName(v)}' object is not iterable`);
}

/** Python iteration as an array: list/tuple as is (do not mutate), str → code points, dict → keys, LazyIter drained. */
export function iter(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === "string") return cps(v);
  if (v instanceof LazyIter) return v.toArray();
  const out: unknown[] = [];
  const it = pyIterator(v);
  for (let r = it.next(); !r.done; r = it.next()) out.push(r.value);
  return out;
}

/** `for a, b in …` / `{% set a, b = … %}`: exactly n items, else TemplateTypeError (Python ValueError). */
export function unpack(v: unknown, n: number): unknown[] {
  if (v === null || (typeof v !== "object" && typeof v !== "string" && v !== undefined)) {
    typeError(`cannot unpack non-iterable ${typeName(v)} object`);
  }
  const items = iter(v);
  if (items.length < n) typeError(`not enough values to unpack (expected ${n}, got ${items.length})`);
  if (items.length > n) typeError(`too many values to unpack (expected ${n})`);
  return items;
}

/** Sized iterables: `len()` works without consuming (Python `len(self._iterable)` in LoopContext.length). */
function sizedLength(v: unknown): number | null {
  if (v === undefined) return 0;
  if (Array.isArray(v)) return v.length;
  if (typeof v === "string") return cpLen(v);
  if (isDict(v)) return Object.keys(v).length;
  if (v instanceof SafeHtml) return cpLen(v.html);
  if (v instanceof DictView) return v.length;
  const l = hook(v, "__len__");
  return l ? l() : null;
}

/** Result of a loop body that ran `{% continue %}` / `{% break %}` (loopcontrols): keeps the partial output. */
export class LoopControl {
  constructor(
    readonly kind: "break" | "continue",
    readonly value: unknown,
  ) {}
}
/** `{% continue %}` inside a loop body: return `loopContinue(outputSoFar)`. */
export function loopContinue(value: unknown = ""): LoopControl {
  return new LoopControl("continue", value);
}
/** `{% break %}` inside a loop body: return `loopBreak(outputSoFar)`. */
export function loopBreak(value: unknown = ""): LoopControl {
  return new LoopControl("break", value);
}

type Recurse = (iterable: unknown, depth0: number) => unknown[];

/** What all iterations of one loop share: the items still to come, the length, `changed()` state. */
class LoopState {
  /** items taken from the iterator so far (including one peeked ahead) */
  consumed = 0;
  lastChanged: unknown = MISSING;
  private _length: number | undefined;

  constructor(
    readonly iterable: unknown,
    public iterator: Iterator<unknown>,
    readonly depth0: number,
    readonly recurse: Recurse | null,
    private readonly sized: boolean,
  ) {}

  take(): IteratorResult<unknown> {
    const r = this.iterator.next();
    if (!r.done) this.consumed += 1;
    return r;
  }

  length(): number {
    if (this._length !== undefined) return this._length;
    const n = this.sized ? sizedLength(this.iterable) : null;
    if (n !== null) {
      this._length = n;
    } else {
      const rest: unknown[] = [];
      for (let r = this.iterator.next(); !r.done; r = this.iterator.next()) rest.push(r.value);
      this.iterator = rest[Symbol.iterator]();
      this._length = this.consumed + rest.length;
    }
    return this._length;
  }
}

/**
 * Jinja's `runtime.LoopContext` (the `loop` variable), one immutable view per iteration: a partial
 * included in the loop body or a `caller()` rendered later by React still sees its own iteration.
 */
export class LoopContext {
  /** @internal */
  constructor(
    private readonly _state: LoopState,
    readonly index0: number,
    private readonly _before: unknown,
    private readonly _hasNext: boolean,
    private readonly _after: unknown,
  ) {}

  get index(): number {
    return this.index0 + 1;
  }
  get depth0(): number {
    return this._state.depth0;
  }
  get depth(): number {
    return this._state.depth0 + 1;
  }
  get length(): number {
    return this._state.length();
  }
  get revindex0(): number {
    return this.length - this.index;
  }
  get revindex(): number {
    return this.length - this.index0;
  }
  get first(): boolean {
    return this.index0 === 0;
  }
  get last(): boolean {
    return !this._hasNext;
  }
  get previtem(): unknown {
    return this.first ? undefined : this._before;
  }
  get nextitem(): unknown {
    return this._hasNext ? this._after : undefined;
  }
  cycle(...args: unknown[]): unknown {
    if (args.length === 0) typeError("no items for cycling given");
    return args[this.index0 % args.length];
  }
  changed(...args: unknown[]): boolean {
    const value = tuple(args);
    if (this._state.lastChanged === MISSING || !eq(this._state.lastChanged, value)) {
      this._state.lastChanged = value;
      return true;
    }
    return false;
  }
  /** `loop(iterable)` in a recursive loop: renders the body over `iterable` one level deeper. */
  call(iterable: unknown): unknown[] {
    const recurse = this._state.recurse;
    if (recurse === null) typeError("The loop must have the 'recursive' marker to be called recursively.");
    return recurse(iterable, this.depth);
  }
}

/** Walks a loop's items, handing out one LoopContext per iteration (peeking one item ahead for `last`). */
function* iterations(state: LoopState): Generator<[unknown, LoopContext]> {
  let r = state.take();
  let before: unknown = undefined;
  let index0 = 0;
  while (!r.done) {
    const next = state.take();
    const item = r.value;
    yield [item, new LoopContext(state, index0, before, !next.done, next.done ? undefined : next.value)];
    before = item;
    index0 += 1;
    r = next;
  }
}

export interface LoopOptions {
  /** `{% for x in l if cond %}`: applied lazily before the loop object sees the item */
  filter?: (item: unknown) => boolean;
  /** `{% for … recursive %}`: enables `loop.call(children)` */
  recursive?: boolean;
  depth0?: number;
}

function filtered(it: Iterator<unknown>, test: (item: unknown) => boolean): Iterator<unknown> {
  return {
    next(): IteratorResult<unknown> {
      for (let r = it.next(); !r.done; r = it.next()) if (test(r.value)) return r;
      return { done: true, value: undefined };
    },
  };
}

/** No body ran to completion: the partial outputs of bodies ended by `loopBreak`/`loopContinue`. */
class NotRan {
  constructor(readonly partial: unknown[]) {}
}

function runLoop(
  iterable: unknown,
  body: (item: unknown, loop: LoopContext) => unknown,
  orElse: (() => unknown) | undefined,
  options: LoopOptions,
  depth0: number,
): unknown[] | NotRan {
  const base = pyIterator(iterable);
  const it = options.filter ? filtered(base, options.filter) : base;
  const recurse: Recurse | null = options.recursive
    ? (inner, d) => {
        const r = runLoop(inner, body, orElse, options, d);
        return r instanceof NotRan ? [...r.partial, orElse ? orElse() : ""] : r;
      }
    : null;
  const state = new LoopState(iterable, it, depth0, recurse, !options.filter && !(iterable instanceof LazyIter));
  const out: unknown[] = [];
  let ran = false;
  for (const [item, ctx] of iterations(state)) {
    const r = body(item, ctx);
    if (r instanceof LoopControl) {
      out.push(r.value);
      if (r.kind === "break") break;
      continue;
    }
    out.push(r);
    ran = true;
  }
  if (!ran && orElse) return new NotRan(out);
  return out;
}

/** What a loop body returns, without the `loopBreak`/`loopContinue` wrappers (their values are unwrapped). */
export type LoopOutput<T> = Exclude<T, LoopControl>;

/** `{% for item in iterable %}body{% endfor %}`: the body results in order (LoopControl values unwrapped). */
export function loop<T>(
  iterable: unknown,
  body: (item: unknown, loop: LoopContext) => T,
  options: LoopOptions = {},
): LoopOutput<T>[] {
  return runLoop(iterable, body, undefined, options, options.depth0 ?? 0) as LoopOutput<T>[];
}

/**
 * `{% for %}…{% else %}…{% endfor %}`: the body results, or `orElse()` when no body ran to completion (empty,
 * all filtered out, or every body ended by `{% break %}`/`{% continue %}`). In the last case the partial outputs
 * those bodies returned through `loopBreak`/`loopContinue` come first: `[...partials, orElse()]`.
 */
export function forElse<T, E>(
  iterable: unknown,
  body: (item: unknown, loop: LoopContext) => T,
  orElse: () => E,
  options: LoopOptions = {},
): LoopOutput<T>[] | E | (LoopOutput<T> | E)[] {
  const r = runLoop(iterable, body, orElse, options, options.depth0 ?? 0);
  if (r instanceof NotRan) return r.partial.length ? [...(r.partial as LoopOutput<T>[]), orElse()] : orElse();
  return r as LoopOutput<T>[];
}

// ================================================================================================ globals

/** Python `range(stop)` / `range(start, stop[, step])` as a list. */
export function range(...args: unknown[]): unknown[] {
  if (args.length < 1 || args.length > 3) typeError(`range expected at most 3 arguments, got ${args.length}`);
  const ints = args.map((a) => {
    if (a === undefined) undefinedError();
    const i = indexOf(a);
    if (i === null) typeError(`'${typeName(a)}' object cannot be interpreted as an integer`);
    return i;
  });
  const [start, stop, step] = ints.length === 1 ? [0, ints[0], 1] : [ints[0], ints[1], ints[2] ?? 1];
  if (step === 0) typeError("range() arg 3 must not be zero");
  const count = step > 0 ? Math.ceil((stop - start) / step) : Math.ceil((start - stop) / -step);
  if (count > MAX_RANGE) {
    throw new TemplateRuntimeError(`Range too big. The sandbox blocks ranges larger than MAX_RANGE (${MAX_RANGE}).`);
  }
  const out: number[] = [];
  if (step > 0) for (let i = start; i < stop; i += step) out.push(i);
  else for (let i = start; i > stop; i += step) out.push(i);
  RANGES.set(out, [start, stop, step]);
  return out;
}

/** Is `v` an array made by `range()` (Python's range: equal only to a range, no ordering, no `+`)? */
export function isRange(v: unknown): v is number[] {
  return Array.isArray(v) && RANGES.has(v);
}

/** Python `repr(range)`: `range(0, 3)`, `range(0, 5, 2)`. */
function rangeRepr(v: number[]): string {
  const [start, stop, step] = RANGES.get(v)!;
  return step === 1 ? `range(${start}, ${stop})` : `range(${start}, ${stop}, ${step})`;
}

/** `r[i:j:k]` of a range: the range Python computes (`range(5)[1:3]` is `range(1, 3)`). */
function sliceRange(r: number[], start: unknown, stop: unknown, step: unknown): number[] {
  const [r0, , rstep] = RANGES.get(r)!;
  const [i, j, k] = sliceBounds(r.length, start, stop, step);
  const out = sliceIndices(r.length, start, stop, step).map((x) => r[x]!);
  RANGES.set(out, [r0 + i * rstep, r0 + j * rstep, rstep * k]);
  return out;
}

/** Jinja's `sandbox.MAX_RANGE`, enforced by its `range` global. */
const MAX_RANGE = 100000;
/** Arrays made by `range()`, with their start, stop and step. */
const RANGES = new WeakMap<unknown[], [number, number, number]>();

/** An array index ("0", "12"): a JS object lists such keys first, in numeric order. */
export function isIndexKey(k: string): boolean {
  return /^(0|[1-9][0-9]{0,9})$/.test(k) && Number(k) < 4294967295;
}

/**
 * A computed key of a dict literal (`{name: value}`). The runtime's dicts are JS objects keyed by
 * str, which list array-index keys ("2") before the others: a key that is not a str, or that JS would
 * move, is refused instead of printing or iterating the dict in another order than Python.
 */
export function literalKey(k: unknown): string {
  if (typeof k !== "string")
    throw new TemplateRuntimeError(
      `jinja2tsx: dict literal key ${repr(k)} is not a str (the converted dicts are keyed by str)`,
    );
  if (isIndexKey(k))
    throw new TemplateRuntimeError(
      `jinja2tsx: dict literal key ${repr(k)} would be listed first by JavaScript, out of Python's order`,
    );
  return k;
}

/** Python `dict(*args, **kwargs)` (Jinja's `dict` global). */
export function dict(args: unknown[] = [], kwargs: Kwargs = {}): Record<string, unknown> {
  if (args.length > 1) typeError(`dict expected at most 1 argument, got ${args.length}`);
  const d: Record<string, unknown> = {};
  dictUpdate(d, args.length ? args[0] : MISSING, kwargs);
  return d;
}

// ================================================================================================ exact float formatting

const F64 = new Float64Array(1);
const U64 = new BigUint64Array(F64.buffer);

/** |x| = mant × 2^exp2 exactly (x finite). */
function frexpBig(x: number): [bigint, number] {
  F64[0] = Math.abs(x);
  const bits = U64[0];
  const e = Number((bits >> 52n) & 0x7ffn);
  const m = bits & 0xfffffffffffffn;
  return e === 0 ? [m, -1074] : [m | 0x10000000000000n, e - 1075];
}

const POW5: bigint[] = [1n];
const POW10: bigint[] = [1n];
function pow5(n: number): bigint {
  while (POW5.length <= n) POW5.push(POW5[POW5.length - 1] * 5n);
  return POW5[n];
}
function pow10(n: number): bigint {
  if (n > 2000) return 10n ** BigInt(n);
  while (POW10.length <= n) POW10.push(POW10[POW10.length - 1] * 10n);
  return POW10[n];
}

/** |x| = D × 10^k exactly (x finite). */
function exactDecimal(ax: number): [bigint, number] {
  const [m, e] = frexpBig(ax);
  return e >= 0 ? [m << BigInt(e), 0] : [m * pow5(-e), e];
}

function roundDivHalfEven(n: bigint, d: bigint): bigint {
  let q = n / d;
  const twice = 2n * (n - q * d);
  if (twice > d || (twice === d && (q & 1n) === 1n)) q += 1n;
  return q;
}

/** `%.{prec}f` of ax ≥ 0 (finite), rounded half-to-even on the exact binary value, no sign. */
function fmtFixed(ax: number, prec: number, alt: boolean): string {
  let s: string;
  // toFixed is exact except on ties (it rounds them up); a tie needs ax·2^(prec+1) to be an integer
  if (ax < 1e21 && prec <= 100 && !Number.isInteger(ax * 2 ** (prec + 1))) {
    s = ax.toFixed(prec);
  } else {
    const [D, k] = exactDecimal(ax);
    const sc = k + prec;
    let digits = (sc >= 0 ? D * pow10(sc) : roundDivHalfEven(D, pow10(-sc))).toString();
    if (prec > 0) {
      digits = digits.padStart(prec + 1, "0");
      s = `${digits.slice(0, -prec)}.${digits.slice(-prec)}`;
    } else s = digits;
  }
  return prec === 0 && alt ? s + "." : s;
}

/** ax ≥ 0 rounded to `sig` significant digits: [digits, decimal exponent of the first digit]. */
function sigDigits(ax: number, sig: number): [string, number] {
  if (ax === 0) return ["0".repeat(sig), 0];
  const [D, k] = exactDecimal(ax);
  const nd = D.toString().length;
  let exp = nd - 1 + k;
  const shift = nd - sig;
  let qs = (shift > 0 ? roundDivHalfEven(D, pow10(shift)) : D * pow10(-shift)).toString();
  if (qs.length > sig) {
    qs = qs.slice(0, sig);
    exp += 1;
  }
  return [qs, exp];
}

function expSuffix(exp: number, upper: boolean): string {
  return `${upper ? "E" : "e"}${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}

/** `%.{prec}e` of ax ≥ 0 (finite), no sign. */
function fmtExp(ax: number, prec: number, alt: boolean, upper: boolean): string {
  const [digits, exp] = sigDigits(ax, prec + 1);
  const mant = digits[0] + (prec > 0 ? "." + digits.slice(1) : alt ? "." : "");
  return mant + expSuffix(exp, upper);
}

/** `%.{prec}g` of ax ≥ 0 (finite), no sign. */
function fmtGeneral(ax: number, prec: number, alt: boolean, upper: boolean, addDot0: boolean): string {
  if (prec === 0) prec = 1;
  const exp = sigDigits(ax, prec)[1];
  let s: string;
  // CPython format_float_short: with ADD_DOT_0 (format type "") the exponent threshold is one lower
  if (exp < -4 || exp >= (addDot0 ? prec - 1 : prec)) {
    s = fmtExp(ax, prec - 1, alt, upper);
    if (!alt) {
      const e = s.search(/[eE]/);
      let mant = s.slice(0, e);
      if (mant.includes(".")) mant = mant.replace(/\.?0+$/, "");
      s = mant + s.slice(e);
    }
  } else {
    s = fmtFixed(ax, prec - 1 - exp, alt);
    if (!alt && s.includes(".")) s = s.replace(/\.?0+$/, "");
    if (addDot0 && !s.includes(".")) s += ".0";
  }
  return s;
}

/** PyOS_double_to_string for |x|: types e E f F g G r (r = repr). No sign. */
function doubleToString(ax: number, type: string, prec: number, alt: boolean, addDot0: boolean): string {
  const upper = type === "E" || type === "F" || type === "G";
  if (Number.isNaN(ax)) return upper ? "NAN" : "nan";
  if (ax === Infinity) return upper ? "INF" : "inf";
  switch (type) {
    case "f":
    case "F":
      return fmtFixed(ax, prec, alt);
    case "e":
    case "E":
      return fmtExp(ax, prec, alt, upper);
    case "g":
    case "G":
      return fmtGeneral(ax, prec, alt, upper, addDot0);
    default: {
      if (ax === 0) return "0.0";
      const [, digits, exp] = shortestDigits(ax);
      return layoutRepr(digits, exp, true);
    }
  }
}

function signBit(x: number): boolean {
  return x < 0 || Object.is(x, -0);
}

// ================================================================================================ printf (`%`)

/** MarkupSafe's `_MarkupEscapeHelper`: a `Markup % args` argument that escapes itself when converted. */
class EscHelper {
  constructor(readonly obj: unknown) {}
}

function markupModArgs(v: unknown): unknown {
  if (isTuple(v)) return tuple((v as unknown[]).map((x) => new EscHelper(x)));
  if (isPrintfMapping(v)) return new EscHelper(v);
  return tuple([new EscHelper(v)]);
}

/** Python's PyMapping_Check for `%` arguments (lists, dicts, Undefined, and anything with `__getitem__`; not str). */
function isPrintfMapping(v: unknown): boolean {
  if (v === undefined || v instanceof EscHelper) return true;
  if (Array.isArray(v)) return !isTuple(v);
  return isDict(v) || hook(v, "__getitem__") !== undefined;
}

function printfGetitem(mapping: unknown, key: string): unknown {
  if (mapping instanceof EscHelper) return new EscHelper(printfGetitem(mapping.obj, key));
  if (mapping === undefined) undefinedError(`'Undefined' has no element ${reprStr(key)}`);
  if (isDict(mapping)) {
    if (!Object.prototype.hasOwnProperty.call(mapping, key)) typeError(`KeyError: ${reprStr(key)}`);
    return mapping[key];
  }
  if (Array.isArray(mapping)) typeError("list indices must be integers or slices, not str");
  const r = pyItem(mapping, key);
  if (r === MISSING) typeError(`KeyError: ${reprStr(key)}`);
  return r;
}

/** Python `int(v)` for `%d` (floats truncate; str parsed only through a Markup helper). */
function printfInt(v: unknown, c: string, viaHelper = false): number | bigint {
  if (v instanceof EscHelper) return printfInt(v.obj, c, true);
  if (isIntLike(v)) return intVal(v);
  const bad = (): never => typeError(`%${c} format: a real number is required, not ${typeName(v)}`);
  if (v === undefined) undefinedError();
  if (typeof v === "number" || v instanceof PyFloat) {
    const x = fval(v);
    if (Number.isNaN(x)) typeError("cannot convert float NaN to integer");
    if (!Number.isFinite(x)) typeError("cannot convert float infinity to integer");
    const t = Math.trunc(x);
    return Number.isSafeInteger(t) ? (t === 0 ? 0 : t) : normInt(BigInt(t));
  }
  if (viaHelper && isStrLike(v)) {
    const s = strText(v).trim().replace(/_/g, "");
    if (/^[+-]?\d+$/.test(s)) return normInt(BigInt(s));
    typeError(`invalid literal for int() with base 10: ${reprStr(strText(v))}`);
  }
  return bad();
}

function printfIndex(v: unknown, c: string): number | bigint {
  if (isIntLike(v)) return intVal(v);
  if (v === undefined && c === "c") undefinedError();
  return typeError(
    `%${c} format: an integer is required, not ${v instanceof EscHelper ? "_MarkupEscapeHelper" : typeName(v)}`,
  );
}

function printfFloat(v: unknown, viaHelper = false): number {
  if (v instanceof EscHelper) return printfFloat(v.obj, true);
  if (isNumber(v)) return fval(v);
  if (v === undefined) undefinedError();
  if (viaHelper && isStrLike(v)) {
    const f = parsePyFloatStr(strText(v));
    if (f === null) typeError(`could not convert string to float: ${reprStr(strText(v))}`);
    return f;
  }
  return typeError(`must be real number, not ${typeName(v)}`);
}

/** Python `float(str)` (whitespace, `_` between digits, inf/nan); null when invalid. */
export function parsePyFloatStr(s: string): number | null {
  const t = s.replace(new RegExp(`^[${PY_WS_CLASS}]+|[${PY_WS_CLASS}]+$`, "g"), "");
  const m =
    /^([+-]?)(?:(inf|infinity)|(nan)|((?:\d(?:_?\d)*)?(?:\.(?:\d(?:_?\d)*)?)?(?:[eE][+-]?\d(?:_?\d)*)?))$/i.exec(t);
  if (!m) return null;
  const neg = m[1] === "-";
  if (m[2]) return neg ? -Infinity : Infinity;
  if (m[3]) return NaN;
  const body = m[4].replace(/_/g, "");
  if (!/\d/.test(body.split(/[eE]/)[0])) return null;
  const x = Number(body);
  return neg ? -x : x;
}

function intDigits(v: number | bigint, radix: number): string {
  if (typeof v === "number" && Math.abs(v) < 2 ** 53) return Math.abs(v).toString(radix);
  const b = toBig(v);
  // the decimal limit of str(int) holds for %d and format() too (not for x, o, b)
  return radix === 10 ? bigintText(b < 0n ? -b : b) : (b < 0n ? -b : b).toString(radix);
}

const F_LJUST = 1;
const F_SIGN = 2;
const F_BLANK = 4;
const F_ALT = 8;
const F_ZERO = 16;

/** CPython unicode_format_arg_output: sign, alternate prefix, padding. */
function printfOutput(pbuf: string, numeric: boolean, flags: number, width: number, c: string): string {
  let len = cpLen(pbuf);
  let pindex = 0;
  const fill = numeric && flags & F_ZERO ? "0" : " ";
  let sign = numeric;
  let signchar = "";
  if (sign) {
    const ch = pbuf[0];
    if (ch === "+" || ch === "-" || ch === " ") {
      signchar = ch;
      len--;
      pindex++;
    } else if (flags & F_SIGN) signchar = "+";
    else if (flags & F_BLANK) signchar = " ";
    else sign = false;
  }
  if (width < len) width = len;
  let out = "";
  if (sign) {
    if (fill !== " ") out += signchar;
    if (width > len) width--;
  }
  const altPrefix = (flags & F_ALT) !== 0 && (c === "x" || c === "X" || c === "o");
  if (altPrefix) {
    if (fill !== " ") {
      out += pbuf.slice(pindex, pindex + 2);
      pindex += 2;
    }
    width -= 2;
    if (width < 0) width = 0;
    len -= 2;
  }
  if (width > len && !(flags & F_LJUST)) {
    out += fill.repeat(width - len);
    width = len;
  }
  if (fill === " ") {
    if (sign) out += signchar;
    if (altPrefix) {
      out += pbuf.slice(pindex, pindex + 2);
      pindex += 2;
    }
  }
  out += pbuf.slice(pindex);
  if (width > len) out += " ".repeat(width - len);
  return out;
}

function firstCodePoints(s: string, n: number): string {
  if (!SURROGATE.test(s)) return s.slice(0, n);
  return cps(s).slice(0, n).join("");
}

/** Python `fmt % args` (CPython PyUnicode_Format). */
export function printf(fmt: string, args: unknown): string {
  return printfImpl(fmt, args, false);
}

function printfImpl(fmt: string, args: unknown, esc: boolean): string {
  let argsObj = args;
  let arglen: number;
  let argidx: number;
  if (isTuple(args)) {
    arglen = (args as unknown[]).length;
    argidx = 0;
  } else {
    arglen = -1;
    argidx = -2;
  }
  const hasDict = !isStrLike(args) && isPrintfMapping(args);
  const next = (): unknown => {
    if (argidx < arglen) {
      const i = argidx++;
      return arglen < 0 ? argsObj : (argsObj as unknown[])[i];
    }
    return typeError("not enough arguments for format string");
  };
  const n = fmt.length;
  let out = "";
  let i = 0;
  while (i < n) {
    const p = fmt.indexOf("%", i);
    if (p < 0) {
      out += fmt.slice(i);
      break;
    }
    out += fmt.slice(i, p);
    i = p + 1;
    if (i >= n) typeError("incomplete format");
    if (fmt[i] === "%") {
      out += "%";
      i++;
      continue;
    }
    if (fmt[i] === "(") {
      if (!hasDict) typeError("format requires a mapping");
      let depth = 1;
      let j = i + 1;
      while (j < n && depth > 0) {
        if (fmt[j] === "(") depth++;
        else if (fmt[j] === ")") depth--;
        j++;
      }
      if (depth > 0) typeError("incomplete format key");
      argsObj = printfGetitem(args, fmt.slice(i + 1, j - 1));
      arglen = -1;
      argidx = -2;
      i = j;
    }
    let flags = 0;
    for (; i < n; i++) {
      const f = fmt[i];
      if (f === "-") flags |= F_LJUST;
      else if (f === "+") flags |= F_SIGN;
      else if (f === " ") flags |= F_BLANK;
      else if (f === "#") flags |= F_ALT;
      else if (f === "0") flags |= F_ZERO;
      else break;
    }
    let width = -1;
    if (fmt[i] === "*") {
      const w = next();
      if (!isIntLike(w)) typeError("* wants int");
      width = Number(intVal(w));
      if (width < 0) {
        flags |= F_LJUST;
        width = -width;
      }
      i++;
    } else {
      const m = /^\d+/.exec(fmt.slice(i, i + 20));
      if (m) {
        width = parseInt(m[0], 10);
        i += m[0].length;
      }
    }
    let prec = -1;
    if (fmt[i] === ".") {
      i++;
      if (fmt[i] === "*") {
        const w = next();
        if (!isIntLike(w)) typeError("* wants int");
        prec = Math.max(0, Number(intVal(w)));
        i++;
      } else {
        const m = /^\d+/.exec(fmt.slice(i, i + 20));
        prec = m ? parseInt(m[0], 10) : 0;
        if (m) i += m[0].length;
      }
    }
    if (i < n && (fmt[i] === "h" || fmt[i] === "l" || fmt[i] === "L")) i++;
    if (i >= n) typeError("incomplete format");
    const c = fmt[i++];
    const v = next();
    let pbuf: string;
    let numeric = false;
    switch (c) {
      case "s":
      case "r":
      case "a": {
        if (v instanceof EscHelper) {
          pbuf = c === "s" ? escape(v.obj).html : escape(repr(v.obj)).html;
          if (c === "a") pbuf = asciiEscape(pbuf);
        } else pbuf = c === "s" ? str(v) : c === "r" ? repr(v) : ascii(v);
        if (prec >= 0) pbuf = firstCodePoints(pbuf, prec);
        break;
      }
      case "d":
      case "i":
      case "u":
      case "o":
      case "x":
      case "X": {
        numeric = true;
        const iv = c === "o" || c === "x" || c === "X" ? printfIndex(v, c) : printfInt(v, c);
        const radix = c === "o" ? 8 : c === "x" || c === "X" ? 16 : 10;
        let digits = intDigits(iv, radix);
        if (prec > digits.length) digits = digits.padStart(prec, "0");
        const prefix = flags & F_ALT && radix !== 10 ? (c === "o" ? "0o" : "0x") : "";
        pbuf = (iv < 0 ? "-" : "") + prefix + digits;
        if (c === "X") pbuf = pbuf.toUpperCase();
        break;
      }
      case "e":
      case "E":
      case "f":
      case "F":
      case "g":
      case "G": {
        numeric = true;
        const x = printfFloat(v);
        const body = doubleToString(Math.abs(x), c, prec < 0 ? 6 : prec, (flags & F_ALT) !== 0, false);
        pbuf = (signBit(x) && !Number.isNaN(x) ? "-" : "") + body;
        break;
      }
      case "c": {
        if (isStrLike(v)) {
          const s = strText(v);
          if (cpLen(s) !== 1) typeError("%c requires int or char");
          pbuf = s;
        } else {
          if (!isIntLike(v)) typeError("%c requires int or char");
          const code = Number(intVal(v));
          if (code < 0 || code > 0x10ffff) typeError("%c arg not in range(0x110000)");
          pbuf = String.fromCodePoint(code);
        }
        break;
      }
      default:
        return typeError(`unsupported format character '${c}' (0x${c.charCodeAt(0).toString(16)}) at index ${i - 1}`);
    }
    out += printfOutput(pbuf, numeric, flags, width, c);
  }
  if (argidx < arglen && !hasDict) typeError("not all arguments converted during string formatting");
  return out;
}

// ================================================================================================ str.format

interface FormatSpec {
  fill: string;
  align: string | null;
  sign: string;
  z: boolean;
  alt: boolean;
  width: number;
  grouping: string;
  precision: number | null;
  type: string;
}

function valueError(msg: string): never {
  throw new TemplateTypeError(msg);
}

/** Python's format-spec mini-language: `[[fill]align][sign][z][#][0][width][,_][.precision][type]`. */
function parseSpec(spec: string, defaultAlign: string): FormatSpec {
  const a = cps(spec);
  const f: FormatSpec = {
    fill: " ",
    align: null,
    sign: "",
    z: false,
    alt: false,
    width: -1,
    grouping: "",
    precision: null,
    type: "",
  };
  let i = 0;
  let fillSpecified = false;
  if (a.length >= 2 && "<>=^".includes(a[1])) {
    f.fill = a[0];
    f.align = a[1];
    fillSpecified = true;
    i = 2;
  } else if (a.length >= 1 && "<>=^".includes(a[0])) {
    f.align = a[0];
    i = 1;
  }
  if (i < a.length && "+- ".includes(a[i])) f.sign = a[i++];
  if (a[i] === "z") {
    f.z = true;
    i++;
  }
  if (a[i] === "#") {
    f.alt = true;
    i++;
  }
  if (!fillSpecified && a[i] === "0") {
    f.fill = "0";
    if (f.align === null && defaultAlign === ">") f.align = "=";
    i++;
  }
  let w = "";
  while (i < a.length && a[i] >= "0" && a[i] <= "9") w += a[i++];
  if (w) f.width = parseInt(w, 10);
  if (a[i] === "," || a[i] === "_") {
    f.grouping = a[i++];
    if (a[i] === "," || a[i] === "_")
      valueError(f.grouping === a[i] ? `Cannot specify '${a[i]}' with '${a[i]}'.` : "Cannot specify both ',' and '_'.");
  }
  if (a[i] === ".") {
    i++;
    let p = "";
    while (i < a.length && a[i] >= "0" && a[i] <= "9") p += a[i++];
    if (!p) valueError("Format specifier missing precision");
    f.precision = parseInt(p, 10);
  }
  if (a.length - i > 1) valueError("Invalid format specifier");
  if (i < a.length) f.type = a[i];
  if (f.grouping) {
    const t = f.type;
    if ("defgEG%F".includes(t) && t !== "") {
      // allowed
    } else if (t === "") {
      // allowed
    } else if ("boxX".includes(t) && f.grouping === "_") {
      // every four digits
    } else valueError(`Cannot specify '${f.grouping}' with '${t}'.`);
  }
  return f;
}

function padTo(body: string, f: FormatSpec, align: string): string {
  const pad = f.width - cpLen(body);
  if (pad <= 0) return body;
  if (align === "<") return body + f.fill.repeat(pad);
  if (align === "^") {
    const left = Math.floor(pad / 2);
    return f.fill.repeat(left) + body + f.fill.repeat(pad - left);
  }
  return f.fill.repeat(pad) + body;
}

/** CPython _PyUnicode_InsertThousandsGrouping with zero padding to minWidth. */
function groupDigits(digits: string, sep: string, size: number, minWidth: number): string {
  const pieces: string[] = [];
  let remaining = digits.length;
  let minW = minWidth;
  let pos = digits.length;
  let broken = false;
  for (;;) {
    let l = size;
    l = Math.min(l, Math.max(remaining, minW, 1));
    const zeros = Math.max(0, l - remaining);
    const chars = Math.max(0, Math.min(remaining, l));
    pieces.push("0".repeat(zeros) + digits.slice(pos - chars, pos));
    pos -= chars;
    remaining -= chars;
    minW -= l;
    if (remaining <= 0 && minW <= 0) {
      broken = true;
      break;
    }
    minW -= sep.length;
  }
  if (!broken) {
    const l = Math.max(remaining, minW, 1);
    pieces.push("0".repeat(Math.max(0, l - remaining)) + digits.slice(0, Math.max(0, Math.min(remaining, l))));
  }
  return pieces.reverse().join(sep);
}

function layoutNumber(
  f: FormatSpec,
  signStr: string,
  prefix: string,
  digits: string,
  rest: string,
  groupSize: number,
): string {
  const align = f.align ?? ">";
  const sep = f.grouping;
  let grouped = digits;
  if (sep && digits) {
    const minWidth = f.fill === "0" && align === "=" ? f.width - signStr.length - prefix.length - cpLen(rest) : 0;
    grouped = groupDigits(digits, sep, groupSize, minWidth);
  }
  if (align === "=") {
    const pad = f.width - signStr.length - prefix.length - grouped.length - cpLen(rest);
    return signStr + prefix + (pad > 0 ? f.fill.repeat(pad) : "") + grouped + rest;
  }
  return padTo(signStr + prefix + grouped + rest, f, align);
}

function signPrefix(neg: boolean, sign: string): string {
  return neg ? "-" : sign === "+" ? "+" : sign === " " ? " " : "";
}

function formatStrSpec(s: string, spec: string): string {
  const f = parseSpec(spec, "<");
  if (f.type && f.type !== "s") valueError(`Unknown format code '${f.type}' for object of type 'str'`);
  if (f.sign) valueError("Sign not allowed in string format specifier");
  if (f.z) valueError("Negative zero coercion (z) not allowed in format specifier");
  if (f.alt) valueError("Alternate form (#) not allowed in string format specifier");
  if (f.align === "=") valueError("'=' alignment not allowed in string format specifier");
  if (f.grouping) valueError(`Cannot specify '${f.grouping}' with 's'.`);
  const text = f.precision !== null ? firstCodePoints(s, f.precision) : s;
  return padTo(text, f, f.align ?? "<");
}

function formatIntSpec(v: number | bigint, spec: string): string {
  const f = parseSpec(spec, ">");
  const type = f.type || "d";
  if ("eEfFgG%".includes(type)) return formatFloatWith(typeof v === "bigint" ? bigToFloat(v) : v, f);
  if (f.precision !== null) valueError("Precision not allowed in integer format specifier");
  if (f.z) valueError("Negative zero coercion (z) not allowed in integer format specifier");
  const neg = v < 0;
  if (type === "c") {
    if (f.sign) valueError("Sign not allowed with integer format specifier 'c'");
    if (f.alt) valueError("Alternate form (#) not allowed with integer format specifier 'c'");
    const code = Number(v);
    if (code < 0 || code > 0x10ffff) typeError("%c arg not in range(0x110000)");
    return layoutNumber(f, "", "", "", String.fromCodePoint(code), 3);
  }
  const radix =
    type === "d" || type === "n" ? 10 : type === "b" ? 2 : type === "o" ? 8 : type === "x" || type === "X" ? 16 : 0;
  if (radix === 0) valueError(`Unknown format code '${type}' for object of type 'int'`);
  let digits = intDigits(v, radix);
  if (type === "X") digits = digits.toUpperCase();
  const prefix = f.alt ? (({ b: "0b", o: "0o", x: "0x", X: "0X" } as Record<string, string>)[type] ?? "") : "";
  return layoutNumber(f, signPrefix(neg, f.sign), prefix, digits, "", radix === 10 ? 3 : 4);
}

function formatFloatWith(x: number, f: FormatSpec): string {
  let type = f.type;
  if (!["", "e", "E", "f", "F", "g", "G", "n", "%"].includes(type))
    valueError(`Unknown format code '${type}' for object of type 'float'`);
  let prec = f.precision;
  let addDot0 = false;
  if (type === "") {
    addDot0 = true;
    type = prec === null ? "r" : "g";
  }
  if (type === "n") type = "g";
  let val = x;
  let suffix = "";
  if (type === "%") {
    type = "f";
    val = x * 100;
    suffix = "%";
  }
  if (prec === null) prec = 6;
  let body = doubleToString(Math.abs(val), type, prec, f.alt, addDot0);
  let neg = signBit(val) && !Number.isNaN(val);
  if (f.z && neg && !/[1-9]/.test(body)) neg = false;
  let digits = "";
  const m = /^\d+/.exec(body);
  if (m) {
    digits = m[0];
    body = body.slice(digits.length);
  }
  return layoutNumber(f, signPrefix(neg, f.sign), "", digits, body + suffix, 3);
}

/** Python `format(value, spec)`. */
export function pyFormat(value: unknown, spec: string): string {
  if (typeof value === "string") return spec === "" ? value : formatStrSpec(value, spec);
  if (value instanceof SafeHtml) return spec === "" ? value.html : formatStrSpec(value.html, spec);
  if (typeof value === "boolean") return spec === "" ? str(value) : formatIntSpec(value ? 1 : 0, spec);
  if (isIntLike(value)) return spec === "" ? str(value) : formatIntSpec(intVal(value), spec);
  if (typeof value === "number" || value instanceof PyFloat) {
    return spec === "" ? str(value) : formatFloatWith(fval(value), parseSpec(spec, ">"));
  }
  if (spec !== "") typeError(`unsupported format string passed to ${typeName(value)}.__format__`);
  return str(value);
}

interface AutoNumber {
  next: number;
  mode: "" | "auto" | "manual";
}

/** Python `fmt.format(*args, **kwargs)` (str.format). */
export function strFormat(fmt: string, args: unknown[] = [], kwargs: Kwargs = {}): string {
  return formatImpl(fmt, args, kwargs, false);
}

/**
 * `fmt.format(...)` as a value: CPython returns the field's own object when the format is a single field whose
 * `format()` left a Markup unchanged (`"{:s}".format(m)` is Markup), else a str.
 */
function strFormatValue(fmt: string, args: unknown[], kwargs: Kwargs): string | SafeHtml {
  const text = formatImpl(fmt, args, kwargs, false);
  const m = /^\{([^{}!:]*):([^{}]+)\}$/.exec(fmt);
  if (m) {
    const v = lookupField(m[1], args, kwargs, { next: 0, mode: "" });
    if (v instanceof SafeHtml && v.html === text) return v;
  }
  return text;
}

function formatImpl(
  fmt: string,
  args: unknown[],
  kwargs: Kwargs,
  esc: boolean,
  auto: AutoNumber = { next: 0, mode: "" },
  depth = 2,
): string {
  if (depth <= 0) valueError("Max string recursion exceeded");
  const n = fmt.length;
  let out = "";
  let i = 0;
  while (i < n) {
    const c = fmt[i];
    if (c === "{") {
      if (fmt[i + 1] === "{") {
        out += "{";
        i += 2;
        continue;
      }
      let level = 1;
      let j = i + 1;
      for (; j < n; j++) {
        if (fmt[j] === "{") level++;
        else if (fmt[j] === "}" && --level === 0) break;
      }
      if (j >= n) valueError("expected '}' before end of string");
      out += renderField(fmt.slice(i + 1, j), args, kwargs, esc, auto, depth);
      i = j + 1;
    } else if (c === "}") {
      if (fmt[i + 1] === "}") {
        out += "}";
        i += 2;
        continue;
      }
      valueError("Single '}' encountered in format string");
    } else {
      const j = fmt.slice(i).search(/[{}]/);
      const end = j < 0 ? n : i + j;
      out += fmt.slice(i, end);
      i = end;
    }
  }
  return out;
}

function renderField(
  field: string,
  args: unknown[],
  kwargs: Kwargs,
  esc: boolean,
  auto: AutoNumber,
  depth: number,
): string {
  let k = 0;
  while (k < field.length) {
    const ch = field[k];
    if (ch === "[") {
      while (k < field.length && field[k] !== "]") k++;
      continue;
    }
    if (ch === "{") valueError("unexpected '{' in field name");
    if (ch === ":" || ch === "!") break;
    k++;
  }
  const name = field.slice(0, k);
  let conv = "";
  let spec = "";
  if (field[k] === "!") {
    if (k + 1 >= field.length) valueError("end of string while looking for conversion specifier");
    conv = field[k + 1];
    k += 2;
    if (k < field.length) {
      if (field[k] !== ":") valueError("expected ':' after conversion specifier");
      spec = field.slice(k + 1);
    }
  } else if (field[k] === ":") spec = field.slice(k + 1);
  let value = lookupField(name, args, kwargs, auto);
  if (conv) {
    if (conv === "r") value = repr(value);
    else if (conv === "s") value = str(value);
    else if (conv === "a") value = ascii(value);
    else valueError(`Unknown conversion specifier ${conv}`);
  }
  if (spec.includes("{")) spec = formatImpl(spec, args, kwargs, false, auto, depth - 1);
  if (esc) {
    if (value instanceof SafeHtml) {
      if (spec) valueError("Unsupported format specification for Markup.");
      return value.html;
    }
    const h = hook(value, "__html__");
    if (h) {
      if (spec) valueError(`Format specifier ${spec} given, but ${typeName(value)} does not define __html_format__.`);
      return h();
    }
    return escapeText(pyFormat(value, spec));
  }
  return pyFormat(value, spec);
}

function lookupField(name: string, args: unknown[], kwargs: Kwargs, auto: AutoNumber): unknown {
  const m = /^[^.[]*/.exec(name)!;
  const first = m[0];
  let rest = name.slice(first.length);
  let value: unknown;
  if (first === "" || /^\d+$/.test(first)) {
    let idx: number;
    if (first === "") {
      if (auto.mode === "manual")
        valueError("cannot switch from manual field specification to automatic field numbering");
      auto.mode = "auto";
      idx = auto.next++;
    } else {
      if (auto.mode === "auto")
        valueError("cannot switch from automatic field numbering to manual field specification");
      auto.mode = "manual";
      idx = parseInt(first, 10);
    }
    if (idx >= args.length) typeError(`Replacement index ${idx} out of range for positional args tuple`);
    value = args[idx];
  } else {
    if (!Object.prototype.hasOwnProperty.call(kwargs, first)) typeError(`KeyError: ${reprStr(first)}`);
    value = kwargs[first];
  }
  while (rest) {
    if (rest[0] === ".") {
      const a = /^\.([^.[]*)/.exec(rest)!;
      if (!a[1]) valueError("Empty attribute in format string");
      if (value === undefined) undefinedError();
      const r = pyAttr(value, a[1]);
      if (r === MISSING && /^__.*__$/.test(a[1]))
        // every Python object has its __class__, __doc__...: values no JSON counterpart has
        throw new TemplateRuntimeError(
          `jinja2tsx: a format field reads the Python attribute ${a[1]}, which the runtime does not have`,
        );
      if (r === MISSING) typeError(`AttributeError: '${typeName(value)}' object has no attribute ${reprStr(a[1])}`);
      value = r;
      rest = rest.slice(a[0].length);
    } else if (rest[0] === "[") {
      const close = rest.indexOf("]");
      if (close < 0) valueError("Missing ']' in format string");
      const keyText = rest.slice(1, close);
      if (keyText === "") valueError("Empty attribute in format string");
      const key: unknown = /^\d+$/.test(keyText) ? parseInt(keyText, 10) : keyText;
      if (value === undefined) undefinedError();
      const r = pyItem(value, key);
      if (r === MISSING) typeError(`KeyError/IndexError: ${repr(key)}`);
      value = r;
      rest = rest.slice(close + 1);
      if (rest && rest[0] !== "." && rest[0] !== "[")
        valueError("Only '.' or '[' may follow ']' in format field specifier");
    } else valueError("Only '.' or '[' may follow ']' in format field specifier");
  }
  return value;
}

// ================================================================================================ JSON

/**
 * Parse JSON keeping Python's number types: a number lexeme with `.`, `e` or `E` → float (`pyfloat`), otherwise
 * int (bigint beyond 2^53); objects → plain dicts (JS key order), arrays → lists. Accepts Python's
 * `NaN`, `Infinity`, `-Infinity`.
 */
const RE_JSON_NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

/** Revivers of host objects sent as JSON, by marker key (e.g. `__wtform__` → `wtforms.ts`). */
const JSON_REVIVERS = new Map<string, (d: Record<string, unknown>) => unknown>();

/** Register how `parseJSON` revives a top-level context value: a dict carrying the key `marker`. */
export function registerJSONReviver(marker: string, revive: (d: Record<string, unknown>) => unknown): void {
  JSON_REVIVERS.set(marker, revive);
}

/** A context's top-level values carrying a registered marker, revived (only there: values nested deeper
 * are data, which must never turn into objects that render HTML). */
function reviveTopLevel(result: unknown): unknown {
  if (!isDict(result) || JSON_REVIVERS.size === 0) return result;
  for (const key of Object.keys(result)) {
    const v = result[key];
    if (!isDict(v)) continue;
    for (const [marker, revive] of JSON_REVIVERS) {
      if (Object.prototype.hasOwnProperty.call(v, marker)) {
        dictSet(result, key, revive(v));
        break;
      }
    }
  }
  return result;
}

/**
 * `JSON.parse` keeping Python's number types (above), then reviving the context's top-level host objects
 * (WTForms forms serialised by `transpiler.wtforms_json.form_to_json`, once `wtforms.ts` is loaded).
 */
export function parseJSON(text: string): unknown {
  return reviveTopLevel(parseJSONValue(text));
}

function parseJSONValue(text: string): unknown {
  let i = 0;
  const n = text.length;
  const fail = (msg: string): never => {
    throw new TemplateRuntimeError(`JSON parse error at ${i}: ${msg}`);
  };
  const ws = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };
  const parseString = (): string => {
    i++; // opening quote
    let out = "";
    let start = i;
    for (;;) {
      if (i >= n) fail("unterminated string");
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(start, i);
        i++;
        return out;
      }
      if (c === 0x5c) {
        out += text.slice(start, i);
        const e = text[i + 1];
        i += 2;
        switch (e) {
          case '"':
            out += '"';
            break;
          case "\\":
            out += "\\";
            break;
          case "/":
            out += "/";
            break;
          case "b":
            out += "\b";
            break;
          case "f":
            out += "\f";
            break;
          case "n":
            out += "\n";
            break;
          case "r":
            out += "\r";
            break;
          case "t":
            out += "\t";
            break;
          case "u": {
            const h = text.slice(i, i + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(h)) fail("bad \\u escape");
            out += String.fromCharCode(parseInt(h, 16));
            i += 4;
            break;
          }
          default:
            fail("bad escape");
        }
        start = i;
        continue;
      }
      if (c < 0x20) fail("control character in string");
      i++;
    }
  };
  const value = (): unknown => {
    ws();
    if (i >= n) fail("unexpected end");
    const c = text[i];
    if (c === "{") {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text[i] === "}") {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail("expected string key");
        const k = parseString();
        ws();
        if (text[i] !== ":") fail("expected ':'");
        i++;
        dictSet(obj, k, value());
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return obj;
        }
        fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value());
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return arr;
        }
        fail("expected ',' or ']'");
      }
    }
    if (c === '"') return parseString();
    for (const [word, v] of [
      ["true", true],
      ["false", false],
      ["null", null],
      ["NaN", NaN],
      ["Infinity", Infinity],
      ["-Infinity", -Infinity],
    ] as [string, unknown][]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    RE_JSON_NUMBER.lastIndex = i;
    const m = RE_JSON_NUMBER.exec(text);
    if (!m) return fail("unexpected character");
    const lex = m[0];
    i += lex.length;
    if (m[1] !== undefined || m[2] !== undefined) return pyfloat(Number(lex));
    const v = Number(lex);
    if (Number.isSafeInteger(v)) return v === 0 ? 0 : v;
    return BigInt(lex);
  };
  const result = value();
  ws();
  if (i < n) fail("extra data");
  return result;
}
