"""The executor class with LocalStack's real ExecutorEndpoint and callback router.

Skipped unless localstack-core is importable (run with the LocalStack venv's python). LocalStack's
gateway is replaced by a werkzeug server that dispatches LocalStack's ROUTER, so the callbacks
take the same code path as in a running LocalStack.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import uuid
from types import SimpleNamespace

import pytest

pytest.importorskip("localstack.services.lambda_.invocation.executor_endpoint")

from localstack import config  # noqa: E402
from localstack.services.edge import ROUTER  # noqa: E402
from localstack.services.lambda_.invocation.executor_endpoint import (  # noqa: E402
    StatusErrorException,
)
from localstack.services.lambda_.invocation.runtime_executor import (  # noqa: E402
    LambdaRuntimeException,
)
from werkzeug.serving import make_server  # noqa: E402
from werkzeug.wrappers import Request  # noqa: E402

from localstack_process_executor import executor as executor_module  # noqa: E402
from localstack_process_executor.executor import LogBuffer, ProcessRuntimeExecutor  # noqa: E402
from localstack_process_executor.plugin import ProcessRuntimeExecutorPlugin  # noqa: E402

pytestmark = pytest.mark.skipif(not shutil.which("node"), reason="node is not installed")


@pytest.fixture(scope="module")
def gateway():
    def app(environ, start_response):
        return ROUTER.dispatch(Request(environ))(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    original = config.GATEWAY_LISTEN
    config.GATEWAY_LISTEN = [config.HostAndPort("127.0.0.1", server.server_port)]
    yield server
    config.GATEWAY_LISTEN = original
    server.shutdown()


class FakeCode:
    def __init__(self, path, hot=False):
        self.path = path
        self.hot = hot

    def is_hot_reloading(self):
        return self.hot

    def get_unzipped_code_location(self):
        return self.path

    def prepare_for_execution(self):
        pass


def function_version(code_dir, runtime="nodejs20.x", timeout=2, hot=False):
    return SimpleNamespace(
        id=SimpleNamespace(function_name="fn", qualifier="$LATEST", region="us-east-1"),
        config=SimpleNamespace(
            runtime=runtime, code=FakeCode(code_dir, hot), layers=[], timeout=timeout, memory_size=128
        ),
        qualified_arn="arn:aws:lambda:us-east-1:000000000000:function:fn:$LATEST",
    )


HANDLER = """
exports.handler = async (event) => {
  if (event.busyMs) { const end = Date.now() + event.busyMs; while (Date.now() < end) {} }
  if (event.exit) process.exit(event.exit);
  return { pid: process.pid, event };
};
"""


@pytest.fixture
def make_executor(gateway, tmp_path):
    executors = []

    def make(source=HANDLER, timeout=2, runtime="nodejs20.x", hot=False):
        code = tmp_path / f"code{len(executors)}"
        code.mkdir()
        (code / "index.js").write_text(source)
        ex = ProcessRuntimeExecutor(uuid.uuid4().hex, function_version(code, runtime, timeout, hot))
        executors.append(ex)
        env = {
            "_HANDLER": "index.handler",
            "AWS_LAMBDA_FUNCTION_TIMEOUT": timeout,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": 128,
            "LOCALSTACK_RUNTIME_ID": ex.id,
            "LOCALSTACK_RUNTIME_ENDPOINT": ex.get_runtime_endpoint(),
        }
        return ex, env

    yield make
    for ex in executors:
        ex.stop()


def invoke(ex, event):
    request_id = str(uuid.uuid4())
    result = ex.invoke(
        {
            "invoke-id": request_id,
            "invoked-function-arn": "arn:aws:lambda:us-east-1:000000000000:function:fn",
            "payload": json.dumps(event),
            "trace-id": "Root=1-x;Parent=y;Sampled=1",
        }
    )
    return result, (json.loads(result.payload) if result.payload else None)


def test_plugin_loads_the_executor_class_idempotently():
    plugin = ProcessRuntimeExecutorPlugin()
    assert plugin.name == "process"
    assert plugin.load() is ProcessRuntimeExecutor
    assert plugin.load() is ProcessRuntimeExecutor


def test_runtime_endpoint_and_addresses(make_executor, gateway):
    ex, _ = make_executor()
    assert ex.get_endpoint_from_executor() == "127.0.0.1"
    assert ex.get_runtime_endpoint() == f"http://127.0.0.1:{gateway.server_port}/_localstack_lambda/{ex.id}"
    assert ex.get_address() == "127.0.0.1"


def test_start_invoke_warm_and_stop(make_executor):
    ex, env = make_executor()
    ex.start(env)
    first, body1 = invoke(ex, {"n": 1})
    second, body2 = invoke(ex, {"n": 2})
    assert not first.is_error and body1["event"] == {"n": 1}
    assert body1["pid"] == body2["pid"]
    assert "START RequestId" in first.logs and "REPORT RequestId" in first.logs
    pid = body1["pid"]
    ex.stop()
    assert ex._child.proc.poll() is not None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_busy_loop_timeout_is_enforced_by_the_executor_and_the_next_invoke_gets_a_new_process(make_executor, monkeypatch):
    ex, env = make_executor(timeout=1)
    ex.start(env)
    _, before = invoke(ex, {})
    result, body = invoke(ex, {"busyMs": 4000})
    assert result.is_error
    assert body["errorMessage"].endswith("Task timed out after 1.00 seconds")
    assert "Status: timeout" in result.logs
    ok, after = invoke(ex, {})
    assert not ok.is_error
    assert after["pid"] != before["pid"]


def test_process_exit_mid_invoke_is_a_runtime_exit_error(make_executor):
    ex, env = make_executor()
    ex.start(env)
    result, body = invoke(ex, {"exit": 7})
    assert result.is_error
    assert body["errorType"] == "Runtime.ExitError"
    assert body["errorMessage"].endswith("Runtime exited with error: exit status 7")
    ok, _ = invoke(ex, {"n": 3})
    assert not ok.is_error


def test_hot_reloaded_code_restarts_the_process_when_files_change(make_executor):
    ex, env = make_executor(source="exports.handler = async () => 'v1';", hot=True)
    ex.start(env)
    assert invoke(ex, {})[1] == "v1"
    assert invoke(ex, {})[1] == "v1"
    index = ex.function_version.config.code.path / "index.js"
    index.write_text("exports.handler = async () => 'v2';")
    stat = index.stat()
    os.utime(index, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert invoke(ex, {})[1] == "v2"


def test_init_error_surfaces_as_status_error(make_executor):
    ex, env = make_executor(source="exports.nothing = 1;")
    with pytest.raises(StatusErrorException) as info:
        ex.start(env)
    assert json.loads(info.value.payload)["errorType"] == "Runtime.HandlerNotFound"


def test_crash_during_init_without_callback_is_an_exit_error(make_executor):
    ex, env = make_executor(source="process.exit(5);")
    with pytest.raises(StatusErrorException) as info:
        ex.start(env)
    assert json.loads(info.value.payload) == {
        "errorType": "Runtime.ExitError",
        "errorMessage": "Error: Runtime exited with error: exit status 5",
    }


def test_non_node_runtime_is_rejected(make_executor):
    ex, env = make_executor(runtime="python3.12")
    with pytest.raises(LambdaRuntimeException, match="python3.12"):
        ex.start(env)
    with pytest.raises(LambdaRuntimeException, match="python3.12"):
        ProcessRuntimeExecutor.prepare_version(ex.function_version)


def test_log_buffer_marks():
    buf = LogBuffer(max_lines=3)
    buf.append("a\n")
    mark = buf.mark()
    for line in ("b\n", "c\n", "d\n"):
        buf.append(line)
    assert buf.since(mark) == "b\nc\nd\n"
    assert buf.text() == "b\nc\nd\n"
    assert executor_module.PORT_ATTEMPTS >= 2
