"""The ONE place the tests build the shop's web app (customer pages).

Once the POS API's ``create_app(desk)`` is merged (it includes
``stampdesk.web.pages.router`` and calls ``pages.install``), the body of
``make_app`` becomes ``return create_app(desk)``; the pages' tests
(``tests/pages/``) and the browser test (``tests/browser/``) follow.
"""

from __future__ import annotations

from fastapi import FastAPI

from stampdesk.desk import Desk
from stampdesk.web import pages


def make_app(desk: Desk) -> FastAPI:
    """The app serving the customer pages for ``desk``."""
    app = FastAPI()
    app.state.desk = desk
    app.include_router(pages.router)
    pages.install(app)
    return app
