"""Settings: from the command line, the environment and a TOML config file.

Precedence for the database: ``--db`` > ``STAMPDESK_DB`` > config file >
a SQLite file in the user data directory. The config file is ``--config`` >
``STAMPDESK_CONFIG`` > ``config.toml`` in the user config directory.
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .domain.card_numbers import DEFAULT_PREFIX
from .domain.errors import InvalidInput
from .domain.idempotency import DEFAULT_KEEP_DAYS, MAX_KEEP_DAYS

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8421/"
LOCALES = ("fr_FR", "en_GB")


# What a receipt prints of its card (``[printer] card_details``): "masked", the
# holder's first name and the card's last 4 digits, since a receipt thrown
# away must not let anyone use the card at the till; or "full", the whole
# name and number.
CardDetails = Literal["masked", "full"]
CARD_DETAILS: tuple[CardDetails, ...] = get_args(CardDetails)


@dataclass(frozen=True)
class PrinterSettings:
    url: str | None = None
    profile: str | None = None
    header: tuple[str, ...] = ()  # lines under the shop's name on every receipt
    footer: tuple[str, ...] = ()
    card_details: CardDetails = "masked"


# The customer pages' look and protection (``[pages]`` in the config file).
DEFAULT_COLOUR = "#1f4e79"
DEFAULT_ACCENT = "#e0a526"
DEFAULT_RATE_LIMIT = 60  # page views per minute and client; 0 turns the limit off
MAX_RATE_LIMIT = 1_000_000
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


@dataclass(frozen=True)
class PagesSettings:
    """The customer's pages: the shop's colours and the per-client rate limit."""

    colour: str = DEFAULT_COLOUR  # headers, buttons, filled stamps
    accent: str = DEFAULT_ACCENT  # milestones and coupons
    rate_limit: int = DEFAULT_RATE_LIMIT


@dataclass(frozen=True)
class ShopDetails:
    """``[shop]`` in the config file: what the printed cards say of the shop.
    ``name`` unset: the programme's name."""

    name: str | None = None
    address: str | None = None
    phone: str | None = None


# The receipt-printer plugin (``[proxy]``): where it listens for the till,
# the printer it passes the receipts on to, the shop's own total patterns and
# how long a receipt may wait for its loyalty block.
DEFAULT_PROXY_LISTEN = "0.0.0.0:9100"
DEFAULT_BUDGET_MS = 150
MAX_BUDGET_MS = 10_000
PROXY_KEYS = ("listen", "printer", "total_patterns", "budget_ms", "journal")


@dataclass(frozen=True)
class ProxySettings:
    """``[proxy]``: ``printer`` as ``tcp://HOST:PORT`` (None: not set);
    ``journal`` the folder of its day-by-day journal (None: the user data
    directory's ``proxy``)."""

    listen: str = DEFAULT_PROXY_LISTEN
    printer: str | None = None
    total_patterns: tuple[str, ...] = ()
    budget_ms: int = DEFAULT_BUDGET_MS
    journal: Path | None = None


SHOP_KEYS = ("name", "address", "phone", "branch")

# ``[mail]``: the mail server the customer e-mails go through.
MAIL_KEYS = ("host", "port", "security", "user", "password_env", "from")
MailSecurity = Literal["starttls", "tls", "none"]
MAIL_SECURITY: tuple[MailSecurity, ...] = get_args(MailSecurity)
DEFAULT_MAIL_PORTS = {"starttls": 587, "tls": 465, "none": 25}


@dataclass(frozen=True)
class MailSettings:
    """``[mail]`` in the config file. The password is never in the file:
    ``password_env`` names the environment variable that holds it."""

    host: str
    sender: str  # the ``from`` key: "Café Bleu <cafe@example.org>"
    port: int = 587
    security: MailSecurity = "starttls"
    user: str | None = None
    password_env: str | None = None


MAX_SHOP_TEXT = 80  # one line of a card 85 mm wide


# Where a setting came from (``stampdesk where``): an option of the command
# line, an environment variable, the config file, or stampdesk's default.
Source = Literal["flag", "env", "config", "default"]


@dataclass(frozen=True)
class Origin:
    """Where one setting came from: ``via`` names the option (``--db``), the
    variable (``STAMPDESK_DB``) or the config file's path; None for a default."""

    source: Source
    via: str | None = None


@dataclass(frozen=True)
class Settings:
    """Everything a shop configures, typed and validated."""

    database: str
    public_url: str = DEFAULT_PUBLIC_URL
    locale: str = "fr_FR"
    timezone: str = "UTC"
    card_prefix: str = DEFAULT_PREFIX
    till: str | None = None
    # The shop this till or server belongs to (by name); unset: its till's
    # shop if the till is registered, else the database's first shop.
    shop: str | None = None
    # A till of a chain keeps selling when the database is out of reach: its
    # sales wait in ``outbox`` (a SQLite file) and are replayed once it
    # answers. On by default for PostgreSQL; a SQLite shop is its own database.
    offline: bool = False
    outbox: Path | None = None
    claim_days: int = 30  # how long a walk-in's receipt can be claimed
    # How long an idempotency key answers with its first result: past it,
    # the same key is a new request.
    idempotency_days: int = DEFAULT_KEEP_DAYS
    printer: PrinterSettings = field(default_factory=PrinterSettings)
    pages: PagesSettings = field(default_factory=PagesSettings)
    shop_details: ShopDetails = field(default_factory=ShopDetails)
    mail: MailSettings | None = None  # None: no [mail] table, no e-mail can go
    proxy: ProxySettings = field(default_factory=ProxySettings)
    config_file: Path | None = None
    # Where the database, the config file, the printer and the public URL
    # came from (keys of those names), as ``load_settings`` found them.
    origins: dict[str, Origin] = field(default_factory=dict, compare=False, hash=False)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def user_data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path("stampdesk", appauthor=False)


def user_config_dir() -> Path:
    from platformdirs import user_config_path

    return user_config_path("stampdesk", appauthor=False)


def default_config_file() -> Path:
    """The config file read when neither ``--config`` nor ``STAMPDESK_CONFIG`` names one."""
    return user_config_dir() / "config.toml"


def default_outbox(till: str | None) -> Path:
    """Where a till keeps the sales it made while the database was out of reach."""
    return user_data_dir() / f"outbox-{till or 'till'}.db"


def default_database_url() -> str:
    return f"sqlite:///{user_data_dir() / 'stampdesk.db'}"


def system_timezone() -> str:
    """The machine's IANA zone name, for shop-local days; UTC if unknown."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text().strip())
    try:
        target = os.readlink("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for name in candidates:
        if name:
            try:
                ZoneInfo(name)
                return name
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return "UTC"


def _lines(table: dict[str, Any], key: str, path: Path) -> tuple[str, ...]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and len(v) <= 64 for v in value):
        raise InvalidInput(code="invalid_config", phrase="config_printer_lines", path=path, key=key)
    return tuple(value)


def _card_details(table: dict[str, Any], path: Path) -> CardDetails:
    value = table.get("card_details", "masked")
    for known in CARD_DETAILS:
        if value == known:
            return known
    raise InvalidInput(code="invalid_config", phrase="config_card_details", path=path)


def _pages(table: object, path: Path) -> PagesSettings:
    """The ``[pages]`` table, validated: colours as ``#rrggbb``, a whole rate limit."""
    if not isinstance(table, dict):
        raise InvalidInput(code="invalid_config", phrase="config_pages_table", path=path)
    unknown = sorted(set(table) - {"colour", "accent", "rate_limit"})
    if unknown:
        raise InvalidInput(
            code="invalid_config", phrase="config_pages_unknown_key", path=path, key=unknown[0]
        )
    colours = {}
    for key, default in (("colour", DEFAULT_COLOUR), ("accent", DEFAULT_ACCENT)):
        value = table.get(key, default)
        if not isinstance(value, str) or not _COLOUR.match(value):
            raise InvalidInput(code="invalid_config", phrase="config_colour", path=path, key=key)
        colours[key] = value.lower()
    limit = table.get("rate_limit", DEFAULT_RATE_LIMIT)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= MAX_RATE_LIMIT:
        raise InvalidInput(code="invalid_config", phrase="config_rate_limit", path=path, most=MAX_RATE_LIMIT)
    return PagesSettings(colour=colours["colour"], accent=colours["accent"], rate_limit=limit)


def _shop_table(table: dict[str, Any], path: Path) -> tuple[ShopDetails, str | None]:
    """The ``[shop]`` table, validated (short lines of text): what the cards
    say of the shop, and ``branch``, the till's shop in a chain (what
    ``shop = "Gare"`` says when there is no table)."""
    unknown = sorted(set(table) - set(SHOP_KEYS))
    if unknown:
        raise InvalidInput(code="invalid_config", phrase="config_shop_unknown_key", path=path, key=unknown[0])
    values: dict[str, str | None] = {}
    for key in SHOP_KEYS:
        value = table.get(key)
        if value is not None and (not isinstance(value, str) or len(value) > MAX_SHOP_TEXT):
            raise InvalidInput(
                code="invalid_config", phrase="config_shop_text", path=path, key=key, most=MAX_SHOP_TEXT
            )
        values[key] = (value.strip() or None) if value is not None else None
    branch = values.pop("branch")
    return ShopDetails(**values), branch


def _mail(table: object, path: Path) -> MailSettings:
    """The ``[mail]`` table, validated: a host, a sender, a port, a security."""
    if not isinstance(table, dict):
        raise InvalidInput(code="invalid_config", phrase="config_mail_table", path=path)
    unknown = sorted(set(table) - set(MAIL_KEYS))
    if unknown:
        raise InvalidInput(code="invalid_config", phrase="config_mail_unknown_key", path=path, key=unknown[0])
    for key in ("host", "from"):
        value = table.get(key)
        if not isinstance(value, str) or not value.strip():
            raise InvalidInput(code="invalid_config", phrase="config_mail_required", path=path, key=key)
    for key in ("user", "password_env"):
        if key in table and (not isinstance(table[key], str) or not table[key].strip()):
            raise InvalidInput(code="invalid_config", phrase="config_not_text", path=path, key=f"mail.{key}")
    security = table.get("security", "starttls")
    if security not in MAIL_SECURITY:
        raise InvalidInput(
            code="invalid_config", phrase="config_mail_security", path=path, known=", ".join(MAIL_SECURITY)
        )
    port = table.get("port", DEFAULT_MAIL_PORTS[security])
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise InvalidInput(code="invalid_config", phrase="config_mail_port", path=path)
    return MailSettings(
        host=table["host"].strip(),
        sender=table["from"].strip(),
        port=port,
        security=security,
        user=table.get("user"),
        password_env=table.get("password_env"),
    )


def host_port(text: object, *, scheme: str | None = None) -> tuple[str, int] | None:
    """``HOST:PORT`` (after ``scheme://`` when one is given) as a pair; None if it is not one."""
    if not isinstance(text, str):
        return None
    if scheme is not None:
        if not text.startswith(f"{scheme}://"):
            return None
        text = text[len(scheme) + 3 :].rstrip("/")
    host, _, port = text.rpartition(":")
    host = host.strip("[]")
    if not host or not port.isascii() or not port.isdigit() or not 0 < int(port) < 65536:
        return None
    return host, int(port)


def _proxy(table: object, path: Path) -> ProxySettings:
    """The ``[proxy]`` table, validated."""
    if not isinstance(table, dict):
        raise InvalidInput(code="invalid_config", phrase="config_proxy_table", path=path)
    unknown = sorted(set(table) - set(PROXY_KEYS))
    if unknown:
        raise InvalidInput(
            code="invalid_config", phrase="config_proxy_unknown_key", path=path, key=unknown[0]
        )
    listen = table.get("listen", DEFAULT_PROXY_LISTEN)
    if host_port(listen) is None:
        raise InvalidInput(code="invalid_config", phrase="config_proxy_listen", value=listen)
    printer = table.get("printer")
    if printer is not None and host_port(printer, scheme="tcp") is None:
        raise InvalidInput(code="invalid_config", phrase="config_proxy_printer", value=printer)
    patterns = table.get("total_patterns", [])
    if isinstance(patterns, str):
        patterns = [patterns]
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise InvalidInput(code="invalid_config", phrase="config_proxy_patterns")
    from .domain.receipt_reading import compile_patterns

    compile_patterns(patterns)  # a mistake is said at start-up, not at the first receipt
    budget = table.get("budget_ms", DEFAULT_BUDGET_MS)
    if isinstance(budget, bool) or not isinstance(budget, int) or not 1 <= budget <= MAX_BUDGET_MS:
        raise InvalidInput(code="invalid_config", phrase="config_proxy_budget", most=MAX_BUDGET_MS)
    journal = table.get("journal")
    if journal is not None and not isinstance(journal, str):
        raise InvalidInput(code="invalid_config", phrase="config_not_text", path=path, key="journal")
    return ProxySettings(
        listen=str(listen),
        printer=printer,
        total_patterns=tuple(patterns),
        budget_ms=budget,
        journal=Path(journal).expanduser() if journal else None,
    )


def _origin(
    given: str | Path | None,
    option: str,
    env: dict[str, str],
    variable: str | None,
    in_file: Origin | None = None,
) -> Origin:
    """Where a setting comes from, in the order of precedence: the command
    line's ``option``, the environment's ``variable``, the config file
    (``in_file`` when it sets it), else the default."""
    if given:
        return Origin("flag", option)
    if variable is not None and env.get(variable):
        return Origin("env", variable)
    return in_file or Origin("default")


def load_settings(
    *,
    db: str | None = None,
    config: str | Path | None = None,
    printer: str | None = None,
    env: dict[str, str] | None = None,
) -> Settings:
    """Build the settings from explicit options, environment and config file."""
    env = dict(os.environ) if env is None else env
    explicit = config or env.get("STAMPDESK_CONFIG")
    path = Path(explicit).expanduser() if explicit else default_config_file()
    in_file = Origin("config", str(path))
    origins = {"config": _origin(config, "--config", env, "STAMPDESK_CONFIG")}
    data: dict[str, Any] = {}
    if path.exists():
        import tomllib  # only when there is a file to read (a till starts without it)

        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InvalidInput(
                code="invalid_config", phrase="config_toml", path=path, detail=str(exc)
            ) from None
    elif explicit:
        raise InvalidInput(code="invalid_config", phrase="config_missing", path=path)

    known = {"database", "public_url", "locale", "timezone", "card_prefix", "till", "claim_days", "printer"}
    known.add("pages")  # the customer pages' colours and rate limit
    known.update(("shop", "offline", "outbox"))  # a chain: this till's shop, its offline outbox
    known.add("idempotency_days")
    known.add("proxy")  # the receipt-printer plugin
    known.add("mail")  # the customer e-mails' mail server
    unknown = sorted(set(data) - known)
    if unknown:
        raise InvalidInput(code="invalid_config", phrase="config_unknown_key", path=path, key=unknown[0])

    def text(key: str, default: str | None) -> str | None:
        value = data.get(key, default)
        if value is not None and not isinstance(value, str):
            raise InvalidInput(code="invalid_config", phrase="config_not_text", path=path, key=key)
        return value

    # ``shop = "Gare"``: this till's shop in a chain; a ``[shop]`` table: the
    # shop's name, address and phone as the printed cards say them (and the
    # chain's shop as ``branch``).
    shop_table = data.pop("shop", None)
    shop_details = ShopDetails()
    if isinstance(shop_table, dict):
        shop_details, branch = _shop_table(shop_table, path)
        if branch is not None:
            data["shop"] = branch
    elif shop_table is not None:
        data["shop"] = shop_table
    database = db or env.get("STAMPDESK_DB") or text("database", None) or default_database_url()
    origins["database"] = _origin(db, "--db", env, "STAMPDESK_DB", in_file if data.get("database") else None)
    locale = text("locale", "fr_FR") or "fr_FR"
    if locale not in LOCALES:
        raise InvalidInput(
            code="invalid_config", phrase="config_locale", known=", ".join(LOCALES), locale=locale
        )
    zone = text("timezone", None) or system_timezone()
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(code="invalid_config", phrase="config_timezone", zone=zone) from None
    printer_table = data.get("printer", {})
    if not isinstance(printer_table, dict):
        raise InvalidInput(code="invalid_config", phrase="config_printer_table", path=path)
    public_url = text("public_url", DEFAULT_PUBLIC_URL) or DEFAULT_PUBLIC_URL
    origins["public_url"] = _origin(None, "", env, None, in_file if data.get("public_url") else None)
    origins["printer"] = _origin(
        printer, "--printer", env, None, in_file if printer_table.get("url") else None
    )
    if not public_url.startswith(("http://", "https://")):
        raise InvalidInput(code="invalid_config", phrase="config_public_url")
    claim_days = data.get("claim_days", 30)
    if isinstance(claim_days, bool) or not isinstance(claim_days, int) or not 1 <= claim_days <= 3650:
        raise InvalidInput(code="invalid_config", phrase="config_claim_days", path=path)
    keep_days = data.get("idempotency_days", DEFAULT_KEEP_DAYS)
    if isinstance(keep_days, bool) or not isinstance(keep_days, int) or not 1 <= keep_days <= MAX_KEEP_DAYS:
        raise InvalidInput(
            code="invalid_config", phrase="config_idempotency_days", path=path, most=MAX_KEEP_DAYS
        )
    offline = data.get("offline", database.startswith("postgresql"))
    if not isinstance(offline, bool):
        raise InvalidInput(code="invalid_config", phrase="config_offline", path=path)
    outbox = env.get("STAMPDESK_OUTBOX") or text("outbox", None)
    return Settings(
        database=database,
        offline=offline,
        outbox=Path(outbox).expanduser() if outbox else None,
        claim_days=claim_days,
        idempotency_days=keep_days,
        public_url=public_url if public_url.endswith("/") else public_url + "/",
        locale=locale,
        timezone=zone,
        card_prefix=text("card_prefix", DEFAULT_PREFIX) or DEFAULT_PREFIX,
        till=text("till", None),
        shop=env.get("STAMPDESK_SHOP") or text("shop", None),
        printer=PrinterSettings(
            url=printer or printer_table.get("url"),
            profile=printer_table.get("profile"),
            header=_lines(printer_table, "header", path),
            footer=_lines(printer_table, "footer", path),
            card_details=_card_details(printer_table, path),
        ),
        pages=_pages(data.get("pages", {}), path),
        shop_details=shop_details,
        proxy=_proxy(data.get("proxy", {}), path),
        mail=_mail(data["mail"], path) if "mail" in data else None,
        config_file=path if path.exists() else None,
        origins=origins,
    )
