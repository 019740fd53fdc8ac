"""The errors of the rules themselves (``domain/``), of the store and of the
demo: what a person typed that is not an amount, a card number, a coupon
code, a name…, and the programme file's mistakes (``error.program_<rule>``,
with ``error.program_<rule>.form``: the same mistake as the owner's
programme editor says it, naming the field as the form labels it).

The till shows these on 80 columns and the receipt on 32: French is kept
short. An amount a person should type is written as typed ("12,50")."""

EN = {
    # Amounts (domain/money.py): the till's amount field...
    "error.amount_float": 'amount must be a decimal string such as "{example:amount}", not a float',
    "error.amount_not_number": "amount must be a number, got {value}",
    "error.amount_not_text": 'amount must be a decimal string such as "{example:amount}"',
    "error.amount_negative": "amount must be positive, got {shown}",
    "error.amount_malformed": (
        'amount must be a number with at most two decimals such as "{example:amount}", got {shown!r}'
    ),
    "error.amount_zero": "amount must be more than zero",
    "error.amount_too_big": "amount {amount} is more than the {maximum} a single sale may be",
    # ... and any other amount, named by its field (an item's price, a programme key).
    "error.field_amount_float": '{field} must be a decimal string such as "{example:amount}", not a float',
    "error.field_amount_not_number": "{field} must be a number, got {value}",
    "error.field_amount_not_text": '{field} must be a decimal string such as "{example:amount}"',
    "error.field_amount_negative": "{field} must be positive, got {shown}",
    "error.field_amount_malformed": (
        '{field} must be a number with at most two decimals such as "{example:amount}", got {shown!r}'
    ),
    "error.field_amount_zero": "{field} must be more than zero",
    "error.field_amount_too_big": "{field} {amount} is more than the {maximum} a single sale may be",
    # Card numbers (domain/card_numbers.py).
    "error.card_prefix": "card prefix must be two digits from 20 to 29, got {prefix!r}",
    "error.card_number_not_text": "card number must be text of 13 digits",
    "error.card_number_length": "card number must be 13 digits, got {shown!r}",
    "error.card_number_not_loyalty": "{number} is not a loyalty card number (they start with 2)",
    "error.card_number_check_digit": "{number} has a wrong check digit: mistyped card number?",
    # Coupon codes (domain/coupon_codes.py).
    "error.coupon_code_not_text": "coupon code must be text",
    "error.coupon_code_shape": "{shown!r} is not a coupon code (8 letters and digits)",
    "error.coupon_code_check": "{coupon} is not a valid coupon code: mistyped?",
    # Names and free texts (domain/validate.py): a customer's or a shop's
    # name, a reason, notes, the staff member who gives a reason.
    "error.name_not_text": "name must be text",
    "error.name_empty": "name must not be empty",
    "error.name_too_long": "name is longer than {limit} characters",
    "error.name_unprintable": "name holds characters that cannot be printed",
    "error.reason_not_text": "reason must be text",
    "error.reason_empty": "reason must not be empty",
    "error.reason_too_long": "reason is longer than {limit} characters",
    "error.reason_unprintable": "reason holds characters that cannot be printed",
    "error.notes_not_text": "notes must be text",
    "error.notes_empty": "notes must not be empty",
    "error.notes_too_long": "notes is longer than {limit} characters",
    "error.notes_unprintable": "notes holds characters that cannot be printed",
    "error.staff_not_text": "staff must be text",
    "error.staff_empty": "staff must not be empty",
    "error.staff_too_long": "staff is longer than {limit} characters",
    "error.staff_unprintable": "staff holds characters that cannot be printed",
    # Contact details and birthdays.
    "error.email_not_text": "email must be text",
    "error.email_invalid": "{email!r} is not an e-mail address",
    "error.phone_not_text": "phone must be text",
    "error.phone_invalid": "{phone!r} is not a phone number",
    "error.phone_digits": "{phone!r} is not a phone number (6 to 15 digits)",
    "error.birthday_time": "birthday must be a date, not a time",
    "error.birthday_format_got": "birthday must be YYYY-MM-DD, got {text!r}",
    "error.birthday_format": "birthday must be YYYY-MM-DD",
    "error.birthday_implausible": "birthday {day} is not a plausible date of birth",
    # Times (``--at``) and months.
    "error.time_format_got": "{what} must be an ISO time such as 2026-03-01T09:30:00+01:00, got {text!r}",
    "error.time_format": "{what} must be an ISO time",
    "error.time_zone": "{what} must carry a time zone, such as +01:00 or Z",
    "error.time_future": "{what} {moment:iso} is in the future",
    "error.time_past": "{what} {moment:iso} is too far in the past",
    "error.month_time": "month must be a date or YYYY-MM, not a time",
    "error.month_format_got": "month must be YYYY-MM, such as 2026-03, got {text!r}",
    "error.month_format": "month must be YYYY-MM, such as 2026-03",
    # Keys, checkouts and sale items.
    "error.invalid_idempotency_key": "idempotency key must be 1 to 200 printable characters without spaces",
    "error.invalid_checkout_id": "checkout id must be a positive whole number",
    "error.item_format_got": "item must be SKU:CATEGORY:QTY:PRICE, got {text!r}",
    "error.item_object": "item must be an object with sku, category, quantity, unit_price",
    "error.item_sku": "item sku must be 1 to 64 printable characters",
    "error.item_category": "item category must be text of at most 64 characters",
    "error.item_quantity": "item quantity must be a whole number from 1 to 10000",
    # Sales and refunds (domain/sale.py, domain/refund.py).
    "error.sale_before_card": (
        "card {number} was created on {created:iso}: a sale at {at:iso} cannot be recorded on it"
    ),
    "error.sale_over_max": (
        "amount {amount} is more than the {maximum} a single sale may be (program.earning.max_amount)"
    ),
    "error.refunded_before": "checkout {checkout} was already refunded on {at:when}",
    "error.refund_items_list": "the items to refund must be a list of SKU and quantity",
    "error.refund_item_form": "an item to refund is a SKU and a quantity (SKU:QTY)",
    "error.refund_unknown_item": "the sale holds no item {sku}",
    "error.refund_too_many": "only {left} of {sku} are left to refund in this sale",
    "error.refund_over_sale": "{amount:money} is more than is left to refund of this sale ({left:money})",
    # The store (store.py).
    "error.database_unreachable": (
        "the database cannot be reached (network or server down); try again when it is back"
    ),
    "error.shop_of_config_unknown": (
        "no shop named {shop!r}: add it with `stampdesk shop add`, or correct `shop` in the config file"
    ),
    "error.no_program_yet": (
        "no programme is loaded yet: run `stampdesk program load FILE` (see examples/program.toml)"
    ),
    # The demo (demo/simulation.py).
    "error.demo_customers": "demo customers must be from 1 to {most}",
    "error.demo_days": "demo days must be from 7 to {most}",
    "error.demo_not_empty": (
        "this database already has {count} cards: build the demo into a new, empty database"
    ),
    # The programme file (domain/program.py): ``{key}`` names the offending key.
    "error.program_not_toml": "programme file is not valid TOML: {detail}",
    "error.program_no_section": "programme file needs a [program] section",
    "error.program_unknown_key": "programme: unknown key {key} (known: {known})",
    "error.program_required": "programme: {key} is required",
    "error.program_whole_number": "programme: {key} must be a whole number, got {value!r}",
    "error.program_range": "programme: {key} must be from {lo} to {hi}, got {value}",
    "error.program_amount_as_text": 'programme: {key} must be written as a string such as "{example}"',
    "error.program_amount": 'programme: {key} must be an amount such as "2.00"',
    "error.program_bad_amount": "programme: {detail:error}",
    "error.program_more_than_zero": "programme: {key} must be more than zero",
    "error.program_text": "programme: {key} must be a non-empty text",
    "error.program_too_long": "programme: {key} is longer than {limit} characters",
    "error.program_control": "programme: {key} must not hold control characters",
    "error.program_table": "programme: {key} must be a table",
    "error.program_milestones": (
        "programme: at least one [[program.milestones]] is required (the final reward)"
    ),
    "error.program_milestone_table": "programme: {key} must be a table with 'at' and 'reward'",
    "error.program_same_at": "programme: two milestones share the same 'at'",
    "error.program_final_reward": (
        "programme: the final reward is missing: add a milestone at = {at} (stamps_per_card)"
    ),
    "error.program_quick_picks": (
        "programme: program.quick_picks must be a list of [[program.quick_picks]] tables"
    ),
    "error.program_too_many_picks": "programme: at most {count} [[program.quick_picks]] fit on the till",
    "error.program_pick_table": "programme: {key} must be a table with 'label', 'category' and 'price'",
    "error.program_same_label": "programme: two quick picks share the same label",
    "error.program_list_of_tables": "programme: {key} must be a list of [[{key}]] tables",
    "error.program_too_many": "programme: at most {count} [[{key}]]",
    "error.program_same_value": "programme: two [[{key}]] share the same {field}",
    "error.program_coupon_days_twice": (
        "programme: program.expiry.coupon_valid_days and program.coupons.valid_days disagree: keep one"
    ),
    "error.program_tier_criteria": "programme: {key} needs min_visits or min_spend (or both)",
    "error.program_tier_order": (
        "programme: [[program.tiers]] go highest first: {lower} cannot ask more visits or spend than {higher}"
    ),
    "error.program_tier_policy": "programme: [program.tier_policy] needs [[program.tiers]]",
    "error.program_referral_empty": (
        "programme: [program.referral] gives no stamps: set referrer_stamps or referred_stamps"
    ),
    "error.program_weekdays": "programme: {key} must list days among {days}",
    "error.program_clock": 'programme: {key} must be a time such as "14:00"',
    "error.program_clock_order": "programme: {key}: start must come before end (same day)",
    "error.program_share": "programme: {key} must be a share from 0 to {most} (such as 0.10), got {value!r}",
    "error.program_message_kind": "programme: {key} must be one of {known}",
    "error.program_message_needs_expiry": (
        "programme: {key}: a lapse warning needs stamps that lapse ([program.expiry] stamps_after_days)"
    ),
    "error.program_message_needs_birthday": (
        "programme: {key}: a birthday e-mail needs the birthday reward ([program.birthday])"
    ),
    # The programme's mistakes as the owner's editor says them: ``{key}`` is
    # the field as the form labels it (``error.program_form.*`` for a list's
    # rows). A mistake the form cannot make (tiers, off-peak hours: set in the
    # file) has no line here and is said as the file's.
    "error.program_not_toml.form": "the programme is not valid TOML: {detail}",
    "error.program_no_section.form": "the [program] section is missing",
    "error.program_unknown_key.form": "unknown key {key}",
    "error.program_required.form": "{key} is required",
    "error.program_whole_number.form": "{key} must be a whole number, not {value!r}",
    "error.program_range.form": "{key} must be from {lo} to {hi}, not {value}",
    "error.program_amount_as_text.form": '{key}: write the amount in quotes, such as "{example}"',
    "error.program_amount.form": "{key} must be an amount such as 2.00",
    "error.program_bad_amount.form": "{key} is not an amount such as 2.00",
    "error.program_more_than_zero.form": "{key} must be more than zero",
    "error.program_text.form": "{key} cannot be empty",
    "error.program_too_long.form": "{key} is longer than {limit} characters",
    "error.program_control.form": "{key} holds control characters",
    "error.program_table.form": "{key} must be a section",
    "error.program_milestones.form": "add at least one milestone (the final reward)",
    "error.program_milestone_table.form": "{key} needs a number of stamps and a reward",
    "error.program_same_at.form": "two milestones have the same number of stamps",
    "error.program_final_reward.form": (
        "the final reward is missing: add a milestone at {at} stamps (stamps per card)"
    ),
    "error.program_quick_picks.form": "the quick picks must be a list of [[program.quick_picks]]",
    "error.program_too_many_picks.form": "at most {count} quick picks fit on the till",
    "error.program_pick_table.form": "{key} needs a label, a category and a price",
    "error.program_same_label.form": "two quick picks have the same label",
    # How the editor names a programme key that the form shows in a list.
    "error.program_form.milestone": "milestone {index}",
    "error.program_form.milestone_at": "the milestone at {at}",
    "error.program_form.milestone_at.reward": "the reward of the milestone at {at}",
    "error.program_form.milestone_at.cost": "the cost of the milestone at {at}",
    "error.program_form.pick": "quick pick {index}",
}

FR = {
    "error.amount_float": "le montant doit s'écrire comme « {example:amount} », pas en nombre flottant",
    "error.amount_not_number": "le montant doit être un nombre, et non {value}",
    "error.amount_not_text": "le montant doit s'écrire comme « {example:amount} »",
    "error.amount_negative": "le montant doit être positif, et non {shown}",
    "error.amount_malformed": (
        "le montant doit avoir au plus deux décimales, comme « {example:amount} », et non « {shown} »"
    ),
    "error.amount_zero": "le montant doit être supérieur à zéro",
    "error.amount_too_big": "le montant de {amount:money} dépasse le maximum d'une vente ({maximum:money})",
    "error.field_amount_float": "{field} doit s'écrire comme « {example:amount} », pas en nombre flottant",
    "error.field_amount_not_number": "{field} doit être un nombre, et non {value}",
    "error.field_amount_not_text": "{field} doit s'écrire comme « {example:amount} »",
    "error.field_amount_negative": "{field} doit être positif, et non {shown}",
    "error.field_amount_malformed": (
        "{field} doit avoir au plus deux décimales, comme « {example:amount} », et non « {shown} »"
    ),
    "error.field_amount_zero": "{field} doit être supérieur à zéro",
    "error.field_amount_too_big": "{field} : {amount:money} dépasse le maximum d'une vente ({maximum:money})",
    "error.card_prefix": "le préfixe des cartes doit être de 20 à 29, et non « {prefix} »",
    "error.card_number_not_text": "le n° de carte doit compter 13 chiffres",
    "error.card_number_length": "le n° de carte doit compter 13 chiffres, et non « {shown} »",
    "error.card_number_not_loyalty": "{number} n'est pas une carte de fidélité (elles commencent par 2)",
    "error.card_number_check_digit": "{number} : chiffre de contrôle faux, n° mal tapé ?",
    "error.coupon_code_not_text": "le code du bon doit être un texte",
    "error.coupon_code_shape": "« {shown} » n'est pas un code de bon (8 lettres et chiffres)",
    "error.coupon_code_check": "{coupon} n'est pas un code de bon valable : mal tapé ?",
    "error.name_not_text": "le nom doit être un texte",
    "error.name_empty": "le nom ne peut pas être vide",
    "error.name_too_long": "le nom dépasse {limit} caractères",
    "error.name_unprintable": "le nom contient des caractères non imprimables",
    "error.reason_not_text": "le motif doit être un texte",
    "error.reason_empty": "le motif ne peut pas être vide",
    "error.reason_too_long": "le motif dépasse {limit} caractères",
    "error.reason_unprintable": "le motif contient des caractères non imprimables",
    "error.notes_not_text": "les notes doivent être un texte",
    "error.notes_empty": "les notes ne peuvent pas être vides",
    "error.notes_too_long": "les notes dépassent {limit} caractères",
    "error.notes_unprintable": "les notes contiennent des caractères non imprimables",
    "error.staff_not_text": "le nom de l'équipier doit être un texte",
    "error.staff_empty": "le nom de l'équipier ne peut pas être vide",
    "error.staff_too_long": "le nom de l'équipier dépasse {limit} caractères",
    "error.staff_unprintable": "le nom de l'équipier contient des caractères non imprimables",
    "error.email_not_text": "l'adresse e-mail doit être un texte",
    "error.email_invalid": "« {email} » n'est pas une adresse e-mail",
    "error.phone_not_text": "le téléphone doit être un texte",
    "error.phone_invalid": "« {phone} » n'est pas un n° de téléphone",
    "error.phone_digits": "« {phone} » n'est pas un n° de téléphone (6 à 15 chiffres)",
    "error.birthday_time": "la date de naissance doit être une date, sans heure",
    "error.birthday_format_got": "la date de naissance doit s'écrire AAAA-MM-JJ, et non « {text} »",
    "error.birthday_format": "la date de naissance doit s'écrire AAAA-MM-JJ",
    "error.birthday_implausible": "le {day:day} n'est pas une date de naissance plausible",
    "error.time_format_got": (
        "{what} : heure ISO attendue, comme 2026-03-01T09:30:00+01:00, et non « {text} »"
    ),
    "error.time_format": "{what} : heure ISO attendue",
    "error.time_zone": "{what} : indiquez le fuseau horaire, comme +01:00 ou Z",
    "error.time_future": "{what} : le {moment:when} est dans le futur",
    "error.time_past": "{what} : le {moment:when} est trop ancien",
    "error.month_time": "le mois doit être une date ou AAAA-MM, sans heure",
    "error.month_format_got": "le mois doit s'écrire AAAA-MM, comme 2026-03, et non « {text} »",
    "error.month_format": "le mois doit s'écrire AAAA-MM, comme 2026-03",
    "error.invalid_idempotency_key": (
        "la clé d'idempotence doit compter 1 à 200 caractères imprimables, sans espace"
    ),
    "error.invalid_checkout_id": "le n° de vente doit être un nombre entier positif",
    "error.item_format_got": "l'article doit s'écrire SKU:CATÉGORIE:QTÉ:PRIX, et non « {text} »",
    "error.item_object": "l'article doit être un objet avec sku, category, quantity, unit_price",
    "error.item_sku": "le SKU de l'article doit compter 1 à 64 caractères imprimables",
    "error.item_category": "la catégorie de l'article doit être un texte de 64 caractères au plus",
    "error.item_quantity": "la quantité de l'article doit être un nombre entier de 1 à 10000",
    "error.sale_before_card": (
        "la carte {number} a été créée le {created:when} : une vente du {at:when} ne peut pas y être "
        "enregistrée"
    ),
    "error.sale_over_max": (
        "le montant de {amount:money} dépasse le maximum d'une vente ({maximum:money}, "
        "program.earning.max_amount)"
    ),
    "error.refunded_before": "la vente n° {checkout} a déjà été remboursée le {at:when}",
    "error.refund_items_list": "les articles à rembourser sont une liste de SKU et de quantités",
    "error.refund_item_form": "un article à rembourser s'écrit SKU:QTÉ",
    "error.refund_unknown_item": "la vente ne contient pas l'article {sku}",
    "error.refund_too_many": "il ne reste que {left} {sku} à rembourser dans cette vente",
    "error.refund_over_sale": (
        "{amount:money} dépasse ce qui reste à rembourser de cette vente ({left:money})"
    ),
    "error.database_unreachable": (
        "la base de données est injoignable (réseau ou serveur en panne) : réessayez à son retour"
    ),
    "error.shop_of_config_unknown": (
        "aucun magasin nommé « {shop} » : ajoutez-le avec `stampdesk shop add` "
        "ou corrigez `shop` dans le fichier de configuration"
    ),
    "error.no_program_yet": (
        "aucun programme chargé : lancez `stampdesk program load FICHIER` (voir examples/program.toml)"
    ),
    "error.demo_customers": "la démo compte de 1 à {most:number} clients",
    "error.demo_days": "la démo dure de 7 à {most:number} jours",
    "error.demo_not_empty": (
        "cette base contient déjà des cartes ({count}) : créez la démo dans une base neuve, vide"
    ),
    "error.program_not_toml": "le fichier du programme n'est pas du TOML valable : {detail}",
    "error.program_no_section": "il manque la section [program] au fichier du programme",
    "error.program_unknown_key": "programme : clé inconnue {key} (connues : {known})",
    "error.program_required": "programme : {key} est obligatoire",
    "error.program_whole_number": "programme : {key} doit être un nombre entier, et non {value!r}",
    "error.program_range": "programme : {key} doit aller de {lo} à {hi}, et non {value}",
    "error.program_amount_as_text": (
        "programme : {key} doit s'écrire entre guillemets, comme « {example:amount} »"
    ),
    "error.program_amount": "programme : {key} doit être un montant comme « 2,00 »",
    "error.program_bad_amount": "programme : {detail:error}",
    "error.program_more_than_zero": "programme : {key} doit être supérieur à zéro",
    "error.program_text": "programme : {key} doit être un texte non vide",
    "error.program_too_long": "programme : {key} dépasse {limit} caractères",
    "error.program_control": "programme : {key} ne doit pas contenir de caractères de contrôle",
    "error.program_table": "programme : {key} doit être une table",
    "error.program_milestones": (
        "programme : il faut au moins un [[program.milestones]] (la récompense finale)"
    ),
    "error.program_milestone_table": "programme : {key} doit être une table avec 'at' et 'reward'",
    "error.program_same_at": "programme : deux paliers ont le même 'at'",
    "error.program_final_reward": (
        "programme : la récompense finale manque : ajoutez un palier at = {at} (stamps_per_card)"
    ),
    "error.program_quick_picks": (
        "programme : program.quick_picks doit être une liste de tables [[program.quick_picks]]"
    ),
    "error.program_too_many_picks": (
        "programme : au plus {count} [[program.quick_picks]] tiennent sur la caisse"
    ),
    "error.program_pick_table": "programme : {key} doit être une table avec 'label', 'category' et 'price'",
    "error.program_same_label": "programme : deux articles rapides ont le même libellé",
    "error.program_list_of_tables": "programme : {key} doit être une liste de tables [[{key}]]",
    "error.program_too_many": "programme : au plus {count} [[{key}]]",
    "error.program_same_value": "programme : deux [[{key}]] ont le même {field}",
    "error.program_coupon_days_twice": (
        "programme : program.expiry.coupon_valid_days et program.coupons.valid_days diffèrent : "
        "n'en gardez qu'un"
    ),
    "error.program_tier_criteria": "programme : {key} demande min_visits ou min_spend (ou les deux)",
    "error.program_tier_order": (
        "programme : les [[program.tiers]] vont du plus haut au plus bas : {lower} ne peut pas "
        "demander plus de visites ou d'achats que {higher}"
    ),
    "error.program_tier_policy": "programme : [program.tier_policy] demande des [[program.tiers]]",
    "error.program_referral_empty": (
        "programme : [program.referral] ne donne aucun tampon : réglez referrer_stamps ou referred_stamps"
    ),
    "error.program_weekdays": "programme : {key} doit lister des jours parmi {days}",
    "error.program_clock": "programme : {key} doit être une heure comme « 14:00 »",
    "error.program_clock_order": "programme : {key} : le début doit précéder la fin (même jour)",
    "error.program_share": (
        "programme : {key} doit être une part de 0 à {most} (comme 0.10), et non {value!r}"
    ),
    "error.program_message_kind": "programme : {key} doit être l'un de {known}",
    "error.program_message_needs_expiry": (
        "programme : {key} : l'avertissement avant expiration demande des tampons qui expirent "
        "([program.expiry] stamps_after_days)"
    ),
    "error.program_message_needs_birthday": (
        "programme : {key} : l'e-mail d'anniversaire demande le cadeau d'anniversaire ([program.birthday])"
    ),
    "error.program_not_toml.form": "le programme n'est pas un fichier TOML valable : {detail}",
    "error.program_no_section.form": "il manque la section [program]",
    "error.program_unknown_key.form": "clé inconnue : {key}",
    "error.program_required.form": "{key} est obligatoire",
    "error.program_whole_number.form": "{key} doit être un nombre entier, et non {value!r}",
    "error.program_range.form": "{key} doit aller de {lo} à {hi}, et non {value}",
    "error.program_amount_as_text.form": (
        "{key} : écrivez le montant entre guillemets, comme « {example:amount} »"
    ),
    "error.program_amount.form": "{key} doit être un montant comme 2,00",
    "error.program_bad_amount.form": "{key} n'est pas un montant comme 2,00",
    "error.program_more_than_zero.form": "{key} doit être supérieur à zéro",
    "error.program_text.form": "{key} ne peut pas être vide",
    "error.program_too_long.form": "{key} dépasse {limit} caractères",
    "error.program_control.form": "{key} contient des caractères de contrôle",
    "error.program_table.form": "{key} doit être une section",
    "error.program_milestones.form": "ajoutez au moins un palier (la récompense finale)",
    "error.program_milestone_table.form": "{key} demande un nombre de tampons et une récompense",
    "error.program_same_at.form": "deux paliers ont le même nombre de tampons",
    "error.program_final_reward.form": (
        "la récompense finale manque : ajoutez un palier à {at} tampons (tampons par carte)"
    ),
    "error.program_quick_picks.form": (
        "les articles rapides doivent être une liste de [[program.quick_picks]]"
    ),
    "error.program_too_many_picks.form": "au plus {count} articles rapides tiennent sur la caisse",
    "error.program_pick_table.form": "{key} demande un libellé, une catégorie et un prix",
    "error.program_same_label.form": "deux articles rapides ont le même libellé",
    "error.program_form.milestone": "palier {index}",
    "error.program_form.milestone_at": "le palier à {at}",
    "error.program_form.milestone_at.reward": "la récompense du palier à {at}",
    "error.program_form.milestone_at.cost": "le coût du palier à {at}",
    "error.program_form.pick": "article rapide {index}",
}
