"""Signing in with a PIN and the owner's screens, driven with Pilot on an
80×24 terminal over a real SQLite shop, in French and in English. Each test
checks what the screen shows *and* what the shop's data became."""

from __future__ import annotations

import string
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from pilot_helpers import SIZE, burst, focused_id, screen_text, settle, shows, submit, type_text
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Select, Static

from helpers import EXAMPLE_PROGRAM, LOYALTY_PROGRAM
from stampdesk.desk import Desk, StaffMember
from stampdesk.domain.program import ProgramError, parse_program_toml
from stampdesk.results import NextMilestone
from stampdesk.tui.app import TillApp, make_till
from stampdesk.tui.owner_text import OwnerText
from stampdesk.tui.screens.confirm import ConfirmScreen
from stampdesk.tui.screens.owner import OwnerScreen
from stampdesk.tui.screens.pin import PinScreen
from stampdesk.tui.screens.programme_form import ProgrammeForm
from stampdesk.tui.screens.till import TillScreen
from stampdesk.tui.widgets.stamp_grid import StampGrid, grid_lines
from stampdesk.words.tables import owner as owner_words

asyncio = pytest.mark.asyncio

OWNER_PIN, CASHIER_PIN = "4826", "1234"


@pytest.fixture(params=["sqlite_desk", "english_desk"], ids=["fr", "en"])
def shop(request: pytest.FixtureRequest) -> Desk:
    """The example shop, with a French till, then an English one."""
    desk: Desk = request.getfixturevalue(request.param)
    return desk


def text_of(desk: Desk) -> OwnerText:
    return OwnerText(desk.settings.locale, desk.settings.zone)


def with_staff(desk: Desk) -> Desk:
    desk.add_staff("Marc", "owner", OWNER_PIN)
    desk.add_staff("Léa", "cashier", CASHIER_PIN)
    return desk


def pin_screen(app: TillApp) -> PinScreen:
    assert isinstance(app.screen, PinScreen), app.screen
    return app.screen


def owner(app: TillApp) -> OwnerScreen:
    assert isinstance(app.screen, OwnerScreen), app.screen
    return app.screen


@asyncio
async def sign_in(pilot: Pilot[None], pin: str) -> None:
    await type_text(pilot, pin)
    await pilot.press("enter")
    await settle(pilot)


@asyncio
async def retype(pilot: Pilot[None], app: TillApp, selector: str, value: str) -> None:
    """Focus a field (its text is selected) and type over it, key by key."""
    field = app.screen.query_one(selector, Input)
    field.focus()
    await pilot.pause()
    field.select_all()
    if not value:
        await pilot.press("backspace")  # emptied
    elif len(value) > 3:
        await burst(pilot, value)  # a long text in one go (key by key costs ~60 ms a key)
    else:
        await type_text(pilot, value)
    await pilot.pause()


def shown_in(app: TillApp, selector: str, text: str) -> bool:
    """Whether the part of the terminal ``selector``'s widget covers shows
    ``text`` (wrapped lines joined; a box's borders are not in the way)."""
    region = app.screen.query_one(selector).content_region
    lines = screen_text(app).splitlines()[region.y : region.bottom]
    inside = " ".join(line[region.x : region.right] for line in lines)
    return " ".join(text.split()) in " ".join(inside.split())


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_owner_string_is_translated_with_the_same_placeholders() -> None:
    english, french = owner_words.EN, owner_words.FR
    assert set(english) == set(french)
    for key in english:
        assert _fields(english[key]) == _fields(french[key]), key
    # The till's own strings still come through.
    assert OwnerText("fr_FR")("key.quit") == "Quitter"
    assert OwnerText("fr_FR").role("owner") == "gérant"


@pytest.mark.parametrize("file", [EXAMPLE_PROGRAM, LOYALTY_PROGRAM], ids=["example", "loyalty"])
def test_the_form_gives_the_same_programme_back(file: Path) -> None:
    # The loyalty programme's tiers, surprises… are not on the form: kept as they were.
    program = parse_program_toml(file.read_text(encoding="utf-8"))
    form = ProgrammeForm.from_program(program)
    assert form.parse() == program
    assert 'name = "Café Bleu"' in form.to_toml()


# --- Signing in ----------------------------------------------------------------


@asyncio
async def test_a_shop_without_staff_opens_straight_on_the_till(shop: Desk) -> None:
    tr = text_of(shop)
    app = make_till(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TillScreen)
        assert not any(isinstance(s, PinScreen) for s in app.screen_stack)
        assert focused_id(app) == "card-input"
        assert app.has_staff is False
        assert app.till.sub_title == (shop.settings.till or tr("till.default"))
        await pilot.press("f10")  # nobody to switch to: nothing happens
        await settle(pilot)
        assert isinstance(app.screen, TillScreen)


@asyncio
async def test_keys_typed_before_the_staff_is_known_go_to_the_pin_screen(
    shop: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The PIN screen comes once the engine says the shop has staff (here
    # slowly): a PIN typed at once waits for it, and never reaches the till.
    with_staff(shop)
    staff, answer = shop.staff, threading.Event()

    def slow_staff() -> tuple[StaffMember, ...]:
        answer.wait(10)
        return staff()

    monkeypatch.setattr(shop, "staff", slow_staff)
    app = make_till(shop)
    async with app.run_test(size=SIZE) as pilot:
        assert app.has_staff is None and isinstance(app.screen, TillScreen)
        for key in [*CASHIER_PIN, "enter"]:
            app.post_message(events.Key(key, "\r" if key == "enter" else key))
        await pilot.pause()
        answer.set()
        await settle(pilot)
        assert isinstance(app.screen, TillScreen)
        assert app.cashier is not None and app.cashier.name == "Léa"
        assert app.till.query_one("#card-input", Input).value == ""


@asyncio
async def test_a_failed_staff_check_leaves_the_till_behind_the_pin_screen(
    shop: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_answer() -> tuple[StaffMember, ...]:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(shop, "staff", no_answer)
    app = make_till(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not pin_screen(app).owner
        await pilot.press("f2")  # the till's keys do nothing behind it
        await pilot.click("#pin-input")
        await settle(pilot)
        assert not pin_screen(app).owner and app.has_staff is None


@asyncio
async def test_with_staff_the_till_opens_on_a_masked_pin(shop: Desk) -> None:
    tr = text_of(with_staff(shop))
    app = make_till(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = pin_screen(app)
        assert not screen.owner and focused_id(app) == "pin-input"
        assert shown_in(app, "#pin-prompt", tr("pin.prompt"))

        await type_text(pilot, "9876")
        assert "9876" not in screen_text(app)  # never shown
        await pilot.press("escape")  # signing in cannot be skipped
        await pilot.press("enter")
        await settle(pilot)
        assert screen.message == tr("pin.wrong") and shows(app, tr("pin.wrong"))
        assert screen.query_one("#pin-input", Input).value == ""
        assert app.screen is screen

        await sign_in(pilot, CASHIER_PIN)
        assert isinstance(app.screen, TillScreen)
        assert app.cashier is not None and app.cashier.name == "Léa"
        till_name = shop.settings.till
        expected = (
            tr("signin.subtitle.named", till=till_name, name="Léa")
            if till_name
            else tr("signin.subtitle", name="Léa")
        )
        assert app.till.sub_title == expected
        assert shows(app, expected)  # in the header: "Caisse — Léa"
        assert focused_id(app) == "card-input"


@asyncio
async def test_f10_switches_cashier(sqlite_desk: Desk) -> None:
    tr = text_of(with_staff(sqlite_desk))
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await sign_in(pilot, CASHIER_PIN)
        assert app.till.sub_title == "Caisse — Léa"
        await pilot.press("f10")
        await settle(pilot)
        assert not pin_screen(app).owner and app.cashier is None
        await sign_in(pilot, OWNER_PIN)
        assert app.till.sub_title == tr("signin.subtitle", name="Marc")
        assert isinstance(app.screen, TillScreen)


@asyncio
async def test_five_wrong_pins_lock_the_pin_screen(english_desk: Desk) -> None:
    tr = text_of(with_staff(english_desk))
    app = make_till(english_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(4):
            await submit(pilot, "0000")
            assert pin_screen(app).message == tr("pin.wrong")
        await submit(pilot, "0000")
        assert pin_screen(app).message == tr("pin.locked", seconds=30)
        await submit(pilot, CASHIER_PIN)  # even the right PIN waits
        assert pin_screen(app).message.startswith(tr("pin.locked", seconds=30)[:10])
        assert app.cashier is None


# --- The owner's PIN -------------------------------------------------------------


@asyncio
async def test_f9_as_a_cashier_asks_for_an_owner_pin(shop: Desk) -> None:
    tr = text_of(with_staff(shop))
    app = make_till(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await sign_in(pilot, CASHIER_PIN)
        await pilot.press("f9")
        await settle(pilot)
        screen = pin_screen(app)
        assert screen.owner and shown_in(app, "#pin-prompt", tr("pin.prompt.owner"))

        await sign_in(pilot, CASHIER_PIN)  # a cashier's PIN is not enough
        assert screen.message == tr("pin.not_owner") and app.screen is screen
        await pilot.press("escape")  # the owner's PIN can be given up
        await settle(pilot)
        assert isinstance(app.screen, TillScreen) and app.cashier is not None

        await pilot.press("f9")
        await settle(pilot)
        await sign_in(pilot, OWNER_PIN)
        assert owner(app).tab == "programme"
        await pilot.press("escape")
        await settle(pilot)
        # Back at the till, Léa still signed in.
        assert isinstance(app.screen, TillScreen)
        assert app.cashier is not None and app.cashier.name == "Léa"


@asyncio
async def test_an_owner_signed_in_opens_the_owner_screens_at_once(sqlite_desk: Desk) -> None:
    with_staff(sqlite_desk)
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await sign_in(pilot, OWNER_PIN)
        await pilot.press("f9")
        await settle(pilot)
        assert owner(app).tab == "programme"


# --- The programme editor ----------------------------------------------------------


@asyncio
async def test_the_owner_edits_the_programme_and_the_next_sale_uses_it(shop: Desk) -> None:
    tr = text_of(shop)
    ana = shop.enrol(name="Ana Martin")
    app = make_till(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f9")  # no staff yet: no PIN to ask
        await settle(pilot)
        editor = owner(app).editor
        assert focused_id(app) == "ed-name"
        assert app.screen.query_one("#ed-stamps_per_card", Input).value == "10"  # prefilled
        assert editor.status == tr("editor.loaded", version=1)
        grid = app.screen.query_one("#preview-grid", StampGrid)
        assert grid.plain.splitlines()[0] == grid_lines(3, 10, (3, 6, 10))[0]

        # 8 stamps a card: the final reward at 10 is now beyond the card.
        await retype(pilot, app, "#ed-stamps_per_card", "8")
        beyond = tr.program_error(
            ProgramError("range", key="program.milestones[3].at", lo=1, hi=8, value=10, milestone_at=10)
        )
        assert beyond in editor.status and shown_in(app, "#editor-status", beyond)
        # The final reward moves to 8, the second milestone gets a new reward.
        await retype(pilot, app, "#ms-at-3", "8")
        await retype(pilot, app, "#ms-reward-2", "Muffin offert")
        assert editor.error is None and editor.status == tr("editor.valid")
        assert grid.plain.splitlines()[0] == grid_lines(3, 8, (3, 6, 8))[0]  # the preview follows
        receipt = str(app.screen.query_one("#preview-receipt", Static).content)
        assert "3/8" in receipt and "Muffin offert" in receipt
        # "3/8 — Muffin offert at 6 (3 to go)"
        progress = tr.progress(3, 8, NextMilestone(6, "Muffin offert", 3))
        assert shown_in(app, "#preview-progress", progress)
        assert shop.program().version == 1  # nothing saved yet

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert editor.status == tr("editor.saved", version=2)
        saved = shop.program()
        assert saved.version == 2 and saved.rules["stamps_per_card"] == 8
        assert [(m["at"], m["reward"]) for m in saved.rules["milestones"]] == [
            (3, "Croissant offert"),
            (6, "Muffin offert"),
            (8, "Un café offert"),
        ]
        assert saved.rules["earning"]["max_per_day"] == 3  # untouched fields kept

        await pilot.press("escape")  # saved: leaves at once
        await settle(pilot)
        assert isinstance(app.screen, TillScreen)
        assert app.till.programme is not None and app.till.programme.stamps_per_card == 8
    sale = shop.checkout(card=ana.number, amount="4.50")
    assert sale.stamps_per_card == 8 and sale.program_version == 2


@asyncio
async def test_an_invalid_programme_shows_why_and_saves_nothing(english_desk: Desk) -> None:
    shop = english_desk
    tr = text_of(shop)
    app = make_till(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        editor = owner(app).editor
        await retype(pilot, app, "#ed-stamps_per_card", "8")
        await retype(pilot, app, "#ms-at-3", "12")
        error = "the milestone at 12 must be from 1 to 8, not 12"
        assert error in editor.status
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert editor.status.startswith(tr("editor.not_saved", error="")) and error in editor.status
        assert shown_in(app, "#editor-status", error)
        assert shop.program().version == 1

        # Other mistakes, each named next to the form.
        await retype(pilot, app, "#ms-at-3", "8")
        await retype(pilot, app, "#ed-min_amount", "two")
        assert "“Min. amount” is not an amount such as 2.00" in editor.status
        await retype(pilot, app, "#ed-min_amount", "2,50")
        await retype(pilot, app, "#ed-stamps_per_card", "0")
        assert "“Stamps/card” must be from 2 to 100, not 0" in editor.status
        await retype(pilot, app, "#ed-stamps_per_card", "9")
        assert "the final reward is missing: add a milestone at 9 stamps" in editor.status

        # Leaving with edits not saved asks for a second Escape.
        await pilot.press("escape")
        await settle(pilot)
        assert editor.status == tr("owner.unsaved")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TillScreen)
    assert shop.program().version == 1


@asyncio
async def test_milestones_are_added_and_removed_with_f6_and_f7(english_desk: Desk) -> None:
    app = make_till(english_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        editor = owner(app).editor
        app.screen.query_one("#ms-reward-2", Input).focus()
        await pilot.press("f6")  # a new row under the second milestone
        await settle(pilot)
        await type_text(pilot, "8")
        await pilot.press("tab")
        await type_text(pilot, "Tea")
        await pilot.pause()
        rows = [(m.at, m.reward) for m in editor.form.milestones]
        assert rows[1:3] == [("6", "Cookie offert"), ("8", "Tea")]
        assert editor.program is not None and [m.at for m in editor.program.milestones] == [3, 6, 8, 10]
        await pilot.press("f7")  # removes the row being edited
        await settle(pilot)
        assert [m.at for m in editor.form.milestones] == ["3", "6", "10"]
        assert editor.error is None


def test_the_form_keeps_each_e_mail_and_its_other_keys() -> None:
    source = LOYALTY_PROGRAM.read_text(encoding="utf-8") + (
        "\n[program.messaging]\nholdout = 0.075\nmax_per_week = 2\n"
        '\n[[program.messages]]\nkind = "win_back"\ndays = 45\ncoupon = "Un café offert"\n'
        'coupon_days = 10\ncoupon_cost = "0.30"\n'
        '\n[[program.messages]]\nkind = "near_reward"\ndays = 5\nstamps = 2\n'
    )
    program = parse_program_toml(source)
    form = ProgrammeForm.from_program(program, decimal_comma=True)
    assert (form.mail_win_back, form.mail_near_reward, form.mail_birthday) == ("45", "2", "")
    assert (form.holdout, form.max_per_week) == ("7,5", "2")
    assert form.parse() == program  # the coupon of the win-back and the near reward's days ride along


@asyncio
async def test_the_owner_sets_the_e_mails_to_customers(shop: Desk) -> None:
    tr = text_of(shop)
    app = make_till(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        editor = owner(app).editor
        fields = {name: app.screen.query_one(f"#ed-{name}", Input) for name in ("mail_win_back", "holdout")}
        assert fields["mail_win_back"].value == "" and fields["holdout"].value == "10"
        assert fields["mail_win_back"].placeholder == tr("editor.mail_win_back.hint")

        await retype(pilot, app, "#ed-mail_win_back", "0")
        label = tr("editor.mail_win_back")
        assert label in editor.status and "0" in editor.status  # a win-back needs at least a day
        await retype(pilot, app, "#ed-mail_win_back", "30")
        await retype(pilot, app, "#ed-holdout", "60")
        assert tr("editor.holdout") in editor.status
        await retype(pilot, app, "#ed-holdout", "15")
        # The example programme's stamps never lapse: no warning before they do.
        await retype(pilot, app, "#ed-mail_lapse_warning", "7")
        assert tr("editor.mail_lapse_warning") in editor.status and editor.error is not None
        await retype(pilot, app, "#ed-mail_lapse_warning", "")
        await retype(pilot, app, "#ed-mail_near_reward", "1")
        assert editor.error is None, editor.status

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert editor.status == tr("editor.saved", version=2)
    program = shop.program().program
    assert [(m.kind, m.days, m.stamps) for m in program.messages] == [
        ("near_reward", 7, 1),
        ("win_back", 30, 1),
    ]
    assert program.messaging.holdout == 0.15 and program.messaging.max_per_week == 1
    assert program.milestones == parse_program_toml(EXAMPLE_PROGRAM.read_text(encoding="utf-8")).milestones


# --- Staff and today's figures ---------------------------------------------------------


@asyncio
async def test_the_owner_adds_and_deactivates_staff(sqlite_desk: Desk) -> None:
    shop = sqlite_desk
    tr = text_of(shop)
    app = make_till(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        staff = owner(app).staff
        assert focused_id(app) == "staff-name"
        assert shown_in(app, "#staff-list", tr("staff.none"))
        assert app.screen.query_one("#staff-role", Select).value == "owner"

        await type_text(pilot, "Marc")
        await pilot.press("enter")  # on to the role (owner, the first one must be)
        # An owner's PIN everybody would try first is refused, in the till's language.
        app.screen.query_one("#staff-pin", Input).focus()
        await type_text(pilot, "1111")
        await pilot.press("enter")
        await type_text(pilot, "1111")
        await pilot.press("enter")
        await settle(pilot)
        assert staff.status == tr("staff.weak_pin")
        assert shows(app, tr("staff.weak_pin")[:30])
        assert shop.staff() == ()
        assert focused_id(app) == "staff-pin" and app.screen.query_one("#staff-pin", Input).value == ""
        await type_text(pilot, OWNER_PIN)
        await pilot.press("enter")
        await type_text(pilot, OWNER_PIN)
        await pilot.press("enter")
        await settle(pilot)
        assert staff.status == tr("staff.added", name="Marc", role=tr.role("owner"))
        assert OWNER_PIN not in screen_text(app)

        # A cashier whose two PINs differ, then right.
        app.screen.query_one("#staff-name", Input).value = "Léa"
        app.screen.query_one("#staff-role", Select).value = "cashier"
        app.screen.query_one("#staff-pin", Input).value = CASHIER_PIN
        app.screen.query_one("#staff-pin2", Input).value = "9999"
        app.screen.query_one("#staff-pin2", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert staff.status == tr("staff.pins_differ")
        assert [m.name for m in shop.staff()] == ["Marc"]
        app.screen.query_one("#staff-pin", Input).value = CASHIER_PIN
        app.screen.query_one("#staff-pin2", Input).value = CASHIER_PIN
        app.screen.query_one("#staff-pin2", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert [(m.name, m.role) for m in shop.staff()] == [("Marc", "owner"), ("Léa", "cashier")]
        assert shown_in(app, "#staff-list", tr("staff.line", name="Léa", role=tr.role("cashier")))

        # The engine's refusals show as they come: a name taken twice.
        app.screen.query_one("#staff-name", Input).value = "LÉA"
        app.screen.query_one("#staff-pin", Input).value = "5555"
        app.screen.query_one("#staff-pin2", Input).value = "5555"
        app.screen.query_one("#staff-pin2", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "un membre de l'équipe s'appelle déjà LÉA" in staff.status
        assert focused_id(app) == "staff-name"

        listed = app.screen.query_one("#staff-list", OptionList)
        listed.focus()
        listed.highlighted = 1  # Léa
        await pilot.press("f8")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert staff.status == tr("staff.deactivated", name="Léa")
        assert [m.name for m in shop.staff()] == ["Marc"]

        # Back to the till: the shop has staff now, so it asks for a PIN.
        await pilot.press("escape")
        await settle(pilot)
        assert not pin_screen(app).owner
        await sign_in(pilot, OWNER_PIN)
        assert isinstance(app.screen, TillScreen)


@asyncio
async def test_today_shows_the_sales_of_the_day(shop: Desk) -> None:
    tr = text_of(shop)
    ana = shop.enrol(name="Ana Martin")
    shop.checkout(card=ana.number, amount="4.50")
    app = make_till(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        pane = owner(app).overview
        assert pane.overview is not None and pane.overview.sales == 1
        for line in (
            tr("overview.sales", count=1, amount=tr.money(Decimal("4.50"))),
            tr("overview.stamps", count=3),  # 2 starter stamps + 1 for the sale
            tr("overview.enrolments", count=1),
            tr("overview.coupons_issued", count=1),
            tr("overview.printer", url=tr("overview.printer_none")),
        ):
            assert shows(app, line), line

        shop.checkout(amount="12.00")  # another till's sale: ^r refreshes
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert shows(app, tr("overview.sales", count=2, amount=tr.money(Decimal("16.50"))))


@asyncio
async def test_today_shows_the_customers_of_the_month_who_agreed(shop: Desk) -> None:
    tr = text_of(shop)
    ana = shop.enrol(name="Ana Martin", leaderboard=True)
    zoe = shop.enrol(name="Zoé Bernard")  # not on the board: she did not say yes
    for card in (ana.number, zoe.number, zoe.number):
        shop.checkout(card=card, amount="4.50")
    app = make_till(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        pane = owner(app).overview
        assert pane.leaderboard is not None and pane.leaderboard.month == "2026-03"
        assert [(e.name, e.visits) for e in pane.leaderboard.entries] == [("Ana", 1)]
        assert shows(app, tr("board.title"))
        assert shows(app, tr("board.month", month="mars 2026" if tr.french else "March 2026"))
        assert shown_in(app, "#overview-board", f"1. Ana …{ana.number[-4:]} 1")
        assert "Zoé" not in screen_text(app) and "Martin" not in screen_text(app)
        assert shows(app, tr("overview.sales", count=3, amount=tr.money(Decimal("13.50"))))

        # Léo agrees at another till and comes twice: ^r brings him to the top.
        leo = shop.enrol(name="Léo Dupont")
        shop.set_leaderboard(leo.number, True)
        shop.checkout(card=leo.number, amount="4.50")
        shop.checkout(card=leo.number, amount="4.50")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert shown_in(app, "#overview-board", f"1. Léo …{leo.number[-4:]} 2")
        assert shown_in(app, "#overview-board", f"2. Ana …{ana.number[-4:]} 1")


@asyncio
async def test_the_board_says_when_nobody_is_on_it_yet(shop: Desk) -> None:
    tr = text_of(shop)
    shop.checkout(card=shop.enrol(name="Zoé Bernard").number, amount="4.50")
    app = make_till(shop)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        assert owner(app).overview.board == tr("board.empty")
        assert shown_in(app, "#overview-board", tr("board.empty"))


@asyncio
async def test_a_shop_without_a_programme_writes_its_first_one(bare_desk: Desk) -> None:
    tr = text_of(bare_desk)
    app = make_till(bare_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        editor = owner(app).editor
        assert app.screen.query_one("#ed-stamps_per_card", Input).value == "10"  # a form to fill in
        assert tr.program_error(ProgramError("text", key="program.name")) in editor.status  # missing first
        await retype(pilot, app, "#ed-name", "Chez Paul")
        await retype(pilot, app, "#ms-reward-1", "Une viennoiserie")
        await retype(pilot, app, "#ms-reward-2", "Une baguette")
        assert editor.error is None
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert editor.status == tr("editor.saved", version=1)
        await pilot.press("escape")
        await settle(pilot)
        assert app.till.title == "Chez Paul"
    assert bare_desk.program().rules["milestones"][0] == {"at": 3, "reward": "Une viennoiserie"}


@asyncio
async def test_the_editor_names_mistakes_in_french(sqlite_desk: Desk) -> None:
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        editor = owner(app).editor
        await retype(pilot, app, "#ed-stamps_per_card", "0")
        assert "« Tampons/carte » doit aller de 2 à 100, et non 0" in editor.status
        # Amounts as the shop writes them.
        assert app.screen.query_one("#ed-min_amount", Input).value == "2,00"
        await retype(pilot, app, "#ed-stamps_per_card", "8")
        # A milestone named by what the owner sees: its stamps.
        assert "le palier à 10 doit aller de 1 à 8, et non 10" in editor.status
        await retype(pilot, app, "#ms-at-3", "7")
        assert "la récompense finale manque : ajoutez un palier à 8 tampons" in editor.status
        await retype(pilot, app, "#ms-at-3", "8")
        await retype(pilot, app, "#ms-reward-2", " ")
        assert "la récompense du palier à 6 ne peut pas être vide" in editor.status
        await retype(pilot, app, "#ms-reward-2", "Cookie offert")
        await retype(pilot, app, "#ed-min_amount", "deux")
        assert "« Montant min. » n'est pas un montant comme 2,00" in editor.status
        await retype(pilot, app, "#ed-min_amount", "2,50")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert sqlite_desk.program().program.earning.min_amount == Decimal("2.50")


@asyncio
async def test_the_staff_form_is_filled_from_the_keyboard_alone(sqlite_desk: Desk) -> None:
    """Name, Tab, the role, Tab, the PIN, Tab, the PIN again, Enter: typed
    in one go, nothing lands in the wrong field and nothing is lost."""
    tr = text_of(sqlite_desk)
    app = make_till(sqlite_desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press(*"Léa Martin".replace(" ", "_"), "tab", "tab", *"4826", "tab", *"4826", "enter")
        await settle(pilot)
        assert [(m.name, m.role) for m in sqlite_desk.staff()] == [("Léa_Martin", "owner")]
        # One name per key in the shop's language, in the footer as in the hints.
        footer = screen_text(app).split("\n")[-1]
        assert f"{tr('keyname.escape')} {tr('key.back')}" in footer
