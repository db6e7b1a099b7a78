"""Reading a Range header (RFC 9110 §14): what each form of it asks of a file of 1000 bytes."""
from __future__ import annotations

import pytest

from webapp.byte_ranges import MAX_RANGES, RangePlan, coalesced, plan_ranges

WHOLE, REFUSED = RangePlan(), RangePlan(refused=True)


@pytest.mark.parametrize(("header", "plan"), [
    (None, WHOLE),
    ("bytes=0-9", RangePlan([(0, 10)])),
    ("Bytes = 0-9 , 20-29", RangePlan([(0, 10), (20, 30)])),  # the unit in any case, spaces around items
    ("bytes=0-9,,20-29,", RangePlan([(0, 10), (20, 30)])),  # empty list elements are skipped
    ("bytes=-5000", RangePlan([(0, 1000)])),  # a suffix longer than the file: all of it
    ("bytes=990-5000", RangePlan([(990, 1000)])),  # an end past the file: the file's end
    ("bytes=500-,-100", RangePlan([(500, 1000)])),  # the last 100 lie within 500-: one part
    ("bytes=900-999,0-9", RangePlan([(900, 1000), (0, 10)])),  # the order asked
    ("bytes=1000-,0-0", RangePlan([(0, 1)])),  # one past the end is dropped, the other kept
    ("bytes=1000-", REFUSED), ("bytes=-0", REFUSED), ("bytes=", REFUSED), ("bytes=5", REFUSED),
    ("bytes=9-1", REFUSED), ("bytes=+1-2", REFUSED), ("bytes=1 - 2", REFUSED), ("bytes=0-9,a-b", REFUSED),
    ("items=0-9", WHOLE), ("0-9", WHOLE),  # another unit, or none: ignored
    ("bytes=" + ",".join(f"{i}-{i}" for i in range(0, 2 * (MAX_RANGES + 1), 2)), WHOLE),  # too many
])
def test_what_a_header_asks(header, plan):
    assert plan_ranges(header, 1000) == plan


def test_an_empty_file_is_sent_whole_whatever_is_asked():
    assert plan_ranges("bytes=0-9", 0) == WHOLE


def test_coalescing_keeps_the_first_place_of_each_merged_span():
    assert coalesced([(50, 60), (0, 10), (55, 70), (10, 20)]) == [(50, 70), (0, 20)]
