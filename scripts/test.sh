#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine: install what is
# missing, build the release tree and an address/undefined-sanitizer tree,
# run the engine, config, api, storage and daemon tests under the
# sanitizers, then every test, then a short libFuzzer run of the request
# decoder (clang, which deps.sh --test installs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh --test
# Line tables (-g1) are all the sanitizers' reports need; full debug info
# made this tree compile about a third longer, on a suite bounded at 15
# minutes that is mostly compiling.
# Only what that run needs (tests/CMakeLists.txt, sanitized_suite).
BUILD_TARGET=sanitized_suite bash scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS_DEBUG=-g1 \
  -DSLAD_SANITIZE=address,undefined -DSLAD_BUILD_BENCH=OFF
# The crash test is left to the release tree: it restarts a child 50 times,
# each restart a synced RocksDB open, minutes under the sanitizers.
ctest --test-dir build-asan -L 'engine|config|api|storage|daemon' \
  -E 'CrashTest' --output-on-failure -j2
bash scripts/build.sh build
ctest --test-dir build --output-on-failure -j2

if command -v clang++ >/dev/null; then
  CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DSLAD_FUZZ=ON \
    -DSLAD_BUILD_BENCH=OFF -DSLAD_BUILD_TESTS=OFF >/dev/null
  cmake --build build-fuzz -j2 --target request_decoder_fuzz
  build-fuzz/api/request_decoder_fuzz -max_total_time=20 -max_len=512
else
  echo "slad: clang++ not installed; skipping the request decoder fuzz run" >&2
fi
