#include "exec/provision_latch.hpp"

#include "common/fail.hpp"

namespace nanofaas::detail {

void ProvisionLatch::count_down(std::string_view error) {
  std::lock_guard lock(mutex_);
  if (!error.empty() && error_.empty()) error_ = std::string(error);
  if (--remaining_ == 0) done_.notify_all();
}

Status ProvisionLatch::result() const {
  if (!error_.empty()) return fail(Errc::invalid_argument, "provisioning failed: " + error_);
  return {};
}

Status ProvisionLatch::stopped() {
  return fail(Errc::unavailable, "the engine shut down before the environments were ready");
}

}  // namespace nanofaas::detail
