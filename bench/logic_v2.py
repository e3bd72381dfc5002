"""OpenSanctions' logic-v2 matcher (PyPI nomenklatura) on the same pairs Cordon is measured on:
quality on the nomenklatura name bench, time per pair on the dev set and on realistic screening
pairs. Run by bench/logic_v2.sh, which also runs Cordon's pairwise scorer on the same files.

    python3 bench/logic_v2.py DEV.csv QUERIES.csv UN.xml OUT_PAIRS.csv [N_QUERIES] [PER_QUERY]

Writes OUT_PAIRS.csv (schema,name1,name2): the first N_QUERIES queries (default 400), each
against PER_QUERY (default 25) listed UN individuals drawn with a fixed seed. logic-v2 keeps
caches of parsed names, so each set is timed on a first pass over pairs it has not seen (after a
warm-up on other pairs), as a screening of new names meets them, and on a second pass with its
caches warm.
"""
import csv
import random
import sys
import time
import xml.etree.ElementTree as ET

from followthemoney import model
from nomenklatura.matching import LogicV2

THRESHOLD = 0.7  # the threshold OpenSanctions' yente applies to logic-v2 scores

dev_path, queries_path, un_path, out_path = sys.argv[1:5]
n_queries = int(sys.argv[5]) if len(sys.argv) > 5 else 400
per_query = int(sys.argv[6]) if len(sys.argv) > 6 else 25
config = LogicV2.default_config()


def entity(schema, name, key):
    e = model.make_entity(schema)
    e.id = key
    e.add("name", name)
    return e


def timed(pairs):
    """Scores (query, result) entity pairs in one pass; returns scores and µs per pair."""
    start = time.perf_counter()
    scores = [LogicV2.compare(q, r, config).score for q, r in pairs]
    return scores, (time.perf_counter() - start) * 1e6 / max(len(pairs), 1)


def prf(scored, t):
    tp = sum(1 for s, truth in scored if truth and s >= t)
    fp = sum(1 for s, truth in scored if not truth and s >= t)
    fn = sum(1 for s, truth in scored if truth and s < t)
    p = tp / max(tp + fp, 1)
    r = tp / max(tp + fn, 1)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


# Listed UN individuals: the result side of the realistic pairs.
listed = []
for ind in ET.parse(un_path).getroot().iter("INDIVIDUAL"):
    parts = [(ind.findtext(t) or "").strip() for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
    name = " ".join(p for p in parts if p)
    if name:
        listed.append(name)

with open(queries_path, newline="") as f:
    queries = [row["name"] for row in csv.DictReader(f)]
rng = random.Random(11)
pairs = [(q, rng.choice(listed)) for q in queries[:n_queries] for _ in range(per_query)]
with open(out_path, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["schema", "name1", "name2"])
    for a, b in pairs:
        w.writerow(["Person", a, b])

# Warm-up on pairs outside both timed sets (module imports, lazily loaded tables).
warm = [(entity("Person", q, f"w{i}"), entity("Person", rng.choice(listed), f"v{i}")) for i, q in enumerate(queries[-50:])]
timed(warm)

with open(dev_path, newline="") as f:
    rows = list(csv.DictReader(f))
dev_pairs = [
    (entity(r["schema"], r["name1"], f"a{i}"), entity(r["schema"], r["name2"], f"b{i}"))
    for i, r in enumerate(rows)
]
scores, us = timed(dev_pairs)
_, warm_us = timed(dev_pairs)
scored = [(s, r["is_match"] == "true") for s, r in zip(scores, rows)]
p, r, f1 = prf(scored, THRESHOLD)
best_t, best_f1 = max(((t / 100, prf(scored, t / 100)[2]) for t in range(30, 100, 5)), key=lambda x: x[1])
print(f"logic-v2: name bench, {len(rows)} pairs, {us:.1f} µs per pair (first pass, one thread; {warm_us:.1f} µs on a second pass over the same pairs, its caches warm)")
print(f"logic-v2: threshold {THRESHOLD}: P {p:.3f} R {r:.3f} F1 {f1:.3f} (best over thresholds: F1 {best_f1:.3f} at {best_t:.2f})")

real = [(entity("Person", a, f"q{i}"), entity("Person", b, f"r{i}")) for i, (a, b) in enumerate(pairs)]
_, us = timed(real)
_, warm_us = timed(real)
print(f"logic-v2: realistic pairs, {len(real)} pairs, {us:.1f} µs per pair (first pass, one thread; {warm_us:.1f} µs on a second pass, caches warm)")
