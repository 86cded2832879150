"""import_states / import_un_scale / load_reference_data: real files, bad files, idempotency."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from secretariat.states.models import Declaration, Instrument, ReferenceImport, ScaleRate, State, TreatyStatus

DATA = Path(__file__).resolve().parents[2] / "src" / "secretariat" / "states" / "data"
MEMBERSHIP_HEADER = (
    "name,iso3,status,signature_date,instrument,deposit_date,entry_into_force,art23_provisional,source,verified\n"
)

pytestmark = pytest.mark.django_db


def snapshot():
    """Every registry value that an import may touch, to prove a rejected file changed nothing."""
    states = list(State.objects.order_by("iso3").values())
    rates = list(ScaleRate.objects.order_by("state_id", "year").values_list("state_id", "year", "rate_percent"))
    return states, rates, State.history.count(), ScaleRate.history.count()


@pytest.fixture
def registry(db):
    """The real registry is loaded once per session (tests/conftest.py); check it is there."""
    assert State.objects.filter(iso3="AFG").exists()


def write(tmp_path, text, name="states.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_it_loads_the_real_registry(registry):
    assert State.objects.count() == 196  # 193 UN Member States, 2 observer States, Niue
    statuses = [state.status_today().status for state in State.objects.all()]
    assert statuses.count(TreatyStatus.PARTY) == 118
    assert statuses.count(TreatyStatus.SIGNATORY) == 25
    assert statuses.count(TreatyStatus.NOT_JOINED) == 53
    assert State.objects.get(iso3="AFG").entry_into_force == dt.date(2020, 10, 27)
    assert State.objects.get(iso3="ALB").entry_into_force == dt.date(2014, 12, 24)
    niue = State.objects.get(iso3="NIU")
    assert (niue.un_standing, niue.region, niue.status_today().status) == ("non_member", "none", "party")
    assert State.objects.get(iso3="PSE").un_standing == "observer"


def test_it_loads_every_year_of_the_un_scale(registry):
    china = State.objects.get(iso3="CHN")
    rates = dict(ScaleRate.objects.filter(state=china).values_list("year", "rate_percent"))
    assert rates[2025] == rates[2026] == rates[2027] == Decimal("20.004")
    assert rates[2024] == Decimal("15.254")
    for year in range(2022, 2028):
        total = sum(ScaleRate.objects.filter(year=year).values_list("rate_percent", flat=True))
        assert total == Decimal("100.000"), year


def test_it_never_guesses_an_unknown_date(registry):
    ecuador = State.objects.get(iso3="ECU")
    assert ecuador.deposit_date is None
    assert ecuador.deposit_date_partial == ""
    assert ecuador.entry_into_force is None
    assert ecuador.entry_into_force_unknown_reason
    assert ecuador.art23_declaration == Declaration.UNKNOWN


def test_a_second_load_changes_nothing(registry):
    before = snapshot()
    call_command("load_reference_data", verbosity=0)
    call_command("import_states", DATA / "att_membership.csv", verbosity=0)
    call_command("import_un_scale", DATA / "un_scale_of_assessment_2025_2027.csv", verbosity=0)
    assert snapshot() == before


def test_load_reference_data_keeps_a_staff_correction(registry):
    ecuador = State.objects.get(iso3="ECU")
    ecuador.deposit_date = dt.date(2026, 3, 2)
    ecuador.save()
    call_command("load_reference_data", verbosity=0)
    ecuador.refresh_from_db()
    assert ecuador.deposit_date == dt.date(2026, 3, 2)
    assert ecuador.entry_into_force == dt.date(2026, 5, 31)


def test_an_import_records_history_with_the_reason(registry, tmp_path):
    path = write(tmp_path, MEMBERSHIP_HEADER + "Ecuador,ECU,party,,accession,2026-03-02,2026-05-31,no,TEST,yes\n")
    call_command("import_states", path, verbosity=0)
    ecuador = State.objects.get(iso3="ECU")
    assert ecuador.entry_into_force == dt.date(2026, 5, 31)
    latest = ecuador.history.first()
    assert latest.history_change_reason == f"import {path.name}"
    assert latest.prev_record.deposit_date is None
    assert latest.deposit_date == dt.date(2026, 3, 2)
    assert ReferenceImport.objects.filter(file_name=path.name, changes=1).exists()


def test_an_empty_cell_does_not_erase_a_known_value(registry, tmp_path):
    path = write(tmp_path, MEMBERSHIP_HEADER + "Albania,ALB,party,,,,,unknown,,\n")
    call_command("import_states", path, verbosity=0)
    albania = State.objects.get(iso3="ALB")
    assert albania.deposit_date == dt.date(2014, 3, 19)
    assert albania.signature_date == dt.date(2013, 6, 3)
    assert albania.instrument == Instrument.RATIFICATION
    assert albania.art23_declaration == Declaration.NO


def test_it_keeps_a_month_only_date_as_text(registry, tmp_path):
    path = write(tmp_path, MEMBERSHIP_HEADER + "Ecuador,ECU,party,,accession,2026-03,,no,TEST,yes\n")
    call_command("import_states", path, verbosity=0)
    ecuador = State.objects.get(iso3="ECU")
    assert (ecuador.deposit_date, ecuador.deposit_date_partial) == (None, "2026-03")
    assert ecuador.entry_into_force is None
    assert "2026-03" in ecuador.entry_into_force_unknown_reason


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "Albania,ALB,party,2013-06-03,ratification,2014-02-30,,no,,",
            "deposit_date: '2014-02-30' is not a date",
        ),
        ("Albania,ALB,party,2013-06-03,ratification,2014-13,,no,,", "line 2: deposit_date: '2014-13' is not a date"),
        ("Albania,ALB,member,2013-06-03,ratification,2014-03-19,,no,,", "line 2: status 'member' is not one of"),
        ("Albania,ALB,party,2013-06-03,ratified,2014-03-19,,no,,", "line 2: instrument 'ratified' is not one of"),
        ("Albania,ALB,party,2013-06-03,ratification,2014-03-19,2015-01-01,no,,", "does not match the Treaty's rule"),
        ("Albania,ALB,party,2014-06-03,ratification,2014-03-19,,no,,", "line 2: deposit_date 2014-03-19 is before"),
        ("Albania,ALB,party,2012-06-03,ratification,2014-03-19,,no,,", "is before the Treaty opened for signature"),
        (
            "Albania,ALB,party,2013-06-03,ratification,2099-01-01,,no,,",
            "deposit_date 2099-01-01 is in the future",
        ),
        ("Albania,ALB,party,2013-06-03,ratification,2014-03-19,,maybe,,", "art23_provisional 'maybe' must be a date"),
        ("Nowhere,XQZ,party,,accession,2020-01-01,,no,,", "line 2: XQZ is not an ISO 3166 alpha-3 code"),
        ("Albania,ALB,party,2013-06-03,ratification,2014-03-19,,no,,,extra", "line 2: the row has more cells"),
    ],
)
def test_it_rejects_a_bad_row_with_its_line_number_and_changes_nothing(registry, tmp_path, row, message):
    good = "Afghanistan,AFG,party,,accession,2020-07-29,2020-10-27,no,X,yes\n"
    path = write(tmp_path, MEMBERSHIP_HEADER.replace("verified\n", "verified\n") + row + "\n" + good)
    before = snapshot()
    with pytest.raises(CommandError) as error:
        call_command("import_states", path, verbosity=0)
    assert message in str(error.value)
    assert "nothing changed" in str(error.value)
    assert snapshot() == before


def test_it_lists_every_problem_at_once(registry, tmp_path):
    path = write(
        tmp_path,
        MEMBERSHIP_HEADER
        + "Albania,ALB,party,2013-06-03,ratification,2014-02-30,,no,,\n"
        + "Andorra,AND,party,2014-12-18,ratification,2022-12-02,2023-03-02,no,,\n"
        + "Albania,ALB,party,2013-06-03,ratification,2014-03-19,,no,,\n",
    )
    with pytest.raises(CommandError) as error:
        call_command("import_states", path, verbosity=0)
    text = str(error.value)
    assert "line 2:" in text
    assert "line 4: ALB appears again (first on line 2)" in text
    assert "line 3" not in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (b"name,country\nAlbania,ALB\n", "the column 'iso3' is missing"),
        (b"iso3,deposit_dat\nALB,2014-03-19\n", "line 1: unknown column(s): deposit_dat"),
        (b"iso3,status\n", "the file has a header but no rows"),
    ],
)
def test_it_rejects_a_broken_file(registry, tmp_path, content, message):
    path = tmp_path / "broken.csv"
    path.write_bytes(content)
    before = snapshot()
    with pytest.raises(CommandError, match="nothing changed") as error:
        call_command("import_states", path, verbosity=0)
    assert message in str(error.value)
    assert snapshot() == before


def test_it_rejects_a_missing_or_huge_file(registry, tmp_path, settings):
    with pytest.raises(CommandError, match="cannot read the file"):
        call_command("import_states", tmp_path / "missing.csv", verbosity=0)
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as handle:
        handle.write(b"iso3\n")
        handle.truncate(6 * 1024 * 1024)
    with pytest.raises(CommandError, match="the limit is"):
        call_command("import_states", huge, verbosity=0)


SCALE_HEADER = "member_state,un_rate_2028_2030_pct\n"


def scale_file(tmp_path, rows):
    return write(tmp_path, SCALE_HEADER + "".join(rows), name="scale_2028.csv")


def test_a_later_scale_can_be_imported(registry, tmp_path):
    path = scale_file(tmp_path, ["China,60.000\n", "GHA,40.000\n"])
    call_command("import_un_scale", path, "--source", "GA res. 82/999", verbosity=0)
    ghana = State.objects.get(iso3="GHA")
    rates = ScaleRate.objects.filter(state=ghana, year__gte=2028)
    assert sorted(rates.values_list("year", flat=True)) == [2028, 2029, 2030]
    assert {rate.rate_percent for rate in rates} == {Decimal("40.000")}
    assert {rate.source for rate in rates} == {"GA res. 82/999"}
    before = snapshot()
    call_command("import_un_scale", path, verbosity=0)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (["Atlantis,50\n", "China,50\n"], "line 2: Atlantis is not a State in the registry"),
        (["China,abc\n", "Ghana,100\n"], "line 2: un_rate_2028_2030_pct 'abc' is not a number"),
        (["China,-1\n", "Ghana,101\n"], "must be a percentage between 0 and 100"),
        (["China,50.0000001\n", "Ghana,49.9999999\n"], "more than 5 decimal places"),
        (["China,50\n", "China,50\n"], "line 3: China appears again (first on line 2)"),
        (["China,50\n", "Ghana,40\n"], "add up to 90%, not 100%"),
    ],
)
def test_a_bad_scale_is_rejected_with_line_numbers(registry, tmp_path, rows, message):
    path = scale_file(tmp_path, rows)
    before = snapshot()
    with pytest.raises(CommandError, match="nothing changed") as error:
        call_command("import_un_scale", path, verbosity=0)
    assert message in str(error.value)
    assert snapshot() == before


def test_a_scale_without_a_rate_column_is_rejected(registry, tmp_path):
    path = write(tmp_path, "member_state,rate\nChina,100\n", name="scale.csv")
    with pytest.raises(CommandError, match="no rate column"):
        call_command("import_un_scale", path, verbosity=0)
