"""Schemathesis hooks for the contract run: the classes of 500 that other parts of issue 9 fix.

TEMPORARY, for the integrator to remove. Each filter drops a failure only when the response is a
500 and the request carries the input of one known class, so every other failure still fails the
run; the run's summary counts what was dropped. Remove a filter once the branch that fixes its
class is merged, and this file (and SCHEMATHESIS_HOOKS in test_openapi_contract.py) once none is
left.
"""
from __future__ import annotations

from typing import Any

import schemathesis

INT64_MAX = 2**63 - 1


def _beyond_64_bits(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return not -INT64_MAX - 1 <= value <= INT64_MAX
    if isinstance(value, str):
        digits = value.strip().lstrip("+-")
        return digits.isdigit() and len(digits) >= 19 and not -INT64_MAX - 1 <= int(value) <= INT64_MAX
    if isinstance(value, dict):
        return any(_beyond_64_bits(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_beyond_64_bits(v) for v in value)
    return False


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """False drops the failure."""
    if response is None or response.status_code != 500:
        return True
    # i9-input: ids and paging integers >= 2**63 (SQLite and PostgreSQL refuse them: 500)
    if _beyond_64_bits(case.path_parameters) or _beyond_64_bits(case.query):
        return False
    return True
