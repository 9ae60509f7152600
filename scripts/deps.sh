#!/usr/bin/env bash
# Installs the Debian 12 packages slad builds, tests and benchmarks with,
# skipping the ones already present. Run as root (or with sudo available).
# With --test, also what only the test suite needs: clang and its runtime
# for the libFuzzer run of the request decoder.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config git ca-certificates tzdata
  libabsl-dev libgtest-dev libgmock-dev libbenchmark-dev
  librocksdb-dev libasio-dev libsimdjson-dev libtomlplusplus-dev libssl-dev
  redis-server
)
if [ "${1:-}" = "--test" ]; then
  packages+=(clang libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "slad: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
