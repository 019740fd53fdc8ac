"""The errors of the owner's and the administrator's work: backups, staff,
imports, shops, the HTTP API's keys, the printer and the command line
(``error.<phrase>``). ``detail`` is what a tool or the system said (pg_dump,
SQLite, the OS), passed on as it came."""

# What stopped a print (``PrinterError``), each also said as why a receipt waits.
_PRINTER_EN = {
    "error.printer_hung_up": "the printer closed the connection",
    "error.printer_cover_open": "the printer's cover is open",
    "error.printer_paper_out": "the printer is out of paper",
    "error.printer_offline": "the printer is offline",
    "error.printer_silent": "the printer does not answer",
    "error.printer_refused": "no printer answers at {host}:{port}",
    "error.printer_unreachable": "cannot reach the printer: {detail}",
    "error.printer_unconfirmed": "the printer took the receipt but did not confirm it",
    "error.printer_hung_up_printing": "the printer closed the connection before confirming",
    "error.printer_paper_ran_out": "the printer ran out of paper while printing",
    "error.printer_device_unwritable": "cannot write to {device}: {detail}",
    "error.preview_unwritable": "cannot write previews to {folder}: {detail}",
    "error.printer_failed": "the printer at {url} failed: {detail}",
}

_PRINTER_FR = {
    "error.printer_hung_up": "l'imprimante a coupé la connexion",
    "error.printer_cover_open": "le capot de l'imprimante est ouvert",
    "error.printer_paper_out": "l'imprimante n'a plus de papier",
    "error.printer_offline": "l'imprimante est hors ligne",
    "error.printer_silent": "l'imprimante ne répond pas",
    "error.printer_refused": "aucune imprimante ne répond à {host}:{port}",
    "error.printer_unreachable": "impossible de joindre l'imprimante : {detail}",
    "error.printer_unconfirmed": "l'imprimante a pris le reçu sans le confirmer",
    "error.printer_hung_up_printing": "l'imprimante a coupé la connexion avant de confirmer",
    "error.printer_paper_ran_out": "l'imprimante a manqué de papier pendant l'impression",
    "error.printer_device_unwritable": "impossible d'écrire sur {device} : {detail}",
    "error.preview_unwritable": "impossible d'écrire les aperçus dans {folder} : {detail}",
    "error.printer_failed": "l'imprimante {url} est en erreur : {detail}",
}

EN = {
    # Backup and restore
    "error.backup_no_path": "backup needs a file path",
    "error.path_is_folder": "{path} is a directory: give a file name",
    "error.no_such_folder": "folder {folder} does not exist",
    "error.backup_over_database": "the backup must not overwrite the database itself",
    "error.backup_failed": "pg_dump failed: {detail}",
    "error.restore_cancelled": "restore cancelled: nothing changed",
    "error.restored_not_upgraded": (
        "the backup is restored at schema {revision}, but upgrading it failed: {detail}"
    ),
    "error.restore_no_path": "restore needs the backup's file path",
    "error.no_backup_at": "no backup at {path}",
    "error.backup_not_a_file": "{path} is not a file: give the backup file",
    "error.backup_is_postgresql": (
        "{path} is a PostgreSQL backup (pg_dump) and this shop's database is SQLite: "
        "restore it into a PostgreSQL database (--db postgresql+psycopg://…)"
    ),
    "error.backup_is_sqlite": (
        "{path} is a SQLite backup and this shop's database is PostgreSQL: "
        "restore it into a SQLite file (--db sqlite:///shop.db)"
    ),
    "error.not_a_backup": (
        "{path} is not a stampdesk backup (neither a SQLite database nor a pg_dump archive)"
    ),
    "error.backup_too_new": (
        "{path} comes from a newer stampdesk (schema {revision}, this one knows up to "
        "{known}): upgrade stampdesk, then restore"
    ),
    "error.backup_unknown_schema": "{path} is not a stampdesk backup (unknown schema {revision!r})",
    "error.backup_holds_no_shop": "{path} is not a stampdesk backup (it holds no shop's tables)",
    "error.backup_unreadable": "{path} cannot be read as a stampdesk backup: {detail}",
    "error.restore_the_database_itself": "that is the shop's database itself, not a backup of it",
    "error.damaged_backup": "{path} is damaged: {detail}",
    "error.damaged_pg_backup": "{path} is damaged: pg_restore cannot read it ({detail})",
    "error.page_size_mismatch": (
        "the backup's pages are {backup} bytes and the database's {live}: "
        "move the database away, then restore"
    ),
    "error.backup_not_upgraded": (
        "the backup (schema {revision}) cannot be upgraded, nothing changed: {detail}"
    ),
    "error.no_schema": "the database's search_path names no existing schema",
    "error.wrong_schema": "{path} holds the shop of schema {found}, and this database's is {schema}",
    "error.pg_restore_failed": "pg_restore failed: {detail}; nothing changed",
    "error.restore_failed": "the restore failed, nothing changed: {detail}",
    "error.backup_needs_tool": "backing up PostgreSQL needs {tool} (package postgresql-client)",
    "error.restore_needs_tool": "restoring PostgreSQL needs {tool} (package postgresql-client)",
    # Staff and PINs
    "error.pin_not_text": "PIN must be text made of digits",
    "error.pin_not_digits": "PIN must be made of digits only",
    "error.pin_length": "PIN must have {low} to {high} digits, got {count}",
    "error.pin_empty": "type the PIN, then Enter",
    "error.weak_pin_one_digit": (
        "an owner's PIN must not be easy to guess (one digit repeated): choose another"
    ),
    "error.weak_pin_sequence": "an owner's PIN must not be easy to guess (digits in a row): choose another",
    "error.weak_pin_repeated": (
        "an owner's PIN must not be easy to guess (a pattern repeated): choose another"
    ),
    "error.weak_pin_year": "an owner's PIN must not be easy to guess (a year): choose another",
    "error.weak_pin_common": (
        "an owner's PIN must not be easy to guess (one of the most common PINs): choose another"
    ),
    "error.invalid_role": "role must be cashier or owner, got {value!r}",
    "error.staff_name_too_long": "name is longer than {longest} characters",
    "error.pin_wait": "too many wrong PINs: try again in {seconds} s",
    "error.pin_locked": "wrong PIN, {times} times: PINs refused for {seconds} s",
    "error.pin_taken": "this PIN is already someone else's: choose another",
    "error.duplicate_name": "there is already a member of staff named {name}",
    "error.no_owner": "add an owner first: the owner's PIN protects the programme and the staff list",
    "error.unknown_staff": "no active member of staff named {name}",
    "error.last_owner": "{name} is the last owner: add another owner before deactivating them",
    "error.no_staff": "no member of staff has a PIN yet",
    "error.wrong_pin": "wrong PIN",
    "error.not_owner": "{name} is not an owner: an owner's PIN is needed here",
    # Customer import (a CSV file)
    "error.import_no_file": "file {path} does not exist",
    "error.import_folder": "{path} is a folder, not a CSV file",
    "error.import_unreadable": "cannot read {path}: {detail}",
    "error.import_not_utf8": '{file} is not UTF-8 (line {line}): save it as "CSV UTF-8"',
    "error.import_empty": "{file} is empty: it needs a header line with at least 'name'",
    "error.import_no_header": (
        "{file}: line {line} must name the columns, with at least 'name' (found {found})"
    ),
    "error.import_blank_header": (
        "{file}: line {line} must name the columns, with at least 'name' (found nothing)"
    ),
    "error.import_unknown_column": "{file}: unknown column {column!r} (known: {known})",
    "error.import_column_twice": "{file}: column {column!r} appears twice",
    "error.import_no_lines": "{file} has a header but no customer lines",
    "error.import_bad_csv": "line {line}: {detail}",
    "error.import_too_many_fields": "{count} fields but the header has {expected}",
    "error.import_email_twice": "{email} is already on line {first}",
    "error.import_email_enrolled": "{email} is already enrolled",
    "error.import_stamps": "stamps must be a whole number from 0 to {highest}, got {value!r}",
    "error.import_line": "line {line}: {problem}",
    "error.import_refused_one": "nothing imported, the file has 1 error: {shown:lines}",
    "error.import_refused": "nothing imported, the file has {count} errors: {shown:lines}",
    "error.import_refused_more": (
        "nothing imported, the file has {count} errors: {shown:lines}; and {more} more"
    ),
    # Shops of a chain
    "error.shop_exists": "there is already a shop named {name!r}",
    "error.invalid_shop": "a shop is named by its name or number",
    "error.unknown_shop": "no shop named {shop!r} (shops: {known})",
    # The HTTP API
    "error.missing_api_key": (
        "send the till's API key as 'Authorization: Bearer <key>' (stampdesk apikey create NAME)"
    ),
    "error.invalid_api_key": "this API key is unknown or was revoked",
    "error.forbidden": "the key of {name} is a till key: only an admin key may do this",
    "error.server_without_printer": (
        "this server has no printer: set [printer] url in its config file or start it with "
        "stampdesk --printer URL serve"
    ),
    "error.program_not_utf8": "the programme must be UTF-8 text",
    "error.program_body": 'send the programme as TOML, or as JSON {{"source": "<the TOML text>"}}',
    "error.invalid_json": "the body is not valid JSON: {detail}",
    # Printers
    "error.invalid_printer_url": (
        "printer URL {url!r} is not valid: use tcp://host:9100, usb://VID:PID, "
        "serial:///dev/ttyUSB0?baudrate=19200, file:///dev/usb/lp0, cups://QUEUE or preview://DIR"
    ),
    "error.no_printer_url": "give the printer's URL, e.g. tcp://192.168.1.50:9100",
    "error.invalid_printer_profile": "unknown printer profile {profile!r}",
    "error.no_printer": "no printer is set: give --printer URL or [printer] url in the config file",
    "error.receipt_waits_behind": (
        "the receipt waits for the printer: an earlier receipt is still waiting for the printer"
    ),
    "error.port_unavailable": "cannot listen on {host}:{port}: {detail}",
    # The command line
    "error.card_sheet_path": "{path} must be a .pdf file in an existing folder",
    "error.only_with_demo": "{option} only goes with --demo",
}

FR = {
    # Sauvegarde et restauration
    "error.backup_no_path": "la sauvegarde demande un chemin de fichier",
    "error.path_is_folder": "{path} est un dossier : donnez un nom de fichier",
    "error.no_such_folder": "le dossier {folder} n'existe pas",
    "error.backup_over_database": "la sauvegarde ne doit pas écraser la base elle-même",
    "error.backup_failed": "échec de pg_dump : {detail}",
    "error.restore_cancelled": "restauration annulée : rien n'a changé",
    "error.restored_not_upgraded": (
        "sauvegarde restaurée au schéma {revision}, mais sa mise à niveau a échoué : {detail}"
    ),
    "error.restore_no_path": "la restauration demande le chemin du fichier de sauvegarde",
    "error.no_backup_at": "aucune sauvegarde à {path}",
    "error.backup_not_a_file": "{path} n'est pas un fichier : donnez le fichier de sauvegarde",
    "error.backup_is_postgresql": (
        "{path} est une sauvegarde PostgreSQL (pg_dump) et la base de ce magasin est SQLite : "
        "restaurez-la dans une base PostgreSQL (--db postgresql+psycopg://…)"
    ),
    "error.backup_is_sqlite": (
        "{path} est une sauvegarde SQLite et la base de ce magasin est PostgreSQL : "
        "restaurez-la dans un fichier SQLite (--db sqlite:///shop.db)"
    ),
    "error.not_a_backup": (
        "{path} n'est pas une sauvegarde stampdesk (ni une base SQLite ni une archive pg_dump)"
    ),
    "error.backup_too_new": (
        "{path} vient d'un stampdesk plus récent (schéma {revision}, celui-ci connaît "
        "jusqu'au {known}) : mettez stampdesk à jour, puis restaurez"
    ),
    "error.backup_unknown_schema": (
        "{path} n'est pas une sauvegarde stampdesk (schéma inconnu « {revision} »)"
    ),
    "error.backup_holds_no_shop": "{path} n'est pas une sauvegarde stampdesk (aucune table de magasin)",
    "error.backup_unreadable": "{path} ne se lit pas comme une sauvegarde stampdesk : {detail}",
    "error.restore_the_database_itself": "c'est la base du magasin elle-même, pas une sauvegarde",
    "error.damaged_backup": "{path} est endommagé : {detail}",
    "error.damaged_pg_backup": "{path} est endommagé : pg_restore ne peut pas le lire ({detail})",
    "error.page_size_mismatch": (
        "les pages de la sauvegarde font {backup} octets et celles de la base {live} : "
        "déplacez la base, puis restaurez"
    ),
    "error.backup_not_upgraded": (
        "la sauvegarde (schéma {revision}) ne peut pas être mise à niveau, rien n'a changé : {detail}"
    ),
    "error.no_schema": "le search_path de la base ne nomme aucun schéma existant",
    "error.wrong_schema": "{path} contient le magasin du schéma {found}, et celui de cette base est {schema}",
    "error.pg_restore_failed": "échec de pg_restore : {detail} ; rien n'a changé",
    "error.restore_failed": "la restauration a échoué, rien n'a changé : {detail}",
    "error.backup_needs_tool": "sauvegarder PostgreSQL demande {tool} (paquet postgresql-client)",
    "error.restore_needs_tool": "restaurer PostgreSQL demande {tool} (paquet postgresql-client)",
    # Équipe et codes PIN
    "error.pin_not_text": "le code PIN doit être fait de chiffres",
    "error.pin_not_digits": "le code PIN ne doit contenir que des chiffres",
    "error.pin_length": "le code PIN doit avoir de {low} à {high} chiffres, pas {count}",
    "error.pin_empty": "tapez le code PIN, puis Entrée",
    "error.weak_pin_one_digit": (
        "le code d'un gérant ne doit pas être facile à deviner (un seul chiffre) : choisissez-en un autre"
    ),
    "error.weak_pin_sequence": (
        "le code d'un gérant ne doit pas être facile à deviner (des chiffres qui se suivent) : "
        "choisissez-en un autre"
    ),
    "error.weak_pin_repeated": (
        "le code d'un gérant ne doit pas être facile à deviner (un motif répété) : choisissez-en un autre"
    ),
    "error.weak_pin_year": (
        "le code d'un gérant ne doit pas être facile à deviner (une année) : choisissez-en un autre"
    ),
    "error.weak_pin_common": (
        "le code d'un gérant ne doit pas être facile à deviner (un code courant) : choisissez-en un autre"
    ),
    "error.invalid_role": "le rôle doit être cashier (équipier) ou owner (gérant), pas « {value} »",
    "error.staff_name_too_long": "le nom dépasse {longest} caractères",
    "error.pin_wait": "trop de codes incorrects : réessayez dans {seconds} s",
    "error.pin_locked": "code PIN incorrect {times} fois : codes refusés pendant {seconds} s",
    "error.pin_taken": "ce code PIN est déjà celui de quelqu'un d'autre : choisissez-en un autre",
    "error.duplicate_name": "un membre de l'équipe s'appelle déjà {name}",
    "error.no_owner": (
        "ajoutez d'abord un gérant : son code PIN protège le programme et la liste de l'équipe"
    ),
    "error.unknown_staff": "personne de l'équipe en activité ne s'appelle {name}",
    "error.last_owner": "{name} est le dernier gérant : ajoutez un autre gérant avant de le désactiver",
    "error.no_staff": "personne de l'équipe n'a encore de code PIN",
    "error.wrong_pin": "code PIN incorrect",
    "error.not_owner": "{name} n'est pas gérant : il faut ici le code PIN d'un gérant",
    # Import de clients (un fichier CSV)
    "error.import_no_file": "le fichier {path} n'existe pas",
    "error.import_folder": "{path} est un dossier, pas un fichier CSV",
    "error.import_unreadable": "impossible de lire {path} : {detail}",
    "error.import_not_utf8": "{file} n'est pas en UTF-8 (ligne {line}) : enregistrez-le en « CSV UTF-8 »",
    "error.import_empty": "{file} est vide : il lui faut une ligne d'en-tête avec au moins « name »",
    "error.import_no_header": (
        "{file} : la ligne {line} doit nommer les colonnes, dont au moins « name » (trouvé : {found})"
    ),
    "error.import_blank_header": (
        "{file} : la ligne {line} doit nommer les colonnes, dont au moins « name » (trouvé : rien)"
    ),
    "error.import_unknown_column": "{file} : colonne inconnue « {column} » (connues : {known})",
    "error.import_column_twice": "{file} : la colonne « {column} » apparaît deux fois",
    "error.import_no_lines": "{file} a un en-tête mais aucune ligne de client",
    "error.import_bad_csv": "ligne {line} : {detail}",
    "error.import_too_many_fields": "{count} champs mais l'en-tête en a {expected}",
    "error.import_email_twice": "{email} est déjà à la ligne {first}",
    "error.import_email_enrolled": "{email} est déjà inscrit",
    "error.import_stamps": "les tampons doivent être un nombre entier de 0 à {highest}, pas « {value} »",
    "error.import_line": "ligne {line} : {problem}",
    "error.import_refused_one": "rien d'importé, le fichier a 1 erreur : {shown:lines}",
    "error.import_refused": "rien d'importé, le fichier a {count} erreurs : {shown:lines}",
    "error.import_refused_more": (
        "rien d'importé, le fichier a {count} erreurs : {shown:lines} ; et {more} autres"
    ),
    # Magasins d'une chaîne
    "error.shop_exists": "il y a déjà un magasin nommé « {name} »",
    "error.invalid_shop": "un magasin se désigne par son nom ou son numéro",
    "error.unknown_shop": "aucun magasin nommé « {shop} » (magasins : {known})",
    # L'API HTTP
    "error.missing_api_key": (
        "envoyez la clé d'API de la caisse en « Authorization: Bearer <clé> » (stampdesk apikey create NOM)"
    ),
    "error.invalid_api_key": "cette clé d'API est inconnue ou a été révoquée",
    "error.forbidden": "la clé de {name} est une clé de caisse : seule une clé d'admin peut faire cela",
    "error.server_without_printer": (
        "ce serveur n'a pas d'imprimante : indiquez [printer] url dans son fichier de configuration "
        "ou lancez-le avec stampdesk --printer URL serve"
    ),
    "error.program_not_utf8": "le programme doit être un texte UTF-8",
    "error.program_body": 'envoyez le programme en TOML, ou en JSON {{"source": "<le texte TOML>"}}',
    "error.invalid_json": "le corps n'est pas du JSON valide : {detail}",
    # Imprimantes
    "error.invalid_printer_url": (
        "l'adresse d'imprimante « {url} » n'est pas valide : utilisez tcp://hôte:9100, usb://VID:PID, "
        "serial:///dev/ttyUSB0?baudrate=19200, file:///dev/usb/lp0, cups://FILE ou preview://DOSSIER"
    ),
    "error.no_printer_url": "donnez l'adresse de l'imprimante, par ex. tcp://192.168.1.50:9100",
    "error.invalid_printer_profile": "profil d'imprimante inconnu : « {profile} »",
    "error.no_printer": (
        "aucune imprimante configurée : donnez --printer URL ou [printer] url "
        "dans le fichier de configuration"
    ),
    "error.receipt_waits_behind": "le reçu attend l'imprimante : un reçu précédent attend encore",
    "error.port_unavailable": "impossible d'écouter sur {host}:{port} : {detail}",
    # La ligne de commande
    "error.card_sheet_path": "{path} doit être un fichier .pdf dans un dossier existant",
    "error.only_with_demo": "{option} ne va qu'avec --demo",
}

EN |= _PRINTER_EN
FR |= _PRINTER_FR
EN |= {
    f"error.receipt_waits_{k[6:]}": f"the receipt waits for the printer: {v}" for k, v in _PRINTER_EN.items()
}
FR |= {f"error.receipt_waits_{k[6:]}": f"le reçu attend l'imprimante : {v}" for k, v in _PRINTER_FR.items()}
