"""The ballot profile every counting method reads, and the errors a ballot file or a count can raise.

A profile holds ballots as two numpy arrays: `ranks` (one row per ballot or group of identical ballots,
0-based candidate indices in order of preference, padded with -1) and `weights` (how many ballots the row
stands for). `levels` is only set for files that allow equal rankings (PrefLib TOI/TOC): candidates on the
same row with the same level are ranked equal. No Django here: this package is a plain library.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np


class BallotFileError(ValueError):
    """A malformed ballot file. `line` is the 1-based line at fault (None when no single line is)."""

    def __init__(self, message: str, *, line: int | None = None, source: str | None = None) -> None:
        self.message = message
        self.line = line
        self.source = source
        super().__init__(message)

    def __str__(self) -> str:
        where = self.source or ""
        if self.line is not None:
            where = f"{where}:{self.line}" if where else f"line {self.line}"
        return f"{where}: {self.message}" if where else self.message


class CountError(ValueError):
    """The ballots are well formed but cannot be counted by the method asked for (e.g. IRV for two seats)."""


@dataclass(frozen=True, eq=False)
class Profile:
    """Ranked (or approval) ballots over named candidates, as read from a ballot file."""

    candidates: tuple[str, ...]
    ranks: np.ndarray  # (rows, max preferences) int32, candidate indices, -1 padding
    weights: np.ndarray  # (rows,) int64, ballots per row
    levels: np.ndarray | None = None  # (rows, max preferences) int32 rank levels when ties are allowed
    seats: int | None = None
    title: str = ""
    withdrawn: frozenset[int] = field(default_factory=frozenset)
    blank: int = 0  # ballots with no preference at all (not valid)

    @property
    def n_candidates(self) -> int:
        return len(self.candidates)

    @property
    def has_ties(self) -> bool:
        if self.levels is None or self.levels.size == 0:
            return False
        listed = self.ranks[:, 1:] >= 0
        return bool(np.any((self.levels[:, 1:] == self.levels[:, :-1]) & listed))

    @property
    def standing(self) -> list[int]:
        """Indices of the candidates who stand (not withdrawn), in ballot-file order."""
        return [c for c in range(self.n_candidates) if c not in self.withdrawn]

    def digest(self) -> str:
        """SHA-256 of the profile's content: the default seed for drawing lots, so any recount draws the same."""
        h = hashlib.sha256()
        h.update("\x1f".join(self.candidates).encode())
        h.update(repr((self.seats, sorted(self.withdrawn))).encode())
        h.update(np.ascontiguousarray(self.ranks, dtype=np.int32).tobytes())
        h.update(np.ascontiguousarray(self.weights, dtype=np.int64).tobytes())
        if self.levels is not None:
            h.update(np.ascontiguousarray(self.levels, dtype=np.int32).tobytes())
        return h.hexdigest()

    def strict_rankings(self) -> tuple[np.ndarray, np.ndarray]:
        """(ranks, weights) with withdrawn candidates removed and identical rankings merged.

        Raises CountError when the profile ranks candidates equal (STV and IRV need a strict order).
        Ballots left with no preference are dropped (they are not valid votes).
        """
        if self.has_ties:
            raise CountError("this method needs strict rankings, but some ballots rank candidates equal")
        ranks = without_withdrawn(self.ranks, self.withdrawn)
        keep = ranks[:, 0] >= 0 if ranks.shape[1] else np.zeros(len(ranks), dtype=bool)
        return group_identical(ranks[keep], self.weights[keep])


def without_withdrawn(ranks: np.ndarray, withdrawn: frozenset[int]) -> np.ndarray:
    """Remove withdrawn candidates from every ranking, closing the gaps (later preferences move up)."""
    if not withdrawn or ranks.size == 0:
        return ranks
    ranks = np.where(np.isin(ranks, list(withdrawn)), -1, ranks)
    order = np.argsort(ranks < 0, axis=1, kind="stable")
    return np.take_along_axis(ranks, order, axis=1)


def group_identical(ranks: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Merge rows with the same ranking, summing their weights (ballots with one ranking are treated alike)."""
    if len(ranks) == 0:
        return ranks, weights
    rows, width = ranks.shape
    n = int(ranks.max()) + 1
    if n + 1 <= 16 and width <= 16:
        # Pack each ranking into one uint64 (4 bits per preference, 0 = none) and sort those: fast.
        key = np.zeros(rows, dtype=np.uint64)
        for j in range(width - 1, -1, -1):
            key = (key << np.uint64(4)) | (ranks[:, j] + 1).astype(np.uint64)
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    else:
        _, first, inverse = np.unique(ranks, axis=0, return_index=True, return_inverse=True)
    summed = np.zeros(len(first), dtype=np.int64)
    np.add.at(summed, inverse.reshape(-1), weights)
    grouped = ranks[first]
    # Trim columns that are padding on every row.
    used = int((grouped >= 0).sum(axis=1).max()) if len(grouped) else 0
    return np.ascontiguousarray(grouped[:, :used]), summed


def exact_sums(index: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Integer sums of `values` (non-negative int64) grouped by `index` (0..size-1), exactly.

    numpy's bincount adds in float64. Every addend and every partial sum is an integer, and while the grand
    total stays below 2**53 each of those additions is exact, so the result is exact; above that we fall back
    to integer np.add.at. No rounding can happen on either path.
    """
    if index.size == 0:
        return np.zeros(size, dtype=np.int64)
    if int(values.sum()) < 2**53:
        return np.rint(np.bincount(index, weights=values, minlength=size)).astype(np.int64)
    out = np.zeros(size, dtype=np.int64)
    np.add.at(out, index, values)
    return out
