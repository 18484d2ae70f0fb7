/**
 * Template composition helpers for generated components: `{% block %}` slots of layouts.
 *
 * A layout component takes `blocks`, a record of render functions. A block override receives
 * `parent`, which renders the version it overrides (Jinja's `super()`). Blocks that sit in a
 * string context of the layout (inside `<title>`, `<script>`, an attribute value) are string
 * slots: they return the text (or HTML, in `<script>`) Jinja would write there.
 *
 * A `{% block name scoped %}` renders with the local variables where it stands (loop variables,
 * `loop`, `with` and `set` names): the layout passes them as `scope`, and every override in the
 * chain receives it (and hands it on to the overrides below it).
 */
import type { ReactNode } from "react";
import { PyCallable, SafeHtml, TemplateRuntimeError, TemplateTypeError, dictSet, given as givenArg, repr, tuple } from "./core";

/** The template variables a macro reads, passed by its callers (the importer's context). */
export type MacroContext = Readonly<Record<string, unknown>>;

/** The local variables a scoped block renders with, by Jinja name. */
export type Scope = Readonly<Record<string, unknown>>;
export type Block<T = ReactNode> = (parent: () => T, scope: Scope) => T;
export type Blocks = Readonly<Record<string, Block<ReactNode> | Block<string> | undefined>>;

/** The child's override of block `name`, if it gave one: an own property, so that a block named
 * like what every JS object inherits (constructor, toString...) is not that function. */
export function ownBlock(blocks: Blocks, name: string): Block<ReactNode> | Block<string> | undefined {
  return Object.prototype.hasOwnProperty.call(blocks, name) ? blocks[name] : undefined;
}

/** Render the final override of an element-content block, or the layout's own content. */
export function block(
  override: Block<ReactNode> | Block<string> | undefined,
  own: () => ReactNode,
  scope: Scope = NO_SCOPE,
): ReactNode {
  return override ? (override as Block<ReactNode>)(own, scope) : own();
}

/** The same for a string slot. */
export function textBlock(
  override: Block<ReactNode> | Block<string> | undefined,
  own: () => string,
  scope: Scope = NO_SCOPE,
): string {
  return override ? (override as Block<string>)(own, scope) : own();
}

/**
 * A block a layout writes as text (inside `<title>` or `<textarea>`), placed again in element
 * content by an override (Flask's tutorial: `<h1>{% block title %}…{% endblock %}</h1>`). Its
 * overrides return the text; the same text prints alike in element content unless it holds "<" --
 * a tag or comment Jinja writes there as HTML, or an escaped "<" the text cannot tell apart: fail.
 */
export function textInElements(node: ReactNode): ReactNode {
  if (typeof node === "string" && node.includes("<")) {
    throw new TemplateRuntimeError(
      "jinja2tsx: a block written as text in the layout (inside <title> or <textarea>) holds " +
        '"<" where an override places it in element content: Jinja writes it there as HTML',
    );
  }
  return node;
}

const NO_SCOPE: Scope = Object.freeze({});

/**
 * `{% extends layout %}` converted for the template that `[tool.jinja2tsx.template_names]` says the
 * app always passes: any other value would render another template in Jinja, so it is an error.
 */
export function assumeTemplateName(variable: string, value: unknown, template: string): void {
  if (value !== template && !(value instanceof SafeHtml && value.html === template)) {
    throw new TemplateRuntimeError(
      `${variable} is ${repr(value)}, but this component was converted for ${repr(template)}`,
    );
  }
}

/** The own content of `{% block name required %}`: reached only when no template overrides it. */
export function requiredBlock(name: string): never {
  throw new TemplateRuntimeError(`Required block '${name}' not found.`);
}

/** What a call with `*args` / `**kwargs` needs to know about the macro it calls. */
export interface MacroSpec {
  readonly name: string;
  readonly params: readonly string[];
  readonly varargs: boolean;
  readonly kwargs: boolean;
  readonly caller: boolean;
  /** how many of the last parameters have defaults */
  readonly defaults: number;
}

/**
 * A macro call whose arguments are known only at run time (`m(x, *items, **attrs)`), bound as
 * Jinja's `Macro.__call__` binds them: positional arguments fill the parameters in order, keyword
 * arguments fill the rest by name (a parameter already given positionally stays a keyword
 * argument), leftovers go to `varargs`/`kwargs` when the macro reads them and are a TypeError
 * otherwise. `pairs` are the keyword arguments in call order; `before` / `after` are the
 * arguments the generated function takes around the macro's own (the context values, the caller).
 */
export function callMacro<R>(
  fn: (...args: never[]) => R,
  spec: MacroSpec,
  positional: readonly unknown[],
  pairs: readonly (readonly [string, unknown])[],
  before: readonly unknown[] = [],
  after: readonly unknown[] = [],
): R {
  const kwargs: Record<string, unknown> = {};
  for (const [key, value] of pairs) {
    if (Object.prototype.hasOwnProperty.call(kwargs, key)) {
      throw new TemplateTypeError(`got multiple values for keyword argument '${key}'`);
    }
    dictSet(kwargs, key, value);
  }
  const n = spec.params.length;
  const given = new Set<string>(); // parameters given by keyword
  const args: unknown[] = positional.slice(0, n);
  if (args.length < n) {
    for (const name of spec.params.slice(args.length)) {
      if (Object.prototype.hasOwnProperty.call(kwargs, name)) {
        args.push(kwargs[name]);
        given.add(name);
        delete kwargs[name];
      } else {
        args.push(undefined); // the parameter's default
      }
    }
  }
  // a given Undefined keeps its value (the parameter's default applies only to missing ones)
  for (let i = n - spec.defaults; i < args.length; i++) {
    if (i >= 0 && (i < positional.length || given.has(spec.params[i]))) {
      args[i] = givenArg(args[i]);
    }
  }
  if (spec.caller && Object.prototype.hasOwnProperty.call(kwargs, "caller")) {
    throw new TemplateTypeError(`jinja2tsx: passing caller= to macro '${spec.name}' is not supported`);
  }
  const extra = Object.keys(kwargs);
  if (spec.kwargs) args.push(kwargs);
  else if (extra.length > 0) {
    if (extra.includes("caller")) {
      throw new TemplateTypeError(
        `macro '${spec.name}' was invoked with two values for the special caller argument. This is most likely a bug.`,
      );
    }
    throw new TemplateTypeError(`macro '${spec.name}' takes no keyword argument '${extra[0]}'`);
  }
  if (spec.varargs) args.splice(spec.kwargs ? args.length - 1 : args.length, 0, tuple(positional.slice(n)));
  else if (positional.length > n) {
    throw new TemplateTypeError(`macro '${spec.name}' takes not more than ${n} argument(s)`);
  }
  return (fn as unknown as (...a: unknown[]) => R)(...before, ...args, ...after);
}

/**
 * A macro named as a value (passed to another macro, set to a name): Jinja's `Macro` object. Called,
 * it binds its arguments as `callMacro` does and returns the macro's HTML; it prints as
 * `<Macro 'name'>` and has Jinja's `name`, `arguments`, `catch_kwargs`, `catch_varargs`, `caller`.
 */
export function macroValue<R>(fn: (...args: never[]) => R, spec: MacroSpec, before: readonly unknown[] = []): PyCallable {
  const attrs = {
    name: spec.name,
    arguments: tuple([...spec.params]),
    catch_kwargs: spec.kwargs,
    catch_varargs: spec.varargs,
    caller: spec.caller,
  };
  return new PyCallable(spec.name, (args, kwargs) => callMacro(fn, spec, args, Object.entries(kwargs), before), attrs, `<Macro '${spec.name}'>`);
}
