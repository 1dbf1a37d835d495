"""Rate-limit policies as text: ``LIMIT/PERIOD_SECONDS[+BURST]``. Pure: no Django.

>>> parse_policy("100/3600+10")
Policy(limit=100, period=3600, burst=10)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SPEC = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*(?:\+\s*(\d+))?\s*$", re.ASCII)


@dataclass(frozen=True, slots=True)
class Policy:
    """``limit`` requests per ``period`` seconds sustained, plus ``burst`` on top."""

    limit: int
    period: int
    burst: int = 0


class PolicyError(ValueError):
    """A policy text that does not parse; the message shows the expected form."""


def parse_policy(text: str, name: str = "policy") -> Policy:
    """``"100/3600+10"`` -> ``Policy(limit=100, period=3600, burst=10)``; ``name`` is used in errors."""
    match = SPEC.match(text) if isinstance(text, str) else None
    if not match or int(match.group(1)) < 1 or int(match.group(2)) < 1:
        raise PolicyError(f"{name} must look like LIMIT/PERIOD_SECONDS[+BURST], e.g. 100/3600+10; got {text!r}")
    return Policy(int(match.group(1)), int(match.group(2)), int(match.group(3) or 0))
