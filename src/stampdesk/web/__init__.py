"""The web side of stampdesk: the POS API and the customer pages."""
