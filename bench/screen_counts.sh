#!/usr/bin/env bash
# Work per screening query, counted by valgrind instead of timed: instructions, simulated
# first-level cache misses and branch mispredicts inside `Screener::screen`, per query, on the
# first N bench queries (default 2000). The counts repeat from run to run within about 1 %
# (hash seeds vary), where wall time on this VM drifts by a third over hours, so two builds
# can be compared at any time. Needs valgrind; run bench/screen.sh first (it makes the home
# and the queries).
#   bash bench/screen_counts.sh [N]      (ALLOC=system: with the system allocator, not mimalloc)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${BENCH_OUT:-bench/out}"
N=${1:-2000}
command -v valgrind > /dev/null || { echo "valgrind is not installed" >&2; exit 1; }
[ -f "$OUT/queries.csv" ] && [ -d "$OUT/screen-home" ] || { echo "run bench/screen.sh first" >&2; exit 1; }
FEATURES=(--features mimalloc)
[ "${ALLOC:-}" = system ] && FEATURES=()
cargo build --release -q -p cordon-engine --example screen_recall "${FEATURES[@]}"
CG="$(mktemp)"
trap 'rm -f "$CG"' EXIT
CORDON_BENCH_NO_SCAN=1 valgrind --tool=callgrind --cache-sim=yes --branch-sim=yes \
  --toggle-collect='cordon_match::screener::Screener::screen' --callgrind-out-file="$CG" \
  target/release/examples/screen_recall "$OUT/screen-home" "$OUT/queries.csv" "$N" > /dev/null 2>&1
python3 - "$CG" "$N" <<'PY'
import sys
events, totals = None, None
for line in open(sys.argv[1]):
    if line.startswith("events:"):
        events = line.split()[1:]
    elif line.startswith(("totals:", "summary:")):
        totals = [int(x) for x in line.split()[1:]]
d = dict(zip(events, totals))
n = int(sys.argv[2])
print(f"per query ({n} queries): {d['Ir'] / n:,.0f} instructions, "
      f"{(d['D1mr'] + d['D1mw']) / n:,.0f} L1 data misses, "
      f"{(d['Bcm'] + d['Bim']) / n:,.0f} branch mispredicts (valgrind's simulated caches and predictor)")
PY
