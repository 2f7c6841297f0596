#!/usr/bin/env bash
# Failover benchmark: three sims behind fleetgate under wrk for 15 s; at 5 s one sim is killed
# (SIGKILL), at 10 s it comes back on the same port. Then the same with SIGSTOP/SIGCONT (a hung
# backend). Reports non-2xx responses, p99 latency in the second around the fault, and how long
# the dead backend kept getting requests, from fleetgate's access log (bench/failover_report.mjs).
# Everything listens on 127.0.0.1; every load run is bounded in time.
# Usage: bench/failover.sh [conns, default 32]
set -euo pipefail
cd "$(dirname "$0")/.."
conns="${1:-32}"
source bench/lib.sh
cleanup() { kill -CONT "${pids[@]}" 2>/dev/null || true; kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

now_ms() { date +%s%3N; }

scenario() {  # kill-signal resume-signal
  local stop_sig=$1 resume_sig=$2 ports=() sim_pids=()
  for i in 1 2 3; do
    start_fleetgate "$work/sim$i.err" sim --listen 127.0.0.1:0 --models m --tokens 16 --threads 1
    ports+=("$PORT"); sim_pids+=("$PID")
  done
  cat > "$work/fg.yaml" <<YAML
model_list:
  - {model_name: bench, litellm_params: {model: openai/m, api_base: "http://127.0.0.1:${ports[0]}/v1"}}
  - {model_name: bench, litellm_params: {model: openai/m, api_base: "http://127.0.0.1:${ports[1]}/v1"}}
  - {model_name: bench, litellm_params: {model: openai/m, api_base: "http://127.0.0.1:${ports[2]}/v1"}}
router_settings: {num_retries: 2, allowed_fails: 3, cooldown_time: 5}
fleetgate:
  listen: 127.0.0.1:0
  threads: 1
  access_log: $work/access.log
  timeouts: {first_byte: 1s, connect: 1s}
  health_checks: {interval: 1s, timeout: 500ms, rise: 2, fall: 2}
YAML
  : > "$work/access.log"
  start_fleetgate "$work/fg.err" serve --config "$work/fg.yaml" --data "$work/fg.db"
  local fg_port=$PORT fg_pid=$PID
  sed "s/MODEL/bench/" bench/chat.lua > "$work/chat.lua"
  wrk -t2 -c"$conns" -d15s --timeout 10s -s "$work/chat.lua" "http://127.0.0.1:$fg_port/v1/chat/completions" \
    > "$work/wrk.out" &
  local wrk_pid=$!
  sleep 5
  local fault_ms; fault_ms=$(now_ms)
  kill "-$stop_sig" "${sim_pids[0]}"
  sleep 5
  local back_ms; back_ms=$(now_ms)
  if [[ $stop_sig == KILL ]]; then
    start_fleetgate "$work/sim1b.err" sim --listen "127.0.0.1:${ports[0]}" --models m --tokens 16 --threads 1
  else
    kill "-$resume_sig" "${sim_pids[0]}"
  fi
  wait "$wrk_pid"
  kill -TERM "$fg_pid"; wait "$fg_pid" 2>/dev/null || true
  echo "== SIG$stop_sig of bench#1 at 5 s, back at 10 s ($conns connections, wrk 15 s) =="
  grep -E "requests in|Requests/sec|Non-2xx|Socket errors" "$work/wrk.out" || true
  node bench/failover_report.mjs "$work/access.log" "$fault_ms" "$back_ms" bench#1
  kill "${pids[@]}" 2>/dev/null || true; pids=()
  sleep 0.5
}

[[ ${ONLY_STOP:-} ]] || scenario KILL -
scenario STOP CONT
