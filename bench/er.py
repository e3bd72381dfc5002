"""Entity resolution: Cordon (crates/cordon-link/src/er.rs, via the er_bench example) vs Splink 5
(DuckDB) on the same files, same truth, same metric (pairwise precision / recall / F1 of the
pairs implied by the clusters). Splink is configured as in its own tutorials for these
datasets: name comparisons with Jaro-Winkler levels and term frequencies, date and postcode
levels, u by random sampling, m by EM on two blocking rules, prediction blocking on names and
dates, clusters at a match probability of 0.99 (Splink's clustering; Cordon uses its default 0.9999,
see crates/cordon-link/src/er.rs).

    python3 bench/er.py [DATA_DIR]
"""

import os
import subprocess
import sys
import time
from collections import Counter

import pandas as pd
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on
from splink.backends.duckdb import DuckDBAPI

DATA = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.environ.get("CORDON_SHARED_DATA", "../shared/data"), "er")


def pairwise(pred, truth):
    c2 = lambda n: n * (n - 1) // 2
    both = Counter(zip(pred, truth))
    tp = sum(c2(n) for n in both.values())
    pp = sum(c2(n) for n in Counter(pred).values())
    tt = sum(c2(n) for n in Counter(truth).values())
    p = tp / pp if pp else 1.0
    r = tp / tt if tt else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def splink_febrl3():
    df = pd.read_csv(os.path.join(DATA, "febrl3.csv"), dtype=str, skipinitialspace=True).fillna("")
    df.columns = [c.strip() for c in df.columns]
    df = df.rename(columns={"rec_id": "unique_id"})
    df = df.replace("", None)
    truth = df["unique_id"].str.split("-").str[1]
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[
            block_on("soc_sec_id"),
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("postcode"),
        ],
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d"),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number"),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
            cl.ExactMatch("postcode"),
            cl.ExactMatch("state"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    return df, truth, settings, [block_on("given_name", "surname"), block_on("date_of_birth")], ["l.soc_sec_id = r.soc_sec_id"]


def splink_historical():
    df = pd.read_csv(os.path.join(DATA, "historical_50k.csv"), dtype=str)
    df = df.where(df.notna(), None)
    truth = df["cluster"]
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "surname"),
            block_on("surname", "dob"),
            block_on("first_name", "dob"),
            block_on("postcode_fake", "first_name"),
        ],
        comparisons=[
            cl.ForenameSurnameComparison("first_name", "surname", forename_surname_concat_col_name="first_and_surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.PostcodeComparison("postcode_fake"),
            cl.ExactMatch("birth_place").configure(term_frequency_adjustments=True),
            cl.ExactMatch("occupation").configure(term_frequency_adjustments=True),
        ],
        retain_intermediate_calculation_columns=False,
    )
    return df, truth, settings, [block_on("first_name", "surname"), block_on("dob")], ["l.first_name = r.first_name and l.surname = r.surname and l.dob = r.dob"]


def run_splink(name, make):
    df, truth, settings, training, deterministic = make()
    t = time.perf_counter()
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(df), settings)
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    for br in training:
        linker.training.estimate_parameters_using_expectation_maximisation(br)
    preds = linker.inference.predict(threshold_match_probability=0.5)
    secs = None
    for th in (0.99, 0.9999):
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(preds, threshold_match_probability=th).as_pandas_dataframe()
        secs = secs or time.perf_counter() - t
        m = dict(zip(clusters["unique_id"], clusters["cluster_id"]))
        pred = [m.get(u, u) for u in df["unique_id"]]
        p, r, f = pairwise(pred, list(truth))
        print(f"splink  {name:<15} at {th}: P {p:.4f}  R {r:.4f}  F1 {f:.4f}  {secs:.2f} s (training, prediction, first clustering)")
    return secs


sp = {"febrl3": run_splink("febrl3", splink_febrl3), "historical_50k": run_splink("historical_50k", splink_historical)}
subprocess.run(["cargo", "build", "--release", "-q", "-p", "cordon-link", "--example", "er_bench"], check=True)
out = subprocess.run(["target/release/examples/er_bench", DATA], capture_output=True, text=True, check=True).stdout
print(out, end="")
for line in out.splitlines():
    name = line.split()[0]
    if name in sp:
        secs = float(line.split("F1")[1].split()[1])
        print(f"time ratio {name}: Cordon {secs:.2f} s / Splink {sp[name]:.2f} s = {secs / sp[name]:.2f}")
