#!/usr/bin/env bash
# Runs the whole test suite: unit, workflow + replay, and integration tests against the real Temporal dev
# server and the real Camunda engine on the tests' own ports (started by the tests' global set-up, or reused
# when running there; BPTL_TEST_TEMPORAL_PORT etc. move them: see README, Development).
# Installs what is missing first. Extra arguments go to vitest (e.g. scripts/test.sh --project unit).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/setup.sh
export PATH="$root/.tools/bin:$root/node_modules/.bin:$PATH"
exec npx vitest run "$@"
