"""The page where a customer who lost their card's link gets it by e-mail.

- ``GET /card-link``: one field, the e-mail address the card was made with;
- ``POST /card-link``: the link of every card of that address is e-mailed
  (``Desk.ask_card_link``: one e-mail per card an hour, consent or not, it
  is no marketing), and the page says the same whether or not a card has
  it: nobody learns from it who is a customer. The e-mail goes once the
  page has gone (a background task), so the answer takes as long either
  way; what the mail server does not take waits for ``messages run``.

The form is guarded as the other pages' forms are (its token, the
``Origin`` header) and counted by the per-client rate limit.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from ..desk import Desk
from ..domain.errors import InvalidInput
from ..domain.validate import clean_email
from ..services.messages import CardLinkAsked
from . import page_guard
from .page_text import PageText
from .pages import PageRoute, _check_form, _desk, _form, _limit, _page, _secret, _shop_name, _text

router = APIRouter(route_class=PageRoute)
log = logging.getLogger("stampdesk.pages")
ACTION = "card-link"  # the form token's action; the page has no token of its own


def _ask_page(
    request: Request, t: PageText, *, value: str = "", errors: tuple[str, ...] = (), status: int = 200
) -> Response:
    desk = _desk(request)
    return _page(
        request,
        "card_link.html",
        t,
        status,
        root="",
        shop=_shop_name(request),
        csrf=page_guard.csrf_token(_secret(request), ACTION, "", desk.now().timestamp()),
        value=value,
        errors=errors,
        manifest="manifest.webmanifest",
    )


@router.get("/card-link", response_class=HTMLResponse, include_in_schema=False)
def card_link_page(request: Request) -> Response:
    """The form: the e-mail address of the card."""
    _limit(request)
    return _ask_page(request, _text(request))


@router.post("/card-link", response_class=HTMLResponse, include_in_schema=False)
async def card_link_submit(request: Request) -> Response:
    """E-mail the card's link to the address, if a card has it; the same page either way."""
    _limit(request)
    fields = await _form(request)
    return await run_in_threadpool(_ask, request, fields)


def _send(desk: Desk, asked: CardLinkAsked) -> None:
    try:
        desk.send_card_links(asked)
    except Exception:  # the rows wait, queued or uncertain, for the next run
        log.exception("sending a card's link failed")


def _ask(request: Request, fields: dict[str, str]) -> Response:
    t = _text(request)
    _check_form(request, ACTION, "", fields)
    typed = fields.get("email", "").strip()
    try:
        address = clean_email(typed)
    except InvalidInput:
        return _ask_page(request, t, value=typed, errors=(t.invalid_email,), status=422)
    if address is None:
        return _ask_page(request, t, errors=(t.need_email,), status=422)
    desk = _desk(request)
    asked = desk.ask_card_link(address, send=False)
    response = _page(
        request,
        "done.html",
        t,
        root="",
        shop=_shop_name(request),
        title=t.card_link_sent_title,
        message=t.card_link_sent,
        more=t.card_link_nothing,
        manifest="manifest.webmanifest",
    )
    if asked.outbox_ids:
        # After the page has gone: it takes as long whether a card has the address or not.
        response.background = BackgroundTask(_send, desk, asked)
    return response
