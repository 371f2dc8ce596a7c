#pragma once

#include <string>

namespace nanofaas::http {

/// One credential the HTTP front door accepts: an access key id, its secret, and the principal
/// (an ARN or a name) that requests signed with it act as.
struct AccessKey {
  std::string id;
  std::string secret;
  std::string principal;
};

}  // namespace nanofaas::http
