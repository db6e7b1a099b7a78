"""A Babel extractor for JSON Schema forms: every `title` and `description`, so the English
catalogue can translate the Chinese wording of the forms (babel.cfg names it `forms`)."""
from __future__ import annotations

import json
from typing import Any, BinaryIO, Iterator


def extract_forms(fileobj: BinaryIO, keywords: Any, comment_tags: Any, options: Any
                  ) -> Iterator[tuple[int, str, str, list[str]]]:
    text = fileobj.read().decode("utf-8")
    lines = text.splitlines()
    seen: set[str] = set()

    def line_of(value: str) -> int:
        needle = json.dumps(value, ensure_ascii=False)
        for number, line in enumerate(lines, 1):
            if needle in line:
                return number
        return 1

    def walk(node: Any, path: str) -> Iterator[tuple[int, str, str, list[str]]]:
        if isinstance(node, dict):
            for key in ("title", "description"):
                value = node.get(key)
                if isinstance(value, str) and value and value not in seen:
                    seen.add(value)
                    yield line_of(value), "gettext", value, [f"form {key}: {path or '/'}"]
            for key, child in node.items():
                yield from walk(child, f"{path}/{key}")
        elif isinstance(node, list):
            for index, child in enumerate(node):
                yield from walk(child, f"{path}/{index}")

    yield from walk(json.loads(text), "")
