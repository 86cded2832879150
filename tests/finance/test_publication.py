"""Publishing the quarterly status of contributions: frozen figures, PDF and XLSX, refusals, the
archive, the public pages and the summary ledger."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from openpyxl import load_workbook

from secretariat.finance.models import ContributionStatus
from secretariat.finance.services import invoices as invoice_services
from secretariat.finance.services import payments as payment_services
from secretariat.finance.services.publication import last_complete_quarter_end, status_publish
from tests.factories import UserFactory
from tests.finance.factories import fund, issued_invoices
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db

Q3 = dt.date(2026, 9, 30)


@pytest.fixture
def history():
    """Ghana and Mexico invoiced for 2026; Mexico paid 3,000 of its 5,000 in January; Ghana had a
    credit note of 100."""
    user = UserFactory()
    invoices = issued_invoices({"GHA": "1000.00", "MEX": "5000.00"}, issued_on=dt.date(2025, 10, 15), user=user)
    invoice_services.credit_note_issue(
        invoice=invoices["GHA"], amount=D("100.00"), reason="Rate corrected", user=user, issued_on=dt.date(2025, 11, 1)
    )
    payment_services.payment_record(
        fund=fund(), state=invoices["MEX"].state, received_on=dt.date(2026, 1, 10), amount=D("3000.00"), user=user
    )
    return invoices


def stored_files() -> list[str]:
    try:
        return sorted(default_storage.listdir("finance/status")[1])
    except FileNotFoundError:
        return []


@pytest.mark.parametrize(
    ("today", "quarter_end"),
    [
        (dt.date(2026, 12, 6), dt.date(2026, 9, 30)),
        (dt.date(2026, 12, 31), dt.date(2026, 9, 30)),
        (dt.date(2027, 1, 1), dt.date(2026, 12, 31)),
        (dt.date(2026, 4, 1), dt.date(2026, 3, 31)),
        (dt.date(2026, 6, 30), dt.date(2026, 3, 31)),
    ],
)
def test_the_default_date_is_the_end_of_the_last_complete_quarter(today, quarter_end):
    assert last_complete_quarter_end(today) == quarter_end


def test_a_publication_is_frozen_with_its_pdf_and_xlsx(history, client):
    status = status_publish(user=UserFactory(), as_of=Q3)
    assert status.figures["as_of"] == "2026-09-30"
    assert status.figures["totals"] == {
        "assessed": "6000.00",
        "credited": "100.00",
        "received": "3000.00",
        "outstanding": "2900.00",
        "credit_held": "0.00",
    }
    # Mexico pays the rest after the publication: the published quarter does not change.
    payment_services.payment_record(
        fund=fund(),
        state=history["MEX"].state,
        received_on=dt.date(2026, 10, 5),
        amount=D("2000.00"),
        user=status.published_by,
    )
    status.refresh_from_db()
    assert status.figures["totals"]["outstanding"] == "2900.00"
    page = client.get("/finance/contributions/")
    assert page.status_code == 200
    html = page.content.decode()
    for expected in ("Mexico", "3,000.00", "2,900.00", "30 September 2026"):
        assert expected in html, expected
    assert "/finance/contributions/2026-09-30/status.pdf" in html

    pdf = client.get("/finance/contributions/2026-09-30/status.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(b"".join(pdf.streaming_content)).split())
    assert "Status of contributions to the General Budget as of 30 September 2026" in text
    for expected in ("Ghana", "Mexico", "1,000.00", "100.00", "900.00", "5,000.00", "3,000.00", "2,000.00", "2,900.00"):
        assert expected in text, expected

    xlsx = client.get("/finance/contributions/2026-09-30/status.xlsx")
    workbook = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)), read_only=True)
    assert workbook.sheetnames == ["By State and year", "By State", "By financial year"]
    rows = list(workbook["By State and year"].iter_rows(values_only=True))
    assert "as of 2026-09-30 (USD)" in rows[0][0]
    assert rows[2] == (
        "State",
        "ISO3",
        "UN regional group",
        "Financial year",
        "Assessed",
        "Credit notes",
        "Received",
        "Outstanding",
    )
    assert rows[3:] == [
        ("Ghana", "GHA", "African States", 2026, 1000, 100, 0, 900),
        ("Mexico", "MEX", "Latin American and Caribbean States", 2026, 5000, 0, 3000, 2000),
        ("Total", None, None, None, 6000, 100, 3000, 2900),
    ]
    by_year = list(workbook["By financial year"].iter_rows(values_only=True))
    assert by_year[3:] == [(2026, 6000, 100, 3000, 2900), ("Total", 6000, 100, 3000, 2900)]


def test_refusals_write_nothing(history):
    user = UserFactory()
    status_publish(user=user, as_of=Q3)
    files = stored_files()
    assert len(files) == 2
    with pytest.raises(ValidationError, match="already been published"):
        status_publish(user=user, as_of=Q3)
    with pytest.raises(ValidationError, match="future"):
        status_publish(user=user, as_of=dt.date.today() + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="Nothing had been assessed"):
        status_publish(user=user, as_of=dt.date(2025, 10, 14))
    assert ContributionStatus.objects.count() == 1
    assert stored_files() == files


def test_the_files_are_removed_when_the_row_cannot_be_saved(history, monkeypatch):
    def broken_save(self, *args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ContributionStatus, "save", broken_save)
    with pytest.raises(RuntimeError):
        status_publish(user=UserFactory(), as_of=Q3)
    assert stored_files() == []
    monkeypatch.undo()
    assert ContributionStatus.objects.count() == 0


def test_the_archive_keeps_every_quarter(history, client):
    user = UserFactory()
    status_publish(user=user, as_of=dt.date(2025, 12, 31))
    status_publish(user=user, as_of=Q3)
    archive = client.get("/finance/contributions/archive/").content.decode()
    assert archive.index("/finance/contributions/2026-09-30/") < archive.index("/finance/contributions/2025-12-31/")
    earlier = client.get("/finance/contributions/2025-12-31/")
    assert earlier.status_code == 200
    html = earlier.content.decode()
    assert "a later status has been published since" in html
    assert "6,000.00" in html
    assert "3,000.00" not in html  # Mexico paid in January 2026
    latest = client.get("/finance/contributions/").content.decode()
    assert "a later status has been published since" not in latest
    assert "3,000.00" in latest
    assert client.get("/finance/contributions/2026-06-30/").status_code == 404
    assert client.get("/finance/contributions/2026-02-30/").status_code == 404
    # A year filter, and a bad one that is ignored.
    assert client.get("/finance/contributions/?year=2026").status_code == 200
    assert client.get("/finance/contributions/?year=abc").status_code == 200


def test_before_any_publication_the_public_pages_say_so(history, client):
    page = client.get("/finance/contributions/")
    assert page.status_code == 200
    assert "No status of contributions has been published yet." in page.content.decode()
    assert "5,000.00" not in page.content.decode()  # the live figures are never shown


def test_the_summary_ledger_of_a_publication(history, client):
    status_publish(user=UserFactory(), as_of=Q3)
    page = client.get("/finance/contributions/2026-09-30/ledger/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "General Budget" in html
    for expected in ("6,000.00", "100.00", "3,000.00", "2,900.00"):
        assert expected in html, expected
    periods = ContributionStatus.objects.get().figures["summary_ledger"]["funds"][0]["periods"]
    assert [(p["year"], p["assessed"], p["received"], p["receivable"]) for p in periods] == [
        (2025, "6000.00", "0.00", "5900.00"),
        (2026, "0.00", "3000.00", "2900.00"),
    ]


def test_staff_publish_through_the_page(history, client_as):
    client, _user = client_as("staff_finance")
    form = client.get("/finance/contributions/publish/")
    assert form.status_code == 200
    assert f'value="{last_complete_quarter_end(dt.date.today()).isoformat()}"' in form.content.decode()
    response = client.post("/finance/contributions/publish/", {"as_of": "2026-09-30"})
    assert response.status_code == 302
    assert response["Location"] == "/finance/contributions/2026-09-30/"
    again = client.post("/finance/contributions/publish/", {"as_of": "2026-09-30"})
    assert again.status_code == 400
    assert "already been published" in again.content.decode()
    assert ContributionStatus.objects.count() == 1


@pytest.mark.parametrize("persona", ["staff_reporting", "management_committee", "state_a_rep"])
def test_only_finance_and_admin_staff_publish(history, client_as, persona):
    client, _user = client_as(persona)
    response = client.post("/finance/contributions/publish/", {"as_of": "2026-09-30"})
    assert response.status_code == 403
    assert ContributionStatus.objects.count() == 0
