"""The Textual till (built on the services; imports no database code directly)."""
