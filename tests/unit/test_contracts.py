"""Every contract rule rejects its bad case with its reason; good rows come out typed."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from pipelines.contracts import FileRejected, all_rules, module, validate
from pipelines.contracts.common import Context
from pipelines.readers import ROW, RawTable

CTX = Context(
    hub_aliases={
        "origin": "origin",
        "originmathshub": "origin",
        "origin maths hub": "origin",
        "mobius": "mobius",
    },
    programme_aliases={"masteringnumberatks2": "mastering-number-ks2"},
    work_group_ids=pl.Series(["origin-25-0001"], dtype=pl.String),
    school_urns=pl.Series([136310, 100000], dtype=pl.Int64),
    foreign_districts=pl.Series(["EH1", "CF10"], dtype=pl.String),
    llme_emails=pl.DataFrame({"email": ["taken@example.org"], "email_owner": ["origin-L0999"]}),
)

GOOD = {
    "work_groups": {
        "work_group_id": "origin-25-0001",
        "hub": "Origin Maths Hub",
        "academic_year": "2025/26",
        "project_code": "NCP25-06",
        "programme": "Mastering Number at KS2",
        "title": "Mastering Number, Solihull",
        "phases": "KS2; Secondary",
        "delivery": "F2F",
        "venue_name": "Tudor Grange Academy",
        "venue_postcode": "b91 3pd",
        "session_dates": "2025-10-14;14/11/2025",
        "capacity": "20",
        "places_left": "5",
        "status": "Booking open",
        "booking_url": "https://example.org/wg",
        "cost_note": "Fully funded",
        "eligibility": "Year 4 and 5 teachers",
    },
    "llmes": {
        "llme_id": "origin-L0001",
        "hub": "origin",
        "full_name": "Ada Tangent",
        "email": "Ada.Tangent@example.org",
        "school_urn": "136310",
        "school_name": "Tudor Grange Academy",
        "roles": "WGL;MHL",
        "phases": "EYFS",
        "accreditations": "PMS",
        "first_active_year": "2022/23",
        "last_active_year": "2025-26",
    },
    "participations": {
        "work_group_id": "origin-25-0001",
        "school_urn": "136310",
        "teachers": "2",
        "stage": "TfM Embedding",
    },
}

# rule -> (column, bad value) that must fail exactly that rule (and no other on this row)
BAD = {
    "work_groups": {
        "work_group_id_present": ("work_group_id", None),
        "work_group_id_format": ("work_group_id", "has spaces"),
        "hub_present": ("hub", None),
        "hub_known": ("hub", "Atlantis Maths Hub"),
        "academic_year_valid": ("academic_year", "2025/27"),
        "project_code_format": ("project_code", "NCP 25 06 !"),
        "programme_present": ("programme", None),
        "programme_length": ("programme", "x" * 201),
        "title_present": ("title", None),
        "title_length": ("title", "x" * 301),
        "phases_present": ("phases", " ; "),
        "phases_known": ("phases", "primary;Martian"),
        "delivery_known": ("delivery", "carrier pigeon"),
        "venue_postcode_valid": ("venue_postcode", "NOT A PC"),
        "venue_postcode_in_person": ("venue_postcode", None),
        "venue_in_england": ("venue_postcode", "EH1 1YZ"),
        "session_dates_present": ("session_dates", ";"),
        "session_dates_valid": ("session_dates", "31/02/2026"),
        "session_dates_in_year": ("session_dates", "2026-09-01"),
        "capacity_count": ("capacity", "-3"),
        "places_left_count": ("places_left", "lots"),
        "places_left_within_capacity": ("places_left", "21"),
        "status_known": ("status", "maybe"),
        "booking_url_web": ("booking_url", "javascript:alert(1)"),
        "venue_name_length": ("venue_name", "x" * 301),
        "cost_note_length": ("cost_note", "x" * 2001),
        "eligibility_length": ("eligibility", "x" * 2001),
    },
    "llmes": {
        "llme_id_present": ("llme_id", None),
        "llme_id_format": ("llme_id", "a b"),
        "hub_present": ("hub", None),
        "hub_known": ("hub", "nowhere"),
        "full_name_present": ("full_name", None),
        "full_name_length": ("full_name", "x" * 201),
        "email_format": ("email", "not-an-email"),
        "same_person": ("email", " Taken@Example.org"),
        "school_urn_format": ("school_urn", "12AB"),
        "school_name_length": ("school_name", "x" * 201),
        "roles_present": ("roles", ";"),
        "roles_known": ("roles", "Wizard"),
        "phases_present": ("phases", None),
        "phases_known": ("phases", "KS9"),
        "accreditations_known": ("accreditations", "Black belt"),
        "first_active_year_valid": ("first_active_year", "last year"),
        "last_active_year_valid": ("last_active_year", "2025"),
        "active_years_ordered": ("last_active_year", "2021/22"),
    },
    "participations": {
        "work_group_id_present": ("work_group_id", None),
        "work_group_known_rule": ("work_group_id", "unknown-wg"),
        "school_urn_format": ("school_urn", "12345"),
        "school_known_rule": ("school_urn", "999999"),
        "teachers_count": ("teachers", "0"),
        "stage_known": ("stage", "finished"),
    },
}


def raw(rows: list[dict]) -> RawTable:
    columns = list(rows[0])
    frame = pl.DataFrame(rows, schema={c: pl.String for c in columns}).with_columns(
        pl.Series(ROW, range(2, len(rows) + 2), dtype=pl.Int64)
    )
    return RawTable(frame, columns)


@pytest.mark.parametrize("entity", list(GOOD))
def test_good_row_loads_typed(entity):
    v = validate(entity, raw([GOOD[entity]]), CTX, "f.csv")
    assert v.quarantine.height == 0, v.quarantine.to_dicts()
    assert v.good.height == 1


def test_good_work_group_is_normalised():
    row = validate("work_groups", raw([GOOD["work_groups"]]), CTX, "f.csv").good.row(0, named=True)
    assert row["hub_id"] == "origin"
    assert row["programme_id"] == "mastering-number-ks2"
    assert row["phases"] == ["primary", "secondary"]
    assert row["delivery"] == "face_to_face"
    assert row["status"] == "open"
    assert row["venue_postcode"] == "B91 3PD"
    assert row["session_dates"] == [date(2025, 10, 14), date(2025, 11, 14)]
    assert (row["capacity"], row["places_left"], row["year_start"]) == (20, 5, 2025)


def test_good_llme_is_normalised():
    row = validate("llmes", raw([GOOD["llmes"]]), CTX, "f.csv").good.row(0, named=True)
    assert row["roles"] == ["work_group_lead", "maths_hub_lead"]
    assert row["phases"] == ["early_years"]
    assert row["accreditations"] == ["primary_mastery_specialist"]
    assert (row["first_active_year"], row["last_active_year"]) == ("2022/23", "2025/26")
    assert row["email"] == "ada.tangent@example.org"


CASES = [(e, rule, col, value) for e, rules in BAD.items() for rule, (col, value) in rules.items()]


@pytest.mark.parametrize(("entity", "rule", "column", "value"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_each_rule_rejects_its_bad_case_with_its_reason(entity, rule, column, value):
    row = {**GOOD[entity], column: value}
    v = validate(entity, raw([row]), CTX, "f.csv")
    assert v.good.height == 0
    failures = v.quarantine.to_dicts()
    assert {f["rule"] for f in failures} == {rule}, failures
    expected = all_rules(entity)[rule]
    assert failures[0]["column_name"] == expected.column == column
    assert failures[0]["reason"] == expected.reason
    assert failures[0]["row_number"] == 2


def test_every_rule_has_a_bad_case():
    for entity in GOOD:
        assert set(module(entity).rules.rules) == set(BAD[entity]), entity


def test_face_to_face_needs_a_postcode_online_does_not():
    base = {**GOOD["work_groups"], "venue_postcode": None}
    v = validate(
        "work_groups", raw([base, {**base, "work_group_id": "wg-2", "delivery": "Zoom"}]), CTX, "f.csv"
    )
    assert v.quarantine["rule"].to_list() == ["venue_postcode_in_person"]
    assert v.good["work_group_id"].to_list() == ["wg-2"]


def test_mixed_file_rows_in_equal_loaded_plus_quarantined_and_last_duplicate_wins():
    good = GOOD["work_groups"]
    rows = [
        good,
        {**good, "work_group_id": "wg-2", "capacity": "x"},
        {**good, "work_group_id": "wg-3"},
        {**good, "title": "Second copy wins"},
    ]
    v = validate("work_groups", raw(rows), CTX, "f.csv")
    assert v.received == 4
    assert v.good.height + v.quarantined_rows == 4
    assert sorted(v.good["work_group_id"]) == ["origin-25-0001", "wg-3"]
    assert v.good.filter(pl.col("work_group_id") == "origin-25-0001")["title"].item() == "Second copy wins"
    assert v.reasons == {"capacity_count": 1, "duplicate_key": 1}


def test_missing_required_column_rejects_naming_it():
    row = {k: v for k, v in GOOD["participations"].items() if k != "teachers"}
    with pytest.raises(FileRejected, match="required column 'teachers' is missing"):
        validate("participations", raw([row]), CTX, "p.csv")


def test_extra_columns_are_kept_aside_and_reported():
    v = validate("participations", raw([{**GOOD["participations"], "notes": "hi"}]), CTX, "p.csv")
    assert v.extra_columns == ["notes"]
    assert v.good.height == 1


def test_an_english_school_postcode_in_a_border_district_is_accepted():
    ctx = Context(
        CTX.hub_aliases,
        CTX.programme_aliases,
        CTX.work_group_ids,
        CTX.school_urns,
        foreign_districts=pl.Series(["NP16"], dtype=pl.String),
        school_postcodes=pl.Series(["NP16 7LA"], dtype=pl.String),
    )
    rows = [
        {**GOOD["work_groups"], "venue_postcode": "NP16 7LA"},
        {**GOOD["work_groups"], "work_group_id": "wg-2", "venue_postcode": "NP16 5AA"},
    ]
    v = validate("work_groups", raw(rows), ctx, "f.csv")
    assert v.good["work_group_id"].to_list() == ["origin-25-0001"]
    assert v.quarantine["rule"].to_list() == ["venue_in_england"]


def test_one_person_under_two_llme_ids_is_quarantined_once():
    """Issue 10 item 5: the same normalised email under a second llme_id is the same person."""
    rows = [
        {**GOOD["llmes"], "llme_id": "origin-L0001", "email": "Ada.Tangent@example.org"},
        {**GOOD["llmes"], "llme_id": "origin-L0002", "email": " ada.tangent@EXAMPLE.org "},
        {**GOOD["llmes"], "llme_id": "origin-L0003", "email": "someone.else@example.org"},
        {**GOOD["llmes"], "llme_id": "origin-L0004", "email": None},
        {**GOOD["llmes"], "llme_id": "origin-L0005", "email": None},
    ]
    v = validate("llmes", raw(rows), CTX, "people.csv")
    assert v.good["llme_id"].to_list() == ["origin-L0001", "origin-L0003", "origin-L0004", "origin-L0005"]
    assert v.reasons == {"same_person": 1}
    assert v.quarantine.select("row_number", "column_name").rows() == [(3, "email")]


def test_templates_ddl_and_readme_are_generated_from_the_one_declaration(tmp_path):
    """Issue 11 item 4: data/templates, the tables' DDL and README's tables come from spec.py."""
    import shutil

    from pipelines.config import REPO_ROOT
    from pipelines.contracts import generate, spec

    assert generate.drifted() == [], "run `python -m pipelines.contracts.generate`"
    for entity, m in (("work_groups", module("work_groups")), ("llmes", module("llmes"))):
        assert m.TEMPLATE == spec.ENTITIES[entity].template
    # The check can fail: a hand edit to a copy of the template is found.
    for rel in ("README.md", "data/templates", "pipelines/models/tables"):
        src = REPO_ROOT / rel
        (shutil.copytree if src.is_dir() else shutil.copyfile)(src, tmp_path / rel)
    (tmp_path / "data/templates/llmes.csv").write_text("llme_id,hub,name\n", encoding="utf-8")
    assert generate.drifted(tmp_path) == [tmp_path / "data/templates/llmes.csv"]


@pytest.mark.parametrize("entity", ["work_groups", "llmes", "participations"])
def test_contract_output_is_the_declared_table(entity):
    """What `finish` returns is exactly the declared stored columns (less what loading adds)."""
    from pipelines.contracts import spec

    row = {c: GOOD[entity][c] for c in module(entity).TEMPLATE}
    v = validate(entity, raw([row]), CTX, "x.csv")
    assert tuple(v.good.columns) == spec.output(entity)
