#!/usr/bin/env bash
# Time from starting `segue serve` to /readyz = 200 after a kill -9, for a log of a given length.
# Simulates USERS listeners over DAYS days, ingests them with durability on and kills the server with
# SIGKILL right after the last acknowledgement. The killed data dir is kept; each of RUNS restarts starts
# from a fresh copy of it (so every run recovers the same unflushed WAL and log tail) and prints one
# line: events in the log, seconds from exec to /readyz = 200, events replayed after the snapshot.
#
#   bench/scripts/restart_time.sh SEGUE_BINARY USERS DAYS [RUNS=3] [WORKDIR=$(mktemp -d)]
#
# docs/benchmarks.md ("Restart time after kill -9") has the figures and the exact invocations.
set -euo pipefail
SEGUE=$1 USERS=$2 DAYS=$3 RUNS=${4:-3} WORK=${5:-$(mktemp -d)}
mkdir -p "$WORK"
EVENTS=$WORK/ev-$USERS-$DAYS.ndjson
[ -s "$EVENTS" ] || "$SEGUE" simulate --users "$USERS" --days "$DAYS" --seed 7 --out "$EVENTS" --quiet
DATA=$WORK/data-$USERS-$DAYS-$(basename "$(dirname "$SEGUE")")-$$
rm -rf "$DATA"

start_server() {  # sets PID and PORT; the server's stderr goes to $DATA.log
  coproc SERVER { exec "$SEGUE" serve --data-dir "$DATA" --listen 127.0.0.1:0 --log-level info 2>>"$DATA.log"; }
  PID=$SERVER_PID
  read -r line <&"${SERVER[0]}"
  PORT=${line##*:}
}
wait_ready() {
  until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null; do sleep 0.02; done
}

start_server
wait_ready
"$SEGUE" replay "$EVENTS" --target "http://127.0.0.1:$PORT" --batch 100 --connections 8 --json >"$WORK/replay.json"
kill -9 "$PID"; wait "$PID" 2>/dev/null || true
LOGGED=$(wc -l <"$EVENTS")
mv "$DATA" "$DATA.killed"

for run in $(seq "$RUNS"); do
  rm -rf "$DATA" && cp -a "$DATA.killed" "$DATA"
  : >"$DATA.log"
  t0=$(date +%s.%N)
  start_server
  wait_ready
  t1=$(date +%s.%N)
  replayed=$(grep -o '[0-9]* events replayed' "$DATA.log" | tail -1 | cut -d' ' -f1)
  echo "events=$LOGGED run=$run seconds_to_ready=$(awk "BEGIN { printf \"%.2f\", $t1 - $t0 }") replayed=$replayed"
  kill -9 "$PID"; wait "$PID" 2>/dev/null || true
done
rm -rf "$DATA" "$DATA.killed" "$DATA.log"
