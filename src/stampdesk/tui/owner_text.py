"""The PIN and owner's screens' words, read through the till's ``Text``.

Their sentences are in the words book (``words/tables/owner.py``), beside
the till's, so one object serves the till and the owner's screens.
"""

from __future__ import annotations

import re

from ..domain.errors import InvalidInput
from ..domain.program import ProgramError
from .text import DEFAULT_LOCALE, Text

# A programme's mistakes as the editor says them, by ``ProgramError.rule``;
# ``{key}`` is the field's label when the form has one.
PROGRAM_ERRORS: dict[str, dict[str, str]] = {
    "en_GB": {
        "not_toml": "the programme is not valid TOML: {detail}",
        "no_section": "the [program] section is missing",
        "unknown_key": "unknown key {key}",
        "required": "{key} is required",
        "whole_number": "{key} must be a whole number, not {value}",
        "range": "{key} must be from {lo} to {hi}, not {value}",
        "amount_as_text": '{key}: write the amount in quotes, such as "{example}"',
        "amount": "{key} must be an amount such as 2.00",
        "bad_amount": "{key} is not an amount such as 2.00",
        "more_than_zero": "{key} must be more than zero",
        "text": "{key} cannot be empty",
        "too_long": "{key} is longer than {limit} characters",
        "control": "{key} holds control characters",
        "table": "{key} must be a section",
        "milestones": "add at least one milestone (the final reward)",
        "milestone_table": "{key} needs a number of stamps and a reward",
        "same_at": "two milestones have the same number of stamps",
        "final_reward": "the final reward is missing: add a milestone at {at} stamps (stamps per card)",
        "quick_picks": "the quick picks must be a list of [[program.quick_picks]]",
        "too_many_picks": "at most {count} quick picks fit on the till",
        "pick_table": "{key} needs a label, a category and a price",
        "same_label": "two quick picks have the same label",
        "milestone": "milestone {index}",
        "milestone_at": "the milestone at {at}",
        "milestone_at.reward": "the reward of the milestone at {at}",
        "milestone_at.cost": "the cost of the milestone at {at}",
        "pick": "quick pick {index}",
    },
    "fr_FR": {
        "not_toml": "le programme n'est pas un fichier TOML valable : {detail}",
        "no_section": "il manque la section [program]",
        "unknown_key": "clé inconnue : {key}",
        "required": "{key} est obligatoire",
        "whole_number": "{key} doit être un nombre entier, et non {value}",
        "range": "{key} doit aller de {lo} à {hi}, et non {value}",
        "amount_as_text": "{key} : écrivez le montant entre guillemets, comme « {example} »",
        "amount": "{key} doit être un montant comme 2,00",
        "bad_amount": "{key} n'est pas un montant comme 2,00",
        "more_than_zero": "{key} doit être supérieur à zéro",
        "text": "{key} ne peut pas être vide",
        "too_long": "{key} dépasse {limit} caractères",
        "control": "{key} contient des caractères de contrôle",
        "table": "{key} doit être une section",
        "milestones": "ajoutez au moins un palier (la récompense finale)",
        "milestone_table": "{key} demande un nombre de tampons et une récompense",
        "same_at": "deux paliers ont le même nombre de tampons",
        "final_reward": "la récompense finale manque : ajoutez un palier à {at} tampons (tampons par carte)",
        "quick_picks": "les articles rapides doivent être une liste de [[program.quick_picks]]",
        "too_many_picks": "au plus {count} articles rapides tiennent sur la caisse",
        "pick_table": "{key} demande un libellé, une catégorie et un prix",
        "same_label": "deux articles rapides ont le même libellé",
        "milestone": "palier {index}",
        "milestone_at": "le palier à {at}",
        "milestone_at.reward": "la récompense du palier à {at}",
        "milestone_at.cost": "le coût du palier à {at}",
        "pick": "article rapide {index}",
    },
}
# The form's field behind a programme key's last part.
_FIELD_OF = {
    "at": "editor.milestone_at",
    "reward": "editor.reward",
    "coupons.valid_days": "editor.valid_days",
}
_PART = re.compile(r"^program\.(?:(milestones|quick_picks)\[(\d+)\]\.?)?(?:earning\.|coupons\.)?(\w*)$")


class OwnerText(Text):
    """``Text`` plus what the owner's and PIN screens say: their words are
    in the book too (``words/tables/owner.py``)."""

    def program_error(self, error: InvalidInput) -> str:
        """A programme's mistake in the owner's language, naming the field
        as the form labels it ("« Tampons/carte » doit aller de 2 à 100…")."""
        if not isinstance(error, ProgramError):
            return error.message
        lines = PROGRAM_ERRORS.get(self.locale, PROGRAM_ERRORS[DEFAULT_LOCALE])
        params = dict(error.params)
        if isinstance(params.get("key"), str):
            at = params.get("milestone_at")
            params["key"] = self._field_name(str(params["key"]), lines, at if isinstance(at, int) else None)
        try:
            return lines[error.rule].format(**params)
        except (KeyError, IndexError):
            return error.message

    def _field_name(self, key: str, lines: dict[str, str], milestone_at: int | None = None) -> str:
        match = _PART.match(key)
        if match is None:
            return key
        group, index, name = match.groups()
        if group == "milestones" and milestone_at is not None:
            # As the owner sees it: "the milestone at 10", "the reward of the milestone at 10".
            return lines.get(f"milestone_at.{name}", lines["milestone_at"]).format(at=milestone_at)
        label = self.table.get(f"editor.{name}") if name else None
        if name in _FIELD_OF:
            label = self.table.get(_FIELD_OF[name])
        if group is None:
            if not label:
                return key
            return f"« {label} »" if self.locale == "fr_FR" else f"“{label}”"
        where = lines["milestone" if group == "milestones" else "pick"].format(index=index)
        if label and group == "milestones":
            return f"{where} ({label})"
        return f"{where} ({name})" if name else where

    def role(self, role: str) -> str:
        """ "owner" / "gérant": a role as the shop says it."""
        return self(f"role.{role}") if f"role.{role}" in self else role
