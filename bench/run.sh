#!/usr/bin/env bash
# Gateway benchmark against nginx in the same run. Each round measures, in turn and alternating
# the order, fleetgate, nginx (one worker, upstream keep-alive, access log on, like fleetgate's)
# and nginx with `access_log off` (the plain-proxy limit), all in front of the same sim:
#   - small JSON chat completions at 64 connections: req/s and CPU per request;
#   - SSE streams (20 events each) at 64 connections: streams/s and CPU per stream;
#   - small JSON requests at 1 connection: p50, and what it adds over the sim directly.
# Then medians over the rounds with their spread (min-max), and the ratios to both nginx's;
# then each client dialect (Anthropic Messages, Responses, Ollama) next to chat completions, and
# the time a /v1/messages stream adds at 1 connection; then 1,000 concurrent slow streams
# through fleetgate (peak RSS) and idle CPU.
# CPU is the proxy's utime+stime from /proc over the run. wrk, sim and proxy share the cores.
# Everything listens on 127.0.0.1; every load run is bounded in time and stops by itself.
# Usage: bench/run.sh [seconds per run, default 5] [rounds, default 5]
#   FLEETGATE_BIN=path/to/fleetgate bench/run.sh   benchmarks another build of fleetgate
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-5}"
rounds="${2:-5}"
source bench/lib.sh
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  for n in nginx nolog; do
    [[ -f $work/$n/nginx.pid ]] && nginx -p "$work/$n" -c "$work/$n/nginx.conf" -s stop 2>/dev/null
  done
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

start_fleetgate "$work/sim.err" sim --listen 127.0.0.1:0 --models m,sse --tokens 16 --threads 1
sim_port=$PORT
# Streams that last a second each (20 tokens at 20/s), so 1,000 of them are open at once.
start_fleetgate "$work/slow.err" sim --listen 127.0.0.1:0 --models s --tokens 20 \
  --tokens-per-second 20 --threads 1; slow_port=$PORT
start_fleetgate "$work/sse.err" sim --listen 127.0.0.1:0 --models sse --tokens 20 --threads 1
sse_port=$PORT
cat > "$work/fg.yaml" <<YAML
model_list:
  - model_name: m
    litellm_params: {model: openai/m, api_base: "http://127.0.0.1:$sim_port/v1"}
  - model_name: sse
    litellm_params: {model: openai/sse, api_base: "http://127.0.0.1:$sse_port/v1"}
  - model_name: stream
    litellm_params: {model: openai/s, api_base: "http://127.0.0.1:$slow_port/v1"}
fleetgate:
  listen: 127.0.0.1:0
  threads: 1
  access_log: $work/fleetgate-access.log
YAML
start_fleetgate "$work/fg.err" serve --config "$work/fg.yaml" --data "$work/fg.db"
fg_port=$PORT fg_pid=$PID

# nginx: /v1/... of model m to the JSON sim; the SSE test's path to the SSE sim.
start_nginx() {  # name access_log_line
  local dir=$work/$1 port; port=$(free_port)
  mkdir -p "$dir/logs"
  cat > "$dir/nginx.conf" <<NGINX
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log;
events { worker_connections 4096; }
http {
  $2
  upstream sim { server 127.0.0.1:$sim_port; keepalive 128; }
  upstream sse { server 127.0.0.1:$sse_port; keepalive 128; }
  server {
    listen 127.0.0.1:$port;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_buffering off;
    location /sse/ { proxy_pass http://sse/; }
    location / { proxy_pass http://sim; }
  }
}
NGINX
  nginx -p "$dir" -c "$dir/nginx.conf"
  for _ in $(seq 50); do [[ -s $dir/nginx.pid ]] && break; sleep 0.05; done
  sleep 0.2
  echo "$port $(pgrep -P "$(cat "$dir/nginx.pid")" | head -1)"
}
read -r ng_port ng_pid < <(start_nginx nginx "access_log $work/nginx/logs/access.log;")
read -r nl_port nl_pid < <(start_nginx nolog "access_log off;")

sed "s/MODEL/m/" bench/chat.lua > "$work/chat.lua"
sed "s/MODEL/sse/" bench/stream.lua > "$work/sse.lua"
sed "s/MODEL/stream/" bench/stream.lua > "$work/slow.lua"

cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
hwm_mib() { awk '/VmHWM/{printf "%.1f", $2/1024}' "/proc/$1/status"; }
tick=$(getconf CLK_TCK)
to_us() { awk '{v=$1; if (v ~ /us$/) v+=0; else if (v ~ /ms$/) v*=1000; else if (v ~ /s$/) v*=1e6; printf "%.0f", v}' <<<"$1"; }

results=$work/results  # lines: round target test value
# One wrk run; records rate, CPU per request and p50.
measure() {  # round target test url lua conns [pid]
  local round=$1 target=$2 test=$3 url=$4 lua=$5 conns=$6 pid=${7:-}
  local before=0; [[ -n $pid ]] && before=$(cpu_ticks "$pid")
  local out; out=$(wrk -t"$(( conns < 2 ? 1 : 2 ))" -c"$conns" -d"${secs}s" --latency -s "$lua" "$url")
  if grep -qE "Non-2xx|Socket errors|truncated or failed: [1-9]" <<<"$out"; then
    echo "$target $test: $(grep -E 'Non-2xx|Socket errors|truncated' <<<"$out")" >&2
  fi
  local rps reqs p50
  rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  reqs=$(awk '/requests in/{print $1}' <<<"$out")
  p50=$(to_us "$(awk '$1=="50%"{print $2}' <<<"$out")")
  echo "$round $target $test.rate $rps" >> "$results"
  echo "$round $target $test.p50 $p50" >> "$results"
  if [[ -n $pid ]]; then
    awk -v a="$(cpu_ticks "$pid")" -v b="$before" -v t="$tick" -v n="$reqs" -v r="$round" \
      -v x="$target $test.cpu" 'BEGIN{printf "%s %s %.2f\n", r, x, (a-b)/t*1e6/n}' >> "$results"
  fi
}

declare -A URL=([fleetgate]="http://127.0.0.1:$fg_port" [nginx]="http://127.0.0.1:$ng_port"
                [nolog]="http://127.0.0.1:$nl_port")
declare -A PID=([fleetgate]=$fg_pid [nginx]=$ng_pid [nolog]=$nl_pid)
declare -A SSE_PATH=([fleetgate]=/v1/chat/completions [nginx]=/sse/v1/chat/completions
                     [nolog]=/sse/v1/chat/completions)
orders=("fleetgate nginx nolog" "nolog fleetgate nginx" "nginx nolog fleetgate")
echo "== $rounds rounds of ${secs}s runs, alternating (wrk -t2; sim, proxy and wrk share $(nproc) cores) =="
for ((r = 1; r <= rounds; r++)); do
  measure "$r" direct json1 "http://127.0.0.1:$sim_port/v1/chat/completions" "$work/chat.lua" 1
  for t in ${orders[$(( (r - 1) % 3 ))]}; do
    measure "$r" "$t" json64 "${URL[$t]}/v1/chat/completions" "$work/chat.lua" 64 "${PID[$t]}"
    measure "$r" "$t" sse64 "${URL[$t]}${SSE_PATH[$t]}" "$work/sse.lua" 64 "${PID[$t]}"
    measure "$r" "$t" json1 "${URL[$t]}/v1/chat/completions" "$work/chat.lua" 1 "${PID[$t]}"
  done
  echo "round $r done"
done

# Medians and spreads; ratios are taken within each round, then their median.
awk -v R="$rounds" '
  { v[$2" "$3, $1] = $4 }
  function sort_med(n,   i, j, t) {  # the median of s[1..n]; sets lo, hi
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (s[j] < s[i]) { t = s[i]; s[i] = s[j]; s[j] = t }
    lo = s[1]; hi = s[n]
    return n % 2 ? s[(n + 1) / 2] : (s[n / 2] + s[n / 2 + 1]) / 2
  }
  function stat(key, fmt,   r, n, m) {
    n = 0; for (r = 1; r <= R; r++) if ((key, r) in v) s[++n] = v[key, r]
    m = sort_med(n); return sprintf(fmt " (" fmt "-" fmt ")", m, lo, hi)
  }
  function ratio(a, b, test,   r, n, m) {
    n = 0; for (r = 1; r <= R; r++) s[++n] = v[a" "test, r] / v[b" "test, r]
    m = sort_med(n); return sprintf("%.2f (%.2f-%.2f)", m, lo, hi)
  }
  function added(t,   r, n, m) {
    n = 0; for (r = 1; r <= R; r++) s[++n] = v[t" json1.p50", r] - v["direct json1.p50", r]
    m = sort_med(n); return sprintf("+%.0f (%+.0f..%+.0f)", m, lo, hi)
  }
  END {
    printf "\n%-23s %24s %20s %24s %20s %18s\n", "median (min-max)", "JSON req/s at 64", "CPU/req us",
      "SSE streams/s at 64", "CPU/stream us", "added p50 us at 1"
    split("fleetgate nginx nolog", ts, " ")
    names["fleetgate"] = "fleetgate"; names["nginx"] = "nginx (access log)"; names["nolog"] = "nginx (access_log off)"
    for (i = 1; i <= 3; i++) {
      t = ts[i]
      printf "%-23s %24s %20s %24s %20s %18s\n", names[t], stat(t" json64.rate", "%.0f"),
        stat(t" json64.cpu", "%.1f"), stat(t" sse64.rate", "%.0f"), stat(t" sse64.cpu", "%.1f"), added(t)
    }
    printf "sim directly, 1 conn: p50 %s us\n", stat("direct json1.p50", "%.0f")
    for (i = 2; i <= 3; i++) {
      b = ts[i]
      printf "fleetgate / %-23s JSON req/s %s, CPU/req %s; SSE streams/s %s, CPU/stream %s\n",
        names[b], ratio("fleetgate", b, "json64.rate"), ratio("fleetgate", b, "json64.cpu"),
        ratio("fleetgate", b, "sse64.rate"), ratio("fleetgate", b, "sse64.cpu")
    }
  }' "$results"

# Each client dialect against the same OpenAI-compatible sim, at 64 connections: what translating
# the request once and the answer once costs next to plain chat completions (fleetgate only;
# nginx does not translate). Then the time to first byte of a stream at 1 connection, chat vs
# /v1/messages (the Anthropic events come from the chat stream as it arrives).
declare -A BODY=(
  [chat]='{"model":"m","messages":[{"role":"user","content":"Say hello in five words."}],"max_tokens":16}'
  [messages]='{"model":"m","max_tokens":16,"messages":[{"role":"user","content":"Say hello in five words."}]}'
  [responses]='{"model":"m","input":"Say hello in five words.","max_output_tokens":16,"store":false}'
  [ollama]='{"model":"m","stream":false,"messages":[{"role":"user","content":"Say hello in five words."}]}')
declare -A DPATH=([chat]=/v1/chat/completions [messages]=/v1/messages [responses]=/v1/responses
                  [ollama]=/api/chat)
dresults=$work/dialects
for d in chat messages responses ollama; do
  sed -e "s|PATH|${DPATH[$d]}|" -e "s|BODY|${BODY[$d]}|" bench/dialect.lua > "$work/$d.lua"
done
echo "== dialects: JSON at 64 connections through fleetgate, $rounds rounds of ${secs}s =="
for ((r = 1; r <= rounds; r++)); do
  for d in chat messages responses ollama; do
    before=$(cpu_ticks "$fg_pid")
    out=$(wrk -t2 -c64 -d"${secs}s" -s "$work/$d.lua" "http://127.0.0.1:$fg_port")
    grep -qE "Non-2xx|Socket errors" <<<"$out" && echo "$d: $(grep -E 'Non-2xx|Socket errors' <<<"$out")" >&2
    reqs=$(awk '/requests in/{print $1}' <<<"$out")
    awk -v d="$d" -v r="$r" -v rps="$(awk '/Requests\/sec/{print $2}' <<<"$out")" \
      -v a="$(cpu_ticks "$fg_pid")" -v b="$before" -v t="$tick" -v n="$reqs" \
      'BEGIN{printf "%s %s %s %.2f\n", r, d, rps, (a-b)/t*1e6/n}' >> "$dresults"
  done
done
sed -e "s|PATH|/v1/chat/completions|" \
  -e 's|BODY|{"model":"sse","stream":true,"messages":[{"role":"user","content":"hi"}]}|' \
  bench/dialect.lua > "$work/chat_stream.lua"
sed -e "s|PATH|/v1/messages|" \
  -e 's|BODY|{"model":"sse","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]}|' \
  bench/dialect.lua > "$work/messages_stream.lua"
for ((r = 1; r <= rounds; r++)); do
  for d in chat_stream messages_stream; do
    out=$(wrk -t1 -c1 -d"${secs}s" --latency -s "$work/$d.lua" "http://127.0.0.1:$fg_port")
    echo "$r $d $(to_us "$(awk '$1=="50%"{print $2}' <<<"$out")")" >> "$work/ttfb"
  done
done
awk -v R="$rounds" '
  FNR == NR { rate[$2, $1] = $3; cpu[$2, $1] = $4; next }
  { p50[$2, $1] = $3 }
  function med(n,   i, j, t) {
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (s[j] < s[i]) { t = s[i]; s[i] = s[j]; s[j] = t }
    lo = s[1]; hi = s[n]
    return n % 2 ? s[(n + 1) / 2] : (s[n / 2] + s[n / 2 + 1]) / 2
  }
  END {
    printf "%-10s %22s %18s %28s\n", "dialect", "req/s at 64", "CPU/req us", "vs chat: req/s, CPU/req"
    split("chat messages responses ollama", ds, " ")
    for (i = 1; i <= 4; i++) {
      d = ds[i]
      for (r = 1; r <= R; r++) s[r] = rate[d, r]; mr = med(R); rl = lo; rh = hi
      for (r = 1; r <= R; r++) s[r] = cpu[d, r]; mc = med(R); cl = lo; ch = hi
      for (r = 1; r <= R; r++) s[r] = rate[d, r] / rate["chat", r]; xr = med(R)
      for (r = 1; r <= R; r++) s[r] = cpu[d, r] / cpu["chat", r]; xc = med(R)
      printf "%-10s %8.0f (%.0f-%.0f) %8.1f (%.1f-%.1f) %16.2f, %.2f\n", d, mr, rl, rh, mc, cl, ch, xr, xc
    }
    for (r = 1; r <= R; r++) s[r] = p50["chat_stream", r]; a = med(R)
    for (r = 1; r <= R; r++) s[r] = p50["messages_stream", r] - p50["chat_stream", r]; b = med(R)
    printf "stream p50 at 1 conn: chat %.0f us; /v1/messages adds %+.0f us (%+.0f..%+.0f)\n", a, b, lo, hi
  }' "$dresults" "$work/ttfb"

# The translation alone, in user space (Google Benchmark, bench/translate.cpp): each front end
# both ways next to parsing the request once and writing the answer once.
if [[ -x ${bin%/src/cli/fleetgate}/bench/translate_bench ]]; then
  echo "== translation per request, user space, median of $rounds (bench/translate.cpp) =="
  "${bin%/src/cli/fleetgate}/bench/translate_bench" --benchmark_repetitions="$rounds" \
    --benchmark_min_time=0.2 --benchmark_report_aggregates_only=true 2>/dev/null |
    awk '$1 ~ /_median$/ {
      split($1, k, "/"); name = k[1]; i = k[2]; sub(/_median/, "", i)
      t[name, i] = $4; label[i] = $7 " " $8 " " $9
    }
    END {
      printf "%-40s %14s %14s %8s\n", "request", "translate ns", "reference ns", "ratio"
      for (i = 0; i <= 4; i++)
        printf "%-40s %14.0f %14.0f %7.1fx\n", label[i], t["translate", i],
          t["parse_once_write_once", i], t["translate", i] / t["parse_once_write_once", i]
    }'
fi

echo "== 1000 concurrent streaming requests through fleetgate (20 events at 20/s each, 10s) =="
before=$(cpu_ticks "$fg_pid")
wrk -t2 -c1000 -d10s --timeout 10s -s "$work/slow.lua" "http://127.0.0.1:$fg_port/v1/chat/completions" |
  grep -E "streams:|Requests/sec" || true
echo "fleetgate CPU during streams: $(( $(cpu_ticks "$fg_pid") - before )) ticks of $(( 10 * tick )); peak RSS $(hwm_mib "$fg_pid") MiB (target <= 100)"

echo "== idle: 5 s, no traffic (after 2 s to settle) =="
sleep 2
before=$(cpu_ticks "$fg_pid"); sleep 5
echo "fleetgate CPU ticks while idle: $(( $(cpu_ticks "$fg_pid") - before )) (target 0)"
