#!/usr/bin/env python3
"""Generates a large synthetic screening list in a publisher's real shape, for scale tests.

    scripts/gen-list.py csl-csv N > list.csv
    scripts/gen-list.py csl-json N > list.json
    scripts/gen-list.py opensanctions N > list.jsonl

Every entry is fictional (deterministic pseudo-random words), with the fields a real export
carries: names with legal forms, alternate names, addresses, start dates, a website and an
e-mail address for about one entry in three, a few persons.
"""
import csv
import json
import random
import sys

SYL = ["ka", "lo", "mi", "ne", "ro", "ta", "vi", "zu", "bra", "dex", "fin", "gor", "hal",
       "jun", "kor", "lem", "mor", "nix", "pol", "quon", "rev", "sol", "tur", "vex", "wol", "yar"]
FORMS = ["Ltd", "LLC", "GmbH", "JSC", "OOO", "Limited", "Inc", "S.A.", "Co., Ltd."]
COUNTRIES = ["RU", "CN", "IR", "BY", "AE", "GB", "DE", "TR", "HK", "KP"]
SOURCES = [
    "Entity List (EL) - Bureau of Industry and Security",
    "Specially Designated Nationals (SDN) - Treasury Department",
    "Unverified List (UVL) - Bureau of Industry and Security",
    "Military End User (MEU) List - Bureau of Industry and Security",
]


def word(r):
    return "".join(r.choice(SYL) for _ in range(r.randint(2, 4))).capitalize()


def entry(r, i):
    person = i % 7 == 0
    if person:
        name = f"{word(r)} {word(r)}"
    else:
        name = f"{word(r)} {word(r)} {r.choice(FORMS)}"
    slug = name.lower().replace(" ", "-").replace(".", "").replace(",", "")
    alts = [f"{word(r)} {word(r)}" for _ in range(r.randint(0, 3))]
    ids = []
    if i % 3 == 0:
        ids.append(("Website", f"https://www.{slug}-{i}.example"))
    if i % 5 == 0:
        ids.append(("Email Address", f"info@{slug}-{i}.example"))
    return dict(
        id=f"gen-{i}", person=person, name=name, alts=alts, ids=ids,
        country=r.choice(COUNTRIES), source=r.choice(SOURCES),
        start=f"20{r.randint(10, 24):02d}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}",
    )


def main():
    fmt, n = sys.argv[1], int(sys.argv[2])
    r = random.Random(14)
    out = sys.stdout
    if fmt == "csl-csv":
        cols = ("_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice,"
                "start_date,end_date,standard_order,license_requirement,license_policy,call_sign,"
                "vessel_type,gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,"
                "source_list_url,alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,"
                "source_information_url,ids").split(",")
        w = csv.writer(out, lineterminator="\n")
        w.writerow(cols)
        for i in range(n):
            e = entry(r, i)
            row = dict.fromkeys(cols, "")
            row.update({
                "_id": e["id"], "source": e["source"], "type": "Individual" if e["person"] else "Entity",
                "name": e["name"], "addresses": f"{i} Generated Street, City, {e['country']}",
                "federal_register_notice": f"89 FR {10000 + i % 50000}", "start_date": e["start"],
                "license_requirement": "For all items subject to the EAR.",
                "license_policy": "Presumption of denial.", "alt_names": "; ".join(e["alts"]),
                "ids": "; ".join(f"{k}, {v}" for k, v in e["ids"]),
            })
            w.writerow([row[c] for c in cols])
    elif fmt == "csl-json":
        res = []
        for i in range(n):
            e = entry(r, i)
            res.append({
                "id": e["id"], "source": e["source"], "type": "Individual" if e["person"] else "Entity",
                "name": e["name"], "alt_names": e["alts"], "programs": [],
                "addresses": [{"address": f"{i} Generated Street", "city": "City", "state": "",
                               "postal_code": "", "country": e["country"]}],
                "federal_register_notice": f"89 FR {10000 + i % 50000}", "start_date": e["start"],
                "end_date": "", "license_requirement": "For all items subject to the EAR.",
                "license_policy": "Presumption of denial.", "source_list_url": "",
                "ids": [{"type": k, "number": v, "country": None, "issue_date": None,
                         "expiration_date": None} for k, v in e["ids"]],
            })
        json.dump({"total": n, "sources_used": [{"source": s, "source_last_updated": "2026-11-20",
                                                 "last_imported": "2026-11-28T06:00:00+00:00"}
                                                for s in SOURCES], "results": res}, out)
    elif fmt == "opensanctions":
        for i in range(n):
            e = entry(r, i)
            props = {"name": [e["name"]], "alias": e["alts"], "country": [e["country"].lower()],
                     "topics": ["sanction"]}
            for k, v in e["ids"]:
                props["website" if k == "Website" else "email"] = [v if k == "Website" else v]
            out.write(json.dumps({
                "id": e["id"], "schema": "Person" if e["person"] else "Company", "caption": e["name"],
                "target": True, "properties": props, "datasets": ["generated"],
                "first_seen": e["start"] + "T00:00:00", "last_seen": "2026-11-01T00:00:00",
            }) + "\n")
    else:
        sys.exit(f"unknown format {fmt}")


main()
