"""The quick start's scripts: ``scripts/till`` installs only what stampdesk
needs to run, ``scripts/test`` adds the test tools, and neither installs
again what is there (a Python of the test's own stands in for pip, which
records what it was asked)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from helpers import ROOT

FAKE_PYTHON = """#!/usr/bin/env bash
# Stands in for .venv/bin/python: records what it is asked to run.
echo "$*" >> "$(dirname "$0")/../pip-calls"
"""


def checkout(tmp_path: Path) -> Path:
    """The scripts and the files they read, and a .venv whose Python records pip's calls."""
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    for name in ("scripts/venv", "pyproject.toml", "constraints.txt"):
        shutil.copy2(ROOT / name, repo / name)
    python = repo / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(FAKE_PYTHON, encoding="utf-8")
    python.chmod(0o755)
    return repo


def venv(repo: Path, *mode: str) -> tuple[list[str], str]:
    """Run scripts/venv; what it ran with .venv's Python, and what its stamp says."""
    calls = repo / ".venv" / "pip-calls"
    calls.unlink(missing_ok=True)
    done = subprocess.run(
        ["bash", "scripts/venv", *mode], cwd=repo, capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0, done
    asked = calls.read_text(encoding="utf-8").splitlines() if calls.exists() else []
    return asked, (repo / ".venv" / ".stampdesk-installed").read_text(encoding="utf-8").strip()


def installs(asked: list[str]) -> list[str]:
    """What each pip call installs (its last word: ``pip``, ``.`` or ``.[test]``)."""
    return [call.split()[-1] for call in asked if call.startswith("-m pip install")]


def test_the_till_installs_the_runtime_and_the_tests_add_their_tools(tmp_path: Path) -> None:
    repo = checkout(tmp_path)
    asked, stamp = venv(repo)  # bash scripts/till
    assert installs(asked) == ["pip", "."] and stamp == "runtime"
    assert "-c constraints.txt" in asked[1] and "-e ." in asked[1]
    assert asked[2] == "-m compileall -q src"  # pip compiles all but the editable src/
    assert venv(repo) == ([], "runtime")  # the next launches: nothing to do

    asked, stamp = venv(repo, "test")  # bash scripts/test
    assert installs(asked) == ["pip", ".[test]"] and stamp == "test"
    assert "-c constraints.txt" in asked[1]
    assert venv(repo, "test") == ([], "test")
    assert venv(repo) == ([], "test")  # the till after the tests: all there already


def test_a_changed_pyproject_installs_again_what_was_there(tmp_path: Path) -> None:
    repo = checkout(tmp_path)
    venv(repo, "test")
    stamp = repo / ".venv" / ".stampdesk-installed"
    earlier = (repo / "pyproject.toml").stat().st_mtime - 10
    os.utime(stamp, (earlier, earlier))  # pyproject.toml changed since the install
    # The till's install keeps the test tools up to date too: the tests must not find them stale.
    asked, installed = venv(repo)
    assert installs(asked) == ["pip", ".[test]"] and installed == "test"
    assert venv(repo) == ([], "test")


def test_a_venv_of_an_older_scripts_venv_counts_as_a_test_install(tmp_path: Path) -> None:
    repo = checkout(tmp_path)
    (repo / ".venv" / ".stampdesk-installed").touch()  # it always installed [test], and wrote nothing
    assert venv(repo, "test") == ([], "")
    assert venv(repo) == ([], "")


def test_the_scripts_call_their_modes() -> None:
    till = (ROOT / "scripts" / "till").read_text(encoding="utf-8")
    test = (ROOT / "scripts" / "test").read_text(encoding="utf-8")
    assert "\nbash scripts/venv\n" in till and "stampdesk till --demo" in till
    assert "\nbash scripts/venv test\n" in test
