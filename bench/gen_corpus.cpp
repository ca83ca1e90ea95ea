// Generates a realistic manifest corpus for the scan benchmark: a directory
// of multi-document YAML files, each a small "application" set (Namespace,
// Deployment, Service, Ingress with many annotations, NetworkPolicy, TLS
// Secret, ConfigMap), with some insecure settings mixed in. Deterministic.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "testing/certgen.h"

namespace fs = std::filesystem;

namespace {

struct Rng {
  uint64_t s;
  uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  size_t below(size_t n) { return static_cast<size_t>(next() % n); }
};

// A real certificate per application (so that the scan pays for reading it),
// issued by one private CA as cert-manager would: mostly P-256 keys, one in 16
// RSA-2048 (from a small pool of keys, since RSA generation is slow), one in
// 10 expired.
ig::testing::KeyPair certificate(Rng& rng, const std::string& host) {
  static std::vector<std::string> rsa_keys;
  static ig::testing::KeyPair ca;
  if (rsa_keys.empty()) {
    for (int k = 0; k < 4; ++k) rsa_keys.push_back(ig::testing::make_key("rsa:2048"));
    ig::testing::CertSpec ca_spec;
    ca_spec.common_name = "Bench Shop CA";
    ca_spec.ca = true;
    ca_spec.not_after_days = 3650;
    ca = ig::testing::make_certificate(ca_spec);
  }
  ig::testing::CertSpec spec;
  spec.issuer = &ca;
  spec.dns_names = {host};
  if (rng.below(10) == 0) spec.not_after_days = -3;
  if (rng.below(16) == 0) return ig::testing::make_certificate_with_key(spec, rsa_keys[rng.below(rsa_keys.size())]);
  return ig::testing::make_certificate(spec);
}

void app(std::ostream& out, Rng& rng, size_t i) {
  std::string ns = "team-" + std::to_string(i % 97);
  std::string name = "svc-" + std::to_string(i);
  std::string host = name + ".apps.example.com";
  bool insecure = rng.below(4) == 0;
  out << "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: " << ns << "\n  labels:\n    team: t" << (i % 97) << "\n";
  out << "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " << name << "\n  namespace: " << ns
      << "\n  labels:\n    app: " << name << "\n    app.kubernetes.io/part-of: shop\nspec:\n  replicas: 3\n  selector:\n    matchLabels:\n      app: "
      << name << "\n  template:\n    metadata:\n      labels:\n        app: " << name
      << "\n        tier: web\n    spec:\n      serviceAccountName: " << name
      << "\n      securityContext:\n        runAsNonRoot: true\n      containers:\n      - name: app\n        image: registry.example.com/shop/" << name
      << ":1." << (i % 20) << ".3\n        args: [\"--port=8080\", \"--log-level=info\"]\n        ports:\n        - containerPort: 8080\n          name: http\n"
      << "        resources:\n          requests: {cpu: 100m, memory: 128Mi}\n          limits: {cpu: 500m, memory: 256Mi}\n"
      << "        readinessProbe:\n          httpGet: {path: /healthz, port: http}\n        env:\n        - name: MODE\n          value: production\n";
  out << "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: " << name << "\n  namespace: " << ns << "\nspec:\n  type: "
      << (insecure && rng.below(3) == 0 ? "LoadBalancer" : "ClusterIP") << "\n  selector:\n    app: " << name
      << "\n  ports:\n  - name: http\n    port: 80\n    targetPort: http\n";
  out << "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: " << name << "\n  namespace: " << ns
      << "\n  annotations:\n";
  static const char* kAnnotations[] = {
      "nginx.ingress.kubernetes.io/proxy-body-size: \"8m\"",
      "nginx.ingress.kubernetes.io/proxy-read-timeout: \"60\"",
      "nginx.ingress.kubernetes.io/proxy-send-timeout: \"60\"",
      "nginx.ingress.kubernetes.io/limit-rps: \"20\"",
      "nginx.ingress.kubernetes.io/limit-connections: \"10\"",
      "nginx.ingress.kubernetes.io/enable-cors: \"true\"",
      "nginx.ingress.kubernetes.io/cors-allow-origin: \"https://www.example.com\"",
      "nginx.ingress.kubernetes.io/backend-protocol: \"HTTP\"",
      "nginx.ingress.kubernetes.io/affinity: \"cookie\"",
      "nginx.ingress.kubernetes.io/session-cookie-name: \"route\"",
      "nginx.ingress.kubernetes.io/session-cookie-samesite: \"Strict\"",
      "cert-manager.io/cluster-issuer: letsencrypt-prod",
      "external-dns.alpha.kubernetes.io/hostname: shop.example.com",
      "prometheus.io/scrape: \"true\"",
  };
  for (const char* a : kAnnotations) out << "    " << a << "\n";
  if (insecure) {
    out << "    nginx.ingress.kubernetes.io/ssl-redirect: \"false\"\n";
    out << "    nginx.ingress.kubernetes.io/whitelist-source-range: \"10.0.0.0/8,0.0.0.0/0\"\n";
  }
  out << "spec:\n  ingressClassName: nginx\n";
  if (!insecure) out << "  tls:\n  - hosts:\n    - " << host << "\n    secretName: " << name << "-tls\n";
  out << "  rules:\n  - host: " << host << "\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n          service:\n            name: "
      << name << "\n            port:\n              number: 80\n      - path: " << (insecure ? "/actuator" : "/api")
      << "\n        pathType: Prefix\n        backend:\n          service:\n            name: " << name
      << "\n            port:\n              name: http\n";
  out << "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: " << name << "-from-ingress\n  namespace: " << ns
      << "\nspec:\n  podSelector:\n    matchLabels:\n      app: " << name << "\n  policyTypes: [Ingress]\n  ingress:\n  - from:\n"
      << "    - namespaceSelector:\n        matchLabels:\n          kubernetes.io/metadata.name: ingress-nginx\n      podSelector:\n        matchLabels:\n          app.kubernetes.io/name: ingress-nginx\n"
      << "    ports:\n    - protocol: TCP\n      port: 8080\n";
  out << "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: " << name << "-tls\n  namespace: " << ns
      << "\ntype: kubernetes.io/tls\ndata:\n";
  ig::testing::KeyPair kp = certificate(rng, host);
  out << "  tls.crt: " << ig::testing::base64(kp.cert_pem) << "\n  tls.key: " << ig::testing::base64(kp.key_pem) << "\n";
  out << "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " << name << "-config\n  namespace: " << ns << "\ndata:\n";
  for (int k = 0; k < 12; ++k) out << "  setting-" << k << ": \"value-" << rng.below(100000) << "\"\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: ig_gen_corpus DIR MEGABYTES\n";
    return 2;
  }
  fs::path dir = argv[1];
  size_t target = std::stoull(argv[2]) << 20;
  fs::create_directories(dir);
  Rng rng{0x9E3779B97F4A7C15ull};
  size_t written = 0, file_index = 0, app_index = 0;
  constexpr size_t kFileSize = 1 << 20;
  while (written < target) {
    char name[32];
    std::snprintf(name, sizeof name, "apps-%04zu.yaml", file_index++);
    std::ofstream out(dir / name, std::ios::binary);
    size_t start = written;
    while (written - start < kFileSize && written < target) {
      std::streampos before = out.tellp();
      app(out, rng, app_index++);
      written += static_cast<size_t>(out.tellp() - before);
    }
  }
  std::printf("generated %zu bytes, %zu applications, %zu files in %s\n", written, app_index, file_index, dir.c_str());
  return 0;
}
