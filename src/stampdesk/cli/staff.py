"""`stampdesk staff`: cashiers and owners who sign in at the till with a PIN."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from ..words import Book
from .common import CONTEXT, book_for, book_of, common_options, current_state, desk_for, emit

if TYPE_CHECKING:
    from ..services.staff import StaffMember


@click.group("staff", context_settings=CONTEXT)
def staff_group() -> None:
    """Cashiers and owners who sign in at the till with a PIN."""


def _read_pin(prompt: str) -> str:
    """A PIN from the terminal (hidden, asked twice) or one line of stdin."""
    if sys.stdin.isatty():
        pin: str = click.prompt(prompt, hide_input=True, confirmation_prompt=True)
        return pin
    return sys.stdin.readline().strip()


def _member_line(member: StaffMember, say: Book) -> str:
    role = say(f"cli.staff.role.{member.role}") if f"cli.staff.role.{member.role}" in say else member.role
    return say("cli.staff.member" if member.active else "cli.staff.inactive", name=member.name, role=role)


@staff_group.command("add", context_settings=CONTEXT)
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(["cashier", "owner"]),
    default="cashier",
    show_default=True,
    help="An owner may change the programme.",
)
@common_options
def staff_add(name: str, role: str) -> None:
    """Add NAME; the PIN (4 to 8 digits; an owner's not easy to guess) is
    asked, or read from stdin."""
    state = current_state()
    pin = _read_pin(book_for(state)("cli.staff.pin", name=name))
    with desk_for(state) as desk:
        member = desk.add_staff(name, role, pin)
        say = book_of(desk)
    emit(state, member.to_dict(), lambda: say("cli.staff.added", member=_member_line(member, say)))


@staff_group.command("list", context_settings=CONTEXT)
@click.option("--all", "everyone", is_flag=True, help="Deactivated members too.")
@common_options
def staff_list(everyone: bool) -> None:
    """The shop's staff."""
    state = current_state()
    with desk_for(state) as desk:
        members = desk.staff(include_inactive=everyone)
        say = book_of(desk)
    data = {"staff": [m.to_dict() for m in members]}
    emit(
        state,
        data,
        lambda: "\n".join(_member_line(m, say) for m in members) or say("cli.staff.none"),
    )


@staff_group.command("pin", context_settings=CONTEXT)
@click.argument("name")
@common_options
def staff_pin(name: str) -> None:
    """Give NAME a new PIN (asked, or read from stdin; an owner's not easy
    to guess)."""
    state = current_state()
    pin = _read_pin(book_for(state)("cli.staff.new_pin", name=name))
    with desk_for(state) as desk:
        member = desk.set_pin(name, pin)
        say = book_of(desk)
    emit(state, member.to_dict(), lambda: say("cli.staff.pin_set", name=member.name))


@staff_group.command("remove", context_settings=CONTEXT)
@click.argument("name")
@common_options
def staff_remove(name: str) -> None:
    """Deactivate NAME (kept in the ledger's history; the last owner stays)."""
    state = current_state()
    with desk_for(state) as desk:
        member = desk.deactivate_staff(name)
        say = book_of(desk)
    emit(state, member.to_dict(), lambda: say("cli.staff.removed", name=member.name))


COMMANDS = (staff_group,)
