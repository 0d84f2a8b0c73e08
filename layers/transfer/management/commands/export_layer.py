from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from layers.transfer.errors import TransferRefused
from layers.transfer.services import layer_export
from layers.transfer.specs import LAYERS
from layers.transfer.writers import WRITERS


class Command(BaseCommand):
    help = (
        "Export a layer in EPSG:4326 to GeoJSON, GeoPackage (through ogr2ogr) or CSV, "
        "with the columns import_layer reads. An existing OUTPUT is replaced."
    )

    def add_arguments(self, parser):
        parser.add_argument("output")
        parser.add_argument("--layer", required=True, choices=list(LAYERS))
        parser.add_argument("--format", required=True, choices=list(WRITERS))
        parser.add_argument(
            "--area",
            metavar="CODE",
            help="only features inside this division (its code prefix), e.g. 410102001000",
        )
        parser.add_argument(
            "--as-user",
            metavar="USERNAME",
            help="only the features this user's role may see (what they could read in the API)",
        )

    def handle(self, *args, **options):
        user = None
        if options["as_user"]:
            user = get_user_model().objects.filter(username=options["as_user"]).first()
            if user is None:
                raise CommandError(_("no user %(name)s") % {"name": options["as_user"]})
        try:
            written = layer_export(
                layer=options["layer"],
                path=options["output"],
                format=options["format"],
                area_code=options["area"],
                user=user,
            )
        except TransferRefused as refused:
            raise CommandError(str(refused)) from refused
        self.stdout.write(
            _("Exported %(count)d %(layer)s to %(output)s.")
            % {"count": written, "layer": options["layer"], "output": options["output"]}
        )
