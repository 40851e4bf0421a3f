"""Unit tests of the environment building and runtime checks (no LocalStack, no node)."""

from __future__ import annotations

import os

import pytest

from localstack_process_executor.environment import (
    BOOTSTRAP_PATH,
    Settings,
    UnsupportedRuntimeError,
    build_child_env,
    describe_exit,
    node_major_for_runtime,
    node_path_entries,
)

HOST = {
    "PATH": "/usr/local/bin:/usr/bin",
    "HOME": "/root",
    "LANG": "en_US.UTF-8",
    "AWS_PROFILE": "prod",  # must not leak into functions
    "AWS_SECRET_ACCESS_KEY": "host-secret",
    "HTTP_PROXY": "http://proxy:3128",
}

LOCALSTACK_ENV = {
    "AWS_REGION": "us-east-1",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": 512,
    "AWS_LAMBDA_FUNCTION_TIMEOUT": 30,
    "AWS_SECRET_ACCESS_KEY": "role-secret",
    "LAMBDA_TASK_ROOT": "/var/task",
    "LAMBDA_RUNTIME_DIR": "/var/runtime",
    "LOCALSTACK_CHMOD_PATHS": '[{"path": "/tmp", "mode": "0700"}]',
    "LOCALSTACK_MAX_PAYLOAD_SIZE": 6291556,
    "_HANDLER": "index.handler",
}


def build(**overrides):
    kwargs = dict(code_dir="/data/code", runtime_dir="/opt/bootstrap", port=40123, host_env=HOST)
    kwargs.update(overrides)
    lambda_env = kwargs.pop("lambda_env", LOCALSTACK_ENV)
    return build_child_env(lambda_env, **kwargs)


def test_values_are_stringified_for_popen():
    env = build()
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "512"
    assert env["AWS_LAMBDA_FUNCTION_TIMEOUT"] == "30"
    assert env["LOCALSTACK_MAX_PAYLOAD_SIZE"] == "6291556"
    assert all(isinstance(v, str) for v in env.values())


def test_only_a_small_base_of_the_host_environment_is_passed():
    env = build()
    assert env["PATH"] == HOST["PATH"]
    assert env["HOME"] == "/root"
    assert env["LANG"] == "en_US.UTF-8"
    assert "AWS_PROFILE" not in env
    assert "HTTP_PROXY" not in env
    # LocalStack's role credentials win over the host's
    assert env["AWS_SECRET_ACCESS_KEY"] == "role-secret"


def test_pass_env_adds_named_host_variables():
    env = build(pass_env=("HTTP_PROXY", "NOT_SET"))
    assert env["HTTP_PROXY"] == "http://proxy:3128"
    assert "NOT_SET" not in env


def test_defaults_when_the_host_has_no_path_or_lang():
    env = build(host_env={})
    assert env["PATH"] == os.defpath
    assert env["LANG"] == "C.UTF-8"


def test_container_paths_are_replaced_with_host_paths_even_over_user_variables():
    env = build(lambda_env={**LOCALSTACK_ENV, "LAMBDA_TASK_ROOT": "/user/override"})
    assert env["LAMBDA_TASK_ROOT"] == "/data/code"
    assert env["LAMBDA_RUNTIME_DIR"] == "/opt/bootstrap"
    assert env["LOCALSTACK_INTEROP_PORT"] == "40123"


def test_container_only_variables_are_dropped():
    env = build(lambda_env={**LOCALSTACK_ENV, "LOCALSTACK_HOT_RELOADING_PATHS": "/var/task"})
    assert "LOCALSTACK_CHMOD_PATHS" not in env
    assert "LOCALSTACK_HOT_RELOADING_PATHS" not in env
    assert "AWS_LAMBDA_RUNTIME_API" not in env


def test_none_values_are_skipped():
    env = build(lambda_env={**LOCALSTACK_ENV, "AWS_LAMBDA_LOG_FORMAT": None})
    assert "AWS_LAMBDA_LOG_FORMAT" not in env


def test_node_path_lists_later_layers_first_then_extra_then_user_value():
    env = build(
        lambda_env={**LOCALSTACK_ENV, "NODE_PATH": "/user/modules"},
        layer_dirs=["/layers/one", "/layers/two"],
        node_major=22,
        extra_node_path=["/shared/node_modules"],
    )
    assert env["NODE_PATH"].split(os.pathsep) == [
        "/layers/two/nodejs/node22/node_modules",
        "/layers/two/nodejs/node_modules",
        "/layers/one/nodejs/node22/node_modules",
        "/layers/one/nodejs/node_modules",
        "/shared/node_modules",
        "/user/modules",
    ]


def test_no_node_path_without_layers():
    assert "NODE_PATH" not in build()
    assert node_path_entries([], 20) == []


@pytest.mark.parametrize(
    ("runtime", "major"),
    [("nodejs18.x", 18), ("nodejs20.x", 20), ("nodejs22.x", 22), ("nodejs24.x", 24)],
)
def test_node_runtimes_map_to_their_major(runtime, major):
    assert node_major_for_runtime(runtime) == major


@pytest.mark.parametrize("runtime", ["python3.12", "java21", "provided.al2023", "nodejs"])
def test_other_runtimes_are_rejected_with_their_name(runtime):
    with pytest.raises(UnsupportedRuntimeError, match=f"got runtime '{runtime}'"):
        node_major_for_runtime(runtime)


def test_image_functions_are_rejected():
    with pytest.raises(UnsupportedRuntimeError, match="container-image"):
        node_major_for_runtime(None)


def test_exit_descriptions_follow_the_go_init_wording():
    assert describe_exit(1) == "exit status 1"
    assert describe_exit(-9) == "signal: killed"
    assert describe_exit(-15) == "signal: terminated"


def test_settings_from_environment():
    settings = Settings.from_env(
        {
            "LAMBDA_PROCESS_NODE_BIN": "/opt/node22/bin/node",
            "LAMBDA_PROCESS_NODE_ARGS": "--enable-source-maps --max-old-space-size=512",
            "LAMBDA_PROCESS_PASS_ENV": "HTTP_PROXY, NO_PROXY",
            "LAMBDA_PROCESS_NODE_PATH": f"/a{os.pathsep}/b",
            "LAMBDA_PROCESS_STRICT_NODE_VERSION": "1",
            "LAMBDA_PROCESS_TIMEOUT_GRACE_MS": "250",
        }
    )
    assert settings.node_bin == "/opt/node22/bin/node"
    assert settings.node_args == ("--enable-source-maps", "--max-old-space-size=512")
    assert settings.pass_env == ("HTTP_PROXY", "NO_PROXY")
    assert settings.extra_node_path == ("/a", "/b")
    assert settings.strict_node_version is True
    assert settings.timeout_grace_s == 0.25
    assert settings.localstack_host is None


def test_bootstrap_ships_with_the_package():
    assert BOOTSTRAP_PATH.is_file()
    assert BOOTSTRAP_PATH.name == "bootstrap.mjs"
