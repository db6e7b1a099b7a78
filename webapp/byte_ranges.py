"""Reading a `Range` header of bytes (RFC 9110 §14) and writing the parts of a multipart/byteranges
answer, for downloads of files of a known size.

What a header asks becomes a `RangePlan`: the whole file (no header, a unit other than bytes — which
RFC 9110 says to ignore —, or more than `MAX_RANGES` ranges: a server may ignore a Range header of many
small ranges, and sending the file once is cheaper than hundreds of parts), a refusal (416: the header
is malformed, or none of its ranges starts within the file), or the spans to send. Ranges that
overlap or touch are coalesced (RFC 9110 §14.3 lets a server do so, and `bytes=0-,0-,0-` then costs
one part, not three copies of the file); spans keep the order the client asked them in, the
coalesced ones at their first place. One span is a plain 206; several are a multipart/byteranges
body, each part with its own Content-Type and Content-Range, written as it is sent.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Iterable, Iterator

#: More ranges than this in one request: the whole file (200) instead.
MAX_RANGES = 16
_SPEC = re.compile(r"(\d*)-(\d*)")


@dataclass(frozen=True)
class RangePlan:
    """`spans` ((start, stop), stop exclusive) to send in that order; None: the whole file (200).
    `refused`: answer 416 with `Content-Range: bytes */size`."""

    spans: list[tuple[int, int]] | None = None
    refused: bool = False


def plan_ranges(header: str | None, size: int) -> RangePlan:
    """What to send for `header` of a file of `size` bytes."""
    if header is None or size == 0:
        return RangePlan()
    unit, equals, specs = header.partition("=")
    if not equals or unit.strip().lower() != "bytes":
        return RangePlan()  # an unknown unit is ignored (RFC 9110 §14.2)
    items = [item.strip(" \t") for item in specs.split(",")]
    items = [item for item in items if item]  # a list may hold empty elements (RFC 9110 §5.6.1)
    if not items:
        return RangePlan(refused=True)
    if len(items) > MAX_RANGES:
        return RangePlan()
    spans: list[tuple[int, int]] = []
    for item in items:
        match = _SPEC.fullmatch(item)
        if match is None or match.group(0) == "-":
            return RangePlan(refused=True)
        first, last = match.groups()
        if not first:  # the last `last` bytes
            if int(last) > 0:
                spans.append((max(0, size - int(last)), size))
            continue
        if last and int(last) < int(first):
            return RangePlan(refused=True)
        if int(first) < size:
            spans.append((int(first), min(size, int(last) + 1) if last else size))
    if not spans:
        return RangePlan(refused=True)
    return RangePlan(spans=coalesced(spans))


def coalesced(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans that overlap or touch made one, each merged span where the first of its spans was asked."""
    order = sorted(range(len(spans)), key=lambda i: spans[i])
    merged: list[list[int]] = []  # [start, stop, first place asked]
    for i in order:
        start, stop = spans[i]
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], stop)
            merged[-1][2] = min(merged[-1][2], i)
        else:
            merged.append([start, stop, i])
    return [(start, stop) for start, stop, _ in sorted(merged, key=lambda m: m[2])]


@dataclass(frozen=True)
class Multipart:
    """A multipart/byteranges body: its Content-Type (with the boundary), its exact length, and its
    bytes as they are read."""

    content_type: str
    length: int
    body: Iterator[bytes]


def multipart(spans: list[tuple[int, int]], parts: Iterable[Iterator[bytes]], size: int,
              content_type: str) -> Multipart:
    """The parts' bytes (one iterator per span, read only when its part is sent) framed as RFC 9110
    §14.6 and RFC 2046 say; the boundary is random, so no file can hold it but by a 2⁻¹²⁸ chance."""
    boundary = secrets.token_hex(16)
    heads = []
    for i, (start, stop) in enumerate(spans):
        lead = "\r\n" if i else ""  # the CRLF before a boundary belongs to it (RFC 2046 §5.1.1)
        heads.append(f"{lead}--{boundary}\r\nContent-Type: {content_type}\r\n"
                     f"Content-Range: bytes {start}-{stop - 1}/{size}\r\n\r\n".encode("latin-1"))
    tail = f"\r\n--{boundary}--\r\n".encode("latin-1")
    length = sum(len(h) for h in heads) + sum(stop - start for start, stop in spans) + len(tail)

    def body() -> Iterator[bytes]:
        for head, part in zip(heads, parts):
            yield head
            yield from part
        yield tail
    return Multipart(f"multipart/byteranges; boundary={boundary}", length, body())
