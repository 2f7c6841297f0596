#!/usr/bin/env bash
# Agent benchmark, two parts, everything on 127.0.0.1; it stops by itself.
# 1. Footprint: `fleetgate agent` supervising N simulated backends (`fleetgate sim`, each with a
#    readiness and a liveness URL probed every 10 s) and sending a heartbeat every 10 s to a
#    local `fleetgate serve`, for SECONDS; in the same run, Debian's supervisord supervises N
#    more of the same as the reference. Reports each supervisor's own CPU (share of one core)
#    and peak RSS (targets for the agent: <= 0.1 % of a core, <= 10 MB).
# 2. Recovery: ROUNDS times, SIGKILL one supervised sim and time until it answers /health again,
#    for both supervisors; beside it, the sim's own start time (spawned directly, until /health
#    answers). Target: the agent's time <= 1 s + the sim's own start time.
# Usage: bench/agent.sh [seconds, default 300] [processes, default 20] [rounds, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-300}"
procs="${2:-20}"
rounds="${3:-10}"
source bench/lib.sh
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

base=$((20000 + RANDOM % 20000))  # agent's sims: base..base+N-1; supervisord's: base+100..
now_ms() { echo $(($(date +%s%N) / 1000000)); }
healthy() { curl -fs -m 1 -o /dev/null "http://127.0.0.1:$1/health"; }
wait_healthy() {  # port -> ms until /health answers (at most 10 s)
  local t0; t0=$(now_ms)
  for _ in $(seq 2000); do healthy "$1" && break; sleep 0.005; done
  echo $(($(now_ms) - t0))
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
peak_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
sim_pid() { pgrep -f "sim --listen 127.0.0.1:$1 " | head -1; }

printf 'model_list: []\nfleetgate:\n  access_log: %s/access.log\nfleet:\n  token: bench-token-123\n' \
  "$work" >"$work/serve.yaml"
start_fleetgate "$work/serve.log" serve --config "$work/serve.yaml" --listen 127.0.0.1:0 \
  --threads 1 --data "$work/fleet.db"
{
  printf 'fleet:\n  token: bench-token-123\nagent:\n  node: bench\n'
  printf '  server: http://127.0.0.1:%s\n  period: 10s\n  log_dir: %s/agent-logs\n' "$PORT" "$work"
  printf '  processes:\n'
  for i in $(seq 0 $((procs - 1))); do
    p=$((base + i))
    printf '    - name: sim%s\n      command: [%s, sim, --listen, 127.0.0.1:%s, --models, m]\n' \
      "$i" "$bin" "$p"
    printf '      ready_url: http://127.0.0.1:%s/health\n' "$p"
    printf '      liveness_url: http://127.0.0.1:%s/health\n      liveness_period: 10s\n' "$p"
    printf '      stable_after: 2s\n'
  done
} >"$work/agent.yaml"
{
  printf '[supervisord]\nnodaemon=true\nlogfile=%s/supervisord.log\npidfile=%s/sv.pid\n' "$work" "$work"
  for i in $(seq 0 $((procs - 1))); do
    p=$((base + 100 + i))
    printf '[program:sim%s]\ncommand=%s sim --listen 127.0.0.1:%s --models m\n' "$i" "$bin" "$p"
    printf 'autorestart=true\nstartsecs=1\nredirect_stderr=true\nstdout_logfile=%s/sv-sim%s.log\n' \
      "$work" "$i"
  done
} >"$work/supervisord.conf"

"$bin" agent --config "$work/agent.yaml" 2>"$work/agent.log" & agent=$!; pids+=($agent)
supervisord -c "$work/supervisord.conf" >/dev/null 2>&1 & sv=$!; pids+=($sv)
for i in $(seq 0 $((procs - 1))); do
  wait_healthy $((base + i)) >/dev/null
  wait_healthy $((base + 100 + i)) >/dev/null
done
sleep 5  # past the start-up work
hz=$(getconf CLK_TCK)
a0=$(cpu_ticks $agent); s0=$(cpu_ticks $sv); t0=$(now_ms)
echo "footprint: $procs processes each, ${seconds}s ..."
sleep "$seconds"
a1=$(cpu_ticks $agent); s1=$(cpu_ticks $sv); t1=$(now_ms)
share() { awk -v d="$1" -v hz="$hz" -v ms="$2" 'BEGIN {printf "%.3f", 100 * d / hz / (ms / 1000)}'; }
agent_cpu=$(share $((a1 - a0)) $((t1 - t0)))
sv_cpu=$(share $((s1 - s0)) $((t1 - t0)))
agent_kb=$(peak_kb $agent)
agent_private_kb=$(awk '/Private_Dirty/ {print $2}' "/proc/$agent/smaps_rollup")
agent_pss_kb=$(awk '/^Pss:/ {print $2}' "/proc/$agent/smaps_rollup")
sv_kb=$(peak_kb $sv)
heartbeats=$(grep -c '"/fleet/v1/heartbeat","status":200' "$work/access.log" || true)

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
maximum() { sort -n | tail -1; }
echo "recovery: $rounds SIGKILLs each ..."
own=() agent_ms=() sv_ms=()
for r in $(seq "$rounds"); do
  p=$((base + 200 + r))
  "$bin" sim --listen "127.0.0.1:$p" --models m >/dev/null 2>&1 & direct=$!
  own+=("$(wait_healthy "$p")")
  kill "$direct"; wait "$direct" 2>/dev/null || true
  for who in agent supervisord; do
    port=$base; [[ $who == supervisord ]] && port=$((base + 100))
    old=$(sim_pid "$port")
    t0=$(now_ms)
    kill -9 "$old"
    for _ in $(seq 5000); do  # a new process that answers (at most ~20 s)
      new=$(sim_pid "$port" || true)
      [[ -n $new && $new != "$old" ]] && healthy "$port" && break
      sleep 0.002
    done
    ms=$(($(now_ms) - t0))
    if [[ $who == agent ]]; then agent_ms+=("$ms"); else sv_ms+=("$ms"); fi
  done
  sleep 2.5  # a stable run again (stable_after: 2s; supervisord's startsecs: 1)
done
own_p50=$(printf '%s\n' "${own[@]}" | median)
agent_p50=$(printf '%s\n' "${agent_ms[@]}" | median)
agent_max=$(printf '%s\n' "${agent_ms[@]}" | maximum)
sv_p50=$(printf '%s\n' "${sv_ms[@]}" | median)
sv_max=$(printf '%s\n' "${sv_ms[@]}" | maximum)

cat <<EOF

Agent benchmark ($procs processes, ${seconds}s, heartbeat every 10s, $heartbeats heartbeats received)
| | fleetgate agent | supervisord (reference) | ratio |
|---|---|---|---|
| CPU, % of one core | $agent_cpu | $sv_cpu | $(awk -v a="$agent_cpu" -v b="$sv_cpu" 'BEGIN {printf (b > 0 ? "%.2f" : "-"), a / b}') |
| peak RSS, MiB | $(awk -v k="$agent_kb" 'BEGIN {printf "%.1f", k / 1024}') | $(awk -v k="$sv_kb" 'BEGIN {printf "%.1f", k / 1024}') | $(awk -v a="$agent_kb" -v b="$sv_kb" 'BEGIN {printf "%.2f", a / b}') |
| SIGKILL to serving, p50 / max ms | $agent_p50 / $agent_max | $sv_p50 / $sv_max | |
The agent's memory at the end: PSS $(awk -v k="$agent_pss_kb" 'BEGIN {printf "%.1f", k / 1024}') MiB, private dirty $(awk -v k="$agent_private_kb" 'BEGIN {printf "%.1f", k / 1024}') MiB (the rest is code pages of the binary and libraries).
The sim's own start (spawn to /health answering): p50 $own_p50 ms.
Agent over its own start: $((agent_p50 - own_p50)) ms at p50 (target <= 1000 ms).
EOF
