#!/usr/bin/env bash
# Benchmark: Cordon's pairwise name scorer beside OpenSanctions' logic-v2 (PyPI nomenklatura,
# pinned) on the same pairs, one thread each: F1 on the nomenklatura name bench and time per
# pair on it and on realistic screening pairs (bench/gen_queries.py queries × listed UN
# individuals). Both score pair by pair from the raw names, with no index.
#   bash bench/logic_v2.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${CORDON_SHARED_DATA:-../shared/data}"
OUT="${BENCH_OUT:-bench/out}"
mkdir -p "$OUT"
VENV="$OUT/nk-venv"
# nomenklatura and followthemoney pin many packages: a venv of their own.
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c "import nomenklatura" 2>/dev/null || "$VENV/bin/pip" install -q "nomenklatura==4.17.4"
[ -f "$OUT/queries.csv" ] || python3 bench/gen_queries.py 20000 "$OUT/queries.csv"
DEV="$DATA/names/nomenklatura_name_bench_cases.csv"
"$VENV/bin/python" bench/logic_v2.py "$DEV" "$OUT/queries.csv" "$DATA/un/UN_consolidated_2026-02-27.xml" "$OUT/pairs.csv" | tee "$OUT/logic_v2.txt"
cargo build --release -q -p cordon-match --example pair_scores
echo "cordon, name bench:"
target/release/examples/pair_scores "$DEV" | tee "$OUT/cordon_dev.txt"
echo "cordon, realistic pairs:"
target/release/examples/pair_scores "$OUT/pairs.csv" | tee "$OUT/cordon_pairs.txt"
# Ratios of the per-pair times printed above (logic-v2 / Cordon).
us() { grep -o '[0-9.]* µs per pair' "$1" | sed -n "${2}p" | cut -d' ' -f1; }
awk -v a="$(us "$OUT/logic_v2.txt" 1)" -v b="$(us "$OUT/cordon_dev.txt" 1)" -v c="$(us "$OUT/logic_v2.txt" 2)" -v d="$(us "$OUT/cordon_pairs.txt" 1)" \
    -v e="$(grep -o '[0-9.]* µs on a second' "$OUT/logic_v2.txt" | sed -n 1p | cut -d' ' -f1)" -v f="$(grep -o '[0-9.]* µs on a second' "$OUT/logic_v2.txt" | sed -n 2p | cut -d' ' -f1)" \
    'BEGIN { printf "per pair, logic-v2 / cordon: name bench %.0fx (%.0fx with its caches warm), realistic pairs %.0fx (%.0fx warm)\n", a / b, e / b, c / d, f / d }'
