"""The configuration's errors: the config file (``config.py``, written back by
``config_file.py``) and the database URL (``db.py``). ``{path}`` is the
config file; keys are named as they are written in it."""

EN = {
    # E-mails carry the card's and the unsubscribe links: public_url must suit them.
    "error.mail_links_unset": (
        "e-mails would carry links nobody can open: public_url is not set (it is {url}, this "
        'computer). Set public_url = "https://…" (the shop\'s pages on the internet) in {path}.'
    ),
    "error.mail_links_loopback": (
        "e-mails would carry links nobody can open: public_url ({url}) is this computer's own "
        'address. Set public_url = "https://…" (the shop\'s pages on the internet) in {path}.'
    ),
    "error.mail_links_any_address": (
        "e-mails would carry links nobody can open: public_url ({url}) is an address to listen "
        'on. Set public_url = "https://…" (the shop\'s pages on the internet) in {path}.'
    ),
    "error.mail_links_no_host": (
        "e-mails would carry links nobody can open: public_url ({url}) names no host. "
        'Set public_url = "https://…" (the shop\'s pages on the internet) in {path}.'
    ),
    "error.mail_links_not_https": (
        "e-mails need https links (a one-click unsubscribe must be https): public_url is {url}. "
        'Set public_url = "https://…" (the shop\'s pages on the internet) in {path}.'
    ),
    "error.mail_links_private": (
        "e-mails would carry links that open only on the shop's own network: public_url is "
        '{url}. Set public_url = "https://…" (the shop\'s pages on the internet) in {path}.'
    ),
    "error.config_toml": "config file {path}: {detail}",
    "error.config_missing": "config file {path} does not exist",
    "error.config_unknown_key": "config file {path}: unknown key {key!r}",
    "error.config_not_text": "config file {path}: {key} must be a string",
    "error.config_locale": "locale must be one of {known}, got {locale!r}",
    "error.config_timezone": "timezone {zone!r} is not a known time zone",
    "error.config_printer_table": "config file {path}: [printer] must be a table",
    "error.config_printer_lines": "config file {path}: printer.{key} must be a list of short texts",
    "error.config_card_details": (
        'config file {path}: printer.card_details must be "masked" (the first name and the '
        'card\'s last 4 digits) or "full"'
    ),
    "error.config_public_url": "public_url must start with http:// or https://",
    "error.config_claim_days": "config file {path}: claim_days must be a whole number of days",
    "error.config_idempotency_days": (
        "config file {path}: idempotency_days must be a whole number of days (1 to {most})"
    ),
    "error.config_offline": "config file {path}: offline must be true or false",
    "error.config_pages_table": "config file {path}: [pages] must be a table",
    "error.config_pages_unknown_key": "config file {path}: unknown key pages.{key}",
    "error.config_mail_table": "config file {path}: [mail] must be a table",
    "error.config_mail_unknown_key": "config file {path}: unknown key mail.{key}",
    "error.config_mail_required": "config file {path}: [mail] needs {key} (text)",
    "error.config_mail_security": "config file {path}: mail.security must be one of {known}",
    "error.config_mail_port": "config file {path}: mail.port must be a port number (1 to 65535)",
    "error.config_shop_unknown_key": (
        "config file {path}: unknown key shop.{key} (the [shop] table takes name, address, phone and branch)"
    ),
    "error.config_shop_text": "config file {path}: shop.{key} must be text of at most {most} characters",
    "error.config_colour": 'config file {path}: pages.{key} must be a colour such as "#1f4e79"',
    "error.config_rate_limit": (
        "config file {path}: pages.rate_limit must be a whole number of pages per minute "
        "(0 to {most}; 0 turns the limit off)"
    ),
    "error.config_not_updated": "config file {path} cannot be updated: {detail}",
    "error.config_not_written": "config file {path} cannot be written: {detail}",
    "error.database_url": (
        "database URL {url!r} is not valid (e.g. sqlite:///shop.db or postgresql+psycopg://host/db)"
    ),
    "error.database_in_memory": "stampdesk needs a SQLite file, not an in-memory database",
    "error.database_unsupported": "unsupported database {backend!r}: use sqlite or postgresql",
}

FR = {
    # Les e-mails portent les liens de la carte et de désinscription.
    "error.mail_links_unset": (
        "les e-mails porteraient des liens que personne ne peut ouvrir : public_url n'est pas "
        "réglé (il vaut {url}, cet ordinateur). Réglez public_url = « https://… » (les pages de "
        "la boutique sur internet) dans {path}."
    ),
    "error.mail_links_loopback": (
        "les e-mails porteraient des liens que personne ne peut ouvrir : public_url ({url}) est "
        "l'adresse de cet ordinateur seulement. Réglez public_url = « https://… » (les pages de "
        "la boutique sur internet) dans {path}."
    ),
    "error.mail_links_any_address": (
        "les e-mails porteraient des liens que personne ne peut ouvrir : public_url ({url}) est "
        "une adresse d'écoute. Réglez public_url = « https://… » (les pages de la boutique sur "
        "internet) dans {path}."
    ),
    "error.mail_links_no_host": (
        "les e-mails porteraient des liens que personne ne peut ouvrir : public_url ({url}) ne "
        "nomme aucun hôte. Réglez public_url = « https://… » (les pages de la boutique sur "
        "internet) dans {path}."
    ),
    "error.mail_links_not_https": (
        "les e-mails demandent des liens https (la désinscription en un clic doit l'être) : "
        "public_url vaut {url}. Réglez public_url = « https://… » (les pages de la boutique sur "
        "internet) dans {path}."
    ),
    "error.mail_links_private": (
        "les e-mails porteraient des liens qui ne s'ouvrent que sur le réseau de la boutique : "
        "public_url vaut {url}. Réglez public_url = « https://… » (les pages de la boutique sur "
        "internet) dans {path}."
    ),
    "error.config_toml": "fichier de configuration {path} : {detail}",
    "error.config_missing": "le fichier de configuration {path} n'existe pas",
    "error.config_unknown_key": "fichier de configuration {path} : clé inconnue « {key} »",
    "error.config_not_text": "fichier de configuration {path} : {key} doit être un texte",
    "error.config_locale": "la langue (locale) doit être {known}, et non « {locale} »",
    "error.config_timezone": "fuseau horaire inconnu : « {zone} »",
    "error.config_printer_table": "fichier de configuration {path} : [printer] doit être une table",
    "error.config_printer_lines": (
        "fichier de configuration {path} : printer.{key} doit être une liste de textes courts"
    ),
    "error.config_card_details": (
        "fichier de configuration {path} : printer.card_details vaut « masked » (le prénom et "
        "les 4 derniers chiffres de la carte) ou « full »"
    ),
    "error.config_public_url": "public_url doit commencer par http:// ou https://",
    "error.config_claim_days": (
        "fichier de configuration {path} : claim_days doit être un nombre entier de jours"
    ),
    "error.config_idempotency_days": (
        "fichier de configuration {path} : idempotency_days doit être un nombre entier de jours (1 à {most})"
    ),
    "error.config_offline": "fichier de configuration {path} : offline vaut true ou false",
    "error.config_pages_table": "fichier de configuration {path} : [pages] doit être une table",
    "error.config_pages_unknown_key": "fichier de configuration {path} : clé inconnue pages.{key}",
    "error.config_mail_table": "fichier de configuration {path} : [mail] doit être une table",
    "error.config_mail_unknown_key": "fichier de configuration {path} : clé inconnue mail.{key}",
    "error.config_mail_required": "fichier de configuration {path} : [mail] demande {key} (un texte)",
    "error.config_mail_security": "fichier de configuration {path} : mail.security doit être {known}",
    "error.config_mail_port": (
        "fichier de configuration {path} : mail.port doit être un numéro de port (1 à 65535)"
    ),
    "error.config_shop_unknown_key": (
        "fichier de configuration {path} : clé inconnue shop.{key} "
        "(la table [shop] prend name, address, phone et branch)"
    ),
    "error.config_shop_text": (
        "fichier de configuration {path} : shop.{key} doit être un texte de {most} caractères au plus"
    ),
    "error.config_colour": (
        "fichier de configuration {path} : pages.{key} doit être une couleur comme « #1f4e79 »"
    ),
    "error.config_rate_limit": (
        "fichier de configuration {path} : pages.rate_limit doit être un nombre entier de pages "
        "par minute (0 à {most} ; 0 lève la limite)"
    ),
    "error.config_not_updated": "le fichier de configuration {path} ne peut pas être modifié : {detail}",
    "error.config_not_written": "le fichier de configuration {path} ne peut pas être écrit : {detail}",
    "error.database_url": (
        "l'URL de base de données « {url} » n'est pas valable "
        "(ex. sqlite:///shop.db ou postgresql+psycopg://hote/base)"
    ),
    "error.database_in_memory": "stampdesk demande un fichier SQLite, pas une base en mémoire",
    "error.database_unsupported": "base de données « {backend} » non prise en charge : sqlite ou postgresql",
}
