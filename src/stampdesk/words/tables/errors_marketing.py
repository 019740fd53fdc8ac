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
}
