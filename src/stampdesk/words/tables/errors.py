"""The engine's errors, by phrase (``StampdeskError.phrase``): ``error.<phrase>``."""

EN = {
    "error.unknown_card": "no card {number}",
    "error.card_erased": "card {number} was erased at its holder's request",
}

FR = {
    "error.unknown_card": "carte {number} inconnue",
    "error.card_erased": "la carte {number} a été effacée à la demande de son titulaire",
}
