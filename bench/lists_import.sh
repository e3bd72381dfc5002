#!/usr/bin/env bash
# Benchmark: parse + store of the official list files, release build.
#
#   bash bench/lists_import.sh            # from the project root
#
# For each file it runs `cordon lists import` into a fresh home three times and reports the
# best wall time, the parse and store times Cordon measures itself, and the peak RSS
# (GNU time). As a baseline in the same script it times Python's C-accelerated
# xml.etree.ElementTree.iterparse over the same file (parse only, no model, no store), and
# prints Cordon's time as a ratio of it. SDN_ADVANCED is decompressed beforehand, as the goal
# states.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${CORDON_SHARED_DATA:-../shared/data}"
OUT="${BENCH_OUT:-bench/out}"
mkdir -p "$OUT"
cargo build --release -q
BIN=target/release/cordon
if [ ! -x /usr/bin/time ]; then
  echo "GNU time is needed for peak RSS: apt-get install -y time" >&2
  exit 1
fi
ADV="$OUT/sdn_advanced_2025-11-19.xml"
[ -f "$ADV" ] || bzcat "$DATA/ofac/sdn_advanced_xml/sdn_advanced_2025-11-19.xml.bz2" > "$ADV"

run() {
  local label=$1 file=$2 best=999 rss=0 parse=0 store=0
  for i in 1 2 3; do
    local home; home=$(mktemp -d)
    /usr/bin/time -f '%e %M' -o "$OUT/time.txt" "$BIN" --home "$home" lists import --json "$file" > "$OUT/import.json"
    read -r wall kb < "$OUT/time.txt"
    rm -rf "$home"
    if python3 -c "import sys; sys.exit(0 if $wall < $best else 1)"; then
      best=$wall; rss=$kb
      parse=$(python3 -c "import json; print('%.3f' % json.load(open('$OUT/import.json'))['imports'][0]['parse_secs'])")
      store=$(python3 -c "import json; print('%.3f' % json.load(open('$OUT/import.json'))['imports'][0]['store_secs'])")
    fi
  done
  local base
  base=$(python3 - "$file" <<'PY'
import sys, time, xml.etree.ElementTree as ET
best = 1e9
for _ in range(3):
    t = time.perf_counter()
    n = 0
    for _ev, el in ET.iterparse(sys.argv[1]):
        n += 1
        el.clear()
    best = min(best, time.perf_counter() - t)
print("%.3f" % best)
PY
)
  printf '%-28s wall %6.3f s (parse %s s, store %s s)  peak RSS %5d MB  | python iterparse %6.3f s  ratio %.2f\n' \
    "$label" "$best" "$parse" "$store" "$((rss / 1024))" "$base" "$(python3 -c "print($best / $base)")"
}

echo "cordon lists import, best of 3, $(nproc) cores, $(date -u +%Y-%m-%d)"
run "OFAC SDN_ADVANCED 2025-11-19" "$ADV"
run "UN consolidated 2026-02-27" "$DATA/un/UN_consolidated_2026-02-27.xml"
