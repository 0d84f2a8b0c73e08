"""What an import or export refuses, and the bad rows that make an import write nothing."""

from dataclasses import dataclass

from django.utils.translation import gettext as _


class TransferRefused(Exception):
    """A file, argument or CRS the transfer cannot work with; nothing was written."""


@dataclass(frozen=True)
class RowProblem:
    row: int  # 1 is the file's first feature
    reason: str


class ImportRejected(Exception):
    """Some rows are bad: the import was rolled back and `problems` lists every one."""

    def __init__(self, problems: list[RowProblem]):
        self.problems = problems
        rows = len({problem.row for problem in problems})
        super().__init__(_("%(rows)d bad rows: nothing was imported") % {"rows": rows})
