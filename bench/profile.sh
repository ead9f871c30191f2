#!/usr/bin/env bash
# bench/profile.sh: where the server's CPU goes under load. Starts `clearway demo` on a fresh
# data directory, drives it with clearway-load (closed loop) and samples the server with
# `perf record` (call graphs) for the measured part of the run, then prints the top of
# `perf report` (self time, then children) to stdout. docs/performance.md quotes its output.
#
# Environment: BENCH_BIN (build dir, default build/release), PROFILE_DURATION (s, default 15),
# PROFILE_CONCURRENCY (default 32), PROFILE_TOP (lines of each report, default 40),
# PROFILE_OUT (directory for perf.data and the reports, default a temporary one).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BENCH_BIN:-build/release}
DURATION=${PROFILE_DURATION:-15}
CONCURRENCY=${PROFILE_CONCURRENCY:-32}
TOP=${PROFILE_TOP:-40}
work=$(mktemp -d)
OUT=${PROFILE_OUT:-$work}
mkdir -p "$OUT"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work/var"
  [ "$OUT" = "$work" ] && rm -rf "$work"
  return 0
}
trap cleanup EXIT
command -v perf > /dev/null || { echo "profile: perf is not installed (linux-perf)" >&2; exit 1; }

"$BIN/clearway" demo --data-dir "$work/var" --port 0 > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do grep -q "listening on" "$work/server.log" 2>/dev/null && break; sleep 0.1; done
url=$(grep -m1 -o 'https://127.0.0.1:[0-9]*' "$work/server.log") || { cat "$work/server.log" >&2; exit 1; }

"$BIN/bench/clearway-load" --url "$url" --ca-cert "$work/var/tls/cert.pem" \
  --credentials "$work/var/demo-credentials.json" --server-pid "$server_pid" \
  --concurrency "$CONCURRENCY" --warmup 2 --duration "$DURATION" --json > "$OUT/load.json" &
load_pid=$!
sleep 2
perf record -F 199 --call-graph dwarf,16384 -p "$server_pid" -o "$OUT/perf.data" -- sleep "$DURATION" 2> "$OUT/perf-record.log" || true
wait "$load_pid" || true
echo "== load (uptime: $(uptime | sed 's/.*load average/load average/'))"
cat "$OUT/load.json"
echo "== self time, top $TOP"
perf report -i "$OUT/perf.data" --no-children --sort symbol --stdio -g none --percent-limit 0.3 2> /dev/null |
  grep -v '^#' | grep -v '^$' | head -n "$TOP"
echo "== with children (inclusive), top $TOP"
perf report -i "$OUT/perf.data" --children --sort symbol --stdio -g none --percent-limit 1 2> /dev/null |
  grep -v '^#' | grep -v '^$' | head -n "$TOP"
