#!/usr/bin/env bash
# `npm start`: installs what is missing, builds, then runs the local stack launcher
# (Temporal dev server + Web UI, SQS/SNS emulator, simulator, worker, ingester). Arguments go to `resilient-sms dev`.
#
# Signals: npm forwards SIGINT/SIGTERM to the one process it started, and `sh -c` (dash) dies of a SIGTERM without
# passing it on. So package.json's start script is `exec bash scripts/start.sh` (sh becomes bash) and this script
# ends with `exec node` (bash becomes the launcher): once the stack runs, the chain is npm -> node, and a signal
# to either stops every child (test/stack/signals.test.ts).
# RSMS_SKIP_BUILD=1 skips ensure-tools and the build (lib/ already built: the tests do this).
set -euo pipefail

CLI="lib/src/cli/main.js" # compiled from src/cli/main.ts; `dev` runs src/stack/launcher.ts

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [[ "${RSMS_SKIP_BUILD:-}" != "1" ]]; then
  bash scripts/ensure-tools.sh
  npm run --silent build
fi

exec node "$CLI" dev "$@"
