#!/usr/bin/env bash
# `npm start`: installs what is missing, builds, then runs the local stack launcher
# (Temporal dev server + Web UI + worker; later also the AWS emulators). Arguments are passed to the launcher.
set -euo pipefail

LAUNCHER="lib/src/workers/local-stack.js" # compiled from src/workers/local-stack.ts

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/ensure-tools.sh
npm run --silent build

if [[ ! -f "$LAUNCHER" ]]; then
  echo "[start] $LAUNCHER not found: the local stack launcher (src/workers/local-stack.ts) is not written yet." >&2
  exit 1
fi
exec node "$LAUNCHER" "$@"
