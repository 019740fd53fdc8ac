"""stampdesk."""
