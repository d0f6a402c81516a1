"""The workspace: the directory that holds one partnership's files.

It keeps the SQLite app database (when no ``DATABASE_URL`` is set), the secret keys, uploaded
documents, the archive of every submitted file, the staging area of loads in progress and the
Parquet warehouse. ``Workspace`` names each of those places, so no other module joins paths
itself. Nothing here imports Django so the CLI can find the workspace before Django is configured.

>>> ws = Workspace(Path("/srv/city"))
>>> ws.archive, ws.staging, ws.warehouse_dir
(PosixPath('/srv/city/archive'), PosixPath('/srv/city/staging'), PosixPath('/srv/city/warehouse'))
>>> ws.relative(Path("/srv/city/archive/district/ab12/grades.csv"))
'archive/district/ab12/grades.csv'
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backbone.warehouse.store import Warehouse

DEFAULT_WORKSPACE = "backbone-data"
WORKSPACE_ENV = "BACKBONE_WORKSPACE"


def workspace_dir(environ: dict[str, str] | None = None) -> Path:
    """Return the workspace directory: ``$BACKBONE_WORKSPACE`` or ``./backbone-data``.

    >>> workspace_dir({"BACKBONE_WORKSPACE": "/srv/city"})
    PosixPath('/srv/city')
    """
    env = os.environ if environ is None else environ
    return Path(env.get(WORKSPACE_ENV) or DEFAULT_WORKSPACE).resolve()


PRIVATE_UMASK = 0o077  # files 0600, folders 0700: the workspace holds person-level data
PRIVATE_BITS = 0o077  # a mode with any of these lets someone other than the owner in


def keep_private() -> None:
    """Make every file this process creates from now on readable by its owner only.

    Called at the start of every ``backbone`` command and of the WSGI/ASGI application, so the
    app database, Parquet (names, birth dates, SSNs), archives and reports — whichever library
    writes them — are created 0600 and their folders 0700.
    """
    os.umask(PRIVATE_UMASK)


def ensure_workspace(path: Path) -> Path:
    """Create the workspace directory (0700) and its ``documents`` folder if they are missing."""
    (path / "documents").mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def wide_modes(root: Path, limit: int = 20) -> tuple[int, list[str]]:
    """How many files and folders under ``root`` others may read or enter, and the first
    ``limit`` of them as ``mode path`` (relative to ``root``, the root itself as ``.``).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     root = Path(folder)
    ...     for name, mode in [("a.parquet", 0o644), ("key", 0o600), (".", 0o700)]:
    ...         (root / name).touch()
    ...         (root / name).chmod(mode)
    ...     wide_modes(root)
    (1, ['0644 a.parquet'])
    """
    found: list[str] = []
    count = 0
    for path in [root, *sorted(root.rglob("*"))]:
        if path.is_symlink():
            continue
        mode = path.stat().st_mode & 0o777
        if mode & PRIVATE_BITS:
            count += 1
            if len(found) < limit:
                found.append(f"{mode:04o} {path.relative_to(root).as_posix() or '.'}")
    return count, found


def open_to_readers(folder: Path) -> None:
    """Let everyone read ``folder`` (0755 folders, 0644 files): a published site is public."""
    folder.chmod(0o755)
    for path in folder.rglob("*"):
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)


def secret_key(path: Path) -> str:
    """Return the workspace's secret key, creating it (mode 0600) on first use.

    A key per workspace is a safe default: nothing secret is committed, and restarting the
    server keeps sessions valid.
    """
    key_file = path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    ensure_workspace(path)
    key = secrets.token_urlsafe(50)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def pseudonym_key(path: Path) -> str:
    """The workspace's secret for ``record_id`` hashes, created once (mode 0600)."""
    key_file = path / "pseudonym_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


@dataclass(frozen=True)
class Workspace:
    """One partnership's directory and the places in it."""

    root: Path

    @property
    def archive(self) -> Path:
        """Every submitted file, unchanged: ``archive/<partner>/<sha256>/<name>``."""
        return self.root / "archive"

    @property
    def incoming(self) -> Path:
        """Uploads being received, before they are hashed into the archive."""
        return self.root / "incoming"

    @property
    def staging(self) -> Path:
        """Parquet files of loads in progress, moved into the warehouse on commit."""
        return self.root / "staging"

    @property
    def warehouse_dir(self) -> Path:
        return self.root / "warehouse"

    @property
    def documents(self) -> Path:
        return self.root / "documents"

    @property
    def scorecard(self) -> Path:
        """Generated public files, such as the annual report PDF."""
        return self.root / "scorecard"

    def path(self, relative: str | Path) -> Path:
        """The absolute path of a file stored relative to the workspace (as the database keeps
        archive and report paths)."""
        return self.root / relative

    def relative(self, path: Path) -> str:
        return str(path.relative_to(self.root))

    def warehouse(self) -> Warehouse:
        from backbone.warehouse.store import Warehouse  # the store loads the engine: only on use

        return Warehouse(self.warehouse_dir)

    def pseudonym_key(self) -> str:
        return pseudonym_key(self.root)

    def secret_key(self) -> str:
        return secret_key(self.root)
