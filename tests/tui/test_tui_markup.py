"""Words people typed are shown as typed, everywhere in the till.

A customer may call themselves "[/b] Bob" on the public join form; an owner
may name a reward "[@click=app.quit]Cookie". Textual reads strings given to
most of its widgets as markup: a stray closing tag crashed the whole till,
an action tag turned a name into a button that quits it, a style tag
recoloured the screen. Here a shop whose every free text is hostile markup
is visited screen by screen, tab by tab, in one run of the till: nothing
crashes, nothing on the screen carries an action, and each text is found on
the screen exactly as it was typed. The till's plain widgets
(``tui/widgets/plain.py``) are checked one by one, and a reading of every
module of the till checks that no string reaches Textual another way.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pilot_helpers import screen_text, settle, shows, submit
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import TabbedContent

import stampdesk.tui
from helpers import Clock, make_desk
from stampdesk.config import PrinterSettings
from stampdesk.desk import Desk
from stampdesk.tui.app import TillApp, make_till
from stampdesk.tui.screens.confirm import ConfirmScreen
from stampdesk.tui.screens.owner import OwnerScreen
from stampdesk.tui.screens.till import TillScreen
from stampdesk.tui.widgets.plain import (
    PlainButton,
    PlainDataTable,
    PlainLabel,
    PlainOptionList,
    PlainSelect,
    PlainStatic,
    PlainTabPane,
    literal,
)

# Wide enough that no text is cut: each is looked for whole on the screen.
SIZE = (200, 60)
OWNER_PIN, CASHIER_PIN = "4826", "1234"

PROGRAMME = "[red]Café[/red] \\[b] 🍰"
REWARD_3 = "[/b] Croissant"
REWARD_6 = "[@click=app.quit]Cookie"
REWARD_10 = "[link=https://evil]Café 🎁"
GOLD = "[b]Gold"
SILVER = "[red]Silver[/red]"
PERK = "[@click=app.bell]Perk \\[x]"
SURPRISE = "[/] Surprise! [blink]🎉"
BIRTHDAY = "[/i]Dessert"
PICKS = ("[b]Espresso", "[/b]Tart 🥧")
SKU, CATEGORY = "[red]SKU[/red]", "[i]pastry"  # never shown, but sold with

BOB = "[/b] Bob"
BOSS = "[@click=app.quit]Boss"
LINKED = "[link=https://evil]y \\["
LONG = ("[b]Zoë 🐝 " * 20)[:100].strip()
NOTES = "[@click=app.quit]Allergic to [red]nuts[/red] \\["
NEWCOMER = "[b]New [/b]one \\["
BAD_EMAIL = "[red]x"
NOBODY = "[/i]nobody"

OWNER = "[@click=app.quit]Chef"
CASHIER = "[/b] Léa \\["
TILL = "[red]front[/red]"
PRINTER = "[@click=app.quit]tcp://till"
HEADER = ("[b]12 rue [/b]", "[link=https://evil]Open")
FOOTER = ("[@click=app.quit]Thanks \\[",)


def toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML string


HOSTILE_PROGRAMME = f"""
[program]
name = {toml(PROGRAMME)}
stamps_per_card = 10
starter_stamps = 0

[[program.milestones]]
at = 3
reward = {toml(REWARD_3)}

[[program.milestones]]
at = 6
reward = {toml(REWARD_6)}

[[program.milestones]]
at = 10
reward = {toml(REWARD_10)}

[program.earning]
per_visit = 1
max_per_day = 3

[[program.tiers]]
name = {toml(GOLD)}
min_visits = 8
min_spend = "120.00"
perk = "Gold perk"

[[program.tiers]]
name = {toml(SILVER)}
min_visits = 4
min_spend = "40.00"
perk = {toml(PERK)}

[[program.surprises]]
at_visit = 4
stamps = 1
message = {toml(SURPRISE)}

[program.birthday]
reward = {toml(BIRTHDAY)}

[[program.category_bonus]]
category = {toml(CATEGORY)}
stamps = 1

[[program.quick_picks]]
label = {toml(PICKS[0])}
category = "coffee"
price = "2.40"

[[program.quick_picks]]
label = {toml(PICKS[1])}
category = {toml(CATEGORY)}
price = "3.10"
sku = {toml(SKU)}
"""


@pytest.fixture
def hostile_shop(tmp_path: Path, clock: Clock) -> Iterator[tuple[Desk, dict[str, str]]]:
    """Every free text of the shop is markup: programme, customers, staff,
    receipt lines, the till's name. Bob has three visits behind him (a
    coupon); Boss four (the silver tier, with its perk)."""
    desk = make_desk(
        f"sqlite:///{tmp_path / 'hostile.db'}",
        clock,
        locale="en_GB",
        timezone="Europe/London",
        till=TILL,
        printer=PrinterSettings(url=PRINTER, header=HEADER, footer=FOOTER),
    )
    desk.load_program_text(HOSTILE_PROGRAMME)
    cards = {
        BOB: desk.enrol(name=BOB, email="bob@example.org", notes=NOTES, leaderboard=True).number,
        BOSS: desk.enrol(name=BOSS, leaderboard=True).number,
        LINKED: desk.enrol(name=LINKED).number,
        LONG: desk.enrol(name=LONG).number,
    }
    bob, boss = cards[BOB], cards[BOSS]
    for visits, number in ((3, bob), (4, boss)):
        for _ in range(visits):
            clock.advance(days=1)
            desk.checkout(card=number, amount="12.00")
    clock.advance(days=1)
    desk.add_staff(OWNER, "owner", OWNER_PIN)
    desk.add_staff(CASHIER, "cashier", CASHIER_PIN)
    yield desk, cards
    desk.close()


def first_name(name: str) -> str:
    """What the boards show of a customer (they may be seen by others)."""
    return name.split()[0]


def actions_on_screen(app: TillApp) -> list[str]:
    """The texts on the screen that a click would run an action from."""
    found = []
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            meta = segment.style.meta if segment.style is not None else {}
            if "@click" in meta:
                found.append(f"{segment.text!r} → {meta['@click']}")
    return found


class Visit:
    """Goes through the till's screens, noting each text not shown as typed."""

    def __init__(self, pilot: Pilot[None]) -> None:
        self.pilot = pilot
        self.app: TillApp = pilot.app  # type: ignore[assignment]
        self.missing: list[str] = []

    def sees(self, where: str, *texts: str) -> None:
        assert self.app.is_running, f"the till stopped on {where}"
        actions = actions_on_screen(self.app)
        if actions:
            self.missing.append(f"{where}: a click runs {actions}")
        for text in texts:
            if not shows(self.app, text):
                self.missing.append(f"{where}: {text!r} not shown as typed")

    async def press(self, *keys: str) -> None:
        await self.pilot.press(*keys)
        await settle(self.pilot)


@pytest.mark.asyncio
async def test_every_screen_shows_hostile_markup_as_typed(hostile_shop: tuple[Desk, dict[str, str]]) -> None:
    desk, cards = hostile_shop
    bob, boss, linked, long = (cards[name] for name in (BOB, BOSS, LINKED, LONG))
    coupon = desk.card(bob).coupons[0].code
    app = make_till(desk)
    async with app.run_test(size=SIZE) as pilot:
        visit = Visit(pilot)
        await settle(pilot)
        visit.sees("the PIN screen")
        await submit(pilot, CASHIER_PIN)
        assert isinstance(app.screen, TillScreen), app.screen
        visit.sees("the till, its header and printer line", PROGRAMME, f"{TILL} — {CASHIER}", f"“{PRINTER}”")

        # Searches: one that finds nobody, quoted back; one that finds everybody.
        await submit(pilot, NOBODY)
        visit.sees("a search that finds nobody", f"No customer found for “{NOBODY}”.")
        await submit(pilot, "[")
        visit.sees("the search results", BOB, BOSS, LINKED, LONG)

        # Bob's card, a quick pick, then his fourth visit: the surprise, the tier.
        await visit.press("escape")
        await submit(pilot, bob)
        visit.sees("Bob's card", f"Hello {BOB}!", NOTES, f"{REWARD_6} at 6", f"{coupon}  {REWARD_3}")
        visit.sees("the quick picks", *PICKS)
        await visit.press("f8", "right", "enter")
        visit.sees("the basket", f"1× {PICKS[1]} = €3.10")
        await visit.press("f8", "right", "delete", "f8")  # the item out again: the sale is by amount
        await submit(pilot, "12.00")
        visit.sees("Bob's sale", SURPRISE, f"Status: {SILVER}")

        await visit.press("f4")
        await submit(pilot, coupon)
        visit.sees("a coupon used", f"Coupon {coupon} used: {REWARD_3}")

        for number, texts in (
            (boss, [f"Hello {BOSS}!", f"Status: {SILVER}", f"Perk: {PERK}"]),
            (linked, [f"Hello {LINKED}!"]),
            (long, [f"Hello {LONG}!"]),
        ):
            await submit(pilot, number)
            visit.sees(f"the card of {texts[0]}", *texts)

        # An enrolment refused (its error quotes the e-mail), then made.
        await visit.press("f6")
        await submit(pilot, NEWCOMER)
        await submit(pilot, BAD_EMAIL)
        await visit.press("enter")  # past the question about marketing e-mails
        await submit(pilot, "")
        visit.sees("an enrolment refused", f"'{BAD_EMAIL}' is not an e-mail address")
        await submit(pilot, "new@example.org")  # the e-mail field has the focus, its text selected
        await visit.press("enter")
        await submit(pilot, "")
        visit.sees("an enrolment", f"for {NEWCOMER}.", f"Hello {NEWCOMER}!")

        await visit.press("f2")
        await submit(pilot, "5.00")
        visit.sees("a walk-in sale")
        await visit.press("f5")
        await submit(pilot, "")  # the walk-in, offered
        assert isinstance(app.screen, ConfirmScreen), app.screen
        visit.sees("the refund's question")
        await visit.press("enter")
        visit.sees("a refund")

        # The owner's screens, behind the owner's PIN.
        await visit.press("f9")
        visit.sees("the owner's PIN screen")
        await submit(pilot, OWNER_PIN)
        assert isinstance(app.screen, OwnerScreen), app.screen
        visit.sees(
            "the programme editor",
            PROGRAMME,
            REWARD_3,
            REWARD_6,
            REWARD_10,
            f"— {PROGRAMME}",  # the preview's title
            *HEADER,
            *FOOTER,
        )
        await visit.press("f3")
        visit.sees("the staff list", OWNER, CASHIER)
        await visit.press("f8")  # deactivate the first one listed: asks first
        assert isinstance(app.screen, ConfirmScreen), app.screen
        visit.sees("the staff question", f"Deactivate {OWNER}?")
        await visit.press("escape")
        await visit.press("f4")
        visit.sees("today's figures", first_name(BOB), first_name(BOSS)[:13])
        await visit.press("f5")
        visit.sees("the printer settings", PRINTER, " | ".join(HEADER), *FOOTER)
        await visit.press("f9")
        visit.sees("the dashboard", first_name(BOB), first_name(BOSS))
        await visit.press("escape")
        assert isinstance(app.screen, TillScreen), app.screen
        assert app.is_running
        assert not visit.missing, "\n".join(visit.missing)
    assert app.return_code in (None, 0)
    assert desk.card(bob).visits == 4


class PlainWidgets(App[None]):
    """One of each of the till's plain widgets, given markup to show."""

    CSS = "#box { border: round $accent; height: 3; }"

    def compose(self) -> ComposeResult:
        yield PlainStatic(BOB, id="static")
        yield PlainLabel(BOSS)
        yield PlainButton(REWARD_6, id="button")
        yield PlainDataTable(id="table")
        yield PlainOptionList(LINKED)
        yield PlainSelect([(SILVER, 1)], allow_blank=False, id="select")
        with TabbedContent(), PlainTabPane(PROGRAMME):
            box = PlainStatic("", id="box")
            box.border_title = literal(SURPRISE)
            yield box

    def on_mount(self) -> None:
        table = self.query_one(PlainDataTable)
        table.add_columns(GOLD, PERK)
        table.add_row(NOTES, "", key="row")


@pytest.mark.asyncio
async def test_each_plain_widget_shows_markup_as_written() -> None:
    app = PlainWidgets()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = screen_text(app)  # type: ignore[arg-type]  # any app
        for words in (BOB, BOSS, REWARD_6, GOLD, PERK, NOTES, LINKED, SILVER, PROGRAMME, SURPRISE):
            assert words in shown, words
        # What changes later is shown as written too.
        app.query_one("#static", PlainStatic).update(REWARD_10)
        app.query_one("#button", PlainButton).label = REWARD_3
        table = app.query_one(PlainDataTable)
        table.update_cell("row", table.ordered_columns[1].key, CASHIER, update_width=True)
        app.query_one("#select", PlainSelect).set_options([(TILL, 2)])
        await pilot.pause()
        shown = screen_text(app)  # type: ignore[arg-type]  # any app
        for words in (REWARD_3, REWARD_10, CASHIER, TILL):
            assert words in shown, words
        assert app.is_running


# --- No module of the till hands Textual a string to parse ---------------------

TUI = Path(stampdesk.tui.__file__).parent
PLAIN = TUI / "widgets" / "plain.py"
# Textual's widgets that read a string given to them as markup (Content or
# Rich): the till makes them only in widgets/plain.py, which shows words as written.
READS_MARKUP = frozenset(
    {
        "Static",
        "Label",
        "Button",
        "DataTable",
        "OptionList",
        "SelectionList",
        "Select",
        "TabPane",
        "Tab",
        "Tabs",
        "ContentTab",
        "Checkbox",
        "RadioButton",
        "RadioSet",
        "Collapsible",
        "Tree",
        "Markdown",
    }
)
TITLES = frozenset({"border_title", "border_subtitle"})


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def markup_problems(source: str, where: str = "<source>") -> list[str]:
    """The places in ``source`` where a string may reach Textual as markup."""
    problems = []
    for node in sorted(ast.walk(ast.parse(source)), key=lambda node: getattr(node, "lineno", 0)):
        line = f"{where}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Call):
            called = _name(node.func)
            if called in READS_MARKUP:
                problems.append(
                    f"{line}: {called}(…) reads markup: use (or add) Plain{called} in widgets/plain.py"
                )
            if called == "TabbedContent" and node.args:
                problems.append(f"{line}: TabbedContent's titles read markup: use PlainTabPane")
            markup = next((k.value for k in node.keywords if k.arg == "markup"), None)
            plain = isinstance(markup, ast.Constant) and markup.value is False
            if called == "notify" and not plain:
                problems.append(f"{line}: notify(…) without markup=False")
            elif markup is not None and not plain:
                problems.append(f"{line}: markup= other than False")
        elif isinstance(node, ast.ClassDef):
            bases = [b for b in map(_name, node.bases) if b in READS_MARKUP]
            problems += [
                f"{line}: {node.name}({base}) reads markup: derive from Plain{base}" for base in bases
            ]
        elif isinstance(node, ast.Attribute) and node.attr in ("from_markup", "render_str"):
            problems.append(f"{line}: {node.attr} reads markup")
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            value = node.value
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr in TITLES:
                    literal = isinstance(value, ast.Call) and _name(value.func) == "literal"
                    if not literal:
                        problems.append(f"{line}: {target.attr} reads markup: assign literal(…)")
    return problems


def test_no_module_of_the_till_hands_textual_a_string_to_parse() -> None:
    modules = sorted(path for path in TUI.rglob("*.py") if path != PLAIN)
    assert len(modules) > 20  # the whole till, screens and widgets
    problems = [p for path in modules for p in markup_problems(path.read_text(), str(path.relative_to(TUI)))]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "source",
    [
        'yield Static(name, id="greeting")',
        'yield Label(tr("label.card"))',
        "class Picked(Button): pass",
        "table = DataTable()",
        "self.app.notify(message)",
        "self.app.notify(message, markup=True)",
        "yield PlainStatic(name, markup=True)",
        "text = Content.from_markup(name)",
        'TabbedContent(tr("owner.tab.staff"))',
        "box.border_title = name",
        "box.border_subtitle: str = tr('board.month')",
    ],
)
def test_the_rule_finds_strings_handed_to_textual_to_parse(source: str) -> None:
    assert markup_problems(source)


@pytest.mark.parametrize(
    "source",
    [
        'yield PlainStatic(name, id="greeting")',
        'greeting = self.query_one(".card-greeting", Static)',
        "@on(Button.Pressed)\ndef pressed(self) -> None: pass",
        "box.border_title = literal(tr('board.title'))",
        'TabbedContent(initial="programme", id="owner-tabs")',
        "self.app.notify(message, markup=False)",
    ],
)
def test_the_rule_lets_the_plain_way_through(source: str) -> None:
    assert not markup_problems(source)
