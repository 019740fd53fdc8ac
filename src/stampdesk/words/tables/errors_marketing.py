"""Errors of a customer's consent to marketing e-mails and of their chosen
language, by phrase: ``error.<phrase>``."""

EN = {
    "error.invalid_marketing": "the choice about marketing e-mails must be true or false",
    "error.invalid_marketing_source": "consent can be recorded from: {sources}",
    "error.marketing_withdraw_only": "consent can only be withdrawn from {source}, never given",
    "error.marketing_needs_email": (
        "consent to marketing e-mails needs the customer's e-mail address: add it first"
    ),
    "error.invalid_language": "the language must be one of: {languages}",
    # A line of an import.
    "error.import_marketing": "marketing must be yes or no, got {value!r}",
    "error.import_marketing_needs_date": (
        "marketing yes needs marketing_at: the day the customer agreed (YYYY-MM-DD)"
    ),
    "error.import_marketing_date": "marketing_at must be a past day (YYYY-MM-DD), got {value!r}",
    "error.import_marketing_needs_email": "marketing yes needs the customer's e-mail",
}

FR = {
    "error.invalid_marketing": "le choix pour les e-mails d'offres doit être oui ou non",
    "error.invalid_marketing_source": "le consentement s'enregistre depuis : {sources}",
    "error.marketing_withdraw_only": (
        "depuis {source}, le consentement peut seulement être retiré, jamais donné"
    ),
    "error.marketing_needs_email": (
        "pour accepter les e-mails d'offres, il faut l'adresse e-mail du client : ajoutez-la d'abord"
    ),
    "error.invalid_language": "la langue doit être l'une de : {languages}",
    "error.import_marketing": "marketing doit être oui ou non, et non {value!r}",
    "error.import_marketing_needs_date": (
        "marketing oui demande marketing_at : le jour où le client a accepté (AAAA-MM-JJ)"
    ),
    "error.import_marketing_date": "marketing_at doit être un jour passé (AAAA-MM-JJ), et non {value!r}",
    "error.import_marketing_needs_email": "marketing oui demande l'e-mail du client",
}
