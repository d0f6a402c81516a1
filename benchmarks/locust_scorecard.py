"""The readers ``benchmarks/load_scorecard.py`` sends at a running backbone (a locustfile).

Kept apart from the runner: importing locust patches the standard library with gevent, which
only the locust process itself should suffer. ``BACKBONE_BENCH_SLUGS`` names the indicators to
read (comma-separated), ``BACKBONE_BENCH_USER`` and ``BACKBONE_BENCH_PASSWORD`` the staff login.
"""

from __future__ import annotations

import os
import random
import re

from locust import HttpUser, between, task

SLUGS = [slug for slug in os.environ.get("BACKBONE_BENCH_SLUGS", "").split(",") if slug]
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class PublicReader(HttpUser):
    """Someone reading the public scorecard: its home page and an indicator's page."""

    wait_time = between(0.5, 1.5)

    @task(2)
    def scorecard_home(self) -> None:
        self.client.get("/scorecard/", name="public scorecard")

    @task(1)
    def scorecard_indicator(self) -> None:
        slug = random.choice(SLUGS)
        self.client.get(f"/scorecard/indicators/{slug}/", name="public indicator page")


class StaffReader(HttpUser):
    """A signed-in partner reading the staff indicator pages."""

    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        page = self.client.get("/login/", name="sign in")
        found = TOKEN.search(page.text)
        form = {
            "username": os.environ.get("BACKBONE_BENCH_USER", "network"),
            "password": os.environ.get("BACKBONE_BENCH_PASSWORD", "riverton-demo"),
            "csrfmiddlewaretoken": found.group(1) if found else "",
        }
        headers = {"Referer": f"{self.host}/login/"}
        with self.client.post(
            "/login/", data=form, headers=headers, name="sign in", catch_response=True
        ) as answer:
            if "/login/" in answer.url:
                answer.failure("sign-in refused")

    @task
    def indicator_page(self) -> None:
        slug = random.choice(SLUGS)
        self.client.get(f"/indicators/{slug}/", name="signed-in indicator page")
