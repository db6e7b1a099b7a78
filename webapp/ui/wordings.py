"""A table from the engine's English wordings to texts in the person's language, and its lookup.

Each entry is a pattern over the whole wording (anchored at its end here) and a function of the
match giving the text, so the ids and names the wording quotes are kept.
"""
from __future__ import annotations

import re
from typing import Callable

Word = Callable[[re.Match[str]], str]
Wordings = tuple[tuple[re.Pattern[str], Word], ...]


def wordings(*entries: tuple[str, Word]) -> Wordings:
    return tuple((re.compile(pattern + "$"), word) for pattern, word in entries)


def told(table: Wordings, text: str) -> str | None:
    """The text of the first entry matching `text`, or None when the wording is not known."""
    for pattern, word in table:
        found = pattern.match(text.strip())
        if found:
            return word(found)
    return None
