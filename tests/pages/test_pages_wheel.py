"""The pages' templates, stylesheet and icon ship inside the wheel."""

from __future__ import annotations

import subprocess
import sys

from helpers import BuiltWheel


def test_the_wheel_carries_the_pages_templates_and_assets(built_wheel: BuiltWheel) -> None:
    names, unpacked = built_wheel.names, built_wheel.site
    for name in ("base", "join", "card", "erase", "done", "problem", "grid"):
        assert f"stampdesk/web/templates/pages/{name}.html" in names
    assert {"stampdesk/web/static/pages/pages.css", "stampdesk/web/static/pages/icon.svg"} <= names
    code = (
        "import stampdesk.web.pages as p\n"
        f"assert p.__file__.startswith({str(unpacked)!r})\n"
        "print(p._template('problem.html').name, len(p._css_text()) > 1000)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(unpacked)},
        check=True,
    )
    assert out.stdout.split() == ["pages/problem.html", "True"]
