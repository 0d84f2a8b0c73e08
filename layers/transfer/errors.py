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
    """Some rows are bad: the import was rolled back. `problems` lists the first ones found
    (GISGOV_IMPORT_LISTED_PROBLEMS, so that a huge bad file is not held in memory, in the job's
    result or on screen); `bad_rows` and `total_problems` count them all."""

    def __init__(
        self,
        problems: list[RowProblem],
        *,
        bad_rows: int | None = None,
        total_problems: int | None = None,
    ):
        self.problems = problems
        self.bad_rows = len({p.row for p in problems}) if bad_rows is None else bad_rows
        self.total_problems = len(problems) if total_problems is None else total_problems
        super().__init__(_("%(rows)d bad rows: nothing was imported") % {"rows": self.bad_rows})

    @property
    def unlisted(self) -> int:
        """Problems found beyond those listed."""
        return self.total_problems - len(self.problems)
