"""The server-side SVG charts: structure, accessibility, escaping, no inline styles."""

from __future__ import annotations

import re
from decimal import Decimal
from xml.etree import ElementTree

from secretariat.reporting.charts import (
    FILLS,
    Cell,
    Series,
    horizontal_bars,
    nice_maximum,
    stacked_bars,
    status_strip,
    ticks,
)

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ElementTree.Element:
    """The markup is well-formed XML (inline SVG in HTML, and served alone as well)."""
    return ElementTree.fromstring(svg)  # noqa: S314 - our own output


def contrast(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


def timeliness_chart(**overrides) -> str:
    options = {
        "svg_id": "chart-test",
        "title": "Annual reports by year",
        "description": "Stacked bars, one per year.",
        "categories": ["2019", "2020", "2021"],
        "series": [
            Series("on_time", "On time", [5, 0, 2]),
            Series("in_grace", "In the grace period", [1, 0, 0]),
            Series("late", "Late", [2, 0, 1]),
            Series("not_submitted", "Not submitted", [3, 0, 4]),
        ],
    }
    return str(stacked_bars(**{**options, **overrides}))


def test_stacked_bars_draw_one_bar_per_category_and_one_segment_per_nonzero_value():
    svg = timeliness_chart()
    root = parse(svg)

    bars = root.findall(f"{SVG}g[@class='bar']")
    assert len(bars) == 3
    assert [bar.find(f"{SVG}title").text for bar in bars] == [
        "2019 — On time: 5; In the grace period: 1; Late: 2; Not submitted: 3 (11)",
        "2020 — On time: 0; In the grace period: 0; Late: 0; Not submitted: 0 (0)",
        "2021 — On time: 2; In the grace period: 0; Late: 1; Not submitted: 4 (7)",
    ]
    segments = [rect.get("class") for bar in bars for rect in bar.findall(f"{SVG}rect")]
    assert segments == [
        "segment segment-on_time",
        "segment segment-in_grace",
        "segment segment-late",
        "segment segment-not_submitted",
        "segment segment-on_time",
        "segment segment-late",
        "segment segment-not_submitted",
    ]


def test_segment_heights_are_proportional_and_stacked():
    root = parse(timeliness_chart())
    first_bar = root.findall(f"{SVG}g[@class='bar']")[0]
    rects = first_bar.findall(f"{SVG}rect")
    heights = [float(rect.get("height")) for rect in rects]
    assert [round(h / heights[0] * 5, 6) for h in heights] == [5, 1, 2, 3]
    # Each segment sits on the one below it.
    for lower, upper in zip(rects, rects[1:], strict=False):
        assert float(upper.get("y")) + float(upper.get("height")) == float(lower.get("y"))


def test_a_chart_has_a_title_a_description_and_is_an_image():
    root = parse(timeliness_chart())

    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-test-title"
    assert root.get("aria-describedby") == "chart-test-desc"
    assert root.find(f"{SVG}title").get("id") == "chart-test-title"
    assert root.find(f"{SVG}title").text == "Annual reports by year"
    assert root.find(f"{SVG}desc").text == "Stacked bars, one per year."
    legend = [text.text for text in root.find(f".//{SVG}g[@class='legend']").iter(f"{SVG}text")]
    assert legend == ["On time", "In the grace period", "Late", "Not submitted"]


def test_charts_use_no_inline_style_and_no_script():
    charts = [
        timeliness_chart(),
        str(
            horizontal_bars(
                svg_id="r", title="t", description="d", labels=["A"], values=[Decimal("50")], value_texts=["50 %"]
            )
        ),
        str(
            status_strip(
                svg_id="s",
                title="t",
                description="d",
                cells=[Cell("2020", "late", "Late")],
                legend=[("late", "Late")],
            )
        ),
    ]
    for svg in charts:
        assert "style" not in svg
        assert "<script" not in svg
        assert "http://" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_text_is_escaped():
    svg = timeliness_chart(title="<script>alert(1)</script>", categories=["A & B", "2020", "2021"])
    root = parse(svg)
    assert root.find(f"{SVG}title").text == "<script>alert(1)</script>"
    assert "<script>" not in svg
    assert "A &amp; B" in svg


def test_hatched_series_get_a_pattern_of_their_own():
    svg = timeliness_chart()
    assert 'id="chart-test-hatch-not_submitted"' in svg
    assert 'fill="url(#chart-test-hatch-not_submitted)"' in svg
    assert "hatch-on_time" not in svg


def test_the_colours_keep_a_3_to_1_contrast_with_white():
    for key, (colour, _hatched) in FILLS.items():
        assert contrast(colour) >= 3, key


def test_horizontal_bars_scale_to_100_and_skip_missing_values():
    svg = str(
        horizontal_bars(
            svg_id="rates",
            title="Rates",
            description="By region",
            labels=["African States", "Asia-Pacific States", "All regions"],
            values=[Decimal("50.0"), None, Decimal("100.0")],
            value_texts=["50.0 % (1/2)", "no report expected", "100.0 % (3/3)"],
        )
    )
    root = parse(svg)
    bars = root.findall(f"{SVG}g[@class='bar']")
    assert len(bars) == 3
    widths = [[float(rect.get("width")) for rect in bar.findall(f"{SVG}rect")] for bar in bars]
    assert widths[1] == []
    assert widths[0][0] * 2 == widths[2][0]
    assert bars[1].find(f"{SVG}title").text == "Asia-Pacific States: no report expected"


def test_a_status_strip_has_one_cell_per_year():
    cells = [
        Cell(str(year), key, f"{year}: {key}")
        for year, key in [(2019, "on_time"), (2020, "late"), (2021, "not_yet_due")]
    ]
    root = parse(str(status_strip(svg_id="h", title="History", description="d", cells=cells, legend=[])))

    groups = [g for g in root.iter(f"{SVG}g") if (g.get("class") or "").startswith("cell ")]
    assert [g.get("class") for g in groups] == ["cell cell-on_time", "cell cell-late", "cell cell-not_yet_due"]
    assert [g.find(f"{SVG}title").text for g in groups] == ["2019: on_time", "2020: late", "2021: not_yet_due"]
    assert re.search(
        r'fill="url\(#h-hatch-not_yet_due\)"',
        str(status_strip(svg_id="h", title="t", description="d", cells=cells, legend=[])),
    )


def test_the_axis_is_round():
    assert [nice_maximum(value) for value in (0, 1, 7, 11, 63, 118, 151, 999)] == [1, 1, 8, 12, 80, 120, 200, 1000]
    assert ticks(120) == [0, 30, 60, 90, 120]
    assert ticks(3) == [0, 1, 2, 3]


def test_an_empty_chart_still_draws():
    svg = timeliness_chart(categories=["2025"], series=[Series("on_time", "On time", [0])])
    root = parse(svg)
    assert len(root.findall(f"{SVG}g[@class='bar']")) == 1
    assert root.findall(f"{SVG}g[@class='bar']/{SVG}rect") == []
