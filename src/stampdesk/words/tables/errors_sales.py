"""The sales side's errors (cards, sales, coupons, refunds, receipts, keys,
the report's period), by phrase: ``error.<phrase>``.

A card is one card in every shop of a chain: "no card …", never "in this
shop". Days and times are values the book writes (``{expires:day}``), never
text made by the caller.
"""

EN = {
    # Cards: enrolment, referral, search, adjustments, notes.
    "error.receipt_needs_email": "enrolling from a receipt needs an e-mail",
    "error.already_enrolled": "{email} is already enrolled: look the card up instead",
    "error.email_on_another_card": "{email} is already enrolled on another card",
    "error.self_referral": "a card cannot refer itself",
    "error.unknown_referrer": "no card {number} to refer from",
    "error.referrer_not_active": "card {number} is not in use yet: it cannot refer anyone",
    "error.card_taken": "card {number} already belongs to a customer",
    "error.already_referred": "card {number} was already referred",
    "error.invalid_count": "print from 1 to {most} cards at a time",
    "error.invalid_search": "search needs a name, e-mail or phone",
    "error.invalid_stamps": "an adjustment is a whole number of stamps from -{most} to {most}, not 0",
    "error.card_not_enrolled": "card {number} has no customer yet: enrol it first",
    "error.invalid_leaderboard": "the leaderboard choice must be true or false",
    "error.unknown_customer": "card {number} has no holder to correct",
    # Card links (the card's page) and receipt claims.
    "error.invalid_card_link": "this card link is not valid",
    "error.linked_card_erased": "this card was erased at its holder's request",
    "error.invalid_claim_token": "this receipt code is not valid",
    "error.already_claimed": "the stamps of this receipt were already claimed",
    "error.refunded": "this sale was refunded: its stamps cannot be claimed",
    "error.claim_expired": "this receipt could be used to keep its stamps until {last_day:day}",
    # Sales and refunds.
    "error.too_many_items": "a sale may hold at most {most} items",
    "error.card_erased_at_sale": (
        "card {number} was erased at its holder's request: record the sale without a card"
    ),
    "error.card_status": "card {number} is {status}",
    "error.unknown_checkout": "no checkout {checkout}",
    "error.checkout_refunded": "checkout {checkout} was already refunded on {at:when}",
    "error.coupon_used_before_issued": "coupon {coupon} cannot be used on {at:when}, before it was issued",
    "error.key_reused_sale": (
        "idempotency key {key!r} was already used for a different sale (checkout {checkout})"
    ),
    "error.key_reused_redeem": "idempotency key {key!r} was already used for a different redeem",
    "error.key_reused_refund": "idempotency key {key!r} was already used for a different refund",
    # Coupons.
    "error.unknown_coupon": "no coupon {coupon}",
    "error.coupon_used": "coupon {coupon} was already used on {at:when}",
    "error.coupon_used_elsewhere": "coupon {coupon} was just used at another till",
    "error.coupon_card_erased": "coupon {coupon} was cancelled: its card was erased",
    "error.coupon_sale_refunded": "coupon {coupon} was cancelled (its sale was refunded)",
    "error.coupon_expired": "coupon {coupon} expired on {expires:day}",
    # Receipts and print jobs.
    "error.unknown_print_job": "no print job {job}",
    # The customer-of-the-month board.
    "error.invalid_limit": "the board shows from 1 to {most} customers",
    # The programme file.
    "error.program_file_missing": "programme file {file} does not exist",
    "error.program_file_unreadable": "cannot read programme file {file}: {reason}",
    "error.program_not_loaded": "no programme is loaded yet: run `stampdesk program load FILE`",
    # API keys.
    "error.invalid_api_key_name": (
        "API key name must be 1 to 64 letters, digits, '.', '_' or '-' (the till's name, e.g. till-1)"
    ),
    "error.api_key_role": "role must be one of {roles}, got {role!r}",
    "error.api_key_exists": (
        "till {name} already has a live API key: revoke it first (stampdesk apikey revoke {name})"
    ),
    "error.unknown_api_key": "no live API key named {name}",
    # The report's period.
    "error.period_reversed": "the period starts ({first:day}) after it ends ({last:day})",
    "error.period_too_long": "a report covers at most {most} days",
    "error.period_day_not_time": "--{option} is a day (YYYY-MM-DD), not a time",
    "error.period_bad_day": "--{option} must be a day such as 2026-03-01, got {value!r}",
}

FR = {
    "error.receipt_needs_email": "pour s'inscrire depuis un ticket, il faut un e-mail",
    "error.already_enrolled": "{email} a déjà une carte : cherchez-la plutôt",
    "error.email_on_another_card": "{email} est déjà sur une autre carte",
    "error.self_referral": "une carte ne peut pas se parrainer elle-même",
    "error.unknown_referrer": "aucune carte {number} pour parrainer",
    "error.referrer_not_active": "la carte {number} n'a pas encore servi : elle ne peut pas parrainer",
    "error.card_taken": "la carte {number} appartient déjà à un client",
    "error.already_referred": "la carte {number} a déjà été parrainée",
    "error.invalid_count": "imprimez de 1 à {most} cartes à la fois",
    "error.invalid_search": "cherchez un nom, un e-mail ou un téléphone",
    "error.invalid_stamps": "un ajustement est un nombre entier de tampons de -{most} à {most}, sauf 0",
    "error.card_not_enrolled": "la carte {number} n'a pas encore de client : inscrivez-le d'abord",
    "error.invalid_leaderboard": "le choix pour le client du mois doit être oui ou non",
    "error.unknown_customer": "la carte {number} n'a pas de titulaire à corriger",
    "error.invalid_card_link": "ce lien de carte n'est pas valable",
    "error.linked_card_erased": "cette carte a été effacée à la demande de son titulaire",
    "error.invalid_claim_token": "ce code de ticket n'est pas valable",
    "error.already_claimed": "les tampons de ce ticket ont déjà été récupérés",
    "error.refunded": "cette vente a été remboursée : ses tampons ne peuvent plus être récupérés",
    "error.claim_expired": "ce ticket permettait de garder ses tampons jusqu'au {last_day:day}",
    "error.too_many_items": "une vente compte au plus {most} articles",
    "error.card_erased_at_sale": "la carte {number} a été effacée : enregistrez la vente sans carte",
    "error.card_status": "la carte {number} est inutilisable ({status})",
    "error.unknown_checkout": "vente n° {checkout} inconnue",
    "error.checkout_refunded": "la vente n° {checkout} a déjà été remboursée le {at:when}",
    "error.coupon_used_before_issued": "le bon {coupon} n'était pas encore émis le {at:when}",
    "error.key_reused_sale": (
        "la clé d'idempotence « {key} » a déjà servi pour une autre vente (vente n° {checkout})"
    ),
    "error.key_reused_redeem": "la clé d'idempotence « {key} » a déjà servi pour un autre bon",
    "error.key_reused_refund": "la clé d'idempotence « {key} » a déjà servi pour un autre remboursement",
    "error.unknown_coupon": "bon {coupon} inconnu",
    "error.coupon_used": "bon {coupon} déjà utilisé le {at:when}",
    "error.coupon_used_elsewhere": "bon {coupon} utilisé à l'instant à une autre caisse",
    "error.coupon_card_erased": "bon {coupon} annulé : sa carte a été effacée",
    "error.coupon_sale_refunded": "bon {coupon} annulé (sa vente a été remboursée)",
    "error.coupon_expired": "bon {coupon} expiré le {expires:day}",
    "error.unknown_print_job": "impression n° {job} inconnue",
    "error.invalid_limit": "le tableau montre de 1 à {most} clients",
    "error.program_file_missing": "le fichier de programme {file} n'existe pas",
    "error.program_file_unreadable": "impossible de lire le fichier de programme {file} : {reason}",
    "error.program_not_loaded": (
        "aucun programme n'est encore chargé : lancez `stampdesk program load FICHIER`"
    ),
    "error.invalid_api_key_name": (
        "le nom d'une clé d'API a de 1 à 64 lettres, chiffres, « . », « _ » ou « - »"
        " (le nom de la caisse, ex. till-1)"
    ),
    "error.api_key_role": "le rôle doit être l'un de : {roles} (reçu : « {role} »)",
    "error.api_key_exists": (
        "la caisse {name} a déjà une clé d'API active : révoquez-la d'abord (stampdesk apikey revoke {name})"
    ),
    "error.unknown_api_key": "aucune clé d'API active nommée {name}",
    "error.period_reversed": "la période commence ({first:day}) après sa fin ({last:day})",
    "error.period_too_long": "un rapport couvre au plus {most} jours",
    "error.period_day_not_time": "--{option} est un jour (AAAA-MM-JJ), pas une heure",
    "error.period_bad_day": "--{option} doit être un jour comme 2026-03-01, pas « {value} »",
}
