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
from .convert import (
    TemplateResult,
    atomic_write,
    convert_names,
    discover,
    format_sources,
    output_name,
    write_runtime,
)
from .diagnostics import RULES, Diagnostic

EXIT_OK, EXIT_REPORT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 123


class UsageError(Exception):
    pass


def _err(msg: str) -> None:
    print(msg, file=sys.stderr)


def _templates(paths: Sequence[str]) -> tuple[Path, list[str]]:
    """SRC arguments → (templates root, names). A folder is a root; files share their folder."""
    if not paths:
        raise UsageError("no template folder or file given")
    roots = [Path(p) for p in paths]
    for r in roots:
        if not r.exists():
            raise UsageError(f"{r}: no such file or directory")
    if len(roots) == 1 and roots[0].is_dir():
        return roots[0], discover(roots[0])
    if all(r.is_file() for r in roots):
        base = Path(os.path.commonpath([str(r.resolve().parent) for r in roots]))
        return base, sorted(str(r.resolve().relative_to(base)).replace(os.sep, "/") for r in roots)
    raise UsageError("give one templates folder, or template files")


def _print_diagnostics(results: list[TemplateResult], root: Path, fmt: str = "concise") -> None:
    diags: list[Diagnostic] = [d for r in results for d in r.diagnostics]
    if fmt == "json":
        print(json.dumps([_rooted(d, root).as_json() for d in diags], indent=2))
        return
    for d in diags:
        d = _rooted(d, root)
        _err(d.concise())
        hint = d.hint or RULES[d.code].instead
        if hint:
            _err(f"  hint: {hint}")


def _rooted(d: Diagnostic, root: Path) -> Diagnostic:
    path = str(root / d.path) if not os.path.isabs(d.path) else d.path
    return Diagnostic(d.code, d.message, path, d.line, d.column, d.hint)


def cmd_convert(args: argparse.Namespace) -> int:
    root, names = _templates(args.src)
    if args.out is None:
        raise UsageError("--out DEST is required")
    dest = Path(args.out)
    results = convert_names(root, names)
    ok = [r for r in results if r.ok]
    warnings: list[str] = []
    formatted = (
        format_sources([(r.output, r.tsx or "") for r in ok], warnings)
        if args.format
        else [r.tsx or "" for r in ok]
    )
    for w in warnings:
        _err(f"jinja2tsx: warning: W001 {w}")
    written = 0
    for r, text in zip(ok, formatted):
        if atomic_write(dest / r.output, text):
            written += 1
    if ok:
        write_runtime(dest)
    _print_diagnostics(results, root)
    failed = len(results) - len(ok)
    _err(
        f"{len(ok)} converted, {failed} not convertible, {len(ok) - written} unchanged" f" → {dest}"
    )
    return EXIT_REPORT if failed else EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    root, names = _templates(args.src)
    results = convert_names(root, names)
    _print_diagnostics(results, root, args.format)
    failed = sum(1 for r in results if not r.ok)
    if args.format != "json":
        if failed:
            _err(f"{failed} of {len(results)} templates are not convertible")
        else:
            _err(f"all {len(results)} templates convert")
    return EXIT_REPORT if failed else EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    template = Path(args.template)
    if not template.is_file():
        raise UsageError(f"{template}: no such template")
    root = Path(args.root) if args.root else template.parent
    name = str(template.resolve().relative_to(root.resolve())).replace(os.sep, "/")
    (result,) = convert_names(root, [name])
    if not result.ok:
        _print_diagnostics([result], root)
        return EXIT_REPORT
    (text,) = format_sources([(result.output, result.tsx or "")])
    target = Path(args.out) / output_name(name) if args.out else template.with_suffix(".tsx")
    old = target.read_text(encoding="utf-8") if target.exists() else ""
    diff = difflib.unified_diff(
        old.splitlines(keepends=True),
        text.splitlines(keepends=True),
        fromfile=str(target) if old else "/dev/null",
        tofile=str(target),
    )
    color = (
        args.color
        if args.color is not None
        else (sys.stdout.isatty() and "NO_COLOR" not in os.environ)
    )
    for line in diff:
        if color:
            if line.startswith("+") and not line.startswith("+++"):
                line = f"\033[32m{line}\033[0m"
            elif line.startswith("-") and not line.startswith("---"):
                line = f"\033[31m{line}\033[0m"
            elif line.startswith("@@"):
                line = f"\033[36m{line}\033[0m"
        sys.stdout.write(line)
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

    c = sub.add_parser("convert", help="convert a templates folder into TSX modules")
    c.add_argument("src", nargs="+", help="templates folder (or template files)")
    c.add_argument("--out", "-o", help="output folder")
    c.add_argument("--no-format", dest="format", action="store_false", help="skip prettier")
    c.set_defaults(func=cmd_convert)

    k = sub.add_parser("check", help="report templates that cannot be converted exactly")
    k.add_argument("src", nargs="+", help="templates folder or files")
    k.add_argument("--format", choices=("concise", "json"), default="concise")
    k.set_defaults(func=cmd_check)

    d = sub.add_parser("diff", help="preview the TSX one template converts to, as a diff")
    d.add_argument("template")
    d.add_argument("--root", help="templates folder (default: the template's folder)")
    d.add_argument("--out", help="output folder the TSX would be written to")
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
