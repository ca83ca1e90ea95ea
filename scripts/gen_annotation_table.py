#!/usr/bin/env python3
"""Regenerates src/rules/nginx_annotations.inc from ingress-nginx's annotation
risk table (the CSV in ../shared/corpus/manifests/ingress-nginx/)."""
import csv
import re
import sys

src = sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus/manifests/ingress-nginx/annotation-risk.csv"
named = {"cookieAffinity": ["cookie"], "validProtocols": ["HTTP", "HTTPS", "AUTO_HTTP", "GRPC", "GRPCS", "FCGI"]}
out = ["// ingress-nginx annotations: risk level and the kind of value the controller's",
       "// own validator accepts (internal/ingress/annotations/*, docs/user-guide/",
       "// nginx-configuration/annotations-risk.md at commit dbb11b92). Facts only;",
       "// regenerate with scripts/gen_annotation_table.py when the table changes.",
       '// {name without prefix, risk, value kind, options ("|"-separated) or for Chars the',
       '// controller regex\'s name, case-sensitive (Options) or spaces removed first (Chars)}']
for r in csv.DictReader(open(src)):
    name = r["annotation"].replace("nginx.ingress.kubernetes.io/", "")
    v = r["validator"]
    kind, opts, cs = "Other", "", "true"
    if v.startswith("parser.ValidateBool"):
        kind = "Bool"
    elif v.startswith("parser.ValidateInt"):
        kind = "Int"
    elif v.startswith("parser.ValidateCIDRs"):
        kind = "Cidrs"
    elif "SizeRegex" in v:
        kind = "Size"
    elif v.startswith("parser.ValidateServerName") or v.startswith("parser.ValidateArrayOfServerName"):
        # IsValidRegex on the trimmed value (each comma-separated name for the array form).
        kind, opts, cs = "Chars", "IsValidRegex", "false"
    elif re.match(r'parser\.ValidateRegex\(parser\.(\w+), (true|false)\)', v) and "SizeRegex" not in v:
        # The controller's shared character-class regexes; true: spaces removed before matching.
        m = re.match(r'parser\.ValidateRegex\(parser\.(\w+), (true|false)\)', v)
        kind, opts, cs = "Chars", m.group(1), m.group(2)
    elif v.startswith("parser.ValidateOptions"):
        m = re.match(r"parser\.ValidateOptions\((.*), (true|false), (true|false)\)", v)
        lst, cs = m.group(1), m.group(2)
        if lst.startswith("[]string{"):
            items = [x.strip().strip("\"'") for x in lst[len("[]string{"):-1].split(",")]
            kind, opts = "Options", "|".join(y for i in items for y in named.get(i, [i]))
        elif lst in named:
            kind, opts = "Options", "|".join(named[lst])
    out.append(f'{{"{name}", Risk::{r["risk"]}, ValueKind::{kind}, "{opts}", {cs}}},')
open("src/rules/nginx_annotations.inc", "w").write("\n".join(out) + "\n")
