"""Who is acting: the signed-in user during a web request, the operating-system user on the
command line, ``system`` otherwise.

Signal handlers that audit model changes cannot see the request, so ``ActorMiddleware`` puts the
request's user in a context variable for the length of the request, and ``backbone`` commands
name the person at the terminal. A context variable (not a thread-local) stays right under
threads and asyncio alike.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

SYSTEM = "system"

_actor: ContextVar[Any] = ContextVar("backbone_audit_actor", default=SYSTEM)


def current_actor() -> Any:
    """The user object or name changes are attributed to right now."""
    return _actor.get()


@contextmanager
def acting_as(actor: Any) -> Iterator[None]:
    """Attribute what happens inside the block to ``actor`` (a user or a name)."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def act_from_command_line() -> str:
    """Attribute the rest of this process to the operating-system user, as ``cli:<name>``."""
    try:
        name = f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in a bare container
        name = "cli"
    _actor.set(name)
    return name


class ActorMiddleware:
    """Makes ``request.user`` the current actor for the request (after authentication)."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        with acting_as(getattr(request, "user", SYSTEM)):
            return self.get_response(request)
