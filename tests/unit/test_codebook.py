"""The codebook is complete and coherent with FORMAT.md's contract."""

import pytest

from teichaku.codebook import load_codebook


@pytest.fixture(scope="module")
def cb():
    return load_codebook()


def test_three_tables_with_their_keys(cb):
    assert {t: cb.tables[t].key for t in cb.tables} == {
        "roster": "center_id",
        "cases": "case_ref",
        "awareness": "center_id",
    }
    assert {t: cb.tables[t].sheet for t in cb.tables} == {
        "roster": "名簿",
        "cases": "対象者",
        "awareness": "認識調査",
    }


def test_every_variable_has_labels_and_a_known_type(cb):
    types = {"center_id", "text", "category", "integer", "date", "iq", "mark", "boolean"}
    for table in cb.tables.values():
        for var in table.variables.values():
            assert var.type in types, var.name
            assert var.label_ja and var.label_en, var.name
            if var.type in {"category", "boolean"}:
                assert var.levels, var.name
            if var.type == "mark":
                assert var.group in table.groups and var.item, var.name


def test_spellings_are_unambiguous_within_a_variable(cb):
    for table in cb.tables.values():
        for var in table.variables.values():
            seen = {}
            for level in var.levels:
                for spelling in level.spellings:
                    assert seen.setdefault(spelling, level.code) == level.code, (var.name, spelling)


def test_grouped_columns_and_optional_columns_as_in_format(cb):
    cases = cb.tables["cases"]
    assert [v.name for v in cases.group_variables("barrier")] == [
        "barrier_no_agency_cooperation",
        "barrier_no_stable_service",
        "barrier_refuses_other_support",
        "barrier_facility_requests",
    ]
    optional = {v.name for v in cases.variables.values() if not v.required}
    assert "contacts" in optional
    assert all(v.startswith(("act_", "guar_", "link_", "barrier_", "contacts")) for v in optional)
    assert cases.variables["case_ref"].personal


def test_residence_levels_and_shorthands(cb):
    residence = cb.variable("cases", "current_residence")
    assert len(residence.levels) == 15
    own = next(lv for lv in residence.levels if lv.code == "own_home")
    assert {"アパート", "自宅"} <= set(own.spellings)
    assert len(cb.value_sets["prefecture"]) == 47


def test_survey_dates(cb):
    assert cb.survey["reference_date"].isoformat() == "2021-10-21"
    assert cb.survey["period_end"].isoformat() == "2021-12-07"
    assert cb.fiscal_years["r2_ended"][1].isoformat() == "2021-03-31"


def test_iq_status_codes_are_those_the_parser_returns(cb):
    from teichaku.ingest.values import parse_iq

    iq = cb.variable("cases", "iq")
    statuses = {lv.code for lv in iq.statuses}
    # One IQ cell of each form: a number, a range, 測定不能 and blank.
    cells = ["65", "50～55", iq.unmeasurable[0], ""]
    got = {
        parse_iq(cell, minimum=iq.min, maximum=iq.max, unmeasurable=frozenset(iq.unmeasurable))[1]
        for cell in cells
    }
    assert got == statuses
