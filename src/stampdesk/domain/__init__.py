"""Pure rules of stampdesk: no database, UI, printer or web imports here."""
