"""The catalogue the web app hands to the engine: the process registry's policies."""
from __future__ import annotations

from engine.policy import Catalogue


def catalogue() -> Catalogue:
    from .registry import CATALOGUE
    return CATALOGUE
