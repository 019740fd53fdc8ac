"""The till: start to ready, scan to result, memory, against the targets.

    .venv/bin/python bench/bench_till.py [--scans 200] [--cards 100000] [--starts 5]

1. Start to ready on the demo shop (``stampdesk init --demo``: 300 card
   holders, 180 days of sales), target ≤ 1.0 s:
   a. headless: a fresh Python process imports stampdesk and the till,
      connects, and runs the app with Pilot (``run_test``, 80×24) until the
      screen is ready (the programme's name in the header, "ready: scan a
      card", the first frame drawn); timed from the process's spawn to its
      "ready" line, with its own breakdown. A start of the baseline and
      one of the till take turns (a load on the machine weighs on both
      alike), after a warm-up of each, printed and not counted (it reads
      the files from the disk);
   b. the real ``stampdesk till`` in tmux (80×24): from ``tmux new-session``
      to the first full screen (the programme's name, the ready line and the
      footer), read with ``capture-pane`` every 10 ms, after a warm-up.
2. Scan to result with 100,000 cards (``build_db.ensure``; copied, so the
   cached file is never touched), target p95 ≤ 100 ms: in the app (Pilot,
   80×24), from the Enter that ends a scan to a frame showing that card
   ("Card 29…" in the panel), for ``--scans`` random cards. The engine's
   part (``desk.card`` + ``desk.program``, what the lookup worker calls) is
   timed apart, as the baseline the screen adds to.
3. Memory of the till process, target ≤ 150 MB: the real ``stampdesk till``
   in tmux on the 100,000-card shop, VmRSS after start and after 50 scans
   typed into it (and its peak, VmHWM); the headless run's own process for
   comparison (it also holds the bench and Pilot). Baseline: with Textual's
   own ``Footer``, which keeps every key it ever drew, the till grew by about
   0.8 MB a scan (66 MB at start, 108 MB after 50 scans); ``TillFooter``
   drops them.

No receipt printer is set (its opening runs in a worker after the screen is
ready; receipts have their own benchmark, bench_printer.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import _common
from _common import TABLE_HEAD, Timings, Verdicts, ms, sqlite_url

START_TARGET = 1.0
SCAN_TARGET = 0.100
RSS_TARGET_MB = 150.0
SIZE = (80, 24)
STAMPDESK = Path(sys.executable).with_name("stampdesk")
TMUX_TIMEOUT = 15.0


# ----------------------------------------------------------------------
# Helpers


def rss_mb(pid: int | str = "self") -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process, in MB (10^6 bytes)."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) * 1024 / 1e6
    return fields["VmRSS"], fields["VmHWM"]


def hermetic_env(home: Path) -> dict[str, str]:
    """The environment the measured tills run in: no user config or data."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STAMPDESK_", "TMUX"))}
    env.update(
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        TERM="xterm-256color",
    )
    return env


def demo_shop(folder: Path) -> str:
    """A demo café built by the command line, as a shop would try it."""
    url = sqlite_url(folder / "demo.db")
    subprocess.run(
        [str(STAMPDESK), "init", "--demo", "--db", url],
        env=hermetic_env(folder),
        check=True,
        capture_output=True,
        timeout=300,
    )
    return url


def big_shop(cards: int, folder: Path) -> tuple[str, list[str]]:
    """A copy of the cached shop of ``cards`` cards, and its card numbers."""
    sys.path.insert(0, str(_common.BENCH))
    from build_db import ensure

    path, _ = ensure(cards)
    copy = folder / path.name
    shutil.copyfile(path, copy)
    conn = sqlite3.connect(copy)
    try:
        numbers = [row[0] for row in conn.execute("SELECT number FROM cards WHERE status = 'active'")]
    finally:
        conn.close()
    return sqlite_url(copy), numbers


class Tmux:
    """A tmux server of the bench's own (own socket, no user config)."""

    def __init__(self) -> None:
        self.name = f"stampdesk-bench-{os.getpid()}-{time.monotonic_ns() % 10**9}"

    def run(self, *args: str, check: bool = True, env: dict[str, str] | None = None) -> str:
        return subprocess.run(
            ["tmux", "-L", self.name, "-f", os.devnull, *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=check,
            env=env,
        ).stdout

    def start(self, command: list[str], env: dict[str, str]) -> None:
        cmd = "exec " + shlex.join(command)  # the pane's process is the till itself
        self.run("new-session", "-d", "-s", self.name, "-x", str(SIZE[0]), "-y", str(SIZE[1]), cmd, env=env)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.name, check=False)

    def pid(self) -> int:
        return int(self.run("display-message", "-p", "-t", self.name, "#{pane_pid}").strip())

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.run("send-keys", "-t", self.name, *(["-l"] if literal else []), *keys)

    def wait_for(self, seen: Callable[[str], bool], timeout: float = TMUX_TIMEOUT, poll: float = 0.01) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if seen(screen):
                return screen
            time.sleep(poll)
        raise SystemExit(f"tmux: the till did not show what was expected in {timeout} s:\n{self.screen()}")

    def stop(self) -> None:
        self.run("kill-server", check=False)
        socket_dir = Path(os.environ.get("TMUX_TMPDIR", "/tmp")) / f"tmux-{os.getuid()}"
        (socket_dir / self.name).unlink(missing_ok=True)


def ready_screen(programme: str, ready: str) -> Callable[[str], bool]:
    """A first full screen: header with the programme, the ready line, the footer."""
    return lambda s: programme in s and ready in s and "^q" in s


# ----------------------------------------------------------------------
# 1. Start to ready


def child_start(url: str) -> None:
    """(In a fresh process.) Start the till headless; print when it is ready."""
    t0 = time.perf_counter()
    import stampdesk
    from stampdesk.tui.app import make_till

    t_import = time.perf_counter()
    desk = stampdesk.connect(url)
    t_connect = time.perf_counter()
    app = make_till(desk)

    async def run() -> None:
        async with app.run_test(size=SIZE) as pilot:
            till = app.till
            while (
                app.screen is not till  # a shop with staff would open on its PIN screen
                or till.programme is None
                or till.feedback.message != till.text("hint.cleared")
            ):
                await pilot.pause(0.001)
            await pilot.pause()  # the frame with the programme's name
            ready = time.perf_counter()
            rss, _ = rss_mb()
            print(
                json.dumps(
                    {
                        "import": t_import - t0,
                        "connect": t_connect - t_import,
                        "app": ready - t_connect,
                        "rss_mb": rss,
                    }
                ),
                flush=True,
            )

    asyncio.run(run())
    desk.close()


def interleaved_starts(
    url: str, runs: int, env: dict[str, str]
) -> tuple[Timings, Timings, list[dict[str, float]]]:
    """The baseline and the headless till, one start of each in turn (so
    that another load on the machine weighs on both alike), after one
    warm-up of each that is printed and not counted (it reads the files
    from the disk: a machine's first start of the day)."""
    floor, samples, parts = [], [], []
    warm_floor, warm = stack_floor(env), headless_start(url, env)[0]
    print(f"  warm-up, not counted: baseline {warm_floor:.3f} s, headless till {warm:.3f} s")
    for _ in range(runs):
        floor.append(stack_floor(env))
        took, part = headless_start(url, env)
        samples.append(took)
        parts.append(part)
    return (
        Timings.of("baseline: spawn + import sqlalchemy, textual", floor),
        Timings.of("headless: spawn to ready (Pilot)", samples),
        parts,
    )


def headless_start(url: str, env: dict[str, str]) -> tuple[float, dict[str, float]]:
    """One headless start: seconds from spawn to ready, and its own breakdown."""
    t = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, __file__, "--child-start", url],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    took = time.perf_counter() - t
    child.wait(timeout=30)
    return took, json.loads(line)


def stack_floor(env: dict[str, str]) -> float:
    """The baseline: a process that only imports SQLAlchemy and Textual (what
    any till on this stack pays before its own code runs), on this machine now."""
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import sqlalchemy, textual.app"], env=env, check=True)
    return time.perf_counter() - t


def tmux_starts(url: str, runs: int, env: dict[str, str], programme: str, ready: str) -> Timings:
    samples = []
    for _ in range(runs + 1):  # the first, a warm-up, is not counted
        tmux = Tmux()
        try:
            t = time.perf_counter()
            tmux.start([str(STAMPDESK), "till", "--db", url], env)
            tmux.wait_for(ready_screen(programme, ready))
            samples.append(time.perf_counter() - t)
        finally:
            tmux.stop()
    print(f"  warm-up, not counted: stampdesk till in tmux {samples[0]:.3f} s")
    return Timings.of("stampdesk till in tmux: start to 1st screen", samples[1:])


# ----------------------------------------------------------------------
# 2. Scan to result


async def scans_in_app(url: str, numbers: list[str]) -> tuple[Timings, Timings, float, float]:
    """Scan each card in a headless till: (Enter to frame, Enter to the
    panel's update, RSS after start, RSS after the scans).

    Pilot's ``press`` waits for the whole app to be idle (about 130 ms here),
    so the Enter is posted as the terminal driver posts it, and the frame is
    timed where Textual hands it to the driver (``App._display``), after
    turning it into the terminal's bytes as a real terminal's driver would.
    """
    from textual import events
    from textual._compositor import CompositorUpdate
    from textual.widgets import Input

    import stampdesk
    from stampdesk.config import Settings
    from stampdesk.tui.app import make_till

    desk = stampdesk.connect(settings=Settings(database=url))
    app = make_till(desk)
    painted: list[float] = []
    real_display = app._display

    def display(screen: Any, renderable: Any) -> None:
        real_display(screen, renderable)
        if renderable is not None:
            if isinstance(renderable, CompositorUpdate):
                renderable.render_segments(app.console)  # what a terminal would be sent
            painted.append(time.perf_counter())

    app._display = display  # type: ignore[method-assign]
    try:
        async with app.run_test(size=SIZE) as pilot:
            till = app.till
            while app.screen is not till or till.programme is None:
                await pilot.pause(0.001)
            await pilot.pause()
            rss_start, _ = rss_mb()
            field = till.query_one("#card-input", Input)
            panel = till.card_panel
            shown_at: list[float] = []
            real_show = panel.show_card

            def show_card(*args: Any, **kwargs: Any) -> None:
                real_show(*args, **kwargs)
                shown_at.append(time.perf_counter())

            panel.show_card = show_card  # type: ignore[method-assign]
            to_frame, to_panel = [], []
            for number in numbers:
                expected = till.text("card.number", number=number)
                field.value = number  # the scanner's burst, in one go
                await pilot.pause()
                shown_at.clear()
                t = time.perf_counter()
                app.post_message(events.Key("enter", "\r"))
                while not shown_at or panel.card is None or panel.card.number != number:
                    await asyncio.sleep(0.0005)
                shown = shown_at[-1]
                while not painted or painted[-1] < shown:
                    await asyncio.sleep(0.0005)
                frame_at = next(p for p in painted if p >= shown)
                if expected not in frame(app):
                    raise SystemExit(f"the frame after the scan of {number} does not show it")
                to_panel.append(shown - t)
                to_frame.append(frame_at - t)
                await pilot.press("escape")  # back to waiting for a scan
            rss_end, _ = rss_mb()
    finally:
        desk.close()
    return (
        Timings.of(f"scan: Enter to frame ({len(numbers)} cards)", to_frame),
        Timings.of("scan: Enter to card panel updated", to_panel),
        rss_start,
        rss_end,
    )


def frame(app: Any) -> str:
    """The characters of the screen's current frame."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def engine_lookups(url: str, numbers: list[str]) -> Timings:
    """What the lookup worker calls, without the screen: the baseline."""
    import stampdesk
    from stampdesk.config import Settings

    desk = stampdesk.connect(settings=Settings(database=url))
    try:
        desk.card(numbers[0])
        samples = []
        for number in numbers:
            t = time.perf_counter()
            desk.card(number)
            desk.program()
            samples.append(time.perf_counter() - t)
    finally:
        desk.close()
    return Timings.of("engine: desk.card + desk.program", samples)


# ----------------------------------------------------------------------
# 3. Memory of the real till


def tmux_memory(
    url: str,
    numbers: list[str],
    env: dict[str, str],
    programme: str,
    ready: str,
    card_line: Callable[[str], str],
) -> tuple[float, float, float, Timings]:
    """RSS of ``stampdesk till`` after start and after scanning ``numbers``
    (and its peak); the scans' times as read through tmux (10 ms polls)."""
    tmux = Tmux()
    try:
        tmux.start([str(STAMPDESK), "till", "--db", url], env)
        tmux.wait_for(ready_screen(programme, ready))
        pid = tmux.pid()
        time.sleep(0.5)  # let the start's workers end
        rss_start, _ = rss_mb(pid)
        samples = []
        for number in numbers:
            expected = card_line(number)
            t = time.perf_counter()
            tmux.keys(number, literal=True)
            tmux.keys("Enter")
            tmux.wait_for(lambda s, e=expected: e in s, poll=0.005)  # type: ignore[misc]
            samples.append(time.perf_counter() - t)
            tmux.keys("Escape")
            # Keys right after Escape would read as an Alt sequence: wait for the idle screen.
            tmux.wait_for(lambda s, e=expected: ready in s and e not in s)  # type: ignore[misc]
        time.sleep(0.2)
        rss_end, peak = rss_mb(pid)
        tmux.keys("C-q")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
            time.sleep(0.05)
    finally:
        tmux.stop()
    return rss_start, rss_end, peak, Timings.of("scan in tmux: keys to screen (5 ms polls)", samples)


# ----------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scans", type=int, default=200, help="cards scanned in the app")
    parser.add_argument("--cards", type=int, default=100_000, help="cards in the shop for the scans")
    parser.add_argument("--starts", type=int, default=5, help="starts measured, each way")
    parser.add_argument("--child-start", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_start:
        child_start(args.child_start)
        return 0

    verdicts = Verdicts()
    print(_common.environment())
    print(f"code: {_common.code_version()}")
    print(f"at start: {_common.load()}")
    has_tmux = shutil.which("tmux") is not None
    if not has_tmux:
        print("tmux is not installed: the real-terminal figures are skipped")

    from stampdesk.config import Settings
    from stampdesk.tui.text import Text

    tr = Text(Settings(database="").locale)  # the shops below use the default settings
    ready = tr("hint.cleared")
    timings: list[Timings] = []
    with tempfile.TemporaryDirectory(prefix="bench-till-") as tmp:
        folder = Path(tmp)
        env = hermetic_env(folder)

        print("\n== 1. Start to ready, demo shop ==", flush=True)
        t = time.perf_counter()
        demo = demo_shop(folder)
        print(f"  demo shop built by `stampdesk init --demo` in {time.perf_counter() - t:.1f} s")
        programme = "Café Bleu"
        floor, headless, parts = interleaved_starts(demo, args.starts, env)
        timings += [floor, headless]
        print(f"  baseline (spawn + import sqlalchemy, textual): median {floor.median:.3f} s")
        for part in parts:
            took = {key: ms(part[key]).strip() for key in ("import", "connect", "app")}
            print(
                f"  headless run: import {took['import']}, connect {took['connect']}, "
                f"app to ready {took['app']}, RSS {part['rss_mb']:.0f} MB"
            )
        verdicts.add(
            headless.p(0.5) <= START_TARGET and max(headless.samples) <= START_TARGET,
            f"start to ready ≤ {START_TARGET:.1f} s (headless, spawn to ready)",
            f"median {headless.median:.3f} s, max {max(headless.samples):.3f} s "
            f"(baseline median {floor.median:.3f} s)",
        )
        if has_tmux:
            real = tmux_starts(demo, args.starts, env, programme, ready)
            timings.append(real)
            verdicts.add(
                max(real.samples) <= START_TARGET,
                f"start to 1st screen ≤ {START_TARGET:.1f} s (stampdesk till, tmux)",
                f"median {real.median:.3f} s, max {max(real.samples):.3f} s",
            )

        print(f"\n== 2. Scan to result, {args.cards:,} cards ==", flush=True)
        t = time.perf_counter()
        url, numbers = big_shop(args.cards, folder)
        print(f"  shop ready (cached or built, then copied) in {time.perf_counter() - t:.1f} s")
        rng = random.Random(20260301)
        picked = rng.sample(numbers, args.scans)
        timings.append(engine_lookups(url, picked))
        scans, to_panel, rss_start, rss_end = asyncio.run(scans_in_app(url, picked))
        timings += [to_panel, scans]
        verdicts.add(
            scans.p(0.95) <= SCAN_TARGET,
            f"scan to result p95 ≤ {SCAN_TARGET * 1000:.0f} ms ({args.cards:,} cards, in the app)",
            f"p95 {scans.p(0.95) * 1000:.1f} ms, median {scans.median * 1000:.1f} ms",
        )

        print("\n== 3. Memory ==", flush=True)
        print(
            f"  the bench's own process (which also loaded the {args.cards:,} card numbers, and may have "
            f"built the shop): {rss_start:.0f} MB after the app's start, {rss_end:.0f} MB after the scans"
        )
        if has_tmux:
            more = rng.sample(numbers, 50)
            real_start, real_end, peak, typed = tmux_memory(
                url, more, env, programme, ready, lambda n: tr("card.number", number=n)
            )
            timings.append(typed)
            print(
                f"  stampdesk till ({args.cards:,} cards): {real_start:.0f} MB after start, "
                f"{real_end:.0f} MB after 50 scans, peak {peak:.0f} MB"
            )
            verdicts.add(
                peak <= RSS_TARGET_MB,
                f"RSS of the till ≤ {RSS_TARGET_MB:.0f} MB (stampdesk till, peak)",
                f"{real_start:.0f} MB at start, {real_end:.0f} MB after scans, peak {peak:.0f} MB",
            )
        else:
            verdicts.add(
                rss_end <= RSS_TARGET_MB,
                f"RSS of the till ≤ {RSS_TARGET_MB:.0f} MB (headless process)",
                f"{rss_start:.0f} MB at start, {rss_end:.0f} MB after the scans",
            )

    print("\n" + TABLE_HEAD)
    for timing in timings:
        print(timing.row())
    print(verdicts.summary())
    return 0 if all(ok for ok, _, _ in verdicts.lines) else 1


if __name__ == "__main__":
    sys.exit(main())
