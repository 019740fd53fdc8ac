"""A shop owner's first minutes: ``bash scripts/till`` on a fresh clone.

    .venv/bin/python bench/bench_first_start.py [--starts 5] [--repo PATH]

1. ``git clone`` of the repository's HEAD into a temporary folder (nothing
   of this checkout's .venv or demo/ comes along), then ``bash scripts/till``
   in tmux (80×24), as the README's quick start says: timed from ``tmux
   new-session`` to the till's first full screen (the programme's name, the
   ready line and the footer), read with ``capture-pane`` every 50 ms. It
   includes creating .venv and pip's whole install (downloads included, from
   the indexes pip is configured with), building the demo café, and the
   till's start. Target ≤ 45 s.
2. What that .venv holds: its size, and that none of the test tools
   (pytest, Playwright, mypy) is in it.
3. The next launches, ``--starts`` times: the same command, the venv and the
   demo already there. Target ≤ 1 s.

The tills run with their own XDG folders (no user config or data).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common
from _common import Timings, Verdicts
from bench_till import Tmux, hermetic_env, ready_screen

FIRST_TARGET = 45.0
NEXT_TARGET = 1.0
TEST_TOOLS = ("pytest", "playwright", "mypy")


def till_to_screen(
    tmux: Tmux, clone: Path, env: dict[str, str], timeout: float, command: list[str] | None = None
) -> float:
    """Seconds from starting ``bash scripts/till`` (or ``command``) to the till's first full screen."""
    from stampdesk.tui.text import Text

    ready = Text("fr_FR")("hint.cleared")  # the demo café's settings: the default locale
    t = time.perf_counter()
    tmux.start(command or ["bash", str(clone / "scripts" / "till")], env)
    seen = ready_screen("Café Bleu", ready)
    deadline = t + timeout
    while time.perf_counter() < deadline:
        if seen(tmux.screen()):
            took = time.perf_counter() - t
            tmux.keys("C-q")
            deadline = time.perf_counter() + 15
            while alive(tmux) and time.perf_counter() < deadline:  # the till quits, its session ends
                time.sleep(0.05)
            return took
        time.sleep(0.05)
    raise SystemExit(f"the till did not show its ready screen in {timeout:.0f} s:\n{tmux.screen()}")


def alive(tmux: Tmux) -> bool:
    ask = ["tmux", "-L", tmux.name, "-f", os.devnull, "has-session", "-t", tmux.name]
    return subprocess.run(ask, capture_output=True, check=False).returncode == 0


def venv_holds(clone: Path) -> tuple[str, list[str]]:
    """The clone's .venv: its size (du -sh) and which test tools it holds."""
    size = subprocess.run(["du", "-sh", str(clone / ".venv")], capture_output=True, text=True, check=True)
    found = subprocess.run(
        [
            str(clone / ".venv" / "bin" / "python"),
            "-c",
            "import importlib.util as u, sys; print(' '.join(m for m in sys.argv[1:] if u.find_spec(m)))",
            *TEST_TOOLS,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return size.stdout.split()[0], found.stdout.split()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--starts", type=int, default=5, help="next launches measured")
    parser.add_argument("--repo", type=Path, default=_common.BENCH.parent, help="the repository to clone")
    args = parser.parse_args(argv)
    assert importlib.util.find_spec("stampdesk") is not None, "run with the repository's .venv/bin/python"

    verdicts = Verdicts()
    print(_common.environment())
    print(f"code: {_common.code_version()}")
    print(f"at start: {_common.load()}")
    with tempfile.TemporaryDirectory(prefix="bench-first-start-") as tmp:
        folder = Path(tmp)
        clone = folder / "stampdesk"
        subprocess.run(["git", "clone", "-q", str(args.repo), str(clone)], check=True)
        head = ["git", "-C", str(clone), "rev-parse", "--short", "HEAD"]
        cloned = subprocess.run(head, capture_output=True, text=True, check=True)
        print(f"cloned: {args.repo} at {cloned.stdout.strip()}")
        env = hermetic_env(folder)

        print("\n== 1. Fresh clone: bash scripts/till to the till's screen ==", flush=True)
        tmux = Tmux()
        try:
            first = till_to_screen(tmux, clone, env, timeout=600)
        finally:
            tmux.stop()
        print(f"  {first:.1f} s (load after: {_common.load()})")
        verdicts.add(first <= FIRST_TARGET, f"fresh clone to till ≤ {FIRST_TARGET:.0f} s", f"{first:.1f} s")

        print("\n== 2. What .venv holds ==")
        size, tools = venv_holds(clone)
        stamp = (clone / ".venv" / ".stampdesk-installed").read_text().strip()
        print(f"  .venv {size}, installed: {stamp}; test tools found: {', '.join(tools) or 'none'}")
        verdicts.add(not tools, "no pytest/playwright/mypy in .venv", f"{size}, {', '.join(tools) or 'none'}")

        print(f"\n== 3. Next launches ({args.starts}) ==", flush=True)
        # The baseline, taken in turn with them: the till itself on the same
        # shop, without the quick start's script and --demo.
        config = clone / "demo" / "stampdesk.toml"
        bare = [str(clone / ".venv" / "bin" / "stampdesk"), "--config", str(config)]
        samples: list[float] = []
        baseline: list[float] = []
        runs: list[tuple[list[str] | None, list[float]]] = [(None, samples)]
        if config.exists():  # not in a checkout from before the demo had its config file
            runs.append(([*bare, "till"], baseline))
        for _ in range(args.starts):
            for command, into in runs:
                tmux = Tmux()
                try:
                    into.append(till_to_screen(tmux, clone, env, timeout=30, command=command))
                finally:
                    tmux.stop()
        nexts = Timings.of("bash scripts/till, venv and demo there: start to 1st screen", samples)
        print(f"  bash scripts/till: median {nexts.median:.2f} s, max {max(samples):.2f} s")
        if baseline:
            bares = Timings.of("baseline: stampdesk --config demo/stampdesk.toml till", baseline)
            print(f"  baseline, the till itself: median {bares.median:.2f} s, max {max(baseline):.2f} s")
        verdicts.add(
            max(samples) <= NEXT_TARGET,
            f"next launches ≤ {NEXT_TARGET:.0f} s",
            f"median {nexts.median:.2f} s, max {max(samples):.2f} s",
        )
    print(f"\nat end: {_common.load()}")
    print(verdicts.summary())
    return 0 if all(ok for ok, _, _ in verdicts.lines) else 1


if __name__ == "__main__":
    sys.exit(main())
