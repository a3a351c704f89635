"""The result of a count: who was elected, and a stage-by-stage transcript anyone can check.

`CountResult.to_json()` writes exactly the published transcript format:

    {"method": .., "seats": .., "valid": .., "quota": number|null, "elected": [names in order of election],
     "stages": [{"number": 1, "action": "first"|"surplus"|"exclusion", "candidate": name|null,
                 "quota": number|null, "totals": {name: value, ...}, "elected_this_stage": [names],
                 "non_transferable": value}, ...]}

Values are exact decimals (`Decimal`) inside the library and are written as JSON numbers with their exact digits
(never through binary floating point). `log` (ties and how they were broken, the seed of any lot) is not part of
the JSON transcript; the CLI prints it on stderr and in the readable table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

Number = int | Decimal


@dataclass
class Stage:
    number: int
    action: str  # "first", "surplus" or "exclusion"
    candidate: str | None
    quota: Number | None
    totals: dict[str, Number]
    elected_this_stage: list[str]
    non_transferable: Number


@dataclass
class CountResult:
    method: str
    seats: int
    valid: int
    quota: Number | None
    elected: list[str]
    stages: list[Stage]
    log: list[str] = field(default_factory=list)
    seed: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The transcript as plain Python data (Decimal values), keys in the published order."""
        return {
            "method": self.method,
            "seats": self.seats,
            "valid": self.valid,
            "quota": self.quota,
            "elected": list(self.elected),
            "stages": [
                {
                    "number": s.number,
                    "action": s.action,
                    "candidate": s.candidate,
                    "quota": s.quota,
                    "totals": dict(s.totals),
                    "elected_this_stage": list(s.elected_this_stage),
                    "non_transferable": s.non_transferable,
                }
                for s in self.stages
            ],
        }

    def to_json(self, *, indent: int | None = None) -> str:
        """The transcript as JSON text, numbers written with their exact decimal digits."""
        return _dump(self.as_dict(), indent, 0)

    def to_table(self) -> str:
        """A readable stage-by-stage table, like a returning officer's count sheet."""
        names = list(self.stages[0].totals) if self.stages else []
        rows = [["Stage"] + [str(s.number) for s in self.stages]]
        for name in names:
            cells = [name]
            for stage in self.stages:
                mark = " *" if name in stage.elected_this_stage else ""
                cells.append(f"{format_number(stage.totals.get(name, 0))}{mark}")
            rows.append(cells)
        rows.append(["Non-transferable"] + [format_number(s.non_transferable) for s in self.stages])
        if any(s.quota is not None for s in self.stages):
            rows.append(["Quota"] + ["" if s.quota is None else format_number(s.quota) for s in self.stages])
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        summary = f"{self.method}: {self.seats} seat(s), {self.valid} valid ballots"
        if self.quota is not None:
            summary += f", quota {format_number(self.quota)}"
        lines = [summary, ""]
        for stage in self.stages:
            lines.append(f"  Stage {stage.number}: {_describe(stage, self.method)}")
        lines.append("")
        for i, row in enumerate(rows):
            cells = [
                cell.ljust(w) if j == 0 else cell.rjust(w) for j, (cell, w) in enumerate(zip(row, widths, strict=True))
            ]
            lines.append("  ".join(cells).rstrip())
            if i == 0:
                lines.append("  ".join("-" * w for w in widths))
        lines.append("")
        lines.append("Elected (in order): " + (", ".join(self.elected) if self.elected else "nobody"))
        lines.append("(* = elected at that stage)")
        for entry in self.log:
            lines.append(f"Note: {entry}")
        return "\n".join(lines)


def _describe(stage: Stage, method: str) -> str:
    if stage.action == "first":
        return {"schulze": "weakest strongest path to a rival", "approval": "approvals"}.get(
            method, "first preferences"
        )
    if stage.action == "surplus":
        return f"surplus of {stage.candidate}" if stage.candidate else "surpluses redistributed"
    return f"exclusion of {stage.candidate}"


def format_number(value: Number) -> str:
    """Exact decimal text for a count value: no exponent, no trailing zeros after the point."""
    if isinstance(value, bool):
        raise TypeError("a count value cannot be a bool")
    if isinstance(value, int):
        return str(value)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def _dump(value: Any, indent: int | None, depth: int) -> str:
    if value is None or isinstance(value, bool | str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int | Decimal):
        return format_number(value)
    newline = "" if indent is None else "\n" + " " * (indent * (depth + 1))
    closing = "" if indent is None else "\n" + " " * (indent * depth)
    separator = ", " if indent is None else ","
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [
            f"{newline}{json.dumps(str(k), ensure_ascii=False)}: {_dump(v, indent, depth + 1)}"
            for k, v in value.items()
        ]
        return "{" + separator.join(items) + closing + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        items = [f"{newline}{_dump(v, indent, depth + 1)}" for v in value]
        return "[" + separator.join(items) + closing + "]"
    raise TypeError(f"cannot write {type(value).__name__} in a transcript")


def units_to_decimal(units: int, places: int) -> Decimal:
    """An integer count of 10**-places units as an exact Decimal (e.g. 1120_00000, 5 -> Decimal('1120.00000'))."""
    return Decimal(int(units)).scaleb(-places)
