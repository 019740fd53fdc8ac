"""The words book's tables: one module per area, each with ``EN`` and ``FR``
dicts holding the same keys. Keys are namespaced by area (``error.…``,
``till.…``) and never defined twice."""
