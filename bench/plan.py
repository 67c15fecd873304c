"""How big a bench run is: the full run, or BENCH_QUICK=1 for a few minutes."""

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Plan:
    quick: bool
    workdir: Path  # scratch space for databases and server logs
    connections: int = 32
    wrk_threads: int = 2

    @property
    def warmup_seconds(self) -> float:
        return 1 if self.quick else 3

    @property
    def sustained_seconds(self) -> float:
        return 4 if self.quick else 15

    @property
    def flood_count(self) -> int:
        return 3_000 if self.quick else 20_000

    @property
    def articles(self) -> int:
        return 20

    @property
    def page_seconds(self) -> float:
        """Each page row's measured wrk run (there are a dozen of them)."""
        return 2 if self.quick else 10

    @property
    def page_warmup_seconds(self) -> float:
        return 1 if self.quick else 2

    @property
    def comment_pool(self) -> int:
        """Distinct comments prepared for a comment-post run: more than it posts."""
        return 3_000 if self.quick else 12_000

    @property
    def scale_seconds(self) -> float:
        return 30 if self.quick else 60


def quick_requested() -> bool:
    return os.environ.get("BENCH_QUICK", "").strip().lower() in {"1", "true", "yes"}
