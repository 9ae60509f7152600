#!/usr/bin/env bash
# The end-to-end benchmark of issue 8 (docs/BENCHMARKS.md, "End to end"):
# a fresh slad (system clock, synced writes) and a fresh redis-server
# (appendonly, appendfsync always) on loopback, driven by slaload with the
# same mix and concurrency; one table of throughput, latency, escalation
# lateness, resident memory and restart-to-serving time.
#
#   bash bench/e2e/run.sh [--tickets N] [--big N] [--seconds S]
#       [--connections C] [--depth P] [--build DIR] [--settle S] [--quick]
#
# --tickets: open tickets preloaded before the timed runs (default 1M);
# --big: open tickets for the second memory point and the restart (default
# 10M; 0 skips it); --quick: the CI version (seconds, small counts).
# Memory at --big is read twice: as the preload ends, and --settle seconds
# later (default 12; 0 in --quick), once slad's heap trim (every 10 s by
# default, README "Config file") has run; the table shows the settled figure for
# both servers.
# Both servers are always stopped (trap EXIT).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tickets=1000000 big=10000000 seconds=30 connections=4 depth=64 settle=12
build="$root/build" quick=0
while [ $# -gt 0 ]; do
  case $1 in
    --tickets) tickets=$2; shift 2 ;;
    --big) big=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --depth) depth=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --settle) settle=$2; shift 2 ;;
    --quick) quick=1; tickets=2000; big=0; seconds=1; connections=2
      depth=16 settle=0; shift ;;
    *) echo "usage: see the top of $0" >&2; exit 2 ;;
  esac
done
SLAD=${SLAD:-$build/api/slad}
SLACTL=${SLACTL:-$build/tools/slactl}
SLALOAD=${SLALOAD:-$build/tools/slaload}
for b in "$SLAD" "$SLACTL" "$SLALOAD"; do
  [ -x "$b" ] || { echo "missing $b (build first)" >&2; exit 2; }
done
command -v redis-server >/dev/null || { echo "no redis-server" >&2; exit 2; }

. "$here/lib.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/slad-e2e-XXXXXX")
trap 'exit 130' INT TERM
trap 'stop_all; rm -rf "$tmp"' EXIT
policy="$tmp/policy.toml"
cat "$root/config/default_policy.toml" "$here/breach_kind.toml" >"$policy"

drain=3
[ "$quick" = 1 ] && drain=1
common=(--connections "$connections" --depth "$depth" --policy "$policy"
        --breach-kind bench_breach --breach-share 0.02 --drain "$drain" --json)
[ "$quick" = 1 ] && common+=(--quiet)

# load NAME ADDR [slaload args...]: one slaload run, its JSON in $tmp/NAME.
load() {
  local name=$1 addr=$2
  shift 2
  "$SLALOAD" --addr "$addr" "${common[@]}" "$@" >"$tmp/$name.json"
  # Each run's summary as it completes, so a long run's log keeps them.
  echo "e2e: $name $(jq -c '{throughput, all_us, lateness_us, lateness_read_us, duplicates,
    preload, errors}' "$tmp/$name.json")" >&2
}

field() { jq -r "$2" "$tmp/$1.json"; }

echo "e2e: $tickets tickets, ${seconds}s runs, $connections connections x" \
  "depth $depth; big $big" >&2

# --- slad: peak, then 70 % of peak for latency; memory; restart.
start_slad "$tmp/slad" "$tmp/slad.log" "$policy"
slad_addr="127.0.0.1:$SLAD_PORT"
load slad_peak "$slad_addr" --tickets "$tickets" --prefix P --seconds "$seconds"
slad_peak=$(field slad_peak ".throughput | floor")
load slad_70 "$slad_addr" --prefix Q --seconds "$seconds" \
  --rate $((slad_peak * 7 / 10 + 1))
slad_rss_1=$(rss_kib "$SLAD_PID")
echo "e2e: slad RSS ${slad_rss_1} KiB after $tickets tickets" >&2
slad_rss_big=0 slad_restart_ms=0
if [ "$big" -gt 0 ]; then
  load slad_big "$slad_addr" --tickets $((big - tickets)) --prefix B \
    --seconds 0 --no-subscribe
  echo "e2e: slad RSS $(rss_kib "$SLAD_PID") KiB at $big tickets" >&2
  sleep "$settle"
  slad_rss_big=$(rss_kib "$SLAD_PID")
  echo "e2e: slad RSS ${slad_rss_big} KiB at $big tickets, ${settle}s later" >&2
fi
kill -KILL "$SLAD_PID"
wait "$SLAD_PID" 2>/dev/null || true
t0=$(date +%s%N)
start_slad "$tmp/slad" "$tmp/slad.log" "$policy"
wait_serving_ms >/dev/null
slad_restart_ms=$((($(date +%s%N) - t0) / 1000000))
echo "e2e: slad restart to serving ${slad_restart_ms} ms" >&2
stop_all

# --- Redis: the same runs.
start_redis "$tmp/redis"
redis_addr="127.0.0.1:$REDIS_PORT"
load redis_peak "$redis_addr" --redis --tickets "$tickets" --prefix P \
  --seconds "$seconds"
redis_peak=$(field redis_peak ".throughput | floor")
load redis_70 "$redis_addr" --redis --prefix Q --seconds "$seconds" \
  --rate $((redis_peak * 7 / 10 + 1))
redis_rss_1=$(rss_kib "$REDIS_PID")
echo "e2e: redis RSS ${redis_rss_1} KiB after $tickets tickets" >&2
redis_rss_big=0
if [ "$big" -gt 0 ]; then
  load redis_big "$redis_addr" --redis --tickets $((big - tickets)) \
    --prefix B --seconds 0 --no-subscribe
  echo "e2e: redis RSS $(rss_kib "$REDIS_PID") KiB at $big tickets" >&2
  sleep "$settle"
  redis_rss_big=$(rss_kib "$REDIS_PID")
  echo "e2e: redis RSS ${redis_rss_big} KiB at $big tickets, ${settle}s later" >&2
fi
kill -KILL "$REDIS_PID"
wait "$REDIS_PID" 2>/dev/null || true
t0=$(date +%s%N)
start_redis "$tmp/redis"
redis_restart_ms=$((($(date +%s%N) - t0) / 1000000))
stop_all

# --- The table.
ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }
per_ticket() {  # KiB, tickets -> bytes per ticket
  awk -v k="$1" -v n="$2" 'BEGIN { if (n > 0) printf "%.0f", k * 1024 / n; else print "-" }'
}
row() {  # name, slad value, redis value
  printf '%-38s %14s %14s\n' "$1" "$2" "$3"
}
{
  row "" "slad" "redis"
  row "throughput, req/s (flat out)" "$slad_peak" "$redis_peak"
  row "p50 latency at 70% of peak, ms" \
    "$(ms "$(field slad_70 .all_us.p50)")" "$(ms "$(field redis_70 .all_us.p50)")"
  row "p99 latency at 70% of peak, ms" \
    "$(ms "$(field slad_70 .all_us.p99)")" "$(ms "$(field redis_70 .all_us.p99)")"
  row "  the same from the rate schedule, ms" \
    "$(ms "$(field slad_70 .scheduled_us.p99)")" \
    "$(ms "$(field redis_70 .scheduled_us.p99)")"
  row "p99 latency flat out, ms" \
    "$(ms "$(field slad_peak .all_us.p99)")" "$(ms "$(field redis_peak .all_us.p99)")"
  row "escalation lateness p99, ms" \
    "$(ms "$(field slad_peak .lateness_us.p99)")" \
    "$(ms "$(field redis_peak .lateness_us.p99)")"
  row "escalations timed (peak run)" "$(field slad_peak .lateness_us.count)" \
    "$(field redis_peak .lateness_us.count)"
  row "errors (peak + 70% runs)" \
    "$(( $(field slad_peak '[.errors[]] | add // 0') + $(field slad_70 '[.errors[]] | add // 0') ))" \
    "$(( $(field redis_peak '[.errors[]] | add // 0') + $(field redis_70 '[.errors[]] | add // 0') ))"
  row "RSS after $tickets tickets, MiB" "$((slad_rss_1 / 1024))" \
    "$((redis_rss_1 / 1024))"
  if [ "$big" -gt 0 ]; then
    row "RSS at $big tickets, MiB" "$((slad_rss_big / 1024))" \
      "$((redis_rss_big / 1024))"
    row "  bytes per open ticket" "$(per_ticket "$slad_rss_big" "$big")" \
      "$(per_ticket "$redis_rss_big" "$big")"
  fi
  row "restart to serving, ms" "$slad_restart_ms" "$redis_restart_ms"
  row "preload rate, tickets/s" "$(field slad_peak ".preload.rate | floor")" \
    "$(field redis_peak ".preload.rate | floor")"
}
if [ "$quick" = 1 ]; then
  # The CI version checks that the pipeline works, not the figures.
  for f in slad_peak slad_70 redis_peak redis_70; do
    [ "$(field $f .requests)" -gt 0 ] || { echo "e2e: $f made no requests" >&2; exit 1; }
    # Timed from the schedule, a request is never quicker than from its
    # send: the same requests, each quantile at least as late.
    jq -e '.scheduled_us.count == .all_us.count and
           .scheduled_us.p50 >= .all_us.p50 and
           .scheduled_us.p99 >= .all_us.p99' "$tmp/$f.json" >/dev/null ||
      { echo "e2e: $f: scheduled_us below all_us" >&2; exit 1; }
  done
fi
