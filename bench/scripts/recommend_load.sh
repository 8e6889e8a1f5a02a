#!/usr/bin/env bash
# GET /v1/users/{id}/recommendations latency while ingest runs, issue #10's serving figure: `segue serve`
# (fsync per group commit) with a TRACKS-track catalog posted before the run, then one `segue replay` of a
# simulated events file paced at RATE events/s that also GETs recommendations for the file's listeners at
# READ_RATE requests/s (--read; latency from each request's due time). Repeats RUNS times on fresh data dirs
# (the catalog is re-posted) and prints one line per run: ingest events/s and ack p50/p99, read p50/p99 and
# the responses' sources.
#
#   bench/scripts/recommend_load.sh SEGUE [RUNS=3] [TRACKS=1000000] [USERS=20000] [DAYS=1] [WORKDIR=$(mktemp -d)]
#
# RATE (default 20000), READ_RATE (default 500), CONFIG (a TOML file for `serve --config`),
# SERVE_ARGS (extra `serve` flags, e.g. "--retrieval-models DIR --models DIR"), SUBSCRIBE (replay's
# --subscribe N: the push streams of N of the file's listeners, spread over it, event -> push latency; needs a
# disengagement bundle, --models DIR). docs/benchmarks.md has the figures.
set -euo pipefail
SEGUE=$1 RUNS=${2:-3} TRACKS=${3:-1000000} USERS=${4:-20000} DAYS=${5:-1} WORK=${6:-$(mktemp -d)}
mkdir -p "$WORK"
EVENTS=$WORK/ev-$USERS-$DAYS-$TRACKS.ndjson CATALOG=$WORK/tracks-$TRACKS.ndjson
[ -s "$EVENTS" ] || "$SEGUE" simulate --users "$USERS" --days "$DAYS" --tracks "$TRACKS" --seed 7 --out "$EVENTS" \
  --catalog-out "$CATALOG" --quiet >/dev/null

run_one() {
  local data=$WORK/data-$$ line port pid
  local config=()
  [ -n "${CONFIG:-}" ] && config=(--config "$CONFIG")
  rm -rf "$data"
  # shellcheck disable=SC2086  # SERVE_ARGS is a list of flags
  coproc SERVER { exec "$SEGUE" serve --data-dir "$data" --listen 127.0.0.1:0 --log-level warn "${config[@]}" ${SERVE_ARGS:-} 2>"$WORK/server.log"; }
  pid=$SERVER_PID
  read -r line <&"${SERVER[0]}"
  port=${line##*:}
  until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; do sleep 0.05; done
  # The catalog, in NDJSON chunks of 10,000 tracks.
  split -l 10000 "$CATALOG" "$WORK/chunk."
  for chunk in "$WORK"/chunk.*; do
    curl -sf -XPOST "http://127.0.0.1:$port/v1/tracks" -H 'Content-Type: application/x-ndjson' --data-binary @"$chunk" >/dev/null
  done
  rm -f "$WORK"/chunk.*
  local tracks; tracks=$(curl -sf "http://127.0.0.1:$port/metrics" | grep '^segue_catalog_tracks ' | cut -d' ' -f2)
  "$SEGUE" replay "$EVENTS" --target "http://127.0.0.1:$port" --batch 100 --connections 8 --rate "${RATE:-20000}" \
    --read '/v1/users/{user}/recommendations?k=10' --read-rate "${READ_RATE:-500}" --read-connections 8 \
    --subscribe "${SUBSCRIBE:-0}" --json 2>/dev/null >"$WORK/out.json" || true
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$data"
  python3 - "$WORK/out.json" "$tracks" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f'catalog_tracks={sys.argv[2]}', end=' ')
x = r["reads"]
print(f'ingest events_per_s={r["events_per_s"]:.0f} ack_p50_ms={r["latency_ms"]["p50"]:.2f} ack_p99_ms={r["latency_ms"]["p99"]:.2f} '
      f'accepted={r["accepted"]} | reads={x["requests"]} ok={x["ok"]} read_p50_ms={x["latency_ms"]["p50"]:.2f} '
      f'read_p99_ms={x["latency_ms"]["p99"]:.2f} read_max_ms={x["latency_ms"]["max"]:.2f} sources={x["sources"]} errors={x["errors"]}')
if "pushes" in r:
    p = r["pushes"]
    print(f'  pushes streams={p["streams"]} pushes={p["pushes"]} timed={p["matched"]} streams_ended={p["streams_ended"]} '
          f'push_p50_ms={p["latency_ms"]["p50"]:.2f} push_p90_ms={p["latency_ms"]["p90"]:.2f} '
          f'push_p99_ms={p["latency_ms"]["p99"]:.2f} push_max_ms={p["latency_ms"]["max"]:.2f} sources={p["sources"]}')
PY
}

for run in $(seq "$RUNS"); do
  echo "# run $run, load $(cut -d' ' -f1 /proc/loadavg)"
  run_one
done
