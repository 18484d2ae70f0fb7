/**
 * jinja2tsx runtime — entry point imported by generated components as `rt`.
 *
 * Re-exports the value model and helpers (`core`), HTML helpers (`html`), and the builtin filters and tests.
 */

export * from "./core";
export * from "./html";
export { filters, callFilter, FILTER_NAMES } from "./filters";
export { tests, callTest, TEST_NAMES } from "./tests";
export * from "./compose";
export * from "./flask";
