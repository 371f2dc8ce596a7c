// Uses nanofaas::nanofaas and nanofaas::load from an outside project: registers a function,
// invokes it, drives it with the load generator, and returns 0 when all of it worked (so
// headers, libraries and dependencies all resolve).
#include <nanofaas/json.hpp>
#include <nanofaas/load_generator.hpp>
#include <nanofaas/nanofaas.hpp>
#include <nanofaas/version.hpp>

#include <cstdio>
#include <string_view>

static_assert(NANOFAAS_VERSION == NANOFAAS_VERSION_MAJOR * 10000 + NANOFAAS_VERSION_MINOR * 100 +
                                      NANOFAAS_VERSION_PATCH);

int main() {
#ifdef NANOFAAS_CONSUMER_EXPECTED_VERSION
  // The package's version (nanofaasConfigVersion.cmake) is the installed header's.
  if (std::string_view(NANOFAAS_VERSION_STRING) != NANOFAAS_CONSUMER_EXPECTED_VERSION) return 1;
#endif
  auto engine = nanofaas::Engine::create({.workers = 1});
  if (!engine) return 2;
  auto added = engine->add_function({.name = "echo"}, [](const nanofaas::Event& ev) {
    return nanofaas::Response::ok(ev.body());
  });
  if (!added) return 3;
  auto r = engine->invoke("echo", "consumer");
  if (!r || !r->ok() || r->payload.view() != "consumer") return 4;
  auto report = nanofaas::run_load(*engine, "echo", "load", {.concurrency = 2, .count = 100});
  if (!report || report->succeeded() != 100) return 5;
  std::printf("nanofaas %s: %s, then %llu events from the load generator\n",
              NANOFAAS_VERSION_STRING, r->payload.str().c_str(),
              static_cast<unsigned long long>(report->succeeded()));
  return 0;
}
