"""Benchmark and real-world convertibility over ../shared/corpus (not a test; run it by hand):

    python tests/benchmark.py [--no-format] [--typecheck] [--corpus DIR]

For every templates folder in the corpus (the nearest ancestor named ``templates``/``_templates``
or a theme folder), it converts all templates the way ``jinja2tsx convert`` does, formats the
results in one Node worker, and in the same run times Jinja2's own ``Environment.compile`` on
the same files. Prints per-stage timings, the convertible share, the diagnostics by code, and
(with ``--typecheck``) how many converted modules pass ``tsc --strict``.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import os
import shutil
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import jinja2

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from transpiler.convert import convert_names, format_sources  # noqa: E402
from transpiler.environment import make_environment  # noqa: E402

DEFAULT_CORPUS = HERE.parent.parent / "shared" / "corpus"
EXTENSIONS = ["jinja2.ext.i18n", "jinja2.ext.do", "jinja2.ext.loopcontrols"]
# What a team would configure for these apps: the template names their views always pass
TEMPLATE_NAMES = {
    "admin_base_template": "admin/base.html",  # Flask-Admin's default
    "theme()": "{}",  # FlaskBB (Flask-Themes2) resolving into the app's own templates
    "base_template": "appbuilder/baselayout.html",  # Flask-AppBuilder's default
}
# ... and the layout blocks whose overrides write raw HTML at their top level (the H108 hint):
# Flask-Admin's pages print HTML-only macros (forms, action lists) at the top of `body`/`tail`;
# Flask-AppBuilder's list widgets open their table in one block and close it in another (the
# H103 hint; Python renders those widgets into its pages as HTML strings anyway)
HTML_BLOCKS = {
    "admin/base.html": ["body", "tail"],
    "appbuilder/general/widgets/base_list.html": [
        "begin_content",
        "begin_loop_header",
        "begin_loop_values",
        "end_content",
    ],
}


def html_blocks_toml(folders: Sequence[Path]) -> str:
    """The ``[tool.jinja2tsx.html_blocks]`` table for a run over ``folders``: the entries whose
    layout one of them holds (``convert``/``check`` refuse a listed template they cannot find,
    exit 2)."""
    lines = ["[tool.jinja2tsx.html_blocks]"]
    for k, v in HTML_BLOCKS.items():
        if any((f / k).is_file() for f in folders):
            lines.append(f"{json.dumps(k)} = {json.dumps(v)}")
    return "\n".join(lines) + "\n"


def template_root(path: Path, corpus: Path) -> Path:
    for parent in path.parents:
        if parent == corpus:
            break
        if _theme_folder(parent):
            return parent
        if parent.name in ("templates", "_templates") or parent.parent.name == "themes":
            return parent
    return path.parent


def _theme_folder(folder: Path) -> bool:
    """Flask-Admin style ``templates/bootstrap4/admin/…``: the theme folder is the loader root."""
    return (
        folder.parent.name == "templates"
        and re.fullmatch(r"bootstrap\d", folder.name) is not None
        and (folder / "admin").is_dir()
    )


def search_paths(roots: list[Path], corpus: Path) -> dict[Path, list[Path]]:
    """Each templates folder's search path, as its Flask app would chain them: the folder itself,
    then the other folders of the same repository (extension packages' templates), newest
    theme first and without the folder's sibling themes."""
    by_repo: dict[str, list[Path]] = collections.defaultdict(list)
    for r in roots:
        by_repo[r.relative_to(corpus).parts[0]].append(r)
    out = {}
    for r in roots:
        others = [o for o in by_repo[r.relative_to(corpus).parts[0]] if o != r]
        if _theme_folder(r):
            others = [o for o in others if not _theme_folder(o)]
        others.sort(key=lambda o: (not _theme_folder(o), -ord(o.name[-1]), str(o)))
        out[r] = [r, *others]
    return out


def _timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, capture_output=True, text=True)
    return time.perf_counter() - t0


def check_timings(roots: dict[Path, list[str]], paths: dict[Path, list[Path]]) -> None:
    """``check``'s work as the command does it (``checkcache.check_folders``: cache, then one
    worker process per core for large folders), each templates folder with its own search path
    — the corpus is 34 apps, not one — in one process; the process start is timed apart."""
    from transpiler.bulk import Options
    from transpiler.checkcache import check_folders

    exe = shutil.which("jinja2tsx") or "jinja2tsx"
    start_s = min(_timed([exe, "--version"]) for _ in range(3))
    options = Options(
        extensions=tuple(EXTENSIONS),
        format=False,
        template_names=tuple(TEMPLATE_NAMES.items()),
        html_blocks=tuple((k, tuple(v)) for k, v in HTML_BLOCKS.items()),
    )
    n = sum(len(names) for names in roots.values())
    with tempfile.TemporaryDirectory() as tmp:

        def check_all() -> float:
            t0 = time.perf_counter()
            for i, (root, names) in enumerate(roots.items()):  # each app has its own cache
                check_folders([(root, names)], paths[root], options, Path(tmp) / str(i))
            return time.perf_counter() - t0

        cold_s, warm_s = check_all(), check_all()
    big = [t for r, t in roots.items() if len(t) >= 96]
    print(
        f"jinja2tsx check, {n} templates in {len(roots)} folders: {cold_s * 1000:.0f} ms cold, "
        f"{warm_s * 1000:.0f} ms from its cache (+ {start_s * 1000:.0f} ms process start; "
        f"{len(big)} folders large enough for worker processes)"
    )


def _make_distinct(folder: Path, i: int) -> None:
    """Give each copied page text of its own (a class name), so that no work the checker
    keeps per text is shared between copies, as it would not be between a real app's pages."""
    for f in folder.rglob("*"):
        if f.is_file():
            text = f.read_text(encoding="utf-8")
            f.write_text(text.replace('class="', f'class="copy{i} '), encoding="utf-8")


def check_app_timings(roots: dict[Path, list[str]], paths: dict[Path, list[Path]]) -> None:
    """``jinja2tsx check`` as a team's CI runs it on an app of 400 templates: the corpus'
    largest app folder, plus copies of it in subfolders of the same templates folder until it
    holds 400 (pages under new names, all using the app's own layouts and macro files, as the
    pages of a large app do, each copy's text made distinct), through the console script, cold and then from its cache;
    Jinja2's own compile of the same files on one core beside it (the goal: under 3 s cold)."""
    root = max(roots, key=lambda r: len(roots[r]))
    copies = -(-400 // len(roots[root]))
    exe = shutil.which("jinja2tsx") or "jinja2tsx"
    with tempfile.TemporaryDirectory() as tmp:
        app = Path(tmp)
        shutil.copytree(root, app / "templates")
        for i in range(1, copies):
            shutil.copytree(root, app / "templates" / f"copy{i}")
            _make_distinct(app / "templates" / f"copy{i}", i)
        names = "\n".join(f'"{k}" = "{v}"' for k, v in TEMPLATE_NAMES.items())
        (app / "pyproject.toml").write_text(
            f'[tool.jinja2tsx]\nsrc = "templates"\nextensions = {EXTENSIONS!r}\n'
            f"[tool.jinja2tsx.template_names]\n{names}\n".replace("'", '"')
            + html_blocks_toml([app / "templates"])
        )
        files = sorted(p for p in (app / "templates").rglob("*") if p.is_file())
        n = len(files)
        env = make_environment(jinja2.FileSystemLoader(str(app / "templates")), EXTENSIONS)
        t0 = time.perf_counter()
        for f in files:
            name = f.relative_to(app / "templates").as_posix()
            try:
                env.compile(f.read_text(encoding="utf-8"), name, name)
            except Exception:
                pass
        jinja_s = time.perf_counter() - t0

        def check() -> tuple[float, str]:
            t0 = time.perf_counter()
            proc = subprocess.run([exe, "check", "-q"], cwd=app, capture_output=True, text=True)
            # (exit 2 is a usage or config error: no template was checked)
            assert proc.returncode in (0, 1), proc.stdout + proc.stderr
            return time.perf_counter() - t0, proc.stdout

        cold_s, out = check()
        warm_s, _ = check()
    problems = sum(bool(re.search(r":\d+:\d+: [A-Z]\d{3} ", line)) for line in out.splitlines())
    print(
        f"jinja2tsx check of one app of {n} templates ({copies} copies of "
        f"{root.relative_to(root.parents[2])}): {cold_s * 1000:.0f} ms cold, "
        f"{warm_s * 1000:.0f} ms from its cache; Jinja2 compile of the same files "
        f"{jinja_s * 1000:.0f} ms on one core ({problems} diagnostics)"
    )


def cli_timings(roots: list[Path], jinja_s: float) -> None:
    """Wall-clock time of ``convert``: the CLI entry point once per folder (each project has its
    own output folder) inside one process, so the Node worker starts once, as in a real run."""
    from transpiler.cli import main as cli_main

    ext = [f"--extension={e}" for e in EXTENSIONS]
    with tempfile.TemporaryDirectory() as tmp, open(os.devnull, "w") as devnull:

        def convert_all(sources: list[Path], out: Path) -> float:
            t0 = time.perf_counter()
            with contextlib.redirect_stderr(devnull):
                for i, root in enumerate(sources):
                    cli_main(["convert", "-q", *ext, str(root), "--out", str(out / str(i))])
            return time.perf_counter() - t0

        conv_s = convert_all(roots, Path(tmp) / "out1")
        print(
            f"jinja2tsx convert (formatting, fresh output): {conv_s * 1000:.0f} ms "
            f"({conv_s / max(jinja_s, 1e-9):.2f}x jinja2 compile)"
        )
        again_s = convert_all(roots, Path(tmp) / "out1")
        print(f"jinja2tsx convert again (incremental, nothing changed): {again_s * 1000:.0f} ms")
        doubled = []
        for i, root in enumerate(roots):
            for copy in ("a", "b"):
                target = Path(tmp) / "double" / f"{i}{copy}"
                shutil.copytree(root, target)
                doubled.append(target)
        dbl_s = convert_all(doubled, Path(tmp) / "out2")
        print(
            f"jinja2tsx convert on the corpus twice over: {dbl_s * 1000:.0f} ms "
            f"({dbl_s / max(conv_s, 1e-9):.2f}x the single run)"
        )


def typecheck_corpus(paths: dict[Path, list[Path]], roots: dict[Path, list[str]]) -> None:
    """``tsc --strict`` over what ``jinja2tsx convert`` writes: for each templates folder, the
    real command with the folder's search path as its sources (the folder first) into its own
    output folder (with its runtime and the ``_jinja2tsx/app.ts`` stubs), then one ``tsc`` run
    over every output folder. A module counts as clean when tsc reports nothing in it; only the
    modules of each folder's own templates are counted (a shared folder converts once per
    folder that searches it)."""

    from differential import run_tsc
    from transpiler.cli import main as cli_main
    from transpiler.convert import output_name
    from transpiler.toolchain import find_toolchain

    tc = find_toolchain(install=True)
    assert tc is not None
    ext = [f"--extension={e}" for e in EXTENSIONS]
    with (
        tempfile.TemporaryDirectory(dir=tc.root, prefix=".tsc-") as tmp,
        open(os.devnull, "w") as devnull,
    ):
        names = ["[tool.jinja2tsx.template_names]"]
        names += [f"{json.dumps(k)} = {json.dumps(v)}" for k, v in TEMPLATE_NAMES.items()]
        outs: dict[Path, Path] = {}
        counted: dict[str, bool] = {}  # module path (relative to tmp) → clean so far
        with contextlib.redirect_stderr(devnull), contextlib.redirect_stdout(devnull):
            for i, root in enumerate(roots):
                out = Path(tmp) / "out" / str(i)
                outs[root] = out
                config = Path(tmp) / "config" / str(i) / "pyproject.toml"
                config.parent.mkdir(parents=True)
                text = "\n".join(names) + "\n" + html_blocks_toml(paths[root])
                config.write_text(text, encoding="utf-8")
                code = cli_main(
                    ["convert", "-q", "--no-format", "--config", str(config), *ext]
                    + [str(p) for p in paths[root]]
                    + ["--out", str(out)]
                )
                assert code in (0, 1), f"convert of {root} ended with exit code {code}"
                for name in roots[root]:
                    module = out / output_name(name)
                    if module.exists():
                        counted[module.relative_to(tmp).as_posix()] = True
        ok, output = run_tsc(Path(tmp))
        errors = [line for line in output.splitlines() if "error TS" in line]
        for line in errors:
            rel = line.split("(")[0]
            if rel in counted:
                counted[rel] = False
        clean = sum(counted.values())
        print(f"tsc --strict: {clean}/{len(counted)} converted modules clean")
        kinds: collections.Counter[str] = collections.Counter()
        example: dict[str, str] = {}
        for line in errors:
            if line.split("(")[0] in counted:
                kind = re.sub(r"'[^']*'", "'…'", line.split(": ", 1)[-1])[:100]
                kinds[kind] += 1
                example.setdefault(kind, line[:200])
        for msg, count in kinds.most_common(12):
            print(f"  {count:4d}  {msg}\n        e.g. {example[msg]}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--no-format", action="store_true")
    ap.add_argument("--typecheck", action="store_true")
    ap.add_argument("--show", type=int, default=15, help="diagnostic messages to list")
    ap.add_argument(
        "--cli", action="store_true", help="also time the real commands (check, convert) end to end"
    )
    args = ap.parse_args()
    corpus: Path = args.corpus
    if not corpus.is_dir():
        print(f"no corpus at {corpus}", file=sys.stderr)
        return 2
    files = sorted(p for p in corpus.rglob("*") if p.suffix in (".html", ".htm", ".j2", ".jinja"))
    roots: dict[Path, list[str]] = collections.defaultdict(list)
    for f in files:
        root = template_root(f, corpus)
        roots[root].append(f.relative_to(root).as_posix())

    paths = search_paths(list(roots), corpus)

    # Jinja2's own compile time on the same files
    t0 = time.perf_counter()
    for root, names in roots.items():
        env = make_environment(jinja2.FileSystemLoader([str(p) for p in paths[root]]), EXTENSIONS)
        for name in names:
            try:
                env.compile((root / name).read_text(encoding="utf-8"), name, name)
            except Exception:
                pass
    jinja_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    results = []
    for root, names in roots.items():
        env = make_environment(
            jinja2.FileSystemLoader([str(p) for p in paths[root]]),
            EXTENSIONS,
            template_names=TEMPLATE_NAMES,
            html_blocks=HTML_BLOCKS,
        )
        for r in convert_names(root, names, env):
            results.append((root, r))
    convert_s = time.perf_counter() - t0

    ok = [(root, r) for root, r in results if r.ok]
    format_s = 0.0
    if not args.no_format:
        t0 = time.perf_counter()
        format_sources([(r.output, r.tsx or "") for _, r in ok])
        format_s = time.perf_counter() - t0

    codes: collections.Counter[str] = collections.Counter()
    messages: collections.Counter[str] = collections.Counter()
    for _, r in results:
        for d in r.diagnostics:
            codes[d.code] += 1
            messages[f"{d.code} {d.message[:90]}"] += 1
    n = len(results)
    print(f"templates: {n} in {len(roots)} folders")
    print(
        f"converted: {len(ok)} ({100 * len(ok) / max(n, 1):.1f}%), not convertible: {n - len(ok)}"
    )
    print(f"jinja2 compile: {jinja_s * 1000:.0f} ms")
    print(
        f"jinja2tsx lower+emit: {convert_s * 1000:.0f} ms ({convert_s / max(jinja_s, 1e-9):.2f}x)"
    )
    if not args.no_format:
        total = convert_s + format_s
        print(
            f"prettier (one worker): {format_s * 1000:.0f} ms; convert total {total * 1000:.0f} ms ({total / max(jinja_s, 1e-9):.2f}x jinja2)"
        )
    print("diagnostics by code:", dict(codes.most_common()))
    for msg, count in messages.most_common(args.show):
        print(f"  {count:4d}  {msg}")
    if args.cli:
        check_timings(roots, paths)
        check_app_timings(roots, paths)
        cli_timings(list(roots), jinja_s)
    if args.typecheck and ok:
        typecheck_corpus(paths, roots)
    return 0


if __name__ == "__main__":
    sys.exit(main())
