"""The real ``stampdesk till`` in a real terminal (tmux, 80×24): started by
its command, driven by keys as a scanner sends them, quit with ctrl+q.

Pilot drives the app inside the test's process; this drives the installed
command, so what it proves is what a shop runs: the console script, the
settings from the command line and the environment, the terminal handling.
"""

from __future__ import annotations

from pathlib import Path

import stampdesk
from helpers import EXAMPLE_PROGRAM, migrated_sqlite
from stampdesk.config import Settings
from stampdesk.tui.present import printer_line, printer_state
from stampdesk.tui.text import Text
from terminal import START_TIMEOUT, STEP_TIMEOUT, Tmux, flat, till_command


def test_the_till_command_sells_in_a_real_terminal(tmp_path: Path, tmux: Tmux) -> None:
    database = migrated_sqlite(tmp_path / "shop.db")
    with stampdesk.connect(settings=Settings(database=database, timezone="Europe/Paris")) as desk:
        desk.load_program_file(EXAMPLE_PROGRAM)
        ana = desk.enrol(name="Ana Martin")
        tr = Text(desk.settings.locale, desk.settings.zone)
    receipts = tmp_path / "receipts"
    tmux.start(till_command(database, "--printer", f"preview://{receipts}"))

    ready = tr("hint.cleared")  # "Prêt : scannez une carte."
    # The header names the shop once the programme is read (a worker), which
    # may come a frame after the ready line: wait for both.
    screen = tmux.wait_for(
        lambda s: ready in s and "F7" in s and "Café Bleu" in s.split("\n")[0], START_TIMEOUT, "ready screen"
    )
    lines = screen.rstrip("\n").split("\n")
    assert len(lines) <= 24 and all(len(line) <= 80 for line in lines)
    assert "Café Bleu" in lines[0]

    tmux.keys(ana.number, literal=True)
    tmux.keys("Enter")
    tmux.wait_for(lambda s: tr("card.greeting", name="Ana Martin") in s, STEP_TIMEOUT, "card")
    tmux.keys("4.50", literal=True)
    tmux.keys("Enter")
    added = tr("sale.done", checkout=1)
    printed = printer_line(printer_state(None, tr), None, tr)  # "Imprimante : prête"
    screen = tmux.wait_for(
        lambda s: added in flat(s) and printed in s, STEP_TIMEOUT, "stamps added and receipt printed"
    )
    assert tr.count("added", 1) in flat(screen)
    with stampdesk.connect(database) as desk:
        assert desk.card(ana.number).balance == 3
    assert sorted(p.name for p in receipts.iterdir()) == ["receipt-000001.png", "receipt-000001.txt"]

    tmux.quit()
