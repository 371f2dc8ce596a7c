#include "fleet.hpp"

#include <charconv>
#include <stdexcept>

#include "handlers.hpp"
#include "payloads.hpp"

namespace soak {
namespace {

using namespace std::chrono_literals;

constexpr std::uint32_t audit_count = 4;
constexpr std::uint32_t mapped_count = 12;  // of each kind

std::string numbered(const char* prefix, std::uint32_t i, int width) {
  std::string digits = std::to_string(i);
  std::string name = prefix;
  name.append(static_cast<std::size_t>(std::max(0, width - static_cast<int>(digits.size()))), '0');
  return name + digits;
}

void add(nanofaas::Engine& engine, nanofaas::FunctionConfig config,
         std::function<nanofaas::Response(const nanofaas::Event&, nanofaas::Context&)> handler) {
  auto added = engine.add_function(std::move(config), std::move(handler));
  if (!added) throw std::runtime_error("add_function: " + added.error().message);
}

}  // namespace

Profile Fleet::profile_of(std::string_view name) const {
  if (!name.starts_with('a') || is_audit_function(name)) return Profile::record_sinks;
  std::uint32_t index = 0;
  const auto [end, error] = std::from_chars(name.data() + 1, name.data() + name.size(), index);
  (void)end;
  if (error != std::errc() || index >= profiles.size()) return Profile::record_sinks;
  return profiles[index];
}

bool Fleet::versioned(std::string_view name) const {
  if (name.starts_with('r') || name.starts_with('w')) return true;
  if (!name.starts_with('a') || is_audit_function(name)) return false;
  std::uint32_t index = 0;
  (void)std::from_chars(name.data() + 1, name.data() + name.size(), index);
  return index % 8 == 0;
}

std::vector<std::string> Fleet::versioned_names() const {
  std::vector<std::string> names;
  for (const auto& name : all_names()) {
    if (versioned(name)) names.push_back(name);
  }
  return names;
}

std::vector<std::string> Fleet::all_names() const {
  std::vector<std::string> names = async_names;
  for (const auto* group : {&audit_names, &report_names, &whole_names}) {
    names.insert(names.end(), group->begin(), group->end());
  }
  return names;
}

Fleet make_fleet(std::uint32_t functions, std::uint64_t seed) {
  Fleet fleet;
  fleet.seed = seed;
  for (std::uint32_t i = 0; i < audit_count; ++i)
    fleet.audit_names.push_back(numbered("audit", i, 1));
  for (std::uint32_t i = 0; i < functions; ++i) {
    fleet.async_names.push_back(numbered("a", i, 3));
    const auto profile = static_cast<Profile>(1 + i % profile_count);
    fleet.profiles.push_back(profile);
    fleet.audits.push_back(profile == Profile::audit_function ? fleet.audit_names[i % audit_count]
                                                              : std::string());
  }
  for (std::uint32_t i = 0; i < mapped_count; ++i) {
    fleet.report_names.push_back(numbered("r", i, 2));
    fleet.whole_names.push_back(numbered("w", i, 2));
  }
  return fleet;
}

RetrySettings random_retry_settings(std::uint64_t seed) {
  RetrySettings retry;
  retry.maximum_retry_attempts = static_cast<std::uint32_t>(mix(seed, 1) % 3);
  const std::uint64_t delays = mix(seed, 2) % 3;
  for (std::uint64_t d = 0; d < delays; ++d) {
    retry.retry_delays.push_back(std::chrono::microseconds(mix(seed, 3 + d) % 3000));
  }
  if (mix(seed, 7) % 5 == 0) {
    retry.maximum_event_age = std::chrono::milliseconds(20 + mix(seed, 8) % 280);
  }
  return retry;
}

void register_fleet(nanofaas::Engine& engine, const Fleet& fleet, const HandlerWorld& world,
                    const Outcomes& outcomes) {
  const HandlerWorld* w = &world;
  for (std::uint32_t i = 0; i < fleet.audit_names.size(); ++i) {
    nanofaas::FunctionConfig config{.name = fleet.audit_names[i], .timeout = 50ms};
    config.async = outcomes.async_config(Profile::record_sinks, "",
                                         {.maximum_retry_attempts = 1, .retry_delays = {1ms}});
    add(engine, std::move(config),
        [w](const nanofaas::Event& e, nanofaas::Context& c) { return run_audit(*w, e, c); });
  }
  for (std::uint32_t i = 0; i < fleet.async_names.size(); ++i) {
    const std::uint64_t s = mix(fleet.seed, 1000 + i);
    nanofaas::FunctionConfig config{.name = fleet.async_names[i]};
    config.timeout = std::chrono::microseconds(2000 + mix(s, 1) % 8000);
    config.keep_alive = std::chrono::milliseconds(20 + mix(s, 2) % 2000);
    config.async =
        outcomes.async_config(fleet.profiles[i], fleet.audits[i], random_retry_settings(s));
    add(engine, std::move(config),
        [w](const nanofaas::Event& e, nanofaas::Context& c) { return run_event(*w, e, c); });
  }
  for (const bool report : {true, false}) {
    for (const auto& name : report ? fleet.report_names : fleet.whole_names) {
      nanofaas::FunctionConfig config{.name = name, .timeout = 20ms};
      config.keep_alive = 200ms;
      add(engine, std::move(config), [w, report](const nanofaas::Event& e, nanofaas::Context& c) {
        return run_batch(*w, e, c, report);
      });
    }
  }
  for (const auto& name : fleet.versioned_names()) {
    auto version = engine.publish_version(name);
    if (!version) throw std::runtime_error("publish_version: " + version.error().message);
    auto alias = engine.create_alias(name, {.name = "live", .function_version = *version});
    if (!alias) throw std::runtime_error("create_alias: " + alias.error().message);
  }
}

}  // namespace soak
