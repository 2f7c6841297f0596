#!/usr/bin/env bash
# Installs what is missing, builds, and runs the demo: fleetgate on 127.0.0.1:4000 in front of
# three simulated backends (OpenAI-style "fast", Ollama "complex", and a flaky one). Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh release
bin=build/release/src/cli/fleetgate
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
$bin sim --listen 127.0.0.1:18001 --models qwen2.5-1.5b --ttft 150ms --tokens-per-second 60 & pids+=($!)
$bin sim --listen 127.0.0.1:18002 --models qwen2.5:7b,nomic-embed-text --ttft 600ms --tokens-per-second 15 & pids+=($!)
$bin sim --listen 127.0.0.1:18003 --models llama-3.1-8b --error-rate 0.3 --error-status 503 & pids+=($!)
sleep 0.3
cat <<'MSG'

fleetgate demo: http://127.0.0.1:4000 (config: examples/demo.yaml). Try:
  curl -s localhost:4000/v1/models
  curl -s localhost:4000/v1/chat/completions -H 'content-type: application/json' \
       -d '{"model":"fast","messages":[{"role":"user","content":"hello"}]}'
  curl -sN localhost:4000/v1/chat/completions -d '{"model":"complex","stream":true,"messages":[{"role":"user","content":"hello"}]}'
  curl -s localhost:4000/v1/embeddings -d '{"model":"embed","input":"hello"}'
  curl -s localhost:4000/v1/chat/completions -d '{"model":"flaky","messages":[{"role":"user","content":"hi"}]}'   # 503s fall back to fast
  curl -si localhost:4000/v1/chat/completions -d '{"model":"auto","messages":[{"role":"user","content":"Fix this:\n```py\nprint(1\n```"}]}' | grep x-fleetgate
  curl -s localhost:4000/admin/backends
  curl -s localhost:4000/ping/demo-job                      # a dead man's switch: DOWN after 1m30s of silence
  ./build/release/src/cli/fleetgate status                  # nodes, backends, checks, alerts
  ./build/release/src/cli/fleetgate report -c examples/demo.yaml --data demo.db   # the phase report
  curl -s localhost:4000/metrics | head
Ctrl-C stops everything.

MSG
$bin serve --config examples/demo.yaml --data demo.db & pids+=($!)
wait "${pids[-1]}"
