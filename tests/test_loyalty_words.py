"""The engine's notices and outcome codes in the shop's words: every code has
a text in both languages, and a notice reads the same money and days as
every other surface."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from stampdesk.domain.outcomes import TIER_PERK, Notice, Outcome
from stampdesk.services.loyalty import Phrases
from stampdesk.words import Book, catalogue


@pytest.mark.parametrize("code", [*Outcome, TIER_PERK])
def test_every_outcome_has_a_text_in_both_languages(code: str) -> None:
    for language in ("en", "fr"):
        assert catalogue()[language].get(f"outcome.{code}"), f"outcome.{code} ({language})"


def test_the_zero_stamp_reasons_quote_the_programme() -> None:
    fr, en = Book("fr_FR"), Book("en_GB")
    assert fr("outcome.below_minimum", minimum=Decimal("3")) == (
        "Aucun tampon : les tampons commencent à 3,00 € d'achat."
    )
    assert en("outcome.below_minimum", minimum=Decimal("3")) == "No stamp: sales from €3.00 earn stamps."
    assert en("outcome.daily_cap", count=2) == "No stamp: this card already had its 2 stamps today."


GRACE = Notice(
    Outcome.TIER_GRACE, {"tier": "Gold", "until": date(2026, 12, 14), "visits": 2, "spend": Decimal("1234.5")}
)


@pytest.mark.parametrize(
    ("locale", "notice", "said"),
    [
        ("fr_FR", GRACE, "2 visites et 1 234,50 € d'achats pour rester Gold d'ici le 14/12/2026"),
        ("en_GB", GRACE, "2 visits and €1,234.50 spent to stay Gold by 14/12/2026"),
        (
            "fr_FR",
            Notice(
                Outcome.TIER_GRACE, {"tier": "Gold", "until": date(2026, 12, 14), "visits": 1, "spend": 0}
            ),
            "1 visite pour rester Gold d'ici le 14/12/2026",
        ),
        (
            "fr_FR",
            Notice(Outcome.COUPON_EXPIRING, {"reward": "Cookie offert", "day": date(2026, 12, 14)}),
            "Bon « Cookie offert » à utiliser avant le 14/12/2026",
        ),
        (
            "en_GB",
            Notice(Outcome.COUPON_EXPIRING, {"reward": "Free cookie", "day": date(2026, 12, 14)}),
            'Use your "Free cookie" coupon by 14/12/2026',
        ),
        (
            "fr_FR",
            Notice(Outcome.STAMPS_LAPSED, {"stamps": 1, "day": date(2026, 12, 14), "days": 90}),
            "1 tampon expiré le 14/12/2026 (pas de visite depuis 90 jours)",
        ),
        (
            "en_GB",
            Notice(Outcome.STAMPS_EXPIRING, {"stamps": 4, "day": date(2026, 12, 14)}),
            "Your 4 stamps expire on 14/12/2026",
        ),
        ("fr_FR", Notice(TIER_PERK, {"tier": "Gold", "perk": "-10 %"}), "Votre avantage Gold : -10 %"),
        ("en_GB", Notice(Outcome.TIER_REACHED, {"tier": "Gold"}), "Welcome to Gold!"),
        ("fr_FR", Notice(Outcome.REFERRAL, {"stamps": 1}), "Parrainage : 1 tampon(s) offert(s)"),
    ],
)
def test_a_notice_in_the_shops_words(locale: str, notice: Notice, said: str) -> None:
    assert Phrases(locale).render(notice) == said
