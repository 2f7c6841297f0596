#!/usr/bin/env bash
# Builds the libFuzzer targets (preset `fuzz`: clang, ASan + UBSan, assertions on) and runs each
# for SECONDS (default 10) over a working copy of its seed corpus (fuzz/corpus/<name>). Findings
# go to build/fuzz/findings/<name>/; the run fails if there is any. Prints each target's
# executions and the total.
#   scripts/fuzz.sh [seconds-per-target] [target ...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
shift || true
./scripts/install-deps.sh
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -- -j"$(nproc)" >/dev/null
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=(http_request http_response scan_request sse ndjson ollama anthropic heartbeat silence
           cron units config front_ends multipart)
fi
total=0
failed=()
for t in "${targets[@]}"; do
  work="build/fuzz/corpus/$t"
  findings="build/fuzz/findings/$t"
  mkdir -p "$work" "$findings"
  cp -n fuzz/corpus/"$t"/* "$work"/ 2>/dev/null || true
  log="build/fuzz/$t.log"
  if ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 \
     "build/fuzz/fuzz/fuzz_$t" "$work" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
       -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$findings/" >"$log" 2>&1; then
    status=ok
  else
    status=FINDING
    failed+=("$t")
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  total=$((total + runs))
  printf '%-14s %10s executions  %s\n' "$t" "$runs" "$status"
done
printf '%-14s %10s executions  %d finding(s)\n' total "$total" "${#failed[@]}"
if ((${#failed[@]})); then
  for t in "${failed[@]}"; do
    echo "--- $t (build/fuzz/$t.log, inputs in build/fuzz/findings/$t/):"
    grep -m 5 -E 'ERROR|runtime error|SUMMARY|Assertion|terminate|deadly' "build/fuzz/$t.log" || true
  done
  exit 1
fi
