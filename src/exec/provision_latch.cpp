#include "exec/provision_latch.hpp"

#include "common/fail.hpp"

namespace nanofaas::detail {

void ProvisionLatch::count_down(std::string_view error) {
  std::lock_guard lock(mutex_);
  if (!error.empty() && error_.empty()) error_ = std::string(error);
  if (--remaining_ == 0) done_.notify_all();
}

Status ProvisionLatch::wait() {
  std::unique_lock lock(mutex_);
  done_.wait(lock, [this] { return remaining_ == 0; });
  if (!error_.empty()) return fail(Errc::invalid_argument, "provisioning failed: " + error_);
  return {};
}

}  // namespace nanofaas::detail
