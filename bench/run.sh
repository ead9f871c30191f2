#!/usr/bin/env bash
# make bench: every performance figure of Clearway next to the baseline that bounds it, all
# measured in this run on this machine, written to bench/results/latest.json and latest.md
# (docs/performance.md explains the table).
#
#   1. baselines: `openssl speed` (SHA-256 of 64 B, Ed25519 sign, AES-256-GCM and
#      ChaCha20-Poly1305 of 1 KiB);
#   2. stage micro-benchmarks (bench/stage_bench): parse, validate, quote, score, encrypt, seal,
#      ledger append, inclusion proof at 10M leaves, store commit, each with its baseline
#      (boost::json, raw AEAD, raw SHA-256 leaf hash, raw SQLite insert loop, same pragmas);
#   3. end to end: `clearway demo` on a fresh data directory, driven by clearway-load from a
#      second process, closed loop (maximum throughput) and open loop at BENCH_RATE (latency at
#      a fixed rate, coordinated omission accounted for), with the server's CPU and memory;
#   4. the transport baseline: bench/echo_server (Beast, same TLS, same certificate, same io
#      threads) under the same two loads;
#   5. a soak of BENCH_SOAK seconds (default 60, a short one; BENCH_SOAK=600 for the 10-minute
#      soak of the target, 0 for none) at BENCH_SOAK_RATE, sampling the server's RSS (every
#      BENCH_SOAK/60 s, at least 1 s), reporting its growth and slope after the warm-up. The
#      rate defaults to half the closed-loop throughput measured just before on the same server:
#      a soak above what the machine serves measures overload (a growing backlog), not a leak.
#
# Environment: BENCH_BIN (build dir, default build/release), BENCH_DURATION (s per load run,
# default 10), BENCH_CONCURRENCY (closed loop connections, default 32), BENCH_RATE (open loop
# rate, default 5000), BENCH_OPEN_CONCURRENCY (default 64), BENCH_SOAK (default 60; 0 = none),
# BENCH_SOAK_RATE (default: half the closed-loop throughput), BENCH_STAGES (0 skips the stage
# benchmarks), BENCH_PROOF_LEAVES (default 10000000), BENCH_MIN_TIME (stage seconds, default 0.3).
# By default the whole run takes about five minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BENCH_BIN:-build/release}
DURATION=${BENCH_DURATION:-10}
CONCURRENCY=${BENCH_CONCURRENCY:-32}
RATE=${BENCH_RATE:-5000}
OPEN_CONCURRENCY=${BENCH_OPEN_CONCURRENCY:-64}
SOAK=${BENCH_SOAK:-60}
SOAK_RATE=${BENCH_SOAK_RATE:-}
STAGES=${BENCH_STAGES:-1}
PROOF_LEAVES=${BENCH_PROOF_LEAVES:-10000000}
MIN_TIME=${BENCH_MIN_TIME:-0.3}
WARMUP=2
OUT=bench/results
mkdir -p "$OUT"
work=$(mktemp -d)
server_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
cleanup() {
  stop_server
  rm -rf "$work"
}
trap cleanup EXIT

# wait_listening LOG: the URL a server printed ("listening on https://...").
wait_listening() {
  for _ in $(seq 1 300); do
    grep -q "listening on" "$1" 2>/dev/null && break
    sleep 0.1
  done
  grep -m1 -o 'https://127.0.0.1:[0-9]*' "$1" || { echo "bench: a server did not start" >&2; cat "$1" >&2; exit 1; }
}

echo "bench: openssl speed baselines" >&2
sha=$(openssl speed -seconds 1 -bytes 64 -evp sha256 2>/dev/null | awk '/^sha256/ {print $2}' | sed 's/k$//')
ed=$(openssl speed -seconds 1 ed25519 2>/dev/null | awk '/EdDSA \(Ed25519\)/ {print $(NF-1)}')
aes=$(openssl speed -seconds 1 -bytes 1024 -evp aes-256-gcm 2>/dev/null | awk '/^(AES-256-GCM|aes-256-gcm)/ {print $2}' | sed 's/k$//')
chacha=$(openssl speed -seconds 1 -bytes 1024 -evp chacha20-poly1305 2>/dev/null | awk '/^(ChaCha20-Poly1305|chacha20-poly1305)/ {print $2}' | sed 's/k$//')
printf '{"sha256_64B_kBps": "%s", "ed25519_sign_per_s": "%s", "aes256gcm_1KiB_kBps": "%s", "chacha20poly1305_1KiB_kBps": "%s"}\n' \
  "$sha" "$ed" "$aes" "$chacha" > "$work/openssl.json"

echo '{"benchmarks": []}' > "$work/stages.json"
if [ "$STAGES" != "0" ]; then
  echo "bench: stage micro-benchmarks (the 10M-leaf tree and the risk model are built first)" >&2
  CLEARWAY_BENCH_PROOF_LEAVES=$PROOF_LEAVES "$BIN/bench/stage_bench" \
    --benchmark_min_time="$MIN_TIME" --benchmark_format=json --benchmark_out_format=json \
    --benchmark_out="$work/stages.json" > /dev/null
fi

load() {  # load NAME ARGS...: one clearway-load run, JSON to $work/NAME.json
  local name=$1
  shift
  echo "bench: load $name" >&2
  "$BIN/bench/clearway-load" --url "$url" --ca-cert "$work/var/tls/cert.pem" \
    --credentials "$work/var/demo-credentials.json" --server-pid "$server_pid" \
    --warmup "$WARMUP" --json "$@" > "$work/$name.json" || true
  [ -s "$work/$name.json" ] || echo '{}' > "$work/$name.json"
}

echo "bench: clearway demo" >&2
"$BIN/clearway" demo --data-dir "$work/var" --port 0 > "$work/server.log" 2>&1 &
server_pid=$!
url=$(wait_listening "$work/server.log")
load api_closed --concurrency "$CONCURRENCY" --duration "$DURATION"
load api_open --rate "$RATE" --concurrency "$OPEN_CONCURRENCY" --duration "$DURATION"
echo '{}' > "$work/soak.json"
if [ "$SOAK" != "0" ]; then
  interval=$(( SOAK / 60 > 1 ? SOAK / 60 : 1 ))
  if [ -z "$SOAK_RATE" ]; then
    SOAK_RATE=$(python3 -c 'import json,sys; t=json.load(open(sys.argv[1])).get("throughput") or 0; print(max(1, round(t / 2)))' "$work/api_closed.json")
  fi
  echo "bench: soak at $SOAK_RATE/s for $SOAK s" >&2
  load soak --rate "$SOAK_RATE" --concurrency "$OPEN_CONCURRENCY" --duration "$SOAK" \
    --sample-interval "$interval"
fi
stop_server

echo "bench: echo baseline" >&2
"$BIN/bench/echo_server" --cert "$work/var/tls/cert.pem" --key "$work/var/tls/key.pem" --port 0 \
  > "$work/echo.log" 2>&1 &
server_pid=$!
url=$(wait_listening "$work/echo.log")
load echo_closed --no-sign-in --concurrency "$CONCURRENCY" --duration "$DURATION"
load echo_open --no-sign-in --rate "$RATE" --concurrency "$OPEN_CONCURRENCY" --duration "$DURATION"
stop_server

python3 bench/report.py "$work" "$OUT" "$RATE"
