"""Loading a district's Ed-Fi zip: backbone's full load against a bare lxml iterparse.

The zip is one school year of the synthetic city's district (``backbone.demo.city``: Student,
enrolment, attendance events, assessments, programs, calendars), written deterministically from
a fixed seed. The baseline parses every XML member with ``lxml.etree.iterparse``, touching and
clearing every element — the floor any reader of these files pays. backbone's load reads the
same zip with the Ed-Fi importer and stages, validates, pseudonymises and commits it
(``intake.loading.load``). Each runs in a child process so its peak resident memory is its own
(``benchmarks.child``). Goal (issue 14): backbone ≤ 1.5× the baseline, memory bounded.
"""

from __future__ import annotations

import random
import tempfile
import zipfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.child import run_child

SCALES = [5_000, 20_000]  # students in the district
SEED, YEAR = 7, 2024
PARTNER = "riverton-public-schools"

OURS = """
import sys
from pathlib import Path
from backbone.intake.importers import edfi
from backbone.intake.loading import LoadRequest, load
from backbone.warehouse.records import ImportOptions
from backbone.warehouse.store import Warehouse
root, path = Path(sys.argv[1]), Path(sys.argv[2])
request = LoadRequest(1, "riverton-public-schools", "benchmark-key", root / "staging")
stream = edfi.read(path, ImportOptions(partner="riverton-public-schools"))
result = load(stream, request, Warehouse(root / "warehouse"))
assert result.loaded, result.problems[:5]
"""

WRITE = """
import sys
from pathlib import Path
from benchmarks.edfi_load import write_district_zip
write_district_zip(Path(sys.argv[1]), int(sys.argv[2]))
"""

BASELINE = """
import sys, zipfile
from lxml import etree
with zipfile.ZipFile(sys.argv[2]) as archive:
    for info in archive.infolist():
        if info.filename.endswith(".xml"):
            with archive.open(info) as member:
                for _, element in etree.iterparse(member, events=("end",)):
                    element.clear()
"""


def write_district_zip(folder: Path, students: int) -> Path:
    """One school year of the synthetic district as the Ed-Fi zip the city would send."""
    from backbone.demo.city import outcomes, world
    from backbone.demo.city.edfi_files import write_edfi
    from backbone.demo.city.files import Sink

    rng = random.Random(SEED)
    city = world.World(SEED, [YEAR], world.build_schools())
    world.populate(city, students, rng)
    world.enrol(city)
    for simulate in (outcomes.homelessness, outcomes.programmes, outcomes.attendance):
        simulate(city, rng)
    outcomes.scores(city, rng)
    sink = Sink(folder)
    write_edfi(city, sink)
    return folder / sink.entries[0].path


def main() -> None:
    columns = ["students", "zip MiB", "XML MiB", "baseline s", "baseline peak MiB", "backbone s",
               "backbone peak MiB", "ratio"]  # fmt: skip
    table = Table(*columns, title="Ed-Fi district load")
    for students in SCALES:
        with tempfile.TemporaryDirectory() as directory:
            root = Path(directory)
            # Written by a child, so the driver stays small while it measures the others.
            run_child(WRITE, root / "city", Path(str(students)))
            path = (
                root / "city" / "riverton-public-schools" / "edfi" / f"{YEAR - 1}-{YEAR % 100}.zip"
            )
            with zipfile.ZipFile(path) as archive:
                unpacked = sum(i.file_size for i in archive.infolist())
            base_run, our_run = run_child(BASELINE, root, path), run_child(OURS, root, path)
            baseline, base_peak = base_run.seconds, base_run.peak_mib
            ours, peak = our_run.seconds, our_run.peak_mib
            table.add_row(
                f"{students:,}", f"{path.stat().st_size / 2**20:.1f}", f"{unpacked / 2**20:.0f}",
                f"{baseline:.1f}", f"{base_peak:,.0f}", f"{ours:.1f}", f"{peak:,.0f}",
                f"{ours / baseline:.2f}x",
            )  # fmt: skip
    Console().print(table)
