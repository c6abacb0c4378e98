"""Progress on the CLI for long work (imports, generators, verification)."""

from __future__ import annotations

import sys
from typing import IO, Any

from tqdm import tqdm


def progress_bar(*, total: int | None, desc: str, stream: IO[str] | Any = None, unit: str = "条") -> tqdm:
    return tqdm(total=total, desc=desc, file=stream or sys.stderr, unit=unit, dynamic_ncols=True, mininterval=0.5)
