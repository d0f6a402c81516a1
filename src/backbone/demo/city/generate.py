"""``generate_city``: the whole city, every partner's files, the manifest and the truth."""

from __future__ import annotations

import json
import random
import shutil
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from backbone.demo.city import assessments, names, outcomes, partners, world
from backbone.demo.city import economy as econ
from backbone.demo.city.edfi_files import CONTRACT, PARTNER
from backbone.demo.city.files import ManifestEntry, Sink
from backbone.demo.city.graduation import write_graduation_cohorts
from backbone.demo.city.hmis_export import write_hmis
from backbone.demo.city.kindergarten import PROFICIENT_CROSSWALK, write_kindergarten_readiness
from backbone.demo.city.truth import write_district_truth, write_truth


@dataclass
class CityManifest:
    """What ``generate_city`` wrote: the files to ingest and how to read the mappable ones."""

    root: Path
    files: list[ManifestEntry]
    # (partner, contract) → {"columns": canonical → partner column, "value_crosswalks": …,
    # "date_format": …} for partners whose files need a mapping.
    column_mappings: dict[tuple[str, str], dict] = field(default_factory=dict)
    truth_dir: Path = Path()
    # What it was generated with (students, seed, years, first_school_year): a city is reused
    # only when these match.
    parameters: dict[str, int] = field(default_factory=dict)

    def select(
        self, partner: str | None = None, contract: str | None = None
    ) -> list[ManifestEntry]:
        return [
            e for e in self.files
            if (partner is None or e.partner == partner)
            and (contract is None or e.contract == contract)
        ]  # fmt: skip

    def path(self, entry: ManifestEntry) -> Path:
        return self.root / entry.path


def generate_city(
    out_dir: Path, *, students: int = 20_000, seed: int = 7, years: int = 6,
    first_school_year: int = 2021, crowded_names: bool = False,
) -> CityManifest:  # fmt: skip
    """Write Riverton's partner files for ``years`` school years into ``out_dir``.

    Args:
        out_dir: the city folder (emptied first). Partner files go to
            ``<partner>/<contract>/<period>.<ext>``, the truth to ``truth/``.
        students: children of school age in the first year (enrolment stays near it).
        seed: fixes everything: the same seed gives byte-identical files.
        years: how many school years; the first is ``first_school_year`` (spring year).
        crowded_names: the linkage stress case (``names.crowded_names``): few first names and
            surnames, no child SSNs in HMIS.

    Returns:
        The manifest, also written as ``manifest.json``.
    """
    with names.crowded_names() if crowded_names else nullcontext():
        return _generate(Path(out_dir), students, seed, years, first_school_year, crowded_names)


def _generate(
    out_dir: Path, students: int, seed: int, years: int, first_school_year: int, crowded: bool
) -> CityManifest:
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    rng = random.Random(seed)
    city = world.World(seed, list(range(first_school_year, first_school_year + years)),
                       world.build_schools())  # fmt: skip
    world.populate(city, students, rng)
    world.enrol(city)
    outcomes.homelessness(city, rng)
    outcomes.programmes(city, rng)
    outcomes.attendance(city, rng)
    outcomes.attendance_change(city, random.Random(f"{seed}-attendance-change"))
    outcomes.scores(city, rng)
    economy = econ.simulate_economy(city, rng)
    sink = Sink(out_dir)
    rosters = _write_partner_files(city, economy, sink, seed)
    # Written after every other file, from their own streams: the files above stay identical.
    readiness = write_kindergarten_readiness(city, sink, random.Random(f"{seed}-kindergarten"))
    cohorts = write_graduation_cohorts(city, sink, random.Random(f"{seed}-graduation"))
    mentoring = rosters[assessments.PARTNER]
    assessments.write_assessments(city, sink, mentoring, random.Random(f"{seed}-assessments"))
    write_truth(city, economy, sink, out_dir / "truth")
    write_district_truth(readiness, cohorts, out_dir / "truth")
    manifest = CityManifest(
        out_dir,
        sink.entries,
        {
            (partners.EASTSIDE, partners.PARTICIPATION): partners.EASTSIDE_MAPPING,
            (PARTNER, CONTRACT): {"value_crosswalks": {"proficient": PROFICIENT_CROSSWALK}},
        },
        out_dir / "truth",
        {
            "students": students,
            "seed": seed,
            "years": years,
            "first_school_year": first_school_year,
            **({"crowded_names": 1} if crowded else {}),
        },
    )
    _write_manifest(manifest)
    return manifest


def _write_partner_files(
    city: world.World, economy: econ.Economy, sink: Sink, seed: int
) -> dict[str, partners.Registry]:
    """Each writer gets its own random stream, so adding one never changes another's files.
    Returns the CBOs' registries (their ids and records of each person)."""
    from backbone.demo.city.edfi_files import write_edfi

    write_edfi(city, sink)
    rosters = partners.write_cbo_rosters(city, sink, random.Random(f"{seed}-cbo"))
    write_hmis(city, sink, random.Random(f"{seed}-hmis"))
    partners.write_wages(economy, sink, random.Random(f"{seed}-wages"))
    partners.write_training(
        economy, sink, random.Random(f"{seed}-training"), random.Random(f"{seed}-wioa")
    )
    partners.write_employer_events(economy, sink, random.Random(f"{seed}-employer"))
    partners.write_college(economy, sink, random.Random(f"{seed}-college"))
    return rosters


def _write_manifest(manifest: CityManifest) -> None:
    data = {
        "parameters": manifest.parameters,
        "files": [e.__dict__ for e in manifest.files],
        "column_mappings": [
            {"partner": k[0], "contract": k[1], **v} for k, v in manifest.column_mappings.items()
        ],
    }
    (manifest.root / "manifest.json").write_text(json.dumps(data, indent=2) + "\n")


def read_manifest(root: Path) -> CityManifest | None:
    """The manifest of a city generated earlier in ``root``, or None when there is none."""
    path = Path(root) / "manifest.json"
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    mappings = {(m.pop("partner"), m.pop("contract")): m for m in data.get("column_mappings", [])}
    files = [ManifestEntry(**entry) for entry in data["files"]]
    return CityManifest(
        Path(root), files, mappings, Path(root) / "truth", data.get("parameters", {})
    )
