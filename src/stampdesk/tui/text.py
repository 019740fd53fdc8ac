"""Every string the till shows, in French and English.

The till never writes a user-visible sentence inline: it asks ``Text`` for a
key, so a translation is complete when both tables hold the same keys (a test
checks it). Error messages raised by the engine (``StampdeskError.message``)
are shown as they come: they belong to the engine, not to this table.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from decimal import Decimal

from ..results import NextMilestone

DEFAULT_LOCALE = "en_GB"

MESSAGES: dict[str, dict[str, str]] = {
    "en_GB": {
        "app.title": "stampdesk",
        "till.default": "Till",
        "keyname.escape": "Esc",
        # Footer key descriptions (kept short: the footer is 80 columns wide).
        "key.walk_in": "Walk-in",
        "key.search": "Search",
        "key.redeem": "Coupon",
        "key.refund": "Refund",
        "key.enrol": "Enrol",
        "key.clear": "Clear",
        "key.quit": "Quit",
        "key.choose": "Choose",
        "key.reprint": "Receipt",
        "key.picks": "Items",
        # Field labels and placeholders.
        "label.card": "Card",
        "label.amount": "Amount",
        "label.coupon": "Coupon",
        "label.checkout": "Sale no.",
        "label.name": "Name",
        "label.email": "E-mail",
        "label.claim": "Receipt",
        "placeholder.card": "Scan a card, or type a name, e-mail or phone",
        "placeholder.amount": "e.g. 12.50",
        "placeholder.coupon": "Scan or type the coupon code",
        "placeholder.checkout": "Number of the sale to refund",
        "placeholder.name": "First name and name",
        "placeholder.email": "optional",
        "placeholder.claim": "optional: code or link printed on a receipt",
        # What to do next.
        "idle.help": (
            "Scan the customer's card, or type a name, an e-mail or a phone number.\n\n"
            "F2  sale without a card\n"
            "F3  search a customer\n"
            "F4  use a coupon\n"
            "F5  refund a sale\n"
            "F6  new card\n"
            "F7  print the waiting receipts, else the last sale's again\n"
            "F8  the quick-pick items (during a sale)\n"
            "F9  owner's screens   F10  switch cashier\n"
            "Esc back to this screen"
        ),
        "hint.amount": "Type the amount of the sale, then Enter (Esc cancels).",
        "picks.none": "No quick-pick items: the owner adds them to the programme.",
        "picks.basket": "{items} = {total}: Enter records the sale.",
        "picks.keys": (
            "Enter: add the item and back to the amount · Space: add one more · Delete: take one out."
        ),
        "picks.empty": "No item left: type the amount, or pick items (F8).",
        "picks.mismatch": (
            "The amount is not the items' total ({total}): type {total}, or take items out (F8, Delete)."
        ),
        "hint.walk_in": "Sale without a card: type the amount, then Enter (Esc cancels).",
        "hint.redeem": "Scan or type the coupon code, then Enter.",
        "hint.refund": "Type the number of the sale to refund, then Enter.",
        "hint.enrol": "New card: name, e-mail (optional), receipt code (optional). Enter moves on.",
        "hint.search": "Type a name, an e-mail or a phone number.",
        "hint.cleared": "Ready: scan a card.",
        "hint.choose": "↓ to choose a customer, Enter to select.",
        # Stamp counts.
        "stamps.one": "{count} stamp",
        "stamps.other": "{count} stamps",
        "added.one": "+{count} stamp",
        "added.other": "+{count} stamps",
        "taken.one": "{count} stamp taken back",
        "taken.other": "{count} stamps taken back",
        # A card.
        "card.greeting": "Hello {name}!",
        "card.ready": "{name}: type the amount, then Enter.",
        "card.ready.blank": "Card {number}: type the amount, then Enter.",
        "card.number": "Card {number}",
        "card.status": "This card is {status}: it cannot earn stamps.",
        "card.notes": "Note: {notes}",
        "card.tier": "Status: {tier}",
        "card.tier.until": "Status: {tier} until {day}",
        "card.perk": "Perk: {perk}",
        "card.expires": "Stamps lapse on {day} without a visit",
        "progress": "{balance}/{per_card} — {reward} at {at}",
        "progress.remaining": "{count} to go",
        "progress.full": "Card complete — {reward} at the next visit",
        "coupons.title": "Coupons to use:",
        "coupon.valid": "{code}  {reward} — valid until {day}",
        "coupon.expired": "{code}  {reward} — expired on {day}",
        # A sale.
        "sale.title": "Sale no. {checkout} — {amount}",
        "sale.added": "{added} — {progress}",
        "sale.none": "No stamp for this sale.",
        "sale.none.cap": "No stamp: this card already had its {count} stamps today.",
        "sale.none.minimum": "No stamp: sales from {minimum} earn stamps.",
        "sale.milestone": "Reward reached: {reward} ({at})",
        "sale.coupon": "Coupon to hand over: {code} — {reward}, valid until {day}",
        "sale.replayed": "This sale was already recorded: shown again, nothing added.",
        "sale.tier": "Status: {tier}",
        "sale.done": "Sale no. {checkout} recorded.",
        "sale.offline": "Offline: the sale is kept on this till; its stamps wait for synchronisation "
        "({waiting} waiting).",
        "sync.done": "Back online: kept sale(s) recorded: {sent}.",
        "sync.waiting": "Offline: waiting for synchronisation: {waiting} sale(s).",
        "lookup.offline": "Offline: card {number} cannot be read now. Type the amount: the sale is kept "
        "and its stamps added at synchronisation.",
        "walk_in.title": "Sale without a card no. {checkout} — {amount}",
        "walk_in.keep": "To keep {stamps} on a new card, the customer opens:",
        "walk_in.claim": "Receipt code: {token}  (F6 enrols now with these stamps)",
        "walk_in.none": "This sale earns no stamp.",
        # Scans and searches.
        "scan.repeat": "Card {number} was just stamped: repeated scan ignored.",
        "scan.selected": "Card {number} is already selected: type the amount.",
        "search.none": "No customer found for “{query}”.",
        "search.found": "{count} found: ↓ to choose, Enter to select.",
        "search.line": "{name}  ·  {number}  ·  {stamps}",
        # Input checks done before asking the engine.
        "busy": "Please wait: the previous operation is still running.",
        "amount.empty": "Type the amount of the sale.",
        "coupon.empty": "Scan or type the coupon code.",
        "checkout.invalid": "Type the number of the sale (digits only).",
        "name.empty": "Type the customer's name.",
        # Coupons, refunds, enrolment.
        "redeem.done": "Coupon {code} used: {reward}",
        "redeem.card": "Card {card}, {day}",
        "refund.title": "Refund sale no. {checkout}?",
        "refund.sale": "Sale of {when}: {amount}",
        "refund.sale.till": "Sale of {when} at till {till}: {amount}",
        "refund.items": "Items: {items}",
        "refund.of_card": "Card {card} — {name}",
        "refund.of_walk_in": "Sale without a card, not claimed",
        "refund.of_claimed": "Sale without a card, claimed by card {card} — {name}",
        "refund.takes": "Takes back {taken}: {before}/{per_card} → {after}/{per_card}",
        "refund.unclaimable": "Its {taken} can no longer be claimed",
        "refund.voids": "Cancels the coupons: {codes}",
        "refund.undoes": "Takes back completed cards: {count}",
        "refund.nothing": "Nothing to take back (no stamps, no coupons).",
        "refund.yes": "Refund",
        "refund.no": "Cancel",
        "refund.cancelled": "Refund cancelled: nothing changed.",
        "refund.done": "Sale no. {checkout} refunded.",
        "refund.card": "Card {card}: {taken}, {balance}/{per_card} now.",
        "refund.walk_in": "Sale without a card: {taken}, they can no longer be claimed.",
        "refund.voided": "Coupons cancelled: {codes}",
        "refund.completions": "Completed cards taken back: {count}",
        "enrol.done": "New card {number} for {name}.",
        "enrol.starter": "Starter stamps: {count}",
        "enrol.claimed": "Stamps of sale no. {checkout}: {count}",
        "enrol.offer": "Receipt of sale no. {checkout}: {stamps} for this new card.",
        # The receipt printer (the status line above the footer, and F7).
        "printer.line": "Printer: {state}",
        "printer.line.waiting": "Printer: {state} — {waiting} (F7 prints)",
        "printer.state.ready": "ready",
        "printer.state.printing": "printing…",
        "printer.state.paper_out": "out of paper",
        "printer.state.cover_open": "cover open",
        "printer.state.offline": "offline",
        "printer.state.no_answer": "not answering",
        "printer.state.refused": "unreachable",
        "printer.state.error": "error",
        "printer.none": "Printer: none set — sales print no receipt",
        "printer.bad_url": "Printer: “{url}” is not a printer address — no receipts",
        "printer.unusable": "Printer: unusable ({problem}) — no receipts",
        "waiting.one": "{count} receipt waiting",
        "waiting.other": "{count} receipts waiting",
        "printed.one": "{count} waiting receipt printed.",
        "printed.other": "{count} waiting receipts printed.",
        "reprint.off": "No printer is set: receipts cannot be printed.",
        "reprint.nothing": "Nothing to print: no receipt waits and this till has sold nothing yet.",
        "reprint.again": "Receipt of sale no. {checkout} printed again (DUPLICATA).",
        "reprint.failed": "Receipt not printed: {state}.",
        # The enrolment QR code shown beside a walk-in sale.
        "qr.caption.one": "Scan to keep your stamp",
        "qr.caption.other": "Scan to keep your {count} stamps",
        # Failures.
        "error.unexpected": "Unexpected error ({kind}): {detail}. Try again; if it persists, call for help.",
    },
    "fr_FR": {
        "app.title": "stampdesk",
        "till.default": "Caisse",
        "keyname.escape": "Échap",
        "key.walk_in": "Passage",  # client de passage: a walk-in
        "key.search": "Client",
        "key.redeem": "Bon",
        "key.refund": "Retour",
        "key.enrol": "Inscrire",
        "key.clear": "Vider",  # 80 columns: "Échap Vider" fits the footer, "Échap Effacer" not
        "key.quit": "Quitter",
        "key.choose": "Choisir",
        "key.reprint": "Reçu",
        "key.picks": "Articles",
        "label.card": "Carte",
        "label.amount": "Montant",
        "label.coupon": "Bon",
        "label.checkout": "Vente n°",
        "label.name": "Nom",
        "label.email": "E-mail",
        "label.claim": "Ticket",
        "placeholder.card": "Scannez une carte, ou tapez un nom, un e-mail, un téléphone",
        "placeholder.amount": "ex. 12,50",
        "placeholder.coupon": "Scannez ou tapez le code du bon",
        "placeholder.checkout": "Numéro de la vente à rembourser",
        "placeholder.name": "Prénom et nom",
        "placeholder.email": "facultatif",
        "placeholder.claim": "facultatif : code ou lien imprimé sur un ticket",
        "idle.help": (
            "Scannez la carte du client, ou tapez un nom, un e-mail ou un téléphone.\n\n"
            "F2  vente sans carte\n"
            "F3  chercher un client\n"
            "F4  utiliser un bon\n"
            "F5  rembourser une vente\n"
            "F6  nouvelle carte\n"
            "F7  imprimer les reçus en attente, sinon réimprimer la dernière vente\n"
            "F8  les articles rapides (pendant une vente)\n"
            "F9  écrans du gérant   F10  changer d'équipier\n"
            "Échap  revenir à cet écran"
        ),
        "hint.amount": "Tapez le montant de la vente, puis Entrée (Échap annule).",
        "picks.none": "Pas d'articles rapides : le gérant les ajoute au programme.",
        "picks.basket": "{items} = {total} : Entrée enregistre la vente.",
        "picks.keys": (
            "Entrée : ajouter l'article et revenir au montant · Espace : un de plus · Suppr : en retirer un."
        ),
        "picks.empty": "Plus d'article : tapez le montant, ou choisissez des articles (F8).",
        "picks.mismatch": (
            "Le montant n'est pas le total des articles ({total}) : "
            "tapez {total}, ou retirez des articles (F8, Suppr)."
        ),
        "hint.walk_in": "Vente sans carte : tapez le montant, puis Entrée (Échap annule).",
        "hint.redeem": "Scannez ou tapez le code du bon, puis Entrée.",
        "hint.refund": "Tapez le numéro de la vente à rembourser, puis Entrée.",
        "hint.enrol": "Nouvelle carte : nom, puis e-mail et ticket (facultatifs). Entrée : suivant.",
        "hint.search": "Tapez un nom, un e-mail ou un numéro de téléphone.",
        "hint.cleared": "Prêt : scannez une carte.",
        "hint.choose": "↓ pour choisir un client, Entrée pour le sélectionner.",
        "stamps.one": "{count} tampon",
        "stamps.other": "{count} tampons",
        "added.one": "+{count} tampon",
        "added.other": "+{count} tampons",
        "taken.one": "{count} tampon repris",
        "taken.other": "{count} tampons repris",
        "card.greeting": "Bonjour {name} !",
        "card.ready": "{name} : tapez le montant, puis Entrée.",
        "card.ready.blank": "Carte {number} : tapez le montant, puis Entrée.",
        "card.number": "Carte {number}",
        "card.status": "Cette carte est {status} : elle ne reçoit pas de tampons.",
        "card.notes": "Note : {notes}",
        "card.tier": "Niveau : {tier}",
        "card.tier.until": "Niveau : {tier} jusqu'au {day}",
        "card.perk": "Avantage : {perk}",
        "card.expires": "Les tampons expirent le {day} sans visite",
        "progress": "{balance}/{per_card} — {reward} à {at}",
        "progress.remaining": "encore {count}",
        "progress.full": "Carte complète — {reward} à la prochaine visite",
        "coupons.title": "Bons à utiliser :",
        "coupon.valid": "{code}  {reward} — valable jusqu'au {day}",
        "coupon.expired": "{code}  {reward} — expiré le {day}",
        "sale.title": "Vente n° {checkout} — {amount}",
        "sale.added": "{added} — {progress}",
        "sale.none": "Aucun tampon pour cette vente.",
        "sale.none.cap": "Aucun tampon : cette carte a déjà reçu ses {count} tampons aujourd'hui.",
        "sale.none.minimum": "Aucun tampon : les tampons commencent à {minimum} d'achat.",
        "sale.milestone": "Récompense atteinte : {reward} ({at})",
        "sale.coupon": "Bon à remettre : {code} — {reward}, valable jusqu'au {day}",
        "sale.replayed": "Vente déjà enregistrée : affichée de nouveau, rien n'a été ajouté.",
        "sale.tier": "Niveau : {tier}",
        "sale.done": "Vente n° {checkout} enregistrée.",
        "sale.offline": "Hors ligne : vente gardée sur la caisse, tampons en attente de synchronisation "
        "({waiting} en attente).",
        "sync.done": "Connexion rétablie : vente(s) gardée(s) enregistrée(s) : {sent}.",
        "sync.waiting": "Hors ligne : en attente de synchronisation : {waiting} vente(s).",
        "lookup.offline": "Hors ligne : la carte {number} ne peut être lue. Saisissez le montant : la vente "
        "est gardée et ses tampons ajoutés à la synchronisation.",
        "walk_in.title": "Vente sans carte n° {checkout} — {amount}",
        "walk_in.keep": "Pour garder {stamps} sur une nouvelle carte, le client ouvre :",
        "walk_in.claim": "Code du ticket : {token}  (F6 inscrit maintenant avec ces tampons)",
        "walk_in.none": "Cette vente ne donne pas de tampon.",
        "scan.repeat": "La carte {number} vient d'être tamponnée : scan en double ignoré.",
        "scan.selected": "La carte {number} est déjà sélectionnée : tapez le montant.",
        "search.none": "Aucun client trouvé pour « {query} ».",
        "search.found": "{count} trouvé(s) : ↓ pour choisir, Entrée pour sélectionner.",
        "search.line": "{name}  ·  {number}  ·  {stamps}",
        "busy": "Patientez : l'opération précédente est en cours.",
        "amount.empty": "Tapez le montant de la vente.",
        "coupon.empty": "Scannez ou tapez le code du bon.",
        "checkout.invalid": "Tapez le numéro de la vente (des chiffres seulement).",
        "name.empty": "Tapez le nom du client.",
        "redeem.done": "Bon {code} utilisé : {reward}",
        "redeem.card": "Carte {card}, {day}",
        "refund.title": "Rembourser la vente n° {checkout} ?",
        "refund.sale": "Vente du {when} : {amount}",
        "refund.sale.till": "Vente du {when}, caisse {till} : {amount}",
        "refund.items": "Articles : {items}",
        "refund.of_card": "Carte {card} — {name}",
        "refund.of_walk_in": "Vente sans carte, non réclamée",
        "refund.of_claimed": "Vente sans carte, réclamée par la carte {card} — {name}",
        "refund.takes": "Reprend {taken} : {before}/{per_card} → {after}/{per_card}",
        "refund.unclaimable": "Ses {taken} ne pourront plus être réclamés",
        "refund.voids": "Annule les bons : {codes}",
        "refund.undoes": "Reprend des cartes complètes : {count}",
        "refund.nothing": "Rien à reprendre (ni tampon, ni bon).",
        "refund.yes": "Rembourser",
        "refund.no": "Annuler",
        "refund.cancelled": "Remboursement annulé : rien n'a changé.",
        "refund.done": "Vente n° {checkout} remboursée.",
        "refund.card": "Carte {card} : {taken}, {balance}/{per_card} maintenant.",
        "refund.walk_in": "Vente sans carte : {taken}, ils ne peuvent plus être réclamés.",
        "refund.voided": "Bons annulés : {codes}",
        "refund.completions": "Cartes complètes reprises : {count}",
        "enrol.done": "Nouvelle carte {number} pour {name}.",
        "enrol.starter": "Tampons de bienvenue : {count}",
        "enrol.claimed": "Tampons de la vente n° {checkout} : {count}",
        "enrol.offer": "Ticket de la vente n° {checkout} : {stamps} pour cette nouvelle carte.",
        "printer.line": "Imprimante : {state}",
        "printer.line.waiting": "Imprimante : {state} — {waiting} (F7 imprime)",
        "printer.state.ready": "prête",
        "printer.state.printing": "impression en cours…",
        "printer.state.paper_out": "plus de papier",
        "printer.state.cover_open": "capot ouvert",
        "printer.state.offline": "hors ligne",
        "printer.state.no_answer": "ne répond pas",
        "printer.state.refused": "injoignable",
        "printer.state.error": "en erreur",
        "printer.none": "Imprimante : aucune configurée — les ventes n'impriment pas de reçu",
        "printer.bad_url": "Imprimante : « {url} » n'est pas une adresse d'imprimante — pas de reçus",
        "printer.unusable": "Imprimante : inutilisable ({problem}) — pas de reçus",
        "waiting.one": "{count} reçu en attente",
        "waiting.other": "{count} reçus en attente",
        "printed.one": "{count} reçu en attente imprimé.",
        "printed.other": "{count} reçus en attente imprimés.",
        "reprint.off": "Aucune imprimante configurée : les reçus ne peuvent pas être imprimés.",
        "reprint.nothing": "Rien à imprimer : aucun reçu n'attend et cette caisse n'a encore rien vendu.",
        "reprint.again": "Reçu de la vente n° {checkout} réimprimé (DUPLICATA).",
        "reprint.failed": "Reçu non imprimé : {state}.",
        "qr.caption.one": "Scannez pour garder votre tampon",
        "qr.caption.other": "Scannez pour garder vos {count} tampons",
        "error.unexpected": (
            "Erreur inattendue ({kind}) : {detail}. Réessayez ; si cela persiste, appelez de l'aide."
        ),
    },
}


class Text:
    """The till's strings, numbers and dates in one locale and time zone.

    ``text("sale.done", checkout=12)`` gives the sentence for the shop's
    locale; an unknown locale falls back to English.
    """

    def __init__(self, locale: str = DEFAULT_LOCALE, zone: tzinfo | None = None) -> None:
        self.locale = locale if locale in MESSAGES else DEFAULT_LOCALE
        self.zone = zone
        self._table = MESSAGES[self.locale]

    def __call__(self, key: str, /, **values: object) -> str:
        """The sentence for ``key`` with ``values`` filled in."""
        return self._table[key].format(**values)

    def count(self, key: str, count: int) -> str:
        """``key.one`` or ``key.other`` for ``count`` (French uses the
        singular for 0 and 1, English only for 1)."""
        one = abs(count) < 2 if self.locale == "fr_FR" else abs(count) == 1
        return self(f"{key}.{'one' if one else 'other'}", count=count)

    def stamps(self, count: int) -> str:
        """ "3 stamps" / "3 tampons"."""
        return self.count("stamps", count)

    def money(self, amount: Decimal) -> str:
        """ "12,50 €" in French, "€12.50" in English."""
        # The shop's currency is not configured yet: the euro, as in the seeds.
        text = f"{amount:.2f}"
        if self.locale == "fr_FR":
            return text.replace(".", ",") + "\u00a0€"
        return f"€{text}"

    def when(self, moment: datetime) -> str:
        """The shop-local day and time of ``moment``: 30/04/2026 14:05."""
        local = moment.astimezone(self.zone) if self.zone is not None else moment
        return local.strftime("%d/%m/%Y %H:%M")

    def day(self, moment: datetime) -> str:
        """The shop-local day of ``moment``: 30/04/2026 in both locales."""
        local = moment.astimezone(self.zone) if self.zone is not None else moment
        return local.strftime("%d/%m/%Y")

    def progress(self, balance: int, per_card: int, nxt: NextMilestone | None) -> str:
        """ "7/10 — Un café offert at 10 (3 to go)": the card's progress line
        (``CardState.progress`` in the shop's language, plus what remains)."""
        if nxt is None:
            return f"{balance}/{per_card}"
        if balance >= per_card:
            # The owner lowered the card's stamps below what it holds: it is
            # complete, and its next sale gives the final reward.
            return self("progress.full", reward=nxt.reward)
        line = self("progress", balance=balance, per_card=per_card, reward=nxt.reward, at=nxt.at)
        if nxt.remaining > 0:
            line += f" ({self('progress.remaining', count=nxt.remaining)})"
        return line
