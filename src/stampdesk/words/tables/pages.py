"""The customer's pages: enrolment, the card, its data, erasing it, and the problems they meet."""

EN = {
    "page.language_name": "English",
    "page.join_title": "Your loyalty card",
    "page.waiting_one": "1 stamp is waiting for you",
    "page.waiting_many": "{n} stamps are waiting for you",
    "page.waiting_detail": "{receipt} for your purchase of {amount} and {starter} to welcome you",
    "page.join_intro": "The card is full at {n} stamps: {reward}.",
    "page.milestones_title": "Rewards",
    "page.milestone_line": "{at} stamps: {reward}",
    "page.first_name": "First name",
    "page.email": "E-mail",
    "page.phone": "Phone",
    "page.birthday": "Date of birth",
    "page.optional": "optional",
    "page.consent": (
        "I agree that {shop} keeps my first name and e-mail (and my phone and "
        "date of birth if I give them) to run my loyalty card."
    ),
    "page.consent_detail": (
        "Nothing else is kept and nothing is passed on to anyone. "
        "From your card you can download or erase your data at any time."
    ),
    "page.join_button": "Create my card",
    "page.claim_until": "This receipt can be used until {day}.",
    "page.joined_title": "Your stamps are kept",
    "page.joined_text": "Thank you, {name}! The stamps of this receipt are on the loyalty card of {email}.",
    "page.joined_next": "Next time, give this e-mail address at the till: your stamps are waiting there.",
    "page.add_to_my_card": "Add to my card: {name} …{last4}",
    "page.or_new_card": "Or create a new card:",
    "page.have_card_title": "Already have a card?",
    "page.have_card_explained": (
        "Paste the link of your card (the address of its page): this receipt's stamps go to it."
    ),
    "page.card_link": "Your card's link",
    "page.add_button": "Add to my card",
    "page.add_receipt_title": "Add a receipt",
    "page.add_receipt_explained": (
        "Bought something without your card? Paste the link of the receipt's QR code, or its code: "
        "its stamps join your card, once."
    ),
    "page.receipt_link": "Receipt link or code",
    "page.receipt_added": "The receipt was added to your card.",
    "page.card_title": "My card",
    "page.hello": "Hello {name}!",
    "page.progress": "{balance} of {total} stamps",
    "page.remaining_one": "1 more stamp for: {reward}",
    "page.remaining_many": "{n} more stamps for: {reward}",
    "page.completed_cards": "Cards completed: {n}",
    "page.tier": "{tier} status",
    "page.tier_until": "Your {tier} status holds until {day}.",
    "page.perk": "Your perk: {perk}",
    "page.stamps_lapse": "Your stamps stay valid until {day}: every visit moves this date on.",
    "page.coupons_title": "My coupons",
    "page.coupon_valid_until": "Valid until {day}",
    "page.coupon_expired": "Expired on {day}",
    "page.no_coupons": "No coupon yet: they come with the stamps.",
    "page.show_at_till": "Show this barcode at the till",
    "page.private_link": "This link is personal: it opens your card. Keep it to yourself.",
    "page.home_screen": "Tip: “Add to Home Screen” keeps your card at hand.",
    "page.your_data": "My data",
    "page.data_explained": (
        "{shop} keeps your first name, your contact details, your visits and your coupons."
    ),
    "page.download": "Download my data (JSON)",
    "page.edit_link": "Correct my details",
    "page.edit_title": "My details",
    "page.save_button": "Save",
    "page.email_taken": "This e-mail address already belongs to another card.",
    "page.erase_link": "Erase my card",
    "page.erase_title": "Erase my card?",
    "page.erase_explained": (
        "Your first name, e-mail, phone and date of birth will be erased, and this "
        "link will stop working. The shop keeps only anonymous totals."
    ),
    "page.erase_loses": "You will lose {n} stamp(s) and {coupons} unused coupon(s).",
    "page.erase_button": "Yes, erase my card",
    "page.cancel": "No, back to my card",
    "page.erased_title": "Card erased",
    "page.erased_text": "Your personal data has been erased. Thank you for your custom!",
    "page.problem_title": "Sorry",
    "page.invalid_claim_token": "This receipt link is not valid. Check that you scanned the whole QR code.",
    "page.claim_expired": "This receipt is too old to keep its stamps.",
    "page.already_claimed": "The stamps of this receipt were already kept on a card.",
    "page.refunded": "This purchase was refunded: its stamps can no longer be kept.",
    "page.invalid_card_link": "This card link is not valid.",
    "page.card_erased": "This card was erased at its holder's request.",
    "page.csrf": "This form expired or did not come from this page. Reload the page and try again.",
    "page.rate_limited": "Too many pages in a short time. Try again in {n} seconds.",
    "page.no_program": "The loyalty programme is not open yet.",
    "page.too_large": "This form is too long.",
    "page.not_found": "This page does not exist.",
    "page.unexpected": "Something went wrong.",
    "page.ask_at_till": "At the till, we can always make you a card.",
    "page.form_problems": "Please correct:",
    "page.need_consent": "Tick the box to agree that we keep this data: without it, no card.",
    "page.need_email": "Give your e-mail.",
    "page.invalid_name": "Give your first name (100 characters at most).",
    "page.invalid_email": "This e-mail address is not valid.",
    "page.invalid_phone": "This phone number is not valid (6 to 15 digits).",
    "page.invalid_birthday": "This date of birth is not valid.",
    "page.switch_language": "Language:",
    "page.saved": "Your details are saved.",
    "page.open_my_card": "Open my card",
    "page.no_receipt_link": "To keep a purchase's stamps, scan the QR code printed on its receipt.",
    "page.no_card_link": "Your card opens from its own private link.",
    # A lost card's link: by e-mail when the shop sends e-mails, else at the till.
    "page.lost_ask_at_till": "Lost it? Ask at the till.",
    "page.lost_by_mail": "Lost it? Get it by e-mail",
    "page.card_link_title": "Your card's link by e-mail",
    "page.card_link_explained": ("Give the e-mail address your card was made with: we send its link there."),
    "page.card_link_button": "Send me my card's link",
    "page.card_link_sent_title": "Check your inbox",
    "page.card_link_sent": (
        "If a card has this e-mail address, its link is on its way: check your inbox "
        "(and your spam folder) in a few minutes."
    ),
    "page.card_link_nothing": "Nothing came? Ask at the till: we find your card there.",
}

FR = {
    "page.language_name": "Français",
    "page.join_title": "Votre carte de fidélité",
    "page.waiting_one": "1 tampon vous attend",
    "page.waiting_many": "{n} tampons vous attendent",
    "page.waiting_detail": "{receipt} pour votre achat de {amount} et {starter} de bienvenue",
    "page.join_intro": "Carte complète à {n} tampons : {reward}.",
    "page.milestones_title": "Les récompenses",
    "page.milestone_line": "{at} tampons : {reward}",
    "page.first_name": "Prénom",
    "page.email": "E-mail",
    "page.phone": "Téléphone",
    "page.birthday": "Date de naissance",
    "page.optional": "facultatif",
    "page.consent": (
        "J'accepte que {shop} garde mon prénom, mon e-mail (et mon téléphone "
        "et ma date de naissance si je les donne) pour tenir ma carte de fidélité."
    ),
    "page.consent_detail": (
        "Rien d'autre n'est gardé, rien n'est transmis à personne. "
        "Depuis votre carte, vous pouvez à tout moment télécharger ou effacer vos données."
    ),
    "page.join_button": "Créer ma carte",
    "page.claim_until": "Ce ticket peut servir jusqu'au {day}.",
    "page.joined_title": "Vos tampons sont gardés",
    "page.joined_text": "Merci {name} ! Les tampons de ce ticket sont sur la carte de fidélité de {email}.",
    "page.joined_next": (
        "À votre prochain passage, donnez cette adresse e-mail en caisse : vos tampons vous y attendent."
    ),
    "page.add_to_my_card": "Ajouter à ma carte : {name} …{last4}",
    "page.or_new_card": "Ou créer une nouvelle carte :",
    "page.have_card_title": "Vous avez déjà une carte ?",
    "page.have_card_explained": (
        "Collez le lien de votre carte (l'adresse de sa page) : les tampons de ce ticket y vont."
    ),
    "page.card_link": "Le lien de votre carte",
    "page.add_button": "Ajouter à ma carte",
    "page.add_receipt_title": "Ajouter un ticket",
    "page.add_receipt_explained": (
        "Un achat sans votre carte ? Collez le lien du QR code du ticket, ou son code : "
        "ses tampons rejoignent votre carte, une fois."
    ),
    "page.receipt_link": "Lien ou code du ticket",
    "page.receipt_added": "Le ticket a été ajouté à votre carte.",
    "page.card_title": "Ma carte",
    "page.hello": "Bonjour {name} !",
    "page.progress": "{balance} tampons sur {total}",
    "page.remaining_one": "Encore 1 tampon pour : {reward}",
    "page.remaining_many": "Encore {n} tampons pour : {reward}",
    "page.completed_cards": "Cartes complétées : {n}",
    "page.tier": "Niveau {tier}",
    "page.tier_until": "Votre niveau {tier} est garanti jusqu'au {day}.",
    "page.perk": "Votre avantage : {perk}",
    "page.stamps_lapse": "Vos tampons restent valables jusqu'au {day} : chaque visite repousse cette date.",
    "page.coupons_title": "Mes bons",
    "page.coupon_valid_until": "Valable jusqu'au {day}",
    "page.coupon_expired": "Expiré le {day}",
    "page.no_coupons": "Pas de bon pour l'instant : ils arrivent avec les tampons.",
    "page.show_at_till": "Montrez ce code-barres en caisse",
    "page.private_link": "Ce lien est personnel : il ouvre votre carte. Gardez-le pour vous.",
    "page.home_screen": "Astuce : « Ajouter à l'écran d'accueil » garde votre carte à portée de main.",
    "page.your_data": "Mes données",
    "page.data_explained": "{shop} garde votre prénom, vos coordonnées, vos passages et vos bons.",
    "page.download": "Télécharger mes données (JSON)",
    "page.edit_link": "Corriger mes coordonnées",
    "page.edit_title": "Mes coordonnées",
    "page.save_button": "Enregistrer",
    "page.email_taken": "Cette adresse e-mail est déjà celle d'une autre carte.",
    "page.erase_link": "Effacer ma carte",
    "page.erase_title": "Effacer ma carte ?",
    "page.erase_explained": (
        "Votre prénom, votre e-mail, votre téléphone et votre date de naissance "
        "seront effacés, et ce lien ne fonctionnera plus. Le magasin ne garde que des totaux anonymes."
    ),
    "page.erase_loses": "Vous perdrez {n} tampon(s) et {coupons} bon(s) non utilisé(s).",
    "page.erase_button": "Oui, effacer ma carte",
    "page.cancel": "Non, revenir à ma carte",
    "page.erased_title": "Carte effacée",
    "page.erased_text": "Vos données personnelles ont été effacées. Merci de votre fidélité !",
    "page.problem_title": "Oups",
    "page.invalid_claim_token": (
        "Ce lien de ticket n'est pas valable. Vérifiez que vous avez scanné tout le QR code."
    ),
    "page.claim_expired": "Ce ticket est trop ancien pour garder ses tampons.",
    "page.already_claimed": "Les tampons de ce ticket ont déjà été gardés sur une carte.",
    "page.refunded": "Cet achat a été remboursé : ses tampons ne peuvent plus être gardés.",
    "page.invalid_card_link": "Ce lien de carte n'est pas valable.",
    "page.card_erased": "Cette carte a été effacée à la demande de son titulaire.",
    "page.csrf": "Ce formulaire a expiré ou ne vient pas de cette page. Rechargez la page et réessayez.",
    "page.rate_limited": "Trop de pages en peu de temps. Réessayez dans {n} secondes.",
    "page.no_program": "Le programme de fidélité n'est pas encore ouvert.",
    "page.too_large": "Ce formulaire est trop long.",
    "page.not_found": "Cette page n'existe pas.",
    "page.unexpected": "Une erreur s'est produite.",
    "page.ask_at_till": "En caisse, nous pouvons toujours vous créer une carte.",
    "page.form_problems": "Merci de corriger :",
    "page.need_consent": (
        "Cochez la case pour accepter que nous gardions ces données : sans elles, pas de carte."
    ),
    "page.need_email": "Indiquez votre e-mail.",
    "page.invalid_name": "Indiquez votre prénom (100 caractères au plus).",
    "page.invalid_email": "Cette adresse e-mail n'est pas valable.",
    "page.invalid_phone": "Ce numéro de téléphone n'est pas valable (6 à 15 chiffres).",
    "page.invalid_birthday": "Cette date de naissance n'est pas valable.",
    "page.switch_language": "Langue :",
    "page.saved": "Vos coordonnées sont enregistrées.",
    "page.open_my_card": "Voir ma carte",
    "page.no_receipt_link": "Pour garder les tampons d'un achat, scannez le QR code imprimé sur son ticket.",
    "page.no_card_link": "Votre carte s'ouvre par son lien privé.",
    "page.lost_ask_at_till": "Perdu ? Demandez en caisse.",
    "page.lost_by_mail": "Perdu ? Recevez-le par e-mail",
    "page.card_link_title": "Le lien de votre carte par e-mail",
    "page.card_link_explained": (
        "Indiquez l'adresse e-mail avec laquelle votre carte a été créée : nous y envoyons son lien."
    ),
    "page.card_link_button": "M'envoyer le lien de ma carte",
    "page.card_link_sent_title": "Consultez votre messagerie",
    "page.card_link_sent": (
        "Si une carte a cette adresse e-mail, son lien est en route : consultez votre messagerie "
        "(et vos courriers indésirables) d'ici quelques minutes."
    ),
    "page.card_link_nothing": "Rien reçu ? Demandez en caisse : nous y retrouvons votre carte.",
}
