"""Analytics pages: one event's figures for its organizers, the college's for staff."""

import csv
from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from analytics import charts
from analytics.college import CollegeAnalytics, college_analytics
from analytics.forms import AnalyticsPeriodForm
from analytics.selectors import event_analytics
from events.manage_nav import manage_context
from events.selectors import event_get_organized
from eventsite.spreadsheets import CsvLine, spreadsheet_safe

DAY_LABEL = "%d %b"


def _percent(rate: float | None) -> str:
    return "–" if rate is None else f"{rate * 100:.0f}%"


def _days_filled(by_day: dict[str, int]) -> list[charts.Point]:
    """Every day from the first registration to the last, zero where nobody registered, so the line reads as time."""
    if not by_day:
        return []
    days = sorted(date.fromisoformat(day) for day in by_day)
    points, day = [], days[0]
    while day <= days[-1]:
        points.append(charts.Point(day.strftime(DAY_LABEL).lstrip("0"), by_day.get(day.isoformat(), 0)))
        day += timedelta(days=1)
    return points


def _event_charts(analytics: dict) -> dict:
    sessions = analytics["attendance_by_session"]
    histogram = analytics["feedback"]["histogram"]
    departments = sorted(analytics["departments"].items(), key=lambda item: (-item[1], item[0]))
    rated = [question for question in analytics["questions"] if question["kind"] == "rating"]
    registered = analytics["counts"]["registered"]
    return {
        "registrations_by_day": charts.line_chart(
            "chart-registrations",
            "Registrations per day",
            _days_filled(analytics["registrations_by_day"]),
            width=charts.WIDE,
            height=260,
        ),
        "attendance_by_session": charts.bar_chart(
            "chart-attendance",
            "Attendance per session",
            [
                charts.Point(row["title"], row["attended"], f"{row['attended']} ({_percent(row['rate'])})")
                for row in sessions
            ],
        ),
        "feedback": charts.bar_chart(
            "chart-feedback",
            "Feedback ratings",
            [charts.Point(f"{stars} ★", histogram.get(str(stars), 0)) for stars in range(1, 6)],
        ),
        "departments": charts.horizontal_bar_chart(
            "chart-departments", "Registered students by department", [(name or "(none)", n) for name, n in departments]
        ),
        "years": charts.bar_chart(
            "chart-years",
            "Registered students by year",
            [(f"Year {year}" if year.isdigit() else year.capitalize(), n) for year, n in analytics["years"].items()],
        ),
        "certificates": charts.horizontal_bar_chart(
            "chart-certificates",
            "Certificates issued",
            [
                charts.Point(
                    "Issued", analytics["certificates_issued"], f"{analytics['certificates_issued']} of {registered}"
                )
            ],
            max_value=max(registered, 1),
            label_width=60,
        ),
        "questions": charts.horizontal_bar_chart(
            "chart-questions",
            "Average rating per feedback question",
            [
                charts.Point(
                    question["prompt"],
                    question["average"] or 0,
                    f"{question['average']:.2f} / 5" if question["average"] is not None else "no answers",
                )
                for question in rated
            ],
            max_value=5,
            label_width=200,
        )
        if rated
        else None,
    }


@login_required
def event_analytics_page(request: HttpRequest, event_id: str) -> HttpResponse:
    event = event_get_organized(event_id, request.user)
    analytics = event_analytics(event)
    context = manage_context(event, "analytics") | {
        "analytics": analytics,
        "attendance_percent": _percent(analytics["attendance_rate"]),
        "charts": _event_charts(analytics),
        "text_questions": [question for question in analytics["questions"] if question["kind"] == "text"],
    }
    return render(request, "events/analytics.html", context)


def _ensure_staff(request: HttpRequest) -> None:
    if not request.user.is_staff:
        raise PermissionDenied("Only staff can see college-wide analytics.")


def _college_charts(result: CollegeAnalytics) -> dict:
    return {
        "departments": charts.horizontal_bar_chart(
            "chart-college-departments",
            "Share of each department's students who took part",
            [
                charts.Point(row.key, (row.participation_rate or 0) * 100, f"{_percent(row.participation_rate)}")
                for row in result.departments
            ],
            max_value=100,
        ),
        "years": charts.bar_chart(
            "chart-college-years",
            "Registrations by year of study",
            [(f"Year {row.key}" if row.key.isdigit() else row.key, row.registrations) for row in result.years],
        ),
        "events": charts.horizontal_bar_chart(
            "chart-college-events",
            "Events by attendance rate",
            [
                charts.Point(
                    row.title, (row.attendance_rate or 0) * 100, f"{_percent(row.attendance_rate)} of {row.registered}"
                )
                for row in result.events[:15]
            ],
            width=charts.WIDE,
            max_value=100,
            label_width=300,
        ),
    }


@login_required
def college_analytics_page(request: HttpRequest) -> HttpResponse:
    _ensure_staff(request)
    form = AnalyticsPeriodForm(request.GET)
    if not form.is_valid():
        return render(request, "events/college_analytics.html", {"form": form}, status=400)
    result = college_analytics(form.period())
    context = {
        "form": form,
        "result": result,
        "charts": _college_charts(result),
        "attendance_percent": _percent(result.attendance_rate),
        "csv_query": form.query_string(),
    }
    return render(request, "events/college_analytics.html", context)


def _college_csv(result: CollegeAnalytics) -> str:
    lines = []
    writer = csv.writer(CsvLine())
    period = f"{result.period.start.isoformat()} to {result.period.end.isoformat()}"
    lines.append(writer.writerow(["College analytics", period]))
    lines.append(writer.writerow([]))
    for title, rows in (("Department", result.departments), ("Year", result.years)):
        lines.append(
            writer.writerow(
                [
                    title,
                    "students",
                    "participants",
                    "participation_rate",
                    "registrations",
                    "attended",
                    "attendance_rate",
                ]
            )
        )
        for row in rows:
            lines.append(
                writer.writerow(
                    [
                        row.key,
                        row.students,
                        row.participants,
                        _rate(row.participation_rate),
                        row.registrations,
                        row.attended,
                        _rate(row.attendance_rate),
                    ]
                )
            )
        lines.append(writer.writerow([]))
    lines.append(writer.writerow(["Event", "title", "starts_at", "registered", "attended", "attendance_rate"]))
    for row in result.events:
        lines.append(
            writer.writerow(
                [
                    row.event_id,
                    spreadsheet_safe(row.title),
                    row.starts_at.isoformat(),
                    row.registered,
                    row.attended,
                    _rate(row.attendance_rate),
                ]
            )
        )
    lines.append(writer.writerow([]))
    lines.append(
        writer.writerow(
            ["Student", "full_name", "department", "year", "events_registered", "events_attended", "sessions_attended"]
        )
    )
    for row in result.top_students:
        lines.append(
            writer.writerow(
                [
                    row.enrollment_no,
                    spreadsheet_safe(row.full_name),
                    row.department,
                    row.year if row.year is not None else "",
                    row.events_registered,
                    row.events_attended,
                    row.sessions_attended,
                ]
            )
        )
    return "".join(lines)


def _rate(rate: float | None) -> str:
    return "" if rate is None else f"{rate:.4f}"


@login_required
def college_analytics_csv(request: HttpRequest) -> HttpResponse:
    _ensure_staff(request)
    form = AnalyticsPeriodForm(request.GET)
    if not form.is_valid():
        messages = " ".join(message for errors in form.errors.values() for message in errors)
        return HttpResponse(messages, status=400, content_type="text/plain; charset=utf-8")
    result = college_analytics(form.period())
    response = HttpResponse(_college_csv(result), content_type="text/csv; charset=utf-8")
    filename = f"college-analytics-{result.period.start.isoformat()}-{result.period.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
