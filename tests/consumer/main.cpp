// Uses nanofaas::nanofaas from an outside project: registers a function, invokes it, and
// returns 0 when the echo comes back (so headers, library and dependencies all resolve).
#include <nanofaas/json.hpp>
#include <nanofaas/nanofaas.hpp>

#include <cstdio>

int main() {
  auto engine = nanofaas::Engine::create({.workers = 1});
  if (!engine) return 1;
  auto added = engine->add_function({.name = "echo"}, [](const nanofaas::Event& ev) {
    return nanofaas::Response::ok(ev.body());
  });
  if (!added) return 2;
  auto r = engine->invoke("echo", "consumer");
  if (!r || !r->ok()) return 3;
  std::printf("%s\n", r->payload.str().c_str());
  return r->payload.view() == "consumer" ? 0 : 4;
}
