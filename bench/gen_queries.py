"""Generates a realistic screening batch: listed DPRK names in other spellings (romanisation
variants, joined given names, reordered) mixed with innocent names (FEBRL synthetic people).

    python3 bench/gen_queries.py N OUT.csv      # CORDON_SHARED_DATA, default ../shared/data
"""
import csv
import os
import pathlib
import random
import sys
import xml.etree.ElementTree as ET

data = pathlib.Path(os.environ.get("CORDON_SHARED_DATA", pathlib.Path(__file__).resolve().parent.parent.parent / "shared" / "data"))
n, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(7)

listed = []
root = ET.parse(data / "un/UN_consolidated_2026-02-27.xml").getroot()
for ind in root.iter("INDIVIDUAL"):
    parts = [(ind.findtext(t) or "").strip() for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME")]
    name = " ".join(p for p in parts if p)
    if name:
        # With the entity id Cordon gives it, so a bench can check the right entity is found.
        listed.append((name, "un:" + (ind.findtext("REFERENCE_NUMBER") or "").strip()))

SWAPS = [("JONG", "JEONG"), ("RI ", "LEE "), ("CHOL", "CHEOL"), ("PAK", "PARK"), ("CH'O", "CHO"), ("O'", "O"), ("KIM", "GIM"), ("YONG", "YEONG"), ("SON", "SEON"), ("CHOE", "CHOI")]


def variant(name):
    v = name.replace("-", " ")
    for a, b in SWAPS:
        if a in v and rng.random() < 0.6:
            v = v.replace(a, b)
    toks = v.split()
    if len(toks) == 3 and rng.random() < 0.3:
        toks = [toks[0], toks[1] + toks[2].lower()]
    if rng.random() < 0.3:
        toks = toks[1:] + toks[:1]
    return " ".join(toks).title()


innocent = []
with open(data / "er/febrl1.csv", newline="") as f:
    for row in csv.DictReader(f, skipinitialspace=True):
        g, s = (row.get("given_name") or "").strip(), (row.get("surname") or "").strip()
        if g and s:
            innocent.append(f"{g} {s}")

with open(out, "w", newline="") as f:
    w = csv.writer(f)
    # `listed_as`: the listed entity a variant was made from (empty for innocent names);
    # screening ignores the column.
    w.writerow(["id", "name", "dob", "nationality", "schema", "listed_as"])
    for i in range(n):
        if rng.random() < 0.2:
            name, ref = rng.choice(listed)
            w.writerow([f"q{i}", variant(name), "", "", "person", ref])
        else:
            w.writerow([f"q{i}", rng.choice(innocent).title(), f"{rng.randint(1940, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", "", "person", ""])
print(f"wrote {n} queries to {out}")
