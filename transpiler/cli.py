"""The ``jinja2tsx`` command line: ``convert``, ``check``, ``diff`` and ``rule``.

Conventions (black/ruff): messages on stderr, diffs and JSON on stdout; exit 0 when everything
is fine, 1 when something is reported (a template that does not convert), 2 for usage errors,
123 for internal errors.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .appnames import APP_MODULE, AppUse, export_name, exported, unimplemented
from .bulk import Options, Report, discover, run_convert
from .checkcache import CACHE_DIR, cache_folder, check_folders
from .config import Config, ConfigError, load_config
from .convert import atomic_write, convert_names, format_sources, output_name
from .diagnostics import RULES, Diagnostic
from .environment import make_environment
from .i18n import DEFAULT_STYLE, I18N_STYLES, extension_listed
from .flaskapp import FlaskSettings, RoutesError, load_settings
from .progress import ProgressBar

EXIT_OK, EXIT_REPORT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 123


class UsageError(Exception):
    pass


def _err(msg: str) -> None:
    print(msg, file=sys.stderr)


def _config(args: argparse.Namespace) -> Config:
    explicit = Path(args.config) if getattr(args, "config", None) else None
    if explicit is not None and not explicit.is_file():
        raise UsageError(f"{explicit}: no such config file")
    try:
        return load_config(explicit=explicit)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def _options(args: argparse.Namespace, cfg: Config) -> Options:
    extensions = tuple(args.extension or cfg.extensions)
    i18n = args.i18n or cfg.i18n
    for ext in extensions:
        try:
            make_environment(None, (ext,), i18n=DEFAULT_STYLE)
        except Exception as exc:
            raise UsageError(f"cannot load the Jinja extension {ext!r}: {exc}") from None
    if i18n == "off" and extension_listed(extensions):
        raise UsageError('i18n = "off" contradicts the extension jinja2.ext.i18n')
    fmt = cfg.format if getattr(args, "format", None) is None else args.format
    return Options(
        extensions,
        cfg.autoescape,
        fmt,
        filters=tuple(cfg.filters),
        tests=tuple(cfg.tests),
        globals=tuple(cfg.globals),
        i18n=i18n,
        i18n_trimmed=cfg.i18n_trimmed,
        template_names=tuple(sorted(cfg.template_names.items())),
        html_blocks=tuple(sorted((k, tuple(v)) for k, v in cfg.html_blocks.items())),
        flask=_flask(args, cfg),
    )


def _flask(args: argparse.Namespace, cfg: Config) -> FlaskSettings | None:
    """The route table: ``--flask-app`` (from the current folder), else the configuration."""
    flag = getattr(args, "flask_app", None)
    try:
        return load_settings(
            flask_app=flag or cfg.flask_app,
            routes=None if flag else cfg.routes,
            base=Path.cwd() if flag else cfg.base,
            script_root=cfg.script_root,
            server_name=cfg.server_name,
            url_scheme=cfg.url_scheme,
        )
    except RoutesError as exc:
        raise UsageError(str(exc)) from None


def _templates_root(path: Path, cfg: Config) -> Path:
    """The templates folder a lone template belongs to: a configured ``src`` holding it, else its
    nearest ancestor called ``templates`` (Flask's convention), else its own folder — so names in
    ``{% extends "base.html" %}`` resolve as Flask resolves them."""
    full = path.resolve()
    for s in cfg.src:
        root = cfg.resolve(s).resolve()
        if full.is_relative_to(root):
            return root
    for folder in full.parents:
        if folder.name == "templates":
            return folder
    return full.parent


def _selection(paths: Sequence[str], cfg: Config) -> list[tuple[Path, list[str]]]:
    """SRC arguments (or the configured ``src``) → [(templates root, names)]."""
    if not paths:
        if not cfg.src:
            raise UsageError("no templates folder given (argument, or src in [tool.jinja2tsx])")
        paths = [str(cfg.resolve(s)) for s in cfg.src]
    groups: dict[Path, list[str]] = {}
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            raise UsageError(f"{p}: no such file or directory")
        if p.is_dir():
            names = discover(p, cfg.include, cfg.exclude, cfg.respect_gitignore)
            groups.setdefault(p, []).extend(names)
        else:
            root = _templates_root(p, cfg)
            rel = p.resolve().relative_to(root).as_posix()
            key = next((g for g in groups if g.resolve() == root), root)
            groups.setdefault(key, []).append(rel)
    return [(root, sorted(set(names))) for root, names in groups.items()]


def _print_diagnostics(diags: list[Diagnostic], fmt: str = "concise", report: bool = False) -> None:
    """The diagnostics, on stderr beside what a command writes; ``report``: they are what the
    command outputs (check, like ruff), on stdout."""
    if fmt == "json":
        print(json.dumps([d.as_json() for d in diags], indent=2))
        return
    stream = sys.stdout if report else sys.stderr
    for d in diags:
        print(d.concise(), file=stream)
        hint = d.hint or RULES[d.code].instead
        if hint:
            print(f"  hint: {hint}", file=stream)


def _rooted(d: Diagnostic, root: Path) -> Diagnostic:
    path = str(root / d.path) if not os.path.isabs(d.path) else d.path
    return Diagnostic(d.code, d.message, path, d.line, d.column, d.hint)


def _as_given(folder: Path) -> Path:
    """``folder`` relative to the working directory when it is inside it (diagnostic paths read
    as ``check`` prints them, and as the user typed the template)."""
    try:
        return folder.relative_to(Path.cwd().resolve())
    except ValueError:
        return folder


def cmd_convert(args: argparse.Namespace) -> int:
    cfg = _config(args)
    out = args.out or (str(cfg.resolve(cfg.out)) if cfg.out else None)
    if out is None:
        raise UsageError("--out DEST is required (or out in [tool.jinja2tsx])")
    dest = Path(out)
    options = _options(args, cfg)
    jobs = cfg.jobs if args.jobs is None else args.jobs
    quiet = args.quiet
    reports: list[Report] = []
    groups, search_path = _shadowing(_selection(args.src, cfg), cfg, quiet)
    _check_html_blocks(cfg, search_path)
    for root, names in groups:
        bar = ProgressBar("converting", enabled=False if quiet else None)
        try:
            report = run_convert(
                root,
                dest,
                names,
                options,
                jobs=jobs,
                force=args.force,
                progress=bar,
                search_path=search_path,
            )
        finally:
            bar.close()
        reports.append(report)
    outcomes = [o for r in reports for o in r.outcomes]
    for r in reports:
        for w in r.warnings:
            _err(f"jinja2tsx: warning: W001 {w}")
        diags = [_rooted(d, _as_given(r.src)) for o in r.outcomes for d in o.diagnostics]
        _print_diagnostics(diags)
        for o in r.outcomes:
            if o.status == "kept" and not quiet:
                _err(f"kept {dest / o.output}: edited by hand since jinja2tsx wrote it")
        if r.stubs_added and not quiet:
            _err(
                f"added {len(r.stubs_added)} stub(s) for app-defined names to "
                f"{dest / APP_MODULE}: {', '.join(r.stubs_added)} (implement them there)"
            )
    if args.report:
        data = reports[0].as_json() if len(reports) == 1 else [r.as_json() for r in reports]
        atomic_write(Path(args.report), json.dumps(data, indent=2) + "\n")
    count = lambda s: sum(1 for o in outcomes if o.status == s)  # noqa: E731
    summary = (
        f"{count('converted')} converted, {count('not-convertible')} not convertible, "
        f"{count('unchanged')} unchanged"
    )
    if count("kept"):
        summary += f", {count('kept')} kept (edited by hand; --force overwrites)"
    _err(f"{summary} → {dest}")
    return EXIT_REPORT if count("not-convertible") or count("kept") else EXIT_OK


def _shadowing(
    groups: list[tuple[Path, list[str]]], cfg: Config, quiet: bool = True
) -> tuple[list[tuple[Path, list[str]]], list[Path]]:
    """Several templates folders form one search path, as Flask's loader chains the app's folder
    and its blueprints': a name resolves to the first folder holding it. A template that an
    earlier folder shadows is never rendered by Flask, so it is not converted (and said so).
    When the selection lies in configured ``src`` folders (pre-commit passes the changed files
    only), the search path is every configured folder, in order, then any other folder given."""
    roots = [root for root, _ in groups]
    configured = [cfg.resolve(s) for s in cfg.src]
    same = lambda a, b: a.resolve() == b.resolve()  # noqa: E731
    if any(same(r, c) for r in roots for c in configured):
        search_path = configured + [r for r in roots if not any(same(r, c) for c in configured)]
    else:
        search_path = roots
    if len(search_path) < 2:
        return groups, search_path
    out: list[tuple[Path, list[str]]] = []
    claimed: dict[str, Path] = {}  # output module → the folder whose template writes it
    for root, names in groups:
        index = next(i for i, f in enumerate(search_path) if same(f, root))
        earlier = search_path[:index]
        kept = []
        for name in names:
            first = next((f / name for f in earlier if (f / name).is_file()), None)
            owner = claimed.setdefault(output_name(name), root)
            if first is None and not same(owner, root):
                first = owner / name
            if first is None:
                kept.append(name)
            elif not quiet:
                _err(f"skipped {root / name}: shadowed by {first} (Flask renders that one)")
        out.append((root, kept))
    return out, search_path


def _check_html_blocks(cfg: Config, search_path: list[Path]) -> None:
    """A template named in [tool.jinja2tsx.html_blocks] that no templates folder has is a
    mistake in the settings (a typo, a moved layout), not something to ignore."""
    for name in cfg.html_blocks:
        if not any((folder / name).is_file() for folder in search_path):
            folders = ", ".join(str(f) for f in search_path)
            raise UsageError(
                f"{cfg.path}: [tool.jinja2tsx.html_blocks] names {name!r}, which no templates "
                f"folder has ({folders})"
            )


def cmd_check(args: argparse.Namespace) -> int:
    cfg = _config(args)
    options = _options(args, cfg)
    diags: list[Diagnostic] = []
    total = failed = 0
    uses: list[tuple[Path, AppUse]] = []
    groups, search_path = _shadowing(_selection(args.src, cfg), cfg)
    _check_html_blocks(cfg, search_path)
    cache = cache_folder(cfg.base, args.cache)
    for root, results in check_folders(groups, search_path, options, cache):
        total += len(results)
        failed += sum(1 for r in results if not r.ok)
        diags += [_rooted(d, _as_given(root)) for r in results for d in r.diagnostics]
        uses += [(root, u) for r in results for u in r.app_uses]
    out = args.out or (str(cfg.resolve(cfg.out)) if cfg.out else None)
    if out is not None:
        diags += _app_stub_warnings(Path(out), uses)
    _print_diagnostics(diags, args.format, report=True)
    if args.format != "json":
        if failed:
            _err(f"{failed} of {total} templates are not convertible")
        elif not args.quiet:
            _err(f"all {total} templates convert")
    return EXIT_REPORT if failed else EXIT_OK


def _app_stub_warnings(dest: Path, uses: list[tuple[Path, AppUse]]) -> list[Diagnostic]:
    """W002 for every app-defined name the templates call whose TypeScript version is missing
    from DEST's app module or still the generated stub."""
    path = dest / APP_MODULE
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    have = exported(text)
    stubs = unimplemented(text)
    out: list[Diagnostic] = []
    seen: set[str] = set()
    for root, u in sorted(uses, key=lambda x: (x[1].template, x[1].line)):
        export = export_name(u.kind, u.name)
        if export in seen:
            continue
        seen.add(export)
        label = {"filter": f"filter |{u.name}", "test": f"test 'is {u.name}'"}.get(
            u.kind, f"global {u.name}()"
        )
        if export in stubs:
            msg = f"the app's {label} is still a stub (used in {u.template}:{u.line})"
            out.append(Diagnostic("W002", msg, str(path), stubs[export], 1))
        elif export not in have:
            msg = f"the app's {label} has no implementation in {path} yet"
            out.append(Diagnostic("W002", msg, str(root / u.template), u.line, 1))
    return out


def cmd_diff(args: argparse.Namespace) -> int:
    cfg = _config(args)
    options = _options(args, cfg)
    template = Path(args.template)
    if not template.is_file():
        raise UsageError(f"{template}: no such template")
    root = Path(args.root).resolve() if args.root else _templates_root(template, cfg)
    try:
        name = template.resolve().relative_to(root).as_posix()
    except ValueError:
        raise UsageError(f"{template} is not inside the templates folder {root}") from None
    _check_html_blocks(cfg, [root])
    (result,) = convert_names(root, [name], options.environment(root))
    if not result.ok:
        _print_diagnostics([_rooted(d, _as_given(root)) for d in result.diagnostics])
        return EXIT_REPORT
    warnings: list[str] = []
    text = result.tsx or ""
    if options.format:
        (text,) = format_sources([(result.output, text)], warnings)
    for w in warnings:
        _err(f"jinja2tsx: warning: W001 {w}")
    out = args.out or (str(cfg.resolve(cfg.out)) if cfg.out else None)
    target = Path(out) / output_name(name) if out else template.with_suffix(".tsx")
    old = target.read_text(encoding="utf-8") if target.exists() else ""
    diff = difflib.unified_diff(
        old.splitlines(keepends=True),
        text.splitlines(keepends=True),
        fromfile=str(target) if target.exists() else "/dev/null",
        tofile=str(target),
    )
    color = (
        args.color
        if args.color is not None
        else (sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    )
    changed = False
    for line in diff:
        changed = True
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        if color:
            if line.startswith("+") and not line.startswith("+++"):
                line = f"\033[32m{line.rstrip(chr(10))}\033[0m\n"
            elif line.startswith("-") and not line.startswith("---"):
                line = f"\033[31m{line.rstrip(chr(10))}\033[0m\n"
            elif line.startswith("@@"):
                line = f"\033[36m{line.rstrip(chr(10))}\033[0m\n"
            elif line.startswith(("+++", "---")):
                line = f"\033[1m{line.rstrip(chr(10))}\033[0m\n"
        sys.stdout.write(line)
    if not changed and not args.quiet:
        _err(f"{target}: up to date")
    return EXIT_OK


def cmd_rule(args: argparse.Namespace) -> int:
    rule = RULES.get(args.code.upper())
    if rule is None:
        raise UsageError(f"unknown rule {args.code!r}; known: {', '.join(sorted(RULES))}")
    print(f"{rule.code} ({rule.name}, {rule.severity})\n")
    print(f"What: {rule.what}\n\nWhy: {rule.why}\n\nInstead: {rule.instead}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="jinja2tsx",
        description="Convert Flask/Jinja2 templates into React Server Components (TSX).",
    )
    p.add_argument("--version", action="version", version=f"jinja2tsx {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", help="pyproject.toml to read [tool.jinja2tsx] from")
    common.add_argument(
        "--extension",
        action="append",
        metavar="NAME",
        help="Jinja extension the app enables (repeatable; overrides the config)",
    )
    common.add_argument(
        "--i18n",
        choices=I18N_STYLES,
        help="gettext style of the app: newstyle (Flask-Babel, default), oldstyle (Jinja's "
        "install_null_translations()), off (no i18n extension); overrides the config",
    )
    common.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    common.add_argument(
        "--flask-app",
        metavar="MODULE:APP",
        help="import the Flask app (as flask --app does) and read its URL rules for url_for()",
    )

    c = sub.add_parser(
        "convert", parents=[common], help="convert a templates folder into TSX modules"
    )
    c.add_argument("src", nargs="*", help="templates folder(s) or files (default: config src)")
    c.add_argument("--out", "-o", help="output folder (default: config out)")
    c.add_argument(
        "--no-format", dest="format", action="store_false", default=None, help="skip prettier"
    )
    c.add_argument(
        "--jobs", "-j", type=int, default=None, help="worker processes (0 = automatic, 1 = serial)"
    )
    c.add_argument(
        "--force", action="store_true", help="overwrite generated files even if edited by hand"
    )
    c.add_argument("--report", metavar="FILE", help="write a JSON report of every template")
    c.set_defaults(func=cmd_convert)

    k = sub.add_parser(
        "check", parents=[common], help="report templates that cannot be converted exactly"
    )
    k.add_argument("src", nargs="*", help="templates folder(s) or files (default: config src)")
    k.add_argument("--format", choices=("concise", "json"), default="concise")
    k.add_argument(
        "--out", help="output folder whose app module is checked for stubs (default: config out)"
    )
    k.add_argument(
        "--no-cache",
        dest="cache",
        action="store_false",
        help=f"convert every template again, ignoring {CACHE_DIR}/ (results of unchanged "
        "templates are otherwise reused)",
    )
    k.set_defaults(func=cmd_check)

    d = sub.add_parser(
        "diff", parents=[common], help="preview the TSX one template converts to, as a diff"
    )
    d.add_argument("template")
    d.add_argument("--root", help="templates folder (default: found from the template's path)")
    d.add_argument("--out", help="output folder the TSX would be written to (default: config)")
    d.add_argument(
        "--no-format", dest="format", action="store_false", default=None, help="skip prettier"
    )
    d.add_argument("--color", dest="color", action="store_true", default=None)
    d.add_argument("--no-color", dest="color", action="store_false")
    d.set_defaults(func=cmd_diff)

    r = sub.add_parser("rule", help="explain a diagnostic code")
    r.add_argument("code")
    r.set_defaults(func=cmd_rule)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) and EXIT_USAGE
    try:
        return int(args.func(args))
    except UsageError as exc:
        _err(f"jinja2tsx: error: {exc}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        _err("jinja2tsx: interrupted")
        return 130
    except Exception as exc:  # pragma: no cover - last resort
        _err(f"jinja2tsx: internal error: {type(exc).__name__}: {exc}")
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
