from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from layers.access.services import api_token_create
from layers.areas.models import AdminArea


class Command(BaseCommand):
    help = "Issue an API token for another system; the key is printed once."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="the username the token acts as")
        parser.add_argument("--name", required=True, help="what the token is for")
        parser.add_argument(
            "--scope",
            action="append",
            required=True,
            help="read, write, read:<layer> or write:<layer>; repeatable",
        )
        parser.add_argument("--area", help="limit the token to a division code and below")

    def handle(self, *args, user, name, scope, area, **options):
        owner = get_user_model().objects.filter(username=user).first()
        if owner is None:
            raise CommandError(f"no user named {user!r}")
        limit = None
        if area:
            limit = AdminArea.objects.filter(code=area).first()
            if limit is None:
                raise CommandError(f"no administrative area with code {area!r}")
        try:
            _token, key = api_token_create(user=owner, name=name, scopes=scope, area=limit)
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from exc
        self.stdout.write(key)
