#!/usr/bin/env bash
# Runs every parser's fuzz target for SECONDS each (default 600), seeded from fuzz/seeds
# (built from the shared data by make_seeds.py on first run; not committed).
#   bash fuzz/run.sh [SECONDS] [TARGET...]
# Needs cargo-fuzz (cargo install cargo-fuzz); RUSTC_BOOTSTRAP lets the stable toolchain take
# the sanitizer flags cargo-fuzz passes. Findings land in fuzz/artifacts/TARGET/.
set -euo pipefail
cd "$(dirname "$0")"
[ -d seeds ] || python3 make_seeds.py
secs=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(un_xml ofac_advanced ofac_csv ofac_xml ftm)
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  RUSTC_BOOTSTRAP=1 cargo fuzz run -O "$t" "corpus/$t" "seeds/$t" -- -max_total_time="$secs" -rss_limit_mb=2048 -max_len=262144 2>&1 | tail -n 3
done
