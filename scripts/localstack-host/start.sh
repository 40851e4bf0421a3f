#!/usr/bin/env bash
# Start LocalStack 4.14.0 in host mode (no Docker) with the "process" Lambda executor,
# plus the project's local RDS Data API server when local/serve-database.ts exists.
#
#   bash scripts/localstack-host/start.sh      # idempotent: a second call says "already running"
#   bash scripts/localstack-host/stop.sh
#
# Everything lives in ${LOCALSTACK_HOST_CACHE:-<repo>/.cache/localstack-host}:
#   venv/            Python >= 3.13 virtualenv with localstack-core[runtime] (pinned by
#                    constraints-localstack-4.14.0.txt beside this script) + the executor
#   filesystem/      LocalStack FILESYSTEM_ROOT (state, pre-installed kinesis-local, ...)
#   localstack.log   localstack.pid   database.log   database.pid   database/ (data dir)
#
# Overridable: GATEWAY_LISTEN (127.0.0.1:4566), LOCALSTACK_HOST (localhost:<port>),
# LAMBDA_KEEPALIVE_MS (300000), KINESIS_PERSISTENCE (0), LOCALSTACK_START_TIMEOUT (120 s), DATA_API_PORT (4510),
# DATA_API_START_TIMEOUT (90 s), LOCALSTACK_HOST_PYTHON (a python >= 3.13), DEBUG / LS_LOG, and the
# executor's LAMBDA_PROCESS_* settings (see localstack-process-executor/README.md), all passed through.
set -euo pipefail

LOCALSTACK_VERSION="4.14.0"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
EXECUTOR_SRC="$REPO_ROOT/localstack-process-executor"
CONSTRAINTS="$REPO_ROOT/scripts/localstack-host/constraints-localstack-$LOCALSTACK_VERSION.txt"
CACHE_DIR="${LOCALSTACK_HOST_CACHE:-$REPO_ROOT/.cache/localstack-host}"
VENV="$CACHE_DIR/venv"
PY="$VENV/bin/python"
FS_ROOT="$CACHE_DIR/filesystem"
LS_LOG_FILE="$CACHE_DIR/localstack.log"
LS_PID_FILE="$CACHE_DIR/localstack.pid"
DB_LOG_FILE="$CACHE_DIR/database.log"
DB_PID_FILE="$CACHE_DIR/database.pid"
GATEWAY_LISTEN="${GATEWAY_LISTEN:-127.0.0.1:4566}"
GATEWAY_PORT="${GATEWAY_LISTEN##*:}"
GATEWAY_HOST="${GATEWAY_LISTEN%:*}"
case "$GATEWAY_HOST" in "" | 0.0.0.0 | "::" | "[::]") GATEWAY_HOST=127.0.0.1 ;; esac
ENDPOINT="http://$GATEWAY_HOST:$GATEWAY_PORT"
DATA_API_PORT="${DATA_API_PORT:-4510}"

log() { printf '[localstack-host] %s\n' "$*"; }
die() { printf '[localstack-host] ERROR: %s\n' "$*" >&2; exit 1; }
is_running() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

mkdir -p "$CACHE_DIR"

# --- Python >= 3.13: localstack-core 4.14.0 does not import on 3.11/3.12 ---------------------------
# (localstack/packages/api.py annotates `install_lock: Lock | None`; threading.Lock is a class only
#  since Python 3.13, so older interpreters fail with "unsupported operand type(s) for |").
python_ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 13) else 1)' >/dev/null 2>&1; }
find_python() {
  local candidate
  for candidate in "${LOCALSTACK_HOST_PYTHON:-}" python3.13 python3.14 python3 \
    "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[3-9]*/bin/python3; do
    [[ -n "$candidate" ]] || continue
    if command -v "$candidate" >/dev/null 2>&1 && python_ok "$candidate"; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

ensure_venv() {
  if [[ -x "$PY" ]] && python_ok "$PY"; then return 0; fi
  local python
  python="$(find_python)" || die "LocalStack $LOCALSTACK_VERSION needs Python >= 3.13; none found (set LOCALSTACK_HOST_PYTHON)."
  log "creating virtualenv with $python ($("$python" --version 2>&1))"
  rm -rf "$VENV"
  "$python" -m venv "$VENV"
}

installed_version() {
  "$PY" -c "import importlib.metadata as m, sys
try: print(m.version(sys.argv[1]))
except m.PackageNotFoundError: pass" "$1" 2>/dev/null || true
}

# content hash of the executor sources: reinstall only when they changed
executor_stamp() {
  (cd "$EXECUTOR_SRC" && find . -type f ! -path './tests/*' ! -path '*/__pycache__/*' ! -path './build/*' \
    ! -path '*.egg-info/*' ! -path './.pytest_cache/*' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum |
    sha256sum | cut -c1-16)
}

ensure_packages() {
  local t0 pip=("$PY" -m pip install --quiet --disable-pip-version-check)
  local ls_stamp ls_stamp_file="$CACHE_DIR/localstack.stamp"
  ls_stamp="$LOCALSTACK_VERSION-$(sha256sum "$CONSTRAINTS" | cut -c1-16)"
  if [[ "$(installed_version localstack-core)" != "$LOCALSTACK_VERSION" || "$(cat "$ls_stamp_file" 2>/dev/null)" != "$ls_stamp" ]]; then
    t0="$(now)"
    log "installing localstack-core[runtime]==$LOCALSTACK_VERSION with its release pins (first start only)"
    "${pip[@]}" -c "$CONSTRAINTS" "localstack-core[runtime]==$LOCALSTACK_VERSION"
    echo "$ls_stamp" >"$ls_stamp_file"
    log "localstack-core installed in $(since "$t0") s"
  fi
  local stamp stamp_file="$CACHE_DIR/executor.stamp"
  stamp="$(executor_stamp)"
  if [[ -z "$(installed_version localstack-process-executor)" || "$(cat "$stamp_file" 2>/dev/null)" != "$stamp" ]]; then
    log "installing ./localstack-process-executor ($stamp)"
    # build from a copy so that no build/ or *.egg-info/ lands in the working tree
    local tmp
    tmp="$(mktemp -d)"
    cp -r "$EXECUTOR_SRC/." "$tmp/"
    rm -rf "$tmp/build" "$tmp"/*.egg-info
    "${pip[@]}" --no-deps --force-reinstall "$tmp"
    rm -rf "$tmp"
    echo "$stamp" >"$stamp_file"
    # plux caches entry points per sys.path; drop the cache so the new plugin is found for sure
    rm -f "${XDG_CACHE_HOME:-$HOME/.cache}"/plux/*.entry_points.txt
  fi
}

# --- kinesis-local: LocalStack installs it lazily (npm) on the first Kinesis call; do it now -------
ensure_kinesis_engine() {
  local marker
  # the exact path LocalStack's installer checks (kinesis/packages.py pins the npm version)
  marker="$(FILESYSTEM_ROOT="$FS_ROOT" OVERRIDE_IN_DOCKER=0 "$PY" -c '
from localstack.packages import InstallTarget
from localstack.services.kinesis.packages import kinesismock_package
installer = kinesismock_package.get_installer()
print(installer._get_install_marker_path(installer._get_install_dir(InstallTarget.STATIC_LIBS)))')"
  if [[ ! -f "$marker" ]]; then
    log "pre-installing the Kinesis engine (npm kinesis-local) into $FS_ROOT"
    FILESYSTEM_ROOT="$FS_ROOT" OVERRIDE_IN_DOCKER=0 "$PY" -m localstack.cli.lpm install --target static_libs kinesis-mock
    [[ -f "$marker" ]] || die "kinesis-local was not installed at $marker"
  fi
}

wait_for_localstack() {
  local deadline=$((SECONDS + ${LOCALSTACK_START_TIMEOUT:-120}))
  while ((SECONDS < deadline)); do
    if ! is_running "$LS_PID_FILE"; then
      tail -n 50 "$LS_LOG_FILE" >&2 || true
      rm -f "$LS_PID_FILE"
      die "LocalStack exited during startup (log: $LS_LOG_FILE, last 50 lines above)"
    fi
    if curl -fsS --max-time 2 "$ENDPOINT/_localstack/health" 2>/dev/null | grep -q '"services"' &&
      grep -q '^Ready\.' "$LS_LOG_FILE"; then
      return 0
    fi
    sleep 0.3
  done
  tail -n 50 "$LS_LOG_FILE" >&2 || true
  die "LocalStack did not become healthy at $ENDPOINT within ${LOCALSTACK_START_TIMEOUT:-120} s (log: $LS_LOG_FILE, last 50 lines above)"
}

start_localstack() {
  if is_running "$LS_PID_FILE"; then
    log "LocalStack already running (pid $(cat "$LS_PID_FILE")) at $ENDPOINT"
    return 0
  fi
  if curl -fsS --max-time 2 "$ENDPOINT/_localstack/health" >/dev/null 2>&1; then
    die "something else already answers at $ENDPOINT (not started by this script)"
  fi
  ensure_venv
  ensure_packages
  ensure_kinesis_engine

  local t0
  t0="$(now)"
  log "starting LocalStack $LOCALSTACK_VERSION (host mode, Lambda executor 'process') at $ENDPOINT"
  : >"$LS_LOG_FILE"
  (
    cd "$CACHE_DIR"
    export LAMBDA_RUNTIME_EXECUTOR=process
    export OVERRIDE_IN_DOCKER=0
    export DNS_ADDRESS=0
    export FILESYSTEM_ROOT="$FS_ROOT"
    export GATEWAY_LISTEN
    export LOCALSTACK_HOST="${LOCALSTACK_HOST:-localhost:$GATEWAY_PORT}"
    export SQS_ENDPOINT_STRATEGY=path
    export KINESIS_LATENCY=0
    # kinesis-mock otherwise rewrites its whole state as JSON every 5 s (KINESIS_MOCK_PERSIST_INTERVAL),
    # on the thread that serves the API: CPU for nothing, LocalStack itself persists nothing here.
    export KINESIS_PERSISTENCE="${KINESIS_PERSISTENCE:-0}"
    export DISABLE_EVENTS=1
    export CFN_IGNORE_UNSUPPORTED_RESOURCE_TYPES=1
    export LAMBDA_KEEPALIVE_MS="${LAMBDA_KEEPALIVE_MS:-300000}"
    export PYTHONUNBUFFERED=1
    exec setsid "$PY" -m localstack.runtime.main </dev/null >>"$LS_LOG_FILE" 2>&1
  ) &
  echo $! >"$LS_PID_FILE"
  wait_for_localstack
  log "LocalStack healthy after $(since "$t0") s (pid $(cat "$LS_PID_FILE"), log $LS_LOG_FILE)"
}

port_open() {
  "$PY" -c 'import socket, sys
s = socket.socket(); s.settimeout(0.5)
sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)' "$1"
}

start_database() {
  local entry="$REPO_ROOT/local/serve-database.ts"
  if [[ ! -f "$entry" ]]; then
    log "no local/serve-database.ts yet: database not started"
    return 0
  fi
  if is_running "$DB_PID_FILE"; then
    log "database already running (pid $(cat "$DB_PID_FILE")) on port $DATA_API_PORT"
    return 0
  fi
  port_open "$DATA_API_PORT" && die "port $DATA_API_PORT is already in use (set DATA_API_PORT)"
  local data_dir="${DATA_API_DATA_DIR:-$CACHE_DIR/database}" t0
  mkdir -p "$data_dir"
  t0="$(now)"
  log "starting database + RDS Data API on port $DATA_API_PORT (data in $data_dir)"
  : >"$DB_LOG_FILE"
  (
    cd "$REPO_ROOT"
    exec setsid npx --no-install tsx local/serve-database.ts --data-dir "$data_dir" --port "$DATA_API_PORT" \
      </dev/null >>"$DB_LOG_FILE" 2>&1
  ) &
  echo $! >"$DB_PID_FILE"
  local deadline=$((SECONDS + ${DATA_API_START_TIMEOUT:-90}))
  until port_open "$DATA_API_PORT"; do
    if ! is_running "$DB_PID_FILE"; then
      tail -n 50 "$DB_LOG_FILE" >&2 || true
      rm -f "$DB_PID_FILE"
      die "database server exited during startup (log: $DB_LOG_FILE)"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 50 "$DB_LOG_FILE" >&2 || true
      die "database server did not open port $DATA_API_PORT within ${DATA_API_START_TIMEOUT:-90} s (log: $DB_LOG_FILE)"
    fi
    sleep 0.3
  done
  log "database ready after $(since "$t0") s (pid $(cat "$DB_PID_FILE"), log $DB_LOG_FILE)"
}

start_localstack
start_database
log "endpoint: $ENDPOINT  region: ${AWS_DEFAULT_REGION:-us-east-1}  (stop: bash scripts/localstack-host/stop.sh)"
