"""`opsflow worker` that stalls before the Nth case it fires, for the tests of worker processes:

    python stalling_worker.py N forever|until-stop  opsflow-arguments...

It prints `stalled` when it gets there; `forever` then waits to be killed (kill -9 mid-batch, its
leases held), `until-stop` waits for SIGTERM or SIGINT to ask the runner to stop and then fires that
case, so the test sees the job being run finish. A stall instead of a sleep: the test knows where the
worker is, whatever the machine's speed."""
from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from engine.runtime import runner, timers  # noqa: E402

stall_at, mode = int(sys.argv[1]), sys.argv[2]
stop_asked = threading.Event()
count = 0
request_stop = runner.BackgroundRunner.request_stop
fire_one = timers.fire_one


def asked_to_stop(self: runner.BackgroundRunner) -> None:
    request_stop(self)
    stop_asked.set()


def stalling_fire_one(*args: Any) -> bool:
    global count
    count += 1
    if count == stall_at:
        print("stalled", flush=True)
        if mode == "forever":
            threading.Event().wait()
        while not stop_asked.wait(0.05):  # short waits: the signal handler runs in between
            pass
    return fire_one(*args)


runner.BackgroundRunner.request_stop = asked_to_stop  # type: ignore[method-assign]
timers.fire_one = stalling_fire_one

from webapp.cli import main  # noqa: E402

sys.argv = ["opsflow", *sys.argv[3:]]
main()
