"""The pre-commit hook, run by the real ``pre-commit`` framework from this repository (as a team
would add it from a git URL) against a temporary git repository of templates."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from differential import REPO

PRE_COMMIT = shutil.which("pre-commit")


def git(*args: str, cwd: Path) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.mark.skipif(PRE_COMMIT is None, reason="pre-commit is not installed (dev extra)")
def test_hook_reports_unconvertible_templates(tmp_path: Path) -> None:
    repo = tmp_path / "site"
    templates = repo / "app" / "templates"
    (templates / "posts").mkdir(parents=True)
    (templates / "base.html").write_text(
        "<!doctype html><title>{% block title %}{% endblock %}</title>"
        "<main>{% block content %}{% endblock %}</main>\n"
    )
    (templates / "posts" / "list.html").write_text(
        '{% extends "base.html" %}{% block content %}'
        "<ul>{% for p in posts %}<li>{{ p.title }}</li>{% endfor %}</ul>{% endblock %}\n"
    )
    (templates / "posts" / "bad.html").write_text("{% extends layout_name %}\n")
    git("init", "-q", cwd=repo)
    git("add", ".", cwd=repo)
    git("commit", "-qm", "templates", cwd=repo)

    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "cache"))
    env.pop("VIRTUAL_ENV", None)
    assert PRE_COMMIT is not None
    proc = subprocess.run(
        [PRE_COMMIT, "try-repo", str(REPO), "jinja2tsx-check", "--all-files"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "app/templates/posts/bad.html:1:1: T003" in out
    assert "posts/list.html" not in out.split("T003")[0].splitlines()[-1]

    (templates / "posts" / "bad.html").unlink()
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "fix", cwd=repo)
    fixed = subprocess.run(
        [PRE_COMMIT, "try-repo", str(REPO), "jinja2tsx-check", "--all-files"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "Passed" in fixed.stdout
