#!/usr/bin/env python3
"""bench/report.py WORK OUT RATE: turns one `make bench` run (bench/run.sh) into
OUT/latest.json and OUT/latest.md. Every figure sits next to the baseline measured in the same
run, and is also given as a ratio to it; the issue's targets are checked at the end."""
import datetime
import json
import os
import platform
import sys

work, out, rate = sys.argv[1], sys.argv[2], float(sys.argv[3])
CORES = os.cpu_count() or 1
TARGET_RATE = 10_000
BUDGET_US = CORES / TARGET_RATE * 1e6  # CPU per declaration at the target rate on this machine


def load(name):
    try:
        with open(os.path.join(work, name + ".json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def num(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


openssl = load("openssl")
sha_kbps = num(openssl.get("sha256_64B_kBps"))
baselines = {
    "openssl_sha256_64B_per_s": sha_kbps * 1000 / 64 if sha_kbps else None,
    "openssl_ed25519_sign_per_s": num(openssl.get("ed25519_sign_per_s")),
    "openssl_aes256gcm_1KiB_MBps": (num(openssl.get("aes256gcm_1KiB_kBps")) or 0) / 1000 or None,
    "openssl_chacha20poly1305_1KiB_MBps":
        (num(openssl.get("chacha20poly1305_1KiB_kBps")) or 0) / 1000 or None,
}

# ---- Stages ------------------------------------------------------------------------------------
UNIT = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}
bench = {b["name"]: b for b in load("stages").get("benchmarks", []) if b.get("run_type", "iteration") == "iteration"}


def us(name, clock="cpu_time"):
    b = bench.get(name)
    return b[clock] * UNIT[b["time_unit"]] if b else None


def per_s(name):
    b = bench.get(name)
    return b.get("items_per_second") if b else None


def counter(name, key):
    b = bench.get(name)
    return b.get(key) if b else None


stages = []


def stage(label, name, baseline_label=None, baseline=None, per_declaration=1, clock="cpu_time",
          note=""):
    t = us(name, clock)
    if t is None:
        return
    b = us(baseline, clock) if baseline else None
    row = {"stage": label, "benchmark": name, "us": t * per_declaration,
           "share_of_budget": t * per_declaration / BUDGET_US, "note": note}
    if b:
        row.update({"baseline": baseline_label, "baseline_benchmark": baseline,
                    "baseline_us": b * per_declaration, "ratio_to_baseline": b / t})
    stages.append(row)


stage("parse JSON body", "BM_ParseBody", "boost::json::parse", "BM_BaselineBoostJsonParse")
stage("validate (ParseDeclaration)", "BM_Validate", "parse of the same body", "BM_ParseBody")
stage("canonical payload", "BM_CanonicalPayload", "boost::json::serialize",
      "BM_BaselineBoostJsonSerialize")
stage("duty quote (demo tariff, SQLite look-ups)", "BM_Quote/0")
stage("duty quote (in-memory index, as served)", "BM_Quote/1", "SQLite look-ups", "BM_Quote/0")
stage("risk score: profiles + anomaly", "BM_Score/0")
stage("risk score: + 400-tree model, every lane explained", "BM_Score/2")
stage("risk score: + 400-tree model, controlled lanes explained (as served)", "BM_Score/1",
      "every lane explained", "BM_Score/2")
stage("encrypt payload (envelope)", "BM_Encrypt", "raw XChaCha20-Poly1305", "BM_BaselineAead",
      note="src/keys" if counter("BM_Encrypt", "src_keys") == 1 else "libsodium direct")
stage("seal (salts, commitments, 3 leaves)", "BM_Seal")
stage("ledger append x3 (leaf hash + nodes)", "BM_LedgerAppend", "raw SHA-256 leaf hash x3 (OpenSSL)",
      "BM_BaselineSha256LeafOpenssl", per_declaration=3)

ledger = {
    "append_per_s": per_s("BM_LedgerAppend"),
    "append_batch256_per_s": per_s("BM_LedgerAppendBatch256"),
    "append_hashed_batch256_per_s": per_s("BM_LedgerAppendHashedBatch256"),
    "raw_sha256_leaf_openssl_per_s": per_s("BM_BaselineSha256LeafOpenssl"),
    "raw_sha256_leaf_sodium_per_s": per_s("BM_BaselineSha256LeafSodium"),
    "inclusion_proof_us": us("BM_InclusionProof10M", "real_time"),
    "inclusion_proof_leaves": counter("BM_InclusionProof10M", "leaves"),
}
if ledger["append_per_s"] and ledger["raw_sha256_leaf_openssl_per_s"]:
    ledger["append_ratio_to_raw_leaf_hash"] = ledger["append_per_s"] / ledger["raw_sha256_leaf_openssl_per_s"]
if ledger["append_batch256_per_s"] and ledger["raw_sha256_leaf_openssl_per_s"]:
    ledger["append_batch256_ratio_to_raw_leaf_hash"] = (
        ledger["append_batch256_per_s"] / ledger["raw_sha256_leaf_openssl_per_s"])
if ledger["append_hashed_batch256_per_s"] and ledger["raw_sha256_leaf_openssl_per_s"]:
    ledger["append_hashed_batch256_ratio_to_raw_leaf_hash"] = (
        ledger["append_hashed_batch256_per_s"] / ledger["raw_sha256_leaf_openssl_per_s"])

store = {
    "commit_1_thread_per_s": per_s("BM_StoreCommit/1000/real_time/threads:1"),
    "commit_32_threads_per_s": per_s("BM_StoreCommit/1000/real_time/threads:32"),
    "raw_sqlite_1_row_txn_per_s": per_s("BM_BaselineSqliteInsert/1/real_time"),
    "raw_sqlite_32_rows_txn_rows_per_s": per_s("BM_BaselineSqliteInsert/32/real_time"),
}
if store["commit_1_thread_per_s"] and store["raw_sqlite_1_row_txn_per_s"]:
    store["ratio_1"] = store["commit_1_thread_per_s"] / store["raw_sqlite_1_row_txn_per_s"]
if store["commit_32_threads_per_s"] and store["raw_sqlite_32_rows_txn_rows_per_s"]:
    store["ratio_32"] = store["commit_32_threads_per_s"] / store["raw_sqlite_32_rows_txn_rows_per_s"]

# ---- End to end -------------------------------------------------------------------------------
runs = {name: load(name) for name in ("api_closed", "api_open", "echo_closed", "echo_open", "soak")}


def ratio(a, b):
    return a / b if a and b else None


end_to_end = {
    "api_closed": runs["api_closed"], "echo_closed": runs["echo_closed"],
    "api_open": runs["api_open"], "echo_open": runs["echo_open"],
    "throughput_ratio_to_echo": ratio(runs["api_closed"].get("throughput"),
                                      runs["echo_closed"].get("throughput")),
    "p99_at_rate_ratio_to_echo": ratio(runs["api_open"].get("p99_ms"), runs["echo_open"].get("p99_ms")),
}

# ---- Floor --------------------------------------------------------------------------------------
# What one declaration costs in the libraries alone, with none of our code around them: the
# transport (the echo server's CPU per request and the load generator's, same TLS, same bodies),
# parsing and writing the JSON, the model's trees over its goods lines, the AEAD, three leaf
# hashes and the durable write of the rows a filing keeps (32 declarations per transaction).
# If the floor is above the budget, the target rate cannot be reached on this machine by any
# implementation that keeps every stage on; CORES / floor is the most it could do.
echo = runs["echo_closed"]
client_us = (echo["client_cpu_s"] / echo["requests"] * 1e6
             if echo.get("client_cpu_s") and echo.get("requests") else None)
floor_parts = [
    ("transport, server (echo server CPU per request)", echo.get("server_cpu_us_per_request")),
    ("transport, client (load generator CPU per request)", client_us),
    ("parse the body (boost::json::parse)", us("BM_BaselineBoostJsonParse")),
    ("write the canonical payload (boost::json::serialize)", us("BM_BaselineBoostJsonSerialize")),
    ("the 400-tree model over the goods lines (XGBoost in-place)", us("BM_BaselineXgboostPredict/1")),
    ("encrypt the payload (raw AEAD)", us("BM_BaselineAead")),
    ("three ledger leaves (raw SHA-256, OpenSSL)",
     3 * us("BM_BaselineSha256LeafOpenssl") if us("BM_BaselineSha256LeafOpenssl") else None),
    ("durable write of the filing's rows (raw SQLite, 32 per transaction)",
     counter("BM_BaselineSqliteFiling/32/real_time", "cpu_us_per_declaration")),
]
floor_known = [v for _, v in floor_parts if v is not None]
floor = {
    "parts": [{"part": label, "us": v} for label, v in floor_parts],
    "complete": len(floor_known) == len(floor_parts),
    "us_per_declaration": sum(floor_known) if floor_known else None,
    "budget_us_per_declaration": BUDGET_US,
}
if floor["complete"] and floor["us_per_declaration"]:
    floor["most_declarations_per_s_on_this_machine"] = CORES / floor["us_per_declaration"] * 1e6
    floor["target_reachable_here"] = floor["us_per_declaration"] <= BUDGET_US

# ---- Soak -------------------------------------------------------------------------------------
soak = {}
samples = runs["soak"].get("samples_t_rss_mb_cpu_s", [])
if samples:
    total = samples[-1][0]
    warm = min(60.0, total / 5)
    after = [s for s in samples if s[0] >= warm]
    if after:
        base = after[0][1]
        peak = max(s[1] for s in after)
        # Least-squares slope of RSS over time after the warm-up: a short soak cannot show 10 %
        # growth, but a leak shows as a steady slope.
        n = len(after)
        mean_t = sum(s[0] for s in after) / n
        mean_r = sum(s[1] for s in after) / n
        var_t = sum((s[0] - mean_t) ** 2 for s in after)
        slope = (sum((s[0] - mean_t) * (s[1] - mean_r) for s in after) / var_t * 60) if var_t else 0.0
        soak = {"duration_s": runs["soak"].get("duration_s"), "rate": runs["soak"].get("rate"),
                "warmup_s": warm, "rss_mb_after_warmup": base, "rss_mb_max_after_warmup": peak,
                "rss_mb_end": after[-1][1], "growth_after_warmup": peak / base - 1 if base else None,
                "rss_slope_mb_per_min": slope, "samples": n,
                "throughput": runs["soak"].get("throughput"), "p99_ms": runs["soak"].get("p99_ms"),
                "errors": runs["soak"].get("errors")}

# ---- Targets ----------------------------------------------------------------------------------
api_closed, api_open = runs["api_closed"], runs["api_open"]
targets = [
    {"target": f">= {TARGET_RATE:,} declarations/s sustained end to end",
     "measured": api_closed.get("throughput"),
     "met": bool(api_closed.get("throughput", 0) >= TARGET_RATE and api_closed.get("errors", 1) == 0)},
    {"target": f"p99 <= 20 ms at {rate:.0f}/s (open loop)", "measured": api_open.get("p99_ms"),
     "met": bool(api_open.get("p99_ms") is not None and api_open["p99_ms"] <= 20
                 and api_open.get("errors", 1) == 0 and rate >= 5000)},
    # As the server appends: a group commit's leaf hashes (made by SealUnit) in one batch.
    {"target": "ledger append >= 50% of raw SHA-256 leaf-hash rate (batches of leaf hashes)",
     "measured": ledger.get("append_hashed_batch256_ratio_to_raw_leaf_hash"),
     "met": bool((ledger.get("append_hashed_batch256_ratio_to_raw_leaf_hash") or 0) >= 0.5)},
    {"target": "inclusion proof at 10M leaves < 50 us", "measured": ledger.get("inclusion_proof_us"),
     "met": bool(ledger.get("inclusion_proof_us") is not None and ledger["inclusion_proof_us"] < 50
                 and (ledger.get("inclusion_proof_leaves") or 0) >= 10_000_000)},
    {"target": "server memory growth <= 10% after warm-up (10-minute soak)",
     "measured": soak.get("growth_after_warmup"),
     "met": bool(soak and (soak.get("growth_after_warmup") or 0) <= 0.10
                 and (soak.get("duration_s") or 0) >= 0.99 * 600)},  # the window, to the last answer
]

result = {
    "when": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "machine": {"cores": CORES, "platform": platform.platform(), "load_average": os.getloadavg()},
    "budget_us_per_declaration": BUDGET_US,
    "baselines": baselines, "stages": stages, "floor": floor, "ledger": ledger, "store": store,
    "end_to_end": end_to_end, "soak": soak, "targets": targets,
}
with open(os.path.join(out, "latest.json"), "w") as f:
    json.dump(result, f, indent=2)


def f(x, spec=".1f", missing="-"):
    return missing if x is None else format(x, spec)


md = []
md.append(f"Run {result['when']}, {CORES} cores, load average at the end "
          f"{' / '.join(f(x, '.1f') for x in os.getloadavg())}.\n")
md.append(f"### Stages (CPU per declaration; budget at {TARGET_RATE:,}/s on {CORES} cores: "
          f"{BUDGET_US:.0f} µs)\n")
md.append("| stage | µs / declaration | share of budget | baseline (same run) | baseline µs | stage speed / baseline |")
md.append("|---|---|---|---|---|---|")
for s in stages:
    md.append(f"| {s['stage']}{' (' + s['note'] + ')' if s['note'] else ''} | {f(s['us'])} | "
              f"{f(100 * s['share_of_budget'], '.0f')} % | {s.get('baseline', '-')} | "
              f"{f(s.get('baseline_us'))} | {f(s.get('ratio_to_baseline'), '.2f')} |")
md.append("")
md.append(f"### Floor: the libraries alone, per declaration (budget at {TARGET_RATE:,}/s on "
          f"{CORES} cores: {BUDGET_US:.0f} µs)\n")
md.append("| part | µs / declaration |")
md.append("|---|---|")
for label, v in floor_parts:
    md.append(f"| {label} | {f(v)} |")
md.append(f"| **sum** | **{f(floor['us_per_declaration'])}**{'' if floor['complete'] else ' (parts missing)'} |")
md.append("")
if floor.get("most_declarations_per_s_on_this_machine"):
    md.append(f"With none of our own code, this machine could file at most "
              f"{floor['most_declarations_per_s_on_this_machine']:,.0f} declarations/s "
              f"({CORES} cores / {floor['us_per_declaration']:.0f} µs); the target of "
              f"{TARGET_RATE:,}/s is {'within' if floor['target_reachable_here'] else 'beyond'} "
              f"what the libraries allow here.\n")
md.append("### Ledger and store\n")
md.append("| figure | value | baseline (same run) | ratio |")
md.append("|---|---|---|---|")
md.append(f"| ledger append, leaves/s (one at a time) | {f(ledger['append_per_s'], ',.0f')} | raw SHA-256 leaf hash (OpenSSL): {f(ledger['raw_sha256_leaf_openssl_per_s'], ',.0f')}/s | {f(ledger.get('append_ratio_to_raw_leaf_hash'), '.2f')} |")
md.append(f"| ledger append, leaves/s (batches of 256, leaves hashed in the append) | {f(ledger['append_batch256_per_s'], ',.0f')} | same | {f(ledger.get('append_batch256_ratio_to_raw_leaf_hash'), '.2f')} |")
md.append(f"| ledger append, leaves/s (batches of 256 leaf hashes, as the store's writer) | {f(ledger['append_hashed_batch256_per_s'], ',.0f')} | same | {f(ledger.get('append_hashed_batch256_ratio_to_raw_leaf_hash'), '.2f')} |")
md.append(f"| SHA-256 leaf hash with libsodium (what crypto::Sha256 uses) | {f(ledger['raw_sha256_leaf_sodium_per_s'], ',.0f')}/s | OpenSSL | {f(ratio(ledger['raw_sha256_leaf_sodium_per_s'], ledger['raw_sha256_leaf_openssl_per_s']), '.2f')} |")
md.append(f"| inclusion proof at {f(ledger['inclusion_proof_leaves'], ',.0f')} leaves (in memory) | {f(ledger['inclusion_proof_us'], '.2f')} µs | target 50 µs | {f(ratio(ledger['inclusion_proof_us'], 50), '.3f')} |")
md.append(f"| store commit, 1 thread (filing unit, durable) | {f(store['commit_1_thread_per_s'], ',.0f')}/s | raw SQLite insert, 1 row per fsync'd txn: {f(store['raw_sqlite_1_row_txn_per_s'], ',.0f')}/s | {f(store.get('ratio_1'), '.2f')} |")
md.append(f"| store commit, 32 threads (group commit) | {f(store['commit_32_threads_per_s'], ',.0f')}/s | raw SQLite insert, 32 rows per txn: {f(store['raw_sqlite_32_rows_txn_rows_per_s'], ',.0f')} rows/s | {f(store.get('ratio_32'), '.2f')} |")
md.append("")
md.append("### End to end (HTTPS from a second process on the same machine)\n")
md.append("| run | throughput /s | served /s | p50 / p90 / p99 / p99.9 ms | errors | server CPU (cores, µs/answer) | server RSS MB | client CPU cores |")
md.append("|---|---|---|---|---|---|---|---|")
for label, key in ((f"API, closed loop, {api_closed.get('concurrency', '-')} connections", "api_closed"),
                   (f"echo baseline, closed loop", "echo_closed"),
                   (f"API, open loop at {rate:.0f}/s", "api_open"),
                   (f"echo baseline, open loop at {rate:.0f}/s", "echo_open")):
    r = runs[key]
    md.append(f"| {label} | {f(r.get('throughput'), ',.0f')} | {f(r.get('served_per_s'), ',.0f')} | {f(r.get('p50_ms'), '.2f')} / "
              f"{f(r.get('p90_ms'), '.2f')} / {f(r.get('p99_ms'), '.2f')} / {f(r.get('p999_ms'), '.2f')} | "
              f"{r.get('errors', '-')} | {f(r.get('server_cpu_cores'), '.2f')}, {f(r.get('server_cpu_us_per_served') or r.get('server_cpu_us_per_request'), ',.0f')} | "
              f"{f(r.get('server_rss_mb_start'), '.0f')} → {f(r.get('server_rss_mb_end'), '.0f')} | {f(r.get('client_cpu_cores'), '.2f')} |")
md.append("")
md.append(f"API throughput / echo throughput: {f(end_to_end['throughput_ratio_to_echo'], '.3f')}; "
          f"API p99 / echo p99 at {rate:.0f}/s: {f(end_to_end['p99_at_rate_ratio_to_echo'], '.1f')}.")
if baselines["openssl_sha256_64B_per_s"]:
    md.append(f"openssl speed: SHA-256 64 B {f(baselines['openssl_sha256_64B_per_s'], ',.0f')}/s, "
              f"Ed25519 sign {f(baselines['openssl_ed25519_sign_per_s'], ',.0f')}/s, AES-256-GCM 1 KiB "
              f"{f(baselines['openssl_aes256gcm_1KiB_MBps'], ',.0f')} MB/s, ChaCha20-Poly1305 1 KiB "
              f"{f(baselines['openssl_chacha20poly1305_1KiB_MBps'], ',.0f')} MB/s.")
md.append("")
if soak:
    md.append(f"### Soak: {f(soak['duration_s'], '.0f')} s at {f(soak['rate'], '.0f')}/s\n")
    md.append(f"RSS after {soak['warmup_s']:.0f} s warm-up {soak['rss_mb_after_warmup']:.0f} MB, max after "
              f"{soak['rss_mb_max_after_warmup']:.0f} MB, end {soak['rss_mb_end']:.0f} MB: growth "
              f"{100 * soak['growth_after_warmup']:.1f} %, slope {soak['rss_slope_mb_per_min']:+.2f} MB/min "
              f"over {soak['samples']} samples; throughput {f(soak['throughput'], ',.0f')}/s, "
              f"p99 {f(soak['p99_ms'], '.2f')} ms, errors {soak['errors']}.\n")
md.append("### Targets\n")
md.append("| target | measured | met |")
md.append("|---|---|---|")
for t in targets:
    m = t["measured"]
    md.append(f"| {t['target']} | {'-' if m is None else (f(m, ',.2f') if isinstance(m, float) else m)} | "
              f"{'yes' if t['met'] else 'no'} |")
with open(os.path.join(out, "latest.md"), "w") as fh:
    fh.write("\n".join(md) + "\n")
print("\n".join(md))
