#include "handlers.hpp"

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "payloads.hpp"

namespace soak {
namespace {

using namespace std::chrono_literals;
using nanofaas::Response;

/// A per-thread random number (handlers run on worker threads).
std::uint64_t roll() {
  thread_local std::uint64_t state = mix(reinterpret_cast<std::uintptr_t>(&state), 7);
  state = mix(state, 1);
  return state;
}

/// Behaviours a nested or spawned event gets: quick ones, so that chains stay short.
char quick_behaviour() {
  constexpr char choices[] = {behaviour::succeed, behaviour::succeed, behaviour::fail,
                              behaviour::throw_error, behaviour::flaky};
  return choices[roll() % sizeof choices];
}

const std::string& random_async_function(const Fleet& fleet) {
  return fleet.async_names[roll() % fleet.async_names.size()];
}

/// Context::invoke_async of `name` with a tracked event; the ledger learns how it went.
void spawn_event(const HandlerWorld& world, const nanofaas::Context& context, std::string_view name,
                 char behaviour) {
  const auto seq = world.ledger->next_seq();
  if (!seq) return;
  const std::string body = async_body(*seq, behaviour, 0);
  const auto id = context.invoke_async(name, body);
  if (id) {
    world.ledger->accepted(*seq, *id, world.fleet->profile_of(name), false);
  } else {
    world.ledger->rejected(*seq);
  }
}

/// A nested synchronous call of another function, with an untracked body.
bool call_another(const HandlerWorld& world, const nanofaas::Context& context) {
  const auto result =
      context.invoke(random_async_function(*world.fleet), untracked_body(quick_behaviour()));
  return result && result->ok();
}

}  // namespace

Response run_event(const HandlerWorld& world, const nanofaas::Event& event,
                   nanofaas::Context& context) {
  const AsyncBody body = parse_async_body(event.body());
  switch (body.behaviour) {
    case behaviour::fail: return Response::error("SoakFailure", "the event asked to fail");
    case behaviour::throw_error: throw std::runtime_error("the event asked to throw");
    case behaviour::time_out:
      context.sleep_for(1h);  // cut short at the deadline: the invocation times out
      return Response::ok("too late");
    case behaviour::flaky:
      if (!body.seq || world.ledger->attempt(*body.seq) < 2) {
        return Response::error("SoakFlaky", "fails its first two attempts");
      }
      return Response::ok("third time lucky");
    case behaviour::nested_call:
      return call_another(world, context) ? Response::ok("nested ok")
                                          : Response::error("SoakNested", "nested call failed");
    case behaviour::nested_event:
      spawn_event(world, context, random_async_function(*world.fleet), quick_behaviour());
      return Response::ok("spawned");
    case behaviour::loop:
      spawn_event(world, context, context.function_name(), behaviour::loop);
      return Response::ok("looped");
    case behaviour::pause:
      context.sleep_for(std::chrono::microseconds(20 + roll() % 200));
      return Response::ok("paused");
    default: return Response::ok("ok");
  }
}

Response run_audit(const HandlerWorld&, const nanofaas::Event& event, nanofaas::Context&) {
  const auto seq = parse_async_body(event.body()).seq;
  if (seq && mix(*seq, 99) % 10 == 0) return Response::error("SoakAudit", "audit refused");
  return Response::ok("audited");
}

Response run_batch(const HandlerWorld& world, const nanofaas::Event& event,
                   nanofaas::Context& context, bool report_items) {
  const auto records = event.records();
  if (records.empty()) return Response();
  const auto first = message_seq(records.front().body.view()).value_or(0);
  const std::uint64_t fate = mix(first, records.front().receive_count) % 1000;
  if (fate < 15) throw std::runtime_error("the batch asked to throw");
  if (fate < 25) return Response::error("SoakBatch", "the batch asked to fail");
  if (fate < 35) {
    context.sleep_for(1h);  // cut short at the deadline: the batch times out
    return Response();
  }
  if (fate < 75) (void)call_another(world, context);
  std::vector<std::string> failed;
  std::vector<std::optional<std::uint64_t>> done;
  done.reserve(records.size());
  for (const nanofaas::Record& r : records) {
    const auto seq = message_seq(r.body.view());
    const char kind = seq ? kind_of_message(*seq, world.fleet->seed) : message_kind::succeed;
    const bool fails =
        kind == message_kind::poison || (kind == message_kind::fail_once && r.receive_count == 1);
    if (fails) {
      failed.emplace_back(r.id);
    } else {
      done.push_back(seq);
    }
  }
  if (!report_items && !failed.empty()) {
    return Response::error("SoakBatch", std::to_string(failed.size()) + " messages failed");
  }
  for (const auto& seq : done) world.messages->succeeded(seq);
  return Response::batch_item_failures(std::move(failed));
}

}  // namespace soak
