"""Client of the persistent Node worker (``node/worker.mjs``): one process per run.

Formatting a folder, rendering fixtures for the differential tests and evaluating runtime
functions all go through the same long-lived process, fed JSON lines — never one Node process per
file. ``shared_worker()`` starts it lazily (provisioning the toolchain on first need) and stops it
at interpreter exit.
"""

from __future__ import annotations

import atexit
import itertools
import json
import subprocess
import threading
from collections.abc import Sequence
from typing import Any

from .toolchain import Toolchain, ToolchainError, find_toolchain


class WorkerError(RuntimeError):
    """The worker died or answered a request with an error."""


class NodeWorker:
    def __init__(self, toolchain: Toolchain) -> None:
        self.toolchain = toolchain
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[str] | None = None

    def _start(self) -> subprocess.Popen[str]:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen(
                [
                    str(self.toolchain.node),
                    str(self.toolchain.worker_script),
                    str(self.toolchain.root),
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=None,  # worker diagnostics go straight to our stderr
                text=True,
                encoding="utf-8",
                bufsize=1,
            )
        return self._proc

    def request(self, op: str, **payload: Any) -> Any:
        with self._lock:
            proc = self._start()
            assert proc.stdin is not None and proc.stdout is not None
            ident = next(self._ids)
            message = json.dumps({"id": ident, "op": op, **payload}, ensure_ascii=False)
            try:
                proc.stdin.write(message + "\n")
                proc.stdin.flush()
                line = proc.stdout.readline()
            except (BrokenPipeError, OSError) as exc:
                raise WorkerError(f"Node worker died: {exc}") from exc
            if not line:
                code = proc.wait()
                raise WorkerError(f"Node worker exited with code {code}")
            reply = json.loads(line)
            if reply.get("id") != ident:
                raise WorkerError(f"Node worker answered out of order: {line[:200]}")
            if "error" in reply:
                raise WorkerError(reply["error"])
            return reply["result"]

    def ping(self) -> bool:
        return bool(self.request("ping") == "pong")

    def format(self, files: Sequence[tuple[str, str]]) -> list[str | WorkerError]:
        """prettier-format TSX sources; a file prettier rejects comes back as a WorkerError."""
        results = self.request("format", files=[list(f) for f in files])
        out: list[str | WorkerError] = []
        for (path, _), r in zip(files, results):
            if "error" in r:
                out.append(WorkerError(f"prettier failed on {path}: {r['error']}"))
            else:
                out.append(r["text"])
        return out

    def render(self, requests: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
        return list(self.request("render", requests=list(requests)))

    def eval(self, runtime_dir: str, calls: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        return list(self.request("eval", runtime_dir=runtime_dir, calls=list(calls)))

    def observe(self, runtime_dir: str, calls: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Call runtime functions; each result as Jinja shows it: printed, truthiness, repr."""
        return list(self.request("observe", runtime_dir=runtime_dir, calls=list(calls)))

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            if proc.stdin:
                proc.stdin.close()
            proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
        finally:
            if proc.stdout:
                proc.stdout.close()


_shared: NodeWorker | None = None


def shared_worker(install: bool = True) -> NodeWorker:
    """The process-wide worker, started on first use."""
    global _shared
    if _shared is None:
        toolchain = find_toolchain(install=install)
        if toolchain is None:
            raise ToolchainError("Node toolchain not installed")
        _shared = NodeWorker(toolchain)
        atexit.register(_shared.close)
    return _shared
