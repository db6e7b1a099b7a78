"""A refused model upload by its stable reason code (`DeployError.reason`) and the values it quotes
(`DeployError.params`), in the person's language.

The engine keeps its English message for logs; this table is what people read. A reason whose
detail is another text (a script's refusal, an approval step's, a timer rule's) has that detail
told through the older wording table (`deploy_reasons.py`), and a library's own text (an XML
parser's, JSON Schema's, SpiffWorkflow's) stays as it is, in parentheses.
"""
from __future__ import annotations

from typing import Callable, Mapping

from flask_babel import gettext as _

_Text = Callable[[Mapping[str, str], Callable[[str], str]], str]

#: reason code → its text, given the params and the function that tells a nested detail
CODES: dict[str, _Text] = {
    # the upload itself (engine/bpmn/versions.py)
    "no_files": lambda p, d: _("Choose at least one .bpmn, .dmn or .json file."),
    "file_name": lambda p, d: _("Only .bpmn, .dmn and .json files with plain names (letters, digits, _ . -) "
                                "can be deployed."),
    "chosen_twice": lambda p, d: _("Chosen twice."),
    "too_large": lambda p, d: _("Larger than %(mb)s MB.", mb=p.get("mb", "")),
    "not_utf8": lambda p, d: _("Not UTF-8 text (byte %(byte)s).", byte=p.get("byte", "")),
    "other_process": lambda p, d: _("This page deploys process %(key)s only (its file is %(file)s).",
                                    key=p.get("key", ""), file=p.get("file", "")),
    "bpmn_needed": lambda p, d: _("Choose the process's .bpmn file too, or upload this file on the page of "
                                  "the process it belongs to."),
    "file_unused": lambda p, d: _("Not used by %(keys)s: a form or decision table must be named in the "
                                  "process's model.", keys=p.get("keys", "")),
    "lane_not_role": lambda p, d: _("Lane %(lane)s is not a role (roles: %(roles)s).", lane=p.get("lane", ""),
                                    roles=p.get("roles", "")),
    "role_unknown": lambda p, d: _("%(prop)s names %(names)s, which is not a role (roles: %(roles)s).",
                                   prop=p.get("prop", ""), names=p.get("names", ""),
                                   roles=p.get("roles", "")),
    # parsing (engine/bpmn/specs.py, deploy.py)
    "not_xml": lambda p, d: _("Not well-formed XML (%(detail)s).", detail=p.get("detail", "")),
    "invalid_json": lambda p, d: _("Invalid JSON (%(detail)s).", detail=p.get("detail", "")),
    "invalid_bpmn": lambda p, d: _("The model is not valid BPMN (%(detail)s).", detail=p.get("detail", "")),
    "no_process": lambda p, d: _("No executable process with id %(key)s.", key=p.get("key", "")),
    "process_id": lambda p, d: _("The file must hold a process with id %(key)s (found: %(found)s).",
                                 key=p.get("key", ""), found=p.get("found", "")),
    "form_not_found": lambda p, d: _("Form %(form)s not found.", form=p.get("form", "")),
    "no_lane": lambda p, d: _("The user task is in no lane (the lane names the role that does it)."),
    "decision_missing": lambda p, d: _("Decision %(decision)s is called but no .dmn file defines it.",
                                       decision=p.get("decision", "")),
    "form_invalid": lambda p, d: d(p.get("detail", "")),
    # call activities
    "callee_missing": lambda p, d: _("Calls process %(key)s, but no %(key)s.bpmn defines it and no such "
                                     "process is deployed.", key=p.get("key", "")),
    "call_cycle": lambda p, d: _("Calls %(key)s, which calls back (%(chain)s).", key=p.get("key", ""),
                                 chain=p.get("chain", "")),
    "callee_file_clash": lambda p, d: _("%(callee)s brings its own %(file)s, which differs from the %(file)s "
                                        "of %(key)s: rename one.", callee=p.get("callee", ""),
                                        file=p.get("file", ""), key=p.get("key", "")),
    "callee_step_clash": lambda p, d: _("A user task of %(file)s has the same id: a called process's steps "
                                        "need ids of their own.", file=p.get("file", "")),
    # connectors, approvals, timers, model code
    "connector_unknown": lambda p, d: _("The service task uses connector %(name)s, which OpsFlow does not "
                                        "provide (it provides %(known)s).", name=p.get("name", ""),
                                        known=p.get("known", "")),
    "connector_parameters_missing": lambda p, d: _("The %(connector)s connector needs the parameter(s) "
                                                   "%(params)s.", connector=p.get("connector", ""),
                                                   params=p.get("params", "")),
    "connector_parameters_unknown": lambda p, d: _("The %(connector)s connector has no parameter(s) "
                                                   "%(params)s.", connector=p.get("connector", ""),
                                                   params=p.get("params", "")),
    "retries_out_of_range": lambda p, d: _("Retries must be between 0 and %(n)s.", n=p.get("n", "")),
    "approval_step": lambda p, d: d(p.get("detail", "")),
    "timer_start": lambda p, d: d(p.get("detail", "")),
    "timer_start_alone": lambda p, d: _("A process with a timer start event has no other start event (a "
                                        "person starts it by hand through the same one)."),
    "model_code": lambda p, d: d(f"{p.get('what', '')}: {p.get('detail', '')}"),
    # OpsFlow's properties (engine/bpmn/property_rules.py)
    "due_hours_invalid": lambda p, d: _("dueInHours must be a number of hours above 0, not %(value)s.",
                                        value=p.get("value", "")),
    "priority_invalid": lambda p, d: _("priority must be 1 to 5, not %(value)s.", value=p.get("value", "")),
    "flag_invalid": lambda p, d: _("%(property)s must be true or false, not %(value)s.",
                                   property=p.get("property", ""), value=p.get("value", "")),
    "outcome_invalid": lambda p, d: _("outcome belongs on an end event and is a lower-case word, not "
                                      "%(value)s.", value=p.get("value", "")),
    "name_en_empty": lambda p, d: _("nameEn is empty."),
    "name_en_missing": lambda p, d: _("The element has a name but no nameEn (its English name)."),
    "due_hours_missing": lambda p, d: _("The user task has no dueInHours (hours until it is due)."),
    "store_status_unknown": lambda p, d: _("startStoreStatus must be one of %(allowed)s, not %(value)s.",
                                           allowed=p.get("allowed", ""), value=p.get("value", "")),
    "store_kind_unknown": lambda p, d: _("startStoreKind must be one of %(allowed)s, not %(value)s.",
                                         allowed=p.get("allowed", ""), value=p.get("value", "")),
    "key_prefix_invalid": lambda p, d: _("businessKeyPrefix must be 1 to 8 capital letters or digits, not "
                                         "%(value)s.", value=p.get("value", "")),
    "field_name_invalid": lambda p, d: _("%(property)s names %(value)s, which are not field names.",
                                         property=p.get("property", ""), value=p.get("value", "")),
    "title_invalid": lambda p, d: _("titleTemplate is not a valid title (%(detail)s).",
                                    detail=p.get("detail", "")),
}
