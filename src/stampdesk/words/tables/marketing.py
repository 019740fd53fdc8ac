"""What the command line, the till and the customer's pages say about a
customer's consent to marketing e-mails: always their own choice, off until
they say yes, withdrawn as easily."""

EN = {
    # The command line.
    "cli.card.marketing": "Agrees to receive marketing e-mails",
    "cli.marketing.on": "Card {number}: agrees to receive marketing e-mails",
    "cli.marketing.off": "Card {number}: receives no marketing e-mails",
}

FR = {
    "cli.card.marketing": "Accepte de recevoir les e-mails d'offres",
    "cli.marketing.on": "Carte {number} : accepte de recevoir les e-mails d'offres",
    "cli.marketing.off": "Carte {number} : ne reçoit aucun e-mail d'offres",
}
