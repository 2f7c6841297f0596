#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: release build (unit, integration, e2e),
# then every suite again under AddressSanitizer + UBSan (a sanitizer finding in a child
# process fails the test that started it), then each fuzz target for a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
# Formatting first: it is the cheapest check (.clang-format: Google base, 100 columns).
find src tests fuzz -path tests/e2e -prune -o \( -name '*.cpp' -o -name '*.h' \) -print |
  xargs clang-format --dry-run --Werror
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
./scripts/build.sh release
ctest --preset release -j2
./scripts/build.sh debug-asan
ctest --preset debug-asan -j2
# Every libFuzzer target briefly over its seed corpus (scripts/fuzz.sh 600 for a long run).
./scripts/fuzz.sh "${FLEETGATE_FUZZ_SECONDS:-5}"
