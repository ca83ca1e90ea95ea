#!/usr/bin/env python3
"""Regenerates the measured part of docs/peer-agreement.md from
tests/corpus/peer_mapping.json and the output of build/tests/peer_corpus_test."""
import datetime
import json
import subprocess

d = json.load(open("tests/corpus/peer_mapping.json"))
out = subprocess.run(["build/tests/peer_corpus_test"], capture_output=True, text=True).stdout
names = {"checkov": "Checkov", "gatekeeper": "Gatekeeper", "kube-linter": "kube-linter", "kyverno": "Kyverno",
         "polaris": "Polaris"}
rows = [l.split() for l in out.split("\n") if l and l.split()[0] in names]
fa = ft = na = nt = 0
table = "| peer | `flag` cases agreed | `no-flag` cases agreed |\n|---|---|---|\n"
for r in rows:
    a, b = map(int, r[1].split("/"))
    c, e = map(int, r[2].split("/"))
    fa, ft, na, nt = fa + a, ft + b, na + c, nt + e
    table += f"| {names[r[0]]} | {r[1]} | {r[2]} |\n"
table += f"| **all** | **{fa}/{ft}** ({100 * fa / ft:.1f}%) | **{na}/{nt}** ({100 * na / nt:.1f}%) |\n"


def run_with(c):
    parts = []
    if "policy" in c:
        parts.append("policy `" + " ".join(c["policy"].split("\n", 2)[2].split()) + "`")
    if "policy_by_constraint" in c:
        parts.append("a policy per constraint (" + str(len(c["policy_by_constraint"])) + ")")
    if c.get("context_is_no_flag"):
        parts.append("admitted cases count as no-flag")
    if "context" in c:
        parts.append("chainsaw context: " + ", ".join(sorted({f.split("/")[-1] for v in c["context"].values() for f in v})))
    return "; ".join(parts)


checks = "| peer check | our rules | run with |\n|---|---|---|\n" + "".join(
    f"| {c['check']} | {', '.join(c['rules'])} | {run_with(c)} |\n" for c in d["checks"])
dis = "| peer check | case | why we differ |\n|---|---|---|\n" + "".join(
    f"| {x['check']} | `{x['file']}:{x['line']}` | {x['reason']} |\n" for x in d["disagreements"])
doc = open("docs/peer-agreement.md").read()
head = doc[:doc.index("Measured ")]
body = f"""Measured {datetime.date.today()} (`build/tests/peer_corpus_test`, regenerated with
`scripts/gen_peer_agreement_doc.py`):

{table}
Target: 95% on both. A namespace without any NetworkPolicy is one root cause, not a finding per
workload: IG503 names its workloads when it serves Ingress backends, and otherwise IG508 notes it
once, on its first workload, when the input is complete (a partial view cannot tell that the
cluster has no policy there). Kyverno's require-netpol cases run with `completeInput: true`,
because `kyverno test` and chainsaw judge a closed world: the resources a case gives are all its
namespace holds. Each remaining case is listed below: a deliberate difference
of judgement, or a decision that rests on cluster state the fixtures do not contain.

Checks whose peer takes parameters run with the equivalent `.ingressguard.yaml`. For checks
that look nothing up, a case the peer's admission test simply admits (`no-flag-or-context`)
counts as `no-flag`. Where the peer's chainsaw test applies other files before the case (its
cluster state), those files are loaded first ("chainsaw context").

## Checks compared

{checks}
Not compared, because no ingressguard rule means the same thing: bans on every NodePort
Service (gatekeeper/block-nodeport-services, kyverno/restrict-node-port, kube-linter/exposed-services;
ingressguard reports NodePort/LoadBalancer Services that bypass an Ingress, IG404), Service
selector hygiene (kube-linter/dangling-service, invalid-target-ports, gatekeeper/uniqueserviceselector,
kyverno/require-unique-service-selector, restrict-service-port-range), hostPID/hostIPC
(kyverno/disallow-host-namespaces), default-deny for egress in every namespace (kubeaudit/netpols;
IG503 asks for default-deny ingress where Ingress backends live), empty podSelectors
(kyverno/restrict-networkpolicy-empty-podselector: ingressguard recommends them for default deny),
policies with both directions (polaris/missingNetworkPolicy), external-dns uniqueness, and the
Traefik and AWS Load Balancer Controller checks.

## Deliberate disagreements

{dis}"""
open("docs/peer-agreement.md", "w").write(head + body)
print(table)
