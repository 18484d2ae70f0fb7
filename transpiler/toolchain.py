"""The Node toolchain: where it lives, and provisioning it on first need.

jinja2tsx needs Node for three things, all pinned by the committed ``package.json`` +
``package-lock.json``: prettier (formatting), esbuild + react-dom (rendering for differential
tests and ``verify``) and typescript (``tsc --strict`` checks). Node itself comes from nodeenv —
``nodeenv -n system`` (a thin wrapper around the system Node) when Node is on PATH, otherwise a
prebuilt LTS download — and the packages from ``npm ci``, run once and stamped with the lock
file's hash so later runs start immediately.

Where: in a source checkout the packages go to the checkout's own ``node_modules`` (next to the
lock file); in an installed wheel, to a per-user cache keyed by the lock file
(``$JINJA2TSX_CACHE`` or ``~/.cache/jinja2tsx``), because site-packages may be read-only.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
MANIFEST_FILES = ("package.json", "package-lock.json", ".npmrc")
STAMP = ".jinja2tsx-installed"


class ToolchainError(RuntimeError):
    """Node or its packages could not be provisioned; the message says what to do."""


@dataclasses.dataclass(frozen=True)
class Toolchain:
    root: Path  # the folder holding package.json and node_modules
    node: Path  # the node executable (a nodeenv wrapper or the system binary)

    @property
    def node_modules(self) -> Path:
        return self.root / "node_modules"

    @property
    def tsc(self) -> Path:
        return self.node_modules / ".bin" / "tsc"

    @property
    def worker_script(self) -> Path:
        return PACKAGE_DIR / "node" / "worker.mjs"


def manifest_dir() -> Path:
    """The folder holding the committed package.json/package-lock.json."""
    checkout = PACKAGE_DIR.parent
    if (checkout / "package-lock.json").is_file() and (checkout / "pyproject.toml").is_file():
        return checkout
    return PACKAGE_DIR / "node"  # installed wheel (force-included there)


def cache_dir() -> Path:
    env = os.environ.get("JINJA2TSX_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "jinja2tsx"


def lock_hash(manifest: Path) -> str:
    digest = hashlib.sha256()
    for name in MANIFEST_FILES:
        path = manifest / name
        if path.is_file():
            digest.update(name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def toolchain_root() -> Path:
    override = os.environ.get("JINJA2TSX_NODE_ROOT")
    if override:
        return Path(override)
    manifest = manifest_dir()
    if manifest == PACKAGE_DIR.parent:
        return manifest
    return cache_dir() / f"node-{lock_hash(manifest)}"


def _is_installed(root: Path, digest: str) -> bool:
    stamp = root / "node_modules" / STAMP
    return stamp.is_file() and stamp.read_text().strip() == digest


def _nodeenv_dir() -> Path:
    return cache_dir() / "nodeenv"


def _find_node() -> Path | None:
    """A usable node: the nodeenv wrapper if provisioned, else the system one."""
    wrapper = _nodeenv_dir() / "bin" / "node"
    if wrapper.is_file():
        return wrapper
    found = shutil.which("node") or shutil.which("nodejs")
    return Path(found) if found else None


@contextlib.contextmanager
def _install_lock(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".jinja2tsx-install.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> None:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-15:]
        raise ToolchainError(f"`{' '.join(cmd)}` failed:\n" + "\n".join(tail))


def _provision_node(log: bool) -> Path:
    """Create the nodeenv: a wrapper around system Node, or a prebuilt download without one."""
    target = _nodeenv_dir()
    wrapper = target / "bin" / "node"
    if wrapper.is_file():
        return wrapper
    system = shutil.which("node") or shutil.which("nodejs")
    cmd = [sys.executable, "-m", "nodeenv"]
    cmd += ["-n", "system"] if system else ["--prebuilt", "-n", "lts"]
    if log:
        how = "wrapping the system Node" if system else "downloading Node LTS"
        print(f"jinja2tsx: creating a nodeenv in {target} ({how})", file=sys.stderr)
    target.parent.mkdir(parents=True, exist_ok=True)
    _run(cmd + [str(target)])
    if not wrapper.is_file():
        raise ToolchainError(f"nodeenv did not create {wrapper}")
    return wrapper


def _npm_for(node: Path) -> list[str]:
    local = node.parent / "npm"
    if local.is_file():
        return [str(local)]
    system = shutil.which("npm")
    if system:
        return [system]
    raise ToolchainError("npm not found: install Node.js with npm (https://nodejs.org)")


def provision(root: Path | None = None, log: bool = True) -> Toolchain:
    """Provision Node and ``npm ci`` the pinned packages into ``root`` (idempotent)."""
    root = root or toolchain_root()
    manifest = manifest_dir()
    digest = lock_hash(manifest)
    with _install_lock(root):
        node = _provision_node(log)
        if _is_installed(root, digest):
            return Toolchain(root, node)
        if root != manifest:
            for name in MANIFEST_FILES:
                if (manifest / name).is_file():
                    shutil.copyfile(manifest / name, root / name)
        if log:
            print(
                f"jinja2tsx: installing prettier, esbuild, react and typescript into "
                f"{root / 'node_modules'} (npm ci, once)",
                file=sys.stderr,
            )
        env = dict(os.environ)
        env["PATH"] = f"{node.parent}{os.pathsep}{env.get('PATH', '')}"
        _run(_npm_for(node) + ["ci", "--no-audit", "--no-fund", "--loglevel=error"], root, env)
        (root / "node_modules" / STAMP).write_text(digest + "\n")
    return Toolchain(root, node)


def find_toolchain(install: bool = False, log: bool = True) -> Toolchain | None:
    """The ready toolchain; provision it when ``install`` (None if Node cannot be had)."""
    root = toolchain_root()
    digest = lock_hash(manifest_dir())
    node = _find_node()
    if node is not None and _is_installed(root, digest):
        return Toolchain(root, node)
    if node is not None and root == manifest_dir() and (root / "node_modules" / ".bin").is_dir():
        # a checkout where the developer ran `npm ci` by hand
        if (root / "node_modules" / ".package-lock.json").is_file() and not install:
            return Toolchain(root, node)
    if not install:
        return None
    try:
        return provision(root, log=log)
    except ToolchainError:
        raise
    except OSError as exc:
        raise ToolchainError(f"could not set up the Node toolchain: {exc}") from exc
