#!/usr/bin/env bash
# Durable end-to-end ingest, embedded log against the Redis bus with 1 and 2 nodes, in one session with the
# runs interleaved (embedded, bus-1, bus-2, embedded, ...) so all see the same machine load (issue #12).
# One simulated events file; `segue replay` with 100-event batches over 8 connections per node. With two
# nodes the file is split by listener into two halves, each replayed into one node at the same time
# (events/s = all events / the slower replay's time; p99 = the larger of the two). Every mode starts from
# nothing: a fresh data dir, and FLUSHALL on the one redis-server (appendonly yes, appendfsync always)
# this script starts. Prints one line per run: mode, events/s, ack p50/p99 (ms), accepted, CPU seconds of
# the segue servers and of redis-server during the run (user + system), and for the bus the seconds from
# the start of the replay until every partition's checkpoint covered its last event (processed_s), the
# stored session state per listener (MEMORY USAGE of the segue:{p}:sessions hashes / their fields) and
# the AOF bytes written per event (appends, de-dup keys, commits of session state, leases).
#
#   bench/scripts/bus_ingest.sh SEGUE [RUNS=3] [USERS=2000] [DAYS=1] [WORKDIR=$(mktemp -d)]
# docs/benchmarks.md ("issue #12: nodes") has the figures and the exact invocation.
set -euo pipefail
SEGUE=$1 RUNS=${2:-3} USERS=${3:-2000} DAYS=${4:-1} WORK=${5:-$(mktemp -d)}
PARTITIONS=16
mkdir -p "$WORK"
EVENTS=$WORK/ev-$USERS-$DAYS.ndjson
[ -s "$EVENTS" ] || "$SEGUE" simulate --users "$USERS" --days "$DAYS" --seed 7 --out "$EVENTS" --quiet >/dev/null
python3 - "$EVENTS" <<'PY'
import json, sys, zlib
src = sys.argv[1]
outs = [open(src + ".half%d" % i, "w") for i in range(2)]
for line in open(src):
    outs[zlib.crc32(json.loads(line)["user_id"].encode()) % 2].write(line)
PY

RPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$WORK/redis"
redis-server --port "$RPORT" --bind 127.0.0.1 --dir "$WORK/redis" --appendonly yes --appendfsync always --save '' \
  --auto-aof-rewrite-percentage 0 \
  --daemonize yes --pidfile "$WORK/redis/pid" --logfile "$WORK/redis/log"
until redis-cli -p "$RPORT" ping >/dev/null 2>&1; do sleep 0.05; done
RPID=$(cat "$WORK/redis/pid")
trap 'kill "$RPID" 2>/dev/null || true' EXIT

aof_size() { redis-cli -p "$RPORT" info persistence | tr -d '\r' | awk -F: '$1 == "aof_current_size" { print $2 }'; }
cpu_s() { cut -d')' -f2 "/proc/$1/stat" | awk -v hz="$(getconf CLK_TCK)" '{print ($12 + $13) / hz}'; }
field() { grep -o "\"$2\":[0-9.e+-]*" "$1" | head -1 | cut -d: -f2; }

PIDS=() PORTS=()
start_node() {  # $1 = name, $2... = extra serve flags
  local name=$1 line; shift
  rm -rf "$WORK/data-$name"
  coproc NODE { exec "$SEGUE" serve --data-dir "$WORK/data-$name" --listen 127.0.0.1:0 --log-level warn "$@" 2>/dev/null; }
  PIDS+=("$NODE_PID")
  read -r line <&"${NODE[0]}"
  PORTS+=("${line##*:}")
  until curl -sf "http://127.0.0.1:${line##*:}/readyz" >/dev/null; do sleep 0.05; done
}
stop_nodes() {
  for p in "${PIDS[@]}"; do kill -TERM "$p"; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  PIDS=() PORTS=()
}
committed() {  # every partition's checkpoint equals its last offset
  local keys=() p
  for p in $(seq 0 $((PARTITIONS - 1))); do keys+=("segue:{$p}:offset" "segue:{$p}:checkpoint"); done
  redis-cli -p "$RPORT" mget "${keys[@]}" | paste - - | awk '$1 != $2 { bad = 1 } END { exit bad }'
}

run_mode() {  # $1 = embedded | bus1 | bus2
  local mode=$1 files=("$EVENTS") i
  redis-cli -p "$RPORT" flushall >/dev/null
  case $mode in
    embedded) start_node e ;;
    bus1) start_node a --bus "redis://127.0.0.1:$RPORT" --node-id a ;;
    bus2) start_node a --bus "redis://127.0.0.1:$RPORT" --node-id a
          start_node b --bus "redis://127.0.0.1:$RPORT" --node-id b 2>/dev/null  # (bash warns of the first coproc)
          files=("$EVENTS.half0" "$EVENTS.half1")
          sleep 2 ;;  # the two nodes settle on 8 partitions each
  esac
  local cpu0=0 rcpu0 start aof0
  aof0=$(aof_size)
  for p in "${PIDS[@]}"; do cpu0=$(echo "$cpu0 + $(cpu_s "$p")" | bc); done
  rcpu0=$(cpu_s "$RPID")
  start=$(date +%s.%N)
  local replays=()
  for i in "${!files[@]}"; do
    "$SEGUE" replay "${files[$i]}" --target "http://127.0.0.1:${PORTS[$i]}" --batch 100 --connections 8 --json \
      2>/dev/null >"$WORK/out$i.json" &
    replays+=($!)
  done
  for p in "${replays[@]}"; do wait "$p" || true; done
  local processed=n/a
  if [ "$mode" != embedded ]; then
    until committed; do sleep 0.05; done
    processed=$(echo "$(date +%s.%N) - $start" | bc)
  fi
  local store=""
  if [ "$mode" != embedded ]; then
    local bytes=0 fields=0 p
    for p in $(seq 0 $((PARTITIONS - 1))); do
      bytes=$((bytes + $(redis-cli -p "$RPORT" memory usage "segue:{$p}:sessions" samples 0)))
      fields=$((fields + $(redis-cli -p "$RPORT" hlen "segue:{$p}:sessions")))
    done
    store=$(printf ' session_bytes_per_listener=%.0f listeners=%d aof_bytes_per_event=%.0f' \
      "$(echo "$bytes / $fields" | bc -l)" "$fields" "$(echo "($(aof_size) - $aof0) / $(wc -l <"$EVENTS")" | bc -l)")
  fi
  local cpu=0 rcpu total=0 slowest=0 p50=0 p99=0 accepted=0 n
  for p in "${PIDS[@]}"; do cpu=$(echo "$cpu + $(cpu_s "$p")" | bc); done
  rcpu=$(echo "$(cpu_s "$RPID") - $rcpu0" | bc)
  for i in "${!files[@]}"; do
    n=$(field "$WORK/out$i.json" accepted); accepted=$((accepted + n))
    total=$((total + $(field "$WORK/out$i.json" events_sent)))
    slowest=$(echo "e=$(field "$WORK/out$i.json" elapsed_s); if (e > $slowest) e else $slowest" | bc -l)
    p50=$(echo "x=$(field "$WORK/out$i.json" p50); if (x > $p50) x else $p50" | bc -l)
    p99=$(echo "x=$(field "$WORK/out$i.json" p99); if (x > $p99) x else $p99" | bc -l)
  done
  stop_nodes
  printf '%s events_per_s=%.0f p50_ms=%.2f p99_ms=%.2f accepted=%s server_cpu_s=%.2f redis_cpu_s=%.2f processed_s=%s%s\n' \
    "$mode" "$(echo "$total / $slowest" | bc -l)" "$p50" "$p99" "$accepted" "$(echo "$cpu - $cpu0" | bc)" "$rcpu" \
    "$processed" "$store"
}

for run in $(seq "$RUNS"); do
  echo "# run $run, load $(cut -d' ' -f1 /proc/loadavg)"
  for mode in embedded bus1 bus2; do run_mode "$mode"; done
done
