#!/usr/bin/env bash
# make bench: measures the end-to-end API against baselines taken in the same run on the same
# machine, and writes bench/results/latest.json and bench/results/latest.md.
#   BENCH_DURATION (seconds per load run, default 10), BENCH_CONCURRENCY (default 32)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=build/release
DURATION=${BENCH_DURATION:-10}
CONCURRENCY=${BENCH_CONCURRENCY:-32}
OUT=bench/results
mkdir -p "$OUT"
work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Baselines: raw crypto speed of this machine, now (openssl speed, 1 s each).
sha=$(openssl speed -seconds 1 -bytes 64 sha256 2>/dev/null | awk '/^sha256/ {print $2}' | sed 's/k$//')
ed=$(openssl speed -seconds 1 ed25519 2>/dev/null | awk '/EdDSA \(Ed25519\)/ {print $(NF-1)}')
aead=$(openssl speed -seconds 1 -bytes 1024 -evp aes-256-gcm 2>/dev/null | awk '/^AES-256-GCM/ {print $2}' | sed 's/k$//')

# The server: the demo on a fresh data directory, a free port.
"$BIN/clearway" demo --data-dir "$work/var" --port 0 > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  grep -q "listening on" "$work/server.log" 2>/dev/null && break
  sleep 0.1
done
url=$(grep -m1 -o 'https://127.0.0.1:[0-9]*' "$work/server.log")
[ -n "$url" ] || { echo "bench: the server did not start"; cat "$work/server.log"; exit 1; }

"$BIN/bench/clearway-load" --url "$url" --credentials "$work/var/demo-credentials.json" \
  --ca-cert "$work/var/tls/cert.pem" --concurrency "$CONCURRENCY" --duration "$DURATION" \
  --json > "$work/load.json"

python3 - "$work/load.json" "$sha" "$ed" "$aead" "$OUT" <<'PY'
import json, sys, platform, os, datetime
load = json.load(open(sys.argv[1]))
sha_kbps, ed_signs, aead_kbps = sys.argv[2], sys.argv[3], sys.argv[4]
out = sys.argv[5]
def num(x):
    try: return float(x)
    except ValueError: return None
sha_hashes = num(sha_kbps) * 1000 / 64 if num(sha_kbps) else None
result = {
  "when": datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
  "machine": {"cores": os.cpu_count(), "platform": platform.platform()},
  "load": load,
  "baselines": {"openssl_sha256_64B_per_s": sha_hashes, "openssl_ed25519_sign_per_s": num(ed_signs),
                "openssl_aes256gcm_1KiB_kB_per_s": num(aead_kbps)},
}
if sha_hashes: result["ratios"] = {"declarations_per_sha256_64B": load["throughput"] / sha_hashes}
if num(ed_signs): result["ratios"]["declarations_per_ed25519_sign"] = load["throughput"] / num(ed_signs)
json.dump(result, open(os.path.join(out, "latest.json"), "w"), indent=2)
with open(os.path.join(out, "latest.md"), "w") as md:
    md.write("| figure | value | baseline (same run) | ratio |\n|---|---|---|---|\n")
    md.write(f"| submissions/s ({load['concurrency']} connections) | {load['throughput']:.0f} | SHA-256 64 B: {sha_hashes:.0f}/s | {result['ratios']['declarations_per_sha256_64B']:.5f} |\n")
    if num(ed_signs):
        md.write(f"| submissions/s | {load['throughput']:.0f} | Ed25519 sign: {num(ed_signs):.0f}/s | {result['ratios']['declarations_per_ed25519_sign']:.4f} |\n")
    md.write(f"| latency p50 / p99 / p99.9 ms | {load['p50_ms']:.2f} / {load['p99_ms']:.2f} / {load['p999_ms']:.2f} | | |\n")
    md.write(f"| errors | {load['errors']} | | |\n")
print(open(os.path.join(out, "latest.md")).read())
PY
