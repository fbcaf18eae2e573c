from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


class StudentTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, loading the user's student in the same query.

    Nearly every API call asks "which student is this?" (acting for oneself, defaulting
    the enrollment number); loading it with the token saves a query on each of them.
    """

    def authenticate_credentials(self, key):
        try:
            token = Token.objects.select_related("user__student").get(key=key)
        except Token.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token
