// What a call is for (a name or a handle) and whether it may run: EngineCore::resolve and
// EngineCore::validate.

#include <shared_mutex>
#include <string>

#include "common/fail.hpp"
#include "core/engine_core.hpp"
#include "core/handle_access.hpp"

namespace nanofaas::detail {
namespace {

bool allowed_by_policy(const Function& function, std::string_view qualifier,
                       std::string_view principal) {
  std::shared_lock lock(function.mutex);
  for (const PolicyStatement& s : function.policy) {
    if (s.principal != "*" && s.principal != principal) continue;
    if (s.qualifier.empty() || s.qualifier == qualifier) return true;
  }
  return false;
}

}  // namespace

Expected<Target> EngineCore::resolve(const FunctionHandle& h) const {
  if (HandleAccess::owner(h) != id) {
    return fail(
        Errc::invalid_argument,
        h ? "the handle of " + std::string(h.qualified_name()) + " was resolved by another engine"
          : std::string("the function handle is empty (resolve it with Engine::resolve)"));
  }
  Function& fn = *HandleAccess::function(h);
  Version* v = HandleAccess::version(h);
  if (v == nullptr) return Registry::route(fn, HandleAccess::qualifier(h), h.qualified_name());
  return Target{&fn, v, HandleAccess::qualifier(h)};
}

Expected<Target> EngineCore::validate(Callee callee, std::size_t payload_size,
                                      std::string_view principal) const {
  if (!accepting()) {
    return fail(Errc::unavailable, "the engine is shutting down");
  }
  auto target = resolve(callee);
  if (!target) return target;
  const std::string_view qualified_name = callee.qualified_name;
  const Version& v = *target->version;
  if (payload_size > v.max_request_bytes) {
    return fail(Errc::request_too_large,
                "Request must be smaller than " + std::to_string(v.max_request_bytes) +
                    " bytes for the invoke operation (got " + std::to_string(payload_size) + ")");
  }
  if (!principal.empty() && !allowed_by_policy(*target->function, target->qualifier, principal)) {
    return fail(Errc::permission_denied, std::string(principal) +
                                             " is not authorized to perform: lambda:InvokeFunction "
                                             "on " +
                                             std::string(qualified_name));
  }
  return target;
}

}  // namespace nanofaas::detail
