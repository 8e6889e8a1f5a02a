#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer harnesses (preset `fuzz`, clang + ASan + UBSan, build-fuzz/) and runs
# each for FUZZ_SECONDS (default 60), one at a time, single process. docs/testing.md explains the
# harnesses and records the reference run.
#
#   FUZZ_SECONDS=600 make fuzz                      # longer runs
#   FUZZERS="event http_request" make fuzz          # a subset
#   FUZZ_ARGS="-runs=10000000" make fuzz            # extra libFuzzer flags (here: stop after 10M runs)
#
# Each harness starts from its committed seeds (fuzz/corpus/<name>/, read only) and keeps what it finds
# in build-fuzz/corpus/<name>/ (not committed), so a second run continues where the first stopped.
# Crashes land in build-fuzz/artifacts/<name>/; the script goes on with the other harnesses and exits
# non-zero at the end if any harness failed.
set -euo pipefail
cd "$(dirname "$0")/.."

# clang and the libFuzzer runtime are needed only here, so they are not in setup.sh's default list
# (which `make test` and `make demo` install): CI and newcomers do not pay for them.
bash scripts/setup.sh clang libclang-rt-14-dev

ALL_FUZZERS=(event track_json csv_reader spotify_history mssd catalog_csv server_config record_codec session_codec
             http_request recommendation_request)
read -r -a fuzzers <<< "${FUZZERS:-${ALL_FUZZERS[*]}}"
seconds="${FUZZ_SECONDS:-60}"

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "${JOBS:-$(nproc)}"

# The importer and config harnesses write each input to a file under TMPDIR (fuzz/fuzz_util.h): on tmpfs
# they run about 3.5x faster than on disk. Each run gets its own directory, removed afterwards.
tmp_root=/dev/shm
[ -d "$tmp_root" ] && [ -w "$tmp_root" ] || tmp_root="${TMPDIR:-/tmp}"

failed=()
for name in "${fuzzers[@]}"; do
  work="build-fuzz/corpus/$name"
  artifacts="build-fuzz/artifacts/$name"
  mkdir -p "$work" "$artifacts"
  echo "=== fuzz $name: ${seconds}s" >&2
  tmp="$(mktemp -d "$tmp_root/segue-fuzz.XXXXXX")"
  # shellcheck disable=SC2086  # FUZZ_ARGS is a list of flags
  if ! TMPDIR="$tmp" "build-fuzz/fuzz/${name}_fuzzer" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
      -artifact_prefix="$artifacts/" ${FUZZ_ARGS:-} "$work" "fuzz/corpus/$name"; then
    failed+=("$name")
  fi
  rm -rf "$tmp"
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in: ${failed[*]} (inputs in build-fuzz/artifacts/)" >&2
  exit 1
fi
