"""Process models: deploying BPMN, DMN and form files as versions, parsing them into specs, and
serializing a running case's workflow without its spec."""
from .deploy import DeployResult, collect_directory, deploy_directory
from .properties import ProcessTexts
from .property_rules import Problem, property_problems
from .specs import POINT_OF_NO_RETURN, ParsedProcess, SourceFile, parse_process, version_policy
from .state import dumps, loads
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

__all__ = ["DeployResult", "MAX_FILE_BYTES", "POINT_OF_NO_RETURN", "ParsedProcess", "Problem",
           "ProcessSummary", "ProcessTexts", "SourceFile", "Upload", "VersionSummary", "collect_directory",
           "deploy_directory", "deploy_uploads", "dumps", "list_processes", "loads", "parse_process",
           "process_versions", "property_problems", "version_file", "version_policy"]
