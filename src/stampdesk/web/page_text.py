"""What the customer's pages say, in French and in English, and how the
language is chosen: ``?lang=`` (remembered in a cookie), else the cookie,
else the one the customer chose before (on their card's pages), else the
browser's ``Accept-Language``, else the shop's locale. The languages are
those a customer can choose (``domain.marketing.LANGUAGES``).

The sentences are the words book's ``page.…`` keys (``words/tables/pages.py``);
money and days go through its one formatter ("12,50 €" and "02/03/2026" in
French; "€12.50" and "02/03/2026" in English), as on the till and the receipt.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, tzinfo
from decimal import Decimal
from functools import cache

from ..domain.marketing import LANGUAGES as LANGUAGES
from ..words import Book, formats

LOCALE_OF = {"fr": "fr_FR", "en": "en_GB"}
LANGUAGE_COOKIE = "lang"


@dataclass(frozen=True)
class PageText:
    """Every sentence of the pages in one language (``page_text(lang)``).
    ``{n}``, ``{reward}``, ``{day}``… are filled in by the templates with
    ``.format``."""

    lang: str
    locale: str
    language_name: str  # shown on the switch that leads to this language
    # enrolment
    join_title: str
    waiting_one: str
    waiting_many: str
    waiting_detail: str  # "{receipt} from your purchase of {amount} + {starter} welcome"
    join_intro: str  # "{n} stamps fill the card: {reward}"
    milestones_title: str
    milestone_line: str  # "{at} stamps: {reward}"
    first_name: str
    email: str
    phone: str
    birthday: str
    optional: str
    consent: str
    consent_detail: str
    join_button: str
    claim_until: str
    joined_title: str
    joined_text: str  # "Thank you, {name}! … the card of {email}"
    joined_next: str
    # a receipt for a card the customer already has
    add_to_my_card: str  # "Add to my card {name} …{last4}"
    or_new_card: str
    have_card_title: str
    have_card_explained: str
    card_link: str
    add_button: str
    add_receipt_title: str
    add_receipt_explained: str
    receipt_link: str
    receipt_added: str
    # the card
    card_title: str
    hello: str
    progress: str  # "{balance} of {total} stamps"
    remaining_one: str
    remaining_many: str
    completed_cards: str
    tier: str  # "Niveau {tier}"
    tier_until: str  # the grace period: "… garanti jusqu'au {day}"
    perk: str  # "Votre avantage : {perk}"
    stamps_lapse: str  # "… valables jusqu'au {day} …"
    coupons_title: str
    coupon_valid_until: str
    coupon_expired: str
    no_coupons: str
    show_at_till: str
    private_link: str
    home_screen: str
    your_data: str
    data_explained: str
    download: str
    edit_link: str
    edit_title: str
    save_button: str
    email_taken: str
    erase_link: str
    # erasing
    erase_title: str
    erase_explained: str
    erase_loses: str  # "{n} stamps and {coupons} coupons will be lost"
    erase_button: str
    cancel: str
    erased_title: str
    erased_text: str
    # problems
    problem_title: str
    invalid_claim_token: str
    claim_expired: str
    already_claimed: str
    refunded: str
    invalid_card_link: str
    card_erased: str
    csrf: str
    rate_limited: str
    no_program: str
    too_large: str
    not_found: str
    unexpected: str
    ask_at_till: str
    # form messages
    form_problems: str
    need_consent: str
    need_email: str
    invalid_name: str
    invalid_email: str
    invalid_phone: str
    invalid_birthday: str
    switch_language: str
    # after a change, and where to go from a page that is not one
    saved: str
    open_my_card: str
    no_receipt_link: str
    no_card_link: str
    # a lost card's link: by e-mail (``/card-link``), or at the till without e-mails
    lost_ask_at_till: str
    lost_by_mail: str
    card_link_title: str
    card_link_explained: str
    card_link_button: str
    card_link_sent_title: str
    card_link_sent: str
    card_link_nothing: str
    # consent to marketing e-mails: the enrolment form's own box, the card's page
    marketing_offer: str  # "{shop}"
    marketing_optional: str
    marketing_title: str
    marketing_on: str  # "{shop}", "{email}"
    marketing_off: str  # "{shop}"
    marketing_explained: str
    marketing_give: str
    marketing_withdraw: str
    marketing_needs_email: str
    marketing_given: str
    marketing_withdrawn: str

    def waiting(self, n: int) -> str:
        return (self.waiting_one if n == 1 else self.waiting_many).format(n=n)

    def remaining(self, n: int, reward: str) -> str:
        return (self.remaining_one if n == 1 else self.remaining_many).format(n=n, reward=reward)

    def money(self, amount: Decimal) -> str:
        """ "12,50 €" / "€12.50", as the till and the receipt write it."""
        return formats.money(amount, self.locale)

    def day(self, value: date | datetime, zone: tzinfo | None = None) -> str:
        """A day, short as everywhere ("14/12/2026"); a time is first brought
        to the shop's zone."""
        return formats.day(value, self.locale, zone)


@cache
def page_text(lang: str) -> PageText:
    """The pages' words in ``lang`` ("fr", "en"), from the words book's ``page.…`` keys."""
    book = Book(LOCALE_OF.get(lang, LOCALE_OF["fr"]))
    names = [f.name for f in fields(PageText) if f.name not in ("lang", "locale")]
    return PageText(
        lang=book.language, locale=book.locale, **{name: book.table[f"page.{name}"] for name in names}
    )


def language_of_locale(locale: str) -> str:
    """``fr_FR`` → ``fr``."""
    lang = locale.split("_", 1)[0].lower()
    return lang if lang in LANGUAGES else "fr"


def from_accept_language(header: str | None) -> str | None:
    """The first of our languages the browser asks for, by its q-values."""
    if not header:
        return None
    wanted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header[:500].split(",")):
        piece = part.strip()
        if not piece:
            continue
        tag, _, params = piece.partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        lang = tag.strip().split("-", 1)[0].lower()
        if lang in LANGUAGES and quality > 0:
            wanted.append((-quality, position, lang))
    return min(wanted)[2] if wanted else None


def choose(
    query: str | None,
    cookie: str | None,
    accept: str | None,
    default_locale: str,
    remembered: str | None = None,
) -> str:
    """The page's language: ``?lang=``, the cookie, the one the customer
    chose before (``remembered``: their card's), ``Accept-Language``, the shop's."""
    for choice in (query, cookie, remembered):
        if choice in LANGUAGES:
            return choice
    return from_accept_language(accept) or language_of_locale(default_locale)
