#!/usr/bin/env bash
# Benchmark: recorded batch screening (`cordon screen --record`) of N synthetic rows
# (bench/gen_queries.py) against UN 2026-02-27 + OFAC SDN_ADVANCED 2025-11-19: wall time,
# rows/s and peak RSS (memory must stay bounded however large N is).
#   bash bench/record.sh [N]        # default 1000000
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${CORDON_SHARED_DATA:-../shared/data}"
OUT="${BENCH_OUT:-bench/out}"
N=${1:-1000000}
mkdir -p "$OUT"
cargo build --release -q
BIN=target/release/cordon
HOME_DIR="$OUT/record-home"
rm -rf "$HOME_DIR"
"$BIN" --home "$HOME_DIR" lists import "$DATA/un/UN_consolidated_2026-02-27.xml" "$DATA/ofac/sdn_advanced_xml/sdn_advanced_2025-11-19.xml.bz2" > /dev/null
python3 bench/gen_queries.py "$N" "$OUT/record-queries.csv"
/usr/bin/time -f 'wall %e s, peak RSS %M KB' "$BIN" --home "$HOME_DIR" screen "$OUT/record-queries.csv" --record --dataset bench --output /dev/null
"$BIN" --home "$HOME_DIR" alerts list --status open | tail -1
ls -l "$HOME_DIR"/cordon.db
