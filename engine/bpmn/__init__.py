"""Process models: deploying BPMN, DMN and form files as versions, parsing them into specs, and
serializing a running case's workflow without its spec."""
from .deploy import DeployResult, collect_directory, deploy_directory
from .drafts import (
    Draft,
    DraftChanged,
    DraftFile,
    FileConflict,
    WorkingSet,
    discard_draft,
    file_revision,
    process_draft,
    publish_draft,
    save_to_draft,
    working_set,
)
from .editing import EditorSource, ModelDecision, editor_source
from .form_checks import read_form
from .form_steps import FormStep, attach_form, form_steps, working_form_steps
from .properties import ProcessTextBook, ProcessTexts
from .property_rules import Problem, property_problems
from .retarget import CHANGED_KIND, NO_SUBPROCESS, PASSED_REMOVED, Blocker
from .retirement import ProcessRetired, enable_process, is_retired, retire_process, retired_refusal
from .specs import POINT_OF_NO_RETURN, ParsedProcess, SourceFile, parse_process, version_policy
from .state import dumps, loads
from .version_diff import (
    ADDED,
    CHANGED,
    REMOVED,
    Change,
    DecisionChange,
    ElementChange,
    FieldChange,
    FormChange,
    RuleChange,
    VersionDiff,
    diff_versions,
)
from .versions import (
    MAX_FILE_BYTES,
    ProcessSummary,
    Upload,
    VersionSummary,
    deploy_uploads,
    list_processes,
    process_versions,
    version_file,
)

__all__ = ["DeployResult", "FormStep", "attach_form", "form_steps",
           "MAX_FILE_BYTES", "POINT_OF_NO_RETURN", "ParsedProcess", "ProcessSummary",
           "SourceFile", "Upload", "VersionSummary", "collect_directory", "deploy_directory",
           "deploy_uploads", "dumps", "list_processes", "loads", "parse_process", "process_versions",
           "version_file",
           "ADDED", "CHANGED", "REMOVED", "Change", "DecisionChange", "ElementChange", "FieldChange",
           "FormChange", "RuleChange", "VersionDiff", "diff_versions",
           "Blocker", "CHANGED_KIND", "NO_SUBPROCESS", "PASSED_REMOVED",
           "ProcessRetired", "enable_process", "is_retired", "retire_process", "retired_refusal",
           "ModelDecision", "EditorSource", "editor_source",
           "read_form",
           "Problem", "ProcessTextBook", "ProcessTexts", "property_problems", "version_policy",
           "Draft", "DraftFile", "WorkingSet", "discard_draft", "process_draft", "publish_draft",
           "save_to_draft", "working_set", "working_form_steps",
           "DraftChanged", "FileConflict", "file_revision"]
