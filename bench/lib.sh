# Shared by the bench scripts (sourced): builds, and starts fleetgate processes on loopback.
# Sets: bin (the release binary, or $FLEETGATE_BIN), work (a temp dir removed on exit), pids (killed on exit).
./scripts/install-deps.sh --bench >/dev/null
if [[ -n ${FLEETGATE_BIN:-} ]]; then  # another build of fleetgate, as it is
  bin=$FLEETGATE_BIN
else
  ./scripts/build.sh release >/dev/null
  bin=$PWD/build/release/src/cli/fleetgate
fi
work=$(mktemp -d)
pids=()

# Starts `fleetgate ARGS...` in the background, logging to LOGFILE; sets PORT (from its
# "listening on" line) and PID.
start_fleetgate() {  # logfile args...
  local log=$1; shift
  "$bin" "$@" >/dev/null 2>"$log" & PID=$!; pids+=($PID)
  for _ in $(seq 100); do
    PORT=$(grep -oE 'listening on http://127\.0\.0\.1:[0-9]+' "$log" | grep -oE '[0-9]+$' || true)
    [[ -n $PORT ]] && return
    sleep 0.05
  done
  echo "did not start: $(cat "$log")" >&2; exit 1
}
