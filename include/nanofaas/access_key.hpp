#pragma once

#include <string>

namespace nanofaas {

/// An AWS access key the HTTP server accepts (Signature Version 4), and the principal its
/// requests act as: the name a function's resource policy (`PolicyStatement::principal`)
/// allows. The secret never appears in a log or an error.
struct AccessKey {
  std::string id{};
  std::string secret{};
  std::string principal{};
};

}  // namespace nanofaas
