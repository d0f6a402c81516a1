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
from backbone.evidence import catalog, cpi, studies, warehouse_samples
from backbone.evidence.designs import Estimate
from backbone.evidence.models import Study, StudyRun
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


def sample(study: studies.Study, progress: Progress | None = None) -> pd.DataFrame:
    """The study's pool from the warehouse, flagged ``treated``: consented rows only, people
    joined through the published crosswalk."""
    store = warehouse()
    if "crosswalk" not in store.derived():
        raise LinkageMissing("no linkage has run yet: run `backbone link` first")
    with store.engine("analytic") as engine:
        close_gate(engine, consent_gate(), TABLES[study.unit])
        if progress:
            progress("reading the pool from the warehouse")
        if study.unit == "training_cohorts":
            return _training_pool(engine, study).astype({"cohort": str})
        pool = warehouse_samples.student_years(engine)
        flags = warehouse_samples.participation(engine)
    from backbone.evidence import samples

    return samples.participation_flags(pool, flags, study.program)


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
    declared = study.declared()
    flagged = sample(declared, progress)
    if progress:
        progress(f"estimating ({declared.design}) on {len(flagged):,} units")
    estimate = studies.run_flagged(declared, flagged)
    saved = _store(study, estimate, actor)
    record(actor, "create", AUDIT_OBJECT, slug, "quasi-experimental estimate", saved.summary())
    return saved


def _dollars_note(study: studies.Study) -> list[str]:
    """Workforce studies say which dollars their earnings are in (methods §6.2)."""
    if study.unit != "training_cohorts":
        return []
    return [f"Earnings: {cpi.dollars_label(study.cpi_base_year)}."]


def _store(study: Study, estimate: Estimate, actor: Any) -> StudyRun:
    linkage = LinkageRun.objects.exclude(model_version="").order_by("-pk").first()
    return StudyRun.objects.create(
        study=study, ran_by=_name(actor), code_version=backbone.__version__,
        submissions=sorted(warehouse().submissions()),
        linkage_run=linkage.pk if linkage else None,
        linkage_model=linkage.model_version if linkage else "", label=estimate.label,
        design=estimate.design, effect=estimate.effect, std_error=estimate.se,
        ci_low=estimate.ci_low, ci_high=estimate.ci_high, hedges_g=estimate.effect_size,
        improvement_index=estimate.improvement_index,
        naive_difference=estimate.naive.difference, naive_treated=estimate.naive.n_treated,
        naive_comparison=estimate.naive.n_comparison, n_treated=estimate.n_treated,
        n_comparison=estimate.n_comparison, treated_dropped=estimate.treated_dropped,
        balance=[_balance_row(r) for r in estimate.balance.rows],
        verdict=estimate.balance.verdict.value,
        notes=[estimate.variance, *_dollars_note(study.declared())],
        withheld=_withheld(estimate),
    )  # fmt: skip


def _withheld(estimate: Estimate) -> str:
    """Why the estimate may not be shown (a group below the disclosure minimum), or ""."""
    release = studies.releasable(estimate, Policy(min_n=settings.DISCLOSURE_MIN_N))
    return release.withheld or ""


def _balance_row(row: Any) -> dict[str, Any]:
    return {"covariate": row.covariate, "mean_treated": row.mean_treated,
            "mean_comparison": row.mean_comparison, "smd": row.smd,
            "variance_ratio": row.variance_ratio, "wwc_effect_size": row.wwc_effect_size,
            "wwc_measure": row.wwc_measure, "verdict": row.verdict.value}  # fmt: skip


def _name(actor: Any) -> str:
    """Who ran it, as the audit log names them (``cli:<user>`` from a command)."""
    found = current_actor() if actor is None else actor
    return str(getattr(found, "username", found))


def listing() -> list[dict[str, Any]]:
    """Every study with its latest run's figures, or why they are withheld."""
    rows = []
    for study in Study.objects.select_related("program"):
        latest = study.latest_run()
        rows.append({"study": study, "run": latest if latest and not latest.withheld else None,
                     "withheld": latest.withheld if latest else ""})  # fmt: skip
    return rows


def study_page(study: Study, user: Any) -> dict[str, Any]:
    """The study page: its design in words, its latest run (if releasable) with the chart."""
    from backbone.evidence import figures
    from backbone.indicators.charts import svg

    latest = study.latest_run()
    shown = latest if latest and not latest.withheld else None
    chart = ""
    if shown:
        unit = study.outcome_label or study.outcome
        drawn = figures.ci_chart(
            shown.effect, shown.ci_low, shown.ci_high, shown.naive_difference, unit
        )
        chart = svg(drawn)
        record(user, "read", AUDIT_OBJECT, study.slug, "study page", {"run": shown.pk})
    return {"study": study, "run": shown, "withheld": latest.withheld if latest else "",
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


def design_in_words(study: Study) -> str:
    """The design and the comparison pool in a sentence a board member can read."""
    pool = (f", only where the program is offered (the same {', '.join(study.pool_rule)})"
            if study.pool_rule else "")  # fmt: skip
    return (f"{DESIGN_WORDS[study.design].capitalize()}. Compared: those who took part in "
            f"{study.participation if study.participation != '*' else 'any training'} and those "
            f"who did not{pool}, alike in {', '.join(study.covariates)}.")  # fmt: skip
