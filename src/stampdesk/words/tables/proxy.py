"""The receipt-printer plugin (``stampdesk proxy``): what it says of the
receipts it reads, its status, its settings' mistakes."""

EN = {
    # Why a receipt went to the printer unchanged (or what happened to it).
    "proxy.reason.no_total": "no total found",
    "proxy.reason.zero_total": "a total of zero",
    "proxy.reason.refund": "a refund",
    "proxy.reason.reprint": "a reprint (its sale is already recorded)",
    "proxy.reason.database": "the database was out of reach",
    "proxy.reason.refused": "the sale was refused",
    "proxy.reason.error": "an unexpected error",
    "proxy.reason.late": "too late for the receipt",
    "proxy.reason.idle": "sent in pieces (no cut in time)",
    "proxy.reason.too_big": "too big to read",
    # The console, one line per receipt.
    "proxy.started": "Receipt plugin: listening on {listen}, printing to {printer} (budget {budget} ms)",
    "proxy.database_away": (
        "Receipt plugin: the database is out of reach ({detail}); receipts go through unchanged "
        "until it answers"
    ),
    "proxy.log.walk_in": "{at:time}  sale {checkout}: {amount:money}, walk-in, QR printed",
    "proxy.log.card": "{at:time}  sale {checkout}: {amount:money}, card {card}",
    "proxy.log.unchanged": "{at:time}  receipt printed unchanged: {reason}",
    "proxy.log.late_sale": "{at:time}  sale {checkout} recorded after its receipt was printed",
    # stampdesk proxy status
    "proxy.status.title": "Receipt plugin, {day:day}",
    "proxy.status.seen": "Receipts seen: {count}",
    "proxy.status.recorded": "Sales recorded: {count}",
    "proxy.status.late": "  of which after the receipt was printed: {count}",
    "proxy.status.unchanged": "Receipts printed unchanged: {count}",
    "proxy.status.reason": "  {reason}: {count}",
    "proxy.status.last": "Last receipt: {at:time}",
    "proxy.status.journal": "Journal: {path}",
    # stampdesk proxy test FILE
    "proxy.test.lines": "Lines read: {count}",
    "proxy.test.codepages": "Code pages: {names}",
    "proxy.test.cut": "Receipts (cuts) in the file: {count}",
    "proxy.test.receipt": "Receipt {number}:",
    "proxy.test.total": "Total: {amount:money} (pattern {pattern}, line {line})",
    "proxy.test.no_total": "Total: none found",
    "proxy.test.card": "Card number: {number}",
    "proxy.test.no_card": "Card number: none",
    "proxy.test.refund": "Refund: yes (line {line})",
    "proxy.test.refund_total": "Refund: yes (a negative total)",
    "proxy.test.would_card": "Would record: a sale of {amount:money} on card {number}",
    "proxy.test.would_walk_in": (
        "Would record: a walk-in sale of {amount:money}, its stamps kept by the QR code printed"
    ),
    "proxy.test.would_nothing": "Would record nothing: {reason}",
    # The owner's screens.
    "proxy.owner.line": "Receipt plugin today — receipts: {seen}, sales: {recorded}, unchanged: {unchanged}",
    "proxy.owner.why": "Unchanged: {reasons}",
    # Its settings.
    "error.config_proxy_table": "config file {path}: [proxy] must be a table",
    "error.config_proxy_unknown_key": "config file {path}: [proxy] has no setting named {key}",
    "error.config_proxy_listen": "[proxy] listen must be HOST:PORT, e.g. 0.0.0.0:9100 (not {value})",
    "error.config_proxy_printer": (
        "[proxy] printer must be tcp://HOST:PORT, e.g. tcp://192.168.1.50:9100 (not {value})"
    ),
    "error.config_proxy_budget": "[proxy] budget_ms must be a whole number of milliseconds from 1 to {most}",
    "error.config_proxy_patterns": "[proxy] total_patterns must be a list of regular expressions",
    "error.config_proxy_pattern": "[proxy] total pattern {number} is not a regular expression: {detail}",
    "error.config_proxy_pattern_group": (
        "[proxy] total pattern {number} has no group (?P<total>…) for the amount"
    ),
    "error.proxy_no_printer": (
        "the receipt plugin needs the printer's address: --printer tcp://HOST:PORT or [proxy] printer"
    ),
    "error.proxy_file_unreadable": "cannot read {path}: {detail}",
}

FR = {
    "proxy.reason.no_total": "aucun total trouvé",
    "proxy.reason.zero_total": "un total nul",
    "proxy.reason.refund": "un remboursement",
    "proxy.reason.reprint": "une réimpression (sa vente est déjà enregistrée)",
    "proxy.reason.database": "la base de données était injoignable",
    "proxy.reason.refused": "la vente a été refusée",
    "proxy.reason.error": "une erreur inattendue",
    "proxy.reason.late": "trop tard pour le ticket",
    "proxy.reason.idle": "envoyé en morceaux (pas de coupe à temps)",
    "proxy.reason.too_big": "trop gros pour être lu",
    "proxy.started": "Module ticket : écoute sur {listen}, imprime sur {printer} (délai {budget} ms)",
    "proxy.database_away": (
        "Module ticket : la base de données est injoignable ({detail}) ; les tickets passent tels "
        "quels jusqu'à ce qu'elle réponde"
    ),
    "proxy.log.walk_in": "{at:time}  vente {checkout} : {amount:money}, client de passage, QR imprimé",
    "proxy.log.card": "{at:time}  vente {checkout} : {amount:money}, carte {card}",
    "proxy.log.unchanged": "{at:time}  ticket imprimé tel quel : {reason}",
    "proxy.log.late_sale": "{at:time}  vente {checkout} enregistrée après l'impression de son ticket",
    "proxy.status.title": "Module ticket, {day:day}",
    "proxy.status.seen": "Tickets vus : {count}",
    "proxy.status.recorded": "Ventes enregistrées : {count}",
    "proxy.status.late": "  dont après l'impression du ticket : {count}",
    "proxy.status.unchanged": "Tickets imprimés tels quels : {count}",
    "proxy.status.reason": "  {reason} : {count}",
    "proxy.status.last": "Dernier ticket : {at:time}",
    "proxy.status.journal": "Journal : {path}",
    "proxy.test.lines": "Lignes lues : {count}",
    "proxy.test.codepages": "Pages de code : {names}",
    "proxy.test.cut": "Tickets (coupes) dans le fichier : {count}",
    "proxy.test.receipt": "Ticket {number} :",
    "proxy.test.total": "Total : {amount:money} (motif {pattern}, ligne {line})",
    "proxy.test.no_total": "Total : aucun trouvé",
    "proxy.test.card": "Numéro de carte : {number}",
    "proxy.test.no_card": "Numéro de carte : aucun",
    "proxy.test.refund": "Remboursement : oui (ligne {line})",
    "proxy.test.refund_total": "Remboursement : oui (un total négatif)",
    "proxy.test.would_card": "Enregistrerait : une vente de {amount:money} sur la carte {number}",
    "proxy.test.would_walk_in": (
        "Enregistrerait : une vente de passage de {amount:money}, ses tampons gardés par le QR code imprimé"
    ),
    "proxy.test.would_nothing": "N'enregistrerait rien : {reason}",
    "proxy.owner.line": (
        "Module ticket aujourd'hui — tickets : {seen}, ventes : {recorded}, tels quels : {unchanged}"
    ),
    "proxy.owner.why": "Tels quels : {reasons}",
    "error.config_proxy_table": "fichier de configuration {path} : [proxy] doit être une table",
    "error.config_proxy_unknown_key": (
        "fichier de configuration {path} : [proxy] n'a pas de réglage nommé {key}"
    ),
    "error.config_proxy_listen": (
        "[proxy] listen doit être HÔTE:PORT, par exemple 0.0.0.0:9100 (et non {value})"
    ),
    "error.config_proxy_printer": (
        "[proxy] printer doit être tcp://HÔTE:PORT, par exemple tcp://192.168.1.50:9100 (et non {value})"
    ),
    "error.config_proxy_budget": (
        "[proxy] budget_ms doit être un nombre entier de millisecondes de 1 à {most}"
    ),
    "error.config_proxy_patterns": "[proxy] total_patterns doit être une liste d'expressions régulières",
    "error.config_proxy_pattern": (
        "[proxy] le motif de total {number} n'est pas une expression régulière : {detail}"
    ),
    "error.config_proxy_pattern_group": (
        "[proxy] le motif de total {number} n'a pas de groupe (?P<total>…) pour le montant"
    ),
    "error.proxy_no_printer": (
        "le module ticket a besoin de l'adresse de l'imprimante : --printer tcp://HÔTE:PORT ou "
        "[proxy] printer"
    ),
    "error.proxy_file_unreadable": "impossible de lire {path} : {detail}",
}
