"""Pure helpers of the process executor: runtime checks, settings and the child environment.

Nothing in here imports LocalStack, so it can be unit tested without it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

BOOTSTRAP_PATH = Path(__file__).parent / "bootstrap" / "bootstrap.mjs"

#: Exit code of the bootstrap when its port is already taken (the executor retries another port).
EXIT_PORT_IN_USE = 98

#: Host variables copied into every function process (everything else from the host is withheld).
BASE_ENV_NAMES = (
    "PATH",
    "HOME",
    "LANG",
    "LC_ALL",
    "TMPDIR",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "NODE_EXTRA_CA_CERTS",
)

#: Variables of LocalStack's container contract that must not reach a host process.
DROPPED_ENV_NAMES = frozenset(
    {
        "LOCALSTACK_CHMOD_PATHS",
        "LOCALSTACK_HOT_RELOADING_PATHS",
        "LOCALSTACK_CODE_ARCHIVES",
        "LOCALSTACK_USER",
        "AWS_LAMBDA_RUNTIME_API",
    }
)

_NODE_RUNTIME = re.compile(r"^nodejs(\d+)\.x$")


class UnsupportedRuntimeError(Exception):
    """The function cannot run as a host Node.js process."""


def node_major_for_runtime(runtime: str | None) -> int:
    """Return the Node.js major version of a ``nodejsNN.x`` runtime, or raise.

    >>> node_major_for_runtime("nodejs22.x")
    22
    """
    if not runtime:
        raise UnsupportedRuntimeError(
            "The 'process' Lambda executor runs zip-packaged Node.js functions only; "
            "container-image functions (PackageType=Image) are not supported."
        )
    match = _NODE_RUNTIME.match(str(runtime))
    if not match:
        raise UnsupportedRuntimeError(
            f"The 'process' Lambda executor supports Node.js runtimes only "
            f"(nodejs18.x, nodejs20.x, nodejs22.x, nodejs24.x); got runtime '{runtime}'. "
            f"Use LAMBDA_RUNTIME_EXECUTOR=docker for other runtimes."
        )
    return int(match.group(1))


@dataclass(frozen=True)
class Settings:
    """Executor settings, read from LocalStack's process environment."""

    node_bin: str | None
    node_args: tuple[str, ...]
    pass_env: tuple[str, ...]
    extra_node_path: tuple[str, ...]
    strict_node_version: bool
    timeout_grace_s: float
    localstack_host: str | None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ

        def split(name: str, sep: str = ",") -> tuple[str, ...]:
            return tuple(p.strip() for p in environ.get(name, "").split(sep) if p.strip())

        node_bin = environ.get("LAMBDA_PROCESS_NODE_BIN") or shutil.which("node")
        return cls(
            node_bin=node_bin,
            node_args=tuple(environ.get("LAMBDA_PROCESS_NODE_ARGS", "").split()),
            pass_env=split("LAMBDA_PROCESS_PASS_ENV"),
            extra_node_path=split("LAMBDA_PROCESS_NODE_PATH", os.pathsep),
            strict_node_version=environ.get("LAMBDA_PROCESS_STRICT_NODE_VERSION", "0").lower()
            in ("1", "true", "yes"),
            timeout_grace_s=float(environ.get("LAMBDA_PROCESS_TIMEOUT_GRACE_MS", "1000")) / 1000,
            localstack_host=environ.get("LAMBDA_PROCESS_LOCALSTACK_HOST") or None,
        )


def node_version(node_bin: str) -> tuple[int, int, int]:
    """``node --version`` as a tuple, e.g. (20, 20, 2)."""
    out = subprocess.run(
        [node_bin, "--version"], capture_output=True, text=True, timeout=10, check=True
    ).stdout.strip()
    parts = out.lstrip("v").split(".")
    return int(parts[0]), int(parts[1]), int(parts[2])


def node_path_entries(layer_dirs: Iterable[str | os.PathLike], node_major: int) -> list[str]:
    """NODE_PATH entries for layers, in the precedence AWS gives them.

    AWS extracts layers into /opt in order, a later layer overwriting an earlier one, and puts
    ``/opt/nodejs/node<major>/node_modules`` before ``/opt/nodejs/node_modules``. Here every layer
    keeps its own directory, so the last layer comes first.
    """
    entries: list[str] = []
    for layer in reversed([str(d) for d in layer_dirs]):
        entries.append(os.path.join(layer, "nodejs", f"node{node_major}", "node_modules"))
        entries.append(os.path.join(layer, "nodejs", "node_modules"))
    return entries


def build_child_env(
    lambda_env: Mapping[str, object],
    *,
    code_dir: str | os.PathLike,
    runtime_dir: str | os.PathLike,
    port: int,
    layer_dirs: Iterable[str | os.PathLike] = (),
    node_major: int = 20,
    host_env: Mapping[str, str] | None = None,
    pass_env: Iterable[str] = (),
    extra_node_path: Iterable[str] = (),
) -> dict[str, str]:
    """Environment of one function process.

    Order: a small base taken from the host (PATH, HOME, LANG, ... plus ``pass_env``), then the
    variables LocalStack hands to ``start()`` (values stringified: LocalStack passes some as int,
    and the function's own variables have already been merged over them by LocalStack), then the
    host-specific overrides: the real code directory as ``LAMBDA_TASK_ROOT``, the bootstrap
    directory as ``LAMBDA_RUNTIME_DIR``, ``NODE_PATH`` for layers and the interop port.
    """
    host_env = os.environ if host_env is None else host_env
    env: dict[str, str] = {}
    for name in (*BASE_ENV_NAMES, *pass_env):
        if name in host_env:
            env[name] = host_env[name]
    env.setdefault("PATH", os.defpath)
    env.setdefault("LANG", "C.UTF-8")

    for key, value in lambda_env.items():
        if key in DROPPED_ENV_NAMES or value is None:
            continue
        env[str(key)] = value if isinstance(value, str) else str(value)

    node_path = node_path_entries(layer_dirs, node_major) + [str(p) for p in extra_node_path]
    if env.get("NODE_PATH"):
        node_path.append(env["NODE_PATH"])
    if node_path:
        env["NODE_PATH"] = os.pathsep.join(node_path)
    else:
        env.pop("NODE_PATH", None)

    env["LAMBDA_TASK_ROOT"] = str(code_dir)
    env["LAMBDA_RUNTIME_DIR"] = str(runtime_dir)
    env["LOCALSTACK_INTEROP_PORT"] = str(port)
    return env


def describe_exit(returncode: int) -> str:
    """Exit status in the words of the Go init ("exit status 1", "signal: killed")."""
    if returncode < 0:
        import signal

        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        words = {"SIGKILL": "killed", "SIGTERM": "terminated", "SIGSEGV": "segmentation fault"}
        return f"signal: {words.get(name, name)}"
    return f"exit status {returncode}"
