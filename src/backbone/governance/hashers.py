"""The password hasher named first in ``PASSWORD_HASHERS``: Argon2id at OWASP's minimum
parameters (``backbone.governance.passwords``), run at most ``BACKBONE_PASSWORD_HASH_CONCURRENCY``
at a time.

It keeps Django's algorithm name, ``argon2``, so hashes made with Django's heavier defaults
still verify; Django's ``must_update`` sees their other parameters and the sign-in stores the
password again at these.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher

from backbone.governance import passwords


@functools.cache
def gate() -> passwords.Gate:
    """The one gate every password hash of this process passes through."""
    size = getattr(settings, "BACKBONE_PASSWORD_HASH_CONCURRENCY", 0)
    return passwords.Gate(size or passwords.default_concurrency())


class BoundedArgon2Hasher(Argon2PasswordHasher):
    """Argon2id with 19 MiB, 2 passes and 1 lane; hashing waits for a place at the gate."""

    memory_cost = passwords.MEMORY_KIB
    time_cost = passwords.TIME_COST
    parallelism = passwords.PARALLELISM

    def encode(self, password: str, salt: str) -> str:
        with gate().held():
            return str(super().encode(password, salt))

    def verify(self, password: str, encoded: str) -> bool:
        with gate().held():
            return bool(super().verify(password, encoded))
