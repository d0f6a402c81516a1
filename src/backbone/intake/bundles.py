"""Which of the paths given to ``backbone ingest`` make one submission.

An Ed-Fi export is a set of XML interchange files (students, enrolments, attendance…) that only
make sense together: attendance names students and schools another file defines. Loaded one
by one, each file was its own submission — "the file holds no rows" for a descriptors file,
attendance refused for students it could not see. So loose Ed-Fi XML files given together are
one submission, archived as one zip of their unchanged bytes (as a folder is); every other
path stays a submission of its own.

>>> [[p.name for p in group] for group in submissions(
...     [Path("Student.xml"), Path("StudentSchoolAttendance.xml")], "edfi")]
[['Student.xml', 'StudentSchoolAttendance.xml']]
>>> [[p.name for p in group] for group in submissions([Path("a.csv"), Path("b.csv")], "ui_wages")]
[['a.csv'], ['b.csv']]
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

TOGETHER = {"edfi": ".xml"}  # contract → the suffix of files that only load together


class MixedBundle(ValueError):
    """Loose interchange files given with something else, or two of them with one name."""


def submissions(paths: Sequence[Path], contract: str) -> list[list[Path]]:
    """``paths`` grouped into submissions: the contract's loose interchange files together,
    each other path alone. ``MixedBundle`` says what to do when they cannot be told apart."""
    suffix = TOGETHER.get(contract)
    loose = [p for p in paths if suffix and p.suffix.lower() == suffix and not p.is_dir()]
    if len(loose) < 2:
        return [[path] for path in paths]
    if len(loose) != len(paths):
        others = ", ".join(p.name for p in paths if p not in loose)
        raise MixedBundle(
            f"{contract}: the {suffix} interchange files of one export load together, as one "
            f"submission, and {others} cannot join them. Send them in separate commands: "
            f"`backbone ingest --contract {contract} <the {suffix} files or their folder>`, then "
            "each zip or folder on its own."
        )
    names = [p.name for p in loose]
    if len(set(names)) != len(names):
        twice = sorted({name for name in names if names.count(name) > 1})
        raise MixedBundle(
            f"{contract}: two files are called {', '.join(twice)}; one export has one file of "
            "each name. Send each export (its folder or zip) in its own command."
        )
    return [loose]


@contextmanager
def together(files: Sequence[Path], scratch: Path, name: str) -> Iterator[Path]:
    """A folder called ``name`` under ``scratch`` holding links to ``files`` (their bytes are
    not copied), removed when the block ends: intake archives a folder as one zip."""
    scratch.mkdir(parents=True, exist_ok=True)
    parent = Path(tempfile.mkdtemp(dir=scratch))
    folder = parent / name
    folder.mkdir()
    try:
        for file in files:
            (folder / file.name).symlink_to(file.resolve())
        yield folder
    finally:
        shutil.rmtree(parent)
