#!/usr/bin/env python3
"""Changes 1% of the objects of a corpus directory in place (every 100th document, in file order), the
way a pull request would, with one edit per kind: an Ingress loses its rate limit, a Service becomes a
LoadBalancer, a NetworkPolicy admits another namespace, a Namespace is relabelled, a Deployment gets a
new image tag, a ConfigMap a new value, a Secret a label. Prints how many objects of each kind changed."""
import collections
import pathlib
import re
import sys

EDITS = {
    "Ingress": lambda d: re.sub(r'\n    nginx\.ingress\.kubernetes\.io/limit-(rps|connections): "\d+"', "", d),
    "Service": lambda d: d.replace("  type: ClusterIP\n", "  type: LoadBalancer\n", 1),
    "NetworkPolicy": lambda d: d.replace("kubernetes.io/metadata.name: ingress-nginx", "kubernetes.io/metadata.name: monitoring", 1),
    "Namespace": lambda d: re.sub(r"\n    team: (\S+)", r"\n    team: \1-moved", d, count=1),
    "Deployment": lambda d: re.sub(r"(image: \S+:\d+\.\d+\.)(\d+)", lambda m: m.group(1) + str(int(m.group(2)) + 1), d, count=1),
    "ConfigMap": lambda d: d.replace('"value-', '"changed-', 1),
    "Secret": lambda d: re.sub(r"(\n  name: [^\n]+)", r"\1\n  labels: {rotated: 'true'}", d, count=1),
}


def main() -> None:
    root = pathlib.Path(sys.argv[1])
    index = 0
    changed = collections.Counter()
    for path in sorted(root.glob("*.yaml")):
        docs = path.read_text().split("\n---\n")
        for i, doc in enumerate(docs):
            index += 1
            if index % 100:
                continue
            kind = re.search(r"^kind: (\S+)", doc, re.M)
            edit = EDITS.get(kind.group(1)) if kind else None
            if edit and edit(doc) != doc:
                docs[i] = edit(doc)
                changed[kind.group(1)] += 1
        path.write_text("\n---\n".join(docs))
    print(f"changed {sum(changed.values())} of {index} documents: " + ", ".join(f"{k} {v}" for k, v in sorted(changed.items())))


if __name__ == "__main__":
    main()
