"""The strings of the PIN and owner's screens, in French and English.

Kept apart from ``text.py`` (the cashier's screen) but read through the same
``Text`` interface: ``OwnerText`` answers its own keys and hands every other
key to ``Text``, so one object serves the till and the owner's screens.
"""

from __future__ import annotations

import re
from datetime import tzinfo

from ..domain.errors import InvalidInput
from ..domain.program import ProgramError
from ..words import Book
from .text import DEFAULT_LOCALE, Text

# The form's field behind a programme key's last part.
_FIELD_OF = {
    "at": "editor.milestone_at",
    "reward": "editor.reward",
    "coupons.valid_days": "editor.valid_days",
}
_PART = re.compile(r"^program\.(?:(milestones|quick_picks)\[(\d+)\]\.?)?(?:earning\.|coupons\.)?(\w*)$")

OWNER_MESSAGES: dict[str, dict[str, str]] = {
    "en_GB": {
        # Footer keys (short: the till's footer is 80 columns wide).
        "key.owner": "Owner",
        "key.switch": "Switch",
        "key.back": "Back",
        "key.save": "Save",
        "key.add_milestone": "+Milestone",
        "key.remove_milestone": "-Milestone",
        "key.deactivate": "Deactivate",
        "key.refresh": "Refresh",
        "key.test_print": "Test print",
        "owner.tab.printer": "Printer F5",
        "printer.title": "Receipt printer",
        "printer.url": "URL",
        "printer.profile": "Model",
        "printer.header": "Header",
        "printer.footer": "Footer",
        "printer.placeholder.url": "tcp://192.168.1.50:9100",
        "printer.placeholder.profile": "TM-T88V (python-escpos profile)",
        "printer.placeholder.header": "12 rue du Port | 01 23 45 67 89",
        "printer.placeholder.footer": "Thank you! | See you soon",
        "printer.hint": (
            "Header and footer: lines separated by |. ^t prints a test page on the printer "
            "as typed; ^s keeps these settings in the config file, for this till at once."
        ),
        "printer.too_long": "At most {count} header or footer lines of 48 characters.",
        "printer.testing": "Printing a test page on {url}…",
        "printer.test_ok": "Test page printed on {url}.",
        "printer.test_failed": "The test page did not print: {state}. {detail}",
        "printer.saved": "Printer settings saved in {path}.",
        # Who is at the till.
        "signin.subtitle": "Till — {name}",
        "signin.subtitle.named": "Till {till} — {name}",
        # The PIN screen.
        "pin.title": "Sign in",
        "pin.prompt": "Type your PIN, then Enter.",
        "pin.title.owner": "Owner's screens",
        "pin.prompt.owner": "An owner's PIN is needed: type it, then Enter (Esc goes back).",
        "pin.label": "PIN",
        "pin.checking": "Checking…",
        "pin.empty": "Type the PIN first.",
        "pin.wrong": "Wrong PIN: try again.",
        "pin.locked": "Too many wrong PINs: wait {seconds} s, then try again.",
        "pin.not_owner": "This PIN is not an owner's: the owner's screens need an owner.",
        # The owner's screens.
        "owner.title": "Owner",
        "owner.tab.programme": "Programme F2",
        "owner.tab.staff": "Staff F3",
        "owner.tab.today": "Today F4",
        "owner.unsaved": "The programme is not saved: Esc again leaves without saving, ctrl+s saves.",
        # The programme editor.
        "editor.name": "Name",
        "editor.stamps_per_card": "Stamps/card",
        "editor.starter_stamps": "Starter",
        "editor.milestones": "Milestones: stamps, reward",
        "editor.earning": "Earning",
        "editor.per_visit": "Per visit",
        "editor.min_amount": "Min. amount",
        "editor.per_amount": "+1 per",
        "editor.max_per_day": "Max/day",
        "editor.valid_days": "Coupon days",
        "editor.optional": "optional",
        "editor.reward": "reward",
        "editor.milestone_at": "stamps",
        "editor.loaded": "Version {version}. F6/F7 add/remove a milestone, ctrl+s saves.",
        "editor.no_programme": "No programme yet: fill it in, then ctrl+s.",
        "editor.valid": "Valid. ctrl+s saves it as a new version.",
        "editor.not_saved": "Not saved: {error}",
        "editor.saving": "Saving…",
        "editor.saved": "Saved: programme version {version}. The next sale uses it.",
        "editor.unchanged": "Nothing changed: still version {version}.",
        "editor.preview": "Preview: a card after a sale",
        "editor.preview.invalid": "(the preview waits for a valid form)",
        "editor.sample_name": "Ana Martin",
        # Staff.
        "staff.title": "Staff — F8 deactivates",
        "staff.none": "No staff yet: the till opens without a PIN. Add an owner first.",
        "staff.line": "{name} — {role}",
        "role.owner": "owner",
        "role.cashier": "cashier",
        "staff.add": "Add a member of staff",
        "staff.name": "Name",
        "staff.role": "Role",
        "staff.pin": "PIN",
        "staff.pin_again": "PIN again",
        "staff.hint": "Enter moves on; Enter on “PIN again” adds.",
        "staff.pins_differ": "The two PINs differ: type them again.",
        "staff.weak_pin": (
            "An owner's PIN must not be easy to guess (one digit repeated, digits in a row, "
            "a repeated pattern, a year, a common PIN): choose another."
        ),
        "staff.name_empty": "Type the name first.",
        "staff.added": "{name} added ({role}).",
        "staff.choose": "Choose someone in the list first (↑↓), then F8.",
        "staff.deactivate.title": "Deactivate {name}?",
        "staff.deactivate.body": "{name} will no longer be able to sign in at the till.",
        "staff.deactivate.yes": "Deactivate",
        "staff.deactivate.no": "Cancel",
        "staff.deactivate.cancelled": "Nothing changed.",
        "staff.deactivated": "{name} can no longer sign in.",
        # Today.
        "overview.title": "Today, {day}",
        "overview.sales": "Sales: {count} — {amount}",
        "overview.refunded": "Refunded sales: {count}",
        "overview.stamps": "Stamps given: {count}",
        "overview.enrolments": "New cards: {count}",
        "overview.coupons_issued": "Coupons issued: {count}",
        "overview.coupons_redeemed": "Coupons used: {count}",
        "overview.printer": "Printer: {url}",
        "overview.printer_none": "no printer set",
        "overview.printer_note": "(set on the Printer tab, F5)",
        "overview.loading": "Loading…",
        # The customer-of-the-month board, beside today's figures.
        "board.title": "Customer of the month",
        "board.month": "{month} · opted-in",
        "board.name": "name",
        "board.card": "card",
        "board.visits": "visits",
        "board.empty": "No visits yet this month from customers who agreed to be on the board.",
        # The dashboard: the report of the last 30 days.
        "key.dashboard": "Dashboard",
        "owner.tab.dashboard": "Dashboard F9",
        "dash.loading": "Reading the last 30 days…",
        "dash.failed": "The dashboard could not be read: {detail}",
        "dash.period": "{start} → {end} ({days} days) · ^r refreshes",
        "dash.figures": "Key figures",
        "dash.basket": "Average basket: members {members}, walk-ins {walkins}",
        "dash.visits": "Visits per member who came: {visits} (sales {sales}, members {members})",
        "dash.repeat": "Members of the period before who came back: {rate}",
        "dash.cost": "Cost of rewards: {cost}, {share} of members' spending",
        "dash.new": "New members: {count} (of {total})",
        "dash.claimed": "Walk-in receipts kept by enrolling: {rate}",
        "dash.weeks": "Visits per week",
        "dash.partial_week": "a week the 30 days cut: fewer days, not fewer visits",
        "dash.members": "members",
        "dash.walkins": "walk-ins",
        "dash.coupons": "Coupons",
        "dash.issued": "issued",
        "dash.redeemed": "redeemed",
        "dash.retention": "Retention by month of enrolment: share back 1, 2… months later",
        "dash.month": "month",
        "dash.top": "Top customers",
        "dash.name": "first name",
        "dash.card": "card",
        "dash.visits_column": "visits",
        "dash.spend": "spend",
        "dash.nobody": "No member came in these 30 days.",
    },
    "fr_FR": {
        "key.owner": "Gérant",
        "key.switch": "Équipier",
        "key.back": "Retour",
        "key.save": "Enregistrer",
        "key.add_milestone": "+Palier",
        "key.remove_milestone": "-Palier",
        "key.deactivate": "Désactiver",
        "key.refresh": "Actualiser",
        "key.test_print": "Page de test",
        "owner.tab.printer": "Imprimante F5",
        "printer.title": "Imprimante des reçus",
        "printer.url": "URL",
        "printer.profile": "Modèle",
        "printer.header": "En-tête",
        "printer.footer": "Pied",
        "printer.placeholder.url": "tcp://192.168.1.50:9100",
        "printer.placeholder.profile": "TM-T88V (profil python-escpos)",
        "printer.placeholder.header": "12 rue du Port | 01 23 45 67 89",
        "printer.placeholder.footer": "Merci ! | À bientôt",
        "printer.hint": (
            "En-tête et pied : lignes séparées par |. ^t imprime une page de test sur "
            "l'imprimante saisie ; ^s garde ces réglages dans le fichier de configuration, "
            "pour cette caisse aussitôt."
        ),
        "printer.too_long": "Au plus {count} lignes d'en-tête ou de pied de 48 caractères.",
        "printer.testing": "Impression d'une page de test sur {url}…",
        "printer.test_ok": "Page de test imprimée sur {url}.",
        "printer.test_failed": "La page de test n'est pas sortie : {state}. {detail}",
        "printer.saved": "Réglages de l'imprimante enregistrés dans {path}.",
        "signin.subtitle": "Caisse — {name}",
        "signin.subtitle.named": "Caisse {till} — {name}",
        "pin.title": "Identification",
        "pin.prompt": "Tapez votre code PIN, puis Entrée.",
        "pin.title.owner": "Écrans du gérant",
        "pin.prompt.owner": "Code PIN d'un gérant requis : tapez-le, puis Entrée (Échap pour revenir).",
        "pin.label": "Code PIN",
        "pin.checking": "Vérification…",
        "pin.empty": "Tapez d'abord le code PIN.",
        "pin.wrong": "Code PIN incorrect : réessayez.",
        "pin.locked": "Trop de codes incorrects : attendez {seconds} s, puis réessayez.",
        "pin.not_owner": "Ce code n'est pas celui d'un gérant : ces écrans sont réservés au gérant.",
        "owner.title": "Gérant",
        "owner.tab.programme": "Programme F2",
        "owner.tab.staff": "Équipe F3",
        "owner.tab.today": "Aujourd'hui F4",
        "owner.unsaved": (
            "Le programme n'est pas enregistré : Échap de nouveau pour quitter sans enregistrer, "
            "ctrl+s pour enregistrer."
        ),
        "editor.name": "Nom",
        "editor.stamps_per_card": "Tampons/carte",
        "editor.starter_stamps": "Bienvenue",
        "editor.milestones": "Paliers : tampons, récompense",
        "editor.earning": "Gain de tampons",
        "editor.per_visit": "Par visite",
        "editor.min_amount": "Montant min.",
        "editor.per_amount": "+1 par",
        "editor.max_per_day": "Max/jour",
        "editor.valid_days": "Validité (j)",
        "editor.optional": "facultatif",
        "editor.reward": "récompense",
        "editor.milestone_at": "tampons",
        "editor.loaded": "Version {version}. F6/F7 ajoute/retire un palier, ctrl+s enregistre.",
        "editor.no_programme": "Pas encore de programme : remplissez-le, puis ctrl+s.",
        "editor.valid": "Valide. ctrl+s l'enregistre comme nouvelle version.",
        "editor.not_saved": "Non enregistré : {error}",
        "editor.saving": "Enregistrement…",
        "editor.saved": "Enregistré : programme version {version}. La prochaine vente l'utilise.",
        "editor.unchanged": "Rien n'a changé : toujours la version {version}.",
        "editor.preview": "Aperçu : une carte après une vente",
        "editor.preview.invalid": "(l'aperçu attend un formulaire valide)",
        "editor.sample_name": "Ana Martin",
        "staff.title": "Équipe — F8 désactive",
        "staff.none": "Pas encore d'équipe : la caisse s'ouvre sans code. Ajoutez d'abord un gérant.",
        "staff.line": "{name} — {role}",
        "role.owner": "gérant",
        "role.cashier": "équipier",
        "staff.add": "Ajouter un membre de l'équipe",
        "staff.name": "Nom",
        "staff.role": "Rôle",
        "staff.pin": "Code PIN",
        "staff.pin_again": "Confirmer",
        "staff.hint": "Entrée passe au suivant ; Entrée sur « Confirmer » ajoute.",
        "staff.pins_differ": "Les deux codes diffèrent : tapez-les de nouveau.",
        "staff.weak_pin": (
            "Le code d'un gérant ne doit pas être facile à deviner (un seul chiffre, des chiffres "
            "qui se suivent, un motif répété, une année, un code courant) : choisissez-en un autre."
        ),
        "staff.name_empty": "Tapez d'abord le nom.",
        "staff.added": "{name} ajouté(e) ({role}).",
        "staff.choose": "Choisissez d'abord quelqu'un dans la liste (↑↓), puis F8.",
        "staff.deactivate.title": "Désactiver {name} ?",
        "staff.deactivate.body": "{name} ne pourra plus s'identifier à la caisse.",
        "staff.deactivate.yes": "Désactiver",
        "staff.deactivate.no": "Annuler",
        "staff.deactivate.cancelled": "Rien n'a changé.",
        "staff.deactivated": "{name} ne peut plus s'identifier.",
        "overview.title": "Aujourd'hui, {day}",
        "overview.sales": "Ventes : {count} — {amount}",
        "overview.refunded": "Ventes remboursées : {count}",
        "overview.stamps": "Tampons donnés : {count}",
        "overview.enrolments": "Nouvelles cartes : {count}",
        "overview.coupons_issued": "Bons émis : {count}",
        "overview.coupons_redeemed": "Bons utilisés : {count}",
        "overview.printer": "Imprimante : {url}",
        "overview.printer_none": "aucune imprimante réglée",
        "overview.printer_note": "(se règle dans l'onglet Imprimante, F5)",
        "overview.loading": "Chargement…",
        "board.title": "Client du mois",
        "board.month": "{month} · volontaires",
        "board.name": "prénom",
        "board.card": "carte",
        "board.visits": "visites",
        "board.empty": "Pas encore de visite ce mois-ci des clients d'accord pour y figurer.",
        "key.dashboard": "Bilan",  # "Tableau de bord" leaves no room for ^q on the programme's footer
        "owner.tab.dashboard": "Tableau de bord F9",
        "dash.loading": "Lecture des 30 derniers jours…",
        "dash.failed": "Le tableau de bord n'a pas pu être lu : {detail}",
        "dash.period": "{start} → {end} ({days} jours) · ^r actualise",
        "dash.figures": "Chiffres clés",
        "dash.basket": "Panier moyen : membres {members}, sans carte {walkins}",
        "dash.visits": "Visites par membre venu : {visits} (ventes {sales}, membres {members})",
        "dash.repeat": "Membres de la période précédente revenus : {rate}",
        "dash.cost": "Coût des récompenses : {cost}, {share} des achats des membres",
        "dash.new": "Nouveaux membres : {count} (sur {total})",
        "dash.claimed": "Tickets sans carte gardés par une inscription : {rate}",
        "dash.weeks": "Visites par semaine",
        "dash.partial_week": "semaine coupée par les 30 jours : moins de jours, pas moins de visites",
        "dash.members": "membres",
        "dash.walkins": "sans carte",
        "dash.coupons": "Bons",
        "dash.issued": "émis",
        "dash.redeemed": "utilisés",
        "dash.retention": "Fidélisation par mois d'inscription : part revenue 1, 2… mois après",
        "dash.month": "mois",
        "dash.top": "Meilleurs clients",
        "dash.name": "prénom",
        "dash.card": "carte",
        "dash.visits_column": "visites",
        "dash.spend": "achats",
        "dash.nobody": "Aucun membre n'est venu ces 30 jours.",
    },
}


class OwnerText(Text):
    """``Text`` plus the owner's and PIN screens' strings: their keys are
    answered here, any other key by the till's table."""

    def __init__(self, locale: str = DEFAULT_LOCALE, zone: tzinfo | None = None) -> None:
        super().__init__(locale, zone)
        self._own = OWNER_MESSAGES.get(self.locale, OWNER_MESSAGES[DEFAULT_LOCALE])

    def __call__(self, key: str, /, **values: object) -> str:
        template = self._own.get(key)
        if template is None:
            return super().__call__(key, **values)
        return template.format(**values)

    def program_error(self, error: InvalidInput) -> str:
        """A programme's mistake in the owner's language, naming the field
        as the form labels it ("« Tampons/carte » doit aller de 2 à 100…"):
        the words book's ``error.program_<rule>.form``."""
        book = Book(self.locale, self.zone)
        if not isinstance(error, ProgramError):
            return book.error(error)
        params = dict(error.params)
        if isinstance(params.get("key"), str):
            at = params.get("milestone_at")
            params["key"] = self._field_name(str(params["key"]), book, at if isinstance(at, int) else None)
        line = f"error.program_{error.rule}.form"
        if line not in book:
            return book.error(error)  # a mistake the form cannot make: said as the file's
        return book(line, **params)

    def _field_name(self, key: str, book: Book, milestone_at: int | None = None) -> str:
        match = _PART.match(key)
        if match is None:
            return key
        group, index, name = match.groups()
        if group == "milestones" and milestone_at is not None:
            # As the owner sees it: "the milestone at 10", "the reward of the milestone at 10".
            line = f"error.program_form.milestone_at.{name}"
            return book(line if line in book else "error.program_form.milestone_at", at=milestone_at)
        label = self._own.get(f"editor.{name}") if name else None
        if name in _FIELD_OF:
            label = self._own.get(_FIELD_OF[name])
        if group is None:
            if not label:
                return key
            return f"« {label} »" if self.locale == "fr_FR" else f"“{label}”"
        where = book("error.program_form." + ("milestone" if group == "milestones" else "pick"), index=index)
        if label and group == "milestones":
            return f"{where} ({label})"
        return f"{where} ({name})" if name else where

    def role(self, role: str) -> str:
        """ "owner" / "gérant": a role as the shop says it."""
        return self(f"role.{role}") if f"role.{role}" in self._own else role
