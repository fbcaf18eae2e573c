import xml.etree.ElementTree as ET

import pytest

from analytics.charts import Point, bar_chart, horizontal_bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _texts(root: ET.Element) -> list[str]:
    return [element.text for element in root.iter(f"{SVG}text")]


@pytest.mark.parametrize("chart", [bar_chart, line_chart, horizontal_bar_chart])
def test_every_chart_is_an_accessible_image_with_title_description_and_values(chart):
    root = _parse(chart("signups", "Registrations per day", [("1 Mar", 3), ("2 Mar", 7), ("3 Mar", 0)]))

    assert root.get("role") == "img"
    assert root.get("aria-label") == "Registrations per day"
    assert root.get("aria-labelledby") == "signups-title signups-desc"
    assert root.find(f"{SVG}title").text == "Registrations per day"
    assert root.find(f"{SVG}title").get("id") == "signups-title"
    assert root.find(f"{SVG}desc").text == "1 Mar: 3; 2 Mar: 7; 3 Mar: 0"
    assert "7" in _texts(root)
    assert "3" in _texts(root)


def test_bar_heights_are_proportional_to_the_values():
    root = _parse(bar_chart("c", "Attendance", [("a", 2), ("b", 4), ("c", 10)]))

    heights = [float(rect.get("height")) for rect in root.iter(f"{SVG}rect")]
    assert heights[1] == pytest.approx(2 * heights[0])
    assert heights[2] == pytest.approx(5 * heights[0])


def test_horizontal_bars_are_scaled_to_a_given_maximum():
    root = _parse(
        horizontal_bar_chart("c", "Rates", [Point("Day 1", 50, "50%"), Point("Day 2", 100, "100%")], max_value=100)
    )

    widths = [float(rect.get("width")) for rect in root.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]
    assert widths[1] == pytest.approx(2 * widths[0])
    assert {"50%", "100%"} <= set(_texts(root))


def test_a_point_can_show_a_text_other_than_its_value():
    root = _parse(bar_chart("c", "Sessions", [Point("Day 1", 12, "12 (60%)")]))

    assert "12 (60%)" in _texts(root)
    assert root.find(f"{SVG}desc").text == "Day 1: 12 (60%)"


def test_labels_and_titles_are_escaped():
    svg = bar_chart("c", 'Votes <script>alert("x")</script>', [("<b>&", 1)])

    root = _parse(svg)
    assert "<script>" not in svg
    assert root.find(f"{SVG}title").text == 'Votes <script>alert("x")</script>'
    assert "<b>&" in _texts(root)


@pytest.mark.parametrize("chart", [bar_chart, line_chart, horizontal_bar_chart])
def test_a_chart_without_data_says_so(chart):
    root = _parse(chart("c", "Empty", []))

    assert _texts(root) == ["No data yet."]
    assert root.find(f"{SVG}desc").text == "No data."


def test_a_line_chart_with_one_point_draws_it():
    root = _parse(line_chart("c", "One day", [("1 Mar", 5)]))

    assert len(list(root.iter(f"{SVG}circle"))) == 1
    assert "5" in _texts(root)


def test_all_zero_values_do_not_divide_by_zero():
    root = _parse(bar_chart("c", "Nothing", [("a", 0), ("b", 0)]))

    assert [float(rect.get("height")) for rect in root.iter(f"{SVG}rect")] == [0, 0]
