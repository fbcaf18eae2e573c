"""The signed, time-limited, single-use link that proves a sign-up's email address.

The token names the login and a keyed digest of its state (active or not, password, email,
last login). Following the link activates the login, which changes that state, so a link
works once; signing up again (a new password) retires every link sent before. The token is
signed with SECRET_KEY and expires after SIGNUP_VERIFICATION_MAX_AGE seconds; nothing is
stored for it.
"""

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "registrations.signup-verification"


def _state(user: User) -> str:
    seen = f"{user.pk}|{user.is_active}|{user.password}|{user.email}|{user.last_login}"
    return salted_hmac(SALT, seen).hexdigest()[:32]


def signup_link_token(user: User) -> str:
    return signing.dumps([user.pk, _state(user)], salt=SALT, compress=True)


def signup_link_user(token: str) -> User | None:
    """The login the token was made for, if the token is genuine, in date and not yet used."""
    try:
        pk, state = signing.loads(token, salt=SALT, max_age=settings.SIGNUP_VERIFICATION_MAX_AGE)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    user = User.objects.filter(pk=pk).first() if isinstance(pk, int) else None
    if user is None or user.is_active or not isinstance(state, str) or not constant_time_compare(state, _state(user)):
        return None
    return user


def signup_pending(user: User) -> bool:
    """A login made by a sign-up whose email was never proven: inactive and never used."""
    return not user.is_active and user.last_login is None
