"""The workspace: the directory that holds one partnership's files.

It keeps the SQLite app database (when no ``DATABASE_URL`` is set), the secret key, uploaded
documents and, in later stages, the Parquet warehouse. Nothing here imports Django so the CLI can
find the workspace before Django is configured.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

DEFAULT_WORKSPACE = "backbone-data"
WORKSPACE_ENV = "BACKBONE_WORKSPACE"


def workspace_dir(environ: dict[str, str] | None = None) -> Path:
    """Return the workspace directory: ``$BACKBONE_WORKSPACE`` or ``./backbone-data``.

    >>> workspace_dir({"BACKBONE_WORKSPACE": "/srv/city"})
    PosixPath('/srv/city')
    """
    env = os.environ if environ is None else environ
    return Path(env.get(WORKSPACE_ENV) or DEFAULT_WORKSPACE).resolve()


def ensure_workspace(path: Path) -> Path:
    """Create the workspace directory and its ``documents`` folder if they are missing."""
    (path / "documents").mkdir(parents=True, exist_ok=True)
    return path


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
