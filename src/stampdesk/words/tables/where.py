"""Which shop a command acts on: ``stampdesk where``, the line a command
prints when it creates a database, and the demo café of ``till --demo``."""

EN = {
    "cli.database_created": "stampdesk: new database created: {path}",
    "cli.where.line": "{label}: {value} — {origin}",
    "cli.where.database": "Database",
    "cli.where.config": "Config file",
    "cli.where.printer": "Printer",
    "cli.where.public_url": "Public URL",
    "cli.where.from.flag": "from the command line ({via})",
    "cli.where.from.env": "from the environment variable {via}",
    "cli.where.from.config": "from the config file {via}",
    "cli.where.from.default": "default",
    "cli.where.database.missing": "{url} (not created yet)",
    "cli.where.config.missing": "{path} (absent: every setting has its default)",
    "cli.where.printer.none": "none (receipts are not printed)",
    "cli.demo.config.title": "The demo café of `stampdesk till --demo`: its database and printer settings.",
    "cli.demo.config.use": "Other commands on it: stampdesk --config {path} … (or STAMPDESK_CONFIG={path})",
    "cli.demo.building": "Building the demo café in {folder}",
    "error.demo_with_option": "--demo opens the demo café of the folder demo/: leave out {option}",
}

FR = {
    "cli.database_created": "stampdesk : nouvelle base de données créée : {path}",
    "cli.where.line": "{label} : {value} — {origin}",
    "cli.where.database": "Base de données",
    "cli.where.config": "Fichier de configuration",
    "cli.where.printer": "Imprimante",
    "cli.where.public_url": "URL publique",
    "cli.where.from.flag": "de la ligne de commande ({via})",
    "cli.where.from.env": "de la variable d'environnement {via}",
    "cli.where.from.config": "du fichier de configuration {via}",
    "cli.where.from.default": "par défaut",
    "cli.where.database.missing": "{url} (pas encore créée)",
    "cli.where.config.missing": "{path} (absent : chaque réglage a sa valeur par défaut)",
    "cli.where.printer.none": "aucune (les tickets ne sont pas imprimés)",
    "cli.demo.config.title": (
        "Le café de démo de `stampdesk till --demo` : sa base de données et ses réglages d'imprimante."
    ),
    "cli.demo.config.use": (
        "Les autres commandes sur lui : stampdesk --config {path} … (ou STAMPDESK_CONFIG={path})"
    ),
    "cli.demo.building": "Construction du café de démo dans {folder}",
    "error.demo_with_option": "--demo ouvre le café de démo du dossier demo/ : retirez {option}",
}
