from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from layers.access.models import ApiToken, hash_key

KEYWORDS = {b"token", b"bearer"}
LAST_USED_PRECISION = timedelta(minutes=1)


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <key>` (or `Token <key>`): the request acts as the token's user."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("The Authorization header must be 'Bearer <key>'."))
        raw_key = parts[1].decode(errors="replace")
        token = (
            ApiToken.objects.select_related("user", "area")
            .filter(key_hash=hash_key(raw_key))
            .first()
        )
        if token is None or not token.user.is_active:
            raise AuthenticationFailed(_("Unknown API token."))
        if token.is_expired:
            raise AuthenticationFailed(_("This API token has expired."))
        now = timezone.now()
        # A write on every request would cost more than the read it serves: once a minute will do.
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return "Bearer"
