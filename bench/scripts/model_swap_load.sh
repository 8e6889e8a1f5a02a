#!/usr/bin/env bash
# Hot swap under load (issue #11): ack and GET latency of `segue replay` against `segue serve` with both
# models (disengagement and two-tower), with and without model swaps during the run. In the "swaps" runs
# a new version of both bundles (a copy of v0001 under the next name) is dropped into the models folders
# and POST /v1/admin/models/reload swaps them in every SWAP_EVERY seconds. Runs alternate none / swaps
# (PAIRS pairs, each on a fresh data dir with the catalog posted first) and print one line each: ack p50/p99,
# read p50/p99, failed events, read errors, swaps done.
#
#   bench/scripts/model_swap_load.sh SEGUE [PAIRS=3] [USERS=2000] [TRACKS=20000] [WORKDIR=$(mktemp -d)]
#
# RATE (events/s, default 5000), READ_RATE (default 200), SWAP_EVERY (s, default 1). Needs curl and python3.
# docs/benchmarks.md ("Model hot swap under load") has the figures.
set -euo pipefail
SEGUE=$1 PAIRS=${2:-3} USERS=${3:-2000} TRACKS=${4:-20000} WORK=${5:-$(mktemp -d)}
mkdir -p "$WORK"
EVENTS=$WORK/events.ndjson CATALOG=$WORK/tracks.ndjson TOKEN=$WORK/token
[ -s "$EVENTS" ] || "$SEGUE" simulate --users "$USERS" --days 1 --tracks "$TRACKS" --seed 7 --out "$EVENTS" \
  --catalog-out "$CATALOG" --quiet >/dev/null
for kind in disengagement retrieval; do
  extra=(); [ $kind = disengagement ] && extra=(--no-skip-head --horizon-min 5 --target-precision 0.8)
  [ -d "$WORK/models/$kind/v0001" ] || "$SEGUE" train $kind --events "$EVENTS" --catalog "$CATALOG" --epochs 1 \
    "${extra[@]}" --out "$WORK/models/$kind/v0001" >/dev/null 2>&1
done
echo "model-swap-bench-admin-token-0001" >"$TOKEN"
printf '[admin]\ntoken_file = "%s"\n' "$TOKEN" >"$WORK/serve.toml"

# Copies v0001 of both models to the next version and reloads, every SWAP_EVERY s, until killed.
swap_loop() {
  local port=$1 v=2
  while sleep "${SWAP_EVERY:-1}"; do
    local name; name=$(printf 'v%04d' $v)
    cp -r "$WORK/models/disengagement/v0001" "$WORK/models/disengagement/$name"
    cp -r "$WORK/models/retrieval/v0001" "$WORK/models/retrieval/$name"
    curl -sf -XPOST -H "Authorization: Bearer $(cat "$TOKEN")" "http://127.0.0.1:$port/v1/admin/models/reload" \
      >>"$WORK/reloads.ndjson" && echo >>"$WORK/reloads.ndjson"
    v=$((v + 1))
  done
}

run_one() {
  local arm=$1 data=$WORK/data line port pid swapper=
  rm -rf "$data" "$WORK/reloads.ndjson"
  for kind in disengagement retrieval; do find "$WORK/models/$kind" -mindepth 1 -maxdepth 1 ! -name v0001 -exec rm -rf {} +; done
  coproc SERVER { exec "$SEGUE" serve --data-dir "$data" --listen 127.0.0.1:0 --log-level warn --config "$WORK/serve.toml" \
    --models "$WORK/models/disengagement" --retrieval-models "$WORK/models/retrieval" 2>"$WORK/server.log"; }
  pid=$SERVER_PID
  read -r line <&"${SERVER[0]}"
  port=${line##*:}
  until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; do sleep 0.05; done
  split -l 10000 "$CATALOG" "$WORK/chunk."  # the catalog in NDJSON chunks of 10,000 tracks (the body limit)
  for chunk in "$WORK"/chunk.*; do
    curl -sf -XPOST "http://127.0.0.1:$port/v1/tracks" -H 'Content-Type: application/x-ndjson' --data-binary @"$chunk" >/dev/null
  done
  rm -f "$WORK"/chunk.*
  touch "$WORK/reloads.ndjson"
  if [ "$arm" = swaps ]; then swap_loop "$port" & swapper=$!; fi
  "$SEGUE" replay "$EVENTS" --target "http://127.0.0.1:$port" --rate "${RATE:-5000}" \
    --read '/v1/users/{user}/recommendations?k=10' --read-rate "${READ_RATE:-200}" --json 2>/dev/null >"$WORK/out.json" || true
  [ -n "$swapper" ] && kill "$swapper" && wait "$swapper" 2>/dev/null || true
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  python3 - "$WORK/out.json" "$WORK/reloads.ndjson" "$arm" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); x = r["reads"]
swaps = sum(1 for l in open(sys.argv[2]) if l.strip() and json.loads(l)["retrieval"]["swapped"])
print(f'{sys.argv[3]:5} ack_p50_ms={r["latency_ms"]["p50"]:.2f} ack_p99_ms={r["latency_ms"]["p99"]:.2f} '
      f'accepted={r["accepted"]} failed={r["failed_events"]} errors={r["errors"]} | reads={x["requests"]} ok={x["ok"]} '
      f'read_p50_ms={x["latency_ms"]["p50"]:.2f} read_p99_ms={x["latency_ms"]["p99"]:.2f} read_errors={x["errors"]} '
      f'swaps={swaps}')
PY
}

for _ in $(seq "$PAIRS"); do
  run_one none
  run_one swaps
done
