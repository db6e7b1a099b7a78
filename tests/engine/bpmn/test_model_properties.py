"""The model files are the source: an uploaded version carries its English names, due hours,
priorities, starters, titles and key prefix, and the engine reads them from that version; deploy
refuses properties no process may have, naming file, element and the rule."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.bpmn import versions as model_admin
from engine.bpmn.versions import Upload
from engine.errors import DeployError
from engine.models import HumanTask

MODELS = Path(__file__).parents[1] / "fixture_models"
BPMN = (MODELS / "lanes_gateway.bpmn").read_text("utf-8")
PROCESS_PROPS = """<bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="nameEn" value="Weekly report" />
      <spiffworkflow:property name="description" value="门店每周填报" />
      <spiffworkflow:property name="descriptionEn" value="Stores report weekly" />
      <spiffworkflow:property name="starterRoles" value="store_manager" />
      <spiffworkflow:property name="titleTemplate" value="{store_code}周报 · {amount}" />
      <spiffworkflow:property name="businessKeyPrefix" value="WR" />
    </spiffworkflow:properties></bpmn:extensionElements>
    <bpmn:laneSet id="lanes">"""


APPROVE = '<spiffworkflow:property name="formJsonSchemaFilename" value="approve.json" />'
GATEWAY = '<bpmn:exclusiveGateway id="decide" name="批准?" default="f_no" />'


def edited(text: str = BPMN, *, process: str = PROCESS_PROPS, due: str = "48", priority: str = "2",
           approve: str = '<spiffworkflow:property name="nameEn" value="Approve" />'
                          '<spiffworkflow:property name="dueInHours" value="24" />') -> str:
    """The fixture written for the catalogue: named in English, every step named and timed."""
    text = text.replace('<bpmn:laneSet id="lanes">', process, 1).replace(APPROVE, APPROVE + approve, 1)
    named = ('<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property name="nameEn" '
             'value="Approved?" /></spiffworkflow:properties></bpmn:extensionElements>'
             '</bpmn:exclusiveGateway>')
    text = text.replace(GATEWAY, GATEWAY.replace(" />", ">") + named, 1)
    return text.replace('<spiffworkflow:property name="dueInHours" value="24" />',
                        f'<spiffworkflow:property name="dueInHours" value="{due}" />'
                        f'<spiffworkflow:property name="priority" value="{priority}" />'
                        '<spiffworkflow:property name="nameEn" value="Store report" />', 1)


def report_task(session, case_id: int) -> HumanTask:
    return session.scalars(select(HumanTask).where(HumanTask.instance_id == case_id,
                                                   HumanTask.element_id == "report")).one()


def test_each_version_carries_its_own_policy_and_step_data(engine, session, people, deployed, root, clock):
    manager, director = people["manager_sh001"], people["director"]
    first = engine.start(session, "lanes_gateway", manager, {"store_code": "SH001", "amount": 1})
    old = report_task(session, first.id)
    assert (old.due_at - old.created_at, old.priority) == (timedelta(hours=24), 3)
    assert first.business_key.startswith("CASE-") and engine.may_start(session, director, "lanes_gateway")
    assert engine.process_texts(session, "lanes_gateway").name_en == ""

    [result] = model_admin.deploy_uploads(session, root, [Upload("lanes_gateway.bpmn", edited().encode())],
                                          clock(), key="lanes_gateway")
    assert result.version == 2
    second = engine.start(session, "lanes_gateway", manager, {"store_code": "SH001", "amount": 7})
    new = report_task(session, second.id)
    assert (new.due_at - new.created_at, new.priority) == (timedelta(hours=48), 2)
    assert second.business_key.startswith("WR-") and second.title == "SH001周报 · 7"
    assert not engine.may_start(session, director, "lanes_gateway")  # starterRoles: store managers only
    texts = engine.process_texts(session, "lanes_gateway")
    assert (texts.name_zh, texts.name_en, texts.description_en) == ("泳道与排他网关", "Weekly report",
                                                                    "Stores report weekly")
    assert texts.step_names_en["report"] == "Store report"
    assert report_task(session, first.id).due_at == old.due_at  # the first case keeps its version's timing


def test_a_catalogue_entry_overrides_what_the_model_declares(session, people, deployed, root, clock):
    from engine import Engine
    from engine.policy import OpenCatalogue, ProcessPolicy

    class Overriding(OpenCatalogue):
        def policy(self, process_key):
            return ProcessPolicy(key=process_key, business_key_prefix="OV")

    model_admin.deploy_uploads(session, root, [Upload("lanes_gateway.bpmn", edited().encode())], clock(),
                               key="lanes_gateway")
    engine = Engine(clock=clock, catalogue=Overriding())
    manager = people["manager_sh001"]
    case = engine.start(session, "lanes_gateway", manager, {"store_code": "SH001", "amount": 1})
    assert case.business_key.startswith("OV-") and case.title == "SH001周报 · 1"


@pytest.mark.parametrize("change, element, reason", [
    (lambda t: edited(t, due="soon"), "report", "due_hours_invalid"),
    (lambda t: edited(t, due="0"), "report", "due_hours_invalid"),
    (lambda t: edited(t, priority="9"), "report", "priority_invalid"),
    (lambda t: edited(t, process=PROCESS_PROPS.replace('value="WR"', 'value="wr-1"')), "lanes_gateway",
     "key_prefix_invalid"),
    (lambda t: edited(t, process=PROCESS_PROPS.replace("{amount}", "{amount")), "lanes_gateway",
     "title_invalid"),
    (lambda t: edited(t, process=PROCESS_PROPS.replace(
        '<spiffworkflow:property name="nameEn"',
        '<spiffworkflow:property name="startStoreKind" value="mall" />'
        '<spiffworkflow:property name="nameEn"')),
     "lanes_gateway", "store_kind_unknown"),
    (lambda t: edited(t).replace('name="outcome" value="approved"', 'name="outcome" value="Approved!"'),
     "end_ok", "outcome_invalid"),
    # a process named in English is written for the catalogue: every step named in English and timed
    (lambda t: edited(t, approve='<spiffworkflow:property name="dueInHours" value="24" />'), "approve",
     "name_en_missing"),
    (lambda t: edited(t, approve='<spiffworkflow:property name="nameEn" value="Approve" />'), "approve",
     "due_hours_missing"),
])
def test_deploy_refuses_bad_properties_naming_file_element_and_rule(session, deployed, root, clock, dump,
                                                                    change, element, reason):
    before = dump(session)
    with pytest.raises(DeployError) as refused:
        model_admin.deploy_uploads(session, root, [Upload("lanes_gateway.bpmn", change(BPMN).encode())],
                                   clock(), key="lanes_gateway")
    error = refused.value
    assert (error.filename, error.element, error.reason) == ("lanes_gateway.bpmn", element, reason)
    assert error.message.startswith(f"lanes_gateway.bpmn, element {element}: ")
    session.rollback()
    assert dump(session) == before


def test_the_text_book_gives_each_version_its_own_step_names_and_reads_each_once():
    from engine.bpmn import ProcessTextBook
    from engine.bpmn.properties import process_texts
    read = []

    def texts_of(version_id):
        read.append(version_id)
        return process_texts("p", {}, {"step": f"Step of version id {version_id}"})

    book = ProcessTextBook([("p", 1, 11, 2), ("p", 2, 12, 2), ("q", 1, 21, 1)], texts_of)
    assert book.of("p", version=1).step_names_en["step"] == "Step of version id 11"
    assert book.of("p", version_id=11) is book.of("p", version=1)
    assert book.of("p").step_names_en["step"] == "Step of version id 12"  # the latest
    assert book.of("p", version_id=21) is book.of("p")  # another process's version: the latest
    assert book.of("p", version=9) is book.of("p") and book.of("nothing") is None
    assert read == [11, 12]
