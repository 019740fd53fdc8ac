"""The demo café's data: its programme (``program.toml``, shipped in the
package, the same file as ``examples/program-loyalty.toml``), its customers'
names, its menu and how often each kind of customer comes in."""

from __future__ import annotations

from importlib.resources import files

PROGRAM_FILE = "program.toml"


def program_source() -> str:
    """The café's programme file, as ``stampdesk program load`` reads it."""
    return files("stampdesk.demo").joinpath(PROGRAM_FILE).read_text(encoding="utf-8")


FRENCH_FIRST = (
    "Léa",
    "Manon",
    "Camille",
    "Chloé",
    "Inès",
    "Élodie",
    "Sophie",
    "Claire",
    "Juliette",
    "Margaux",
    "Anaïs",
    "Céline",
    "Hélène",
    "Amélie",
    "Louise",
    "Zoé",
    "Nathalie",
    "Isabelle",
    "Agnès",
    "Maëlle",
    "Lucas",
    "Hugo",
    "Louis",
    "Théo",
    "Arthur",
    "Jules",
    "Mathieu",
    "Nicolas",
    "Julien",
    "Antoine",
    "François",
    "Benoît",
    "Jérôme",
    "Rémi",
    "Gaëtan",
    "Étienne",
    "Olivier",
    "Thomas",
    "Maxime",
    "Yann",
)
FRENCH_LAST = (
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Lefebvre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Le Gall",
    "Le Goff",
    "Guérin",
    "Faure",
    "Rousseau",
    "Blanc",
    "Chevalier",
    "Gauthier",
    "Perrin",
    "Côté",
)
ENGLISH_FIRST = (
    "Oliver",
    "George",
    "Harry",
    "Jack",
    "Charlie",
    "James",
    "William",
    "Thomas",
    "Henry",
    "Alfie",
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Emily",
    "Sophie",
    "Grace",
    "Poppy",
    "Ella",
    "Lily",
    "Hannah",
    "Rosie",
    "Daniel",
    "Samuel",
    "Joseph",
    "Ruby",
    "Freya",
    "Evie",
    "Matthew",
    "Eleanor",
)
ENGLISH_LAST = (
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "O'Brien",
    "Hughes",
    "Edwards",
    "Turner",
    "Hill",
    "Cooper",
    "Ward",
    "Morris",
    "King",
    "Baker",
)
# Reserved for documentation (RFC 2606): a demo never e-mails a real person.
EMAIL_DOMAINS = ("example.org", "example.com", "example.net")

# (sku, category, unit price)
DRINKS = (
    ("ESPRESSO", "coffee", "2.40"),
    ("CAFE-CREME", "coffee", "3.20"),
    ("CAPPUCCINO", "coffee", "3.90"),
    ("FLAT-WHITE", "coffee", "4.20"),
    ("THE", "tea", "3.00"),
    ("CHOCOLAT", "hot drinks", "3.80"),
)
DRINK_WEIGHTS = (25, 25, 15, 15, 10, 10)
DRINK_NAMES = {
    "ESPRESSO": "espresso",
    "CAFE-CREME": "café crème",
    "CAPPUCCINO": "cappuccino",
    "FLAT-WHITE": "flat white",
    "THE": "thé",
    "CHOCOLAT": "chocolat chaud",
}
PASTRIES = (
    ("CROISSANT", "pastry", "1.40"),
    ("PAIN-CHOC", "pastry", "1.60"),
    ("COOKIE", "pastry", "2.50"),
    ("CAKE", "pastry", "3.90"),
)
LUNCHES = (
    ("SANDWICH", "lunch", "6.90"),
    ("QUICHE", "lunch", "7.50"),
    ("SALADE", "lunch", "9.80"),
    ("FORMULE-MIDI", "lunch", "12.90"),
)
JUICE = ("JUS-ORANGE", "cold drinks", "3.50")

NOTES = (
    "Habituel : {drink}",
    "Usual: {drink}",
    "Lait d'avoine",
    "Oat milk, extra hot",
    "Allergie aux fruits à coque",
    "Aime la table près de la fenêtre",
    "Comes with a dog (water bowl)",
)

# Visit probability per day (weekday, weekend) for each kind of customer.
VISIT_RATE = {
    "regular": (0.5, 0.22),
    "frequent": (0.2, 0.16),
    "occasional": (0.035, 0.05),
}
KIND_WEIGHTS = (("regular", 8), ("frequent", 22), ("occasional", 70))
