/**
 * jinja2tsx runtime — builtin tests.
 *
 * Owns `tests`: the 39 entries of `jinja2.tests.TESTS` (Jinja2 3.1.6, CPython 3.11 semantics), each
 * `tests.<name>(value, ...params)` returning a boolean, keyed by the exact Jinja names including the
 * symbolic operator aliases (`==`, `!=`, `>`, `>=`, `<`, `<=`) that are only reachable through
 * `select`/`reject`/`selectattr`/`rejectattr`, which call them by name through `callTest`.
 *
 * Undefined is `undefined`, None is `null` (README value model).
 */

import {
  DictView,
  Joiner,
  type Kwargs,
  LazyIter,
  LoopContext,
  PyCallable,
  PyFloat,
  TemplateRuntimeError,
  TemplateTypeError,
  contains,
  eq,
  ge,
  gt,
  isDict,
  isFloat,
  isInt,
  isSafe,
  isTuple,
  le,
  lt,
  mod,
  ne,
  repr,
  str,
  withStandInAddresses,
} from "./core";
import { FILTER_NAMES, bindArgs, pyHook, pyIsLower, pyIsUpper } from "./filters";

/** `value % 2 == 1` (Python modulo: `-3 is odd`; a string left operand formats, as in Python). */
function testOdd(value: unknown): boolean {
  return eq(mod(value, 2), 1);
}

/** `value % 2 == 0` */
function testEven(value: unknown): boolean {
  return eq(mod(value, 2), 0);
}

/** `value % num == 0` */
function testDivisibleby(value: unknown, num: unknown): boolean {
  return eq(mod(value, num), 0);
}

/** not Undefined (`none is defined` is True) */
function testDefined(value: unknown): boolean {
  return value !== undefined;
}

/** Undefined */
function testUndefined(value: unknown): boolean {
  return value === undefined;
}

/** `value in env.filters` (unhashable values raise, as a dict lookup does). */
function testFilter(value: unknown): boolean {
  return nameIn(value, FILTER_NAMES);
}

/** `value in env.tests` */
function testTest(value: unknown): boolean {
  return nameIn(value, TEST_NAMES);
}

function nameIn(value: unknown, names: readonly string[]): boolean {
  assertHashable(value);
  if (typeof value === "string") return names.includes(value);
  if (isSafe(value)) return names.includes(value.html);
  return false;
}

/** A dict lookup hashes its key: lists and dicts (also inside tuples) raise TypeError. */
function assertHashable(value: unknown): void {
  if (Array.isArray(value)) {
    if (!isTuple(value)) throw new TemplateTypeError("unhashable type: 'list'");
    value.forEach(assertHashable);
  } else if (isDict(value)) throw new TemplateTypeError("unhashable type: 'dict'");
}

/** `value is None` */
function testNone(value: unknown): boolean {
  return value === null;
}

/** `value is True or value is False` */
function testBoolean(value: unknown): boolean {
  return typeof value === "boolean";
}

/** `value is False` */
function testFalse(value: unknown): boolean {
  return value === false;
}

/** `value is True` */
function testTrue(value: unknown): boolean {
  return value === true;
}

/** int, not bool (`1.0 is integer` is False) */
function testInteger(value: unknown): boolean {
  return typeof value === "bigint" || (typeof value !== "boolean" && isInt(value));
}

/** float only (`1 is float` is False) */
function testFloat(value: unknown): boolean {
  return isFloat(value);
}

/** `str(value).islower()` */
function testLower(value: unknown): boolean {
  return pyIsLower(strOf(value));
}

/** `str(value).isupper()` */
function testUpper(value: unknown): boolean {
  return pyIsUpper(strOf(value));
}

function strOf(value: unknown): string {
  return value === undefined ? "" : isSafe(value) ? value.html : withStandInAddresses(() => str(value));
}

/** `isinstance(value, str)` (Markup included) */
function testString(value: unknown): boolean {
  return typeof value === "string" || isSafe(value);
}

/** `isinstance(value, abc.Mapping)` */
function testMapping(value: unknown): boolean {
  return isDict(value);
}

/** `isinstance(value, numbers.Number)`, bool included */
function testNumber(value: unknown): boolean {
  return typeof value === "number" || typeof value === "boolean" || typeof value === "bigint" || value instanceof PyFloat;
}

/** has `len()` and `__getitem__`: str, list, tuple, dict, and Undefined (dict views and loops have no `__getitem__`) */
function testSequence(value: unknown): boolean {
  if (value === undefined || typeof value === "string" || isSafe(value) || Array.isArray(value) || isDict(value)) return true;
  return pyHook(value, "__len__") !== undefined && pyHook(value, "__getitem__") !== undefined;
}

/** `iter(value)` works: str, list, tuple, dict, dict views, generators, loop objects, Undefined */
function testIterable(value: unknown): boolean {
  return (
    testSequence(value) ||
    value instanceof LazyIter ||
    value instanceof LoopContext ||
    value instanceof DictView ||
    pyHook(value, "__iter__") !== undefined
  );
}

/** Python `callable()`: bound methods, macros, `loop`, joiners, functions — and Undefined (it defines `__call__`). */
function testCallable(obj: unknown): boolean {
  if (obj === undefined || typeof obj === "function") return true;
  if (obj instanceof PyCallable || obj instanceof LoopContext || obj instanceof Joiner) return true;
  return pyHook(obj, "__call__") !== undefined;
}

/** `value is other` (each Undefined lookup is a fresh object, so never identical). */
function testSameas(value: unknown, other: unknown): boolean {
  if (value === undefined || other === undefined) return false;
  return Object.is(value, other);
}

/** `hasattr(value, "__html__")` */
function testEscaped(value: unknown): boolean {
  return isSafe(value) || pyHook(value, "__html__") !== undefined;
}

/** `value in seq` */
function testIn(value: unknown, seq: unknown): boolean {
  return contains(seq, value);
}

/** `operator.eq` */
function testEq(a: unknown, b: unknown): boolean {
  return eq(a, b);
}

/** `operator.ne` */
function testNe(a: unknown, b: unknown): boolean {
  return ne(a, b);
}

/** `operator.gt` */
function testGt(a: unknown, b: unknown): boolean {
  return gt(a, b);
}

/** `operator.ge` */
function testGe(a: unknown, b: unknown): boolean {
  return ge(a, b);
}

/** `operator.lt` */
function testLt(a: unknown, b: unknown): boolean {
  return lt(a, b);
}

/** `operator.le` */
function testLe(a: unknown, b: unknown): boolean {
  return le(a, b);
}

/**
 * The builtin tests, keyed by their Jinja names (aliases and symbolic operator names included). Each entry
 * is typed precisely.
 */
export const tests = {
  odd: testOdd,
  even: testEven,
  divisibleby: testDivisibleby,
  defined: testDefined,
  undefined: testUndefined,
  filter: testFilter,
  test: testTest,
  none: testNone,
  boolean: testBoolean,
  false: testFalse,
  true: testTrue,
  integer: testInteger,
  float: testFloat,
  lower: testLower,
  upper: testUpper,
  string: testString,
  mapping: testMapping,
  number: testNumber,
  sequence: testSequence,
  iterable: testIterable,
  callable: testCallable,
  sameas: testSameas,
  escaped: testEscaped,
  in: testIn,
  "==": testEq,
  eq: testEq,
  equalto: testEq,
  "!=": testNe,
  ne: testNe,
  ">": testGt,
  gt: testGt,
  greaterthan: testGt,
  ge: testGe,
  ">=": testGe,
  "<": testLt,
  lt: testLt,
  lessthan: testLt,
  "<=": testLe,
  le: testLe,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
} satisfies { [name: string]: (...args: any) => boolean };

/** The 39 builtin test names (`jinja2.tests.TESTS` keys). */
export const TEST_NAMES: readonly string[] = Object.keys(tests);

/** Python parameter names after the value; `positionalOnly` for C functions (`callable`, `operator.*`). */
const TEST_SIGS: Record<string, { params: readonly string[]; required: number; positionalOnly?: boolean }> = (() => {
  const sigs: Record<string, { params: readonly string[]; required: number; positionalOnly?: boolean }> = {};
  for (const name of Object.keys(tests)) sigs[name] = { params: [], required: 0 };
  sigs["divisibleby"] = { params: ["num"], required: 1 };
  sigs["sameas"] = { params: ["other"], required: 1 };
  sigs["in"] = { params: ["seq"], required: 1 };
  sigs["callable"] = { params: [], required: 0, positionalOnly: true };
  for (const op of ["==", "eq", "equalto", "!=", "ne", ">", "gt", "greaterthan", "ge", ">=", "<", "lt", "lessthan", "<=", "le"]) {
    sigs[op] = { params: ["b"], required: 1, positionalOnly: true };
  }
  return sigs;
})();

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyTest = (...args: any[]) => boolean;

/**
 * `environment.call_test(name, value, args, kwargs)`: the test named at run time (by `select`, `reject`,
 * `selectattr`, `rejectattr`), with Python's argument binding.
 */
export function callTest(name: unknown, value: unknown, args: readonly unknown[], kwargs: Kwargs = {}): boolean {
  const key = typeof name === "string" ? name : isSafe(name) ? name.html : null;
  if (key === null || !Object.hasOwn(TEST_SIGS, key)) throw new TemplateRuntimeError(`No test named ${repr(name)}.`);
  const fn = (tests as Record<string, AnyTest>)[key]!;
  return fn(value, ...bindArgs(`${key}()`, TEST_SIGS[key]!, args, kwargs));
}
