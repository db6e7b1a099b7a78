"""The process that runs model scripts for the server (`script_pool` starts and feeds it).

It sets OS limits on itself before its first request: its address space (`ScriptLimits.memory`),
no core files, and for each request a CPU-time limit a little over the request's
time limit, which ends the process even if the server that should kill it is gone. It knows no
database and no secrets (it starts with an empty environment); requests and replies are plain
JSON, length-prefixed, on stdin and stdout. A request that ran out of memory retires the process.
"""
from __future__ import annotations

import importlib
import json
import math
import os
import resource
import struct
import sys
import traceback
from datetime import date, datetime, timedelta
from typing import Any, Callable
from zoneinfo import ZoneInfo

from . import runner as script_runner
from .compiler import compile_code
from .functions import make_helpers
from .guards import ScriptLimitError, ScriptLimits, ScriptPolicyError, ScriptRun
from .plain_data import Budget, export, storable_text

HEADER = struct.Struct(">I")
_site_helpers: dict[str, Callable[..., Any]] = {}


def _read_exact(fd: int, size: int) -> bytes | None:
    chunks = []
    while size:
        chunk = os.read(fd, size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int) -> str | None:
    """The next request's JSON, or None when the server closed the pipe."""
    header = _read_exact(fd, HEADER.size)
    body = _read_exact(fd, HEADER.unpack(header)[0]) if header is not None else None
    return None if body is None else body.decode("utf-8", "surrogatepass")


def _write(fd: int, frame: bytes) -> None:
    view = memoryview(frame)
    while view:
        view = view[os.write(fd, view):]


def _jsonable(value: Any) -> Any:
    """Task data is plain already; dates, should SpiffWorkflow have put one there, travel as ISO."""
    if isinstance(value, (date, timedelta)):
        return export(value, Budget(1024), "a date")
    raise TypeError(f"task data holds a {type(value).__name__} value, which is not plain data")


def encode_frame(message: Any) -> bytes:
    body = json.dumps(message, ensure_ascii=False, default=_jsonable).encode("utf-8", "surrogatepass")
    return HEADER.pack(len(body)) + body


def _site_helper(reference: str) -> Callable[..., Any]:
    """A site helper by "module:qualname", imported once per process."""
    found = _site_helpers.get(reference)
    if found is None:
        module, _, qualname = reference.partition(":")
        target: Any = importlib.import_module(module)
        for part in qualname.split("."):
            target = getattr(target, part)
        found = _site_helpers[reference] = target
    return found


def _helpers(request: dict[str, Any]) -> dict[str, Any]:
    moment = datetime.fromisoformat(request["now"])
    helpers: dict[str, Any] = make_helpers(lambda: moment, ZoneInfo(request["zone"]))
    for name, site in request.get("globals", {}).items():
        helpers[name] = _site_helper(site["ref"]) if "ref" in site else site["value"]
    return helpers


def _error(exc: BaseException) -> dict[str, Any]:
    kind = ("policy" if isinstance(exc, ScriptPolicyError)
            else "limit" if isinstance(exc, ScriptLimitError) else "error")
    plain = all(isinstance(a, (str, int, float, bool, type(None))) for a in exc.args)
    args = list(exc.args) if plain else [str(exc)]
    args = [storable_text(a) if isinstance(a, str) else a for a in args]
    line = next((frame.lineno for frame in reversed(traceback.extract_tb(exc.__traceback__))
                 if frame.filename == "<string>"), None)
    return {"type": type(exc).__name__, "kind": kind, "args": args, "line": line}


def handle(request: dict[str, Any], pristine: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run one request; every outcome, an error included, is a plain JSON reply. `pristine` is a
    second copy of the request's data, to send back only what the script changed."""
    limits = ScriptLimits(**request["limits"])
    try:
        compiled = compile_code(request["source"], request["mode"])
        helpers = _helpers(request)
        data, external = request["data"], request.get("external", {})
        budget = Budget(limits.result)
        space = script_runner.namespace(data, external, helpers, ScriptRun(limits))
        if request["mode"] == "eval":
            return {"ok": True, "value": script_runner.evaluate(compiled, space, budget)}
        changed, deleted = script_runner.execute(compiled, space, data, external, helpers, budget, pristine)
        return {"ok": True, "set": changed, "deleted": deleted}
    except MemoryError:
        message = f"script stopped: it needed more than {limits.memory // 2 ** 20} MB of memory"
        return {"ok": False, "retire": True, "error": {"type": "ScriptLimitError", "kind": "limit",
                                                        "args": [message], "line": None}}
    except Exception as exc:
        return {"ok": False, "error": _error(exc)}


def _limit_self(memory: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


_cpu_soft: list[int] = []


def _limit_cpu(seconds: float) -> None:
    """A CPU-time limit between 1 and 30 s over this request's time limit: a backstop that ends the
    process should the server that kills runaway workers be gone. Left alone while it is in that
    range, since setting it costs as much as a small script."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = usage.ru_utime + usage.ru_stime + seconds
    if _cpu_soft and used + 1 <= _cpu_soft[0] <= used + 30:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = math.ceil(used) + 10
    soft = soft if hard == resource.RLIM_INFINITY else min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
    _cpu_soft[:] = [soft]


def serve(memory: int) -> None:
    """Answer requests until stdin closes (the server went away) or a request retires the process."""
    source, sink = sys.stdin.fileno(), os.dup(sys.stdout.fileno())
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # nothing but replies may reach the pipe
    _limit_self(memory)
    _write(sink, encode_frame({"ready": True}))
    while True:
        body = read_frame(source)
        if body is None:
            return
        request = json.loads(body)
        _limit_cpu(float(request["limits"].get("seconds", ScriptLimits.seconds)))
        try:
            reply = handle(request, json.loads(body)["data"] if request["mode"] == "exec" else None)
            frame = encode_frame(reply)
        except Exception as exc:  # a reply that cannot be encoded, memory running out on the way
            limit = isinstance(exc, MemoryError)
            reply = {"ok": False, "retire": limit, "error": {
                "type": "ScriptLimitError" if limit else type(exc).__name__,
                "kind": "limit" if limit else "error",
                "args": ["script stopped: out of memory" if limit else storable_text(str(exc))],
                "line": None}}
            frame = encode_frame(reply)
        _write(sink, frame)
        if reply.get("retire"):
            return

