# Shared by bench/e2e/run.sh and soak.sh: start and stop slad and
# redis-server on free loopback ports in a temporary folder. Every server
# started here is recorded in PIDS and killed by stop_all (trap EXIT).

PIDS=()

free_port() {
  python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}

# rss_kib PID: resident memory of PID in KiB (VmRSS), 0 if gone.
rss_kib() {
  awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0
}

# start_slad DATA_DIR LOG POLICY [PORT]: starts slad (system clock, synced
# writes: the store's default) on PORT or a free port; sets SLAD_PID,
# SLAD_PORT.
start_slad() {
  local data=$1 log=$2 policy=$3 port=${4:-0} before
  touch "$log"
  before=$(grep -c 'listening on' "$log" || true)
  "$SLAD" --listen "127.0.0.1:$port" --clock system --data "$data" \
    --policy "$policy" >>"$log" 2>&1 &
  SLAD_PID=$!
  PIDS+=("$SLAD_PID")
  SLAD_PORT=""
  for _ in $(seq 1 6000); do
    # The listen line of this start (the log may hold earlier ones).
    SLAD_PORT=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$log" |
      sed -n "$((before + 1))p" | cut -d: -f2 || true)
    [ -n "$SLAD_PORT" ] && return 0
    kill -0 "$SLAD_PID" 2>/dev/null || break
    sleep 0.01
  done
  echo "slad did not start; its log:" >&2
  cat "$log" >&2
  return 1
}

# start_redis DIR: redis-server with an fsync'ed append-only file on a
# free port; sets REDIS_PID, REDIS_PORT.
start_redis() {
  local dir=$1
  mkdir -p "$dir"
  REDIS_PORT=$(free_port)
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$dir" \
    --appendonly yes --appendfsync always --save '' \
    --logfile "$dir/redis.log" &
  REDIS_PID=$!
  PIDS+=("$REDIS_PID")
  for _ in $(seq 1 6000); do
    # PONG, not "LOADING ...": serving only once the AOF is replayed.
    [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] && return 0
    sleep 0.01
  done
  echo "redis-server did not start" >&2
  return 1
}

stop_all() {
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 500); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.01
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  PIDS=()
}

# serving_ms: milliseconds until `slactl get` gets any answer from slad.
wait_serving_ms() {
  local start end
  start=$(date +%s%N)
  for _ in $(seq 1 60000); do
    local rc=0
    "$SLACTL" --addr "127.0.0.1:$SLAD_PORT" get probe >/dev/null 2>&1 || rc=$?
    [ "$rc" -ne 3 ] && break
    sleep 0.005
  done
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}
