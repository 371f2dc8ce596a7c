#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string_view>
#include <utility>
#include <vector>

#include "core/function.hpp"
#include "nanofaas/expected.hpp"

namespace nanofaas::detail {

/// A name resolved to what runs: the function, the version, and the qualifier as invoked.
struct Target {
  Function* function = nullptr;
  Version* version = nullptr;
  std::string_view qualifier;         // engine-owned
  const AliasRoute* alias = nullptr;  // set when invoked through an alias
};

/// The engine's functions, by name: one open-addressing index (four {hash, function} slots
/// to a cache line) that callers read without a lock, since functions are never removed.
/// A new function is written into the index in place, its pointer published last; when the
/// index must grow, a larger copy is published and the old one kept for readers still in it.
class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  /// The function named `name`, or nullptr. Lock-free; any thread.
  [[nodiscard]] Function* find(std::string_view name) const noexcept;
  /// Looks up "name", "name:$LATEST", "name:7" or "name:alias" (`not_found` otherwise). An
  /// alias with weights picks a version at random.
  [[nodiscard]] Expected<Target> resolve(std::string_view qualified_name) const;
  /// Where alias `alias` of `fn` sends this call (`not_found`, naming `qualified_name`, when
  /// there is no such alias). Any thread.
  [[nodiscard]] static Expected<Target> route(Function& fn, std::string_view alias,
                                              std::string_view qualified_name);
  /// Registers `fn` unless the name is taken (`already_exists`). `admit()` runs first, under
  /// the registry's lock, and may refuse the function with an error of its own.
  template <class Admit>
  Status add(std::unique_ptr<Function> fn, Admit&& admit) {
    std::lock_guard lock(mutex_);
    if (find(fn->name) != nullptr) return taken(fn->name);
    if (auto ok = admit(); !ok) return ok;
    insert(std::move(fn));
    return {};
  }
  /// Calls `f(function)` for every function, in the order they were registered, under the
  /// registry's lock (registrations wait).
  template <class F>
  void for_each(F&& f) const {
    std::lock_guard lock(mutex_);
    for (const auto& fn : functions_) f(*fn);
  }
  /// Calls `f(version)` for every version of every function ($LATEST first), under the
  /// registry's lock and each function's shared lock.
  template <class F>
  void for_each_version(F&& f) const {
    for_each([&f](Function& fn) {
      std::shared_lock lock(fn.mutex);
      f(*fn.latest);
      for (const auto& v : fn.versions) f(*v);
    });
  }

 private:
  struct Slot {
    std::size_t hash = 0;
    std::atomic<Function*> function{nullptr};
  };
  struct Index {
    explicit Index(std::size_t size) : slots(size) {}
    std::vector<Slot> slots;
  };

  static std::size_t hash_of(std::string_view name) noexcept;
  static Status taken(std::string_view name);
  /// Adds `fn` to the index (growing it first when it would be over half full). Under the lock.
  void insert(std::unique_ptr<Function> fn);
  static void place(Index& index, Function* fn, std::size_t hash) noexcept;

  mutable std::mutex mutex_;  // writers, and `for_each`
  std::vector<std::unique_ptr<Function>> functions_;
  std::vector<std::unique_ptr<Index>> indexes_;  // the current one last; older ones kept
  std::atomic<const Index*> index_{nullptr};
};

}  // namespace nanofaas::detail
