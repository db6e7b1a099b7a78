"""A site sets its script limits in the configuration; the app's engine runs scripts under them."""
from config import load_config
from webapp import create_app


def test_script_limits_come_from_the_configuration_and_the_environment(tmp_path):
    settings = load_config("test", environ={"OPSFLOW_SCRIPT_SECONDS": "1.5",
                                            "OPSFLOW_SCRIPT_MEMORY_MB": "300"})
    assert (settings["SCRIPT_SECONDS"], settings["SCRIPT_MEMORY_MB"]) == (1.5, 300)
    assert (load_config("test", environ={})["SCRIPT_SECONDS"],
            load_config("test", environ={})["SCRIPT_MEMORY_MB"]) == (5.0, 512)
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'app.sqlite'}",
                     SCRIPT_SECONDS=1.5, SCRIPT_MEMORY_MB=300)
    limits = app.extensions["opsflow"].script_engine.environment.limits
    assert (limits.seconds, limits.memory) == (1.5, 300 * 2 ** 20)
