#include "chaos.hpp"

#include "payloads.hpp"

namespace soak {
namespace {

constexpr std::uint32_t max_versions = 4;

/// How often each action is picked, in `ChaosAction` order (out of 1000).
constexpr std::array<unsigned, chaos_action_count> weights = {170, 130, 40,  100, 20, 100,
                                                              20,  120, 110, 110, 40, 40};

}  // namespace

const char* chaos_action_name(ChaosAction action) {
  static constexpr const char* names[] = {
      "put reservation", "delete reservation", "publish version", "create/update alias",
      "delete alias",    "put invoke config",  "provision",       "create mapping",
      "update mapping",  "delete mapping",     "reclaim idle",    "read metrics"};
  return names[static_cast<std::size_t>(action)];
}

Chaos::Chaos(nanofaas::Engine& engine, const Fleet& fleet, const Outcomes& outcomes,
             QueueFarm& farm, std::uint64_t seed)
    : engine_(engine),
      fleet_(fleet),
      outcomes_(outcomes),
      farm_(farm),
      rng_(seed),
      names_(fleet.all_names()),
      versioned_(fleet.versioned_names()),
      versions_(versioned_.size(), 1),  // register_fleet publishes version 1 and "live"
      has_alias_(versioned_.size(), true) {}

void Chaos::step() {
  unsigned roll = static_cast<unsigned>(rng_() % 1000);
  std::size_t action = 0;
  while (action + 1 < chaos_action_count && roll >= weights[action]) roll -= weights[action++];
  const bool done = act(static_cast<ChaosAction>(action));
  ++(done ? counts_.done : counts_.refused)[action];
}

bool Chaos::act(ChaosAction action) {
  const std::string& name = names_[rng_() % names_.size()];
  const std::size_t i = rng_() % versioned_.size();
  MappedQueue& queue = farm_.queues()[rng_() % farm_.queues().size()];
  switch (action) {
    case ChaosAction::put_reservation: {
      constexpr std::uint32_t choices[] = {0, 1, 2, 4, 8, 32};
      return engine_.put_function_concurrency(name, choices[rng_() % 6]).has_value();
    }
    case ChaosAction::delete_reservation:
      return engine_.delete_function_concurrency(name).has_value();
    case ChaosAction::publish_version: {
      if (versions_[i] >= max_versions) return false;
      if (!engine_.publish_version(versioned_[i])) return false;
      ++versions_[i];
      return true;
    }
    case ChaosAction::set_alias: return set_alias(i);
    case ChaosAction::delete_alias:
      if (!has_alias_[i] || !engine_.delete_alias(versioned_[i], "live")) return false;
      has_alias_[i] = false;
      return true;
    case ChaosAction::put_invoke_config: return put_invoke_config();
    case ChaosAction::provision: return provision();
    case ChaosAction::create_mapping:
      return queue.mappings.size() < 3 && farm_.create_mapping(engine_, queue, rng_);
    case ChaosAction::update_mapping: return farm_.update_mapping(engine_, queue, rng_);
    case ChaosAction::delete_mapping:
      // A queue keeps one mapping most of the time, so that its messages keep moving.
      return (queue.mappings.size() > 1 || rng_() % 4 == 0) &&
             farm_.delete_mapping(engine_, queue, rng_);
    case ChaosAction::reclaim: engine_.reclaim_idle_environments(); return true;
    case ChaosAction::read_metrics: return !engine_.metrics().functions.empty();
  }
  return false;
}

bool Chaos::set_alias(std::size_t i) {
  const std::uint32_t versions = versions_[i];
  const std::string& name = versioned_[i];
  nanofaas::AliasConfig alias{.name = "live",
                              .function_version = std::to_string(1 + rng_() % versions)};
  if (versions > 1 && rng_() % 2 == 0) {
    alias.additional_version = std::to_string(1 + rng_() % versions);
    if (alias.additional_version == alias.function_version) alias.additional_version.clear();
    if (!alias.additional_version.empty()) alias.additional_weight = 0.3;
  }
  const bool ok = has_alias_[i] ? engine_.update_alias(name, alias).has_value()
                                : engine_.create_alias(name, alias).has_value();
  if (ok) has_alias_[i] = true;
  return ok;
}

bool Chaos::put_invoke_config() {
  // Async functions only: their destinations stay those of their profile; retries and event
  // age change, on $LATEST, a version or the alias.
  const std::size_t i = rng_() % fleet_.async_names.size();
  std::string target = fleet_.async_names[i];
  const std::uint64_t pick = fleet_.versioned(target) ? rng_() % 3 : 0;
  if (pick == 1) target += ":live";
  if (pick == 2) {
    target += ':';
    target += std::to_string(1 + rng_() % max_versions);
  }
  const auto config =
      outcomes_.async_config(fleet_.profiles[i], fleet_.audits[i], random_retry_settings(rng_()));
  return engine_.put_function_event_invoke_config(target, config).has_value();
}

bool Chaos::provision() {
  // Blocks until the environments are ready; removed again on the next call.
  if (!provisioned_.empty()) {
    const bool ok = engine_.put_provisioned_concurrency(provisioned_.back(), 0).has_value();
    provisioned_.pop_back();
    return ok;
  }
  const std::size_t i = rng_() % versioned_.size();
  if (!versioned_[i].starts_with('a')) return false;  // async functions only
  std::string target = versioned_[i];
  target += ':';
  target += std::to_string(1 + rng_() % versions_[i]);
  if (!engine_.put_provisioned_concurrency(target, 1 + rng_() % 2)) return false;
  provisioned_.push_back(std::move(target));
  return true;
}

}  // namespace soak
