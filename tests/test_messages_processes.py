"""`stampdesk messages run` as cron runs it, in real processes: two at the
same moment, and one killed with kill -9 while the mail server (real, on
127.0.0.1, made slow) holds a message. Every e-mail goes at most once; the
rest is sent by the next run."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from helpers import STAMPDESK, Clock
from mail_sink import MailSink
from stampdesk.models import mail_outbox
from test_messages import START, consent, enrol, open_shop, programme

pytestmark = pytest.mark.slow
CUSTOMERS = 8
AT = (START + timedelta(days=15, hours=1)).isoformat()  # near_reward and win_back due for each


def shop(url: str, sink: MailSink, tmp_path: Path) -> tuple[Path, Any]:
    """A shop whose customers all consent (nobody held out, 7 e-mails a week
    allowed: two each are due), and the config file its cron job uses."""
    desk = open_shop(url, Clock(START), sink, holdout=0.0)
    desk.load_program_text(programme(0.0).replace("max_per_week = 1", "max_per_week = 7"))
    for i in range(CUSTOMERS):
        consent(desk, enrol(desk, f"Client{i}", f"c{i}@example.org"))
    engine = desk.store.engine
    desk.store.close = lambda: None  # type: ignore[method-assign]  # the test reads the outbox after
    desk.close()
    config = tmp_path / "config.toml"
    config.write_text(
        f'database = "{url}"\n'
        'public_url = "https://cafe.example/"\n'
        'timezone = "Europe/Paris"\n'
        "[mail]\n"
        'host = "127.0.0.1"\n'
        f"port = {sink.port}\n"
        'security = "none"\n'
        'from = "Café Bleu <cafe@example.org>"\n',
        encoding="utf-8",
    )
    return config, engine


def run(config: Path, at: str = AT) -> subprocess.Popen[str]:
    env = {**os.environ, "STAMPDESK_CONFIG": str(config)}
    return subprocess.Popen(
        [str(STAMPDESK), "messages", "run", "--at", at, "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def rows(engine: Any) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(mail_outbox).order_by(mail_outbox.c.id)))


def test_two_runs_at_once_send_each_email_once(db_url: str, tmp_path: Path) -> None:
    sink = MailSink().start()
    sink.handler.delay = 0.05  # both runs are in the middle of sending together
    try:
        config, engine = shop(db_url, sink, tmp_path)
        first, second = run(config), run(config)
        for process in (first, second):
            _, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
        received = sink.received
        ids = Counter(r.message["Message-ID"] for r in received)
        assert len(received) == 2 * CUSTOMERS and max(ids.values()) == 1
        assert Counter(a for r in received for a in r.recipients) == {
            f"c{i}@example.org": 2 for i in range(CUSTOMERS)
        }
        assert {r.state for r in rows(engine)} == {"sent"}
    finally:
        sink.stop()


def test_a_run_killed_mid_way_never_sends_twice_and_the_next_run_sends_the_rest(
    db_url: str, tmp_path: Path
) -> None:
    sink = MailSink().start()
    sink.handler.delay = 1.0  # slow: the kill lands while the server holds a message
    try:
        config, engine = shop(db_url, sink, tmp_path)
        killed = run(config)
        deadline = time.monotonic() + 60
        while sink.handler.started < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(killed.pid, signal.SIGKILL)
        killed.communicate(timeout=30)
        sink.handler.delay = 0.0
        states = Counter(r.state for r in rows(engine))
        assert states["sending"] == 1 and states["sent"] == 2, states
        again = run(config)
        _, err = again.communicate(timeout=120)
        assert again.returncode == 0, err
        # The row left sending is not sent again: its lease has not run out.
        later = run(config, (START + timedelta(days=15, hours=2)).isoformat())
        _, err = later.communicate(timeout=120)
        assert later.returncode == 0, err
        states = Counter(r.state for r in rows(engine))
        assert states == {"sent": 2 * CUSTOMERS - 1, "uncertain": 1}, states
        ids = Counter(r.message["Message-ID"] for r in sink.received)
        assert max(ids.values()) == 1
        # Every e-mail recorded sent arrived; the one the dead run was sending
        # may have (here the server dropped it with the connection): never twice.
        sent = {r.message_id for r in rows(engine) if r.state == "sent"}
        uncertain = {r.message_id for r in rows(engine) if r.state == "uncertain"}
        assert sent <= set(ids) <= sent | uncertain
    finally:
        sink.stop()
