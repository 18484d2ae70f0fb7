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
import { SafeHtml, TemplateRuntimeError, repr } from "./core";

/** The template variables a macro reads, passed by its callers (the importer's context). */
export type MacroContext = Readonly<Record<string, unknown>>;

/** The local variables a scoped block renders with, by Jinja name. */
export type Scope = Readonly<Record<string, unknown>>;
export type Block<T = ReactNode> = (parent: () => T, scope: Scope) => T;
export type Blocks = Readonly<Record<string, Block<ReactNode> | Block<string> | undefined>>;

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
