"""Fixtures: a fake LocalStack callback server and a launcher for the bootstrap.

No LocalStack is needed: the fake server records what the bootstrap posts to
``/_localstack_lambda/<executor-id>/...`` the way LocalStack's ExecutorEndpoint receives it.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from localstack_process_executor.environment import (  # noqa: E402
    BOOTSTRAP_PATH,
    build_child_env,
)

NODE = shutil.which("node")


@dataclass
class Callback:
    path: str
    body: bytes
    content_type: str | None

    @property
    def kind(self) -> str:
        """'ready', 'status-error', 'logs', 'response' or 'error'."""
        parts = self.path.strip("/").split("/")
        if parts[2] == "status":
            return "ready" if parts[-1] == "ready" else "status-error"
        return parts[-1]

    def json(self):
        return json.loads(self.body)


@dataclass
class FakeLocalStack:
    port: int
    executor_id: str
    callbacks: list[Callback] = field(default_factory=list)
    cond: threading.Condition = field(default_factory=threading.Condition)

    @property
    def runtime_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/_localstack_lambda/{self.executor_id}"

    def record(self, cb: Callback) -> None:
        with self.cond:
            self.callbacks.append(cb)
            self.cond.notify_all()

    def wait_for(self, kind: str, count: int = 1, timeout: float = 10.0) -> list[Callback]:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                found = [c for c in self.callbacks if c.kind == kind]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"no {kind!r} callback after {timeout}s; got {[c.path for c in self.callbacks]}"
                    )
                self.cond.wait(remaining)

    def kinds(self) -> list[str]:
        with self.cond:
            return [c.kind for c in self.callbacks]


@pytest.fixture
def fake_localstack():
    state: dict = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            state["fake"].record(Callback(self.path, body, self.headers.get("Content-Type")))
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake = FakeLocalStack(port=server.server_address[1], executor_id=uuid.uuid4().hex)
    state["fake"] = fake
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Bootstrap:
    """A running bootstrap process (one execution environment)."""

    def __init__(self, proc: subprocess.Popen, port: int, fake: FakeLocalStack, control_fd: int | None):
        self.proc = proc
        self.port = port
        self.fake = fake
        self.control_fd = control_fd

    def invoke(self, event, request_id: str | None = None, trace_id: str = "Root=1-abc;Parent=def;Sampled=1"):
        request_id = request_id or str(uuid.uuid4())
        body = json.dumps(
            {
                "invoke-id": request_id,
                "invoked-function-arn": "arn:aws:lambda:us-east-1:000000000000:function:fn",
                "payload": json.dumps(event),
                "trace-id": trace_id,
            }
        ).encode()
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/invoke",
            data=body,
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(req, timeout=5) as resp:
            assert resp.status == 200
        return request_id

    def result_for(self, request_id: str, timeout: float = 10.0) -> Callback:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for c in list(self.fake.callbacks):
                if f"/invocations/{request_id}/" in c.path and c.kind in ("response", "error"):
                    return c
            time.sleep(0.01)
        raise AssertionError(f"no result for {request_id}: {[c.path for c in self.fake.callbacks]}")

    def logs_for(self, request_id: str) -> str:
        for c in self.fake.callbacks:
            if c.path.endswith(f"/invocations/{request_id}/logs"):
                return c.json()["logs"]
        raise AssertionError(f"no logs for {request_id}")

    def read_control(self) -> bytes:
        os.set_blocking(self.control_fd, False)
        try:
            return os.read(self.control_fd, 4096)
        except BlockingIOError:
            return b""

    def output(self) -> str:
        self.proc.kill()
        out, err = self.proc.communicate(timeout=5)
        return out.decode(errors="replace") + err.decode(errors="replace")


@pytest.fixture
def start_bootstrap(fake_localstack, tmp_path):
    if not NODE:
        pytest.skip("node is not installed")
    started: list[Bootstrap] = []

    def start(
        files: dict[str, str],
        handler: str,
        timeout: int = 3,
        extra_env: dict | None = None,
        port: int | None = None,
        wait_ready: bool = True,
    ) -> Bootstrap:
        code = tmp_path / ("code" if not started else f"code{len(started)}")
        for rel, content in files.items():
            target = code / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
        code.mkdir(exist_ok=True)
        port = port or free_port()
        lambda_env = {
            "AWS_REGION": "us-east-1",
            "AWS_LAMBDA_FUNCTION_NAME": "fn",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": 256,  # LocalStack passes an int
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_TIMEOUT": timeout,
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/fn",
            "AWS_LAMBDA_LOG_STREAM_NAME": "2025/01/01/[$LATEST]abc",
            "LAMBDA_TASK_ROOT": "/var/task",
            "LOCALSTACK_RUNTIME_ID": fake_localstack.executor_id,
            "LOCALSTACK_RUNTIME_ENDPOINT": fake_localstack.runtime_endpoint,
            "_HANDLER": handler,
            **(extra_env or {}),
        }
        env = build_child_env(lambda_env, code_dir=code, runtime_dir=BOOTSTRAP_PATH.parent, port=port)
        read_fd, write_fd = os.pipe()
        env["LSPE_CONTROL_FD"] = str(write_fd)
        proc = subprocess.Popen(
            [NODE, str(BOOTSTRAP_PATH)],
            cwd=code,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=(write_fd,),
        )
        os.close(write_fd)
        bootstrap = Bootstrap(proc, port, fake_localstack, read_fd)
        started.append(bootstrap)
        if wait_ready:
            fake_localstack.wait_for("ready")
        return bootstrap

    yield start
    for b in started:
        if b.proc.poll() is None:
            b.proc.kill()
        b.proc.wait(timeout=5)
        for stream in (b.proc.stdout, b.proc.stderr):
            stream.close()
        os.close(b.control_fd)
