"""`stampdesk messages`: decide, queue and send the customer e-mails; preview one."""

from __future__ import annotations

import click

from .common import CONTEXT, book_of, common_options, current_state, desk_for, emit, warn


@click.group(context_settings=CONTEXT)
def messages() -> None:
    """Customer e-mails: the programme's [[program.messages]], sent through [mail]."""


@messages.command("run", context_settings=CONTEXT)
@click.option("--at", metavar="ISO", help="As if at this time (a past, timezone-aware time); default now.")
@click.option("--dry-run", is_flag=True, help="Decide and show what would be queued; write and send nothing.")
@common_options
def messages_run(at: str | None, dry_run: bool) -> None:
    """Decide the e-mails due, queue each once and send them, at most once
    each (safe from cron every few minutes, and from two places at once)."""
    state = current_state()
    with desk_for(state) as desk:
        result = desk.messages_run(at=at, dry_run=dry_run)
        say = book_of(desk)

    def text() -> str:
        if result.dry_run:
            lines = [say("cli.messages.dry_run", at=result.at, count=result.decided)]
            for p in result.planned:
                group = say("cli.messages.group.held_out" if p.held_out else "cli.messages.group.send")
                lines.append(
                    say("cli.messages.dry_line", kind=p.kind, card=p.card, occasion=p.occasion, group=group)
                )
            return "\n".join(lines)
        return say(
            "cli.messages.run",
            at=result.at,
            decided=result.decided,
            held=result.held_out,
            sent=result.sent,
            failed=result.failed,
            waiting=result.waiting,
        )

    emit(state, result.to_dict(), text)
    if result.server_down is not None:
        warn(say, say("cli.messages.server_down", detail=result.server_down))


@messages.command("preview", context_settings=CONTEXT)
@click.argument("kind", metavar="KIND")
@click.argument("card", metavar="CARD")
@click.option("--at", metavar="ISO", help="As at this time; default now.")
@common_options
def messages_preview(kind: str, card: str, at: str | None) -> None:
    """Print the e-mail KIND (lapse_warning, coupon_expiry, near_reward,
    win_back, birthday, or card_link: the card's link a customer asks for)
    as CARD's holder would get it: headers, subject, plain text and HTML.
    Nothing is sent or written."""
    state = current_state()
    with desk_for(state) as desk:
        result = desk.message_preview(kind, card, at=at)

    def text() -> str:
        headers = "\n".join(f"{name}: {value}" for name, value in result.headers.items())
        return f"{headers}\n\n{result.text}\n{result.html}"

    emit(state, result.to_dict(), text)


COMMANDS = (messages,)
