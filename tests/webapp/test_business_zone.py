"""A site names its business time zone in the configuration; the app's engine and its pages use it."""
from zoneinfo import ZoneInfo

import pytest

from config import ConfigError, load_config
from webapp import create_app


def test_the_business_time_zone_comes_from_the_configuration_and_the_environment(tmp_path):
    assert load_config("test", environ={})["BUSINESS_TIMEZONE"] == "Asia/Shanghai"
    assert load_config("test", environ={"OPSFLOW_BUSINESS_TIMEZONE": "Europe/Paris"})["BUSINESS_TIMEZONE"] \
        == "Europe/Paris"
    with pytest.raises(ConfigError, match="OPSFLOW_BUSINESS_TIMEZONE"):
        load_config("test", environ={"OPSFLOW_BUSINESS_TIMEZONE": "Mars/Olympus"})
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'app.sqlite'}",
                     BUSINESS_TIMEZONE="Europe/Paris")
    assert app.extensions["opsflow"].zone == ZoneInfo("Europe/Paris")
    assert app.extensions["opsflow"].script_engine.environment.zone == ZoneInfo("Europe/Paris")
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "Europe/Paris"
