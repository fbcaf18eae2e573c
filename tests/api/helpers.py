"""Assertions shared by the API tests."""

ROLES = ("anonymous", "self", "other_student", "organizer", "other_organizer", "staff")


def error_of(response) -> dict:
    """The contract's error body, checked for its shape."""
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], dict)
    return body["error"]
