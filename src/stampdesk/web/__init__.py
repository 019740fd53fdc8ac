"""The web side of ``stampdesk serve``: the POS plugin HTTP API and the
customer's pages, built by ``create_app`` (``web.app``)."""
