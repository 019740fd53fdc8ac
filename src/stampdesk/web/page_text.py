"""What the customer's pages say, in French and in English, and how the
language is chosen: ``?lang=`` (remembered in a cookie), else the cookie,
else the browser's ``Accept-Language``, else the shop's locale.

Money and dates are written by Babel for the chosen locale ("12,50 €",
"2 mars 2026" in French; "€12.50", "2 March 2026" in English).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency

LANGUAGES = ("fr", "en")
LOCALE_OF = {"fr": "fr_FR", "en": "en_GB"}
LANGUAGE_COOKIE = "lang"


@dataclass(frozen=True)
class PageText:
    """Every sentence of the pages in one language. ``{n}``, ``{reward}``,
    ``{day}``… are filled in by the templates with ``.format``."""

    lang: str
    locale: str
    language_name: str  # shown on the switch that leads to this language
    # enrolment
    join_title: str
    waiting_one: str
    waiting_many: str
    waiting_detail: str  # "{receipt} from your purchase of {amount} + {starter} welcome"
    join_intro: str  # "{n} stamps fill the card: {reward}"
    milestones_title: str
    milestone_line: str  # "{at} stamps: {reward}"
    first_name: str
    email: str
    phone: str
    birthday: str
    optional: str
    consent: str
    consent_detail: str
    join_button: str
    claim_until: str
    joined_title: str
    joined_text: str  # "Thank you, {name}! … the card of {email}"
    joined_next: str
    # the card
    card_title: str
    hello: str
    progress: str  # "{balance} of {total} stamps"
    remaining_one: str
    remaining_many: str
    completed_cards: str
    tier: str  # "Niveau {tier}"
    tier_until: str  # the grace period: "… garanti jusqu'au {day}"
    perk: str  # "Votre avantage : {perk}"
    stamps_lapse: str  # "… valables jusqu'au {day} …"
    coupons_title: str
    coupon_valid_until: str
    coupon_expired: str
    no_coupons: str
    show_at_till: str
    private_link: str
    home_screen: str
    your_data: str
    data_explained: str
    download: str
    edit_link: str
    edit_title: str
    save_button: str
    email_taken: str
    erase_link: str
    # erasing
    erase_title: str
    erase_explained: str
    erase_loses: str  # "{n} stamps and {coupons} coupons will be lost"
    erase_button: str
    cancel: str
    erased_title: str
    erased_text: str
    # problems
    problem_title: str
    invalid_claim_token: str
    claim_expired: str
    already_claimed: str
    refunded: str
    invalid_card_link: str
    card_erased: str
    csrf: str
    rate_limited: str
    no_program: str
    too_large: str
    not_found: str
    unexpected: str
    ask_at_till: str
    # form messages
    form_problems: str
    need_consent: str
    need_email: str
    invalid_name: str
    invalid_email: str
    invalid_phone: str
    invalid_birthday: str
    switch_language: str

    def waiting(self, n: int) -> str:
        return (self.waiting_one if n == 1 else self.waiting_many).format(n=n)

    def remaining(self, n: int, reward: str) -> str:
        return (self.remaining_one if n == 1 else self.remaining_many).format(n=n, reward=reward)

    def money(self, amount: Decimal, currency: str = "EUR") -> str:
        return str(format_currency(amount, currency, locale=self.locale))

    def day(self, value: date | datetime, zone: tzinfo | None = None) -> str:
        """A date, long form; a time is first brought to the shop's zone."""
        if isinstance(value, datetime) and zone is not None:
            value = value.astimezone(zone).date()
        return str(format_date(value, format="long", locale=self.locale))


FRENCH = PageText(
    lang="fr",
    locale="fr_FR",
    language_name="Français",
    join_title="Votre carte de fidélité",
    waiting_one="1 tampon vous attend",
    waiting_many="{n} tampons vous attendent",
    waiting_detail="{receipt} pour votre achat de {amount} et {starter} de bienvenue",
    join_intro="Carte complète à {n} tampons : {reward}.",
    milestones_title="Les récompenses",
    milestone_line="{at} tampons : {reward}",
    first_name="Prénom",
    email="E-mail",
    phone="Téléphone",
    birthday="Date de naissance",
    optional="facultatif",
    consent="J'accepte que {shop} garde mon prénom, mon e-mail (et mon téléphone "
    "et ma date de naissance si je les donne) pour tenir ma carte de fidélité.",
    consent_detail="Rien d'autre n'est gardé, rien n'est transmis à personne. "
    "Depuis votre carte, vous pouvez à tout moment télécharger ou effacer vos données.",
    join_button="Créer ma carte",
    claim_until="Ce ticket peut servir jusqu'au {day}.",
    joined_title="Vos tampons sont gardés",
    joined_text="Merci {name} ! Les tampons de ce ticket sont sur la carte de fidélité de {email}.",
    joined_next="À votre prochain passage, donnez cette adresse e-mail en caisse : "
    "vos tampons vous y attendent.",
    card_title="Ma carte",
    hello="Bonjour {name} !",
    progress="{balance} tampons sur {total}",
    remaining_one="Encore 1 tampon pour : {reward}",
    remaining_many="Encore {n} tampons pour : {reward}",
    completed_cards="Cartes complétées : {n}",
    tier="Niveau {tier}",
    tier_until="Votre niveau {tier} est garanti jusqu'au {day}.",
    perk="Votre avantage : {perk}",
    stamps_lapse="Vos tampons restent valables jusqu'au {day} : chaque visite repousse cette date.",
    coupons_title="Mes bons",
    coupon_valid_until="Valable jusqu'au {day}",
    coupon_expired="Expiré le {day}",
    no_coupons="Pas de bon pour l'instant : ils arrivent avec les tampons.",
    show_at_till="Montrez ce code-barres en caisse",
    private_link="Ce lien est personnel : il ouvre votre carte. Gardez-le pour vous.",
    home_screen="Astuce : « Ajouter à l'écran d'accueil » garde votre carte à portée de main.",
    your_data="Mes données",
    data_explained="{shop} garde votre prénom, vos coordonnées, vos passages et vos bons.",
    download="Télécharger mes données (JSON)",
    edit_link="Corriger mes coordonnées",
    edit_title="Mes coordonnées",
    save_button="Enregistrer",
    email_taken="Cette adresse e-mail est déjà celle d'une autre carte.",
    erase_link="Effacer ma carte",
    erase_title="Effacer ma carte ?",
    erase_explained="Votre prénom, votre e-mail, votre téléphone et votre date de naissance "
    "seront effacés, et ce lien ne fonctionnera plus. Le magasin ne garde que des totaux anonymes.",
    erase_loses="Vous perdrez {n} tampon(s) et {coupons} bon(s) non utilisé(s).",
    erase_button="Oui, effacer ma carte",
    cancel="Non, revenir à ma carte",
    erased_title="Carte effacée",
    erased_text="Vos données personnelles ont été effacées. Merci de votre fidélité !",
    problem_title="Oups",
    invalid_claim_token="Ce lien de ticket n'est pas valable. Vérifiez que vous avez scanné tout le QR code.",
    claim_expired="Ce ticket est trop ancien pour garder ses tampons.",
    already_claimed="Les tampons de ce ticket ont déjà été gardés sur une carte.",
    refunded="Cet achat a été remboursé : ses tampons ne peuvent plus être gardés.",
    invalid_card_link="Ce lien de carte n'est pas valable.",
    card_erased="Cette carte a été effacée à la demande de son titulaire.",
    csrf="Ce formulaire a expiré ou ne vient pas de cette page. Rechargez la page et réessayez.",
    rate_limited="Trop de pages en peu de temps. Réessayez dans {n} secondes.",
    no_program="Le programme de fidélité n'est pas encore ouvert.",
    too_large="Ce formulaire est trop long.",
    not_found="Cette page n'existe pas.",
    unexpected="Une erreur s'est produite.",
    ask_at_till="En caisse, nous pouvons toujours vous créer une carte.",
    form_problems="Merci de corriger :",
    need_consent="Cochez la case pour accepter que nous gardions ces données : sans elles, pas de carte.",
    need_email="Indiquez votre e-mail.",
    invalid_name="Indiquez votre prénom (100 caractères au plus).",
    invalid_email="Cette adresse e-mail n'est pas valable.",
    invalid_phone="Ce numéro de téléphone n'est pas valable (6 à 15 chiffres).",
    invalid_birthday="Cette date de naissance n'est pas valable.",
    switch_language="Langue :",
)

ENGLISH = PageText(
    lang="en",
    locale="en_GB",
    language_name="English",
    join_title="Your loyalty card",
    waiting_one="1 stamp is waiting for you",
    waiting_many="{n} stamps are waiting for you",
    waiting_detail="{receipt} for your purchase of {amount} and {starter} to welcome you",
    join_intro="The card is full at {n} stamps: {reward}.",
    milestones_title="Rewards",
    milestone_line="{at} stamps: {reward}",
    first_name="First name",
    email="E-mail",
    phone="Phone",
    birthday="Date of birth",
    optional="optional",
    consent="I agree that {shop} keeps my first name and e-mail (and my phone and "
    "date of birth if I give them) to run my loyalty card.",
    consent_detail="Nothing else is kept and nothing is passed on to anyone. "
    "From your card you can download or erase your data at any time.",
    join_button="Create my card",
    claim_until="This receipt can be used until {day}.",
    joined_title="Your stamps are kept",
    joined_text="Thank you, {name}! The stamps of this receipt are on the loyalty card of {email}.",
    joined_next="Next time, give this e-mail address at the till: your stamps are waiting there.",
    card_title="My card",
    hello="Hello {name}!",
    progress="{balance} of {total} stamps",
    remaining_one="1 more stamp for: {reward}",
    remaining_many="{n} more stamps for: {reward}",
    completed_cards="Cards completed: {n}",
    tier="{tier} status",
    tier_until="Your {tier} status holds until {day}.",
    perk="Your perk: {perk}",
    stamps_lapse="Your stamps stay valid until {day}: every visit moves this date on.",
    coupons_title="My coupons",
    coupon_valid_until="Valid until {day}",
    coupon_expired="Expired on {day}",
    no_coupons="No coupon yet: they come with the stamps.",
    show_at_till="Show this barcode at the till",
    private_link="This link is personal: it opens your card. Keep it to yourself.",
    home_screen="Tip: “Add to Home Screen” keeps your card at hand.",
    your_data="My data",
    data_explained="{shop} keeps your first name, your contact details, your visits and your coupons.",
    download="Download my data (JSON)",
    edit_link="Correct my details",
    edit_title="My details",
    save_button="Save",
    email_taken="This e-mail address already belongs to another card.",
    erase_link="Erase my card",
    erase_title="Erase my card?",
    erase_explained="Your first name, e-mail, phone and date of birth will be erased, and this "
    "link will stop working. The shop keeps only anonymous totals.",
    erase_loses="You will lose {n} stamp(s) and {coupons} unused coupon(s).",
    erase_button="Yes, erase my card",
    cancel="No, back to my card",
    erased_title="Card erased",
    erased_text="Your personal data has been erased. Thank you for your custom!",
    problem_title="Sorry",
    invalid_claim_token="This receipt link is not valid. Check that you scanned the whole QR code.",
    claim_expired="This receipt is too old to keep its stamps.",
    already_claimed="The stamps of this receipt were already kept on a card.",
    refunded="This purchase was refunded: its stamps can no longer be kept.",
    invalid_card_link="This card link is not valid.",
    card_erased="This card was erased at its holder's request.",
    csrf="This form expired or did not come from this page. Reload the page and try again.",
    rate_limited="Too many pages in a short time. Try again in {n} seconds.",
    no_program="The loyalty programme is not open yet.",
    too_large="This form is too long.",
    not_found="This page does not exist.",
    unexpected="Something went wrong.",
    ask_at_till="At the till, we can always make you a card.",
    form_problems="Please correct:",
    need_consent="Tick the box to agree that we keep this data: without it, no card.",
    need_email="Give your e-mail.",
    invalid_name="Give your first name (100 characters at most).",
    invalid_email="This e-mail address is not valid.",
    invalid_phone="This phone number is not valid (6 to 15 digits).",
    invalid_birthday="This date of birth is not valid.",
    switch_language="Language:",
)

TEXTS = {"fr": FRENCH, "en": ENGLISH}


def language_of_locale(locale: str) -> str:
    """``fr_FR`` → ``fr``."""
    lang = locale.split("_", 1)[0].lower()
    return lang if lang in TEXTS else "fr"


def from_accept_language(header: str | None) -> str | None:
    """The first of our languages the browser asks for, by its q-values."""
    if not header:
        return None
    wanted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header[:500].split(",")):
        piece = part.strip()
        if not piece:
            continue
        tag, _, params = piece.partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        lang = tag.strip().split("-", 1)[0].lower()
        if lang in TEXTS and quality > 0:
            wanted.append((-quality, position, lang))
    return min(wanted)[2] if wanted else None


def choose(query: str | None, cookie: str | None, accept: str | None, default_locale: str) -> str:
    """The page's language: ``?lang=``, the cookie, ``Accept-Language``, the shop's."""
    for choice in (query, cookie):
        if choice in TEXTS:
            return choice
    return from_accept_language(accept) or language_of_locale(default_locale)
