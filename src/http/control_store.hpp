#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace nanofaas::http {

/// What the Lambda API reports that the engine does not keep: alias descriptions, mappings'
/// filter patterns and modification times, event invoke configs' modification times. Keys
/// are "function:alias", mapping UUIDs and qualified names. Guarded by `mutex`.
struct ControlStore {
  struct Mapping {
    std::vector<std::string> patterns{};
    double last_modified = 0;  // epoch seconds
  };

  std::mutex mutex;
  std::map<std::string, std::string, std::less<>> alias_descriptions;
  std::map<std::string, Mapping, std::less<>> mappings;
  std::map<std::string, double, std::less<>> invoke_config_modified;
};

}  // namespace nanofaas::http
