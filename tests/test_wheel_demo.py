"""stampdesk installed from its wheel, away from the repository: a new venv,
``pip install`` of the wheel, then ``stampdesk till --demo`` in a real
terminal opens the demo café (its programme and data are package data) and
``stampdesk check`` passes on it."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from helpers import BuiltWheel
from stampdesk.tui.text import Text
from terminal import STEP_TIMEOUT, Tmux, tmux_server

# The first start builds the demo café (three months of sales) before the
# till appears: seconds, more on a busy machine.
DEMO_TIMEOUT = 180.0


def installed(tmp_path: Path, wheel: Path) -> Path:
    """A new venv holding the wheel, installed by pip; its dependencies come
    from this venv's site-packages (a .pth file: nothing to download), and
    stampdesk only from the wheel. Returns the venv's bin folder."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # A path line of a .pth file adds that folder only: this venv's editable
    # stampdesk (its own .pth file there) is not seen by the new one.
    (Path(site) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
         "--no-index", str(wheel)],
        check=True,
        timeout=120,
    )  # fmt: skip
    return venv / "bin"


@pytest.mark.slow
def test_the_wheel_opens_the_demo_till_outside_the_repository(
    tmp_path: Path, built_wheel: BuiltWheel
) -> None:
    assert "stampdesk/demo/program.toml" in built_wheel.names
    bin_dir = installed(tmp_path, built_wheel.wheel)
    shop = tmp_path / "shop"
    shop.mkdir()
    origin = subprocess.run(
        [str(bin_dir / "python"), "-c", "import stampdesk; print(stampdesk.__file__)"],
        capture_output=True,
        text=True,
        cwd=shop,
        check=True,
    )
    assert origin.stdout.startswith(str(tmp_path / "venv")), origin

    ready = Text("fr_FR")("hint.cleared")  # "Prêt : scannez une carte."
    with tmux_server() as tmux:
        tmux.start([str(bin_dir / "stampdesk"), "till", "--demo"], cwd=shop)
        screen = open_till(tmux, ready)
        assert "Café Bleu" in screen.split("\n")[0]
        tmux.quit()

    def stampdesk(*args: str) -> dict[str, object]:
        done = subprocess.run(
            [str(bin_dir / "stampdesk"), "--config", "demo/stampdesk.toml", *args, "--json"],
            capture_output=True,
            text=True,
            cwd=shop,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0 and done.stderr == "", done
        result: dict[str, object] = json.loads(done.stdout)
        return result

    checked = stampdesk("check")
    assert checked["ok"] is True and checked["cards"] == 300
    where = stampdesk("where")
    assert where["database"] == {
        "value": f"sqlite:///{shop / 'demo' / 'cafe.db'}",
        "exists": True,
        "source": "config",
        "via": "demo/stampdesk.toml",
    }
    assert stampdesk("program", "show")["name"] == "Café Bleu"

    # The next launch opens the same café at once (nothing to build).
    with tmux_server() as tmux:
        tmux.start([str(bin_dir / "stampdesk"), "till", "--demo"], cwd=shop)
        open_till(tmux, ready, timeout=STEP_TIMEOUT * 3)
        tmux.quit()
    assert sorted(p.name for p in (shop / "demo").iterdir() if not p.name.startswith("cafe.db-")) == [
        "cafe.db",
        "stampdesk.toml",
    ]


def open_till(tmux: Tmux, ready: str, timeout: float = DEMO_TIMEOUT) -> str:
    """The till's first full screen: the ready line, the programme's name in the header."""
    return tmux.wait_for(
        lambda s: ready in s and "Café Bleu" in s.split("\n")[0], timeout, "the demo till's ready screen"
    )
