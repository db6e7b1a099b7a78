"""The line length is written twice: in ruff.toml, which `make test` checks the tree against, and
as setup.cfg's [flake8] max-line-length, for tools that read that instead. They must not drift."""
import configparser
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_ruff_and_flake8_agree_on_the_line_length():
    ruff = tomllib.loads((REPO / "ruff.toml").read_text("utf-8"))
    setup = configparser.ConfigParser(interpolation=None)
    setup.read(REPO / "setup.cfg", encoding="utf-8")
    assert ruff["line-length"] == setup.getint("flake8", "max-line-length")
