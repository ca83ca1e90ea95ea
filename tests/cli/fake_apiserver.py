#!/usr/bin/env python3
"""A test endpoint that answers the real kubectl as a Kubernetes API server does, for the reads
`ingressguard scan --cluster` makes. No kube-apiserver can be installed on the test machines, so this
follows the API's documented wire format for exactly these requests:

- discovery: GET /version, /api (APIVersions), /apis (APIGroupList), /api/v1 and /apis/GROUP/VERSION
  (APIResourceList); answered in the legacy format with Content-Type application/json, which kubectl
  accepts when it asked for aggregated discovery first;
- lists: GET /api/v1/RESOURCE, /apis/GROUP/VERSION/RESOURCE and the namespaced forms
  .../namespaces/NS/RESOURCE, as a KIND+"List" with metadata.resourceVersion and, while items remain,
  metadata.continue; at most `page_size` items per page whatever `limit` asks (the API allows fewer);
  items of built-in kinds without apiVersion and kind, as the API server sends them; fieldSelector
  `type=...` on Secrets;
- errors: 401 without the bearer token, 403 Forbidden for resources marked so, 404 otherwise, each a
  Status object.

Usage: fake_apiserver.py FIXTURE.json CERT.pem KEY.pem
FIXTURE: {"token": "...", "page_size": 2, "resources": [{"group": "", "version": "v1", "name": "services",
          "kind": "Service", "namespaced": true, "forbidden": false, "items": [...]}]}
Prints "listening PORT" once it accepts connections on 127.0.0.1, and logs each request line to stderr.
It stops by itself after 120 seconds.
"""
import base64
import http.server
import json
import ssl
import sys
import threading
import urllib.parse

fixture = json.load(open(sys.argv[1]))
RESOURCES = fixture["resources"]
TOKEN = fixture["token"]
PAGE = fixture.get("page_size", 500)
BUILTIN_GROUPS = {"", "apps", "batch", "networking.k8s.io", "policy"}
VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


def status(code, reason, message, details=None):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
            "reason": reason, "code": code}
    if details:
        body["details"] = details
    return code, body


def group_version(r):
    return r["version"] if r["group"] == "" else r["group"] + "/" + r["version"]


def discovery(path):
    if path == "/version":
        return 200, {"major": "1", "minor": "32", "gitVersion": "v1.32.4", "gitCommit": "", "gitTreeState": "clean",
                     "buildDate": "2025-04-22T00:00:00Z", "goVersion": "go1.23.8", "compiler": "gc",
                     "platform": "linux/amd64"}
    if path == "/api":
        return 200, {"kind": "APIVersions", "versions": ["v1"],
                     "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:443"}]}
    if path == "/apis":
        groups = {}
        for r in RESOURCES:
            if r["group"]:
                gv = {"groupVersion": group_version(r), "version": r["version"]}
                g = groups.setdefault(r["group"], {"name": r["group"], "versions": [], "preferredVersion": gv})
                if gv not in g["versions"]:
                    g["versions"].append(gv)
        return 200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": list(groups.values())}
    for prefix in ("/api/", "/apis/"):
        if path.startswith(prefix):
            gv = path[len(prefix):]
            listed = [r for r in RESOURCES if group_version(r) == gv]
            if listed and gv.count("/") <= 1:
                return 200, {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": [
                    {"name": r["name"], "singularName": r["kind"].lower(), "namespaced": r["namespaced"],
                     "kind": r["kind"], "verbs": VERBS} for r in listed]}
    return None


def list_resource(path, query):
    parts = path.strip("/").split("/")
    # api/v1/[namespaces/NS/]RESOURCE or apis/GROUP/VERSION/[namespaces/NS/]RESOURCE
    if parts[0] == "api":
        group, version, rest = "", parts[1], parts[2:]
    elif parts[0] == "apis" and len(parts) >= 4:
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    namespace = None
    if len(rest) == 3 and rest[0] == "namespaces":
        namespace, rest = rest[1], rest[2:]
    if len(rest) != 1:
        return None
    match = [r for r in RESOURCES if r["group"] == group and r["version"] == version and r["name"] == rest[0]]
    if not match:
        return status(404, "NotFound", "the server could not find the requested resource")
    r = match[0]
    plural = r["name"] if not group else r["name"] + "." + group
    # "forbidden": true forbids every list; "cluster-scope" only the list across all namespaces (a Role per namespace).
    if r.get("forbidden") is True or (r.get("forbidden") == "cluster-scope" and namespace is None):
        scope = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
        return status(403, "Forbidden",
                      f'{plural} is forbidden: User "system:serviceaccount:ingressguard:audit" cannot list resource '
                      f'"{r["name"]}" in API group "{group}" {scope}', {"group": group, "kind": r["name"]})
    items = [i for i in r["items"] if namespace is None or i.get("metadata", {}).get("namespace") == namespace]
    selector = query.get("fieldSelector", [""])[0]
    if selector.startswith("type="):
        items = [i for i in items if i.get("type") == selector[5:]]
    start = int(base64.b64decode(query["continue"][0]).decode()) if "continue" in query else 0
    limit = min(int(query.get("limit", ["500"])[0] or 500), PAGE)
    page = items[start:start + limit]
    if group in BUILTIN_GROUPS:  # typed lists carry no apiVersion/kind on their items
        page = [{k: v for k, v in i.items() if k not in ("apiVersion", "kind")} for i in page]
    meta = {"resourceVersion": "4711"}
    if start + limit < len(items):
        meta["continue"] = base64.b64encode(str(start + limit).encode()).decode()
    return 200, {"kind": r["kind"] + "List", "apiVersion": group_version(r), "metadata": meta, "items": page}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("request " + (fmt % args) + "\n")

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if self.headers.get("Authorization") != "Bearer " + TOKEN:
            code, body = status(401, "Unauthorized", "Unauthorized")
        else:
            answer = discovery(url.path) or list_resource(url.path, urllib.parse.parse_qs(url.query))
            code, body = answer if answer else status(404, "NotFound", "the server could not find the requested resource")
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(sys.argv[2], sys.argv[3])
server.socket = context.wrap_socket(server.socket, server_side=True)
threading.Timer(120, server.shutdown).start()
print("listening", server.server_address[1], flush=True)
server.serve_forever()
