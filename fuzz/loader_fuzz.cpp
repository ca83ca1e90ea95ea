// libFuzzer target for the manifest loader: the bytes are loaded as YAML and
// as JSON (TLS Secrets in them go through the certificate reader), every rule
// runs over whatever loaded, and the same bytes are read as a policy file.
// Nothing may crash, hang or grow without bound.
#include <cstddef>
#include <cstdint>
#include <string>

#include "load/loader.h"
#include "policy/policy.h"
#include "rules/rule.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  for (ig::InputFormat format : {ig::InputFormat::Yaml, ig::InputFormat::Json}) {
    ig::Cluster cluster;
    ig::Loader loader(cluster);
    loader.load_buffer("fuzz", input, format);
    cluster.index();
    (void)ig::run_rules(cluster);
  }
  ig::Cluster cluster;
  std::vector<ig::LoadError> errors;
  if (auto policy = ig::load_policy_text("fuzz-policy", input, cluster, errors)) {
    ig::RuleSettings settings;
    settings.policy = &*policy;
    (void)ig::run_rules(cluster, settings);
  }
  return 0;
}
