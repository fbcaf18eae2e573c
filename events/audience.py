"""Who an event is for, in the sentence a student reads (the rule itself is registrations/audience.py)."""

from events.models import Event


def join_words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def audience_sentence(event: Event) -> str | None:
    """Who the event is for, in a sentence ("This event is for CSE and ECE students in years 3 and 4."), or None."""
    departments = [str(code) for code in event.eligible_departments]
    years = sorted(int(year) for year in event.eligible_years)
    if not departments and not years:
        return None
    who = f"{join_words(departments)} students" if departments else "students"
    if years:
        where = f"in year {years[0]}" if len(years) == 1 else f"in years {join_words([str(y) for y in years])}"
        who = f"{who} {where}"
    return f"This event is for {who}."
