#include "exec/pool.hpp"

#include <mutex>

#include "exec/environment.hpp"
#include "runtime/worker.hpp"

namespace nanofaas::detail {

Environment* Pool::pop(std::vector<Environment*>& list) noexcept {
  if (list.empty()) return nullptr;
  Environment* env = list.back();
  list.pop_back();
  return env;
}

Environment* Pool::try_acquire(std::uint32_t preferred_worker) noexcept {
  if (idle.load(std::memory_order_relaxed) == 0) return nullptr;
  std::lock_guard lock(lock_);
  const std::size_t n = idle_.size();
  if (n == 0) return nullptr;
  Environment* env = pop(idle_[preferred_worker % n].provisioned);
  for (std::size_t i = 0; env == nullptr && i < n; ++i) env = pop(idle_[i].provisioned);
  if (env == nullptr) env = pop(idle_[preferred_worker % n].on_demand);
  for (std::size_t i = 0; env == nullptr && i < n; ++i) env = pop(idle_[i].on_demand);
  if (env != nullptr) idle.fetch_sub(1, std::memory_order_relaxed);
  return env;
}

std::uint32_t Pool::idle_worker_or(std::uint32_t fallback) noexcept {
  if (idle.load(std::memory_order_relaxed) == 0) return fallback;
  std::lock_guard lock(lock_);
  for (std::size_t i = 0; i < idle_.size(); ++i) {
    if (!idle_[i].provisioned.empty()) return static_cast<std::uint32_t>(i);
  }
  for (std::size_t i = 0; i < idle_.size(); ++i) {
    if (!idle_[i].on_demand.empty()) return static_cast<std::uint32_t>(i);
  }
  return fallback;
}

Environment* Pool::try_acquire_on(std::uint32_t worker) noexcept {
  if (idle.load(std::memory_order_relaxed) == 0) return nullptr;
  std::lock_guard lock(lock_);
  if (idle_.empty()) return nullptr;
  WorkerIdle& lists = idle_[worker % idle_.size()];
  Environment* env = pop(lists.provisioned);
  if (env == nullptr) env = pop(lists.on_demand);
  if (env != nullptr) idle.fetch_sub(1, std::memory_order_relaxed);
  return env;
}

void Pool::release(Environment* env, time_point now) {
  env->last_used = now;
  std::lock_guard lock(lock_);
  if (idle_.empty()) idle_.resize(workers_);
  WorkerIdle& lists = idle_[env->worker->index() % idle_.size()];
  (env->provisioned ? lists.provisioned : lists.on_demand).push_back(env);
  idle.fetch_add(1, std::memory_order_relaxed);
}

void Pool::take_expired(time_point cutoff, std::vector<Environment*>& out) {
  std::lock_guard lock(lock_);
  for (WorkerIdle& lists : idle_) {
    // Oldest first (the lists are in release order), so stop at the first fresh one.
    auto& list = lists.on_demand;
    std::size_t expired = 0;
    while (expired < list.size() && list[expired]->last_used < cutoff) ++expired;
    out.insert(out.end(), list.begin(), list.begin() + static_cast<std::ptrdiff_t>(expired));
    list.erase(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(expired));
    idle.fetch_sub(static_cast<std::uint32_t>(expired), std::memory_order_relaxed);
    environments.fetch_sub(static_cast<std::uint32_t>(expired), std::memory_order_relaxed);
  }
}

void Pool::take_provisioned(std::vector<Environment*>& out, std::size_t max) {
  std::lock_guard lock(lock_);
  for (WorkerIdle& lists : idle_) {
    while (max > 0 && !lists.provisioned.empty()) {
      out.push_back(lists.provisioned.back());
      lists.provisioned.pop_back();
      idle.fetch_sub(1, std::memory_order_relaxed);
      environments.fetch_sub(1, std::memory_order_relaxed);
      --max;
    }
  }
}

void Pool::take_idle(std::vector<Environment*>& out) {
  std::lock_guard lock(lock_);
  for (WorkerIdle& lists : idle_) {
    for (auto* list : {&lists.on_demand, &lists.provisioned}) {
      out.insert(out.end(), list->begin(), list->end());
      idle.fetch_sub(static_cast<std::uint32_t>(list->size()), std::memory_order_relaxed);
      environments.fetch_sub(static_cast<std::uint32_t>(list->size()), std::memory_order_relaxed);
      list->clear();
    }
  }
}

}  // namespace nanofaas::detail
