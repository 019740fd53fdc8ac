"""The Python API: ``stampdesk.connect(url)`` returns a ``Desk``.

A ``Desk`` is a thin façade over the service functions; the CLI, the till
and the HTTP API go through the same functions.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import replace
from datetime import date, datetime
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import DBAPIError

from . import db
from .config import DEFAULT_PUBLIC_URL, PrinterSettings, Settings, default_outbox, load_settings
from .config_file import config_path, save_printer_settings
from .domain.public_url import MAIL_CANNOT_GO, PUBLIC_URL_UNREACHABLE, unreachable_reason
from .domain.validate import clean_checkout_id, clean_time
from .results import (
    CardState,
    CheckoutResult,
    CheckReport,
    ClaimResult,
    CustomerMatch,
    EnrolResult,
    ExpiryReport,
    JoinResult,
    Leaderboard,
    ProgramInfo,
    RecordedSale,
    RedeemResult,
    RefundChange,
    RefundPreview,
    SetupWarning,
    StampChange,
)
from .services import cards, check, coupons, idempotency, loyalty, printing, program
from .services import overview as overview_service
from .services import shops as shop_service
from .services import staff as staff_service

# Re-exported for the till, which reaches the engine only through this module.
from .services.overview import Overview as Overview
from .services.staff import PIN_DIGITS as PIN_DIGITS
from .services.staff import ROLES as ROLES
from .services.staff import StaffMember as StaffMember
from .store import Store, utc_now

if TYPE_CHECKING:
    # What only the web server, backups and the customer pages use is
    # imported when first called: the till starts without it. So are a
    # sale's and a refund's rules and the offline till's outbox, which a
    # till imports once its first screen is up (``ready_to_sell``).
    from .offline import OfflineSale, OfflineTill, Refusal, SyncReport
    from .services import apikeys
    from .services import backup as backup_service
    from .services.join import JoinPreview
    from .services.messages import CardLinkAsked, Preview, RunReport, Unsubscribed
    from .services.privacy import ErasedCard
    from .services.report import Report as Report


class Desk:
    """A shop's stamp-card engine, bound to one database."""

    def __init__(self, store: Store, offline: OfflineTill | None = None) -> None:
        self.store = store
        # A till of a chain: its sales wait here while the database is out of reach.
        self.offline = offline

    @property
    def settings(self) -> Settings:
        return self.store.settings

    def checkout(
        self,
        *,
        amount: object,
        card: str | None = None,
        items: Iterable[object] | None = None,
        idempotency_key: str | None = None,
        at: object = None,
        till: str | None = None,
        receipt: bool = False,
    ) -> CheckoutResult | OfflineSale:
        """Record a sale (and, with ``receipt``, its print job, written in the
        same transaction); see ``services.checkout.checkout``. A till that
        works offline (``offline`` in the settings) gets a ``OfflineSale``
        when the database is out of reach: the sale waits in its outbox."""
        from .services import checkout

        sell: Callable[..., CheckoutResult | OfflineSale] = (
            partial(checkout.checkout, self.store) if self.offline is None else self.offline.checkout
        )
        return sell(
            card=card,
            amount=amount,
            items=items,
            idempotency_key=idempotency_key,
            at=at,
            till=till,
            receipt=receipt,
        )

    def card(self, number: str) -> CardState:
        return cards.card(self.store, number)

    def search(self, query: str, limit: int = 20) -> tuple[CustomerMatch, ...]:
        return cards.search(self.store, query, limit)

    def enrol(
        self,
        *,
        name: object,
        email: object = None,
        phone: object = None,
        birthday: object = None,
        referrer: str | None = None,
        claim: str | None = None,
        at: object = None,
        notes: str | None = None,
        card: str | None = None,
        leaderboard: bool = False,
        marketing: bool = False,
        marketing_source: str = "api",
    ) -> EnrolResult:
        """A new card (see ``services.cards.enrol``); with ``leaderboard``
        its customer agrees to be on the customer-of-the-month board, with
        ``marketing`` to receive the shop's marketing e-mails (recorded with
        where they said so: ``marketing_source``)."""
        return cards.enrol(
            self.store,
            name=name,
            email=email,
            phone=phone,
            birthday=birthday,
            referrer=referrer,
            claim=claim,
            at=at,
            notes=notes,
            card=card,
            leaderboard=leaderboard,
            marketing=marketing,
            marketing_source=marketing_source,
        )

    def claim(self, card: str, token: object) -> ClaimResult:
        """Add a walk-in receipt's stamps to the card ``card`` (its holder
        forgot it at the sale): once per receipt, within ``claim_days``, as a
        claim at enrolment would. ``token`` is the receipt's token or its
        whole link. Refused (``already_claimed``, ``claim_expired``,
        ``refunded``, ``invalid_claim_token``, ``unknown_card``,
        ``card_erased``, ``card_not_enrolled``) with nothing written; see
        ``services.cards.claim``."""
        return cards.claim(self.store, card, token)

    def set_notes(self, card: str, notes: object) -> CardState:
        """The shop's note on a card's customer ("usual: flat white"); empty clears it."""
        return cards.set_notes(self.store, card, notes)

    def set_leaderboard(self, number: str, on: bool) -> CardState:
        """Show (``on``) or stop showing a card's customer, by first name, on
        the customer-of-the-month board (their choice)."""
        return cards.set_leaderboard(self.store, number, on)

    def set_marketing(self, number: str, on: bool, *, source: str = "api", at: object = None) -> CardState:
        """Give (``on``) or withdraw a card's customer's consent to marketing
        e-mails; when and where (``source``) are recorded with the change
        (see ``services.cards.set_marketing``)."""
        return cards.set_marketing(self.store, number, on, source=source, at=at)

    def set_language(self, number: str, language: str) -> None:
        """Remember the language (``fr``, ``en``) a card's customer chose
        for what the shop sends them."""
        cards.set_language(self.store, number, language)

    def set_printer(self, printer: PrinterSettings) -> Path:
        """Keep new printer settings in the config file (and use them now);
        returns the file written. Check them first (``check_printer_settings``)."""
        path = config_path(self.settings)
        save_printer_settings(path, printer)
        self.store.settings = replace(self.store.settings, printer=printer, config_file=path)
        return path

    def issue_cards(self, count: int) -> tuple[str, ...]:
        """Create pre-numbered cards to print (``stampdesk cards print``)."""
        return cards.issue_cards(self.store, count)

    def redeem(
        self, code: str, *, till: str | None = None, checkout: object = None, at: object = None
    ) -> RedeemResult:
        """Use a coupon once; ``checkout``: the sale in which its reward was
        handed over; ``at``: when, for history (a past time)."""
        return coupons.redeem(self.store, code, till=till, checkout=checkout, at=at)

    def refund(
        self, checkout_id: object, items: object = None, amount: object = None, *, till: str | None = None
    ) -> RefundChange:
        """Refund a sale, or part of it: ``items`` as ``[("SKU", qty)]`` and/or
        an ``amount``; neither: all that is left of it. ``till``: where it is
        refunded (default the settings' till)."""
        from .services import refunds

        return refunds.refund(self.store, checkout_id, items=items, amount=amount, till=till)

    def refund_preview(
        self, checkout_id: object, items: object = None, amount: object = None
    ) -> RefundPreview:
        """The sale and what refunding it (or the part asked) now would take
        back (nothing is written); refused, as the refund would be, for an
        unknown or already refunded sale."""
        from .services import refunds

        return refunds.preview(self.store, checkout_id, items=items, amount=amount)

    def adjust(self, card: str, stamps: int, *, reason: str, staff: str) -> StampChange:
        return cards.adjust(self.store, card, stamps, reason=reason, staff=staff)

    def expire(self, *, at: object = None) -> ExpiryReport:
        """Write the lapse of every card's stamps that went without a visit for
        ``program.expiry.stamps_after_days`` (a sale does it for its own card),
        and forget the idempotency keys older than ``idempotency_days``."""
        moment = clean_time(at, self.store.now()) if at is not None else None
        lapsed_cards, stamps = loyalty.expire_all(self.store, moment)
        return ExpiryReport(lapsed_cards, stamps, idempotency.purge(self.store, moment))

    def load_program_file(self, path: str | Path, *, shop: object = None) -> ProgramInfo:
        """Load the programme file at ``path`` (TOML), for the whole chain or,
        with ``shop``, for one shop. Loading the rules already in force
        creates no new version; what was earned is never taken away."""
        return program.load_program_file(self.store, path, shop=shop)

    def load_program_text(self, text: str, *, shop: object = None) -> ProgramInfo:
        """Load a programme from its TOML ``text`` (as ``load_program_file``)."""
        return program.load_program(self.store, text, shop=shop)

    def load_program(self, source: str | Path, *, shop: object = None) -> ProgramInfo:
        """Load a programme from TOML text or from a file path; a string
        without a ``[program]`` line is taken for a path. Kept for existing
        callers: ``load_program_file`` and ``load_program_text`` say which."""
        if isinstance(source, Path) or (isinstance(source, str) and "[program]" not in source):
            return self.load_program_file(source, shop=shop)
        return self.load_program_text(source, shop=shop)

    def program(self, *, shop: object = None) -> ProgramInfo:
        """The programme in force for ``shop`` (default: this till's shop)."""
        return program.show_program(self.store, shop=shop)

    def reprint(self, checkout_id: object) -> printing.PrintJob:
        """Queue a sale's receipt again (it prints as DUPLICATA)."""
        return printing.reprint(self.store, checkout_id)

    def pending_receipts(self, *, tills: Collection[str] = ()) -> tuple[printing.PrintJob, ...]:
        return printing.pending(self.store, tills=tills)

    def check(self) -> CheckReport:
        """Reconcile balances with the ledger; the report also carries the
        set-up's warnings (``setup_warnings``, and customer e-mails the
        programme sends that cannot go: ``mail_warnings``), which do not fail it."""
        warnings = self.setup_warnings() + self.mail_warnings()
        return replace(check.check(self.store), warnings=warnings)

    def mail_warnings(self) -> tuple[SetupWarning, ...]:
        """The programme sends customer e-mails, but none can go: no mail
        server (``[mail]``), or a ``public_url`` an e-mail may not carry
        (code ``mail_cannot_go``; reads the programme)."""
        from .services import messages

        reason = messages.mail_problem(self.store)
        if reason is None or not messages.sends_mail(self.store):
            return ()
        path = str(config_path(self.settings))
        return (SetupWarning(MAIL_CANNOT_GO, reason, self.settings.public_url, path),)

    def setup_warnings(self) -> tuple[SetupWarning, ...]:
        """What the shop's set-up leaves to see to: a ``public_url`` a
        customer's phone cannot open (unset, or this machine's address), so
        the receipts' QR codes lead nowhere (``domain.public_url``)."""
        url = self.settings.public_url
        # Not set in the config file: the settings hold the default, this machine.
        reason = "unset" if url == DEFAULT_PUBLIC_URL else unreachable_reason(url)
        if reason is None:
            return ()
        path = str(config_path(self.settings))
        return (SetupWarning(PUBLIC_URL_UNREACHABLE, reason, url, path),)

    def backup(self, path: str | Path) -> backup_service.BackupResult:
        from .services import backup as backup_service

        return backup_service.backup(self.store, path)

    def sync(self) -> SyncReport:
        """Send the sales waiting in this till's outbox to the database, in
        the order they were made (each once); nothing to do without one."""
        if self.offline is None:
            from .offline import SyncReport

            return SyncReport(0, 0, 0, True)
        return self.offline.sync()

    def waiting_sales(self) -> int:
        """How many sales wait in this till's outbox for the database."""
        return 0 if self.offline is None else self.offline.outbox.waiting()

    def refused_sales(self) -> tuple[Refusal, ...]:
        """Sales of the outbox the database refused at their replay."""
        return () if self.offline is None else self.offline.outbox.refusals()

    def restore(
        self,
        path: str | Path,
        *,
        confirm: Callable[[backup_service.BackupInfo], bool] | None = None,
    ) -> backup_service.RestoreResult:
        """Replace the whole database with a backup (``stampdesk backup``'s
        file), then upgrade it; ``confirm`` sees what the backup holds and may
        still say no. See ``services.backup.restore``."""
        from .services import backup as backup_service

        result = backup_service.restore(self.store, path, confirm=confirm)
        # What the store cached (programme versions, the claim secret) was
        # the replaced database's.
        self.store = Store(self.store.engine, self.store.settings, self.store.clock)
        if self.offline is not None:
            # Sales kept offline are replayed into the restored database.
            self.offline.store = self.store
        return result

    def ready_to_sell(self) -> None:
        """Import what a sale, a refund and the offline outbox need (the
        Python API imports it at their first call). A till calls this once
        its first screen is up, so that it starts without it and its first
        sale does not wait for it."""
        from . import offline  # noqa: F401  (imports the sale's rules)
        from .services import refunds  # noqa: F401

    def close(self) -> None:
        self.store.close()
        if self.offline is not None:
            self.offline.close()

    def __enter__(self) -> Desk:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # --- Staff and the owner's overview -------------------------------------

    def add_staff(self, name: object, role: object, pin: object) -> StaffMember:
        """Add a cashier or an owner with their PIN (the first must be an owner)."""
        return staff_service.add_staff(self.store, name, role, pin)

    def staff(self, *, include_inactive: bool = False) -> tuple[StaffMember, ...]:
        """The members of staff, owners first."""
        return staff_service.list_staff(self.store, include_inactive=include_inactive)

    def set_pin(self, name: object, pin: object) -> StaffMember:
        """Give an active member of staff a new PIN."""
        return staff_service.set_pin(self.store, name, pin)

    def deactivate_staff(self, name: object) -> StaffMember:
        """Take a member of staff's access away (never the last owner's)."""
        return staff_service.deactivate(self.store, name)

    def verify_pin(self, pin: object, *, owner: bool = False) -> StaffMember:
        """The member whose PIN this is; with ``owner``, only an owner's PIN
        is accepted. Refused after too many wrong PINs in a row."""
        return staff_service.verify_pin(self.store, pin, owner=owner)

    def has_staff(self) -> bool:
        """Whether the till asks for a PIN (some member of staff is active)."""
        return staff_service.has_staff(self.store)

    def overview(self, day: date | None = None) -> Overview:
        """Today's figures (or ``day``'s): sales, stamps, new cards, coupons."""
        return overview_service.overview(self.store, day)

    def leaderboard(self, month: date | str | None = None, limit: int = 10) -> Leaderboard:
        """The customer-of-the-month board: the opted-in customers ranked by
        qualifying visits in ``month`` (a date in it or ``YYYY-MM``; default:
        the current shop-local month), its ``limit`` first."""
        from .services import leaderboard as leaderboard_service

        return leaderboard_service.leaderboard(self.store, month, limit)

    def report(self, start: object = None, end: object = None, *, shop: object = None) -> Report:
        """How the programme performs from ``start`` to ``end`` (days,
        included; default the last 30 days), for the chain or one ``shop``:
        see ``services.report``."""
        from .services import report as report_service

        return report_service.report(self.store, start, end, shop=shop)

    # --- Customer e-mails ----------------------------------------------------

    def messages_run(self, *, at: object = None, dry_run: bool = False) -> RunReport:
        """Decide, queue and send the customer e-mails due now (or ``at``, a
        past time: as if then); ``dry_run`` decides and shows, writing and
        sending nothing. Safe to run again and from two places at once:
        see ``services.messages``."""
        from .services import messages

        return messages.run(self.store, at=at, dry_run=dry_run)

    def message_preview(self, kind: object, card: str, *, at: object = None) -> Preview:
        """The e-mail ``kind`` the card ``card`` would get now: subject,
        headers, text and HTML (nothing is written or sent)."""
        from .services import messages

        return messages.preview(self.store, kind, card, at=at)

    def ask_card_link(self, email: object, *, send: bool = True) -> CardLinkAsked:
        """A customer lost their card's link: e-mail it to the card(s) of
        ``email``, one e-mail per card an hour, consent or not (it is not
        marketing). Queued in one transaction, then sent at once unless
        ``send`` is False (``send_card_links`` later); nothing for an
        address no card has. The caller must say the same either way."""
        from .services import messages

        asked = messages.ask_card_link(self.store, email)
        return messages.send_card_links(self.store, asked) if send else asked

    def send_card_links(self, asked: CardLinkAsked) -> CardLinkAsked:
        """Send what ``ask_card_link(…, send=False)`` queued (what fails
        waits for the next ``messages_run``)."""
        from .services import messages

        return messages.send_card_links(self.store, asked)

    def unsubscribe_page(self, token: object) -> Unsubscribed:
        """What the page of a genuine unsubscribe link says (the shop's name,
        in the customer's language); ``NotFound`` for a forged one. Changes nothing."""
        from .services import messages

        return messages.check_unsubscribe(self.store, token)

    def unsubscribe(self, token: object) -> Unsubscribed:
        """One click from an e-mail: the customer's consent to marketing
        e-mails is withdrawn at once (``NotFound`` for a forged link)."""
        from .services import messages

        return messages.unsubscribe(self.store, token)

    def add_shop(self, name: object) -> shop_service.ShopInfo:
        """A new shop of the chain (cards are one card in every shop)."""
        return shop_service.add_shop(self.store, name)

    def rename_shop(self, shop: object, name: object) -> shop_service.ShopInfo:
        return shop_service.rename_shop(self.store, shop, name)

    def shops(self) -> tuple[shop_service.ShopInfo, ...]:
        """Every shop of the chain, with its tills."""
        return shop_service.list_shops(self.store)

    def assign_till(self, till: object, shop: object) -> shop_service.TillInfo:
        """Register the till ``till`` in ``shop`` (or move it there)."""
        return shop_service.assign_till(self.store, till, shop)

    def tills(self) -> tuple[shop_service.TillInfo, ...]:
        return shop_service.list_tills(self.store)

    def now(self) -> datetime:
        """The shop's clock (UTC): what a sale recorded now would be dated."""
        return self.store.now()

    # --- Customer pages: receipt enrolment preview, card links, privacy -----

    def join_preview(self, token: object) -> JoinPreview:
        """What a receipt's enrolment link offers: the programme and the stamps
        waiting. Refused like ``enrol(claim=token)`` would be (forged,
        expired, already claimed, refunded); writes nothing."""
        from .services import join as join_service

        return join_service.preview(self.store, token)

    def join(
        self,
        token: str,
        *,
        name: object,
        email: object,
        phone: object = None,
        birthday: object = None,
        marketing: bool = False,
        language: str | None = None,
    ) -> JoinResult:
        """The enrolment page's form: the receipt's stamps go to a new card
        for ``email``, or to the card of the customer who already has that
        e-mail; the receipt is used up either way (see ``services.cards.join``).
        ``marketing``: the form's box for marketing e-mails; ``language``: the page's."""
        return cards.join(
            self.store,
            token,
            name=name,
            email=email,
            phone=phone,
            birthday=birthday,
            marketing=marketing,
            language=language,
        )

    def card_token(self, number: str) -> str:
        """The private token of a card's page (unguessable, stable)."""
        from .services import card_links

        return card_links.card_token(self.store, number)

    def card_link(self, number: str) -> str:
        """The full private address of a card's page, under ``public_url``."""
        from .services import card_links

        return card_links.card_link(self.store, number)

    def card_for_link(self, token: object) -> CardState:
        """The card a page token opens; ``NotFound`` for a forged token
        (``invalid_card_link``) or an erased card (``card_erased``)."""
        from .services import card_links

        return cards.card(self.store, card_links.card_for_token(self.store, token))

    def export(self, number: str) -> dict[str, Any]:
        """Everything kept about a card's holder, JSON-ready (their right of access)."""
        from .services import privacy

        return privacy.export(self.store, number)

    def correct(
        self, number: str, *, name: object, email: object, phone: object = None, birthday: object = None
    ) -> CardState:
        """Replace a card holder's name and contact details (their right to
        rectification); an empty phone or birthday is deleted."""
        from .services import privacy

        return privacy.correct(self.store, number, name=name, email=email, phone=phone, birthday=birthday)

    def erase(self, number: str) -> ErasedCard:
        """Erase a card's holder (their right to erasure); the anonymous
        ledger and sales stay, so totals and ``check`` still hold."""
        from .services import privacy

        return privacy.erase(self.store, number)

    # --- HTTP API: keys, idempotent refunds and redemptions, receipts -------
    # (one block at the end of the class, kept together for the API's branch)

    def refund_once(
        self,
        checkout_id: object,
        *,
        idempotency_key: object,
        till: str | None = None,
        items: object = None,
        amount: object = None,
    ) -> RefundChange:
        """``refund`` with an idempotency key: the same key again from the
        same ``till`` (default the settings' till) returns the first answer
        (``replayed``); with another request it is refused."""
        from .services import refunds

        return refunds.refund(
            self.store, checkout_id, items=items, amount=amount, idempotency_key=idempotency_key, till=till
        )

    def redeem_once(
        self,
        code: str,
        *,
        idempotency_key: object,
        till: str | None = None,
        checkout: object = None,
        at: object = None,
    ) -> RedeemResult:
        """``redeem`` with an idempotency key: the same key again from the
        same ``till`` (default the settings' till) returns the first answer
        (``replayed``) instead of "already used"."""
        return coupons.redeem(
            self.store, code, till=till, idempotency_key=idempotency_key, checkout=checkout, at=at
        )

    def print_receipt(self, checkout_id: object, *, till: str | None = None) -> printing.PrintJob:
        """Queue a sale's receipt (once; DUPLICATA after one was sent)."""
        return printing.print_receipt(self.store, checkout_id, till=till)

    def sale(self, checkout_id: object) -> RecordedSale:
        """A recorded sale's result, as it was returned, with each coupon's
        status now and when the sale was refunded whole (``refunded_at``)."""
        from .services import checkout

        return checkout.recorded_sale(self.store, clean_checkout_id(checkout_id))

    def create_api_key(
        self, name: object, role: object = "till", *, shop: object = None
    ) -> apikeys.NewApiKey:
        """A new API key for a till (``role`` till or admin), shown only now;
        with ``shop``, the till is registered in that shop."""
        from .services import apikeys

        if shop is not None:
            with self.store.read() as conn:
                shop_service.shop_id_of(conn, shop)  # an unknown shop: refused before the key
        new = apikeys.create(self.store, name, role)
        if shop is not None:
            shop_service.assign_till(self.store, new.name, shop)
        return new

    def revoke_api_key(self, name: object) -> apikeys.ApiKeyInfo:
        """Revoke a till's live key (refused at once by this process)."""
        from .services import apikeys

        return apikeys.revoke(self.store, name)

    def api_keys(self, *, include_revoked: bool = False) -> tuple[apikeys.ApiKeyInfo, ...]:
        """The API keys (never the keys themselves)."""
        from .services import apikeys

        return apikeys.list_keys(self.store, include_revoked=include_revoked)

    def verify_api_key(self, key: str) -> apikeys.Caller | None:
        """The till a key belongs to, or None for an unknown or revoked key."""
        from .services import apikeys

        return apikeys.verify(self.store, key)


_OFFLINE_NAMES = frozenset({"OfflineSale", "OfflineTill", "Refusal", "SaleOutbox", "SyncReport"})


def __getattr__(name: str) -> Any:
    # The offline till's names are still found here, imported when asked for.
    if name in _OFFLINE_NAMES:
        from . import offline

        return getattr(offline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def connect(
    url: str | None = None,
    *,
    settings: Settings | None = None,
    config: str | Path | None = None,
    clock: Callable[[], datetime] = utc_now,
    upgrade: bool = True,
) -> Desk:
    """Open a shop's database (creating or upgrading its schema) and return a
    ``Desk``. ``url`` is a SQLAlchemy URL; without it, ``STAMPDESK_DB``, the
    config file, then a SQLite file in the user data directory."""
    if settings is None:
        settings = load_settings(db=url, config=config)
    engine = db.make_engine(settings.database)
    store = Store(engine, settings, clock)
    offline = None
    if settings.offline:
        from .offline import OfflineTill, SaleOutbox

        offline = OfflineTill(store, SaleOutbox(settings.outbox or default_outbox(settings.till)))
    if upgrade:
        try:
            db.upgrade(engine)
        except DBAPIError as error:
            # A till that can sell offline opens without its database.
            if offline is None or not db.unreachable(error):
                raise
            offline.schema_unreachable()
    return Desk(store, offline)
