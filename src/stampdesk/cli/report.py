"""`stampdesk report`: how the programme performs."""

from __future__ import annotations

from pathlib import Path

import click

from .common import CONTEXT, book_of, common_options, current_state, desk_for, dumps, emit


@click.command(context_settings=CONTEXT)
@click.option("--from", "start", metavar="DATE", help="First day (YYYY-MM-DD); default: 30 days ago.")
@click.option("--to", "end", metavar="DATE", help="Last day, included (YYYY-MM-DD); default: today.")
@click.option(
    "--format",
    "form",
    type=click.Choice(["text", "json", "csv", "html"]),
    default=None,
    help="text (default), json (as --json), csv or html (one self-contained page).",
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE instead of stdout."
)
@click.option(
    "--shop", metavar="SHOP", help="One shop of the chain (name or number); default: the whole chain."
)
@common_options
def report(start: str | None, end: str | None, form: str | None, out: Path | None, shop: str | None) -> None:
    """How the programme performs: members against walk-ins, stamps and
    rewards, what the rewards cost, retention, and a verdict."""
    from ..report_formats import report_csv, report_html, report_text

    state = current_state()
    form = form or ("json" if state.json else "text")
    with desk_for(state) as desk:
        result = desk.report(start, end, shop=shop)
        locale = desk.settings.locale
        say = book_of(desk)
    data = result.to_dict()
    body = {
        "json": lambda: dumps(data),
        "csv": lambda: report_csv(result),
        "html": lambda: report_html(result, locale),
        "text": lambda: report_text(result, locale),
    }[form]()
    if out is None:
        click.echo(body)
        return
    out.write_text(body if body.endswith("\n") else body + "\n", encoding="utf-8")
    emit(state, {"out": str(out), "format": form}, lambda: say("cli.report.written", out=out, form=form))


COMMANDS = (report,)
