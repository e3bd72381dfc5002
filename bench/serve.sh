#!/usr/bin/env bash
# Benchmark: `cordon serve` latency under an open-loop load of single-query yente /match
# requests (release build) against UN 2026-02-27 + OFAC SDN_ADVANCED 2025-11-19, with queries
# from bench/gen_queries.py (20 % listed DPRK names in other spellings, 80 % innocent names).
# The load generator runs on the same 2 cores as the server. Baseline in the same run:
# /healthz at the same rate (HTTP and client cost without screening).
#   bash bench/serve.sh [RATE] [SECS]      # default 500 req/s for 30 s
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${CORDON_SHARED_DATA:-../shared/data}"
OUT="${BENCH_OUT:-bench/out}"
RATE=${1:-500}
SECS=${2:-30}
mkdir -p "$OUT"
cargo build --release -q
cargo build --release -q -p cordon-server --example loadgen
BIN=target/release/cordon
HOME_DIR="$OUT/screen-home"
[ -d "$HOME_DIR" ] || "$BIN" --home "$HOME_DIR" lists import "$DATA/un/UN_consolidated_2026-02-27.xml" "$DATA/ofac/sdn_advanced_xml/sdn_advanced_2025-11-19.xml.bz2" > /dev/null
python3 bench/gen_queries.py 20000 "$OUT/serve-queries.csv"
PORT=${PORT:-18181}
"$BIN" --home "$HOME_DIR" serve --addr "127.0.0.1:$PORT" 2> "$OUT/serve.log" &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$PORT/readyz" > /dev/null; do sleep 0.2; done
LG=target/release/examples/loadgen
# Warm-up, then the measured runs.
"$LG" "http://127.0.0.1:$PORT" "$OUT/serve-queries.csv" "$RATE" 3 > /dev/null
"$LG" "http://127.0.0.1:$PORT" "$OUT/serve-queries.csv" "$RATE" "$SECS" /healthz
"$LG" "http://127.0.0.1:$PORT" "$OUT/serve-queries.csv" "$RATE" "$SECS"
# Headroom: twice the rate.
"$LG" "http://127.0.0.1:$PORT" "$OUT/serve-queries.csv" "$((RATE * 2))" 10
curl -s "http://127.0.0.1:$PORT/metrics" | grep -E '^cordon_http_requests_total\{route="/match' || true
