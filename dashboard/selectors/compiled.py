"""ORM queries written to SQL once per process, then filled in with each call's values.

Pages embed ORM queries in their own SQL where the ORM holds the one definition of a figure (inventory.figures'
sums). Building and compiling such a query took Python longer than PostgreSQL took to run the statement, yet
its SQL is the same on every call: only a few parameters change (the team, the moment usage stops counting).
A CompiledQuery builds the query once with marker values for those parameters, keeps its SQL, and gives each
call the same SQL with the call's values where the markers were.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet

#: Marker values: nothing a page passes could be equal to them.
TEXT_MARKER = "\x1fmarker\x1f"
ID_MARKER = 7_306_419_582_017
MOMENT_MARKER = datetime.datetime(1901, 2, 3, 4, 5, 6, 789_012, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class _Slot:
    """Where a call's value goes among the parameters."""

    name: str


class CompiledQuery:
    """The SQL and parameters of ``build(**values).query.sql_with_params()``, compiled once.

    *markers* name build's arguments and give the marker value each is compiled with; every marker must
    reach the parameters as it was given (not be folded into the SQL text), or compiling refuses.
    """

    def __init__(self, build: Callable[..., QuerySet], **markers) -> None:
        self._build, self._markers = build, markers
        self._compiled: tuple[str, list] | None = None

    def sql_with_params(self, **values) -> tuple[str, tuple]:
        sql, params = self._compiled or self._compile()
        return sql, tuple(values[param.name] if type(param) is _Slot else param for param in params)

    def _compile(self) -> tuple[str, list]:
        sql, params = self._build(**self._markers).query.sql_with_params()
        compiled, found = [], set()
        for param in params:
            name = next((n for n, m in self._markers.items() if type(param) is type(m) and param == m), None)
            compiled.append(param if name is None else _Slot(name))
            found.add(name)
        missing = [name for name, marker in self._markers.items() if name not in found or str(marker) in sql]
        if missing:
            raise ValueError(f"{', '.join(missing)}: not a parameter of the compiled query")
        self._compiled = (sql, compiled)
        return self._compiled
