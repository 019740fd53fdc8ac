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
}
