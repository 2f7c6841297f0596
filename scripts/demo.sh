#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole demo fleet on this machine:
# `fleetgate serve` on 127.0.0.1:4000 (gateway + control plane) and a `fleetgate agent` that
# supervises three simulated backends ("fast", "complex", a flaky one), an on-demand "big" one,
# an agent loop watched by a check, and a webhook receiver for the alerts. Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh release
bin=build/release/src/cli/fleetgate
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
$bin serve --config examples/demo.yaml --data demo.db & pids+=($!)
for _ in $(seq 50); do curl -fs -o /dev/null localhost:4000/health/liveliness && break; sleep 0.1; done
$bin agent --config examples/demo.yaml & pids+=($!)
for _ in $(seq 50); do curl -fs -o /dev/null localhost:18001/health && break; sleep 0.1; done
cat <<'MSG'

fleetgate demo fleet: http://127.0.0.1:4000 (config: examples/demo.yaml; logs in demo-logs/). Try:
  curl -s localhost:4000/v1/chat/completions -H 'content-type: application/json' \
       -d '{"model":"auto","messages":[{"role":"user","content":"hello"}]}'       # auto picks a tier
  curl -sN localhost:4000/v1/chat/completions -d '{"model":"complex","stream":true,"messages":[{"role":"user","content":"hello"}]}'
  curl -s localhost:4000/v1/chat/completions -d '{"model":"flaky","messages":[{"role":"user","content":"hi"}]}'   # 503s fall back to fast
  curl -s localhost:4000/v1/chat/completions -d '{"model":"big","messages":[{"role":"user","content":"hi"}]}'     # started on demand
  pkill -9 -f 'sim --listen 127.0.0.1:18001'      # kill a backend: the agent has it serving again in ~0.2 s
  pkill -STOP -f 'while true; do curl'            # hang the agent loop: its check misses, the agent restarts it
  ./build/release/src/cli/fleetgate status         # nodes, backends, checks, processes, alerts
  ./build/release/src/cli/fleetgate process restart demo-box/complex   # the control API
  ./build/release/src/cli/fleetgate report -c examples/demo.yaml --data demo.db   # the phase report
  curl -s localhost:4000/metrics | head
  tail -f demo-logs/webhook-receiver.log          # the alerts, as the webhook receiver got them
Ctrl-C stops everything.

MSG
wait "${pids[0]}"
