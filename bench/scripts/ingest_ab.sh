#!/usr/bin/env bash
# Durable end-to-end ingest of two `segue` binaries in one session, runs interleaved A, B, A, B, ... so
# both see the same machine load: `segue serve` on a fresh data dir (fsync per group commit), then
# `segue replay` of one simulated events file with 100-event batches over 8 connections. Prints one line
# per run: binary, events/s, ack p50 and p99 (ms), events accepted, and the CPU seconds the server used
# (user + system, all threads: robust to a busy machine where wall-time rates are not).
#
#   bench/scripts/ingest_ab.sh SEGUE_A SEGUE_B [RUNS=3] [USERS=3000] [DAYS=3] [WORKDIR=$(mktemp -d)]
#
# CONFIG_A / CONFIG_B (environment): a TOML file passed to that binary's `serve --config`.
# RATE (environment): events/s for `segue replay --rate` (default 0: as fast as the server answers).
# SEGUE_C (environment, optional): a third binary (e.g. an older reference), run after B in each round,
# with CONFIG_C.
# docs/benchmarks.md has the figures and the exact invocations.
set -euo pipefail
A=$1 B=$2 RUNS=${3:-3} USERS=${4:-3000} DAYS=${5:-3} WORK=${6:-$(mktemp -d)}
mkdir -p "$WORK"
EVENTS=$WORK/ev-$USERS-$DAYS.ndjson
[ -s "$EVENTS" ] || "$A" simulate --users "$USERS" --days "$DAYS" --seed 7 --out "$EVENTS" --quiet >/dev/null

run_one() {  # $1 = binary, $2 = config file or ""
  local data=$WORK/data-$$ line port pid
  local config=()
  [ -n "$2" ] && config=(--config "$2")
  rm -rf "$data"
  coproc SERVER { exec "$1" serve --data-dir "$data" --listen 127.0.0.1:0 --log-level warn "${config[@]}" 2>/dev/null; }
  pid=$SERVER_PID
  read -r line <&"${SERVER[0]}"
  port=${line##*:}
  until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; do sleep 0.05; done
  "$1" replay "$EVENTS" --target "http://127.0.0.1:$port" --batch 100 --connections 8 --rate "${RATE:-0}" --json 2>/dev/null >"$WORK/out.json"
  local cpu; cpu=$(cut -d')' -f2 "/proc/$pid/stat" | awk -v hz="$(getconf CLK_TCK)" '{print ($12 + $13) / hz}')  # utime + stime
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$data"
  local j; j=$(cat "$WORK/out.json")
  field() { grep -o "\"$1\":[0-9.e+-]*" <<<"$j" | head -1 | cut -d: -f2; }
  printf '%s events_per_s=%.0f p50_ms=%.2f p99_ms=%.2f accepted=%s server_cpu_s=%.2f\n' "$1" "$(field events_per_s)" \
    "$(field p50)" "$(field p99)" "$(field accepted)" "$cpu"
}

for run in $(seq "$RUNS"); do
  echo "# run $run, load $(cut -d' ' -f1 /proc/loadavg)"
  run_one "$A" "${CONFIG_A:-}"
  run_one "$B" "${CONFIG_B:-}"
  if [ -n "${SEGUE_C:-}" ]; then run_one "$SEGUE_C" "${CONFIG_C:-}"; fi
done
