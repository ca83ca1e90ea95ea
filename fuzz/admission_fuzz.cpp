// libFuzzer target for the AdmissionReview decoder: the bytes are a request
// body; whatever decodes is decided on and encoded. Nothing may crash, hang
// or grow without bound, and every response must be valid JSON.
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "admission/review.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  ig::DecodeResult decoded = ig::decode_review(body);
  if (!decoded.request) return 0;
  ig::Decision d = ig::decide(*decoded.request, {});
  std::string response = ig::encode_response(*decoded.request, d);
  if (nlohmann::json::parse(response, nullptr, false).is_discarded()) __builtin_trap();
  return 0;
}
