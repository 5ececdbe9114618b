"""What the benchmark scripts share: the repository root on ``sys.path`` (so that ``yrd`` imports
without installing the package) and the peak memory of the process.

A script in ``benchmarks/`` imports this module first (``from _common import ROOT``: Python puts
the script's folder on ``sys.path``), then ``yrd``.
"""

from __future__ import annotations

import resource
import sys
from pathlib import Path

#: The repository root.
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports ``ru_maxrss`` in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
