"""What the evidence command and pages call: import ``studies.yaml``, run a study on the
warehouse (through the consent gate and the crosswalk) and store the result with its lineage,
and the figures a reader may see (``studies.releasable``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from django.conf import settings
from django.db import transaction

import backbone
from backbone.disclosure import Policy
from backbone.evidence import catalog, cpi, results, studies, warehouse_samples
from backbone.evidence.models import Study, StudyRun
from backbone.evidence.results import Result
from backbone.governance.actor import current_actor
from backbone.governance.registry_file import Problem, RegistryFileError
from backbone.governance.services import record
from backbone.identity.consent import close_gate
from backbone.identity.models import LinkageRun
from backbone.identity.services import consent_gate
from backbone.programs.models import Program
from backbone.warehouse.services import warehouse

RUN = "evidence.run_studies"
VIEW = "evidence.view_studies"
AUDIT_OBJECT = "evidence.study"
Progress = Callable[[str], None]
# The warehouse tables each kind of pool reads: the consent gate is put on every one.
TABLES = {
    "student_years": ["school_enrollment", "attendance", "person_demographics", "assessment",
                      "program_participation"],
    "training_cohorts": ["training", "wages"],
    "program_assessment": ["program_assessment"],  # pre_post studies read only this one
}  # fmt: skip


class LinkageMissing(Exception):
    """A study joins partners' records, and no linkage has published a crosswalk yet."""


def import_studies_file(path: Path, actor: Any = None) -> str:
    """Create or update every study of the file at ``path`` (by slug)."""
    entries = catalog.parse_studies(path.read_text(encoding="utf-8"), path.name)
    known = set(Program.objects.values_list("slug", flat=True))
    missing = [e.registered_program for e in entries
               if e.registered_program and e.registered_program not in known]  # fmt: skip
    if missing:
        problems = [Problem(None, "registered_program", f"no program {s!r} in the registry")
                    for s in missing]  # fmt: skip
        raise RegistryFileError(problems, path.name)
    with transaction.atomic():
        for entry in entries:
            _save(entry)
        record(actor, "change", AUDIT_OBJECT, path.name, "studies file", {"studies": len(entries)})
    return f"{len(entries)} studies"


def _save(entry: catalog.StudyEntry) -> Study:
    study, program = entry.study, entry.registered_program
    saved, _ = Study.objects.update_or_create(
        slug=study.slug,
        defaults={
            "title": entry.title, "participation": study.program, "outcome": study.outcome,
            "program": Program.objects.get(slug=program) if program else None,
            "outcome_label": entry.outcome_label, "unit": study.unit, "design": study.design,
            "covariates": list(study.covariates), "pool_rule": list(study.pool),
            "follow_up": entry.follow_up, "caveats": list(entry.caveats),
            "published": entry.published, "declaration": studies.study_to_dict(study),
        },
    )  # fmt: skip
    return saved


def _tables(study: studies.Study) -> list[str]:
    return TABLES["program_assessment" if study.design == "pre_post" else study.unit]


def _read(study: studies.Study, progress: Progress | None) -> dict[str, pd.DataFrame]:
    """The frames the study's design needs, read through the consent gate and the crosswalk:
    ``pool`` and ``participation``, ``cohorts`` or ``assessments``."""
    store = warehouse()
    if "crosswalk" not in store.derived():
        raise LinkageMissing("no linkage has run yet: run `backbone link` first")
    with store.engine("analytic") as engine:
        close_gate(engine, consent_gate(), _tables(study))
        if progress:
            progress("reading the pool from the warehouse")
        if study.design == "pre_post":
            return {"assessments": warehouse_samples.program_assessments(engine)}
        if study.unit == "training_cohorts":
            return {"cohorts": _training_pool(engine, study).astype({"cohort": str})}
        return {"pool": warehouse_samples.student_years(engine),
                "participation": warehouse_samples.participation(engine)}  # fmt: skip


def sample(study: studies.Study, progress: Progress | None = None) -> pd.DataFrame:
    """The study's pool from the warehouse, flagged ``treated``: consented rows only, people
    joined through the published crosswalk."""
    from backbone.evidence import samples

    read = _read(study, progress)
    if "cohorts" in read:
        return read["cohorts"]
    return samples.participation_flags(read["pool"], read["participation"], study.program)


def estimate(study: studies.Study, progress: Progress | None = None) -> list[Result]:
    """Run the study's design on the warehouse: one ``Result`` per contrast, each with its
    disclosure verdict (``BACKBONE_DISCLOSURE_MIN_N``)."""
    policy = Policy(min_n=settings.DISCLOSURE_MIN_N)
    if study.design == "pre_post":
        rows = _read(study, progress)["assessments"]
        return results.of_pre_post(studies.run_pre_post(study, rows), policy)
    if study.design == "combination":
        read = _read(study, progress)
        return results.of_combination(study, read["pool"], read["participation"], policy)
    flagged = sample(study, progress)
    if progress:
        progress(f"estimating ({study.design}) on {len(flagged):,} units")
    return [results.of_estimate(studies.run_flagged(study, flagged), policy)]


def _training_pool(engine: Any, study: studies.Study) -> pd.DataFrame:
    first, last = study.years
    if study.anchor != "exit":
        return warehouse_samples.training_cohorts(engine, study.program, (first, last))
    windows = studies.exit_windows(study)
    if study.cpi_base_year is not None and settings.EVIDENCE_CPI_FILE:
        windows["cpi_table"] = cpi.load(Path(settings.EVIDENCE_CPI_FILE))
    return warehouse_samples.training_exit_cohorts(engine, study.program, (first, last), windows)


def run(slug: str, actor: Any = None, progress: Progress | None = None) -> StudyRun:
    """Run the study ``slug`` on the warehouse and store the result with its lineage."""
    study = Study.objects.get(slug=slug)
    saved = _store(study, estimate(study.declared(), progress), actor)
    record(actor, "create", AUDIT_OBJECT, slug, "quasi-experimental estimate", saved.summary())
    return saved


def _dollars_note(study: studies.Study) -> list[str]:
    """Workforce studies say which dollars their earnings are in (methods §6.2)."""
    if study.unit != "training_cohorts":
        return []
    return [f"Earnings: {cpi.dollars_label(study.cpi_base_year)}."]


def _store(study: Study, rows: list[Result], actor: Any) -> StudyRun:
    """A run holding every contrast; its headline fields are the first (main) contrast's."""
    linkage = LinkageRun.objects.exclude(model_version="").order_by("-pk").first()
    main = results.headline(rows)
    return StudyRun.objects.create(
        study=study, ran_by=_name(actor), code_version=backbone.__version__,
        submissions=sorted(warehouse().submissions()),
        linkage_run=linkage.pk if linkage else None,
        linkage_model=linkage.model_version if linkage else "", label=main.kind,
        design=main.design, effect=main.effect, std_error=main.se,
        ci_low=main.ci_low, ci_high=main.ci_high, hedges_g=main.hedges_g,
        improvement_index=main.improvement_index, naive_difference=main.naive_difference,
        naive_treated=main.naive_treated, naive_comparison=main.naive_comparison,
        n_treated=main.n_treated, n_comparison=main.n_comparison,
        treated_dropped=main.treated_dropped, balance=main.balance, verdict=main.verdict,
        notes=[*([main.variance] if main.variance else []), *_dollars_note(study.declared())],
        withheld=main.withheld, contrasts=[row.to_dict() for row in rows],
    )  # fmt: skip


def _name(actor: Any) -> str:
    """Who ran it, as the audit log names them (``cli:<user>`` from a command)."""
    found = current_actor() if actor is None else actor
    return str(getattr(found, "username", found))


def listing() -> list[dict[str, Any]]:
    """Every study with its latest run's headline (the first contrast), or why it is withheld."""
    rows = []
    for study in Study.objects.select_related("program"):
        latest = study.latest_run()
        rows.append({"study": study, "run": latest if latest and not latest.withheld else None,
                     "withheld": latest.withheld if latest else ""})  # fmt: skip
    return rows


def contrasts(run: StudyRun) -> list[dict[str, Any]]:
    """The run's results, one per contrast (a run stored before contrasts were kept: its
    headline as the only one)."""
    if run.contrasts:
        return list(run.contrasts)
    return [{"label": run.label, "kind": run.label, "effect": run.effect, "se": run.std_error,
             "ci_low": run.ci_low, "ci_high": run.ci_high, "hedges_g": run.hedges_g,
             "improvement_index": run.improvement_index, "n_treated": run.n_treated,
             "n_comparison": run.n_comparison, "naive_difference": run.naive_difference,
             "naive_treated": run.naive_treated, "naive_comparison": run.naive_comparison,
             "treated_dropped": run.treated_dropped, "verdict": run.verdict,
             "balance": run.balance, "withheld": run.withheld}]  # fmt: skip


def study_page(study: Study, user: Any) -> dict[str, Any]:
    """The study page: its design in words and its latest run, each contrast with its figures
    or, when withheld, only why; one chart with a line per contrast shown."""
    from backbone.evidence import figures
    from backbone.indicators.charts import svg

    latest = study.latest_run()
    rows = contrasts(latest) if latest else []
    shown = [row for row in rows if not row["withheld"]]
    chart = ""
    if shown and latest:
        chart = svg(figures.contrasts_chart(shown, study.outcome_label or study.outcome))
        record(user, "read", AUDIT_OBJECT, study.slug, "study page", {"run": latest.pk})
    return {"study": study, "run": latest if shown else None, "contrasts": rows,
            "withheld": latest.withheld if latest and not shown else "",
            "design": design_in_words(study), "chart": chart}  # fmt: skip


DESIGN_WORDS = {
    "matched": "each participant is paired with the most similar non-participant (1:1 "
    "propensity-score matching within 0.2 SD of the logit), then outcomes are compared with "
    "the baseline characteristics in the regression",
    "exact": "participants are compared with non-participants who share exactly the same "
    "baseline characteristics, weighted to the participants' mix",
    "ipw": "non-participants are weighted by how likely they were to take part (inverse "
    "probability weighting, trimmed at the 1st and 99th percentiles)",
    "difference_in_differences": "each participant's change from before to after is compared "
    "with the change of the most similar non-participant over the same windows (matched "
    "difference-in-differences)",
    "doubly_robust": "a regression on the non-participants predicts what each participant "
    "would have scored without the program, and non-participants are weighted to the "
    "participants' mix (doubly robust: right if either model is)",
    "doubly_robust_difference_in_differences": "each participant's change from before to after "
    "is compared with the change predicted for them from non-participants alike in the "
    "baseline characteristics, weighted to the participants' mix (doubly robust "
    "difference-in-differences)",
}


METHOD_WORDS = {"exact": "exact matching", "matched": "propensity-score matching",
                "ipw": "inverse probability weighting"}  # fmt: skip


def design_in_words(study: Study) -> str:
    """The design and the comparison pool in a sentence a board member can read."""
    declared = study.declared()
    if declared.design == "pre_post":
        return _pre_post_in_words(declared)
    pool = (f", only where the program is offered (the same {', '.join(study.pool_rule)})"
            if study.pool_rule else "")  # fmt: skip
    if declared.design == "combination":
        both = " and ".join([declared.program, *declared.combined_with])
        return (f"Practice combination: those who took part in {both} in the same year are "
                "compared with those who took part in each program alone and in neither, each "
                f"comparison by {METHOD_WORDS[declared.method]} on "
                f"{', '.join(study.covariates)}{pool}.")  # fmt: skip
    return (f"{DESIGN_WORDS[study.design].capitalize()}. Compared: those who took part in "
            f"{study.participation if study.participation != '*' else 'any training'} and those "
            f"who did not{pool}, alike in {', '.join(study.covariates)}.")  # fmt: skip


def _pre_post_in_words(declared: studies.Study) -> str:
    tested = (f"Participants of {declared.program} took the program's own {declared.instrument} "
              "assessment when they started and again near the end.")  # fmt: skip
    if declared.comparison:
        return (f"{tested} Their mean gain is compared with the mean gain of "
                f"{declared.comparison}'s participants on the same instrument.")  # fmt: skip
    return (f"{tested} The result is their mean change: {results.GROWTH_LABEL} (people "
            "grow without any program).")  # fmt: skip
