"""Conversion orchestration: a templates folder → TSX modules, the runtime, and a report.

Owns per-template conversion (lower → emit) with every failure turned into a
diagnostic, the runtime copy under ``DEST/_jinja2tsx/<version>/``, formatting all outputs in one
batch through the persistent Node worker, and atomic writes.
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
import tempfile
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from . import RUNTIME_VERSION
from .appnames import AppUse
from .diagnostics import ConversionError, Diagnostic
from .environment import make_environment

if TYPE_CHECKING:
    from .graph import Project

TEMPLATE_SUFFIXES = (".html", ".htm", ".jinja", ".jinja2", ".j2", ".xml", ".svg")
RUNTIME_DIR = Path(__file__).resolve().parent / "runtime"
RUNTIME_FILES = (
    "index.ts",
    "core.ts",
    "html.ts",
    "entities.ts",
    "filters.ts",
    "tests.ts",
    "compose.ts",
    "appcall.ts",
    "i18n.ts",
    "flask.ts",
    "wtforms.ts",
)
RUNTIME_SUBDIR = f"_jinja2tsx/{RUNTIME_VERSION}"


@dataclasses.dataclass
class TemplateResult:
    name: str  # path relative to the templates folder, with /
    output: str  # output path relative to DEST
    tsx: str | None
    diagnostics: list[Diagnostic]
    app_uses: list[AppUse] = dataclasses.field(default_factory=list)  # app names it calls

    @property
    def ok(self) -> bool:
        return self.tsx is not None


def output_name(template_name: str) -> str:
    stem, _ = posixpath.splitext(template_name)
    return stem + ".tsx"


def runtime_import_for(output: str) -> str:
    depth = output.count("/")
    prefix = "./" if depth == 0 else "../" * depth
    return prefix + RUNTIME_SUBDIR


def convert_source(
    source: str,
    name: str,
    env: jinja2.Environment | None = None,
    label: str | None = None,
    project: Project | None = None,
) -> TemplateResult:
    """Convert one template's text. Never raises for template problems: they are diagnostics."""
    # imported on first use: a check answered from its cache never loads the converter
    from .emit import emit_module
    from .lower import lower_template

    env = env or make_environment()
    out = output_name(name)
    try:
        cached = project.converted(name, source) if project is not None and label is None else None
        if cached is not None:  # already lowered and emitted as another template's dependency
            tree, tsx = cached
        else:
            tree = lower_template(source, name, env, project)
            tsx = emit_module(tree, runtime_import_for(out), label or name)
            if project is not None and label is None:
                project.remember(name, source, tree, tsx)
        warnings = [w.diagnostic(label or name) for w in tree.warnings]
        return TemplateResult(name, out, tsx, warnings, list(tree.app_uses))
    except ConversionError as exc:
        return TemplateResult(name, out, None, [exc.diagnostic(label or name)])
    except RecursionError:
        diag = Diagnostic("E001", "template nesting is too deep to convert", label or name, 1, 1)
        return TemplateResult(name, out, None, [diag])
    except Exception as exc:  # a bug of ours: report it as E001, keep going
        last = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{Path(last.filename).name}:{last.lineno}"
        diag = Diagnostic(
            "E001", f"internal error ({type(exc).__name__}: {exc} at {where})", label or name, 1, 1
        )
        return TemplateResult(name, out, None, [diag])


def read_template(path: Path, name: str) -> str | Diagnostic:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        return Diagnostic("J002", f"not valid UTF-8 ({exc.reason} at byte {exc.start})", name, 1, 1)


def runtime_sources() -> dict[str, str]:
    """The runtime files to ship, by name."""
    return {
        f: (RUNTIME_DIR / f).read_text(encoding="utf-8")
        for f in RUNTIME_FILES
        if (RUNTIME_DIR / f).is_file()
    }


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _umask()


def atomic_write(path: Path, text: str) -> bool:
    """Write ``text`` unless the file already holds it; returns whether it was written."""
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        # mkstemp makes the file private (0600): give it the mode a plain write would have, or
        # keep the mode of the file it replaces
        try:
            mode = path.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o666 & ~_UMASK
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return True


def format_sources(files: list[tuple[str, str]], warn: list[str] | None = None) -> list[str]:
    """Format TSX sources with prettier in one Node process; unformatted when Node is missing."""
    if not files:
        return []
    try:
        from .nodeworker import shared_worker

        results = shared_worker().format(files)
    except Exception as exc:  # Node missing or worker failure: keep valid unformatted output
        if warn is not None:
            warn.append(f"prettier unavailable, writing unformatted TSX ({exc})")
        return [src for _, src in files]
    out = []
    for (_, src), res in zip(files, results):
        out.append(src if isinstance(res, Exception) else res)
    return out


class BackgroundFormatter:
    """prettier running while the converter goes on: modules are formatted in batches on a
    thread that waits for the one Node process, so the conversion (Python, one core) and the
    formatting (Node, another core) overlap instead of adding up. ``results()`` waits for the
    rest and returns the formatted text of each submitted key (the unformatted text where
    prettier is unavailable or rejects it, with a warning as ``format_sources`` gives)."""

    BATCH = 24

    def __init__(self) -> None:
        import queue
        import threading

        self._queue: queue.Queue[tuple[str, str, str] | None] = queue.Queue()
        self._done: dict[str, str] = {}
        self.warnings: list[str] = []
        self._thread = threading.Thread(target=self._run, name="jinja2tsx-format", daemon=True)
        self._thread.start()

    def submit(self, key: str, path: str, text: str) -> None:
        self._queue.put((key, path, text))

    def _run(self) -> None:
        import queue

        finished = False
        while not finished:
            batch: list[tuple[str, str, str]] = []
            item = self._queue.get()
            while True:
                if item is None:
                    finished = True
                    break
                batch.append(item)
                if len(batch) >= self.BATCH:
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            if not batch:
                continue
            if self.warnings:  # prettier was unavailable: do not start (or install) Node again
                texts = [t for _, _, t in batch]
            else:
                texts = format_sources([(p, t) for _, p, t in batch], self.warnings)
            for (key, _, _), text in zip(batch, texts):
                self._done[key] = text

    def results(self) -> dict[str, str]:
        self._queue.put(None)
        self._thread.join()
        return self._done


def write_runtime(dest: Path) -> None:
    target = dest / RUNTIME_SUBDIR
    for name, text in runtime_sources().items():
        atomic_write(target / name, text)


def convert_names(
    src: Path, names: Iterable[str], env: jinja2.Environment | None = None
) -> list[TemplateResult]:
    from .graph import Project

    env = env or make_environment(jinja2.FileSystemLoader(str(src)))
    project = Project(env)
    results = []
    for name in names:
        text = read_template(src / name, name)
        if isinstance(text, Diagnostic):
            results.append(TemplateResult(name, output_name(name), None, [text]))
            continue
        results.append(convert_source(text, name, env, project=project))
    return results
