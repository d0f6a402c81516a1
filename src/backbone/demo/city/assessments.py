"""The mentoring partner's own pre/post assessments (``program_assessment``): each mentee takes
a DESSA-style social-emotional rating (T-scores, 28-72) when the match starts and, unless they
left early, again near its end. Mentoring adds ``MENTORING_SEL_GROWTH`` points on average.

Written after every other partner file from its own random stream, so no earlier file changes;
ids and names are the ones the mentoring roster already used for each person.
"""

from __future__ import annotations

import datetime as dt
import random

from backbone.demo.city import params as p
from backbone.demo.city.calendar import school_year
from backbone.demo.city.files import Cell, Sink, write_csv
from backbone.demo.city.partners import Registry
from backbone.demo.city.world import Participation, World

CONTRACT = "program_assessment"
PARTNER = "riverton-mentoring-alliance"
HEADER = ("local_id", "first_name", "last_name", "birth_date", "program", "instrument", "domain",
          "pre_date", "pre_score", "post_date", "post_score")  # fmt: skip
INSTRUMENT = "DESSA"
LOWEST, HIGHEST = 28, 72  # the DESSA T-score range


def write_assessments(world: World, sink: Sink, roster: Registry, rng: random.Random) -> None:
    """One CSV per school year: every mentee of that year, pre-test and (mostly) post-test."""
    for year in world.years:
        spells = [(child, record.programs[PARTNER]) for child in world.children
                  if (record := child.years.get(year)) and PARTNER in record.programs]  # fmt: skip
        if not spells:
            continue
        period = school_year(year).period
        target = sink.path(PARTNER, CONTRACT, period, ".csv")
        file = sink.add(PARTNER, CONTRACT, period, target)
        rows = []
        for person, spell in spells:
            local = roster.local_id(person)
            first, last, birth, noise = roster.records[person.pid]
            sink.link(PARTNER, CONTRACT, file, local, person.pid, noise)
            rows.append([local, first, last, birth, *_scores(spell, rng)])
        write_csv(target, HEADER, rows)


def _scores(spell: Participation, rng: random.Random) -> list[Cell]:
    pre_date = spell.start + dt.timedelta(days=rng.randint(0, 14))
    pre = _clip(rng.gauss(p.MENTORING_SEL_PRE_MEAN, p.MENTORING_SEL_PRE_SD))
    post_date = spell.end - dt.timedelta(days=rng.randint(0, 10))
    left_early = (post_date - pre_date).days < 60 or rng.random() < p.MENTORING_SEL_NO_POST
    if left_early:
        return [spell.program, INSTRUMENT, "SEL", pre_date, pre, None, None]
    post = _clip(pre + p.MENTORING_SEL_GROWTH + rng.gauss(0, p.MENTORING_SEL_CHANGE_SD))
    return [spell.program, INSTRUMENT, "SEL", pre_date, pre, post_date, post]


def _clip(score: float) -> int:
    return min(HIGHEST, max(LOWEST, round(score)))
