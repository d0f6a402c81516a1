"""Linkage on FEBRL4 (5,000 × 5,000, 5,000 published true pairs) and on small files built from it.

Expected values come from outside the code under test: the published true pairs in
``febrl4_links.csv``, and precision/recall counted here from the report's own pairs.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
from pathlib import Path

import pytest

from backbone.identity import evaluation
from backbone.identity.linkage import (
    DEFAULT_THRESHOLD,
    LinkageModel,
    LinkReport,
    Training,
    blocking_rules,
    em_rules,
    link_files,
    linkage_settings,
)
from backbone.identity.standardise import map_roles, standardised_sql
from backbone.warehouse.engines import DuckDBEngine, WarehouseError
from tests.fixtures import BACKBONE, SHARED_DATA

FEBRL4 = SHARED_DATA / "febrl4"
FAST = Training(max_pairs=1e6)


def febrl_file(name: str) -> Path:
    path = FEBRL4 / name
    assert path.is_file(), f"FEBRL4 reference data missing: {path} (see ../shared/data/README.md)"
    return path


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def true_pairs() -> set[tuple[str, str]]:
    return {(r["rec_id_l"], r["rec_id_r"]) for r in read_rows(febrl_file("febrl4_links.csv"))}


def f1(found: set[tuple[str, str]], truth: set[tuple[str, str]]) -> tuple[float, float, float]:
    """Precision, recall and F1, by hand (not through the code under test)."""
    hits = len(found & truth)
    precision, recall = hits / len(found), hits / len(truth)
    return precision, recall, 2 * precision * recall / (precision + recall)


@pytest.fixture(scope="module")
def febrl_report() -> LinkReport:
    return link_files(
        [febrl_file("febrl4a.csv"), febrl_file("febrl4b.csv")],
        "rec_id",
        labels=febrl_file("febrl4_links.csv"),
    )


def test_febrl4_link_reaches_f1_0995_at_the_default_threshold(febrl_report):
    found = {(a, b) for a, b, _ in febrl_report.pairs}
    precision, recall, score = f1(found, true_pairs())
    assert score >= 0.995, (precision, recall)
    assert febrl_report.threshold == DEFAULT_THRESHOLD
    # the clusters say the same as the pairs: one-to-one, each a/b record in at most one pair
    lefts, rights = [a for a, _ in found], [b for _, b in found]
    assert len(set(lefts)) == len(lefts) and len(set(rights)) == len(rights)


def test_febrl4_report_metrics_agree_with_a_count_by_hand(febrl_report):
    found = {(a, b) for a, b, _ in febrl_report.pairs}
    precision, recall, _ = f1(found, true_pairs())
    assert febrl_report.clustered.precision == pytest.approx(precision)
    assert febrl_report.clustered.recall == pytest.approx(recall)
    assert [m.threshold for m in febrl_report.metrics] == list(evaluation.THRESHOLDS)
    recalls = [m.recall for m in febrl_report.metrics]
    assert recalls == sorted(recalls, reverse=True)  # a higher threshold never finds more


def test_febrl4_columns_map_to_roles_automatically(febrl_report):
    assert febrl_report.roles == {
        "first_name": ["given_name", "given_name"],
        "last_name": ["surname", "surname"],
        "birth_date": ["date_of_birth", "date_of_birth"],
        "ssn": ["soc_sec_id", "soc_sec_id"],
        "street_number": ["street_number", "street_number"],
        "street_address": ["address_1", "address_1"],
        "city": ["suburb", "suburb"],
        "zip": ["postcode", "postcode"],
        "state": ["state", "state"],
    }
    assert febrl_report.records == {"febrl4a": 5000, "febrl4b": 5000}


def test_report_is_json_serialisable(febrl_report):
    data = json.loads(json.dumps(febrl_report.to_dict()))
    assert data["mode"] == "link" and data["linked_pairs"] == len(febrl_report.pairs)
    assert data["model"]["version"] == febrl_report.model.version
    assert {m["threshold"] for m in data["metrics"]} == set(evaluation.THRESHOLDS)
    assert len(data["clusters"]["febrl4a"]) == 5000


def test_model_json_round_trip_gives_the_same_links(febrl_report, tmp_path):
    path = febrl_report.model.save(tmp_path / "model.json")
    loaded = LinkageModel.load(path)
    assert loaded == febrl_report.model
    assert loaded.version.startswith("files-")
    again = link_files(
        [febrl_file("febrl4a.csv"), febrl_file("febrl4b.csv")], "rec_id", model=loaded
    )
    assert again.model.version == febrl_report.model.version  # scoring does not change it
    assert {(a, b) for a, b, _ in again.pairs} == {(a, b) for a, b, _ in febrl_report.pairs}
    assert "train" not in again.timings


def test_a_file_that_is_not_a_model_is_refused(tmp_path):
    path = tmp_path / "model.json"
    path.write_text(json.dumps({"format": "something-else"}))
    with pytest.raises(ValueError, match="not a backbone linkage model"):
        LinkageModel.load(path)


def test_dedupe_of_one_file_finds_the_true_pairs(tmp_path):
    rows = read_rows(febrl_file("febrl4a.csv")) + read_rows(febrl_file("febrl4b.csv"))
    combined = write_rows(tmp_path / "febrl4ab.csv", rows)
    report = link_files([combined], "rec_id", training=FAST)
    assert report.mode == "dedupe" and report.records == {"febrl4ab": 10000}
    found = {tuple(sorted((a, b))) for a, b, _ in report.pairs}
    truth = {tuple(sorted(p)) for p in true_pairs()}
    precision, recall, _ = f1(found, truth)
    assert precision >= 0.99 and recall >= 0.99, (precision, recall)


def small_pair_of_files(tmp_path: Path, count: int = 400) -> tuple[Path, Path]:
    """The first ``count`` true pairs of FEBRL4 as two small files."""
    wanted = sorted(true_pairs())[:count]
    left, right = {a for a, _ in wanted}, {b for _, b in wanted}
    a_rows = [r for r in read_rows(febrl_file("febrl4a.csv")) if r["rec_id"] in left]
    b_rows = [r for r in read_rows(febrl_file("febrl4b.csv")) if r["rec_id"] in right]
    return write_rows(tmp_path / "a.csv", a_rows), write_rows(tmp_path / "b.csv", b_rows)


ELSEWHERE = {"street_number": "999", "address_1": "nowhere lane", "postcode": "9999"}
# Each case rewrites one true pair: the left record becomes Catherine Okonkwo, the right one
# (same SSN, moved house) these names and birth date ("same": the left's; "slip": its last
# digit changed).
PLANTED = [
    ("kate", "okonkow", "same"),  # nickname and a surname typo
    ("kate", "quartermaine", "slip"),  # married: a new surname, a digit slipped in the date
    ("zebulon", "quartermaine", "18990101"),  # another person: an SSN typo landed on his
]


def plant_shared_ssns(a_path: Path, b_path: Path) -> dict[str, tuple[str, str]]:
    """Rewrite one true pair per ``PLANTED`` case; returns "given surname" → the pair's ids."""
    a_rows, b_rows = read_rows(a_path), read_rows(b_path)
    by_ssn = {r["soc_sec_id"]: r for r in b_rows}
    planted = {}
    for left, (given, surname, born) in zip(a_rows, PLANTED, strict=False):
        right = by_ssn[left["soc_sec_id"]]
        left.update(given_name="catherine", surname="okonkwo")
        date = left["date_of_birth"]
        slipped = date[:-1] + str((int(date[-1]) + 1) % 10)
        born = {"same": date, "slip": slipped}.get(born, born)
        right.update(given_name=given, surname=surname, date_of_birth=born, **ELSEWHERE)
        planted[f"{given} {surname}"] = (left["rec_id"], right["rec_id"])
    write_rows(a_path, a_rows)
    write_rows(b_path, b_rows)
    return planted


def test_a_shared_ssn_links_unless_names_and_birth_dates_clearly_disagree(tmp_path):
    """The override links a nickname, a typo, a new surname with a birth date near enough; a
    shared SSN on another name and a birth date decades away is a typo, and is not linked."""
    a_path, b_path = small_pair_of_files(tmp_path)
    planted = plant_shared_ssns(a_path, b_path)
    report = link_files([a_path, b_path], "rec_id", training=FAST)
    linked = {(a, b): p for a, b, p in report.pairs if p >= DEFAULT_THRESHOLD}
    assert linked[planted["kate okonkow"]] == 1.0
    assert linked[planted["kate quartermaine"]] == 1.0
    assert planted["zebulon quartermaine"] not in linked


def test_without_the_ssn_those_records_do_not_link(tmp_path):
    """The control for the test above: the probabilistic model alone would not join them."""
    a_path, b_path = small_pair_of_files(tmp_path)
    a_rows, b_rows = read_rows(a_path), read_rows(b_path)
    target = a_rows[0]
    changed = next(r for r in b_rows if r["soc_sec_id"] == target["soc_sec_id"])
    changed.update(given_name="zebulon", surname="quartermaine", date_of_birth="18990101",
                   street_number="999", address_1="nowhere lane", postcode="9999")  # fmt: skip
    write_rows(b_path, b_rows)
    report = link_files([a_path, b_path], "rec_id", training=FAST, column_map={"soc_sec_id": ""})
    assert (target["rec_id"], changed["rec_id"]) not in {(a, b) for a, b, _ in report.pairs}
    assert "ssn" not in report.roles


def test_column_map_overrides_names(tmp_path):
    assert map_roles(["id", "fname", "surname"], {"fname": "first_name"}) == {
        "first_name": "fname",
        "last_name": "surname",
    }
    with pytest.raises(ValueError, match="unknown linkage roles \\['nickname'\\]"):
        map_roles(["fname"], {"fname": "nickname"})


def test_settings_depend_on_the_columns_present():
    settings = linkage_settings(["first_name", "last_name", "birth_date", "zip"])
    names = [c.create_output_column_name() for c in settings.comparisons]
    assert names == ["name", "birth_date", "zip"]  # first and last compared together
    # together, swapped, nickname groups, and the same surname with the same initial, or the
    # same first name with a surname of the same initial
    assert len(blocking_rules(["first_name", "last_name"])) == 5
    assert [c.create_output_column_name() for c in linkage_settings(["last_name"]).comparisons] == [
        "last_name"
    ]
    assert len(em_rules(["first_name", "last_name", "birth_date", "zip"])) == 2
    with pytest.raises(ValueError, match="no comparable columns"):
        linkage_settings(["city"])
    with pytest.raises(ValueError, match="link_type must be one of"):
        linkage_settings(["first_name"], link_type="merge")


def test_a_missing_id_column_is_named(tmp_path):
    a_path, b_path = small_pair_of_files(tmp_path, 10)
    with pytest.raises(ValueError, match=r"a\.csv has no id column 'id'"):
        link_files([a_path, b_path], "id")


def test_race_is_compared_only_where_both_records_have_it():
    """'Unknown' and blanks say nothing (NULL, the null level); a namesake of another race
    weighs against a match: log2(m / u) with u fixed at 0.9 / 0.1, not sampled."""
    engine = DuckDBEngine()
    engine.run(
        "CREATE TABLE t AS SELECT * FROM (VALUES ('1', 'White'), ('2', 'Unknown'), ('3', ''), "
        "('4', 'Two or More Races')) AS v(id, race)"
    )
    roles = map_roles(["id", "race"])
    sql = standardised_sql("t", "id", "'a'", roles, {}, ["race_ethnicity"])
    rows = engine.run(f"SELECT unique_id, race_ethnicity FROM ({sql}) ORDER BY 1")
    assert rows == [("1", "white"), ("2", None), ("3", None), ("4", "two or more races")]
    settings = linkage_settings(["first_name", "last_name", "race_ethnicity"])
    race = settings.comparisons[-1].get_comparison("duckdb").as_dict()
    levels = race["comparison_levels"]
    assert race["output_column_name"] == "race_ethnicity"
    assert levels[0]["is_null_level"]
    assert [(lv["u_probability"], lv["fix_u_probability"]) for lv in levels[1:]] == [
        (0.9, True),
        (pytest.approx(0.1), True),
    ]


def test_the_name_session_trains_only_on_namesakes_nothing_contradicts():
    """Five records share the name Ana Diaz; by hand, the pairs that could be one person
    (no two SSNs or sexes that both sides have and that differ) are 1-2, 1-4, 2-4 and 3-4.
    Trained on every namesake pair (the old rule: all ten), EM learned the birth date from
    pairs that are mostly different people."""
    engine = DuckDBEngine()
    engine.run(
        "CREATE TABLE t AS SELECT id, 'ana' AS first_name, 'diaz' AS last_name, ssn, sex "
        "FROM (VALUES (1, '111111111', 'f'), (2, '111111111', 'f'), (3, '222222222', 'f'), "
        "(4, NULL, 'f'), (5, NULL, 'm')) AS v(id, ssn, sex)"
    )
    rule = em_rules(["first_name", "last_name", "birth_date", "sex", "ssn"])[1]
    sql = rule if isinstance(rule, str) else rule.get_blocking_rule("duckdb").blocking_rule_sql
    pairs = engine.run(
        f"SELECT l.id, r.id FROM t l JOIN t r ON l.id < r.id AND {sql} ORDER BY 1, 2"
    )
    assert pairs == [(1, 2), (1, 4), (2, 4), (3, 4)]


def test_linking_files_keeps_to_the_memory_limit_given(tmp_path):
    # 1 MB is less than DuckDB needs to read one block of FEBRL4: a limit that reaches the
    # engine stops the run at once; one that did not would let it finish
    files = [febrl_file("febrl4a.csv"), febrl_file("febrl4b.csv")]
    with pytest.raises(WarehouseError, match="Out of Memory Error"):
        link_files(files, "rec_id", memory_limit="1MB", temp_directory=str(tmp_path))


def test_link_files_command_takes_its_memory_limit_from_the_environment(tmp_path):
    files = [str(febrl_file("febrl4a.csv")), str(febrl_file("febrl4b.csv"))]
    env = {**os.environ, "BACKBONE_DUCKDB_MEMORY_LIMIT": "1MB"}
    command = [*BACKBONE, "link", "files", *files, "--id", "rec_id"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0 and "Out of Memory Error" in result.stdout + result.stderr
    explicit = [*command, "--memory-limit", "1MB", "--temp-directory", str(tmp_path)]
    result = subprocess.run(explicit, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0 and "Out of Memory Error" in result.stdout + result.stderr


def febrl_identity_workspace(root: Path) -> Path:
    """A workspace whose identity tier holds FEBRL4's two files as two partners' records."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from backbone.warehouse import workspace as places
    from backbone.warehouse.store import stored_columns
    from backbone.warehouse.tables import TABLES

    made = places.Workspace(places.ensure_workspace(root))
    kinds = {"DATE": pa.date32(), "INTEGER": pa.int32(), "BIGINT": pa.int64()}
    for number, (name, partner) in enumerate([("febrl4a.csv", "a"), ("febrl4b.csv", "b")], 1):
        rows = read_rows(febrl_file(name))
        values = {
            "record_id": [r["rec_id"] for r in rows], "local_id": [r["rec_id"] for r in rows],
            "first_name": [r["given_name"] for r in rows], "last_name": [r["surname"] for r in rows],
            "ssn": [r["soc_sec_id"] for r in rows], "source_partner": [partner] * len(rows),
            "submission_id": [number] * len(rows),
        }  # fmt: skip
        columns = {
            column: pa.array(values.get(column, [None] * len(rows)), kinds.get(kind, pa.string()))
            for column, kind in stored_columns(TABLES["identity_record"])
        }
        staged = root / f"{partner}.parquet"
        pq.write_table(pa.table(columns), staged)
        made.warehouse().commit(number, {"identity_record": (staged, len(rows))})
    return made.root


def test_link_command_keeps_the_workspace_linkage_to_the_memory_limit_given(tmp_path):
    place = febrl_identity_workspace(tmp_path / "workspace")
    spill = tmp_path / "spill"
    command = [*BACKBONE, "link", "--workspace", str(place), "--memory-limit", "1MB"]
    result = subprocess.run(
        [*command, "--temp-directory", str(spill)], capture_output=True, text=True, timeout=300
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1 and "Linkage stopped:" in output, output[-2000:]
    assert "Out of Memory Error" in output and "Traceback" not in output, output[-2000:]
    # DuckDB names the limit it kept to: 1MB is 10**6 bytes, 976.5625 KiB
    assert "/976.5 KiB used)" in output, output[-2000:]


# Catherine Okonkwo, born 1990-01-02, against: (first, last, birth date, clearly different?)
AGAINST_CATHERINE = [
    ("zebulon", "quartermaine", "1899-01-01", True),  # nothing agrees: another person
    ("kate", "quartermaine", "1990-01-03", False),  # a birth date one digit off
    ("zebulon", "quartermaine", "1991-01-01", False),  # under a year apart
    ("catherine", "quartermaine", "1899-01-01", False),  # the same first name (married)
    ("okonkwo", "catherine", "1899-01-01", False),  # names swapped
    ("zebulon", "quartermaine", None, False),  # no birth date: nothing to disagree with
]


def test_clearly_different_takes_only_pairs_at_both_lowest_levels():
    from backbone.identity.linkage.scoring import clearly_different_sql

    settings = linkage_settings(["first_name", "last_name", "birth_date", "ssn"])
    different = clearly_different_sql(settings.get_settings("duckdb").as_dict())
    rows = ", ".join(
        f"('{first}', '{last}', '{first} {last}', ['{first}'], "
        + (f"DATE '{born}'" if born else "NULL::DATE") + ")"
        for first, last, born, _ in AGAINST_CATHERINE
    )  # fmt: skip
    engine = DuckDBEngine()
    found = engine.run(
        f"SELECT first_name_r, {different} FROM (SELECT 'catherine' AS first_name_l, "
        "'okonkwo' AS last_name_l, 'catherine okonkwo' AS full_name_l, "
        "['catherine'] AS first_name_groups_l, DATE '1990-01-02' AS birth_date_l, r.* "
        f"FROM (VALUES {rows}) AS r(first_name_r, last_name_r, full_name_r, "
        "first_name_groups_r, birth_date_r))"
    )
    assert [bool(d) for _, d in found] == [case[3] for case in AGAINST_CATHERINE]
    assert clearly_different_sql(linkage_settings(["first_name", "last_name", "ssn"])
                                 .get_settings("duckdb").as_dict()) is None  # fmt: skip
    # Exact-only comparisons (tests/identity/test_spark.py's hand-made model): their lowest
    # level holds every typo too, so nothing is clearly different and the override stands.
    exact = {"comparisons": [
        {"output_column_name": role, "comparison_levels": [
            {"sql_condition": f"{role}_l IS NULL", "is_null_level": True},
            {"sql_condition": f"{role}_l = {role}_r"}, {"sql_condition": "ELSE"},
        ]} for role in ("first_name", "last_name", "birth_date")
    ]}  # fmt: skip
    assert clearly_different_sql(exact) is None
