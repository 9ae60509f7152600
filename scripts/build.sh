#!/usr/bin/env bash
# Configures and builds one tree. Usage: build.sh DIR [extra cmake args...]
# BUILD_TARGET names one target to build instead of all of them.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$1; shift
cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
cmake --build "$dir" -j2 --target "${BUILD_TARGET:-all}"
