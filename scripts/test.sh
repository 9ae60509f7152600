#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine: install what is
# missing, build the release tree and an address/undefined-sanitizer tree,
# run the engine, config and api tests under the sanitizers, then every
# test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
bash scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=Debug \
  -DSLAD_SANITIZE=address,undefined -DSLAD_BUILD_BENCH=OFF
ctest --test-dir build-asan -L 'engine|config|api' --output-on-failure -j2
bash scripts/build.sh build
ctest --test-dir build --output-on-failure -j2
