"""The ``studies.yaml`` format (``backbone.evidence/1``): each study's computation (a ``Study``)
and what its page says (title, outcome in words, follow-up, caveats), validated completely
before anything is saved, every problem named with its line.

>>> parsed = parse_studies('''
... format: backbone.evidence/1
... studies:
...   - slug: tutoring-absences
...     title: Tutoring and days absent
...     program: Reading Buddies Tutoring
...     outcome: days_absent
...     covariates: [school, econ]
... ''')
>>> parsed[0].study.design, parsed[0].title
('matched', 'Tutoring and days absent')
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from backbone.evidence.studies import (
    DESIGNS,
    ESTIMATE_DESIGNS,
    Study,
    study_from_dict,
    study_problems,
)
from backbone.governance.registry_file import Loc, Problem, RegistryFileError, field_path, line_of

FORMAT = "backbone.evidence/1"
FILENAME = "studies.yaml"
# What the page says; everything else in an entry is the Study's computation.
APP_DESIGNS = (*ESTIMATE_DESIGNS, "combination", "pre_post")  # what `evidence run` runs
WORDS = ("title", "registered_program", "outcome_label", "follow_up", "caveats", "published")


@dataclass(frozen=True)
class StudyEntry:
    """One study of the file: its computation and its words."""

    study: Study
    title: str
    registered_program: str = ""  # the programs registry's slug, checked at import
    outcome_label: str = ""
    follow_up: str = ""
    caveats: tuple[str, ...] = ()
    published: bool = False


def parse_studies(text: str, filename: str = FILENAME) -> list[StudyEntry]:
    """Validate ``text`` as a studies file and return its entries, or raise
    ``RegistryFileError`` listing every problem with its line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else None
        raise RegistryFileError([Problem(line, "", f"not valid YAML: {error.problem}")],
                                filename) from None  # fmt: skip
    found = [Problem(line_of(root, loc), field_path(loc), m) for loc, m in _problems(data)]
    if found:
        raise RegistryFileError(found, filename)
    return [_entry(item) for item in data["studies"]]


def _problems(data: Any) -> Iterator[tuple[Loc, str]]:
    if not isinstance(data, Mapping):
        yield (), "expected a mapping with 'format' and 'studies'"
        return
    if data.get("format") != FORMAT:
        yield ("format",), f"must be {FORMAT!r}"
    items = data.get("studies")
    if not isinstance(items, list) or not items:
        yield ("studies",), "expected a list of studies"
        return
    seen: set[str] = set()
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            yield ("studies", i), "expected a mapping"
            continue
        yield from _entry_problems(i, item, seen)


def _entry_problems(i: int, item: Mapping[str, Any], seen: set[str]) -> Iterator[tuple[Loc, str]]:
    if not item.get("title"):
        yield ("studies", i, "title"), "required"
    if not isinstance(item.get("caveats", []), list):
        yield ("studies", i, "caveats"), "expected a list of sentences"
    slug = str(item.get("slug", ""))
    if slug in seen:
        yield ("studies", i, "slug"), f"study {slug!r} appears twice"
    seen.add(slug)
    computation = {k: v for k, v in item.items() if k not in WORDS}
    for problem in study_problems(computation):
        name, _, message = problem.partition(": ")
        yield ("studies", i, name), message
    design = computation.get("design", "matched")
    if design in DESIGNS and design not in APP_DESIGNS:
        # no honest panel from the warehouse yet: adopters and periods (docs/evidence.md)
        yield (
            ("studies", i, "design"),
            (f"{design} is not run by the app yet; use one of {', '.join(APP_DESIGNS)}"),
        )


def _entry(item: Mapping[str, Any]) -> StudyEntry:
    study = study_from_dict({k: v for k, v in item.items() if k not in WORDS})
    return StudyEntry(
        study=study, title=item["title"], registered_program=item.get("registered_program", ""),
        outcome_label=item.get("outcome_label", "") or study.outcome,
        follow_up=item.get("follow_up", ""), caveats=tuple(item.get("caveats", ())),
        published=bool(item.get("published", False)),
    )  # fmt: skip
