// jinja2tsx Node worker: one persistent process per run, driven by JSON lines on stdin.
//
// Requests are `{"id": n, "op": ..., ...}`, one per line; each gets one reply line
// `{"id": n, "result": ...}` or `{"id": n, "error": "..."}`. Operations:
//   ping                                  -> "pong"
//   format  {files: [[path, text], ...]}  -> [{text} | {error}]         (prettier)
//   render  {requests: [{files, runtime_dir, entry, export, props: [json]}]}
//                                         -> [[{html, warnings} | {error}] per props] per request
//   eval    {runtime_dir, calls: [{fn, args: json}]}
//                                         -> [{value: json} | {error}]  (runtime functions, e.g. filters)
//   observe {runtime_dir, calls: [{fn, args: json}]}
//                                         -> [{out, truthy, repr, lazy} | {error}]  (as Jinja would show it)
// Packages (prettier, esbuild, react) are resolved from the toolchain root given as argv[2].
// Nothing but protocol lines is written to stdout.

import { createRequire } from "node:module";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import readline from "node:readline";

const root = path.resolve(process.argv[2] || process.cwd());
const rootRequire = createRequire(path.join(root, "package.json"));

// Keep stdout for the protocol only.
const log = (...args) => process.stderr.write(args.map(String).join(" ") + "\n");
console.log = log;
console.info = log;
console.debug = log;

let prettier = null;
let esbuild = null;
let React = null;
let ReactDOMServer = null;

async function loadPrettier() {
  if (!prettier) {
    const mod = await import(rootRequire.resolve("prettier"));
    prettier = mod.default ?? mod;
  }
  return prettier;
}

function loadReact() {
  if (!esbuild) esbuild = rootRequire("esbuild");
  if (!React) React = rootRequire("react");
  if (!ReactDOMServer) ReactDOMServer = rootRequire("react-dom/server");
}

// ---------------------------------------------------------------- module loading

const RUNTIME_ID = "jinja2tsx-runtime";
const runtimeCache = new Map(); // runtime_dir -> {stamp, exports}

function evalCjs(code, requireFn, filename) {
  const module = { exports: {} };
  const fn = new Function("module", "exports", "require", "__filename", code);
  fn(module, module.exports, requireFn, filename);
  return module.exports;
}

function externalRequire(id) {
  return rootRequire(id);
}

function runtimeStamp(dir) {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => `${f}:${statSync(path.join(dir, f)).mtimeMs}`)
    .join("|");
}

function loadRuntime(dir) {
  loadReact();
  const stamp = runtimeStamp(dir);
  const hit = runtimeCache.get(dir);
  if (hit && hit.stamp === stamp) return hit.exports;
  const out = esbuild.buildSync({
    entryPoints: [path.join(dir, "index.ts")],
    bundle: true,
    write: false,
    format: "cjs",
    platform: "node",
    target: "es2022",
    jsx: "automatic",
    external: ["react", "react/*", "react-dom", "react-dom/*"],
    logLevel: "silent",
  });
  const exports = evalCjs(out.outputFiles[0].text, externalRequire, "runtime.js");
  runtimeCache.set(dir, { stamp, exports });
  return exports;
}

const RUNTIME_RE = /(^|\/)_jinja2tsx\/v\d+$/;

async function bundle(files, entry) {
  const plugin = {
    name: "jinja2tsx-virtual",
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === "entry-point") return { path: args.path, namespace: "v" };
        const spec = args.path;
        if (spec.startsWith(".") && args.namespace === "v") {
          const resolved = path.posix.normalize(
            path.posix.join(path.posix.dirname(args.importer), spec),
          );
          if (RUNTIME_RE.test(resolved)) return { path: RUNTIME_ID, external: true };
          for (const cand of [resolved, `${resolved}.tsx`, `${resolved}.ts`]) {
            if (Object.prototype.hasOwnProperty.call(files, cand)) return { path: cand, namespace: "v" };
          }
          return { errors: [{ text: `cannot resolve ${spec} from ${args.importer}` }] };
        }
        return { path: spec, external: true };
      });
      build.onLoad({ filter: /.*/, namespace: "v" }, (args) => ({
        contents: files[args.path],
        loader: args.path.endsWith(".ts") ? "ts" : "tsx",
        resolveDir: root,
      }));
    },
  };
  const out = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "cjs",
    platform: "node",
    target: "es2022",
    jsx: "automatic",
    logLevel: "silent",
    plugins: [plugin],
  });
  return out.outputFiles[0].text;
}

function errorText(err) {
  if (err && err.errors && Array.isArray(err.errors)) {
    return err.errors.map((e) => e.text).join("; ");
  }
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

// ---------------------------------------------------------------- operations

async function opFormat(msg) {
  const p = await loadPrettier();
  const results = [];
  for (const [filepath, text] of msg.files) {
    try {
      results.push({ text: await p.format(text, { parser: "typescript", filepath }) });
    } catch (err) {
      results.push({ error: errorText(err) });
    }
  }
  return results;
}

async function renderOne(req) {
  loadReact();
  let rt;
  let mod;
  try {
    rt = loadRuntime(req.runtime_dir);
    const code = await bundle(req.files, req.entry);
    const requireFn = (id) => (id === RUNTIME_ID ? rt : externalRequire(id));
    mod = evalCjs(code, requireFn, req.entry);
  } catch (err) {
    const error = `build: ${errorText(err)}`;
    return req.props.map(() => ({ error }));
  }
  const Component = mod[req.export || "default"];
  if (typeof Component !== "function") {
    return req.props.map(() => ({ error: `build: ${req.entry} has no export ${req.export}` }));
  }
  const out = [];
  for (const propsJson of req.props) {
    const warnings = [];
    const savedError = console.error;
    const savedWarn = console.warn;
    console.error = (...args) => warnings.push(args.map(String).join(" "));
    console.warn = console.error;
    try {
      const props = rt.parseJSON(propsJson);
      // (a template with raw HTML at its top level renders to an HTML string: `rendersHtml`)
      const html =
        mod.rendersHtml === true && (req.export || "default") === "default"
          ? Component(props).html
          : ReactDOMServer.renderToStaticMarkup(React.createElement(Component, props));
      out.push({ html, warnings });
    } catch (err) {
      out.push({ error: errorText(err), warnings });
    } finally {
      console.error = savedError;
      console.warn = savedWarn;
    }
  }
  return out;
}

async function opRender(msg) {
  const results = [];
  for (const req of msg.requests) results.push(await renderOne(req));
  return results;
}

function lookup(rt, dotted) {
  let value = rt;
  for (const part of dotted.split(".")) {
    if (value == null || !Object.prototype.hasOwnProperty.call(value, part)) {
      throw new Error(`no runtime function ${dotted}`);
    }
    value = value[part];
  }
  return value;
}

function opEval(msg) {
  const rt = loadRuntime(msg.runtime_dir);
  const encode = rt.toJSONValue || ((v) => v);
  return msg.calls.map((call) => {
    try {
      const fn = lookup(rt, call.fn);
      const args = rt.parseJSON(call.args);
      const value = fn(...args);
      return { value: JSON.stringify(encode(value)) };
    } catch (err) {
      return { error: errorText(err) };
    }
  });
}

// Values as a differential test observes them: what Jinja prints (autoescape on), Python truthiness
// and repr. JSON objects {"__markup__": html} in args stand for Markup values.
function reviveMarkup(rt, v) {
  if (Array.isArray(v)) {
    const out = v.map((x) => reviveMarkup(rt, x));
    return rt.isTuple(v) ? rt.tuple(out) : out;
  }
  if (rt.isDict(v)) {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === "__markup__") return rt.markup(String(v.__markup__));
    const out = {};
    // defineProperty, not assignment: a "__proto__" key must stay an own data property.
    for (const k of keys) {
      Object.defineProperty(out, k, {
        value: reviveMarkup(rt, v[k]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return v;
}

function opObserve(msg) {
  const rt = loadRuntime(msg.runtime_dir);
  return msg.calls.map((call) => {
    try {
      const fn = lookup(rt, call.fn);
      const args = reviveMarkup(rt, rt.parseJSON(call.args));
      let value = fn(...args);
      let lazy = false;
      if (value instanceof rt.LazyIter) {
        lazy = true;
        value = value.toArray();
      }
      return { out: rt.out(value), truthy: rt.truthy(value), repr: rt.repr(value), lazy };
    } catch (err) {
      return { error: errorText(err) };
    }
  });
}

const OPS = {
  observe: async (msg) => opObserve(msg),
  ping: async () => "pong",
  format: opFormat,
  render: opRender,
  eval: async (msg) => opEval(msg),
};

// ---------------------------------------------------------------- main loop

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
let queue = Promise.resolve();

rl.on("line", (line) => {
  if (!line.trim()) return;
  queue = queue.then(async () => {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch (err) {
      process.stdout.write(JSON.stringify({ id: null, error: `bad request: ${errorText(err)}` }) + "\n");
      return;
    }
    const op = OPS[msg.op];
    let reply;
    if (!op) {
      reply = { id: msg.id, error: `unknown op ${msg.op}` };
    } else {
      try {
        reply = { id: msg.id, result: await op(msg) };
      } catch (err) {
        reply = { id: msg.id, error: errorText(err) };
      }
    }
    process.stdout.write(JSON.stringify(reply) + "\n");
  });
});

rl.on("close", () => {
  queue.then(() => process.exit(0));
});
