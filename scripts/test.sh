#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: release build (unit, integration, e2e),
# then every suite again under AddressSanitizer + UBSan (a sanitizer finding in a child
# process fails the test that started it).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
./scripts/build.sh release
ctest --preset release -j2
./scripts/build.sh debug-asan
ctest --preset debug-asan -j2
