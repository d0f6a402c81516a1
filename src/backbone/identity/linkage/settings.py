"""Linkage settings as data: comparisons and blocking rules for the roles a source has, and the
trained model.

Built only from Splink's library comparisons and plain column equalities, so the same settings
run on DuckDB and on Spark (``backbone.identity.linkage.spark`` rewrites a trained model's SQL
for the other dialect). ``LinkageModel`` is the trained model as versioned JSON (Splink's
``save_model_to_json``), reusable to score new records without retraining.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import ColumnExpression, Linker, SettingsCreator, block_on
from splink.blocking_rule_library import CustomRule
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonCreator

from backbone.identity.standardise import (
    FIRST_NAME_GROUPS,
    FULL_NAME,
    ROLES,
    SOURCE_DATASET,
    STRONG_IDS,
    UNIQUE_ID,
)

DEFAULT_THRESHOLD = 0.5
MODEL_FORMAT = "backbone.linkage-model/1"
# The least m a trained level keeps (``floor_m``): no single disagreement vetoes a link.
M_FLOOR = 1e-3
LinkType = Literal["link_only", "dedupe_only", "link_and_dedupe"]
LINK_TYPES: tuple[LinkType, ...] = ("link_only", "dedupe_only", "link_and_dedupe")


def comparisons(roles: Sequence[str]) -> list[ComparisonCreator | dict[str, Any]]:
    """The comparisons for the roles present, in a fixed order (roles without one are skipped:
    addresses, city and state serve only for blocking)."""
    library = {
        "first_name": lambda: cl.NameComparison("first_name").configure(
            term_frequency_adjustments=True
        ),
        "middle_name": lambda: cl.JaroWinklerAtThresholds("middle_name", [0.88]),
        "last_name": lambda: cl.NameComparison("last_name").configure(
            term_frequency_adjustments=True
        ),
        "birth_date": birth_date_comparison,
        "sex": lambda: cl.ExactMatch("sex"),
        "race_ethnicity": race_comparison,
        "ssn": lambda: cl.DamerauLevenshteinAtThresholds("ssn", [1, 2]),
        "student_id": lambda: cl.ExactMatch("student_id"),
        "street_number": lambda: cl.ExactMatch("street_number").configure(
            term_frequency_adjustments=True
        ),
        "zip": lambda: cl.DamerauLevenshteinAtThresholds("zip", [1, 2]).configure(
            term_frequency_adjustments=True
        ),
    }
    if {"first_name", "last_name"} <= set(roles):  # compared together: swaps, nicknames
        library["first_name"] = name_comparison
        roles = [role for role in roles if role != "last_name"]
    return [library[role]() for role in ROLES if role in roles and role in library]


def name_comparison() -> ComparisonCreator:
    """First and last name together, so a swapped pair or a nickname still counts.

    Levels, strongest first: the same full name (weighed by how common it is), first and last
    swapped, both nearly equal, nickname of the same name with a nearly equal surname, both
    roughly equal, same surname, same first name.
    """
    first, last = "first_name", "last_name"
    return cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.And(cll.NullLevel(first), cll.NullLevel(last)),
            cll.ExactMatchLevel(FULL_NAME).configure(tf_adjustment_column=FULL_NAME),
            cll.ColumnsReversedLevel(first, last),
            # near matches weighed by how common the surname is, like exact ones by the name
            cll.And(cll.JaroWinklerLevel(first, 0.92), cll.JaroWinklerLevel(last, 0.92)).configure(
                tf_adjustment_column=last
            ),
            cll.And(
                cll.ArrayIntersectLevel(FIRST_NAME_GROUPS, 1), cll.JaroWinklerLevel(last, 0.92)
            ).configure(
                label_for_charts="Nickname of the same first name, surname nearly equal",
                tf_adjustment_column=last,
            ),
            cll.And(cll.JaroWinklerLevel(first, 0.88), cll.JaroWinklerLevel(last, 0.88)).configure(
                tf_adjustment_column=last
            ),
            cll.ExactMatchLevel(last).configure(tf_adjustment_column=last),
            cll.ExactMatchLevel(first).configure(tf_adjustment_column=first),
            cll.ElseLevel(),
        ],
    )


# The share of namesakes (pairs already agreeing on a name) that agree on race/ethnicity by
# chance: surnames and race go together, so u from random pairs (about 0.2) would count the
# name's evidence twice. Agreeing then weighs little; disagreeing, much.
RACE_U_AMONG_NAMESAKES = 0.9


def race_comparison() -> ComparisonCreator:
    """Race/ethnicity, only where both records have it (NULL is its own level, weight 0), with
    u fixed at ``RACE_U_AMONG_NAMESAKES`` rather than sampled."""
    race, u = "race_ethnicity", RACE_U_AMONG_NAMESAKES
    return cl.CustomComparison(
        output_column_name=race,
        comparison_levels=[
            cll.NullLevel(race),
            cll.ExactMatchLevel(race).configure(u_probability=u, fix_u_probability=True),
            cll.ElseLevel().configure(u_probability=1 - u, fix_u_probability=True),
        ],
    )


def birth_date_comparison() -> ComparisonCreator:
    """Birth dates on a typed DATE (strptime patterns differ between engines), with the two
    keying slips partners make: day and month exchanged, one digit wrong or two swapped, and a
    wrong year."""
    date = "birth_date"
    swapped = (
        "year(birth_date_l) = year(birth_date_r) AND month(birth_date_l) = day(birth_date_r) "
        "AND day(birth_date_l) = month(birth_date_r)"
    )
    other_year = (
        "month(birth_date_l) = month(birth_date_r) AND day(birth_date_l) = day(birth_date_r)"
    )
    return cl.CustomComparison(
        output_column_name=date,
        comparison_levels=[
            cll.NullLevel(date),
            cll.ExactMatchLevel(date),
            cll.CustomLevel(swapped, "Day and month exchanged"),
            cll.DamerauLevenshteinLevel(ColumnExpression(date).cast_to_string(), 1),
            cll.CustomLevel(other_year, "Same day and month, another year"),
            cll.AbsoluteDateDifferenceLevel(
                date, input_is_string=False, threshold=1, metric="month"
            ),
            cll.AbsoluteDateDifferenceLevel(
                date, input_is_string=False, threshold=1, metric="year"
            ),
            cll.ElseLevel(),
        ],
    )


def blocking_rules(roles: Sequence[str]) -> list[BlockingRuleCreator | dict[str, Any]]:
    """Rules that generate candidate pairs: any one agreeing makes a pair a candidate. None
    blocks on a field thousands of people share (a ZIP, a birth date, a state's Main Street)
    without something that narrows it."""
    present = set(roles)
    names: list[tuple[tuple[str, ...], BlockingRuleCreator]] = [
        (("first_name", "last_name"), block_on("first_name", "last_name")),
        # plain equality, valid SQL on every engine: catches first and last name swapped
        (
            ("first_name", "last_name"),
            CustomRule("l.first_name = r.last_name and l.last_name = r.first_name"),
        ),
    ]
    others: list[tuple[tuple[str, ...], BlockingRuleCreator]] = [
        # a nickname (Bobby, Robert) or a slip in one of the names, when there is no birth date
        (
            ("first_name", "last_name"),
            block_on(FIRST_NAME_GROUPS, "last_name", arrays_to_explode=[FIRST_NAME_GROUPS]),
        ),
        (("ssn",), block_on("ssn")),
        (("student_id",), block_on("student_id")),
        (("street_number", "street_address"), block_on("street_number", "street_address")),
        # not ZIP alone: a ZIP holds thousands of people, its pairs outnumber all the others'
        (("zip", "birth_date"), block_on("zip", birth_year())),
    ]
    return (
        [rule for needs, rule in names if present.issuperset(needs)]
        + birth_date_rules(present)
        + [rule for needs, rule in others if present.issuperset(needs)]
        + address_rules(present)
        + slip_rules(present)
    )


def birth_date_rules(present: set[str]) -> list[BlockingRuleCreator | dict[str, Any]]:
    """The birth date with the initial of either name (alone when a source has no names): a
    birth date alone pairs everyone born that day, 29M pairs at a million a side; keying slips
    rarely reach an initial, and a pair whose two initials both differ rarely lacks an SSN.

    >>> len(birth_date_rules({"birth_date", "first_name", "last_name"}))
    2
    """
    if "birth_date" not in present:
        return []
    names = [initial(n) for n in ("first_name", "last_name") if n in present]
    if not names:
        return [block_on("birth_date")]
    return [block_on("birth_date", name) for name in names]


def address_rules(present: set[str]) -> list[BlockingRuleCreator | dict[str, Any]]:
    """The street address with the ZIP (with the state when there is no ZIP): a state holds
    many people on a Main Street (13M pairs at a million a side), a ZIP few."""
    if "street_address" not in present:
        return []
    place = "zip" if "zip" in present else "state" if "state" in present else None
    return [block_on("street_address", place)] if place else []


def slip_rules(present: set[str]) -> list[BlockingRuleCreator | dict[str, Any]]:
    """A slip in one name: one name equal and the other's initial, narrowed by the birth year
    and, apart, by the ZIP when the sources have them, so a common first name and a surname
    initial do not pair a county's every John S. (10^8 pairs at a million a side)."""
    if not {"first_name", "last_name"} <= present:
        return []
    names: list[tuple[str | ColumnExpression, ...]] = [
        (initial("first_name"), "last_name"),
        ("first_name", initial("last_name")),
    ]
    narrowers = [n for role, n in (("birth_date", birth_year()), ("zip", "zip")) if role in present]
    if not narrowers:
        return [block_on(*pair) for pair in names]
    return [block_on(*pair, narrower) for pair in names for narrower in narrowers]


def birth_year() -> str:
    """The year of birth as SQL (the same on DuckDB and Spark): slips rarely reach it."""
    return "year(birth_date)"


def initial(column: str) -> ColumnExpression:
    """The first letter of a name: keying slips rarely touch it."""
    return ColumnExpression(column).substr(1, 1)


class NoComparableColumns(ValueError):
    """The sources hold no column linkage can compare (names, birth date, ids)."""


def linkage_settings(
    roles: Sequence[str],
    link_type: LinkType = "link_only",
    unique_id_column: str = UNIQUE_ID,
    compared: Sequence[str] | None = None,
) -> SettingsCreator:
    """Splink settings (blocking rules and comparisons) for a source with these roles.

    ``compared`` limits the comparisons to fewer roles than block (a role only one source
    holds cannot be trained); strong identifiers are always carried into the predictions so
    the deterministic pass (``predict``) can see them.

    >>> settings = linkage_settings(["first_name", "last_name", "birth_date"])
    >>> len(settings.comparisons)  # the name (first and last together) and the birth date
    2
    """
    if link_type not in LINK_TYPES:
        raise ValueError(f"link_type must be one of {LINK_TYPES}, not {link_type!r}")
    chosen = comparisons(roles if compared is None else compared)
    if not chosen:
        raise NoComparableColumns(f"no comparable columns among {sorted(roles)}")
    return SettingsCreator(
        unique_id_column_name=unique_id_column,
        source_dataset_column_name=SOURCE_DATASET,
        link_type=link_type,
        blocking_rules_to_generate_predictions=blocking_rules(roles),
        comparisons=chosen,
        additional_columns_to_retain=[r for r in STRONG_IDS if r in roles],
        retain_intermediate_calculation_columns=False,
    )


@dataclass(frozen=True)
class LinkageModel:
    """A trained model: Splink's settings JSON and a version that changes when it does."""

    version: str
    settings: dict[str, Any]

    @classmethod
    def from_linker(cls, linker: Linker, name: str = "backbone") -> LinkageModel:
        settings = rounded(floor_m(linker.misc.save_model_to_json()))
        # linker_uid is random per Linker: dropped, so the same training gives the same version
        settings.pop("linker_uid", None)
        digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()
        return cls(f"{name}-{digest[:12]}", settings)

    @property
    def roles(self) -> list[str]:
        """The roles the model compares or carries (comparisons' and retained columns)."""
        compared = [c["output_column_name"] for c in self.settings["comparisons"]]
        retained = self.settings.get("additional_columns_to_retain", [])
        return compared + [r for r in retained if r not in compared]

    def to_dict(self) -> dict[str, Any]:
        return {"format": MODEL_FORMAT, "version": self.version, "settings": self.settings}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LinkageModel:
        if data.get("format") != MODEL_FORMAT:
            raise ValueError(f"not a backbone linkage model (format {data.get('format')!r})")
        return cls(data["version"], data["settings"])

    def save(self, path: Path) -> Path:
        path.write_text(json.dumps(self.to_dict(), indent=1, sort_keys=True), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: Path) -> LinkageModel:
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))


def floor_m(settings: dict[str, Any], floor: float = M_FLOOR) -> dict[str, Any]:
    """The settings with every trained m raised to at least ``floor``.

    EM gives m = 0 to a level no true match fell into during training (a different sex, a
    middle name that disagrees), which would make that one disagreement veto any link, however
    strong the rest; keying errors make such disagreements merely unlikely.
    """
    floored = copy.deepcopy(settings)
    for comparison in floored["comparisons"]:
        for level in comparison["comparison_levels"]:
            m = level.get("m_probability")
            if isinstance(m, float | int) and not level.get("is_null_level") and m < floor:
                level["m_probability"] = floor
    return floored


# Significant digits a trained probability keeps: parallel sums in EM differ in the last bits
# from run to run, and the model's version (a hash) must not.
PROBABILITY_DIGITS = 9


def rounded(settings: dict[str, Any], digits: int = PROBABILITY_DIGITS) -> dict[str, Any]:
    """The settings with every m and u, and λ, rounded to ``digits`` significant digits.

    >>> rounded({"comparisons": [], "probability_two_random_records_match": 0.1234567891234})
    {'comparisons': [], 'probability_two_random_records_match': 0.123456789}
    """
    result = copy.deepcopy(settings)
    levels = [lv for c in result["comparisons"] for lv in c["comparison_levels"]]
    for holder, key in [(lv, k) for lv in levels for k in ("m_probability", "u_probability")] + [
        (result, "probability_two_random_records_match")
    ]:
        value = holder.get(key)
        if isinstance(value, float) and value > 0:
            holder[key] = float(f"{value:.{digits}g}")
    return result
