"""The Content Security Policy every page is sent with, and the one door for embedding.

Pages load scripts and styles only from backbone's own static files: no inline script, no inline
style attribute (the server-rendered SVG charts use presentation attributes, which CSP does not
govern), nothing from another origin. Only this origin may frame a page, except views marked
with ``allow_embedding`` (or Django's ``xframe_options_exempt``), which anyone may frame.

Django 5.2 has no CSP of its own, and the policy is small, so a middleware of a few lines is
easier to audit than a dependency. Pure Python: the middleware reads and sets response headers
and attributes only.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

HEADER = "Content-Security-Policy"
SELF = "'self'"
POLICY: Mapping[str, tuple[str, ...]] = {
    "default-src": (SELF,),
    "script-src": (SELF,),
    "style-src": (SELF,),
    "img-src": (SELF,),
    "connect-src": (SELF,),
    "object-src": ("'none'",),
    "base-uri": (SELF,),
    "form-action": (SELF,),
    "frame-ancestors": (SELF,),
}

View = TypeVar("View", bound=Callable[..., Any])


def policy_header(policy: Mapping[str, tuple[str, ...]] = POLICY, **overrides: Any) -> str:
    """The header value for ``policy``, with directives replaced by ``overrides``
    (``frame_ancestors=("*",)`` replaces ``frame-ancestors``).

    >>> policy_header({"default-src": ("'self'",), "frame-ancestors": ("'self'",)},
    ...               frame_ancestors=("*",))
    "default-src 'self'; frame-ancestors *"
    """
    merged = dict(policy)
    merged.update({name.replace("_", "-"): tuple(value) for name, value in overrides.items()})
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in merged.items())


def is_embeddable(response: Any) -> bool:
    """Whether the view that made ``response`` lets other sites frame it."""
    return bool(getattr(response, "xframe_options_exempt", False))


def allow_embedding(view: View) -> View:
    """Let any site frame the pages of ``view`` (an embeddable chart or widget): the response
    gets ``frame-ancestors *`` and no ``X-Frame-Options``. Use it on views that show public,
    disclosure-controlled numbers only, never on a page behind a sign-in."""

    @functools.wraps(view)
    def embeddable(*args: Any, **kwargs: Any) -> Any:
        response = view(*args, **kwargs)
        response.xframe_options_exempt = True  # read by XFrameOptionsMiddleware and ours
        return response

    return embeddable  # type: ignore[return-value]


class ContentSecurityPolicyMiddleware:
    """Adds ``Content-Security-Policy`` to every response that does not set its own."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response
        self.default = policy_header()
        self.embeddable = policy_header(frame_ancestors=("*",))

    def __call__(self, request: Any) -> Any:
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = self.embeddable if is_embeddable(response) else self.default
        return response
