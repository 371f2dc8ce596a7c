// Uses nanofaas::nanofaas from an outside project: compiles, links and returns 0.
#include <nanofaas/error.hpp>
#include <nanofaas/expected.hpp>

#include <cstdio>

int main() {
  nanofaas::Expected<int> value = 42;
  nanofaas::Status status;
  const auto name = nanofaas::lambda_name(nanofaas::Errc::not_found);
  std::printf("%.*s\n", static_cast<int>(name.size()), name.data());
  return value && *value == 42 && status && name == "ResourceNotFoundException" ? 0 : 1;
}
