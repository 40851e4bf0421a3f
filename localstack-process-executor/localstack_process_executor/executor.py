"""LocalStack runtime executor that runs Node.js Lambda functions as host processes.

One ``ProcessRuntimeExecutor`` instance = one LocalStack execution environment = one ``node``
process running ``bootstrap/bootstrap.mjs``. The bootstrap speaks LocalStack's init protocol
(``POST /invoke`` in, ``/_localstack_lambda/...`` callbacks out), so LocalStack's own
``ExecutorEndpoint`` does the callback side, exactly as for Docker containers.
"""

from __future__ import annotations

import json
import logging
import os
import select
import signal
import subprocess
import threading
import time
from collections import deque
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeoutError
from datetime import UTC, datetime

import requests

from localstack import config
from localstack.services.lambda_.invocation.executor_endpoint import (
    ExecutorEndpoint,
    InvokeSendError,
    ShutdownDuringStartup,
    StatusErrorException,
)
from localstack.services.lambda_.invocation.lambda_models import (
    FunctionVersion,
    InvocationResult,
)
from localstack.services.lambda_.invocation.runtime_executor import (
    LambdaRuntimeException,
    RuntimeExecutor,
)
from localstack.utils.net import get_free_tcp_port

from .environment import (
    BOOTSTRAP_PATH,
    EXIT_PORT_IN_USE,
    Settings,
    UnsupportedRuntimeError,
    build_child_env,
    describe_exit,
    node_major_for_runtime,
    node_version,
)

LOG = logging.getLogger(__name__)

PORT_ATTEMPTS = 3
STOP_GRACE_S = 2.0
LOG_BUFFER_LINES = 5000

_warned_versions: set[tuple[str, int]] = set()
_warn_lock = threading.Lock()


class LogBuffer:
    """Bounded, thread-safe line buffer of a process's stdout/stderr with positional marks."""

    def __init__(self, max_lines: int = LOG_BUFFER_LINES):
        self._lines: deque[str] = deque(maxlen=max_lines)
        self._total = 0
        self._lock = threading.Lock()

    def append(self, line: str) -> None:
        with self._lock:
            self._lines.append(line)
            self._total += 1

    def mark(self) -> int:
        with self._lock:
            return self._total

    def since(self, mark: int) -> str:
        with self._lock:
            count = min(self._total - mark, len(self._lines))
            return "".join(list(self._lines)[len(self._lines) - count :]) if count > 0 else ""

    def text(self) -> str:
        with self._lock:
            return "".join(self._lines)


class _Child:
    """One spawned bootstrap process and its plumbing."""

    def __init__(self, proc: subprocess.Popen, control_fd: int, port: int):
        self.proc = proc
        self.control_fd = control_fd
        self.port = port
        self.exited = Future()  # result: return code
        self.restart_requested = False

    def read_control(self) -> None:
        """Drain the control pipe (non-blocking): 'restart' means never reuse this process."""
        if self.control_fd < 0:
            return
        try:
            while select.select([self.control_fd], [], [], 0)[0]:
                data = os.read(self.control_fd, 4096)
                if not data:
                    break
                if b"restart" in data:
                    self.restart_requested = True
        except OSError:
            pass

    def close(self) -> None:
        fd, self.control_fd = self.control_fd, -1
        if fd >= 0:
            try:
                os.close(fd)
            except OSError:
                pass


def _get_settings() -> Settings:
    return Settings.from_env()


def _check_node(settings: Settings, runtime: str, node_major: int) -> None:
    if not settings.node_bin:
        raise LambdaRuntimeException(
            "The 'process' Lambda executor needs Node.js: no 'node' on PATH "
            "(set LAMBDA_PROCESS_NODE_BIN to its path)."
        )
    try:
        host = node_version(settings.node_bin)
    except Exception as e:  # noqa: BLE001 - report any failure to run node
        raise LambdaRuntimeException(
            f"The 'process' Lambda executor cannot run '{settings.node_bin} --version': {e}"
        ) from e
    if host[0] != node_major:
        message = (
            f"Function runtime {runtime} expects Node.js {node_major}, but the host node "
            f"({settings.node_bin}) is v{'.'.join(map(str, host))}; functions run with the host node."
        )
        if settings.strict_node_version:
            raise LambdaRuntimeException(message + " (LAMBDA_PROCESS_STRICT_NODE_VERSION=1)")
        with _warn_lock:
            if (runtime, host[0]) not in _warned_versions:
                _warned_versions.add((runtime, host[0]))
                LOG.warning(message)


class ProcessRuntimeExecutor(RuntimeExecutor):
    """Runs each execution environment as a local ``node`` process (no Docker)."""

    def __init__(self, id: str, function_version: FunctionVersion) -> None:
        super().__init__(id=id, function_version=function_version)
        self.settings = _get_settings()
        # 127.0.0.1 + a per-environment port, like LAMBDA_DEV_PORT_EXPOSE does for containers
        self.executor_endpoint = ExecutorEndpoint(
            self.id, container_address="127.0.0.1", container_port=None
        )
        self._lock = threading.RLock()
        self._child: _Child | None = None
        self._stopped = False
        self._invoking: str | None = None
        self._invoke_started = 0.0
        self._log_mark = 0
        self._lambda_env: dict[str, str] | None = None
        self._logs = LogBuffer()
        self._node_major: int | None = None
        self._code_fingerprint: tuple[int, int] | None = None

    # -- RuntimeExecutor API ---------------------------------------------------------------------

    def start(self, env_vars: dict[str, str]) -> None:
        try:
            self._node_major = node_major_for_runtime(self.function_version.config.runtime)
        except UnsupportedRuntimeError as e:
            raise LambdaRuntimeException(str(e)) from e
        self._lambda_env = dict(env_vars)
        self._spawn_until_ready()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            child = self._child
        if child:
            self._terminate(child, grace_s=STOP_GRACE_S)
        try:
            self.executor_endpoint.shutdown()
        except Exception as e:  # noqa: BLE001 - endpoint may not be registered yet
            LOG.debug("Error while shutting down executor endpoint %s: %s", self.id, e)

    def get_address(self) -> str:
        return "127.0.0.1"

    def get_endpoint_from_executor(self) -> str:
        if self.settings.localstack_host:
            return self.settings.localstack_host
        host = (config.GATEWAY_LISTEN[0].host or "").strip("[]")
        if host in ("", "0.0.0.0", "::", "localhost"):
            return "127.0.0.1"
        return f"[{host}]" if ":" in host else host

    def get_runtime_endpoint(self) -> str:
        return (
            f"http://{self.get_endpoint_from_executor()}:{config.GATEWAY_LISTEN[0].port}"
            f"{self.executor_endpoint.get_endpoint_prefix()}"
        )

    def get_logs(self) -> str:
        return self._logs.text()

    def invoke(self, payload: dict[str, str]) -> InvocationResult:
        request_id = payload["invoke-id"]
        with self._lock:
            if self._stopped:
                raise LambdaRuntimeException(f"Execution environment {self.id} is stopped")
            child = self._child
            if child is not None:
                child.read_control()
            dead = (
                child is None
                or child.restart_requested
                or child.exited.done()
                or child.proc.poll() is not None
            )
        if not dead and self._code_fingerprint is not None:
            # hot reloading (S3Bucket "hot-reload"): restart when the mounted code changed
            dead = self._fingerprint_code() != self._code_fingerprint
            if dead:
                LOG.debug("Code of %s changed: restarting its process", self.id)
        if dead:
            # previous invoke timed out / crashed: a fresh process (a new "init"), like AWS resets
            LOG.debug("Restarting process of execution environment %s", self.id)
            if child is not None:
                self._terminate(child, grace_s=0)
            self._spawn_until_ready()
            child = self._child

        invocation_future: Future[InvocationResult] = Future()
        with self._lock:
            self.executor_endpoint.invocation_future = invocation_future
            self.executor_endpoint.logs = None
            self._log_mark = self._logs.mark()
            self._invoke_started = time.monotonic()
            self._invoking = request_id
        url = f"http://127.0.0.1:{child.port}/invoke"
        try:
            try:
                response = ExecutorEndpoint._perform_invoke(
                    invocation_url=url, proxies={"http": "", "https": ""}, payload=payload
                )
                if not response.ok:
                    raise InvokeSendError(
                        f"Error while sending invocation to {url}. Error Code: {response.status_code}"
                    )
            except requests.exceptions.ConnectionError:
                if not invocation_future.done():  # the watcher completes it if the process died
                    raise
            timeout_s = float(self.function_version.config.timeout) + self.settings.timeout_grace_s
            try:
                result = invocation_future.result(timeout=timeout_s)
            except FutureTimeoutError:
                # the bootstrap could not report the timeout itself (blocked event loop)
                LOG.debug("Invoke %s exceeded the function timeout; killing the process", request_id)
                with self._lock:
                    self._invoking = None
                self._terminate(child, grace_s=0)
                result = self._timeout_result(request_id)
        finally:
            with self._lock:
                self._invoking = None
        child.read_control()
        if child.restart_requested:
            self._terminate(child, grace_s=0)
        return result

    @classmethod
    def prepare_version(cls, function_version: FunctionVersion) -> None:
        fn_config = function_version.config
        try:
            node_major = node_major_for_runtime(fn_config.runtime)
        except UnsupportedRuntimeError as e:
            raise LambdaRuntimeException(str(e)) from e
        if fn_config.code is None:
            raise LambdaRuntimeException(
                "The 'process' Lambda executor supports zip-packaged functions only"
            )
        _check_node(_get_settings(), str(fn_config.runtime), node_major)
        fn_config.code.prepare_for_execution()
        for layer in fn_config.layers or []:
            if layer.code is not None:
                layer.code.prepare_for_execution()

    @classmethod
    def cleanup_version(cls, function_version: FunctionVersion) -> None:
        # unzipped code is owned (and removed) by LocalStack's code objects
        pass

    @classmethod
    def validate_environment(cls) -> bool:
        settings = _get_settings()
        if not settings.node_bin:
            LOG.warning(
                "LAMBDA_RUNTIME_EXECUTOR=process: no 'node' found on PATH; Lambda functions "
                "cannot run (set LAMBDA_PROCESS_NODE_BIN)."
            )
            return False
        if not BOOTSTRAP_PATH.is_file():
            LOG.warning("LAMBDA_RUNTIME_EXECUTOR=process: bootstrap missing at %s", BOOTSTRAP_PATH)
            return False
        LOG.info("Lambda functions run as host processes with %s", settings.node_bin)
        return True

    # -- internals -------------------------------------------------------------------------------

    def _layer_dirs(self) -> list[str]:
        dirs = []
        for layer in self.function_version.config.layers or []:
            if layer.code is not None:
                dirs.append(str(layer.code.get_unzipped_code_location()))
        return dirs

    def _fingerprint_code(self) -> tuple[int, int] | None:
        """(latest mtime, file count) of hot-reloaded code; None for regular zip code."""
        code = self.function_version.config.code
        if code is None or not getattr(code, "is_hot_reloading", lambda: False)():
            return None
        latest, count = 0, 0
        for dirpath, dirnames, filenames in os.walk(code.get_unzipped_code_location()):
            dirnames[:] = [d for d in dirnames if d not in ("node_modules", ".git")]
            for name in filenames:
                try:
                    latest = max(latest, os.stat(os.path.join(dirpath, name)).st_mtime_ns)
                except OSError:
                    continue
                count += 1
        return latest, count

    def _spawn(self, port: int) -> _Child:
        self._code_fingerprint = self._fingerprint_code()
        code_dir = str(self.function_version.config.code.get_unzipped_code_location())
        env = build_child_env(
            self._lambda_env or {},
            code_dir=code_dir,
            runtime_dir=str(BOOTSTRAP_PATH.parent),
            port=port,
            layer_dirs=self._layer_dirs(),
            node_major=self._node_major or 20,
            pass_env=self.settings.pass_env,
            extra_node_path=self.settings.extra_node_path,
        )
        read_fd, write_fd = os.pipe()
        env["LSPE_CONTROL_FD"] = str(write_fd)
        if not self.settings.node_bin:
            raise LambdaRuntimeException("no 'node' executable found (LAMBDA_PROCESS_NODE_BIN)")
        try:
            proc = subprocess.Popen(
                [self.settings.node_bin, *self.settings.node_args, str(BOOTSTRAP_PATH)],
                cwd=code_dir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,  # own process group: stop() kills grandchildren too
                pass_fds=(write_fd,),
            )
        except Exception:
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)
        child = _Child(proc, read_fd, port)
        readers = [
            threading.Thread(
                target=self._pump, args=(proc.stdout,), daemon=True, name=f"lambda-out-{self.id[:8]}"
            ),
            threading.Thread(
                target=self._pump, args=(proc.stderr,), daemon=True, name=f"lambda-err-{self.id[:8]}"
            ),
        ]
        for reader in readers:
            reader.start()
        threading.Thread(
            target=self._watch, args=(child, readers), daemon=True, name=f"lambda-watch-{self.id[:8]}"
        ).start()
        return child

    def _pump(self, stream) -> None:
        fn = self.function_version.id.function_name
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", errors="replace")
            self._logs.append(line if line.endswith("\n") else line + "\n")
            LOG.debug("[lambda %s %s] %s", fn, self.id[:8], line.rstrip("\n"))
        stream.close()

    def _watch(self, child: _Child, readers: list[threading.Thread]) -> None:
        returncode = child.proc.wait()
        for reader in readers:
            reader.join(timeout=1.0)
        child.read_control()
        with self._lock:
            current = child is self._child
            invoking = self._invoking
            future = self.executor_endpoint.invocation_future
        if current and invoking and future is not None and not future.done():
            LOG.debug("Process of environment %s exited during invoke %s", self.id, invoking)
            try:
                future.set_result(self._exit_result(invoking, returncode))
            except Exception:  # noqa: BLE001 - completed concurrently by a callback
                pass
        elif current and not self._stopped:
            LOG.debug(
                "Process of environment %s exited (%s); it is restarted on the next invoke",
                self.id,
                describe_exit(returncode),
            )
        child.exited.set_result(returncode)

    def _spawn_until_ready(self) -> None:
        last_error: Exception | None = None
        for _attempt in range(PORT_ATTEMPTS):
            with self._lock:
                if self._stopped:
                    raise ShutdownDuringStartup("Execution environment stopped during startup")
                # (re-)registers the callback routes and creates a fresh startup future
                self.executor_endpoint.start()
                startup = self.executor_endpoint.startup_future
                port = get_free_tcp_port()
                self.executor_endpoint.container_port = port
                child = self._spawn(port)
                self._child = child
            signal_event = threading.Event()
            startup.add_done_callback(lambda _f: signal_event.set())  # also fires on cancel()
            child.exited.add_done_callback(lambda _f: signal_event.set())
            signal_event.wait()

            if startup.done():
                if startup.cancelled():
                    raise ShutdownDuringStartup("Execution environment shut down during startup")
                startup.result()  # raises StatusErrorException on an init error
                return
            returncode = child.exited.result()
            if returncode == EXIT_PORT_IN_USE:
                last_error = LambdaRuntimeException(f"port {port} was taken")
                continue
            if self._stopped:
                raise ShutdownDuringStartup("Execution environment stopped during startup")
            message = f"Error: Runtime exited with error: {describe_exit(returncode)}"
            body = json.dumps(
                {"errorType": "Runtime.ExitError", "errorMessage": message}, separators=(",", ":")
            )
            LOG.warning(
                "Process of environment %s exited during init (%s). Output:\n%s",
                self.id,
                describe_exit(returncode),
                self._logs.text()[-4000:],
            )
            raise StatusErrorException("Environment startup failed", payload=body.encode())
        raise last_error or LambdaRuntimeException("could not start the function process")

    def _terminate(self, child: _Child, grace_s: float) -> None:
        proc = child.proc
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM if grace_s > 0 else signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            if grace_s > 0:
                try:
                    proc.wait(timeout=grace_s)
                except subprocess.TimeoutExpired:
                    pass
        # the group may outlive its leader (handlers that spawn children)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            LOG.warning("Process %s of environment %s did not exit", proc.pid, self.id)
        child.close()

    def _report_lines(self, request_id: str, extra: str = "") -> str:
        elapsed_ms = (time.monotonic() - self._invoke_started) * 1000
        memory = self.function_version.config.memory_size
        return (
            f"END RequestId: {request_id}\n"
            f"REPORT RequestId: {request_id}\tDuration: {elapsed_ms:.2f} ms\t"
            f"Billed Duration: {int(elapsed_ms + 0.999)} ms\tMemory Size: {memory} MB\t"
            f"Max Memory Used: {memory} MB{extra}\n"
        )

    def _timeout_result(self, request_id: str) -> InvocationResult:
        timeout = float(self.function_version.config.timeout)
        now = datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        message = f"{now} {request_id} Task timed out after {timeout:.2f} seconds"
        logs = (
            self._logs.since(self._log_mark)
            + message
            + "\n"
            + self._report_lines(request_id, "\tStatus: timeout")
        )
        return InvocationResult(
            request_id, json.dumps({"errorMessage": message}, separators=(",", ":")).encode(), is_error=True, logs=logs
        )

    def _exit_result(self, request_id: str, returncode: int) -> InvocationResult:
        message = f"RequestId: {request_id} Error: Runtime exited with error: {describe_exit(returncode)}"
        logs = (
            self._logs.since(self._log_mark)
            + f"{message}\nRuntime.ExitError\n"
            + self._report_lines(request_id, "\tStatus: error\tError Type: Runtime.ExitError")
        )
        body = json.dumps(
            {"errorType": "Runtime.ExitError", "errorMessage": message}, separators=(",", ":")
        )
        return InvocationResult(request_id, body.encode(), is_error=True, logs=logs)


__all__ = ["ProcessRuntimeExecutor"]
