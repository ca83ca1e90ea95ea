#include "load/live_cluster.h"

#include <algorithm>
#include <cstdlib>
#include <set>
#include <sstream>

#include <unordered_map>

#include "core/text.h"
#include "load/parse.h"
#include "load/subprocess.h"
#include "rules/rule.h"

namespace ig {

namespace {

constexpr const char* kConfigMaps = "configmaps";
constexpr const char* kSecrets = "secrets";

std::vector<std::string> kubectl(const LiveClusterOptions& o, std::vector<std::string> args) {
  std::vector<std::string> argv = {"kubectl"};
  if (!o.kubeconfig.empty()) argv.insert(argv.end(), {"--kubeconfig", o.kubeconfig});
  if (!o.context.empty()) argv.insert(argv.end(), {"--context", o.context});
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

// The first line of kubectl's complaint, made safe to print.
std::string reason(const RunResult& r) {
  if (!r.started) return "kubectl is not on PATH";
  if (r.timed_out) return "kubectl did not answer in time";
  if (r.too_large) return "the answer is larger than the limit";
  std::string first = r.err.substr(0, r.err.find('\n'));
  if (first.rfind("Error from server (Forbidden)", 0) == 0) return "forbidden: " + safe_text(first.substr(31), 300);
  return safe_text(first.empty() ? "kubectl failed" : first, 300);
}

}  // namespace

const std::vector<std::string>& live_cluster_resources() {
  static const std::vector<std::string> kResources = {
      "namespaces", "services", kSecrets, "pods", "ingresses.networking.k8s.io", "ingressclasses.networking.k8s.io",
      "networkpolicies.networking.k8s.io", "deployments.apps", "replicasets.apps", "statefulsets.apps", "daemonsets.apps",
      "jobs.batch", "cronjobs.batch",
      // The Gateway API and the implementations whose resources the rules read.
      "gatewayclasses.gateway.networking.k8s.io", "gateways.gateway.networking.k8s.io",
      "httproutes.gateway.networking.k8s.io", "grpcroutes.gateway.networking.k8s.io",
      "tlsroutes.gateway.networking.k8s.io", "tcproutes.gateway.networking.k8s.io",
      "udproutes.gateway.networking.k8s.io", "referencegrants.gateway.networking.k8s.io",
      "backendtlspolicies.gateway.networking.k8s.io", "listenersets.gateway.networking.x-k8s.io",
      "xlistenersets.gateway.networking.x-k8s.io", "ingressroutes.traefik.io", "ingressroutetcps.traefik.io",
      "middlewares.traefik.io", "tlsoptions.traefik.io", "tlsstores.traefik.io", "serverstransports.traefik.io",
      "httpproxies.projectcontour.io", "tlscertificatedelegations.projectcontour.io",
      "gateways.networking.istio.io", "virtualservices.networking.istio.io", "destinationrules.networking.istio.io",
      "authorizationpolicies.security.istio.io", "peerauthentications.security.istio.io",
      "requestauthentications.security.istio.io", "securitypolicies.gateway.envoyproxy.io",
      "clienttrafficpolicies.gateway.envoyproxy.io", "backendtrafficpolicies.gateway.envoyproxy.io",
      "frontendconfigs.networking.gke.io", "managedcertificates.networking.gke.io",
      "backendconfigs.cloud.google.com", "ingressclassparams.elbv2.k8s.aws",
      // Last: only in the namespaces the caller names once the rest is read.
      kConfigMaps};
  return kResources;
}

LiveClusterRead read_live_cluster(const LiveClusterOptions& o, Loader& loader, std::vector<LoadError>& errors) {
  LiveClusterRead out;
  RunResult ctx = run_captured(kubectl(o, {"config", "current-context"}), 4096, o.timeout_seconds);
  out.context = o.context.empty() ? (ctx.ok() ? ctx.out.substr(0, ctx.out.find('\n')) : std::string()) : o.context;
  // In a pod without a kubeconfig kubectl uses the service account: there is no context to name.
  if (out.context.empty() && std::getenv("KUBERNETES_SERVICE_HOST") && o.kubeconfig.empty()) out.context = "in-cluster";
  std::string where = "cluster://" + (out.context.empty() ? std::string("current-context") : safe_text(out.context, 200));
  RunResult api = run_captured(kubectl(o, {"api-resources", "--verbs=list", "-o", "name"}), 4 << 20, o.timeout_seconds);
  std::set<std::string> served;
  std::istringstream lines(api.out);
  for (std::string l; std::getline(lines, l);)
    if (!l.empty()) served.insert(l);
  // Discovery fails in part when an aggregated API is down: what it listed is still served.
  if (served.empty()) {
    errors.push_back(LoadError{where, {}, "cannot read the cluster's API resources: " + reason(api)});
    return out;
  }
  out.reached = true;
  size_t before = loader.cluster().objects.size();
  auto read = [&](const std::string& resource, std::vector<std::string> extra, const std::string& name) {
    std::vector<std::string> args = {"get", resource, "-o", "json", "--chunk-size=500"};
    args.insert(args.end(), extra.begin(), extra.end());
    // Read as kubectl prints it: a large list is never held whole.
    std::unique_ptr<JsonStream> stream = loader.open_json_stream(where + "/" + name, true);
    uint64_t bytes = 0;
    bool too_large = false;
    RunResult r = run_streaming(kubectl(o, args), o.timeout_seconds, [&](std::string_view chunk) {
      bytes += chunk.size();
      if (bytes > o.max_bytes) too_large = true;
      return !too_large && stream->feed(chunk);
    });
    r.too_large = too_large;
    if (r.stopped && !too_large) {
      stream->finish();  // the answer is not JSON: the error says where
      out.unreadable.push_back(resource + " (its answer could not be read)");
      return false;
    }
    if (!r.ok()) {
      stream->discard();  // a part of a list is not the list: nothing of it is kept
      out.unreadable.push_back(resource + " (" + reason(r) + ")");
      return false;
    }
    stream->finish();
    return true;
  };
  for (const std::string& resource : live_cluster_resources()) {
    if (resource == kConfigMaps || !served.count(resource)) continue;
    std::vector<std::string> selector;
    if (resource == kSecrets) selector.push_back("--field-selector=type=kubernetes.io/tls");
    std::vector<std::string> all = selector;
    all.push_back("--all-namespaces");
    size_t failures = out.unreadable.size();
    if (read(resource, all, resource)) {
      out.read.push_back(resource);
      continue;
    }
    // Forbidden across the cluster: the namespaces the caller named, one by one.
    if (o.namespaces.empty() || out.unreadable.back().find("(forbidden:") == std::string::npos) continue;
    bool each = true;
    for (const std::string& ns : o.namespaces) {
      std::vector<std::string> one = selector;
      one.insert(one.end(), {"--namespace", ns});
      each = read(resource, one, resource + "/" + ns) && each;
    }
    if (each) {
      out.unreadable.resize(failures);
      out.partial.push_back(resource);
    }
  }
  if (served.count(kConfigMaps) && o.configmap_namespaces) {
    bool all = true;
    for (const std::string& ns : o.configmap_namespaces(loader.cluster()))
      all = read(kConfigMaps, {"--namespace", ns}, std::string(kConfigMaps) + "/" + ns) && all;
    if (all) out.read.push_back(kConfigMaps);
  }
  out.objects = loader.cluster().objects.size() - before;
  return out;
}

namespace {

uint64_t key_of(uint32_t line, uint32_t col) { return (static_cast<uint64_t>(line) << 32) | col; }

std::string member(std::string_view key) {
  bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
  return plain ? "." + std::string(key) : "[\"" + safe_text(key, 200) + "\"]";
}

struct FieldAt {
  std::string path, value;
};

// The JSON paths (from each item of the list) of the nodes at the positions asked for.
class PathFinder : public DocumentSink {
 public:
  explicit PathFinder(std::unordered_map<uint64_t, FieldAt>& wanted) : wanted_(wanted) {}
  void on_document(const Document& doc) override {
    const Node* items = doc.root && doc.root->is_map() ? doc.root->get("items") : nullptr;
    if (!items || !items->is_seq()) return;
    for (uint32_t i = 0; i < items->count; ++i) walk(items->item(i), "", false);
  }

 private:
  void walk(const Node* n, const std::string& path, bool secret) {
    note(n, path.empty() ? "." : path, secret);
    if (n->is_map()) {
      // A Secret's data is never echoed, whatever the path.
      if (path.empty()) {
        const Node* kind = n->get("kind");
        secret = kind && kind->is_scalar() && kind->text == "Secret";
      }
      for (uint32_t i = 0; i < n->count; ++i) {
        std::string p = path + member(n->key(i)->text);
        note(n->key(i), p, secret);
        walk(n->value(i), p, secret);
      }
    } else if (n->is_seq()) {
      for (uint32_t i = 0; i < n->count; ++i) walk(n->item(i), path + "[" + std::to_string(i) + "]", secret);
    }
  }
  void note(const Node* n, const std::string& path, bool secret) {
    auto it = wanted_.find(key_of(n->mark.line, n->mark.col));
    if (it == wanted_.end() || !it->second.path.empty()) return;
    it->second.path = path;
    if (!secret && n->is_scalar() && n->text.size() <= 200) it->second.value = safe_text(n->text, 200);
  }
  std::unordered_map<uint64_t, FieldAt>& wanted_;
};

}  // namespace

void locate_live_findings(Cluster& unit, const std::string& cluster_uri, std::vector<Finding>& findings) {
  std::string prefix = cluster_uri + "/";
  auto live = [&](uint32_t file) { return file < unit.files.size() && unit.files[file].path.rfind(prefix, 0) == 0; };
  // The fields asked for, per list whose text was kept.
  std::unordered_map<uint32_t, std::unordered_map<uint64_t, FieldAt>> wanted;
  for (const Finding& f : findings)
    if (live(f.loc.file) && !unit.files[f.loc.file].content.empty()) wanted[f.loc.file][key_of(f.loc.line, f.loc.col)];
  JsonParser parser;
  for (auto& [file, fields] : wanted) {
    std::string text = unit.files[file].content;
    text.reserve(text.size() + kJsonPadding);
    PathFinder finder(fields);
    (void)parser.parse(text, text.capacity(), Mark{1, 1}, ParseLimits{}, finder);
  }
  std::unordered_map<std::string, uint32_t> object_files;
  for (Finding& f : findings) {
    if (!live(f.loc.file) || f.resource.loc.file != f.loc.file || f.resource.name.empty()) continue;
    if (auto w = wanted.find(f.loc.file); w != wanted.end()) {
      const FieldAt& at = w->second[key_of(f.loc.line, f.loc.col)];
      if (!at.path.empty()) f.field = std::make_shared<const Finding::Field>(Finding::Field{at.path, at.value});
    }
    std::string uri = prefix + (f.resource.ns.empty() ? "" : std::string(f.resource.ns) + "/") +
                      std::string(f.resource.kind) + "/" + std::string(f.resource.name);
    auto [it, added] = object_files.emplace(uri, static_cast<uint32_t>(unit.files.size()));
    if (added) unit.files.push_back(SourceFile{uri, {}});
    // The item's first line and its indentation are the object's own first line and column 1.
    Loc start = f.resource.loc;
    uint32_t shift = start.col > 0 ? start.col - 1 : 0;
    f.loc = Loc{it->second, f.loc.line >= start.line ? f.loc.line - start.line + 1 : 1, f.loc.col > shift ? f.loc.col - shift : 1};
    f.resource.loc = Loc{it->second, 1, 1};
  }
}

}  // namespace ig
