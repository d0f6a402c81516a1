"""Web uploads loaded by the real worker: `backbone serve` and its worker over HTTP, and
`backbone worker --batch` stopping a job at its time or memory limit."""

from __future__ import annotations

import http.cookiejar
import json
import re
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from tests.fixtures import SMALL_REGISTRY, Workspace, workspace

PARTNER = "riverton-housing"
ROSTER = (
    b"local_id,program,start_date\nRB-1,Homework Help,2025-09-08\nRB-2,Homework Help,2025-09-09\n"
)
CLERK = (
    "from django.contrib.auth.models import Permission, User\n"
    "from backbone.governance.models import PartnerUser\n"
    "from backbone.partnership.models import Partner\n"
    "user = User.objects.create_user('clerk', password='a long test password')\n"
    "user.user_permissions.add(Permission.objects.get(codename='submit_data'))\n"
    f"PartnerUser.objects.create(user=user, partner=Partner.objects.get(slug={PARTNER!r}))\n"
)


def prepared(ws: Workspace, tmp_path: Path) -> Workspace:
    registry = tmp_path / "registry.yaml"
    registry.write_text(SMALL_REGISTRY)
    ws.env |= {"BACKBONE_REQUIRE_AGREEMENTS": "0", "BACKBONE_SECURE_COOKIES": "0"}
    ws.run("partnership", "import", str(registry))
    ws.run("manage", "shell", "-c", CLERK)
    return ws


def shell(ws: Workspace, code: str) -> object:
    """Run ``code`` (which prints JSON last) in the workspace's Django shell; its value."""
    return json.loads(ws.run("manage", "shell", "-c", code).stdout.splitlines()[-1])


def submission(ws: Workspace, pk: int) -> dict[str, object]:
    return shell(  # type: ignore[return-value]
        ws,
        "import json; from backbone.intake.models import Submission as S\n"
        f"s = S.objects.get(pk={pk})\n"
        "print(json.dumps({'status': s.status, 'message': s.message, 'rows': s.rows}))",
    )


class Browser:
    """A signed-in visitor with cookies and CSRF tokens, through urllib."""

    def __init__(self, url: str):
        self.url = url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.url + path, timeout=30) as response:
            return response.read().decode()

    def token(self, path: str) -> str:
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.get(path)).group(1)

    def sign_in(self) -> None:
        # Sent on to the upload page: the clerk may not see the partnership's home page.
        form = {"username": "clerk", "password": "a long test password", "next": "/submissions/"}
        form["csrfmiddlewaretoken"] = self.token("/login/")
        self.opener.open(self.url + "/login/", urllib.parse.urlencode(form).encode(), timeout=30)

    def upload(self, name: str, content: bytes, fields: dict[str, str]) -> dict[str, str]:
        fields = {**fields, "csrfmiddlewaretoken": self.token("/login/")}
        body, boundary = multipart(fields, name, content)
        request = urllib.request.Request(
            self.url + "/submissions/upload/", data=body, method="POST",
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}",
                     "X-Requested-With": "XMLHttpRequest", "Referer": self.url + "/"},
        )  # fmt: skip
        with self.opener.open(request, timeout=60) as response:
            return json.loads(response.read())


def multipart(fields: dict[str, str], name: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: text/csv\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), boundary


def partner_pk(ws: Workspace) -> int:
    code = f"from backbone.partnership.models import Partner as P; print(P.objects.get(slug={PARTNER!r}).pk)"
    return int(ws.run("manage", "shell", "-c", code).stdout.splitlines()[-1])


def test_serve_queues_an_upload_and_its_worker_loads_it(tmp_path):
    with workspace(tmp_path) as ws:
        prepared(ws, tmp_path)
        fields = {"partner": str(partner_pk(ws)), "contract": "program_participation",
                  "period": "2025-26"}  # fmt: skip
        with ws.serving("serve") as url:
            visitor = Browser(url)
            visitor.sign_in()
            answer = visitor.upload("roster.csv", ROSTER, fields)
            assert answer["status"] == "queued"  # the response did not wait for the load
            pk = int(answer["url"].strip("/").split("/")[-1])
            seen = [json.loads(visitor.get(f"/submissions/{pk}/progress.json"))]
            deadline = time.monotonic() + 90
            while seen[-1]["in_progress"] and time.monotonic() < deadline:
                time.sleep(0.5)
                seen.append(json.loads(visitor.get(f"/submissions/{pk}/progress.json")))
            page = visitor.get(answer["url"])
        assert seen[0]["in_progress"] and seen[-1]["status"] == "loaded"
        assert "Loaded 2 rows" in page and "load-progress" not in page
        assert submission(ws, pk)["rows"] == {"program_participation": 2}
        warehouse = json.loads(ws.run("status", "--json").stdout)["warehouse"]
        assert warehouse["program_participation"]["rows"] == 2


QUEUE = (
    "from django.contrib.auth.models import AnonymousUser\n"
    "from django.core.files.uploadedfile import SimpleUploadedFile\n"
    "from backbone.intake import tasks\nfrom backbone.partnership.models import Partner\n"
    f"upload = SimpleUploadedFile('roster.csv', {ROSTER!r})\n"
    f"o = tasks.queue_upload(upload, Partner.objects.get(slug={PARTNER!r}), "
    "'program_participation', '2025-26', AnonymousUser())\nprint(o.submission.pk)\n"
)


def over_a_limit(ws: Workspace, **limits: str) -> dict[str, object]:
    """Queue the roster, run the real worker once with ``limits``; the submission after."""
    pk = int(ws.run("manage", "shell", "-c", QUEUE).stdout.splitlines()[-1])
    ws.env |= limits
    started = time.monotonic()
    ws.run("worker", "--batch")
    found = submission(ws, pk)
    found["seconds"] = time.monotonic() - started
    return found


def test_a_job_over_its_time_limit_is_rejected_naming_the_limit(tmp_path):
    with workspace(tmp_path) as ws:
        found = over_a_limit(prepared(ws, tmp_path), BACKBONE_JOB_SECONDS="0.5")
        assert (found["status"], found["rows"]) == ("rejected", {})
        assert found["message"] == (
            "Processing stopped after 0.5 seconds, the limit for one file "
            "(BACKBONE_JOB_SECONDS); nothing was stored."
        )
        assert (
            json.loads(ws.run("status", "--json").stdout)["warehouse"].get(
                "program_participation", {"rows": 0}
            )["rows"]
            == 0
        )


def test_a_job_over_its_memory_limit_is_rejected_naming_the_limit(tmp_path):
    # The job's own process needs about 200 MB before it reads a byte: 120 MB is too little.
    with workspace(tmp_path) as ws:
        found = over_a_limit(prepared(ws, tmp_path), BACKBONE_JOB_MEMORY_MB="120")
        assert (found["status"], found["rows"]) == ("rejected", {})
        assert found["message"] == (
            "Processing needed more than 120 MB of memory, the limit for one file "
            "(BACKBONE_JOB_MEMORY_MB); nothing was stored."
        )
