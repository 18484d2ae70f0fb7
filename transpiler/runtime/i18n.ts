/**
 * i18n: the translation functions behind `{% trans %}`, `_()`, `gettext()`, `ngettext()`,
 * `pgettext()` and `npgettext()` (Jinja's `jinja2.ext.i18n`, as Flask-Babel installs it).
 *
 * Lookups go through a `Catalog`. By default it is `nullCatalog`, which behaves exactly like
 * Python's `gettext.NullTranslations` (what Jinja's `install_null_translations()` installs):
 * messages come back unchanged, `ngettext` picks the singular iff `n == 1` (Python `==`, so `True`
 * and `1.0` count as one). An app installs its real catalog with `setCatalog(...)`: an object, or a
 * function returning the catalog of the current request (e.g. one wrapped in React's `cache()`).
 *
 * Generated code calls the old-style functions (`gettext`, `ngettext`, `pgettext`, `npgettext`:
 * plain lookups; `{% trans %}` then marks the result safe and `%`-formats it itself) or the
 * new-style ones (`gettextNewstyle`…: Flask-Babel's `newstyle=True`, which returns Markup under
 * autoescape and always `%`-formats the message with the keyword variables, so `%%` prints `%`).
 */

import { type Kwargs, SafeHtml, dictSet, isNumber, mod, num, str } from "./core";
import { filters } from "./filters";

/** What an app provides to translate: the four gettext functions over plain strings. */
export interface Catalog {
  gettext(message: string): string;
  /** `n` is the count as a JS number (`NaN` when the template passes something that is not a number). */
  ngettext(singular: string, plural: string, n: number): string;
  pgettext(context: string, message: string): string;
  npgettext(context: string, singular: string, plural: string, n: number): string;
}

/** Python's `gettext.NullTranslations`: no translation at all. */
export const nullCatalog: Catalog = {
  gettext: (message) => message,
  ngettext: (singular, plural, n) => (n === 1 ? singular : plural),
  pgettext: (_context, message) => message,
  npgettext: (_context, singular, plural, n) => (n === 1 ? singular : plural),
};

export type CatalogSource = Catalog | (() => Catalog);

let source: CatalogSource = nullCatalog;

/** Install the catalog every later render translates with (`null`: back to `nullCatalog`).
 * Pass a function to pick the catalog per render (per request locale). Returns the previous one. */
export function setCatalog(catalog: CatalogSource | null): CatalogSource {
  const previous = source;
  source = catalog ?? nullCatalog;
  return previous;
}

/** The catalog in effect now. */
export function getCatalog(): Catalog {
  return typeof source === "function" ? source() : source;
}

/** The plural count as the catalog sees it: Python numbers (bool, int, float) as JS numbers. */
function count(n: unknown): number {
  return isNumber(n) ? num(n) : NaN;
}

/** A message the catalog can look up (str or Markup), as a plain string; else null. */
function msgText(m: unknown): string | null {
  if (typeof m === "string") return m;
  if (m instanceof SafeHtml) return m.html;
  return null;
}

/** Look up one message. What a catalog cannot look up (None, numbers, Undefined…) comes back
 * unchanged, as with Python's translations; an untranslated Markup message stays Markup. */
function lookup(message: unknown, translate: (m: string) => string): unknown {
  const text = msgText(message);
  if (text === null) return message;
  const t = translate(text);
  return t === text ? message : t;
}

function lookupPlural(
  singular: unknown,
  plural: unknown,
  n: unknown,
  translate: (s: string, p: string, n: number) => string,
): unknown {
  const c = count(n);
  const s = msgText(singular);
  const p = msgText(plural);
  const fallback = c === 1 ? singular : plural;
  if (s === null || p === null) return fallback;
  const t = translate(s, p, c);
  return t === msgText(fallback) ? fallback : t;
}

function contextText(context: unknown): string {
  return typeof context === "string" ? context : str(context);
}

// ------------------------------------------------------------------------------ old style

/** `gettext(message)` / `_(message)`: the catalog's translation. */
export function gettext(message: unknown): unknown {
  const c = getCatalog();
  return lookup(message, (m) => c.gettext(m));
}

/** `ngettext(singular, plural, n)`. */
export function ngettext(singular: unknown, plural: unknown, n: unknown): unknown {
  const c = getCatalog();
  return lookupPlural(singular, plural, n, (s, p, k) => c.ngettext(s, p, k));
}

/** `pgettext(context, message)`. */
export function pgettext(context: unknown, message: unknown): unknown {
  const c = getCatalog();
  return lookup(message, (m) => c.pgettext(contextText(context), m));
}

/** `npgettext(context, singular, plural, n)`. */
export function npgettext(context: unknown, singular: unknown, plural: unknown, n: unknown): unknown {
  const c = getCatalog();
  return lookupPlural(singular, plural, n, (s, p, k) => c.npgettext(contextText(context), s, p, k));
}

// ------------------------------------------------------------------------------ new style

/** Jinja's `_make_new_gettext` tail: `(Markup(rv) if autoescape else rv) % variables`. */
function format(rv: unknown, variables: Kwargs, autoescape: boolean): unknown {
  return mod(autoescape ? filters.safe(rv) : rv, variables);
}

function setDefault(variables: Kwargs, key: string, value: unknown): Kwargs {
  if (!Object.prototype.hasOwnProperty.call(variables, key)) dictSet(variables, key, value);
  return variables;
}

/** Newstyle `gettext(message, **variables)`. */
export function gettextNewstyle(message: unknown, variables: Kwargs, autoescape: boolean): unknown {
  return format(gettext(message), variables, autoescape);
}

/** Newstyle `ngettext(singular, plural, n, **variables)`: `num` defaults to `n`. */
export function ngettextNewstyle(
  singular: unknown,
  plural: unknown,
  n: unknown,
  variables: Kwargs,
  autoescape: boolean,
): unknown {
  setDefault(variables, "num", n);
  return format(ngettext(singular, plural, n), variables, autoescape);
}

/** Newstyle `pgettext(context, message, **variables)`: `context` defaults to the context. */
export function pgettextNewstyle(context: unknown, message: unknown, variables: Kwargs, autoescape: boolean): unknown {
  setDefault(variables, "context", context);
  return format(pgettext(context, message), variables, autoescape);
}

/** Newstyle `npgettext(context, singular, plural, n, **variables)`. */
export function npgettextNewstyle(
  context: unknown,
  singular: unknown,
  plural: unknown,
  n: unknown,
  variables: Kwargs,
  autoescape: boolean,
): unknown {
  setDefault(variables, "context", context);
  setDefault(variables, "num", n);
  return format(npgettext(context, singular, plural, n), variables, autoescape);
}
