"""The receipt-printer plugin (``stampdesk proxy``): stampdesk between a till
and its network receipt printer, reading each receipt as it passes, recording
its sale and printing the loyalty block before the cut.

``journal`` (what happened to each receipt, readable by the owner's screens)
imports nothing of the server; ``stream`` splits the till's bytes, ``work``
reads a receipt and records its sale, ``server`` does the sockets.
"""
