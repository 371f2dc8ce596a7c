#include "core/registry.hpp"

#include <charconv>
#include <random>
#include <shared_mutex>
#include <string>

#include "common/fail.hpp"
#include "common/hash.hpp"

namespace nanofaas::detail {
namespace {

/// A per-thread xorshift generator for alias weights (no shared state on the call path).
double random_unit() noexcept {
  thread_local std::uint64_t s = std::random_device{}() | 1;
  s ^= s << 13;
  s ^= s >> 7;
  s ^= s << 17;
  return static_cast<double>(s >> 11) * 0x1.0p-53;
}

bool all_digits(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

Unexpected<Error> not_found(std::string_view qualified_name) {
  return fail(Errc::not_found, "Function not found: " + std::string(qualified_name));
}

}  // namespace

std::size_t Registry::hash_of(std::string_view name) noexcept {
  // FNV-1a: function names are short, where it costs a few instructions a byte.
  return static_cast<std::size_t>(fnv1a(name));
}

Function* Registry::find(std::string_view name) const noexcept {
  const Index* index = index_.load(std::memory_order_acquire);
  if (index == nullptr) return nullptr;
  const std::size_t hash = hash_of(name);
  const std::size_t mask = index->slots.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = index->slots[i];
    // The pointer is published after the hash: one seen set has its hash in place.
    Function* fn = slot.function.load(std::memory_order_acquire);
    if (fn == nullptr) return nullptr;
    if (slot.hash == hash && fn->name == name) return fn;
  }
}

Expected<Target> Registry::resolve(std::string_view qualified_name) const {
  const std::size_t colon = qualified_name.find(':');
  const std::string_view name = qualified_name.substr(0, colon);
  Function* fn = find(name);
  if (fn == nullptr) return not_found(qualified_name);
  if (colon == std::string_view::npos) return Target{fn, fn->latest.get(), {}};
  const std::string_view qualifier = qualified_name.substr(colon + 1);
  if (qualifier == "$LATEST") return Target{fn, fn->latest.get(), fn->latest->name};
  if (!all_digits(qualifier)) return route(*fn, qualifier, qualified_name);
  std::size_t n = 0;
  std::from_chars(qualifier.data(), qualifier.data() + qualifier.size(), n);
  std::shared_lock lock(fn->mutex);
  if (n == 0 || n > fn->versions.size()) return not_found(qualified_name);
  Version* v = fn->versions[n - 1].get();
  return Target{fn, v, v->name};
}

Expected<Target> Registry::route(Function& fn, std::string_view alias,
                                 std::string_view qualified_name) {
  std::shared_lock lock(fn.mutex);
  auto it = fn.aliases.find(alias);
  if (it == fn.aliases.end()) return not_found(qualified_name);
  const AliasRoute* route = it->second;
  Version* v = route->primary;
  if (route->additional != nullptr && random_unit() < route->additional_weight) {
    v = route->additional;
  }
  return Target{&fn, v, route->name, route};
}

Status Registry::taken(std::string_view name) {
  return fail(Errc::already_exists, "Function already exist: " + std::string(name));
}

void Registry::place(Index& index, Function* fn, std::size_t hash) noexcept {
  const std::size_t mask = index.slots.size() - 1;
  std::size_t i = hash & mask;
  while (index.slots[i].function.load(std::memory_order_relaxed) != nullptr) i = (i + 1) & mask;
  index.slots[i].hash = hash;
  index.slots[i].function.store(fn, std::memory_order_release);
}

void Registry::insert(std::unique_ptr<Function> fn) {
  const Index* current = index_.load(std::memory_order_relaxed);
  const std::size_t size = current == nullptr ? 0 : current->slots.size();
  functions_.reserve(functions_.size() + 1);  // may throw: nothing changed yet
  if (2 * (functions_.size() + 1) > size) {
    // Kept at most half full, so probes stay short. Readers may still be in the old index.
    auto bigger = std::make_unique<Index>(size == 0 ? 64 : 2 * size);
    for (const auto& f : functions_) place(*bigger, f.get(), hash_of(f->name));
    indexes_.reserve(indexes_.size() + 1);
    index_.store(bigger.get(), std::memory_order_release);
    indexes_.push_back(std::move(bigger));
  }
  place(*indexes_.back(), fn.get(), hash_of(fn->name));
  functions_.push_back(std::move(fn));
}

}  // namespace nanofaas::detail
