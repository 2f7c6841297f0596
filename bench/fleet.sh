#!/usr/bin/env bash
# Fleet-watch benchmark: 10,000 checks (period 10 s, grace 1 s), each pinged every 10 s
# (1,000 pings/s) for 60 s; 1 % of them stop pinging after 20 s. Reports the CPU fleetgate used,
# ping latency (p50/p99/max), and detection lateness: from each silent check's deadline (its
# last ping + 11 s) to the firing webhook arriving at a loopback receiver (p50/p99/max; target
# p99 <= 1 s). Everything on 127.0.0.1; the run stops by itself after 75 s.
# Usage: bench/fleet.sh [checks, default 10000] [seconds, default 60]
set -euo pipefail
cd "$(dirname "$0")/.."
checks="${1:-10000}"
seconds="${2:-60}"
source bench/lib.sh
cleanup() { kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
node bench/fleet.mjs "$bin" "$work" "$checks" "$seconds"
