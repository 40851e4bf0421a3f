#!/usr/bin/env bash
# Run the pytest suite of localstack-process-executor.
# With the LocalStack venv (created by start.sh) every test runs, including the ones that drive the
# executor class through LocalStack's own callback router; with a plain python3 those are skipped.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE_DIR="${LOCALSTACK_HOST_CACHE:-$REPO_ROOT/.cache/localstack-host}"
PY="$CACHE_DIR/venv/bin/python"

if [[ -x "$PY" ]]; then
  "$PY" -c 'import pytest' 2>/dev/null || "$PY" -m pip install --quiet --disable-pip-version-check pytest
else
  echo "[localstack-host] no venv at $CACHE_DIR/venv (run start.sh once): LocalStack-backed tests are skipped" >&2
  PY=python3
fi
exec "$PY" -m pytest "$REPO_ROOT/localstack-process-executor/tests" "$@"
