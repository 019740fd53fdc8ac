"""Receipts: built as data, rendered to ESC/POS, PNG or text."""
