"""Given names and their nicknames, for comparing first names.

Each group is a formal name and the short forms people use for it on a form. The groups are
the ``nicknames`` package's (about 1,100 English names and their nicknames, from the
carltonnorthern/nicknames list; its CSV ships inside the package) together with our own
additions below (``GROUPS``: Spanish short forms, Luke and Lucas, Jazz and Jasmine…). A name
may be in several groups (``alex``: Alexander and Alexandra), so each name stands for the list
of groups it belongs to and two names are equivalent when their lists share one. The comparison
treats that as weaker evidence than the same name (``linkage.name_comparison``).

>>> "alexandra" in name_groups()["alex"] and "alexander" in name_groups()["alex"]
True
>>> set(name_groups()["luke"]) & set(name_groups()["lucas"]) != set()
True
"""

from __future__ import annotations

from functools import cache

import nicknames

# Our own groups: names the package lacks or that our partners' families use.
GROUPS: tuple[tuple[str, ...], ...] = (
    ("lucas", "luke", "luca"),
    ("jasmine", "jazz", "jaz", "jazzy", "minnie"),
    ("abigail", "abby", "abbie", "gail"),
    ("alexander", "alex", "xander", "sandy", "al", "alec"),
    ("alexandra", "alex", "alexa", "sandra", "lexi", "lexie", "sasha"),
    ("alfred", "al", "alfie", "fred"),
    ("andrew", "andy", "drew"),
    ("angela", "angie"),
    ("anthony", "tony", "ant"),
    ("barbara", "barb", "babs", "barbie"),
    ("benjamin", "ben", "benny", "benji"),
    ("bradley", "brad"),
    ("catherine", "cathy", "cat", "kate", "katie", "cate"),
    ("charles", "charlie", "chuck", "chas", "chaz"),
    ("charlotte", "charlie", "lottie", "lotte"),
    ("christina", "chris", "tina", "christy", "kristy"),
    ("christopher", "chris", "kit", "topher"),
    ("cynthia", "cindy"),
    ("daniel", "dan", "danny"),
    ("david", "dave", "davey"),
    ("deborah", "deb", "debbie", "debby"),
    ("donald", "don", "donnie"),
    ("dorothy", "dot", "dottie", "dolly"),
    ("edward", "ed", "eddie", "ted", "teddy", "ned"),
    ("elizabeth", "liz", "lizzy", "lizzie", "beth", "betty", "eliza", "libby", "ellie", "bess"),
    ("emily", "em", "emmy", "millie"),
    ("eugene", "gene"),
    ("frances", "fran", "frannie"),
    ("francis", "frank", "frankie"),
    ("franklin", "frank", "frankie"),
    ("frederick", "fred", "freddie", "freddy"),
    ("gabriel", "gabe"),
    ("gabriella", "gabby", "gabi", "ella"),
    ("gerald", "gerry", "jerry"),
    ("gregory", "greg"),
    ("harold", "hal", "harry"),
    ("henry", "hank", "harry", "hal"),
    ("isabella", "bella", "izzy", "isa", "izzie"),
    ("isabelle", "bella", "izzy", "belle"),
    ("jacob", "jake", "jay"),
    ("james", "jim", "jimmy", "jamie", "jem"),
    ("jeffrey", "jeff"),
    ("jennifer", "jen", "jenny", "jenn"),
    ("jessica", "jess", "jessie"),
    ("jonathan", "jon", "john", "johnny", "jonny"),
    ("john", "jack", "johnny", "jon"),
    ("joseph", "joe", "joey", "jo"),
    ("joshua", "josh"),
    ("katherine", "kate", "katie", "kathy", "kat", "kay", "kitty"),
    ("kathleen", "kathy", "kate", "katie"),
    ("kenneth", "ken", "kenny"),
    ("lawrence", "larry", "laurie"),
    ("leonard", "leo", "len", "lenny"),
    ("madeline", "maddie", "maddy"),
    ("margaret", "maggie", "meg", "peggy", "marge", "greta", "daisy"),
    ("matthew", "matt", "matty"),
    ("michael", "mike", "mikey", "mick", "mickey"),
    ("nathan", "nate"),
    ("nathaniel", "nate", "nat", "nathan"),
    ("nicholas", "nick", "nicky", "nico"),
    ("nicole", "nikki", "nicky"),
    ("olivia", "liv", "livvy", "ollie"),
    ("patricia", "pat", "patty", "trish", "tricia"),
    ("patrick", "pat", "paddy"),
    ("peter", "pete"),
    ("philip", "phil"),
    ("rebecca", "becky", "becca"),
    ("richard", "rick", "ricky", "dick", "rich", "richie"),
    ("robert", "rob", "robbie", "bob", "bobby", "bert"),
    ("ronald", "ron", "ronnie"),
    ("samantha", "sam", "sammy"),
    ("samuel", "sam", "sammy"),
    ("sophia", "sophie"),
    ("stephanie", "steph", "stephie"),
    ("stephen", "steve", "stevie"),
    ("steven", "steve", "stevie"),
    ("susan", "sue", "susie", "suzy"),
    ("theodore", "theo", "ted", "teddy"),
    ("thomas", "tom", "tommy"),
    ("timothy", "tim", "timmy"),
    ("victoria", "vicky", "tori", "vic"),
    ("vincent", "vince", "vinny"),
    ("virginia", "ginny", "ginger"),
    ("walter", "walt", "wally"),
    ("william", "will", "bill", "billy", "willy", "liam"),
    ("zachary", "zach", "zack"),
    # common Spanish and other short forms in US partner data
    ("alejandro", "alex", "ale", "jandro"),
    ("dakota", "kody", "cody", "kota"),
    ("francisco", "paco", "pancho", "cisco", "frank", "frankie"),
    ("guadalupe", "lupe", "lupita"),
    ("ignacio", "nacho"),
    ("jacqueline", "jackie", "jacquie"),
    ("jesus", "chuy"),
    ("jose", "pepe", "joe"),
    ("natalia", "nat", "talia"),
    ("santiago", "santi", "tiago"),
    ("tyrone", "ty"),
    ("elijah", "eli"),
    ("isaiah", "izzy"),
    ("deshawn", "shawn"),
)


def package_groups() -> list[tuple[str, ...]]:
    """The ``nicknames`` package's groups: each formal name with its nicknames."""
    nicknames_of: dict[str, list[str]] = {}
    for formal, _, nickname in nicknames.name_triplets():
        nicknames_of.setdefault(formal, []).append(nickname)
    return [(formal, *names) for formal, names in sorted(nicknames_of.items())]


@cache
def name_groups() -> dict[str, tuple[str, ...]]:
    """Every name of a group → the formal names of the groups it belongs to."""
    groups: dict[str, list[str]] = {}
    for group in (*GROUPS, *package_groups()):
        for name in group:
            formal = groups.setdefault(name, [])
            if group[0] not in formal:
                formal.append(group[0])
    return {name: tuple(formal) for name, formal in groups.items()}


def name_groups_sql(expression: str) -> str:
    """DuckDB SQL for the list of formal names a cleaned first name belongs to (itself alone
    when it is in no group); two names are nickname-equivalent when their lists intersect."""
    entries = ", ".join(
        f"'{name}': [{', '.join(repr(f) for f in formal)}]"
        for name, formal in sorted(name_groups().items())
    )
    lookup = f"coalesce(MAP {{{entries}}}[{expression}], [{expression}])"
    return f"CASE WHEN {expression} IS NOT NULL THEN {lookup} END"
