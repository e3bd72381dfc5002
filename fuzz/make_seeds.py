"""Builds fuzz seeds from the shared data (never copied into the repo): small but complete
examples of each format, cut from the real files at record boundaries.

    python3 fuzz/make_seeds.py        # CORDON_SHARED_DATA, default ../shared/data
"""
import bz2
import os
import pathlib

here = pathlib.Path(__file__).resolve().parent
data = pathlib.Path(os.environ.get("CORDON_SHARED_DATA", here.parent.parent / "shared" / "data"))
seeds = here / "seeds"


def put(target, name, text):
    d = seeds / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_text(text, encoding="utf-8")


un = (data / "un/UN_consolidated_2026-02-27_DPRK_only.xml").read_text(encoding="utf-8")
cut = un.find("</INDIVIDUAL>", 20000) + len("</INDIVIDUAL>")
put("un_xml", "dprk_head.xml", un[:cut] + "</INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>\n")

adv = bz2.open(data / "ofac/sdn_advanced_xml/sdn_advanced_2025-11-19.xml.bz2", "rt", encoding="utf-8").read()
refs = adv[: adv.find("<Locations>")]
k = adv.find('<DistinctParty FixedRef="20157">')
e = adv.find("</DistinctParty>", k) + len("</DistinctParty>")
s = adv.find('<SanctionsEntry ID="20157"')
t = adv.find("</SanctionsEntry>", s) + len("</SanctionsEntry>")
put(
    "ofac_advanced",
    "kim.xml",
    refs + "<Locations /><IDRegDocuments /><DistinctParties>" + adv[k:e] + "</DistinctParties><ProfileRelationships /><SanctionsEntries>" + adv[s:t] + "</SanctionsEntries></Sanctions>\n",
)

cons = (data / "ofac/non_sdn_consolidated_xml_2024-05-06/consolidated.xml").read_text(encoding="utf-8")
q = cons.find("</sdnEntry>", 30000) + len("</sdnEntry>")
put("ofac_xml", "cons_head.xml", cons[:q].replace("<Record_Count>443</Record_Count>", "") + "</sdnList>\n")

put("ofac_csv", "sdn.csv", (data / "ofac/sdn_csv_tiny_fixture/sdn.csv").read_text(encoding="utf-8"))

zala = (data / "opensanctions_ftm/yente_zala_entities.ftm.json").read_text(encoding="utf-8").splitlines()
put("ftm", "zala_head.json", "\n".join(zala[:30]) + "\n")
put("ftm", "t1.json", (data / "opensanctions_ftm/yente_t1_entities.ftm.json").read_text(encoding="utf-8"))
print("seeds written to", seeds)
