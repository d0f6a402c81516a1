"""``backbone audit verify``, ``export`` and ``anchor``, run as real processes."""

from __future__ import annotations

import csv
import getpass
import json

from tests.fixtures import SMALL_REGISTRY, workspace

TAMPER = (
    "from django.db import connection; connection.cursor().execute("
    "\"UPDATE governance_auditevent SET purpose = 'nothing to see' WHERE sequence = 2\")"
)


def test_commands_export_and_verify_the_log_and_name_the_broken_event(tmp_path):
    registry, export = tmp_path / "partnership.yaml", tmp_path / "audit.csv"
    registry.write_text(SMALL_REGISTRY)
    with workspace(tmp_path) as ws:
        ws.run("partnership", "import", str(registry))
        assert "Verified through #" in ws.run("audit", "verify").stdout
        assert "events to" in ws.run("audit", "export", str(export)).stdout
        with export.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        agreement = next(r for r in rows if r["object_type"] == "governance.agreement")
        assert (agreement["actor"], agreement["action"]) == (f"cli:{getpass.getuser()}", "create")
        assert rows[-1]["action"] == "export"  # the export is in its own file
        assert f"Verified through #{len(rows)}" in ws.run("audit", "verify", str(export)).stdout

        ws.run("manage", "shell", "-c", TAMPER)
        result = ws.run("audit", "verify", check=False)
        assert result.returncode == 1
        assert "Broken at #2" in result.stderr and "changed after it was written" in result.stderr
        assert ws.run("audit", "verify", str(export)).returncode == 0  # the copy kept the truth


CUT_TAIL = (
    "from django.db import connection; connection.cursor().execute("
    '"DELETE FROM governance_auditevent WHERE sequence > 2")'
)


def test_an_anchor_kept_outside_detects_a_tail_cut_off_the_log(tmp_path):
    registry, anchors = tmp_path / "partnership.yaml", tmp_path / "outside" / "anchors.jsonl"
    registry.write_text(SMALL_REGISTRY)
    anchors.parent.mkdir()
    with workspace(tmp_path) as ws:
        ws.run("partnership", "import", str(registry))
        printed = json.loads(ws.run("audit", "anchor").stdout)
        assert sorted(printed) == ["at", "hash", "sequence", "signature"]
        assert "Anchored #" in ws.run("audit", "anchor", "--output", str(anchors)).stdout
        [line] = anchors.read_text().splitlines()
        anchored = json.loads(line)["sequence"]
        assert anchored > 2
        assert "is still reached" in ws.run("audit", "verify", "--anchor", str(anchors)).stdout

        ws.run("manage", "shell", "-c", CUT_TAIL)  # and the checkpoints with it: a clean cut
        ws.run("manage", "shell", "-c", CLEAR_CHECKPOINTS)
        assert ws.run("audit", "verify").returncode == 0  # the shorter chain verifies alone
        result = ws.run("audit", "verify", "--anchor", str(anchors), check=False)
        assert result.returncode == 1
        assert f"no event #{anchored}" in result.stderr and "cut off" in result.stderr


CLEAR_CHECKPOINTS = (
    "from django.db import connection; connection.cursor().execute("
    '"DELETE FROM governance_auditcheckpoint")'
)
