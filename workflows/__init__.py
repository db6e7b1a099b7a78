"""The catalogue of OpsFlow: roles, stores, demo users, the process registry and the form schemas
that go with the BPMN/DMN models in `bpmn/`."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BPMN_DIR = ROOT / "bpmn"
FORMS_DIR = Path(__file__).resolve().parent / "forms"
