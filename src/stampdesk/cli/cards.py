"""Cards and their holders: enrol, look up, notes, the board, adjustments, printed cards."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..domain.errors import InvalidInput
from ..words import Book, formats
from .common import (
    CONTEXT,
    book_of,
    common_options,
    coupon_lines,
    current_state,
    desk_for,
    emit,
    progress_line,
)
from .common import (
    stamps as stamp_count,
)
from .sales import change_text

if TYPE_CHECKING:
    from ..results import CardState


@click.command(context_settings=CONTEXT)
@click.option("--name", required=True, help="The customer's name.")
@click.option("--email", metavar="E", help="E-mail address (optional).")
@click.option("--phone", metavar="P", help="Phone number (optional).")
@click.option("--birthday", metavar="YYYY-MM-DD", help="Birthday (optional).")
@click.option("--referrer", metavar="NUMBER", help="Card number of the friend who referred them.")
@click.option("--claim", metavar="TOKEN", help="Receipt claim token: keep the stamps of that walk-in sale.")
@click.option("--at", metavar="ISO", help="When, for history (a past, timezone-aware time); default now.")
@click.option(
    "--card", "card_number", metavar="NUMBER", help="Give them this pre-printed card instead of a new one."
)
@click.option(
    "--leaderboard",
    is_flag=True,
    help="They agree to be shown (first name only) on the customer-of-the-month board.",
)
@click.option(
    "--marketing",
    is_flag=True,
    help="They agree to receive the shop's marketing e-mails (needs --email; off unless given).",
)
@common_options
def enrol(
    name: str,
    email: str | None,
    phone: str | None,
    birthday: str | None,
    referrer: str | None,
    claim: str | None,
    at: str | None,
    card_number: str | None,
    leaderboard: bool,
    marketing: bool,
) -> None:
    """Create a card (with the starter stamps, and a receipt's stamps with --claim)."""
    state = current_state()
    with desk_for(state) as desk:
        result = desk.enrol(
            name=name,
            email=email,
            phone=phone,
            birthday=birthday,
            referrer=referrer,
            claim=claim,
            at=at,
            card=card_number,
            leaderboard=leaderboard,
            marketing=marketing,
            marketing_source="cli",
        )
        say = book_of(desk)

    def text() -> str:
        starter = say.count("cli.starter_stamps", result.starter_stamps)
        if result.claimed_checkout is not None:
            claimed = stamp_count(say, result.claimed_stamps)
            head = say(
                "cli.enrol.claimed",
                number=result.number,
                name=result.card.name,
                starter=starter,
                claimed=claimed,
            )
        else:
            head = say("cli.enrol.done", number=result.number, name=result.card.name, starter=starter)
        card = result.card
        lines = [head, progress_line(say, card.balance, card.stamps_per_card, card.next_milestone)]
        lines += coupon_lines(say, result.new_coupons, title="cli.coupons.to_hand_over")
        return "\n".join(lines)

    emit(state, result.to_dict(), text)


@click.command(context_settings=CONTEXT)
@click.argument("number", metavar="CARD")
@click.argument("token", metavar="TOKEN_OR_URL")
@common_options
def claim(number: str, token: str) -> None:
    """Add a walk-in receipt's stamps to a card the customer already has
    (once per receipt, within claim_days): its token or its whole link."""
    state = current_state()
    with desk_for(state) as desk:
        result = desk.claim(number, token)
        say = book_of(desk)

    def text() -> str:
        card = result.card
        head = say(
            "cli.claim.done",
            checkout=result.checkout,
            number=card.number,
            name=card.name or say("cli.card.anonymous"),
            stamps=stamp_count(say, result.stamps_added),
        )
        lines = [head, progress_line(say, card.balance, card.stamps_per_card, card.next_milestone)]
        lines += coupon_lines(say, result.new_coupons, title="cli.coupons.to_hand_over")
        return "\n".join(lines)

    emit(state, result.to_dict(), text)


@click.command(context_settings=CONTEXT)
@click.argument("number")
@common_options
def card(number: str) -> None:
    """Show a card's state: balance, next milestone, coupons to use."""
    state = current_state()
    with desk_for(state) as desk:
        result = desk.card(number)
        say = book_of(desk)
    emit(state, result.to_dict(), lambda: card_text(result, say))


def card_text(card: CardState, say: Book) -> str:
    """A card as the cashier reads it, in the shop's words."""
    title = say("cli.card.title", number=card.number, name=card.name or say("cli.card.anonymous"))
    if card.status != "active":
        key = f"cli.card.status.{card.status}"
        title = say("cli.card.status", title=title, status=say(key) if key in say else card.status)
    lines = [title]
    nxt = card.next_milestone
    progress = progress_line(say, card.balance, card.stamps_per_card, nxt)
    lines.append(say("cli.card.to_go", progress=progress, remaining=stamp_count(say, nxt.remaining)))
    contact = ", ".join(x for x in (card.email, card.phone) if x)
    if contact:
        lines.append(contact)
    if card.tier:
        if card.tier_until:
            tier = say("cli.card.tier_until", tier=card.tier, until=card.tier_until)
        else:
            tier = say("cli.tier", tier=card.tier)
        if card.perk:
            tier += f" — {card.perk}"
        lines.append(tier)
    if card.expires:
        lines.append(say("cli.card.lapse", day=card.expires))
    if card.notes:
        lines.append(say("cli.card.note", notes=card.notes))
    if card.leaderboard:
        lines.append(say("cli.card.on_board"))
    if card.marketing:
        lines.append(say("cli.card.marketing"))
    lines += card.messages
    lines += coupon_lines(say, card.coupons, title="cli.coupons")
    return "\n".join(lines)


@click.command(context_settings=CONTEXT)
@click.argument("number")
@click.argument("text", metavar="TEXT")
@common_options
def notes(number: str, text: str) -> None:
    """Keep a note on a card's customer, shown at the till ("usual: flat white");
    an empty TEXT clears it."""
    state = current_state()
    with desk_for(state) as desk:
        result = desk.set_notes(number, text)
        say = book_of(desk)
    emit(
        state,
        result.to_dict(),
        lambda: (
            say("cli.notes.set", number=result.number, notes=result.notes)
            if result.notes
            else say("cli.notes.cleared", number=result.number)
        ),
    )


@click.command("leaderboard-optin", context_settings=CONTEXT)
@click.argument("number")
@click.argument("choice", metavar="on|off", type=click.Choice(["on", "off"], case_sensitive=False))
@common_options
def leaderboard_optin(number: str, choice: str) -> None:
    """Show (on) or stop showing (off) a card's customer, by first name, on
    the customer-of-the-month board: their choice, asked first."""
    state = current_state()
    with desk_for(state) as desk:
        result = desk.set_leaderboard(number, choice.lower() == "on")
        say = book_of(desk)
    emit(
        state,
        result.to_dict(),
        lambda: say("cli.board.shown" if result.leaderboard else "cli.board.hidden", number=result.number),
    )


@click.command("marketing-optin", context_settings=CONTEXT)
@click.argument("number")
@click.argument("choice", metavar="on|off", type=click.Choice(["on", "off"], case_sensitive=False))
@click.option("--at", metavar="ISO", help="When they said so, for history (a past, timezone-aware time).")
@common_options
def marketing_optin(number: str, choice: str, at: str | None) -> None:
    """Record that a card's customer agrees (on) to receive the shop's
    marketing e-mails, or no longer does (off): their choice, asked first.
    When and where it changed are kept; giving it needs their e-mail."""
    state = current_state()
    with desk_for(state) as desk:
        result = desk.set_marketing(number, choice.lower() == "on", source="cli", at=at)
        say = book_of(desk)
    emit(
        state,
        result.to_dict(),
        lambda: say("cli.marketing.on" if result.marketing else "cli.marketing.off", number=result.number),
    )


@click.command(context_settings=CONTEXT)
@click.option("--month", metavar="YYYY-MM", help="Which month; default: the current one (shop time).")
@click.option(
    "--limit", type=click.IntRange(1, 100), default=10, show_default=True, help="At most this many."
)
@common_options
def leaderboard(month: str | None, limit: int) -> None:
    """The customer-of-the-month board: the customers who opted in, by
    qualifying visits in the month (refunded sales left out)."""
    state = current_state()
    with desk_for(state) as desk:
        board = desk.leaderboard(month, limit)
        say = book_of(desk)

    def text() -> str:
        named = formats.month(date.fromisoformat(f"{board.month}-01"), say.locale)
        lines = [say("cli.board.title", month=named)]
        if not board.entries:
            lines.append(say("cli.board.empty"))
        width = max((len(e.name) for e in board.entries), default=0)
        lines += [
            f"{e.rank:>3}. {e.name:<{width}}  {e.card}  {say.count('cli.visits', e.visits)}"
            for e in board.entries
        ]
        return "\n".join(lines)

    emit(state, board.to_dict(), text)


@click.command(context_settings=CONTEXT)
@click.argument("query")
@click.option(
    "--limit", type=click.IntRange(1, 100), default=20, show_default=True, help="At most this many."
)
@common_options
def search(query: str, limit: int) -> None:
    """Find cards by name, e-mail or phone."""
    state = current_state()
    with desk_for(state) as desk:
        matches = desk.search(query, limit)
        say = book_of(desk)
    data = {"query": query, "results": [m.to_dict() for m in matches]}

    def text() -> str:
        if not matches:
            return say("cli.search.none", query=query)
        return "\n".join(
            f"{m.number}  {m.name}  {stamp_count(say, m.balance)}"
            + "".join(f"  {x}" for x in (m.email, m.phone) if x)
            for m in matches
        )

    emit(state, data, text)


# ignore_unknown_options lets "-2" through as STAMPS instead of an unknown option.
@click.command(context_settings={**CONTEXT, "ignore_unknown_options": True})
@click.argument("number")
@click.argument("stamps", type=int)
@click.option("--reason", required=True, help="Why (kept in the ledger).")
@click.option("--staff", required=True, help="Who (kept in the ledger).")
@common_options
def adjust(number: str, stamps: int, reason: str, staff: str) -> None:
    """Give (STAMPS > 0) or take back (STAMPS < 0) stamps by hand."""
    state = current_state()
    with desk_for(state) as desk:
        change = desk.adjust(number, stamps, reason=reason, staff=staff)
        say = book_of(desk)
    emit(state, change.to_dict(), lambda: change_text(change, say, what=say("cli.adjusted")))


@click.group("cards", context_settings=CONTEXT)
def cards_group() -> None:
    """Pre-numbered loyalty cards for customers without a phone."""


@cards_group.command("print", context_settings=CONTEXT)
@click.option("--count", required=True, type=int, help="How many new cards (1 to 1000).")
@click.option(
    "--out", "out_file", required=True, metavar="FILE.pdf", help="The PDF to write (A4, ten cards a page)."
)
@click.option(
    "--back",
    is_flag=True,
    help="Also print each card's back: the programme's rules and a QR code to its page "
    "(a page of backs after each page of fronts, for long-edge duplex printing).",
)
@common_options
def cards_print(count: int, out_file: str, back: bool) -> None:
    """Create COUNT new card numbers and write them as printable cards
    (85 x 55 mm, vector PDF): the shop's name, address and phone ([shop] in
    the config file), the stamp grid with the starter stamps stamped and the
    rewards at their milestones, and the card's barcode; the starter stamps
    count from each card's first sale or enrolment (`enrol --card NUMBER`)."""
    from ..printer.card_sheet import write_cards_pdf

    state = current_state()
    target = Path(out_file).expanduser()
    if target.suffix.lower() != ".pdf" or not target.parent.is_dir():
        raise InvalidInput(code="invalid_path", phrase="card_sheet_path", path=out_file)
    with desk_for(state) as desk:
        program = desk.program().program
        numbers = desk.issue_cards(count)
        links = [desk.card_link(number) for number in numbers] if back else None
        settings = desk.settings
        pages = write_cards_pdf(target, numbers, program, settings.shop_details, settings.locale, links=links)
        say = book_of(desk)
    data = {"cards": list(numbers), "pages": pages, "back": back, "file": str(target)}
    emit(
        state,
        data,
        lambda: say(
            "cli.cards.printed",
            count=count,
            first=numbers[0],
            last=numbers[-1],
            file=target,
            pages=pages,
        ),
    )


COMMANDS = (
    enrol,
    claim,
    card,
    notes,
    leaderboard_optin,
    leaderboard,
    marketing_optin,
    search,
    adjust,
    cards_group,
)
