#!/usr/bin/env python3
"""Writes the objects of YAML manifest files as one `kind: List`, the way `kubectl get -o json` prints
a list (4-space indentation, keys sorted, apiVersion/items/kind/metadata), or compacted (--compact), or
as one YAML List document (--yaml). Usage: yaml_to_list.py OUT FILE... (the bench's large-List input)."""
import json
import sys

import yaml


def main():
    args = sys.argv[1:]
    mode = "json"
    if args and args[0] in ("--compact", "--yaml"):
        mode = args.pop(0)[2:]
    out, files = args[0], args[1:]
    items = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            items.extend(d for d in yaml.load_all(f, Loader=yaml.CSafeLoader) if isinstance(d, dict))
    doc = {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}
    with open(out, "w", encoding="utf-8") as f:
        if mode == "yaml":
            yaml.dump(doc, f, Dumper=yaml.CSafeDumper, default_flow_style=False, sort_keys=True)
        elif mode == "compact":
            json.dump(doc, f, separators=(",", ":"), sort_keys=True)
        else:
            json.dump(doc, f, indent=4, sort_keys=True)
            f.write("\n")


if __name__ == "__main__":
    main()
