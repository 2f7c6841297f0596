#!/usr/bin/env bash
# Gateway benchmark, one run on this machine: wrk -> sim directly, -> fleetgate -> sim,
# -> nginx (one worker, upstream keep-alive) -> sim. Prints req/s, p50/p99, CPU per request,
# peak RSS and the ratios. Everything listens on 127.0.0.1; every load run is bounded in time.
# Usage: bench/run.sh [seconds per run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
./scripts/install-deps.sh --bench >/dev/null
./scripts/build.sh release >/dev/null
bin=$PWD/build/release/src/cli/fleetgate
work=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; nginx -p "$work" -c "$work/nginx.conf" -s stop 2>/dev/null || true; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
sim_port=$(free_port); fg_port=$(free_port); ng_port=$(free_port)
sed "s/MODEL/m/" bench/chat.lua > "$work/direct.lua"
sed "s/MODEL/bench/" bench/chat.lua > "$work/proxy.lua"
sed "s/MODEL/bench/" bench/stream.lua > "$work/stream.lua"

$bin sim --listen 127.0.0.1:$sim_port --models m --tokens 20 --threads 1 2>/dev/null & pids+=($!)
cat > "$work/fg.yaml" <<YAML
model_list:
  - model_name: bench
    litellm_params: {model: openai/m, api_base: "http://127.0.0.1:$sim_port/v1"}
fleetgate:
  listen: 127.0.0.1:$fg_port
  threads: 1
  access_log: $work/fleetgate-access.log
YAML
$bin serve --config "$work/fg.yaml" 2>"$work/fg.err" & fg_pid=$!; pids+=($fg_pid)
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
sleep 0.5
ng_pid=$(pgrep -f "nginx: worker process" | head -1)

cpu_ticks() { awk '{print $14+$15}' /proc/$1/stat; }
hwm_kib() { awk '/VmHWM/{print $2}' /proc/$1/status; }
tick=$(getconf CLK_TCK)

run() {  # name url lua conns pid
  local name=$1 url=$2 lua=$3 conns=$4 pid=${5:-}
  local before=0; [[ -n $pid ]] && before=$(cpu_ticks "$pid")
  local out; out=$(wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$lua" "$url/v1/chat/completions")
  local rps p50 p99; rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  p50=$(awk '$1=="50%"{print $2}' <<<"$out"); p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  local reqs; reqs=$(awk '/requests in/{print $1}' <<<"$out")
  local cpu_us="-" rss="-"
  if [[ -n $pid ]]; then
    local after; after=$(cpu_ticks "$pid")
    cpu_us=$(awk -v a="$after" -v b="$before" -v t="$tick" -v n="$reqs" 'BEGIN{printf "%.1f", (a-b)/t*1e6/n}')
    rss=$(awk -v k="$(hwm_kib "$pid")" 'BEGIN{printf "%.1f", k/1024}')
  fi
  printf "%-28s %6s conns %10s req/s  p50 %8s  p99 %8s  CPU/req %6s us  peak RSS %6s MiB\n" \
    "$name" "$conns" "$rps" "$p50" "$p99" "$cpu_us" "$rss"
  echo "$rps" > "$work/$name.$conns.rps"
}

echo "== small chat completions (${secs}s each) =="
run direct "http://127.0.0.1:$sim_port" "$work/direct.lua" 64
run fleetgate "http://127.0.0.1:$fg_port" "$work/proxy.lua" 64 "$fg_pid"
run nginx "http://127.0.0.1:$ng_port" "$work/direct.lua" 64 "$ng_pid"
run direct "http://127.0.0.1:$sim_port" "$work/direct.lua" 1
run fleetgate "http://127.0.0.1:$fg_port" "$work/proxy.lua" 1 "$fg_pid"
run nginx "http://127.0.0.1:$ng_port" "$work/direct.lua" 1 "$ng_pid"
awk -v d="$(cat $work/direct.64.rps)" -v f="$(cat $work/fleetgate.64.rps)" -v n="$(cat $work/nginx.64.rps)" \
  'BEGIN{printf "ratios at 64 conns: fleetgate/direct %.2f  nginx/direct %.2f  fleetgate/nginx %.2f\n", f/d, n/d, f/n}'

echo "== 1000 concurrent streaming requests through fleetgate (20 events each) =="
wrk -t2 -c1000 -d"${secs}s" -s "$work/stream.lua" "http://127.0.0.1:$fg_port/v1/chat/completions" | grep -E "streams:|Requests/sec|Socket errors" || true
printf "fleetgate peak RSS after streams: %.1f MiB\n" "$(awk -v k="$(hwm_kib $fg_pid)" 'BEGIN{print k/1024}')"

echo "== idle CPU (5 s, no traffic) =="
b=$(cpu_ticks $fg_pid); sleep 5; a=$(cpu_ticks $fg_pid)
echo "fleetgate CPU ticks while idle: $((a-b)) (of $((5*tick)))"
