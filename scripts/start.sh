#!/usr/bin/env bash
# `npm start`: installs what is missing, builds, then runs the local stack launcher
# (Temporal dev server + Web UI, SQS/SNS emulator, simulator, worker, ingester). Arguments go to `resilient-sms dev`.
set -euo pipefail

CLI="lib/src/cli/main.js" # compiled from src/cli/main.ts; `dev` runs src/stack/launcher.ts

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/ensure-tools.sh
npm run --silent build

exec node "$CLI" dev "$@"
