/**
 * jinja2tsx runtime — entry point imported by generated components as `rt`.
 *
 * Re-exports the value model and helpers (`core`), HTML helpers (`html`), the builtin filters and tests, and the
 * i18n catalog functions (`i18n`: `setCatalog`, `gettext`…), and WTForms forms (`wtforms`: importing it registers the
 * `parseJSON` reviver of `form_to_json` values).
 */

export * from "./core";
export * from "./html";
export { filters, callFilter, FILTER_NAMES, DEFAULT } from "./filters";
export { tests, callTest, TEST_NAMES } from "./tests";
export * from "./compose";
export * from "./appcall";
export * from "./i18n";
export * from "./flask";
export * from "./wtforms";
