"""The worker processes that run model scripts, seen from the server.

A pool per memory limit, shared by every engine and thread of the server process: started on first
use, a warm spare kept while there is room, a worker that runs over its time killed and replaced,
one that died while idle replaced without a word, all of them stopped at exit. Workers are fresh
interpreters (`python -I`, started with `subprocess`, never forked from a threaded server) that
import only the sandbox modules, not the engine package, so that starting one costs a fraction of
a second and nothing of the server (database connections, secrets, memory) is there to reach.
"""
from __future__ import annotations

import atexit
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from .guards import ScriptLimitError
from .worker import HEADER, encode_frame

GRACE = 0.2          # seconds past the time limit before the worker is killed (its own check comes first)
STARTUP = 60.0       # seconds a new worker may take to import its modules on a loaded machine
POOL_SIZE = min(4, max(2, os.cpu_count() or 2))
_REPLY_OVERHEAD = 64 * 1024

_BOOT = """
import json, sys, types
paths, name, folder, memory = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
sys.path[:0] = [p for p in paths if p not in sys.path]
parts = name.split(".")
for depth in range(1, len(parts) + 1):  # empty parents too: `from . import x` returns the top package
    package = types.ModuleType(".".join(parts[:depth]))
    package.__path__ = [folder] if depth == len(parts) else []
    sys.modules[package.__name__] = package
from importlib import import_module
import_module(name + ".worker").serve(memory)
"""


class _Timeout(Exception):
    pass


class _Gone(Exception):
    def __init__(self, before_request: bool) -> None:
        super().__init__()
        self.before_request = before_request


class _Worker:
    def __init__(self, memory: int) -> None:
        package = __name__.rpartition(".")[0]
        paths = [p for p in sys.path if isinstance(p, str)]
        self.memory = memory
        self.ready = False
        self._poller = select.poll()
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-c", _BOOT, json.dumps(paths), package, str(Path(__file__).parent),
             str(memory)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env={"PATH": os.defpath}, start_new_session=True)
        assert self.process.stdout is not None
        self._poller.register(self.process.stdout.fileno(), select.POLLIN)

    def alive(self) -> bool:
        return self.process.poll() is None

    def call(self, frame: bytes, seconds: float, limit: int) -> dict[str, Any]:
        if not self.ready:
            try:
                self._read(time.monotonic() + STARTUP, 1024, before_request=True)
            except _Timeout:
                raise _Gone(before_request=True) from None
            self.ready = True
        assert self.process.stdin is not None
        try:
            view, fd = memoryview(frame), self.process.stdin.fileno()
            while view:
                view = view[os.write(fd, view):]
        except (BrokenPipeError, ConnectionResetError, ValueError):
            raise _Gone(before_request=True) from None
        return self._read(time.monotonic() + seconds, limit)

    def _read(self, deadline: float, limit: int, before_request: bool = False) -> dict[str, Any]:
        """One reply: mostly a single read, header and body together."""
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        buffer, size = b"", None
        while size is None or len(buffer) < HEADER.size + size:
            left = deadline - time.monotonic()
            if left <= 0 or not self._poller.poll(left * 1000):
                raise _Timeout
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                raise _Gone(before_request)
            buffer += chunk
            if size is None and len(buffer) >= HEADER.size:
                (size,) = HEADER.unpack_from(buffer)
                if size > limit:
                    raise _Gone(before_request=False)
        return json.loads(buffer[HEADER.size:].decode("utf-8", "surrogatepass"))

    def stop(self, kill: bool = False) -> int | None:
        """End the process (EOF first, which a waiting worker obeys at once) and reap it."""
        try:
            if kill:
                self.process.kill()
            elif self.process.stdin is not None:
                self.process.stdin.close()
        except OSError:
            pass
        try:
            code = self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass
        return code


def _ended(code: int | None, memory: int) -> str:
    if code == -signal.SIGXCPU:
        return "script stopped: it used more CPU time than its limit"
    if code == -signal.SIGKILL:
        return f"script stopped: its worker process was killed (more than {memory // 2 ** 20} MB of memory?)"
    return f"script stopped: its worker process ended unexpectedly (exit status {code})"


class ScriptPool:
    """Up to `size` workers with `memory` bytes of address space each; safe to share between threads."""

    def __init__(self, memory: int, size: int = POOL_SIZE) -> None:
        self.memory, self.size = memory, size
        self._idle: list[_Worker] = []
        self._live: set[_Worker] = set()
        self._count = 0  # live workers and those being started
        self._closed = False
        self._changed = threading.Condition()

    def run(self, request: dict[str, Any], seconds: float, result_limit: int) -> dict[str, Any]:
        """Send one request to a worker and return its reply, or raise ScriptLimitError when the
        worker ran over `seconds` or died under the script (it is killed and replaced)."""
        frame = encode_frame(request)
        for attempt in range(2):
            worker = self._take(wait=2 * (seconds + GRACE))
            try:
                reply = worker.call(frame, seconds + GRACE, result_limit * 6 + _REPLY_OVERHEAD)  # 6: "\u0001"
            except _Timeout:
                self._drop(worker, kill=True)
                raise ScriptLimitError(f"script stopped after running for {seconds} s") from None
            except _Gone as gone:
                code = self._drop(worker, kill=True)
                if gone.before_request and attempt == 0:
                    continue
                raise ScriptLimitError(_ended(code, self.memory)) from None
            except BaseException:
                self._drop(worker, kill=True)
                raise
            if reply.get("retire"):
                self._drop(worker)
            else:
                self._give_back(worker)
            return reply
        raise AssertionError("unreachable")

    def _take(self, wait: float) -> _Worker:
        """An idle worker, or a new one while there is room; else wait for one, at most `wait`
        seconds (each busy worker is done or killed within its time limit)."""
        deadline = time.monotonic() + wait
        worker: _Worker | None = None
        dead: list[_Worker] = []
        start = False
        with self._changed:
            while worker is None and not start:
                if self._closed:
                    raise RuntimeError("the script workers are shut down")
                if self._idle:
                    candidate = self._idle.pop()
                    if candidate.alive():
                        worker = candidate
                    else:
                        self._count -= 1
                        self._live.discard(candidate)
                        dead.append(candidate)
                elif self._count < self.size:
                    self._count += 1
                    start = True
                else:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise ScriptLimitError("every script worker is busy; try again in a moment")
                    self._changed.wait(left)
            spare = not self._idle and self._count < self.size
            if spare:
                self._count += 1
        for gone in dead:
            gone.stop()
        if start:
            try:
                worker = self._start()
            except BaseException:
                if spare:
                    self._release()
                raise
        if spare:  # a warm one for the next request: its interpreter starts while this one runs
            self._give_back(self._start())
        assert worker is not None
        return worker

    def _start(self) -> _Worker:
        try:
            worker = _Worker(self.memory)
        except BaseException:
            self._release()
            raise
        with self._changed:
            self._live.add(worker)
        return worker

    def _release(self) -> None:
        with self._changed:
            self._count -= 1
            self._changed.notify()

    def _give_back(self, worker: _Worker) -> None:
        with self._changed:
            if not self._closed:
                self._idle.append(worker)
                self._changed.notify()
                return
            self._count -= 1
            self._live.discard(worker)
        worker.stop()

    def _drop(self, worker: _Worker, kill: bool = False) -> int | None:
        code = worker.stop(kill)
        with self._changed:
            self._count -= 1
            self._live.discard(worker)
            replace = not self._closed and not self._idle and self._count < self.size
            if replace:
                self._count += 1
            self._changed.notify()
        if replace:
            self._give_back(self._start())
        return code

    def shutdown(self) -> None:
        with self._changed:
            self._closed = True
            idle, self._idle = self._idle, []
            self._count -= len(idle)
            self._live.difference_update(idle)
            self._changed.notify_all()
        for worker in idle:
            worker.stop()

    def pids(self) -> list[int]:
        """The process ids of the workers that exist now, idle or busy."""
        with self._changed:
            return sorted(worker.process.pid for worker in self._live)


_pools: dict[int, ScriptPool] = {}
_pools_lock = threading.Lock()


def pool_for(memory: int) -> ScriptPool:
    """The server-wide pool whose workers have `memory` bytes of address space."""
    with _pools_lock:
        pool = _pools.get(memory)
        if pool is None:
            pool = _pools[memory] = ScriptPool(memory)
        return pool


def shutdown_pools() -> None:
    """Stop every worker; a later script starts a new pool."""
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.shutdown()


_inherited: list[ScriptPool] = []


def _forget_after_fork() -> None:
    """A forked child must not share its parent's workers (their pipes would carry two
    conversations); it starts its own, and keeps the parent's objects alive untouched."""
    global _pools_lock
    _inherited.extend(_pools.values())
    _pools.clear()
    _pools_lock = threading.Lock()


atexit.register(shutdown_pools)
os.register_at_fork(after_in_child=_forget_after_fork)
