"""The one error type users see, and the diagnostics a build collects."""

from __future__ import annotations

from dataclasses import dataclass, field

ERROR = "error"
WARNING = "warning"
INFO = "info"


@dataclass(frozen=True)
class Diagnostic:
    """A message about a place in a source file: ``file:line: message``."""

    file: str
    line: int | None
    message: str
    severity: str = WARNING
    code: str = ""
    column: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        code = f"{self.code} " if self.code else ""
        return f"{where}: {code}{self.message}"

    def as_json(self) -> dict:
        return {"file": self.file, "line": self.line, "message": self.message}


class AnkigenError(Exception):
    """A problem the user can fix: shown as one line, never as a traceback.

    ``diagnostics`` carries every problem found when there are several
    (all refused files, all config errors), so they are reported at once.
    """

    def __init__(self, message: str, path: str | None = None, line: int | None = None,
                 diagnostics: list[Diagnostic] | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.diagnostics = diagnostics or [
            Diagnostic(path or "ankigen", line, message, ERROR)
        ]

    def __str__(self) -> str:
        return "\n".join(str(d) for d in self.diagnostics)


@dataclass
class Problems:
    """Collects diagnostics while a stage runs; raises them together at the end."""

    items: list[Diagnostic] = field(default_factory=list)

    def warn(self, file: str, line: int | None, message: str, code: str = "") -> None:
        self.items.append(Diagnostic(file, line, message, WARNING, code))

    def info(self, file: str, line: int | None, message: str, code: str = "") -> None:
        self.items.append(Diagnostic(file, line, message, INFO, code))

    def error(self, file: str, line: int | None, message: str, code: str = "") -> None:
        self.items.append(Diagnostic(file, line, message, ERROR, code))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == WARNING]

    def raise_errors(self, summary: str) -> None:
        errors = self.errors
        if errors:
            raise AnkigenError(summary, errors[0].file, errors[0].line, errors)
