"""What the command line, the till and the customer's pages say about a
customer's consent to marketing e-mails: always their own choice, off until
they say yes, withdrawn as easily."""

EN = {
    # The command line.
    "cli.card.marketing": "Agrees to receive marketing e-mails",
    "cli.marketing.on": "Card {number}: agrees to receive marketing e-mails",
    "cli.marketing.off": "Card {number}: receives no marketing e-mails",
    # The till's enrolment: its own question, unticked.
    "label.marketing": "Offers",
    "enrol.marketing_box": "Agrees to marketing e-mails (Space)",
    "enrol.marketing": "Agrees to marketing e-mails",
    # The customer's pages: the enrolment form's own box, and the card's page.
    "page.marketing_offer": (
        "Yes, send me e-mails from {shop} about my card: a reminder before my stamps or a reward "
        "expire, when a reward is close, a birthday treat, an offer to come back after a while. "
        "I can stop them at any time."
    ),
    "page.marketing_optional": (
        "Optional: your card works the same without them. Every one of these e-mails has a link to "
        "stop them, and so has your card's page."
    ),
    "page.marketing_title": "E-mails from the shop",
    "page.marketing_on": "You receive e-mails from {shop} about your card, at {email}.",
    "page.marketing_off": (
        "You receive no e-mails from {shop} about offers: only what you ask for, such as your card's link."
    ),
    "page.marketing_explained": (
        "Only if you say yes: a reminder before your stamps or a reward expire, when a reward is "
        "close, a birthday treat, an offer to come back after a while. Your card works the same "
        "either way, and you can change your mind at any time."
    ),
    "page.marketing_give": "Receive these e-mails",
    "page.marketing_withdraw": "Stop these e-mails",
    "page.marketing_needs_email": "To receive them, first add your e-mail address to your details.",
    "page.marketing_given": "Done: you will receive these e-mails.",
    "page.marketing_withdrawn": "Done: you will receive no more of these e-mails.",
}

FR = {
    "cli.card.marketing": "Accepte de recevoir les e-mails d'offres",
    "cli.marketing.on": "Carte {number} : accepte de recevoir les e-mails d'offres",
    "cli.marketing.off": "Carte {number} : ne reçoit aucun e-mail d'offres",
    "label.marketing": "Offres",
    "enrol.marketing_box": "Accepte les e-mails d'offres (Espace)",
    "enrol.marketing": "Accepte les e-mails d'offres",
    "page.marketing_offer": (
        "Oui, envoyez-moi des e-mails de {shop} sur ma carte : un rappel avant que mes tampons ou "
        "une récompense n'expirent, quand une récompense approche, une attention pour mon "
        "anniversaire, une offre pour revenir après une absence. Je peux les arrêter à tout moment."
    ),
    "page.marketing_optional": (
        "Facultatif : votre carte fonctionne de la même façon sans. Chacun de ces e-mails contient "
        "un lien pour les arrêter, la page de votre carte aussi."
    ),
    "page.marketing_title": "E-mails de la boutique",
    "page.marketing_on": "Vous recevez les e-mails de {shop} sur votre carte, à {email}.",
    "page.marketing_off": (
        "Vous ne recevez aucun e-mail d'offres de {shop} : seulement ce que vous demandez, comme le "
        "lien de votre carte."
    ),
    "page.marketing_explained": (
        "Seulement si vous le souhaitez : un rappel avant que vos tampons ou une récompense "
        "n'expirent, quand une récompense approche, une attention pour votre anniversaire, une offre "
        "pour revenir après une absence. Votre carte fonctionne de la même façon dans les deux cas, "
        "et vous pouvez changer d'avis à tout moment."
    ),
    "page.marketing_give": "Recevoir ces e-mails",
    "page.marketing_withdraw": "Ne plus recevoir ces e-mails",
    "page.marketing_needs_email": (
        "Pour les recevoir, ajoutez d'abord votre adresse e-mail à vos coordonnées."
    ),
    "page.marketing_given": "C'est noté : vous recevrez ces e-mails.",
    "page.marketing_withdrawn": "C'est noté : vous ne recevrez plus ces e-mails.",
}
