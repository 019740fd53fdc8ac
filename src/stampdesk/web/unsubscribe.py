"""The one-click unsubscribe page of the customer e-mails (RFC 8058).

Every marketing e-mail carries ``/unsubscribe/<token>`` (the customer's id
signed with the shop's secret, ``services.messages``) in its parts and in
its ``List-Unsubscribe`` header. No login: the link is the proof.

- ``GET``: a page with one button (a mail provider or a link checker that
  only opens the link changes nothing);
- ``POST``: consent to marketing e-mails is withdrawn at once, whatever the
  body (a mail provider sends ``List-Unsubscribe=One-Click``), and the page
  says so. Again: the same page, nothing more changes;
- a forged or cut link: a friendly page (404) that changes nothing.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from ..domain.errors import NotFound
from ..words import Book
from .page_text import PageText
from .pages import PageRoute, _desk, _limit, _page, _text

router = APIRouter(route_class=PageRoute)
MAX_BODY = 4096  # "List-Unsubscribe=One-Click", or the page's own empty form


def _words(t: PageText, shop: str) -> dict[str, str]:
    say = Book(t.locale)
    keys = ("title", "question", "explained", "button", "done_title", "done", "bad_link_title", "bad_link")
    return {key: say(f"mail.page.{key}", shop=shop) for key in keys}


def _bad_link(request: Request) -> Response:
    t = _text(request)
    words = _words(t, "")
    return _page(
        request,
        "done.html",
        t,
        404,
        root="../",
        shop=words["bad_link_title"],
        title=words["bad_link_title"],
        message=words["bad_link"],
    )


def _ask(request: Request, token: str) -> Response:
    try:
        link = _desk(request).unsubscribe_page(token)
    except NotFound:
        return _bad_link(request)
    t = _text(request, link.language)  # the e-mail's language, unless the browser chose
    words = _words(t, link.shop)
    return _page(request, "unsubscribe.html", t, root="../", shop=link.shop, words=words)


def _withdraw(request: Request, token: str) -> Response:
    try:
        done = _desk(request).unsubscribe(token)
    except NotFound:
        return _bad_link(request)
    t = _text(request, done.language)
    words = _words(t, done.shop)
    return _page(
        request,
        "done.html",
        t,
        root="../",
        shop=done.shop,
        title=words["done_title"],
        message=words["done"],
    )


@router.get("/unsubscribe/{token}", response_class=HTMLResponse, include_in_schema=False)
def unsubscribe_page(request: Request, token: str) -> Response:
    """Asks to confirm, with one button."""
    _limit(request)
    return _ask(request, token)


@router.post("/unsubscribe/{token}", response_class=HTMLResponse, include_in_schema=False)
async def unsubscribe_now(request: Request, token: str) -> Response:
    """Withdraws consent at once (the page's button, or a mail provider's one click)."""
    _limit(request)
    size = 0
    async for chunk in request.stream():  # read (and bound) the body: its content does not matter
        size += len(chunk)
        if size > MAX_BODY:
            break
    return await run_in_threadpool(_withdraw, request, token)
