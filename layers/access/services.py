"""Issuing API tokens."""

import secrets
from datetime import datetime

from django.core.exceptions import ValidationError

from layers.access.models import ApiToken, hash_key
from layers.access.policy import LAYERS

ACTIONS = ("read", "write")


def scopes_validate(scopes: list[str]) -> None:
    for scope in scopes:
        action, _, layer = scope.partition(":")
        if action not in ACTIONS or (layer and layer not in LAYERS):
            raise ValidationError(
                f"unknown scope {scope!r}: use read, write, read:<layer> or write:<layer> "
                f"with a layer among {', '.join(LAYERS)}"
            )


def api_token_create(
    *, user, name: str, scopes: list[str], area=None, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Creates a token and returns it with its key, which is not stored: it is shown only once."""
    scopes_validate(scopes)
    raw_key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=hash_key(raw_key),
        prefix=raw_key[:8],
        scopes=scopes,
        area=area,
        expires_at=expires_at,
    )
    return token, raw_key
