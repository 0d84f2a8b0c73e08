import csv
import io

from rest_framework.renderers import BaseRenderer


class CSVRenderer(BaseRenderer):
    """The `results` rows of a response as CSV, one column a key of the first row.

    UTF-8 with a byte-order mark: without it Excel reads the file in the system's code page and
    the Chinese names come out garbled.
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        rows = data.get("results", []) if isinstance(data, dict) else []
        buffer = io.StringIO()
        buffer.write("\ufeff")
        if rows:
            writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\r\n")
            writer.writeheader()
            writer.writerows(rows)
        return buffer.getvalue().encode("utf-8")
