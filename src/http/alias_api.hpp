#pragma once

#include <string_view>

#include "http/api_call.hpp"
#include "http/api_context.hpp"

namespace nanofaas::http {

/// Lambda's alias calls under `/2015-03-31/functions/{name}/aliases`: `CreateAlias` (POST,
/// 201), `ListAliases` (GET), and on `…/aliases/{alias}` `GetAlias`, `UpdateAlias` (PUT) and
/// `DeleteAlias` (204). Descriptions are kept here; the engine routes by the rest.
void create_alias(const ApiContext& api, ApiCall&& call, std::string_view name);
void list_aliases(const ApiContext& api, ApiCall&& call, std::string_view name);
void get_alias(const ApiContext& api, ApiCall&& call, std::string_view name,
               std::string_view alias);
void update_alias(const ApiContext& api, ApiCall&& call, std::string_view name,
                  std::string_view alias);
void delete_alias(const ApiContext& api, ApiCall&& call, std::string_view name,
                  std::string_view alias);

}  // namespace nanofaas::http
