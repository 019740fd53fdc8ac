"""`stampdesk shop`: the shops of a chain and their tills."""

from __future__ import annotations

from typing import Any

import click

from ..words import Book
from .common import CONTEXT, book_of, common_options, current_state, desk_for, emit


@click.group("shop", context_settings=CONTEXT)
def shop_group() -> None:
    """The shops of a chain and their tills (one card in every shop)."""


def _shop_line(info: dict[str, Any], say: Book) -> str:
    tills = ", ".join(info["tills"]) or say("cli.shop.no_till")
    own = say("cli.shop.own_program", version=info["own_program"]) if info["own_program"] else ""
    return say("cli.shop.line", id=info["id"], name=info["name"], tills=tills, own=own)


@shop_group.command("add", context_settings=CONTEXT)
@click.argument("name")
@common_options
def shop_add(name: str) -> None:
    """Add the shop NAME to the chain."""
    state = current_state()
    with desk_for(state) as desk:
        data = desk.add_shop(name).to_dict()
        say = book_of(desk)
    emit(state, data, lambda: say("cli.shop.added", id=data["id"], name=data["name"]))


@shop_group.command("rename", context_settings=CONTEXT)
@click.argument("shop")
@click.argument("name")
@common_options
def shop_rename(shop: str, name: str) -> None:
    """Give the shop SHOP (name or number) the name NAME."""
    state = current_state()
    with desk_for(state) as desk:
        data = desk.rename_shop(shop, name).to_dict()
        say = book_of(desk)
    emit(state, data, lambda: say("cli.shop.renamed", id=data["id"], name=data["name"]))


@shop_group.command("list", context_settings=CONTEXT)
@common_options
def shop_list() -> None:
    """The shops, their tills, and which have a programme of their own."""
    state = current_state()
    with desk_for(state) as desk:
        rows = [s.to_dict() for s in desk.shops()]
        say = book_of(desk)
    emit(state, {"shops": rows}, lambda: "\n".join(_shop_line(r, say) for r in rows))


@shop_group.command("till", context_settings=CONTEXT)
@click.argument("till")
@click.argument("shop")
@common_options
def shop_till(till: str, shop: str) -> None:
    """Register the till TILL in the shop SHOP (or move it there): its sales
    are that shop's from now on."""
    state = current_state()
    with desk_for(state) as desk:
        data = desk.assign_till(till, shop).to_dict()
        say = book_of(desk)
    emit(state, data, lambda: say("cli.shop.till", till=data["name"], shop=data["shop"]))


COMMANDS = (shop_group,)
