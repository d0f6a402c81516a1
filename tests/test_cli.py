"""The ``backbone`` command, run as a real process against real workspaces and databases."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from tests.fixtures import PROJECT_ROOT, SMALL_REGISTRY, copy_of, workspace


@pytest.mark.city
def test_demo_build_only_exits_zero_and_reports_logins(demo_build, tmp_path):
    # demo_build ran `backbone demo --build-only --students 300` (and failed unless it exited 0)
    assert "director" in demo_build.stdout and "riverton-demo" in demo_build.stdout
    assert "0 rejected" in demo_build.stdout
    with copy_of(demo_build.workspace, tmp_path / "demo") as ws:
        status = json.loads(ws.run("status", "--json").stdout)
        assert status["registry"]["partners"] >= 20
        assert (
            status["warehouse"]["attendance"]["rows"] > 0
            and status["warehouse"]["wages"]["rows"] > 0
        )
        again = ws.run(
            "demo", "--build-only", "--students", "300"
        )  # building again changes nothing
        assert "— 0 loaded" in again.stdout and "0 rejected" in again.stdout
        assert json.loads(ws.run("status", "--json").stdout)["warehouse"] == status["warehouse"]


def test_export_import_export_gives_identical_files(tmp_path):
    with workspace(tmp_path, "first") as first, workspace(tmp_path, "second") as second:
        first.run("demo", "--build-only", "--students", "0")
        a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
        first.run("partnership", "export", str(a))
        assert json.loads(second.run("status", "--json").stdout)["registry"] == {}
        second.run("partnership", "import", str(a))
        second.run("partnership", "export", str(b))
        assert a.read_bytes() == b.read_bytes()
        assert json.loads(second.run("status", "--json").stdout)["registry"]["partners"] >= 20


@pytest.mark.parametrize(
    ("original", "broken", "field", "expect"),
    [
        (
            "sectors: [education]",
            "sectors: [edukation]",
            "partners[0].sectors[0]",
            "unknown sector",
        ),
        ("- person: ana-ruiz", "- person: ghost", "bodies[0].members[0].person", "no person"),
        ("end: 2026-06-30", "end: 2026-06-31", "agreements[0].end", "day value is outside"),
    ],
)
def test_bad_file_is_refused_naming_line_and_field_and_changes_nothing(
    tmp_path, original, broken, field, expect
):
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(SMALL_REGISTRY)
    bad_text = SMALL_REGISTRY.replace("Ana Ruiz", "Someone Else").replace(original, broken)
    bad.write_text(bad_text)
    line = next(
        i for i, text in enumerate(bad_text.splitlines(), 1) if broken.split(": ", 1)[1] in text
    )
    with workspace(tmp_path) as ws:
        ws.run("partnership", "import", str(good))
        before = ws.run("partnership", "export", str(tmp_path / "before.yaml"))
        result = ws.run("partnership", "import", str(bad), check=False)
        assert result.returncode == 1
        assert f"bad.yaml:{line}: {field}: " in result.stderr and expect in result.stderr
        assert "nothing was changed" in result.stderr
        ws.run("partnership", "export", str(tmp_path / "after.yaml"))
        assert before.returncode == 0
        assert (tmp_path / "after.yaml").read_bytes() == (tmp_path / "before.yaml").read_bytes()


def test_serve_answers_with_the_login_page_and_static_css(tmp_path):
    with workspace(tmp_path) as ws:
        ws.run("demo", "--build-only", "--students", "0")
        with ws.serving("serve") as url:
            with urllib.request.urlopen(f"{url}/login/") as response:
                assert response.status == 200 and "Sign in" in response.read().decode()
            with urllib.request.urlopen(f"{url}/static/backbone/backbone.css") as response:
                assert response.status == 200 and b"--brand" in response.read()


def test_serve_on_a_workspace_never_initialised_says_to_run_init(tmp_path):
    with workspace(tmp_path) as ws:
        result = ws.run("serve", "--port", "0", check=False)
        assert result.returncode == 1 and "backbone init" in result.stderr


def test_status_on_a_new_workspace_says_to_run_init(tmp_path):
    with workspace(tmp_path) as ws:
        assert "backbone init" in ws.run("status").stdout
        ws.run("init")
        assert json.loads(ws.run("status", "--json").stdout)["database"]["migrated"] is True


def test_help_starts_without_django_or_the_engines():
    # Commands import what they need when they run, so --help stays fast.
    code = (
        "import sys; from backbone.cli import app\n"
        "try: app(['--help'], prog_name='backbone')\n"
        "except SystemExit: pass\n"
        "heavy = {'django', 'duckdb', 'splink', 'pyspark', 'pandas'}\n"
        "print(sorted(heavy & {name.split('.')[0] for name in sys.modules}), file=sys.stderr)"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT_ROOT / "src")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.stderr.strip() == "[]"
    assert "check-disclosure" in result.stdout


def test_the_demo_serves_with_debug_off_so_a_404_lists_no_urls(tmp_path):
    # Before: `backbone demo` turned DEBUG on, and its 404 page listed the whole URLconf.
    with workspace(tmp_path) as ws:
        ws.run("demo", "--build-only", "--students", "0")
        with ws.serving("demo", "--students", "0") as url:
            with pytest.raises(urllib.error.HTTPError) as missing:
                urllib.request.urlopen(f"{url}/no-such-page/")
            body = missing.value.read().decode()
            assert missing.value.code == 404
            assert "URLconf" not in body and "admin/" not in body and "Traceback" not in body


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({}, "0 None False 43200"),
        (
            {"BACKBONE_HSTS_SECONDS": "31536000", "BACKBONE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
             "BACKBONE_SSL_REDIRECT": "1", "BACKBONE_SESSION_HOURS": "8"},
            "31536000 ('HTTP_X_FORWARDED_PROTO', 'https') True 28800",
        ),
    ],
)  # fmt: skip
def test_hsts_proxy_ssl_and_session_age_come_from_the_environment(tmp_path, variables, expected):
    # Before: no HSTS or proxy-SSL setting, and sessions lasted Django's 14 days.
    show = (
        "from backbone.config import settings as s; print(s.SECURE_HSTS_SECONDS, "
        "s.SECURE_PROXY_SSL_HEADER, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_AGE)"
    )
    names = ("BACKBONE_HSTS_SECONDS", "BACKBONE_PROXY_SSL_HEADER", "BACKBONE_SSL_REDIRECT",
             "BACKBONE_SESSION_HOURS")  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k not in names}
    env |= {**variables, "BACKBONE_WORKSPACE": str(tmp_path / "ws")}
    result = subprocess.run([sys.executable, "-c", show], env=env, capture_output=True, text=True)
    assert result.stdout.strip() == expected, result.stderr
