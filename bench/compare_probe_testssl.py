#!/usr/bin/env python3
"""Compares `ingressguard probe` with testssl.sh on the same servers: accepted
protocol versions (against both testssl runs), accepted cipher suites and
whether any is weak (against the full run, which lists them), each of
testssl's cipher categories (IG909's categories against the cipherlist_* items
of the full run; `-p -S -h` does not test them), and HSTS.
Usage: compare_probe_testssl.py DIR NAME...  (reads DIR/NAME-ig.json,
DIR/NAME-psh.json, DIR/NAME-full.json). Exit 1 when a verdict differs."""
import json
import sys

VERSIONS = [("IG901", "TLS1", "TLS 1.0"), ("IG902", "TLS1_1", "TLS 1.1"),
            ("IG903", "TLS1_2", "TLS 1.2"), ("IG904", "TLS1_3", "TLS 1.3")]
WEAK_LISTS = ["cipherlist_NULL", "cipherlist_aNULL", "cipherlist_EXPORT", "cipherlist_LOW",
              "cipherlist_3DES_IDEA", "cipherlist_AVERAGE"]
# testssl's cipher categories and the titles IG909 gives them.
CATEGORIES = [("cipherlist_NULL", "NULL (no encryption)"), ("cipherlist_aNULL", "anonymous (no authentication)"),
              ("cipherlist_EXPORT", "export"), ("cipherlist_LOW", "LOW (64-bit, DES, RC2, RC4)"),
              ("cipherlist_3DES_IDEA", "3DES or IDEA"), ("cipherlist_AVERAGE", "obsolete CBC")]


def ours(path):
    checks = {}
    for c in json.load(open(path))["targets"][0]["checks"]:
        checks.setdefault(c["id"], []).append(c)
    versions = {tls: any(c["title"].endswith(" accepted") for c in checks.get(ig, [])) for ig, tls, _ in VERSIONS}
    suites = set()
    for ig in ("IG905", "IG906"):
        for c in checks.get(ig, []):
            listed = c["evidence"].rsplit("accepted: ", 1)[-1]
            suites.update(s.strip() for s in listed.split(",") if s.strip())
    for c in checks.get("IG907", []):
        suites.update(s.strip() for s in c["evidence"].split(",") if s.strip())
    weak = any(c["status"] == "fail" for ig in ("IG905", "IG906") for c in checks.get(ig, []))
    hsts = any(c["status"] != "fail" for c in checks.get("IG920", []))
    categories = {c["title"].removesuffix(" suites accepted") for c in checks.get("IG909", []) if c["status"] == "fail"}
    return versions, suites, weak, hsts, categories


def testssl(path):
    items = {}
    suites = set()
    for e in json.load(open(path)):
        items.setdefault(e["id"], e["finding"])
        if e["id"].startswith("cipher_x"):
            suites.add(e["finding"].split()[1])
    versions = {tls: items[tls].startswith("offered") for _, tls, _ in VERSIONS if tls in items}
    weak = any(items.get(k, "").startswith("offered") for k in WEAK_LISTS)
    hsts = "HSTS_time" in items  # present: HSTS_time (max-age); absent: HSTS "not offered"
    categories = {k for k, _ in CATEGORIES if items.get(k, "").startswith("offered")}
    return versions, suites, weak, hsts, categories


def main():
    folder, names = sys.argv[1], sys.argv[2:]
    differ = 0
    for name in names:
        v, s, w, h, c = ours(f"{folder}/{name}-ig.json")
        pv, _, _, ph, _ = testssl(f"{folder}/{name}-psh.json")
        fv, fs, fw, fh, fc = testssl(f"{folder}/{name}-full.json")
        rows = []
        for _, tls, label in VERSIONS:
            yes = lambda b: "accepted" if b else "refused"
            same = v[tls] == pv.get(tls) == fv.get(tls)
            rows.append((label, yes(v[tls]), f"{yes(pv.get(tls))} / {yes(fv.get(tls))}", same))
        rows.append(("cipher suites", f"{len(s)} accepted", f"{len(fs)} listed (full run)", s == fs))
        rows.append(("any suite outside the safe set", "yes" if w else "no", "yes" if fw else "no", w == fw))
        for item, title in CATEGORIES:
            yes = lambda b: "offered" if b else "not offered"
            rows.append((item.removeprefix("cipherlist_") + " suites", yes(title in c), f"{yes(item in fc)} (full run)",
                         (title in c) == (item in fc)))
        rows.append(("HSTS", "present" if h else "absent", f"{'present' if ph else 'absent'} / {'present' if fh else 'absent'}",
                     h == ph == fh))
        print(f"{name}: {'verdict':32} {'ingressguard':14} {'testssl -p -S -h / full':28} agree")
        for label, a, b, same in rows:
            print(f"{'':{len(name) + 2}}{label:32} {a:14} {b:28} {'yes' if same else 'NO'}")
            differ += not same
        if s != fs:
            print(f"  only ingressguard: {sorted(s - fs)}; only testssl: {sorted(fs - s)}")
    print("verdicts: all agree" if differ == 0 else f"verdicts: {differ} DISAGREE")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
