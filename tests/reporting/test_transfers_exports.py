"""Downloads of the transfer database: CSV, JSON and XLSX of the filtered rows, streamed."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.http import FileResponse, StreamingHttpResponse

from secretariat.reporting import transfer_exports
from secretariat.reporting.demo import generate_transfers
from secretariat.reporting.models import PublishedTransfer
from tests.reporting import factories_transfers as f

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture
def published():
    officer = f.officer()
    version = f.publish(
        "GHA",
        2020,
        officer,
        exports=f.form(
            f.row("I", "MEX", items=12, description=FORMULA, comments="+SUM(A1)", intermediate_location="@x"),
            f.row("VIII.SA.4", "FRA", items=None, value="1234567.89", currency="EUR", basis="authorised"),
        ),
    )
    f.publish("MEX", 2021, officer, exports=f.form(f.row("II", "GHA", items=3)))
    return version


def _content(response) -> bytes:
    return b"".join(response.streaming_content)


def test_csv_is_utf8_with_a_bom_spreadsheet_safe_and_filtered(client, published):
    response = client.get("/reports/transfers/export.csv", {"reporter": "GHA", "sort": "category"})
    content = _content(response)

    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert [row["category"] for row in rows] == ["I", "VIII.SA.4"]
    first, second = rows
    assert first["description"] == "'" + FORMULA
    assert first["comments"] == "'+SUM(A1)"
    assert first["intermediate_location"] == "'@x"
    assert first["reporter_iso3"] == "GHA"
    assert first["partner"] == "Mexico"
    assert first["items"] == "12"
    assert first["value"] == ""
    assert first["synthetic_demo_data"] == "no"
    assert first["report_url"].endswith(f"/reports/versions/{published.pk}/")
    assert second["value"] == "1234567.89"
    assert second["currency"] == "EUR"
    assert second["basis"] == "authorised"


def test_json_is_a_streamed_array_of_every_matching_row(client, published):
    response = client.get("/reports/transfers/export.json", {"year_from": "2020", "year_to": "2021"})
    records = json.loads(_content(response))

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "application/json"
    assert len(records) == 3
    assert records[0]["year"] == 2021  # newest first, the default order
    by_category = {record["category"]: record for record in records}
    assert by_category["VIII.SA.4"]["value"] == "1234567.89"
    assert by_category["I"]["description"] == FORMULA  # JSON is not a spreadsheet: kept as sent
    assert by_category["I"]["published_on"] == PublishedTransfer.objects.first().published_on.isoformat()


def test_json_of_nothing_is_an_empty_array(client, published):
    response = client.get("/reports/transfers/export.json", {"year": "2015"})

    assert json.loads(_content(response)) == []


def test_xlsx_parses_back_with_text_kept_as_text(client, published):
    response = client.get("/reports/transfers/export.xlsx", {"reporter": "GHA", "sort": "category"})

    assert isinstance(response, FileResponse)
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    header, first, second = f.xlsx_cells(_content(response))
    assert header == transfer_exports.COLUMNS
    record = dict(zip(header, first, strict=True))
    assert record["description"] == FORMULA  # a string cell, never a formula
    assert record["items"] == 12
    assert record["partner"] == "Mexico"
    assert dict(zip(header, second, strict=True))["value"] == pytest.approx(1234567.89)


def test_exports_refuse_invalid_filters(client, published):
    for kind in ("csv", "json", "xlsx"):
        response = client.get(f"/reports/transfers/export.{kind}", {"partner": "ZZZ"})
        assert response.status_code == 400
        assert "Unknown State code: ZZZ." in response.content.decode()


def test_exports_read_by_chunks_in_the_page_order(monkeypatch):
    generate_transfers(75, seed=3)
    monkeypatch.setattr(transfer_exports, "CHUNK", 10)
    from secretariat.reporting.transfers import TransferFilters, transfer_reference

    pieces = list(transfer_exports.csv_lines(TransferFilters(), "value", transfer_reference()))
    rows = list(csv.DictReader(io.StringIO("".join(pieces).lstrip("\ufeff"))))

    assert len(pieces) == 1 + 8  # the header, then one piece per chunk of ten rows
    assert len(rows) == 75
    values = [float(row["value"]) if row["value"] else -1 for row in rows]
    assert values == sorted(values)
    assert all(row["synthetic_demo_data"] == "yes" for row in rows)
