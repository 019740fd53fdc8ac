"""The user guide (docs/guide.md) tells the truth: every `stampdesk` command in
its code blocks is one the command line takes (command, options, arguments), every picture it shows exists,
every function key of the till is explained, and the README leads to it."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator

import click
import pytest

from helpers import ROOT
from stampdesk.cli import cli
from stampdesk.cli.common import CliState

GUIDE = ROOT / "docs" / "guide.md"
README = ROOT / "README.md"

FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")
# A crontab line's five time fields, before its command.
CRON_SCHEDULE = re.compile(r"^\s*([\d*/,-]+\s+){5}(?=\S)")
# Words after which a shell starts a new command.
COMMAND_STARTS = {"&&", "||", "|", ";", "then", "do", "exec", "sudo", "time", "-c", "$("}


def code_blocks(markdown: str) -> list[str]:
    return FENCE.findall(markdown)


def invocations(block: str) -> Iterator[list[str]]:
    """The words after each `stampdesk` that a shell would run as the command
    (first word of a line or after `&&`, `sh -c '`, `ExecStart=/…/stampdesk`),
    not a `stampdesk` that is an argument (`createdb --owner stampdesk`) or a
    Python module (`import stampdesk`)."""
    text = re.sub(r"\\\n", " ", block)  # continued lines are one command
    for line in text.splitlines():
        line = CRON_SCHEDULE.sub("", line.split(" #")[0])
        words = line.split()
        for i, word in enumerate(words):
            program = re.sub(r"^Exec\w*=", "", word).lstrip("'\"(").rsplit("/", 1)[-1]
            if program != "stampdesk":
                continue
            before = words[:i]
            at_start = all(re.fullmatch(r"[A-Z_]+=\S*", w) for w in before)
            if at_start or before[-1] in COMMAND_STARTS or before[-1].endswith(";"):
                yield words[i + 1 :]


def refused_by_the_cli(argv: list[str]) -> str | None:
    """Why the command line would refuse ``stampdesk ARGV`` (an unknown
    command or sub-command, an unknown option, a missing argument, a value of
    the wrong kind), or None. Nothing is run: each level only parses."""
    words = shlex.split(re.sub(r"\$\([^)]*\)", "X", " ".join(argv)).replace("'", ""))
    for stop in ("&&", "||", "|", ";"):
        words = words[: words.index(stop)] if stop in words else words
    if not words or words[0] in ("--help", "-h", "--version"):
        return None
    try:
        context = cli.make_context("stampdesk", list(words), obj=CliState())
        command: click.Command | None = cli
        while isinstance(command, click.Group):
            left = [*context._protected_args, *context.args]  # the command's name, then its words
            if not left and command.invoke_without_command:
                break  # `stampdesk proxy --listen …`: the group runs by itself
            name, command, rest = command.resolve_command(context, left)
            assert command is not None and name is not None
            context = command.make_context(name, rest, parent=context)
    except click.ClickException as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # `stampdesk program` alone shows the help
            return f"stampdesk {' '.join(words)}: says no command"
        return f"stampdesk {' '.join(words)}: {exc.format_message()}"
    return None


def guide_commands() -> list[list[str]]:
    return [argv for block in code_blocks(GUIDE.read_text(encoding="utf-8")) for argv in invocations(block)]


def test_every_command_in_the_guides_code_blocks_is_one_the_cli_takes() -> None:
    found = guide_commands()
    names = {" ".join(argv[:2]) for argv in found}
    assert len(names) >= 30, sorted(names)  # the guide is read, not skipped
    problems = sorted({p for argv in found if (p := refused_by_the_cli(argv))})
    assert problems == []


@pytest.mark.parametrize(
    ("block", "problem"),
    [
        ("stampdesk frobnicate --count 3", "No such command 'frobnicate'."),
        ("cd shop && stampdesk staff hire Léa", "No such command 'hire'."),
        ("stampdesk --db sqlite:///x.db program", "says no command"),
        ("stampdesk cards print --cnt 3 --out c.pdf", "No such option '--cnt'"),
        ("stampdesk report --format pdf", "'pdf' is not one of 'text', 'json', 'csv', 'html'."),
        ("30 2 * * * /opt/sd/bin/stampdesk --config /etc/s.toml bakup /tmp/x", "No such command 'bakup'."),
        ("ExecStart=/bin/sh -c 'stampdesk restore'", "Missing argument 'PATH'."),
    ],
)
def test_a_command_the_cli_would_refuse_is_caught(block: str, problem: str) -> None:
    assert [problem in (refused_by_the_cli(argv) or "") for argv in invocations(block)] == [True]


def test_a_stampdesk_that_is_not_the_command_is_left_alone() -> None:
    block = "sudo -u postgres createdb --owner stampdesk stampdesk\nimport stampdesk\nUser=stampdesk"
    assert list(invocations(block)) == []


def test_every_picture_the_guide_shows_exists_and_stays_small() -> None:
    links = IMAGE.findall(GUIDE.read_text(encoding="utf-8"))
    assert len(links) >= 10
    for link in links:
        picture = (GUIDE.parent / link).resolve()
        assert picture.is_file(), link
        assert picture.is_relative_to(ROOT / "docs" / "img"), link
        limit = 100_000 if "receipt" in picture.name else 200_000
        assert 0 < picture.stat().st_size < limit, link


def test_every_function_key_of_the_till_is_explained() -> None:
    from stampdesk.tui.app import TillApp
    from stampdesk.tui.screens.till import TillScreen

    bound = [getattr(binding, "key", "") for binding in [*TillScreen.BINDINGS, *TillApp.BINDINGS]]
    keys = {key.upper() for key in bound if re.fullmatch(r"f\d+", key)}
    assert {"F2", "F5", "F9", "F11"} <= keys
    rows = {m.group(1) for m in re.finditer(r"^\| (F\d+) \|", GUIDE.read_text(encoding="utf-8"), re.M)}
    assert keys <= rows, sorted(keys - rows)


def test_the_readme_leads_to_the_guide_from_its_quick_start() -> None:
    readme = README.read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "(docs/guide.md)" in quick_start


def anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives the headings of a page."""
    headings = re.findall(r"^#+ (.+)$", re.sub(FENCE, "", markdown), re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def test_every_section_the_guide_points_to_exists() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    pages = {"": anchors(guide), "../README.md": anchors(README.read_text(encoding="utf-8"))}
    links = re.findall(r"\]\(((?:\.\./README\.md)?)#([^)]+)\)", guide)
    assert len(links) >= 10
    missing = [f"{page}#{anchor}" for page, anchor in links if anchor not in pages[page]]
    assert missing == []
