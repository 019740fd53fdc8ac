"""The PIN and owner's screens' words, read through the till's ``Text``.

Their sentences are in the words book (``words/tables/owner.py``), beside
the till's, so one object serves the till and the owner's screens.
"""

from __future__ import annotations

import re

from ..domain.errors import InvalidInput
from ..domain.program import ProgramError
from .text import Text

# The form's field behind a programme key's last part.
_FIELD_OF = {
    "at": "editor.milestone_at",
    "reward": "editor.reward",
    "coupons.valid_days": "editor.valid_days",
}
_PART = re.compile(
    r"^program\.(?:(milestones|quick_picks|messages)\[(\d+)\]\.?)?(?:earning\.|coupons\.|messaging\.)?(\w*)$"
)


class OwnerText(Text):
    """``Text`` plus what the owner's and PIN screens say: their words are
    in the book too (``words/tables/owner.py``)."""

    def program_error(self, error: InvalidInput, *, mail_kinds: tuple[str, ...] = ()) -> str:
        """A programme's mistake in the owner's language, naming the field
        as the form labels it ("« Tampons/carte » doit aller de 2 à 100…"):
        the words book's ``error.program_<rule>.form``."""
        if not isinstance(error, ProgramError):
            return self.error(error)
        params = dict(error.params)
        if isinstance(params.get("key"), str):
            at = params.get("milestone_at")
            params["key"] = self._field_name(
                str(params["key"]), at if isinstance(at, int) else None, mail_kinds
            )
        line = f"error.program_{error.rule}.form"
        if line not in self:
            return self.error(error)  # a mistake the form cannot make: said as the file's
        return self(line, **params)

    def _field_name(self, key: str, milestone_at: int | None = None, mail_kinds: tuple[str, ...] = ()) -> str:
        match = _PART.match(key)
        if match is None:
            return key
        group, index, name = match.groups()
        if group == "messages" and 0 < int(index) <= len(mail_kinds):
            # The form's e-mails are written in the order of ``mail_kinds``:
            # the second table is the second of them, named by its field.
            group, name = None, f"mail_{mail_kinds[int(index) - 1]}"
        if group == "milestones" and milestone_at is not None:
            # As the owner sees it: "the milestone at 10", "the reward of the milestone at 10".
            line = f"error.program_form.milestone_at.{name}"
            return self(line if line in self else "error.program_form.milestone_at", at=milestone_at)
        label = self.table.get(f"editor.{name}") if name else None
        if name in _FIELD_OF:
            label = self.table.get(_FIELD_OF[name])
        if group is None:
            if not label:
                return key
            return f"« {label} »" if self.locale == "fr_FR" else f"“{label}”"
        where = self("error.program_form." + ("milestone" if group == "milestones" else "pick"), index=index)
        if label and group == "milestones":
            return f"{where} ({label})"
        return f"{where} ({name})" if name else where

    def role(self, role: str) -> str:
        """ "owner" / "gérant": a role as the shop says it."""
        return self(f"role.{role}") if f"role.{role}" in self else role
