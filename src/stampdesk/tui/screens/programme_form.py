"""The programme editor's form as plain data: prefilled from the current
programme, turned into the TOML text ``stampdesk program load`` reads, and a
sample sale to preview the edited programme with.

Pure (no Textual): the form is validated by the domain's own
``parse_program_toml``, so the owner gets the same errors as on the command
line, and what is saved is exactly what was previewed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from ...config import CardDetails
from ...domain.money import DEFAULT_MAX_AMOUNT
from ...domain.program import MESSAGE_KINDS, Messaging, Program, parse_program_toml
from ...printer.receipt import DEFAULT_WIDTH, build_sale_receipt
from ...printer.render_text import render_text
from ...results import CardState, CheckoutResult, CouponInfo, MilestoneInfo, NextMilestone

_WHOLE = re.compile(r"^[+-]?[0-9]{1,9}$")
_PER_CENT = re.compile(r"^[0-9]{1,3}(?:[.,][0-9]{1,2})?$")
# The e-mails section: a field per kind of e-mail, the number that says when
# it goes (days; for near_reward, how many stamps from the reward). Empty,
# that e-mail is not sent. The rule's other keys ride along unchanged.
MAIL_FIELDS = tuple(f"mail_{kind}" for kind in MESSAGE_KINDS)
MAIL_NUMBER = {"near_reward": "stamps"}
# The sample's card number and coupon code (shown, never stored).
SAMPLE_CARD = "2912345678906"
SAMPLE_COUPON = "K7M2Q9XA"


@dataclass(frozen=True)
class MilestoneRow:
    """One milestone as typed: ``at`` and ``reward`` are the fields' texts;
    ``cost`` (what the reward costs the shop, set in the programme file) is
    not on the form and rides along unchanged."""

    at: str = ""
    reward: str = ""
    cost: str = ""

    @property
    def blank(self) -> bool:
        return not self.at.strip() and not self.reward.strip()


@dataclass(frozen=True)
class ProgrammeForm:
    """Every field of the editor, as the owner typed it (texts)."""

    name: str = ""
    stamps_per_card: str = ""
    starter_stamps: str = ""
    milestones: tuple[MilestoneRow, ...] = ()
    per_visit: str = ""
    min_amount: str = ""
    per_amount: str = ""
    max_per_day: str = ""
    valid_days: str = ""
    # Not on the form (a sale above it is refused as a typing mistake): kept.
    max_amount: str = ""
    # The e-mails to customers (``MAIL_FIELDS``), the share held out (per
    # cent) and the most a customer gets in a week; each e-mail's other keys.
    mail_lapse_warning: str = ""
    mail_coupon_expiry: str = ""
    mail_near_reward: str = ""
    mail_win_back: str = ""
    mail_birthday: str = ""
    holdout: str = ""
    max_per_week: str = ""
    mail_kept: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()
    # Sections the form does not edit (quick picks…), as the rules hold
    # them: written back unchanged, so saving never drops them.
    kept: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def from_program(cls, program: Program, *, decimal_comma: bool = False) -> ProgrammeForm:
        """The form of a stored programme (``ProgramInfo.program``); amounts
        as the shop writes them ("2,00" with ``decimal_comma``: a French
        shop), which the programme reads back either way."""
        earning = program.earning

        def money(value: object, hide: Decimal | None = None) -> str:
            typed = _amount_text(value, hide)
            return typed.replace(".", ",") if decimal_comma else typed

        def text(value: object) -> str:
            return "" if value is None else str(value)

        mails: dict[str, str] = {}
        mail_kept = []
        for rule in program.messages:
            keys = rule.to_dict()
            del keys["kind"]
            mails[f"mail_{rule.kind}"] = text(keys.pop(MAIL_NUMBER.get(rule.kind, "days"), ""))
            mail_kept.append((rule.kind, tuple(keys.items())))
        per_cent = per_cent_of(program.messaging.holdout)

        return cls(
            name=program.name,
            stamps_per_card=text(program.stamps_per_card),
            starter_stamps=text(program.starter_stamps),
            milestones=tuple(
                MilestoneRow(text(m.at), m.reward, money(m.cost) if m.cost is not None else "")
                for m in program.milestones
            ),
            per_visit=text(earning.per_visit),
            min_amount=money(earning.min_amount),
            per_amount=money(earning.per_amount),
            max_per_day=text(earning.max_per_day),
            valid_days=text(program.coupon_valid_days),
            max_amount=money(earning.max_amount, hide=DEFAULT_MAX_AMOUNT),
            **mails,
            holdout=per_cent.replace(".", ",") if decimal_comma else per_cent,
            max_per_week=text(program.messaging.max_per_week),
            mail_kept=tuple(mail_kept),
            # The sections the form does not edit ride along in their file form.
            kept=tuple((key, value) for key, value in program.to_dict().items() if key not in ON_THE_FORM),
        )

    @classmethod
    def starter(cls) -> ProgrammeForm:
        """A first programme to fill in (a shop that has none yet)."""
        return cls(
            stamps_per_card="10",
            starter_stamps="1",
            milestones=(MilestoneRow("3", ""), MilestoneRow("10", "")),
            per_visit="1",
            valid_days="90",
            holdout=per_cent_of(Messaging.holdout),
            max_per_week=str(Messaging.max_per_week),
        )

    def to_toml(self) -> str:
        """The programme file this form stands for. A field that is not a
        whole number is written as text, so the parser names it."""
        lines = ["[program]", f"name = {_string(self.name.strip())}"]
        lines += _whole("stamps_per_card", self.stamps_per_card)
        lines += _whole("starter_stamps", self.starter_stamps)
        lines += _kept_toml(self.kept)
        for row in self.milestones:
            if row.blank:
                continue
            lines += ["", "[[program.milestones]]"]
            lines += _whole("at", row.at, required=True)
            lines.append(f"reward = {_string(row.reward.strip())}")
            if row.cost:
                lines.append(f"cost = {_string(row.cost)}")
        earning = _whole("per_visit", self.per_visit)
        for key, value in (
            ("min_amount", self.min_amount),
            ("per_amount", self.per_amount),
            ("max_amount", self.max_amount),
        ):
            if value.strip():
                earning.append(f"{key} = {_string(value.strip())}")
        earning += _whole("max_per_day", self.max_per_day)
        if earning:
            lines += ["", "[program.earning]", *earning]
        coupons = _whole("valid_days", self.valid_days)
        if coupons:
            lines += ["", "[program.coupons]", *coupons]
        lines += self._mail_toml()
        return "\n".join(lines) + "\n"

    @property
    def mail_kinds(self) -> tuple[str, ...]:
        """The e-mails the form sends, in the order the file lists them (the
        programme's own order, then the new ones): an error names
        ``program.messages[2]``, the second of these."""
        known = [kind for kind, _ in self.mail_kept]
        order = known + [kind for kind in MESSAGE_KINDS if kind not in known]
        return tuple(kind for kind in order if getattr(self, f"mail_{kind}").strip())

    def _mail_toml(self) -> list[str]:
        lines: list[str] = []
        kept = dict(self.mail_kept)
        for kind in self.mail_kinds:
            lines += ["", "[[program.messages]]", f"kind = {_string(kind)}"]
            lines += _whole(MAIL_NUMBER.get(kind, "days"), getattr(self, f"mail_{kind}"))
            for key, value in kept.get(kind, ()):
                lines.append(f"{key} = {_string(value) if isinstance(value, str) else int(value)}")
        messaging = _share("holdout", self.holdout) + _whole("max_per_week", self.max_per_week)
        defaults = _share("holdout", per_cent_of(Messaging.holdout)) + [
            f"max_per_week = {Messaging.max_per_week}"
        ]
        if messaging and (lines or messaging != defaults):
            lines = ["", "[program.messaging]", *messaging, *lines]
        return lines

    def parse(self) -> Program:
        """The programme, or the ``InvalidInput`` ``stampdesk program load`` gives."""
        return parse_program_toml(self.to_toml())


ON_THE_FORM = frozenset(
    {"name", "stamps_per_card", "starter_stamps", "milestones", "earning", "coupons", "messaging", "messages"}
)


def _kept_toml(kept: tuple[tuple[str, Any], ...]) -> list[str]:
    """The sections the form does not edit, as TOML lines that belong under
    the form's own ``[program]`` line (plain keys first, then their tables)."""
    if not kept:
        return []
    import tomlkit  # the owner's screens only

    text = tomlkit.dumps({"program": dict(kept)}).removeprefix("[program]\n")
    return ["", *text.rstrip("\n").split("\n")]


def _amount_text(value: object, hide: Decimal | None = None) -> str:
    """An amount as the form shows it ("2.00"); ``hide`` (a default) shows as empty."""
    if value is None or (hide is not None and Decimal(str(value)) == hide):
        return ""
    return f"{Decimal(str(value)):.2f}"


def _string(value: str) -> str:
    # A JSON string is a valid TOML basic string (same escapes, \\uXXXX too).
    return json.dumps(value, ensure_ascii=False)


def _whole(key: str, value: str, *, required: bool = False) -> list[str]:
    """``key = 8`` for a whole number, ``key = "abc"`` otherwise (the parser
    then says it must be a whole number), nothing for an empty optional field."""
    text = value.strip()
    if not text:
        return [f'{key} = ""'] if required else []
    return [f"{key} = {int(text)}" if _WHOLE.match(text) else f"{key} = {_string(text)}"]


def _share(key: str, value: str) -> list[str]:
    """``key = 0.1`` for "10" (per cent, "7,5" or "7.5" too), as text
    otherwise (the parser then says what a share must be)."""
    text = value.strip()
    if not text:
        return []
    if not _PER_CENT.match(text):
        return [f"{key} = {_string(text)}"]
    share = Decimal(text.replace(",", ".")) / 100
    return [f"{key} = {_plain_number(share)}"]


def per_cent_of(share: float) -> str:
    """A share as the form shows it, in per cent ("10" for 0.1, "7.5" for 0.075)."""
    return _plain_number(Decimal(str(share)) * 100)


def _plain_number(number: float | Decimal) -> str:
    """A number as typed, without trailing zeros ("10", "0.075")."""
    text = f"{Decimal(str(number)):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- The preview's sample sale ------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """A sale on a sample card under the edited programme: the card reaches
    the first milestone (its coupon shows the validity), or nearly completes
    when the final reward is the only one."""

    result: CheckoutResult
    card: CardState


def sample_sale(program: Program, *, now: datetime, zone: tzinfo, name: str, version: int = 0) -> Sample:
    """A sale that shows off ``program`` (see ``Sample``)."""
    per_card = program.stamps_per_card
    first = program.milestones[0]
    balance = first.at if first.at < per_card else per_card - 1
    added = min(max(program.earning.per_visit, 1), balance)
    reached = (MilestoneInfo(first.at, first.reward),) if balance == first.at else ()
    upcoming = next(m for m in program.milestones if m.at > balance)
    nxt = NextMilestone(upcoming.at, upcoming.reward, upcoming.at - balance)
    last_day = now.astimezone(zone).date() + timedelta(days=program.coupon_valid_days)
    expires = datetime.combine(last_day, time(23, 59, 59), zone)
    coupons = tuple(CouponInfo(SAMPLE_COUPON, m.reward, m.at, issued=now, expires=expires) for m in reached)
    amount = max(Decimal("4.50"), program.earning.min_amount)
    result = CheckoutResult(
        checkout=42,
        card=SAMPLE_CARD,
        amount=amount,
        at=now,
        stamps_added=added,
        balance=balance,
        stamps_per_card=per_card,
        milestones=reached,
        coupons=coupons,
        program_version=version,
        next_milestone=nxt,
    )
    card = CardState(
        number=SAMPLE_CARD,
        name=name,
        email=None,
        phone=None,
        birthday=None,
        balance=balance,
        cycle=0,
        stamps_per_card=per_card,
        next_milestone=nxt,
        coupons=coupons,
        status="active",
        created_at=now,
        program=program.name,
    )
    return Sample(result, card)


def sample_receipt(
    program: Program,
    sample: Sample,
    *,
    locale: str,
    zone: tzinfo,
    now: datetime,
    header: Sequence[str] = (),
    footer: Sequence[str] = (),
    width: int = DEFAULT_WIDTH,
    card_details: CardDetails = "masked",
) -> str:
    """The sample sale's receipt as the printer lays it out (text)."""
    receipt = build_sale_receipt(
        shop_name=program.name,
        header_lines=header,
        footer_lines=footer,
        result=sample.result,
        card=sample.card,
        locale=locale,
        zone=zone,
        now=now,
        width_chars=width,
        card_details=card_details,
    )
    return render_text(receipt).rstrip("\n")
