"""Bulk conversion of a templates folder: the ``convert`` workflow.

Owns discovery (include/exclude patterns, ``.gitignore``), incremental skipping by content hash,
conversion in parallel processes, formatting every new output in one batch through the Node
worker, writes that never clobber hand edits, and the per-template report.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from . import __version__

if TYPE_CHECKING:
    import pathspec
from .appnames import APP_MODULE, AppNames, AppUse, exported, updated_module
from .convert import (
    TEMPLATE_SUFFIXES,
    BackgroundFormatter,
    TemplateResult,
    atomic_write,
    convert_names,
    format_sources,
    output_name,
    read_template,
    write_runtime,
)
from .diagnostics import Diagnostic
from .environment import make_environment
from .i18n import DEFAULT_STYLE, I18nStyle
from .flaskapp import ROUTES_MODULE, FlaskSettings, routes_module
from .manifest import Manifest, digest, inputs_hash

Status = str  # "converted" | "unchanged" | "not-convertible" | "kept"


@dataclasses.dataclass(frozen=True)
class Options:
    """Settings that change what is generated (they are part of the incremental hash)."""

    extensions: tuple[str, ...] = ()
    autoescape: bool = True
    format: bool = True
    # app-defined names declared in the config (empty: any unknown name of that kind)
    filters: tuple[str, ...] = ()
    tests: tuple[str, ...] = ()
    globals: tuple[str, ...] = ()
    i18n: I18nStyle = DEFAULT_STYLE
    i18n_trimmed: bool = False
    template_names: tuple[tuple[str, str], ...] = ()  # variable → the template it always names
    # layout → blocks written with the element around them as an HTML string
    html_blocks: tuple[tuple[str, tuple[str, ...]], ...] = ()
    flask: FlaskSettings | None = None  # the app's route table (url_for)

    def key(self) -> str:
        data = dataclasses.asdict(self)
        if self.flask is not None:  # the route table by its hash: it can be large
            data["flask"] = digest(self.flask.table)
        return json.dumps(data, sort_keys=True)

    def environment(self, src: Path, search_path: Sequence[Path] = ()) -> jinja2.Environment:
        """The converter's environment for templates of ``src``. ``search_path``: every templates
        folder of the app in Flask's order (the app's own, then blueprints'); a name resolves to
        the first folder holding it, as Flask's loader does. Default: ``src`` alone."""
        names = AppNames.from_config(list(self.filters), list(self.tests), list(self.globals))
        folders = [str(p) for p in (search_path or [src])]
        return make_environment(
            jinja2.FileSystemLoader(folders),
            self.extensions,
            self.autoescape,
            names,
            self.i18n,
            self.i18n_trimmed,
            dict(self.template_names),
            self.flask,
            dict(self.html_blocks),
        )


@dataclasses.dataclass
class Outcome:
    template: str
    output: str
    status: Status
    diagnostics: list[Diagnostic]

    def as_json(self, root: Path) -> dict[str, object]:
        return {
            "template": str(root / self.template),
            "output": self.output,
            "status": self.status,
            "diagnostics": [
                dataclasses.replace(d, path=str(root / d.path)).as_json() for d in self.diagnostics
            ],
        }


@dataclasses.dataclass
class Report:
    src: Path
    dest: Path
    outcomes: list[Outcome]
    warnings: list[str]
    stubs_added: list[str] = dataclasses.field(default_factory=list)  # app names given a stub

    def count(self, status: Status) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    def summary(self) -> str:
        text = (
            f"{self.count('converted')} converted, {self.count('not-convertible')} not convertible, "
            f"{self.count('unchanged')} unchanged"
        )
        kept = self.count("kept")
        if kept:
            text += f", {kept} kept (edited by hand; --force overwrites)"
        return text

    def as_json(self) -> dict[str, object]:
        return {
            "tool": f"jinja2tsx {__version__}",
            "src": str(self.src),
            "dest": str(self.dest),
            "summary": {
                s: self.count(s) for s in ("converted", "unchanged", "not-convertible", "kept")
            },
            "warnings": self.warnings,
            "app_stubs_added": self.stubs_added,
            "templates": [o.as_json(self.src) for o in self.outcomes],
        }


# ----------------------------------------------------------------------------- discovery


def _gitignore_specs(src: Path) -> list[tuple[Path, pathspec.GitIgnoreSpec]]:
    """Every .gitignore that applies below ``src``: those in ``src``'s ancestors up to the
    repository root, and those inside it."""
    import pathspec

    specs: list[tuple[Path, pathspec.GitIgnoreSpec]] = []
    src = src.resolve()
    folders = []
    for folder in [src, *src.parents]:
        folders.append(folder)
        if (folder / ".git").exists():
            break
    else:
        folders = [src]  # not in a git repository: only the folder's own files count
    candidates = [f / ".gitignore" for f in reversed(folders)]
    candidates += sorted(p for p in src.rglob(".gitignore") if p.parent != src)
    for path in candidates:
        if path.is_file():
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            specs.append((path.parent, pathspec.GitIgnoreSpec.from_lines(lines)))
    return specs


def discover(
    src: Path,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    respect_gitignore: bool = True,
) -> list[str]:
    """Template names below ``src`` (relative, '/'-separated, sorted)."""
    import pathspec  # imported here: a check of a few files (pre-commit) needs none of it

    inc = pathspec.GitIgnoreSpec.from_lines(include) if include else None
    exc = pathspec.GitIgnoreSpec.from_lines(exclude) if exclude else None
    ignores = _gitignore_specs(src) if respect_gitignore else []
    root = src.resolve()
    names = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "node_modules")
        for f in files:
            full = Path(folder) / f
            rel = full.relative_to(root).as_posix()
            if inc is not None:
                if not inc.match_file(rel):
                    continue
            elif not f.lower().endswith(TEMPLATE_SUFFIXES):
                continue
            if exc is not None and exc.match_file(rel):
                continue
            if any(
                full.is_relative_to(base) and spec.match_file(full.relative_to(base).as_posix())
                for base, spec in ignores
            ):
                continue
            names.append(rel)
    return sorted(names)


def dependencies(
    env: jinja2.Environment,
    name: str,
    sources: dict[str, str | None],
    known: dict[str, tuple[str, list[str]]],
) -> list[str]:
    """Templates ``name`` statically extends, includes or imports, transitively. ``sources``
    caches template texts (None: missing); ``known`` maps a template to the hash of its text
    and its references, from this run or the manifest, so unchanged files are not re-parsed."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        source = _source(env, current, sources)
        refs: list[str] = []
        if source is not None:
            h = digest(source)
            cached = known.get(current)
            if cached is not None and cached[0] == h:
                refs = cached[1]
            else:
                refs = sorted(referenced_templates(env, source))
                known[current] = (h, refs)
        for ref in refs:
            if ref not in seen and ref != name:
                seen.add(ref)
                todo.append(ref)
    return sorted(seen)


def template_inputs(
    env: jinja2.Environment,
    name: str,
    texts: dict[str, str | None],
    known: dict[str, tuple[str, list[str]]],
    settings: str,
) -> tuple[str, list[str]]:
    """The hash of everything ``name``'s result depends on (see ``manifest.inputs_hash``) and
    the templates it references, transitively (``dependencies``)."""
    deps = dependencies(env, name, texts, known)
    return inputs_hash(settings, {n: texts.get(n) for n in [name, *deps]}), deps


def referenced_templates(env: jinja2.Environment, source: str) -> set[str]:
    """The templates a template's source may name: every string literal in its ``extends``,
    ``include``, ``import`` and ``from`` tags and, for a name computed at run time, every name
    [tool.jinja2tsx.template_names] may resolve it to (the conversion follows those, so a
    change to them must re-convert this template). A superset — a tag in a comment counts too —
    found by a scan that costs a fraction of a parse."""
    known: dict[str, str] = getattr(env, "jinja2tsx_template_names", {})
    refs: set[str] = set()
    for m in _reference_tags(env.block_start_string, env.block_end_string).finditer(source):
        body = m.group(1)
        literals = [_unescape(s.group(0)) for s in _STRING.finditer(body)]
        refs.update(literals)
        head = _CLAUSES.split(_STRING.sub('""', body))[0]
        if known and re.search(r"[^\s\"',\[\]()]", head):  # computed: all it may resolve to
            for key, value in known.items():
                if key.endswith("()"):
                    refs.update(value.replace("{}", lit) for lit in literals)
                else:
                    refs.add(value)
    return refs


_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"", re.S)
_CLAUSES = re.compile(r"\b(?:ignore\s+missing|with\s+context|without\s+context|import|as)\b")


def _unescape(literal: str) -> str:
    """A string literal's value, as Jinja's lexer reads it."""
    return literal[1:-1].encode("ascii", "backslashreplace").decode("unicode-escape")


@functools.lru_cache(maxsize=4)
def _reference_tags(start: str, end: str) -> re.Pattern[str]:
    return re.compile(
        rf"{re.escape(start)}[-+]?\s*(?:extends|include|import|from)\b(.*?)[-+]?{re.escape(end)}",
        re.S,
    )


def _source(env: jinja2.Environment, name: str, sources: dict[str, str | None]) -> str | None:
    if name not in sources:
        try:
            assert env.loader is not None
            sources[name] = env.loader.get_source(env, name)[0]
        except Exception:
            sources[name] = None
    return sources[name]


# ----------------------------------------------------------------------------- conversion


def _convert_chunk(
    src: str, names: list[str], options: Options, search_path: list[str]
) -> list[TemplateResult]:
    env = options.environment(Path(src), [Path(p) for p in search_path])
    return convert_names(Path(src), names, env)


def _convert_all(
    src: Path,
    names: list[str],
    options: Options,
    jobs: int,
    tick: Callable[[int, str], None],
    search_path: Sequence[Path] = (),
    on_result: Callable[[TemplateResult], None] = lambda r: None,
) -> list[TemplateResult]:
    """Convert ``names``; ``on_result`` sees each result as soon as it exists."""
    if jobs == 0:
        jobs = 1 if len(names) < 48 else min(8, os.cpu_count() or 1)
    if jobs <= 1 or len(names) < 2:
        env = options.environment(src, search_path)
        out = []
        # one Project for the run: shared layouts and macro files are lowered once
        from .graph import Project

        project = Project(env)
        for name in names:
            for r in _convert_one(src, name, env, project):
                on_result(r)
                out.append(r)
            tick(1, name)
        return out
    size = max(1, min(32, len(names) // (jobs * 4) or 1))
    chunks = [names[i : i + size] for i in range(0, len(names), size)]
    results: dict[str, TemplateResult] = {}
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        paths = [str(p) for p in search_path]
        futures = [pool.submit(_convert_chunk, str(src), chunk, options, paths) for chunk in chunks]
        for fut, chunk in zip(futures, chunks):
            for r in fut.result():
                on_result(r)
                results[r.name] = r
            tick(len(chunk), chunk[-1])
    return [results[n] for n in names]


def convert_folders(
    groups: list[tuple[Path, list[str]]], search_path: list[Path], options: Options
) -> list[tuple[Path, list[TemplateResult]]]:
    """Convert every folder in memory (what ``check`` reports on). Many templates: one worker
    process per core, each taking whole folders (a folder's layouts and macro files are then
    lowered once), biggest first; the results are those of the serial run, in order."""
    total = sum(len(names) for _, names in groups)
    jobs = min(os.cpu_count() or 1, 8)
    if total < 96 or jobs < 2:
        return [
            (root, convert_names(root, names, options.environment(root, search_path)))
            for root, names in groups
        ]
    paths = [str(p) for p in search_path]
    parts: list[tuple[Path, list[str]]] = []
    for root, names in groups:  # a folder much bigger than its share is split
        size = max(48, -(-len(names) // jobs))
        parts += [(root, names[i : i + size]) for i in range(0, len(names), size)]
    order = sorted(range(len(parts)), key=lambda i: -len(parts[i][1]))
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {
            i: pool.submit(_convert_chunk, str(parts[i][0]), parts[i][1], options, paths)
            for i in order
        }
        done = {i: f.result() for i, f in futures.items()}
    merged: dict[Path, list[TemplateResult]] = {}
    for i, (root, _) in enumerate(parts):
        merged.setdefault(root, []).extend(done[i])
    return [(root, merged.get(root, [])) for root, _ in groups]


def _convert_one(
    src: Path, name: str, env: jinja2.Environment, project: object
) -> list[TemplateResult]:
    from .convert import convert_source

    text = read_template(src / name, name)
    if isinstance(text, Diagnostic):
        return [TemplateResult(name, output_name(name), None, [text])]
    return [convert_source(text, name, env, project=project)]  # type: ignore[arg-type]


def run_convert(
    src: Path,
    dest: Path,
    names: list[str],
    options: Options,
    *,
    jobs: int = 0,
    force: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
    search_path: Sequence[Path] = (),
) -> Report:
    """Convert ``names`` (below ``src``) into ``dest``; the report says what happened to each.
    ``search_path``: all templates folders of the app, in Flask's order (default: ``src``)."""
    manifest = Manifest(dest, options.key() + "\0" + "\0".join(map(str, search_path)))
    env = options.environment(src, search_path)
    texts: dict[str, str | None] = {}
    outcomes: dict[str, Outcome] = {}
    inputs: dict[str, tuple[str, list[str]]] = {}
    todo: list[str] = []
    total = len(names)
    done = 0

    def tick(n: int, name: str) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total, name)

    for name in names:
        out = output_name(name)
        key, deps = template_inputs(env, name, texts, manifest.refs, manifest.options)
        inputs[name] = (key, deps)
        failure = manifest.failures.get(name)
        if failure is not None and failure[0] == key:
            outcomes[name] = Outcome(name, out, "not-convertible", failure[1])
            tick(1, name)
            continue
        entry = manifest.entries.get(out)
        current = manifest.on_disk(out)
        if (
            entry is not None
            and entry.inputs == key
            and current is not None
            and not manifest.edited_by_hand(out, current)
        ):
            outcomes[name] = Outcome(name, out, "unchanged", [])
            tick(1, name)
        else:
            todo.append(name)

    # prettier formats each module while the next ones convert (see BackgroundFormatter)
    formatter = BackgroundFormatter() if options.format and todo else None

    def submit(r: TemplateResult) -> None:
        if formatter is not None and r.ok:
            formatter.submit(r.name, r.output, r.tsx or "")

    results = _convert_all(src, todo, options, jobs, tick, search_path, submit)
    ok = [r for r in results if r.ok]
    warnings: list[str] = []
    if formatter is not None:
        formatted = formatter.results()
        warnings += formatter.warnings
    else:
        formatted = {r.name: r.tsx or "" for r in ok}
    for r in results:
        if not r.ok:
            outcomes[r.name] = Outcome(r.name, r.output, "not-convertible", r.diagnostics)
            manifest.record_failure(r.name, inputs[r.name][0], r.diagnostics)
            continue
        manifest.forget_failure(r.name)
        text = formatted[r.name]
        current = manifest.on_disk(r.output)
        if current == text:
            status = "unchanged"
        elif manifest.edited_by_hand(r.output, current) and not force:
            outcomes[r.name] = Outcome(r.name, r.output, "kept", r.diagnostics)
            continue
        else:
            atomic_write(dest / r.output, text)
            status = "converted"
        key, deps = inputs[r.name]
        manifest.record(r.output, r.name, key, text, deps, [u.as_json() for u in r.app_uses])
        outcomes[r.name] = Outcome(r.name, r.output, status, r.diagnostics)
    if ok or any(o.status == "unchanged" for o in outcomes.values()):
        write_runtime(dest)
        if options.flask is not None:
            write_routes(dest, options.flask, options.format, warnings)
    uses = [u for r in results if r.ok for u in r.app_uses]
    for name in names:
        entry = manifest.entries.get(output_name(name))
        if outcomes[name].status == "unchanged" and entry is not None:
            uses += [AppUse.from_json(u) for u in entry.app]
    stubs = write_app_module(dest, uses, options.flask.docs if options.flask else None)
    if outcomes:
        manifest.save()
    return Report(src, dest, [outcomes[n] for n in names], warnings, stubs)


def write_app_module(
    dest: Path, uses: list[AppUse], docs: dict[str, str] | None = None
) -> list[str]:
    """Append stubs for app names the user-owned app module does not export yet; returns the
    names that got one. Existing text is never changed. ``docs``: see ``updated_module``."""
    if not uses:
        return []
    path = dest / APP_MODULE
    try:
        existing: str | None = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        existing = None
    before = set(exported(existing)) if existing is not None else set()
    text = updated_module(existing, uses, docs)
    if text is None:
        return []
    atomic_write(path, text)
    return sorted(set(exported(text)) - before)


def write_routes(
    dest: Path, settings: FlaskSettings, fmt: bool = True, warnings: list[str] | None = None
) -> None:
    """``DEST/_jinja2tsx/routes.ts``: derived from the app, so rewritten on every run."""
    text = routes_module(settings)
    if fmt:
        (text,) = format_sources([(ROUTES_MODULE, text)], warnings)
    atomic_write(dest / ROUTES_MODULE, text)
