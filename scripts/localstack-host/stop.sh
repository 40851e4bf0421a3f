#!/usr/bin/env bash
# Stop what scripts/localstack-host/start.sh started: LocalStack (host mode) and the local
# database server. SIGTERM, wait up to ${STOP_TIMEOUT:-20} s, then SIGKILL; removes the pid files.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE_DIR="${LOCALSTACK_HOST_CACHE:-$REPO_ROOT/.cache/localstack-host}"
STOP_TIMEOUT="${STOP_TIMEOUT:-20}"

log() { printf '[localstack-host] %s\n' "$*"; }

# stop_pidfile NAME PIDFILE: the pid is a session/process-group leader (started with setsid)
stop_pidfile() {
  local name="$1" pid_file="$2" pid
  if [[ ! -f "$pid_file" ]]; then
    log "$name: not running (no pid file)"
    return 0
  fi
  pid="$(cat "$pid_file")"
  if ! kill -0 "$pid" 2>/dev/null; then
    log "$name: not running (stale pid $pid)"
    # its process group can outlive it (e.g. kinesis-local after LocalStack was SIGKILLed)
    kill -TERM -- "-$pid" 2>/dev/null && log "$name: ended leftover processes of group $pid"
    rm -f "$pid_file"
    return 0
  fi
  log "$name: stopping pid $pid"
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name: still running after ${STOP_TIMEOUT} s, sending SIGKILL"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  else
    # stragglers of the same process group (e.g. the npx -> tsx -> node chain)
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$pid_file"
  log "$name: stopped"
}

# Lambda processes and kinesis-local run in their own sessions; LocalStack ends them on a clean
# shutdown. After a SIGKILL they could survive: end the ones started from this cache, by pid.
stop_orphans() {
  local bootstrap="/localstack_process_executor/bootstrap/bootstrap.mjs"
  local kinesis="$CACHE_DIR/filesystem/usr/lib/localstack/kinesis-local/"
  local proc pid cmdline
  for proc in /proc/[0-9]*; do
    pid="${proc#/proc/}"
    cmdline="$({ tr '\0' ' ' <"$proc/cmdline"; } 2>/dev/null || true)"
    if [[ "$cmdline" == *"$CACHE_DIR/venv/lib/"*"$bootstrap"* || "$cmdline" == *"$kinesis"* ]]; then
      log "ending leftover process $pid: ${cmdline:0:120}"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
}

stop_pidfile "database" "$CACHE_DIR/database.pid"
stop_pidfile "LocalStack" "$CACHE_DIR/localstack.pid"
stop_orphans
