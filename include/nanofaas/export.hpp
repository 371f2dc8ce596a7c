#pragma once

/// Marks the classes and functions a shared nanofaas exports; the library is built with hidden
/// visibility, so anything a user calls that is not inline needs it. `NANOFAAS_SHARED` is set
/// by CMake on a shared build and for its users; ELF needs the same attribute on both sides.
#if defined(NANOFAAS_SHARED)
#define NANOFAAS_API __attribute__((visibility("default")))
#else
#define NANOFAAS_API
#endif
