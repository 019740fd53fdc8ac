"""The HTTP API: keys for till software (`stampdesk apikey`), and the server."""

from __future__ import annotations

from datetime import datetime

import click

from .common import CONTEXT, book_of, common_options, current_state, desk_for, emit, warn


@click.group("apikey", context_settings=CONTEXT)
def apikey_group() -> None:
    """API keys of the till software that calls `stampdesk serve`."""


@apikey_group.command("create", context_settings=CONTEXT)
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(["till", "admin"]),
    default="till",
    show_default=True,
    help="till: sales, cards, coupons, refunds; admin: also the programme.",
)
@click.option(
    "--shop", metavar="SHOP", help="Register the till in this shop (a chain); see `stampdesk shop`."
)
@common_options
def apikey_create(name: str, role: str, shop: str | None) -> None:
    """Print a new API key for the till NAME (shown once, stored hashed)."""
    state = current_state()
    with desk_for(state) as desk:
        new = desk.create_api_key(name, role, shop=shop)
        say = book_of(desk)
    data = {"name": new.name, "key": new.key, "role": new.role, "prefix": new.prefix, "shop": shop}
    emit(
        state,
        data,
        lambda: say("cli.apikey.created", name=new.name, role=new.role, key=new.key),
    )


@apikey_group.command("revoke", context_settings=CONTEXT)
@click.argument("name")
@common_options
def apikey_revoke(name: str) -> None:
    """Revoke the live API key of the till NAME."""
    state = current_state()
    with desk_for(state) as desk:
        info = desk.revoke_api_key(name)
        say = book_of(desk)
    emit(state, info.to_dict(), lambda: say("cli.apikey.revoked", name=info.name, prefix=info.prefix))


@apikey_group.command("list", context_settings=CONTEXT)
@click.option("--all", "include_revoked", is_flag=True, help="Also the revoked keys.")
@common_options
def apikey_list(include_revoked: bool) -> None:
    """The API keys: name, role, first characters, last use (never the keys)."""
    state = current_state()
    with desk_for(state) as desk:
        keys = desk.api_keys(include_revoked=include_revoked)
        say = book_of(desk)

    def when(moment: datetime | None) -> str:
        return say.when(moment) if moment else say("cli.apikey.never")

    def text() -> str:
        if not keys:
            return say("cli.apikey.none")
        lines = []
        for k in keys:
            line = say(
                "cli.apikey.line",
                name=k.name,
                role=k.role,
                prefix=k.prefix,
                created=when(k.created_at),
                used=when(k.last_used_at),
            )
            if k.revoked_at is not None:
                line += say("cli.apikey.revoked_at", at=when(k.revoked_at))
            lines.append(line)
        return "\n".join(lines)

    emit(state, {"keys": [k.to_dict() for k in keys]}, text)


@click.command(context_settings=CONTEXT)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default)."
)
@click.option("--port", default=8421, show_default=True, type=click.IntRange(1, 65535), help="TCP port.")
@click.option(
    "--forwarded-allow-ips",
    default="127.0.0.1",
    show_default=True,
    metavar="IPS",
    help="Proxies whose X-Forwarded-For/-Proto headers are trusted (comma-separated, or *).",
)
@click.option("--access-log/--no-access-log", default=True, show_default=True, help="Log each request.")
@common_options
def serve(host: str, port: int, forwarded_allow_ips: str, access_log: bool) -> None:
    """The POS API (/api/v1, schema at /openapi.json) and the customer pages.

    Listens on 127.0.0.1 unless told otherwise: publish it behind a TLS
    reverse proxy (see the README). Logs never show API keys or page tokens.
    """
    import uvicorn

    from ..web.app import create_app
    from ..web.logs import install_redaction

    state = current_state()
    with desk_for(state) as desk:
        app = create_app(desk)
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            access_log=access_log,
            proxy_headers=True,
            forwarded_allow_ips=forwarded_allow_ips,
            server_header=False,
            log_level="info",
            timeout_graceful_shutdown=5,
        )
        install_redaction()  # after uvicorn.Config, which sets the loggers up
        say = book_of(desk)
        click.echo(say("cli.serve", host=host, port=port), err=True)
        for warning in desk.setup_warnings():  # the receipts' QR codes lead nowhere
            warn(say, warning.said(say))
        uvicorn.Server(config).run()


COMMANDS = (
    apikey_group,
    serve,
)
