"""The customer e-mails (``services.mail_text``): subjects and lines of each
kind (the marketing ones, and the card's link a customer asks for), what
every e-mail says of the card and the shop, the one-click unsubscribe page,
``stampdesk messages`` and the report's e-mail figures."""

EN = {
    # Each kind: its name (the report, the command line), subject and lead.
    "mail.kind.lapse_warning": "Stamps about to lapse",
    "mail.kind.coupon_expiry": "Coupon about to end",
    "mail.kind.near_reward": "Close to a reward",
    "mail.kind.win_back": "We miss you",
    "mail.kind.birthday": "Birthday",
    "mail.lapse_warning.subject": "{shop}: your stamps expire on {day:day}",
    "mail.lapse_warning.lead": (
        "Your {stamps:stamps} on your {shop} card expire on {day:day}. One visit before then keeps them."
    ),
    "mail.coupon_expiry.subject": "{shop}: your “{reward}” coupon ends on {day:day}",
    "mail.coupon_expiry.lead": (
        "Your coupon for “{reward}” (code {code}) can be used until {day:day}: show it at the till."
    ),
    "mail.near_reward.subject": "{shop}: only {stamps:stamps} to go for “{reward}”",
    "mail.near_reward.lead": "You are only {stamps:stamps} away from “{reward}”. See you soon!",
    "mail.win_back.subject": "{shop}: we miss you",
    "mail.win_back.lead": (
        "We have not seen you since {day:day}. Your card holds {stamps:stamps}: "
        "we would be glad to see you again."
    ),
    "mail.win_back.coupon": "A gift to welcome you back: “{reward}”, code {code}, valid until {day:day}.",
    "mail.birthday.subject": "{shop}: happy birthday, {name}!",
    "mail.birthday.lead": "Happy birthday! Come in by {day:day} for your gift: “{reward}”.",
    # The card's link, asked for on the shop's page: not marketing, and it says so.
    "mail.kind.card_link": "Card's link (asked for)",
    "mail.card_link.subject": "{shop}: the link to your card",
    "mail.card_link.lead": (
        "Here is the link to your {shop} loyalty card, as asked: it opens your card. Keep it to yourself."
    ),
    "mail.card_link.not_asked": "You did not ask for it? Ignore this e-mail: nothing changes.",
    "mail.card_link.why": (
        "You get this e-mail because the card's link was asked for on {shop}'s page; it is not an "
        "advertising e-mail and needs no consent to e-mails."
    ),
    # What every e-mail says.
    "mail.greeting": "Hello {name},",
    "mail.progress": "Your card: {balance} of {per_card} stamps. Next: “{reward}” at {at}.",
    "mail.progress_full": "Your card is full: “{reward}” is waiting for you.",
    "mail.open_card": "See my card",
    "mail.card_link": "Your card: {url}",
    "mail.signature": "See you soon,\n{shop}",
    "mail.why": "You receive this e-mail because you agreed to hear from {shop}.",
    "mail.unsubscribe": "Unsubscribe",
    "mail.unsubscribe_line": "No more e-mails: {url}",
    # The one-click unsubscribe page.
    "mail.page.title": "Unsubscribe",
    "mail.page.question": "Stop the e-mails from {shop}?",
    "mail.page.explained": "Your card and its stamps stay as they are; only the e-mails stop.",
    "mail.page.button": "Unsubscribe",
    "mail.page.done_title": "You are unsubscribed",
    "mail.page.done": "{shop} will send you no more e-mails. Your card and its stamps stay as they are.",
    "mail.page.bad_link_title": "This link does not work",
    "mail.page.bad_link": (
        "This unsubscribe link is not valid (perhaps cut in two by your e-mail program): nothing "
        "was changed. Open the link of the e-mail again, or ask at the till."
    ),
    # stampdesk messages
    "cli.messages.run": (
        "E-mails at {at:when}: {decided} decided ({held} held out), {sent} sent, {failed} refused, "
        "{waiting} waiting"
    ),
    "cli.messages.server_down": (
        "The mail server did not answer ({detail}): the e-mails wait for the next run."
    ),
    "cli.messages.dry_run": "Dry run at {at:when}: {count} e-mails would be decided (nothing written).",
    "cli.messages.dry_line": "  {kind:<14} {card}  {occasion}  {group}",
    "cli.messages.group.send": "to send",
    "cli.messages.group.held_out": "held out",
    # The report.
    "report.messages.title": "Customer e-mails (who came back within {days} days)",
    "report.messages.none": "No customer e-mail in this period.",
    "report.messages.line": (
        "{kind}: {sent} sent, {held} held out; came back {back_sent:percent} against "
        "{back_held:percent} without an e-mail"
    ),
    "report.messages.uplift": "uplift {difference} points (95 % interval {low} to {high})",
    "report.messages.money": (
        "after an e-mail: {revenue:money} in sales, {coupons} coupons redeemed; held out: "
        "{revenue_held:money}, {coupons_held} coupons"
    ),
    "report.messages.verdict.too_early": (
        "{kind}: too early to judge (no held-out customers or no e-mail yet)."
    ),
    "report.messages.verdict.pays": (
        "{kind}: the e-mails pay for themselves: {extra:money} more in sales for "
        "{cost:money} more in rewards."
    ),
    "report.messages.verdict.does_not_pay": (
        "{kind}: the e-mails do not pay for themselves: {extra:money} more in sales for "
        "{cost:money} more in rewards."
    ),
    "report.messages.verdict.unclear": (
        "{kind}: not clear yet (the uplift's interval still holds zero): keep sending and look again."
    ),
    # Errors.
    "error.mail_not_configured": (
        "no mail server is set: add a [mail] table (host, port, security, user, password_env, from) "
        "to the config file {path}"
    ),
    "error.mail_password_missing": "the mail server's password is not in the environment variable {variable}",
    "error.unknown_message_kind": "{kind!r} is not a kind of e-mail (known: {known})",
    "error.message_not_in_program": "the programme sends no {kind} e-mail: add it to [[program.messages]]",
    "error.message_not_due": "card {number} is due no {kind} e-mail now",
    "error.card_without_email": "card {number} has no e-mail address",
    "error.invalid_unsubscribe_link": "this unsubscribe link is not valid",
}

FR = {
    "mail.kind.lapse_warning": "Tampons bientôt expirés",
    "mail.kind.coupon_expiry": "Bon bientôt expiré",
    "mail.kind.near_reward": "Récompense toute proche",
    "mail.kind.win_back": "Vous nous manquez",
    "mail.kind.birthday": "Anniversaire",
    "mail.lapse_warning.subject": "{shop} : vos tampons expirent le {day:day}",
    "mail.lapse_warning.lead": (
        "Vos {stamps:stamps} sur votre carte {shop} expirent le {day:day}. Une visite d'ici là les garde."
    ),
    "mail.coupon_expiry.subject": "{shop} : votre bon « {reward} » expire le {day:day}",
    "mail.coupon_expiry.lead": (
        "Votre bon « {reward} » (code {code}) est valable jusqu'au {day:day} : montrez-le en caisse."
    ),
    "mail.near_reward.subject": "{shop} : plus que {stamps:stamps} pour « {reward} »",
    "mail.near_reward.lead": "Plus que {stamps:stamps} avant « {reward} ». À très bientôt !",
    "mail.win_back.subject": "{shop} : vous nous manquez",
    "mail.win_back.lead": (
        "Nous ne vous avons pas vu depuis le {day:day}. Votre carte garde {stamps:stamps} : "
        "nous serions ravis de vous revoir."
    ),
    "mail.win_back.coupon": (
        "Un cadeau pour votre retour : « {reward} », code {code}, valable jusqu'au {day:day}."
    ),
    "mail.birthday.subject": "{shop} : joyeux anniversaire, {name} !",
    "mail.birthday.lead": "Joyeux anniversaire ! Passez d'ici le {day:day} pour votre cadeau : « {reward} ».",
    "mail.kind.card_link": "Lien de la carte (demandé)",
    "mail.card_link.subject": "{shop} : le lien de votre carte",
    "mail.card_link.lead": (
        "Voici le lien de votre carte de fidélité {shop}, comme demandé : il ouvre votre carte. "
        "Gardez-le pour vous."
    ),
    "mail.card_link.not_asked": "Vous ne l'avez pas demandé ? Ignorez cet e-mail : rien ne change.",
    "mail.card_link.why": (
        "Vous recevez cet e-mail car le lien de la carte a été demandé sur la page de {shop} ; ce n'est "
        "pas un e-mail publicitaire et il ne demande aucun accord pour recevoir des e-mails."
    ),
    "mail.greeting": "Bonjour {name},",
    "mail.progress": (
        "Votre carte : {balance} tampons sur {per_card}. Prochaine récompense : « {reward} » à {at}."
    ),
    "mail.progress_full": "Votre carte est pleine : « {reward} » vous attend.",
    "mail.open_card": "Voir ma carte",
    "mail.card_link": "Votre carte : {url}",
    "mail.signature": "À bientôt,\n{shop}",
    "mail.why": "Vous recevez cet e-mail car vous avez accepté les nouvelles de {shop}.",
    "mail.unsubscribe": "Se désabonner",
    "mail.unsubscribe_line": "Ne plus recevoir d'e-mails : {url}",
    "mail.page.title": "Désabonnement",
    "mail.page.question": "Ne plus recevoir les e-mails de {shop} ?",
    "mail.page.explained": "Votre carte et ses tampons restent tels quels ; seuls les e-mails s'arrêtent.",
    "mail.page.button": "Me désabonner",
    "mail.page.done_title": "Vous êtes désabonné",
    "mail.page.done": (
        "{shop} ne vous enverra plus d'e-mails. Votre carte et ses tampons restent tels quels."
    ),
    "mail.page.bad_link_title": "Ce lien ne fonctionne pas",
    "mail.page.bad_link": (
        "Ce lien de désabonnement n'est pas valable (peut-être coupé en deux par votre messagerie) : "
        "rien n'a changé. Ouvrez de nouveau le lien de l'e-mail, ou demandez en caisse."
    ),
    "cli.messages.run": (
        "E-mails au {at:when} : {decided} décidés ({held} mis de côté), {sent} envoyés, {failed} refusés, "
        "{waiting} en attente"
    ),
    "cli.messages.server_down": (
        "Le serveur de messagerie n'a pas répondu ({detail}) : les e-mails attendent le prochain passage."
    ),
    "cli.messages.dry_run": "Essai au {at:when} : {count} e-mails seraient décidés (rien n'est écrit).",
    "cli.messages.dry_line": "  {kind:<14} {card}  {occasion}  {group}",
    "cli.messages.group.send": "à envoyer",
    "cli.messages.group.held_out": "mis de côté",
    "report.messages.title": "E-mails aux clients (revenus sous {days} jours)",
    "report.messages.none": "Aucun e-mail aux clients sur cette période.",
    "report.messages.line": (
        "{kind} : {sent} envoyés, {held} mis de côté ; revenus {back_sent:percent} contre "
        "{back_held:percent} sans e-mail"
    ),
    "report.messages.uplift": "écart {difference} points (intervalle à 95 % : {low} à {high})",
    "report.messages.money": (
        "après un e-mail : {revenue:money} de ventes, {coupons} bons utilisés ; mis de côté : "
        "{revenue_held:money}, {coupons_held} bons"
    ),
    "report.messages.verdict.too_early": (
        "{kind} : trop tôt pour juger (aucun client mis de côté ou aucun e-mail encore)."
    ),
    "report.messages.verdict.pays": (
        "{kind} : les e-mails sont rentables : {extra:money} de ventes en plus pour {cost:money} "
        "de récompenses en plus."
    ),
    "report.messages.verdict.does_not_pay": (
        "{kind} : les e-mails ne sont pas rentables : {extra:money} de ventes en plus pour "
        "{cost:money} de récompenses en plus."
    ),
    "report.messages.verdict.unclear": (
        "{kind} : pas encore clair (l'intervalle de l'écart contient zéro) : continuez et regardez plus tard."
    ),
    "error.mail_not_configured": (
        "aucun serveur de messagerie : ajoutez une table [mail] (host, port, security, user, "
        "password_env, from) au fichier de configuration {path}"
    ),
    "error.mail_password_missing": (
        "le mot de passe du serveur de messagerie n'est pas dans la variable d'environnement {variable}"
    ),
    "error.unknown_message_kind": "« {kind} » n'est pas un type d'e-mail (connus : {known})",
    "error.message_not_in_program": (
        "le programme n'envoie pas d'e-mail {kind} : ajoutez-le à [[program.messages]]"
    ),
    "error.message_not_due": "la carte {number} n'attend pas d'e-mail {kind} maintenant",
    "error.card_without_email": "la carte {number} n'a pas d'adresse e-mail",
    "error.invalid_unsubscribe_link": "ce lien de désabonnement n'est pas valable",
}
