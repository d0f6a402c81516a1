"""API tokens as text: making a new one and the digest the database keeps instead of it.

A token is shown once, when it is made; the database holds only its SHA-256, so a copy of the
database (or a backup) does not let anyone call the API. A plain hash is enough (no salt, no
slow hash): tokens are 256 random bits, not passwords a person chose.

>>> token = new_token()
>>> token.startswith(PREFIX), len(digest(token))
(True, 64)
"""

from __future__ import annotations

import hashlib
import secrets

PREFIX = "bbt_"  # lets secret scanners and people recognise a leaked backbone token
RANDOM_BYTES = 32


def new_token() -> str:
    """A fresh token: the prefix and 32 random bytes, URL-safe base64."""
    return PREFIX + secrets.token_urlsafe(RANDOM_BYTES)


def digest(token: str) -> str:
    """The SHA-256 of ``token`` in hex, as stored and looked up."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def hint(token: str) -> str:
    """The first characters after the prefix, to tell a user's tokens apart in lists."""
    return token[len(PREFIX) : len(PREFIX) + 6]
