"""The token API at ``/api/v1/`` (docs/api.md): each domain's router under one NinjaAPI.

Callers sign in with a bearer token (the API tokens page) or the browser's session, whose
unsafe requests need the CSRF token. The schema is at ``/api/v1/openapi.json``; there is no
Swagger page (it loads its script from a CDN, which the content security policy forbids).
"""

from ninja import NinjaAPI

from backbone.governance.api import AUTH
from backbone.governance.api import router as participants
from backbone.indicators.api import router as indicators
from backbone.indicators.target_api import router as targets
from backbone.intake.api import router as submissions

api = NinjaAPI(
    title="backbone API",
    version="1",
    description="Submissions, validation reports, indicator results and partner participants' "
    "outcomes, with the same permission checks as the pages.",
    urls_namespace="api_v1",
    auth=AUTH,
    docs_url=None,
)
api.add_router("", submissions)
api.add_router("", indicators)
api.add_router("", targets)
api.add_router("", participants)
