"""A customer e-mail, written: subject, plain text and HTML parts, headers.

Every sentence comes from the words book (``words/tables/mail.py``) in the
customer's language, with its one money and date formatter. Each e-mail
says the card's progress, the shop's name and address, links to the card's
page, and says why it was sent. A marketing e-mail carries the one-click
unsubscribe link (RFC 8058: the ``List-Unsubscribe`` and
``List-Unsubscribe-Post`` headers, and the link in both parts); one the
customer asked for (their card's link) does not: it says it is no
advertising. No tracking pixel, no tracked link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from html import escape

from ..domain.messages import is_marketing
from ..words import Book


@dataclass(frozen=True)
class MailFacts:
    """What one e-mail says, gathered by ``services.messages``."""

    kind: str
    locale: str  # the customer's language, as a locale
    zone: tzinfo
    shop: str
    address: str | None
    name: str  # the customer's first name
    email: str
    balance: int
    per_card: int
    next_at: int
    next_reward: str
    card_url: str
    unsubscribe_url: str | None  # None: not marketing, no list to leave
    sender: str  # ``[mail] from``
    at: datetime
    message_id: str
    # What the kind is about: the day (stamps lapse, coupon ends, last
    # visit, birthday gift until), stamps (to lapse, or to go), the reward
    # and its coupon's code and last day.
    day: date | None = None
    stamps: int = 0
    reward: str | None = None
    code: str | None = None
    coupon_day: date | None = None


@dataclass(frozen=True)
class Written:
    """An e-mail's words: its subject, and its lines (for both parts)."""

    subject: str
    greeting: str
    lead: tuple[str, ...]
    progress: str
    signature: str
    why: str


def words(facts: MailFacts) -> Written:
    """The sentences of the e-mail, in the customer's language."""
    say = Book(facts.locale, facts.zone)
    values = {
        "shop": facts.shop,
        "name": facts.name,
        "day": facts.day,
        "stamps": facts.stamps,
        "reward": facts.reward,
        "code": facts.code,
    }
    lead = [say(f"mail.{facts.kind}.lead", **values)]
    if facts.kind == "win_back" and facts.code is not None:
        lead.append(say("mail.win_back.coupon", reward=facts.reward, code=facts.code, day=facts.coupon_day))
    if facts.kind == "card_link":
        lead.append(say("mail.card_link.not_asked"))
    if facts.balance >= facts.per_card:
        progress = say("mail.progress_full", reward=facts.next_reward)
    else:
        progress = say(
            "mail.progress",
            balance=facts.balance,
            per_card=facts.per_card,
            reward=facts.next_reward,
            at=facts.next_at,
        )
    return Written(
        subject=say(f"mail.{facts.kind}.subject", **values),
        greeting=say("mail.greeting", name=facts.name),
        lead=tuple(lead),
        progress=progress,
        signature=say("mail.signature", shop=facts.shop),
        why=say("mail.why" if is_marketing(facts.kind) else f"mail.{facts.kind}.why", shop=facts.shop),
    )


def plain_text(facts: MailFacts, w: Written) -> str:
    say = Book(facts.locale, facts.zone)
    lines = [w.greeting, "", *w.lead, "", w.progress, say("mail.card_link", url=facts.card_url), ""]
    lines.append(w.signature)
    if facts.address:
        lines.append(facts.address)
    lines += ["", "-- ", w.why]
    if facts.unsubscribe_url is not None:
        lines.append(say("mail.unsubscribe_line", url=facts.unsubscribe_url))
    return "\n".join(lines) + "\n"


def html_text(facts: MailFacts, w: Written) -> str:
    say = Book(facts.locale, facts.zone)
    e = escape
    lead = "".join(f"<p>{e(line)}</p>" for line in w.lead)
    signature = "<br>".join(e(line) for line in w.signature.splitlines())
    address = f"<br>{e(facts.address)}" if facts.address else ""
    lang = "fr" if say.french else "en"
    unsubscribe = (
        f' <a href="{e(facts.unsubscribe_url)}">{e(say("mail.unsubscribe"))}</a>'
        if facts.unsubscribe_url is not None
        else ""
    )
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{e(w.subject)}</title></head>"
        '<body style="font-family:sans-serif;line-height:1.5;max-width:36em;margin:auto;padding:1em">'
        f'<h1 style="font-size:1.3em">{e(facts.shop)}</h1>'
        f"<p>{e(w.greeting)}</p>{lead}"
        f"<p><strong>{e(w.progress)}</strong></p>"
        f'<p><a href="{e(facts.card_url)}" style="display:inline-block;padding:.6em 1.2em;'
        f'background:#1f4e79;color:#fff;text-decoration:none;border-radius:4px">'
        f"{e(say('mail.open_card'))}</a></p>"
        f"<p>{signature}{address}</p>"
        f'<hr><p style="font-size:.85em;color:#555">{e(w.why)}{unsubscribe}</p>'
        "</body></html>\n"
    )


def compose(facts: MailFacts) -> EmailMessage:
    """The e-mail, ready for the mail server: headers, text and HTML parts."""
    w = words(facts)
    message = EmailMessage()
    message["From"] = facts.sender
    message["To"] = Address(display_name=facts.name, addr_spec=facts.email)
    message["Subject"] = w.subject
    message["Date"] = format_datetime(facts.at)
    message["Message-ID"] = facts.message_id
    if facts.unsubscribe_url is not None:
        # RFC 8058: a mail provider may unsubscribe with one POST to this address.
        message["List-Unsubscribe"] = f"<{facts.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(plain_text(facts, w), charset="utf-8")
    message.add_alternative(html_text(facts, w), subtype="html", charset="utf-8")
    message["Content-Language"] = "fr" if Book(facts.locale).french else "en"  # after set_content clears it
    return message


def message_domain(sender: str) -> str:
    """The domain of the shop's address, for the Message-ID."""
    address = parseaddr(sender)[1]
    return address.rsplit("@", 1)[1] if "@" in address else "stampdesk.invalid"
