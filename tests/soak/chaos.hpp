#pragma once

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "fleet.hpp"
#include "nanofaas/engine.hpp"
#include "outcomes.hpp"
#include "queue_farm.hpp"

// The control-plane chaos while events and messages flow: reservations, versions, aliases,
// event invoke configurations, provisioned concurrency, and mappings created, changed and
// deleted.

namespace soak {

/// One kind of change the chaos makes.
enum class ChaosAction : std::uint8_t {
  put_reservation,
  delete_reservation,
  publish_version,
  set_alias,
  delete_alias,
  put_invoke_config,
  provision,
  create_mapping,
  update_mapping,
  delete_mapping,
  reclaim,
  read_metrics,
};
inline constexpr std::size_t chaos_action_count = 12;
/// The action's name, for the report.
const char* chaos_action_name(ChaosAction action);

/// How many of each action the engine took and refused.
struct ChaosCounts {
  std::array<std::uint64_t, chaos_action_count> done{};
  std::array<std::uint64_t, chaos_action_count> refused{};
};

/// Makes random changes, one per `step`, from one thread.
class Chaos {
 public:
  Chaos(nanofaas::Engine& engine, const Fleet& fleet, const Outcomes& outcomes, QueueFarm& farm,
        std::uint64_t seed);

  /// One random change.
  void step();
  [[nodiscard]] const ChaosCounts& counts() const noexcept { return counts_; }

 private:
  [[nodiscard]] bool act(ChaosAction action);
  [[nodiscard]] bool set_alias(std::size_t i);
  [[nodiscard]] bool put_invoke_config();
  [[nodiscard]] bool provision();

  nanofaas::Engine& engine_;
  const Fleet& fleet_;
  const Outcomes& outcomes_;
  QueueFarm& farm_;
  std::mt19937_64 rng_;
  std::vector<std::string> names_;       ///< every function: reservations
  std::vector<std::string> versioned_;   ///< versions, aliases, provisioned concurrency
  std::vector<std::uint32_t> versions_;  ///< published per versioned function
  std::vector<bool> has_alias_;
  std::vector<std::string> provisioned_;
  ChaosCounts counts_;
};

}  // namespace soak
