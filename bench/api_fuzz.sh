#!/usr/bin/env bash
# Property-based API testing of `cordon serve` with schemathesis (PyPI) against the server's own
# /openapi.json: every generated request must get a documented status and a response matching
# the documented schema, and never a 5xx.
#   bash bench/api_fuzz.sh [MAX_EXAMPLES]      # default 80
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${CORDON_SHARED_DATA:-../shared/data}"
OUT="${BENCH_OUT:-bench/out}"
N=${1:-80}
mkdir -p "$OUT"
command -v st >/dev/null || pip install -q schemathesis
cargo build --release -q
BIN=target/release/cordon
HOME_DIR="$OUT/screen-home"
[ -d "$HOME_DIR" ] || "$BIN" --home "$HOME_DIR" lists import "$DATA/un/UN_consolidated_2026-02-27.xml" "$DATA/ofac/sdn_advanced_xml/sdn_advanced_2025-11-19.xml.bz2" > /dev/null
PORT=${PORT:-18182}
"$BIN" --home "$HOME_DIR" serve --addr "127.0.0.1:$PORT" 2> "$OUT/api-fuzz-serve.log" &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$PORT/readyz" > /dev/null; do sleep 0.2; done
st run "http://127.0.0.1:$PORT/openapi.json" --max-examples "$N" --checks all
