#!/usr/bin/env python3
"""Inputs for `make bench-serve`: a cluster state of N Ingresses (with their
Services) across 100 namespaces, plus the ingress-nginx controller, and a file
of AdmissionReview v1 bodies, one per line, that the wrk script cycles through:
  50% UPDATE of a state Ingress (allowed; not dryRun, so the state is updated)
  20% CREATE (dryRun) of a new, clean Ingress (allowed, with warnings)
  15% CREATE (dryRun) claiming a host of another namespace (denied: IG105)
  15% CREATE (dryRun) without TLS (denied: IG101)
Usage: gen_serve_inputs.py OUT_DIR [INGRESSES]"""
import json
import os
import random
import sys

out = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
namespaces = 100
os.makedirs(out, exist_ok=True)
rng = random.Random(7)


def ingress(ns, name, host, tls=True, service=None):
    o = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": name, "namespace": ns,
                     "annotations": {"nginx.ingress.kubernetes.io/ssl-redirect": "true"}},
        "spec": {
            "ingressClassName": "nginx",
            "rules": [{"host": host, "http": {"paths": [{
                "path": "/", "pathType": "Prefix",
                "backend": {"service": {"name": service or name, "port": {"number": 80}}}}]}}],
        },
    }
    if tls:
        o["spec"]["tls"] = [{"hosts": [host], "secretName": name + "-tls"}]
    return o


def service(ns, name):
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns},
            "spec": {"selector": {"app": name}, "ports": [{"port": 80, "targetPort": 8080}]}}


state = []
objects = [
    {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
     "metadata": {"name": "nginx", "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"}},
     "spec": {"controller": "k8s.io/ingress-nginx"}},
    {"apiVersion": "apps/v1", "kind": "Deployment",
     "metadata": {"name": "ingress-nginx-controller", "namespace": "ingress-nginx"},
     "spec": {"selector": {"matchLabels": {"app": "ingress-nginx"}},
              "template": {"metadata": {"labels": {"app": "ingress-nginx"}},
                           "spec": {"containers": [{"name": "controller",
                                                    "image": "registry.k8s.io/ingress-nginx/controller:v1.15.1",
                                                    "args": ["/nginx-ingress-controller",
                                                             "--configmap=$(POD_NAMESPACE)/ingress-nginx-controller"]}]}}}},
    {"apiVersion": "v1", "kind": "ConfigMap",
     "metadata": {"name": "ingress-nginx-controller", "namespace": "ingress-nginx"},
     "data": {"allow-snippet-annotations": "false", "annotations-risk-level": "High"}},
]
for i in range(count):
    ns = "team-%02d" % (i % namespaces)
    name = "app-%05d" % i
    host = "%s.%s.example.com" % (name, ns)
    state.append((ns, name, host))
    objects.append(ingress(ns, name, host))
    objects.append(service(ns, name))

with open(os.path.join(out, "state.json"), "w") as f:
    json.dump({"apiVersion": "v1", "kind": "List", "items": objects}, f)


def review(uid, op, obj, dry_run):
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "request": {"uid": uid,
                        "kind": {"group": "networking.k8s.io", "version": "v1", "kind": "Ingress"},
                        "resource": {"group": "networking.k8s.io", "version": "v1", "resource": "ingresses"},
                        "operation": op, "namespace": obj["metadata"]["namespace"], "name": obj["metadata"]["name"],
                        "userInfo": {"username": "bench"}, "dryRun": dry_run, "object": obj}}


lines = []
for i in range(400):
    kind = i % 20
    if kind < 10:
        ns, name, host = rng.choice(state)
        lines.append(review("u%d" % i, "UPDATE", ingress(ns, name, host), False))
    elif kind < 14:
        ns = "team-%02d" % rng.randrange(namespaces)
        name = "new-%d" % i
        lines.append(review("u%d" % i, "CREATE", ingress(ns, name, name + ".example.org", service=name), True))
    elif kind < 17:
        ns, name, host = rng.choice(state)
        other = "team-%02d" % ((int(ns[5:]) + 1) % namespaces)
        lines.append(review("u%d" % i, "CREATE", ingress(other, "grab-%d" % i, host), True))
    else:
        ns = "team-%02d" % rng.randrange(namespaces)
        lines.append(review("u%d" % i, "CREATE", ingress(ns, "plain-%d" % i, "plain-%d.example.org" % i, tls=False), True))
with open(os.path.join(out, "reviews.jsonl"), "w") as f:
    for r in lines:
        f.write(json.dumps(r, separators=(",", ":")) + "\n")
print("state: %d Ingresses, %d objects; %d reviews" % (count, len(objects), len(lines)))
