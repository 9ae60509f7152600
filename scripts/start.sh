#!/usr/bin/env bash
# Installs what is missing, builds, and starts slad on its embedded defaults.
# Until the daemon exists (the daemon issue), this runs the engine demo: the
# timing-wheel benchmark at a small size.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
bash scripts/build.sh build
echo "slad: the daemon is not built yet; running the timing-wheel benchmark" >&2
exec ./build/bench/timer_wheel_benchmark --benchmark_filter='WheelTimers.*/1000000(/|$)' \
  --benchmark_min_time=0.2
