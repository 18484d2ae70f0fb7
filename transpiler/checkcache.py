"""What ``check`` found last time, so a pre-commit or CI run re-converts only what changed.

``.jinja2tsx_cache/check.json`` in the project folder (where pyproject.toml is, else the working
folder) maps each template to the hash of its inputs — the tool version, the settings that change
the result, the template and every template it references, as ``convert``'s manifest hashes them
— with its diagnostics and the app names it calls. A template whose inputs hash the same is
reported from the cache without converting. The folder holds a ``.gitignore`` of ``*``, so it
is never committed; deleting it, or ``--no-cache``, only costs time.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path


from . import __version__
from .appnames import AppUse
from .bulk import Options, convert_folders, template_inputs
from .diagnostics import Diagnostic

CACHE_DIR = ".jinja2tsx_cache"
CACHE_FILE = "check.json"


@dataclasses.dataclass
class Checked:
    """One template's check result (``check`` needs no TSX)."""

    name: str
    ok: bool
    diagnostics: list[Diagnostic]
    app_uses: list[AppUse]


class CheckCache:
    def __init__(self, folder: Path | None, settings: str):
        """``folder``: where the cache lives (None: no cache); ``settings``: the serialised
        options and search path (a cache of other settings is discarded)."""
        self.folder = folder
        self.settings = settings
        self.entries: dict[str, dict[str, object]] = {}  # template path → inputs, results
        self.refs: dict[str, tuple[str, list[str]]] = {}  # as Manifest.refs
        self.changed = False
        if folder is None:
            return
        try:
            data = json.loads((folder / CACHE_FILE).read_text(encoding="utf-8"))
            if data.get("tool") == __version__:
                # entries of other settings stay: their inputs hashes cover the settings
                self.entries = dict(data["entries"])
                if data.get("settings") == settings:  # references depend on the settings
                    self.refs = {n: (r[0], list(r[1])) for n, r in data["refs"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass

    def get(self, path: str, key: str) -> Checked | None:
        e = self.entries.get(path)
        if e is None or e.get("inputs") != key:
            return None
        try:
            return Checked(
                str(e["name"]),
                bool(e["ok"]),
                [Diagnostic(**d) for d in e["diagnostics"]],  # type: ignore[attr-defined]
                [AppUse.from_json(u) for u in e["app"]],  # type: ignore[attr-defined]
            )
        except (KeyError, TypeError, ValueError):
            return None

    def put(self, path: str, key: str, result: Checked) -> None:
        self.entries[path] = {
            "inputs": key,
            "name": result.name,
            "ok": result.ok,
            "diagnostics": [dataclasses.asdict(d) for d in result.diagnostics],
            "app": [u.as_json() for u in result.app_uses],
        }
        self.changed = True

    def save(self) -> None:
        if self.folder is None or not self.changed:
            return
        from .convert import atomic_write

        # templates deleted since are dropped; others stay (pre-commit checks a few at a time)
        entries = {p: e for p, e in sorted(self.entries.items()) if Path(p).is_file()}
        data = {"tool": __version__, "settings": self.settings, "entries": entries}
        data["refs"] = {n: list(r) for n, r in sorted(self.refs.items())}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                atomic_write(ignore, "# written by jinja2tsx: this folder is a cache\n*\n")
            atomic_write(self.folder / CACHE_FILE, json.dumps(data, sort_keys=True) + "\n")
        except OSError:  # a read-only checkout: the cache is only an optimisation
            pass


def check_folders(
    groups: list[tuple[Path, list[str]]],
    search_path: list[Path],
    options: Options,
    cache_folder: Path | None,
) -> list[tuple[Path, list[Checked]]]:
    """``check``'s results for each folder's templates, in order: from the cache where the
    inputs are unchanged, converted in memory (``bulk.convert_folders``) otherwise."""
    settings = options.key() + "\0" + "\0".join(str(p.resolve()) for p in search_path)
    cache = CheckCache(cache_folder, settings)
    found: dict[tuple[Path, str], Checked] = {}
    keys: dict[tuple[Path, str], tuple[str, str]] = {}
    todo: list[tuple[Path, list[str]]] = []
    for root, names in groups:
        env = options.environment(root, search_path)
        texts: dict[str, str | None] = {}
        missing = []
        for name in names:
            key, _ = template_inputs(env, name, texts, cache.refs, cache.settings)
            path = str((root / name).resolve())
            keys[(root, name)] = (path, key)
            hit = cache.get(path, key)
            if hit is not None:
                found[(root, name)] = hit
            else:
                missing.append(name)
        if missing:
            todo.append((root, missing))
    for root, results in convert_folders(todo, search_path, options):
        for r in results:
            checked = Checked(r.name, r.ok, r.diagnostics, r.app_uses)
            found[(root, r.name)] = checked
            path, key = keys[(root, r.name)]
            cache.put(path, key, checked)
    cache.save()
    return [(root, [found[(root, n)] for n in names]) for root, names in groups]


def cache_folder(base: Path, enabled: bool) -> Path | None:
    return base / CACHE_DIR if enabled else None
