#!/usr/bin/env bash
# Two builds of fleetgate in the same run, alternating: small JSON chat completions and SSE
# streams (20 events) at 64 connections, in front of the same sim. Medians over the rounds of
# each build's rate and CPU per request (utime+stime from /proc), and of B/A per round.
# Everything listens on 127.0.0.1; every load run is bounded in time and stops by itself.
# Usage: bench/ab.sh path/to/fleetgate-A path/to/fleetgate-B [seconds per run, 5] [rounds, 5]
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 2 ]] || { echo "usage: bench/ab.sh A B [seconds] [rounds]" >&2; exit 2; }
a_bin=$(realpath "$1") b_bin=$(realpath "$2") secs="${3:-5}" rounds="${4:-5}"
FLEETGATE_BIN=$a_bin source bench/lib.sh
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT

start_fleetgate "$work/sim.err" sim --listen 127.0.0.1:0 --models m,sse --tokens 20 --threads 1
sim_port=$PORT
cat > "$work/fg.yaml" <<YAML
model_list:
  - model_name: m
    litellm_params: {model: openai/m, api_base: "http://127.0.0.1:$sim_port/v1"}
  - model_name: sse
    litellm_params: {model: openai/sse, api_base: "http://127.0.0.1:$sim_port/v1"}
fleetgate: {listen: 127.0.0.1:0, threads: 1, access_log: $work/access.log}
YAML
declare -A PORT_OF PID_OF
for t in A B; do
  [[ $t == B ]] && bin=$b_bin
  start_fleetgate "$work/$t.err" serve --config "$work/fg.yaml" --data "$work/$t.db"
  PORT_OF[$t]=$PORT PID_OF[$t]=$PID
done
sed "s/MODEL/m/" bench/chat.lua > "$work/chat.lua"
sed "s/MODEL/sse/" bench/stream.lua > "$work/sse.lua"
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
tick=$(getconf CLK_TCK)
results=$work/results
measure() {  # round target test lua
  local before out reqs
  before=$(cpu_ticks "${PID_OF[$2]}")
  out=$(wrk -t2 -c64 -d"${secs}s" -s "$4" "http://127.0.0.1:${PORT_OF[$2]}/v1/chat/completions")
  reqs=$(awk '/requests in/{print $1}' <<<"$out")
  echo "$1 $2 $3.rate $(awk '/Requests\/sec/{print $2}' <<<"$out")" >> "$results"
  awk -v a="$(cpu_ticks "${PID_OF[$2]}")" -v b="$before" -v t="$tick" -v n="$reqs" -v r="$1" \
    -v x="$2 $3.cpu" 'BEGIN{printf "%s %s %.2f\n", r, x, (a-b)/t*1e6/n}' >> "$results"
}
echo "== A: $a_bin; B: $b_bin; $rounds rounds of ${secs}s, alternating =="
for ((r = 1; r <= rounds; r++)); do
  order="A B"; (( r % 2 == 0 )) && order="B A"
  for t in $order; do measure "$r" "$t" json "$work/chat.lua"; measure "$r" "$t" sse "$work/sse.lua"; done
done
awk -v R="$rounds" '
  { v[$2" "$3, $1] = $4 }
  function med(n,   i, j, t) {
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (s[j] < s[i]) { t = s[i]; s[i] = s[j]; s[j] = t }
    lo = s[1]; hi = s[n]; return n % 2 ? s[(n + 1) / 2] : (s[n / 2] + s[n / 2 + 1]) / 2
  }
  function stat(k, f,   r, n, m) { n = 0; for (r = 1; r <= R; r++) s[++n] = v[k, r]; m = med(n)
    return sprintf(f " (" f "-" f ")", m, lo, hi) }
  function ratio(k,   r, n, m) { n = 0; for (r = 1; r <= R; r++) s[++n] = v["B "k, r] / v["A "k, r]; m = med(n)
    return sprintf("%.2f (%.2f-%.2f)", m, lo, hi) }
  END {
    printf "%-4s %24s %20s %24s %20s\n", "", "JSON req/s at 64", "CPU/req us", "SSE streams/s at 64", "CPU/stream us"
    for (i = 1; i <= 2; i++) { t = i == 1 ? "A" : "B"
      printf "%-4s %24s %20s %24s %20s\n", t, stat(t" json.rate", "%.0f"), stat(t" json.cpu", "%.1f"),
        stat(t" sse.rate", "%.0f"), stat(t" sse.cpu", "%.1f") }
    printf "B/A  JSON req/s %s, CPU/req %s; SSE streams/s %s, CPU/stream %s\n", ratio("json.rate"),
      ratio("json.cpu"), ratio("sse.rate"), ratio("sse.cpu")
  }' "$results"
