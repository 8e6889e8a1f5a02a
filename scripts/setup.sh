#!/usr/bin/env bash
# Installs every Debian package Segue needs to build, test and run the demo.
# Idempotent and non-interactive: re-running it when everything is present costs one dpkg query.
# Arguments name extra packages a particular target needs (`make fuzz` passes clang and its libFuzzer
# runtime).
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libboost-dev libboost-system-dev
  librocksdb-dev zlib1g-dev
  libtorch-dev libopenblas0-openmp
  libhnswlib-dev
  libxgboost-dev xgboost
  libsimdjson-dev nlohmann-json3-dev
  libcli11-dev libtomlplusplus-dev
  libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libhiredis-dev
  curl ccache
  libjs-chart.js chromium
  prometheus redis-server
  "$@"
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "setup: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
