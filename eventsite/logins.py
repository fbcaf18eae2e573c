"""One lock-out for every way in: the login page, the admin login and the API token.

django-axes counts failed logins by username (``AXES_LOCKOUT_PARAMETERS``) and refuses the
username for ``LOGIN_FAILURE_WINDOW`` seconds once ``LOGIN_FAILURE_LIMIT`` failures are
recorded, whatever the address they came from. The username is counted under the key the
login itself matches: Unicode NFKC (what Django's login form applies), trimmed and case-folded,
so ``２２ece30107 `` and ``22ECE30107`` are one username for the lock. A username that does not
exist is locked exactly like one that does, so the lock tells a stranger nothing.
"""

import hashlib
import unicodedata

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest, HttpResponse

USERNAME_MAX_LENGTH = 150  # django.contrib.auth.models.User.username
LOCKED_MESSAGE = "Too many failed attempts for this username. Try again in {minutes} minutes."


def lockout_key(username: str | None) -> str | None:
    """The username as the lock counts it (``AXES_USERNAME_CALLABLE`` works through this).

    A name no login can have (longer than a username may be, or with a NUL) is still counted,
    under its digest, so the record fits the lock's table on every database.
    """
    if username is None:
        return None
    key = unicodedata.normalize("NFKC", str(username)).strip().casefold()
    if len(key) > USERNAME_MAX_LENGTH or "\x00" in key:
        key = "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    return key


def axes_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """``AXES_USERNAME_CALLABLE``: the attempted username from the credentials, else the form."""
    if credentials and credentials.get("username") is not None:
        return lockout_key(credentials["username"])
    data = getattr(request, "POST", None) or {}
    return lockout_key(data.get("username"))


def login_locked(request: HttpRequest | None) -> bool:
    """True once the lock-out has refused (or just locked) this request's login."""
    return bool(getattr(getattr(request, "_request", request), "axes_locked_out", False))


def locked_message() -> str:
    return LOCKED_MESSAGE.format(minutes=max(1, settings.LOGIN_FAILURE_WINDOW // 60))


def lockout_response(request: HttpRequest, original_response: HttpResponse | None, credentials=None) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: the page or API answer already says why; it becomes 429 with Retry-After."""
    response = original_response if original_response is not None else HttpResponse(locked_message())
    response.status_code = 429
    response["Retry-After"] = str(settings.LOGIN_FAILURE_WINDOW)
    return response


class LoginBackend(AxesStandaloneBackend, ModelBackend):
    """The one authentication backend: the lock-out first, then Django's model backend.

    The model backend also tries the username trimmed, NFKC-normalised and upper-cased (a
    student's username is their enrollment number, typed in any case); trying the variants
    inside one backend keeps one login attempt one attempt for the lock-out. A call without a
    request (a management command, ``Client.login`` in tests) comes from no visitor, so no
    lock-out applies to it; every way in from outside passes its request.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        if request is not None:
            # Raises PermissionDenied for a locked username; authenticate() reports it as a failure.
            AxesStandaloneBackend.authenticate(self, request, username=username, password=password)
        normalised = unicodedata.normalize("NFKC", str(username)).strip()
        candidates = [name for name in dict.fromkeys([str(username), normalised, normalised.upper()]) if name]
        user_model = get_user_model()
        found = {
            user.get_username(): user
            for user in user_model._default_manager.filter(**{f"{user_model.USERNAME_FIELD}__in": candidates})
        }
        if not found:
            user_model().set_password(password)  # as slow as a wrong password: no hint that the name is unknown
            return None
        for name in candidates:
            user = found.get(name)
            if user is not None and user.check_password(password) and self.user_can_authenticate(user):
                return user
        return None
