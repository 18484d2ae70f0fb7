/**
 * Calling convention of the app-defined filters, tests and globals (the user-owned
 * `_jinja2tsx/app.ts` next to this runtime): keyword arguments travel as a last `kw({...})`
 * object, and a stub that nobody has implemented yet fails loudly when a render reaches it.
 */
import { TemplateRuntimeError, TemplateTypeError, mappingItems, type Kwargs } from "./core";

const KWARGS = Symbol("jinja2tsx.kwargs");

/** Keyword arguments of a call (`f(x, size=16)` → `f(x, kw({ size: 16 }))`). */
export function kw(values: Kwargs): Kwargs {
  const out: Kwargs = Object.create(null);
  for (const key of Object.keys(values)) {
    Object.defineProperty(out, key, { value: values[key], enumerable: true, writable: true, configurable: true });
  }
  Object.defineProperty(out, KWARGS, { value: true, enumerable: false });
  return out;
}

/** `f(k=v, **mapping)`: the keywords given, then the mapping's (a key given twice is an error). */
export function kwMerge(given: Kwargs, mapping: unknown): Kwargs {
  const all: Kwargs = Object.create(null);
  for (const key of Object.keys(given)) all[key] = given[key];
  for (const [key, value] of mappingItems(mapping)) {
    if (Object.prototype.hasOwnProperty.call(all, key)) {
      throw new TemplateTypeError(`got multiple values for keyword argument '${key}'`);
    }
    all[key] = value;
  }
  return kw(all);
}

/** `(...args)` of an app function → `[positional, keywords]`. */
export function splitArgs(args: readonly unknown[]): [unknown[], Kwargs] {
  const last = args[args.length - 1];
  if (typeof last === "object" && last !== null && Object.prototype.hasOwnProperty.call(last, KWARGS)) {
    return [args.slice(0, -1), last as Kwargs];
  }
  return [[...args], {}];
}

/** What a generated stub returns until it is implemented: an error naming it. */
export function notImplemented(kind: string, name: string): never {
  throw new TemplateRuntimeError(
    `the app's ${kind} '${name}' is not implemented yet: write it in _jinja2tsx/app.ts`,
  );
}
