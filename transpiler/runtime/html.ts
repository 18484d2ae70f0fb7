/**
 * jinja2tsx runtime — HTML facts needed at run time.
 *
 * Owns character-reference decoding (HTML5 rules for text and attribute values, and Python's
 * `html.unescape` used by Markup), attribute values of `{{ }}` inside attributes, attribute text produced by
 * expressions (`<div {{ attrs }}>`, `|xmlattr`) tokenised as the HTML5 tokenizer does, inline `style` parsing
 * into React style objects, the HTML → React attribute-name map (React 19 `possibleStandardNames` /
 * `aliases`) and React's boolean props. Mirrors the compile-time facts in `transpiler/htmlfacts.py`.
 */

import { ENTITIES, MAX_ENTITY_NAME } from "./entities";
import {
  SafeHtml,
  TemplateRuntimeError,
  TemplateTypeError,
  UndefinedError,
  dictSet,
  escape,
  hasHtml,
  escapeText,
  isDict,
  out,
  repr,
  str,
  typeName,
} from "./core";

// ================================================================================================ entities

/** HTML5 replacements for numeric references to C1 controls (Windows-1252); 0x81 0x8D 0x8F 0x90 0x9D stay. */
const C1_REPLACEMENTS: Record<number, number> = {
  0x80: 0x20ac,
  0x82: 0x201a,
  0x83: 0x0192,
  0x84: 0x201e,
  0x85: 0x2026,
  0x86: 0x2020,
  0x87: 0x2021,
  0x88: 0x02c6,
  0x89: 0x2030,
  0x8a: 0x0160,
  0x8b: 0x2039,
  0x8c: 0x0152,
  0x8e: 0x017d,
  0x91: 0x2018,
  0x92: 0x2019,
  0x93: 0x201c,
  0x94: 0x201d,
  0x95: 0x2022,
  0x96: 0x2013,
  0x97: 0x2014,
  0x98: 0x02dc,
  0x99: 0x2122,
  0x9a: 0x0161,
  0x9b: 0x203a,
  0x9c: 0x0153,
  0x9e: 0x017e,
  0x9f: 0x0178,
};

/** Python's html._invalid_codepoints: numeric references Python's `html.unescape` drops. */
function pythonDropsCodepoint(n: number): boolean {
  return (
    (n >= 0x1 && n <= 0x8) ||
    n === 0xb ||
    (n >= 0xe && n <= 0x1f) ||
    (n >= 0x7f && n <= 0x9f) ||
    (n >= 0xfdd0 && n <= 0xfdef) ||
    (n & 0xfffe) === 0xfffe
  );
}

type DecodeMode = "text" | "attribute" | "python";

function numericRef(digits: string, radix: number, mode: DecodeMode): string {
  const significant = digits.replace(/^0+/, "");
  const n = significant.length > 8 ? Infinity : significant === "" ? 0 : parseInt(significant, radix);
  if (n === 0) return "\ufffd";
  const c1 = C1_REPLACEMENTS[n];
  if (c1 !== undefined) return String.fromCodePoint(c1);
  if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return "\ufffd";
  // Python keeps the C1 controls it lists in _invalid_charrefs (0x81 0x8D 0x8F 0x90 0x9D) and drops the others
  if (mode === "python" && pythonDropsCodepoint(n) && !(n >= 0x80 && n <= 0x9f)) return "";
  return String.fromCodePoint(n);
}

const RE_HTML_REF = /&(?:#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?|([A-Za-z0-9]+;?))/g;
const RE_PY_REF = /&(?:#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?|([^\t\n\f <&#;]{1,32};?))/g;
const RE_ALNUM = /[A-Za-z0-9]/;

function decode(s: string, mode: DecodeMode): string {
  if (!s.includes("&")) return s;
  const re = mode === "python" ? RE_PY_REF : RE_HTML_REF;
  re.lastIndex = 0;
  return s.replace(
    re,
    (whole: string, hex: string | undefined, dec: string | undefined, name: string | undefined, offset: number) => {
      if (hex !== undefined) return numericRef(hex, 16, mode);
      if (dec !== undefined) return numericRef(dec, 10, mode);
      const ref = name!;
      const full = ENTITIES.get(ref);
      if (
        full !== undefined &&
        (ref.endsWith(";") || mode !== "attribute" || !nextIsAlnumOrEquals(s, offset + whole.length))
      ) {
        return full;
      }
      // longest legacy prefix (names without ";")
      const run = ref.endsWith(";") ? ref.slice(0, -1) : ref;
      const minLen = mode === "python" ? 2 : 1;
      for (let len = Math.min(run.length, MAX_ENTITY_NAME); len >= minLen; len--) {
        const value = ENTITIES.get(run.slice(0, len));
        if (value === undefined) continue;
        if (mode === "attribute") {
          // HTML5 §13.2.5.73: a legacy reference followed by "=" or an alphanumeric stays literal in attributes
          const nextChar = len < ref.length ? ref[len] : s[offset + whole.length];
          if (nextChar !== undefined && (nextChar === "=" || RE_ALNUM.test(nextChar))) return whole;
        }
        return value + ref.slice(len);
      }
      return whole;
    },
  );
}

function nextIsAlnumOrEquals(s: string, i: number): boolean {
  const c = s[i];
  return c !== undefined && (c === "=" || RE_ALNUM.test(c));
}

/** Decode HTML5 character references as the browser does in text (`inAttribute` false) or attribute values. */
export function decodeEntities(s: string, inAttribute: boolean): string {
  return decode(s, inAttribute ? "attribute" : "text");
}

/** Python's `html.unescape` (used by `Markup.unescape()` / `striptags`): drops invalid code points. */
export function htmlUnescape(s: string): string {
  return decode(s, "python");
}

// ================================================================================================ attribute values

/**
 * An attribute value computed as text, for a prop that @types/react declares as a number or a
 * union of literals (`tabIndex`, `colSpan`, `aria-expanded`, `<button type>`). React writes any
 * value with `String()`, so the text reaches the HTML unchanged; only the declared type differs.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function attrString(text: string): any {
  return text;
}

/**
 * The value the browser sees for `{{ v }}` inside an attribute value: Markup's HTML decoded; else `str(v)`
 * ("" for Undefined). With autoescape off, the raw `str(v)` is written, so its references get decoded.
 */
export function attr(v: unknown, autoescape = true, quote?: string): string {
  if (quote !== undefined) {
    attrHtml(out(v, autoescape), quote);
  }
  if (v instanceof SafeHtml) return decodeEntities(v.html, true);
  if (autoescape && hasHtml(v)) return decodeEntities(escape(v).html, true); // WTForms fields, labels
  if (v === undefined) return "";
  return autoescape ? str(v) : decodeEntities(str(v), true);
}

/**
 * What Jinja writes into an attribute value (`html`), checked not to end that value as the template
 * quotes it (`"`, `'`; unquoted "s", "w" when more of the tag follows, "u" after the template's
 * text): a matching quote, or white space, `>` or a leading quote in an unquoted value (and, before
 * another attribute, nothing at all) ends it there and the browser reads the rest as other attributes, which no React prop can
 * do. Returns the text with `"` escaped, for a `"`-quoted HTML string.
 */
export function attrHtml(html: string, quote: string): string {
  const ends =
    quote === '"' || quote === "'"
      ? html.includes(quote)
      : /[\t\n\f\r >]/.test(html) || (quote !== "u" && /^["']/.test(html)) || (quote === "w" && html === "");
  if (ends) {
    throw new TemplateRuntimeError(
      `jinja2tsx: the text ${JSON.stringify(html.slice(0, 40))} ends the attribute value it is written in ` +
        (quote === '"' || quote === "'" ? `(quoted with ${quote})` : "(unquoted)") +
        ": Jinja2's HTML has other attributes there",
    );
  }
  return html.replaceAll('"', "&quot;");
}

/**
 * The text `{{ v }}` gives inside `<title>` or `<textarea>` (escapable raw text): what Jinja writes
 * (Markup's HTML, else escaped, or `str(v)` with autoescape off) with its character references
 * decoded as in content. Where that writes an end tag of either element, the browser ends the
 * element there, which React cannot: a `jinja2tsx:` error.
 */
export function rcdata(v: unknown, autoescape = true): string {
  const written = out(v, autoescape);
  const end = /<\/(title|textarea)([\t\n\f\r />]|$)/i.exec(written);
  if (end) {
    throw new TemplateRuntimeError(
      `jinja2tsx: the text ${JSON.stringify(written.slice(0, 40))} writes "${end[0]}" inside <${end[1].toLowerCase()}>, ` +
        "which ends the element there in Jinja2's HTML",
    );
  }
  return decodeEntities(written, false);
}

/** A boolean attribute whose presence is decided by a value: present iff `v` is not Undefined. */
/**
 * What a `{% filter %}` block writes: Jinja writes the filter's result as it is, unescaped (a str
 * or Markup), and fails on anything else when joining the output.
 */
export function filterBlockOut(v: unknown): string {
  if (v instanceof SafeHtml) return v.html;
  if (typeof v === "string") return v;
  throw new TemplateTypeError(`sequence item: expected str instance, ${typeName(v)} found`);
}

export function boolAttr(v: unknown): true | undefined {
  return v === undefined ? undefined : true;
}

/** `<pre>`/`<textarea>`/`<listing>`: the HTML parser drops one newline right after the start tag. */
export function stripLeadingNewline(s: string): string {
  if (s.startsWith("\r\n")) return s.slice(2);
  if (s.startsWith("\n") || s.startsWith("\r")) return s.slice(1);
  return s;
}

// ================================================================================================ React names

/** React's camelCase props whose lower-cased name is the HTML/SVG attribute (React renders the prop name). */
const CAMEL_PROPS = `accessKey allowFullScreen autoCapitalize autoComplete autoCorrect autoFocus autoPlay autoSave
cellPadding cellSpacing charSet classID colSpan contentEditable contextMenu controlsList crossOrigin dateTime
disablePictureInPicture disableRemotePlayback encType enterKeyHint fetchPriority formMethod formAction formEncType
formNoValidate formTarget frameBorder hrefLang imageSizes imageSrcSet inputMode itemID itemProp itemRef itemScope
itemType keyParams keyType marginWidth marginHeight maxLength mediaGroup minLength noModule noValidate playsInline
radioGroup readOnly referrerPolicy rowSpan spellCheck srcDoc srcLang srcSet tabIndex useMap allowReorder
attributeName attributeType autoReverse baseFrequency baseProfile calcMode clipPathUnits contentScriptType
contentStyleType diffuseConstant edgeMode externalResourcesRequired filterRes filterUnits glyphRef gradientTransform
gradientUnits kernelMatrix kernelUnitLength keyPoints keySplines keyTimes lengthAdjust limitingConeAngle markerHeight
markerUnits markerWidth maskContentUnits maskUnits numOctaves pathLength patternContentUnits patternTransform
patternUnits pointsAtX pointsAtY pointsAtZ popoverTarget popoverTargetAction preserveAlpha preserveAspectRatio
primitiveUnits refX refY repeatCount repeatDur requiredExtensions requiredFeatures specularConstant specularExponent
spreadMethod startOffset stdDeviation stitchTiles surfaceScale systemLanguage tableValues targetX targetY textLength
viewBox viewTarget xChannelSelector yChannelSelector zoomAndPan`;

/** Hyphen/colon attribute names React spells in camelCase (its `aliases` map them back). */
const ALIASED_NAMES = `accent-height alignment-baseline arabic-form baseline-shift cap-height clip-path clip-rule
color-interpolation color-interpolation-filters color-profile color-rendering dominant-baseline enable-background
fill-opacity fill-rule flood-opacity flood-color font-family font-size font-size-adjust font-stretch font-style
font-variant font-weight glyph-name glyph-orientation-horizontal glyph-orientation-vertical horiz-adv-x horiz-origin-x
image-rendering letter-spacing lighting-color marker-end marker-mid marker-start mask-type overline-position
overline-thickness paint-order panose-1 pointer-events rendering-intent shape-rendering stop-color stop-opacity
strikethrough-position strikethrough-thickness stroke-dasharray stroke-dashoffset stroke-linecap stroke-linejoin
stroke-miterlimit stroke-width stroke-opacity text-anchor text-decoration text-rendering transform-origin
underline-position underline-thickness unicode-bidi unicode-range units-per-em v-alphabetic vector-effect vert-adv-y
vert-origin-x vert-origin-y v-hanging v-ideographic v-mathematical word-spacing writing-mode x-height xlink:actuate
xlink:arcrole xlink:href xlink:role xlink:show xlink:title xlink:type xml:base xml:lang xml:space xmlns:xlink`;

/** lower-case HTML attribute name → React prop name */
const REACT_NAMES: ReadonlyMap<string, string> = (() => {
  const m = new Map<string, string>([
    ["class", "className"],
    ["for", "htmlFor"],
    ["accept-charset", "acceptCharset"],
    ["http-equiv", "httpEquiv"],
  ]);
  for (const p of CAMEL_PROPS.split(/\s+/)) m.set(p.toLowerCase(), p);
  for (const n of ALIASED_NAMES.split(/\s+/))
    m.set(
      n,
      n.replace(/[-:](.)/g, (_, c: string) => c.toUpperCase()),
    );
  return m;
})();

/**
 * React prop name for an HTML attribute name: `class` → `className`, `tabindex` → `tabIndex`,
 * `stroke-width` → `strokeWidth`, `xlink:href` → `xlinkHref`, `viewbox` → `viewBox`; `data-*`/`aria-*` and
 * unknown names lower-cased (as the HTML tokenizer does) — inside SVG unknown names keep their case.
 */
export function reactAttrName(htmlName: string, inSvg = false): string {
  const lower = htmlName.toLowerCase();
  if (lower.startsWith("data-") || lower.startsWith("aria-")) return lower;
  const mapped = REACT_NAMES.get(lower);
  if (mapped !== undefined) return mapped;
  return inSvg ? htmlName : lower;
}

/** React's boolean DOM props: `true` renders the bare attribute; `false`, `""` and null omit it. */
export const BOOLEAN_PROPS: ReadonlySet<string> = new Set(
  `allowFullScreen async autoFocus autoPlay checked controls credentialless default defer disabled
disablePictureInPicture disableRemotePlayback formNoValidate hidden inert itemScope loop multiple muted noModule
noValidate open playsInline readOnly required reversed scoped seamless selected`.split(/\s+/),
);

export function isBooleanAttr(reactName: string): boolean {
  return BOOLEAN_PROPS.has(reactName);
}

// ================================================================================================ attribute text

const WS = new Set(["\t", "\n", "\f", " ", "\r"]);

/**
 * Tokenise attribute text as the HTML5 tokenizer does inside a start tag (from "before attribute name"):
 * names lower-cased, values decoded with the attribute rules, the first duplicate wins. A `>` that would end
 * the tag is a TemplateRuntimeError (Jinja's output would go on as element content). Returns `[name, value | null]` pairs (null = no value).
 */
export function tokenizeAttrs(text: string): [string, string | null][] {
  const out: [string, string | null][] = [];
  const seen = new Set<string>();
  const n = text.length;
  let i = 0;
  const emit = (name: string, value: string | null): void => {
    if (seen.has(name)) return;
    seen.add(name);
    out.push([name, value === null ? null : decodeEntities(value, true)]);
  };
  for (;;) {
    // before attribute name
    while (i < n && (WS.has(text[i]) || text[i] === "/")) {
      if (text[i] === "/" && text[i + 1] === ">") endsTag(text);
      i++;
    }
    if (i < n && text[i] === ">") endsTag(text);
    if (i >= n) return out;
    // attribute name (a leading "=" is part of the name)
    let name = text[i] === "=" ? "=" : "";
    if (name) i++;
    while (i < n && !WS.has(text[i]) && text[i] !== "/" && text[i] !== ">" && text[i] !== "=") {
      const c = text[i++];
      name += c === "\0" ? "\ufffd" : c >= "A" && c <= "Z" ? c.toLowerCase() : c;
    }
    // after attribute name
    while (i < n && WS.has(text[i])) i++;
    if (text[i] !== "=") {
      emit(name, null);
      continue;
    }
    i++;
    // before attribute value
    while (i < n && WS.has(text[i])) i++;
    if (i < n && text[i] === ">") endsTag(text);
    if (i >= n) {
      emit(name, "");
      return out;
    }
    const q = text[i];
    let value = "";
    if (q === '"' || q === "'") {
      const end = text.indexOf(q, i + 1);
      if (end < 0) {
        emit(name, text.slice(i + 1).replace(/\0/g, "\ufffd"));
        return out;
      }
      value = text.slice(i + 1, end);
      i = end + 1;
      emit(name, value.replace(/\0/g, "\ufffd"));
      // after attribute value (quoted): anything but whitespace, "/" or ">" starts a new attribute
      continue;
    }
    while (i < n && !WS.has(text[i]) && text[i] !== ">") value += text[i++];
    if (i < n && text[i] === ">") endsTag(text);
    emit(name, value.replace(/\0/g, "\ufffd"));
  }
}

function endsTag(text: string): never {
  throw new TemplateRuntimeError(
    `jinja2tsx: the attribute text ${repr(text.slice(0, 40))} ends the start tag, so Jinja's output goes on as element content`,
  );
}

/** react-dom's `isAttributeNameSafe`: the names it writes (others it leaves out, with a warning). */
const REACT_ATTRIBUTE_NAME = new RegExp(
  "^[:A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD]" +
    "[:A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040]*$",
);
/** Props React takes for itself or never writes as an attribute. */
const REACT_OWN_PROPS = new Set([
  "key",
  "ref",
  "children",
  "dangerouslySetInnerHTML",
  "innerHTML",
  "defaultValue",
  "defaultChecked",
  "suppressContentEditableWarning",
  "suppressHydrationWarning",
]);

/** Fails the render for an attribute (from attribute text written at run time) React would leave out. */
function checkWritable(name: string, prop: string): void {
  const handler = prop.length > 2 && (prop[0] === "o" || prop[0] === "O") && (prop[1] === "n" || prop[1] === "N");
  if (handler || REACT_OWN_PROPS.has(prop) || !REACT_ATTRIBUTE_NAME.test(name)) {
    throw new TemplateRuntimeError(
      `jinja2tsx: the attribute ${repr(name)}, in attribute text written at run time, is one React does not write ` +
        "(an event handler, a name it rejects, or a prop of its own)",
    );
  }
}

function attrsToProps(pairs: [string, string | null][], inSvg: boolean): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  for (const [name, value] of pairs) {
    const prop = reactAttrName(name, inSvg);
    checkWritable(name, prop);
    if (Object.prototype.hasOwnProperty.call(props, prop)) continue;
    if (prop === "style") dictSet(props, prop, parseStyle(value ?? ""));
    else if (isBooleanAttr(prop)) dictSet(props, prop, true);
    else dictSet(props, prop, value ?? "");
  }
  return props;
}

/**
 * `<div {{ attrs }}>`: the attribute text Jinja writes (Markup's HTML, or the escaped `str(v)` under autoescape)
 * tokenised as HTML, mapped to React props: boolean attributes → `true`, `style` → object, others → strings.
 */
export function parseAttrs(html: unknown, autoescape = true, inSvg = false): Record<string, unknown> {
  return attrsToProps(tokenizeAttrs(out(html, autoescape)), inSvg);
}


/**
 * `<html{% block attrs %}{% endblock %}>`, `<div{{ attrs }}>`: attribute text written right after the tag name.
 * It must be empty or start with whitespace (or `/`); otherwise Jinja's output would continue the tag name, which
 * a component cannot reproduce, so the render fails instead.
 */
export function parseAttrsAfterName(html: unknown, autoescape = true, inSvg = false): Record<string, unknown> {
  const text = out(html, autoescape);
  if (text !== "" && !WS.has(text[0]) && text[0] !== "/") {
    throw new TemplateRuntimeError(
      `jinja2tsx: the attribute text ${repr(text.slice(0, 40))} written right after a tag name would change the tag name`,
    );
  }
  return attrsToProps(tokenizeAttrs(text), inSvg);
}

const RE_XMLATTR_KEY = /[\t\n\x0b\x0c\r\x1c-\x1f /=>]/;

/** `<ul{{ d|xmlattr }}>` as React props (Jinja's `do_xmlattr`: None/Undefined skipped, invalid keys raise). */
export function xmlattrProps(d: unknown, inSvg = false): Record<string, unknown> {
  if (d === undefined) throw new UndefinedError("'Undefined' has no attribute 'items'");
  if (!isDict(d)) throw new TemplateTypeError(`'${typeof d}' object has no attribute 'items'`);
  const items: string[] = [];
  for (const key of Object.keys(d)) {
    const value = d[key];
    if (value === null || value === undefined) continue;
    if (RE_XMLATTR_KEY.test(key)) throw new TemplateTypeError(`Invalid character in attribute name: ${repr(key)}`);
    items.push(`${escapeText(key)}="${escape(value).html}"`);
  }
  return attrsToProps(tokenizeAttrs(items.join(" ")), inSvg);
}

// ================================================================================================ style

/** CSS property → React style key: `font-size` → `fontSize`, `-webkit-x` → `WebkitX`, `-ms-x` → `msX`, `--x` kept. */
export function styleKey(prop: string): string {
  const p = prop.trim();
  if (p.startsWith("--")) return p;
  let lower = p.toLowerCase();
  if (lower.startsWith("-ms-")) lower = lower.slice(1);
  return lower.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Split declarations on `;` outside quotes and parentheses. */
function splitDeclarations(css: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = "";
  let start = 0;
  for (let i = 0; i < css.length; i++) {
    const c = css[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = "";
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "(") depth++;
    else if (c === ")") depth = Math.max(0, depth - 1);
    else if (c === ";" && depth === 0) {
      parts.push(css.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(css.slice(start));
  return parts;
}

const RE_CSS_PROP = /^-{0,2}[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Inline `style` text → React style object: camelCase keys, values kept as trimmed strings (incl.
 * `!important`), comments removed, declarations without a name or value skipped, last duplicate wins.
 */
export function parseStyle(css: unknown): Record<string, string> {
  const text =
    css instanceof SafeHtml
      ? css.html
      : css === undefined || css === null
        ? ""
        : typeof css === "string"
          ? css
          : str(css);
  const out: Record<string, string> = {};
  for (const decl of splitDeclarations(text.replace(/\/\*[\s\S]*?(\*\/|$)/g, ""))) {
    const colon = decl.indexOf(":");
    if (colon < 0) continue;
    const prop = decl.slice(0, colon).trim();
    const value = decl.slice(colon + 1).trim();
    if (!RE_CSS_PROP.test(prop) || value === "") continue;
    const key = styleKey(prop);
    delete out[key];
    dictSet(out, key, value);
  }
  return out;
}
