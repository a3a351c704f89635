"""Votes: reading a Pol.is export folder and building the last-vote-wins participant x statement matrix.

No Django here: this module is used by the `groundgame opinion-map` command, the benchmark and the background task.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

AGREE, DISAGREE, PASS = 1, -1, 0


@dataclass(frozen=True)
class VoteTable:
    """One vote per (participant, statement): the last one cast.

    `rows[i]`, `cols[i]` index into `participant_ids` and `statement_ids`; `values[i]` is 1, -1 or 0.
    """

    participant_ids: np.ndarray
    statement_ids: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.participant_ids), len(self.statement_ids)

    def dense(self) -> np.ndarray:
        """The matrix with NaN where a participant did not vote (float32: 40 MB for 10,000 x 1,000)."""
        matrix = np.full(self.shape, np.nan, dtype=np.float32)
        matrix[self.rows, self.cols] = self.values
        return matrix

    def without_statements(self, statement_ids) -> VoteTable:
        """The same votes with some statements (e.g. moderated out) left out; every participant stays."""
        drop = np.isin(self.statement_ids, np.asarray(list(statement_ids), dtype=np.int64))
        if not drop.any():
            return self
        keep_vote = ~drop[self.cols]
        return from_arrays(
            self.participant_ids[self.rows[keep_vote]],
            self.statement_ids[self.cols[keep_vote]],
            self.values[keep_vote],
            statement_ids=self.statement_ids[~drop],
            participant_ids=self.participant_ids,
        )


def from_arrays(
    participants,
    statements,
    values,
    *,
    timestamps=None,
    statement_ids=None,
    participant_ids=None,
) -> VoteTable:
    """Votes from parallel arrays; with `timestamps`, the latest vote per (participant, statement) wins (the later
    row on a tie), otherwise the later row wins. `statement_ids` and `participant_ids` list statements and participants
    to keep even with no votes."""
    participants = np.asarray(participants, dtype=np.int64)
    statements = np.asarray(statements, dtype=np.int64)
    values = np.asarray(values, dtype=np.int8)
    order = np.arange(len(values))
    if timestamps is not None:
        order = np.lexsort((order, np.asarray(timestamps, dtype=np.int64)))
    all_participants = participants if participant_ids is None else np.concatenate([participants, participant_ids])
    participant_ids_sorted = np.unique(all_participants.astype(np.int64))
    rows = np.searchsorted(participant_ids_sorted, participants)
    all_statements = statements if statement_ids is None else np.concatenate([statements, np.asarray(statement_ids)])
    statement_ids_sorted = np.unique(all_statements.astype(np.int64))
    cols = np.searchsorted(statement_ids_sorted, statements)
    # Stable "last wins": walk the votes latest first and keep the first sight of each cell.
    cell = rows.astype(np.int64) * len(statement_ids_sorted) + cols
    latest_first = order[::-1]
    _, first = np.unique(cell[latest_first], return_index=True)
    chosen = np.sort(latest_first[first])
    return VoteTable(
        participant_ids=participant_ids_sorted,
        statement_ids=statement_ids_sorted,
        rows=rows[chosen].astype(np.int32),
        cols=cols[chosen].astype(np.int32),
        values=values[chosen],
    )


@dataclass(frozen=True)
class PolisExport:
    """A Pol.is export folder: every vote row (repeats included), the comments and which were moderated out."""

    directory: Path
    vote_participants: np.ndarray
    vote_statements: np.ndarray
    vote_values: np.ndarray
    vote_timestamps: np.ndarray
    comment_ids: np.ndarray
    moderated_out: frozenset[int] = field(default_factory=frozenset)

    def votes(self, *, include_moderated_out: bool = False) -> VoteTable:
        """Last vote by timestamp wins; statements with moderated = -1 left out unless asked for."""
        table = from_arrays(
            self.vote_participants,
            self.vote_statements,
            self.vote_values,
            timestamps=self.vote_timestamps,
            statement_ids=self.comment_ids,
        )
        return table if include_moderated_out else table.without_statements(self.moderated_out)


def read_polis_export(directory: str | Path) -> PolisExport:
    """Read comments.csv and votes.csv from a Pol.is export folder."""
    directory = Path(directory)
    comment_ids: list[int] = []
    moderated_out: set[int] = set()
    with open(directory / "comments.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            comment_id = int(row["comment-id"])
            comment_ids.append(comment_id)
            if row.get("moderated", "").strip() == "-1":
                moderated_out.add(comment_id)
    columns: dict[str, list[int]] = {"timestamp": [], "comment-id": [], "voter-id": [], "vote": []}
    with open(directory / "votes.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for name, values in columns.items():
                values.append(int(row[name]))
    return PolisExport(
        directory=directory,
        vote_participants=np.asarray(columns["voter-id"], dtype=np.int64),
        vote_statements=np.asarray(columns["comment-id"], dtype=np.int64),
        vote_values=np.asarray(columns["vote"], dtype=np.int8),
        vote_timestamps=np.asarray(columns["timestamp"], dtype=np.int64),
        comment_ids=np.asarray(sorted(comment_ids), dtype=np.int64),
        moderated_out=frozenset(moderated_out),
    )
