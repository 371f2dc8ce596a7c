#pragma once

/// nanofaas' version; the top-level CMakeLists.txt reads its three numbers from here.
#define NANOFAAS_VERSION_MAJOR 0
#define NANOFAAS_VERSION_MINOR 1
#define NANOFAAS_VERSION_PATCH 0

/// The version as one number, for `#if`: MAJOR * 10000 + MINOR * 100 + PATCH (0.1.0 is 100).
#define NANOFAAS_VERSION \
  (NANOFAAS_VERSION_MAJOR * 10000 + NANOFAAS_VERSION_MINOR * 100 + NANOFAAS_VERSION_PATCH)

/// The version as a string literal, "MAJOR.MINOR.PATCH".
#define NANOFAAS_VERSION_STRING               \
  NANOFAAS_DETAIL_STR(NANOFAAS_VERSION_MAJOR) \
  "." NANOFAAS_DETAIL_STR(NANOFAAS_VERSION_MINOR) "." NANOFAAS_DETAIL_STR(NANOFAAS_VERSION_PATCH)
// Not API: expands its argument, then quotes it.
#define NANOFAAS_DETAIL_STR(x) NANOFAAS_DETAIL_STR_(x)
#define NANOFAAS_DETAIL_STR_(x) #x
