#!/usr/bin/env bash
# Lints the synthesized CloudFormation templates of both targets with cfn-lint (config: .cfnlintrc.yaml).
#
#   npm run synth && bash scripts/cfn-lint.sh
#
# cfn-lint comes from PyPI, pinned, into a virtualenv cached under .cache/cfn-lint (override with
# CFN_LINT_CACHE). Its release carries the AWS data it checks against (e.g. which engine versions RDS
# still accepts): bump CFN_LINT_VERSION to check against newer data.
set -euo pipefail

CFN_LINT_VERSION="1.58.0"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="${CFN_LINT_CACHE:-$REPO_ROOT/.cache/cfn-lint}"
VENV="$CACHE_DIR/venv-$CFN_LINT_VERSION"
CFN_LINT="$VENV/bin/cfn-lint"

log() { printf '[cfn-lint] %s\n' "$*"; }

if ! "$CFN_LINT" --version >/dev/null 2>&1; then
  log "installing cfn-lint $CFN_LINT_VERSION into $VENV"
  rm -rf "$VENV"
  mkdir -p "$CACHE_DIR"
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "cfn-lint==$CFN_LINT_VERSION"
fi

cd "$REPO_ROOT"
for template in cdk.out/*.template.json cdk.out/aws/*.template.json; do
  [[ -f "$template" ]] || { log "no template matches $template: run 'npm run synth' first" >&2; exit 1; }
done

log "$("$CFN_LINT" --version) on $(ls cdk.out/*.template.json cdk.out/aws/*.template.json | tr '\n' ' ')"
# The templates come from .cfnlintrc.yaml; any error or warning not ignored there fails the run.
"$CFN_LINT" --config-file .cfnlintrc.yaml --non-zero-exit-code warning
log 'no findings'
