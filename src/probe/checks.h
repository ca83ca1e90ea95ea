// The catalogue of the live checks `ingressguard probe` reports (IG9xx): what each one tests and how bad it
// is at worst. `explain` and `rules` read it, so every ID the tool can print has an entry.
#pragma once

#include <span>
#include <string_view>

#include "core/severity.h"

namespace ig::probe {

struct CheckInfo {
  std::string_view id;
  std::string_view title;
  Severity severity;              // the highest severity the check reports
  std::string_view description;   // what is sent, what answer fails, at which severity
  std::string_view reference;
};

std::span<const CheckInfo> check_catalog();
const CheckInfo* find_check(std::string_view id);  // "IG920"

}  // namespace ig::probe
