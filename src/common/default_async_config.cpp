#include "common/default_async_config.hpp"

namespace nanofaas::detail {

const AsyncConfig& default_async_config() {
  static const AsyncConfig* const config = new AsyncConfig{};
  return *config;
}

}  // namespace nanofaas::detail
