"""Training a linkage model without labels: λ from deterministic rules, u by seeded random
sampling, m by EM over two blocking rules that between them train every comparison."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from splink import Linker, block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator

from backbone.identity.linkage.settings import initial

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Training:
    """How to estimate the model without labels (the seed makes u-sampling repeatable)."""

    max_pairs: float = 1e7
    seed: int = 42
    recall: float = 0.8  # share of true matches the deterministic λ rules are assumed to find
    # Sampling stops once every level was seen this often: rare levels (a nickname, a day and
    # month exchanged) need not hold up the common ones until max_pairs.
    u_min_count: int = 30


DEFAULT_TRAINING = Training()


def train(linker: Linker, roles: Sequence[str], training: Training = DEFAULT_TRAINING) -> None:
    """Estimate λ, u and m: deterministic rules, seeded random sampling, then EM."""
    linker.training.estimate_probability_two_random_records_match(
        lambda_rules(roles), recall=training.recall
    )
    linker.training.estimate_u_using_random_sampling(
        max_pairs=training.max_pairs, seed=training.seed, min_count_per_level=training.u_min_count
    )
    for rule in em_rules(roles):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True
            )
        except ValueError as error:  # Splink refuses an m that underflowed to 0 on few pairs
            logger.warning("linkage: EM session skipped: %s", error)


def lambda_rules(roles: Sequence[str]) -> list[str | BlockingRuleCreator]:
    """Rules that almost only true matches meet, to estimate λ: same SSN, or same full name
    and birth date (or, lacking those, agreement on the first two roles)."""
    sure = [("ssn",), ("first_name", "last_name", "birth_date")]
    chosen = [cols for cols in sure if set(roles).issuperset(cols)] or [tuple(roles[:2])]
    return [block_on(*cols) for cols in chosen]


def em_rules(roles: Sequence[str]) -> list[BlockingRuleCreator]:
    """Two EM blocking rules that between them leave every comparison free to be trained once:
    birth date (trains names, ids, places), then postcode and initials, or else full name
    (trains the date)."""
    present = set(roles)
    rules = [block_on("birth_date")] if "birth_date" in present else []
    if {"zip", "first_name", "last_name"} <= present:
        # not ZIP alone: its blocks hold thousands of pairs per person at a county's size
        rules.append(block_on("zip", initial("first_name"), initial("last_name")))
    elif "zip" in present:
        rules.append(block_on("zip"))
    elif {"first_name", "last_name"} <= present:
        rules.append(block_on("first_name", "last_name"))
    if len(rules) < 2 and "ssn" in present:
        rules.append(block_on("ssn"))
    return rules
