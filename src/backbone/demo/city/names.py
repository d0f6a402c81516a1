"""Invented people's names, and the identifier noise partners introduce when they record them."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager

from backbone.demo.city import params
from backbone.demo.city.params import NOISE_RATES

# first name → nicknames people go by; the generator picks formal names from these keys often.
NICKNAMES: dict[str, tuple[str, ...]] = {
    "Jonathan": ("Jon", "Johnny"), "Elizabeth": ("Liz", "Beth", "Lizzy"),
    "William": ("Will", "Bill"), "Robert": ("Rob", "Bobby"), "Katherine": ("Kate", "Katie"),
    "Michael": ("Mike",), "Christopher": ("Chris",), "Alexander": ("Alex",),
    "Jennifer": ("Jen", "Jenny"), "Samantha": ("Sam",), "Daniel": ("Dan", "Danny"),
    "Anthony": ("Tony",), "Isabella": ("Bella", "Izzy"), "Nicholas": ("Nick",),
    "Victoria": ("Vicky", "Tori"), "Benjamin": ("Ben",), "Jacqueline": ("Jackie",),
    "Joseph": ("Joe", "Joey"), "Margaret": ("Maggie", "Peggy"), "Matthew": ("Matt",),
    "Abigail": ("Abby",), "Zachary": ("Zach",), "Gabriella": ("Gabby",),
    "Alejandro": ("Alex",), "Guadalupe": ("Lupe",), "Francisco": ("Paco", "Frank"),
    "Jose": ("Pepe",), "Deshawn": ("Shawn",), "Jamal": ("Mal",), "Tyrone": ("Ty",),
    "Natalia": ("Nati",), "Nguyen": ("Win",), "Anjali": ("Anju",), "Dakota": ("Kody",),
}  # fmt: skip
FEMALE: tuple[str, ...] = (
    "Elizabeth",
    "Katherine",
    "Jennifer",
    "Samantha",
    "Isabella",
    "Victoria",
    "Jacqueline",
    "Margaret",
    "Abigail",
    "Gabriella",
    "Guadalupe",
    "Natalia",
    "Anjali",
    "Aaliyah",
    "Maya",
    "Olivia",
    "Emma",
    "Sofia",
    "Ava",
    "Mia",
    "Zoe",
    "Imani",
    "Keisha",
    "Camila",
    "Ximena",
    "Valeria",
    "Mei",
    "Linh",
    "Priya",
    "Hana",
    "Nia",
    "Jasmine",
    "Grace",
    "Harper",
    "Leilani",
    "Aiyana",
    "Rosa",
    "Destiny",
    "Lucia",
    "Amara",
    "Fatima",
    "Chloe",
    "Ruby",
    "Tamika",
    "Dakota",
)
MALE: tuple[str, ...] = (
    "Jonathan",
    "William",
    "Robert",
    "Michael",
    "Christopher",
    "Alexander",
    "Daniel",
    "Anthony",
    "Nicholas",
    "Benjamin",
    "Joseph",
    "Matthew",
    "Zachary",
    "Alejandro",
    "Francisco",
    "Jose",
    "Deshawn",
    "Jamal",
    "Tyrone",
    "Ethan",
    "Liam",
    "Noah",
    "Mateo",
    "Santiago",
    "Diego",
    "Luis",
    "Malik",
    "Darnell",
    "Andre",
    "Minh",
    "Arjun",
    "Kenji",
    "Wei",
    "Elijah",
    "Isaiah",
    "Caleb",
    "Owen",
    "Hunter",
    "Keanu",
    "Tariq",
    "Omar",
    "Marcus",
    "Julian",
)
LAST_NAMES: dict[str, tuple[str, ...]] = {
    "White": (
        "Smith",
        "Johnson",
        "Miller",
        "Anderson",
        "Olson",
        "Peterson",
        "Schmidt",
        "Murphy",
        "Kowalski",
        "Nelson",
        "Larson",
        "Fitzgerald",
        "Hoffman",
        "Bauer",
        "Sullivan",
        "Walsh",
    ),
    "Black or African American": (
        "Washington",
        "Jackson",
        "Robinson",
        "Harris",
        "Williams",
        "Brooks",
        "Coleman",
        "Freeman",
        "Banks",
        "Jefferson",
        "Okafor",
        "Mensah",
        "Mitchell",
        "Greene",
    ),
    "Hispanic or Latino": (
        "Garcia",
        "Rodriguez",
        "Martinez",
        "Hernandez",
        "Lopez",
        "Gonzalez",
        "Perez",
        "Sanchez",
        "Ramirez",
        "Torres",
        "Flores",
        "Rivera",
        "Gutierrez",
        "Morales",
        "Castillo",
    ),
    "Asian": (
        "Nguyen",
        "Tran",
        "Kim",
        "Patel",
        "Chen",
        "Wang",
        "Li",
        "Park",
        "Vang",
        "Singh",
        "Yamamoto",
        "Le",
        "Huang",
        "Xiong",
    ),
    "American Indian or Alaska Native": ("Begay", "Yazzie", "Tsosie", "Whitehorse", "Redcloud"),
    "Native Hawaiian or Pacific Islander": ("Kealoha", "Kahale", "Tupou", "Faleolo"),
}
MIDDLE = ("Marie", "Ann", "Lee", "James", "Rose", "Lynn", "Jose", "Grace", "Ray", "Jean", "")

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


# Surnames are heavy-tailed in a real city: the common ones above are shared by a third of
# people, the rest have rarer names, here made from a stem and an ending (15 x 15 per group).
COMMON_SURNAME_SHARE = 0.35
SURNAME_PARTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "White": (
        ("Ash", "Black", "Brad", "Carl", "Dun", "Fair", "Hart", "Hol", "Kirk", "Lang", "Mar",
         "Nor", "Pen", "Thorn", "Whit"),
        ("ford", "wood", "ley", "ton", "well", "er", "by", "man", "field", "worth", "ham",
         "ridge", "stead", "son", "croft"),
    ),
    "Black or African American": (
        ("Ad", "Bo", "Dar", "Ell", "Fr", "Gil", "Hol", "Lov", "Mor", "Ow", "Rich", "Thom",
         "Wat", "Bell", "Cro"),
        ("ebayo", "ington", "ison", "ard", "ley", "well", "ins", "mond", "ell", "ow", "ton",
         "ers", "field", "by", "enu"),
    ),
    "Hispanic or Latino": (
        ("Al", "Bel", "Cas", "Del", "Es", "Fer", "Gal", "Ibar", "Mal", "Nav", "Or", "Pa", "Que",
         "San", "Val"),
        ("varado", "tran", "tillo", "gado", "pinoza", "nandez", "lardo", "rola", "donado",
         "arro", "tega", "dilla", "zada", "doval", "verde"),
    ),
    "Asian": (
        ("Cha", "Ho", "Lu", "Ma", "Pha", "Sun", "Ta", "Vu", "Yo", "Ka", "Sa", "Shi", "Mo", "Du",
         "Ha"),
        ("ng", "o", "an", "kawa", "mura", "ta", "shi", "n", "oh", "ong", "ra", "moto", "da",
         "yama", "ki"),
    ),
    "American Indian or Alaska Native": (
        ("Black", "Running", "Two", "White", "Little", "Eagle", "Yellow", "Big"),
        ("horse", "water", "bear", "feather", "elk", "cloud", "hawk", "wolf"),
    ),
    "Native Hawaiian or Pacific Islander": (
        ("Ka", "Ke", "Ma", "Na", "Pa", "Fa", "Ta", "Le"),
        ("hale", "lani", "kai", "olo", "nui", "hana", "pua", "ua"),
    ),
}  # fmt: skip
_MIXED = ("White", "Black or African American", "Hispanic or Latino")


def last_name_for(race: str, rng: random.Random) -> str:
    """A surname of the given race/ethnicity's pools (mixed pools for multiracial): a common
    one at ``COMMON_SURNAME_SHARE``, else a rarer one."""
    group = race if race in LAST_NAMES else rng.choice(_MIXED)
    if rng.random() < COMMON_SURNAME_SHARE:
        return rng.choice(LAST_NAMES[group])
    stems, endings = SURNAME_PARTS[group]
    return rng.choice(stems) + rng.choice(endings)


def first_name_for(sex: str, rng: random.Random) -> str:
    return rng.choice(FEMALE if sex == "female" else MALE)


def typo(name: str, rng: random.Random) -> str:
    """One keyboard slip: a letter replaced, dropped or doubled (never the first letter)."""
    if len(name) < 3:
        return name + rng.choice(_LETTERS)
    position = rng.randrange(1, len(name))
    kind = rng.randrange(3)
    if kind == 0:
        letter = rng.choice([c for c in _LETTERS if c != name[position].lower()])
        return name[:position] + letter + name[position + 1 :]
    if kind == 1:
        return name[:position] + name[position + 1 :]
    return name[:position] + name[position] + name[position:]


def transpose_date(day: dt.date, rng: random.Random) -> dt.date:
    """Day and month exchanged when that is a valid, different date; else two year digits."""
    if day.day <= 12 and day.day != day.month:
        return day.replace(month=day.day, day=day.month)
    year = day.year
    swapped = int(f"{str(year)[:2]}{str(year)[3]}{str(year)[2]}")
    if swapped == year or not 1930 <= swapped <= 2025:
        return day + dt.timedelta(days=rng.choice((-10, 10)))
    try:
        return day.replace(year=swapped)
    except ValueError:  # 29 February
        return day.replace(year=swapped, day=28)


def noisy_identity(
    first: str, last: str, birth: dt.date, rng: random.Random, missing_dob_rate: float | None = None
) -> tuple[str, str, dt.date | None, list[str]]:
    """The person's names and birth date as a partner other than the district records them.

    Returns the recorded first name, last name, birth date (``None`` when left blank) and the
    list of noise kinds applied (for the truth file), at the rates of ``NOISE_RATES``.
    """
    applied: list[str] = []
    if first in NICKNAMES and rng.random() < NOISE_RATES["nickname"]:
        first = rng.choice(NICKNAMES[first])
        applied.append("nickname")
    if rng.random() < NOISE_RATES["typo"]:
        if rng.random() < 0.5:
            first = typo(first, rng)
        else:
            last = typo(last, rng)
        applied.append("typo")
    if rng.random() < NOISE_RATES["name_swap"]:
        first, last = last, first
        applied.append("name_swap")
    recorded: dt.date | None = birth
    missing = NOISE_RATES["missing_birth_date"] if missing_dob_rate is None else missing_dob_rate
    if rng.random() < missing:
        recorded = None
        applied.append("missing_birth_date")
    elif rng.random() < NOISE_RATES["transposed_birth_date"]:
        recorded = transpose_date(birth, rng)
        applied.append("transposed_birth_date")
    return first, last, recorded, applied


def noisy_ssn(ssn: str, rng: random.Random) -> tuple[str, bool]:
    """The SSN with one digit wrong at the ``ssn_typo`` rate; ``(ssn, changed)``."""
    if rng.random() >= NOISE_RATES["ssn_typo"]:
        return ssn, False
    position = rng.randrange(9)
    digit = rng.choice([d for d in "0123456789" if d != ssn[position]])
    return ssn[:position] + digit + ssn[position + 1 :], True


# The crowded-names stress case: a city where most full names belong to several children.
CROWDED_FIRST_NAMES = 8  # per sex
CROWDED_SURNAMES = 3  # per race/ethnicity group, every surname a common one


@contextmanager
def crowded_names() -> Iterator[None]:
    """While open, names come from small pools (``CROWDED_*``) and HMIS records no child's
    SSN: a shelter child without a birth date then shares a full name with several students.

    The generator is single-threaded; the pools are restored when the block ends.
    """
    global FEMALE, MALE, LAST_NAMES, COMMON_SURNAME_SHARE
    saved = FEMALE, MALE, LAST_NAMES, COMMON_SURNAME_SHARE, params.HMIS_CHILD_SSN_SHARE
    FEMALE, MALE = FEMALE[:CROWDED_FIRST_NAMES], MALE[:CROWDED_FIRST_NAMES]
    LAST_NAMES = {group: names[:CROWDED_SURNAMES] for group, names in LAST_NAMES.items()}
    COMMON_SURNAME_SHARE, params.HMIS_CHILD_SSN_SHARE = 1.0, 0.0
    try:
        yield
    finally:
        FEMALE, MALE, LAST_NAMES, COMMON_SURNAME_SHARE, params.HMIS_CHILD_SSN_SHARE = saved
