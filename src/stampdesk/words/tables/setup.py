"""What stampdesk says of the shop's set-up when it works but something is
left to see to (``stampdesk check``, the till's status line, the owner's
printer tab, ``stampdesk serve``'s start line): ``setup.<code>…``."""

EN = {
    # The receipts' QR codes (and card page links) start with ``public_url``.
    "setup.public_url.unset": (
        "Receipt QR codes will not open on a customer's phone: public_url is not set,"
        " so they point to {url}, this computer itself."
    ),
    "setup.public_url.loopback": (
        "Receipt QR codes will not open on a customer's phone: public_url ({url})"
        " is this computer's own address."
    ),
    "setup.public_url.any_address": (
        "Receipt QR codes will not open on a customer's phone: public_url ({url}) is an address"
        " to listen on, not one a phone can open."
    ),
    "setup.public_url.no_host": (
        "Receipt QR codes will not open on a customer's phone: public_url ({url}) names no host."
    ),
    "setup.public_url.fix": (
        'Set public_url = "https://…" (the address the shop\'s pages are reached at) in {path}.'
    ),
    "setup.public_url.short": "Receipt QR codes won't open on phones: set public_url in {path}",
    # The programme sends customer e-mails, but none can go (``stampdesk check``).
    "setup.mail.no_mail_server": (
        "The programme sends e-mails to customers, but no mail server is set: none will go."
    ),
    "setup.mail.unset": (
        "The programme sends e-mails to customers, but none will go: public_url is not set (it is {url},"
        " this computer), and their links would open nowhere."
    ),
    "setup.mail.loopback": (
        "The programme sends e-mails to customers, but none will go: public_url ({url}) is this"
        " computer's own address."
    ),
    "setup.mail.any_address": (
        "The programme sends e-mails to customers, but none will go: public_url ({url}) is an address"
        " to listen on."
    ),
    "setup.mail.no_host": (
        "The programme sends e-mails to customers, but none will go: public_url ({url}) names no host."
    ),
    "setup.mail.not_https": (
        "The programme sends e-mails to customers, but none will go: their links must be https,"
        " and public_url is {url}."
    ),
    "setup.mail.private": (
        "The programme sends e-mails to customers, but none will go: public_url ({url}) opens only on"
        " the shop's own network."
    ),
    "setup.mail.fix_server": "Add a [mail] table (host, port, security, user, password_env, from) to {path}.",
    "setup.mail.fix_url": ('Set public_url = "https://…" (the shop\'s pages on the internet) in {path}.'),
    "setup.mail.short": "Customer e-mails cannot go: see stampdesk check ({path})",
}

FR = {
    "setup.public_url.unset": (
        "Les codes QR des tickets ne s'ouvriront pas sur le téléphone d'un client : public_url n'est pas"
        " réglé, ils mènent donc à {url}, cet ordinateur lui-même."
    ),
    "setup.public_url.loopback": (
        "Les codes QR des tickets ne s'ouvriront pas sur le téléphone d'un client : public_url ({url})"
        " est l'adresse de cet ordinateur seulement."
    ),
    "setup.public_url.any_address": (
        "Les codes QR des tickets ne s'ouvriront pas sur le téléphone d'un client : public_url ({url})"
        " est une adresse d'écoute, pas une adresse qu'un téléphone peut ouvrir."
    ),
    "setup.public_url.no_host": (
        "Les codes QR des tickets ne s'ouvriront pas sur le téléphone d'un client : public_url ({url})"
        " ne nomme aucun hôte."
    ),
    "setup.public_url.fix": (
        "Réglez public_url = \"https://…\" (l'adresse où l'on joint les pages de la boutique) dans {path}."
    ),
    "setup.public_url.short": (
        "Les codes QR des tickets ne s'ouvrent pas sur téléphone : réglez public_url dans {path}"
    ),
    "setup.mail.no_mail_server": (
        "Le programme envoie des e-mails aux clients, mais aucun serveur de messagerie n'est réglé :"
        " aucun ne partira."
    ),
    "setup.mail.unset": (
        "Le programme envoie des e-mails aux clients, mais aucun ne partira : public_url n'est pas réglé"
        " (il vaut {url}, cet ordinateur), et leurs liens ne mèneraient nulle part."
    ),
    "setup.mail.loopback": (
        "Le programme envoie des e-mails aux clients, mais aucun ne partira : public_url ({url}) est"
        " l'adresse de cet ordinateur seulement."
    ),
    "setup.mail.any_address": (
        "Le programme envoie des e-mails aux clients, mais aucun ne partira : public_url ({url}) est une"
        " adresse d'écoute."
    ),
    "setup.mail.no_host": (
        "Le programme envoie des e-mails aux clients, mais aucun ne partira : public_url ({url}) ne nomme"
        " aucun hôte."
    ),
    "setup.mail.not_https": (
        "Le programme envoie des e-mails aux clients, mais aucun ne partira : leurs liens doivent être"
        " en https, et public_url vaut {url}."
    ),
    "setup.mail.private": (
        "Le programme envoie des e-mails aux clients, mais aucun ne partira : public_url ({url}) ne"
        " s'ouvre que sur le réseau de la boutique."
    ),
    "setup.mail.fix_server": (
        "Ajoutez une table [mail] (host, port, security, user, password_env, from) à {path}."
    ),
    "setup.mail.fix_url": (
        'Réglez public_url = "https://…" (les pages de la boutique sur internet) dans {path}.'
    ),
    "setup.mail.short": "Les e-mails aux clients ne peuvent pas partir : voyez stampdesk check ({path})",
}
