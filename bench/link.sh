#!/usr/bin/env bash
# Benchmark: `cordon link` on a synthetic pool (release build): time and peak RSS.
# Extra arguments
# after the two numbers go to `cordon link` (e.g. --memory-mb 64); CORDON_LINK_DEBUG=1 prints
# time and memory per phase.
#   bash bench/link.sh [HONEST] [LOGINS_PER_RECORD]      # default 1,000,000 and 10
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${BENCH_OUT:-bench/out}"
N=${1:-1000000}
L=${2:-10}
shift $(( $# < 2 ? $# : 2 ))
OPS=$((N / 200))
mkdir -p "$OUT"
cargo build --release -q
BIN=target/release/cordon
rm -rf "$OUT/link-pool" "$OUT/link-home"
"$BIN" link synth --out "$OUT/link-pool" --honest "$N" --operators "$OPS" --logins-per-record "$L"
wc -l "$OUT/link-pool/records.csv" "$OUT/link-pool/logins.csv"
/usr/bin/time -f 'wall %e s, peak RSS %M KB' "$BIN" --home "$OUT/link-home" link "$OUT/link-pool/records.csv" --logins "$OUT/link-pool/logins.csv" --output "$OUT/link-clusters.jsonl" "$@"
