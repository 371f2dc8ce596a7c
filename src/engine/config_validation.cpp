#include "engine/config_validation.hpp"

#include <algorithm>
#include <iterator>
#include <string>
#include <string_view>

#include "common/fail.hpp"
#include "common/record_queue.hpp"
#include "nanofaas/queue.hpp"

namespace nanofaas::detail {
namespace {

constexpr std::size_t max_description = 256;

// Lambda's pattern for variable names, and the names its runtime reserves.
Status validate_environment_name(const std::string& key) {
  static constexpr std::string_view reserved[] = {"AWS_ACCESS_KEY",
                                                  "AWS_ACCESS_KEY_ID",
                                                  "AWS_DEFAULT_REGION",
                                                  "AWS_EXECUTION_ENV",
                                                  "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                                                  "AWS_LAMBDA_FUNCTION_NAME",
                                                  "AWS_LAMBDA_FUNCTION_VERSION",
                                                  "AWS_LAMBDA_INITIALIZATION_TYPE",
                                                  "AWS_LAMBDA_LOG_GROUP_NAME",
                                                  "AWS_LAMBDA_LOG_STREAM_NAME",
                                                  "AWS_LAMBDA_RUNTIME_API",
                                                  "AWS_REGION",
                                                  "AWS_SECRET_ACCESS_KEY",
                                                  "AWS_SESSION_TOKEN",
                                                  "LAMBDA_RUNTIME_DIR",
                                                  "LAMBDA_TASK_ROOT"};
  const auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  const bool valid =
      !key.empty() && letter(key.front()) && std::all_of(key.begin(), key.end(), [&](char c) {
        return letter(c) || (c >= '0' && c <= '9') || c == '_';
      });
  if (!valid) {
    return fail(Errc::invalid_argument,
                "environment variable name '" + key + "' must match [a-zA-Z][a-zA-Z0-9_]*");
  }
  if (std::find(std::begin(reserved), std::end(reserved), key) != std::end(reserved)) {
    return fail(Errc::invalid_argument,
                "environment variable name '" + key + "' is reserved by Lambda's runtime");
  }
  return {};
}

constexpr std::size_t max_environment_bytes = 4096;
constexpr std::chrono::nanoseconds max_timeout = std::chrono::hours(24);

}  // namespace

Status validate_name(std::string_view name) {
  if (name.empty() || name.size() > 64) {
    return fail(Errc::invalid_argument,
                "function name must be 1 to 64 characters, got " + std::to_string(name.size()));
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) {
      return fail(Errc::invalid_argument, "function name '" + std::string(name) +
                                              "' may contain only A-Z, a-z, 0-9, '-' and '_'");
    }
  }
  return {};
}

Status validate_async_config(const AsyncConfig& async) {
  if (async.maximum_retry_attempts > 2) {
    return fail(Errc::invalid_argument, "async.maximum_retry_attempts must be 0 to 2");
  }
  // Lambda's MaximumEventAgeInSeconds is 60 to 21600; shorter ages are allowed in-process.
  if (async.maximum_event_age.count() <= 0 || async.maximum_event_age > std::chrono::hours(6)) {
    return fail(Errc::invalid_argument,
                "async.maximum_event_age must be positive and at most 6 hours (21600 s)");
  }
  for (auto d : async.retry_delays) {
    if (d.count() < 0 || d > max_timeout * 365) {
      return fail(Errc::invalid_argument, "async.retry_delays must be non-negative");
    }
  }
  if (async.max_queue_depth == 0) {
    return fail(Errc::invalid_argument, "async.max_queue_depth must be positive");
  }
  for (const auto& [queue, field] :
       {std::pair{async.on_success.queue.get(), "async.on_success"},
        std::pair{async.on_failure.queue.get(), "async.on_failure"},
        std::pair{async.dead_letter_queue.get(), "async.dead_letter_queue"}}) {
    if (auto s = detail::validate_record_queue(queue, field); !s) return s;
  }
  return {};
}

Status validate_logging_config(const LoggingConfig& logging) {
  if (logging.log_format != LogFormat::text && logging.log_format != LogFormat::json) {
    return fail(Errc::invalid_argument, "log_format must be Text or JSON");
  }
  if (logging.application_log_level > LogLevel::fatal) {
    return fail(Errc::invalid_argument,
                "application_log_level must be TRACE, DEBUG, INFO, WARN, ERROR or FATAL");
  }
  if (logging.system_log_level != LogLevel::debug && logging.system_log_level != LogLevel::info &&
      logging.system_log_level != LogLevel::warn) {
    return fail(Errc::invalid_argument, "system_log_level must be DEBUG, INFO or WARN, got " +
                                            std::string(to_string(logging.system_log_level)));
  }
  return {};
}

Status validate_function_config(const FunctionConfig& config, const EngineConfig& engine) {
  if (auto s = validate_name(config.name); !s) return s;
  if (config.logging) {
    if (auto s = validate_logging_config(*config.logging); !s) return s;
  }
  if (config.description.size() > max_description) {
    return fail(Errc::invalid_argument, "description must be at most 256 characters");
  }
  if (config.timeout.count() <= 0 || config.timeout > max_timeout) {
    return fail(Errc::invalid_argument, "timeout must be positive and at most 24 hours");
  }
  if (auto s = validate_async_config(config.async); !s) return s;
  if (config.keep_alive && config.keep_alive->count() < 0) {
    return fail(Errc::invalid_argument, "keep_alive must not be negative");
  }
  std::size_t env_bytes = 0;
  for (const auto& [key, value] : config.environment) {
    if (auto s = validate_environment_name(key); !s) return s;
    env_bytes += key.size() + value.size();
  }
  if (env_bytes > max_environment_bytes) {
    return fail(Errc::invalid_argument,
                "environment variables exceed 4 KB (" + std::to_string(env_bytes) + " bytes)");
  }
  if (config.reserved_concurrency &&
      *config.reserved_concurrency >
          engine.concurrency_limit -
              std::min(engine.concurrency_limit, engine.unreserved_concurrency_min)) {
    return fail(Errc::invalid_argument, "reserved concurrency " +
                                            std::to_string(*config.reserved_concurrency) +
                                            " exceeds what the engine can reserve");
  }
  for (const auto& statement : config.policy) {
    if (statement.principal.empty()) {
      return fail(Errc::invalid_argument, "policy statement with an empty principal");
    }
  }
  return {};
}

}  // namespace nanofaas::detail
