"""End-to-end tests of bootstrap.mjs against a fake LocalStack callback server."""

from __future__ import annotations

import json
import re
import socket
import time

CJS_HANDLER = """
exports.handler = async (event, context) => {
  console.log('got', JSON.stringify(event));
  return {
    echo: event,
    requestId: context.awsRequestId,
    arn: context.invokedFunctionArn,
    functionName: context.functionName,
    functionVersion: context.functionVersion,
    memory: context.memoryLimitInMB,
    remaining: context.getRemainingTimeInMillis(),
    logGroup: context.logGroupName,
    logStream: context.logStreamName,
    waits: context.callbackWaitsForEmptyEventLoop,
    trace: process.env._X_AMZN_TRACE_ID,
    taskRoot: process.env.LAMBDA_TASK_ROOT,
    cwd: process.cwd(),
    leaked: Object.keys(process.env).filter((k) => k.startsWith('LSPE_') || k === 'LOCALSTACK_RUNTIME_ID'),
    moduleType: typeof module,
  };
};
"""


def test_ready_then_logs_then_response_for_a_commonjs_handler(start_bootstrap, fake_localstack, tmp_path):
    boot = start_bootstrap({"index.js": CJS_HANDLER}, "index.handler", timeout=3)

    ready = fake_localstack.wait_for("ready")[0]
    assert ready.path == (
        f"/_localstack_lambda/{fake_localstack.executor_id}/status/{fake_localstack.executor_id}/ready"
    )
    request_id = boot.invoke({"hello": "world"})
    result = boot.result_for(request_id)

    assert result.kind == "response"
    body = result.json()
    assert body["echo"] == {"hello": "world"}
    assert body["requestId"] == request_id
    assert body["arn"] == "arn:aws:lambda:us-east-1:000000000000:function:fn"
    assert body["functionName"] == "fn"
    assert body["functionVersion"] == "$LATEST"
    assert body["memory"] == "256"
    assert 0 < body["remaining"] <= 3000
    assert body["logGroup"] == "/aws/lambda/fn"
    assert body["logStream"] == "2025/01/01/[$LATEST]abc"
    assert body["waits"] is True
    assert body["trace"] == "Root=1-abc;Parent=def;Sampled=1"
    assert body["taskRoot"] == str(tmp_path / "code")
    assert body["cwd"] == str(tmp_path / "code")
    assert body["leaked"] == []
    assert body["moduleType"] == "object"  # loaded as CommonJS

    # logs are posted (as JSON) before the response, and contain the platform lines
    kinds = [k for k in fake_localstack.kinds() if k in ("logs", "response")]
    assert kinds == ["logs", "response"]
    logs_cb = next(c for c in fake_localstack.callbacks if c.kind == "logs")
    assert logs_cb.content_type == "application/json"
    logs = logs_cb.json()["logs"]
    assert f"START RequestId: {request_id} Version: $LATEST" in logs
    assert re.search(rf"\dZ\t{request_id}\tINFO\tgot {{\"hello\":\"world\"}}\n", logs)
    assert f"END RequestId: {request_id}" in logs
    assert re.search(rf"REPORT RequestId: {request_id}\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\t"
                     r"Memory Size: 256 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms", logs)


def test_warm_invokes_reuse_the_process_and_only_the_first_reports_init(start_bootstrap):
    boot = start_bootstrap(
        {"index.js": "let n = 0; exports.handler = async () => ({ n: ++n, pid: process.pid });"},
        "index.handler",
    )
    first = boot.invoke({})
    first_body = boot.result_for(first).json()
    second = boot.invoke({})
    second_body = boot.result_for(second).json()
    assert (first_body["n"], second_body["n"]) == (1, 2)
    assert first_body["pid"] == second_body["pid"]
    assert "Init Duration" in boot.logs_for(first)
    assert "Init Duration" not in boot.logs_for(second)


def test_esm_handler_in_a_subdirectory_with_mjs_extension(start_bootstrap):
    boot = start_bootstrap(
        {
            "src/app.mjs": "export const main = { handler: async (e) => ({ esm: typeof require === 'undefined', e }) };\n"
            "console.log('init log line');"
        },
        "src/app.main.handler",
    )
    request_id = boot.invoke({"x": 1})
    assert boot.result_for(request_id).json() == {"esm": True, "e": {"x": 1}}
    logs = boot.logs_for(request_id)
    # init output is reported with the first invoke, before START (as in CloudWatch)
    assert logs.index("init log line") < logs.index("START RequestId")
    assert "\tundefined\tINFO\tinit log line" in logs


def test_js_file_is_loaded_as_esm_when_package_json_says_module(start_bootstrap):
    boot = start_bootstrap(
        {
            "package.json": '{"type": "module"}',
            "index.js": "export const handler = async () => ({ esm: import.meta.url.startsWith('file:') });",
        },
        "index.handler",
    )
    request_id = boot.invoke({})
    assert boot.result_for(request_id).json() == {"esm": True}


def test_cjs_extension_and_callback_style_handler(start_bootstrap):
    boot = start_bootstrap(
        {
            "package.json": '{"type": "module"}',
            "handler.cjs": "exports.handler = (event, context, cb) => setTimeout(() => cb(null, { via: 'callback', n: event.n }), 5);",
        },
        "handler.handler",
    )
    request_id = boot.invoke({"n": 7})
    result = boot.result_for(request_id)
    assert result.kind == "response"
    assert result.json() == {"via": "callback", "n": 7}


def test_undefined_result_is_sent_as_json_null(start_bootstrap):
    boot = start_bootstrap({"index.js": "exports.handler = async () => {};"}, "index.handler")
    request_id = boot.invoke({})
    result = boot.result_for(request_id)
    assert result.kind == "response"
    assert result.body == b"null"


def test_thrown_error_is_reported_on_the_error_callback(start_bootstrap):
    boot = start_bootstrap(
        {"index.js": "exports.handler = async () => { throw new TypeError('bad input'); };"},
        "index.handler",
    )
    request_id = boot.invoke({})
    result = boot.result_for(request_id)
    assert result.kind == "error"
    body = result.json()
    assert body["errorType"] == "TypeError"
    assert body["errorMessage"] == "bad input"
    assert body["trace"][0] == "TypeError: bad input"
    assert "\tERROR\tInvoke Error \t" in boot.logs_for(request_id)
    # a handled error does not cost the environment: the next invoke works in the same process
    assert boot.read_control() == b""
    again = boot.invoke({})
    assert boot.result_for(again).kind == "error"
    assert boot.proc.poll() is None


def test_callback_error_and_non_error_values(start_bootstrap):
    boot = start_bootstrap(
        {"index.js": "exports.handler = (e, c, cb) => cb('plain string failure');"}, "index.handler"
    )
    request_id = boot.invoke({})
    body = boot.result_for(request_id).json()
    assert body == {"errorType": "string", "errorMessage": "plain string failure", "trace": []}


def test_timeout_posts_go_init_style_error_requests_restart_and_exits(start_bootstrap):
    boot = start_bootstrap(
        {"index.js": "exports.handler = () => new Promise(() => { console.log('waiting forever'); });"},
        "index.handler",
        timeout=1,
    )
    started = time.monotonic()
    request_id = boot.invoke({})
    result = boot.result_for(request_id, timeout=5)
    elapsed = time.monotonic() - started

    assert result.kind == "error"
    assert 0.9 < elapsed < 3
    assert re.fullmatch(
        rf'{{"errorMessage":"\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ {request_id} Task timed out after 1\.00 seconds"}}',
        result.body.decode(),
    )
    logs = boot.logs_for(request_id)
    assert "waiting forever" in logs
    assert f"{request_id} Task timed out after 1.00 seconds" in logs
    assert "Status: timeout" in logs
    assert boot.proc.wait(timeout=5) == 124
    assert b"restart" in boot.read_control()


def test_uncaught_exception_during_invoke_completes_it_and_exits(start_bootstrap):
    boot = start_bootstrap(
        {"index.js": "exports.handler = () => new Promise(() => setTimeout(() => { throw new Error('async crash'); }, 5));"},
        "index.handler",
    )
    request_id = boot.invoke({})
    result = boot.result_for(request_id)
    assert result.kind == "error"
    assert result.json()["errorMessage"] == "async crash"
    assert "Uncaught Exception" in boot.logs_for(request_id)
    assert boot.proc.wait(timeout=5) == 129
    assert b"restart" in boot.read_control()


def test_unhandled_rejection_is_reported_as_runtime_error(start_bootstrap):
    boot = start_bootstrap(
        {"index.js": "exports.handler = () => { Promise.reject(new Error('nobody catches me')); return new Promise(() => {}); };"},
        "index.handler",
    )
    request_id = boot.invoke({})
    body = boot.result_for(request_id).json()
    assert body["errorType"] == "Runtime.UnhandledPromiseRejection"
    assert body["errorMessage"] == "Error: nobody catches me"
    assert boot.proc.wait(timeout=5) == 128


def test_missing_export_is_an_init_error(start_bootstrap, fake_localstack):
    boot = start_bootstrap({"index.js": "exports.other = 1;"}, "index.handler", wait_ready=False)
    error = fake_localstack.wait_for("status-error")[0]
    assert error.path.endswith(f"/status/{fake_localstack.executor_id}/error")
    body = error.json()
    assert body["errorType"] == "Runtime.HandlerNotFound"
    assert body["errorMessage"] == "index.handler is undefined or not exported"
    assert boot.proc.wait(timeout=5) == 1
    assert "ready" not in fake_localstack.kinds()


def test_missing_module_syntax_error_and_bad_handler_name(start_bootstrap, fake_localstack):
    cases = [
        ({"index.js": "exports.handler = 1;"}, "nothere.handler", "Runtime.ImportModuleError"),
        ({"index.js": "exports.handler = () => {;"}, "index.handler", "Runtime.UserCodeSyntaxError"),
        ({"index.mjs": "export const handler = () => {;"}, "index.handler", "Runtime.UserCodeSyntaxError"),
        ({"index.js": "exports.handler = 1;"}, "index.handler", "Runtime.HandlerNotFound"),
        ({"index.js": ""}, "index", "Runtime.MalformedHandlerName"),
        ({"index.js": ""}, "../index.handler", "Runtime.MalformedHandlerName"),
    ]
    for files, handler, error_type in cases:
        fake_localstack.callbacks.clear()
        boot = start_bootstrap(files, handler, wait_ready=False)
        body = fake_localstack.wait_for("status-error")[0].json()
        assert body["errorType"] == error_type, (handler, body)
        assert boot.proc.wait(timeout=5) == 1


def test_response_larger_than_the_payload_limit_becomes_an_error(start_bootstrap):
    boot = start_bootstrap(
        {"index.js": "exports.handler = async () => 'x'.repeat(2000);"},
        "index.handler",
        extra_env={"LOCALSTACK_MAX_PAYLOAD_SIZE": 1000},
    )
    request_id = boot.invoke({})
    body = boot.result_for(request_id).json()
    assert body["errorType"] == "Function.ResponseSizeTooLarge"


def test_json_log_format(start_bootstrap):
    boot = start_bootstrap(
        {"index.js": "exports.handler = async () => { console.warn('careful', 42); console.debug('hidden'); return 1; };"},
        "index.handler",
        extra_env={"AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_LOG_LEVEL": "INFO"},
    )
    request_id = boot.invoke({})
    boot.result_for(request_id)
    records = [json.loads(line) for line in boot.logs_for(request_id).splitlines() if line.startswith("{")]
    assert [r["message"] for r in records] == ["careful 42"]
    assert records[0]["level"] == "WARN"
    assert records[0]["requestId"] == request_id


def test_port_in_use_exits_with_98(start_bootstrap, fake_localstack):
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen(1)
    try:
        boot = start_bootstrap(
            {"index.js": "exports.handler = async () => 1;"},
            "index.handler",
            port=blocker.getsockname()[1],
            wait_ready=False,
        )
        assert boot.proc.wait(timeout=5) == 98
        assert fake_localstack.kinds() == []
    finally:
        blocker.close()


def _layer(tmp_path):
    modules = tmp_path / "layer" / "nodejs" / "node_modules"
    (modules / "greeter").mkdir(parents=True)
    (modules / "greeter" / "package.json").write_text('{"name": "greeter", "main": "index.js"}')
    (modules / "greeter" / "index.js").write_text("exports.greet = (n) => `hello ${n}`;")
    return modules


def test_commonjs_handler_requires_packages_from_node_path(start_bootstrap, tmp_path):
    modules = _layer(tmp_path)
    boot = start_bootstrap(
        {"index.js": "const { greet } = require('greeter'); exports.handler = async () => greet('cjs');"},
        "index.handler",
        extra_env={"NODE_PATH": str(modules)},
    )
    request_id = boot.invoke({})
    assert boot.result_for(request_id).json() == "hello cjs"


def test_esm_handler_imports_packages_from_node_path(start_bootstrap, tmp_path):
    modules = _layer(tmp_path)
    boot = start_bootstrap(
        {"index.mjs": "import { greet } from 'greeter'; export const handler = async () => greet('esm');"},
        "index.handler",
        extra_env={"NODE_PATH": str(modules)},
    )
    request_id = boot.invoke({})
    assert boot.result_for(request_id).json() == "hello esm"


def test_bootstrap_exits_when_its_parent_dies(fake_localstack, tmp_path):
    import os
    import subprocess

    from conftest import NODE, free_port
    from localstack_process_executor.environment import BOOTSTRAP_PATH, build_child_env

    (tmp_path / "index.js").write_text("exports.handler = async () => 1;")
    env = build_child_env(
        {
            "_HANDLER": "index.handler",
            "LOCALSTACK_RUNTIME_ID": fake_localstack.executor_id,
            "LOCALSTACK_RUNTIME_ENDPOINT": fake_localstack.runtime_endpoint,
        },
        code_dir=tmp_path,
        runtime_dir=BOOTSTRAP_PATH.parent,
        port=free_port(),
    )
    # an intermediate shell starts the bootstrap and exits once it is ready: the bootstrap is orphaned
    shell = subprocess.Popen(
        ["sh", "-c", f'"{NODE}" "{BOOTSTRAP_PATH}" >/dev/null 2>&1 & echo $!; sleep 0.5'],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
    )
    pid = int(shell.stdout.readline())
    fake_localstack.wait_for("ready")
    shell.wait(timeout=5)
    shell.stdout.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        # reap it if we became its parent (we do not: it is re-parented to init / a subreaper)
        time.sleep(0.1)
    os.kill(pid, 9)
    raise AssertionError("orphaned bootstrap did not exit")
