#!/usr/bin/env bash
# Benchmark: batch screening throughput, release build, against UN 2026-02-27 + OFAC
# SDN_ADVANCED 2025-11-19, on N realistic queries (20 % listed DPRK names in other spellings,
# 80 % innocent names; bench/gen_queries.py).
#   bash bench/screen.sh [N]        (PASSES=k: passes of the bare screener over the queries, default 5;
#                                    ALLOC=system: both built with the system allocator, not mimalloc)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${CORDON_SHARED_DATA:-../shared/data}"
OUT="${BENCH_OUT:-bench/out}"
N=${1:-20000}
mkdir -p "$OUT"
if [ "${ALLOC:-}" = system ]; then
  cargo build --release -q -p cordon-cli --no-default-features
  FEATURES=()
else
  cargo build --release -q
  FEATURES=(--features mimalloc)
fi
BIN=target/release/cordon
HOME_DIR="$OUT/screen-home"
[ -d "$HOME_DIR" ] || "$BIN" --home "$HOME_DIR" lists import "$DATA/un/UN_consolidated_2026-02-27.xml" "$DATA/ofac/sdn_advanced_xml/sdn_advanced_2025-11-19.xml.bz2" > /dev/null
python3 bench/gen_queries.py "$N" "$OUT/queries.csv"
/usr/bin/time -f 'wall %e s, peak RSS %M KB' "$BIN" --home "$HOME_DIR" screen "$OUT/queries.csv" --output "$OUT/hits.jsonl"
# Alerts by kind of row (the `listed_as` column says which rows are listed names): with the
# innocent names' dates of birth, which the listed entries do not share.
python3 - "$OUT/queries.csv" "$OUT/hits.jsonl" <<'PY'
import csv, json, sys
listed = {r["id"]: bool(r["listed_as"]) for r in csv.DictReader(open(sys.argv[1]))}
n = {True: [0, 0], False: [0, 0]}
for line in open(sys.argv[2]):
    o = json.loads(line)
    k = listed[o["id"]]
    n[k][0] += 1
    n[k][1] += bool(o["matches"])
print(f"cordon screen: {n[True][1]}/{n[True][0]} listed names in other spellings alerted; "
      f"{n[False][1]}/{n[False][0]} innocent names (with their dates of birth) alerted ({100 * n[False][1] / max(n[False][0], 1):.2f} %)")
PY
# Index vs brute-force scan of the same scorer, one thread, same process: recall and speed ratio.
cargo build --release -q -p cordon-engine --example screen_recall "${FEATURES[@]}"
target/release/examples/screen_recall "$HOME_DIR" "$OUT/queries.csv" 1000
# Queries per second per core: the bare screener's thread kept on one core (the last), where the
# scheduler would otherwise move it now and then to the other, whose caches are cold for it.
PIN=()
if command -v taskset > /dev/null && [ "$(nproc)" -ge 2 ]; then
  PIN=(taskset -c "$(($(nproc) - 1))")
  echo "bare screener pinned to core $(($(nproc) - 1)) (taskset)"
fi
CORDON_BENCH_NO_SCAN=1 CORDON_BENCH_PASSES=${PASSES:-5} "${PIN[@]}" target/release/examples/screen_recall "$HOME_DIR" "$OUT/queries.csv" "$N"
