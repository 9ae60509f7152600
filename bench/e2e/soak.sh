#!/usr/bin/env bash
# The soak run of issue 8 (docs/BENCHMARKS.md, "Soak"): mixed load on slad
# for 30 minutes with a kill -9 and a restart every 5 minutes. slaload
# reconnects after each kill, and at the end `get`s the tickets whose
# state it had acknowledged and checks every ticket it left to breach got
# its breached event. Pass: lost 0 and never delivered 0 (exit 0).
#
#   bash bench/e2e/soak.sh [--minutes 30] [--every 5] [--tickets 100000]
#       [--rate 20000] [--build DIR]
#
# (--minutes and --every also take seconds as --minutes 90s --every 30s,
# for a short trial of the script itself.)
#
# Not run in CI (it takes half an hour). Servers are always stopped.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
minutes=30 every=5 tickets=100000 rate=20000 build="$root/build"
while [ $# -gt 0 ]; do
  case $1 in
    --minutes) minutes=$2; shift 2 ;;
    --every) every=$2; shift 2 ;;
    --tickets) tickets=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    *) echo "usage: see the top of $0" >&2; exit 2 ;;
  esac
done
# "5" is minutes, "30s" seconds.
to_seconds() { case $1 in *s) echo "${1%s}" ;; *) echo $(($1 * 60)) ;; esac; }
total_s=$(to_seconds "$minutes")
every_s=$(to_seconds "$every")
SLAD=${SLAD:-$build/api/slad}
SLACTL=${SLACTL:-$build/tools/slactl}
SLALOAD=${SLALOAD:-$build/tools/slaload}

. "$here/lib.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/slad-soak-XXXXXX")
load_pid=""
trap 'exit 130' INT TERM
trap '[ -n "$load_pid" ] && kill "$load_pid" 2>/dev/null; stop_all; rm -rf "$tmp"' EXIT
policy="$tmp/policy.toml"
cat "$root/config/default_policy.toml" "$here/breach_kind.toml" >"$policy"

port=$(free_port)
start_slad "$tmp/data" "$tmp/slad.log" "$policy" "$port"
"$SLALOAD" --addr "127.0.0.1:$port" --tickets "$tickets" --rate "$rate" \
  --seconds "$total_s" --connections 4 --depth 32 --policy "$policy" \
  --breach-kind bench_breach --breach-share 0.02 --verify 100000 \
  --drain 10 --json >"$tmp/soak.json" 2>"$tmp/slaload.log" &
load_pid=$!

end=$(($(date +%s) + total_s))
kills=0
while [ $(($(date +%s) + every_s)) -lt "$end" ]; do
  sleep "$every_s"
  kill -KILL "$SLAD_PID"
  wait "$SLAD_PID" 2>/dev/null || true
  kills=$((kills + 1))
  start_slad "$tmp/data" "$tmp/slad.log" "$policy" "$port"
  echo "soak: kill -9 number $kills, restarted" >&2
done
status=0
wait "$load_pid" || status=$?
load_pid=""
jq -c '{throughput, requests, disconnects, errors, breach_tickets,
        undelivered, verified, lost}' "$tmp/soak.json"
echo "soak: $kills kills; slaload exit status $status (0: nothing lost," \
  "every escalation delivered)" >&2
exit "$status"
