#!/usr/bin/env bash
# Benchmarks of crypto tracing (release build):
# 1. multi-input clustering vs graphsense-clustering (PyPI), same input, mappings compared;
# 2. graph build / memory / mmap open / poison reach / haircut+FIFO+poison replay on a
#    synthetic heavy-tailed graph (default 10 M edges; pass 100000000 for the 100 M graph);
# 3. tracing quality on a synthetic chain with planted laundering (`cordon chain synth --evaluate`).
#   bash bench/chain.sh [EDGES] [CLUSTER_TXS]
set -euo pipefail
cd "$(dirname "$0")/.."
EDGES=${1:-10000000}
TXS=${2:-5000000}
cargo build --release -q
cargo build --release -q -p cordon-graph --example cluster_bench
cargo build --release -q -p cordon-chain --example trace_bench
python3 -c "import gs_clustering" 2>/dev/null || pip install -q graphsense-clustering pyarrow
python3 bench/cluster.py "$TXS" $((TXS * 2))
/usr/bin/time -f 'peak RSS %M KB' target/release/examples/trace_bench "$EDGES"
target/release/cordon --home "${BENCH_OUT:-bench/out}/synth-home" chain synth --evaluate --users 20000 --transfers 200000 --hacks 5
# ethereum-etl CSV ingest: a synthetic transactions.csv of about 1 M rows.
S="${BENCH_OUT:-bench/out}/synth-1m"
rm -rf "$S" "${BENCH_OUT:-bench/out}/ingest-home"
target/release/cordon chain synth --out "$S" --users 100000 --transfers 1000000 --hacks 1 > /dev/null
ROWS=$(($(wc -l < "$S/transactions.csv") - 1))
START=$(date +%s.%N)
/usr/bin/time -f 'peak RSS %M KB' target/release/cordon --home "${BENCH_OUT:-bench/out}/ingest-home" chain import "$S/transactions.csv"
END=$(date +%s.%N)
python3 -c "print(f'ethereum-etl ingest: $ROWS rows in {$END - $START:.2f} s: {$ROWS / ($END - $START):,.0f} rows/s')"
