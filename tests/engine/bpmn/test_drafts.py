"""A process's draft: files saved by the editors into one shared working set, validated as deploy
validates it without storing a version, published as ONE new version on top of its base (a stale base
is a Conflict and stores nothing), or discarded."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import bpmn
from engine.bpmn import Upload
from engine.directory.accounts import RoleSpec, insert_user_unchecked
from engine.errors import Conflict, DeployError, NotFound, PermissionDenied
from engine.models import ModelDraftFile, ProcessVersion

MODELS = Path(__file__).parents[1] / "fixture_models"
FORM = {"type": "object", "required": ["note"], "properties": {"note": {"type": "string", "title": "备注"}}}


def text(name: str) -> str:
    return (MODELS / name).read_text("utf-8")


def versions(session, key: str) -> int:
    return session.scalar(select(func.count()).select_from(ProcessVersion)
                          .where(ProcessVersion.definition.has(key=key)))


def threshold(dmn: str, new: str) -> str:
    return dmn.replace("&gt;= 1000", new)


def test_a_refused_save_names_the_file_and_element_and_stores_nothing(session, deployed, root, clock, dump):
    before = dump(session)
    broken = text("lanes_gateway.bpmn").replace('name="dueInHours" value="24"', 'name="dueInHours" value="0"')
    with pytest.raises(DeployError) as refused:
        bpmn.save_to_draft(session, root, "lanes_gateway", [Upload("lanes_gateway.bpmn", broken.encode())],
                           clock(), base=1)
    assert (refused.value.filename, refused.value.element) == ("lanes_gateway.bpmn", "report")
    session.rollback()
    assert dump(session) == before
    assert bpmn.process_draft(session, root, "lanes_gateway") is None


def test_a_step_its_new_form_and_a_threshold_are_published_as_one_version(session, deployed, root, people,
                                                                        clock):
    other = insert_user_unchecked(session, "root2", None, password_hash="!", roles=[RoleSpec("admin")],
                                  now=clock())
    model = bpmn.attach_form(session, root, "discount", None, "approve_discount", "approve_v2.json")
    bpmn.save_to_draft(session, root, "discount",
                       [Upload("approve_v2.json", json.dumps(FORM).encode()), model], clock(), base=1)
    assert {s.element_id: s.form for s in bpmn.form_steps(session, root, "discount")}[
        "approve_discount"] == "approve_v2.json"  # the form steps read the draft's model
    clock.advance(minutes=5)
    draft = bpmn.save_to_draft(session, other, "discount",  # a second administrator, the same draft
                               [Upload("discount_level.dmn", threshold(text("discount_level.dmn"),
                                                                       "&gt;= 3000").encode())],
                               clock(), base=1)
    assert (draft.base, draft.latest, draft.stale) == (1, 1, False)
    assert {(f.filename, f.changed_by, f.added) for f in draft.files} == {
        ("approve_v2.json", "root", True), ("discount.bpmn", "root", False),
        ("discount_level.dmn", "root2", False)}
    assert draft.last.changed_by == "root2"
    working = bpmn.working_set(session, root, "discount")
    assert "&gt;= 3000" in working.files["discount_level.dmn"].content and working.base == 1
    assert versions(session, "discount") == 1  # nothing deployed by saving

    result = bpmn.publish_draft(session, root, "discount", clock())
    assert (result.version, result.created) == (2, True)
    assert versions(session, "discount") == 2
    assert json.loads(bpmn.version_file(session, root, "discount", 2, "approve_v2.json").content) == FORM
    assert "&gt;= 3000" in bpmn.version_file(session, root, "discount", 2, "discount_level.dmn").content
    model_2 = bpmn.version_file(session, root, "discount", 2, "discount.bpmn").content
    assert 'value="approve_v2.json"' in model_2
    assert bpmn.process_draft(session, root, "discount") is None
    assert session.scalar(select(func.count()).select_from(ModelDraftFile)) == 0


def test_a_file_saved_back_as_its_base_leaves_the_draft(session, deployed, root, clock):
    dmn = text("discount_level.dmn")
    changed = Upload("discount_level.dmn", threshold(dmn, "&gt;= 5").encode())
    bpmn.save_to_draft(session, root, "discount", [changed], clock(), base=1)
    draft = bpmn.save_to_draft(session, root, "discount", [Upload("discount_level.dmn", dmn.encode())],
                               clock(), base=1)
    assert draft.files == ()
    assert bpmn.process_draft(session, root, "discount") is None


def test_a_stale_draft_cannot_be_published_or_saved_into_and_can_be_discarded(session, deployed, root,
                                                                               clock, dump):
    dmn = text("discount_level.dmn")
    changed = Upload("discount_level.dmn", threshold(dmn, "&gt;= 7").encode())
    bpmn.save_to_draft(session, root, "discount", [changed], clock(), base=1)
    session.commit()
    bpmn.deploy_uploads(session, root, [Upload("discount_level.dmn", threshold(dmn, "&gt;= 9").encode())],
                        clock(), key="discount")  # someone uploads version 2 meanwhile
    session.commit()
    draft = bpmn.process_draft(session, root, "discount")
    assert draft is not None and draft.stale and (draft.base, draft.latest) == (1, 2)
    before = dump(session)
    with pytest.raises(Conflict, match="based on version 1, but version 2"):
        bpmn.publish_draft(session, root, "discount", clock())
    session.rollback()
    with pytest.raises(Conflict, match="based on version 1, but version 2"):
        bpmn.save_to_draft(session, root, "discount", [Upload("discount_level.dmn", dmn.encode())], clock(),
                           base=2)
    session.rollback()
    assert dump(session) == before and versions(session, "discount") == 2
    bpmn.discard_draft(session, root, "discount", clock())
    assert bpmn.process_draft(session, root, "discount") is None
    assert bpmn.working_set(session, root, "discount").base == 2
    with pytest.raises(NotFound):
        bpmn.discard_draft(session, root, "discount", clock())


def test_a_save_on_an_older_version_is_a_conflict(session, deployed, root, clock):
    dmn = text("discount_level.dmn")
    with pytest.raises(Conflict, match="version 1 was deployed after version 0 was opened"):
        bpmn.save_to_draft(session, root, "discount", [Upload("discount_level.dmn", dmn.encode())], clock(),
                           base=0)


def test_only_administrators_touch_drafts(session, deployed, people, clock):
    director = people["director"]
    for call in (lambda: bpmn.working_set(session, director, "discount"),
                 lambda: bpmn.save_to_draft(session, director, "discount", [], clock(), base=1),
                 lambda: bpmn.publish_draft(session, director, "discount", clock()),
                 lambda: bpmn.discard_draft(session, director, "discount", clock())):
        with pytest.raises(PermissionDenied):
            call()


def test_two_administrators_saving_at_once_both_land_in_the_one_draft(sessions, db_url, deployed, root,
                                                                      clock):
    """The second save waits for the first (the process row is locked), then adds its file to the same
    draft: nothing is lost, and one publish makes one version of both."""
    import threading
    if db_url.startswith("sqlite"):
        pytest.skip("SQLite has one writer at a time: the second save waits on the file lock instead")
    form = json.loads(text("approve_discount.json"))
    form["title"] = "审批折扣（新）"
    outcome: list[str] = []
    with sessions() as first, sessions() as second:
        admin_1, admin_2 = first.merge(root), second.merge(root)
        bpmn.save_to_draft(first, admin_1, "discount", [Upload("discount_level.dmn", threshold(
            text("discount_level.dmn"), "&gt;= 4000").encode())], clock(), base=1)

        def save_second() -> None:
            draft = bpmn.save_to_draft(second, admin_2, "discount",
                                       [Upload("approve_discount.json", json.dumps(form).encode())], clock(),
                                       base=1)
            outcome.append(",".join(f.filename for f in draft.files))
            second.commit()

        thread = threading.Thread(target=save_second)
        thread.start()
        thread.join(timeout=1)
        assert thread.is_alive() and not outcome  # waiting on the first save's lock
        first.commit()
        thread.join(timeout=30)
    assert outcome == ["approve_discount.json,discount_level.dmn"]
    with sessions() as check:
        result = bpmn.publish_draft(check, check.merge(root), "discount", clock())
        check.commit()
        assert (result.version, versions(check, "discount")) == (2, 2)
        assert "&gt;= 4000" in bpmn.version_file(check, check.merge(root), "discount", 2,
                                                 "discount_level.dmn").content


def test_a_save_of_a_file_changed_in_the_draft_since_it_was_opened_is_refused(session, deployed, root,
                                                                              clock, dump):
    """Two administrators open the same table at the same revision; the second save would overwrite the
    first one's change, so it is refused naming who changed it and when, and stores nothing."""
    other = insert_user_unchecked(session, "root2", None, password_hash="!", roles=[RoleSpec("admin")],
                                  now=clock())
    dmn = text("discount_level.dmn")
    opened = bpmn.working_set(session, root, "discount").revision("discount_level.dmn")
    assert opened == bpmn.file_revision(dmn)
    first_saved_at = clock()
    bpmn.save_to_draft(session, other, "discount", [Upload("discount_level.dmn", threshold(
        dmn, "&gt;= 3000").encode())], first_saved_at, base=1, opened={"discount_level.dmn": opened})
    session.commit()
    clock.advance(minutes=3)
    before = dump(session)
    with pytest.raises(bpmn.FileConflict) as refused:
        bpmn.save_to_draft(session, root, "discount", [Upload("discount_level.dmn", threshold(
            dmn, "&gt;= 9000").encode())], clock(), base=1, opened={"discount_level.dmn": opened})
    assert (refused.value.filename, refused.value.changed_by) == ("discount_level.dmn", "root2")
    assert refused.value.changed_at.replace(tzinfo=None) == first_saved_at.replace(tzinfo=None)
    session.rollback()
    assert dump(session) == before
    assert "&gt;= 3000" in bpmn.working_set(session, root, "discount").files["discount_level.dmn"].content
    # reopened at the draft's revision, the save goes through
    reopened = bpmn.working_set(session, root, "discount").revision("discount_level.dmn")
    draft = bpmn.save_to_draft(session, root, "discount", [Upload("discount_level.dmn", threshold(
        dmn, "&gt;= 9000").encode())], clock(), base=1, opened={"discount_level.dmn": reopened})
    assert [(f.filename, f.changed_by) for f in draft.files] == [("discount_level.dmn", "root")]


def test_a_publish_of_a_draft_changed_since_it_was_shown_is_refused(session, deployed, root, clock, dump):
    dmn = text("discount_level.dmn")
    bpmn.save_to_draft(session, root, "discount", [Upload("discount_level.dmn", threshold(
        dmn, "&gt;= 3000").encode())], clock(), base=1)
    session.commit()
    shown = bpmn.process_draft(session, root, "discount")
    assert shown is not None
    seen = shown.revisions
    form = json.loads(text("approve_discount.json"))
    form["title"] = "审批折扣（新）"
    bpmn.save_to_draft(session, root, "discount", [Upload("approve_discount.json", json.dumps(form).encode()),
                                                   Upload("discount_level.dmn", threshold(
                                                       dmn, "&gt;= 4000").encode())], clock(), base=1)
    session.commit()
    before = dump(session)
    with pytest.raises(bpmn.DraftChanged) as refused:
        bpmn.publish_draft(session, root, "discount", clock(), seen=seen)
    assert refused.value.files == ("approve_discount.json", "discount_level.dmn")
    session.rollback()
    assert dump(session) == before and versions(session, "discount") == 1
    current = bpmn.process_draft(session, root, "discount")
    assert current is not None
    result = bpmn.publish_draft(session, root, "discount", clock(), seen=current.revisions)
    assert result.version == 2
