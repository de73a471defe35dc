"""How many widget sockets one visitor may hold open on this node (one token once opened 2,000)."""

from __future__ import annotations

from collections import Counter


class VisitorSockets:
    """Counts each visitor's open sockets on this node; one past the cap is refused."""

    def __init__(self, per_visitor: int) -> None:
        self.per_visitor = per_visitor
        self._open: Counter[str] = Counter()

    def take(self, visitor_id: str) -> bool:
        """Count one more socket for the visitor, unless they hold the most they may."""
        if self._open[visitor_id] >= self.per_visitor:
            return False
        self._open[visitor_id] += 1
        return True

    def give_back(self, visitor_id: str) -> None:
        self._open[visitor_id] -= 1
        if self._open[visitor_id] <= 0:
            del self._open[visitor_id]
