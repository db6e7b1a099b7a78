"""`bench/` is not an installed package (it lives beside them, run as `bench/run.py`): put the
repository root on the import path so the smoke tests can import it."""
import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
