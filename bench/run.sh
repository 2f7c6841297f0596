#!/usr/bin/env bash
# Gateway benchmark, one run on this machine: wrk -> sim directly, -> fleetgate -> sim, and
# -> nginx (one worker, upstream keep-alive) -> sim, at 64 connections and at 1; then 1,000
# concurrent streams through fleetgate; then idle CPU. Prints req/s, p50/p99, CPU per request
# (utime+stime from /proc over the run), peak RSS (VmHWM) and the ratios.
# Everything listens on 127.0.0.1; every load run is bounded in time and stops by itself.
# Usage: bench/run.sh [seconds per run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
source bench/lib.sh
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  [[ -f $work/nginx.pid ]] && nginx -p "$work" -c "$work/nginx.conf" -s stop 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# A loopback port nobody listens on (nginx needs one up front; our processes report theirs).
free_port() {
  local p
  while true; do
    p=$(shuf -i 20000-59999 -n 1)
    ss -Htln "sport = :$p" | grep -q . || { echo "$p"; return; }
  done
}

start_fleetgate "$work/sim.err" sim --listen 127.0.0.1:0 --models m --tokens 16 --threads 1; sim_port=$PORT
# Streams that last a second each (20 tokens at 20/s), so 1,000 of them are open at once.
start_fleetgate "$work/slow.err" sim --listen 127.0.0.1:0 --models s --tokens 20 \
  --tokens-per-second 20 --threads 1; slow_port=$PORT
cat > "$work/fg.yaml" <<YAML
model_list:
  - model_name: bench
    litellm_params: {model: openai/m, api_base: "http://127.0.0.1:$sim_port/v1"}
  - model_name: stream
    litellm_params: {model: openai/s, api_base: "http://127.0.0.1:$slow_port/v1"}
fleetgate:
  listen: 127.0.0.1:0
  threads: 1
  access_log: $work/fleetgate-access.log
YAML
start_fleetgate "$work/fg.err" serve --config "$work/fg.yaml" --data "$work/fg.db"; fg_port=$PORT fg_pid=$PID

ng_port=$(free_port)
mkdir -p "$work/logs"
cat > "$work/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx.pid;
error_log $work/logs/error.log;
events { worker_connections 4096; }
http {
  access_log $work/logs/access.log;
  upstream sim { server 127.0.0.1:$sim_port; keepalive 128; }
  server {
    listen 127.0.0.1:$ng_port;
    location / {
      proxy_pass http://sim;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
NGINX
nginx -p "$work" -c "$work/nginx.conf"
for _ in $(seq 50); do [[ -s $work/nginx.pid ]] && break; sleep 0.05; done
sleep 0.2
ng_pid=$(pgrep -P "$(cat "$work/nginx.pid")" | head -1)

sed "s/MODEL/m/" bench/chat.lua > "$work/direct.lua"
sed "s/MODEL/bench/" bench/chat.lua > "$work/proxy.lua"
sed "s/MODEL/stream/" bench/stream.lua > "$work/stream.lua"

cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
hwm_mib() { awk '/VmHWM/{printf "%.1f", $2/1024}' "/proc/$1/status"; }
tick=$(getconf CLK_TCK)
to_us() { awk '{v=$1; if (v ~ /us$/) v+=0; else if (v ~ /ms$/) v*=1000; else if (v ~ /s$/) v*=1e6; printf "%.0f", v}' <<<"$1"; }

declare -A RPS P50 CPU
run() {  # name url lua conns [pid]
  local name=$1 url=$2 lua=$3 conns=$4 pid=${5:-}
  local before=0; [[ -n $pid ]] && before=$(cpu_ticks "$pid")
  local out; out=$(wrk -t"$(( conns < 2 ? 1 : 2 ))" -c"$conns" -d"${secs}s" --latency -s "$lua" "$url/v1/chat/completions")
  local rps p50 p99 reqs errs
  rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  p50=$(awk '$1=="50%"{print $2}' <<<"$out"); p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  reqs=$(awk '/requests in/{print $1}' <<<"$out")
  errs=$(awk '/Non-2xx|Socket errors/' <<<"$out" | tr '\n' ' ')
  local cpu_us="-" rss="-"
  if [[ -n $pid ]]; then
    local after; after=$(cpu_ticks "$pid")
    cpu_us=$(awk -v a="$after" -v b="$before" -v t="$tick" -v n="$reqs" 'BEGIN{printf "%.1f", (a-b)/t*1e6/n}')
    rss=$(hwm_mib "$pid")
  fi
  printf "%-10s %4s conns %9s req/s  p50 %8s  p99 %8s  CPU/req %5s us  peak RSS %5s MiB %s\n" \
    "$name" "$conns" "$rps" "$p50" "$p99" "$cpu_us" "$rss" "$errs"
  RPS[$name.$conns]=$rps; P50[$name.$conns]=$(to_us "$p50"); CPU[$name.$conns]=$cpu_us
}

echo "== small POST chat completions, ${secs}s each (wrk -t2; sim, proxy and wrk share 2 cores) =="
run direct "http://127.0.0.1:$sim_port" "$work/direct.lua" 64
run fleetgate "http://127.0.0.1:$fg_port" "$work/proxy.lua" 64 "$fg_pid"
run nginx "http://127.0.0.1:$ng_port" "$work/direct.lua" 64 "$ng_pid"
run direct "http://127.0.0.1:$sim_port" "$work/direct.lua" 1
run fleetgate "http://127.0.0.1:$fg_port" "$work/proxy.lua" 1 "$fg_pid"
run nginx "http://127.0.0.1:$ng_port" "$work/direct.lua" 1 "$ng_pid"
awk -v d="${RPS[direct.64]}" -v f="${RPS[fleetgate.64]}" -v n="${RPS[nginx.64]}" \
    -v fc="${CPU[fleetgate.64]}" -v nc="${CPU[nginx.64]}" \
  'BEGIN{printf "64 conns: fleetgate/direct %.2f  nginx/direct %.2f  fleetgate/nginx %.2f (target >= 0.90)  CPU/req fleetgate/nginx %.2f (target <= 1.10)\n", f/d, n/d, f/n, fc/nc}'
echo "1 conn: added p50 over direct: fleetgate $(( ${P50[fleetgate.1]} - ${P50[direct.1]} )) us (target <= 50)  nginx $(( ${P50[nginx.1]} - ${P50[direct.1]} )) us"

echo "== 1000 concurrent streaming requests through fleetgate (20 events at 20/s each, ${secs}s) =="
before=$(cpu_ticks "$fg_pid")
wrk -t2 -c1000 -d"${secs}s" --timeout 10s -s "$work/stream.lua" "http://127.0.0.1:$fg_port/v1/chat/completions" |
  grep -E "streams:|Requests/sec" || true
echo "fleetgate CPU during streams: $(( $(cpu_ticks "$fg_pid") - before )) ticks of $(( secs * tick )); peak RSS $(hwm_mib "$fg_pid") MiB (target <= 100)"

echo "== idle: 5 s, no traffic (after 2 s to settle) =="
sleep 2
before=$(cpu_ticks "$fg_pid"); sleep 5
echo "fleetgate CPU ticks while idle: $(( $(cpu_ticks "$fg_pid") - before )) (target 0)"
