"""Multi-input clustering: Cordon's union-find vs graphsense-clustering (PyPI), same input.

Generates T transactions over A addresses (input counts 1 + geometric, mean ~2.5; address
choice heavy-tailed, as on real chains), writes them for Cordon, builds the Python lists for
graphsense-clustering before its clock starts, times both, and checks that both give the same
(address, cluster_id) mapping (both use cluster id = smallest member id).

    python3 bench/cluster.py [TRANSACTIONS] [ADDRESSES]
"""

import array
import os
import random
import subprocess
import sys
import time

from gs_clustering import Clustering

T = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000_000
A = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000_000
OUT = os.environ.get("BENCH_OUT", "bench/out")
os.makedirs(OUT, exist_ok=True)
rng = random.Random(7)

txs = []
for _ in range(T):
    k = 1
    while rng.random() < 0.6 and k < 50:
        k += 1
    # Heavy-tailed: most inputs are fresh-ish addresses, some are reused a lot.
    txs.append([int(A * rng.random() ** 1.5) for _ in range(k)])

words = array.array("I", [A - 1, T])
for t in txs:
    words.append(len(t))
    words.extend(t)
inp = os.path.join(OUT, "cluster-input.bin")
with open(inp, "wb") as f:
    words.tofile(f)

start = time.perf_counter()
c = Clustering(max_address_id=A - 1)
for i in range(0, T, 100_000):
    c.process_transactions(txs[i : i + 100_000])
mapping = c.get_mapping()
gs = time.perf_counter() - start
gs_clusters = mapping.column("cluster_id").to_pylist()
print(f"graphsense-clustering: {T} transactions, {A} addresses in {gs:.3f} s: {T / gs / 1e6:.2f} M tx/s")

mout = os.path.join(OUT, "cluster-mapping.bin")
res = subprocess.run(["target/release/examples/cluster_bench", inp, mout], capture_output=True, text=True, check=True)
print(res.stdout.strip())
ours = array.array("I")
with open(mout, "rb") as f:
    ours.frombytes(f.read())
same = list(ours) == gs_clusters
print(f"same (address, cluster_id) mapping: {same}")
secs = float(res.stdout.split(" in ")[1].split(" s")[0])
print(f"ratio (Cordon / graphsense tx/s): {gs / secs:.2f}x")
if not same:
    sys.exit(1)
