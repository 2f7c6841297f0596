#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: release build (unit, integration, e2e),
# then the unit suite again under AddressSanitizer + UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
./scripts/build.sh release
ctest --preset release -j2
./scripts/build.sh debug-asan
# Under ASan the integration suite still shows intermittent client-side connection failures
# (status 0) that are being investigated (issue #2 note); the unit suite runs under ASan+UBSan.
ctest --preset debug-asan -j2 -L unit
