"""The template graph of one templates folder: loading, lowering and caching the templates that
others import, include or extend, with missing templates and cycles reported as diagnostics."""

from __future__ import annotations

import jinja2

from . import ir
from .diagnostics import ConversionError


class Project:
    def __init__(self, env: jinja2.Environment):
        self.env = env
        self._done: dict[str, ir.Template | ConversionError] = {}
        self._loading: list[str] = []
        # what each loaded template's module is, with the source it came from: converting that
        # template itself later reuses both instead of lowering and emitting it again
        self._emitted: dict[str, tuple[str, str]] = {}  # name → (source, TSX)

    def exists(self, name: str) -> bool:
        if name in self._done:
            return True
        try:
            assert self.env.loader is not None
            self.env.loader.get_source(self.env, name)
            return True
        except (jinja2.TemplateNotFound, AssertionError):
            return False

    def source(self, name: str) -> str:
        assert self.env.loader is not None
        return self.env.loader.get_source(self.env, name)[0]

    def load(self, name: str, importer: str, line: int) -> ir.Template:
        """The lowered template ``name``; raise a diagnostic at the importer's line if it is
        missing, part of a cycle, or not convertible itself."""
        from .convert import output_name, runtime_import_for
        from .emit import emit_module
        from .lower import lower_template

        if name in self._loading:
            chain = " → ".join(self._loading[self._loading.index(name) :] + [name])
            raise ConversionError("T002", f"template cycle: {chain}", line)
        done = self._done.get(name)
        if done is None:
            if not self.exists(name):
                raise ConversionError("T001", f"template {name!r} not found", line)
            self._loading.append(name)
            try:
                source = self.source(name)
                done = lower_template(source, name, self.env, self)
                # a template whose module cannot be emitted is as unusable as one that does
                # not lower: its importers must not import a module that is never written
                tsx = emit_module(done, runtime_import_for(output_name(name)), name)
                self._emitted[name] = (source, tsx)
            except ConversionError as exc:
                done = exc
            finally:
                self._loading.pop()
            self._done[name] = done
        if isinstance(done, ConversionError):
            raise ConversionError(
                "T005",
                f"{name} does not convert ({done.code} at line {done.line}: {done.message})",
                line,
            )
        return done

    def converted(self, name: str, source: str) -> tuple[ir.Template, str] | None:
        """The lowered template and its module when ``name`` was loaded from ``source``."""
        done, emitted = self._done.get(name), self._emitted.get(name)
        if isinstance(done, ir.Template) and emitted is not None and emitted[0] == source:
            return done, emitted[1]
        return None

    def remember(self, name: str, source: str, tree: ir.Template, tsx: str) -> None:
        """``name`` converted on its own: importers converted later load it from here."""
        if name not in self._done and name not in self._loading:
            self._done[name] = tree
            self._emitted[name] = (source, tsx)

    def lowered(self, name: str) -> ir.Template | ConversionError | None:
        return self._done.get(name)
