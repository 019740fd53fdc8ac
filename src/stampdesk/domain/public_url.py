"""Whether a customer's phone can open the links the shop prints.

Every walk-in receipt's QR code and every card page link starts with the
settings' ``public_url``. A phone opens it only if it names an address the
phone can reach: not this machine's loopback (127.0.0.0/8, ``::1``,
``localhost`` and its subdomains, RFC 6761), not the "any address"
``0.0.0.0`` / ``::`` a server listens on, and not a link without a host.

Decided (and written in the README): a private LAN address
(``http://192.168.1.20:8421/``) and a ``.local`` name are accepted, since a
shop may serve its pages on its own Wi-Fi; plain ``http://`` is accepted too.
Whether a phone on mobile data reaches them is the shop's set-up, not
something this rule can know.

Pure: it reads the text of the URL, never the network.
"""

from __future__ import annotations

import ipaddress
from typing import Final, Literal
from urllib.parse import urlsplit

#: Why the public URL cannot open on a phone (a code, never a sentence).
Unreachable = Literal["unset", "no_host", "loopback", "any_address"]

#: The warning's code, in JSON and tests.
PUBLIC_URL_UNREACHABLE: Final = "public_url_unreachable"

#: The warning's code when the programme sends customer e-mails that cannot go.
MAIL_CANNOT_GO: Final = "mail_cannot_go"

#: Why an e-mail cannot carry the shop's links: a phone could not open them,
#: or they are not https (RFC 8058's one-click unsubscribe must be), or they
#: name the shop's own network, which a customer reading at home never reaches.
MailLinksUnusable = Literal["unset", "no_host", "loopback", "any_address", "not_https", "private"]


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])  # an IPv6 zone ("fe80::1%eth0")
    except ValueError:
        return _short_ipv4(host)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _short_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The forms of IPv4 a browser still reads: "127.1", "2130706433"."""
    parts = host.split(".")
    if not 1 <= len(parts) <= 4 or not all(p.isdigit() for p in parts):
        return None
    *head, tail = (int(p) for p in parts)
    if any(p > 255 for p in head) or tail >= 256 ** (5 - len(parts)):
        return None
    value = 0
    for part in head:
        value = value * 256 + part
    value = value * 256 ** (5 - len(parts)) + tail
    return ipaddress.IPv4Address(value)


def unreachable_reason(url: str | None) -> Unreachable | None:
    """Why a customer's phone cannot open links under ``url``; None when it can.

    >>> unreachable_reason("http://127.0.0.1:8421/")
    'loopback'
    >>> unreachable_reason("http://192.168.1.20:8421/") is None
    True
    """
    if url is None or not url.strip():
        return "unset"
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:  # an unbalanced "[" in the host
        return "no_host"
    if not host:
        return "no_host"
    host = host.rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return "loopback"
    address = _address(host)
    if address is None:
        return None  # a name: the shop's own (public or ".local")
    if address.is_unspecified:
        return "any_address"
    if address.is_loopback:
        return "loopback"
    return None


def reachable_by_phones(url: str | None) -> bool:
    """Whether links under ``url`` can open on a customer's phone (see the module)."""
    return unreachable_reason(url) is None


def mail_links_problem(url: str | None) -> MailLinksUnusable | None:
    """Why links under ``url`` cannot go in an e-mail; None when they can.

    Stricter than a receipt's QR code, which is read in the shop: an e-mail
    is read anywhere, and its unsubscribe link must be https.

    >>> mail_links_problem("https://cafe.example/") is None
    True
    >>> mail_links_problem("http://cafe.example/")
    'not_https'
    >>> mail_links_problem("https://192.168.1.20:8421/")
    'private'
    """
    reason = unreachable_reason(url)
    if reason is not None:
        return reason
    assert url is not None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() != "https":
        return "not_https"
    host = (parts.hostname or "").rstrip(".").lower()
    address = _address(host)
    if host.endswith(".local") or (address is not None and (address.is_private or address.is_link_local)):
        return "private"
    return None
