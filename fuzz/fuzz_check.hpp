#pragma once

#include <cstdio>
#include <cstdlib>

// Checks for the fuzz targets: a failed property prints what broke and aborts, which libFuzzer
// reports as a crash and saves the input for. Unlike assert, it stays on under NDEBUG.
#define NANOFAAS_FUZZ_CHECK(condition, what)                                                    \
  ((condition) ? static_cast<void>(0)                                                           \
               : (std::fprintf(stderr, "%s:%d: property broken: %s (%s)\n", __FILE__, __LINE__, \
                               what, #condition),                                               \
                  std::abort()))
